#include "cluster/cluster_source.h"

#include "cluster/reflector.h"

namespace preflight::cluster {

Result<std::unique_ptr<ClusterSource>> ClusterSource::from_snapshot(const std::string& path) {
  std::unique_ptr<ClusterSource> source(new ClusterSource());
  if (auto r = load_snapshot_file(source->store_, path); !r.ok()) return make_error(r.error());
  source->description_ = "snapshot " + path;
  return source;
}

std::unique_ptr<ClusterSource> ClusterSource::from_api(KubeConfig config, RequestObserver observer) {
  std::unique_ptr<ClusterSource> source(new ClusterSource());
  source->description_ = "API server " + config.server + " (" + config.source + ")";
  for (Resource r : kAllResources) {
    source->store_.set_unsynced(r, "waiting for the first list from the API server");
    auto reflector = std::make_unique<Reflector>(r, config, source->store_);
    if (observer) reflector->set_request_observer(observer);
    source->reflectors_.push_back(std::move(reflector));
  }
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
