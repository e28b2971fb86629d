#include "cluster/cluster_source.h"

#include <nlohmann/json.hpp>

#include "cluster/reflector.h"
#include "log/log.h"
#include "util/yaml_json.h"

namespace preflight::cluster {

namespace {

// One workload resource of a WorkloadStore. Objects that cannot be inspected are logged (by
// name, never content) and left out.
class WorkloadSink final : public ReflectorSink {
 public:
  WorkloadSink(WorkloadResource resource, WorkloadStore& store) : resource_(resource), store_(store) {}
  void list_begin() override { entries_.clear(); }
  void list_add(const nlohmann::json& item) override {
    if (auto w = reduce(item)) entries_.push_back(std::move(*w));
  }
  std::size_t list_commit() override {
    const std::size_t count = entries_.size();
    store_.replace(resource_, std::move(entries_));
    entries_ = {};
    return count;
  }
  void upsert(const nlohmann::json& object) override {
    auto e = workload_entry_from_object(resource_, object);
    if (e.ok() && *e) {
      store_.upsert(resource_, std::move(**e));
    } else {
      if (!e.ok()) complain(object, e.error());
      erase(object);  // now owned by a controller, or no longer inspectable
    }
  }
  void erase(const nlohmann::json& object) override {
    const nlohmann::json& meta = object.contains("metadata") ? object["metadata"] : object;
    if (!meta.is_object()) return;
    store_.erase(resource_, meta.value("namespace", ""), meta.value("name", ""));
  }
  bool synced() const override { return store_.synced(resource_); }
  void set_unsynced(std::string reason) override { store_.set_unsynced(resource_, std::move(reason)); }
  void set_stale_reason(std::string reason) override {
    store_.set_stale_reason(resource_, std::move(reason));
  }

 private:
  std::optional<Workload> reduce(const nlohmann::json& object) {
    auto e = workload_entry_from_object(resource_, object);
    if (!e.ok()) {
      complain(object, e.error());
      return std::nullopt;
    }
    return std::move(e.value());
  }
  void complain(const nlohmann::json& object, const std::string& why) {
    std::string ns, name;
    if (object.is_object() && object.contains("metadata") && object["metadata"].is_object()) {
      ns = object["metadata"].value("namespace", "");
      name = object["metadata"].value("name", "");
    }
    log::warn("workload cannot be audited", {{"resource", std::string(to_string(resource_))},
                                             {"namespace", ns}, {"name", name}, {"error", why}});
  }

  WorkloadResource resource_;
  WorkloadStore& store_;
  std::vector<Workload> entries_;
};

}  // namespace

Result<std::unique_ptr<ClusterSource>> ClusterSource::from_snapshot(const std::string& path) {
  std::unique_ptr<ClusterSource> source(new ClusterSource());
  // One parse feeds both: the reference state and the workloads.
  WorkloadSnapshotLoader workloads(path);
  auto loaded = load_snapshot_file(source->store_, path,
                                   [&](const YamlDocument& doc) { workloads.add(doc); });
  if (!loaded.ok()) return make_error(loaded.error());
  source->workload_problems_ = workloads.commit(source->workloads_);
  source->description_ = "snapshot " + path;
  return source;
}

std::unique_ptr<ClusterSource> ClusterSource::from_api(KubeConfig config, RequestObserver observer,
                                                      std::vector<WorkloadResource> workloads,
                                                      const ReflectorOptions& options) {
  std::unique_ptr<ClusterSource> source(new ClusterSource());
  source->description_ = "API server " + config.server + " (" + config.source + ")";
  for (Resource r : kAllResources) {
    source->store_.set_unsynced(r, "waiting for the first list from the API server");
    auto reflector = std::make_unique<Reflector>(r, config, source->store_, options);
    if (observer) reflector->set_request_observer(observer);
    source->reflectors_.push_back(std::move(reflector));
  }
  for (WorkloadResource r : workloads) {
    source->workloads_.set_unsynced(r, "waiting for the first list from the API server");
    auto reflector = std::make_unique<Reflector>(
        std::string(api_path(r)), std::string(to_string(r)),
        std::make_unique<WorkloadSink>(r, source->workloads_), config, options);
    if (observer) reflector->set_request_observer(observer);
    source->reflectors_.push_back(std::move(reflector));
  }
  source->workloads_.set_tracked(std::move(workloads));
  return source;
}

ClusterSource::~ClusterSource() { stop(); }

void ClusterSource::start() {
  for (auto& r : reflectors_) r->start();
}

void ClusterSource::stop() {
  for (auto& r : reflectors_) r->stop();
}

std::string ClusterSource::not_ready_reason() const {
  std::string reason;
  for (Resource r : kAllResources) {
    if (store_.synced(r)) continue;
    if (!reason.empty()) reason += "; ";
    reason += "cache not synced: " + store_.unknown_reason(r);
  }
  return reason;
}

}  // namespace preflight::cluster
