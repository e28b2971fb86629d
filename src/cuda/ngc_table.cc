#include "cuda/ngc_table.h"

namespace preflight::cuda {

namespace {

// Generated from data/cuda/ngc_release_cuda.csv (release, framework, variant, cuda_version,
// evidence); keep in the same order. tests/unit/cuda/tables_test.cc compares them.
// clang-format off
constexpr NgcRow kRows[] = {
    {"22.03", "*", NgcVariant::kMain, {11, 6, 1}, false},
    {"22.05", "*", NgcVariant::kMain, {11, 7, 0}, false},
    {"22.12", "pytorch", NgcVariant::kMain, {11, 8, 0}, true},
    {"23.08", "pytorch", NgcVariant::kMain, {12, 2, 1}, true},
    {"24.01", "*", NgcVariant::kMain, {12, 3, 2}, true},
    {"24.02", "tensorflow", NgcVariant::kMain, {12, 3, 2}, true},
    {"24.04", "tritonserver", NgcVariant::kTrtLlm, {12, 3, 2}, false},
    {"24.04", "tritonserver", NgcVariant::kVllm, {12, 4, 1}, false},
    {"24.05", "*", NgcVariant::kMain, {12, 4, 1}, false},
    {"24.05", "tritonserver", NgcVariant::kTrtLlm, {12, 3, 2}, false},
    {"24.05", "tritonserver", NgcVariant::kVllm, {12, 4, 1}, false},
    {"24.06", "*", NgcVariant::kMain, {12, 4, 1}, false},
    {"24.06", "tritonserver", NgcVariant::kTrtLlm, {12, 4, 0}, false},
    {"24.06", "tritonserver", NgcVariant::kVllm, {12, 5, 0}, false},
    {"24.07", "*", NgcVariant::kMain, {12, 5, 1}, true},
    {"24.07", "tritonserver", NgcVariant::kTrtLlm, {12, 4, 1}, false},
    {"24.07", "tritonserver", NgcVariant::kVllm, {12, 5, 1}, false},
    {"24.08", "tritonserver", NgcVariant::kMain, {12, 6, -1}, false},
    {"24.08", "tritonserver", NgcVariant::kTrtLlm, {12, 5, 1}, false},
    {"24.08", "tritonserver", NgcVariant::kVllm, {12, 6, 0}, false},
    {"24.09", "tritonserver", NgcVariant::kTrtLlm, {12, 5, 1}, false},
    {"24.09", "tritonserver", NgcVariant::kVllm, {12, 6, 1}, false},
    {"24.10", "tritonserver", NgcVariant::kMain, {12, 6, 2}, false},
    {"24.10", "tritonserver", NgcVariant::kTrtLlm, {12, 5, 1}, false},
    {"24.10", "tritonserver", NgcVariant::kVllm, {12, 6, 2}, false},
    {"24.11", "tritonserver", NgcVariant::kTrtLlm, {12, 6, 3}, false},
    {"24.11", "tritonserver", NgcVariant::kVllm, {12, 6, 3}, false},
    {"24.12", "tritonserver", NgcVariant::kMain, {12, 6, 3}, false},
    {"24.12", "tritonserver", NgcVariant::kTrtLlm, {12, 6, 3}, false},
    {"24.12", "tritonserver", NgcVariant::kVllm, {12, 6, 3}, false},
    {"25.01", "tritonserver", NgcVariant::kMain, {12, 8, 0}, false},
    {"25.01", "tritonserver", NgcVariant::kTrtLlm, {12, 8, 0}, false},
    {"25.01", "tritonserver", NgcVariant::kVllm, {12, 8, 0}, false},
    {"25.02", "tritonserver", NgcVariant::kTrtLlm, {12, 8, 0}, false},
    {"25.02", "tritonserver", NgcVariant::kVllm, {12, 8, 0}, false},
    {"25.03", "*", NgcVariant::kMain, {12, 8, 1}, true},
    {"25.03", "tritonserver", NgcVariant::kTrtLlm, {12, 8, 1}, false},
    {"25.03", "tritonserver", NgcVariant::kVllm, {12, 8, 1}, false},
    {"25.04", "tritonserver", NgcVariant::kTrtLlm, {12, 8, 1}, false},
    {"25.04", "tritonserver", NgcVariant::kVllm, {12, 9, 0}, false},
    {"25.05", "tritonserver", NgcVariant::kTrtLlm, {12, 8, 1}, false},
    {"25.05", "tritonserver", NgcVariant::kVllm, {12, 9, 0}, false},
    {"25.06", "*", NgcVariant::kMain, {12, 9, 1}, true},
    {"25.06", "tritonserver", NgcVariant::kTrtLlm, {12, 9, 0}, false},
    {"25.06", "tritonserver", NgcVariant::kVllm, {12, 9, 0}, false},
    {"25.07", "tritonserver", NgcVariant::kTrtLlm, {12, 9, 0}, false},
    {"25.07", "tritonserver", NgcVariant::kVllm, {12, 9, 0}, false},
    {"25.08", "*", NgcVariant::kMain, {13, 0, 0}, true},
    {"25.08", "tritonserver", NgcVariant::kTrtLlm, {12, 9, 0}, false},
    {"25.08", "tritonserver", NgcVariant::kVllm, {13, 0, 1}, false},
    {"25.09", "tritonserver", NgcVariant::kTrtLlm, {12, 9, 1}, false},
    {"25.09", "tritonserver", NgcVariant::kVllm, {13, 0, 1}, false},
    {"25.10", "*", NgcVariant::kMain, {13, 0, 2}, true},
    {"25.10", "tritonserver", NgcVariant::kTrtLlm, {12, 9, 1}, false},
    {"25.10", "tritonserver", NgcVariant::kVllm, {13, 0, 2}, false},
    {"25.11", "tritonserver", NgcVariant::kTrtLlm, {13, 0, 2}, false},
    {"25.11", "tritonserver", NgcVariant::kVllm, {13, 0, 2}, false},
    {"25.12", "pytorch", NgcVariant::kMain, {13, 1, 0}, false},
    {"25.12", "tritonserver", NgcVariant::kTrtLlm, {13, 0, 2}, false},
    {"25.12", "tritonserver", NgcVariant::kVllm, {13, 1, 0}, false},
    {"26.01", "*", NgcVariant::kMain, {13, 1, 1}, true},
    {"26.01", "tritonserver", NgcVariant::kTrtLlm, {13, 0, 2}, false},
    {"26.01", "tritonserver", NgcVariant::kVllm, {13, 1, 1}, false},
    {"26.02", "*", NgcVariant::kMain, {13, 1, 1}, true},
    {"26.02", "tritonserver", NgcVariant::kTrtLlm, {13, 0, 2}, false},
    {"26.02", "tritonserver", NgcVariant::kVllm, {13, 1, 1}, false},
    {"26.03", "*", NgcVariant::kMain, {13, 2, 0}, false},
    {"26.03", "tritonserver", NgcVariant::kTrtLlm, {13, 1, 0}, false},
    {"26.03", "tritonserver", NgcVariant::kVllm, {13, 2, 0}, false},
    {"26.04", "tritonserver", NgcVariant::kTrtLlm, {13, 1, 0}, false},
    {"26.04", "tritonserver", NgcVariant::kVllm, {13, 2, 1}, false},
    {"26.05", "tritonserver", NgcVariant::kTrtLlm, {13, 1, 0}, false},
    {"26.05", "tritonserver", NgcVariant::kVllm, {13, 2, 1}, false},
    {"26.06", "tritonserver", NgcVariant::kTrtLlm, {13, 1, 0}, false},
    {"26.06", "tritonserver", NgcVariant::kVllm, {13, 3, 0}, false},
    {"26.07", "tritonserver", NgcVariant::kTrtLlm, {13, 1, 0}, false},
    {"26.07", "tritonserver", NgcVariant::kVllm, {13, 3, 0}, false},
    {"26.08", "tritonserver", NgcVariant::kVllm, {13, 4, 1}, false},
};
// clang-format on

constexpr std::string_view kNgcBaseFrameworks[] = {
    "pytorch", "tensorflow",   "tritonserver", "tensorrt",
    "jax",     "cuda-dl-base", "mxnet",        "paddlepaddle",
};

const NgcRow* find_row(std::string_view framework, std::string_view release, NgcVariant variant) {
  for (const NgcRow& row : kRows) {
    if (row.release == release && row.framework == framework && row.variant == variant) {
      return &row;
    }
  }
  return nullptr;
}

}  // namespace

std::span<const NgcRow> ngc_rows() { return kRows; }

std::string_view to_string(NgcVariant v) {
  switch (v) {
    case NgcVariant::kMain:
      return "main";
    case NgcVariant::kTrtLlm:
      return "trtllm";
    case NgcVariant::kVllm:
      return "vllm";
  }
  return "main";
}

std::optional<CudaVersion> ngc_cuda(std::string_view framework, std::string_view release,
                                    NgcVariant variant) {
  if (const NgcRow* row = find_row(framework, release, variant)) return row->cuda;
  if (variant != NgcVariant::kMain) return std::nullopt;
  for (std::string_view base : kNgcBaseFrameworks) {
    if (base != framework) continue;
    if (const NgcRow* row = find_row("*", release, NgcVariant::kMain)) return row->cuda;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace preflight::cuda
