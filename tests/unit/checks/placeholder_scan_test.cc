#include "checks/placeholder_scan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace preflight::checks::placeholder {
namespace {

struct Want {
  TokenKind kind;
  std::string text;
  std::string var;
  bool go = false;
  bool op = false;
};

struct ScanCase {
  std::string name;
  std::string text;
  Mode mode;
  bool braces;
  std::vector<Want> want;
};

constexpr TokenKind kExpr = TokenKind::kTemplateExpr;
constexpr TokenKind kStmt = TokenKind::kTemplateStmt;
constexpr TokenKind kShell = TokenKind::kShellVar;
constexpr TokenKind kNoVal = TokenKind::kNoValue;
constexpr TokenKind kRef = TokenKind::kKubeRef;
constexpr TokenKind kBrace = TokenKind::kBrace;

std::vector<ScanCase> scan_cases() {
  const Mode env = Mode::kEnvValue;
  const Mode arg = Mode::kArgument;
  const Mode sh = Mode::kShellScript;
  const Mode tpl = Mode::kPromptTemplate;
  return {
      // env values
      {"helm", "m={{ .Values.model }}!", env, false, {{kExpr, "{{ .Values.model }}", "", true}}},
      {"helm_trim", "{{- .Values.x -}}", env, false, {{kExpr, "{{- .Values.x -}}", "", true}}},
      {"helm_include",
       "{{ include \"x\" . }}",
       env,
       false,
       {{kExpr, "{{ include \"x\" . }}", "", true}}},
      {"go_comment", "{{/* c */}}", env, false, {{kExpr, "{{/* c */}}", "", true}}},
      {"jinja_var", "hi {{ user }}.", env, false, {{kExpr, "{{ user }}", "user"}}},
      {"jinja_filter",
       "{{user_name|default('x')}}",
       env,
       false,
       {{kExpr, "{{user_name|default('x')}}", "user_name"}}},
      {"jinja_not", "{{ not flag }}", env, false, {{kExpr, "{{ not flag }}", "flag"}}},
      {"jinja_range_call", "{{ range(3) }}", env, false, {{kExpr, "{{ range(3) }}", "range"}}},
      {"mustache_triple", "{{{body}}}", env, false, {{kExpr, "{{{body}}", "body"}}},
      {"empty_braces_escape", "{{}}", env, false, {}},
      {"format_json_escape", "{{\"k\": 1}}", env, false, {}},
      {"number_literal", "{{ 42 }}", env, false, {}},
      {"unclosed_expr", "{{ abc", env, false, {}},
      {"stmt",
       "{% if x %}y{% endif %}",
       env,
       false,
       {{kStmt, "{% if x %}", ""}, {kStmt, "{% endif %}", ""}}},
      {"shell_var", "${MODEL}", env, false, {{kShell, "${MODEL}", "MODEL"}}},
      {"shell_default",
       "${MODEL:-gpt}",
       env,
       false,
       {{kShell, "${MODEL:-gpt}", "MODEL", false, true}}},
      {"shell_nested", "${A:-${B}}", env, false, {{kShell, "${A:-${B}}", "A", false, true}}},
      {"shell_positional", "${1} ${@}", env, false, {}},
      {"shell_unclosed", "${abc", env, false, {}},
      {"no_value", "model=<no value>", env, false, {{kNoVal, "<no value>", ""}}},
      {"almost_no_value", "<no val>", env, false, {}},
      {"kube_ref", "x-$(MODEL_ID)-y", env, false, {{kRef, "$(MODEL_ID)", "MODEL_ID"}}},
      {"kube_ref_dotted", "$(my.var-1)", env, false, {{kRef, "$(my.var-1)", "my.var-1"}}},
      {"kube_escape", "$$(MODEL_ID)", env, false, {}},
      {"kube_escape_then_ref", "$$$(A)", env, false, {{kRef, "$(A)", "A"}}},
      {"kube_not_a_name", "$(date +%s) $(1X) $()", env, false, {}},
      {"brace_off", "Hello {user}", env, false, {}},
      {"brace_on",
       "Hello {user}, {a.b} {n!r}",
       env,
       true,
       {{kBrace, "{user}", "user"}, {kBrace, "{a.b}", "a"}, {kBrace, "{n!r}", "n"}}},
      {"brace_not_ident", "{0} {} { x } {1a}", env, true, {}},
      {"brace_json_object", "{\"role\": \"system\", \"t\": \"{name}\"}", env, true, {}},
      {"brace_json_spaced", "{ \"a\": 1 }", env, true, {}},
      {"brace_json_array", "[{\"a\": \"{b}\"}]", env, true, {}},
      {"brace_not_json", "[{x}]", env, true, {{kBrace, "{x}", "x"}}},
      {"brace_vs_jinja",
       "{{name}} ${V}",
       env,
       true,
       {{kExpr, "{{name}}", "name"}, {kShell, "${V}", "V"}}},
      {"nothing", "plain text: 100% fine", env, true, {}},
      // command/args elements
      {"arg_ref", "--model=$(MODEL)", arg, false, {{kRef, "$(MODEL)", "MODEL"}}},
      {"arg_no_shell_syntax", "${X} {% y %} {x}", arg, false, {}},
      {"arg_go_format", "{{.Names}}", arg, false, {{kExpr, "{{.Names}}", "", true}}},
      {"arg_no_value", "<no value>", arg, false, {{kNoVal, "<no value>", ""}}},
      // shell scripts
      {"sh_var", "echo ${A} \"${B}\"", sh, false, {{kShell, "${A}", "A"}, {kShell, "${B}", "B"}}},
      {"sh_single_quoted", "echo '${A}' \"it's ${B}\"", sh, false, {{kShell, "${B}", "B"}}},
      {"sh_escaped", "echo \\${A}", sh, false, {}},
      {"sh_comment", "# uses ${A}\necho ${B} # ${C}", sh, false, {{kShell, "${B}", "B"}}},
      {"sh_hash_in_word", "echo a#${A}", sh, false, {{kShell, "${A}", "A"}}},
      {"sh_command_subst", "echo $(date) $(A)", sh, false, {}},
      {"sh_operators",
       "echo ${A:-x} ${#B} ${@} ${C[0]}",
       sh,
       false,
       {{kShell, "${A:-x}", "A", false, true}, {kShell, "${C[0]}", "C", false, true}}},
      {"sh_quoted_heredoc",
       "cat <<'EOF'\n${A} {{ .Values.x }}\nEOF\necho ${B}",
       sh,
       false,
       {{kExpr, "{{ .Values.x }}", "", true}, {kShell, "${B}", "B"}}},
      {"sh_heredoc_apostrophe",
       "cat <<-EOF\n\tit's ${A}\n\tEOF\necho '${B}'",
       sh,
       false,
       {{kShell, "${A}", "A"}}},
      {"sh_arith_shift", "x=$((1 << 2)); echo '${A}'", sh, false, {}},
      {"sh_template_always",
       "echo '{{ .Values.x }}' # <no value>",
       sh,
       false,
       {{kExpr, "{{ .Values.x }}", "", true}, {kNoVal, "<no value>", ""}}},
      // prompt templates
      {"tpl_tokens",
       "{{ user }} {# {{ hidden }} #} {% raw %}{{ raw }}{% endraw %} ${X} $(Y) {% if a %}",
       tpl,
       false,
       {{kExpr, "{{ user }}", "user"}, {kShell, "${X}", "X"}}},
      {"tpl_no_value", "<no value>", tpl, false, {{kNoVal, "<no value>", ""}}},
  };
}

TEST(PlaceholderScan, Table) {
  for (const ScanCase& c : scan_cases()) {
    SCOPED_TRACE(c.name);
    const std::vector<Token> got = scan(c.text, c.mode, c.braces);
    ASSERT_EQ(got.size(), c.want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].kind, c.want[i].kind) << i;
      EXPECT_EQ(got[i].text, c.want[i].text) << i;
      EXPECT_EQ(got[i].var, c.want[i].var) << i;
      EXPECT_EQ(got[i].go_template, c.want[i].go) << i;
      EXPECT_EQ(got[i].has_operator, c.want[i].op) << i;
    }
  }
}

