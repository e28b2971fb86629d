#include "admission/evaluate.h"

#include <algorithm>

#include "util/text.h"

namespace preflight::admission {

namespace {
bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

Evaluation evaluate(const Workload& workload,
                    const std::vector<std::unique_ptr<checks::Check>>& checks,
                    const checks::CheckContext& ctx) {
  Evaluation out;
  const policy::Policy& policy = ctx.policy;
  if (policy.is_exempt(workload.namespace_name, workload.labels)) {
    out.exempt = true;
    return out;
  }

  // preflight.wfgy.io/skip: "all" or a list of ids; honoured only for overridable checks.
  std::vector<std::string> skip;
  if (auto annotation = workload.annotation(kSkipAnnotation)) skip = split_list(*annotation);
  const bool skip_all = contains(skip, "all");
  for (const std::string& id : skip) {
    if (id == "all") continue;
    const auto& known = checks::known_check_ids();
    if (std::find(known.begin(), known.end(), id) == known.end()) {
      out.notices.push_back("[preflight] " + std::string(kSkipAnnotation) + " names unknown check \"" +
                            sanitize_line(id, 40) + "\"; it is ignored");
    } else if (!policy.overridable.contains(id)) {
      out.notices.push_back("[" + id + "] " + std::string(kSkipAnnotation) +
                            " cannot skip this check: the policy does not allow overriding it");
    }
  }

  for (const auto& check : checks) {
    const std::string_view id = check->id();
    const Enforcement enforcement = policy.enforcement_for(id);
    if (enforcement == Enforcement::kOff) continue;
    if ((skip_all || contains(skip, id)) && policy.overridable.contains(id)) {
      out.overridden.emplace_back(id);
      out.notices.push_back("[" + std::string(id) + "] skipped by " + std::string(kSkipAnnotation) +
                            " on " + workload.display());
      continue;
    }
    for (Finding& f : check->run(workload, ctx)) {
      f.severity = std::min(f.severity, enforcement);
      out.findings.push_back(std::move(f));
    }
  }
  sort_findings(out.findings);
  return out;
}

}  // namespace preflight::admission
