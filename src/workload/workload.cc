#include "workload/workload.h"

#include <nlohmann/json.hpp>

#include "util/json_ref.h"

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
// a malformed manifest gets a precise message instead of a crash or a silent pass.
template <class V>
class Reader {
 public:
  std::string error;

  bool ok() const { return error.empty(); }

  std::optional<V> object_at(const V& parent, std::string_view key, const std::string& path) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return std::nullopt;
    if (!it->is_object()) fail(path + " is not an object");
    return ok() ? it : std::nullopt;
  }

  std::optional<V> array_at(const V& parent, std::string_view key, const std::string& path) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return std::nullopt;
    if (!it->is_array()) fail(path + " is not a list");
    return ok() ? it : std::nullopt;
  }

  std::string string_at(const V& parent, std::string_view key, const std::string& path) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return {};
    if (it->is_string()) return std::string(it->string());
    // Kubernetes accepts only strings here; a manifest with an unquoted number is wrong.
    fail(path + " is not a string");
    return {};
  }

  bool bool_at(const V& parent, std::string_view key, const std::string& path) {
    auto it = parent.find(key);
    if (!it || it->is_null()) return false;
    if (it->is_boolean()) return it->boolean();
    fail(path + " is not a boolean");
    return false;
  }

  void string_map(const V& parent, std::string_view key, const std::string& path,
                  StringMap& out) {
    std::optional<V> m = object_at(parent, key, path);
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
    if (bad) fail(path + "." + std::string(*bad) + " is not a string");
  }

  std::vector<std::string> string_list(const V& parent, std::string_view key,
                                       const std::string& path) {
    std::vector<std::string> out;
    std::optional<V> a = array_at(parent, key, path);
    if (!a) return out;
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      const V v = (*a)[i];
      if (!v.is_string()) {
        fail(path + "[" + std::to_string(i) + "] is not a string");
        return {};
      }
      out.emplace_back(v.string());
    }
    return out;
  }

  void fail(std::string message) {
    if (error.empty()) error = std::move(message);
  }
};

