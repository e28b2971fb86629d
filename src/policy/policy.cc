// The policy model: defaults, enforcement lookup, exemptions and label selector matching.
// Parsing the policy file lives in policy_loader.cc.

#include "policy/policy.h"

#include <algorithm>

#include "checks/check.h"

namespace preflight::policy {

bool LabelSelector::matches(const StringMap& labels) const {
  for (const auto& [key, value] : match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  for (const Requirement& req : match_expressions) {
    auto it = labels.find(req.key);
    bool present = it != labels.end();
    bool listed =
        present && std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
    switch (req.op) {
      case Requirement::Op::kIn:
        if (!listed) return false;
        break;
      case Requirement::Op::kNotIn:  // an absent key is "not in" any set, as in Kubernetes
        if (listed) return false;
        break;
      case Requirement::Op::kExists:
        if (!present) return false;
        break;
      case Requirement::Op::kDoesNotExist:
        if (present) return false;
        break;
    }
  }
  return true;
}

Enforcement default_enforcement(std::string_view check) {
  return check == "cuda-compat" ? Enforcement::kWarn : Enforcement::kDeny;
}

Enforcement Policy::enforcement_for(std::string_view check) const {
  // A walk, sizes compared first, instead of find(): the map holds only known check ids (the
  // loader refuses others), seven, whose sizes all differ, so this is one string comparison
  // where the tree took three (~190 instructions a lookup, seven lookups a review).
  for (const auto& [id, e] : enforcement) {
    if (id.size() == check.size() && id == check) return e;
  }
  return default_enforcement(check);
}

bool Policy::is_exempt(std::string_view ns, const StringMap& labels) const {
  if (std::find(exempt_namespaces.begin(), exempt_namespaces.end(), ns) !=
      exempt_namespaces.end()) {
    return true;
  }
  return std::any_of(exempt_selectors.begin(), exempt_selectors.end(),
                     [&](const LabelSelector& s) { return s.matches(labels); });
}

Policy default_policy() {
  Policy p;
  for (std::string_view id : checks::known_check_ids()) {
    p.enforcement.emplace(std::string(id), default_enforcement(id));
  }
  // The reference checks (secret-ref, configmap-ref, serviceaccount-ref) are not overridable:
  // a missing object breaks the pod whatever the annotation says.
  p.overridable = {"cuda-compat", "env-name", "template-placeholder", "version-skew"};
  p.ignore_versions = VersionTolerance::kNone;
  p.secret_timeout = std::chrono::seconds(2);
  p.cluster_unavailable = UnavailableMode::kWarn;
  p.audit_interval = std::chrono::minutes(10);
  p.metrics_max_namespaces = 200;
  return p;
}

std::string_view to_string(VersionTolerance t) {
  switch (t) {
    case VersionTolerance::kNone:
      return "none";
    case VersionTolerance::kPatch:
      return "patch";
    case VersionTolerance::kMinor:
      return "minor";
  }
  return "none";
}

std::string_view to_string(UnavailableMode m) {
  switch (m) {
    case UnavailableMode::kAllow:
      return "allow";
    case UnavailableMode::kWarn:
      return "warn";
    case UnavailableMode::kDeny:
      return "deny";
  }
  return "warn";
}

}  // namespace preflight::policy
