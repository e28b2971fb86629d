#pragma once
// GPU compute capability: the lowest one each CUDA major still supports, and the range each
// GPU Feature Discovery family label stands for.
//
// Sources: data/cuda/compute_capability.csv (CUDA 11 dropped sm_30/32, 12 dropped Kepler, 13
// dropped Maxwell, Pascal and Volta: cuFFT deprecation notes, CUDA 13 release notes) and
// data/cuda/gpu_family.csv (NVIDIA/k8s-device-plugin getArchFamily). The compiled tables in
// compute_table.cc must equal the CSVs row by row (tests/unit/cuda/tables_test.cc).
//
// A compute capability is stored as major * 10 + minor (7.5 → 75); minors are single digits.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace preflight::cuda {

struct ComputeRange {
  int lo = 0;  // 70 for 7.0
  int hi = 0;  // 74 for 7.4 (inclusive)
};

struct MinComputeRow {
  int cuda_major = 0;
  int min_cc = 0;
};

struct GpuFamilyRow {
  std::string_view family;  // "volta"
  ComputeRange range;
};

std::span<const MinComputeRow> min_compute_rows();
std::span<const GpuFamilyRow> gpu_family_rows();

// The lowest compute capability CUDA `cuda_major` supports; nullopt for majors the table does
// not restrict (10 and older).
std::optional<int> min_compute_capability(int cuda_major);

// The compute capability range of a GFD family label value (exact, lower case); families
// listed twice (blackwell: 10.x and 12.x) give the span of their rows.
std::optional<ComputeRange> family_compute_range(std::string_view family);

// "7.5" for 75.
std::string compute_to_string(int cc);

// The architecture name at the start of the CC range that `min_cc` opens, for fixes:
// 75 → "Turing", 50 → "Maxwell", 35 → "Kepler (3.5)".
std::string_view architecture_from(int min_cc);

}  // namespace preflight::cuda
