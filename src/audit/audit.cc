#include "audit/audit.h"

#include "admission/evaluate.h"

namespace preflight::audit {

AuditResult run_audit(const std::vector<cluster::WorkloadStore::Entry>& workloads,
                      const std::vector<std::unique_ptr<checks::Check>>& checks,
                      const checks::CheckContext& ctx, const Progress& progress,
                      std::size_t progress_every) {
  AuditResult out;
  const std::size_t total = workloads.size();
  for (const cluster::WorkloadStore::Entry& w : workloads) {
    ++out.workloads;
    admission::Evaluation eval = admission::evaluate(*w, checks, ctx);
    if (eval.exempt) ++out.exempt;
    for (std::string& n : eval.notices) out.notices.push_back(std::move(n));
    for (Finding& f : eval.findings) {
      out.findings.push_back({w->display(), std::string(w->namespace_name), std::move(f)});
    }
    if (progress && (out.workloads % progress_every == 0 || out.workloads == total)) {
      progress(out.workloads, total);
    }
  }
  return out;
}

Counts count_findings(const AuditResult& result) {
  Counts counts;
  for (const AuditedFinding& af : result.findings) {
    if (af.finding.unverified) continue;
    ++counts[{af.finding.check, af.namespace_name}];
  }
  return counts;
}

void export_counts(const Counts& counts, metrics::GaugeFamily& gauge) {
  gauge.set_all(0);
  for (const auto& [key, n] : counts) {
    gauge.labels({key.first, key.second}).inc(static_cast<double>(n));
  }
}

}  // namespace preflight::audit
