#pragma once
// NGC container releases (nvcr.io/nvidia/<framework>:YY.MM-...) → the CUDA version inside.
//
// Sources per row in data/cuda/ngc_release_cuda.csv (NVIDIA framework release notes, Triton's
// release_notes.md and compatibility.md; some months from third-party restatements, marked
// secondary). The compiled table in ngc_table.cc must equal the CSV row by row
// (tests/unit/cuda/tables_test.cc). Months without a readable source are absent: an image of
// such a month has no known CUDA version and gets no finding.

#include <optional>
#include <span>
#include <string_view>

#include "cuda/cuda_version.h"

namespace preflight::cuda {

enum class NgcVariant { kMain, kTrtLlm, kVllm };

struct NgcRow {
  std::string_view release;    // "24.12"
  std::string_view framework;  // "*" (the NGC base of that month) or "tritonserver", "pytorch"...
  NgcVariant variant = NgcVariant::kMain;
  CudaVersion cuda;
  bool secondary = false;
};

std::span<const NgcRow> ngc_rows();

// "main", "trtllm", "vllm".
std::string_view to_string(NgcVariant v);

// The CUDA version of `framework`:`release` in `variant`: the framework's own row, else (main
// variant only, and only for the frameworks built on the monthly NGC base: pytorch,
// tensorflow, tritonserver, tensorrt, jax, cuda-dl-base, mxnet, paddlepaddle) the "*" row.
std::optional<CudaVersion> ngc_cuda(std::string_view framework, std::string_view release,
                                    NgcVariant variant);

}  // namespace preflight::cuda
