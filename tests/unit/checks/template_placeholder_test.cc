#include "checks/template_placeholder.h"

#include "../kept_text.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace preflight::checks {
namespace {

constexpr std::string_view kSentinel = "sk-SECRET-SENTINEL";

// Builds a container with field paths the way the workload view sets them.
class C {
 public:
  explicit C(std::string name = "app", Container::Type type = Container::Type::kApp,
             int index = 0) {
    c_.name = kept(std::move(name));
    c_.type = type;
    const char* list = type == Container::Type::kApp    ? "containers"
                       : type == Container::Type::kInit ? "initContainers"
                                                        : "ephemeralContainers";
    c_.path = PartPath("spec.template.spec").at(list, index);
  }
  C& env(std::string name, std::string value) {
    EnvVar v;
    v.name = kept(std::move(name));
    v.value = kept(std::move(value));
    return add(std::move(v));
  }
  C& field_env(std::string name) {
    EnvVar v;
    v.name = kept(std::move(name));
    v.source = EnvVar::Source::kFieldRef;
    return add(std::move(v));
  }
  C& secret_env(std::string name, std::string value_that_must_be_ignored) {
    EnvVar v;
    v.name = kept(std::move(name));
    v.source = EnvVar::Source::kSecretKeyRef;
    v.value = kept(std::move(value_that_must_be_ignored));
    return add(std::move(v));
  }
  C& env_from(std::string configmap, std::string prefix = "") {
    EnvFromSource s;
    s.name = kept(std::move(configmap));
    s.prefix = kept(std::move(prefix));
    s.path = c_.path.at("envFrom", c_.env_from.size());
    c_.env_from.push_back(std::move(s));
    return *this;
  }
  C& command(std::vector<std::string> v) {
    for (std::string& s : v) c_.command.push_back(kept(std::move(s)));
    return *this;
  }
  C& args(std::vector<std::string> v) {
    for (std::string& s : v) c_.args.push_back(kept(std::move(s)));
    return *this;
  }
  operator Container() const { return c_; }  // NOLINT: builder

 private:
  C& add(EnvVar v) {
    v.path = c_.path.at("env", c_.env.size());
    c_.env.push_back(std::move(v));
    return *this;
  }
  Container c_;
};

Workload deployment(std::vector<Container> containers) {
  Workload w;
  w.kind = WorkloadKind::kDeployment;
  w.kind_name = "Deployment";
  w.namespace_name = "prod";
  w.name = "llm-api";
  w.pod_spec_path = "spec.template.spec";
  w.containers = std::move(containers);
  return w;
}

Workload configmap(StringMap data, std::optional<std::string> prompts_label) {
  Workload w;
  w.kind = WorkloadKind::kConfigMap;
  w.kind_name = "ConfigMap";
  w.namespace_name = "prod";
  w.name = "prompts";
  if (prompts_label) w.labels["preflight.wfgy.io/prompts"] = kept(*prompts_label);
  w.data = std::move(data);
  return w;
}

// ConfigMaps by name with their keys; everything else is unknown.
class FakeCluster final : public cluster::ClusterView {
 public:
  explicit FakeCluster(std::map<std::string, std::vector<std::string>> configmaps)
      : configmaps_(std::move(configmaps)) {}
  cluster::Lookup find(cluster::Resource resource, std::string_view ns, std::string_view name,
                       std::vector<std::string>* keys) const override {
    if (resource != cluster::Resource::kConfigMap || ns != "prod") return cluster::Lookup::kUnknown;
    const auto it = configmaps_.find(std::string(name));
    if (it == configmaps_.end()) return cluster::Lookup::kNotFound;
    if (keys) *keys = it->second;
    return cluster::Lookup::kFound;
  }
  std::string unknown_reason(cluster::Resource) const override { return "fake"; }
  cluster::NodeList nodes() const override { return cluster::no_nodes(); }

