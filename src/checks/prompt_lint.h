#pragma once
// Prompt Lint (the seed's CI guard): the placeholders of one prompt template that the app
// cannot fill. Shared by the template-placeholder check (ConfigMaps labelled
// preflight.wfgy.io/prompts: "true", in `serve` and `check`) and `preflight check --prompts`.
//
// Reported, each at its byte offset in the text:
//   {{ var }}, ${var}, {var}  whose root variable is not declared in prompt_vars (the names the
//                             app gives a default), not set in the template ({% set %}, {% for %},
//                             macro parameters ...) and not a Jinja builtin;
//   {{ .Values.x }} and other Go/Helm syntax (a chart that was not rendered);
//   <no value>                (what Helm prints for a missing value).
// Not reported: {% %} statements, {# comments #}, {% raw %} blocks, literals ({{ "x" }}), and
// {name} in a text that parses as a JSON object or array.
// Declared names match case-insensitively (as everywhere in template-placeholder); the
// suggestion is the closest declared name (edit distance), when one is close enough.
//
// Contract: pure, no I/O; uses the one placeholder scanner (placeholder_scan.h).

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::checks {

struct PromptProblem {
  enum class Kind { kUndeclared, kGoTemplate, kNoValue };
  Kind kind = Kind::kUndeclared;
  std::size_t offset = 0;  // byte offset of the placeholder in the linted text
  std::string token;       // the placeholder as findings quote it (clipped)
  std::string var;         // root variable (clipped); empty for kGoTemplate and kNoValue
  std::string suggestion;  // closest declared name; empty when none is close
};

using PromptVars = std::map<std::string, std::string, std::less<>>;

std::vector<PromptProblem> lint_prompt(std::string_view text, const PromptVars& declared);

// The problem as a finding's message and fix, e.g.
//   prompt template uses "{{ usr }}", but usr is neither in prompt_vars nor set in the template
//   use user (declared in prompt_vars), or add usr to prompt_vars with a default
std::string prompt_problem_message(const PromptProblem& p);
std::string prompt_problem_fix(const PromptProblem& p);

}  // namespace preflight::checks
