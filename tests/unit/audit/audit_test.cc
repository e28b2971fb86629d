#include "audit/audit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit/background_audit.h"
#include "cluster/cluster_store.h"
#include "metrics/registry.h"
#include "policy/policy.h"

namespace preflight::audit {
namespace {

using cluster::WorkloadResource;
using nlohmann::json;

// A workload in `ns` whose container takes env TOKEN from Secret `secret`.
Workload with_secret(std::string ns, std::string name, std::string secret,
                     WorkloadResource r = WorkloadResource::kDeployments) {
  json container = {{"name", "app"},
                    {"image", "registry.example.com/app:1"},
                    {"env", json::array({{{"name", "TOKEN"},
                                          {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", "token"}}}}}}})}};
  json pod = {{"serviceAccountName", "default"}, {"containers", json::array({container})}};
  json o = {{"metadata", {{"name", name}, {"namespace", ns}}},
            {"spec", {{"template", {{"spec", pod}}}}}};
  auto entry = cluster::workload_entry_from_object(r, o);
  EXPECT_TRUE(entry.ok() && entry->has_value());
  return std::move(**entry);
}

void fill(cluster::ClusterStore& store, std::vector<std::pair<std::string, std::string>> secrets) {
  std::vector<cluster::ObjectEntry> s, sa;
  for (auto& [ns, name] : secrets) s.push_back({ns, name, {"token"}, {}});
  for (std::string ns : {"prod", "dev", "ml"}) sa.push_back({ns, "default", {}, {}});
  store.replace(cluster::Resource::kSecret, std::move(s));
  store.replace(cluster::Resource::kServiceAccount, std::move(sa));
  store.replace(cluster::Resource::kConfigMap, {});
  store.replace(cluster::Resource::kNode, {});
}

std::vector<cluster::WorkloadStore::Entry> entries(std::vector<Workload> ws) {
  std::vector<cluster::WorkloadStore::Entry> out;
  for (Workload& w : ws) out.push_back(std::make_shared<const Workload>(std::move(w)));
  return out;
}

TEST(AuditTest, FindingsPerWorkloadWithEnforcementAndExemptions) {
  cluster::ClusterStore cluster;
  fill(cluster, {{"prod", "present"}});
  policy::Policy policy = policy::default_policy();
  policy.exempt_namespaces = {"ml"};
  auto list = entries({with_secret("prod", "ok", "present"), with_secret("prod", "bad", "absent"),
                       with_secret("dev", "bad", "absent"), with_secret("ml", "skipped", "absent")});
  std::vector<std::pair<std::size_t, std::size_t>> progress;
  AuditResult r = run_audit(list, checks::all_checks(), {policy, &cluster},
                            [&](std::size_t done, std::size_t total) { progress.push_back({done, total}); }, 3);
  EXPECT_EQ(r.workloads, 4u);
  EXPECT_EQ(r.exempt, 1u);
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].workload, "Deployment prod/bad");
  EXPECT_EQ(r.findings[0].namespace_name, "prod");
  EXPECT_EQ(r.findings[0].finding.check, "secret-ref");
  EXPECT_EQ(r.findings[0].finding.severity, Enforcement::kDeny);
  EXPECT_EQ(r.findings[1].workload, "Deployment dev/bad");
  EXPECT_EQ(progress, (std::vector<std::pair<std::size_t, std::size_t>>{{3, 4}, {4, 4}}));

  // dryrun findings are kept (what would break if tightened); off reports nothing.
  policy.enforcement["secret-ref"] = Enforcement::kDryRun;
  r = run_audit(list, checks::all_checks(), {policy, &cluster});
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].finding.severity, Enforcement::kDryRun);
  policy.enforcement["secret-ref"] = Enforcement::kOff;
  EXPECT_TRUE(run_audit(list, checks::all_checks(), {policy, &cluster}).findings.empty());
}

TEST(AuditTest, CountsSkipUnverifiedFindings) {
  AuditResult r;
  auto add = [&](std::string check, std::string ns, bool unverified) {
    Finding f;
    f.check = std::move(check);
    f.unverified = unverified;
    r.findings.push_back({"Deployment " + ns + "/x", ns, f});
  };
  add("secret-ref", "prod", false);
  add("secret-ref", "prod", false);
  add("secret-ref", "dev", false);
  add("env-name", "prod", false);
  add("configmap-ref", "prod", true);  // cluster state unknown: not counted
  Counts c = count_findings(r);
  EXPECT_EQ(c, (Counts{{{"env-name", "prod"}, 1}, {{"secret-ref", "dev"}, 1}, {{"secret-ref", "prod"}, 2}}));
}

TEST(AuditTest, ExportResetsFixedSeriesAndSumsFoldedNamespaces) {
  metrics::Registry registry;
  auto& gauge = registry.gauge("preflight_audit_findings", "h", {"check", "namespace"});
  gauge.limit_label_values("namespace", 2);
  export_counts({{{"secret-ref", "a"}, 2}, {{"secret-ref", "b"}, 1}, {{"secret-ref", "c"}, 4},
                 {{"secret-ref", "d"}, 1}},
                gauge);
  EXPECT_EQ(gauge.labels({"secret-ref", "a"}).value(), 2);
  EXPECT_EQ(gauge.labels({"secret-ref", "other"}).value(), 5);  // c + d folded
  // The next audit: "a" fixed, "b" worse. A fixed problem goes to 0, not its last value.
  export_counts({{{"secret-ref", "b"}, 3}}, gauge);
  EXPECT_EQ(gauge.labels({"secret-ref", "a"}).value(), 0);
  EXPECT_EQ(gauge.labels({"secret-ref", "b"}).value(), 3);
  EXPECT_EQ(gauge.labels({"secret-ref", "other"}).value(), 0);
  // Exporting the same counts twice does not double them.
  export_counts({{{"secret-ref", "b"}, 3}}, gauge);
  EXPECT_EQ(gauge.labels({"secret-ref", "b"}).value(), 3);
}

TEST(BackgroundAuditTest, WaitsForSyncedCachesThenExportsTheLastAudit) {
  cluster::ClusterStore cluster;
  fill(cluster, {{"prod", "present"}});
  cluster::WorkloadStore workloads;
  workloads.set_tracked({WorkloadResource::kDeployments, WorkloadResource::kJobs});
  workloads.set_unsynced(WorkloadResource::kDeployments, "waiting");
  workloads.set_unsynced(WorkloadResource::kJobs, "waiting");
  auto policy = std::make_shared<const policy::Policy>(policy::default_policy());
  BackgroundAudit audit([&] { return policy; }, workloads, &cluster);

  metrics::Registry registry;
  auto& gauge = registry.gauge("preflight_audit_findings", "h", {"check", "namespace"});
  EXPECT_FALSE(audit.audit_once());
  audit.export_to(gauge);
  EXPECT_EQ(gauge.size(), 0u);  // nothing before the first audit

  workloads.replace(WorkloadResource::kDeployments,
                    {with_secret("prod", "a", "present"), with_secret("prod", "b", "absent")});
  EXPECT_FALSE(audit.audit_once()) << "jobs are not synced yet";
  workloads.replace(WorkloadResource::kJobs, {with_secret("prod", "j", "absent", WorkloadResource::kJobs)});
  ASSERT_TRUE(audit.audit_once());
  EXPECT_EQ(audit.audits(), 1u);
  audit.export_to(gauge);
  EXPECT_EQ(gauge.labels({"secret-ref", "prod"}).value(), 2);

  // The Secret appears: the next audit drops the series to 0.
  cluster.upsert(cluster::Resource::kSecret, {"prod", "absent", {"token"}, {}});
  ASSERT_TRUE(audit.audit_once());
  audit.export_to(gauge);
  EXPECT_EQ(gauge.labels({"secret-ref", "prod"}).value(), 0);
}

TEST(BackgroundAuditTest, NoWorkloadCachesNoAudit) {
  cluster::ClusterStore cluster;
  fill(cluster, {});
  cluster::WorkloadStore workloads;  // nothing tracked: serve started with the audit off
  auto policy = std::make_shared<const policy::Policy>(policy::default_policy());
  BackgroundAudit audit([&] { return policy; }, workloads, &cluster);
  EXPECT_FALSE(audit.audit_once());
  EXPECT_FALSE(audit.audit_once());
  EXPECT_EQ(audit.audits(), 0u);
}

TEST(BackgroundAuditTest, ThreadAuditsOnlyWhenEnabledAndStopsPromptly) {
  cluster::ClusterStore cluster;
  fill(cluster, {});
  cluster::WorkloadStore workloads;
  workloads.set_tracked({WorkloadResource::kDeployments});
  workloads.replace(WorkloadResource::kDeployments, {with_secret("prod", "a", "absent")});
  policy::Policy disabled = policy::default_policy();
  disabled.audit_interval = std::chrono::seconds(0);
  std::atomic<std::shared_ptr<const policy::Policy>> current{
      std::make_shared<const policy::Policy>(disabled)};
  BackgroundAudit audit([&] { return current.load(); }, workloads, &cluster,
                        std::chrono::milliseconds(5));
  audit.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(audit.audits(), 0u) << "interval 0 disables the audit";

  policy::Policy enabled = policy::default_policy();
  enabled.audit_interval = std::chrono::seconds(3600);
  current.store(std::make_shared<const policy::Policy>(enabled));
  for (int i = 0; i < 2000 && audit.audits() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(audit.audits(), 1u);
  const auto started = std::chrono::steady_clock::now();
  audit.stop();  // waiting out the hour would hang here
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

}  // namespace
}  // namespace preflight::audit
