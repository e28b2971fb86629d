#include "workload/workload.h"

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

// Reads the parts of a pod spec the checks use. Every type error names its field path, so
// a malformed manifest gets a precise message instead of a crash or a silent pass. `path` is
// the path of the `parent` passed to the readers below; the error names parent's `key`.
template <class V>
class Reader {
 public:
  std::string error;
  FieldPath path;

  bool ok() const { return error.empty(); }

  std::optional<V> object_at(const V& parent, std::string_view key) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return std::nullopt;
    if (!it->is_object()) fail(key, " is not an object");
    return ok() ? it : std::nullopt;
  }

  std::optional<V> array_at(const V& parent, std::string_view key) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return std::nullopt;
    if (!it->is_array()) fail(key, " is not a list");
    return ok() ? it : std::nullopt;
  }

  std::string string_at(const V& parent, std::string_view key) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return {};
    if (it->is_string()) return std::string(it->string());
    // Kubernetes accepts only strings here; a manifest with an unquoted number is wrong.
    fail(key, " is not a string");
    return {};
  }

  bool bool_at(const V& parent, std::string_view key) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return false;
    if (it->is_boolean()) return it->boolean();
    fail(key, " is not a boolean");
    return false;
  }

  void string_map(const V& parent, std::string_view key, StringMap& out) {
    std::optional<V> m = object_at(parent, key);
    if (!m) return;
    // The error names the first bad member in key order (the order of nlohmann's objects).
    std::optional<std::string_view> bad;
    m->for_each_member([&](std::string_view k, const V& v) {
      if (v.is_string()) {
        out.emplace(k, v.string());
      } else if (v.is_number() || v.is_boolean()) {
        out.emplace(k, v.dump());  // quantities may arrive as numbers in manifests
      } else if (!v.is_null() && (!bad || k < *bad)) {
        bad = k;
      }
    });
    if (bad) {
      const FieldPath::Scope in = path.enter(key);
      fail(*bad, " is not a string");
    }
  }

  std::vector<std::string> string_list(const V& parent, std::string_view key) {
    std::vector<std::string> out;
    std::optional<V> a = array_at(parent, key);
    if (!a) return out;
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      const V v = (*a)[i];
      if (!v.is_string()) {
        const FieldPath::Scope in = path.enter(key);
        const FieldPath::Scope at = path.enter(i);
        fail_here(" is not a string");
        return {};
      }
      out.emplace_back(v.string());
    }
    return out;
  }

  // Fails for parent's `key`.
  void fail(std::string_view key, std::string_view what) {
    if (error.empty()) error = path.child(key).append(what);
  }
  // Fails for the current path itself.
  void fail_here(std::string_view what) {
    if (error.empty()) error = path.str() + std::string(what);
  }
};

// Reads env and envFrom of container `c`; r.path is the container's.
template <class V>
void read_env(Reader<V>& r, const V& c, Container& out) {
  if (auto env = r.array_at(c, "env")) {
    const FieldPath::Scope in_env = r.path.enter("env");
    out.env.reserve(env->size());
    for (std::size_t i = 0; i < env->size() && r.ok(); ++i) {
      const FieldPath::Scope at = r.path.enter(i);
      const V e = (*env)[i];
      if (!e.is_object()) {
        r.fail_here(" is not an object");
        return;
      }
      EnvVar v;
      v.path = r.path.str();
      v.name = r.string_at(e, "name");
      v.value = r.string_at(e, "value");
      if (auto from = r.object_at(e, "valueFrom")) {
        const FieldPath::Scope in_from = r.path.enter("valueFrom");
        auto key_ref = [&](std::string_view field, EnvVar::Source source) {
          if (auto ref = r.object_at(*from, field)) {
            const FieldPath::Scope in_ref = r.path.enter(field);
            v.source = source;
            v.ref_name = r.string_at(*ref, "name");
            v.ref_key = r.string_at(*ref, "key");
            v.optional = r.bool_at(*ref, "optional");
          }
        };
        key_ref("secretKeyRef", EnvVar::Source::kSecretKeyRef);
        key_ref("configMapKeyRef", EnvVar::Source::kConfigMapKeyRef);
        if (from->find("fieldRef")) v.source = EnvVar::Source::kFieldRef;
        if (from->find("resourceFieldRef")) v.source = EnvVar::Source::kResourceFieldRef;
      }
      out.env.push_back(std::move(v));
    }
  }
  auto env_from = r.array_at(c, "envFrom");
  if (!env_from) return;
  const FieldPath::Scope in_env_from = r.path.enter("envFrom");
  for (std::size_t i = 0; i < env_from->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    const V e = (*env_from)[i];
    if (!e.is_object()) {
      r.fail_here(" is not an object");
      return;
    }
    EnvFromSource s;
    s.prefix = r.string_at(e, "prefix");
    for (auto [field, kind] : {std::pair{"secretRef", EnvFromSource::Kind::kSecret},
                               std::pair{"configMapRef", EnvFromSource::Kind::kConfigMap}}) {
      if (auto ref = r.object_at(e, field)) {
        const FieldPath::Scope in_ref = r.path.enter(field);
        EnvFromSource one = s;
        one.kind = kind;
        one.path = r.path.str();
        one.name = r.string_at(*ref, "name");
        one.optional = r.bool_at(*ref, "optional");
        out.env_from.push_back(std::move(one));
      }
    }
  }
}

