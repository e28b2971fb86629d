#include "cli/report.h"

#include <map>
#include <ostream>

#include <nlohmann/json.hpp>

#include "checks/check.h"

namespace preflight::cli {

namespace {

struct Style {
  bool color;
  std::string paint(std::string_view code, std::string_view text) const {
    if (!color) return std::string(text);
    return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
  }
};

std::string dotted(std::string_view name) {
  constexpr std::size_t kWidth = 24;
  std::string s(name);
  s.push_back(' ');
  while (s.size() < kWidth) s.push_back('.');
  return s;
}

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

std::string location(const LocatedFinding& lf) {
  std::string s = lf.file + ":" + std::to_string(lf.line);
  if (lf.column > 0) s += ":" + std::to_string(lf.column);
  return s;
}

void write_text(const Report& r, const policy::Policy& policy, bool color, std::ostream& out) {
  Style st{color};
  std::map<std::string_view, std::pair<std::size_t, std::size_t>> counts;  // deny, other
  std::size_t unverified = 0;
  for (const LocatedFinding& lf : r.findings) {
    if (lf.finding.unverified) {
      ++unverified;
      continue;
    }
    if (lf.finding.severity == Enforcement::kDryRun) continue;
    auto& c = counts[lf.finding.check];
    (lf.finding.severity == Enforcement::kDeny ? c.first : c.second)++;
  }
  for (std::string_view id : checks::known_check_ids()) {
    bool implemented = false;
    for (const auto& c : checks::all_checks()) implemented |= c->id() == id;
    if (!implemented) continue;
    Enforcement e = policy.enforcement_for(id);
    auto [deny, other] = counts[id];
    std::string line = dotted(id) + " ";
    if (e == Enforcement::kOff) {
      out << st.paint("2", "- " + line + "off") << "\n";
    } else if (deny > 0) {
      out << st.paint("31", "✖") << " " << line << st.paint("31", plural(deny, "problem")) << "\n";
    } else if (other > 0) {
      out << st.paint("33", "!") << " " << line << st.paint("33", plural(other, "warning")) << "\n";
    } else {
      out << st.paint("32", "✔") << " " << line << "OK\n";
    }
  }
  for (const LocatedFinding& lf : r.findings) {
    if (lf.finding.unverified || lf.finding.severity == Enforcement::kDryRun) continue;
    const bool deny = lf.finding.severity == Enforcement::kDeny;
    std::string mark = deny ? st.paint("31", "✖") : st.paint("33", "!");
    out << "  " << mark << " " << location(lf);
    if (!lf.workload.empty()) out << " " << lf.workload;
    if (!deny) out << " (" << to_string(lf.finding.severity) << ")";
    out << "\n    " << format_finding(lf.finding) << "\n";
  }
  if (unverified > 0) {
    out << "  " << st.paint("2", "? " + plural(unverified, "reference") + " not checked:") << "\n";
    for (const LocatedFinding& lf : r.findings) {
      if (!lf.finding.unverified) continue;
      out << "    " << location(lf) << " " << lf.workload << " " << format_finding(lf.finding)
          << "\n";
    }
  }
  for (const std::string& n : r.notices) out << "  " << st.paint("33", "!") << " " << n << "\n";
  for (const std::string& e : r.errors) out << "  " << st.paint("31", "✖") << " " << e << "\n";

  std::size_t denied = 0;
  for (const LocatedFinding& lf : r.findings) {
    denied += !lf.finding.unverified && lf.finding.severity == Enforcement::kDeny;
  }
  out << "→ " << plural(static_cast<std::size_t>(r.objects), "workload") << " in "
      << plural(static_cast<std::size_t>(r.files), "file");
  if (r.prompt_files > 0) {
    out << " and " << plural(static_cast<std::size_t>(r.prompt_files), "prompt file");
  }
  out << " checked: ";
  if (denied > 0) {
    out << st.paint("31", plural(denied, "problem") + " would be rejected");
  } else {
    out << st.paint("32", "nothing would be rejected");
  }
  if (!r.errors.empty()) out << ", " << st.paint("31", plural(r.errors.size(), "input error"));
  out << "\n";
}

void write_json(const Report& r, std::ostream& out) {
  nlohmann::json findings = nlohmann::json::array();
  std::size_t denied = 0, warned = 0, dryrun = 0, unverified = 0;
  for (const LocatedFinding& lf : r.findings) {
    const Finding& f = lf.finding;
    if (f.unverified) {
      ++unverified;
    } else if (f.severity == Enforcement::kDryRun) {
      ++dryrun;
    } else {
      (f.severity == Enforcement::kDeny ? denied : warned)++;
    }
    findings.push_back({{"check", f.check},
                        {"enforcement", f.unverified ? "not-checked" : to_string(f.severity)},
                        {"file", lf.file},
                        {"line", lf.line},
                        {"column", lf.column},
                        {"workload", lf.workload},
                        {"container", f.container},
                        {"subject", f.subject},
                        {"field", f.field_path},
                        {"message", f.message},
                        {"fix", f.fix}});
  }
  nlohmann::json doc = {
      {"summary", {{"files", r.files}, {"workloads", r.objects}, {"prompt_files", r.prompt_files}, {"denied", denied}, {"warnings", warned},
                   {"dryrun", dryrun}, {"not_checked", unverified},
                   {"errors", r.errors.size()}}},
      {"findings", std::move(findings)},
      {"notices", r.notices},
      {"errors", r.errors},
  };
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace preflight::cli
