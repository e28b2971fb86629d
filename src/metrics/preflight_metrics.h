#pragma once
// PreflightMetrics: every metric of the CONTRACT's Metrics table, registered once, as typed
// family references for the rest of the code. docs/metrics.md describes each one.
//
// Contract:
// - Names, types and label names match CONTRACT.md exactly; label values passed in must be
//   bounded sets (kinds, check ids, decisions, HTTP codes), never object names.
// - The `namespace` label of findings, overrides and audit_findings is capped at
//   `max_namespaces` distinct values; later namespaces are counted as "other". The `check`
//   label of overrides (fed from a user annotation) is capped at kMaxOverrideChecks.
// - preflight_build_info{version,commit} is set to 1 from the generated build_info.h.
// - preflight_policy_reloads_total starts with result="success" and result="failure" at 0, so
//   the first failed reload is visible to increase()/rate().
// - Process metrics are separate: call register_process_metrics (process_metrics.h).

#include <cstddef>

#include "metrics/process_metrics.h"
#include "metrics/registry.h"

namespace preflight::metrics {

inline constexpr std::size_t kMaxOverrideChecks = 32;

// Buckets of preflight_admission_duration_seconds, suited to a webhook with a ~10 s timeout.
inline constexpr double kAdmissionDurationBuckets[] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

struct PreflightMetrics {
  explicit PreflightMetrics(Registry& r, std::size_t max_namespaces = 200);

  CounterFamily& admission_requests;    // {kind,operation,decision,dry_run}
  HistogramFamily& admission_duration;  // {kind}
  CounterFamily& findings;              // {check,enforcement,namespace} (namespace capped)
  CounterFamily& overrides;             // {check,namespace} (both capped)
  GaugeFamily& cluster_cache_synced;    // {resource}
  GaugeFamily& cluster_cache_objects;   // {resource}
  CounterFamily& kube_api_requests;     // {verb,resource,code}
  CounterFamily& policy_reloads;        // {result}: "success", "failure"
  GaugeFamily& tls_certificate_expiry;  // no labels
  GaugeFamily& audit_findings;          // {check,namespace} (namespace capped)
  GaugeFamily& build_info;              // {version,commit} = 1
};

}  // namespace preflight::metrics
