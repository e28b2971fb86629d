#pragma once
// ClusterStore: the in-memory cluster state behind ClusterView. Holds, per resource, the
// objects' namespace/name and what the checks need: key names of Secrets and ConfigMaps,
// labels of Nodes (shared NodeInfo, capability read once). Never a value: objects are reduced
// to ObjectEntry at decode (entry_from_object), so Secret values and last-applied-configuration
// never enter it.
//
// Written by the snapshot loader, the manifest set of `preflight check`, or the watch
// reflectors; read concurrently by reviews (shared lock per resource, no API calls; the Node
// list is an immutable snapshot: a review copies one pointer).

#include <array>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cluster/cluster_view.h"
#include "cluster/sharded_store.h"
#include "util/result.h"

namespace preflight {
struct YamlDocument;  // util/yaml_json.h
}  // namespace preflight

namespace preflight::cluster {

struct ObjectEntry {
  std::string namespace_name;  // empty for Nodes
  std::string name;
  std::vector<std::string> keys;                             // sorted
  NodePtr node;                                              // Nodes only
  // ConfigMaps only: the data keys whose value is a model card (model_card.h), reduced to its
  // four fields. Nothing else of a value is kept.
  std::map<std::string, ModelCard, std::less<>> model_cards;
};

// The resource of a Kubernetes kind ("Secret" -> kSecret), if it is one preflight caches.
std::optional<Resource> resource_for_kind(std::string_view kind);

// Reduces an API object to what the store keeps. Values are not copied.
Result<ObjectEntry> entry_from_object(Resource resource, const nlohmann::json& object);

class ClusterStore final : public ClusterView {
 public:
  ClusterStore();

  // ClusterView
  Lookup find(Resource resource, std::string_view ns, std::string_view name,
              std::vector<std::string>* keys = nullptr) const override;
  std::string unknown_reason(Resource resource) const override;
  NodeList nodes() const override;
  Lookup model_card(std::string_view ns, std::string_view name, std::string_view key,
                    ModelCard* out) const override;
  std::uint64_t generation() const override;
  bool wait_for_change(std::uint64_t seen,
                       std::chrono::steady_clock::time_point deadline) const override;

  // Writers. replace() swaps the whole set (after a list) and marks the resource synced.
  void replace(Resource resource, std::vector<ObjectEntry> entries);
  void upsert(Resource resource, ObjectEntry entry);
  void erase(Resource resource, std::string_view ns, std::string_view name);
  // While not synced, lookups answer kUnknown with `reason`.
  void set_unsynced(Resource resource, std::string reason);
  // Synced but stale (watch broken): lookups keep answering from the last state.
  void set_stale_reason(Resource resource, std::string reason);

  bool synced(Resource resource) const;
  std::size_t size(Resource resource) const;

 private:
  using Objects = ShardedStore<Resource, ObjectEntry, 4>;
  void bump();
  // Node writes: the shard, then a new sorted list (copy-on-write), published by a swap.
  void replace_nodes(std::vector<ObjectEntry> entries);
  void upsert_node(ObjectEntry entry);
  void erase_node(std::string_view name);

  Objects objects_;
  std::mutex node_write_mu_;  // one Node writer at a time, so no list update is lost
  NodeList node_list() const;
  void publish(NodeList list);
  // The Nodes sorted by name. node_list_mu_ guards only the pointer: a review copies it, a
  // writer swaps in a list built outside the lock. (std::atomic<std::shared_ptr> would do, but
  // libstdc++ 12 implements it with a lock bit that ThreadSanitizer does not see.)
  mutable std::mutex node_list_mu_;
  NodeList node_list_;
  mutable std::mutex gen_mu_;
  mutable std::condition_variable gen_cv_;
  std::uint64_t generation_ = 0;
};

// Loads a cluster snapshot: the output of
//   kubectl get secrets,configmaps,serviceaccounts,nodes -A -o yaml
// (a v1 List) or multi-document YAML of such objects. Every resource counts as synced, so a
// reference missing from the snapshot is "not found". Errors name file:line:column.
// `each_document`, when set, sees every parsed document before its values are dropped, so
// another reader of the same file (the workloads, ClusterSource::from_snapshot) needs no second
// parse.
using SnapshotDocumentHook = std::function<void(const YamlDocument&)>;
Result<bool> load_snapshot_text(ClusterStore& store, std::string_view text, std::string_view source,
                                const SnapshotDocumentHook& each_document = {});
Result<bool> load_snapshot_file(ClusterStore& store, const std::string& path,
                                const SnapshotDocumentHook& each_document = {});

}  // namespace preflight::cluster
