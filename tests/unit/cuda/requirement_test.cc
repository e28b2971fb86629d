#include "cuda/requirement.h"

#include <gtest/gtest.h>

#include "../kept_text.h"

#include <string>
#include <vector>

namespace preflight::cuda {
namespace {

Container container(std::string image, std::vector<std::pair<std::string, std::string>> env = {}) {
  Container c;
  c.name = "server";
  c.image = kept(std::move(image));
  c.path = PartPath("spec.template.spec").at("containers", 0);
  for (auto& [name, value] : env) {
    EnvVar& e = c.env.emplace_back();
    e.name = kept(name);
    e.value = kept(value);
    e.path = c.path.at("env", c.env.size() - 1);
  }
  return c;
}

std::string describe(const std::optional<CudaRequirement>& r) {
  if (!r) return "none";
  std::string out = to_string(r->version);
  switch (r->source) {
    case CudaSource::kAnnotation:
      out += " annotation";
      break;
    case CudaSource::kEnvCudaVersion:
      out += " CUDA_VERSION";
      break;
    case CudaSource::kEnvRequireCuda:
      out += " NVIDIA_REQUIRE_CUDA";
      break;
    case CudaSource::kImage:
      out += " image";
      break;
  }
  if (r->env != nullptr) out += " " + r->env->path.str();
  if (r->disabled != nullptr) out += " relaxed by " + r->disabled->path.str();
  return out;
}

TEST(CudaRequirementTest, SourcesInOrder) {
  struct Case {
    std::string title;
    Container c;
    std::optional<CudaVersion> declared;
    std::string want;
  };
  const std::optional<CudaVersion> declared = CudaVersion{12, 4};
  const std::vector<Case> cases = {
      {"image tag", container("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime"), {}, "12.1 image"},
      {"annotation beats everything",
       container("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime", {{"CUDA_VERSION", "12.8"}}),
       declared, "12.4 annotation"},
      {"annotation on a ROCm image", container("rocm/vllm:latest"), declared, "12.4 annotation"},
      {"CUDA_VERSION beats the image",
       container("nvidia/cuda:12.2.0-base-ubuntu22.04", {{"CUDA_VERSION", "12.4.1"}}),
       {},
       "12.4.1 CUDA_VERSION spec.template.spec.containers[0].env[0]"},
      {"the last entry of a name wins",
       container("busybox", {{"CUDA_VERSION", "11.8"}, {"CUDA_VERSION", "12.6"}}),
       {},
       "12.6 CUDA_VERSION spec.template.spec.containers[0].env[1]"},
      {"an unreadable CUDA_VERSION falls through",
       container("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime", {{"CUDA_VERSION", "latest"}}),
       {},
       "12.1 image"},
      {"NVIDIA_REQUIRE_CUDA",
       container("myorg/app:1.0",
                 {{"NVIDIA_REQUIRE_CUDA", "cuda>=12.8 brand=tesla,driver>=535,driver<536"}}),
       {},
       "12.8 NVIDIA_REQUIRE_CUDA spec.template.spec.containers[0].env[0]"},
      {"CUDA_VERSION beats NVIDIA_REQUIRE_CUDA",
       container("myorg/app:1.0",
                 {{"NVIDIA_REQUIRE_CUDA", "cuda>=12.8"}, {"CUDA_VERSION", "12.9.1"}}),
       {},
       "12.9.1 CUDA_VERSION spec.template.spec.containers[0].env[1]"},
      {"NVIDIA_DISABLE_REQUIRE leaves minor-version compatibility",
       container("nvidia/cuda:12.4.1-base-ubuntu22.04", {{"NVIDIA_DISABLE_REQUIRE", "true"}}),
       {},
       "12.0 image relaxed by spec.template.spec.containers[0].env[0]"},
      {"NVIDIA_DISABLE_REQUIRE=1",
       container("vllm/vllm-openai:v0.21.0", {{"NVIDIA_DISABLE_REQUIRE", "1"}}),
       {},
       "13.0 image relaxed by spec.template.spec.containers[0].env[0]"},
      {"NVIDIA_DISABLE_REQUIRE=false changes nothing",
       container("nvidia/cuda:12.4.1-base-ubuntu22.04", {{"NVIDIA_DISABLE_REQUIRE", "false"}}),
       {},
       "12.4.1 image"},
      {"NVIDIA_DISABLE_REQUIRE=yes is not a Go bool",
       container("nvidia/cuda:12.4.1-base-ubuntu22.04", {{"NVIDIA_DISABLE_REQUIRE", "yes"}}),
       {},
       "12.4.1 image"},
      {"ROCm image",
       container("rocm/pytorch:rocm6.2_ubuntu22.04_py3.10_pytorch_release_2.3.0"),
       {},
       "none"},
      {"CPU image", container("python:3.11-slim"), {}, "none"},
      {"unknown serving tag", container("vllm/vllm-openai:latest"), {}, "none"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(describe(cuda_requirement(c.c, c.declared)), c.want) << c.title;
  }
}

TEST(CudaRequirementTest, EnvFromRefsAreNotRead) {
  Container c = container("myorg/app:1.0");
  EnvVar& e = c.env.emplace_back();
  e.name = "CUDA_VERSION";
  e.source = EnvVar::Source::kConfigMapKeyRef;
  e.ref_name = "cuda";
  e.ref_key = "version";
  EXPECT_EQ(describe(cuda_requirement(c, std::nullopt)), "none");
  // A later valueFrom entry of the same name replaces an earlier literal one.
  Container d = container("myorg/app:1.0", {{"CUDA_VERSION", "12.4"}});
  d.env.push_back(e);
  EXPECT_EQ(describe(cuda_requirement(d, std::nullopt)), "none");
}

TEST(CudaRequirementTest, GpuRequests) {
  Container c = container("x");
  EXPECT_FALSE(requests_nvidia_gpu(c));
  c.resource_limits["nvidia.com/gpu"] = "0";
  EXPECT_FALSE(requests_nvidia_gpu(c));
  c.resource_requests["nvidia.com/gpu"] = "2";
  EXPECT_TRUE(requests_nvidia_gpu(c));
  Container mig = container("x");
  mig.resource_limits["nvidia.com/mig-1g.10gb"] = "1";
  EXPECT_TRUE(requests_nvidia_gpu(mig));
  Container amd = container("x");
  amd.resource_limits["amd.com/gpu"] = "1";
  EXPECT_FALSE(requests_nvidia_gpu(amd));
  Container intel = container("x");
  intel.resource_limits["gpu.intel.com/i915"] = "1";
  EXPECT_FALSE(requests_nvidia_gpu(intel));
}

}  // namespace
}  // namespace preflight::cuda
