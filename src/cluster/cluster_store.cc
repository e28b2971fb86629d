#include "cluster/cluster_store.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "util/yaml_json.h"

namespace preflight::cluster {

using nlohmann::json;

std::string_view to_string(Resource r) {
  switch (r) {
    case Resource::kSecret: return "secrets";
    case Resource::kConfigMap: return "configmaps";
    case Resource::kServiceAccount: return "serviceaccounts";
    case Resource::kNode: return "nodes";
  }
  return "unknown";
}

std::optional<Resource> resource_for_kind(std::string_view kind) {
  if (kind == "Secret") return Resource::kSecret;
  if (kind == "ConfigMap") return Resource::kConfigMap;
  if (kind == "ServiceAccount") return Resource::kServiceAccount;
  if (kind == "Node") return Resource::kNode;
  return std::nullopt;
}

NodePtr make_node(std::string name, cuda::LabelMap labels) {
  auto node = std::make_shared<NodeInfo>();
  node->capability = cuda::read_node_capability(labels);
  node->name = std::move(name);
  node->labels = std::move(labels);
  return node;
}

const NodeList& no_nodes() {
  static const NodeList empty = std::make_shared<const std::vector<NodePtr>>();
  return empty;
}

Result<ObjectEntry> entry_from_object(Resource resource, const json& object) {
  if (!object.is_object()) return make_error("object is not a JSON object");
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return make_error("object has no metadata");
  ObjectEntry e;
  auto str = [](const json& j, std::string_view key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  e.name = str(*meta, "name");
  if (e.name.empty()) return make_error("object has no metadata.name");
  if (resource != Resource::kNode) e.namespace_name = str(*meta, "namespace");
  auto add_keys = [&](std::string_view field) {
    auto it = object.find(field);
    if (it == object.end() || !it->is_object()) return;
    for (auto kv = it->begin(); kv != it->end(); ++kv) e.keys.push_back(kv.key());  // key only
  };
  switch (resource) {
    case Resource::kSecret:
      add_keys("data");
      add_keys("stringData");
      break;
    case Resource::kConfigMap:
      add_keys("data");
      add_keys("binaryData");
      if (auto data = object.find("data"); data != object.end() && data->is_object()) {
        for (auto kv = data->begin(); kv != data->end(); ++kv) {
          if (!kv->is_string()) continue;
          if (auto card = parse_model_card_text(kv->get_ref<const std::string&>())) {
            e.model_cards.emplace(kv.key(), std::move(*card));
          }
        }
      }
      break;
    case Resource::kNode: {
      cuda::LabelMap labels;
      if (auto l = meta->find("labels"); l != meta->end() && l->is_object()) {
        for (auto kv = l->begin(); kv != l->end(); ++kv) {
          if (kv->is_string()) labels.emplace(kv.key(), kv->get<std::string>());
        }
      }
      e.node = make_node(e.name, std::move(labels));
      break;
    }
    case Resource::kServiceAccount: break;
  }
  std::sort(e.keys.begin(), e.keys.end());
  e.keys.erase(std::unique(e.keys.begin(), e.keys.end()), e.keys.end());
  return e;
}

ClusterStore::ClusterStore() : node_list_(no_nodes()) {}

Lookup ClusterStore::find(Resource resource, std::string_view ns, std::string_view name,
                          std::vector<std::string>* keys) const {
  if (resource == Resource::kNode) ns = {};
  char buf[512];
  std::string heap;
  std::string_view key;
  if (ns.size() + name.size() + 1 <= sizeof(buf)) {
    std::copy(ns.begin(), ns.end(), buf);
    buf[ns.size()] = '/';
    std::copy(name.begin(), name.end(), buf + ns.size() + 1);
    key = std::string_view(buf, ns.size() + name.size() + 1);
  } else {
    heap = Objects::key_of(ns, name);
    key = heap;
  }
  return objects_.read(resource, [&](const Objects::Shard& s) {
    if (!s.synced) return Lookup::kUnknown;
    auto it = s.objects.find(key);
    if (it == s.objects.end()) return Lookup::kNotFound;
    if (keys != nullptr) *keys = it->second.keys;
    return Lookup::kFound;
  });
}

std::string ClusterStore::unknown_reason(Resource resource) const {
  return std::string(to_string(resource)) + ": " + objects_.reason(resource);
}

NodeList ClusterStore::nodes() const {
  if (!objects_.synced(Resource::kNode)) return no_nodes();
  return node_list();
}

NodeList ClusterStore::node_list() const {
  std::lock_guard lock(node_list_mu_);
  return node_list_;
}

void ClusterStore::publish(NodeList list) {
  std::lock_guard lock(node_list_mu_);
  node_list_.swap(list);
}  // the old list, if this was its last holder, is freed after the lock is released

Lookup ClusterStore::model_card(std::string_view ns, std::string_view name, std::string_view key,
                                ModelCard* out) const {
  const std::string object_key = Objects::key_of(ns, name);
  return objects_.read(Resource::kConfigMap, [&](const Objects::Shard& s) {
    if (!s.synced) return Lookup::kUnknown;
    auto it = s.objects.find(object_key);
    if (it == s.objects.end()) return Lookup::kNotFound;
    auto card = it->second.model_cards.find(key);
    if (card == it->second.model_cards.end()) return Lookup::kNotFound;
    if (out != nullptr) *out = card->second;
    return Lookup::kFound;
  });
}

std::uint64_t ClusterStore::generation() const {
  std::lock_guard lock(gen_mu_);
  return generation_;
}

bool ClusterStore::wait_for_change(std::uint64_t seen,
                                   std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(gen_mu_);
  return gen_cv_.wait_until(lock, deadline, [&] { return generation_ > seen; });
}

void ClusterStore::bump() {
  {
    std::lock_guard lock(gen_mu_);
    ++generation_;
  }
  gen_cv_.notify_all();
}

namespace {
bool by_name(const NodePtr& a, std::string_view name) { return a->name < name; }

// The entry's NodeInfo, made from its name alone when a writer gave none.
NodePtr& node_of(ObjectEntry& e) {
  if (e.node == nullptr) e.node = make_node(e.name, {});
  return e.node;
}
}  // namespace

void ClusterStore::replace(Resource resource, std::vector<ObjectEntry> entries) {
  if (resource == Resource::kNode) return replace_nodes(std::move(entries));
  Objects::Map objects;
  objects.reserve(entries.size());
  for (ObjectEntry& e : entries) {
    std::string key = Objects::key_of(e.namespace_name, e.name);
    objects.insert_or_assign(std::move(key), std::move(e));
  }
  objects_.replace(resource, std::move(objects));
  bump();
}

void ClusterStore::upsert(Resource resource, ObjectEntry entry) {
  if (resource == Resource::kNode) return upsert_node(std::move(entry));
  std::string key = Objects::key_of(entry.namespace_name, entry.name);
  objects_.upsert(resource, std::move(key), std::move(entry));
  bump();
}

void ClusterStore::erase(Resource resource, std::string_view ns, std::string_view name) {
  if (resource == Resource::kNode) return erase_node(name);
  objects_.erase(resource, Objects::key_of(ns, name));
  bump();
}

void ClusterStore::replace_nodes(std::vector<ObjectEntry> entries) {
  Objects::Map objects;
  objects.reserve(entries.size());
  for (ObjectEntry& e : entries) {
    node_of(e);
    std::string key = Objects::key_of("", e.name);
    objects.insert_or_assign(std::move(key), std::move(e));
  }
  auto list = std::make_shared<std::vector<NodePtr>>();
  list->reserve(objects.size());
  for (const auto& [key, e] : objects) list->push_back(e.node);
  std::sort(list->begin(), list->end(),
            [](const NodePtr& a, const NodePtr& b) { return a->name < b->name; });
  {
    std::lock_guard lock(node_write_mu_);
    objects_.replace(Resource::kNode, std::move(objects));
    publish(std::move(list));
  }
  bump();
}

void ClusterStore::upsert_node(ObjectEntry entry) {
  NodePtr node = node_of(entry);
  std::string key = Objects::key_of("", entry.name);
  {
    std::lock_guard lock(node_write_mu_);
    auto list = std::make_shared<std::vector<NodePtr>>(*node_list());
    auto it = std::lower_bound(list->begin(), list->end(), node->name, by_name);
    if (it != list->end() && (*it)->name == node->name) {
      *it = std::move(node);
    } else {
      list->insert(it, std::move(node));
    }
    objects_.upsert(Resource::kNode, std::move(key), std::move(entry));
    publish(std::move(list));
  }
  bump();
}

void ClusterStore::erase_node(std::string_view name) {
  {
    std::lock_guard lock(node_write_mu_);
    NodeList old = node_list();
    auto it = std::lower_bound(old->begin(), old->end(), name, by_name);
    if (it != old->end() && (*it)->name == name) {
      auto list = std::make_shared<std::vector<NodePtr>>();
      list->reserve(old->size() - 1);
      list->insert(list->end(), old->begin(), it);
      list->insert(list->end(), it + 1, old->end());
      publish(std::move(list));
    }
    objects_.erase(Resource::kNode, Objects::key_of("", name));
  }
  bump();
}

void ClusterStore::set_unsynced(Resource resource, std::string reason) {
  objects_.set_unsynced(resource, std::move(reason));
}

void ClusterStore::set_stale_reason(Resource resource, std::string reason) {
  objects_.set_stale_reason(resource, std::move(reason));
}

bool ClusterStore::synced(Resource resource) const { return objects_.synced(resource); }

std::size_t ClusterStore::size(Resource resource) const { return objects_.size(resource); }

namespace {
void collect(json& value, const std::string& where,
             std::array<std::vector<ObjectEntry>, 4>& out, std::vector<std::string>& errors) {
  if (!value.is_object()) {
    errors.push_back(where + ": not a Kubernetes object");
    return;
  }
  std::string kind = value.value("kind", "");
  if (kind.ends_with("List") && value.contains("items") && value["items"].is_array()) {
    for (json& item : value["items"]) collect(item, where, out, errors);
    return;
  }
  auto resource = resource_for_kind(kind);
  if (!resource) return;  // other kinds in a snapshot are ignored
  Result<ObjectEntry> e = entry_from_object(*resource, value);
  if (!e.ok()) {
    errors.push_back(where + ": " + kind + ": " + e.error());
    return;
  }
  out[static_cast<std::size_t>(*resource)].push_back(std::move(e.value()));
}
}  // namespace

Result<bool> load_snapshot_text(ClusterStore& store, std::string_view text, std::string_view source,
                                const SnapshotDocumentHook& each_document) {
  auto docs = parse_yaml_documents(text, source);
  if (!docs.ok()) return make_error(docs.error());
  std::array<std::vector<ObjectEntry>, 4> entries;
  std::vector<std::string> errors;
  for (YamlDocument& doc : docs.value()) {
    if (each_document) each_document(doc);
    collect(doc.value, std::string(source) + ":" + std::to_string(doc.line), entries, errors);
    doc.value = nullptr;  // drop values (Secret data) as soon as the keys are taken
  }
  if (!errors.empty()) return make_error(errors.front());
  for (Resource r : kAllResources) store.replace(r, std::move(entries[static_cast<std::size_t>(r)]));
  return true;
}

Result<bool> load_snapshot_file(ClusterStore& store, const std::string& path,
                                const SnapshotDocumentHook& each_document) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read");
  std::ostringstream buf;
  buf << in.rdbuf();
  return load_snapshot_text(store, buf.str(), path, each_document);
}

}  // namespace preflight::cluster
