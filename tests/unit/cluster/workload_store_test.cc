#include "cluster/workload_store.h"

#include <gtest/gtest.h>

#include "cluster/cluster_store.h"

#include <nlohmann/json.hpp>

namespace preflight::cluster {
namespace {

using nlohmann::json;

json pod_spec() { return {{"containers", json::array({{{"name", "c"}, {"image", "i"}}})}}; }

json object(std::string_view kind, std::string_view name, json owners = nullptr) {
  json meta = {{"name", name}, {"namespace", "prod"}};
  if (!owners.is_null()) meta["ownerReferences"] = owners;
  json spec;
  if (kind == "Pod") {
    spec = pod_spec();
  } else if (kind == "CronJob") {
    spec = {{"jobTemplate", {{"spec", {{"template", {{"spec", pod_spec()}}}}}}}};
  } else {
    spec = {{"template", {{"spec", pod_spec()}}}};
  }
  return {{"metadata", meta}, {"spec", spec}, {"status", {{"replicas", 3}}}};
}

json owner(std::string_view kind, bool controller = true) {
  return json::array({{{"apiVersion", "apps/v1"}, {"kind", kind}, {"name", "x"}, {"uid", "u"},
                       {"controller", controller}}});
}

TEST(WorkloadStoreTest, AuditedOnItsOwnUnlessAControllerAuditsItsTemplate) {
  struct Case {
    WorkloadResource resource;
    std::string_view kind;
    json owners;
    bool audited;
  };
  const Case cases[] = {
      {WorkloadResource::kReplicaSets, "ReplicaSet", nullptr, true},
      {WorkloadResource::kReplicaSets, "ReplicaSet", owner("Deployment"), false},
      // Look-alikes: a non-controller owner, or a controller that is not a Deployment (Argo
      // Rollouts) leave the ReplicaSet to the audit.
      {WorkloadResource::kReplicaSets, "ReplicaSet", owner("Deployment", false), true},
      {WorkloadResource::kReplicaSets, "ReplicaSet", owner("Rollout"), true},
      {WorkloadResource::kJobs, "Job", nullptr, true},
      {WorkloadResource::kJobs, "Job", owner("CronJob"), false},
      {WorkloadResource::kJobs, "Job", owner("Workflow"), true},
      {WorkloadResource::kPods, "Pod", nullptr, true},
      {WorkloadResource::kPods, "Pod", owner("ReplicaSet"), false},
      {WorkloadResource::kPods, "Pod", owner("SomeOperatorKind"), false},
      {WorkloadResource::kPods, "Pod", owner("Node", false), true},  // mirror-pod style, no controller
      {WorkloadResource::kDeployments, "Deployment", owner("HelmRelease"), true},
      {WorkloadResource::kStatefulSets, "StatefulSet", nullptr, true},
      {WorkloadResource::kDaemonSets, "DaemonSet", nullptr, true},
      {WorkloadResource::kCronJobs, "CronJob", nullptr, true},
  };
  for (const Case& c : cases) {
    json o = object(c.kind, "w", c.owners);
    EXPECT_EQ(audited_on_its_own(c.resource, o), c.audited) << c.kind << " " << c.owners;
    auto entry = workload_entry_from_object(c.resource, o);
    ASSERT_TRUE(entry.ok()) << c.kind << ": " << entry.error();
    EXPECT_EQ(entry->has_value(), c.audited) << c.kind << " " << c.owners;
    if (entry->has_value()) EXPECT_EQ((*entry)->kind, workload_kind(c.resource));
  }
}

TEST(WorkloadStoreTest, EntryDropsLastAppliedAndDefaultsTheNamespace) {
  json o = object("Deployment", "api");
  o["metadata"].erase("namespace");
  o["metadata"]["annotations"] = {{"kubectl.kubernetes.io/last-applied-configuration", "{\"big\":1}"},
                                  {"preflight.wfgy.io/required-env", "A"}};
  o["spec"]["template"]["metadata"] = {
      {"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", "{}"}}}};
  auto entry = workload_entry_from_object(WorkloadResource::kDeployments, o);
  ASSERT_TRUE(entry.ok() && entry->has_value());
  const Workload& w = **entry;
  EXPECT_EQ(w.namespace_name, "default");
  EXPECT_EQ(w.annotations.size(), 1u);
  EXPECT_TRUE(w.annotations.contains("preflight.wfgy.io/required-env"));
  EXPECT_TRUE(w.template_annotations.empty());
}

TEST(WorkloadStoreTest, ObjectsWithoutATemplateOrNameAreErrors) {
  json no_template = {{"metadata", {{"name", "x"}}}, {"spec", json::object()}};
  EXPECT_FALSE(workload_entry_from_object(WorkloadResource::kDeployments, no_template).ok());
  json no_name = object("Deployment", "");
  EXPECT_FALSE(workload_entry_from_object(WorkloadResource::kDeployments, no_name).ok());
  EXPECT_FALSE(workload_entry_from_object(WorkloadResource::kPods, json::array()).ok());
}

TEST(WorkloadStoreTest, ResourceTable) {
  EXPECT_EQ(api_path(WorkloadResource::kDeployments), "/apis/apps/v1/deployments");
  EXPECT_EQ(api_path(WorkloadResource::kCronJobs), "/apis/batch/v1/cronjobs");
  EXPECT_EQ(api_path(WorkloadResource::kPods), "/api/v1/pods");
  EXPECT_EQ(to_string(WorkloadResource::kReplicaSets), "replicasets");
  EXPECT_EQ(workload_resource_for("batch/v1", "Job"), WorkloadResource::kJobs);
  EXPECT_EQ(workload_resource_for("apps/v1", "Job"), std::nullopt);
  EXPECT_EQ(workload_resource_for("v1", "ConfigMap"), std::nullopt);
}

