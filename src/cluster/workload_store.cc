#include "cluster/workload_store.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "util/yaml_json.h"

namespace preflight::cluster {

using nlohmann::json;

namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

struct Info {
  std::string_view plural;
  std::string_view path;
  WorkloadKind kind;
};

Info info(WorkloadResource r) {
  switch (r) {
    case WorkloadResource::kDeployments:
      return {"deployments", "/apis/apps/v1/deployments", WorkloadKind::kDeployment};
    case WorkloadResource::kStatefulSets:
      return {"statefulsets", "/apis/apps/v1/statefulsets", WorkloadKind::kStatefulSet};
    case WorkloadResource::kDaemonSets:
      return {"daemonsets", "/apis/apps/v1/daemonsets", WorkloadKind::kDaemonSet};
    case WorkloadResource::kReplicaSets:
      return {"replicasets", "/apis/apps/v1/replicasets", WorkloadKind::kReplicaSet};
    case WorkloadResource::kJobs: return {"jobs", "/apis/batch/v1/jobs", WorkloadKind::kJob};
    case WorkloadResource::kCronJobs:
      return {"cronjobs", "/apis/batch/v1/cronjobs", WorkloadKind::kCronJob};
    case WorkloadResource::kPods: return {"pods", "/api/v1/pods", WorkloadKind::kPod};
  }
  return {"unknown", "", WorkloadKind::kPod};
}

// The kind of the controller owner (ownerReferences[].controller == true), or "".
std::string controller_kind(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  auto owners = meta->find("ownerReferences");
  if (owners == meta->end() || !owners->is_array()) return {};
  for (const json& o : *owners) {
    if (!o.is_object()) continue;
    auto controller = o.find("controller");
    if (controller == o.end() || !controller->is_boolean() || !controller->get<bool>()) continue;
    auto kind = o.find("kind");
    return kind != o.end() && kind->is_string() ? kind->get<std::string>() : std::string("?");
  }
  return {};
}

}  // namespace

std::string_view to_string(WorkloadResource r) { return info(r).plural; }
std::string_view api_path(WorkloadResource r) { return info(r).path; }
WorkloadKind workload_kind(WorkloadResource r) { return info(r).kind; }

std::optional<WorkloadResource> workload_resource_for(std::string_view api_version,
                                                      std::string_view kind) {
  auto k = kind_for_object(api_version, kind);
  if (!k) return std::nullopt;
  for (WorkloadResource r : kAllWorkloadResources) {
    if (info(r).kind == *k) return r;
  }
  return std::nullopt;  // ConfigMap
}

bool audited_on_its_own(WorkloadResource r, const json& object) {
  switch (r) {
    case WorkloadResource::kReplicaSets: return controller_kind(object) != "Deployment";
    case WorkloadResource::kJobs: return controller_kind(object) != "CronJob";
    case WorkloadResource::kPods: return controller_kind(object).empty();
    default: return true;
  }
}

Result<std::optional<Workload>> workload_entry_from_object(WorkloadResource r, const json& object) {
  if (!object.is_object()) return make_error("object is not a JSON object");
  if (!audited_on_its_own(r, object)) return std::optional<Workload>();
  Result<Workload> w = workload_from_json(object, workload_kind(r));
  if (!w.ok()) return make_error(w.error());
  if (w->name.empty()) return make_error("object has no metadata.name");
  w->annotations.erase(std::string(kLastApplied));
  w->template_annotations.erase(std::string(kLastApplied));
  if (w->namespace_name.empty()) w->namespace_name = "default";
  return std::optional<Workload>(std::move(w.value()));
}

WorkloadStore::WorkloadStore() = default;

void WorkloadStore::set_tracked(std::vector<WorkloadResource> resources) {
  tracked_ = std::move(resources);
}

void WorkloadStore::replace(WorkloadResource r, std::vector<Workload> workloads) {
  Objects::Map objects;
  objects.reserve(workloads.size());
  for (Workload& w : workloads) {
    std::string key = Objects::key_of(w.namespace_name, w.name);
    objects.insert_or_assign(std::move(key), std::make_shared<const Workload>(std::move(w)));
  }
  objects_.replace(r, std::move(objects));
}

void WorkloadStore::upsert(WorkloadResource r, Workload workload) {
  std::string key = Objects::key_of(workload.namespace_name, workload.name);
  objects_.upsert(r, std::move(key), std::make_shared<const Workload>(std::move(workload)));
}

