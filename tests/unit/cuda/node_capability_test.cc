#include "cuda/node_capability.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace preflight::cuda {
namespace {

std::string describe(const NodeCapability& cap) {
  std::string out = cap.nvidia_gpu ? "gpu" : "-";
  out += " driver=" + (cap.driver ? to_string(*cap.driver) : std::string("?"));
  out += " cuda=" + (cap.cuda ? major_minor(*cap.cuda) : std::string("?"));
  out += cap.cuda_from_label ? "(label)" : "";
  out += " cc=" + (cap.compute ? compute_to_string(cap.compute->lo) + "-" +
                                     compute_to_string(cap.compute->hi)
                               : std::string("?"));
  return out;
}

TEST(NodeCapabilityTest, BothLabelGenerations) {
  struct Case {
    std::string title;
    LabelMap labels;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"old labels (gpu-a100-1 in examples/cluster-snapshot.yaml)",
       {{"nvidia.com/gpu.present", "true"},
        {"nvidia.com/cuda.driver.major", "535"},
        {"nvidia.com/cuda.driver.minor", "104"},
        {"nvidia.com/cuda.driver.rev", "05"},
        {"nvidia.com/cuda.runtime.major", "12"},
        {"nvidia.com/cuda.runtime.minor", "2"}},
       "gpu driver=535.104.05 cuda=12.2(label) cc=?"},
      {"new labels (gpu-h100-1)",
       {{"nvidia.com/cuda.driver-version.major", "550"},
        {"nvidia.com/cuda.driver-version.minor", "54"},
        {"nvidia.com/cuda.driver-version.revision", "15"},
        {"nvidia.com/cuda.driver-version.full", "550.54.15"},
        {"nvidia.com/cuda.runtime-version.major", "12"},
        {"nvidia.com/cuda.runtime-version.minor", "4"},
        {"nvidia.com/cuda.runtime-version.full", "12.4"}},
       "gpu driver=550.54.15 cuda=12.4(label) cc=?"},
      {"both generations (GFD v0.15+): the new ones win",
       {{"nvidia.com/cuda.driver-version.full", "570.124.06"},
        {"nvidia.com/cuda.driver.major", "570"},
        {"nvidia.com/cuda.runtime-version.full", "12.8"},
        {"nvidia.com/cuda.runtime.major", "12"},
        {"nvidia.com/cuda.runtime.minor", "7"}},
       "gpu driver=570.124.06 cuda=12.8(label) cc=?"},
      {"new major without full: minor and revision of the same generation",
       {{"nvidia.com/cuda.driver-version.major", "580"},
        {"nvidia.com/cuda.driver-version.minor", "65"},
        {"nvidia.com/cuda.driver-version.revision", "06"}},
       "gpu driver=580.65.06 cuda=13.0 cc=?"},
      {"driver only: CUDA from the branch table",
       {{"nvidia.com/cuda.driver.major", "535"}},
       "gpu driver=535 cuda=12.2 cc=?"},
      {"empty old revision (a driver written X.Y)",
       {{"nvidia.com/cuda.driver.major", "570"},
        {"nvidia.com/cuda.driver.minor", "26"},
        {"nvidia.com/cuda.driver.rev", ""}},
       "gpu driver=570.26 cuda=12.8 cc=?"},
      {"runtime only",
       {{"nvidia.com/cuda.runtime.major", "12"}, {"nvidia.com/cuda.runtime.minor", "6"}},
       "gpu driver=? cuda=12.6(label) cc=?"},
      {"a branch newer than the table: CUDA unknown",
       {{"nvidia.com/cuda.driver.major", "615"}},
       "gpu driver=615 cuda=? cc=?"},
      {"garbage values",
       {{"nvidia.com/cuda.driver.major", "five"}, {"nvidia.com/cuda.runtime-version.full", "12"}},
       "gpu driver=? cuda=? cc=?"},
      {"compute capability",
       {{"nvidia.com/gpu.compute.major", "7"},
        {"nvidia.com/gpu.compute.minor", "0"},
        {"nvidia.com/gpu.family", "turing"}},
       "gpu driver=? cuda=? cc=7.0-7.0"},
      {"compute major alone",
       {{"nvidia.com/gpu.compute.major", "8"}},
       "gpu driver=? cuda=? cc=8.0-8.9"},
      {"family alone", {{"nvidia.com/gpu.family", "volta"}}, "gpu driver=? cuda=? cc=7.0-7.4"},
      {"unknown family", {{"nvidia.com/gpu.family", "undefined"}}, "gpu driver=? cuda=? cc=?"},
      {"product label only: a GPU node without versions",
       {{"nvidia.com/gpu.product", "Tesla-T4-SHARED"}},
       "gpu driver=? cuda=? cc=?"},
      {"gpu.present=false is no GPU node",
       {{"nvidia.com/gpu.present", "false"}, {"nvidia.com/gpu.deploy.driver", "false"}},
       "- driver=? cuda=? cc=?"},
      {"a CPU node",
       {{"kubernetes.io/hostname", "cpu-1"}, {"pool", "cpu"}},
       "- driver=? cuda=? cc=?"},
      {"an operator annotation-like key is not a GPU label",
       {{"nvidia.com/gpu-driver-upgrade-enabled", "true"}},
       "- driver=? cuda=? cc=?"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(describe(read_node_capability(c.labels)), c.want) << c.title;
  }
}

}  // namespace
}  // namespace preflight::cuda
