#include "checks/serviceaccount_ref.h"

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

constexpr char kPath[] = "(spec.template.spec.serviceAccountName): ";
constexpr char kControllerFix[] =
    "create it first: until it exists the controller cannot create any pod";

// ServiceAccounts "llm" in prod and "builder" in default; a Secret named "ghost" in prod.
FakeCluster cluster() {
  FakeCluster c;
  c.add(Resource::kServiceAccount, "prod", "llm")
      .add(Resource::kServiceAccount, "default", "builder")
      .add(Resource::kSecret, "prod", "ghost");
  return c;
}

Workload running_as(std::string sa, std::string ns = "prod") {
  Workload w = deployment({ContainerBuilder("server")});
  w.service_account = kept(std::move(sa));
  w.namespace_name = kept(std::move(ns));
  return w;
}

policy::Policy unavailable(policy::UnavailableMode mode) { return testutil::with_unavailable(mode); }

std::vector<std::string> run(const Workload& w, const cluster::ClusterView* cluster,
                             const policy::Policy& p = policy::default_policy()) {
  const auto check = make_serviceaccount_ref_check();
  EXPECT_EQ(check->id(), "serviceaccount-ref");
  return testutil::finding_lines(*check, w, cluster, p,
                                  [](const Finding& f, const std::string&) { EXPECT_TRUE(f.container.empty()); });
}

TEST(ServiceAccountRefTest, Table) {
  const FakeCluster c = cluster();
  Workload pod = running_as("llm-runner");
  pod.kind = WorkloadKind::kPod;
  pod.kind_name = "Pod";
  pod.pod_spec_path = "spec";
  Workload cron = running_as("llm-runner");
  cron.kind = WorkloadKind::kCronJob;
  cron.kind_name = "CronJob";
  cron.pod_spec_path = "spec.jobTemplate.spec.template.spec";
  Workload prompts = running_as("nobody");
  prompts.kind = WorkloadKind::kConfigMap;

  struct Case {
    std::string title;
    Workload workload;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"exists", running_as("llm"), {}},
      {"empty: the default ServiceAccount", running_as(""), {}},
      {"default is not checked (the controller manager creates it)", running_as("default"), {}},
      {"default is not checked in a namespace without objects", running_as("default", "new"), {}},
      {"missing",
       running_as("llm-runner"),
       {"deny|[serviceaccount-ref] serviceAccountName llm-runner " + std::string(kPath) +
        R"(serviceaccount "llm-runner" not found in namespace "prod"; )" + kControllerFix}},
      {"look-alike: exists in another namespace only",
       running_as("builder"),
       {"deny|[serviceaccount-ref] serviceAccountName builder " + std::string(kPath) +
        R"(serviceaccount "builder" not found in namespace "prod"; )" + kControllerFix}},
      {"look-alike: a Secret of that name is not a ServiceAccount",
       running_as("ghost"),
       {"deny|[serviceaccount-ref] serviceAccountName ghost " + std::string(kPath) +
        R"(serviceaccount "ghost" not found in namespace "prod"; )" + kControllerFix}},
      {"no namespace resolves in default", running_as("builder", ""), {}},
      {"no namespace, missing",
       running_as("llm", ""),
       {"deny|[serviceaccount-ref] serviceAccountName llm " + std::string(kPath) +
        R"(serviceaccount "llm" not found in namespace "default"; )" + kControllerFix}},
      {"a Pod is rejected by the API server",
       pod,
       {"deny|[serviceaccount-ref] serviceAccountName llm-runner (spec.serviceAccountName): "
        R"(serviceaccount "llm-runner" not found in namespace "prod"; create it first: the API )"
        "server rejects the pod without it"}},
      {"a CronJob's pod spec path",
       cron,
       {"deny|[serviceaccount-ref] serviceAccountName llm-runner "
        "(spec.jobTemplate.spec.template.spec.serviceAccountName): "
        R"(serviceaccount "llm-runner" not found in namespace "prod"; )" +
        std::string(kControllerFix)}},
      {"a prompts ConfigMap has no pod", prompts, {}},
  };
  for (const Case& k : cases) EXPECT_EQ(run(k.workload, &c), k.want) << k.title;
}

TEST(ServiceAccountRefTest, UnknownStateFollowsPolicy) {
  FakeCluster c = cluster();
  c.set_unknown(Resource::kServiceAccount, "serviceaccounts: cache not synced");
  const std::string line =
      "|[serviceaccount-ref] serviceAccountName llm-runner " + std::string(kPath) +
      R"(could not check serviceaccount "llm-runner": serviceaccounts: cache not synced; retry )"
      "when preflight has synced the cluster state, or create the serviceaccount first";
  const Workload w = running_as("llm-runner");
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kAllow)), std::vector<std::string>{});
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kWarn)),
            std::vector<std::string>{"warn unverified" + line});
  EXPECT_EQ(run(w, &c, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{"deny unverified" + line});
  EXPECT_EQ(run(running_as("llm"), &c, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{})
      << "a ServiceAccount the view knows is found";
  EXPECT_EQ(run(running_as("default"), &c, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{});
  EXPECT_EQ(c.finds(), 4u) << "default is never looked up";
}

TEST(ServiceAccountRefTest, NoClusterNoFindings) {
  EXPECT_EQ(run(running_as("llm-runner"), nullptr, unavailable(policy::UnavailableMode::kDeny)),
            std::vector<std::string>{});
}

TEST(ServiceAccountRefTest, LongNameIsCut) {
  const FakeCluster c = cluster();
  const auto lines = run(running_as(std::string(50, 's')), &c);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find(std::string(41, 's')), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(std::string(40, 's') + "..."), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace preflight::checks
