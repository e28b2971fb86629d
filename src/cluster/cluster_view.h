#pragma once
// What the checks may ask about the cluster: does a Secret, ConfigMap or ServiceAccount exist
// in a namespace, and which keys does it hold; which Nodes exist with which labels.
// Implemented by ClusterStore (filled from the offline snapshot, from the manifests given to
// `preflight check`, or by the API watch caches). Lookups are read-only, thread-safe and never
// call the API server. Secret values are never held: only names and key names.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/model_card.h"
#include "cuda/node_capability.h"

namespace preflight::cluster {

enum class Resource { kSecret, kConfigMap, kServiceAccount, kNode };
inline constexpr Resource kAllResources[] = {Resource::kSecret, Resource::kConfigMap,
                                             Resource::kServiceAccount, Resource::kNode};
// "secrets", "configmaps", "serviceaccounts", "nodes" (API plural, also the metric label).
std::string_view to_string(Resource r);

enum class Lookup { kFound, kNotFound, kUnknown };

// A Node as the checks see it, reduced once when it arrives (snapshot, list or watch event) and
// then shared, never changed: reviews walk pointers to it instead of copying its labels.
struct NodeInfo {
  std::string name;
  cuda::LabelMap labels;
  cuda::NodeCapability capability;  // read_node_capability(labels)
};
using NodePtr = std::shared_ptr<const NodeInfo>;
NodePtr make_node(std::string name, cuda::LabelMap labels);

// The Nodes of one moment, immutable and never null: a review holds the list it started with
// while watch events publish new ones.
using NodeList = std::shared_ptr<const std::vector<NodePtr>>;
// The empty list (one shared instance, no allocation per call).
const NodeList& no_nodes();

class ClusterView {
 public:
  virtual ~ClusterView() = default;

  // kUnknown when the state for that resource is not available (cache not synced, API server
  // unreachable, no cluster given). When found and `keys` is not null, fills it with the
  // object's key names, sorted (Secret data/stringData, ConfigMap data/binaryData).
  virtual Lookup find(Resource resource, std::string_view ns, std::string_view name,
                      std::vector<std::string>* keys = nullptr) const = 0;

  // Why lookups of `resource` answer kUnknown, for messages ("cache not synced: ...").
  virtual std::string unknown_reason(Resource resource) const = 0;

  // Nodes, for the cuda-compat check. Empty when unknown. Cheap: hands out a shared snapshot.
  virtual NodeList nodes() const = 0;

  // The model card in data key `key` of ConfigMap `ns`/`name` (version-skew). kFound fills
  // `out`; kNotFound when the ConfigMap or the key is missing or the key holds no model card
  // (model_card.h); kUnknown when ConfigMaps are not known. This default answers kUnknown, so
  // views that keep no cards compile unchanged.
  virtual Lookup model_card(std::string_view ns, std::string_view name, std::string_view key,
                            ModelCard* out) const {
    return Lookup::kUnknown;
  }

  // Change notification, so a review may wait for a late object (secret_timeout).
  // generation() increases on every change; wait_for_change blocks until it exceeds `seen`
  // or `deadline` passes, and returns whether it changed.
  virtual std::uint64_t generation() const { return 0; }
  virtual bool wait_for_change(std::uint64_t seen,
                               std::chrono::steady_clock::time_point deadline) const {
    return false;
  }
};

}  // namespace preflight::cluster
