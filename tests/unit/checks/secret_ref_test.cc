#include "checks/secret_ref.h"

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

constexpr auto kApp = Container::Type::kApp;
constexpr auto kInit = Container::Type::kInit;
constexpr auto kEphemeral = Container::Type::kEphemeral;
constexpr auto kSecretFrom = EnvFromSource::Kind::kSecret;
constexpr auto kSecretVol = Volume::Kind::kSecret;

constexpr char kNotFound[] = R"(secret "anthropic" not found in namespace "prod")";
constexpr char kCreate[] = "create it before the Deployment, or set optional: true";
constexpr char kAddKey[] = "add the key to the secret or fix the key name";

// openai (api_key, org_id), tls (tls.crt, tls.key) and regcred exist in prod; openai in
// default; a ConfigMap "anthropic" exists, the Secret "anthropic" does not.
FakeCluster cluster() {
  FakeCluster c;
  c.add(Resource::kSecret, "prod", "openai", {"org_id", "api_key"})
      .add(Resource::kSecret, "prod", "tls", {"tls.crt", "tls.key"})
      .add(Resource::kSecret, "prod", "regcred", {".dockerconfigjson"})
      .add(Resource::kSecret, "default", "openai", {"api_key"})
      .add(Resource::kConfigMap, "prod", "anthropic", {"api_key"});
  return c;
}

policy::Policy unavailable(policy::UnavailableMode mode) { return testutil::with_unavailable(mode); }

// "<severity>[ unverified]|<format_finding line>" per finding, in the check's order.
std::vector<std::string> run(const Workload& w, const cluster::ClusterView* cluster,
                             const policy::Policy& p = policy::default_policy()) {
  const auto check = make_secret_ref_check();
  EXPECT_EQ(check->id(), "secret-ref");
  return testutil::finding_lines(*check, w, cluster, p,
                                  [](const Finding&, const std::string& line) {
                                    EXPECT_EQ(line.find("sentinel"), std::string::npos)
                                        << "a value leaked: " << line;
                                  });
}

std::string deny(const std::string& rest) { return "deny|[secret-ref] " + rest; }
std::string warn(const std::string& rest) { return "warn|[secret-ref] " + rest; }

struct Case {
  std::string title;
  Workload workload;
  std::vector<std::string> want;
};

void run_table(const std::vector<Case>& cases, const cluster::ClusterView& c,
               const policy::Policy& p = policy::default_policy()) {
  for (const Case& k : cases) EXPECT_EQ(run(k.workload, &c, p), k.want) << k.title;
}

const std::string kEnv0 = "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef";

TEST(SecretRefTest, ContractExample) {
  const FakeCluster empty;
  const Workload w =
      deployment({ContainerBuilder("server").secret_key("OPENAI_API_KEY", "openai", "api-key")});
  EXPECT_EQ(run(w, &empty),
            std::vector<std::string>{
                "deny|[secret-ref] container \"server\" env OPENAI_API_KEY "
                "(spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef): secret "
                "\"openai\" not found in namespace \"prod\"; create it before the Deployment, or "
                "set optional: true"});
}

TEST(SecretRefTest, EnvSecretKeyRef) {
  const std::string env = R"(container "server" env API_KEY ()" + kEnv0 + "): ";
  run_table(
      {
          {"found with key",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "openai", "api_key")}),
           {}},
          {"missing secret",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "anthropic", "api_key")}),
           {deny(env + kNotFound + "; " + kCreate)}},
          {"missing key, did you mean",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "openai", "api-key")}),
           {deny(env + R"(secret "openai" has no key "api-key" (did you mean "api_key"?); )" +
                 kAddKey)}},
          {"missing key, case only",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "openai", "API_KEY")}),
           {deny(env + R"(secret "openai" has no key "API_KEY" (did you mean "api_key"?); )" +
                 kAddKey)}},
          {"missing key, nothing close",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "openai", "password")}),
           {deny(env + R"(secret "openai" has no key "password"; )" + kAddKey)}},
          {"short key: no far-fetched hint",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "tls", "ca")}),
           {deny(env + R"(secret "tls" has no key "ca"; )" + kAddKey)}},
          {"hint one edit away",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "tls", "tls.cert")}),
           {deny(env + R"(secret "tls" has no key "tls.cert" (did you mean "tls.crt"?); )" +
                 kAddKey)}},
          {"optional missing secret",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "anthropic", "k", true)}),
           {}},
          {"optional missing key",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "openai", "nope", true)}),
           {}},
          {"look-alike: a ConfigMap reference is not a Secret reference",
           deployment({ContainerBuilder("server").configmap_key("API_KEY", "nothing", "k")}),
           {}},
          {"look-alike: a ConfigMap of that name does not make the Secret exist",
           deployment({ContainerBuilder("server").secret_key("API_KEY", "anthropic", "api_key")}),
           {deny(env + kNotFound + "; " + kCreate)}},
          {"literal values are not references",
           deployment({ContainerBuilder("server").value("API_KEY", "sentinel-value")}),
           {}},
          {"empty name or key is left to the API server",
           deployment({ContainerBuilder("server")
                           .secret_key("A", "", "api_key")
                           .secret_key("B", "openai", "")}),
           {}},
      },
      cluster());
}

