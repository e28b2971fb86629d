#include "checks/object_ref.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "checks/edit_distance.h"

namespace preflight::checks {

namespace {

using cluster::Lookup;
using cluster::Resource;

constexpr std::size_t kMaxQuoted = 40;
constexpr std::size_t kMaxReason = 100;
constexpr std::size_t kMaxHintDistance = 3;
// Bounds the findings (and the hint searches) a hostile object can cause in one field.
constexpr std::size_t kMaxProblemsPerField = 16;

// What tells the two checks apart.
struct RefSpec {
  std::string_view id;
  Resource resource;
  EnvVar::Source env_source;
  std::string_view env_suffix;  // appended to EnvVar::path
  EnvFromSource::Kind env_from_kind;
  std::string_view env_from_subject;
  Volume::Kind volume_kind;
  bool checks_pull_secrets;
};

constexpr RefSpec kSecretSpec{
    .id = "secret-ref",
    .resource = Resource::kSecret,
    .env_source = EnvVar::Source::kSecretKeyRef,
    .env_suffix = ".valueFrom.secretKeyRef",
    .env_from_kind = EnvFromSource::Kind::kSecret,
    .env_from_subject = "envFrom secret",
    .volume_kind = Volume::Kind::kSecret,
    .checks_pull_secrets = true,
};
constexpr RefSpec kConfigMapSpec{
    .id = "configmap-ref",
    .resource = Resource::kConfigMap,
    .env_source = EnvVar::Source::kConfigMapKeyRef,
    .env_suffix = ".valueFrom.configMapKeyRef",
    .env_from_kind = EnvFromSource::Kind::kConfigMap,
    .env_from_subject = "envFrom configmap",
    .volume_kind = Volume::Kind::kConfigMap,
    .checks_pull_secrets = false,
};

// Where a reference sits; strings are only built when a finding is made.
struct Site {
  std::string_view container;  // empty: pod-level
  std::string_view subject_kind;
  std::string_view subject_name;
  PartPath path;
  std::string_view path_suffix;
};

struct Reference {
  std::string_view name;
  std::span<const std::string_view> keys;  // referenced keys; empty: existence only
  bool optional = false;
};

// The existing key closest to `key` (ASCII case ignored, so a case-only difference is 0),
// within 3 edits and half the key's length; the first in sorted order on a tie.
std::optional<std::string_view> closest_key(std::string_view key,
                                            const std::vector<std::string>& keys) {
  const std::size_t bound = std::min(kMaxHintDistance, std::max<std::size_t>(1, key.size() / 2));
  std::optional<std::string_view> best;
  std::size_t best_distance = bound + 1;
  for (const std::string& candidate : keys) {
    const std::size_t d = osa_distance(key, candidate, best_distance - 1, CaseMode::kInsensitive);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
      if (d == 0) break;
    }
  }
  return best;
}

// One run of a reference check over one workload.
class RefRun {
 public:
  RefRun(const RefSpec& spec, const Workload& w, const CheckContext& ctx,
         const cluster::ClusterView& cluster, std::vector<Finding>& out)
      : spec_(spec), w_(w), ctx_(ctx), cluster_(cluster), ns_(reference_namespace(w)), out_(out) {}

  void run() {
    for (const Container& c : w_.containers) {
      for (const EnvVar& e : c.env) {
        if (e.source != spec_.env_source) continue;
        const auto key = e.ref_key.empty() ? std::span<const std::string_view>()
                                           : std::span<const std::string_view>(&e.ref_key, 1);
        check({c.name, "env", e.name, e.path, spec_.env_suffix}, {e.ref_name, key, e.optional},
              Enforcement::kDeny);
      }
      for (const EnvFromSource& s : c.env_from) {
        if (s.kind != spec_.env_from_kind) continue;
        check({c.name, spec_.env_from_subject, s.name, s.path, {}}, {s.name, {}, s.optional},
              Enforcement::kDeny);
      }
    }
    for (const Volume& v : w_.volumes) {
      if (v.kind != spec_.volume_kind) continue;
      check({{}, "volume", v.name, v.path, {}}, {v.ref_name, v.keys, v.optional},
            Enforcement::kDeny);
    }
    if (spec_.checks_pull_secrets) check_pull_secrets();
  }