 private:
  std::map<std::string, std::vector<std::string>> configmaps_;
};

struct Want {
  std::string container;
  std::string subject;
  std::string field_path;
  std::string message_has;  // a substring of message + "; " + fix
};

struct Case {
  std::string name;
  Workload workload;
  std::vector<Want> want;  // empty: a clean look-alike
  std::map<std::string, std::string, std::less<>> prompt_vars = {};
  bool with_cluster = false;
};

std::vector<Finding> run(const Workload& w, const policy::Policy& policy,
                         const cluster::ClusterView* cluster) {
  const auto check = make_template_placeholder_check();
  return check->run(w, CheckContext{policy, cluster});
}

const std::string kC0 = "spec.template.spec.containers[0]";

std::vector<Case> cases() {
  using T = Container::Type;
  const StringMap chat_template = {
      {"chat.jinja", "{% for m in messages %}{{ m.content }}{{ loop.index }}{% endfor %}"}};
  return {
      // ---- env values
      {"helm_in_env",
       deployment({C("server").env("MODEL", "{{ .Values.model }}")}),
       {{"server", "env MODEL", kC0 + ".env[0].value",
         "unresolved placeholder \"{{ .Values.model }}\" (Helm template not rendered)"}}},
      {"jinja_stmt_in_env",
       deployment({C().env("X", "{% if a %}b{% endif %}")}),
       {{"app", "env X", kC0 + ".env[0].value", "\"{% if a %}\""},
        {"app", "env X", kC0 + ".env[0].value", "\"{% endif %}\""}}},
      {"jinja_var_in_env",
       deployment({C().env("GREETING", "hi {{ user }}")}),
       {{"app", "env GREETING", kC0 + ".env[0].value", "add user to prompt_vars"}}},
      {"shell_vars_in_env",
       deployment({C().env("URL", "http://${HOST}:${PORT:-80}")}),
       {{"app", "env URL", kC0 + ".env[0].value",
         "\"${HOST}\" is shell syntax, which Kubernetes never expands in env"},
        {"app", "env URL", kC0 + ".env[0].value", "\"${PORT:-...}\" is shell syntax"}}},
      {"no_value_in_env",
       deployment({C().env("MODEL", "<no value>")}),
       {{"app", "env MODEL", kC0 + ".env[0].value",
         "\"<no value>\" is what Helm prints for a missing value"}}},
      {"ref_defined_later",
       deployment({C().env("URL", "http://$(MODEL_HOST)/v1").env("MODEL_HOST", "h")}),
       {{"app", "env URL", kC0 + ".env[0].value",
         "\"$(MODEL_HOST)\" refers to MODEL_HOST, which is not defined earlier in env, so "
         "Kubernetes passes it verbatim; define MODEL_HOST before this variable, or escape it as "
         "$$(MODEL_HOST)"}}},
      {"ref_self",
       deployment({C().env("PATH2", "$(PATH2):/x")}),
       {{"app", "env PATH2", kC0 + ".env[0].value", "\"$(PATH2)\" refers to PATH2"}}},
      {"ref_known_envfrom_lacks_it",
       deployment({C().env_from("settings", "APP_").env("URL", "$(APP_HOST) $(HOST)")}),
       {{"app", "env URL", kC0 + ".env[0].value", "\"$(HOST)\""}},
       {},
       true},
      {"f_string_in_prompt",
       deployment({C().env("SYSTEM_PROMPT", "You help {user_name} with {topic}.")}),
       {{"app", "env SYSTEM_PROMPT", kC0 + ".env[0].value",
         "unresolved placeholder \"{topic}\" (prompt string not formatted)"}},
       {{"user_name", "friend"}}},
      {"f_string_in_template_name",
       deployment({C().env("rag_template", "Context: {context}")}),
       {{"app", "env rag_template", kC0 + ".env[0].value", "\"{context}\""}}},
      {"init_and_ephemeral_containers",
       deployment({C("main"), C("init", T::kInit).env("A", "{{ .Values.a }}"),
                   C("debug", T::kEphemeral).args({"$(NOPE)"})}),
       {{"init", "env A", "spec.template.spec.initContainers[0].env[0].value", "{{ .Values.a }}"},
        {"debug", "args[0]", "spec.template.spec.ephemeralContainers[0].args[0]", "$(NOPE)"}}},
      {"duplicates_collapse",
       deployment({C().env("P", "{{ x }} {{ x }} {{ y }} $(A) $(A)")}),
       {{"app", "env P", kC0 + ".env[0].value", "\"{{ x }}\""},
        {"app", "env P", kC0 + ".env[0].value", "\"{{ y }}\""},
        {"app", "env P", kC0 + ".env[0].value", "\"$(A)\""}}},
      // ---- command and args
      {"helm_in_args",
       deployment({C().command({"serve", "<no value>"}).args({"--model", "{{ .Values.model }}"})}),
       {{"app", "command[1]", kC0 + ".command[1]", "\"<no value>\""},
        {"app", "args[1]", kC0 + ".args[1]", "\"{{ .Values.model }}\""}}},
      {"ref_not_in_env",
       deployment(
           {C().field_env("POD_NAME").command({"vllm", "--model=$(MODEL_ID)", "$(POD_NAME)"})}),
       {{"app", "command[1]", kC0 + ".command[1]",
         "\"$(MODEL_ID)\" refers to MODEL_ID, which is not defined in env, so Kubernetes passes it "
         "verbatim; define MODEL_ID in env, or escape it as $$(MODEL_ID)"}}},
      {"go_format_flag_is_reported",
       deployment({C().command({"docker", "ps", "--format", "{{.Names}}"})}),
       {{"app", "command[3]", kC0 + ".command[3]", "(Helm template not rendered)"}}},
      {"script_var_undefined",
       deployment({C().command({"/bin/sh", "-c", "exec serve --model ${MODEL_ID}"})}),
       {{"app", "command[2]", kC0 + ".command[2]",
         "\"${MODEL_ID}\" refers to MODEL_ID, which neither env nor the script sets; define "
         "MODEL_ID in env, or write ${MODEL_ID:-default}"}}},
      {"script_in_args_after_c",
       deployment({C().command({"bash"}).args({"-c", "echo ${A} {{ .Values.b }}"})}),
       {{"app", "args[1]", kC0 + ".args[1]", "\"${A}\""},
        {"app", "args[1]", kC0 + ".args[1]", "\"{{ .Values.b }}\""}}},
      {"args_after_script_are_plain_args",
       deployment({C().command({"sh", "-c", "echo $1", "x", "$(UNSET)"})}),
       {{"app", "command[4]", kC0 + ".command[4]", "\"$(UNSET)\""}}},
      // ---- ConfigMaps
      {"prompts_configmap",
       configmap({{"greeting", "Hi {{ user }}, {{ name }}! ${X} {{ .Values.y }} <no value>"}},
                 "true"),
       {{"", "data greeting", "data.greeting",
         "prompt template uses \"{{ user }}\", but user is neither in prompt_vars nor set in the "
         "template; add user to prompt_vars, or set it with {% set user = ... %}"},
        {"", "data greeting", "data.greeting", "\"${X}\""},
        {"", "data greeting", "data.greeting", "(Helm template not rendered)"},
        {"", "data greeting", "data.greeting", "\"<no value>\""}},
       {{"name", "x"}}},
      {"prompts_configmap_typo_in_loop",
       configmap({{"chat.jinja", "{% for m in messages %}{{ message.content }}{% endfor %}"}},
                 "true"),
       {{"", "data chat.jinja", "data.chat.jinja", "but message is neither"}}},
      {"prompts_configmap_chat_template", configmap(chat_template, "true"), {}},

      // ---- clean look-alikes
      {"ref_after_definition",
       deployment({C().field_env("POD_NAME").env("ID", "$(POD_NAME)-0")}),
       {}},
      {"ref_escaped", deployment({C().env("A", "$$(VAR)").args({"$$(VAR)"})}), {}},
      {"ref_from_unknown_envfrom",
       deployment({C().env_from("settings").env("A", "$(FROM_SETTINGS)").args({"$(X)"})}),
       {}},
      {"ref_from_known_envfrom_prefix",
       deployment({C().env_from("settings", "APP_").env("A", "$(APP_HOST)").args({"$(APP_HOST)"})}),
       {},
       {},
       true},
      {"ref_service_links",
       deployment({C().env("A", "$(KUBERNETES_SERVICE_HOST):$(REDIS_SERVICE_PORT_HTTP)")
                       .args({"$(REDIS_PORT_6379_TCP_ADDR)", "$(DB_PORT)"})}),
       {}},
      {"ref_in_args_defined_later_in_env",
       deployment({C().args({"--id=$(POD_NAME)"}).field_env("POD_NAME")}),
       {}},
      {"script_command_substitution",
       deployment({C().command({"sh", "-c", "echo $(date) $(MODEL_ID)"})}),
       {}},
      {"script_loop_var",
       deployment({C().command({"sh", "-c", "for f in a b; do echo ${f}; done"})}),
       {}},
      {"script_well_known",
       deployment({C().command({"bash", "-c", "cd ${HOME} && ${PWD}/run"})}),
       {}},
      {"script_assigned",
       deployment({C().command(
           {"sh", "-c",
            "A=1; export B=2; read C; echo ${A}${B}${C} ${D:-x} ${1} ${@} ${#} ${?}"})}),
       {}},
      {"script_var_in_env",
       deployment({C().command({"sh", "-c", "echo ${LATE}"}).env("LATE", "1")}),
       {}},
      {"script_single_quoted", deployment({C().command({"sh", "-c", "awk '{print ${X}}'"})}), {}},
      {"script_unknown_entrypoint", deployment({C().args({"-c", "echo ${X} $(Y)"})}), {}},
      {"script_var_from_unknown_envfrom",
       deployment({C().env_from("settings").command({"sh", "-c", "echo ${FROM_SETTINGS}"})}),
       {}},
      {"json_in_prompt",
       deployment({C().env("SYSTEM_PROMPT", "{\"role\": \"system\", \"content\": \"be {brief}\"}")
                       .env("USER_PROMPT_TEMPLATE", "{ \"a\": 1 }")}),
       {}},
      {"format_escapes_in_prompt",
       deployment({C().env("PROMPT", "Answer as {{\"k\": 1}} or {{}}")}),
       {}},
      {"braces_outside_prompt_names", deployment({C().env("GREETING", "Hello {user}")}), {}},
      {"secret_value_not_scanned",
       deployment({C().secret_env("SYSTEM_PROMPT", "{{ .Values.x }}")}),
       {}},
      {"prompt_vars_everywhere",
       deployment({C().env("SYSTEM_PROMPT",
                           "{{ user_name }} {{user_name|default('x')}} ${USER_NAME} {user_name}")
                       .args({"{{ user_name }}", "$(USER_NAME)"})
                       .command({"sh", "-c", "echo ${user_name}"})}),
       {},
       {{"user_name", "friend"}}},
      {"plain_configmap_with_jinja", configmap(chat_template, std::nullopt), {}},
      {"configmap_label_not_true", configmap({{"t", "{{ user }}"}}, "false"), {}},
      {"prompts_configmap_defined_in_template",
       configmap({{"t",
                   "{% set greeting = 'hi' %}{% for a, b in pairs %}{{ greeting }}{{ a }}{{ b }}"
                   "{{ loop.index }}{% endfor %}{{ \"lit\" }}{# {{ nope }} #}"}},
                 "true"),
       {},
       {{"pairs", ""}}},
      {"no_placeholder_chars",
       deployment({C().env("MODEL", "gpt-4o").args({"--port", "8000"})}),
       {}},
  };
}

TEST(TemplatePlaceholderCheck, Table) {
  const FakeCluster cluster({{"settings", {"HOST", "PORT"}}});
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    policy::Policy policy;
    policy.prompt_vars = c.prompt_vars;
    const std::vector<Finding> got = run(c.workload, policy, c.with_cluster ? &cluster : nullptr);
    ASSERT_EQ(got.size(), c.want.size()) << (got.empty() ? "" : format_finding(got[0]));
    for (std::size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE(format_finding(got[i]));
      EXPECT_EQ(got[i].check, "template-placeholder");
      EXPECT_EQ(got[i].severity, Enforcement::kDeny);
      EXPECT_EQ(got[i].container, c.want[i].container);
      EXPECT_EQ(got[i].subject, c.want[i].subject);
      EXPECT_EQ(got[i].field_path, c.want[i].field_path);
      EXPECT_NE((got[i].message + "; " + got[i].fix).find(c.want[i].message_has),
                std::string::npos);
      EXPECT_LT(got[i].message.size() + got[i].fix.size(), 200u);
    }
  }
}

