#pragma once
// The version-skew rules: which declared value is compared with which effective value, how,
// and how strongly a mismatch is enforced. The built-in rules (default_skew_rules) and the
// policy's `version_skew.rules` use the same vocabulary; docs/checks/version-skew.md lists it.
//
// Declared sources (on the workload, else its pod template; model card fields from the
// ConfigMap named by preflight.wfgy.io/modelcard, or `preflight check --modelcard FILE`):
//   model-version            label or annotation preflight.wfgy.io/model-version
//   app-version              label (else annotation) app.kubernetes.io/version
//   tokenizer-sha            annotation (else label) preflight.wfgy.io/tokenizer-sha
//   modelcard.model_version, modelcard.tokenizer_sha, modelcard.cuda, modelcard.torch
// Effective sources (all read from the model container):
//   image-tag                the image tag's version (v prefix, -cuda12.1 style suffixes)
//   model-revision           --revision (vLLM, TGI), --model_revision (KServe), env
//                            MODEL_REVISION, env REVISION (TGI)
//   tokenizer-revision       --tokenizer-revision (vLLM), --tokenizer_revision (KServe), env
//                            TOKENIZER_REVISION
//   code-revision            --code-revision (vLLM)
//   image-cuda               the image's CUDA version (cuda/image_cuda.h)
// Comparators: semver (with ignore_versions), sha (exact or prefix), cuda (major.minor), exact.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/finding.h"

namespace preflight::policy {

enum class DeclaredSource {
  kModelVersion,
  kAppVersion,
  kTokenizerSha,
  kCardModelVersion,
  kCardTokenizerSha,
  kCardCuda,
  kCardTorch,
};
enum class EffectiveSource { kImageTag, kModelRevision, kTokenizerRevision, kCodeRevision, kImageCuda };
enum class Comparator { kSemver, kSha, kCuda, kExact };

// Policy-file spellings, in enum order.
std::span<const std::string_view> declared_source_names();
std::span<const std::string_view> effective_source_names();
std::span<const std::string_view> comparator_names();
std::string_view to_string(DeclaredSource s);
std::string_view to_string(EffectiveSource s);
std::string_view to_string(Comparator c);

// The comparator a rule uses when the policy names none: sha for tokenizer SHAs, cuda for
// modelcard.cuda, semver otherwise.
Comparator default_comparator(DeclaredSource s);

struct SkewRule {
  std::string name;  // shown by the text report: "checkpoint ↔ tokenizer"
  DeclaredSource declared = DeclaredSource::kModelVersion;
  EffectiveSource effective = EffectiveSource::kImageTag;
  Comparator comparator = Comparator::kSemver;
  // The strongest enforcement of its findings; the check's own enforcement caps it too.
  Enforcement enforcement = Enforcement::kDeny;
};

// model-version and modelcard.model_version vs image-tag (deny); tokenizer-sha and
// modelcard.tokenizer_sha vs tokenizer-revision (deny); app-version vs image-tag (warn);
// modelcard.cuda vs image-cuda (warn).
std::vector<SkewRule> default_skew_rules();

}  // namespace preflight::policy
