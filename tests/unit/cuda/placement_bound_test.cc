#include "cuda/placement_bound.h"

#include <gtest/gtest.h>

#include "../kept_text.h"

#include <string>
#include <vector>

#include "cuda/compute_table.h"

namespace preflight::cuda {
namespace {

using Reqs = std::vector<NodeSelectorRequirement>;

Workload placed(StringMap selector, std::vector<Reqs> terms = {}) {
  Workload w;
  w.pod_spec_path = "spec.template.spec";
  w.node_selector = std::move(selector);
  for (Reqs& t : terms) {
    NodeSelectorTerm term;
    term.match_expressions = std::move(t);
    w.required_node_affinity.push_back(std::move(term));
  }
  return w;
}

NodeSelectorRequirement req(std::string key, std::string op, std::vector<std::string> values = {}) {
  NodeSelectorRequirement r{kept(std::move(key)), kept(std::move(op)), {}};
  for (std::string& v : values) r.values.push_back(kept(std::move(v)));
  return r;
}

constexpr char kOldMajor[] = "nvidia.com/cuda.driver.major";
constexpr char kNewMajor[] = "nvidia.com/cuda.driver-version.major";

// "compatible", "undecided", or "incompatible <where> <kind> <value> at most <cuda>".
std::string describe(const CudaBound& b) {
  switch (b.verdict) {
    case Verdict::kCompatible:
      return "compatible";
    case Verdict::kUndecided:
      return "undecided";
    case Verdict::kIncompatible:
      break;
  }
  const CudaEvidence& e = b.evidence;
  std::string out = std::string("incompatible ") + (e.from_selector ? "selector " : "affinity ");
  switch (e.kind) {
    case CudaEvidence::Kind::kDriver:
      out += "driver " + std::to_string(e.value);
      break;
    case CudaEvidence::Kind::kDriverBelow:
      out += "driver<" + std::to_string(e.value);
      break;
    case CudaEvidence::Kind::kCuda:
      out += "cuda";
      break;
    case CudaEvidence::Kind::kCudaBelow:
      out += "cuda<" + std::to_string(e.value / 100);
      break;
  }
  if (e.below_table) return out + " below table";
  return out + " at most " +
         (e.minor_open ? std::to_string(e.at_most.major) + ".x" : major_minor(e.at_most));
}

TEST(PlacementBoundTest, Cuda) {
  struct Case {
    std::string title;
    Workload w;
    CudaVersion need;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"the CONTRACT's example",
       placed({{kOldMajor, "535"}}),
       {12, 4},
       "incompatible selector driver 535 at most 12.2"},
      {"new generation key",
       placed({{kNewMajor, "535"}}),
       {12, 4},
       "incompatible selector driver 535 at most 12.2"},
      {"the driver of the release itself", placed({{kNewMajor, "550"}}), {12, 4}, "compatible"},
      {"one minor too new",
       placed({{kNewMajor, "550"}}),
       {12, 5},
       "incompatible selector driver 550 at most 12.4"},
      {"an older CUDA on a newer driver", placed({{kNewMajor, "580"}}), {11, 8}, "compatible"},
      {"In: the lowest listed branch decides",
       placed({}, {{req(kOldMajor, "In", {"550", "535"})}}),
       {12, 4},
       "incompatible affinity driver 535 at most 12.2"},
      {"In: all new enough",
       placed({}, {{req(kOldMajor, "In", {"550", "570"})}}),
       {12, 4},
       "compatible"},
      {"NotIn alone says nothing",
       placed({}, {{req(kOldMajor, "NotIn", {"535"})}}),
       {12, 4},
       "undecided"},
      {"NotIn removes a listed branch",
       placed({}, {{req(kOldMajor, "In", {"535", "550"}), req(kOldMajor, "NotIn", {"535"})}}),
       {12, 4},
       "compatible"},
      {"Gt: the first known branch above",
       placed({}, {{req(kOldMajor, "Gt", {"549"})}}),
       {12, 4},
       "compatible"},
      {"Gt that still admits 545",
       placed({}, {{req(kOldMajor, "Gt", {"540"})}}),
       {12, 4},
       "undecided"},
      {"Gt bound for an older need",
       placed({}, {{req(kOldMajor, "Gt", {"540"})}}),
       {12, 3},
       "compatible"},
      {"Lt: every admitted driver is older",
       placed({}, {{req(kNewMajor, "Lt", {"550"})}}),
       {12, 4},
       "incompatible affinity driver<550 at most 12.3"},
      {"Lt far above", placed({}, {{req(kNewMajor, "Lt", {"600"})}}), {12, 4}, "undecided"},
      {"Gt and Lt together",
       placed({}, {{req(kOldMajor, "Gt", {"530"}), req(kOldMajor, "Lt", {"550"})}}),
       {12, 4},
       "incompatible affinity driver<550 at most 12.3"},
      {"Gt and Lt that admit nothing",
       placed({}, {{req(kOldMajor, "Gt", {"549"}), req(kOldMajor, "Lt", {"550"})}}),
       {12, 4},
       "undecided"},
      {"several terms: one pins an old driver",
       placed({}, {{req(kNewMajor, "In", {"550"})}, {req(kOldMajor, "In", {"535"})}}),
       {12, 4},
       "incompatible affinity driver 535 at most 12.2"},
      {"several terms: one says nothing",
       placed({}, {{req(kNewMajor, "In", {"550"})}, {req("pool", "In", {"x"})}}),
       {12, 4},
       "undecided"},
      {"several terms: all new enough",
       placed({}, {{req(kNewMajor, "In", {"550"})}, {req(kOldMajor, "Gt", {"560"})}}),
       {12, 4},
       "compatible"},
      {"nodeSelector ANDed into every term",
       placed({{kOldMajor, "535"}}, {{req("pool", "In", {"a"})}, {req("pool", "In", {"b"})}}),
       {12, 4},
       "incompatible selector driver 535 at most 12.2"},
      {"a pool label: the cluster must tell", placed({{"pool", "a100-535"}}), {12, 4}, "undecided"},
      {"no placement", placed({}), {12, 4}, "undecided"},
      {"Exists", placed({}, {{req(kOldMajor, "Exists")}}), {12, 4}, "undecided"},
      {"driver-version.full counts by its branch",
       placed({}, {{req("nvidia.com/cuda.driver-version.full", "In", {"535.104.05"})}}),
       {12, 4},
       "incompatible affinity driver 535 at most 12.2"},
      {"old and new keys that contradict admit nothing",
       placed({{kOldMajor, "535"}}, {{req(kNewMajor, "In", {"550"})}}),
       {12, 4},
       "undecided"},
      {"runtime labels, both parts",
       placed({{"nvidia.com/cuda.runtime.major", "12"}, {"nvidia.com/cuda.runtime.minor", "2"}}),
       {12, 4},
       "incompatible selector cuda at most 12.2"},
      {"runtime-version.full",
       placed({{"nvidia.com/cuda.runtime-version.full", "12.4"}}),
       {12, 4},
       "compatible"},
      {"runtime major alone, a newer major needed",
       placed({{"nvidia.com/cuda.runtime-version.major", "12"}}),
       {13, 0},
       "incompatible selector cuda at most 12.x"},
      {"runtime major alone, same major",
       placed({{"nvidia.com/cuda.runtime-version.major", "12"}}),
       {12, 4},
       "undecided"},
      {"runtime major Lt",
       placed({}, {{req("nvidia.com/cuda.runtime.major", "Lt", {"13"})}}),
       {13, 0},
       "incompatible affinity cuda<13 at most 12.x"},
      {"driver and runtime that contradict",
       placed({{kOldMajor, "535"},
               {"nvidia.com/cuda.runtime.major", "12"},
               {"nvidia.com/cuda.runtime.minor", "4"}}),
       {12, 4},
       "undecided"},
      {"driver and runtime that agree",
       placed({{kOldMajor, "535"},
               {"nvidia.com/cuda.runtime.major", "12"},
               {"nvidia.com/cuda.runtime.minor", "2"}}),
       {12, 4},
       "incompatible selector driver 535 at most 12.2"},
      {"a branch older than the table",
       placed({{kOldMajor, "418"}}),
       {10, 2},
       "incompatible selector driver 418 below table"},
      {"a branch newer than the table, a known CUDA",
       placed({{kNewMajor, "615"}}),
       {13, 3},
       "compatible"},
      {"a branch newer than the table, a newer CUDA",
       placed({{kNewMajor, "615"}}),
       {13, 4},
       "undecided"},
      {"not a number", placed({{kOldMajor, "latest"}}), {12, 4}, "undecided"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(describe(placement_cuda_bound(c.w, c.need)), c.want) << c.title;
  }
}

std::string describe(const ComputeBound& b) {
  switch (b.verdict) {
    case Verdict::kCompatible:
      return "compatible";
    case Verdict::kUndecided:
      return "undecided";
    case Verdict::kIncompatible:
      break;
  }
  const ComputeEvidence& e = b.evidence;
  return std::string("incompatible ") + (e.from_selector ? "selector " : "affinity ") +
         (e.family.empty() ? "" : std::string(e.family) + " ") + compute_to_string(e.lo) + "-" +
         compute_to_string(e.hi);
}

TEST(PlacementBoundTest, Compute) {
  struct Case {
    std::string title;
    Workload w;
    int min_cc;
    std::string want;
  };
  constexpr char kFamily[] = "nvidia.com/gpu.family";
  constexpr char kCcMajor[] = "nvidia.com/gpu.compute.major";
  constexpr char kCcMinor[] = "nvidia.com/gpu.compute.minor";
  const std::vector<Case> cases = {
      {"CUDA 13 on Volta", placed({{kFamily, "volta"}}), 75, "incompatible selector volta 7.0-7.4"},
      {"CUDA 13 on Turing", placed({{kFamily, "turing"}}), 75, "compatible"},
      {"the lowest family listed", placed({}, {{req(kFamily, "In", {"turing", "pascal"})}}), 75,
       "incompatible affinity pascal 6.0-6.9"},
      {"CUDA 12 on Kepler", placed({{kFamily, "kepler"}}), 50,
       "incompatible selector kepler 3.0-3.9"},
      {"CUDA 12 on Maxwell", placed({{kFamily, "maxwell"}}), 50, "compatible"},
      {"compute major 6", placed({{kCcMajor, "6"}}), 75, "incompatible selector 6.0-6.9"},
      {"compute major 7 alone straddles 7.5", placed({{kCcMajor, "7"}}), 75, "undecided"},
      {"compute 7.5", placed({{kCcMajor, "7"}, {kCcMinor, "5"}}), 75, "compatible"},
      {"compute 7.0", placed({{kCcMajor, "7"}, {kCcMinor, "0"}}), 75,
       "incompatible selector 7.0-7.0"},
      {"compute major Gt 7", placed({}, {{req(kCcMajor, "Gt", {"7"})}}), 75, "compatible"},
      {"compute major Lt 7", placed({}, {{req(kCcMajor, "Lt", {"7"})}}), 75,
       "incompatible affinity 0.0-6.9"},
      {"an unknown family", placed({{kFamily, "undefined"}}), 75, "undecided"},
      {"nothing pinned", placed({{"pool", "v100"}}), 75, "undecided"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(describe(placement_compute_bound(c.w, c.min_cc)), c.want) << c.title;
  }
}

}  // namespace
}  // namespace preflight::cuda
