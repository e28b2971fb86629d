#include "cluster/cluster_store.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "cluster/layered_view.h"

namespace preflight::cluster {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kSnapshot = R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata:
    name: openai
    namespace: prod
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: '{"data":{"api-key":"c2stU0VOVElORUwtc25hcA=="}}'
  data:
    api-key: c2stU0VOVElORUwtc25hcA==
  stringData:
    org: sk-SENTINEL-snap
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cfg, namespace: prod}
  data: {b: "2", a: "1"}
  binaryData: {blob: AAAA}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: llm, namespace: prod}
- apiVersion: v1
  kind: Node
  metadata:
    name: gpu-1
    labels: {nvidia.com/cuda.driver.major: "535"}
- apiVersion: v1
  kind: Service
  metadata: {name: ignored, namespace: prod}
---
apiVersion: v1
kind: Secret
metadata: {name: second-doc, namespace: other}
)";

TEST(ClusterStoreTest, SnapshotKeepsNamesAndKeysOnly) {
  ClusterStore store;
  ASSERT_TRUE(load_snapshot_text(store, kSnapshot, "snap.yaml").ok());
  std::vector<std::string> keys;
  EXPECT_EQ(store.find(Resource::kSecret, "prod", "openai", &keys), Lookup::kFound);
  EXPECT_EQ(keys, (std::vector<std::string>{"api-key", "org"}));
  EXPECT_EQ(store.find(Resource::kSecret, "other", "openai"), Lookup::kNotFound);
  EXPECT_EQ(store.find(Resource::kSecret, "other", "second-doc"), Lookup::kFound);
  EXPECT_EQ(store.find(Resource::kConfigMap, "prod", "cfg", &keys), Lookup::kFound);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "blob"}));
  EXPECT_EQ(store.find(Resource::kServiceAccount, "prod", "llm"), Lookup::kFound);
  EXPECT_EQ(store.find(Resource::kNode, "", "gpu-1"), Lookup::kFound);
  ASSERT_EQ(store.nodes().size(), 1u);
  EXPECT_EQ(store.nodes()[0].labels.at("nvidia.com/cuda.driver.major"), "535");
  EXPECT_EQ(store.size(Resource::kSecret), 2u);
  for (Resource r : kAllResources) EXPECT_TRUE(store.synced(r));
}

TEST(ClusterStoreTest, EntryNeverHoldsValues) {
  json secret = json::parse(R"({"metadata":{"name":"s","namespace":"n",
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"sk-SENTINEL-1"}},
      "data":{"k":"c2stU0VOVElORUwtMQ=="},"stringData":{"j":"sk-SENTINEL-1"}})");
  auto e = entry_from_object(Resource::kSecret, secret);
  ASSERT_TRUE(e.ok());
  // The entry has only these fields; none can carry a value.
  EXPECT_EQ(e->name, "s");
  EXPECT_EQ(e->namespace_name, "n");
  EXPECT_EQ(e->keys, (std::vector<std::string>{"j", "k"}));
  EXPECT_TRUE(e->labels.empty());
}

TEST(ClusterStoreTest, UnsyncedIsUnknownWithReason) {
  ClusterStore store;
  EXPECT_EQ(store.find(Resource::kSecret, "prod", "x"), Lookup::kUnknown);
  store.set_unsynced(Resource::kSecret, "API server unreachable");
  EXPECT_EQ(store.unknown_reason(Resource::kSecret), "secrets: API server unreachable");
  store.replace(Resource::kSecret, {});
  EXPECT_EQ(store.find(Resource::kSecret, "prod", "x"), Lookup::kNotFound);
}

TEST(ClusterStoreTest, UpsertEraseAndWaitForChange) {
  ClusterStore store;
  store.replace(Resource::kSecret, {});
  const auto seen = store.generation();
  EXPECT_FALSE(store.wait_for_change(seen, std::chrono::steady_clock::now() + 10ms));
  std::thread writer([&] {
    std::this_thread::sleep_for(20ms);
    store.upsert(Resource::kSecret, ObjectEntry{"prod", "late", {"k"}, {}});
  });
  EXPECT_TRUE(store.wait_for_change(seen, std::chrono::steady_clock::now() + 5s));
  writer.join();
  EXPECT_EQ(store.find(Resource::kSecret, "prod", "late"), Lookup::kFound);
  store.erase(Resource::kSecret, "prod", "late");
  EXPECT_EQ(store.find(Resource::kSecret, "prod", "late"), Lookup::kNotFound);
}

TEST(ClusterStoreTest, LongNamesStillResolve) {
  ClusterStore store;
  std::string name(600, 'a');
  store.replace(Resource::kConfigMap, {ObjectEntry{"ns", name, {}, {}}});
  EXPECT_EQ(store.find(Resource::kConfigMap, "ns", name), Lookup::kFound);
}

TEST(ClusterStoreTest, SnapshotErrorsNameTheLocation) {
  ClusterStore store;
  auto r = load_snapshot_text(store, "items: [\n  - {kind: Secret, metadata: {namespace: x}}\n",
                              "s.yaml");
  EXPECT_FALSE(r.ok());
  auto bad = load_snapshot_text(store, "a: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().rfind("bad.yaml:", 0), 0u) << bad.error();
}

TEST(LayeredViewTest, ManifestsFirstThenFallbackElseUnknown) {
  ClusterStore manifests;
  manifests.replace(Resource::kSecret, {ObjectEntry{"prod", "from-manifest", {"a"}, {}}});
  LayeredView alone(manifests, nullptr);
  EXPECT_EQ(alone.find(Resource::kSecret, "prod", "from-manifest"), Lookup::kFound);
  EXPECT_EQ(alone.find(Resource::kSecret, "prod", "elsewhere"), Lookup::kUnknown);
  EXPECT_NE(alone.unknown_reason(Resource::kSecret).find("no --cluster-snapshot"),
            std::string::npos);

  ClusterStore snapshot;
  snapshot.replace(Resource::kSecret, {ObjectEntry{"prod", "elsewhere", {}, {}}});
  LayeredView layered(manifests, &snapshot);
  EXPECT_EQ(layered.find(Resource::kSecret, "prod", "elsewhere"), Lookup::kFound);
  EXPECT_EQ(layered.find(Resource::kSecret, "prod", "nowhere"), Lookup::kNotFound);
}

}  // namespace
}  // namespace preflight::cluster