 private:
  // kubelet pulls without a pull secret it cannot find (public images still work), so a
  // missing one is a warning. Each problem name is reported once for the whole list.
  void check_pull_secrets() {
    std::array<std::string_view, kMaxProblemsPerField> reported;
    std::size_t n = 0;
    for (const std::string_view name : w_.image_pull_secrets) {
      if (n == reported.size()) return;
      if (std::find(reported.begin(), reported.begin() + n, name) != reported.begin() + n) continue;
      if (check({{}, "imagePullSecrets", name, PartPath(w_.pod_spec_path), ".imagePullSecrets"},
                {name, {}, false}, Enforcement::kWarn,
                "create it, or remove it from imagePullSecrets (private images fail to pull)")) {
        reported[n++] = name;
      }
    }
  }

  // Checks one field's reference; `severity` is the strongest its findings may have. An empty
  // `fix_not_found` stands for "create it before the <kind>, or set optional: true".
  // Returns whether it reported anything.
  bool check(const Site& site, const Reference& ref, Enforcement severity,
             std::string_view fix_not_found = {}) {
    if (ref.optional || ref.name.empty()) return false;
    const Known& known = look_up(ref.name, !ref.keys.empty());
    switch (known.lookup) {
      case Lookup::kFound:
        return check_keys(site, ref, severity, known.keys);
      case Lookup::kNotFound: {
        Finding& f = add(site, severity);
        f.message = std::string(resource_word(spec_.resource))
                        .append(" \"")
                        .append(short_name(ref.name))
                        .append("\" not found in namespace \"")
                        .append(short_name(ns_))
                        .append("\"");
        f.fix = !fix_not_found.empty()
                    ? std::string(fix_not_found)
                    : std::string("create it before the ")
                          .append(w_.kind_name.empty() ? "workload" : w_.kind_name)
                          .append(", or set optional: true");
        return true;
      }
      case Lookup::kUnknown: {
        const std::optional<Enforcement> s = unverified_severity(ctx_.policy, severity);
        if (!s) return false;
        if (!reason_fetched_) {
          reason_ = cluster_.unknown_reason(spec_.resource);
          reason_fetched_ = true;
        }
        describe_unverified(add(site, *s), spec_.resource, ref.name, reason_);
        return true;
      }
    }
    return false;
  }

  // One finding per distinct missing key, in the order the field lists them.
  bool check_keys(const Site& site, const Reference& ref, Enforcement severity,
                  const std::vector<std::string>& keys) {
    std::array<std::string_view, kMaxProblemsPerField> reported;
    std::size_t n = 0;
    for (const std::string_view key : ref.keys) {
      if (key.empty() || std::binary_search(keys.begin(), keys.end(), key)) continue;
      if (std::find(reported.begin(), reported.begin() + n, key) != reported.begin() + n) continue;
      if (n == reported.size()) break;
      reported[n++] = key;
      const std::string_view word = resource_word(spec_.resource);
      Finding& f = add(site, severity);
      f.message = std::string(word)
                      .append(" \"")
                      .append(short_name(ref.name))
                      .append("\" has no key \"")
                      .append(short_name(key))
                      .append("\"");
      if (const std::optional<std::string_view> hint = closest_key(key, keys)) {
        f.message.append(" (did you mean \"").append(short_name(*hint)).append("\"?)");
      }
      f.fix = std::string("add the key to the ").append(word).append(" or fix the key name");
    }
    return n > 0;
  }

  // What the cluster view answered for one name, and the object's key names when asked for.
  struct Known {
    std::string_view name;
    Lookup lookup = Lookup::kUnknown;
    bool with_keys = false;
    std::vector<std::string> keys;  // sorted; filled when with_keys and kFound
  };

  // Looks `name` up once per run: a workload names the same Secret or ConfigMap in several
  // fields (each container's env, envFrom, a volume), and every lookup that asks for keys
  // copies the object's key names. The first kMaxRemembered names are remembered (a bound on
  // the linear search a hostile object could cause); the rest are looked up each time.
  const Known& look_up(std::string_view name, bool want_keys) {
    for (Known& k : known_) {
      if (k.name != name) continue;
      if (want_keys && !k.with_keys) fetch(k, true);
      return k;
    }
    if (known_.empty()) known_.reserve(kMaxRemembered);
    Known& k = known_.size() < kMaxRemembered ? known_.emplace_back() : uncached_;
    k.name = name;
    fetch(k, want_keys);
    return k;
  }

