#pragma once
// The cluster view of `preflight check`/`audit`: objects from the manifests being checked
// first, then a fallback (snapshot or live cluster). Without a fallback, a reference that the
// manifests do not resolve is unknown ("not checked"), never "not found".

#include "cluster/cluster_store.h"

namespace preflight::cluster {

class LayeredView final : public ClusterView {
 public:
  LayeredView(const ClusterStore& manifests, const ClusterView* fallback)
      : manifests_(manifests), fallback_(fallback) {}

  Lookup find(Resource resource, std::string_view ns, std::string_view name,
              std::vector<std::string>* keys = nullptr) const override {
    if (manifests_.find(resource, ns, name, keys) == Lookup::kFound) return Lookup::kFound;
    return fallback_ != nullptr ? fallback_->find(resource, ns, name, keys) : Lookup::kUnknown;
  }
  std::string unknown_reason(Resource resource) const override {
    if (fallback_ != nullptr) return fallback_->unknown_reason(resource);
    return "not among the given manifests, and no --cluster-snapshot or --kubeconfig was given";
  }
  Lookup model_card(std::string_view ns, std::string_view name, std::string_view key,
                    ModelCard* out) const override {
    // The manifests' ConfigMap, when they hold it, is the card (even if it holds none).
    if (manifests_.find(Resource::kConfigMap, ns, name) == Lookup::kFound) {
      return manifests_.model_card(ns, name, key, out);
    }
    return fallback_ != nullptr ? fallback_->model_card(ns, name, key, out) : Lookup::kUnknown;
  }
  // The fallback's Nodes, then the manifests'. A new list only when both have some.
  NodeList nodes() const override {
    NodeList own = manifests_.nodes();
    NodeList theirs = fallback_ != nullptr ? fallback_->nodes() : no_nodes();
    if (own->empty()) return theirs;
    if (theirs->empty()) return own;
    auto both = std::make_shared<std::vector<NodePtr>>();
    both->reserve(theirs->size() + own->size());
    both->insert(both->end(), theirs->begin(), theirs->end());
    both->insert(both->end(), own->begin(), own->end());
    return both;
  }

 private:
  const ClusterStore& manifests_;
  const ClusterView* fallback_;
};

}  // namespace preflight::cluster
