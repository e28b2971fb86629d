#pragma once
// Where `serve` (and `audit`) get cluster state from, and the store it fills: an offline
// snapshot file, or the API server (kubeconfig or in-cluster) through one Reflector per
// resource. Owns the store and the reflector threads.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_store.h"
#include "cluster/kubeconfig.h"
#include "util/result.h"

namespace preflight::cluster {

class Reflector;

class ClusterSource {
 public:
  using RequestObserver = std::function<void(std::string_view verb, std::string_view resource, int code)>;

  static Result<std::unique_ptr<ClusterSource>> from_snapshot(const std::string& path);
  static std::unique_ptr<ClusterSource> from_api(KubeConfig config, RequestObserver observer);
  ~ClusterSource();

  ClusterStore& store() { return store_; }
  const ClusterStore& store() const { return store_; }
  // Starts the reflectors (no-op for a snapshot).
  void start();
  void stop();
  // Empty once every resource is synced; otherwise which are not and why.
  std::string not_ready_reason() const;
  const std::string& description() const { return description_; }

 private:
  ClusterSource() = default;
  ClusterStore store_;
  std::vector<std::unique_ptr<Reflector>> reflectors_;
  std::string description_;
};

}  // namespace preflight::cluster
