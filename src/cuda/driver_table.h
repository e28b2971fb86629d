#pragma once
// The CUDA toolkit → minimum Linux driver table, and what follows from it: the driver a CUDA
// version needs, and the highest CUDA a driver branch reports.
//
// Source: NVIDIA CUDA Toolkit Release Notes, Table 3 "CUDA Toolkit and Corresponding Driver
// Versions" (docs.nvidia.com/cuda/archive/13.2.2/cuda-toolkit-release-notes); 13.3.x from
// public restatements (secondary). The reviewed copy is data/cuda/cuda_driver_min.csv; the
// compiled table in driver_table.cc must equal it row by row (tests/unit/cuda/tables_test.cc).
//
// A driver reports the CUDA version of the toolkit it shipped with (nvidia-smi "CUDA Version",
// GFD nvidia.com/cuda.runtime-version), so a branch reports the highest major.minor whose
// minimum driver is on that branch or an older one: 535 → 12.2, 550 → 12.4, 580 → 13.0.

#include <optional>
#include <span>
#include <string_view>

#include "cuda/cuda_version.h"

namespace preflight::cuda {

struct CudaDriverRow {
  CudaVersion cuda;          // 12.4.1
  std::string_view release;  // "GA", "Update 1"
  DriverVersion min_driver;  // 550.54.15
  bool secondary = false;    // from restatements, not NVIDIA's page
};

// All rows, ascending by CUDA release.
std::span<const CudaDriverRow> cuda_driver_rows();

// The driver a CUDA major.minor needs: the minimum driver of the first release at or above it
// (12.4 → 550.54.14, the 12.4 GA row; 12.7, which does not exist, → 12.8's 570.26). Nullopt
// above the table (13.4 and later) or below it (before 10.2).
std::optional<DriverVersion> min_driver_for(CudaVersion v);

// The highest CUDA major.minor a driver branch reports. Nullopt below the oldest branch in the
// table (440) and above the newest (newer than the table: it may report more than we know).
std::optional<CudaVersion> max_cuda_for_branch(int branch);

// The oldest branch in the table that reports at least `v` (12.4 → 550). Nullopt above it.
std::optional<int> branch_for(CudaVersion v);

// The oldest branch in the table that is >= `at_least` (541 → 545). Nullopt above the newest.
std::optional<int> known_branch_at_least(int at_least);

}  // namespace preflight::cuda
