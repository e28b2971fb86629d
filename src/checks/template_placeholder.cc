// template-placeholder (the seed's "Prompt Lint"): template syntax that reaches a running
// container unrendered. Details and examples: docs/checks/template-placeholder.md.
//
// Rejects, in app, init and ephemeral containers alike:
//   env[i].value        {{ }}, {% %}, ${VAR}, ${VAR:-x}, <no value>, and $(VAR) when VAR is not
//                       defined earlier (env before it, or envFrom); {name} when the env name
//                       contains PROMPT or TEMPLATE and the value is not JSON.
//   command[i], args[i] {{ }} and <no value>; outside a shell script $(VAR) when VAR is defined
//                       nowhere in env; inside `sh -c` scripts ${VAR} when VAR is set neither in
//                       env nor by the script and is no well-known shell variable.
//   ConfigMap data.<key> only with label preflight.wfgy.io/prompts: "true": {{ expr }}, ${VAR}
//                       and {name} whose root variable is neither in prompt_vars nor set/looped
//                       in the template (nor a Jinja builtin); <no value> (checks/prompt_lint).
// Allowed: names in policy.prompt_vars (case-insensitive), `$$(VAR)`, service-link variables
// in $(VAR), $(VAR) when an envFrom source's keys are unknown, `$(...)` in shell scripts.
// Reads: containers[*].env, envFrom (key names through the ClusterView), command, args;
// ConfigMap labels and data; policy.prompt_vars. Quotes only the placeholder (clipped), never
// the rest of a value.

#include "checks/template_placeholder.h"

#include <algorithm>
#include <string>

#include "checks/placeholder_scan.h"
#include "checks/prompt_lint.h"

namespace preflight::checks {
namespace {

using placeholder::Token;
using placeholder::TokenKind;

constexpr std::string_view kCheckId = "template-placeholder";
constexpr std::string_view kPromptsLabel = "preflight.wfgy.io/prompts";

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool icontains(std::string_view hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [](char x, char y) { return lower(x) == lower(y); }) != hay.end();
}

bool is_prompt_var(const policy::Policy& policy, std::string_view var) {
  if (var.empty()) return false;
  if (policy.prompt_vars.find(var) != policy.prompt_vars.end()) return true;
  return std::any_of(policy.prompt_vars.begin(), policy.prompt_vars.end(),
                     [&](const auto& entry) { return iequals(entry.first, var); });
}

enum class Defined { kYes, kNo, kMaybe };

// The names one container's env defines. envFrom keys are looked up once, and only if asked.
class ContainerEnv {
 public:
  ContainerEnv(const Container& container, std::string_view ns,
               const cluster::ClusterView* cluster)
      : container_(container), ns_(ns), cluster_(cluster) {}

  // Is `name` defined by envFrom or by one of the first `limit` env entries?
  Defined lookup(std::string_view name, std::size_t limit) {
    const std::size_t n = std::min(limit, container_.env.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (container_.env[i].name == name) return Defined::kYes;
    }
    if (container_.env_from.empty()) return Defined::kNo;
    if (!loaded_) load_env_from();
    if (std::find(keys_.begin(), keys_.end(), name) != keys_.end()) return Defined::kYes;
    return unknown_ ? Defined::kMaybe : Defined::kNo;
  }

 private:
  void load_env_from() {
    loaded_ = true;
    std::vector<std::string> keys;
    for (const EnvFromSource& source : container_.env_from) {
      const auto resource = source.kind == EnvFromSource::Kind::kSecret
                                ? cluster::Resource::kSecret
                                : cluster::Resource::kConfigMap;
      keys.clear();
      if (cluster_ == nullptr ||
          cluster_->find(resource, ns_, source.name, &keys) != cluster::Lookup::kFound) {
        unknown_ = true;  // its keys could define anything
        continue;
      }
      for (const std::string& key : keys) keys_.push_back(std::string(source.prefix) + key);
    }
  }

  const Container& container_;
  const std::string_view ns_;
  const cluster::ClusterView* cluster_;
  bool loaded_ = false;
  bool unknown_ = false;
  std::vector<std::string> keys_;
};

// Where a finding points; strings are built only when there is a finding.
struct Place {
  enum class Where { kEnv, kCommand, kArgs, kData };
  Where where = Where::kEnv;
  std::string_view container;
  const PartPath* base_path = nullptr;  // env entry or container path; null for data
  std::string_view name;       // env name or data key
  std::size_t index = 0;       // command/args index

