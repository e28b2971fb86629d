#include "workload/workload.h"

#include <array>
#include <cstddef>

#include <nlohmann/json.hpp>

#include "util/json_ref.h"
#include "workload/field_path.h"

namespace preflight {

using nlohmann::json;

std::string_view to_string(WorkloadKind k) {
  switch (k) {
    case WorkloadKind::kDeployment: return "Deployment";
    case WorkloadKind::kStatefulSet: return "StatefulSet";
    case WorkloadKind::kDaemonSet: return "DaemonSet";
    case WorkloadKind::kReplicaSet: return "ReplicaSet";
    case WorkloadKind::kJob: return "Job";
    case WorkloadKind::kCronJob: return "CronJob";
    case WorkloadKind::kPod: return "Pod";
    case WorkloadKind::kConfigMap: return "ConfigMap";
  }
  return "Unknown";
}

std::optional<WorkloadKind> kind_for_resource(std::string_view group, std::string_view resource) {
  if (group == "apps") {
    if (resource == "deployments") return WorkloadKind::kDeployment;
    if (resource == "statefulsets") return WorkloadKind::kStatefulSet;
    if (resource == "daemonsets") return WorkloadKind::kDaemonSet;
    if (resource == "replicasets") return WorkloadKind::kReplicaSet;
  } else if (group == "batch") {
    if (resource == "jobs") return WorkloadKind::kJob;
    if (resource == "cronjobs") return WorkloadKind::kCronJob;
  } else if (group.empty()) {
    if (resource == "pods") return WorkloadKind::kPod;
    if (resource == "configmaps") return WorkloadKind::kConfigMap;
  } else if (group == "extensions") {  // pre-1.16 clusters; matchPolicy Equivalent converts these
    if (resource == "deployments") return WorkloadKind::kDeployment;
    if (resource == "daemonsets") return WorkloadKind::kDaemonSet;
    if (resource == "replicasets") return WorkloadKind::kReplicaSet;
  }
  return std::nullopt;
}

std::optional<WorkloadKind> kind_for_object(std::string_view api_version, std::string_view kind) {
  std::string_view group;
  if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
    group = api_version.substr(0, slash);
  }
  static constexpr std::pair<std::string_view, WorkloadKind> kKinds[] = {
      {"Deployment", WorkloadKind::kDeployment}, {"StatefulSet", WorkloadKind::kStatefulSet},
      {"DaemonSet", WorkloadKind::kDaemonSet},   {"ReplicaSet", WorkloadKind::kReplicaSet},
      {"Job", WorkloadKind::kJob},               {"CronJob", WorkloadKind::kCronJob},
      {"Pod", WorkloadKind::kPod},               {"ConfigMap", WorkloadKind::kConfigMap},
  };
  for (const auto& [name, k] : kKinds) {
    if (kind != name) continue;
    bool core = k == WorkloadKind::kPod || k == WorkloadKind::kConfigMap;
    bool batch = k == WorkloadKind::kJob || k == WorkloadKind::kCronJob;
    if (core && group.empty()) return k;
    if (batch && group == "batch") return k;
    if (!core && !batch && (group == "apps" || group == "extensions")) return k;
  }
  return std::nullopt;
}

bool Container::requests_gpu() const {
  auto gpu = [](const StringMap& m) {
    for (const auto& [name, qty] : m) {
      bool is_gpu = name == "nvidia.com/gpu" || name.starts_with("nvidia.com/mig-") ||
                    name == "amd.com/gpu" || name == "gpu.intel.com/i915";
      if (is_gpu && !qty.empty() && qty != "0") return true;
    }
    return false;
  };
  return gpu(resource_limits) || gpu(resource_requests);
}

std::string_view WorkloadText::own(std::string_view text) {
  if (text.empty()) return {};
  if (!owned_) owned_ = std::make_shared<std::deque<std::string>>();
  return owned_->emplace_back(text);
}

