#pragma once
// Check `cuda-compat`: a GPU container whose image needs a newer CUDA than the driver of the
// nodes it may land on supports (the seed's CudaProbe: the container never starts, "unsatisfied
// condition: cuda>=12.4", or exits with code 139).
//
// Looks at: containers[] and initContainers[] that request nvidia.com/gpu or nvidia.com/mig-*
//   (others get no GPU; amd.com/gpu and Intel GPUs are not CUDA). Their CUDA version comes from
//   the preflight.wfgy.io/cuda-version annotation, env CUDA_VERSION, env NVIDIA_REQUIRE_CUDA, or
//   the image reference (cuda/requirement.h, cuda/image_cuda.h); without one (ROCm or CPU
//   images, unknown tags) the container gets no CUDA finding.
// Where it may land: first the pod's nodeSelector and required node affinity on the GPU Feature
//   Discovery labels (cuda/placement_bound.h); when they do not decide, the cluster's Nodes that
//   the placement matches (cuda/node_match.h), read through cuda/node_capability.h. The lowest
//   matching node decides: the pod may land on any of them.
// The rule: the container toolkit refuses to start an image whose CUDA major.minor is above the
//   CUDA version the driver reports, so the image needs the driver of that release in NVIDIA's
//   toolkit/driver table (CUDA 12.4 → 550.54.14; driver 535 → at most CUDA 12.2).
//
// Rejects (kDeny; the policy's enforcement caps it, warn by default):
//   - the placement pins drivers (or CUDA versions) below the image's CUDA;
//   - matching Nodes in the cluster whose driver supports less than the image's CUDA;
//   - the placement or matching Nodes allow GPUs the image's CUDA major no longer supports
//     (CUDA 11: compute capability < 3.5; 12: Kepler, < 5.0; 13: < 7.5, Maxwell to Volta);
//   - a container asking for an NVIDIA GPU whose placement matches no GPU node in the cluster
//     (once per workload; only when the cluster has Nodes, and not for placements on labels
//     that node provisioners create nodes for: GKE, Karpenter, EKS Auto Mode, AKS).
// Warns (kWarn): a CUDA image asking for an NVIDIA GPU with no placement at all (no nodeSelector
//   beyond kubernetes.io/os|arch, no required affinity) when the cluster's GPU nodes cannot
//   decide (no cluster state, unknown, or no node with GFD driver labels); and a
//   preflight.wfgy.io/cuda-version annotation that is not a version.
// Not checked (unverified): a driver check whose placement needs the cluster's Nodes while they
//   are unknown; policy.cluster_unavailable decides. Compute capability and the GPU-node finding
//   are never "not checked". With no cluster view at all, only the placement is read.
// A warning line must stay under 256 characters: the image in the subject is shortened as much
// as needed (cuda/image_ref.h short_image), except for "not checked" findings.
// Subject `image <ref>`; field path `<container>.image`, or the env entry / annotations that
// declared the version.

#include <memory>

#include "checks/check.h"

namespace preflight::checks {

std::unique_ptr<Check> make_cuda_compat_check();

}  // namespace preflight::checks