  std::string subject() const {
    switch (where) {
      case Where::kEnv:
        return "env " + std::string(name);
      case Where::kCommand:
        return "command[" + std::to_string(index) + "]";
      case Where::kArgs:
        return "args[" + std::to_string(index) + "]";
      case Where::kData:
        return "data " + std::string(name);
    }
    return {};
  }
  std::string field_path() const {
    switch (where) {
      case Where::kEnv:
        return base_path->str() + ".value";
      case Where::kCommand:
        return base_path->str() + "." + subject();
      case Where::kArgs:
        return base_path->str() + "." + subject();
      case Where::kData:
        return "data." + std::string(name);
    }
    return {};
  }
};

std::string quoted(const Token& t) { return "\"" + placeholder::display_token(t) + "\""; }

class Linter {
 public:
  Linter(const policy::Policy& policy, std::vector<Finding>& out) : policy_(policy), out_(out) {}

  void env_values(const Container& c, ContainerEnv& env) {
    for (std::size_t i = 0; i < c.env.size(); ++i) {
      const EnvVar& var = c.env[i];
      if (var.source != EnvVar::Source::kValue) continue;
      if (!placeholder::may_contain_placeholder(var.value)) continue;
      const bool prompt = icontains(var.name, "PROMPT") || icontains(var.name, "TEMPLATE");
      const Place place{Place::Where::kEnv, c.name, &var.path, var.name};
      begin_field(var.value, placeholder::Mode::kEnvValue, prompt);
      for (const Token& t : tokens_) {
        if (common(place, t)) continue;
        if (is_prompt_var(policy_, t.var)) continue;
        // The quoted name is built only for a finding: most tokens (`$(VAR)` of a defined VAR)
        // are fine.
        if (t.kind == TokenKind::kShellVar) {
          const std::string name = placeholder::display_name(t.var);
          report(place, t, quoted(t) + " is shell syntax, which Kubernetes never expands in env",
                 "write $(" + name + ") with " + name + " defined earlier in env, or add it to " +
                     "prompt_vars");
        } else if (t.kind == TokenKind::kBrace) {
          const std::string name = placeholder::display_name(t.var);
          report(place, t, "unresolved placeholder " + quoted(t) + " (prompt string not formatted)",
                 "format the prompt before deploying, or add " + name + " to prompt_vars");
        } else if (t.kind == TokenKind::kKubeRef && !placeholder::is_service_link_var(t.var) &&
                   env.lookup(t.var, i) == Defined::kNo) {
          const std::string name = placeholder::display_name(t.var);
          report(place, t,
                 quoted(t) + " refers to " + name +
                     ", which is not defined earlier in env, so Kubernetes passes it verbatim",
                 "define " + name + " before this variable, or escape it as $$(" + name + ")");
        }
      }
    }
  }

  void command_args(const Container& c, ContainerEnv& env) {
    const auto script = placeholder::find_shell_script(c.command, c.args);
    const std::size_t total = c.command.size() + c.args.size();
    for (std::size_t k = 0; k < total; ++k) {
      const bool in_command = k < c.command.size();
      const std::string_view arg = in_command ? c.command[k] : c.args[k - c.command.size()];
      if (!placeholder::may_contain_placeholder(arg)) continue;
      const bool is_script = script && script->index == k;
      const Place place{in_command ? Place::Where::kCommand : Place::Where::kArgs,
                        c.name,
                        &c.path,
                        {},
                        in_command ? k : k - c.command.size()};
      begin_field(arg,
                  is_script && script->certain ? placeholder::Mode::kShellScript
                                               : placeholder::Mode::kArgument,
                  false);
      for (const Token& t : tokens_) {
        if (common(place, t)) continue;
        if (is_prompt_var(policy_, t.var) || placeholder::is_service_link_var(t.var)) continue;
        if (t.kind == TokenKind::kKubeRef && !is_script &&
            env.lookup(t.var, c.env.size()) == Defined::kNo) {
          const std::string name = placeholder::display_name(t.var);
          report(place, t,
                 quoted(t) + " refers to " + name +
                     ", which is not defined in env, so Kubernetes passes it verbatim",
                 "define " + name + " in env, or escape it as $$(" + name + ")");
        } else if (t.kind == TokenKind::kShellVar && !t.has_operator &&
                   !placeholder::is_well_known_shell_var(t.var) &&
                   env.lookup(t.var, c.env.size()) == Defined::kNo &&
                   !placeholder::script_assigns(arg, t.var)) {
          const std::string name = placeholder::display_name(t.var);
          report(place, t,
                 quoted(t) + " refers to " + name + ", which neither env nor the script sets",
                 "define " + name + " in env, or write ${" + name + ":-default}");
        }
      }
    }
  }

