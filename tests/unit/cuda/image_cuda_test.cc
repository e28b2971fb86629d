// cuda_from_image over real image references (../shared/data/image_tag_examples.csv, the shared
// corpus, and the images' own registries), plus look-alikes that must not be read as CUDA.

#include "cuda/image_cuda.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cuda/tag_scan.h"

namespace preflight::cuda {
namespace {

constexpr char kNone[] = "none";  // not a CUDA build
constexpr char kUnknown[] = "";   // CUDA version unknown

std::string describe(const ImageCuda& r) {
  switch (r.kind) {
    case ImageKind::kCuda:
      return to_string(r.version);
    case ImageKind::kNotCuda:
      return kNone;
    case ImageKind::kUnknown:
      return kUnknown;
  }
  return "?";
}

const std::string kSha = "@sha256:4f1ac4b0ad79f1bd43e1a7b4d6e8c2b8d3bd4b1a3d0e5f1c2a7b9c0d1e2f3a4b";

struct Case {
  std::string image;
  std::string want;
};

const std::vector<Case>& real_images() {
  static const std::vector<Case> cases = {
      // nvidia/cuda: the tag starts with the version.
      {"nvidia/cuda:12.2.0-base-ubuntu22.04", "12.2.0"},
      {"nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04", "12.4.1"},
      {"nvidia/cuda:12.3.2-cudnn9-runtime-ubuntu22.04", "12.3.2"},
      {"nvidia/cuda:12.8.1-runtime-ubuntu24.04", "12.8.1"},
      {"nvidia/cuda:12.8.0-devel-ubuntu22.04", "12.8.0"},
      {"nvidia/cuda:12.4.1-devel-ubuntu22.04", "12.4.1"},
      {"nvidia/cuda:12.1.0-base-ubuntu22.04", "12.1.0"},
      {"nvidia/cuda:12.1.0-devel-ubuntu20.04", "12.1.0"},
      {"nvidia/cuda:12.4.0-base-ubuntu22.04", "12.4.0"},
      {"nvidia/cuda:13.0.2-base-ubuntu22.04", "13.0.2"},
      {"nvidia/cuda:12.9.0-runtime-ubuntu24.04", "12.9.0"},
      {"nvcr.io/nvidia/cuda:12.9.1-cudnn-devel-ubuntu24.04", "12.9.1"},
      {"nvidia/cuda:13.1.1-devel-ubuntu24.04", "13.1.1"},
      {"docker.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04", "12.4.1"},
      {"nvidia/cuda:12.4.1-base-ubuntu22.04" + kSha, "12.4.1"},
      {"nvidia/cuda" + kSha, kUnknown},
      // pytorch/pytorch: cudaX.Y in the tag.
      {"pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime", "12.1"},
      {"pytorch/pytorch:2.7.0-cuda12.8-cudnn9-devel", "12.8"},
      {"pytorch/pytorch:2.9.0-cuda12.8-cudnn9-runtime", "12.8"},
      {"pytorch/pytorch:2.9.0-cuda13.0-cudnn9-runtime", "13.0"},
      {"pytorch/pytorch:2.9.1-cuda12.8-cudnn9-devel", "12.8"},
      {"pytorch/pytorch:latest", kUnknown},
      {"pytorch/pytorch" + kSha, kUnknown},
      // NGC releases, through the table.
      {"nvcr.io/nvidia/pytorch:23.12-py3", kUnknown},  // month not read
      {"nvcr.io/nvidia/pytorch:25.04-py3", kUnknown},
      {"nvcr.io/nvidia/pytorch:24.05-py3", "12.4.1"},
      {"nvcr.io/nvidia/pytorch:25.12-py3", "13.1.0"},
      {"nvcr.io/nvidia/tritonserver:21.09-py3", kUnknown},
      {"nvcr.io/nvidia/tritonserver:22.01-py3", kUnknown},
      {"nvcr.io/nvidia/tritonserver:24.11-trtllm-python-py3", "12.6.3"},
      {"nvcr.io/nvidia/tritonserver:24.12-vllm-python-py3", "12.6.3"},
      {"nvcr.io/nvidia/tritonserver:24.12-py3", "12.6.3"},
      {"nvcr.io/nvidia/tritonserver:25.10-trtllm-python-py3", "12.9.1"},
      {"nvcr.io/nvidia/tritonserver:25.10-vllm-python-py3", "13.0.2"},
      {"nvcr.io/nvidia/tritonserver:26.07-vllm-python-py3", "13.3.0"},
      {"nvcr.io/nvidia/tritonserver:26.08-vllm-python-py3", "13.4.1"},
      {"nvcr.io/nvidia/tensorrt-llm/release:0.21.0", kUnknown},
      {"nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda11.7.1-ubuntu20.04", "11.7.1"},
      {"nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0-ubi8", "12.5.0"},
      {"nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda10.2", "10.2"},
      {"nvcr.io/nvidia/cloud-native/gpu-operator-validator:v1.10.1", kUnknown},
      {"nvcr.io/nim/meta/llama-3.1-8b-instruct:1.8.6", kUnknown},
      {"nvcr.io/nim/meta/llama-3.1-70b-instruct:1.2.0", kUnknown},
      {"nvcr.io/nim/nvidia/llm-nim:1.14", kUnknown},
      // TensorFlow.
      {"tensorflow/tensorflow:2.15.0-gpu", "12.2"},
      {"tensorflow/tensorflow:2.17.0-gpu-jupyter", "12.3"},
      {"tensorflow/tensorflow:2.13.0-gpu-jupyter", kUnknown},
      {"tensorflow/tensorflow:2.15.0", kUnknown},  // the CPU build
      {"tensorflow/serving:2.6.2", kUnknown},
      {"tensorflow/serving:2.19.0", kUnknown},
      {"gcr.io/vishnuk-cloud/tf-serving:1.9-gpu-minimal", kUnknown},
      {"gcr.io/kubeflow/tensorflow-notebook-cpu:v1", kNone},
      // vLLM.
      {"vllm/vllm-openai:v0.9.0", "12.8"},
      {"vllm/vllm-openai:v0.9.2", kUnknown},
      {"vllm/vllm-openai:v0.8.5", kUnknown},
      {"vllm/vllm-openai:v0.11.0", kUnknown},
      {"docker.io/vllm/vllm-openai:v0.10.0", kUnknown},
      {"vllm/vllm-openai:v0.21.0", "13.0"},
      {"vllm/vllm-openai:v0.21.0-cu129", "12.9"},
      {"vllm/vllm-openai:v0.22.0-cu129-ubuntu2404", "12.9"},
      {"vllm/vllm-openai:v0.24.0-x86_64-ubuntu2404", "13.0"},
      {"vllm/vllm-openai:latest", kUnknown},
      {"vllm/vllm-openai:nightly", kUnknown},
      {"vllm/vllm-openai" + kSha, kUnknown},
      {"aibrix-container-registry-cn-beijing.cr.volces.com/aibrix/vllm/vllm-openai:v0.9.2",
       kUnknown},
      {"lmcache/vllm-openai:latest", kUnknown},
      {"lmcache/vllm-openai:2025-05-05-v1", kUnknown},
      {"vllm/vllm-tpu:latest", kNone},
      // Hugging Face TGI and TEI.
      {"ghcr.io/huggingface/text-generation-inference:3.3.5", "12.4"},
      {"ghcr.io/huggingface/text-generation-inference:3.3.6", "12.4"},
      {"ghcr.io/huggingface/text-generation-inference:3.0.1", "12.1"},
      {"ghcr.io/huggingface/text-generation-inference:2.4.1", "12.1"},
      {"ghcr.io/huggingface/text-generation-inference:1.4", "12.1"},
      {"ghcr.io/huggingface/text-generation-inference:latest", kUnknown},
      {"ghcr.io/huggingface/text-generation-inference:latest-trtllm", kUnknown},
      {"ghcr.io/huggingface/text-generation-inference:3.3.5-rocm", kNone},
      {"ghcr.io/huggingface/text-generation-inference:3.3.5-gaudi", kNone},
      {"ghcr.io/huggingface/text-generation-inference:3.3.5-intel-xpu", kNone},
      {"ghcr.io/huggingface/text-generation-inference:3.3.5-intel-cpu", kNone},
      {"ghcr.io/huggingface/text-generation-inference:3.3.5-neuron", kNone},
      {"us-docker.pkg.dev/deeplearning-platform-release/gcr.io/"
       "huggingface-text-generation-inference-cu121.2-2.ubuntu2204:latest",
       "12.1"},
      {"us-docker.pkg.dev/deeplearning-platform-release/gcr.io/"
       "huggingface-text-generation-inference-cu124.2-3.ubuntu2204.py311",
       "12.4"},
      {"us-docker.pkg.dev/deeplearning-platform-release/gcr.io/"
       "huggingface-text-embeddings-inference-cu122.1-4.ubuntu2204:latest",
       "12.2"},
      {"ghcr.io/huggingface/text-embeddings-inference:1.5", kUnknown},
      {"ghcr.io/huggingface/text-embeddings-inference:hopper-1.5", kUnknown},
      {"ghcr.io/huggingface/text-embeddings-inference:cpu-1.5", kNone},
      // SGLang, Triton samples, llama.cpp, Ollama, KServe.
      {"lmsysorg/sglang:v0.4.5.post2-cu124", "12.4"},
      {"lmsysorg/sglang:v0.4.8.post1-cu126", "12.6"},
      {"lmsysorg/sglang:v0.4.10-cu130-runtime", "13.0"},
      {"lmsysorg/sglang:v0.4.5-rocm630", kNone},
      {"lmsysorg/sglang:v0.4.10-rocm630-mi30x", kNone},
      {"ghcr.io/ggml-org/llama.cpp:server-cuda", kUnknown},
      {"ghcr.io/ggml-org/llama.cpp:server-vulkan", kNone},
      {"ollama/ollama:rocm", kNone},
      {"ollama/ollama:0.3.12-rocm", kNone},
      {"ollama/ollama:0.3.12", kUnknown},
      {"ollama/ollama:latest", kUnknown},
      {"kserve/huggingfaceserver:v0.15.0-rc1-gpu", kUnknown},
      {"kserve/huggingfaceserver:v0.14.0", kUnknown},
      {"us-docker.pkg.dev/google-samples/containers/gke/tritonserver:2.42.0", kUnknown},
      {"aibrix-public-release-cn-beijing.cr.volces.com/aibrix/tensorrt-llm:1.1.0", kUnknown},
      // ROCm.
      {"rocm/dev-ubuntu-22.04:6.3.1-complete", kNone},
      {"rocm/pytorch:rocm6.2_ubuntu22.04_py3.10_pytorch_release_2.3.0", kNone},
      {"rocm/pytorch:rocm7.2.2_ubuntu24.04_py3.12_pytorch_release_2.10.0", kNone},
      {"rocm/pytorch:rocm6.3-py3.10-pytorch2.4.0", kNone},
      {"rocm/vllm:rocm6.4.1_vllm_0.9.0.1_20250605", kNone},
      {"rocm/vllm:rocm6.2_mi300_ubuntu20.04_py3.9_vllm_0.6.4", kNone},
      {"rocm/vllm:latest", kNone},
      {"docker.io/rocm/pytorch:latest", kNone},
      // CPU-only and other images.
      {"busybox", kUnknown},
      {"busybox:latest", kUnknown},
      {"ubuntu:24.04", kUnknown},
      {"nginx:1.27", kUnknown},
      {"python:3.11-slim", kUnknown},
      {"docker.io/library/python:3.11-slim", kUnknown},
      {"ghcr.io/astral-sh/uv:python3.12-bookworm-slim", kUnknown},
      {"docker.io/seldonio/mlserver:1.0.0", kUnknown},
      {"neo4j:5.26.0", kUnknown},
      {"postgres:16", kUnknown},
      {"mysql/mysql-server:8.0.28", kUnknown},
      {"quay.io/cilium/hubble-ui:v0.11.0", kUnknown},
      {"google/cloud-sdk:slim", kUnknown},
      // Private registries, ports, digests.
      {"registry.example.com/llm/server:2.3.1-cuda12.4", "12.4"},  // the CONTRACT's example
      {"registry.local:5000/team/img:12.4.1-cuda12.4", "12.4"},
      {"registry.local:5000/team/img:1.0-cu121" + kSha, "12.1"},
      {"localhost:5000/llm/server:1.0", kUnknown},
      {"runpod/pytorch:2.4.0-py3.11-cuda12.4.1-devel-ubuntu22.04", "12.4.1"},
  };
  return cases;
}

TEST(ImageCudaTest, RealImages) {
  ASSERT_GE(real_images().size(), 60u);
  for (const Case& c : real_images()) {
    EXPECT_EQ(describe(cuda_from_image(c.image)), c.want) << c.image;
  }
}

TEST(ImageCudaTest, LookAlikes) {
  const std::vector<Case> cases = {
      {"inducer/pycuda:2022.1", kUnknown},  // "cuda" after a letter
      {"myorg/app:cu12", kUnknown},         // two digits: no version
      {"myorg/app:cu12345", kUnknown},      // five digits
      {"myorg/app:1cu121", kUnknown},       // "cu" after a digit
      {"myorg/app:cuda12", kUnknown},       // a major alone
      {"myorg/app:v1-cu1241", "12.4.1"},    // 4 digits: with the patch
      {"myorg/app:CUDA-12.4", "12.4"},      // any case, a dash
      {"myorg/app:cuda_11.8-py3", "11.8"},
      {"myorg/cuda:1.0", kUnknown},  // only nvidia/cuda is read by its tag
      {"nvidia/cuda:latest", kUnknown},
      {"nvidia/cuda:12-base", kUnknown},
      {"myorg/rocmish:1.0", kUnknown},                // "rocmish" is no ROCm marker
      {"myorg/app:1.0-amd64", kUnknown},              // an architecture, not AMD GPUs
      {"myorg/app:cu121-rocm6.1", kNone},             // a ROCm marker wins
      {"nvcr.io/nvidia/pytorch:24.5-py3", kUnknown},  // not YY.MM
      {"nvcr.io/nvidia/pytorch:24.05", "12.4.1"},
      {"vllm/vllm-openai:0.21.0", kUnknown},  // vLLM tags start with v
      {"vllm/vllm-openai:v0.21.0.post1", "13.0"},
      {"ghcr.io/huggingface/text-generation-inference:sha-7fbfa5e", kUnknown},
      {"{{ .Values.image.repository }}:{{ .Values.image.tag }}", kUnknown},
      {"", kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(describe(cuda_from_image(c.image)), c.want) << c.image;
  }
}

TEST(ImageCudaTest, RuleNames) {
  EXPECT_EQ(cuda_from_image("pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime").rule, "tag");
  EXPECT_EQ(cuda_from_image("nvidia/cuda:12.4.1-base-ubuntu22.04").rule, "nvidia/cuda tag");
  EXPECT_EQ(cuda_from_image("nvcr.io/nvidia/tritonserver:24.12-py3").rule, "NGC release table");
  EXPECT_EQ(cuda_from_image("vllm/vllm-openai:v0.21.0").rule, "release table");
  EXPECT_EQ(cuda_from_image("rocm/vllm:latest").rule, "non-CUDA marker");
}

TEST(TagScanTest, Tokens) {
  EXPECT_EQ(to_string(*scan_cuda_token("2.1.0-cuda12.1-cudnn8-runtime")), "12.1");
  EXPECT_EQ(to_string(*scan_cuda_token("vectoradd-cuda11.7.1-ubuntu20.04")), "11.7.1");
  EXPECT_EQ(to_string(*scan_cuda_token("v0.4.5.post2-cu124")), "12.4");
  EXPECT_EQ(to_string(*scan_cuda_token("cu102")), "10.2");
  EXPECT_EQ(to_string(*scan_cuda_token("cudnn9-cuda12.8")), "12.8");
  EXPECT_FALSE(scan_cuda_token("cudnn9-runtime"));
  EXPECT_FALSE(scan_cuda_token("cu"));
  EXPECT_FALSE(scan_cuda_token("cu221"));  // wheel majors start with 1
  EXPECT_TRUE(has_non_cuda_marker("rocm/pytorch"));
  EXPECT_TRUE(has_non_cuda_marker("rocm6.2_ubuntu22.04"));
  EXPECT_TRUE(has_non_cuda_marker("v0.4.5-ROCM630"));
  EXPECT_TRUE(has_non_cuda_marker("3.3.5-gaudi2"));
  EXPECT_FALSE(has_non_cuda_marker("12.4.1-runtime-ubuntu22.04"));
  EXPECT_FALSE(has_non_cuda_marker("microcpu"));
  EXPECT_FALSE(has_non_cuda_marker(""));
}

}  // namespace
}  // namespace preflight::cuda