TEST(PlaceholderScan, AppendsWithoutTouchingEarlierTokens) {
  std::vector<Token> out = scan("{{ a }}", Mode::kEnvValue);
  scan("{\"x\": \"{b}\"}", Mode::kEnvValue, true, out);  // JSON: its braces are dropped
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].var, "a");
}

TEST(PlaceholderScan, MayContainPlaceholder) {
  EXPECT_FALSE(may_contain_placeholder("gpt-4o-mini"));
  EXPECT_FALSE(may_contain_placeholder(""));
  EXPECT_TRUE(may_contain_placeholder("a{"));
  EXPECT_TRUE(may_contain_placeholder("$"));
  EXPECT_TRUE(may_contain_placeholder("<"));
}

TEST(PlaceholderScan, ManyUnclosedOpenersStayLinear) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "{{ ${ $( {% ";
  EXPECT_TRUE(scan(text, Mode::kEnvValue, true).empty());
  EXPECT_TRUE(scan(text, Mode::kShellScript).empty());
  EXPECT_TRUE(scan(text, Mode::kPromptTemplate).empty());
}

TEST(PlaceholderScan, JsonContainer) {
  EXPECT_TRUE(is_json_container(" {\"a\": [1, 2]} "));
  EXPECT_TRUE(is_json_container("[1]"));
  EXPECT_FALSE(is_json_container("{name}"));
  EXPECT_FALSE(is_json_container("\"str\""));
  EXPECT_FALSE(is_json_container("42"));
}