std::string Workload::display() const {
  std::string out(kind_name);
  out.push_back(' ');
  if (!namespace_name.empty()) out.append(namespace_name).push_back('/');
  out.append(name.empty() ? "<generated name>" : name);
  return out;
}

namespace {
std::optional<std::string_view> lookup(const StringMap& a, const StringMap& b,
                                       std::string_view key) {
  if (auto it = a.find(key); it != a.end()) return std::string_view(it->second);
  if (auto it = b.find(key); it != b.end()) return std::string_view(it->second);
  return std::nullopt;
}
}  // namespace

std::optional<std::string_view> Workload::annotation(std::string_view key) const {
  return lookup(annotations, template_annotations, key);
}

std::optional<std::string_view> Workload::label(std::string_view key) const {
  return lookup(labels, template_labels, key);
}

namespace {

// The members of an object that a reader looks at, found in one pass over the object: a
// container has a dozen members and is read for seven, and one search per name would walk
// them seven times. Member i is the value of the member named names[i] (the last one of that
// name, as find() has it; null values included), or nullopt when there is none.
template <class V, std::size_t N>
class Members {
 public:
  Members(const V& object, const std::array<std::string_view, N>& names) {
    object.for_each_member([&](std::string_view key, const V& value) {
      for (std::size_t i = 0; i < N; ++i) {
        if (key == names[i]) {
          values_[i] = value;
          return;
        }
      }
    });
  }
  const std::optional<V>& operator[](std::size_t i) const { return values_[i]; }

 private:
  std::array<std::optional<V>, N> values_;
};

// The members read of each kind of object, indices into its Members.
namespace pod_spec {
enum : std::size_t {
  kServiceAccountName, kServiceAccount, kNodeSelector, kImagePullSecrets, kAffinity,
  kContainers, kInitContainers, kEphemeralContainers, kVolumes,
};
constexpr std::array<std::string_view, 9> kNames = {
    "serviceAccountName", "serviceAccount", "nodeSelector", "imagePullSecrets", "affinity",
    "containers", "initContainers", "ephemeralContainers", "volumes"};
}  // namespace pod_spec
namespace container {
enum : std::size_t { kName, kImage, kCommand, kArgs, kEnv, kEnvFrom, kResources };
constexpr std::array<std::string_view, 7> kNames = {"name", "image", "command", "args",
                                                    "env", "envFrom", "resources"};
}  // namespace container
namespace env_var {
enum : std::size_t { kName, kValue, kValueFrom };
constexpr std::array<std::string_view, 3> kNames = {"name", "value", "valueFrom"};
}  // namespace env_var
namespace value_from {
enum : std::size_t { kSecretKeyRef, kConfigMapKeyRef, kFieldRef, kResourceFieldRef };
constexpr std::array<std::string_view, 4> kNames = {"secretKeyRef", "configMapKeyRef",
                                                    "fieldRef", "resourceFieldRef"};
}  // namespace value_from
namespace key_ref {  // secretKeyRef, configMapKeyRef; envFrom's secretRef, configMapRef (no key)
enum : std::size_t { kName, kKey, kOptional };
constexpr std::array<std::string_view, 3> kNames = {"name", "key", "optional"};
}  // namespace key_ref
namespace env_from {
enum : std::size_t { kPrefix, kSecretRef, kConfigMapRef };
constexpr std::array<std::string_view, 3> kNames = {"prefix", "secretRef", "configMapRef"};
}  // namespace env_from
namespace volume {
enum : std::size_t { kName, kSecret, kConfigMap, kProjected };
constexpr std::array<std::string_view, 4> kNames = {"name", "secret", "configMap", "projected"};
}  // namespace volume
namespace metadata {
enum : std::size_t { kName, kGenerateName, kNamespace, kLabels, kAnnotations };
constexpr std::array<std::string_view, 5> kNames = {"name", "generateName", "namespace", "labels",
                                                    "annotations"};
}  // namespace metadata

// Reads the parts of a pod spec the checks use. Every type error names its field path, so
// a malformed manifest gets a precise message instead of a crash or a silent pass. `path` is
// the path of the object whose member `key` a reader is given; the error names that `key`.
// Members come as found by Members or find(): nullopt when absent.
//
// Only the first error is kept, so the readers run in a fixed order whatever the order of
// the members in the document. Strings are views into the document; those kept in the
// Workload go through keep(), which copies them when the document may die first.
template <class V>
class Reader {
 public:
  using Member = std::optional<V>;

