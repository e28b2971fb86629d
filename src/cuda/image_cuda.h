#pragma once
// The CUDA version an image is built for, read from its reference alone (no registry call).
//
// In order, the first rule that decides wins:
//   1. Not CUDA: a non-CUDA marker (tag_scan.h: rocm*, cpu, tpu, xpu, hpu, vulkan, gaudi*,
//      neuron*) in the repository path or the tag: rocm/vllm:latest, ollama/ollama:rocm,
//      lmsysorg/sglang:v0.4.5-rocm630, text-generation-inference:3.3.5-gaudi.
//   2. A CUDA token in the tag (cudaX.Y[.Z], cuXYZ[W]): pytorch/pytorch:2.1.0-cuda12.1-...,
//      vllm/vllm-openai:v0.21.0-cu129, lmsysorg/sglang:v0.4.5.post2-cu124.
//   3. A CUDA token in the image name (the last path component), as Google's deep learning
//      containers write it: .../huggingface-text-generation-inference-cu121.2-2.ubuntu2204.
//   4. nvidia/cuda (any registry): the tag starts with the version, 12.4.1-runtime-ubuntu22.04.
//   5. nvcr.io/nvidia/<framework>:YY.MM-...: the NGC release table (ngc_table.h); Triton's
//      -trtllm- and -vllm- tags are their own variants.
//   6. vllm/vllm-openai:vX.Y.Z, huggingface/text-generation-inference:X.Y.Z,
//      tensorflow/tensorflow:X.Y.Z-gpu: the release table (image_family_table.h).
//   Otherwise unknown: busybox, nginx, python:3.11-slim, ollama/ollama:0.3.12, mutable tags
//   (latest, nightly) of the serving images, and references that do not parse.
// A digest (@sha256:...) does not change the answer; an image by digest alone is decided by its
// name only. Pure function; nothing is allocated.

#include <string_view>

#include "cuda/cuda_version.h"

namespace preflight::cuda {

enum class ImageKind { kUnknown, kCuda, kNotCuda };

struct ImageCuda {
  ImageKind kind = ImageKind::kUnknown;
  CudaVersion version;    // kCuda only
  std::string_view rule;  // which rule decided: "tag", "image name", "nvidia/cuda tag",
                          // "NGC release table", "release table", "non-CUDA marker"
};

ImageCuda cuda_from_image(std::string_view image);

}  // namespace preflight::cuda