// r.path is the pod spec's.
template <class V>
void read_containers(Reader<V>& r, const V& spec, std::string_view field, Container::Type type,
                     Workload& w) {
  auto list = r.array_at(spec, field);
  if (!list) return;
  const FieldPath::Scope in_list = r.path.enter(field);
  for (std::size_t i = 0; i < list->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    const V c = (*list)[i];
    if (!c.is_object()) {
      r.fail_here(" is not an object");
      return;
    }
    Container out;
    out.type = type;
    out.path = r.path.str();
    out.name = r.string_at(c, "name");
    out.image = r.string_at(c, "image");
    out.command = r.string_list(c, "command");
    out.args = r.string_list(c, "args");
    read_env(r, c, out);
    if (auto res = r.object_at(c, "resources")) {
      const FieldPath::Scope in_res = r.path.enter("resources");
      r.string_map(*res, "limits", out.resource_limits);
      r.string_map(*res, "requests", out.resource_requests);
    }
    w.containers.push_back(std::move(out));
  }
}

// r.path is the pod spec's.
template <class V>
void read_volumes(Reader<V>& r, const V& spec, Workload& w) {
  auto list = r.array_at(spec, "volumes");
  if (!list) return;
  const FieldPath::Scope in_list = r.path.enter("volumes");
  for (std::size_t i = 0; i < list->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    const V v = (*list)[i];
    if (!v.is_object()) {
      r.fail_here(" is not an object");
      return;
    }
    std::string name = r.string_at(v, "name");
    // `src` is `parent`'s member `field`.
    auto add = [&](Volume::Kind kind, const V& src, std::string_view field,
                   std::string_view name_field) {
      const FieldPath::Scope in_src = r.path.enter(field);
      Volume vol;
      vol.name = name;
      vol.kind = kind;
      vol.path = r.path.str();
      vol.ref_name = r.string_at(src, name_field);
      vol.optional = r.bool_at(src, "optional");
      if (auto items = r.array_at(src, "items")) {
        const FieldPath::Scope in_items = r.path.enter("items");
        for (std::size_t k = 0; k < items->size() && r.ok(); ++k) {
          if ((*items)[k].is_object()) {
            const FieldPath::Scope at_item = r.path.enter(k);
            vol.keys.push_back(r.string_at((*items)[k], "key"));
          }
        }
      }
      w.volumes.push_back(std::move(vol));
    };
    if (auto s = r.object_at(v, "secret")) {
      add(Volume::Kind::kSecret, *s, "secret", "secretName");
    } else if (auto cm = r.object_at(v, "configMap")) {
      add(Volume::Kind::kConfigMap, *cm, "configMap", "name");
    } else if (auto p = r.object_at(v, "projected")) {
      const FieldPath::Scope in_projected = r.path.enter("projected");
      if (auto sources = r.array_at(*p, "sources")) {
        const FieldPath::Scope in_sources = r.path.enter("sources");
        for (std::size_t k = 0; k < sources->size() && r.ok(); ++k) {
          const FieldPath::Scope at_source = r.path.enter(k);
          const V src = (*sources)[k];
          if (!src.is_object()) continue;
          if (auto s = r.object_at(src, "secret")) {
            add(Volume::Kind::kSecret, *s, "secret", "name");
          } else if (auto cm = r.object_at(src, "configMap")) {
            add(Volume::Kind::kConfigMap, *cm, "configMap", "name");
          }
        }
      }
    }
  }
}

