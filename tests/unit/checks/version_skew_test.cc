// version-skew: values read from workloads, default and custom rules, the model card from the
// cluster state, and UPDATE demotion through the decider.
#include "checks/version_skew.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "admission/decider.h"
#include "checks/skew_values.h"
#include "cluster/cluster_store.h"
#include "fake_cluster.h"

namespace preflight::checks {
namespace {

using nlohmann::json;

// A Deployment prod/llm-api; `meta` merges into metadata, `containers` is the pod's list.
json deployment(json meta, json containers) {
  json object = {{"apiVersion", "apps/v1"},
                 {"kind", "Deployment"},
                 {"metadata", {{"name", "llm-api"}, {"namespace", "prod"}}},
                 {"spec", {{"template", {{"spec", {{"containers", std::move(containers)}}}}}}}};
  if (meta.is_object()) object["metadata"].update(meta);
  return object;
}

json container(std::string name, std::string image, json args = json::array(),
               json env = json::array(), bool gpu = false) {
  json c = {{"name", name}, {"image", image}, {"args", args}, {"env", env}};
  if (gpu) c["resources"] = {{"limits", {{"nvidia.com/gpu", "1"}}}};
  return c;
}

Workload view(const json& object) {
  auto w = workload_from_json(object, WorkloadKind::kDeployment);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error());
  return w.ok() ? w.value() : Workload{};
}

std::vector<std::string> run(const json& object, const policy::Policy& p = policy::default_policy(),
                             const cluster::ClusterView* cluster = nullptr,
                             const cluster::ModelCard* card = nullptr) {
  const auto check = make_version_skew_check();
  EXPECT_EQ(check->id(), "version-skew");
  std::vector<std::string> lines;
  for (const Finding& f : check->run(view(object), CheckContext{p, cluster, card})) {
    EXPECT_EQ(f.check, "version-skew");
    std::string line = format_finding(f);
    EXPECT_LT(line.size(), 256u) << line;
    lines.push_back(std::string(to_string(f.severity)) + "|" + line);
  }
  return lines;
}

json annotations(json a) { return {{"annotations", std::move(a)}}; }

TEST(VersionSkewValues, ModelContainer) {
  auto name_of = [](const json& object) {
    Workload w = view(object);
    skew::ModelContainer mc = skew::model_container(w);
    if (mc.missing_name) return "missing " + *mc.missing_name;
    return mc.container ? std::string(mc.container->name) : std::string("none");
  };
  json one = json::array({container("server", "x:1")});
  json two = json::array({container("proxy", "x:1"), container("server", "x:1")});
  json gpu = json::array({container("proxy", "x:1"), container("server", "x:1", {}, {}, true)});
  json two_gpu = json::array({container("a", "x:1", {}, {}, true), container("b", "x:1", {}, {}, true)});
  EXPECT_EQ(name_of(deployment({}, one)), "server") << "the only container";
  EXPECT_EQ(name_of(deployment({}, two)), "none") << "ambiguous: two, no GPU";
  EXPECT_EQ(name_of(deployment({}, gpu)), "server") << "the one requesting a GPU";
  EXPECT_EQ(name_of(deployment({}, two_gpu)), "none") << "ambiguous: two GPU containers";
  EXPECT_EQ(name_of(deployment(annotations({{"preflight.wfgy.io/model-container", "proxy"}}), gpu)),
            "proxy")
      << "the annotation wins";
  EXPECT_EQ(name_of(deployment(annotations({{"preflight.wfgy.io/model-container", "nope"}}), gpu)),
            "missing nope");
}

TEST(VersionSkewValues, Effective) {
  using E = policy::EffectiveSource;
  struct Case {
    std::string title;
    json c;
    E source;
    std::string want;  // "text @ subject @ field", or "none"
  };
  const std::string p = "spec.template.spec.containers[0]";
  const std::vector<Case> cases = {
      {"image tag", container("s", "reg.io/llm/server:v2.3.1-cuda12.1"), E::kImageTag,
       "v2.3.1-cuda12.1 @ image tag @ " + p + ".image"},
      {"digest only: no tag", container("s", "reg.io/llm/server@sha256:" + std::string(64, 'a')),
       E::kImageTag, "none"},
      {"image CUDA", container("s", "reg.io/llm/server:2.3.1-cuda12.4"), E::kImageCuda,
       "12.4 @ image CUDA @ " + p + ".image"},
      {"vLLM --revision value", container("s", "x:1", {"--model", "m", "--revision", "abc1234"}),
       E::kModelRevision, "abc1234 @ arg --revision @ " + p + ".args[3]"},
      {"--flag=value", container("s", "x:1", {"--tokenizer-revision=9e7f02d"}),
       E::kTokenizerRevision, "9e7f02d @ arg --tokenizer-revision @ " + p + ".args[0]"},
      {"last flag wins", container("s", "x:1", {"--revision", "aaaaaaa", "--revision=bbbbbbb"}),
       E::kModelRevision, "bbbbbbb @ arg --revision @ " + p + ".args[2]"},
      {"KServe --model_revision", container("s", "x:1", {"--model_revision", "v1.2.0"}),
       E::kModelRevision, "v1.2.0 @ arg --model_revision @ " + p + ".args[1]"},
      {"KServe --tokenizer_revision", container("s", "x:1", {"--tokenizer_revision=ad4c1b9"}),
       E::kTokenizerRevision, "ad4c1b9 @ arg --tokenizer_revision @ " + p + ".args[0]"},
      {"code revision", container("s", "x:1", {"--code-revision", "deadbee"}), E::kCodeRevision,
       "deadbee @ arg --code-revision @ " + p + ".args[1]"},
      {"look-alike: --revision is not --tokenizer-revision",
       container("s", "x:1", {"--revision", "abc1234"}), E::kTokenizerRevision, "none"},
      {"look-alike: --revisions", container("s", "x:1", {"--revisions=abc1234"}),
       E::kModelRevision, "none"},
      {"env MODEL_REVISION",
       container("s", "x:1", {}, {{{"name", "MODEL_REVISION"}, {"value", "v2.0.0"}}}),
       E::kModelRevision, "v2.0.0 @ env MODEL_REVISION @ " + p + ".env[0].value"},
      {"TGI env REVISION", container("s", "x:1", {}, {{{"name", "REVISION"}, {"value", "abc1234"}}}),
       E::kModelRevision, "abc1234 @ env REVISION @ " + p + ".env[0].value"},
      {"env TOKENIZER_REVISION",
       container("s", "x:1", {}, {{{"name", "TOKENIZER_REVISION"}, {"value", "9e7f02d"}}}),
       E::kTokenizerRevision, "9e7f02d @ env TOKENIZER_REVISION @ " + p + ".env[0].value"},
      {"a flag wins over env",
       container("s", "x:1", {"--revision", "bbbbbbb"}, {{{"name", "REVISION"}, {"value", "aaaaaaa"}}}),
       E::kModelRevision, "bbbbbbb @ arg --revision @ " + p + ".args[1]"},
      {"env from a ConfigMap: unknown",
       container("s", "x:1", {},
                 {{{"name", "REVISION"},
                   {"valueFrom", {{"configMapKeyRef", {{"name", "c"}, {"key", "k"}}}}}}}),
       E::kModelRevision, "none"},
      {"$(VAR) reference: unknown", container("s", "x:1", {"--revision", "$(REV)"}),
       E::kModelRevision, "none"},
      {"flag inside a shell string is not read",
       container("s", "x:1", {"vllm serve m --revision abc1234"}), E::kModelRevision, "none"},
  };
  for (const Case& c : cases) {
    Workload w = view(deployment({}, json::array({c.c})));
    ASSERT_EQ(w.containers.size(), 1u);
    auto v = skew::effective_value(w.containers[0], c.source);
    EXPECT_EQ(v ? v->text + " @ " + v->subject + " @ " + v->field_path : "none", c.want) << c.title;
  }
}

TEST(VersionSkewValues, DeclaredAndCardRef) {
  using D = policy::DeclaredSource;
  json meta = {{"labels", {{"app.kubernetes.io/version", "1.0.0"}, {"preflight.wfgy.io/model-version", "2.0.0"}}},
               {"annotations", {{"preflight.wfgy.io/model-version", " 2.3.1 "},
                                {"preflight.wfgy.io/tokenizer-sha", "ad4c1b9"}}}};
  Workload w = view(deployment(meta, json::array({container("s", "x:1")})));
  cluster::ModelCard card{"2.3.1", "", "12.1", ""};
  auto shown = [&](D s, const cluster::ModelCard* c) {
    auto v = skew::declared_value(w, s, c, "modelcard card");
    return v ? v->text + " (" + v->where + ")" : "none";
  };
  EXPECT_EQ(shown(D::kModelVersion, nullptr), "2.3.1 (annotation preflight.wfgy.io/model-version)")
      << "annotation before label, trimmed";
  EXPECT_EQ(shown(D::kAppVersion, nullptr), "1.0.0 (label app.kubernetes.io/version)");
  EXPECT_EQ(shown(D::kTokenizerSha, nullptr), "ad4c1b9 (annotation preflight.wfgy.io/tokenizer-sha)");
  EXPECT_EQ(shown(D::kCardModelVersion, &card), "2.3.1 (modelcard card)");
  EXPECT_EQ(shown(D::kCardCuda, &card), "12.1 (modelcard card)");
  EXPECT_EQ(shown(D::kCardTokenizerSha, &card), "none") << "field absent from the card";
  EXPECT_EQ(shown(D::kCardModelVersion, nullptr), "none") << "no card";

  auto ref = [](std::string_view a) {
    auto r = skew::parse_model_card_ref(a);
    return r ? r->configmap + "|" + r->key : "bad";
  };
  EXPECT_EQ(ref("llm-card"), "llm-card|modelcard.json");
  EXPECT_EQ(ref("llm-card/card.json"), "llm-card|card.json");
  EXPECT_EQ(ref(""), "bad");
  EXPECT_EQ(ref("llm-card/"), "bad");
  EXPECT_EQ(ref("a/b/c"), "bad");
  EXPECT_EQ(ref("LLM_Card"), "bad");
}

constexpr char kServer[] = "[version-skew] container \"server\" ";
constexpr char kImagePath[] = " (spec.template.spec.containers[0].image): ";
constexpr char kImageFix[] = "; fix the image tag or the declared version";

TEST(VersionSkewTest, DefaultRules) {
  policy::Policy patch = policy::default_policy();
  patch.ignore_versions = policy::VersionTolerance::kPatch;
  policy::Policy minor = policy::default_policy();
  minor.ignore_versions = policy::VersionTolerance::kMinor;
  auto mv = [](std::string v) { return annotations({{"preflight.wfgy.io/model-version", v}}); };
  auto server = [](std::string image, json args = json::array()) {
    return json::array({container("server", image, std::move(args))});
  };
  struct Case {
    std::string title;
    json object;
    policy::Policy policy;
    std::vector<std::string> want;
  };
  const std::string image_tag = std::string(kServer) + "image tag" + kImagePath;
  const std::vector<Case> cases = {
      {"same version, v prefix and CUDA suffix", deployment(mv("2.3.1"), server("r.io/s:v2.3.1-cuda12.1")),
       policy::default_policy(), {}},
      {"minor drift", deployment(mv("2.3.1"), server("r.io/s:2.4.0")), policy::default_policy(),
       {"deny|" + image_tag +
        "declared model-version 2.3.1 (annotation preflight.wfgy.io/model-version) but image tag "
        "is 2.4.0 (minor drift)" + kImageFix}},
      {"patch drift, no tolerance", deployment(mv("2.3.1"), server("r.io/s:2.3.2")),
       policy::default_policy(),
       {"deny|" + image_tag +
        "declared model-version 2.3.1 (annotation preflight.wfgy.io/model-version) but image tag "
        "is 2.3.2 (patch drift)" + kImageFix}},
      {"patch drift, ignore_versions patch", deployment(mv("2.3.1"), server("r.io/s:2.3.2")), patch, {}},
      {"minor drift, ignore_versions patch", deployment(mv("2.3.1"), server("r.io/s:2.4.0")), patch,
       {"deny|" + image_tag +
        "declared model-version 2.3.1 (annotation preflight.wfgy.io/model-version) but image tag "
        "is 2.4.0 (minor drift)" + kImageFix}},
      {"minor drift, ignore_versions minor", deployment(mv("2.3.1"), server("r.io/s:2.4.0")), minor, {}},
      {"major drift is never tolerated", deployment(mv("2.3.1"), server("r.io/s:3.0.0")), minor,
       {"deny|" + image_tag +
        "declared model-version 2.3.1 (annotation preflight.wfgy.io/model-version) but image tag "
        "is 3.0.0 (major drift)" + kImageFix}},
      {"pre-release vs release", deployment(mv("2.3.1"), server("r.io/s:2.3.1-rc1")),
       policy::default_policy(),
       {"deny|" + image_tag +
        "declared model-version 2.3.1 (annotation preflight.wfgy.io/model-version) but image tag "
        "is 2.3.1-rc1 (patch drift)" + kImageFix}},
      {"four-part versions equal", deployment(mv("1.2.3.4"), server("r.io/s:1.2.3.4")),
       policy::default_policy(), {}},
      {"latest: not compared", deployment(mv("2.3.1"), server("r.io/s:latest")), policy::default_policy(), {}},
      {"digest only: not compared",
       deployment(mv("2.3.1"), server("r.io/s@sha256:" + std::string(64, 'a'))), policy::default_policy(), {}},
      {"unknown tag suffix: not compared", deployment(mv("2.3.1"), server("r.io/s:2.4.0-myteam")),
       policy::default_policy(), {}},
      {"declared not a version: not compared", deployment(mv("llama-2"), server("r.io/s:2.4.0")),
       policy::default_policy(), {}},
      {"tokenizer SHA prefix matches",
       deployment(annotations({{"preflight.wfgy.io/tokenizer-sha", "ad4c1b9"}}),
                  server("r.io/s:1", {"--tokenizer-revision", "ad4c1b9e0f3a6d2c18b7e94f5a0c3d1e2b4f6a8c"})),
       policy::default_policy(), {}},
      {"tokenizer SHA mismatch",
       deployment(annotations({{"preflight.wfgy.io/tokenizer-sha", "ad4c1b9"}}),
                  server("r.io/s:1", {"--tokenizer-revision", "9e7f02d"})),
       policy::default_policy(),
       {"deny|" + std::string(kServer) +
        "arg --tokenizer-revision (spec.template.spec.containers[0].args[1]): declared "
        "tokenizer-sha ad4c1b9 (annotation preflight.wfgy.io/tokenizer-sha) but tokenizer revision "
        "is 9e7f02d; fix the revision or the declaration"}},
      {"tokenizer revision is a branch: not compared",
       deployment(annotations({{"preflight.wfgy.io/tokenizer-sha", "ad4c1b9"}}),
                  server("r.io/s:1", {"--tokenizer-revision", "main"})),
       policy::default_policy(), {}},
      {"app.kubernetes.io/version drift warns",
       deployment({{"labels", {{"app.kubernetes.io/version", "1.4.0"}}}}, server("r.io/s:1.5.0")),
       policy::default_policy(),
       {"warn|" + image_tag +
        "declared app.kubernetes.io/version 1.4.0 (label app.kubernetes.io/version) but image tag "
        "is 1.5.0 (minor drift)" + kImageFix}},
      {"ambiguous model container: nothing",
       deployment(mv("2.3.1"), json::array({container("a", "r.io/s:9.0.0"), container("b", "r.io/s:9.0.0")})),
       policy::default_policy(), {}},
      {"model-container annotation naming no container",
       deployment(annotations({{"preflight.wfgy.io/model-container", "llm"}}), server("r.io/s:1")),
       policy::default_policy(),
       {"warn|[version-skew] annotation preflight.wfgy.io/model-container (metadata.annotations): "
        "names no app container \"llm\"; name one of spec.containers[].name"}},
  };
  for (const Case& c : cases) EXPECT_EQ(run(c.object, c.policy), c.want) << c.title;
}

TEST(VersionSkewTest, CustomRulesAndEnforcement) {
  policy::Policy p = policy::default_policy();
  p.skew_rules = {{"torch ↔ image", policy::DeclaredSource::kCardTorch,
                   policy::EffectiveSource::kImageTag, policy::Comparator::kSemver,
                   Enforcement::kDryRun},
                  {"pin", policy::DeclaredSource::kModelVersion,
                   policy::EffectiveSource::kModelRevision, policy::Comparator::kExact,
                   Enforcement::kDeny}};
  cluster::ModelCard card{"", "", "", "2.3.0"};
  json object = deployment(annotations({{"preflight.wfgy.io/model-version", "2.3.1"}}),
                           json::array({container("server", "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime",
                                                  {"--revision", "v2.3.1"})}));
  EXPECT_EQ(run(object, p, nullptr, &card),
            (std::vector<std::string>{
                "dryrun|" + std::string(kServer) + "image tag" + kImagePath +
                    "declared torch 2.3.0 (--modelcard) but image tag is 2.1.0 (minor drift)" + kImageFix,
                "deny|" + std::string(kServer) +
                    "arg --revision (spec.template.spec.containers[0].args[1]): declared "
                    "model-version 2.3.1 (annotation preflight.wfgy.io/model-version) but model "
                    "revision is v2.3.1; fix the revision or the declaration",
            }))
      << "the default rules are gone (2.3.1 vs 2.1.0 is not reported); exact is exact";

  // The check's enforcement caps a rule's (evaluate applies it; warn rules never deny).
  p.enforcement["version-skew"] = Enforcement::kWarn;
  auto eval = admission::evaluate(view(object), all_checks(), CheckContext{p, nullptr, &card});
  int skew = 0;
  for (const Finding& f : eval.findings) {
    if (f.check != "version-skew") continue;
    ++skew;
    EXPECT_NE(f.severity, Enforcement::kDeny) << format_finding(f);
  }
  EXPECT_EQ(skew, 2);
}

// The model card from the cluster state (ClusterStore, as the watch or a snapshot fills it).
TEST(VersionSkewTest, ModelCardFromTheCluster) {
  cluster::ClusterStore store;
  std::vector<cluster::ObjectEntry> entries;
  auto cm = [](std::string name, json data) {
    return *cluster::entry_from_object(
        cluster::Resource::kConfigMap,
        {{"metadata", {{"name", name}, {"namespace", "prod"}}}, {"data", std::move(data)}});
  };
  entries.push_back(cm("card", {{"modelcard.json", R"({"tokenizer_sha":"ad4c1b9","cuda":"12.1"})"}}));
  entries.push_back(cm("notes", {{"modelcard.json", "just text"}, {"readme", "x"}}));
  store.replace(cluster::Resource::kConfigMap, std::move(entries));

  auto object = [](std::string ref, std::string image = "r.io/s:1-cuda12.4") {
    return deployment(annotations({{"preflight.wfgy.io/modelcard", ref}}),
                      json::array({container("server", image, {"--tokenizer-revision", "9e7f02d"})}));
  };
  const std::string annotation = "[version-skew] annotation preflight.wfgy.io/modelcard (metadata.annotations): ";
  EXPECT_EQ(run(object("card"), policy::default_policy(), &store),
            (std::vector<std::string>{
                "deny|" + std::string(kServer) +
                    "arg --tokenizer-revision (spec.template.spec.containers[0].args[1]): declared "
                    "tokenizer_sha ad4c1b9 (modelcard card) but tokenizer revision is 9e7f02d; fix "
                    "the revision or the declaration",
                "warn|" + std::string(kServer) + "image CUDA" + kImagePath +
                    "declared cuda 12.1 (modelcard card) but image CUDA is 12.4; fix the image or "
                    "the declared CUDA version",
            }));
  EXPECT_EQ(run(object("card", "r.io/s:1-cuda12.1"), policy::default_policy(), &store).size(), 1u)
      << "CUDA 12.1 matches the card";
  EXPECT_EQ(run(object("gone"), policy::default_policy(), &store),
            (std::vector<std::string>{"deny|" + annotation +
                                      "configmap \"gone\" not found in namespace \"prod\"; create the "
                                      "model card ConfigMap before the workload, or fix the annotation"}));
  EXPECT_EQ(run(object("notes/card.json"), policy::default_policy(), &store),
            (std::vector<std::string>{"deny|" + annotation +
                                      "configmap \"notes\" has no key \"card.json\"; add the model card "
                                      "under that key, or name the key as CONFIGMAP/KEY"}));
  EXPECT_EQ(run(object("notes"), policy::default_policy(), &store),
            (std::vector<std::string>{"deny|" + annotation +
                                      "key \"modelcard.json\" of configmap \"notes\" is not a model "
                                      "card; store JSON with model_version, tokenizer_sha, cuda or "
                                      "torch (strings)"}));
  EXPECT_EQ(run(object("Not/A/Ref"), policy::default_policy(), &store),
            (std::vector<std::string>{"warn|" + annotation +
                                      "\"Not/A/Ref\" is not CONFIGMAP or CONFIGMAP/KEY; name the "
                                      "ConfigMap holding the model card, e.g. llm-card/modelcard.json"}));

  // Unknown cluster state, or none: no finding about the card, and no guess.
  cluster::ClusterStore unsynced;
  EXPECT_TRUE(run(object("gone"), policy::default_policy(), &unsynced).empty());
  EXPECT_TRUE(run(object("card"), policy::default_policy(), nullptr).empty());
  testutil::FakeCluster fake;  // a view without model cards: model_card() answers kUnknown
  fake.add(cluster::Resource::kConfigMap, "prod", "card", {"modelcard.json"});
  EXPECT_TRUE(run(object("card"), policy::default_policy(), &fake).empty());
}

// UPDATE: a skew the live object already had is a warning; a new one denies.
TEST(VersionSkewTest, UpdateDemotion) {
  auto object = [](std::string image) {
    return deployment(annotations({{"preflight.wfgy.io/model-version", "2.3.1"}}),
                      json::array({container("server", image)}));
  };
  auto request = [&](std::string op, json obj, json old) {
    admission::AdmissionRequest r;
    r.api_version = "admission.k8s.io/v1";
    r.uid = "u";
    r.resource = {"apps", "v1", "deployments"};
    r.namespace_name = "prod";
    r.name = "llm-api";
    r.operation = std::move(op);
    r.object = std::move(obj);
    r.old_object = std::move(old);
    return r;
  };
  const policy::Policy p = policy::default_policy();
  const CheckContext ctx{p, nullptr};
  auto created = admission::decide(request("CREATE", object("r.io/s:2.4.0"), nullptr), all_checks(), ctx);
  EXPECT_FALSE(created.response.allowed);
  EXPECT_NE(created.response.message.find("[version-skew]"), std::string::npos);

  auto same = admission::decide(request("UPDATE", object("r.io/s:2.4.0"), object("r.io/s:2.4.0")),
                                all_checks(), ctx);
  EXPECT_TRUE(same.response.allowed);
  ASSERT_EQ(same.response.warnings.size(), 1u);
  EXPECT_NE(same.response.warnings[0].find("[version-skew]"), std::string::npos);
  EXPECT_NE(same.response.warnings[0].find("already in the live object"), std::string::npos);

  auto fixed_then_broken = admission::decide(
      request("UPDATE", object("r.io/s:2.5.0"), object("r.io/s:2.4.0")), all_checks(), ctx);
  EXPECT_FALSE(fixed_then_broken.response.allowed) << "a different skew is new: it denies";

  auto repaired = admission::decide(
      request("UPDATE", object("r.io/s:2.3.1"), object("r.io/s:2.4.0")), all_checks(), ctx);
  EXPECT_TRUE(repaired.response.allowed);
  EXPECT_TRUE(repaired.response.warnings.empty());
}

}  // namespace
}  // namespace preflight::checks
