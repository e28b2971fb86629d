#include "checks/finding.h"

#include <algorithm>
#include <tuple>

namespace preflight {

std::string_view to_string(Enforcement e) {
  switch (e) {
    case Enforcement::kOff: return "off";
    case Enforcement::kDryRun: return "dryrun";
    case Enforcement::kWarn: return "warn";
    case Enforcement::kDeny: return "deny";
  }
  return "off";
}

std::optional<Enforcement> parse_enforcement(std::string_view s) {
  if (s == "deny") return Enforcement::kDeny;
  if (s == "warn") return Enforcement::kWarn;
  if (s == "dryrun" || s == "dry-run") return Enforcement::kDryRun;
  if (s == "off") return Enforcement::kOff;
  return std::nullopt;
}

std::string Finding::identity() const {
  std::string id;
  id.reserve(check.size() + container.size() + subject.size() + message.size() + 3);
  id.append(check).push_back('\x1f');
  id.append(container).push_back('\x1f');
  id.append(subject).push_back('\x1f');
  id.append(message);
  return id;
}

std::string format_finding(const Finding& f) {
  std::string line;
  line.reserve(64 + f.check.size() + f.container.size() + f.subject.size() + f.field_path.size() +
               f.message.size() + f.fix.size());
  line.append("[").append(f.check).append("]");
  if (!f.container.empty()) line.append(" container \"").append(f.container).append("\"");
  if (!f.subject.empty()) line.append(" ").append(f.subject);
  if (!f.field_path.empty()) line.append(" (").append(f.field_path).append(")");
  line.append(": ").append(f.message);
  if (!f.fix.empty()) line.append("; ").append(f.fix);
  return line;
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.check, a.field_path, a.message) < std::tie(b.check, b.field_path, b.message);
  });
}

}  // namespace preflight
