#pragma once
// The audit: the admission checks over every workload already in the cluster (a WorkloadStore
// filled from a snapshot or the API server), under the live policy and against the cluster
// state. Shared by `preflight audit` (src/cli/audit_command.cc) and the background audit of
// `serve` (background_audit.h).
//
// Contract:
// - Each workload goes through admission::evaluate, as a CREATE would: exemptions, the skip
//   annotation and per-check enforcement apply; `off` checks report nothing.
// - Every finding with an effective enforcement (deny, warn, dryrun) is kept, dryrun included:
//   the audit shows what would break if enforcement were tightened. Findings the checks could
//   not verify (cluster state unknown) are kept and flagged `unverified`, but never counted.
// - Pure apart from the progress callback: no I/O, no clock, no globals.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checks/check.h"
#include "cluster/workload_store.h"
#include "metrics/family.h"

namespace preflight::audit {

struct AuditedFinding {
  std::string workload;        // "Deployment prod/llm-api"
  std::string namespace_name;  // "prod"
  Finding finding;             // severity = effective enforcement
};

struct AuditResult {
  std::size_t workloads = 0;   // audited (exempt ones included)
  std::size_t exempt = 0;
  std::vector<AuditedFinding> findings;  // in workload order, then as evaluate sorts them
  std::vector<std::string> notices;      // overrides and annotation problems
};

// Called after every `progress_every` workloads and after the last one.
using Progress = std::function<void(std::size_t done, std::size_t total)>;

AuditResult run_audit(const std::vector<cluster::WorkloadStore::Entry>& workloads,
                      const std::vector<std::unique_ptr<checks::Check>>& checks,
                      const checks::CheckContext& ctx, const Progress& progress = {},
                      std::size_t progress_every = 100);

// Verified findings per (check id, namespace): what preflight_audit_findings exports.
using Counts = std::map<std::pair<std::string, std::string>, std::size_t>;
Counts count_findings(const AuditResult& result);

// Sets the gauge to `counts`: every existing series first goes to 0 (a fixed problem drops to 0
// rather than keeping its last value), then each count is added, so namespaces folded into
// "other" by the family's cap add up.
void export_counts(const Counts& counts, metrics::GaugeFamily& gauge);

}  // namespace preflight::audit
