#include "policy/skew_rule.h"

namespace preflight::policy {

namespace {
constexpr std::string_view kDeclared[] = {
    "model-version",           "app-version",    "tokenizer-sha",  "modelcard.model_version",
    "modelcard.tokenizer_sha", "modelcard.cuda", "modelcard.torch"};
constexpr std::string_view kEffective[] = {"image-tag", "model-revision", "tokenizer-revision",
                                           "code-revision", "image-cuda"};
constexpr std::string_view kComparators[] = {"semver", "sha", "cuda", "exact"};
}  // namespace

std::span<const std::string_view> declared_source_names() { return kDeclared; }
std::span<const std::string_view> effective_source_names() { return kEffective; }
std::span<const std::string_view> comparator_names() { return kComparators; }
std::string_view to_string(DeclaredSource s) { return kDeclared[static_cast<std::size_t>(s)]; }
std::string_view to_string(EffectiveSource s) { return kEffective[static_cast<std::size_t>(s)]; }
std::string_view to_string(Comparator c) { return kComparators[static_cast<std::size_t>(c)]; }

Comparator default_comparator(DeclaredSource s) {
  switch (s) {
    case DeclaredSource::kTokenizerSha:
    case DeclaredSource::kCardTokenizerSha:
      return Comparator::kSha;
    case DeclaredSource::kCardCuda:
      return Comparator::kCuda;
    default:
      return Comparator::kSemver;
  }
}

std::vector<SkewRule> default_skew_rules() {
  using D = DeclaredSource;
  using E = EffectiveSource;
  return {
      {"model ↔ image", D::kModelVersion, E::kImageTag, Comparator::kSemver, Enforcement::kDeny},
      {"model card ↔ image", D::kCardModelVersion, E::kImageTag, Comparator::kSemver,
       Enforcement::kDeny},
      {"checkpoint ↔ tokenizer", D::kTokenizerSha, E::kTokenizerRevision, Comparator::kSha,
       Enforcement::kDeny},
      {"checkpoint ↔ tokenizer", D::kCardTokenizerSha, E::kTokenizerRevision, Comparator::kSha,
       Enforcement::kDeny},
      {"app version ↔ image", D::kAppVersion, E::kImageTag, Comparator::kSemver,
       Enforcement::kWarn},
      {"model card ↔ image CUDA", D::kCardCuda, E::kImageCuda, Comparator::kCuda,
       Enforcement::kWarn},
  };
}

}  // namespace preflight::policy