void WorkloadStore::erase(WorkloadResource r, std::string_view ns, std::string_view name) {
  objects_.erase(r, Objects::key_of(ns.empty() ? "default" : ns, name));
}

void WorkloadStore::set_unsynced(WorkloadResource r, std::string reason) {
  objects_.set_unsynced(r, std::move(reason));
}

void WorkloadStore::set_stale_reason(WorkloadResource r, std::string reason) {
  objects_.set_stale_reason(r, std::move(reason));
}

bool WorkloadStore::synced(WorkloadResource r) const { return objects_.synced(r); }

std::size_t WorkloadStore::size(WorkloadResource r) const { return objects_.size(r); }

std::string WorkloadStore::reason(WorkloadResource r) const { return objects_.reason(r); }

std::string WorkloadStore::not_synced_reason() const {
  std::string out;
  for (WorkloadResource r : tracked_) {
    objects_.read(r, [&](const Objects::Shard& s) {
      if (s.synced) return;
      if (!out.empty()) out += "; ";
      out += std::string(to_string(r)) + ": " + s.reason;
    });
  }
  return out;
}

std::vector<WorkloadStore::Entry> WorkloadStore::snapshot() const {
  std::vector<Entry> out;
  for (WorkloadResource r : kAllWorkloadResources) {
    if (std::find(tracked_.begin(), tracked_.end(), r) == tracked_.end()) continue;
    const std::size_t first = out.size();
    objects_.read(r, [&](const Objects::Shard& s) {
      out.reserve(out.size() + s.objects.size());
      for (const auto& [key, entry] : s.objects) out.push_back(entry);
    });
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const Entry& a, const Entry& b) {
                return std::tie(a->namespace_name, a->name) < std::tie(b->namespace_name, b->name);
              });
  }
  return out;
}

namespace {
void collect(const json& value, const std::string& where,
             std::array<std::vector<Workload>, std::size(kAllWorkloadResources)>& out,
             std::vector<std::string>& problems) {
  if (!value.is_object()) return;  // load_snapshot_text reports it
  const std::string kind = value.value("kind", "");
  if (kind.ends_with("List") && value.contains("items") && value["items"].is_array()) {
    for (const json& item : value["items"]) collect(item, where, out, problems);
    return;
  }
  auto r = workload_resource_for(value.value("apiVersion", ""), kind);
  if (!r) return;
  auto entry = workload_entry_from_object(*r, value);
  if (!entry.ok()) {
    std::string name;
    if (auto m = value.find("metadata"); m != value.end() && m->is_object()) {
      name = m->value("namespace", "default") + "/" + m->value("name", "");
    }
    problems.push_back(where + ": " + kind + " " + name + ": " + entry.error());
    return;
  }
  if (*entry) out[static_cast<std::size_t>(*r)].push_back(std::move(**entry));
}
}  // namespace

void WorkloadSnapshotLoader::add(const YamlDocument& doc) {
  const json& v = doc.value;
  if (v.is_object() && v.contains("items") && v["items"].is_array() && !doc.item_lines.empty()) {
    // A List: locate each item by its own line.
    const json& items = v["items"];
    for (std::size_t i = 0; i < items.size(); ++i) {
      const int line = i < doc.item_lines.size() ? doc.item_lines[i] : doc.line;
      collect(items[i], source_ + ":" + std::to_string(line), entries_, problems_);
    }
  } else {
    collect(v, source_ + ":" + std::to_string(doc.line), entries_, problems_);
  }
}

std::vector<std::string> WorkloadSnapshotLoader::commit(WorkloadStore& store) {
  for (WorkloadResource r : kAllWorkloadResources) {
    store.replace(r, std::move(entries_[static_cast<std::size_t>(r)]));
    entries_[static_cast<std::size_t>(r)] = {};
  }
  store.set_tracked({std::begin(kAllWorkloadResources), std::end(kAllWorkloadResources)});
  return std::exchange(problems_, {});
}

Result<std::vector<std::string>> load_workload_snapshot_text(WorkloadStore& store,
                                                             std::string_view text,
                                                             std::string_view source) {
  auto docs = parse_yaml_documents(text, source);
  if (!docs.ok()) return make_error(docs.error());
  WorkloadSnapshotLoader loader{std::string(source)};
  for (const YamlDocument& doc : docs.value()) loader.add(doc);
  return loader.commit(store);
}

}  // namespace preflight::cluster
