#pragma once
// WorkloadStore: the workloads running in the cluster, for `preflight audit` and the
// background audit of `serve`. Separate from ClusterStore (which answers the checks' lookups):
// reviews never read it, so it plays no part in /readyz.
//
// Contract:
// - Holds, per workload resource, the immutable Workload view (metadata plus pod template, as
//   workload_from_json builds it) of each object audited on its own: no status, no
//   managedFields, and the kubectl last-applied-configuration annotation is dropped.
// - Objects a controller audits through its own template are not kept (audited_on_its_own):
//   ReplicaSets controlled by a Deployment, Jobs controlled by a CronJob, Pods controlled by
//   anything. An update that gives an object such an owner removes it.
// - snapshot() copies the shared pointers under the shared lock and releases it: an audit
//   never holds a lock while checks run, and writers (reflectors) never wait for an audit.
// - Thread-safe: one reflector per resource writes, any number of readers.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cluster/sharded_store.h"
#include "util/result.h"
#include "workload/workload.h"

namespace preflight {
struct YamlDocument;  // util/yaml_json.h
}  // namespace preflight

namespace preflight::cluster {

enum class WorkloadResource { kDeployments, kStatefulSets, kDaemonSets, kReplicaSets, kJobs, kCronJobs, kPods };
inline constexpr WorkloadResource kAllWorkloadResources[] = {
    WorkloadResource::kDeployments, WorkloadResource::kStatefulSets, WorkloadResource::kDaemonSets,
    WorkloadResource::kReplicaSets, WorkloadResource::kJobs,         WorkloadResource::kCronJobs,
    WorkloadResource::kPods};
// What `serve` watches: every workload resource but Pods (a bare Pod is rare, and a cache of all
// Pods would cost more memory and API traffic than the rest together). docs/cluster-state.md.
inline constexpr WorkloadResource kServeWorkloadResources[] = {
    WorkloadResource::kDeployments, WorkloadResource::kStatefulSets, WorkloadResource::kDaemonSets,
    WorkloadResource::kReplicaSets, WorkloadResource::kJobs,         WorkloadResource::kCronJobs};

// "deployments", ... (API plural, also the metric label of the cache gauges).
std::string_view to_string(WorkloadResource r);
// The cluster-wide collection path: "/apis/apps/v1/deployments", "/api/v1/pods".
std::string_view api_path(WorkloadResource r);
WorkloadKind workload_kind(WorkloadResource r);
// The resource of a manifest's apiVersion and kind (apps/v1 Deployment, batch/v1 Job, v1 Pod).
std::optional<WorkloadResource> workload_resource_for(std::string_view api_version,
                                                      std::string_view kind);

// False when a controller audits this object through its own template (see the contract).
bool audited_on_its_own(WorkloadResource r, const nlohmann::json& object);

// The stored view of an API object: nullopt when it is not audited on its own; an error (safe to
// show) when it has no inspectable pod template.
Result<std::optional<Workload>> workload_entry_from_object(WorkloadResource r,
                                                           const nlohmann::json& object);

class WorkloadStore {
 public:
  using Entry = std::shared_ptr<const Workload>;

  WorkloadStore();

  // replace() swaps the whole set of a resource (after a list) and marks it synced.
  void replace(WorkloadResource r, std::vector<Workload> workloads);
  void upsert(WorkloadResource r, Workload workload);
  void erase(WorkloadResource r, std::string_view ns, std::string_view name);
  void set_unsynced(WorkloadResource r, std::string reason);
  void set_stale_reason(WorkloadResource r, std::string reason);
  // Which resources this store is filled with; the others stay empty and are not "unsynced".
  void set_tracked(std::vector<WorkloadResource> resources);

  bool synced(WorkloadResource r) const;
  std::size_t size(WorkloadResource r) const;
  std::string reason(WorkloadResource r) const;
  const std::vector<WorkloadResource>& tracked() const { return tracked_; }
  // Empty when every tracked resource is synced; otherwise which are not and why.
  std::string not_synced_reason() const;

  // Every stored workload of the tracked resources, ordered by kind, namespace and name.
  std::vector<Entry> snapshot() const;

 private:
  using Objects = ShardedStore<WorkloadResource, Entry, std::size(kAllWorkloadResources)>;
  Objects objects_;
  std::vector<WorkloadResource> tracked_;
};

// The workloads of a snapshot (the same file as load_snapshot_file, with the workload kinds
// listed too), one parsed document at a time: ClusterSource::from_snapshot feeds it from
// load_snapshot_file's parse (each_document), so the file is parsed once. Objects of other kinds
// are ignored.
class WorkloadSnapshotLoader {
 public:
  explicit WorkloadSnapshotLoader(std::string source) : source_(std::move(source)) {}
  void add(const YamlDocument& doc);
  // Replaces every workload resource of `store` with what was added and marks them synced and
  // tracked. Returns the workloads that could not be inspected ("file:line: Deployment prod/x:
  // why"), which are left out.
  std::vector<std::string> commit(WorkloadStore& store);

 private:
  std::string source_;
  std::array<std::vector<Workload>, std::size(kAllWorkloadResources)> entries_;
  std::vector<std::string> problems_;
};

// Parses `text` and loads its workloads (WorkloadSnapshotLoader). The error is for text that is
// not YAML.
Result<std::vector<std::string>> load_workload_snapshot_text(WorkloadStore& store,
                                                             std::string_view text,
                                                             std::string_view source);

}  // namespace preflight::cluster
