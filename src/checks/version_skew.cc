#include "checks/version_skew.h"

#include <algorithm>
#include <array>

#include "checks/object_ref.h"
#include "checks/skew_values.h"
#include "cuda/cuda_version.h"
#include "version/semver.h"

namespace preflight::checks {

namespace {

using cluster::Lookup;
using cluster::Resource;
using policy::Comparator;
using policy::DeclaredSource;
using policy::EffectiveSource;
using skew::Value;

constexpr std::string_view kCheckId = "version-skew";

// What a comparison found; `declared`/`effective` are the normalised values to quote, written
// only on a mismatch (nothing quotes a match).
struct Outcome {
  bool comparable = false;
  bool match = true;
  std::string declared;
  std::string effective;
  std::string note;  // " (minor drift)"
};

// Values as findings quote them: at most `max` characters.
std::string cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max - 3)) + "...";
}

bool tolerated(version::Drift d, policy::VersionTolerance t) {
  switch (d) {
    case version::Drift::kNone: return true;
    case version::Drift::kPatch: return t != policy::VersionTolerance::kNone;
    case version::Drift::kMinor: return t == policy::VersionTolerance::kMinor;
    case version::Drift::kMajor: return false;
  }
  return false;
}

Outcome compare(const policy::SkewRule& rule, std::string_view declared, const Value& effective,
                policy::VersionTolerance tolerance) {
  Outcome out;
  switch (rule.comparator) {
    case Comparator::kSemver: {
      auto d = version::parse_version(declared);
      auto e = rule.effective == EffectiveSource::kImageTag
                   ? version::parse_tag_version(effective.text)
                   : version::parse_version(effective.text);
      // A lone number of 7+ digits is as likely a SHA prefix as a version: not compared.
      auto sha_like = [](const version::Version& v, std::string_view text) {
        return v.count == 1 && text.size() >= 7;
      };
      if (!d || !e || sha_like(*d, declared) || sha_like(*e, effective.text)) return out;
      const version::Drift drift = version::compare_versions(*d, *e);
      out.match = tolerated(drift, tolerance);
      if (out.match) break;
      out.declared = version::to_string(*d);
      out.effective = version::to_string(*e);
      if (drift != version::Drift::kNone) {
        out.note = " (" + std::string(version::to_string(drift)) + " drift)";
      }
      break;
    }
    case Comparator::kSha: {
      auto d = version::parse_sha(declared);
      auto e = version::parse_sha(effective.text);
      if (!d || !e) return out;
      out.match = version::sha_matches(*d, *e);
      if (out.match) break;
      out.declared = cut(*d, 12);
      out.effective = cut(*e, 12);
      break;
    }
    case Comparator::kCuda: {
      auto d = cuda::parse_cuda_version(declared);
      auto e = cuda::parse_cuda_version(effective.text);
      if (!d || !e) return out;
      out.match = *d == *e;
      if (out.match) break;
      out.declared = cuda::to_string(*d);
      out.effective = cuda::to_string(*e);
      break;
    }
    case Comparator::kExact:
      out.match = declared == effective.text;
      if (out.match) break;
      out.declared = cut(declared, 40);
      out.effective = cut(effective.text, 40);
      break;
  }
  out.comparable = true;
  return out;
}

// "model-version", "app.kubernetes.io/version", "tokenizer_sha" (card fields by their JSON name).
std::string_view declared_label(DeclaredSource s) {
  switch (s) {
    case DeclaredSource::kModelVersion: return "model-version";
    case DeclaredSource::kAppVersion: return "app.kubernetes.io/version";
    case DeclaredSource::kTokenizerSha: return "tokenizer-sha";
    case DeclaredSource::kCardModelVersion: return "model_version";
    case DeclaredSource::kCardTokenizerSha: return "tokenizer_sha";
    case DeclaredSource::kCardCuda: return "cuda";
    case DeclaredSource::kCardTorch: return "torch";
  }
  return "";
}

std::string_view effective_label(EffectiveSource s) {
  switch (s) {
    case EffectiveSource::kImageTag: return "image tag";
    case EffectiveSource::kModelRevision: return "model revision";
    case EffectiveSource::kTokenizerRevision: return "tokenizer revision";
    case EffectiveSource::kCodeRevision: return "code revision";
    case EffectiveSource::kImageCuda: return "image CUDA";
  }
  return "";
}

std::string fix_for(EffectiveSource s) {
  switch (s) {
    case EffectiveSource::kImageTag: return "fix the image tag or the declared version";
    case EffectiveSource::kImageCuda: return "fix the image or the declared CUDA version";
    default: return "fix the revision or the declaration";
  }
}

class VersionSkew final : public Check {
 public:
  std::string_view id() const override { return kCheckId; }

