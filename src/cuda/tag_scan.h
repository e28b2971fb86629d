#pragma once
// Scans one part of an image reference (a tag, or a repository path) for the tokens that tell
// its accelerator: a CUDA version written in it, or a marker that it is not a CUDA build.
//
// CUDA tokens (the leftmost wins):
//   "cuda" (any case), an optional '-' or '_', then major.minor[.patch]: cuda12.4, CUDA-12.4.1,
//     cuda_11.8; not after a letter (pycuda-2022.1 is no CUDA version).
//   "cu" + 3 or 4 digits starting with 1 (PyTorch wheel style): cu121 = 12.1, cu1241 = 12.4.1;
//     not after a letter or digit, not followed by a digit.
// Non-CUDA markers, as whole tokens between [/:_.@+-]: rocm, rocm<digits> (rocm630, rocm6 of
//   rocm6.2), cpu, tpu, xpu, hpu, vulkan, and tokens starting with gaudi or neuron.
// Pure functions; nothing is allocated.

#include <optional>
#include <string_view>

#include "cuda/cuda_version.h"

namespace preflight::cuda {

std::optional<CudaVersion> scan_cuda_token(std::string_view text);

bool has_non_cuda_marker(std::string_view text);

}  // namespace preflight::cuda
