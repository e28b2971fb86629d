#pragma once
// BackgroundAudit: `serve`'s periodic audit of the workloads in its caches, for the gauge
// preflight_audit_findings{check,namespace}.
//
// Contract:
// - Owns one thread (joined by stop() and the destructor). Reviews never wait for it: it takes
//   the workload list under the store's read lock and releases it, then runs the checks
//   through the same read-locked ClusterView lookups reviews use.
// - The policy is read from `policy()` before each audit, so a reload changes the checks and the
//   interval (policy `audit.interval`; 0 disables: the thread then only re-reads the policy).
// - The first audit runs as soon as every tracked workload resource is synced; an audit is
//   skipped (and retried soon) while one is not, so a half-listed cluster never shows as fixed.
//   With no tracked resource at all (serve started with audit.interval 0) it never runs, and
//   says once that a restart is needed.
// - export_to() writes the counts of the last completed audit into the gauge (called by a
//   metrics collector at scrape time, so a scrape never sees half an update).
// - Logs each audit: workloads, findings, duration. Never a finding's content.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "audit/audit.h"
#include "cluster/cluster_view.h"
#include "cluster/workload_store.h"
#include "policy/policy.h"

namespace preflight::audit {

class BackgroundAudit {
 public:
  using PolicySource = std::function<std::shared_ptr<const policy::Policy>()>;

  // `retry` is how long to wait before trying again when the caches are not synced, or the
  // interval is 0.
  BackgroundAudit(PolicySource policy, const cluster::WorkloadStore& workloads,
                  const cluster::ClusterView* cluster,
                  std::chrono::milliseconds retry = std::chrono::seconds(1));
  ~BackgroundAudit();
  BackgroundAudit(const BackgroundAudit&) = delete;
  BackgroundAudit& operator=(const BackgroundAudit&) = delete;

  void start();
  void stop();

  // Runs one audit now on the calling thread; false (nothing changed) when the workload
  // caches are not synced.
  bool audit_once();
  // Sets `gauge` to the last audit's counts; leaves it alone before the first audit.
  void export_to(metrics::GaugeFamily& gauge) const;
  std::uint64_t audits() const;

 private:
  void run();

  PolicySource policy_;
  const cluster::WorkloadStore& workloads_;
  const cluster::ClusterView* cluster_;
  const std::chrono::milliseconds retry_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::optional<Counts> last_;  // guarded by mu_
  std::uint64_t audits_ = 0;    // guarded by mu_
  bool warned_untracked_ = false;  // audit_once callers are serialised (one thread, or a test)
  std::thread thread_;
};

}  // namespace preflight::audit