// r.path is the pod spec's.
template <class V>
void read_node_affinity(Reader<V>& r, const V& spec, Workload& w) {
  constexpr std::string_view kRequired = "requiredDuringSchedulingIgnoredDuringExecution";
  auto affinity = r.object_at(spec, "affinity");
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
  for (std::size_t i = 0; i < terms->size() && r.ok(); ++i) {
    const FieldPath::Scope at = r.path.enter(i);
    NodeSelectorTerm term;
    term.path = r.path.str();
    if (!(*terms)[i].is_object()) continue;
    auto exprs = r.array_at((*terms)[i], "matchExpressions");
    if (exprs) {
      const FieldPath::Scope in_exprs = r.path.enter("matchExpressions");
      for (std::size_t k = 0; k < exprs->size() && r.ok(); ++k) {
        const V e = (*exprs)[k];
        if (!e.is_object()) continue;
        const FieldPath::Scope at_expr = r.path.enter(k);
        NodeSelectorRequirement req;
        req.key = r.string_at(e, "key");
        req.op = r.string_at(e, "operator");
        req.values = r.string_list(e, "values");
        term.match_expressions.push_back(std::move(req));
      }
    }
    w.required_node_affinity.push_back(std::move(term));
  }
}

// r.path is the pod spec's.
template <class V>
void read_pod_spec(Reader<V>& r, const V& spec, Workload& w) {
  w.pod_spec_path = r.path.str();
  w.service_account = r.string_at(spec, "serviceAccountName");
  if (w.service_account.empty()) w.service_account = r.string_at(spec, "serviceAccount");
  r.string_map(spec, "nodeSelector", w.node_selector);
  if (auto ips = r.array_at(spec, "imagePullSecrets")) {
    const FieldPath::Scope in_ips = r.path.enter("imagePullSecrets");
    for (std::size_t i = 0; i < ips->size(); ++i) {
      const V s = (*ips)[i];
      if (!s.is_object()) continue;
      const FieldPath::Scope at = r.path.enter(i);
      w.image_pull_secrets.push_back(r.string_at(s, "name"));
    }
  }
  read_node_affinity(r, spec, w);
  read_containers(r, spec, "containers", Container::Type::kApp, w);
  read_containers(r, spec, "initContainers", Container::Type::kInit, w);
  read_containers(r, spec, "ephemeralContainers", Container::Type::kEphemeral, w);
  read_volumes(r, spec, w);
}

template <class V>
Result<Workload> build_workload(const V& object, WorkloadKind kind) {
  if (!object.is_object()) return make_error("object is not a JSON object");
  Workload w;
  w.kind = kind;
  w.kind_name = std::string(to_string(kind));
  Reader<V> r;
  if (auto it = object.find("kind");
      it && it->is_string() && !it->string().empty() && it->string() != w.kind_name) {
    return make_error("object is a " + std::string(it->string()) + ", expected a " + w.kind_name);
  }
  if (auto meta = r.object_at(object, "metadata")) {
    const FieldPath::Scope in_meta = r.path.enter("metadata");
    w.name = r.string_at(*meta, "name");
    if (w.name.empty()) w.name = r.string_at(*meta, "generateName");
    w.namespace_name = r.string_at(*meta, "namespace");
    r.string_map(*meta, "labels", w.labels);
    r.string_map(*meta, "annotations", w.annotations);
  }
  if (kind == WorkloadKind::kConfigMap) {
    r.string_map(object, "data", w.data);
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
  if (!tmpl) return make_error(w.kind_name + " has no " + r.path.child("template"));
  const FieldPath::Scope in_tmpl = r.path.enter("template");
  if (auto meta = r.object_at(*tmpl, "metadata")) {
    const FieldPath::Scope in_meta = r.path.enter("metadata");
    r.string_map(*meta, "labels", w.template_labels);
    r.string_map(*meta, "annotations", w.template_annotations);
  }
  auto pod_spec = r.object_at(*tmpl, "spec");
  if (!r.ok()) return make_error(r.error);
  if (!pod_spec) return make_error(w.kind_name + " has no " + r.path.child("spec"));
  const FieldPath::Scope in_pod_spec = r.path.enter("spec");
  read_pod_spec(r, *pod_spec, w);
  if (!r.ok()) return make_error(r.error);
  return w;
}

}  // namespace

Result<Workload> workload_from_json(const json& object, WorkloadKind kind) {
  return build_workload(JsonRef(object), kind);
}

Result<Workload> workload_from_json(const json_view::Value& object, WorkloadKind kind) {
  return build_workload(object, kind);
}

}  // namespace preflight
