#pragma once
// Rendering of check results for people (the seed's ✔/✖ style) and for machines (JSON).
// Shared by `preflight check` (findings located by file:line) and `preflight audit` (findings
// located by workload; Report::scope set, and a summary per namespace added).

#include <iosfwd>
#include <string>
#include <vector>

#include "checks/finding.h"
#include "policy/policy.h"

namespace preflight::cli {

struct LocatedFinding {
  std::string file;
  int line = 0;
  std::string workload;   // "Deployment prod/llm-api"
  Finding finding;        // severity = effective enforcement
  std::string namespace_name;  // audit only (file is then empty)
};

struct Report {
  int files = 0;
  int objects = 0;        // workloads checked
  std::vector<LocatedFinding> findings;
  std::vector<std::string> errors;     // unreadable input, with location
  std::vector<std::string> notices;    // overrides and annotation problems
  std::string scope;   // audit: where the workloads came from ("snapshot FILE"); empty for check
};

void write_text(const Report& r, const policy::Policy& policy, bool color, std::ostream& out);
void write_json(const Report& r, std::ostream& out);

}  // namespace preflight::cli
