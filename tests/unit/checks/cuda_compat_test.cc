#include "checks/cuda_compat.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "admission/evaluate.h"
#include "cluster/cluster_source.h"
#include "fake_cluster.h"
#include "util/yaml_json.h"

namespace preflight::checks {
namespace {

using cluster::NodeInfo;
using cluster::Resource;
using testutil::FakeCluster;

// ---- Nodes: mixed driver pools, both GFD label generations ----

NodeInfo old_labels(std::string name, std::string pool, std::string major, std::string minor,
                    std::string rev, std::string rt_major, std::string rt_minor) {
  return {std::move(name),
          {{"pool", std::move(pool)},
           {"nvidia.com/gpu.present", "true"},
           {"nvidia.com/cuda.driver.major", std::move(major)},
           {"nvidia.com/cuda.driver.minor", std::move(minor)},
           {"nvidia.com/cuda.driver.rev", std::move(rev)},
           {"nvidia.com/cuda.runtime.major", std::move(rt_major)},
           {"nvidia.com/cuda.runtime.minor", std::move(rt_minor)}}};
}

NodeInfo new_labels(std::string name, std::string pool, std::string driver, std::string runtime) {
  const std::string major = driver.substr(0, driver.find('.'));
  return {std::move(name),
          {{"pool", std::move(pool)},
           {"nvidia.com/gpu.present", "true"},
           {"nvidia.com/cuda.driver-version.major", major},
           {"nvidia.com/cuda.driver-version.full", std::move(driver)},
           {"nvidia.com/cuda.runtime-version.full", std::move(runtime)}}};
}

NodeInfo with(NodeInfo n, std::string key, std::string value) {
  n.labels[std::move(key)] = std::move(value);
  return n;
}

// a100-535 (two nodes, old labels; one without runtime labels), h100-550 (new labels),
// h200-570 (both generations), v100-580 (Volta), k80-470 (Kepler), and a CPU node.
FakeCluster mixed_pools() {
  FakeCluster c;
  c.add_node(old_labels("gpu-a100-1", "a100-535", "535", "104", "05", "12", "2"));
  NodeInfo a100_2 = old_labels("gpu-a100-2", "a100-535", "535", "54", "03", "12", "2");
  a100_2.labels.erase("nvidia.com/cuda.runtime.major");
  a100_2.labels.erase("nvidia.com/cuda.runtime.minor");
  c.add_node(with(a100_2, "nvidia.com/gpu.compute.major", "8"));
  c.add_node(with(new_labels("gpu-h100-1", "h100-550", "550.54.15", "12.4"),
                  "nvidia.com/gpu.family", "hopper"));
  c.add_node(with(with(new_labels("gpu-h200-1", "h200-570", "570.124.06", "12.8"),
                       "nvidia.com/cuda.driver.major", "570"),
                  "nvidia.com/gpu.compute.major", "9"));
  c.add_node(with(new_labels("gpu-v100-1", "v100-580", "580.65.06", "13.0"),
                  "nvidia.com/gpu.family", "volta"));
  c.add_node(with(with(old_labels("gpu-k80-1", "k80-470", "470", "82", "01", "11", "4"),
                       "nvidia.com/gpu.compute.major", "3"),
                  "nvidia.com/gpu.compute.minor", "7"));
  c.add_node({"cpu-1", {{"pool", "cpu"}}});
  return c;
}

FakeCluster only(std::vector<NodeInfo> nodes) {
  FakeCluster c;
  for (NodeInfo& n : nodes) c.add_node(std::move(n));
  return c;
}

// ---- Workloads ----

Container gpu(std::string image, std::string name = "server", int index = 0,
              Container::Type type = Container::Type::kApp) {
  Container c = testutil::ContainerBuilder(std::move(name), type, index);
  c.image = kept(std::move(image));
  c.resource_limits["nvidia.com/gpu"] = "1";
  return c;
}

Container cpu(std::string image, std::string name = "sidecar", int index = 1) {
  Container c = testutil::ContainerBuilder(std::move(name), Container::Type::kApp, index);
  c.image = kept(std::move(image));
  return c;
}

Container with_env(Container c, std::string name, std::string value) {
  EnvVar& e = c.env.emplace_back();
  e.name = kept(std::move(name));
  e.value = kept(std::move(value));
  e.path = c.path.at("env", c.env.size() - 1);
  return c;
}

Workload on(StringMap selector, std::vector<Container> containers) {
  Workload w = testutil::deployment(std::move(containers));
  w.node_selector = std::move(selector);
  return w;
}

Workload affinity(std::vector<std::vector<NodeSelectorRequirement>> terms,
                  std::vector<Container> containers) {
  Workload w = testutil::deployment(std::move(containers));
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

policy::Policy unavailable(policy::UnavailableMode mode) { return testutil::with_unavailable(mode); }

std::vector<std::string> run(const Workload& w, const cluster::ClusterView* cluster,
                             const policy::Policy& p = policy::default_policy()) {
  const auto check = make_cuda_compat_check();
  EXPECT_EQ(check->id(), "cuda-compat");
  return testutil::finding_lines(*check, w, cluster, p,
                                  [](const Finding&, const std::string& line) { EXPECT_LT(line.size(), 256u) << line; });
}

constexpr char kImagePath[] = "(spec.template.spec.containers[0].image)";
constexpr char kOld535[] = "nvidia.com/cuda.driver.major";

struct Case {
  std::string title;
  Workload workload;
  std::vector<std::string> want;
};

void run_table(const std::vector<Case>& cases, const cluster::ClusterView* cluster,
               const policy::Policy& p = policy::default_policy()) {
  for (const Case& c : cases) {
    EXPECT_EQ(run(c.workload, cluster, p), c.want) << c.title;
  }
}

TEST(CudaCompatTest, TheContractExample) {
  const Workload w =
      on({{kOld535, "535"}}, {gpu("registry.example.com/llm/server:2.3.1-cuda12.4")});
  const std::vector<std::string> want = {
      std::string("deny|[cuda-compat] container \"server\" image "
                  "registry.example.com/llm/server:2.3.1-cuda12.4 ") +
      kImagePath +
      ": needs CUDA 12.4 (driver >= 550.54.14) but nodeSelector driver 535 has CUDA <= "
      "12.2; use a 535-compatible image or newer nodes"};
  EXPECT_EQ(run(w, nullptr), want);  // the spec alone decides: no cluster needed
  const FakeCluster c = mixed_pools();
  EXPECT_EQ(run(w, &c), want);
  // The look-alike that must pass: the same pool with a CUDA 12.2 image.
  EXPECT_TRUE(
      run(on({{kOld535, "535"}}, {gpu("registry.example.com/llm/server:2.3.1-cuda12.2")}), &c)
          .empty());
}

TEST(CudaCompatTest, PlacementDecides) {
  const std::string newer = "nvidia.com/cuda.driver-version.major";
  const std::vector<Case> cases = {
      {"new-generation key, new enough",
       on({{newer, "550"}}, {gpu("vllm/vllm-openai:v0.9.0")}),
       {"deny|[cuda-compat] container \"server\" image vllm/vllm-openai:v0.9.0 " +
        std::string(kImagePath) +
        ": needs CUDA 12.8 (driver >= 570.26) but nodeSelector driver 550 has CUDA <= "
        "12.4; use a 550-compatible image or newer nodes"}},
      {"the lowest of an In list",
       affinity({{{kOld535, "In", {"570", "535"}}}},
                {gpu("pytorch/pytorch:2.7.0-cuda12.8-cudnn9-devel")}),
       {"deny|[cuda-compat] container \"server\" image "
        "pytorch/pytorch:2.7.0-cuda12.8-cudnn9-devel " +
        std::string(kImagePath) +
        ": needs CUDA 12.8 (driver >= 570.26) but affinity driver 535 has CUDA <= 12.2; "
        "use a 535-compatible image or newer nodes"}},
      {"Lt: all admitted drivers too old",
       affinity({{{newer, "Lt", {"580"}}}}, {gpu("vllm/vllm-openai:v0.21.0")}),
       {"deny|[cuda-compat] container \"server\" image vllm/vllm-openai:v0.21.0 " +
        std::string(kImagePath) +
        ": needs CUDA 13.0 (driver >= 580.65.06) but affinity driver < 580 has CUDA <= "
        "12.9; use a CUDA 12.9 image or newer nodes"}},
      {"runtime labels",
       on({{"nvidia.com/cuda.runtime-version.full", "12.2"}},
          {gpu("nvidia/cuda:12.4.1-runtime-ubuntu22.04")}),
       {"deny|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-runtime-ubuntu22.04 " +
        std::string(kImagePath) +
        ": needs CUDA 12.4 (driver >= 550.54.14) but nodeSelector pins CUDA 12.2; use a CUDA "
        "12.2 image or newer nodes"}},
      {"a CUDA above the driver table",
       on({{newer, "610"}}, {gpu("nvcr.io/nvidia/tritonserver:26.08-vllm-python-py3")}),
       {"deny|[cuda-compat] container \"server\" image "
        "nvcr.io/nvidia/tritonserver:26.08-vllm-python-py3 " +
        std::string(kImagePath) +
        ": needs CUDA 13.4 but nodeSelector driver 610 has CUDA <= 13.3; use a "
        "610-compatible image or newer nodes"}},
      {"CUDA 13 on Volta, driver fine",
       on({{newer, "580"}, {"nvidia.com/gpu.family", "volta"}}, {gpu("vllm/vllm-openai:v0.21.0")}),
       {"deny|[cuda-compat] container \"server\" image vllm/vllm-openai:v0.21.0 " +
        std::string(kImagePath) +
        ": CUDA 13.0 needs compute capability >= 7.5 but nodeSelector gives volta "
        "(7.0-7.4); use a CUDA 12.x image or Turing+ GPUs"}},
      {"CUDA 12 on Kepler",
       on({{newer, "550"}, {"nvidia.com/gpu.compute.major", "3"}},
          {gpu("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime")}),
       {"deny|[cuda-compat] container \"server\" image "
        "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime " +
        std::string(kImagePath) +
        ": CUDA 12.1 needs compute capability >= 5.0 but nodeSelector gives 3.0-3.9; "
        "use a CUDA 11.x image or Maxwell+ GPUs"}},
      {"clean: Turing for CUDA 13",
       on({{newer, "580"}, {"nvidia.com/gpu.family", "turing"}}, {gpu("vllm/vllm-openai:v0.21.0")}),
       {}},
  };
  run_table(cases, nullptr);
}

TEST(CudaCompatTest, ClusterNodesDecide) {
  const FakeCluster c = mixed_pools();
  const std::vector<Case> cases = {
      // One character too long for a warning with the whole image: its registry gives way.
      {"pool a100-535: both nodes, old labels, one without runtime labels",
       on({{"pool", "a100-535"}}, {gpu("registry.example.com/llm/server:2.3.1-cuda12.4")}),
       {"deny|[cuda-compat] container \"server\" image .../llm/server:2.3.1-cuda12.4 " +
        std::string(kImagePath) +
        ": needs CUDA 12.4 (driver >= 550.54.14) but cluster nodes gpu-a100-1 (+1) have "
        "CUDA 12.2; use a 535-compatible image or newer nodes"}},
      {"pool h100-550: new labels, compatible",
       on({{"pool", "h100-550"}}, {gpu("registry.example.com/llm/server:2.3.1-cuda12.4")}),
       {}},
      {"affinity over two pools: the lowest decides",
       affinity({{{"pool", "In", {"h100-550", "a100-535"}}}},
                {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")}),
       {"deny|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 " +
        std::string(kImagePath) +
        ": needs CUDA 12.4 (driver >= 550.54.14) but cluster nodes gpu-a100-1 (+1) have "
        "CUDA 12.2; use a 535-compatible image or newer nodes"}},
      {"several terms: one pool each",
       affinity({{{"pool", "In", {"h200-570"}}}, {{"pool", "In", {"h100-550"}}}},
                {gpu("pytorch/pytorch:2.7.0-cuda12.8-cudnn9-devel")}),
       {"deny|[cuda-compat] container \"server\" image "
        "pytorch/pytorch:2.7.0-cuda12.8-cudnn9-devel " +
        std::string(kImagePath) +
        ": needs CUDA 12.8 (driver >= 570.26) but cluster node gpu-h100-1 has CUDA 12.4; use a "
        "550-compatible image or newer nodes"}},
      {"NotIn keeps the old pool out",
       affinity({{{"pool", "NotIn", {"a100-535", "k80-470", "cpu"}}}},
                {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")}),
       {}},
      {"both generations on one node (h200), compatible",
       on({{"pool", "h200-570"}}, {gpu("pytorch/pytorch:2.7.0-cuda12.8-cudnn9-devel")}),
       {}},
      {"CUDA 13 on the Volta pool: the driver is fine, the GPU is not",
       on({{"pool", "v100-580"}}, {gpu("vllm/vllm-openai:v0.21.0")}),
       {"deny|[cuda-compat] container \"server\" image vllm/vllm-openai:v0.21.0 " +
        std::string(kImagePath) +
        ": CUDA 13.0 needs compute capability >= 7.5 but cluster node gpu-v100-1 has 7.0-7.4; "
        "use a CUDA 12.x image or Turing+ GPUs"}},
      {"Kepler pool: driver and GPU both too old",
       on({{"pool", "k80-470"}}, {gpu("nvidia/cuda:12.2.0-base-ubuntu22.04")}),
       {"deny|[cuda-compat] container \"server\" image nvidia/cuda:12.2.0-base-ubuntu22.04 " +
            std::string(kImagePath) +
            ": needs CUDA 12.2 (driver >= 535.54.03) but cluster node gpu-k80-1 has CUDA 11.4; "
            "use a 470-compatible image or newer nodes",
        "deny|[cuda-compat] container \"server\" image nvidia/cuda:12.2.0-base-ubuntu22.04 " +
            std::string(kImagePath) +
            ": CUDA 12.2 needs compute capability >= 5.0 but cluster node gpu-k80-1 has 3.7; "
            "use a CUDA 11.x image or Maxwell+ GPUs"}},
      {"no placement: every GPU node counts",
       testutil::deployment({gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")}),
       {"deny|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 " +
            std::string(kImagePath) +
            ": needs CUDA 12.4 (driver >= 550.54.14) but cluster nodes gpu-k80-1 (+2) "
            "have CUDA 11.4-12.2; use a 470-compatible image or newer nodes",
        "deny|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 " +
            std::string(kImagePath) +
            ": CUDA 12.4 needs compute capability >= 5.0 but cluster node gpu-k80-1 has 3.7; "
            "use a CUDA 11.x image or Maxwell+ GPUs"}},
      {"CUDA 11.7 needs 515: only the Kepler node (470) is too old",
       testutil::deployment(
           {gpu("nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda11.7.1-ubuntu20.04")}),
       {"deny|[cuda-compat] container \"server\" image "
        ".../k8s/cuda-sample:vectoradd-cuda11.7.1-ubuntu20.04 " +
        std::string(kImagePath) +
        ": needs CUDA 11.7 (driver >= 515.43.04) but cluster node gpu-k80-1 has CUDA 11.4; use a "
        "470-compatible image or newer nodes"}},
      {"an old CUDA runs everywhere",
       testutil::deployment({gpu("nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda10.2")}),
       {}},
  };
  run_table(cases, &c);
}

TEST(CudaCompatTest, NoGpuPlacement) {
  const Workload w = testutil::deployment({gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")});
  const std::string warning =
      "warn|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 " +
      std::string(kImagePath) +
      ": needs CUDA 12.4 (driver >= 550.54.14) but may land on any GPU node; pin nodes by "
      "nvidia.com/cuda.driver-version.major or a pool";
  EXPECT_EQ(run(w, nullptr), std::vector<std::string>{warning});
  // Nodes without GFD driver labels cannot tell.
  const FakeCluster bare = only({{"gpu-1", {{"nvidia.com/gpu.present", "true"}}}, {"cpu-1", {}}});
  EXPECT_EQ(run(w, &bare), std::vector<std::string>{warning});
  // Unknown node state: the spec-level warning, not "not checked".
  FakeCluster unknown;
  unknown.set_unknown(Resource::kNode, "nodes: cache not synced");
  EXPECT_EQ(run(w, &unknown), std::vector<std::string>{warning});
  // Every GPU node new enough: nothing to say.
  const FakeCluster h100 = only({new_labels("gpu-h100-1", "h100-550", "550.54.15", "12.4")});
  EXPECT_TRUE(run(w, &h100).empty());
  // kubernetes.io/os is no GPU placement.
  EXPECT_EQ(run(on({{"kubernetes.io/os", "linux"}}, {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")}),
                nullptr),
            std::vector<std::string>{warning});
  // An unknown image asks for nothing.
  EXPECT_TRUE(run(testutil::deployment({gpu("myorg/llm:1.0")}), nullptr).empty());
}

TEST(CudaCompatTest, NoMatchingGpuNode) {
  const FakeCluster c = mixed_pools();
  const std::string selector_line =
      "deny|[cuda-compat] container \"server\" nodeSelector (spec.template.spec.nodeSelector): "
      "asks for nvidia.com/gpu but no GPU node matches (7 nodes in the cluster); fix the labels or "
      "add a matching GPU node pool";
  const std::vector<Case> cases = {
      {"a pool that does not exist",
       on({{"pool", "a10-535"}}, {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")}),
       {selector_line}},
      {"only a CPU node matches", on({{"pool", "cpu"}}, {gpu("myorg/llm:1.0")}), {selector_line}},
      {"reported once for two GPU containers",
       on({{"pool", "a10-535"}}, {gpu("myorg/llm:1.0"), gpu("myorg/llm:1.0", "worker", 1)}),
       {selector_line}},
      {"by affinity",
       affinity({{{"nvidia.com/gpu.product", "In", {"Tesla-T4-SHARED"}}}}, {gpu("myorg/llm:1.0")}),
       {"deny|[cuda-compat] container \"server\" nodeAffinity "
        "(spec.template.spec.affinity.nodeAffinity): asks for nvidia.com/gpu but no GPU node "
        "matches (7 nodes in the cluster); fix the labels or add a matching GPU node pool"}},
      {"labels a provisioner creates nodes for",
       on({{"cloud.google.com/gke-accelerator", "nvidia-l4"}}, {gpu("myorg/llm:1.0")}),
       {}},
      {"a GPU pool that exists", on({{"pool", "h100-550"}}, {gpu("myorg/llm:1.0")}), {}},
      {"no GPU asked for",
       on({{"pool", "a10-535"}}, {cpu("nvidia/cuda:12.4.1-base-ubuntu22.04")}),
       {}},
  };
  run_table(cases, &c);
  // A cluster without Nodes, or without GPU labels on any node, cannot tell.
  const FakeCluster empty;
  EXPECT_TRUE(run(on({{"pool", "a10-535"}}, {gpu("myorg/llm:1.0")}), &empty).empty());
  const FakeCluster unlabelled = only({{"node-1", {{"pool", "gpu"}}}});
  EXPECT_TRUE(run(on({{"pool", "gpu"}}, {gpu("myorg/llm:1.0")}), &unlabelled).empty());
  EXPECT_EQ(run(on({{"pool", "other"}}, {gpu("myorg/llm:1.0")}), &unlabelled).size(), 1u);
  // Without a cluster view nothing is claimed.
  EXPECT_TRUE(run(on({{"pool", "a10-535"}}, {gpu("myorg/llm:1.0")}), nullptr).empty());
}

TEST(CudaCompatTest, UnknownNodeState) {
  FakeCluster c;
  c.set_unknown(Resource::kNode, "nodes: cache not synced");
  const Workload pool = on({{"pool", "a100-535"}}, {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")});
  const std::string line =
      "[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 " +
      std::string(kImagePath) +
      ": could not check node \"pool=a100-535\": nodes: cache not synced; retry once the nodes "
      "are synced, or pin a driver label";
  EXPECT_TRUE(run(pool, &c, unavailable(policy::UnavailableMode::kAllow)).empty());
  EXPECT_EQ(run(pool, &c, unavailable(policy::UnavailableMode::kWarn)),
            std::vector<std::string>{"warn unverified|" + line});
  EXPECT_EQ(run(pool, &c, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{"deny unverified|" + line});
  // A placement that decides alone needs no cluster (compute capability is only checked
  // against known Nodes, never reported as not checked).
  const Workload pinned = on({{kOld535, "550"}}, {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")});
  EXPECT_TRUE(run(pinned, &c, unavailable(policy::UnavailableMode::kDeny)).empty());
  // An unknown image needs nothing checked.
  EXPECT_TRUE(run(on({{"pool", "a100-535"}}, {gpu("myorg/llm:1.0")}), &c,
                  unavailable(policy::UnavailableMode::kDeny))
                  .empty());
  // The affinity is named when there is no nodeSelector.
  const auto lines = run(affinity({{{"pool", "In", {"a100-535", "h100-550"}}}},
                                  {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")}),
                         &c);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("could not check node \"pool In a100-535,h100-550\""), std::string::npos)
      << lines[0];
}

TEST(CudaCompatTest, WhichContainers) {
  const FakeCluster c = mixed_pools();
  const StringMap a100 = {{"pool", "a100-535"}};
  const std::string cuda124 = "nvidia/cuda:12.4.1-base-ubuntu22.04";
  Container init = gpu(cuda124, "warmup", 0, Container::Type::kInit);
  Container ephemeral = gpu(cuda124, "debug", 0, Container::Type::kEphemeral);
  Container amd = cpu("rocm/vllm:latest", "server", 0);
  amd.resource_limits["amd.com/gpu"] = "1";
  Container mig = gpu(cuda124);
  mig.resource_limits.clear();
  mig.resource_requests["nvidia.com/mig-1g.10gb"] = "1";
  Container zero = gpu(cuda124);
  zero.resource_limits["nvidia.com/gpu"] = "0";
  const std::vector<Case> cases = {
      {"a CUDA image without a GPU request", on(a100, {cpu(cuda124, "server", 0)}), {}},
      {"a ROCm image on AMD GPUs", on({{"pool", "mi300"}}, {amd}), {}},
      {"a ROCm image asking for an NVIDIA GPU", on(a100, {gpu("rocm/vllm:latest")}), {}},
      {"a CPU image asking for an NVIDIA GPU", on(a100, {gpu("python:3.11-slim")}), {}},
      {"nvidia.com/gpu: 0", on(a100, {zero}), {}},
      {"an init container asking for a GPU",
       on(a100, {cpu("busybox", "main", 0), init}),
       {"deny|[cuda-compat] container \"warmup\" image nvidia/cuda:12.4.1-base-ubuntu22.04 "
        "(spec.template.spec.initContainers[0].image): needs CUDA 12.4 (driver >= 550.54.14) but "
        "cluster nodes gpu-a100-1 (+1) have CUDA 12.2; use a 535-compatible image or newer "
        "nodes"}},
      {"ephemeral containers get no GPU", on(a100, {cpu("busybox", "main", 0), ephemeral}), {}},
      {"a MIG slice",
       on(a100, {mig}),
       {"deny|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 " +
        std::string(kImagePath) +
        ": needs CUDA 12.4 (driver >= 550.54.14) but cluster nodes gpu-a100-1 (+1) have "
        "CUDA 12.2; use a 535-compatible image or newer nodes"}},
  };
  run_table(cases, &c);
  Workload prompts = on(a100, {gpu(cuda124)});
  prompts.kind = WorkloadKind::kConfigMap;
  EXPECT_TRUE(run(prompts, &c).empty());
  Workload pod = on(a100, {gpu(cuda124)});
  pod.kind = WorkloadKind::kPod;
  pod.pod_spec_path = "spec";
  pod.containers[0].path = PartPath("spec").at("containers", 0);
  const auto lines = run(pod, &c);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("(spec.containers[0].image)"), std::string::npos) << lines[0];
}

TEST(CudaCompatTest, DeclaredVersions) {
  const FakeCluster c = mixed_pools();
  const StringMap a100 = {{"pool", "a100-535"}};
  const std::string tail =
      ": needs CUDA 12.4 (driver >= 550.54.14) but cluster nodes gpu-a100-1 (+1) have CUDA "
      "12.2; use a 535-compatible image or newer nodes";
  Workload annotated = on(a100, {gpu("myorg/llm:1.0")});
  annotated.annotations["preflight.wfgy.io/cuda-version"] = "12.4";
  Workload on_template = on(a100, {gpu("myorg/llm:1.0")});
  on_template.template_annotations["preflight.wfgy.io/cuda-version"] = "12.4.1";
  Workload declared_lower = on(a100, {gpu("nvidia/cuda:12.4.1-base-ubuntu22.04")});
  declared_lower.annotations["preflight.wfgy.io/cuda-version"] = "12.2";
  Workload bad = on(a100, {gpu("myorg/llm:1.0")});
  bad.annotations["preflight.wfgy.io/cuda-version"] = "twelve";
  const std::vector<Case> cases = {
      {"annotation on the workload",
       annotated,
       {"deny|[cuda-compat] container \"server\" image myorg/llm:1.0 (metadata.annotations)" +
        tail}},
      {"annotation on the pod template",
       on_template,
       {"deny|[cuda-compat] container \"server\" image myorg/llm:1.0 "
        "(spec.template.metadata.annotations)" +
        tail}},
      {"a declaration overrides the tag", declared_lower, {}},
      {"an annotation that is no version",
       bad,
       {"warn|[cuda-compat] annotation preflight.wfgy.io/cuda-version (metadata.annotations): "
        "\"twelve\" is not a CUDA version; it is ignored; write major.minor, e.g. \"12.4\""}},
      {"env CUDA_VERSION",
       on(a100, {with_env(gpu("myorg/llm:1.0"), "CUDA_VERSION", "12.4.1")}),
       {"deny|[cuda-compat] container \"server\" image myorg/llm:1.0 "
        "(spec.template.spec.containers[0].env[0])" +
        tail}},
      {"env NVIDIA_REQUIRE_CUDA",
       on(a100, {with_env(gpu("myorg/llm:1.0"), "NVIDIA_REQUIRE_CUDA",
                          "cuda>=12.4 brand=tesla,driver>=470,driver<471")}),
       {"deny|[cuda-compat] container \"server\" image myorg/llm:1.0 "
        "(spec.template.spec.containers[0].env[0])" +
        tail}},
      {"NVIDIA_DISABLE_REQUIRE: 12.x runs on any 12.x driver",
       on(a100,
          {with_env(gpu("nvidia/cuda:12.4.1-base-ubuntu22.04"), "NVIDIA_DISABLE_REQUIRE", "true")}),
       {}},
      {"NVIDIA_DISABLE_REQUIRE does not help on a CUDA 11 driver",
       on({{"pool", "k80-470"}},
          {with_env(gpu("nvidia/cuda:12.4.1-base-ubuntu22.04"), "NVIDIA_DISABLE_REQUIRE", "1")}),
       {"deny|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 "
        "(spec.template.spec.containers[0].env[0]): needs CUDA 12.0 (driver >= 525.60.13) but "
        "cluster node gpu-k80-1 has CUDA 11.4; use a 470-compatible image or newer nodes",
        "deny|[cuda-compat] container \"server\" image nvidia/cuda:12.4.1-base-ubuntu22.04 "
        "(spec.template.spec.containers[0].env[0]): CUDA 12.0 needs compute capability >= 5.0 "
        "but cluster node gpu-k80-1 has 3.7; use a CUDA 11.x image or Maxwell+ GPUs"}},
  };
  run_table(cases, &c);
}

TEST(CudaCompatTest, LongNamesStayUnder256) {
  const FakeCluster c = mixed_pools();
  const std::string image =
      "registry.internal.example.com:5000/platform/inference/llm-serving/server:2.3.1-cuda12.4-"
      "ubuntu22.04" +
      std::string("@sha256:4f1ac4b0ad79f1bd43e1a7b4d6e8c2b8d3bd4b1a3d0e5f1c2a7b9c0d1e2f3a4b");
  const auto lines = run(on({{"pool", "a100-535"}}, {gpu(image, "inference-server-01")}), &c);
  ASSERT_EQ(lines.size(), 1u);  // run() asserts each line < 256
  EXPECT_NE(lines[0].find("image ..."), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("needs CUDA 12.4"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("use a 535-compatible image"), std::string::npos) << lines[0];
}

// ---- The examples and the cluster snapshot, read as preflight reads them ----

std::string example(const std::string& name) {
  return std::string(PREFLIGHT_TEST_DATA_DIR) + "/../../examples/" + name;
}

Workload example_workload(const std::string& name) {
  std::ifstream in(example(name));
  std::stringstream text;
  text << in.rdbuf();
  auto docs = parse_yaml_documents(text.str(), name);
  EXPECT_TRUE(docs.ok()) << (docs.ok() ? "" : docs.error());
  EXPECT_EQ(docs->size(), 1u);
  auto w = workload_from_json(docs->front().value, WorkloadKind::kDeployment);
  EXPECT_TRUE(w.ok());
  return std::move(w).value();
}

TEST(CudaCompatTest, ExamplesAgainstTheSnapshot) {
  auto source = cluster::ClusterSource::from_snapshot(example("cluster-snapshot.yaml"));
  ASSERT_TRUE(source.ok()) << source.error();
  const cluster::ClusterView& snapshot = source.value()->store();

  // The snapshot carries both GFD label generations.
  int old_generation = 0;
  int new_generation = 0;
  for (const cluster::NodePtr& n : *snapshot.nodes()) {
    old_generation += n->labels.contains("nvidia.com/cuda.driver.major");
    new_generation += n->labels.contains("nvidia.com/cuda.driver-version.major");
  }
  EXPECT_GE(old_generation, 1);
  EXPECT_GE(new_generation, 1);

  const Workload broken = example_workload("gpu-deployment-broken.yaml");
  const Workload ok = example_workload("gpu-deployment-ok.yaml");
  EXPECT_EQ(run(broken, &snapshot),
            std::vector<std::string>{
                "deny|[cuda-compat] container \"server\" image "
                "registry.example.com/llm/server:2.3.1-cuda12.4 " +
                std::string(kImagePath) +
                ": needs CUDA 12.4 (driver >= 550.54.14) but cluster node gpu-a100-1 has CUDA "
                "12.2; use a 535-compatible image or newer nodes"});
  EXPECT_TRUE(run(ok, &snapshot).empty());

  // Warned by default (cuda_probe.mode: warn), denied under deny.
  const std::vector<std::unique_ptr<Check>> checks = [] {
    std::vector<std::unique_ptr<Check>> v;
    v.push_back(make_cuda_compat_check());
    return v;
  }();
  policy::Policy warn = policy::default_policy();
  const admission::Evaluation warned =
      admission::evaluate(broken, checks, CheckContext{warn, &snapshot});
  ASSERT_EQ(warned.findings.size(), 1u);
  EXPECT_EQ(warned.findings[0].severity, Enforcement::kWarn);
  policy::Policy deny = policy::default_policy();
  deny.enforcement["cuda-compat"] = Enforcement::kDeny;
  const admission::Evaluation denied =
      admission::evaluate(broken, checks, CheckContext{deny, &snapshot});
  ASSERT_EQ(denied.findings.size(), 1u);
  EXPECT_EQ(denied.findings[0].severity, Enforcement::kDeny);
  EXPECT_TRUE(admission::evaluate(ok, checks, CheckContext{deny, &snapshot}).findings.empty());
}

TEST(CudaCompatTest, RegisteredInAllChecks) {
  bool found = false;
  for (const auto& c : all_checks()) found = found || c->id() == "cuda-compat";
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace preflight::checks