  // `copy`: whether the Workload must own copies of the strings it keeps.
  Reader(WorkloadText& text, bool copy) : text_(text), copy_(copy) {}

  std::string error;
  FieldPath path;  // for messages only

  bool ok() const { return error.empty(); }

  // `s`, a string of the document, made safe to keep in the Workload.
  std::string_view keep(std::string_view s) { return copy_ ? text_.own(s) : s; }

  Member object(const Member& m, std::string_view key) {
    if (!m || m->is_null()) return std::nullopt;
    if (!m->is_object()) fail(key, " is not an object");
    return ok() ? m : std::nullopt;
  }
  Member object_at(const V& parent, std::string_view key) { return object(parent.find(key), key); }

  Member array(const Member& m, std::string_view key) {
    if (!m || m->is_null()) return std::nullopt;
    if (!m->is_array()) fail(key, " is not a list");
    return ok() ? m : std::nullopt;
  }
  Member array_at(const V& parent, std::string_view key) { return array(parent.find(key), key); }

  // The string `m` (kept), "" when absent or null.
  std::string_view string(const Member& m, std::string_view key) {
    if (!m || m->is_null()) return {};
    if (m->is_string()) return keep(m->string());
    // Kubernetes accepts only strings here; a manifest with an unquoted number is wrong.
    fail(key, " is not a string");
    return {};
  }
  std::string_view string_at(const V& parent, std::string_view key) {
    return string(parent.find(key), key);
  }

  bool boolean(const Member& m, std::string_view key) {
    if (!m || m->is_null()) return false;
    if (m->is_boolean()) return m->boolean();
    fail(key, " is not a boolean");
    return false;
  }

  void string_map(const Member& member, std::string_view key, StringMap& out) {
    std::optional<V> m = object(member, key);
    if (!m) return;
    out.reserve(m->size());
    // The error names the first bad member in key order (the order of nlohmann's objects).
    std::optional<std::string_view> bad;
    m->for_each_member([&](std::string_view k, const V& v) {
      if (v.is_string()) {
        out.append(keep(k), keep(v.string()));
      } else if (v.is_number() || v.is_boolean()) {
        // Quantities may arrive as numbers in manifests: their text is in no document.
        out.append(keep(k), text_.own(v.dump()));
      } else if (!v.is_null() && (!bad || k < *bad)) {
        bad = k;
      }
    });
    out.sort_appended();
    if (bad) {
      const FieldPath::Scope in = path.enter(key);
      fail(*bad, " is not a string");
    }
  }
  void string_map_at(const V& parent, std::string_view key, StringMap& out) {
    string_map(parent.find(key), key, out);
  }

  void string_list(const Member& member, std::string_view key,
                   std::vector<std::string_view>& out) {
    std::optional<V> a = array(member, key);
    if (!a) return;
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      const V v = (*a)[i];
      if (!v.is_string()) {
        const FieldPath::Scope in = path.enter(key);
        const FieldPath::Scope at = path.enter(i);
        fail_here(" is not a string");
        out.clear();
        return;
      }
      out.emplace_back(keep(v.string()));
    }
  }

  // Fails for the `key` of the object at the current path.
  void fail(std::string_view key, std::string_view what) {
    if (error.empty()) error = path.child(key).append(what);
  }
  // Fails for the current path itself.
  void fail_here(std::string_view what) {
    if (error.empty()) error = path.str() + std::string(what);
  }

 private:
  WorkloadText& text_;
  bool copy_;
};

