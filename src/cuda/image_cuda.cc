#include "cuda/image_cuda.h"

#include "cuda/image_family_table.h"
#include "cuda/image_ref.h"
#include "cuda/ngc_table.h"
#include "cuda/tag_scan.h"

namespace preflight::cuda {

namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

ImageCuda cuda(CudaVersion v, std::string_view rule) { return {ImageKind::kCuda, v, rule}; }

// nvidia/cuda:12.4.1-runtime-ubuntu22.04 → 12.4.1.
std::optional<CudaVersion> nvidia_cuda_tag(std::string_view tag) {
  const std::size_t dash = tag.find('-');
  const std::string_view version = tag.substr(0, dash);
  if (version.find('.') == std::string_view::npos) return std::nullopt;  // "12" or "latest"
  return parse_cuda_version(version);
}

// nvcr.io/nvidia/<framework>:YY.MM[-rest].
std::optional<CudaVersion> ngc_image(const ImageRefView& ref) {
  if (ref.registry != "nvcr.io" || !ref.repository.starts_with("nvidia/")) return std::nullopt;
  const std::string_view framework = ref.repository.substr(7);
  if (framework.find('/') != std::string_view::npos) return std::nullopt;
  const std::string_view tag = ref.tag;
  if (tag.size() < 5 || !is_digit(tag[0]) || !is_digit(tag[1]) || tag[2] != '.' ||
      !is_digit(tag[3]) || !is_digit(tag[4]) || (tag.size() > 5 && tag[5] != '-')) {
    return std::nullopt;
  }
  const std::string_view rest = tag.substr(5);
  NgcVariant variant = NgcVariant::kMain;
  if (framework == "tritonserver") {
    if (rest.find("-trtllm") != std::string_view::npos) {
      variant = NgcVariant::kTrtLlm;
    } else if (rest.find("-vllm") != std::string_view::npos) {
      variant = NgcVariant::kVllm;
    }
  }
  return ngc_cuda(framework, tag.substr(0, 5), variant);
}

// The release tables: vllm/vllm-openai:v0.21.0[-x86_64-ubuntu2404],
// huggingface/text-generation-inference:3.3.5, tensorflow/tensorflow:2.15.0-gpu[-jupyter].
std::optional<CudaVersion> family_image(const ImageRefView& ref) {
  std::size_t used = 0;
  const std::optional<ReleaseVersion> release = parse_release(ref.tag, &used);
  if (!release) return std::nullopt;
  const std::string_view rest = ref.tag.substr(used);
  if (ref.repository_is("vllm/vllm-openai")) {
    if (!ref.tag.starts_with("v")) return std::nullopt;
    if (!rest.empty() && rest[0] != '-' && !rest.starts_with(".post") && !rest.starts_with("rc")) {
      return std::nullopt;
    }
    return image_family_cuda("vllm/vllm-openai", *release);
  }
  if (ref.repository_is("huggingface/text-generation-inference")) {
    if (!rest.empty()) return std::nullopt;  // -trtllm and other backends are not in the table
    return image_family_cuda("huggingface/text-generation-inference", *release);
  }
  if (ref.repository_is("tensorflow/tensorflow")) {
    if (rest != "-gpu" && rest != "-gpu-jupyter") return std::nullopt;  // CPU builds
    return image_family_cuda("tensorflow/tensorflow", *release);
  }
  return std::nullopt;
}

}  // namespace

ImageCuda cuda_from_image(std::string_view image) {
  const std::optional<ImageRefView> ref = parse_image_ref(image);
  if (!ref) return {};
  if (has_non_cuda_marker(ref->repository) || has_non_cuda_marker(ref->tag)) {
    return {ImageKind::kNotCuda, {}, "non-CUDA marker"};
  }
  if (auto v = scan_cuda_token(ref->tag)) return cuda(*v, "tag");
  if (auto v = scan_cuda_token(ref->name())) return cuda(*v, "image name");
  if (ref->repository_is("nvidia/cuda")) {
    if (auto v = nvidia_cuda_tag(ref->tag)) return cuda(*v, "nvidia/cuda tag");
    return {};
  }
  if (auto v = ngc_image(*ref)) return cuda(*v, "NGC release table");
  if (auto v = family_image(*ref)) return cuda(*v, "release table");
  return {};
}

}  // namespace preflight::cuda
