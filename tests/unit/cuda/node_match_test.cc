#include "cuda/node_match.h"

#include <gtest/gtest.h>

#include "../kept_text.h"

#include <limits>
#include <string>
#include <vector>

namespace preflight::cuda {
namespace {

NodeSelectorRequirement req(std::string key, std::string op, std::vector<std::string> values = {}) {
  NodeSelectorRequirement r{kept(std::move(key)), kept(std::move(op)), {}};
  for (std::string& v : values) r.values.push_back(kept(std::move(v)));
  return r;
}

Workload with(StringMap selector, std::vector<std::vector<NodeSelectorRequirement>> terms = {}) {
  Workload w;
  w.pod_spec_path = "spec.template.spec";
  w.node_selector = std::move(selector);
  for (std::size_t i = 0; i < terms.size(); ++i) {
    NodeSelectorTerm t;
    t.match_expressions = std::move(terms[i]);
    t.path = PartPath("spec.template.spec")
                 .at("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
                     "nodeSelectorTerms",
                     i);
    w.required_node_affinity.push_back(std::move(t));
  }
  return w;
}

const LabelMap kA100 = {{"pool", "a100-535"},
                        {"nvidia.com/cuda.driver.major", "535"},
                        {"nvidia.com/gpu.compute.major", "8"}};
const LabelMap kH100 = {{"pool", "h100-550"},
                        {"nvidia.com/cuda.driver-version.major", "550"},
                        {"nvidia.com/gpu.compute.major", "9"}};
const LabelMap kCpu = {{"pool", "cpu"}};

TEST(NodeMatchTest, Requirements) {
  struct Case {
    NodeSelectorRequirement r;
    bool a100, h100, cpu;
  };
  const std::vector<Case> cases = {
      {req("pool", "In", {"a100-535"}), true, false, false},
      {req("pool", "In", {"a100-535", "h100-550"}), true, true, false},
      {req("pool", "NotIn", {"cpu"}), true, true, false},
      {req("nvidia.com/cuda.driver.major", "NotIn", {"535"}), false, true, true},  // absent: holds
      {req("nvidia.com/cuda.driver.major", "Exists"), true, false, false},
      {req("nvidia.com/cuda.driver.major", "DoesNotExist"), false, true, true},
      {req("nvidia.com/gpu.compute.major", "Gt", {"8"}), false, true, false},
      {req("nvidia.com/gpu.compute.major", "Gt", {"7"}), true, true, false},
      {req("nvidia.com/gpu.compute.major", "Lt", {"9"}), true, false, false},
      {req("nvidia.com/gpu.compute.major", "Lt", {"+9"}), true, false, false},
      {req("nvidia.com/gpu.compute.major", "Gt", {"-1"}), true, true, false},
      {req("nvidia.com/gpu.compute.major", "Gt", {"7", "8"}), false, false, false},  // one value
      {req("nvidia.com/gpu.compute.major", "Gt", {"seven"}), false, false, false},
      {req("pool", "Gt", {"1"}), false, false, false},      // not an integer label
      {req("pool", "Sometimes", {"x"}), true, true, true},  // unknown: never a mismatch
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.r.key) + " " + std::string(c.r.op));
    EXPECT_EQ(requirement_matches(c.r, kA100), c.a100);
    EXPECT_EQ(requirement_matches(c.r, kH100), c.h100);
    EXPECT_EQ(requirement_matches(c.r, kCpu), c.cpu);
  }
}

TEST(NodeMatchTest, SelectorAndTerms) {
  // nodeSelector AND (term0 OR term1).
  const Workload w = with({{"nvidia.com/gpu.compute.major", "9"}},
                          {{req("pool", "In", {"a100-535"})}, {req("pool", "In", {"h100-550"})}});
  EXPECT_FALSE(node_matches(w, kA100));
  EXPECT_TRUE(node_matches(w, kH100));
  EXPECT_FALSE(node_matches(w, kCpu));
  // Several expressions in one term: all must hold.
  const Workload both = with({}, {{req("pool", "In", {"a100-535", "h100-550"}),
                                   req("nvidia.com/gpu.compute.major", "Lt", {"9"})}});
  EXPECT_TRUE(node_matches(both, kA100));
  EXPECT_FALSE(node_matches(both, kH100));
  // No placement: every node.
  EXPECT_TRUE(node_matches(with({}), kCpu));
  // A term without expressions (matchFields only) is taken as matching.
  EXPECT_TRUE(node_matches(with({}, {{}}), kCpu));
  // A nodeSelector value must equal the label exactly.
  EXPECT_FALSE(node_matches(with({{"pool", "A100-535"}}), kA100));
}

TEST(NodeMatchTest, HasPlacement) {
  EXPECT_FALSE(has_placement(with({})));
  EXPECT_FALSE(
      has_placement(with({{"kubernetes.io/os", "linux"}, {"kubernetes.io/arch", "amd64"}})));
  EXPECT_TRUE(has_placement(with({{"kubernetes.io/os", "linux"}, {"pool", "a100-535"}})));
  EXPECT_TRUE(has_placement(with({}, {{req("pool", "Exists")}})));
  EXPECT_TRUE(on_provisioned_labels(with({{"cloud.google.com/gke-accelerator", "nvidia-l4"}})));
  EXPECT_TRUE(on_provisioned_labels(
      with({}, {{req("karpenter.k8s.aws/instance-gpu-name", "In", {"a10g"})}})));
  EXPECT_TRUE(on_provisioned_labels(with({{"node.kubernetes.io/instance-type", "g5.xlarge"}})));
  EXPECT_FALSE(on_provisioned_labels(with({{"pool", "a100-535"}})));
  EXPECT_FALSE(on_provisioned_labels(with({{"nvidia.com/gpu.product", "Tesla-T4-SHARED"}})));
}

TEST(NodeMatchTest, K8sInts) {
  EXPECT_EQ(parse_k8s_int("535"), 535);
  EXPECT_EQ(parse_k8s_int("-3"), -3);
  EXPECT_EQ(parse_k8s_int("+3"), 3);
  EXPECT_EQ(parse_k8s_int("9223372036854775807"), 9223372036854775807LL);
  EXPECT_EQ(parse_k8s_int("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_k8s_int("-9223372036854775808"), std::numeric_limits<long long>::min());
  EXPECT_EQ(parse_k8s_int("-"), std::nullopt);
  EXPECT_EQ(parse_k8s_int(""), std::nullopt);
  EXPECT_EQ(parse_k8s_int("535.104"), std::nullopt);
}

}  // namespace
}  // namespace preflight::cuda
