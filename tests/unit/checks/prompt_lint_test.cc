#include "checks/prompt_lint.h"

#include <gtest/gtest.h>

namespace preflight::checks {
namespace {

using Kind = PromptProblem::Kind;

struct Want {
  Kind kind;
  std::string token;
  std::size_t offset;
  std::string suggestion = {};
};

struct Case {
  std::string name;
  std::string text;
  std::vector<Want> want;  // empty: a clean look-alike
};

const PromptVars kVars = {{"user_name", "friend"}, {"topic", "weather"}, {"language", "en"}};

TEST(PromptLint, Table) {
  const std::vector<Case> cases = {
      {"jinja_typo",
       "Hello {{ usr_name }}!",
       {{Kind::kUndeclared, "{{ usr_name }}", 6, "user_name"}}},
      {"brace_typo", "About {topik}.", {{Kind::kUndeclared, "{topik}", 6, "topic"}}},
      {"shell_typo", "Lang: ${languag}", {{Kind::kUndeclared, "${languag}", 6, "language"}}},
      {"undeclared_far_from_all", "{{ persona }}", {{Kind::kUndeclared, "{{ persona }}", 0, ""}}},
      {"go_template", "x {{ .Values.p }}", {{Kind::kGoTemplate, "{{ .Values.p }}", 2}}},
      {"no_value", "a <no value>", {{Kind::kNoValue, "<no value>", 2}}},
      {"two_on_lines",
       "line one\n{{ a }} and {b}\n",
       {{Kind::kUndeclared, "{{ a }}", 9}, {Kind::kUndeclared, "{b}", 21}}},
      {"same_token_twice_reported_once", "{x} {x}", {{Kind::kUndeclared, "{x}", 0}}},
      // clean look-alikes
      {"declared_all_forms", "{{ user_name }} {topic} ${language} {{ topic | upper }}", {}},
      {"declared_case_insensitive", "${USER_NAME}", {}},
      {"json_object", "{\"role\": \"system\", \"content\": \"hi\"}", {}},
      {"json_with_name_like_braces", "{\"a\": {\"b\": 1}}", {}},
      {"set_in_template", "{% set who = 'x' %}{{ who }}", {}},
      {"loop_var_and_builtin", "{% for m in user_name %}{{ m }}{{ loop.index }}{% endfor %}", {}},
      {"comment_and_raw", "{# {{ nope }} #}{% raw %}{{ nope }} {nope}{% endraw %}", {}},
      {"literals", "{{ \"x\" }} {{}} { spaced } {1}", {}},
      {"kube_ref_not_a_prompt_var", "$(NOT_CHECKED)", {}},
      {"no_placeholder", "plain text", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<PromptProblem> got = lint_prompt(c.text, kVars);
    ASSERT_EQ(got.size(), c.want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].kind, c.want[i].kind);
      EXPECT_EQ(got[i].token, c.want[i].token);
      EXPECT_EQ(got[i].offset, c.want[i].offset);
      EXPECT_EQ(got[i].suggestion, c.want[i].suggestion);
    }
  }
}

TEST(PromptLint, MessageNamesTheClosestDeclaredName) {
  const auto got = lint_prompt("{{ usr_name }}", kVars);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(prompt_problem_message(got[0]),
            "prompt template uses \"{{ usr_name }}\", but usr_name is neither in prompt_vars nor "
            "set in the template");
  EXPECT_EQ(prompt_problem_fix(got[0]),
            "did you mean user_name (declared in prompt_vars)? or add usr_name to prompt_vars "
            "with a default");
  const auto none = lint_prompt("{{ persona }}", kVars);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(prompt_problem_fix(none[0]),
            "add persona to prompt_vars, or set it with {% set persona = ... %}");
}

TEST(PromptLint, NothingDeclaredReportsEveryVariable) {
  EXPECT_EQ(lint_prompt("{{ a }} {b} ${C}", {}).size(), 3u);
}

}  // namespace
}  // namespace preflight::checks
