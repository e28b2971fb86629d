#include "checks/env_name.h"

#include "../kept_text.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace preflight::checks {
namespace {

using cluster::Lookup;
using cluster::Resource;

constexpr char kAnnotation[] = "preflight.wfgy.io/required-env";
constexpr char kApp0[] = "spec.template.spec.containers[0]";

// Secrets and ConfigMaps by (resource, namespace, name); anything else answers `missing`.
class FakeCluster final : public cluster::ClusterView {
 public:
  using Key = std::tuple<Resource, std::string, std::string>;
  std::map<Key, std::vector<std::string>> objects;
  Lookup missing = Lookup::kNotFound;

  Lookup find(Resource resource, std::string_view ns, std::string_view name,
              std::vector<std::string>* keys) const override {
    auto it = objects.find(Key{resource, std::string(ns), std::string(name)});
    if (it == objects.end()) return missing;
    if (keys != nullptr) *keys = it->second;
    return Lookup::kFound;
  }
  std::string unknown_reason(Resource) const override { return "fake"; }
  cluster::NodeList nodes() const override { return cluster::no_nodes(); }
};

Container container(std::string name, std::vector<std::string> env_names,
                    Container::Type type = Container::Type::kApp, int index = 0) {
  Container c;
  c.type = type;
  c.name = kept(std::move(name));
  const char* list = type == Container::Type::kApp    ? "containers"
                     : type == Container::Type::kInit ? "initContainers"
                                                      : "ephemeralContainers";
  c.path = PartPath("spec.template.spec").at(list, index);
  for (std::size_t i = 0; i < env_names.size(); ++i) {
    EnvVar e;
    e.name = kept(env_names[i]);
    e.value = "sentinel-value-never-quoted";
    e.path = c.path.at("env", i);
    c.env.push_back(std::move(e));
  }
  return c;
}

EnvFromSource env_from(EnvFromSource::Kind kind, std::string name, std::string prefix = "") {
  EnvFromSource s;
  s.kind = kind;
  s.name = kept(std::move(name));
  s.prefix = kept(std::move(prefix));
  s.path = PartPath("spec.template.spec").at("containers", 0).at("envFrom", 0);
  return s;
}

Workload workload(std::vector<Container> containers, std::string required_annotation = "") {
  Workload w;
  w.kind_name = "Deployment";
  w.namespace_name = "prod";
  w.name = "llm-api";
  w.pod_spec_path = "spec.template.spec";
  w.containers = std::move(containers);
  if (!required_annotation.empty()) w.annotations[kAnnotation] = kept(required_annotation);
  return w;
}

// "deny|<format_finding line>" per finding, in the check's order.
std::vector<std::string> run(const Workload& w, const policy::Policy& p = {},
                             const cluster::ClusterView* cluster = nullptr) {
  const auto check = make_env_name_check();
  EXPECT_EQ(check->id(), "env-name");
  std::vector<std::string> lines;
  for (const Finding& f : check->run(w, CheckContext{p, cluster})) {
    EXPECT_EQ(f.check, "env-name");
    const std::string line = format_finding(f);
    EXPECT_EQ(line.find("sentinel"), std::string::npos) << "an env value leaked: " << line;
    lines.push_back(std::string(to_string(f.severity)) + "|" + line);
  }
  return lines;
}

policy::Policy requiring(std::vector<std::string> names) {
  policy::Policy p;
  p.required_env = std::move(names);
  return p;
}

struct Case {
  std::string title;
  Workload workload;
  policy::Policy policy;
  std::vector<std::string> want;
};

void run_table(const std::vector<Case>& cases, const cluster::ClusterView* cluster = nullptr) {
  for (const Case& c : cases) {
    EXPECT_EQ(run(c.workload, c.policy, cluster), c.want) << c.title;
  }
}

const std::string kMissingOpenAi =
    R"(deny|[env-name] container "server" env OPENAI_API_KEY (spec.template.spec.containers[0].env): )"
    "required variable OPENAI_API_KEY is not defined; add OPENAI_API_KEY to env or envFrom";

TEST(EnvNameTest, RequiredVariables) {
  Workload on_template = workload({container("server", {"PORT"})});
  on_template.template_annotations[kAnnotation] = "OPENAI_API_KEY";
  run_table({
      {"annotation, missing",
       workload({container("server", {"PORT"})}, "OPENAI_API_KEY"),
       {},
       {kMissingOpenAi}},
      {"annotation on the pod template", on_template, {}, {kMissingOpenAi}},
      {"annotation, defined",
       workload({container("server", {"OPENAI_API_KEY"})}, "OPENAI_API_KEY"),
       {},
       {}},
      {"policy, missing: says where it comes from",
       workload({container("server", {})}),
       requiring({"OPENAI_API_KEY"}),
       {R"(deny|[env-name] container "server" env OPENAI_API_KEY (spec.template.spec.containers[0].env): )"
        "policy-required variable OPENAI_API_KEY is not defined; "
        "add OPENAI_API_KEY to env or envFrom"}},
      {"policy and annotation: reported once, no policy note",
       workload({container("server", {})}, "OPENAI_API_KEY"),
       requiring({"OPENAI_API_KEY"}),
       {kMissingOpenAi}},
      {"list is trimmed, empties ignored, sorted by name",
       workload({container("server", {"PORT"})}, " OPENAI_API_KEY , ,HF_TOKEN,"),
       {},
       {R"(deny|[env-name] container "server" env HF_TOKEN (spec.template.spec.containers[0].env): )"
        "required variable HF_TOKEN is not defined; add HF_TOKEN to env or envFrom",
        kMissingOpenAi}},
      {"names are case-sensitive: hint, no second typo warning",
       workload({container("server", {"openai_api_key"})}, "OPENAI_API_KEY"),
       {},
       {R"(deny|[env-name] container "server" env OPENAI_API_KEY (spec.template.spec.containers[0].env): )"
        "required variable OPENAI_API_KEY is not defined (did you mean openai_api_key?); "
        "add OPENAI_API_KEY to env (or rename openai_api_key)"}},
      {"every app container",
       workload({container("server", {"OPENAI_API_KEY"}),
                 container("sidecar", {}, Container::Type::kApp, 1)},
                "OPENAI_API_KEY"),
       {},
       {R"(deny|[env-name] container "sidecar" env OPENAI_API_KEY (spec.template.spec.containers[1].env): )"
        "required variable OPENAI_API_KEY is not defined; add OPENAI_API_KEY to env or envFrom"}},
      {"init and ephemeral containers are exempt",
       workload({container("server", {"OPENAI_API_KEY"}),
                 container("migrate", {}, Container::Type::kInit),
                 container("debug", {}, Container::Type::kEphemeral)},
                "OPENAI_API_KEY"),
       {},
       {}},
      {"no requirement, nothing to define", workload({container("server", {})}), {}, {}},
  });
}

TEST(EnvNameTest, MissingRequiredHints) {
  const std::string prefix =
      R"(deny|[env-name] container "server" env OPENAI_API_KEY (spec.template.spec.containers[0].env): )";
  run_table({
      {"the seed's typo: deny with the hint, no typo warning",
       workload({container("server", {"PORT", "OPEN_API_KEY"})}, "OPENAI_API_KEY"),
       {},
       {prefix + "required variable OPENAI_API_KEY is not defined (did you mean OPEN_API_KEY?); "
                 "add OPENAI_API_KEY to env (or rename OPEN_API_KEY)"}},
      {"closest name wins",
       workload({container("server", {"OPEN_API_KEY", "OPENAI_API_KY"})}, "OPENAI_API_KEY"),
       {},
       {prefix + "required variable OPENAI_API_KEY is not defined (did you mean OPENAI_API_KY?); "
                 "add OPENAI_API_KEY to env (or rename OPENAI_API_KY)",
        // the other near miss is still a typo of a required name
        R"(warn|[env-name] container "server" env OPEN_API_KEY (spec.template.spec.containers[0].env[0].name): )"
        "OPEN_API_KEY looks like a misspelling of OPENAI_API_KEY; rename it to OPENAI_API_KEY"}},
      {"nothing within 3 edits: no hint",
       workload({container("server", {"OPENAI_KEY_VALUE"})}, "OPENAI_API_KEY"),
       {},
       {kMissingOpenAi}},
      {"a well-known name is not offered as a misspelling",
       workload({container("server", {"OPENAI_API_KEY"})}, "OPENAI_API_KEYS"),
       {},
       {R"(deny|[env-name] container "server" env OPENAI_API_KEYS (spec.template.spec.containers[0].env): )"
        "required variable OPENAI_API_KEYS is not defined; add OPENAI_API_KEYS to env or envFrom"}},
      {"short names: PORT is not a misspelling of HOST",
       workload({container("server", {"HOST"})}, "PORT"),
       {},
       {R"(deny|[env-name] container "server" env PORT (spec.template.spec.containers[0].env): )"
        "required variable PORT is not defined; add PORT to env or envFrom"}},
      {"short names still get a case hint",
       workload({container("server", {"port"})}, "PORT"),
       {},
       {R"(deny|[env-name] container "server" env PORT (spec.template.spec.containers[0].env): )"
        "required variable PORT is not defined (did you mean port?); add PORT to env (or rename "
        "port)"}},
      {"names under 6 characters are not compared, even with required names",
       workload({container("server", {"PORTS", "HOST"}),
                 container("migrate", {"PORT", "HOSTS"}, Container::Type::kInit)},
                "PORTS,HOST"),
       {},
       {}},
      {"init container with the misspelling: typo of a required name",
       workload({container("server", {"MY_SERVICE_URL"}),
                 container("migrate", {"MY_SERVCE_URL"}, Container::Type::kInit)},
                "MY_SERVICE_URL"),
       {},
       {R"(warn|[env-name] container "migrate" env MY_SERVCE_URL (spec.template.spec.initContainers[0].env[0].name): )"
        "MY_SERVCE_URL looks like a misspelling of MY_SERVICE_URL; rename it to MY_SERVICE_URL"}},
  });
}

TEST(EnvNameTest, EnvFromWithUnknownKeysIsNotReported) {
  Workload w = workload({container("server", {"OPEN_API_KEY"})}, "OPENAI_API_KEY");
  w.containers[0].env_from.push_back(env_from(EnvFromSource::Kind::kSecret, "llm-keys"));
  const std::vector<std::string> typo_only = {
      R"(warn|[env-name] container "server" env OPEN_API_KEY (spec.template.spec.containers[0].env[0].name): )"
      "OPEN_API_KEY looks like a misspelling of OPENAI_API_KEY; rename it to OPENAI_API_KEY"};
  EXPECT_EQ(run(w), typo_only) << "no cluster view";

  FakeCluster cluster;
  for (Lookup missing : {Lookup::kUnknown, Lookup::kNotFound}) {
    cluster.missing = missing;
    EXPECT_EQ(run(w, {}, &cluster), typo_only) << "lookup " << static_cast<int>(missing);
  }

  // Known keys elsewhere do not help when another source is unknown.
  cluster.objects[{Resource::kConfigMap, "prod", "settings"}] = {"LOG_LEVEL"};
  Workload two = w;
  two.containers[0].env_from.insert(two.containers[0].env_from.begin(),
                                    env_from(EnvFromSource::Kind::kConfigMap, "settings"));
  EXPECT_EQ(run(two, {}, &cluster), typo_only);

  // Without a namespace the lookup could hit the wrong one: unknown.
  cluster.objects[{Resource::kSecret, "", "llm-keys"}] = {"LOG_LEVEL"};
  Workload no_ns = w;
  no_ns.namespace_name = {};
  EXPECT_EQ(run(no_ns, {}, &cluster), typo_only);
}

TEST(EnvNameTest, EnvFromWithKnownKeys) {
  FakeCluster cluster;
  cluster.objects[{Resource::kSecret, "prod", "openai"}] = {"API_KEY", "ORG"};
  cluster.objects[{Resource::kConfigMap, "prod", "openai"}] = {"OPENAI_API_KY"};
  cluster.objects[{Resource::kSecret, "staging", "plain"}] = {"OPENAI_API_KEY"};
  cluster.objects[{Resource::kSecret, "prod", "plain"}] = {"LOG_LEVEL"};

  const auto with = [](EnvFromSource src) {
    Workload w = workload({container("server", {"PORT"})}, "OPENAI_API_KEY");
    w.containers[0].env_from.push_back(std::move(src));
    return w;
  };
  const std::string prefix =
      R"(deny|[env-name] container "server" env OPENAI_API_KEY (spec.template.spec.containers[0].env): )";
  run_table(
      {
          {"secret key with prefix",
           with(env_from(EnvFromSource::Kind::kSecret, "openai", "OPENAI_")),
           {},
           {}},
          {"secret key without the prefix",
           with(env_from(EnvFromSource::Kind::kSecret, "openai")),
           {},
           {kMissingOpenAi}},
          {"wrong prefix",
           with(env_from(EnvFromSource::Kind::kSecret, "openai", "OPEN_")),
           {},
           {prefix +
            "required variable OPENAI_API_KEY is not defined (did you mean OPEN_API_KEY?); "
            "add OPENAI_API_KEY to env (or rename OPEN_API_KEY)"}},
          {"configmap key with a typo: hint names it",
           with(env_from(EnvFromSource::Kind::kConfigMap, "openai")),
           {},
           {prefix +
            "required variable OPENAI_API_KEY is not defined (did you mean OPENAI_API_KY?); "
            "add OPENAI_API_KEY to env (or rename OPENAI_API_KY)"}},
          {"looked up in the workload's namespace",
           with(env_from(EnvFromSource::Kind::kSecret, "plain")),
           {},
           {kMissingOpenAi}},
      },
      &cluster);
}

const std::string kWarnPrefix = R"(warn|[env-name] container "server" env )";

std::string typo_line(const std::string& name, const std::string& target, int index = 0,
                      bool case_only = false) {
  return kWarnPrefix + name + " (spec.template.spec.containers[0].env[" + std::to_string(index) +
         "].name): " + name +
         (case_only ? " differs only in case from " : " looks like a misspelling of ") + target +
         "; rename it to " + target;
}

TEST(EnvNameTest, LikelyTypos) {
  struct TypoCase {
    std::string name;
    std::string target;  // empty: must pass
    bool case_only = false;
  };
  const std::vector<TypoCase> cases = {
      {"OPEN_API_KEY", "OPENAI_API_KEY"},
      {"HF_TOKNE", "HF_TOKEN"},
      {"HF_TOKN", "HF_TOKEN"},
      {"HUGGINGFACE_HUB_TOKEN", "HUGGING_FACE_HUB_TOKEN"},
      {"AWS_REGOIN", "AWS_REGION"},
      {"AWS_REGN", "AWS_REGION"},  // two edits from a 10-character name
      {"ANTHROPIC_APIKEY", "ANTHROPIC_API_KEY"},
      {"open_api_key", "OPENAI_API_KEY"},
      {"CUDA_VISIBLE_DEVICE", "CUDA_VISIBLE_DEVICES"},
      {"PYTORCH_CUDA_ALLOC_CONFIG", "PYTORCH_CUDA_ALLOC_CONF"},
      {"OPENAI_API_KEY_", "OPENAI_API_KEY"},
      {"openai_api_key", "OPENAI_API_KEY", true},
      {"Hf_Token", "HF_TOKEN", true},
      // Clean look-alikes.
      {"OPENAI_API_KEY", ""},
      {"OPENAI_API_BASE", ""},
      {"OPENAI_API_TYPE", ""},
      {"HF_HOME", ""},
      {"HF_TOKEN", ""},
      {"AWS_REGION", ""},
      {"PORT", ""},
      {"HOST", ""},
      {"MODEL", ""},
      {"MODEL_ID", ""},
      {"MODEL_NAME", ""},
      {"TOKEN", ""},
      {"HF_TOK", ""},    // two edits from a short name
      {"HF_TKN", ""},    // two edits from a short name
      {"GH_TOKEN", ""},  // GitHub CLI
      {"OPENAI_API_KEY_2", ""},
      {"X_AWS_REGION", ""},
      {"HF_HUB_OFFLINE", ""},
      {"HIP_VISIBLE_DEVICES", ""},
      {"ROCR_VISIBLE_DEVICES", ""},
      {"PYTORCH_HIP_ALLOC_CONF", ""},
      {"LOG_LEVEL", ""},
  };
  for (const TypoCase& c : cases) {
    std::vector<std::string> want;
    if (!c.target.empty()) want.push_back(typo_line(c.name, c.target, 0, c.case_only));
    EXPECT_EQ(run(workload({container("server", {c.name})})), want) << c.name;
  }
}

TEST(EnvNameTest, TyposInEveryContainerKind) {
  const Workload w = workload({container("migrate", {"HF_TOKNE"}, Container::Type::kInit),
                               container("debug", {"HF_TOKNE"}, Container::Type::kEphemeral)});
  EXPECT_EQ(
      run(w),
      (std::vector<std::string>{
          R"(warn|[env-name] container "migrate" env HF_TOKNE (spec.template.spec.initContainers[0].env[0].name): )"
          "HF_TOKNE looks like a misspelling of HF_TOKEN; rename it to HF_TOKEN",
          R"(warn|[env-name] container "debug" env HF_TOKNE (spec.template.spec.ephemeralContainers[0].env[0].name): )"
          "HF_TOKNE looks like a misspelling of HF_TOKEN; rename it to HF_TOKEN"}));
}

TEST(EnvNameTest, Duplicates) {
  run_table({
      {"twice",
       workload({container("server", {"OPENAI_API_KEY", "PORT", "HOST", "OPENAI_API_KEY"})}),
       {},
       {kWarnPrefix +
        "OPENAI_API_KEY (spec.template.spec.containers[0].env[3].name): OPENAI_API_KEY "
        "is defined twice (env[0] and env[3]); the last one wins; remove one of them"}},
      {"three times",
       workload({container("server", {"PORT", "PORT", "HOST", "PORT"})}),
       {},
       {kWarnPrefix + "PORT (spec.template.spec.containers[0].env[3].name): PORT is defined 3 "
                      "times (env[0] ... env[3]); the last one wins; keep only one of them"}},
      {"a duplicated typo: one typo warning and one duplicate warning",
       workload({container("server", {"HF_TOKNE", "HF_TOKNE"})}),
       {},
       {typo_line("HF_TOKNE", "HF_TOKEN"),
        kWarnPrefix + "HF_TOKNE (spec.template.spec.containers[0].env[1].name): HF_TOKNE is "
                      "defined twice (env[0] and env[1]); the last one wins; remove one of them"}},
      {"same name in two containers is fine",
       workload({container("server", {"PORT"}),
                 container("sidecar", {"PORT"}, Container::Type::kApp, 1)}),
       {},
       {}},
      {"names differing in case are different variables",
       workload({container("server", {"Port", "PORT"})}),
       {},
       {}},
  });
}

TEST(EnvNameTest, FindingsStayShort) {
  // A hostile name is cut to 40 characters wherever it is quoted.
  const std::string long_name(60, 'A');
  const auto lines = run(workload({container("server", {})}, long_name));
  ASSERT_EQ(lines.size(), 1u);
  const std::string cut = std::string(40, 'A') + "...";
  EXPECT_NE(lines[0].find("env " + cut + " ("), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find(std::string(41, 'A')), std::string::npos) << lines[0];

  // The seed's case, the longest deny form (hint, policy note): message + fix under 150.
  const Workload w = workload({container("server", {"OPEN_API_KEY"})});
  const auto deny = make_env_name_check()->run(w, CheckContext{requiring({"OPENAI_API_KEY"})});
  ASSERT_EQ(deny.size(), 1u);
  EXPECT_EQ(deny[0].message,
            "policy-required variable OPENAI_API_KEY is not defined (did you mean OPEN_API_KEY?)");
  EXPECT_LT(deny[0].message.size() + deny[0].fix.size(), 150u);
  EXPECT_LT(format_finding(deny[0]).size(), 256u);

  // A typo of the longest well-known name still fits one warning line.
  const auto warn = run(workload(
      {container("server", {"GOOGLE_APPLICATION_CREDENTAILS"}, Container::Type::kApp, 10)}));
  ASSERT_EQ(warn.size(), 1u);
  EXPECT_LT(warn[0].size() - std::string("warn|").size(), 256u) << warn[0];
}

TEST(EnvNameTest, DeterministicAndIndependentOfRequiredOrder) {
  const Workload a = workload({container("server", {"OPEN_API_KEY", "HF_TOKNE", "HF_TOKNE"}),
                               container("migrate", {"AWS_REGOIN"}, Container::Type::kInit)},
                              "OPENAI_API_KEY,HF_TOKEN,AWS_REGION");
  Workload b = a;
  b.annotations[kAnnotation] = "AWS_REGION, HF_TOKEN ,OPENAI_API_KEY";
  const auto first = run(a);
  EXPECT_EQ(first.size(), 5u);  // 3 missing + 1 duplicate + 1 typo in the init container
  EXPECT_EQ(run(a), first);
  EXPECT_EQ(run(b), first);
}

}  // namespace
}  // namespace preflight::checks
