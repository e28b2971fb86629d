#include "cli/report.h"

#include <algorithm>
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

// `name` and dots to 24 columns (at least two dots), counting UTF-8 characters, not bytes.
std::string dotted_text(std::string_view name) {
  std::size_t columns = 0;
  for (char c : name) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  std::string s(name);
  s.push_back(' ');
  for (std::size_t n = columns + 1; n < 24 || n < columns + 3; ++n) s.push_back('.');
  return s;
}

std::string plural(std::size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// The seed's verdict block under a finding with a headline (version-skew): once per workload
// its "env vars" guard (env-name), then "✖ checkpoint ↔ tokenizer .. MISMATCH" and both values.
void write_verdict(const Report& r, const LocatedFinding& lf, const Style& st,
                   const LocatedFinding*& opened, std::ostream& out) {
  const bool deny = lf.finding.severity == Enforcement::kDeny;
  if (opened == nullptr || opened->file != lf.file || opened->line != lf.line) {
    opened = &lf;
    std::size_t env = 0;
    for (const LocatedFinding& o : r.findings) {
      env += o.file == lf.file && o.line == lf.line && o.finding.check == "env-name" &&
             !o.finding.unverified;
    }
    out << "    " << (env == 0 ? st.paint("32", "✔") : st.paint("33", "!")) << " "
        << dotted_text("env vars") << " " << (env == 0 ? "OK" : plural(env, "problem")) << "\n";
  }
  out << "    " << (deny ? st.paint("31", "✖") : st.paint("33", "!")) << " "
      << dotted_text(lf.finding.headline) << " "
      << (deny ? st.paint("31", "MISMATCH") : st.paint("33", "MISMATCH (warn)")) << "\n";
  for (const std::string& d : lf.finding.details) out << "      • " << d << "\n";
}

// After a verdict block that denies: the seed's "→ Aborting deploy", with the override when
// the policy lets the skip annotation force every denying check.
void write_abort(const Report& r, const policy::Policy& policy, const Style& st, std::ostream& out) {
  bool verdict = false, overridable = true;
  std::vector<std::string> ids;
  for (const LocatedFinding& lf : r.findings) {
    const Finding& f = lf.finding;
    if (f.unverified || f.severity != Enforcement::kDeny) continue;
    verdict |= !f.headline.empty();
    overridable &= policy.overridable.contains(f.check);
    if (std::find(ids.begin(), ids.end(), f.check) == ids.end()) ids.push_back(f.check);
  }
  if (!verdict) return;
  if (!overridable) {
    out << st.paint("31", "→ Aborting deploy") << "\n";
    return;
  }
  std::string list;
  for (const std::string& id : ids) list.append(list.empty() ? "" : ",").append(id);
  out << st.paint("31", "→ Aborting deploy (use the override annotation to force)") << "\n"
      << "  preflight.wfgy.io/skip: \"" << list << "\"\n";
}

// "file:line " for check, nothing for audit (the workload names the place).
// Audit: verified findings per namespace, as (deny, other).
std::map<std::string, std::pair<std::size_t, std::size_t>> per_namespace(const Report& r) {
  std::map<std::string, std::pair<std::size_t, std::size_t>> out;
  for (const LocatedFinding& lf : r.findings) {
    if (lf.finding.unverified) continue;
    auto& c = out[lf.namespace_name];
    (lf.finding.severity == Enforcement::kDeny ? c.first : c.second)++;
  }
  return out;
}

}  // namespace

