#include "audit/background_audit.h"

#include "log/log.h"

namespace preflight::audit {

BackgroundAudit::BackgroundAudit(PolicySource policy, const cluster::WorkloadStore& workloads,
                                 const cluster::ClusterView* cluster,
                                 std::chrono::milliseconds retry)
    : policy_(std::move(policy)), workloads_(workloads), cluster_(cluster), retry_(retry) {}

BackgroundAudit::~BackgroundAudit() { stop(); }

void BackgroundAudit::start() { thread_ = std::thread([this] { run(); }); }

void BackgroundAudit::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool BackgroundAudit::audit_once() {
  if (workloads_.tracked().empty()) {
    // serve started with audit.interval 0 and watches no workloads; a reload cannot add them.
    if (!warned_untracked_) {
      log::warn("audit enabled but no workload caches: restart preflight to start them");
      warned_untracked_ = true;
    }
    return false;
  }
  if (std::string why = workloads_.not_synced_reason(); !why.empty()) {
    log::debug("audit postponed: workload caches not synced", {{"reason", why}});
    return false;
  }
  std::shared_ptr<const policy::Policy> policy = policy_();
  if (!policy) return false;
  const auto started = std::chrono::steady_clock::now();
  std::vector<cluster::WorkloadStore::Entry> list = workloads_.snapshot();
  checks::CheckContext ctx{*policy, cluster_};
  AuditResult result = run_audit(list, checks::all_checks(), ctx);
  list.clear();
  Counts counts = count_findings(result);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t findings = 0;
  for (const auto& [key, n] : counts) findings += n;
  {
    std::lock_guard lock(mu_);
    last_ = std::move(counts);
    ++audits_;
  }
  log::info("audit finished", {{"workloads", result.workloads},
                               {"exempt", result.exempt},
                               {"findings", findings},
                               {"duration_seconds", seconds}});
  return true;
}

void BackgroundAudit::export_to(metrics::GaugeFamily& gauge) const {
  std::lock_guard lock(mu_);
  if (last_) export_counts(*last_, gauge);
}

std::uint64_t BackgroundAudit::audits() const {
  std::lock_guard lock(mu_);
  return audits_;
}

void BackgroundAudit::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::shared_ptr<const policy::Policy> policy = policy_();
    const std::chrono::milliseconds interval =
        policy ? std::chrono::duration_cast<std::chrono::milliseconds>(policy->audit_interval)
               : std::chrono::milliseconds(0);
    std::chrono::milliseconds wait = retry_;
    if (interval.count() > 0) {
      lock.unlock();
      const bool done = audit_once();
      lock.lock();
      if (done) wait = interval;
    }
    cv_.wait_for(lock, wait, [this] { return stopping_; });
  }
}

}  // namespace preflight::audit