TEST(SecretRefTest, EnvFrom) {
  const std::string path = "spec.template.spec.containers[0].envFrom[0]";
  run_table(
      {
          {"found", deployment({ContainerBuilder("server").env_from(kSecretFrom, "openai")}), {}},
          {"missing",
           deployment({ContainerBuilder("server").env_from(kSecretFrom, "anthropic")}),
           {deny(R"(container "server" envFrom secret anthropic ()" + path + "): " + kNotFound +
                 "; " + kCreate)}},
          {"optional missing",
           deployment({ContainerBuilder("server").env_from(kSecretFrom, "anthropic", true)}),
           {}},
          {"look-alike: configMapRef of a missing name is not secret-ref's",
           deployment(
               {ContainerBuilder("server").env_from(EnvFromSource::Kind::kConfigMap, "nothing")}),
           {}},
      },
      cluster());
}

TEST(SecretRefTest, Volumes) {
  const std::string vol0 = "volume keys (spec.template.spec.volumes[0].secret): ";
  const std::string proj =
      "volume keys (spec.template.spec.volumes[0].projected.sources[1].secret): ";
  const ContainerBuilder server("server");
  run_table(
      {
          {"found, all items", deployment({server}, {volume(kSecretVol, 0, "keys", "openai")}), {}},
          {"found, listed items exist",
           deployment({server}, {volume(kSecretVol, 0, "keys", "openai", {"api_key", "org_id"})}),
           {}},
          {"missing secret",
           deployment({server}, {volume(kSecretVol, 0, "keys", "anthropic", {"a", "b"})}),
           {deny(vol0 + kNotFound + "; " + kCreate)}},
          {"missing items: one finding per distinct key, in item order",
           deployment({server}, {volume(kSecretVol, 0, "keys", "openai",
                                        {"org-id", "api_key", "zzz", "org-id"})}),
           {deny(vol0 + R"(secret "openai" has no key "org-id" (did you mean "org_id"?); )" +
                 kAddKey),
            deny(vol0 + R"(secret "openai" has no key "zzz"; )" + kAddKey)}},
          {"optional missing secret",
           deployment({server}, {volume(kSecretVol, 0, "keys", "anthropic", {}, true)}),
           {}},
          {"optional missing item",
           deployment({server}, {volume(kSecretVol, 0, "keys", "openai", {"nope"}, true)}),
           {}},
          {"projected missing",
           deployment({server}, {projected(kSecretVol, 0, 1, "keys", "anthropic")}),
           {deny(proj + kNotFound + "; " + kCreate)}},
          {"projected missing item",
           deployment({server},
                      {projected(kSecretVol, 0, 1, "keys", "tls", {"tls.key", "ca.crt"})}),
           {deny(proj + R"(secret "tls" has no key "ca.crt" (did you mean "tls.crt"?); )" +
                 kAddKey)}},
          {"projected optional",
           deployment({server}, {projected(kSecretVol, 0, 1, "keys", "anthropic", {}, true)}),
           {}},
          {"look-alike: a configMap volume is not secret-ref's",
           deployment({server}, {volume(Volume::Kind::kConfigMap, 0, "keys", "nothing")}),
           {}},
      },
      cluster());
}

TEST(SecretRefTest, ImagePullSecretsWarn) {
  const std::string path = "(spec.template.spec.imagePullSecrets): ";
  const std::string fix =
      "; create it, or remove it from imagePullSecrets (private images fail to pull)";
  const auto with_pull = [](std::vector<std::string> names) {
    Workload w = deployment({ContainerBuilder("server")});
    for (std::string& name : names) w.image_pull_secrets.push_back(kept(std::move(name)));
    return w;
  };
  run_table(
      {
          {"found", with_pull({"regcred"}), {}},
          {"missing is a warning",
           with_pull({"ghcr"}),
           {warn("imagePullSecrets ghcr " + path +
                 R"(secret "ghcr" not found in namespace "prod")" + fix)}},
          {"the same missing name twice: once",
           with_pull({"ghcr", "regcred", "ghcr"}),
           {warn("imagePullSecrets ghcr " + path +
                 R"(secret "ghcr" not found in namespace "prod")" + fix)}},
          {"two missing names: two",
           with_pull({"quay", "ghcr"}),
           {warn("imagePullSecrets quay " + path +
                 R"(secret "quay" not found in namespace "prod")" + fix),
            warn("imagePullSecrets ghcr " + path +
                 R"(secret "ghcr" not found in namespace "prod")" + fix)}},
      },
      cluster());
}

