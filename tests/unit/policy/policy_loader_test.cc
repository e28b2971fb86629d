#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checks/check.h"
#include "policy/policy.h"

namespace preflight::policy {
namespace {

const std::string kFixtures = PREFLIGHT_TEST_DATA_DIR "/policy";

Policy parse_ok(const std::string& yaml, std::string_view base_dir = ".") {
  auto p = parse_policy(yaml, "p.yaml", base_dir);
  EXPECT_TRUE(p.ok()) << yaml << "\n-> " << (p.ok() ? "" : p.error());
  return p.ok() ? p.value() : Policy{};
}

TEST(PolicyLoader, SeedExample) {
  const std::string yaml = R"(ignore_versions: ["patch"]
secret_timeout: 2s
cuda_probe:
  mode: warn
prompt_vars:
  user_name: "there"
required_env: [OPENAI_API_KEY]
enforcement:
  secret-ref: deny
  template-placeholder: warn
overridable: [version-skew, cuda-compat]
exempt:
  namespaces: [kube-system, monitoring]
  selectors:
    - matchLabels: {app: legacy}
    - matchExpressions: [{key: tier, operator: In, values: [batch]}]
cluster_unavailable: deny
audit:
  interval: 5m
metrics:
  max_namespaces: 50
)";
  Policy p = parse_ok(yaml);
  EXPECT_EQ(p.ignore_versions, VersionTolerance::kPatch);
  EXPECT_EQ(p.secret_timeout, std::chrono::seconds(2));
  EXPECT_EQ(p.enforcement_for("cuda-compat"), Enforcement::kWarn);
  EXPECT_EQ(p.enforcement_for("template-placeholder"), Enforcement::kWarn);
  EXPECT_EQ(p.enforcement_for("secret-ref"), Enforcement::kDeny);
  EXPECT_EQ(p.enforcement_for("configmap-ref"), Enforcement::kDeny);  // unlisted: default
  EXPECT_EQ(p.prompt_vars,
            (std::map<std::string, std::string, std::less<>>{{"user_name", "there"}}));
  EXPECT_EQ(p.required_env, std::vector<std::string>{"OPENAI_API_KEY"});
  EXPECT_EQ(p.overridable, (std::set<std::string, std::less<>>{"cuda-compat", "version-skew"}));
  EXPECT_EQ(p.exempt_namespaces, (std::vector<std::string>{"kube-system", "monitoring"}));
  ASSERT_EQ(p.exempt_selectors.size(), 2u);
  EXPECT_EQ(p.exempt_selectors[0].match_labels.at("app"), "legacy");
  ASSERT_EQ(p.exempt_selectors[1].match_expressions.size(), 1u);
  const auto& r = p.exempt_selectors[1].match_expressions[0];
  EXPECT_EQ(r.key, "tier");
  EXPECT_EQ(r.op, LabelSelector::Requirement::Op::kIn);
  EXPECT_EQ(r.values, std::vector<std::string>{"batch"});
  EXPECT_EQ(p.cluster_unavailable, UnavailableMode::kDeny);
  EXPECT_EQ(p.audit_interval, std::chrono::minutes(5));
  EXPECT_EQ(p.metrics_max_namespaces, 50u);
  EXPECT_TRUE(p.is_exempt("prod", {{"tier", "batch"}}));
  EXPECT_FALSE(p.is_exempt("prod", {{"tier", "web"}}));
}

TEST(PolicyLoader, EmptyDocumentsAreDefaults) {
  const Policy d = default_policy();
  for (const std::string yaml : {"", "{}", "~", "# only a comment\n", "---\n", "\n\n",
                                 "cuda_probe:\nexempt:\naudit:\nmetrics:\nenforcement:\n"}) {
    Policy p = parse_ok(yaml);
    EXPECT_EQ(p.enforcement, d.enforcement) << yaml;
    EXPECT_EQ(p.overridable, d.overridable) << yaml;
    EXPECT_EQ(p.secret_timeout, d.secret_timeout) << yaml;
    EXPECT_EQ(p.audit_interval, d.audit_interval) << yaml;
    EXPECT_EQ(p.metrics_max_namespaces, d.metrics_max_namespaces) << yaml;
    EXPECT_EQ(p.cluster_unavailable, d.cluster_unavailable) << yaml;
    EXPECT_TRUE(p.exempt_namespaces.empty() && p.exempt_selectors.empty()) << yaml;
  }
}

TEST(PolicyLoader, ValidVariants) {
  EXPECT_EQ(parse_ok("ignore_versions: [minor]").ignore_versions, VersionTolerance::kMinor);
  EXPECT_EQ(parse_ok("ignore_versions: [minor, patch]").ignore_versions, VersionTolerance::kMinor);
  EXPECT_EQ(parse_ok("ignore_versions: [patch, minor]").ignore_versions, VersionTolerance::kMinor);
  EXPECT_EQ(parse_ok("ignore_versions: []").ignore_versions, VersionTolerance::kNone);
  EXPECT_EQ(parse_ok("secret_timeout: 0").secret_timeout.count(), 0);
  EXPECT_EQ(parse_ok("secret_timeout: 1500ms").secret_timeout.count(), 1500);
  EXPECT_EQ(parse_ok("cuda_probe: {mode: off}").enforcement_for("cuda-compat"), Enforcement::kOff);
  EXPECT_EQ(parse_ok("cuda_probe: {mode: deny}").enforcement_for("cuda-compat"),
            Enforcement::kDeny);
  EXPECT_EQ(parse_ok("cuda_probe: {mode: dryrun}").enforcement_for("cuda-compat"),
            Enforcement::kDryRun);
  // Both places, same value: fine.
  EXPECT_EQ(parse_ok("cuda_probe: {mode: deny}\nenforcement: {cuda-compat: deny}")
                .enforcement_for("cuda-compat"),
            Enforcement::kDeny);
  EXPECT_EQ(parse_ok("enforcement: {cuda-compat: \"off\"}").enforcement_for("cuda-compat"),
            Enforcement::kOff);
  EXPECT_TRUE(parse_ok("overridable: []").overridable.empty());
  Policy all = parse_ok("overridable: [all]");
  EXPECT_EQ(all.overridable.size(), checks::known_check_ids().size());
  EXPECT_TRUE(all.overridable.count("secret-ref"));
  EXPECT_EQ(parse_ok("cluster_unavailable: allow").cluster_unavailable, UnavailableMode::kAllow);
  EXPECT_EQ(parse_ok("audit: {interval: 0}").audit_interval.count(), 0);
  EXPECT_EQ(parse_ok("audit: {interval: 1h30m}").audit_interval, std::chrono::minutes(90));
  EXPECT_EQ(parse_ok("metrics: {max_namespaces: 0}").metrics_max_namespaces, 0u);
  EXPECT_EQ(parse_ok("metrics: {max_namespaces: 100000}").metrics_max_namespaces, 100000u);
  EXPECT_EQ(parse_ok("required_env: [A, B, A]").required_env, (std::vector<std::string>{"A", "B"}));
  // Scalars are read as written: no YAML 1.1 bool/number re-typing of defaults.
  Policy vars = parse_ok("prompt_vars:\n  n: 3\n  flag: yes\n  empty:\n  q: \"\"\n");
  EXPECT_EQ(vars.prompt_vars, (std::map<std::string, std::string, std::less<>>{
                                  {"n", "3"}, {"flag", "yes"}, {"empty", ""}, {"q", ""}}));
  // Selector with only matchExpressions (Exists, no values) and an anchor/alias.
  Policy sel = parse_ok(
      "exempt:\n  selectors:\n    - matchExpressions: [{key: canary, operator: Exists}]\n"
      "    - &x {matchLabels: {app: a}}\n    - *x\n");
  ASSERT_EQ(sel.exempt_selectors.size(), 3u);
  EXPECT_TRUE(sel.is_exempt("ns", {{"canary", ""}}));
  EXPECT_EQ(sel.exempt_selectors[2].match_labels.at("app"), "a");
}

struct ErrorCase {
  std::string yaml;
  std::string error;
};

TEST(PolicyLoader, ErrorsCarryFileLineColumn) {
  const std::vector<ErrorCase> cases = {
      // Unknown keys, with a suggestion for typos.
      {"ignore_version: [patch]\n",
       "p.yaml:1:1: unknown key \"ignore_version\" (did you mean \"ignore_versions\"?)"},
      {"secret_timeout: 1s\nfoo: 1\n", "p.yaml:2:1: unknown key \"foo\""},
      {"secret_timeout: 1s\nsecret_timeout: 2s\n",
       "p.yaml:2:1: duplicate key \"secret_timeout\" (first on line 1)"},
      // The document itself.
      {"- a\n", "p.yaml:1:1: expected a mapping, got a list"},
      {"hello\n", "p.yaml:1:1: expected a mapping, got the string \"hello\""},
      {"secret_timeout: 1s\n---\nsecret_timeout: 2s\n",
       "p.yaml:3:1: expected a single YAML document"},
      {"? [a]\n: b\n", "p.yaml:1:3: keys must be strings, got a list"},
      // ignore_versions
      {"ignore_versions: [major]\n",
       "p.yaml:1:19: ignore_versions[0]: \"major\" is not one of patch or minor"},
      {"ignore_versions: patch\n",
       "p.yaml:1:18: ignore_versions: expected a list, got the string \"patch\""},
      {"ignore_versions:\n", "p.yaml:1:1: ignore_versions: missing value (use [] for none)"},
      {"ignore_versions: [patch, [minor]]\n",
       "p.yaml:1:26: ignore_versions[1]: expected a string, got a list"},
      // secret_timeout
      {"secret_timeout: 2x\n",
       "p.yaml:1:17: secret_timeout: invalid duration \"2x\": unknown unit \"x\" (use ns, us, ms, "
       "s, m or h)"},
      {"secret_timeout: -1s\n",
       "p.yaml:1:17: secret_timeout: invalid duration \"-1s\": negative durations are not "
       "allowed"},
      {"secret_timeout: [2s]\n", "p.yaml:1:17: secret_timeout: expected a string, got a list"},
      {"secret_timeout:\n", "p.yaml:1:1: secret_timeout: missing value"},
      // cuda_probe
      {"cuda_probe:\n  mode: loud\n",
       "p.yaml:2:9: cuda_probe.mode: \"loud\" is not one of deny, warn, dryrun or off"},
      {"cuda_probe:\n  mod: warn\n",
       "p.yaml:2:3: cuda_probe: unknown key \"mod\" (did you mean \"mode\"?)"},
      {"cuda_probe: warn\n",
       "p.yaml:1:13: cuda_probe: expected a mapping, got the string \"warn\""},
      {"cuda_probe:\n  mode: warn\nenforcement:\n  cuda-compat: deny\n",
       "p.yaml:2:9: cuda_probe.mode: \"warn\" conflicts with enforcement.cuda-compat \"deny\" at "
       "p.yaml:4:16; set only one"},
      {"enforcement:\n  cuda-compat: deny\ncuda_probe: {mode: dryrun}\n",
       "p.yaml:3:20: cuda_probe.mode: \"dryrun\" conflicts with enforcement.cuda-compat \"deny\" "
       "at p.yaml:2:16; set only one"},
      // enforcement
      {"enforcement:\n  secret-rf: deny\n",
       "p.yaml:2:3: enforcement: unknown check id \"secret-rf\" (did you mean \"secret-ref\"?)"},
      {"enforcement:\n  secret-ref: block\n",
       "p.yaml:2:15: enforcement.secret-ref: \"block\" is not one of deny, warn, dryrun or off"},
      {"enforcement:\n  secret-ref: Deny\n",
       "p.yaml:2:15: enforcement.secret-ref: \"Deny\" is not one of deny, warn, dryrun or off"},
      {"enforcement:\n  secret-ref:\n", "p.yaml:2:3: enforcement.secret-ref: missing value"},
      {"enforcement: [deny]\n", "p.yaml:1:14: enforcement: expected a mapping, got a list"},
      // overridable
      {"overridable: [version-skew, cuda]\n",
       "p.yaml:1:29: overridable[1]: unknown check id \"cuda\""},
      {"overridable: [secret-rf]\n",
       "p.yaml:1:15: overridable[0]: unknown check id \"secret-rf\" (did you mean "
       "\"secret-ref\"?)"},
      {"overridable: [all, env-name]\n",
       "p.yaml:1:15: overridable[0]: \"all\" must be the only entry"},
      {"overridable: [env-name, all]\n",
       "p.yaml:1:25: overridable[1]: \"all\" must be the only entry"},
      {"overridable:\n", "p.yaml:1:1: overridable: missing value (use [] for none)"},
      {"overridable:\n  - env-name\n  -\n", "p.yaml:2:3: overridable[1]: empty list item"},
      // exempt
      {"exempt:\n  namespaces: [Kube-System]\n",
       "p.yaml:2:16: exempt.namespaces[0]: \"Kube-System\" is not a namespace name"},
      {"exempt:\n  namespace: [a]\n",
       "p.yaml:2:3: exempt: unknown key \"namespace\" (did you mean \"namespaces\"?)"},
      {"exempt:\n  selectors:\n    - {}\n",
       "p.yaml:3:7: exempt.selectors[0]: an empty selector would exempt every workload; give "
       "matchLabels or matchExpressions"},
      {"exempt:\n  selectors:\n    - matchLabels: {}\n      matchExpressions: []\n",
       "p.yaml:3:7: exempt.selectors[0]: an empty selector would exempt every workload; give "
       "matchLabels or matchExpressions"},
      {"exempt:\n  selectors:\n    - matchLabels: {a: b}\n    -\n",
       "p.yaml:3:5: exempt.selectors[1]: an empty selector would exempt every workload; give "
       "matchLabels or matchExpressions"},
      {"exempt:\n  selectors: {matchLabels: {a: b}}\n",
       "p.yaml:2:14: exempt.selectors: expected a list, got a mapping"},
      {"exempt:\n  selectors:\n", "p.yaml:2:3: exempt.selectors: missing value (use [] for none)"},
      {"exempt:\n  selectors: [app=legacy]\n",
       "p.yaml:2:15: exempt.selectors[0]: expected a label selector, got the string "
       "\"app=legacy\""},
      {"exempt:\n  selectors:\n    - matchLabel: {app: x}\n",
       "p.yaml:3:7: exempt.selectors[0]: unknown key \"matchLabel\" (did you mean "
       "\"matchLabels\"?)"},
      {"exempt:\n  selectors:\n    - matchLabels: {app: [x]}\n",
       "p.yaml:3:26: exempt.selectors[0].matchLabels.app: expected a string, got a list"},
      {"exempt:\n  selectors:\n    - matchExpressions: {key: tier}\n",
       "p.yaml:3:25: exempt.selectors[0].matchExpressions: expected a list, got a mapping"},
      {"exempt:\n  selectors:\n    - matchExpressions: [{key: tier, operator: in, values: [b]}]\n",
       "p.yaml:3:48: exempt.selectors[0].matchExpressions[0].operator: \"in\" is not one of In, "
       "NotIn, Exists or DoesNotExist"},
      {"exempt:\n  selectors:\n    - matchExpressions: [{key: tier, operator: In}]\n",
       "p.yaml:3:26: exempt.selectors[0].matchExpressions[0]: In needs values"},
      {"exempt:\n  selectors:\n    - matchExpressions: [{key: tier, operator: NotIn, values: "
       "[]}]\n",
       "p.yaml:3:26: exempt.selectors[0].matchExpressions[0]: NotIn needs values"},
      {"exempt:\n  selectors:\n    - matchExpressions: [{key: t, operator: Exists, values: [a]}]\n",
       "p.yaml:3:26: exempt.selectors[0].matchExpressions[0]: Exists takes no values"},
      {"exempt:\n  selectors:\n    - matchExpressions: [{operator: Exists}]\n",
       "p.yaml:3:26: exempt.selectors[0].matchExpressions[0]: missing key"},
      {"exempt:\n  selectors:\n    - matchExpressions: [{key: tier}]\n",
       "p.yaml:3:26: exempt.selectors[0].matchExpressions[0]: missing operator"},
      {"exempt:\n  selectors:\n    - matchExpressions: [{key: t, operator: In, value: [a]}]\n",
       "p.yaml:3:49: exempt.selectors[0].matchExpressions[0]: unknown key \"value\" (did you mean "
       "\"values\"?)"},
      // cluster_unavailable, audit, metrics
      {"cluster_unavailable: block\n",
       "p.yaml:1:22: cluster_unavailable: \"block\" is not one of allow, warn or deny"},
      {"audit:\n  interval: 10\n",
       "p.yaml:2:13: audit.interval: invalid duration \"10\": missing unit (use ns, us, ms, s, m "
       "or h)"},
      {"audit:\n  interval: 1500ms\n",
       "p.yaml:2:13: audit.interval: must be a whole number of seconds"},
      {"audit: 10m\n", "p.yaml:1:8: audit: expected a mapping, got the string \"10m\""},
      {"metrics:\n  max_namespaces: -1\n",
       "p.yaml:2:19: metrics.max_namespaces: \"-1\" is not a whole number from 0 to 100000"},
      {"metrics:\n  max_namespaces: 100001\n",
       "p.yaml:2:19: metrics.max_namespaces: \"100001\" is not a whole number from 0 to 100000"},
      {"metrics:\n  max_namespaces: 1e3\n",
       "p.yaml:2:19: metrics.max_namespaces: \"1e3\" is not a whole number from 0 to 100000"},
      // required_env, prompt_vars
      {"required_env: [\"A=B\"]\n", "p.yaml:1:16: required_env[0]: \"A=B\" is not an env var name"},
      {"required_env: OPENAI_API_KEY\n",
       "p.yaml:1:15: required_env: expected a list, got the string \"OPENAI_API_KEY\""},
      {"prompt_vars:\n  a:\n    b: c\n",
       "p.yaml:3:5: prompt_vars.a: expected a string, got a mapping"},
      {"prompt_vars: [a]\n", "p.yaml:1:14: prompt_vars: expected a mapping, got a list"},
      {"prompt_vars:\n  \"a b\": c\n", "p.yaml:2:3: prompt_vars: \"a b\" is not a variable name"},
      {"prompt_vars: \"\"\n", "p.yaml:1:14: prompt_vars: empty path"},
      // YAML syntax errors
      {"secret_timeout: [2s\naudit: {}\n", "p.yaml:2:6: end of sequence flow not found"},
      {"secret_timeout: 1s\n audit: 2\n", "p.yaml:2:7: illegal map value"},
      {"exempt: *nope\n", "p.yaml:1:9: the referenced anchor is not defined"},
  };
  for (const auto& c : cases) {
    auto p = parse_policy(c.yaml, "p.yaml", "/nonexistent-dir");
    ASSERT_FALSE(p.ok()) << c.yaml;
    EXPECT_EQ(p.error(), c.error) << c.yaml;
  }
}

TEST(PolicyLoader, DeepNestingIsAnErrorNotACrash) {
  std::string yaml = "prompt_vars: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  auto p = parse_policy(yaml, "p.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.error().starts_with("p.yaml:1:")) << p.error();
  EXPECT_TRUE(p.error().ends_with(": nesting too deep")) << p.error();
}

