#include "checks/skew_values.h"

#include <algorithm>
#include <cctype>
#include <span>

#include "cuda/image_cuda.h"
#include "cuda/image_ref.h"
#include "util/text.h"

namespace preflight::checks::skew {

namespace {

using policy::DeclaredSource;
using policy::EffectiveSource;

// Longer values are not versions or SHAs; they are not read (and never quoted).
constexpr std::size_t kMaxValue = 128;

// The trimmed text, unless it is empty or too long to be a version or a SHA.
std::optional<std::string_view> written_text(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty() || t.size() > kMaxValue) return std::nullopt;
  return t;
}

std::optional<Value> written(std::string_view text, std::string where) {
  const std::optional<std::string_view> t = written_text(text);
  if (!t) return std::nullopt;
  return Value{std::string(*t), std::move(where), {}, {}};
}

// A declared value before it is described: its text (a view into the workload or the card)
// and where it was read.
struct Declared {
  enum class From { kAnnotation, kLabel, kCard };
  std::string_view text;
  From from = From::kAnnotation;
};

// An annotation or label of the workload (else its pod template); annotations first unless
// `label_first`. A value that is empty or too long counts as absent.
std::optional<Declared> meta_value(const Workload& w, std::string_view key, bool label_first) {
  auto annotation = [&]() -> std::optional<Declared> {
    if (auto a = w.annotation(key)) {
      if (auto t = written_text(*a)) return Declared{*t, Declared::From::kAnnotation};
    }
    return std::nullopt;
  };
  auto label = [&]() -> std::optional<Declared> {
    if (auto l = w.label(key)) {
      if (auto t = written_text(*l)) return Declared{*t, Declared::From::kLabel};
    }
    return std::nullopt;
  };
  if (label_first) {
    if (auto v = label()) return v;
    return annotation();
  }
  if (auto v = annotation()) return v;
  return label();
}

// `field` is a member of *card (a view: the text must outlive this call).
std::optional<Declared> card_value(const cluster::ModelCard* card, std::string_view field) {
  if (card == nullptr || field.empty()) return std::nullopt;
  if (auto t = written_text(field)) return Declared{*t, Declared::From::kCard};
  return std::nullopt;
}

// The metadata key a declared source reads; empty for model card fields.
std::string_view meta_key(DeclaredSource source) {
  switch (source) {
    case DeclaredSource::kModelVersion: return kModelVersionKey;
    case DeclaredSource::kAppVersion: return kAppVersionKey;
    case DeclaredSource::kTokenizerSha: return kTokenizerShaKey;
    default: return {};
  }
}

std::optional<Declared> find_declared(const Workload& w, DeclaredSource source,
                                      const cluster::ModelCard* card) {
  switch (source) {
    case DeclaredSource::kModelVersion: return meta_value(w, kModelVersionKey, false);
    case DeclaredSource::kAppVersion: return meta_value(w, kAppVersionKey, true);
    case DeclaredSource::kTokenizerSha: return meta_value(w, kTokenizerShaKey, false);
    case DeclaredSource::kCardModelVersion:
      return card_value(card, card ? std::string_view(card->model_version) : "");
    case DeclaredSource::kCardTokenizerSha:
      return card_value(card, card ? std::string_view(card->tokenizer_sha) : "");
    case DeclaredSource::kCardCuda:
      return card_value(card, card ? std::string_view(card->cuda) : "");
    case DeclaredSource::kCardTorch:
      return card_value(card, card ? std::string_view(card->torch) : "");
  }
  return std::nullopt;
}

bool unresolved(std::string_view s) { return s.find("$(") != std::string_view::npos; }

std::string container_where(const Container& c, std::string_view what) {
  return "container \"" + sanitize_line(c.name, 40) + "\" " + std::string(what);
}

std::optional<Value> revision(const Container& c, std::span<const std::string_view> flags,
                              std::span<const std::string_view> env_names) {
  // The last flag occurrence in command, then args (what the program parses last wins).
  std::optional<Value> found;
  bool unreadable = false;
  auto scan = [&](const std::vector<std::string_view>& list, std::string_view field) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string_view e = list[i];
      for (std::string_view flag : flags) {
        std::string_view text;
        std::size_t at = i;
        if (e == flag && i + 1 < list.size()) {
          at = i + 1;
          text = list[at];
        } else if (e.size() > flag.size() && e.starts_with(flag) && e[flag.size()] == '=') {
          text = std::string_view(e).substr(flag.size() + 1);
        } else {
          continue;
        }
        std::string subject = "arg " + std::string(flag);
        found = written(text, container_where(c, subject));
        unreadable = !found || unresolved(text);
        if (found) {
          found->subject = std::move(subject);
          found->field_path = c.path.str() + "." + std::string(field) + "[" + std::to_string(at) + "]";
        }
      }
    }
  };
  scan(c.command, "command");
  scan(c.args, "args");
  if (found || unreadable) return unreadable ? std::nullopt : found;
  for (std::string_view name : env_names) {
    const EnvVar* last = nullptr;
    for (const EnvVar& e : c.env) {
      if (e.name == name) last = &e;  // Kubernetes: the last duplicate wins
    }
    if (last == nullptr) continue;
    if (last->source != EnvVar::Source::kValue || unresolved(last->value)) return std::nullopt;
    std::string subject = "env " + std::string(name);
    auto v = written(last->value, container_where(c, subject));
    if (!v) return std::nullopt;
    v->subject = std::move(subject);
    v->field_path = last->path.str() + ".value";
    return v;
  }
  return std::nullopt;
}