TEST(SecretRefTest, EveryContainerKindAndEachField) {
  const Workload w = deployment({
      ContainerBuilder("server")
          .secret_key("A", "anthropic", "k")
          .secret_key("B", "anthropic", "k"),
      ContainerBuilder("sidecar", kApp, 1).secret_key("A", "anthropic", "k"),
      ContainerBuilder("migrate", kInit, 0).env_from(kSecretFrom, "anthropic"),
      ContainerBuilder("debugger", kEphemeral, 0).secret_key("A", "openai", "api-key"),
  });
  const std::string tail = std::string(kNotFound) + "; " + kCreate;
  const FakeCluster c = cluster();
  EXPECT_EQ(
      run(w, &c),
      (std::vector<std::string>{
          deny(R"(container "server" env A ()" + kEnv0 + "): " + tail),
          deny(
              R"(container "server" env B (spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef): )" +
              tail),
          deny(
              R"(container "sidecar" env A (spec.template.spec.containers[1].env[0].valueFrom.secretKeyRef): )" +
              tail),
          deny(
              R"(container "migrate" envFrom secret anthropic (spec.template.spec.initContainers[0].envFrom[0]): )" +
              tail),
          deny(
              R"(container "debugger" env A (spec.template.spec.ephemeralContainers[0].env[0].valueFrom.secretKeyRef): secret "openai" has no key "api-key" (did you mean "api_key"?); )" +
              std::string(kAddKey)),
      }));
}

TEST(SecretRefTest, NamespaceAndKind) {
  const FakeCluster c = cluster();
  Workload no_ns = deployment({ContainerBuilder("server").secret_key("A", "openai", "api_key")});
  no_ns.namespace_name = {};
  EXPECT_EQ(run(no_ns, &c), std::vector<std::string>{}) << "resolves in default";
  Workload no_ns_missing = deployment({ContainerBuilder("server").secret_key("A", "tls", "k")});
  no_ns_missing.namespace_name = {};
  EXPECT_EQ(run(no_ns_missing, &c),
            std::vector<std::string>{deny(R"(container "server" env A ()" + kEnv0 +
                                          R"(): secret "tls" not found in namespace "default"; )" +
                                          kCreate)});

  Workload pod = deployment({ContainerBuilder("server").secret_key("A", "anthropic", "k")});
  pod.kind = WorkloadKind::kPod;
  pod.kind_name = "Pod";
  pod.pod_spec_path = "spec";
  pod.containers[0].env[0].path = PartPath("spec").at("containers", 0).at("env", 0);
  EXPECT_EQ(run(pod, &c),
            std::vector<std::string>{deny(
                R"(container "server" env A (spec.containers[0].env[0].valueFrom.secretKeyRef): )" +
                std::string(kNotFound) + "; create it before the Pod, or set optional: true")});
}

TEST(SecretRefTest, UnknownClusterStateFollowsPolicy) {
  FakeCluster c = cluster();
  c.set_unknown(Resource::kSecret, "secrets: cache not synced");
  Workload w = deployment({ContainerBuilder("server")
                               .secret_key("A", "anthropic", "k")
                               .secret_key("B", "openai", "nope")});
  w.image_pull_secrets = {"ghcr"};
  const std::string env_a =
      R"(container "server" env A ()" + kEnv0 +
      R"(): could not check secret "anthropic": secrets: cache not synced; retry when preflight )"
      "has synced the cluster state, or create the secret first";
  // A Secret the view does know is still checked: the missing key is a plain finding.
  const std::string env_b =
      R"(container "server" env B (spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef): )"
      R"(secret "openai" has no key "nope"; )" +
      std::string(kAddKey);
  const std::string pull =
      R"(imagePullSecrets ghcr (spec.template.spec.imagePullSecrets): could not check secret )"
      R"("ghcr": secrets: cache not synced; retry when preflight has synced the cluster state, )"
      "or create the secret first";
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kAllow)),
            std::vector<std::string>{deny(env_b)});
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kWarn)),
            (std::vector<std::string>{"warn unverified|[secret-ref] " + env_a, deny(env_b),
                                      "warn unverified|[secret-ref] " + pull}));
  // Pull secrets never deny, not even unverified.
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kDeny)),
            (std::vector<std::string>{"deny unverified|[secret-ref] " + env_a, deny(env_b),
                                      "warn unverified|[secret-ref] " + pull}));
  Workload optional = deployment({ContainerBuilder("server").secret_key("A", "x", "k", true)});
  EXPECT_EQ(run(optional, &c, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{});
}