  void fetch(Known& k, bool want_keys) {
    k.keys.clear();
    k.with_keys = want_keys;
    k.lookup = cluster_.find(spec_.resource, ns_, k.name, want_keys ? &k.keys : nullptr);
  }

  Finding& add(const Site& site, Enforcement severity) {
    Finding& f = out_.emplace_back();
    f.check = std::string(spec_.id);
    f.severity = severity;
    f.container = std::string(site.container);
    f.subject = std::string(site.subject_kind).append(" ").append(short_name(site.subject_name));
    f.field_path = site.path.str().append(site.path_suffix);
    return f;
  }

  const RefSpec& spec_;
  const Workload& w_;
  const CheckContext& ctx_;
  const cluster::ClusterView& cluster_;
  const std::string_view ns_;
  std::vector<Finding>& out_;
  static constexpr std::size_t kMaxRemembered = 16;
  std::vector<Known> known_;  // names looked up so far, in first-lookup order
  Known uncached_;            // past kMaxRemembered: the latest lookup only
  std::string reason_;             // unknown_reason, fetched on first need
  bool reason_fetched_ = false;
};

class ObjectRef final : public Check {
 public:
  explicit ObjectRef(const RefSpec& spec) : spec_(spec) {}

  std::string_view id() const override { return spec_.id; }

  std::vector<Finding> run(const Workload& workload, const CheckContext& ctx) const override {
    std::vector<Finding> out;
    if (ctx.cluster == nullptr) return out;  // nothing to check against
    RefRun(spec_, workload, ctx, *ctx.cluster, out).run();
    return out;
  }

 private:
  const RefSpec& spec_;
};

}  // namespace

std::unique_ptr<Check> make_object_ref_check(Resource resource) {
  switch (resource) {
    case Resource::kSecret:
      return std::make_unique<ObjectRef>(kSecretSpec);
    case Resource::kConfigMap:
      return std::make_unique<ObjectRef>(kConfigMapSpec);
    case Resource::kServiceAccount:
    case Resource::kNode:
      break;
  }
  std::fprintf(stderr, "preflight: no reference check for resource %d\n",
               static_cast<int>(resource));
  std::abort();
}

std::string_view reference_namespace(const Workload& workload) {
  return workload.namespace_name.empty() ? std::string_view("default")
                                         : std::string_view(workload.namespace_name);
}

std::string_view resource_word(Resource resource) {
  switch (resource) {
    case Resource::kSecret:
      return "secret";
    case Resource::kConfigMap:
      return "configmap";
    case Resource::kServiceAccount:
      return "serviceaccount";
    case Resource::kNode:
      return "node";
  }
  return "object";
}

std::string short_name(std::string_view name) {
  if (name.size() <= kMaxQuoted) return std::string(name);
  return std::string(name.substr(0, kMaxQuoted)).append("...");
}

std::optional<Enforcement> unverified_severity(const policy::Policy& policy, Enforcement cap) {
  switch (policy.cluster_unavailable) {
    case policy::UnavailableMode::kAllow:
      return std::nullopt;
    case policy::UnavailableMode::kWarn:
      return std::min(Enforcement::kWarn, cap);
    case policy::UnavailableMode::kDeny:
      return std::min(Enforcement::kDeny, cap);
  }
  return std::nullopt;
}

void describe_unverified(Finding& f, Resource resource, std::string_view name,
                         std::string_view reason) {
  const std::string_view word = resource_word(resource);
  f.unverified = true;
  f.message = std::string("could not check ")
                  .append(word)
                  .append(" \"")
                  .append(short_name(name))
                  .append("\": ")
                  .append(reason.substr(0, kMaxReason));
  if (reason.size() > kMaxReason) f.message.append("...");
  f.fix = std::string("retry when preflight has synced the cluster state, or create the ")
              .append(word)
              .append(" first");
}

}  // namespace preflight::checks