TEST(PolicyLoader, PromptVarsFromFiles) {
  Policy plain = parse_ok("prompt_vars: prompt_vars.yaml\n", kFixtures);
  EXPECT_EQ(plain.prompt_vars, (std::map<std::string, std::string, std::less<>>{
                                   {"retries", "3"}, {"user_name", "there"}}));
  Policy wrapped = parse_ok("prompt_vars: prompt_vars_wrapped.yaml\n", kFixtures);
  EXPECT_EQ(wrapped.prompt_vars,
            (std::map<std::string, std::string, std::less<>>{{"user_name", "friend"}}));
  Policy absolute = parse_ok("prompt_vars: " + kFixtures + "/prompt_vars.yaml\n", "/elsewhere");
  EXPECT_EQ(absolute.prompt_vars.size(), 2u);

  auto bad =
      parse_policy("secret_timeout: 1s\nprompt_vars: prompt_vars_bad.yaml\n", "p.yaml", kFixtures);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "p.yaml:2:1: prompt_vars: " + kFixtures +
                             "/prompt_vars_bad.yaml:3:3: nested: expected a string, got a mapping");
  auto missing = parse_policy("prompt_vars: nope.yaml\n", "p.yaml", kFixtures);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "p.yaml:1:1: prompt_vars: " + kFixtures +
                                 "/nope.yaml: cannot read: No such file or directory");
  // A policy file is not a prompt_vars file: its nested mappings are refused.
  auto policy_as_vars =
      parse_policy("prompt_vars: ../../../examples/policy.yaml\n", "p.yaml", kFixtures);
  ASSERT_FALSE(policy_as_vars.ok());
  EXPECT_TRUE(policy_as_vars.error().starts_with("p.yaml:1:1: prompt_vars: "))
      << policy_as_vars.error();
}

