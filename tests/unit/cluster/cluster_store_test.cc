#include "cluster/cluster_store.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <atomic>
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
  ASSERT_EQ(store.nodes()->size(), 1u);
  const NodeInfo& gpu = *store.nodes()->front();
  EXPECT_EQ(gpu.labels.at("nvidia.com/cuda.driver.major"), "535");
  EXPECT_TRUE(gpu.capability.nvidia_gpu);  // read once, when the Node arrived
  ASSERT_TRUE(gpu.capability.driver.has_value());
  EXPECT_EQ(gpu.capability.driver->major, 535);
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
  EXPECT_EQ(e->node, nullptr);
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

ObjectEntry node_entry(std::string name, std::string pool) {
  return ObjectEntry{"", name, {}, make_node(name, {{"pool", std::move(pool)}}), {}};
}

TEST(ClusterStoreTest, NodesAreASortedSnapshotThatWritesDoNotChange) {
  ClusterStore store;
  EXPECT_TRUE(store.nodes()->empty());  // not synced yet
  store.replace(Resource::kNode,
                {node_entry("b", "1"), node_entry("a", "1"), node_entry("b", "2")});
  const NodeList before = store.nodes();
  ASSERT_EQ(before->size(), 2u);
  EXPECT_EQ((*before)[0]->name, "a");
  EXPECT_EQ((*before)[1]->labels.at("pool"), "2");  // the last of a name wins, as in find()

  store.upsert(Resource::kNode, node_entry("c", "1"));
  store.upsert(Resource::kNode, node_entry("a", "3"));
  store.erase(Resource::kNode, "", "b");
  store.erase(Resource::kNode, "", "missing");
  const NodeList after = store.nodes();
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0]->labels.at("pool"), "3");
  EXPECT_EQ((*after)[1]->name, "c");
  EXPECT_EQ(store.find(Resource::kNode, "", "b"), Lookup::kNotFound);
  EXPECT_EQ(store.size(Resource::kNode), 2u);
  // The list taken before is unchanged, and the Node "a" it holds too.
  ASSERT_EQ(before->size(), 2u);
  EXPECT_EQ((*before)[0]->labels.at("pool"), "1");
  // Unchanged Nodes are shared between lists, not copied.
  EXPECT_EQ(store.nodes()->back().get(), after->back().get());

  store.set_unsynced(Resource::kNode, "watch restarting");
  EXPECT_TRUE(store.nodes()->empty());
}

// Reviews read the Node list while a watch upserts and erases Nodes (run under TSan by
// scripts/test --sanitize=thread): every list a reader sees is sorted and whole.
TEST(ClusterStoreTest, ConcurrentNodeUpdatesAndReads) {
  ClusterStore store;
  std::vector<ObjectEntry> initial;
  for (int i = 0; i < 100; ++i) initial.push_back(node_entry("n" + std::to_string(1000 + i), "p"));
  store.replace(Resource::kNode, std::move(initial));
  std::atomic<bool> done = false;
  std::thread writer([&] {
    for (int round = 0; round < 300; ++round) {
      const std::string name = "n" + std::to_string(1000 + round % 150);
      if (round % 3 == 2) {
        store.erase(Resource::kNode, "", name);
      } else {
        store.upsert(Resource::kNode, node_entry(name, std::to_string(round)));
      }
    }
    done = true;
  });
  auto read = [&] {
    std::size_t reads = 0;
    while (!done || reads == 0) {
      const NodeList list = store.nodes();
      EXPECT_TRUE(std::is_sorted(list->begin(), list->end(), [](const NodePtr& a, const NodePtr& b) {
        return a->name < b->name;
      }));
      for (const NodePtr& n : *list) EXPECT_EQ(n->labels.size(), 1u);
      ++reads;
    }
  };
  std::thread reader1(read);
  std::thread reader2(read);
  writer.join();
  reader1.join();
  reader2.join();
  EXPECT_EQ(store.nodes()->size(), store.size(Resource::kNode));
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

TEST(LayeredViewTest, NodesOfTheFallbackThenOfTheManifests) {
  ClusterStore manifests;
  ClusterStore snapshot;
  snapshot.replace(Resource::kNode, {node_entry("snap", "p")});
  LayeredView alone(manifests, nullptr);
  EXPECT_TRUE(alone.nodes()->empty());
  LayeredView layered(manifests, &snapshot);
  EXPECT_EQ(layered.nodes(), snapshot.nodes());  // shared, not copied
  manifests.replace(Resource::kNode, {node_entry("from-manifest", "p")});
  const NodeList both = layered.nodes();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0]->name, "snap");
  EXPECT_EQ((*both)[1]->name, "from-manifest");
}

}  // namespace
}  // namespace preflight::cluster
