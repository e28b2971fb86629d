// util/yaml_block.h must give exactly what yaml-cpp gives (parse_yaml_documents_with_yaml_cpp)
// whenever it answers; texts outside its subset must be left to yaml-cpp. Differential: every
// case runs through both. tests/fuzz/yaml_block_fuzz.cc does the same on generated texts.

#include "util/yaml_block.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/yaml_json.h"

namespace preflight {
namespace {

namespace fs = std::filesystem;

// The first difference between two mark trees ("" if none). Null nodes' marks are not compared.
std::string marks_differ(const YamlMarks& f, const YamlMarks& s, const std::string& at) {
  if (f.kind != s.kind) return at + ": kind";
  if (f.kind == YamlMarks::Kind::kNull) return "";
  if (f.line != s.line || f.column != s.column || f.pos != s.pos) {
    return at + ": mark " + std::to_string(f.line) + ":" + std::to_string(f.column) + " vs " +
           std::to_string(s.line) + ":" + std::to_string(s.column);
  }
  if (f.scalar != s.scalar) return at + ": scalar '" + f.scalar + "' vs '" + s.scalar + "'";
  if (f.items.size() != s.items.size() || f.keys.size() != s.keys.size()) {
    return at + ": size";
  }
  for (std::size_t i = 0; i < f.items.size(); ++i) {
    if (auto d = marks_differ(f.items[i], s.items[i], at + "[" + std::to_string(i) + "]"); !d.empty()) return d;
  }
  for (std::size_t i = 0; i < f.keys.size(); ++i) {
    const std::string k = at + "." + s.keys[i].scalar;
    if (auto d = marks_differ(f.keys[i], s.keys[i], k + "(key)"); !d.empty()) return d;
    if (auto d = marks_differ(f.values[i], s.values[i], k); !d.empty()) return d;
  }
  return "";
}

// Both loaders agree on `text` (values, lines, and the marks the locator uses); returns
// whether the fast path answered.
bool same_as_yaml_cpp(const std::string& text) {
  auto fast = parse_block_yaml(text);
  auto fast_marks = parse_block_yaml_marks(text);
  EXPECT_EQ(fast.has_value(), fast_marks.has_value()) << text;
  if (!fast) return false;
  auto slow_marks = yaml_cpp_marks(text);
  EXPECT_TRUE(slow_marks.has_value()) << text;
  if (fast_marks && slow_marks) {
    EXPECT_EQ(fast_marks->size(), slow_marks->size()) << text;
    for (std::size_t i = 0; i < std::min(fast_marks->size(), slow_marks->size()); ++i) {
      EXPECT_EQ(marks_differ((*fast_marks)[i], (*slow_marks)[i], "doc"), "") << text;
    }
  }
  auto slow = parse_yaml_documents_with_yaml_cpp(text, "m.yaml");
  EXPECT_TRUE(slow.ok()) << "fast path accepted what yaml-cpp rejects:\n"
                         << text << "\n-> " << (slow.ok() ? "" : slow.error());
  if (!slow.ok()) return true;
  EXPECT_EQ(fast->size(), slow->size()) << text;
  for (std::size_t i = 0; i < std::min(fast->size(), slow->size()); ++i) {
    const YamlDocument& f = (*fast)[i];
    const YamlDocument& s = (*slow)[i];
    EXPECT_EQ(f.value, s.value) << text << "\nfast: " << f.value.dump() << "\nslow: " << s.value.dump();
    EXPECT_EQ(f.line, s.line) << text;
    EXPECT_EQ(f.item_lines, s.item_lines) << text;
  }
  return true;
}

TEST(YamlBlock, HandlesManifestStyleYaml) {
  const std::vector<std::string> handled = {
      "",
      "# only a comment\n",
      "a: 1\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    app: y\ndata:\n  k: v\n",
      "a:\n  - 1\n  - two\n  - 3.5\n",
      "a:\n- x\n- y\nb: 2\n",
      "items:\n- kind: A\n  apiVersion: v1\n-\n  kind: B\n  apiVersion: v1\nkind: List\napiVersion: v1\n",
      "---\na: 1\n---\nb: 2\n",
      "---\n---\na: 1\n--- # c\nb: [1, 2]\n",
      "\n\n  # indented comment\na: 1 # trailing\nb: 'it''s'\nc: \"q\\\"\\\\\\n\\t\"\n",
      "a: {cpu: 500m, memory: 1Gi}\nb: [\"--port\", \"8080\", x]\nc: []\nd: {}\n",
      "a: [[1, 2], {x: [y]}, 'z', -1]\n",
      "a: |\n  line 1\n\n  line 2\n    more\n\n\nb: 1\n",
      "a: |-\n  x\n  y\n\nb: 1\n",
      "a: |+\n  x\n\n\nb: 1\n",
      "f: |\n\n  - \n",  // found by the fuzz target: leading empty lines are content
      "a: |\n  # not a comment\n  {\"timeout\": 30}\n",
      "- a\n",
      "a:\n  - - x\n    - y\n  - k: v\n    l: w\n",
      "a: yes\nb: off\nc: ~\nd: 0x1F\ne: 0o17\nf: 1_000\ng: .inf\nh: 2024-01-01\ni: 1e3\nj: -.5\n",
      "1: a\ntrue: b\n0x10: c\n1.50: d\n\"q\": e\n'r': f\n",
      "a: x#y\nb: x #y\nc: http://h:80/p\nd: a, b\ne: -x\nf: \"\"\ng: ''\n",
      "a:\nb:\n  c:\n",
      "a: 1\na: 2\n",
      "  a: 1\n  b: 2\n",
      "a: \"x\" # c\nb: [a, b] # c\n",
      "a: -\n",
      "a:\n  b: 1\n c: 2\n",
      "a: b: c\n",
      "a: 1\n  b: 2\n",
      "a: [1, 2\n",
      "a: x\n  y\n",
      "- a\nb: 1\n",
      "a: |\n  x\n   \n  y\n",
      "a: |\nb: 1\n",
      "a: 'x\n",
  };
  int answered = 0;
  for (const std::string& text : handled) answered += same_as_yaml_cpp(text);
  EXPECT_GE(answered, 20);
}

TEST(YamlBlock, LeavesTheRestToYamlCpp) {
  const std::vector<std::string> others = {
      "a: &x 1\nb: *x\n",         "a: !!str 1\n",
      "<<: {a: 1}\n",             "a: >\n  folded\n",
      "a: 1\r\nb: 2\r\n",         "a:\t1\n",
      "a: é\n",                   "%YAML 1.2\n---\na: 1\n",
      "a: 1\n...\n",              "? a\n: b\n",
      "a: \"multi\n  line\"\n",   "a: plain\n  continued\n",
      "a: 1",                     "[1, 2\n",
      "a: \"\\u00e9\"\n",         "- just\n- a list\n",
      "a: |2\n   x\n",            ", a\n",
      "a: [1, 2,]\n",             "a: {b}\n",
      "a: b: c\n",                "key: value\n bad\n",
      "items: [{a: 1}]\nkind: List\n",
      "items:\n- a\nitems:\n- b\n",
  };
  for (const std::string& text : others) {
    EXPECT_FALSE(parse_block_yaml(text).has_value()) << text;
  }
}

// Every YAML file of the repository (fixtures, examples, manifests, docs, charts' values).
TEST(YamlBlock, SameAsYamlCppOnTheRepositoryFiles) {
  const fs::path root = fs::path(PREFLIGHT_TEST_DATA_DIR) / ".." / "..";
  int files = 0, answered = 0;
  for (const char* dir : {"tests", "examples", "manifests", "docs", "data", "charts", "bench"}) {
    if (!fs::exists(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      ++files;
      SCOPED_TRACE(entry.path().string());
      answered += same_as_yaml_cpp(buf.str());
    }
  }
  EXPECT_GT(files, 20);
  EXPECT_GT(answered, files / 2);
}

}  // namespace
}  // namespace preflight
