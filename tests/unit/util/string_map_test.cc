#include "util/string_map.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace preflight {
namespace {

std::vector<std::pair<std::string, std::string>> entries(const StringMap& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : m) out.emplace_back(k, v);
  return out;
}

TEST(StringMap, IteratesInKeyOrderAndFindsByView) {
  StringMap m;
  EXPECT_TRUE(m.empty());
  EXPECT_TRUE(m.emplace("team", "ml").second);
  const std::string llm = "llm";
  const std::string a = "a";
  EXPECT_TRUE(m.emplace(std::string_view("app.kubernetes.io/name"), llm).second);
  EXPECT_TRUE(m.emplace(a, std::string_view("1")).second);
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
  for (const auto& [k, v] : m) keys.append(k).append("=").append(v).append(";");
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
  EXPECT_EQ(m.erase(std::string("a")), 1u);  // a temporary is fine for a lookup
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
  std::deque<std::string> texts;  // the map holds views: its text lives here
  for (int round = 0; round < 200; ++round) {
    StringMap flat;
    std::map<std::string, std::string, std::less<>> tree;
    const int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      std::string& key = texts.emplace_back(1 + rng() % 3, 'a');
      for (char& c : key) c = static_cast<char>('a' + rng() % 3);
      const std::string& value = texts.emplace_back(std::to_string(i));
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

// append + sort_appended gives what emplace in the same order gives: key order, the first
// value of a key (sorted input and unsorted input, with and without duplicates).
TEST(StringMap, SortAppendedMatchesEmplace) {
  std::mt19937 rng(11);
  std::deque<std::string> texts;
  for (int round = 0; round < 300; ++round) {
    StringMap appended;
    StringMap emplaced;
    const int n = static_cast<int>(rng() % 40);
    const bool sorted_input = round % 3 == 0;
    for (int i = 0; i < n; ++i) {
      std::string& key = texts.emplace_back(1 + rng() % 2, 'a');
      for (char& c : key) c = static_cast<char>('a' + rng() % 4);
      if (sorted_input) key = std::string(1, static_cast<char>('A' + i));
      const std::string& value = texts.emplace_back(std::to_string(i));
      appended.append(key, value);
      emplaced.emplace(key, value);
    }
    appended.sort_appended();
    EXPECT_EQ(entries(appended), entries(emplaced));
  }
}

}  // namespace
}  // namespace preflight
