#pragma once
// `preflight check --prompts PATH`: Prompt Lint over prompt files. Files of any extension, and
// folders recursively (every regular file, in sorted order; files holding a NUL byte are
// binary and skipped). Each file is one prompt template, linted with checks::lint_prompt
// against policy.prompt_vars; every problem becomes a template-placeholder finding at
// file:line:column, with the check's enforcement (none when it is `off`).
// An unreadable path is an input error ("path: cannot read: why"); the others are still linted.

#include <string>
#include <vector>

#include "cli/report.h"
#include "policy/policy.h"

namespace preflight::cli {

// Appends findings and errors to `report`; returns the number of prompt files linted.
int lint_prompt_paths(const std::vector<std::string>& paths, const policy::Policy& policy,
                      Report& report);

}  // namespace preflight::cli
