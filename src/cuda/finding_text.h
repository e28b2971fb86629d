#pragma once
// The words of `cuda-compat` findings: message and fix of each kind, kept short because a
// warning line (with container, subject and field path) must stay under 256 characters.
// Examples, for an image that needs CUDA 12.4:
//   placement  needs CUDA 12.4 (driver >= 550.54.14) but nodeSelector driver 535 has CUDA <= 12.2
//              | use a 535-compatible image or newer nodes
//   cluster    needs CUDA 12.4 (driver >= 550.54.14) but cluster node gpu-a100-1 has CUDA 12.2
//              | use a 535-compatible image or newer nodes
//              (several: "cluster nodes gpu-a100-1 (+3) have CUDA 12.2-12.3", lowest first)
//   no pool    needs CUDA 12.4 (driver >= 550.54.14) but may land on any GPU node
//              | pin nodes by nvidia.com/cuda.driver-version.major or a pool
//   compute    CUDA 13.0 needs compute capability >= 7.5 but nodeSelector gives volta (7.0-7.4)
//              | use a CUDA 12.x image or Turing+ GPUs
// Names and label values are cut to 40 characters.

#include <string>
#include <string_view>
#include <vector>

#include "cuda/cuda_version.h"
#include "cuda/placement_bound.h"

namespace preflight::cuda {

// A node too old for the image, as the cluster shows it.
struct OldNode {
  std::string_view name;
  CudaVersion cuda;    // CUDA check: what its driver supports
  int branch = 0;      // its driver branch; 0 when only runtime labels tell
  int compute_lo = 0;  // compute check: its capability range
  int compute_hi = 0;
};

struct Text {
  std::string message;
  std::string fix;
};

// "needs CUDA 12.4 (driver >= 550.54.14)"; without the driver part above the driver table.
std::string needs_cuda(CudaVersion need);

Text placement_cuda_text(CudaVersion need, const CudaEvidence& e);

// `old` holds every matching node below the need, lowest first (at least one).
Text cluster_cuda_text(CudaVersion need, const std::vector<OldNode>& old);

Text no_placement_text(CudaVersion need);

Text placement_compute_text(CudaVersion need, int min_cc, const ComputeEvidence& e);

// `old` holds every matching node below min_cc, lowest first (at least one).
Text cluster_compute_text(CudaVersion need, int min_cc, const std::vector<OldNode>& old);

// `total` nodes in the cluster, none of them a GPU node that the placement admits.
Text no_gpu_node_text(std::size_t total);

// A value quoted in a message: at most 40 characters, cut ones end in "...".
std::string quoted(std::string_view text);

}  // namespace preflight::cuda
