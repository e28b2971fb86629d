#pragma once
// Rendering of check results for people (the seed's ✔/✖ style) and for machines (JSON).

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
};

struct Report {
  int files = 0;
  int objects = 0;        // workloads checked
  std::vector<LocatedFinding> findings;
  std::vector<std::string> errors;     // unreadable input, with location
  std::vector<std::string> notices;    // overrides and annotation problems
};

void write_text(const Report& r, const policy::Policy& policy, bool color, std::ostream& out);
void write_json(const Report& r, std::ostream& out);

}  // namespace preflight::cli
