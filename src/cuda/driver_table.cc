#include "cuda/driver_table.h"

#include <iterator>

namespace preflight::cuda {

namespace {

// Generated from data/cuda/cuda_driver_min.csv (cuda_version, release, min_linux_driver,
// evidence); keep in the same order. tests/unit/cuda/tables_test.cc compares them.
// clang-format off
constexpr CudaDriverRow kRows[] = {
    {{10, 2, 89}, "GA", {440, 33, -1, 0}, false},
    {{11, 0, 2}, "GA", {450, 51, 5, 2}, false},
    {{11, 0, 3}, "Update 1", {450, 51, 6, 2}, false},
    {{11, 1, 0}, "GA", {455, 23, -1, 0}, false},
    {{11, 1, 1}, "Update 1", {455, 32, -1, 0}, false},
    {{11, 2, 0}, "GA", {460, 27, 3, 2}, false},
    {{11, 2, 1}, "Update 1", {460, 32, 3, 2}, false},
    {{11, 2, 2}, "Update 2", {460, 32, 3, 2}, false},
    {{11, 3, 0}, "GA", {465, 19, 1, 2}, false},
    {{11, 3, 1}, "Update 1", {465, 19, 1, 2}, false},
    {{11, 4, 0}, "GA", {470, 42, 1, 2}, false},
    {{11, 4, 1}, "Update 1", {470, 57, 2, 2}, false},
    {{11, 4, 2}, "Update 2", {470, 57, 2, 2}, false},
    {{11, 4, 3}, "Update 3", {470, 82, 1, 2}, false},
    {{11, 4, 4}, "Update 4", {470, 82, 1, 2}, false},
    {{11, 5, 0}, "GA", {495, 29, 5, 2}, false},
    {{11, 5, 1}, "Update 1", {495, 29, 5, 2}, false},
    {{11, 5, 2}, "Update 2", {495, 29, 5, 2}, false},
    {{11, 6, 0}, "GA", {510, 39, 1, 2}, false},
    {{11, 6, 1}, "Update 1", {510, 47, 3, 2}, false},
    {{11, 6, 2}, "Update 2", {510, 47, 3, 2}, false},
    {{11, 7, 0}, "GA", {515, 43, 4, 2}, false},
    {{11, 7, 1}, "Update 1", {515, 48, 7, 2}, false},
    {{11, 8, 0}, "GA", {520, 61, 5, 2}, false},
    {{12, 0, 0}, "GA", {525, 60, 13, 2}, false},
    {{12, 0, 1}, "Update 1", {525, 85, 12, 2}, false},
    {{12, 1, 0}, "GA", {530, 30, 2, 2}, false},
    {{12, 1, 1}, "Update 1", {530, 30, 2, 2}, false},
    {{12, 2, 0}, "GA", {535, 54, 3, 2}, false},
    {{12, 2, 1}, "Update 1", {535, 86, 9, 2}, false},
    {{12, 2, 2}, "Update 2", {535, 104, 5, 2}, false},
    {{12, 3, 0}, "GA", {545, 23, 6, 2}, false},
    {{12, 3, 1}, "Update 1", {545, 23, 8, 2}, false},
    {{12, 4, 0}, "GA", {550, 54, 14, 2}, false},
    {{12, 4, 1}, "Update 1", {550, 54, 15, 2}, false},
    {{12, 5, 0}, "GA", {555, 42, 2, 2}, false},
    {{12, 5, 1}, "Update 1", {555, 42, 6, 2}, false},
    {{12, 6, 0}, "GA", {560, 28, 3, 2}, false},
    {{12, 6, 1}, "Update 1", {560, 35, 3, 2}, false},
    {{12, 6, 2}, "Update 2", {560, 35, 3, 2}, false},
    {{12, 6, 3}, "Update 3", {560, 35, 5, 2}, false},
    {{12, 8, 0}, "GA", {570, 26, -1, 0}, false},
    {{12, 8, 1}, "Update 1", {570, 124, 6, 2}, false},
    {{12, 9, 0}, "GA", {575, 51, 3, 2}, false},
    {{12, 9, 1}, "Update 1", {575, 57, 8, 2}, false},
    {{13, 0, 0}, "GA", {580, 65, 6, 2}, false},
    {{13, 0, 1}, "Update 1", {580, 82, 7, 2}, false},
    {{13, 0, 2}, "Update 2", {580, 95, 5, 2}, false},
    {{13, 1, 0}, "GA", {590, 44, 1, 2}, false},
    {{13, 1, 1}, "Update 1", {590, 48, 1, 2}, false},
    {{13, 2, 0}, "GA", {595, 45, 4, 2}, false},
    {{13, 2, 1}, "Update 1", {595, 58, 3, 2}, false},
    {{13, 2, 2}, "Update 2", {595, 71, 5, 2}, false},
    {{13, 3, 0}, "GA", {610, 43, 2, 2}, true},
    {{13, 3, 1}, "Update 1", {610, 43, 2, 2}, true},
};
// clang-format on

}  // namespace

std::span<const CudaDriverRow> cuda_driver_rows() { return kRows; }

std::optional<DriverVersion> min_driver_for(CudaVersion v) {
  if (v < kRows[0].cuda) return std::nullopt;
  for (const CudaDriverRow& row : kRows) {
    if (row.cuda >= v) return row.min_driver;
  }
  return std::nullopt;
}

std::optional<CudaVersion> max_cuda_for_branch(int branch) {
  if (branch < kRows[0].min_driver.major) return std::nullopt;
  if (branch > std::end(kRows)[-1].min_driver.major) return std::nullopt;
  CudaVersion best = kRows[0].cuda;
  for (const CudaDriverRow& row : kRows) {
    if (row.min_driver.major <= branch) best = row.cuda;
  }
  return CudaVersion{best.major, best.minor, -1};
}

std::optional<int> branch_for(CudaVersion v) {
  const std::optional<DriverVersion> d = min_driver_for(v);
  if (!d) return std::nullopt;
  return d->major;
}

std::optional<int> known_branch_at_least(int at_least) {
  for (const CudaDriverRow& row : kRows) {
    if (row.min_driver.major >= at_least) return row.min_driver.major;
  }
  return std::nullopt;
}

}  // namespace preflight::cuda