TEST(SecretRefTest, LongUnknownReasonIsCut) {
  FakeCluster c;
  c.set_unknown(Resource::kSecret, std::string(300, 'r'));
  const auto check = make_secret_ref_check();
  const policy::Policy p = policy::default_policy();
  const auto findings = check->run(
      deployment({ContainerBuilder("server").env_from(kSecretFrom, "x")}), CheckContext{p, &c});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message, R"(could not check secret "x": )" + std::string(100, 'r') + "...");
  EXPECT_TRUE(findings[0].unverified);
}

TEST(SecretRefTest, NoClusterNoFindings) {
  Workload w = deployment({ContainerBuilder("server").secret_key("A", "anthropic", "k")},
                          {volume(kSecretVol, 0, "keys", "anthropic")});
  w.image_pull_secrets = {"ghcr"};
  EXPECT_EQ(run(w, nullptr, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{});
  const FakeCluster c = cluster();
  EXPECT_EQ(run(w, &c).size(), 3u) << "the same workload with a cluster view";
}

TEST(SecretRefTest, AsksForKeysOnlyWhenAKeyIsReferenced) {
  FakeCluster c = cluster();
  Workload w = deployment({ContainerBuilder("server").env_from(kSecretFrom, "openai")},
                          {volume(kSecretVol, 0, "keys", "openai")});
  w.image_pull_secrets = {"regcred"};
  EXPECT_EQ(run(w, &c), std::vector<std::string>{});
  EXPECT_EQ(c.finds(), 2u);  // openai (envFrom and volume: looked up once), regcred
  EXPECT_EQ(c.key_requests(), 0u);

  FakeCluster c2 = cluster();
  const Workload keyed =
      deployment({ContainerBuilder("server").secret_key("A", "openai", "api_key")},
                 {volume(kSecretVol, 0, "keys", "openai", {"org_id"})});
  EXPECT_EQ(run(keyed, &c2), std::vector<std::string>{});
  EXPECT_EQ(c2.key_requests(), 1u);  // both fields read the key names of one lookup
}

TEST(SecretRefTest, EachNameIsLookedUpOncePerRunAndKeysFetchedWhenFirstNeeded) {
  FakeCluster c = cluster();
  // Existence first (envFrom), then keys (a volume's items), then existence again (another
  // volume): two lookups of openai, the second for its keys; the missing key is reported.
  const Workload w = deployment({ContainerBuilder("server").env_from(kSecretFrom, "openai")},
                                {volume(kSecretVol, 0, "keys", "openai", {"nope"}),
                                 volume(kSecretVol, 1, "all", "openai")});
  const auto lines = run(w, &c);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("has no key \"nope\""), std::string::npos) << lines[0];
  EXPECT_EQ(c.finds(), 2u);
  EXPECT_EQ(c.key_requests(), 1u);
}

TEST(SecretRefTest, LongNamesAreCutAndItemsBounded) {
  const FakeCluster c = cluster();
  const std::string long_name(60, 'n');
  const Workload w = deployment({ContainerBuilder("server").secret_key(long_name, long_name, "k")});
  const auto lines = run(w, &c);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("env " + std::string(40, 'n') + "... ("), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("secret \"" + std::string(40, 'n') + "...\" not found"),
            std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[0].find(long_name), std::string::npos);

  std::vector<std::string> items;
  for (int i = 0; i < 40; ++i) items.push_back("missing-" + std::to_string(i));
  const Workload many =
      deployment({ContainerBuilder("server")}, {volume(kSecretVol, 0, "keys", "openai", items)});
  EXPECT_EQ(run(many, &c).size(), 16u);
}

TEST(SecretRefTest, DeterministicOutput) {
  const FakeCluster c = cluster();
  Workload w = deployment(
      {ContainerBuilder("server").secret_key("A", "anthropic", "k").env_from(kSecretFrom, "x")},
      {volume(kSecretVol, 0, "v", "y"), projected(kSecretVol, 1, 0, "p", "z")});
  w.image_pull_secrets = {"q"};
  const auto first = run(w, &c);
  EXPECT_EQ(first.size(), 5u);
  EXPECT_EQ(run(w, &c), first);
}

}  // namespace
}  // namespace preflight::checks
