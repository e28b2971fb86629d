#include "cuda/image_family_table.h"

namespace preflight::cuda {

namespace {

// Generated from data/cuda/image_family_cuda.csv (image, from_version, to_version,
// cuda_version, evidence); keep in the same order. tests/unit/cuda/tables_test.cc compares them.
// clang-format off
constexpr ImageFamilyRow kRows[] = {
    {"vllm/vllm-openai", {0, 9, 0}, ReleaseVersion{0, 9, 0}, {12, 8, -1}, false},
    {"vllm/vllm-openai", {0, 20, 0}, std::nullopt, {13, 0, -1}, false},
    {"huggingface/text-generation-inference", {1, 4, 0}, ReleaseVersion{1, 4, 99}, {12, 1, -1}, false},
    {"huggingface/text-generation-inference", {2, 0, 0}, ReleaseVersion{3, 1, 99}, {12, 1, -1}, false},
    {"huggingface/text-generation-inference", {3, 2, 0}, ReleaseVersion{3, 3, 6}, {12, 4, -1}, false},
    {"tensorflow/tensorflow", {2, 0, 0}, ReleaseVersion{2, 0, 0}, {10, 0, -1}, true},
    {"tensorflow/tensorflow", {2, 1, 0}, ReleaseVersion{2, 1, 0}, {10, 1, -1}, true},
    {"tensorflow/tensorflow", {2, 15, 0}, ReleaseVersion{2, 15, 0}, {12, 2, -1}, true},
    {"tensorflow/tensorflow", {2, 16, 1}, ReleaseVersion{2, 16, 1}, {12, 3, -1}, true},
    {"tensorflow/tensorflow", {2, 17, 0}, ReleaseVersion{2, 17, 0}, {12, 3, -1}, true},
};
// clang-format on

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::span<const ImageFamilyRow> image_family_rows() { return kRows; }

std::optional<ReleaseVersion> parse_release(std::string_view text, std::size_t* consumed) {
  std::size_t pos = !text.empty() && (text[0] == 'v' || text[0] == 'V') ? 1 : 0;
  int parts[3] = {0, 0, 0};
  int count = 0;
  std::size_t end = pos;  // just after the last number read
  while (count < 3) {
    const std::size_t start = pos;
    int value = 0;
    while (pos < text.size() && is_digit(text[pos]) && pos - start < 4) {
      value = value * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) break;
    parts[count++] = value;
    end = pos;
    if (pos >= text.size() || text[pos] != '.') break;
    ++pos;
  }
  if (count < 2) return std::nullopt;  // a bare number is not a release
  if (consumed != nullptr) *consumed = end;
  return ReleaseVersion{parts[0], parts[1], parts[2]};
}

std::optional<CudaVersion> image_family_cuda(std::string_view image, ReleaseVersion release) {
  for (const ImageFamilyRow& row : kRows) {
    if (row.image != image || release < row.from) continue;
    if (row.to && release > *row.to) continue;
    return row.cuda;
  }
  return std::nullopt;
}

bool is_image_family(std::string_view image) {
  for (const ImageFamilyRow& row : kRows) {
    if (row.image == image) return true;
  }
  return false;
}

}  // namespace preflight::cuda
