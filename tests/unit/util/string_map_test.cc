#include "util/string_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace preflight {
namespace {

std::vector<std::pair<std::string, std::string>> entries(const StringMap& m) {
  return {m.begin(), m.end()};
}

TEST(StringMap, IteratesInKeyOrderAndFindsByView) {
  StringMap m;
  EXPECT_TRUE(m.empty());
  EXPECT_TRUE(m.emplace("team", "ml").second);
  EXPECT_TRUE(m.emplace(std::string_view("app.kubernetes.io/name"), std::string("llm")).second);
  EXPECT_TRUE(m.emplace(std::string("a"), std::string_view("1")).second);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(entries(m), (std::vector<std::pair<std::string, std::string>>{
                            {"a", "1"}, {"app.kubernetes.io/name", "llm"}, {"team", "ml"}}));
  const std::string_view key = "team";
  auto it = m.find(key);
  ASSERT_NE(it, m.end());
  EXPECT_EQ(it->second, "ml");
  EXPECT_EQ(m.find("te"), m.end());
  EXPECT_EQ(m.find("zzz"), m.end());
  EXPECT_TRUE(m.contains("a"));
  EXPECT_EQ(m.count("a"), 1u);
  EXPECT_EQ(m.count("b"), 0u);
  EXPECT_EQ(m.at("a"), "1");
  EXPECT_THROW((void)m.at("b"), std::out_of_range);
  std::string keys;
  for (const auto& [k, v] : m) keys += k + "=" + v + ";";
  EXPECT_EQ(keys, "a=1;app.kubernetes.io/name=llm;team=ml;");
}

TEST(StringMap, KeepsTheFirstValueOfAKeyLikeStdMap) {
  StringMap m;
  EXPECT_TRUE(m.emplace("k", "first").second);
  auto [it, inserted] = m.emplace("k", "second");
  EXPECT_FALSE(inserted);
  EXPECT_EQ(it->second, "first");
  const StringMap init = {{"k", "first"}, {"j", "x"}, {"k", "second"}};
  EXPECT_EQ(init.size(), 2u);
  EXPECT_EQ(init.at("k"), "first");
}

TEST(StringMap, SubscriptInsertsEmptyAndAssigns) {
  StringMap m = {{"b", "2"}};
  m["a"] = "1";
  m["b"] = "two";
  EXPECT_EQ(m["c"], "");
  EXPECT_EQ(entries(m),
            (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "two"}, {"c", ""}}));
}

TEST(StringMap, EraseClearAndEquality) {
  StringMap m = {{"a", "1"}, {"b", "2"}};
  StringMap same = {{"b", "2"}, {"a", "1"}};
  EXPECT_EQ(m, same);
  EXPECT_EQ(m.erase(std::string("a")), 1u);
  EXPECT_EQ(m.erase("a"), 0u);
  EXPECT_NE(m, same);
  EXPECT_EQ(entries(m), (std::vector<std::pair<std::string, std::string>>{{"b", "2"}}));
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m, StringMap{});
}

// The same contents and order as a std::map fed the same inserts, in any order.
TEST(StringMap, MatchesStdMapOnRandomInserts) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    StringMap flat;
    std::map<std::string, std::string, std::less<>> tree;
    const int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      std::string key(1 + rng() % 3, 'a');
      for (char& c : key) c = static_cast<char>('a' + rng() % 3);
      const std::string value = std::to_string(i);
      if (rng() % 4 == 0) {
        flat[key] = value;
        tree[key] = value;
      } else {
        EXPECT_EQ(flat.emplace(key, value).second, tree.emplace(key, value).second);
      }
      if (rng() % 8 == 0) EXPECT_EQ(flat.erase(key), tree.erase(key));
    }
    EXPECT_EQ(entries(flat), (std::vector<std::pair<std::string, std::string>>(tree.begin(),
                                                                                 tree.end())));
  }
}

}  // namespace
}  // namespace preflight
