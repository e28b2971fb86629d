#include "cuda/requirement.h"

#include "cuda/image_cuda.h"

namespace preflight::cuda {

namespace {

// The last literal env entry named `name`.
const EnvVar* literal_env(const Container& c, std::string_view name) {
  const EnvVar* found = nullptr;
  for (const EnvVar& e : c.env) {
    if (e.name == name) found = e.source == EnvVar::Source::kValue ? &e : nullptr;
  }
  return found;
}

// Go's strconv.ParseBool true values, as the container toolkit reads the variable.
bool is_true(std::string_view v) {
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

bool nvidia_gpu_in(const StringMap& resources) {
  for (const auto& [name, quantity] : resources) {
    const bool nvidia = name == "nvidia.com/gpu" || name.starts_with("nvidia.com/mig-");
    if (nvidia && !quantity.empty() && quantity != "0") return true;
  }
  return false;
}

}  // namespace

std::optional<CudaRequirement> cuda_requirement(const Container& c,
                                                std::optional<CudaVersion> declared) {
  std::optional<CudaRequirement> out;
  if (declared) {
    out = CudaRequirement{*declared, CudaSource::kAnnotation};
  } else if (const EnvVar* e = literal_env(c, "CUDA_VERSION")) {
    if (auto v = parse_cuda_version(e->value))
      out = CudaRequirement{*v, CudaSource::kEnvCudaVersion, e};
  }
  if (!out) {
    if (const EnvVar* e = literal_env(c, "NVIDIA_REQUIRE_CUDA")) {
      if (auto v = parse_require_cuda(e->value))
        out = CudaRequirement{*v, CudaSource::kEnvRequireCuda, e};
    }
  }
  if (!out) {
    const ImageCuda image = cuda_from_image(c.image);
    if (image.kind != ImageKind::kCuda) return std::nullopt;
    out = CudaRequirement{image.version, CudaSource::kImage};
  }
  if (const EnvVar* e = literal_env(c, "NVIDIA_DISABLE_REQUIRE"); e && is_true(e->value)) {
    out->version = CudaVersion{out->version.major, 0, -1};
    out->disabled = e;
  }
  return out;
}

bool requests_nvidia_gpu(const Container& c) {
  return nvidia_gpu_in(c.resource_limits) || nvidia_gpu_in(c.resource_requests);
}

}  // namespace preflight::cuda
