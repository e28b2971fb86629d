#pragma once
// Pure scanners behind the template-placeholder check: find the template tokens that survive
// into a running container (unrendered Helm/Jinja, shell syntax Kubernetes never expands,
// `$(VAR)` references, Helm's `<no value>`, single-brace format placeholders), and the small
// shell and Jinja facts the check needs to decide whether a token is really unresolved.
//
// Contract: linear hand-written scanners, no std::regex, no allocation unless a token is found
// (`scan` appends to a caller-owned vector). Tokens are views into the scanned text and hold
// only the placeholder itself, never the text around it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::checks::placeholder {

enum class TokenKind {
  kTemplateExpr,  // {{ ... }}  (Jinja, Go/Helm, Mustache)
  kTemplateStmt,  // {% ... %}  (Jinja statement)
  kShellVar,      // ${VAR}, ${VAR:-default}, ${1} ...
  kNoValue,       // <no value>  (what Helm prints for a missing value)
  kKubeRef,       // $(VAR)  (a Kubernetes dependent-variable reference)
  kBrace,         // {name}  (str.format / f-string placeholder)
};

struct Token {
  TokenKind kind = TokenKind::kTemplateExpr;
  std::string_view text;      // the whole placeholder, a view into the scanned text
  std::string_view var;       // root variable name; empty when none is named (`${1}`, Go `.X`)
  bool go_template = false;   // kTemplateExpr in Go/Helm syntax: `{{ .Values.x }}`, `{{ include }}`
  bool has_operator = false;  // kShellVar with anything after the name: `${V:-x}`, `${V#p}`
};

enum class Mode {
  // env[].value: {{ }}, {% %}, ${VAR...}, <no value>, $(VAR) (`$$` escapes), and {name} when
  // `single_braces` is set and the value does not parse as a JSON object or array.
  kEnvValue,
  // A command/args element that is not a shell script: {{ }}, <no value>, $(VAR).
  kArgument,
  // The script of `sh -c`: {{ }} and <no value> anywhere; ${...} only where the shell expands
  // it (not in single quotes, comments or quoted heredocs).
  kShellScript,
  // A prompt template (prompts ConfigMap data, `check --prompts` files): {{ }}, ${VAR},
  // <no value>, and {name} when `single_braces` is set and the text is not a JSON object or
  // array; skips {# #} and {% raw %} blocks.
  kPromptTemplate,
};

// False when `text` holds none of `{`, `$`, `<` (then no mode can find a token).
bool may_contain_placeholder(std::string_view text);

// Appends the tokens of `text` to `out`, in order. `{{}}` and `{{ "literal" }}` are not
// reported: they name no variable (and `{{"k": 1}}` is how str.format escapes JSON).
void scan(std::string_view text, Mode mode, bool single_braces, std::vector<Token>& out);
std::vector<Token> scan(std::string_view text, Mode mode, bool single_braces = false);

// True when `text` parses as a JSON object or array.
bool is_json_container(std::string_view text);

// Where the shell script sits in the concatenation command+args: the element after `-c`
// (or a flag cluster such as `-ec`) of sh/bash/ash/dash/zsh/ksh/mksh, also behind env, tini,
// dumb-init or busybox. `certain` is false when the command is empty and args start with
// `-c`: the image's entrypoint is probably a shell, but that cannot be seen.
struct ShellScript {
  std::size_t index = 0;
  bool certain = true;
};
std::optional<ShellScript> find_shell_script(const std::vector<std::string_view>& command,
                                             const std::vector<std::string_view>& args);

// True when `script` may give `var` a value itself: `VAR=`, `VAR+=`, `export/local/declare/
// typeset/readonly VAR`, `for/select VAR in`, `read [-r] ... VAR`, `getopts`, `mapfile`.
// Errs towards true.
bool script_assigns(std::string_view script, std::string_view var);

// Variables a shell or base image sets without the pod spec: HOME, PATH, PWD, HOSTNAME, USER,
// SHELL, RANDOM, IFS, LANG, LC_*, BASH_*, JAVA_HOME, CUDA_HOME, ...
bool is_well_known_shell_var(std::string_view var);

// Service-link variables the kubelet injects: *_SERVICE_HOST, *_SERVICE_PORT[_*], *_PORT,
// *_PORT_* (docker-link style). Upper case only, as the kubelet writes them.
bool is_service_link_var(std::string_view var);

// True when `tmpl` defines `var` in a Jinja statement: `{% set var = %}`, `{% set a, b = %}`,
// `{% for var in %}`, `{% for a, b in %}`, `{% with var = %}`, macro parameters, `import ... as
// var`. Scope is ignored: a definition anywhere counts.
bool template_defines(std::string_view tmpl, std::string_view var);

// Jinja globals and loop/macro names that need no definition: loop, range, namespace, true ...
bool is_jinja_builtin(std::string_view var);

// The token as findings quote it: at most 40 characters, control characters as spaces, and
// cut before any string literal or `${V:-default}` default (they may hold anything).
std::string display_token(const Token& token);
// A name as findings quote it: at most 40 characters, control characters as spaces.
std::string display_name(std::string_view name);

}  // namespace preflight::checks::placeholder
