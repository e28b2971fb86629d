// Model cards: parsing (model_card.h), what ClusterStore keeps of a ConfigMap and answers
// through model_card(), and LayeredView (manifests first, then the fallback).
#include "cluster/model_card.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cluster/cluster_store.h"
#include "cluster/layered_view.h"

namespace preflight::cluster {
namespace {

using nlohmann::json;

TEST(ModelCardTest, ParseText) {
  struct Case {
    std::string title, text;
    std::optional<ModelCard> want;
  };
  const std::vector<Case> cases = {
      {"all four", R"({"model_version":"2.3.1","tokenizer_sha":"ad4c1b9","cuda":"12.1","torch":"2.3.0"})",
       ModelCard{"2.3.1", "ad4c1b9", "12.1", "2.3.0"}},
      {"one field, others ignored", R"( {"tokenizer_sha": " ad4c1b9 ", "model": "llama"} )",
       ModelCard{"", "ad4c1b9", "", ""}},
      {"non-string fields ignored", R"({"model_version": 2.3, "cuda": "12.1"})",
       ModelCard{"", "", "12.1", ""}},
      {"over-long field dropped, not cut",
       R"({"model_version":")" + std::string(129, '1') + R"(","cuda":"12.1"})",
       ModelCard{"", "", "12.1", ""}},
      {"look-alike: none of the fields", R"({"model": "llama", "version": "2"})", std::nullopt},
      {"look-alike: only non-string fields", R"({"model_version": 2})", std::nullopt},
      {"not JSON", "model_version: 2.3.1", std::nullopt},
      {"broken JSON", R"({"model_version": "2.3.1")", std::nullopt},
      {"a JSON list", R"([{"model_version":"2.3.1"}])", std::nullopt},
      {"empty", "", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(parse_model_card_text(c.text), c.want) << c.title;
  std::string huge = R"({"cuda":"12.1","pad":")" + std::string(kMaxModelCardText, 'x') + "\"}";
  EXPECT_FALSE(parse_model_card_text(huge)) << "over the size limit: not parsed at all";
}

json configmap(std::string name, json data) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "prod"}}},
          {"data", std::move(data)}};
}

TEST(ModelCardTest, StoreKeepsOnlyCardFields) {
  auto e = entry_from_object(
      Resource::kConfigMap,
      configmap("card", {{"modelcard.json", R"({"tokenizer_sha":"ad4c1b9","secret":"SENTINEL"})"},
                         {"other.json", R"({"x":1})"},
                         {"plain", "hello"}}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->keys, (std::vector<std::string>{"modelcard.json", "other.json", "plain"}));
  ASSERT_EQ(e->model_cards.size(), 1u);
  EXPECT_EQ(e->model_cards.at("modelcard.json"), (ModelCard{"", "ad4c1b9", "", ""}));

  auto secret = entry_from_object(
      Resource::kSecret, {{"kind", "Secret"},
                          {"metadata", {{"name", "s"}, {"namespace", "prod"}}},
                          {"data", {{"modelcard.json", R"({"tokenizer_sha":"ad4c1b9"})"}}}});
  ASSERT_TRUE(secret.ok());
  EXPECT_TRUE(secret->model_cards.empty()) << "Secrets never keep a value";
}

TEST(ModelCardTest, StoreLookup) {
  ClusterStore store;
  ModelCard card;
  EXPECT_EQ(store.model_card("prod", "card", "modelcard.json", &card), Lookup::kUnknown)
      << "not synced";
  std::vector<ObjectEntry> entries;
  entries.push_back(*entry_from_object(
      Resource::kConfigMap,
      configmap("card", {{"modelcard.json", R"({"model_version":"2.3.1"})"},
                         {"custom.json", R"({"cuda":"12.4"})"},
                         {"notes", "not a card"}})));
  store.replace(Resource::kConfigMap, std::move(entries));
  EXPECT_EQ(store.model_card("prod", "card", "modelcard.json", &card), Lookup::kFound);
  EXPECT_EQ(card.model_version, "2.3.1");
  EXPECT_EQ(store.model_card("prod", "card", "custom.json", &card), Lookup::kFound);
  EXPECT_EQ(card.cuda, "12.4");
  EXPECT_EQ(store.model_card("prod", "card", "notes", &card), Lookup::kNotFound);
  EXPECT_EQ(store.model_card("prod", "card", "missing", &card), Lookup::kNotFound);
  EXPECT_EQ(store.model_card("dev", "card", "modelcard.json", &card), Lookup::kNotFound);

  // A watch update replaces the card (the cache is always fresh).
  store.upsert(Resource::kConfigMap,
               *entry_from_object(Resource::kConfigMap,
                                  configmap("card", {{"modelcard.json", R"({"model_version":"2.4.0"})"}})));
  EXPECT_EQ(store.model_card("prod", "card", "modelcard.json", &card), Lookup::kFound);
  EXPECT_EQ(card.model_version, "2.4.0");
  store.erase(Resource::kConfigMap, "prod", "card");
  EXPECT_EQ(store.model_card("prod", "card", "modelcard.json", &card), Lookup::kNotFound);
}

TEST(ModelCardTest, LayeredViewPrefersTheManifests) {
  ClusterStore manifests, snapshot;
  std::vector<ObjectEntry> own, theirs;
  own.push_back(*entry_from_object(Resource::kConfigMap,
                                   configmap("card", {{"modelcard.json", R"({"cuda":"12.1"})"}})));
  own.push_back(*entry_from_object(Resource::kConfigMap, configmap("empty", {{"notes", "x"}})));
  theirs.push_back(*entry_from_object(Resource::kConfigMap,
                                      configmap("card", {{"modelcard.json", R"({"cuda":"11.8"})"}})));
  theirs.push_back(*entry_from_object(Resource::kConfigMap,
                                      configmap("empty", {{"modelcard.json", R"({"cuda":"11.8"})"}})));
  theirs.push_back(*entry_from_object(Resource::kConfigMap,
                                      configmap("live", {{"modelcard.json", R"({"cuda":"12.4"})"}})));
  manifests.replace(Resource::kConfigMap, std::move(own));
  snapshot.replace(Resource::kConfigMap, std::move(theirs));

  ModelCard card;
  LayeredView layered(manifests, &snapshot);
  EXPECT_EQ(layered.model_card("prod", "card", "modelcard.json", &card), Lookup::kFound);
  EXPECT_EQ(card.cuda, "12.1") << "the manifests' ConfigMap wins";
  EXPECT_EQ(layered.model_card("prod", "empty", "modelcard.json", &card), Lookup::kNotFound)
      << "the manifests' ConfigMap is the one applied, even without a card";
  EXPECT_EQ(layered.model_card("prod", "live", "modelcard.json", &card), Lookup::kFound);
  EXPECT_EQ(card.cuda, "12.4");

  LayeredView alone(manifests, nullptr);
  EXPECT_EQ(alone.model_card("prod", "live", "modelcard.json", &card), Lookup::kUnknown);
}

}  // namespace
}  // namespace preflight::cluster