TEST(TemplatePlaceholderCheck, IdIsStable) {
  EXPECT_EQ(make_template_placeholder_check()->id(), "template-placeholder");
}

TEST(TemplatePlaceholderCheck, FindingsNeverQuoteTheRestOfAValue) {
  const std::string s(kSentinel);
  const std::vector<std::string> values = {
      s + " {{ .Values.x }} " + s,
      s + "{{ x }}" + s,
      "{{ key | default('" + s + "') }}",
      "{% if k == \"" + s + "\" %}",
      "${API_KEY:-" + s + "}",
      s + "$(UNSET)" + s + "<no value>" + s + "{name}" + s,
      "{{ aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa " + s + " }}",
  };
  std::vector<Container> containers;
  StringMap data;
  for (std::size_t i = 0; i < values.size(); ++i) {
    containers.push_back(
        C("c" + std::to_string(i), Container::Type::kApp, static_cast<int>(i))
            .env("SYSTEM_PROMPT", values[i])
            .command({"sh", "-c", "echo ${UNSET_" + std::to_string(i) + "} " + s + " " + values[i]})
            .args({values[i]}));
    data[kept("k" + std::to_string(i))] = values[i];
  }
  const policy::Policy policy;
  std::vector<Finding> all = run(deployment(containers), policy, nullptr);
  const std::vector<Finding> cm = run(configmap(data, "true"), policy, nullptr);
  all.insert(all.end(), cm.begin(), cm.end());
  ASSERT_GE(all.size(), values.size() * 3);
  for (const Finding& f : all) {
    const std::string line = format_finding(f);
    EXPECT_EQ(line.find("SENTINEL"), std::string::npos) << line;
    EXPECT_EQ(line.find("SECRET"), std::string::npos) << line;
  }
}

