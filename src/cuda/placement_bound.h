#pragma once
// What a pod's placement alone (nodeSelector and required node affinity, before looking at any
// Node) says about the GPU nodes it may land on: the CUDA version their driver supports and
// their compute capability.
//
// The pod may land on any admitted node, so the lowest one decides. For each affinity term
// (ANDed with the nodeSelector; the nodeSelector alone when there are no terms) this unit works
// out a range that holds the value of the lowest node the term admits (label_constraint.h reads
// the requirements), from the GFD labels (node_capability.h), both generations:
//   driver branch   In / nodeSelector: the smallest listed branch that all other requirements
//                   on it admit, mapped to CUDA through the driver table (535 → 12.2); Gt N: at
//                   least the first known branch above N; Lt N: at most the CUDA of branch N-1.
//                   driver-version.full values count by their branch.
//   CUDA            runtime(-version).major / .minor (and runtime-version.full): the same, on
//                   major.minor; a major alone leaves the minor open (12 → 12.0 to 12.99).
//   compute         gpu.compute.major / .minor, or gpu.family (volta → 7.0 to 7.4).
// Requirements of the same quantity in one term narrow each other; NotIn removes listed values
// from In lists; DoesNotExist, Exists and NotIn alone say nothing. Terms that admit no node
// (driver 535 with CUDA 12.4) are left out.
//
// Verdicts, for a needed CUDA version N (or minimum compute capability C):
//   kIncompatible  some term's lowest node is certainly below N (its range ends below N);
//                  `evidence` says which requirement showed it
//   kCompatible    every term's lowest node is certainly at or above N
//   kUndecided     otherwise (nothing pinned, a pool label, a range that straddles N):
//                  the cluster's Nodes must tell
// Pure functions; nothing is allocated. Evidence views point into the workload.

#include <string_view>

#include "cuda/cuda_version.h"
#include "workload/workload.h"

namespace preflight::cuda {

enum class Verdict { kUndecided, kCompatible, kIncompatible };

struct CudaEvidence {
  enum class Kind {
    kDriver,       // a driver branch: `value` = 535
    kDriverBelow,  // drivers below a branch (Lt): `value` = 550
    kCuda,         // a CUDA version: `value` = key 1202 (12.2) or, minor open, `minor_open`
    kCudaBelow,    // CUDA below a version (Lt on the major): `value` = key 1300
  };
  bool from_selector = true;  // nodeSelector; else required node affinity
  Kind kind = Kind::kDriver;
  int value = 0;
  bool minor_open = false;   // kCuda / kCudaBelow without a minor pinned: "12.x"
  CudaVersion at_most;       // the highest CUDA the lowest admitted node can have
  bool below_table = false;  // at_most is older than the table (driver < 440)
};

struct CudaBound {
  Verdict verdict = Verdict::kUndecided;
  CudaEvidence evidence;  // kIncompatible only
};

CudaBound placement_cuda_bound(const Workload& w, CudaVersion need);

struct ComputeEvidence {
  bool from_selector = true;
  std::string_view family;  // the gpu.family value when it decided, else empty
  int lo = 0;               // the range of the lowest admitted node: 70..74;
  int hi = 0;               // lo 0: open below (Lt)
};

struct ComputeBound {
  Verdict verdict = Verdict::kUndecided;
  ComputeEvidence evidence;  // kIncompatible only
};

ComputeBound placement_compute_bound(const Workload& w, int min_cc);

}  // namespace preflight::cuda