struct ShellCase {
  std::string name;
  std::vector<std::string_view> command;
  std::vector<std::string_view> args;
  std::optional<std::size_t> index;
  bool certain = true;
};

TEST(PlaceholderScan, FindShellScript) {
  const std::vector<ShellCase> cases = {
      {"sh_c", {"sh", "-c", "s"}, {}, 2},
      {"bin_bash_c_args", {"/bin/bash", "-c"}, {"s"}, 2},
      {"sh_then_args", {"sh"}, {"-c", "s"}, 2},
      {"flag_cluster", {"bash", "-ec", "s"}, {}, 2},
      {"o_pipefail", {"bash", "-o", "pipefail", "-c", "s"}, {}, 4},
      {"long_option", {"bash", "--login", "-c", "s"}, {}, 3},
      {"env_wrapper", {"/usr/bin/env", "FOO=1", "bash", "-c", "s"}, {}, 4},
      {"tini_wrapper", {"tini", "--", "sh", "-c", "s"}, {}, 4},
      {"busybox", {"busybox", "sh", "-c", "s"}, {}, 3},
      {"other_shells", {"/bin/ash", "-c", "s"}, {}, 2},
      {"zsh_dash", {"dash", "-c"}, {"s", "arg0"}, 2},
      {"python_is_no_shell", {"python", "-c", "s"}, {}, std::nullopt},
      {"script_file", {"sh", "run.sh"}, {}, std::nullopt},
      {"no_script_after_c", {"zsh", "-c"}, {}, std::nullopt},
      {"unknown_entrypoint", {}, {"-c", "s"}, 1, false},
      {"args_only_shell", {}, {"sh", "-c", "s"}, 2},
      {"plain_binary", {"vllm", "serve"}, {"--port", "8000"}, std::nullopt},
  };
  for (const ShellCase& c : cases) {
    SCOPED_TRACE(c.name);
    const auto got = find_shell_script(c.command, c.args);
    ASSERT_EQ(got.has_value(), c.index.has_value());
    if (!got) continue;
    EXPECT_EQ(got->index, *c.index);
    EXPECT_EQ(got->certain, c.certain);
  }
}

TEST(PlaceholderScan, ScriptAssigns) {
  const std::vector<std::pair<std::string, std::string>> assigned = {
      {"X=1; echo ${X}", "X"},
      {"echo a && X+=1", "X"},
      {"arr[0]=1", "arr"},
      {"export X=1", "X"},
      {"for X in a b; do echo ${X}; done", "X"},
      {"select X in a b; do :; done", "X"},
      {"read -r X", "X"},
      {"while read -r a X; do echo \"${X}\"; done", "X"},
      {"if read X; then :; fi", "X"},
      {"f() { local X; X=2; }", "X"},
      {"declare -a X", "X"},
      {"getopts ab X", "X"},
      {"(Y=1)", "Y"},
  };
  for (const auto& [script, var] : assigned) {
    EXPECT_TRUE(script_assigns(script, var)) << script;
  }
  const std::vector<std::pair<std::string, std::string>> not_assigned = {
      {"echo ${X}", "X"}, {"echo ${X}; Y=${X}", "X"}, {"XY=1; echo ${X}", "X"}, {"run --X=1", "X"},
      {"echo $X=1", "X"}, {"reader X", "X"},          {"echo ${X}", ""},
  };
  for (const auto& [script, var] : not_assigned) {
    EXPECT_FALSE(script_assigns(script, var)) << script;
  }
}