// Reads env and envFrom of container `out`; r.path is the container's.
template <class V>
void read_env(Reader<V>& r, const std::optional<V>& env_member,
              const std::optional<V>& env_from_member, Container& out) {
  if (auto env = r.array(env_member, "env")) {
    const FieldPath::Scope in_env = r.path.enter("env");
    out.env.reserve(env->size());
    for (std::size_t i = 0; i < env->size() && r.ok(); ++i) {
      const FieldPath::Scope at = r.path.enter(i);
      const V e = (*env)[i];
      if (!e.is_object()) {
        r.fail_here(" is not an object");
        return;
      }
      const Members em(e, env_var::kNames);
      EnvVar& v = out.env.emplace_back();
      v.path = out.path.at("env", i);
      v.name = r.string(em[env_var::kName], "name");
      v.value = r.string(em[env_var::kValue], "value");
      if (auto from = r.object(em[env_var::kValueFrom], "valueFrom")) {
        const FieldPath::Scope in_from = r.path.enter("valueFrom");
        const Members fm(*from, value_from::kNames);
        auto read_key_ref = [&](std::size_t member, EnvVar::Source source) {
          const std::string_view field = value_from::kNames[member];
          if (auto ref = r.object(fm[member], field)) {
            const FieldPath::Scope in_ref = r.path.enter(field);
            const Members rm(*ref, key_ref::kNames);
            v.source = source;
            v.ref_name = r.string(rm[key_ref::kName], "name");
            v.ref_key = r.string(rm[key_ref::kKey], "key");
            v.optional = r.boolean(rm[key_ref::kOptional], "optional");
          }
        };
        read_key_ref(value_from::kSecretKeyRef, EnvVar::Source::kSecretKeyRef);
        read_key_ref(value_from::kConfigMapKeyRef, EnvVar::Source::kConfigMapKeyRef);
        // Present at all (even null) is enough for these two, as before.
        if (fm[value_from::kFieldRef]) v.source = EnvVar::Source::kFieldRef;
        if (fm[value_from::kResourceFieldRef]) v.source = EnvVar::Source::kResourceFieldRef;
      }
    }
  }
  auto env_from = r.array(env_from_member, "envFrom");
  if (!env_from) return;
  const FieldPath::Scope in_env_from = r.path.enter("envFrom");
  for (std::size_t i = 0; i < env_from->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    const V e = (*env_from)[i];
    if (!e.is_object()) {
      r.fail_here(" is not an object");
      return;
    }
    const Members em(e, env_from::kNames);
    const std::string_view prefix = r.string(em[env_from::kPrefix], "prefix");
    using Kind = EnvFromSource::Kind;
    for (auto [member, kind] : {std::pair{env_from::kSecretRef, Kind::kSecret},
                                std::pair{env_from::kConfigMapRef, Kind::kConfigMap}}) {
      const std::string_view field = env_from::kNames[member];
      if (auto ref = r.object(em[member], field)) {
        const FieldPath::Scope in_ref = r.path.enter(field);
        const Members rm(*ref, key_ref::kNames);
        EnvFromSource& one = out.env_from.emplace_back();
        one.prefix = prefix;
        one.kind = kind;
        one.path = out.path.at("envFrom", i).field(field);
        one.name = r.string(rm[key_ref::kName], "name");
        one.optional = r.boolean(rm[key_ref::kOptional], "optional");
      }
    }
  }
}

