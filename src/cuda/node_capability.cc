#include "cuda/node_capability.h"

#include "cuda/driver_table.h"

namespace preflight::cuda {

namespace {

std::optional<std::string_view> label(const LabelMap& labels, std::string_view key) {
  auto it = labels.find(key);
  if (it == labels.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<int> int_label(const LabelMap& labels, std::string_view key) {
  const std::optional<std::string_view> v = label(labels, key);
  return v ? parse_small_int(*v) : std::nullopt;
}

// The first of the two keys that holds an integer.
std::optional<int> int_label(const LabelMap& labels, std::string_view key,
                             std::string_view fallback) {
  if (auto v = int_label(labels, key)) return v;
  return int_label(labels, fallback);
}

std::optional<DriverVersion> read_driver(const LabelMap& labels) {
  if (auto full = label(labels, kDriverFull)) {
    if (auto v = parse_driver_version(*full)) return v;
  }
  const std::optional<int> major = int_label(labels, kDriverMajor, kOldDriverMajor);
  if (!major || *major < 1) return std::nullopt;
  DriverVersion d;
  d.major = *major;
  // Minor and revision from the same generation as the major, as GFD writes them together.
  const bool fresh = int_label(labels, kDriverMajor).has_value();
  const std::optional<int> minor = int_label(labels, fresh ? kDriverMinor : kOldDriverMinor);
  if (!minor) return d;
  d.minor = *minor;
  const std::optional<std::string_view> rev =
      label(labels, fresh ? kDriverRevision : kOldDriverRev);
  if (rev && !rev->empty()) {
    if (auto r = parse_small_int(*rev); r && rev->size() <= 3) {
      d.rev = *r;
      d.rev_width = static_cast<int>(rev->size());
    }
  }
  return d;
}

std::optional<CudaVersion> read_runtime(const LabelMap& labels) {
  if (auto full = label(labels, kRuntimeFull)) {
    if (auto v = parse_cuda_version(*full); v && full->find('.') != std::string_view::npos) {
      return CudaVersion{v->major, v->minor, -1};
    }
  }
  const bool fresh = int_label(labels, kRuntimeMajor).has_value();
  const std::optional<int> major = int_label(labels, fresh ? kRuntimeMajor : kOldRuntimeMajor);
  const std::optional<int> minor = int_label(labels, fresh ? kRuntimeMinor : kOldRuntimeMinor);
  if (!major || !minor || *major < 1 || *major > 99 || *minor > 99) return std::nullopt;
  return CudaVersion{*major, *minor, -1};
}

std::optional<ComputeRange> read_compute(const LabelMap& labels) {
  if (auto major = int_label(labels, kComputeMajor); major && *major < 100) {
    if (auto minor = int_label(labels, kComputeMinor); minor && *minor < 10) {
      return ComputeRange{*major * 10 + *minor, *major * 10 + *minor};
    }
    return ComputeRange{*major * 10, *major * 10 + 9};
  }
  if (auto family = label(labels, kGpuFamily)) return family_compute_range(*family);
  return std::nullopt;
}

bool has_nvidia_labels(const LabelMap& labels) {
  if (auto present = label(labels, kGpuPresent); present && *present == "false") return false;
  constexpr std::string_view kGpu = "nvidia.com/gpu";
  constexpr std::string_view kCuda = "nvidia.com/cuda.";
  if (auto it = labels.lower_bound(kCuda); it != labels.end() && it->first.starts_with(kCuda)) {
    return true;
  }
  for (auto it = labels.lower_bound(kGpu); it != labels.end() && it->first.starts_with(kGpu);
       ++it) {
    const char next = it->first.size() > kGpu.size() ? it->first[kGpu.size()] : '\0';
    if (next == '.') return true;  // nvidia.com/gpu.product, not nvidia.com/gpu-driver-...
  }
  return false;
}

}  // namespace

NodeCapability read_node_capability(const LabelMap& labels) {
  NodeCapability cap;
  cap.nvidia_gpu = has_nvidia_labels(labels);
  cap.driver = read_driver(labels);
  cap.cuda = read_runtime(labels);
  cap.cuda_from_label = cap.cuda.has_value();
  if (!cap.cuda && cap.driver) cap.cuda = max_cuda_for_branch(cap.driver->major);
  cap.compute = read_compute(labels);
  return cap;
}

}  // namespace preflight::cuda
