#include "metrics/preflight_metrics.h"

#include <iterator>

#include "build_info.h"

namespace preflight::metrics {

PreflightMetrics::PreflightMetrics(Registry& r, std::size_t max_namespaces)
    : admission_requests(r.counter(
          "preflight_admission_requests_total",
          "Admission reviews answered, by workload kind, operation, decision and dry-run flag.",
          {"kind", "operation", "decision", "dry_run"})),
      admission_duration(r.histogram(
          "preflight_admission_duration_seconds",
          "Time to answer an admission review, from received body to encoded response.", {"kind"},
          {std::begin(kAdmissionDurationBuckets), std::end(kAdmissionDurationBuckets)})),
      findings(r.counter("preflight_findings_total",
                         "Findings reported by checks, by check id, enforcement and namespace.",
                         {"check", "enforcement", "namespace"})),
      overrides(r.counter("preflight_overrides_total",
                          "Checks skipped through the preflight.wfgy.io/skip annotation, by check "
                          "id and namespace.",
                          {"check", "namespace"})),
      cluster_cache_synced(r.gauge("preflight_cluster_cache_synced",
                                   "1 when the cluster cache of this resource has synced, else 0.",
                                   {"resource"})),
      cluster_cache_objects(r.gauge("preflight_cluster_cache_objects",
                                    "Objects held in the cluster cache of this resource.",
                                    {"resource"})),
      kube_api_requests(r.counter(
          "preflight_kube_api_requests_total",
          "Requests made to the Kubernetes API server, by verb, resource and HTTP status code.",
          {"verb", "resource", "code"})),
      policy_reloads(r.counter("preflight_policy_reloads_total",
                               "Policy file reloads, by result (success or failure).", {"result"})),
      tls_certificate_expiry(
          r.gauge("preflight_tls_certificate_expiry_timestamp_seconds",
                  "Expiry (notAfter) of the serving certificate in seconds since the Unix epoch; "
                  "0 until a certificate is loaded.",
                  {})),
      audit_findings(
          r.gauge("preflight_audit_findings",
                  "Findings of the last audit of the cluster, by check id and namespace.",
                  {"check", "namespace"})),
      build_info(r.gauge("preflight_build_info",
                         "Version and git commit preflight was built from; the value is always 1.",
                         {"version", "commit"})) {
  findings.limit_label_values("namespace", max_namespaces);
  overrides.limit_label_values("namespace", max_namespaces);
  overrides.limit_label_values("check", kMaxOverrideChecks);
  audit_findings.limit_label_values("namespace", max_namespaces);

  policy_reloads.labels({"success"});
  policy_reloads.labels({"failure"});
  build_info.labels({build::kVersion, build::kCommit}).set(1);
}

}  // namespace preflight::metrics
