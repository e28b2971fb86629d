#pragma once
// Where `serve` (and `audit`) get cluster state from, and the store it fills: an offline
// snapshot file, or the API server (kubeconfig or in-cluster) through one Reflector per
// resource. Owns the store and the reflector threads.
//
// Besides, the workloads (WorkloadStore) for the audits: from the snapshot, or from reflectors
// of the workload resources asked for in from_api. They are not part of not_ready_reason():
// reviews do not read them.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_store.h"
#include "cluster/kubeconfig.h"
#include "cluster/reflector.h"
#include "cluster/workload_store.h"
#include "util/result.h"

namespace preflight::cluster {

class ClusterSource {
 public:
  using RequestObserver = std::function<void(std::string_view verb, std::string_view resource, int code)>;

  static Result<std::unique_ptr<ClusterSource>> from_snapshot(const std::string& path);
  // `workloads`: the workload resources to watch into workloads() (none by default).
  // `options` apply to every reflector (watch = false: list once, for one-shot commands).
  static std::unique_ptr<ClusterSource> from_api(KubeConfig config, RequestObserver observer,
                                                 std::vector<WorkloadResource> workloads = {},
                                                 const ReflectorOptions& options = {});
  ~ClusterSource();

  ClusterStore& store() { return store_; }
  const ClusterStore& store() const { return store_; }
  const WorkloadStore& workloads() const { return workloads_; }
  // Workloads of the snapshot that could not be inspected ("file:line: kind ns/name: why").
  const std::vector<std::string>& workload_problems() const { return workload_problems_; }
  // Starts the reflectors (no-op for a snapshot).
  void start();
  void stop();
  // Empty once every resource is synced; otherwise which are not and why.
  std::string not_ready_reason() const;
  const std::string& description() const { return description_; }

 private:
  ClusterSource() = default;
  ClusterStore store_;
  WorkloadStore workloads_;
  std::vector<std::string> workload_problems_;
  std::vector<std::unique_ptr<Reflector>> reflectors_;
  std::string description_;
};

}  // namespace preflight::cluster
