#pragma once
// What one GPU node can run, from its labels: the NVIDIA GPU Feature Discovery (GFD) labels,
// in both generations (GFD emits both since v0.15.0; older releases and the GPU Operator's
// readers use the first):
//
//   driver   nvidia.com/cuda.driver-version.{major,minor,revision,full}  (new)
//            nvidia.com/cuda.driver.{major,minor,rev}                   (old, deprecated)
//   CUDA     nvidia.com/cuda.runtime-version.{major,minor,full}          (new)
//            nvidia.com/cuda.runtime.{major,minor}                      (old, deprecated)
//            = the highest CUDA version the driver supports (nvidia-smi "CUDA Version"), not a
//            CUDA runtime in any container.
//   compute  nvidia.com/gpu.compute.{major,minor}; else nvidia.com/gpu.family (volta, turing...)
//
// Reading order: new labels, then old ones, per value. The CUDA version comes from the runtime
// labels when present, else from the driver branch through the toolkit/driver table
// (driver_table.h). Source of the label names: NVIDIA/k8s-device-plugin
// docs/gpu-feature-discovery/README.md and internal/lm/nvml.go at v0.20.0, and
// NVIDIA/gpu-feature-discovery README at v0.8.0 (../shared/reference/gpu-cuda-facts.md §1.1).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cuda/compute_table.h"
#include "cuda/cuda_version.h"

namespace preflight::cuda {

using LabelMap = std::map<std::string, std::string, std::less<>>;

// Label keys.
inline constexpr std::string_view kDriverMajor = "nvidia.com/cuda.driver-version.major";
inline constexpr std::string_view kDriverMinor = "nvidia.com/cuda.driver-version.minor";
inline constexpr std::string_view kDriverRevision = "nvidia.com/cuda.driver-version.revision";
inline constexpr std::string_view kDriverFull = "nvidia.com/cuda.driver-version.full";
inline constexpr std::string_view kOldDriverMajor = "nvidia.com/cuda.driver.major";
inline constexpr std::string_view kOldDriverMinor = "nvidia.com/cuda.driver.minor";
inline constexpr std::string_view kOldDriverRev = "nvidia.com/cuda.driver.rev";
inline constexpr std::string_view kRuntimeMajor = "nvidia.com/cuda.runtime-version.major";
inline constexpr std::string_view kRuntimeMinor = "nvidia.com/cuda.runtime-version.minor";
inline constexpr std::string_view kRuntimeFull = "nvidia.com/cuda.runtime-version.full";
inline constexpr std::string_view kOldRuntimeMajor = "nvidia.com/cuda.runtime.major";
inline constexpr std::string_view kOldRuntimeMinor = "nvidia.com/cuda.runtime.minor";
inline constexpr std::string_view kComputeMajor = "nvidia.com/gpu.compute.major";
inline constexpr std::string_view kComputeMinor = "nvidia.com/gpu.compute.minor";
inline constexpr std::string_view kGpuFamily = "nvidia.com/gpu.family";
inline constexpr std::string_view kGpuPresent = "nvidia.com/gpu.present";

struct NodeCapability {
  bool nvidia_gpu = false;  // any nvidia.com/gpu.* or nvidia.com/cuda.* label
                            // (and not nvidia.com/gpu.present=false)
  std::optional<DriverVersion> driver;
  std::optional<CudaVersion> cuda;  // the highest CUDA the driver supports
  bool cuda_from_label = false;     // cuda read from the runtime labels (else derived)
  std::optional<ComputeRange> compute;
};

NodeCapability read_node_capability(const LabelMap& labels);

}  // namespace preflight::cuda
