#include "checks/configmap_ref.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_cluster.h"

namespace preflight::checks {
namespace {

using cluster::Resource;
using testutil::ContainerBuilder;
using testutil::deployment;
using testutil::FakeCluster;
using testutil::projected;
using testutil::volume;

constexpr auto kInit = Container::Type::kInit;
constexpr auto kEphemeral = Container::Type::kEphemeral;
constexpr auto kConfigMapFrom = EnvFromSource::Kind::kConfigMap;
constexpr auto kConfigMapVol = Volume::Kind::kConfigMap;

constexpr char kNotFound[] = R"(configmap "prompts" not found in namespace "prod")";
constexpr char kCreate[] = "create it before the Deployment, or set optional: true";
constexpr char kAddKey[] = "add the key to the configmap or fix the key name";

// The ConfigMap "model" (model_name, modelcard.json) exists in prod and in default; a Secret
// "prompts" exists, the ConfigMap "prompts" does not.
FakeCluster cluster() {
  FakeCluster c;
  c.add(Resource::kConfigMap, "prod", "model", {"modelcard.json", "model_name"})
      .add(Resource::kConfigMap, "default", "model", {"model_name"})
      .add(Resource::kSecret, "prod", "prompts", {"system.txt"});
  return c;
}

policy::Policy unavailable(policy::UnavailableMode mode) { return testutil::with_unavailable(mode); }

// "<severity>[ unverified]|<format_finding line>" per finding, in the check's order.
std::vector<std::string> run(const Workload& w, const cluster::ClusterView* cluster,
                             const policy::Policy& p = policy::default_policy()) {
  const auto check = make_configmap_ref_check();
  EXPECT_EQ(check->id(), "configmap-ref");
  return testutil::finding_lines(*check, w, cluster, p);
}

std::string deny(const std::string& rest) { return "deny|[configmap-ref] " + rest; }

struct Case {
  std::string title;
  Workload workload;
  std::vector<std::string> want;
};

const std::string kEnv0 = "spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef";
const std::string kEnvA = R"(container "server" env MODEL ()" + kEnv0 + "): ";
const std::string kVol0 = "volume cfg (spec.template.spec.volumes[0].configMap): ";
const std::string kProj =
    "volume cfg (spec.template.spec.volumes[0].projected.sources[0].configMap): ";

ContainerBuilder server() { return ContainerBuilder("server"); }

TEST(ConfigMapRefTest, EveryFieldKind) {
  const FakeCluster c = cluster();
  const std::vector<Case> cases = {
      {"env found", deployment({server().configmap_key("MODEL", "model", "model_name")}), {}},
      {"env missing configmap",
       deployment({server().configmap_key("MODEL", "prompts", "system.txt")}),
       {deny(kEnvA + kNotFound + "; " + kCreate)}},
      {"env missing key, did you mean",
       deployment({server().configmap_key("MODEL", "model", "model-name")}),
       {deny(kEnvA + R"(configmap "model" has no key "model-name" (did you mean "model_name"?); )" +
             kAddKey)}},
      {"env missing key, case only",
       deployment({server().configmap_key("MODEL", "model", "ModelCard.JSON")}),
       {deny(kEnvA +
             R"(configmap "model" has no key "ModelCard.JSON" (did you mean "modelcard.json"?); )" +
             kAddKey)}},
      {"env missing key, nothing close",
       deployment({server().configmap_key("MODEL", "model", "temperature")}),
       {deny(kEnvA + R"(configmap "model" has no key "temperature"; )" + kAddKey)}},
      {"env optional missing configmap",
       deployment({server().configmap_key("MODEL", "prompts", "k", true)}),
       {}},
      {"env optional missing key",
       deployment({server().configmap_key("MODEL", "model", "temperature", true)}),
       {}},
      {"look-alike: a Secret of that name does not make the ConfigMap exist",
       deployment({server().configmap_key("MODEL", "prompts", "system.txt")}),
       {deny(kEnvA + kNotFound + "; " + kCreate)}},
      {"look-alike: secretKeyRef is secret-ref's",
       deployment({server().secret_key("MODEL", "nothing", "k")}),
       {}},
      {"envFrom found", deployment({server().env_from(kConfigMapFrom, "model")}), {}},
      {"envFrom missing",
       deployment({server().env_from(kConfigMapFrom, "prompts")}),
       {deny(R"(container "server" envFrom configmap prompts )"
             "(spec.template.spec.containers[0].envFrom[0]): " +
             std::string(kNotFound) + "; " + kCreate)}},
      {"envFrom optional missing",
       deployment({server().env_from(kConfigMapFrom, "prompts", true)}),
       {}},
      {"look-alike: envFrom secretRef is secret-ref's",
       deployment({server().env_from(EnvFromSource::Kind::kSecret, "nothing")}),
       {}},
      {"volume found", deployment({server()}, {volume(kConfigMapVol, 0, "cfg", "model")}), {}},
      {"volume items found",
       deployment({server()}, {volume(kConfigMapVol, 0, "cfg", "model", {"modelcard.json"})}),
       {}},
      {"volume missing",
       deployment({server()}, {volume(kConfigMapVol, 0, "cfg", "prompts", {"a"})}),
       {deny(kVol0 + kNotFound + "; " + kCreate)}},
      {"volume missing item, listed twice: once",
       deployment({server()}, {volume(kConfigMapVol, 0, "cfg", "model",
                                      {"modelcard.jsn", "model_name", "modelcard.jsn"})}),
       {deny(kVol0 +
             R"(configmap "model" has no key "modelcard.jsn" (did you mean "modelcard.json"?); )" +
             kAddKey)}},
      {"volume optional missing",
       deployment({server()}, {volume(kConfigMapVol, 0, "cfg", "prompts", {"a"}, true)}),
       {}},
      {"projected found",
       deployment({server()}, {projected(kConfigMapVol, 0, 0, "cfg", "model", {"model_name"})}),
       {}},
      {"projected missing",
       deployment({server()}, {projected(kConfigMapVol, 0, 0, "cfg", "prompts")}),
       {deny(kProj + kNotFound + "; " + kCreate)}},
      {"projected missing item",
       deployment({server()}, {projected(kConfigMapVol, 0, 0, "cfg", "model", {"x"})}),
       {deny(kProj + R"(configmap "model" has no key "x"; )" + kAddKey)}},
      {"projected optional",
       deployment({server()}, {projected(kConfigMapVol, 0, 0, "cfg", "prompts", {}, true)}),
       {}},
      {"look-alike: a secret volume is secret-ref's",
       deployment({server()}, {volume(Volume::Kind::kSecret, 0, "cfg", "nothing")}),
       {}},
  };
  for (const Case& k : cases) EXPECT_EQ(run(k.workload, &c), k.want) << k.title;
}

TEST(ConfigMapRefTest, InitAndEphemeralContainers) {
  const FakeCluster c = cluster();
  const Workload w = deployment({
      ContainerBuilder("warmup", kInit, 0).configmap_key("MODEL", "prompts", "k"),
      ContainerBuilder("debug", kEphemeral, 0).env_from(kConfigMapFrom, "prompts"),
  });
  EXPECT_EQ(run(w, &c),
            (std::vector<std::string>{
                deny(R"(container "warmup" env MODEL )"
                     "(spec.template.spec.initContainers[0].env[0].valueFrom.configMapKeyRef): " +
                     std::string(kNotFound) + "; " + kCreate),
                deny(R"(container "debug" envFrom configmap prompts )"
                     "(spec.template.spec.ephemeralContainers[0].envFrom[0]): " +
                     std::string(kNotFound) + "; " + kCreate),
            }));
}

TEST(ConfigMapRefTest, SameConfigMapInTwoContainersIsTwoFindings) {
  const FakeCluster c = cluster();
  const Workload w = deployment(
      {server().env_from(kConfigMapFrom, "prompts"),
       ContainerBuilder("sidecar", Container::Type::kApp, 1).env_from(kConfigMapFrom, "prompts")});
  const auto lines = run(w, &c);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("containers[0].envFrom[0]"), std::string::npos);
  EXPECT_NE(lines[1].find("containers[1].envFrom[0]"), std::string::npos);
}

TEST(ConfigMapRefTest, DefaultNamespace) {
  const FakeCluster c = cluster();
  Workload w = deployment({server().configmap_key("MODEL", "model", "modelcard.json")});
  w.namespace_name = {};
  EXPECT_EQ(run(w, &c),
            std::vector<std::string>{
                deny(kEnvA + R"(configmap "model" has no key "modelcard.json"; )" + kAddKey)})
      << "in default, model has only model_name";
}

TEST(ConfigMapRefTest, UnknownStateAndNoCluster) {
  FakeCluster c;
  c.set_unknown(Resource::kConfigMap, "configmaps: cache not synced");
  const Workload w = deployment({server().configmap_key("MODEL", "prompts", "k")});
  const std::string line =
      "|[configmap-ref] " + kEnvA +
      R"(could not check configmap "prompts": configmaps: cache not synced; retry when )"
      "preflight has synced the cluster state, or create the configmap first";
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kAllow)), std::vector<std::string>{});
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kWarn)),
            std::vector<std::string>{"warn unverified" + line});
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{"deny unverified" + line});
  EXPECT_EQ(run(w, nullptr, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace preflight::checks