Workload named(std::string ns, std::string name) {
  auto entry = workload_entry_from_object(WorkloadResource::kDeployments, object("Deployment", name));
  Workload w = std::move(**entry);
  w.namespace_name = w.text.own(ns);  // the Workload's own copy: `ns` dies here
  return w;
}

TEST(WorkloadStoreTest, SyncStateAndSnapshotOrder) {
  WorkloadStore store;
  store.set_tracked({WorkloadResource::kDeployments, WorkloadResource::kJobs});
  store.set_unsynced(WorkloadResource::kDeployments, "waiting");
  store.set_unsynced(WorkloadResource::kJobs, "forbidden");
  EXPECT_EQ(store.not_synced_reason(), "deployments: waiting; jobs: forbidden");
  std::vector<Workload> list;
  list.push_back(named("b", "z"));
  list.push_back(named("a", "y"));
  list.push_back(named("b", "a"));
  store.replace(WorkloadResource::kDeployments, std::move(list));
  EXPECT_EQ(store.not_synced_reason(), "jobs: forbidden");
  store.replace(WorkloadResource::kJobs, {});
  EXPECT_EQ(store.not_synced_reason(), "");
  // Untracked resources are neither waited for nor listed.
  store.replace(WorkloadResource::kPods, {named("a", "pod")});

  store.upsert(WorkloadResource::kDeployments, named("a", "x"));
  store.upsert(WorkloadResource::kDeployments, named("a", "x"));  // replaces
  store.erase(WorkloadResource::kDeployments, "b", "z");
  store.erase(WorkloadResource::kDeployments, "b", "absent");
  EXPECT_EQ(store.size(WorkloadResource::kDeployments), 3u);
  std::vector<std::string> names;
  for (const auto& w : store.snapshot()) names.push_back(std::string(w->namespace_name) + "/" + std::string(w->name));
  EXPECT_EQ(names, (std::vector<std::string>{"a/x", "a/y", "b/a"}));

  // A snapshot holds its entries: a later erase does not free them under the reader.
  auto held = store.snapshot();
  store.replace(WorkloadResource::kDeployments, {});
  EXPECT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0]->name, "x");
}

TEST(WorkloadStoreTest, SnapshotLoaderLocatesProblemsAndSkipsControlledObjects) {
  const std::string text = R"(apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: ok, namespace: prod}
  spec: {template: {spec: {containers: [{name: c, image: i}]}}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: broken, namespace: prod}
  spec: {}
- apiVersion: v1
  kind: Pod
  metadata:
    name: owned
    ownerReferences: [{kind: ReplicaSet, name: r, uid: u, controller: true}]
  spec: {containers: [{name: c, image: i}]}
- apiVersion: v1
  kind: Secret
  metadata: {name: s, namespace: prod}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: batch}
spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: i}]}}}}}
)";
  WorkloadStore store;
  auto problems = load_workload_snapshot_text(store, text, "snap.yaml");
  ASSERT_TRUE(problems.ok()) << problems.error();
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_TRUE(problems->front().starts_with("snap.yaml:8: Deployment prod/broken: ")) << problems->front();
  EXPECT_EQ(store.size(WorkloadResource::kDeployments), 1u);
  EXPECT_EQ(store.size(WorkloadResource::kCronJobs), 1u);
  EXPECT_EQ(store.size(WorkloadResource::kPods), 0u);
  EXPECT_EQ(store.not_synced_reason(), "");
  EXPECT_EQ(store.snapshot().size(), 2u);

  EXPECT_FALSE(load_workload_snapshot_text(store, "a: [", "bad.yaml").ok());
}

// ClusterSource::from_snapshot: one parse of the file fills both stores (the workloads read
// each document through load_snapshot_text's hook, before the values are dropped).
TEST(WorkloadStoreTest, OneParseFillsClusterAndWorkloadStores) {
  const std::string text = R"(apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: prod}, data: {k: eA==}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, namespace: prod}
  spec: {template: {spec: {containers: [{name: c, image: i}]}}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: broken, namespace: prod}
  spec: {}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: dev}
spec: {containers: [{name: c, image: i}]}
)";
  ClusterStore cluster;
  WorkloadStore workloads;
  WorkloadSnapshotLoader loader("snap.yaml");
  int documents = 0;
  auto loaded = load_snapshot_text(cluster, text, "snap.yaml", [&](const YamlDocument& doc) {
    ++documents;
    loader.add(doc);
  });
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const std::vector<std::string> problems = loader.commit(workloads);
  EXPECT_EQ(documents, 2);
  EXPECT_EQ(cluster.find(Resource::kSecret, "prod", "s"), Lookup::kFound);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].starts_with("snap.yaml:9: Deployment prod/broken: ")) << problems[0];
  std::vector<std::string> names;
  for (const auto& w : workloads.snapshot()) names.push_back(w->display());
  EXPECT_EQ(names, (std::vector<std::string>{"Deployment prod/api", "Pod dev/p"}));
  EXPECT_EQ(workloads.not_synced_reason(), "");
}

}  // namespace
}  // namespace preflight::cluster