// r.path is the pod spec's; `list_member` is its member `field`.
// `field` is static text (PartPath keeps a view of it).
template <class V>
void read_containers(Reader<V>& r, const std::optional<V>& list_member, std::string_view field,
                     Container::Type type, Workload& w) {
  auto list = r.array(list_member, field);
  if (!list) return;
  const FieldPath::Scope in_list = r.path.enter(field);
  for (std::size_t i = 0; i < list->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    const V c = (*list)[i];
    if (!c.is_object()) {
      r.fail_here(" is not an object");
      return;
    }
    const Members cm(c, container::kNames);
    Container& out = w.containers.emplace_back();
    out.type = type;
    out.path = PartPath(w.pod_spec_path).at(field, i);
    out.name = r.string(cm[container::kName], "name");
    out.image = r.string(cm[container::kImage], "image");
    r.string_list(cm[container::kCommand], "command", out.command);
    r.string_list(cm[container::kArgs], "args", out.args);
    read_env(r, cm[container::kEnv], cm[container::kEnvFrom], out);
    if (auto res = r.object(cm[container::kResources], "resources")) {
      const FieldPath::Scope in_res = r.path.enter("resources");
      const Members rm(*res, std::array<std::string_view, 2>{"limits", "requests"});
      r.string_map(rm[0], "limits", out.resource_limits);
      r.string_map(rm[1], "requests", out.resource_requests);
    }
  }
}

// r.path is the pod spec's; `list_member` is its member "volumes".
template <class V>
void read_volumes(Reader<V>& r, const std::optional<V>& list_member, Workload& w) {
  auto list = r.array(list_member, "volumes");
  if (!list) return;
  w.volumes.reserve(list->size());  // most volumes are not Secrets or ConfigMaps: a bound
  const FieldPath::Scope in_list = r.path.enter("volumes");
  for (std::size_t i = 0; i < list->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    const V v = (*list)[i];
    if (!v.is_object()) {
      r.fail_here(" is not an object");
      return;
    }
    const Members vm(v, volume::kNames);
    const std::string_view name = r.string(vm[volume::kName], "name");
    const PartPath at_volume = PartPath(w.pod_spec_path).at("volumes", i);
    // `src` is the member `field` (static text) of the object at r.path, which is `parent`.
    auto add = [&](Volume::Kind kind, const V& src, const PartPath& parent,
                   std::string_view field, std::string_view name_field) {
      const FieldPath::Scope in_src = r.path.enter(field);
      const Members sm(src, std::array<std::string_view, 3>{name_field, "optional", "items"});
      Volume& vol = w.volumes.emplace_back();
      vol.name = name;
      vol.kind = kind;
      vol.path = parent.field(field);
      vol.ref_name = r.string(sm[0], name_field);
      vol.optional = r.boolean(sm[1], "optional");
      if (auto items = r.array(sm[2], "items")) {
        const FieldPath::Scope in_items = r.path.enter("items");
        for (std::size_t k = 0; k < items->size() && r.ok(); ++k) {
          if ((*items)[k].is_object()) {
            const FieldPath::Scope at_item = r.path.enter(k);
            vol.keys.emplace_back(r.string_at((*items)[k], "key"));
          }
        }
      }
    };
    if (auto s = r.object(vm[volume::kSecret], "secret")) {
      add(Volume::Kind::kSecret, *s, at_volume, "secret", "secretName");
    } else if (auto cm = r.object(vm[volume::kConfigMap], "configMap")) {
      add(Volume::Kind::kConfigMap, *cm, at_volume, "configMap", "name");
    } else if (auto p = r.object(vm[volume::kProjected], "projected")) {
      const FieldPath::Scope in_projected = r.path.enter("projected");
      if (auto sources = r.array_at(*p, "sources")) {
        const FieldPath::Scope in_sources = r.path.enter("sources");
        for (std::size_t k = 0; k < sources->size() && r.ok(); ++k) {
          const FieldPath::Scope in_source = r.path.enter(k);
          const V src = (*sources)[k];
          if (!src.is_object()) continue;
          const PartPath at_source = at_volume.at("projected.sources", k);
          if (auto s = r.object_at(src, "secret")) {
            add(Volume::Kind::kSecret, *s, at_source, "secret", "name");
          } else if (auto cm = r.object_at(src, "configMap")) {
            add(Volume::Kind::kConfigMap, *cm, at_source, "configMap", "name");
          }
        }
      }
    }
  }
}