TEST(TemplatePlaceholderCheck, QuotedTokensAreClipped) {
  const std::string long_var(80, 'V');
  const auto got =
      run(deployment({C().env("A", "$(" + long_var + ")")}), policy::Policy{}, nullptr);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message.find(long_var), std::string::npos);
  EXPECT_NE(got[0].message.find(long_var.substr(0, 30)), std::string::npos);
}

TEST(TemplatePlaceholderCheck, EnvFromLookupUsesNamespaceAndKind) {
  // A Secret envFrom is looked up as a Secret: the fake knows only ConfigMaps, so the Secret's
  // keys stay unknown and $(X) may come from it.
  Container c = C().env("A", "$(X)");
  EnvFromSource secret;
  secret.kind = EnvFromSource::Kind::kSecret;
  secret.name = "settings";
  c.env_from.push_back(secret);
  const FakeCluster cluster(
      std::map<std::string, std::vector<std::string>>{{"settings", {"HOST"}}});
  EXPECT_TRUE(run(deployment({c}), policy::Policy{}, &cluster).empty());

  // The same name as a ConfigMap in the known namespace: keys are known, X is not among them.
  c.env_from[0].kind = EnvFromSource::Kind::kConfigMap;
  EXPECT_EQ(run(deployment({c}), policy::Policy{}, &cluster).size(), 1u);

  // Another namespace: unknown again.
  Workload w = deployment({c});
  w.namespace_name = "staging";
  EXPECT_TRUE(run(w, policy::Policy{}, &cluster).empty());
}

}  // namespace
}  // namespace preflight::checks
