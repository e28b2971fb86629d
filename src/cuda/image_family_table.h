#pragma once
// Serving images whose tag carries no CUDA version but whose release decides it: vLLM
// (vllm/vllm-openai), Hugging Face TGI (huggingface/text-generation-inference) and TensorFlow
// (tensorflow/tensorflow:X.Y.Z-gpu).
//
// Sources per row in data/cuda/image_family_cuda.csv (vLLM PR #39878 and issue #18813; TGI's
// Dockerfile at each git tag; tensorflow.org tested build configurations via third-party
// copies). The compiled table in image_family_table.cc must equal the CSV row by row
// (tests/unit/cuda/tables_test.cc). A release outside every row has no known CUDA version.

#include <optional>
#include <span>
#include <string_view>

#include "cuda/cuda_version.h"

namespace preflight::cuda {

// A release of an image ("0.21.0"), compared part by part.
struct ReleaseVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
  friend constexpr auto operator<=>(const ReleaseVersion&, const ReleaseVersion&) = default;
};

struct ImageFamilyRow {
  std::string_view image;            // repository path: "vllm/vllm-openai"
  ReleaseVersion from;               // inclusive
  std::optional<ReleaseVersion> to;  // inclusive; nullopt: open-ended
  CudaVersion cuda;
  bool secondary = false;
};

std::span<const ImageFamilyRow> image_family_rows();

// Parses "0.21.0", "v0.21.0", "3.3" (patch 0) as a release; stops at the first character that
// cannot continue it and returns how many characters it read in `*consumed`.
std::optional<ReleaseVersion> parse_release(std::string_view text, std::size_t* consumed);

// The CUDA version of `image` (a table repository path) at `release`.
std::optional<CudaVersion> image_family_cuda(std::string_view image, ReleaseVersion release);

// Whether `image` is one of the table's repository paths.
bool is_image_family(std::string_view image);

}  // namespace preflight::cuda