// r.path is the pod spec's; `affinity_member` is its member "affinity".
template <class V>
void read_node_affinity(Reader<V>& r, const std::optional<V>& affinity_member, Workload& w) {
  constexpr std::string_view kRequired = "requiredDuringSchedulingIgnoredDuringExecution";
  static constexpr std::string_view kTermsPath =
      "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
  auto affinity = r.object(affinity_member, "affinity");
  if (!affinity) return;
  const FieldPath::Scope in_affinity = r.path.enter("affinity");
  auto node = r.object_at(*affinity, "nodeAffinity");
  if (!node) return;
  const FieldPath::Scope in_node = r.path.enter("nodeAffinity");
  auto required = r.object_at(*node, kRequired);
  if (!required) return;
  const FieldPath::Scope in_required = r.path.enter(kRequired);
  auto terms = r.array_at(*required, "nodeSelectorTerms");
  if (!terms) return;
  const FieldPath::Scope in_terms = r.path.enter("nodeSelectorTerms");
  w.required_node_affinity.reserve(terms->size());
  for (std::size_t i = 0; i < terms->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    if (!(*terms)[i].is_object()) continue;
    NodeSelectorTerm& term = w.required_node_affinity.emplace_back();
    term.path = PartPath(w.pod_spec_path).at(kTermsPath, i);
    auto exprs = r.array_at((*terms)[i], "matchExpressions");
    if (exprs) {
      const FieldPath::Scope in_exprs = r.path.enter("matchExpressions");
      term.match_expressions.reserve(exprs->size());
      for (std::size_t k = 0; k < exprs->size() && r.ok(); ++k) {
        const V e = (*exprs)[k];
        if (!e.is_object()) continue;
        const FieldPath::Scope at_expr = r.path.enter(k);
        NodeSelectorRequirement& req = term.match_expressions.emplace_back();
        req.key = r.string_at(e, "key");
        req.op = r.string_at(e, "operator");
        r.string_list(e.find("values"), "values", req.values);
      }
    }
  }
}

// r.path and w.pod_spec_path are the pod spec's.
template <class V>
void read_pod_spec(Reader<V>& r, const V& spec, Workload& w) {
  const Members sm(spec, pod_spec::kNames);
  w.service_account = r.string(sm[pod_spec::kServiceAccountName], "serviceAccountName");
  if (w.service_account.empty()) {
    w.service_account = r.string(sm[pod_spec::kServiceAccount], "serviceAccount");
  }
  r.string_map(sm[pod_spec::kNodeSelector], "nodeSelector", w.node_selector);
  if (auto ips = r.array(sm[pod_spec::kImagePullSecrets], "imagePullSecrets")) {
    const FieldPath::Scope in_ips = r.path.enter("imagePullSecrets");
    w.image_pull_secrets.reserve(ips->size());
    for (std::size_t i = 0; i < ips->size(); ++i) {
      const V s = (*ips)[i];
      if (!s.is_object()) continue;
      const FieldPath::Scope at = r.path.enter(i);
      w.image_pull_secrets.emplace_back(r.string_at(s, "name"));
    }
  }
  read_node_affinity(r, sm[pod_spec::kAffinity], w);
  // One allocation for all containers (a bound: a list may turn out not to be a list).
  std::size_t containers = 0;
  for (std::size_t list : {pod_spec::kContainers, pod_spec::kInitContainers,
                           pod_spec::kEphemeralContainers}) {
    if (sm[list] && sm[list]->is_array()) containers += sm[list]->size();
  }
  w.containers.reserve(containers);
  read_containers(r, sm[pod_spec::kContainers], "containers", Container::Type::kApp, w);
  read_containers(r, sm[pod_spec::kInitContainers], "initContainers", Container::Type::kInit, w);
  read_containers(r, sm[pod_spec::kEphemeralContainers], "ephemeralContainers",
                  Container::Type::kEphemeral, w);
  read_volumes(r, sm[pod_spec::kVolumes], w);
}