TEST(PolicyLoader, LoadFileResolvesPathsNextToTheFile) {
  auto p = load_policy_file(kFixtures + "/with_vars_file.yaml");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->prompt_vars.at("user_name"), "there");
}

TEST(PolicyLoader, LoadFileErrors) {
  auto missing = load_policy_file(kFixtures + "/does-not-exist.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(),
            kFixtures + "/does-not-exist.yaml: cannot read: No such file or directory");
  auto dir = load_policy_file(kFixtures);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error(), kFixtures + ": cannot read: Is a directory");
}

TEST(PolicyLoader, DocumentedExampleLoads) {
  auto p = load_policy_file(PREFLIGHT_TEST_DATA_DIR "/../../examples/policy.yaml");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->ignore_versions, VersionTolerance::kPatch);
  EXPECT_EQ(p->enforcement_for("cuda-compat"), Enforcement::kWarn);
  EXPECT_EQ(p->enforcement_for("template-placeholder"), Enforcement::kWarn);
  EXPECT_EQ(p->required_env, std::vector<std::string>{"OPENAI_API_KEY"});
  EXPECT_EQ(p->exempt_selectors.size(), 2u);
  EXPECT_EQ(p->overridable, default_policy().overridable);
}

}  // namespace
}  // namespace preflight::policy
