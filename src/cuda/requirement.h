#pragma once
// The CUDA version a container needs from the node's driver, and where that came from.
//
// In order (the first that gives a version wins):
//   1. the workload's `preflight.wfgy.io/cuda-version` annotation (passed in as `declared`),
//   2. the container's env CUDA_VERSION ("12.4.1", as nvidia/cuda images set it),
//   3. the container's env NVIDIA_REQUIRE_CUDA ("cuda>=12.4 brand=..."; set on the pod it
//      replaces the image's own requirement, and the container toolkit enforces it),
//   4. the image reference (image_cuda.h).
// Only literal env values count (valueFrom is not followed); when a name is listed twice, the
// last entry wins, as in Kubernetes.
// NVIDIA_DISABLE_REQUIRE set to a true value (1, t, T, true, TRUE, True) turns the container
// toolkit's requirement check off; then only CUDA minor-version compatibility is left, which
// needs the driver of the major's first release: the requirement becomes major.0 (12.4 → 12.0).
//
// Also here: which GPUs a container asks for, by extended resource name.

#include <optional>
#include <string_view>

#include "cuda/cuda_version.h"
#include "workload/workload.h"

namespace preflight::cuda {

inline constexpr std::string_view kCudaVersionAnnotation = "preflight.wfgy.io/cuda-version";

enum class CudaSource { kAnnotation, kEnvCudaVersion, kEnvRequireCuda, kImage };

struct CudaRequirement {
  CudaVersion version;  // what the node's driver must support
  CudaSource source = CudaSource::kImage;
  const EnvVar* env = nullptr;       // the env entry it came from (2 and 3)
  const EnvVar* disabled = nullptr;  // NVIDIA_DISABLE_REQUIRE, when it relaxed `version`
};

// Nullopt when nothing tells a CUDA version: no annotation, no env, and an image that is not a
// CUDA build or whose CUDA version is unknown.
std::optional<CudaRequirement> cuda_requirement(const Container& c,
                                                std::optional<CudaVersion> declared);

// A non-zero limit or request of nvidia.com/gpu or nvidia.com/mig-<profile>.
bool requests_nvidia_gpu(const Container& c);

}  // namespace preflight::cuda