// `document`: what the strings of `object` point into, kept alive by the Workload; null: the
// Workload copies them.
template <class V>
Result<Workload> build_workload(const V& object, WorkloadKind kind,
                                std::shared_ptr<const void> document) {
  if (!object.is_object()) return make_error("object is not a JSON object");
  Workload w;
  w.kind = kind;
  w.kind_name = to_string(kind);
  const bool copy = document == nullptr;
  w.text.keep_alive(std::move(document));
  Reader<V> r(w.text, copy);
  if (auto it = object.find("kind");
      it && it->is_string() && !it->string().empty() && it->string() != w.kind_name) {
    return make_error(std::string("object is a ")
                          .append(it->string())
                          .append(", expected a ")
                          .append(w.kind_name));
  }
  if (auto meta = r.object_at(object, "metadata")) {
    const FieldPath::Scope in_meta = r.path.enter("metadata");
    const Members mm(*meta, metadata::kNames);
    w.name = r.string(mm[metadata::kName], "name");
    if (w.name.empty()) w.name = r.string(mm[metadata::kGenerateName], "generateName");
    w.namespace_name = r.string(mm[metadata::kNamespace], "namespace");
    r.string_map(mm[metadata::kLabels], "labels", w.labels);
    r.string_map(mm[metadata::kAnnotations], "annotations", w.annotations);
  }
  if (kind == WorkloadKind::kConfigMap) {
    r.string_map_at(object, "data", w.data);
    if (!r.ok()) return make_error(r.error);
    return w;
  }
  if (kind == WorkloadKind::kPod) {
    w.template_labels = w.labels;
    w.template_annotations = w.annotations;
    auto spec = r.object_at(object, "spec");
    if (!r.ok()) return make_error(r.error);
    if (!spec) return make_error("Pod has no spec");
    const FieldPath::Scope in_spec = r.path.enter("spec");
    w.pod_spec_path = "spec";
    read_pod_spec(r, *spec, w);
    if (!r.ok()) return make_error(r.error);
    return w;
  }
  // Controllers: the pod template sits under spec.template (CronJob: one level deeper).
  auto spec = r.object_at(object, "spec");
  const bool cron_job = spec && kind == WorkloadKind::kCronJob;
  if (cron_job) {
    const FieldPath::Scope in_spec = r.path.enter("spec");
    auto job = r.object_at(*spec, "jobTemplate");
    const FieldPath::Scope in_job = r.path.enter("jobTemplate");
    spec = job ? r.object_at(*job, "spec") : std::nullopt;
  }
  const FieldPath::Scope in_spec = r.path.enter(cron_job ? "spec.jobTemplate.spec" : "spec");
  auto tmpl = spec ? r.object_at(*spec, "template") : std::nullopt;
  if (!r.ok()) return make_error(r.error);
  if (!tmpl) return make_error(std::string(w.kind_name) + " has no " + r.path.child("template"));
  const FieldPath::Scope in_tmpl = r.path.enter("template");
  if (auto meta = r.object_at(*tmpl, "metadata")) {
    const FieldPath::Scope in_meta = r.path.enter("metadata");
    r.string_map_at(*meta, "labels", w.template_labels);
    r.string_map_at(*meta, "annotations", w.template_annotations);
  }
  auto pod_spec = r.object_at(*tmpl, "spec");
  if (!r.ok()) return make_error(r.error);
  if (!pod_spec) return make_error(std::string(w.kind_name) + " has no " + r.path.child("spec"));
  const FieldPath::Scope in_pod_spec = r.path.enter("spec");
  w.pod_spec_path = cron_job ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec";
  read_pod_spec(r, *pod_spec, w);
  if (!r.ok()) return make_error(r.error);
  return w;
}

}  // namespace

Result<Workload> workload_from_json(const json& object, WorkloadKind kind) {
  return build_workload(JsonRef(object), kind, nullptr);
}

Result<Workload> workload_from_json(const json_view::Value& object, WorkloadKind kind,
                                    std::shared_ptr<const void> document) {
  return build_workload(object, kind, std::move(document));
}

}  // namespace preflight
