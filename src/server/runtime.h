#pragma once
// What the HTTP handlers share: the live policy (swapped as a whole on reload), the cluster
// view, the certificate store, the metrics and the readiness state. Built in main.

#include <atomic>
#include <memory>
#include <string>

#include "checks/check.h"
#include "cluster/cluster_source.h"
#include "metrics/preflight_metrics.h"
#include "policy/policy.h"
#include "server/certificate_store.h"
#include "util/snapshot.h"

namespace preflight::server {

class Runtime {
 public:
  // `cluster` may be null (no cluster state: reference checks report nothing).
  Runtime(std::shared_ptr<const policy::Policy> policy, cluster::ClusterSource* cluster,
          CertificateStore& certs, metrics::PreflightMetrics& metrics)
      : policy_(std::move(policy)), cluster_(cluster), certs_(certs), metrics_(metrics) {}

  // A review holds the snapshot it started with.
  std::shared_ptr<const policy::Policy> policy() const { return policy_.load(); }
  void set_policy(std::shared_ptr<const policy::Policy> p) { policy_.store(std::move(p)); }

  const cluster::ClusterView* cluster() const { return cluster_ ? &cluster_->store() : nullptr; }
  CertificateStore& certs() { return certs_; }
  metrics::PreflightMetrics& metrics() { return metrics_; }
  const std::vector<std::unique_ptr<checks::Check>>& checks() const { return checks::all_checks(); }

  void begin_shutdown() { shutting_down_.store(true); }
  // Empty when ready; otherwise why not (for /readyz).
  std::string not_ready_reason() const {
    if (shutting_down_.load()) return "shutting down";
    if (!certs_.loaded()) return "TLS certificate not loaded";
    if (!policy_.load()) return "policy not loaded";
    if (cluster_ != nullptr) return cluster_->not_ready_reason();
    return {};
  }

 private:
  util::Snapshot<policy::Policy> policy_;
  cluster::ClusterSource* cluster_;
  CertificateStore& certs_;
  metrics::PreflightMetrics& metrics_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace preflight::server
