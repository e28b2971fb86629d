#include "checks/prompt_lint.h"

#include <algorithm>

#include "checks/edit_distance.h"
#include "checks/placeholder_scan.h"

namespace preflight::checks {
namespace {

using placeholder::Token;
using placeholder::TokenKind;

bool is_declared(const PromptVars& declared, std::string_view var) {
  if (declared.find(var) != declared.end()) return true;
  return std::any_of(declared.begin(), declared.end(),
                     [&](const auto& entry) { return equals_ignore_case(entry.first, var); });
}

std::string closest(const PromptVars& declared, std::string_view var) {
  if (declared.empty()) return {};
  std::vector<std::string_view> names;
  names.reserve(declared.size());
  for (const auto& entry : declared) names.push_back(entry.first);
  // Close enough to be a typo: two edits, or a third of a longer name.
  const std::size_t bound = std::max<std::size_t>(2, var.size() / 3);
  auto best = nearest(var, names, bound, CaseMode::kInsensitive);
  return best ? placeholder::display_name(names[best->index]) : std::string();
}

}  // namespace

std::vector<PromptProblem> lint_prompt(std::string_view text, const PromptVars& declared) {
  std::vector<PromptProblem> out;
  if (!placeholder::may_contain_placeholder(text)) return out;
  const std::vector<Token> tokens =
      placeholder::scan(text, placeholder::Mode::kPromptTemplate, /*single_braces=*/true);
  std::vector<std::string_view> seen;  // one problem per distinct placeholder text
  for (const Token& t : tokens) {
    PromptProblem p;
    p.offset = static_cast<std::size_t>(t.text.data() - text.data());
    if (t.kind == TokenKind::kNoValue) {
      p.kind = PromptProblem::Kind::kNoValue;
    } else if (t.kind == TokenKind::kTemplateExpr && t.go_template) {
      p.kind = PromptProblem::Kind::kGoTemplate;
    } else if (t.kind == TokenKind::kTemplateExpr || t.kind == TokenKind::kShellVar ||
               t.kind == TokenKind::kBrace) {
      if (t.var.empty() || is_declared(declared, t.var) || placeholder::is_jinja_builtin(t.var) ||
          placeholder::template_defines(text, t.var)) {
        continue;
      }
      p.kind = PromptProblem::Kind::kUndeclared;
      p.var = placeholder::display_name(t.var);
      p.suggestion = closest(declared, t.var);
    } else {
      continue;  // $(VAR) and {% %} are not prompt placeholders
    }
    if (std::find(seen.begin(), seen.end(), t.text) != seen.end()) continue;
    seen.push_back(t.text);
    p.token = placeholder::display_token(t);
    out.push_back(std::move(p));
  }
  return out;
}

std::string prompt_problem_message(const PromptProblem& p) {
  const std::string quoted = "\"" + p.token + "\"";
  switch (p.kind) {
    case PromptProblem::Kind::kNoValue:
      return "\"<no value>\" is what Helm prints for a missing value";
    case PromptProblem::Kind::kGoTemplate:
      return "unresolved placeholder " + quoted + " (Helm template not rendered)";
    case PromptProblem::Kind::kUndeclared:
      break;
  }
  return "prompt template uses " + quoted + ", but " + p.var +
         " is neither in prompt_vars nor set in the template";
}

std::string prompt_problem_fix(const PromptProblem& p) {
  switch (p.kind) {
    case PromptProblem::Kind::kNoValue:
      return "set the value in the chart's values, or give the template a default";
    case PromptProblem::Kind::kGoTemplate:
      return "render the template before applying";
    case PromptProblem::Kind::kUndeclared:
      break;
  }
  if (!p.suggestion.empty()) {
    return "did you mean " + p.suggestion + " (declared in prompt_vars)? or add " + p.var +
           " to prompt_vars with a default";
  }
  return "add " + p.var + " to prompt_vars, or set it with {% set " + p.var + " = ... %}";
}

}  // namespace preflight::checks