std::string location(const LocatedFinding& lf) {
  if (lf.file.empty()) return {};  // audit: the workload names the place
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
  const LocatedFinding* verdict_for = nullptr;  // the workload whose verdict block was opened
  for (const LocatedFinding& lf : r.findings) {
    if (lf.finding.unverified) continue;
    if (lf.finding.severity == Enforcement::kDryRun && r.scope.empty()) continue;  // check: hidden
    const bool deny = lf.finding.severity == Enforcement::kDeny;
    std::string mark = deny ? st.paint("31", "✖") : st.paint("33", "!");
    out << "  " << mark;
    if (!lf.file.empty()) out << " " << location(lf);
    if (!lf.workload.empty()) out << " " << lf.workload;
    if (!deny) out << " (" << to_string(lf.finding.severity) << ")";
    out << "\n    " << format_finding(lf.finding) << "\n";
    if (!lf.finding.headline.empty()) write_verdict(r, lf, st, verdict_for, out);
  }
  if (unverified > 0) {
    out << "  " << st.paint("2", "? " + plural(unverified, "reference") + " not checked:") << "\n";
    for (const LocatedFinding& lf : r.findings) {
      if (!lf.finding.unverified) continue;
      out << "    " << (lf.file.empty() ? "" : location(lf) + " ") << lf.workload << " "
          << format_finding(lf.finding)
          << "\n";
    }
  }
  for (const std::string& n : r.notices) out << "  " << st.paint("33", "!") << " " << n << "\n";
  for (const std::string& e : r.errors) out << "  " << st.paint("31", "✖") << " " << e << "\n";
  if (!r.scope.empty()) {
    for (const auto& [ns, c] : per_namespace(r)) {
      out << "  namespace " << dotted(ns) << " ";
      if (c.first > 0) out << st.paint("31", plural(c.first, "problem"));
      if (c.first > 0 && c.second > 0) out << ", ";
      if (c.second > 0) out << st.paint("33", plural(c.second, "warning"));
      out << "\n";
    }
  }

  std::size_t denied = 0;
  for (const LocatedFinding& lf : r.findings) {
    denied += !lf.finding.unverified && lf.finding.severity == Enforcement::kDeny;
  }
  if (r.scope.empty()) {
    out << "→ " << plural(static_cast<std::size_t>(r.objects), "workload") << " in "
        << plural(static_cast<std::size_t>(r.files), "file");
    if (r.prompt_files > 0) {
      out << " and " << plural(static_cast<std::size_t>(r.prompt_files), "prompt file");
    }
    out << " checked: ";
  } else {
    out << "→ " << plural(static_cast<std::size_t>(r.objects), "workload") << " in " << r.scope
        << " audited: ";
  }
  if (denied > 0) {
    out << st.paint("31", plural(denied, "problem") + " would be rejected");
  } else {
    out << st.paint("32", "nothing would be rejected");
  }
  if (!r.errors.empty()) out << ", " << st.paint("31", plural(r.errors.size(), "input error"));
  out << "\n";
  write_abort(r, policy, st, out);
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
    nlohmann::json item = {{"check", f.check},
                        {"enforcement", f.unverified ? "not-checked" : to_string(f.severity)},
                        {"file", lf.file},
                        {"line", lf.line},
                        {"column", lf.column},
                        {"workload", lf.workload},
                        {"container", f.container},
                        {"subject", f.subject},
                        {"field", f.field_path},
                        {"message", f.message},
                        {"fix", f.fix}};
    if (!r.scope.empty()) {
      item.erase("file");
      item.erase("line");
      item["namespace"] = lf.namespace_name;
    }
    findings.push_back(std::move(item));
  }
  nlohmann::json doc = {
      {"summary", {{"files", r.files}, {"workloads", r.objects}, {"prompt_files", r.prompt_files}, {"denied", denied}, {"warnings", warned},
                   {"dryrun", dryrun}, {"not_checked", unverified},
                   {"errors", r.errors.size()}}},
      {"findings", std::move(findings)},
      {"notices", r.notices},
      {"errors", r.errors},
  };
  if (!r.scope.empty()) {
    doc["summary"].erase("files");
    doc["summary"]["scope"] = r.scope;
    nlohmann::json namespaces = nlohmann::json::object();
    for (const auto& [ns, c] : per_namespace(r)) {
      namespaces[ns] = {{"denied", c.first}, {"warnings", c.second}};
    }
    nlohmann::json per_check = nlohmann::json::object();
    for (const LocatedFinding& lf : r.findings) {
      if (lf.finding.unverified) continue;
      nlohmann::json& c = per_check[lf.finding.check];
      if (c.is_null()) c = {{"denied", 0}, {"warnings", 0}};
      c[lf.finding.severity == Enforcement::kDeny ? "denied" : "warnings"] =
          c[lf.finding.severity == Enforcement::kDeny ? "denied" : "warnings"].get<int>() + 1;
    }
    doc["namespaces"] = std::move(namespaces);
    doc["checks"] = std::move(per_check);
  }
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace preflight::cli