TEST(PlaceholderScan, WellKnownAndServiceLinkVars) {
  for (const char* v : {"HOME", "PATH", "PWD", "HOSTNAME", "USER", "SHELL", "RANDOM", "IFS",
                        "LC_ALL", "BASH_SOURCE", "JAVA_HOME"}) {
    EXPECT_TRUE(is_well_known_shell_var(v)) << v;
  }
  for (const char* v : {"MODEL_ID", "home", "HOMEDIR", ""}) {
    EXPECT_FALSE(is_well_known_shell_var(v)) << v;
  }
  for (const char* v : {"REDIS_SERVICE_HOST", "REDIS_SERVICE_PORT", "REDIS_SERVICE_PORT_HTTP",
                        "REDIS_PORT", "REDIS_PORT_6379_TCP_ADDR", "KUBERNETES_SERVICE_HOST"}) {
    EXPECT_TRUE(is_service_link_var(v)) << v;
  }
  for (const char* v :
       {"MODEL_ID", "PORT", "_PORT", "SERVICE_HOST", "redis_port", "A_PORT_", "PORTS"}) {
    EXPECT_FALSE(is_service_link_var(v)) << v;
  }
}

TEST(PlaceholderScan, TemplateDefines) {
  const std::vector<std::pair<std::string, std::string>> defined = {
      {"{% set x = 1 %}", "x"},
      {"{% set a, b = f() %}", "b"},
      {"{%- for m in messages -%}", "m"},
      {"{% for k, v in d.items() %}", "v"},
      {"{% for (k, v) in d %}", "k"},
      {"{% with y = 2 %}", "y"},
      {"{% macro greet(name, title='x') %}", "name"},
      {"{% import 'forms.html' as forms %}", "forms"},
      {"{% set block %}text{% endset %}", "block"},
  };
  for (const auto& [tmpl, var] : defined) EXPECT_TRUE(template_defines(tmpl, var)) << tmpl;
  const std::vector<std::pair<std::string, std::string>> undefined = {
      {"{%- for m in messages -%}", "messages"},
      {"{% set y = x %}", "x"},
      {"{% set ns.count = 1 %}", "count"},
      {"{% with y = x %}", "x"},
      {"{% if x %}", "x"},
      {"{{ x }}", "x"},
      {"{% set x = 1", "x"},
  };
  for (const auto& [tmpl, var] : undefined) EXPECT_FALSE(template_defines(tmpl, var)) << tmpl;
  EXPECT_TRUE(is_jinja_builtin("loop"));
  EXPECT_TRUE(is_jinja_builtin("namespace"));
  EXPECT_FALSE(is_jinja_builtin("user"));
}

TEST(PlaceholderScan, DisplayToken) {
  auto first = [](std::string_view text, Mode mode) { return scan(text, mode).at(0); };
  EXPECT_EQ(display_token(first("${API_KEY:-sk-live-123}", Mode::kEnvValue)), "${API_KEY:-...}");
  EXPECT_EQ(display_token(first("${KEY#sk}", Mode::kEnvValue)), "${KEY#...}");
  EXPECT_EQ(display_token(first("${KEY}", Mode::kEnvValue)), "${KEY}");
  EXPECT_EQ(display_token(first("{{ x | default(\"sk-1\") }}", Mode::kEnvValue)),
            "{{ x | default(...}}");
  EXPECT_EQ(display_token(first("{% if x == 'sk' %}", Mode::kEnvValue)), "{% if x == ...%}");
  EXPECT_EQ(display_token(first("{{\n.Values.x\n}}", Mode::kEnvValue)), "{{ .Values.x }}");

  const std::string long_expr = "{{ " + std::string(100, 'a') + " }}";
  const std::string shown = display_token(first(long_expr, Mode::kEnvValue));
  EXPECT_EQ(shown.size(), 40u);
  EXPECT_EQ(shown.substr(37), "...");

  // Never splits a UTF-8 sequence: 17 two-byte characters, cut at 37 bytes.
  std::string utf8 = "{{ x";
  for (int i = 0; i < 20; ++i) utf8 += "\xc3\xa9";
  utf8 += " }}";
  const std::string clipped = display_token(first(utf8, Mode::kEnvValue));
  EXPECT_LE(clipped.size(), 40u);
  EXPECT_EQ(clipped.substr(clipped.size() - 3), "...");
  EXPECT_NE(static_cast<unsigned char>(clipped[clipped.size() - 4]), 0xc3);

  EXPECT_EQ(display_name("MODEL_ID"), "MODEL_ID");
  EXPECT_EQ(display_name(std::string(60, 'A')).size(), 40u);
}

}  // namespace
}  // namespace preflight::checks::placeholder