  std::vector<Finding> run(const Workload& w, const CheckContext& ctx) const override {
    std::vector<Finding> out;
    if (w.kind == WorkloadKind::kConfigMap) return out;

    cluster::ModelCard card_storage;
    const cluster::ModelCard* card = nullptr;
    std::string card_where;
    if (ctx.model_card != nullptr) {
      card = ctx.model_card;
      card_where = "--modelcard";
    } else if (auto annotation = w.annotation(skew::kModelCardKey)) {
      card = load_card(w, *annotation, ctx, card_storage, card_where, out);
    }

    const skew::ModelContainer mc = skew::model_container(w);
    if (mc.missing_name) {
      Finding& f = add(out, Enforcement::kWarn, annotations_path(w, skew::kModelContainerKey));
      f.subject = "annotation " + std::string(skew::kModelContainerKey);
      f.message = "names no app container \"" + short_name(*mc.missing_name) + "\"";
      f.fix = "name one of spec.containers[].name";
    }
    if (mc.container == nullptr) return out;

    // Several rules compare with the same effective value (the image tag): read each once.
    // (kImageCuda is the last effective source.)
    constexpr std::size_t kSources = static_cast<std::size_t>(EffectiveSource::kImageCuda) + 1;
    std::array<std::optional<Value>, kSources> effective_values;
    std::array<bool, kSources> effective_read{};
    for (const policy::SkewRule& rule : ctx.policy.skew_rules) {
      if (rule.enforcement == Enforcement::kOff) continue;
      // Compared by its text; where it was written is read only for a finding.
      const std::optional<std::string_view> declared_text =
          skew::declared_text(w, rule.declared, card);
      if (!declared_text) continue;
      const auto source = static_cast<std::size_t>(rule.effective);
      if (!effective_read[source]) {
        effective_values[source] = skew::effective_value(*mc.container, rule.effective);
        effective_read[source] = true;
      }
      const std::optional<Value>& effective = effective_values[source];
      if (!effective) continue;
      Outcome o = compare(rule, *declared_text, *effective, ctx.policy.ignore_versions);
      if (!o.comparable || o.match) continue;
      const std::optional<Value> declared = skew::declared_value(w, rule.declared, card, card_where);
      Finding& f = add(out, rule.enforcement, effective->field_path);
      f.container = mc.container->name;
      f.subject = effective->subject;
      f.message = "declared " + std::string(declared_label(rule.declared)) + " " + o.declared +
                  " (" + declared->where + ") but " + std::string(effective_label(rule.effective)) +
                  " is " + o.effective + o.note;
      f.fix = fix_for(rule.effective);
      f.headline = rule.name;
      f.details = {"model: " + std::string(declared_label(rule.declared)) + " = `" + o.declared +
                       "` (" + declared->where + ")",
                   "runtime: " + std::string(effective_label(rule.effective)) + " = `" +
                       o.effective + "` (" + effective->where + ")"};
    }
    return out;
  }

 private:
  static Finding& add(std::vector<Finding>& out, Enforcement severity, std::string field_path) {
    Finding& f = out.emplace_back();
    f.check = std::string(kCheckId);
    f.severity = severity;
    f.field_path = std::move(field_path);
    return f;
  }

  // Where an annotation is: on the workload, else its pod template.
  static std::string annotations_path(const Workload& w, std::string_view key) {
    if (w.annotations.contains(key)) return "metadata.annotations";
    const std::string_view spec = w.pod_spec_path;
    if (spec.ends_with(".spec")) {
      return std::string(spec.substr(0, spec.size() - 5)).append(".metadata.annotations");
    }
    return "metadata.annotations";
  }

  // The model card named by the annotation, or null (with a finding when the cluster state
  // proves it missing or unreadable).
  static const cluster::ModelCard* load_card(const Workload& w, std::string_view annotation,
                                             const CheckContext& ctx, cluster::ModelCard& storage,
                                             std::string& where, std::vector<Finding>& out) {
    const std::string path = annotations_path(w, skew::kModelCardKey);
    const std::string subject = "annotation " + std::string(skew::kModelCardKey);
    auto ref = skew::parse_model_card_ref(annotation);
    if (!ref) {
      Finding& f = add(out, Enforcement::kWarn, path);
      f.subject = subject;
      f.message = "\"" + short_name(annotation) + "\" is not CONFIGMAP or CONFIGMAP/KEY";
      f.fix = "name the ConfigMap holding the model card, e.g. llm-card/modelcard.json";
      return nullptr;
    }
    where = "modelcard " + short_name(ref->configmap);
    if (ref->key != cluster::kDefaultModelCardKey) where.append("/").append(short_name(ref->key));
    if (ctx.cluster == nullptr) return nullptr;
    const std::string_view ns = reference_namespace(w);
    std::vector<std::string> keys;
    const Lookup found = ctx.cluster->find(Resource::kConfigMap, ns, ref->configmap, &keys);
    if (found == Lookup::kUnknown) return nullptr;
    if (found == Lookup::kFound) {
      const Lookup card = ctx.cluster->model_card(ns, ref->configmap, ref->key, &storage);
      if (card == Lookup::kFound) return &storage;
      if (card == Lookup::kUnknown) return nullptr;  // a view that keeps no cards
    }
    Finding& f = add(out, Enforcement::kDeny, path);
    f.subject = subject;
    const std::string cm = "configmap \"" + short_name(ref->configmap) + "\"";
    if (found == Lookup::kNotFound) {
      f.message = cm + " not found in namespace \"" + short_name(ns) + "\"";
      f.fix = "create the model card ConfigMap before the workload, or fix the annotation";
    } else if (std::find(keys.begin(), keys.end(), ref->key) == keys.end()) {
      f.message = cm + " has no key \"" + short_name(ref->key) + "\"";
      f.fix = "add the model card under that key, or name the key as CONFIGMAP/KEY";
    } else {
      f.message = "key \"" + short_name(ref->key) + "\" of " + cm + " is not a model card";
      f.fix = "store JSON with model_version, tokenizer_sha, cuda or torch (strings)";
    }
    return nullptr;
  }
};

}  // namespace

std::unique_ptr<Check> make_version_skew_check() { return std::make_unique<VersionSkew>(); }

}  // namespace preflight::checks
