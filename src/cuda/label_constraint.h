#pragma once
// What one placement term admits for one integer-valued GPU node property: the part of
// placement_bound.h that reads requirements. A term is one required node affinity term ANDed
// with the nodeSelector (or the nodeSelector alone: term == nullptr).
//
// Properties and the labels that carry them (node_capability.h has the keys):
//   kDriverBranch   cuda.driver-version.major, cuda.driver.major; cuda.driver-version.full
//                   ("535.104.05" counts as 535)
//   kRuntimeMajor   cuda.runtime-version.major, cuda.runtime.major; runtime-version.full's major
//   kRuntimeMinor   cuda.runtime-version.minor, cuda.runtime.minor; runtime-version.full's minor
//   kComputeMajor   gpu.compute.major        kComputeMinor   gpu.compute.minor
//   kFamily         gpu.family, as the lowest compute capability of the family (volta = 70)
// Requirements: nodeSelector entries and In give listed values; NotIn removes listed values;
// Gt / Lt bound integer labels (not the .full or family ones, which Kubernetes cannot read as
// integers); Exists and DoesNotExist say nothing about the value. Values that do not parse are
// ignored. Pure; nothing is allocated.

#include <climits>
#include <optional>
#include <string_view>

#include "workload/workload.h"

namespace preflight::cuda {

enum class NodeProperty {
  kDriverBranch,
  kRuntimeMajor,
  kRuntimeMinor,
  kComputeMajor,
  kComputeMinor,
  kFamily,
};

struct Admit {
  bool has_set = false;          // In / nodeSelector on it: finitely many values
  std::optional<int> lowest;     // has_set: the smallest value every requirement admits
  std::string_view lowest_text;  // that value as written (a view into the workload)
  bool lowest_from_selector = false;
  long long gt = LLONG_MIN;  // exclusive bounds from Gt / Lt
  long long lt = LLONG_MAX;

  bool constrained() const { return has_set || gt != LLONG_MIN || lt != LLONG_MAX; }
  // No integer lies strictly between gt and lt, or no listed value passes.
  bool empty() const { return (has_set && !lowest) || gt >= lt || lt - 1 == gt; }
};

Admit admit(const Workload& w, const NodeSelectorTerm* term, NodeProperty property);

}  // namespace preflight::cuda