  void prompt_configmap(const Workload& w) {
    const auto label = w.labels.find(kPromptsLabel);
    if (label == w.labels.end() || label->second != "true") return;
    for (const auto& [key, value] : w.data) {
      const Place place{Place::Where::kData, {}, {}, key};
      for (const PromptProblem& p : lint_prompt(value, policy_.prompt_vars)) {
        Finding f{std::string(kCheckId), Enforcement::kDeny, {}, place.subject(),
                  place.field_path(), prompt_problem_message(p), prompt_problem_fix(p)};
        f.value_offset = p.offset;
        out_.push_back(std::move(f));
      }
    }
  }

 private:
  void begin_field(std::string_view text, placeholder::Mode mode, bool single_braces) {
    tokens_.clear();
    seen_.clear();
    placeholder::scan(text, mode, single_braces, tokens_);
  }

  // Tokens reported the same way everywhere: Go templates, {% %}, <no value>, and {{ }} whose
  // root is not a prompt var. True when the token needs nothing else.
  bool common(const Place& place, const Token& t) {
    if (t.kind == TokenKind::kNoValue) {
      report(place, t, "\"<no value>\" is what Helm prints for a missing value",
             "set the value in the chart's values, or give the template a default");
      return true;
    }
    if (t.kind == TokenKind::kTemplateStmt ||
        (t.kind == TokenKind::kTemplateExpr && t.go_template)) {
      report(place, t,
             "unresolved placeholder " + quoted(t) +
                 (t.go_template ? " (Helm template not rendered)" : " (template not rendered)"),
             "render the template before applying");
      return true;
    }
    if (t.kind != TokenKind::kTemplateExpr || place.where == Place::Where::kData) return false;
    if (!is_prompt_var(policy_, t.var)) {
      report(place, t, "unresolved placeholder " + quoted(t) + " (template not rendered)",
             "render the template before applying, or add " + placeholder::display_name(t.var) +
                 " to prompt_vars");
    }
    return true;
  }

  void report(const Place& place, const Token& t, std::string message, std::string fix) {
    if (std::find(seen_.begin(), seen_.end(), t.text) != seen_.end()) return;
    seen_.push_back(t.text);
    out_.push_back(Finding{std::string(kCheckId), Enforcement::kDeny, std::string(place.container),
                           place.subject(), place.field_path(), std::move(message),
                           std::move(fix)});
  }

  const policy::Policy& policy_;
  std::vector<Finding>& out_;
  std::vector<Token> tokens_;           // the current field's tokens (scratch)
  std::vector<std::string_view> seen_;  // tokens already reported in the current field
};

class TemplatePlaceholder final : public Check {
 public:
  std::string_view id() const override { return kCheckId; }

  std::vector<Finding> run(const Workload& workload, const CheckContext& ctx) const override {
    std::vector<Finding> findings;
    Linter linter(ctx.policy, findings);
    if (workload.kind == WorkloadKind::kConfigMap) {
      linter.prompt_configmap(workload);
      return findings;
    }
    for (const Container& container : workload.containers) {
      ContainerEnv env(container, workload.namespace_name, ctx.cluster);
      linter.env_values(container, env);
      linter.command_args(container, env);
    }
    return findings;
  }
};

}  // namespace

std::unique_ptr<Check> make_template_placeholder_check() {
  return std::make_unique<TemplatePlaceholder>();
}

}  // namespace preflight::checks
