#include "cuda/label_constraint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace preflight::cuda {
namespace {

NodeSelectorTerm term(std::vector<NodeSelectorRequirement> reqs) {
  NodeSelectorTerm t;
  t.match_expressions = std::move(reqs);
  return t;
}

std::string describe(const Admit& a) {
  if (a.empty()) return "empty";
  if (!a.constrained()) return "free";
  std::string out;
  if (a.has_set)
    out += "lowest " + std::string(a.lowest_text) + (a.lowest_from_selector ? " (selector)" : "");
  if (a.gt != LLONG_MIN) out += (out.empty() ? "" : " ") + std::string(">") + std::to_string(a.gt);
  if (a.lt != LLONG_MAX) out += (out.empty() ? "" : " ") + std::string("<") + std::to_string(a.lt);
  return out;
}

TEST(LabelConstraintTest, Admit) {
  Workload w;
  w.node_selector = {{"nvidia.com/cuda.driver.major", "550"}, {"pool", "a"}};
  const NodeSelectorTerm none = term({});
  const NodeSelectorTerm more =
      term({{"nvidia.com/cuda.driver-version.major", "In", {"535", "550"}}});
  const NodeSelectorTerm full =
      term({{"nvidia.com/cuda.driver-version.full", "In", {"535.104.05"}}});
  EXPECT_EQ(describe(admit(w, nullptr, NodeProperty::kDriverBranch)), "lowest 550 (selector)");
  EXPECT_EQ(describe(admit(w, &none, NodeProperty::kDriverBranch)), "lowest 550 (selector)");
  EXPECT_EQ(describe(admit(w, &more, NodeProperty::kDriverBranch)), "lowest 550 (selector)");
  EXPECT_EQ(describe(admit(w, &full, NodeProperty::kDriverBranch)), "empty");  // 535 vs 550
  EXPECT_EQ(describe(admit(w, nullptr, NodeProperty::kRuntimeMajor)), "free");

  Workload bare;
  const NodeSelectorTerm ranges = term({{"nvidia.com/cuda.driver.major", "Gt", {"530"}},
                                        {"nvidia.com/cuda.driver.major", "Lt", {"560"}},
                                        {"nvidia.com/cuda.driver.major", "Gt", {"540"}}});
  EXPECT_EQ(describe(admit(bare, &ranges, NodeProperty::kDriverBranch)), ">540 <560");
  const NodeSelectorTerm filtered =
      term({{"nvidia.com/cuda.driver.major", "In", {"470", "535", "570"}},
            {"nvidia.com/cuda.driver.major", "NotIn", {"470"}},
            {"nvidia.com/cuda.driver.major", "Gt", {"500"}}});
  EXPECT_EQ(describe(admit(bare, &filtered, NodeProperty::kDriverBranch)), "lowest 535 >500");
  const NodeSelectorTerm full_gt = term({{"nvidia.com/cuda.driver-version.full", "Gt", {"500"}}});
  EXPECT_EQ(describe(admit(bare, &full_gt, NodeProperty::kDriverBranch)), "free");
  const NodeSelectorTerm runtime =
      term({{"nvidia.com/cuda.runtime-version.full", "In", {"12.4", "12.2"}}});
  EXPECT_EQ(describe(admit(bare, &runtime, NodeProperty::kRuntimeMajor)),
            "lowest 12.4");  // 12 either way
  EXPECT_EQ(describe(admit(bare, &runtime, NodeProperty::kRuntimeMinor)), "lowest 12.2");
  const NodeSelectorTerm families =
      term({{"nvidia.com/gpu.family", "In", {"turing", "pascal", "nope"}}});
  EXPECT_EQ(describe(admit(bare, &families, NodeProperty::kFamily)), "lowest pascal");
  const NodeSelectorTerm exists = term({{"nvidia.com/gpu.compute.major", "Exists", {}}});
  EXPECT_EQ(describe(admit(bare, &exists, NodeProperty::kComputeMajor)), "free");
  const NodeSelectorTerm bad_gt = term({{"nvidia.com/gpu.compute.major", "Gt", {"7", "8"}}});
  EXPECT_EQ(describe(admit(bare, &bad_gt, NodeProperty::kComputeMajor)), "free");
}

}  // namespace
}  // namespace preflight::cuda
