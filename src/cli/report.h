#pragma once
// Rendering of check results for people (the seed's ✔/✖ style) and for machines (JSON, and
// SARIF 2.1.0 for code-scanning annotations). The writers take a Report (findings with their
// file:line[:column]) and a stream, so `check` and `audit` share them (audit: no file;
// Report::scope set, and a summary per namespace added). Findings at `dryrun`
// are shown only in SARIF (level "note") and JSON; text leaves them out.

#include <iosfwd>
#include <string>
#include <vector>

#include "checks/finding.h"
#include "policy/policy.h"

namespace preflight::cli {

struct LocatedFinding {
  std::string file;
  int line = 0;
  int column = 0;         // 1-based; 0 when only the line is known
  std::string workload;   // "Deployment prod/llm-api"; empty for a prompt file
  Finding finding;        // severity = effective enforcement
  std::string namespace_name;  // audit only (file is then empty)
};

struct Report {
  int files = 0;
  int objects = 0;        // workloads checked
  int prompt_files = 0;   // files linted by --prompts
  std::vector<LocatedFinding> findings;
  std::vector<std::string> errors;     // unreadable input, with location
  std::vector<std::string> notices;    // overrides and annotation problems
  std::string scope;   // audit: where the workloads came from ("snapshot FILE"); empty for check
};

// "file:line" or "file:line:column".
std::string location(const LocatedFinding& lf);

void write_text(const Report& r, const policy::Policy& policy, bool color, std::ostream& out);
void write_json(const Report& r, std::ostream& out);
// SARIF 2.1.0: one run, tool.driver "preflight" with one rule per known check id (helpUri:
// docs/checks/ID.md), one result per finding (deny -> error, warn -> warning, dryrun and
// "not checked" -> note). `check` (a file): physicalLocation, artifactLocation.uri (relative to
// the working directory when the file is under it, else a file:// URI) and
// region.startLine[/startColumn]. `audit` (file empty): logicalLocations[0], fullyQualifiedName
// "namespace/Kind/name", kind "resource", no physicalLocation; run.properties.scope names the
// source. Input errors become invocations[0].toolExecutionNotifications and
// executionSuccessful: false.
void write_sarif(const Report& r, std::ostream& out);

// The project's address: the repository the README's `uses: wfgy/preflight@main` and
// docs/ci/gitlab-ci.yml clone (CONTRACT.md names none). The rules' helpUri are
// kDocsBaseUrl + "checks/ID.md", under the same address (report_test checks it).
inline constexpr const char* kInformationUri = "https://github.com/wfgy/preflight";
inline constexpr const char* kDocsBaseUrl = "https://github.com/wfgy/preflight/blob/main/docs/";

}  // namespace preflight::cli