template <class V>
void read_env(Reader<V>& r, const V& c, const std::string& cpath, Container& out) {
  auto env = r.array_at(c, "env", cpath + ".env");
  if (env) {
    out.env.reserve(env->size());
    for (std::size_t i = 0; i < env->size() && r.ok(); ++i) {
      std::string path = cpath + ".env[" + std::to_string(i) + "]";
      const V e = (*env)[i];
      if (!e.is_object()) {
        r.fail(path + " is not an object");
        return;
      }
      EnvVar v;
      v.path = path;
      v.name = r.string_at(e, "name", path + ".name");
      v.value = r.string_at(e, "value", path + ".value");
      if (auto from = r.object_at(e, "valueFrom", path + ".valueFrom")) {
        auto key_ref = [&](std::string_view field, EnvVar::Source source) {
          std::string fpath = path + ".valueFrom." + std::string(field);
          if (auto ref = r.object_at(*from, field, fpath)) {
            v.source = source;
            v.ref_name = r.string_at(*ref, "name", fpath + ".name");
            v.ref_key = r.string_at(*ref, "key", fpath + ".key");
            v.optional = r.bool_at(*ref, "optional", fpath + ".optional");
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
  auto env_from = r.array_at(c, "envFrom", cpath + ".envFrom");
  if (!env_from) return;
  for (std::size_t i = 0; i < env_from->size() && r.ok(); ++i) {
    std::string path = cpath + ".envFrom[" + std::to_string(i) + "]";
    const V e = (*env_from)[i];
    if (!e.is_object()) {
      r.fail(path + " is not an object");
      return;
    }
    EnvFromSource s;
    s.prefix = r.string_at(e, "prefix", path + ".prefix");
    for (auto [field, kind] : {std::pair{"secretRef", EnvFromSource::Kind::kSecret},
                               std::pair{"configMapRef", EnvFromSource::Kind::kConfigMap}}) {
      std::string fpath = path + "." + field;
      if (auto ref = r.object_at(e, field, fpath)) {
        EnvFromSource one = s;
        one.kind = kind;
        one.path = fpath;
        one.name = r.string_at(*ref, "name", fpath + ".name");
        one.optional = r.bool_at(*ref, "optional", fpath + ".optional");
        out.env_from.push_back(std::move(one));
      }
    }
  }
}

template <class V>
void read_containers(Reader<V>& r, const V& spec, const std::string& spec_path,
                     std::string_view field, Container::Type type, Workload& w) {
  std::string list_path = spec_path + "." + std::string(field);
  auto list = r.array_at(spec, field, list_path);
  if (!list) return;
  for (std::size_t i = 0; i < list->size() && r.ok(); ++i) {
    std::string path = list_path + "[" + std::to_string(i) + "]";
    const V c = (*list)[i];
    if (!c.is_object()) {
      r.fail(path + " is not an object");
      return;
    }
    Container out;
    out.type = type;
    out.path = path;
    out.name = r.string_at(c, "name", path + ".name");
    out.image = r.string_at(c, "image", path + ".image");
    out.command = r.string_list(c, "command", path + ".command");
    out.args = r.string_list(c, "args", path + ".args");
    read_env(r, c, path, out);
    if (auto res = r.object_at(c, "resources", path + ".resources")) {
      r.string_map(*res, "limits", path + ".resources.limits", out.resource_limits);
      r.string_map(*res, "requests", path + ".resources.requests", out.resource_requests);
    }
    w.containers.push_back(std::move(out));
  }
}

template <class V>
void read_volumes(Reader<V>& r, const V& spec, const std::string& spec_path, Workload& w) {
  auto list = r.array_at(spec, "volumes", spec_path + ".volumes");
  if (!list) return;
  for (std::size_t i = 0; i < list->size() && r.ok(); ++i) {
    std::string path = spec_path + ".volumes[" + std::to_string(i) + "]";
    const V v = (*list)[i];
    if (!v.is_object()) {
      r.fail(path + " is not an object");
      return;
    }
    std::string name = r.string_at(v, "name", path + ".name");
    auto add = [&](Volume::Kind kind, const V& src, const std::string& src_path,
                   std::string_view name_field) {
      Volume vol;
      vol.name = name;
      vol.kind = kind;
      vol.path = src_path;
      vol.ref_name = r.string_at(src, name_field, src_path + "." + std::string(name_field));
      vol.optional = r.bool_at(src, "optional", src_path + ".optional");
      if (auto items = r.array_at(src, "items", src_path + ".items")) {
        for (std::size_t k = 0; k < items->size() && r.ok(); ++k) {
          if ((*items)[k].is_object()) {
            vol.keys.push_back(r.string_at((*items)[k], "key",
                                           src_path + ".items[" + std::to_string(k) + "].key"));
          }
        }
      }
      w.volumes.push_back(std::move(vol));
    };
    if (auto s = r.object_at(v, "secret", path + ".secret")) {
      add(Volume::Kind::kSecret, *s, path + ".secret", "secretName");
    } else if (auto cm = r.object_at(v, "configMap", path + ".configMap")) {
      add(Volume::Kind::kConfigMap, *cm, path + ".configMap", "name");
    } else if (auto p = r.object_at(v, "projected", path + ".projected")) {
      if (auto sources = r.array_at(*p, "sources", path + ".projected.sources")) {
        for (std::size_t k = 0; k < sources->size() && r.ok(); ++k) {
          std::string spath = path + ".projected.sources[" + std::to_string(k) + "]";
          const V src = (*sources)[k];
          if (!src.is_object()) continue;
          if (auto s = r.object_at(src, "secret", spath + ".secret")) {
            add(Volume::Kind::kSecret, *s, spath + ".secret", "name");
          } else if (auto cm = r.object_at(src, "configMap", spath + ".configMap")) {
            add(Volume::Kind::kConfigMap, *cm, spath + ".configMap", "name");
          }
        }
      }
    }
  }
}

template <class V>
void read_node_affinity(Reader<V>& r, const V& spec, const std::string& spec_path, Workload& w) {
  std::string path = spec_path + ".affinity";
  auto affinity = r.object_at(spec, "affinity", path);
  auto node = affinity ? r.object_at(*affinity, "nodeAffinity", path += ".nodeAffinity") : std::nullopt;
  constexpr std::string_view kRequired = "requiredDuringSchedulingIgnoredDuringExecution";
  auto required = node ? r.object_at(*node, kRequired, path += "." + std::string(kRequired)) : std::nullopt;
  auto terms = required ? r.array_at(*required, "nodeSelectorTerms", path += ".nodeSelectorTerms") : std::nullopt;
  if (!terms) return;
  for (std::size_t i = 0; i < terms->size() && r.ok(); ++i) {
    NodeSelectorTerm term;
    term.path = path + "[" + std::to_string(i) + "]";
    if (!(*terms)[i].is_object()) continue;
    auto exprs = r.array_at((*terms)[i], "matchExpressions", term.path + ".matchExpressions");
    for (std::size_t k = 0; exprs && k < exprs->size() && r.ok(); ++k) {
      const V e = (*exprs)[k];
      std::string epath = term.path + ".matchExpressions[" + std::to_string(k) + "]";
      if (!e.is_object()) continue;
      NodeSelectorRequirement req;
      req.key = r.string_at(e, "key", epath + ".key");
      req.op = r.string_at(e, "operator", epath + ".operator");
      req.values = r.string_list(e, "values", epath + ".values");
      term.match_expressions.push_back(std::move(req));
    }
    w.required_node_affinity.push_back(std::move(term));
  }
}

template <class V>
void read_pod_spec(Reader<V>& r, const V& spec, const std::string& path, Workload& w) {
  w.pod_spec_path = path;
  w.service_account = r.string_at(spec, "serviceAccountName", path + ".serviceAccountName");
  if (w.service_account.empty()) {
    w.service_account = r.string_at(spec, "serviceAccount", path + ".serviceAccount");
  }
  r.string_map(spec, "nodeSelector", path + ".nodeSelector", w.node_selector);
  if (auto ips = r.array_at(spec, "imagePullSecrets", path + ".imagePullSecrets")) {
    for (std::size_t i = 0; i < ips->size(); ++i) {
      const V s = (*ips)[i];
      if (s.is_object()) w.image_pull_secrets.push_back(r.string_at(s, "name", path));
    }
  }
  read_node_affinity(r, spec, path, w);
  read_containers(r, spec, path, "containers", Container::Type::kApp, w);
  read_containers(r, spec, path, "initContainers", Container::Type::kInit, w);
  read_containers(r, spec, path, "ephemeralContainers", Container::Type::kEphemeral, w);
  read_volumes(r, spec, path, w);
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
  if (auto meta = r.object_at(object, "metadata", "metadata")) {
    w.name = r.string_at(*meta, "name", "metadata.name");
    if (w.name.empty()) w.name = r.string_at(*meta, "generateName", "metadata.generateName");
    w.namespace_name = r.string_at(*meta, "namespace", "metadata.namespace");
    r.string_map(*meta, "labels", "metadata.labels", w.labels);
    r.string_map(*meta, "annotations", "metadata.annotations", w.annotations);
  }
  if (kind == WorkloadKind::kConfigMap) {
    r.string_map(object, "data", "data", w.data);
    if (!r.ok()) return make_error(r.error);
    return w;
  }
  if (kind == WorkloadKind::kPod) {
    w.template_labels = w.labels;
    w.template_annotations = w.annotations;
    auto spec = r.object_at(object, "spec", "spec");
    if (!r.ok()) return make_error(r.error);
    if (!spec) return make_error("Pod has no spec");
    read_pod_spec(r, *spec, "spec", w);
    if (!r.ok()) return make_error(r.error);
    return w;
  }
  // Controllers: the pod template sits under spec.template (CronJob: one level deeper).
  auto spec = r.object_at(object, "spec", "spec");
  std::string prefix = "spec";
  if (spec && kind == WorkloadKind::kCronJob) {
    auto job = r.object_at(*spec, "jobTemplate", "spec.jobTemplate");
    spec = job ? r.object_at(*job, "spec", "spec.jobTemplate.spec") : std::nullopt;
    prefix = "spec.jobTemplate.spec";
  }
  auto tmpl = spec ? r.object_at(*spec, "template", prefix + ".template") : std::nullopt;
  if (!r.ok()) return make_error(r.error);
  if (!tmpl) return make_error(w.kind_name + " has no " + prefix + ".template");
  if (auto meta = r.object_at(*tmpl, "metadata", prefix + ".template.metadata")) {
    r.string_map(*meta, "labels", prefix + ".template.metadata.labels", w.template_labels);
    r.string_map(*meta, "annotations", prefix + ".template.metadata.annotations",
                 w.template_annotations);
  }
  auto pod_spec = r.object_at(*tmpl, "spec", prefix + ".template.spec");
  if (!r.ok()) return make_error(r.error);
  if (!pod_spec) return make_error(w.kind_name + " has no " + prefix + ".template.spec");
  read_pod_spec(r, *pod_spec, prefix + ".template.spec", w);
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
