#pragma once
// The Decider turns one AdmissionRequest into an AdmissionResponse: what to inspect is
// decided from request.resource/subResource (never object.kind alone), findings come from
// evaluate(), and the policy's enforcement makes them denials, warnings or dry-run counts.
// Pure: no I/O; the server adds logs and metrics around it.

#include <memory>
#include <string>
#include <vector>

#include "admission/evaluate.h"
#include "admission/review.h"

namespace preflight::admission {

struct Decision {
  AdmissionResponse response;
  // Metric label: "allowed", "denied", "warned" or "error".
  std::string_view outcome = "allowed";
  std::string kind;        // workload kind inspected ("Deployment"), or the resource name
  // Bounded metric label: the workload kind, or "other" for resources preflight does not inspect.
  std::string_view metric_kind = "other";
  std::string workload;    // "Deployment prod/llm-api" when inspected
  // Why nothing was checked ("DELETE", "subresource scale", "exempt", "not inspected"), or empty.
  std::string skipped;
  std::vector<Finding> findings;  // after UPDATE demotion; severity = effective enforcement
  std::vector<std::string> overridden;
};

// The denial text of the CONTRACT: a headline, then one line per denying finding.
std::string denial_message(std::string_view workload, const std::vector<Finding>& denying);

Decision decide(const AdmissionRequest& request,
                const std::vector<std::unique_ptr<checks::Check>>& checks,
                const checks::CheckContext& ctx);

}  // namespace preflight::admission