bool is_dns_subdomain(std::string_view s) {
  return !s.empty() && s.size() <= 253 && std::isalnum(static_cast<unsigned char>(s.front())) &&
         std::isalnum(static_cast<unsigned char>(s.back())) &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
         });
}

bool is_configmap_key(std::string_view s) {
  return !s.empty() && s.size() <= 253 && s != "." && s != ".." &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

}  // namespace

ModelContainer model_container(const Workload& w) {
  ModelContainer out;
  if (auto named = w.annotation(kModelContainerKey)) {
    const std::string_view name = trim(*named);
    for (const Container& c : w.containers) {
      if (c.type == Container::Type::kApp && c.name == name) {
        out.container = &c;
        return out;
      }
    }
    out.missing_name = std::string(name);
    return out;
  }
  const Container* gpu = nullptr;
  const Container* app = nullptr;  // the first app container
  int gpus = 0;
  std::size_t apps = 0;
  for (const Container& c : w.containers) {
    if (c.type != Container::Type::kApp) continue;
    if (apps++ == 0) app = &c;
    if (c.requests_gpu()) {
      gpu = &c;
      ++gpus;
    }
  }
  if (gpus == 1) out.container = gpu;
  else if (gpus == 0 && apps == 1) out.container = app;
  return out;
}

std::optional<Value> declared_value(const Workload& w, DeclaredSource source,
                                    const cluster::ModelCard* card, std::string_view card_where) {
  const std::optional<Declared> d = find_declared(w, source, card);
  if (!d) return std::nullopt;
  switch (d->from) {
    case Declared::From::kAnnotation:
      return Value{std::string(d->text), "annotation " + std::string(meta_key(source)), {}, {}};
    case Declared::From::kLabel:
      return Value{std::string(d->text), "label " + std::string(meta_key(source)), {}, {}};
    case Declared::From::kCard:
      return Value{std::string(d->text), std::string(card_where), {}, {}};
  }
  return std::nullopt;
}

std::optional<std::string_view> declared_text(const Workload& w, DeclaredSource source,
                                              const cluster::ModelCard* card) {
  const std::optional<Declared> d = find_declared(w, source, card);
  if (!d) return std::nullopt;
  return d->text;
}

std::optional<Value> effective_value(const Container& c, EffectiveSource source) {
  static constexpr std::string_view kModelFlags[] = {"--revision", "--model_revision",
                                                     "--model-revision"};
  static constexpr std::string_view kModelEnv[] = {"MODEL_REVISION", "REVISION"};
  static constexpr std::string_view kTokenizerFlags[] = {"--tokenizer-revision",
                                                         "--tokenizer_revision"};
  static constexpr std::string_view kTokenizerEnv[] = {"TOKENIZER_REVISION"};
  static constexpr std::string_view kCodeFlags[] = {"--code-revision"};
  switch (source) {
    case EffectiveSource::kImageTag: {
      auto ref = cuda::parse_image_ref(c.image);
      if (!ref || ref->tag.empty()) return std::nullopt;
      auto v = written(ref->tag, container_where(c, "image tag"));
      if (!v) return std::nullopt;
      v->subject = "image tag";
      v->field_path = c.path.str() + ".image";
      return v;
    }
    case EffectiveSource::kImageCuda: {
      cuda::ImageCuda ic = cuda::cuda_from_image(c.image);
      if (ic.kind != cuda::ImageKind::kCuda) return std::nullopt;
      Value v{cuda::to_string(ic.version), container_where(c, "image CUDA"), "image CUDA",
              c.path.str() + ".image"};
      return v;
    }
    case EffectiveSource::kModelRevision: return revision(c, kModelFlags, kModelEnv);
    case EffectiveSource::kTokenizerRevision: return revision(c, kTokenizerFlags, kTokenizerEnv);
    case EffectiveSource::kCodeRevision: return revision(c, kCodeFlags, {});
  }
  return std::nullopt;
}

std::optional<ModelCardRef> parse_model_card_ref(std::string_view annotation) {
  std::string_view s = trim(annotation);
  std::size_t slash = s.find('/');
  ModelCardRef ref;
  ref.configmap = std::string(s.substr(0, slash));
  ref.key = slash == std::string_view::npos ? std::string(cluster::kDefaultModelCardKey)
                                            : std::string(s.substr(slash + 1));
  if (!is_dns_subdomain(ref.configmap) || !is_configmap_key(ref.key)) return std::nullopt;
  return ref;
}

}  // namespace preflight::checks::skew
