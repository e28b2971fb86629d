#pragma once
// Runs the checks on one workload under a policy: exemptions, the skip annotation, and
// each finding's effective enforcement. Shared by the webhook, `check` and `audit`.

#include <memory>
#include <string>
#include <vector>

#include "checks/check.h"

namespace preflight::admission {

inline constexpr std::string_view kSkipAnnotation = "preflight.wfgy.io/skip";

struct Evaluation {
  bool exempt = false;                  // namespace or labels exempt: no checks ran
  // Findings with `severity` set to the effective enforcement (never kOff), sorted.
  std::vector<Finding> findings;
  std::vector<std::string> overridden;  // check ids skipped through the annotation
  std::vector<std::string> notices;     // warnings about the annotation itself
};

Evaluation evaluate(const Workload& workload, const std::vector<std::unique_ptr<checks::Check>>& checks,
                    const checks::CheckContext& ctx);

}  // namespace preflight::admission
