// write_sarif (declared in report.h): SARIF 2.1.0 (OASIS, sarif-schema-2.1.0.json), the subset
// code-scanning tools read: runs[].tool.driver.rules, results[] with ruleId, ruleIndex, level,
// message.text and locations[]: a physicalLocation for `check` (a file), a logicalLocation for
// `audit` (a live object has no file; see docs/cli.md).

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "build_info.h"
#include "checks/check.h"
#include "cli/report.h"

namespace preflight::cli {

namespace {

using nlohmann::json;

constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";

std::string_view level(const Finding& f) {
  if (f.unverified) return "note";
  switch (f.severity) {
    case Enforcement::kDeny:
      return "error";
    case Enforcement::kWarn:
      return "warning";
    default:
      return "note";
  }
}

// A URI for the path as given: relative to the working directory when it is under it (what
// code scanning resolves against the checkout), else file:///abs/path; '/' separators and the
// characters URIs reserve percent-encoded.
std::string artifact_uri(const std::string& file) {
  if (file == "<stdin>") return "stdin";
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(file);
  std::string scheme;
  if (p.is_absolute()) {
    fs::path rel = fs::relative(p, fs::current_path(ec), ec);
    if (!ec && !rel.empty() && *rel.begin() != "..") {
      p = rel;
    } else {
      scheme = "file://";  // outside the working directory: an absolute file URI
    }
  }
  std::string s = p.lexically_normal().generic_string();
  std::string out = scheme;
  for (unsigned char c : s) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '/' || c == '.' || c == '-' || c == '_' || c == '~';
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// audit: the workload as a logical location, "namespace/Kind/name" (SARIF 2.1.0 §3.33; kind
// "resource"). LocatedFinding::workload is Workload::display(), "Kind namespace/name"; Kubernetes
// kinds hold no space and names no '/', so the split is unambiguous.
json logical_location(const LocatedFinding& lf) {
  std::string_view w = lf.workload;
  const std::size_t space = w.find(' ');
  const std::string_view kind = space == std::string_view::npos ? w : w.substr(0, space);
  std::string_view name = space == std::string_view::npos ? std::string_view() : w.substr(space + 1);
  if (const std::size_t slash = name.find('/'); slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  std::string fqn = lf.namespace_name;
  fqn.append("/").append(kind).append("/").append(name);
  return {{"name", name}, {"fullyQualifiedName", std::move(fqn)}, {"kind", "resource"}};
}

json result_location(const LocatedFinding& lf) {
  if (lf.file.empty()) return {{"logicalLocations", json::array({logical_location(lf)})}};
  json region = {{"startLine", std::max(lf.line, 1)}};
  if (lf.column > 0) region["startColumn"] = lf.column;
  return {{"physicalLocation",
           {{"artifactLocation", {{"uri", artifact_uri(lf.file)}}}, {"region", std::move(region)}}}};
}

std::string result_text(const LocatedFinding& lf) {
  std::string text = lf.finding.unverified ? "not checked: " : "";
  if (!lf.workload.empty()) text += lf.workload + ": ";
  return text + format_finding(lf.finding);
}

std::string short_description(std::string_view id) {
  if (id == "secret-ref") return "A referenced Secret (or key) does not exist";
  if (id == "configmap-ref") return "A referenced ConfigMap (or key) does not exist";
  if (id == "serviceaccount-ref") return "The ServiceAccount does not exist";
  if (id == "env-name") return "A required env var is missing or misspelled";
  if (id == "version-skew") return "Declared model/tokenizer version disagrees with what runs";
  if (id == "cuda-compat")
    return "The image's CUDA version needs a newer driver than the nodes have";
  if (id == "template-placeholder") return "An unresolved template placeholder";
  return "preflight check " + std::string(id);
}

}  // namespace

void write_sarif(const Report& r, std::ostream& out) {
  const auto& ids = checks::known_check_ids();
  json rules = json::array();
  for (std::string_view id : ids) {
    const std::string help = std::string(kDocsBaseUrl) + "checks/" + std::string(id) + ".md";
    rules.push_back({{"id", id},
                     {"name", id},
                     {"shortDescription", {{"text", short_description(id)}}},
                     {"helpUri", help},
                     {"help", {{"text", "See " + help}}}});
  }
  json results = json::array();
  for (const LocatedFinding& lf : r.findings) {
    json result = {
        {"ruleId", lf.finding.check},
        {"level", level(lf.finding)},
        {"message", {{"text", result_text(lf)}}},
        {"locations", json::array({result_location(lf)})},
    };
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == lf.finding.check) result["ruleIndex"] = i;
    }
    if (!lf.finding.field_path.empty()) {
      result["properties"] = {{"field", lf.finding.field_path}, {"fix", lf.finding.fix}};
    }
    results.push_back(std::move(result));
  }
  json notifications = json::array();
  for (const std::string& e : r.errors) {
    notifications.push_back({{"level", "error"}, {"message", {{"text", e}}}});
  }
  json run = {
      {"tool",
       {{"driver",
         {{"name", "preflight"},
          {"version", build::kVersion},
          {"informationUri", kInformationUri},
          {"rules", std::move(rules)}}}}},
      {"invocations", json::array({{{"executionSuccessful", r.errors.empty()},
                                    {"toolExecutionNotifications", std::move(notifications)}}})},
      {"results", std::move(results)},
  };
  if (!r.scope.empty()) run["properties"] = {{"scope", r.scope}};  // audit: what was audited
  json doc = {{"$schema", kSchema}, {"version", "2.1.0"}, {"runs", json::array({std::move(run)})}};
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace preflight::cli
