#include "cuda/compute_table.h"

#include <algorithm>

namespace preflight::cuda {

namespace {

// Generated from data/cuda/compute_capability.csv and data/cuda/gpu_family.csv; keep in the
// same order. tests/unit/cuda/tables_test.cc compares them.
// clang-format off
constexpr MinComputeRow kMinCompute[] = {
    {11, 35},
    {12, 50},
    {13, 75},
};

constexpr GpuFamilyRow kFamilies[] = {
    {"tesla", {10, 19}},
    {"fermi", {20, 29}},
    {"kepler", {30, 39}},
    {"maxwell", {50, 59}},
    {"pascal", {60, 69}},
    {"volta", {70, 74}},
    {"turing", {75, 79}},
    {"ampere", {80, 88}},
    {"ada-lovelace", {89, 89}},
    {"hopper", {90, 99}},
    {"blackwell", {100, 109}},
    {"blackwell", {120, 129}},
    {"rubin", {130, 139}},
};
// clang-format on

}  // namespace

std::span<const MinComputeRow> min_compute_rows() { return kMinCompute; }
std::span<const GpuFamilyRow> gpu_family_rows() { return kFamilies; }

std::optional<int> min_compute_capability(int cuda_major) {
  std::optional<int> out;
  for (const MinComputeRow& row : kMinCompute) {
    if (row.cuda_major <= cuda_major) out = row.min_cc;
  }
  return out;
}

std::optional<ComputeRange> family_compute_range(std::string_view family) {
  std::optional<ComputeRange> out;
  for (const GpuFamilyRow& row : kFamilies) {
    if (row.family != family) continue;
    if (!out) {
      out = row.range;
    } else {
      out->lo = std::min(out->lo, row.range.lo);
      out->hi = std::max(out->hi, row.range.hi);
    }
  }
  return out;
}

std::string compute_to_string(int cc) {
  return std::to_string(cc / 10) + "." + std::to_string(cc % 10);
}

std::string_view architecture_from(int min_cc) {
  if (min_cc >= 75 && min_cc < 80) return "Turing";
  if (min_cc >= 50 && min_cc < 60) return "Maxwell";
  if (min_cc >= 35 && min_cc < 40) return "Kepler (3.5)";
  return "newer";
}

}  // namespace preflight::cuda
