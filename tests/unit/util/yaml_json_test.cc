#include "util/yaml_json.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace preflight {
namespace {

using nlohmann::json;

json one(const std::string& yaml) {
  auto docs = parse_yaml_documents(yaml, "m.yaml");
  EXPECT_TRUE(docs.ok()) << yaml << " -> " << (docs.ok() ? "" : docs.error());
  if (!docs.ok() || docs->size() != 1) {
    ADD_FAILURE() << yaml << ": expected one document";
    return json();
  }
  return docs->front().value;
}

struct ScalarCase {
  std::string text;  // the value in `v: TEXT`
  json want;
};

TEST(YamlJsonScalars, TypedAsKubernetesDoes) {
  const std::vector<ScalarCase> cases = {
      // null
      {"", nullptr},
      {"~", nullptr},
      {"null", nullptr},
      {"Null", nullptr},
      {"NULL", nullptr},
      {"nUll", "nUll"},
      {"'null'", "null"},
      {"!!str ~", "~"},
      {"!!null ''", nullptr},
      // YAML 1.1 booleans (go-yaml v2)
      {"true", true},
      {"True", true},
      {"TRUE", true},
      {"yes", true},
      {"Yes", true},
      {"YES", true},
      {"on", true},
      {"On", true},
      {"ON", true},
      {"y", true},
      {"Y", true},
      {"false", false},
      {"False", false},
      {"no", false},
      {"NO", false},
      {"off", false},
      {"Off", false},
      {"n", false},
      {"N", false},
      {"tRUE", "tRUE"},
      {"yES", "yES"},
      {"\"yes\"", "yes"},
      {"'on'", "on"},
      {"!!str true", "true"},
      // integers
      {"0", json(std::int64_t{0})},
      {"-0", json(std::int64_t{0})},
      {"42", json(std::int64_t{42})},
      {"+12", json(std::int64_t{12})},
      {"-17", json(std::int64_t{-17})},
      {"1_000", json(std::int64_t{1000})},
      {"1__0", json(std::int64_t{10})},
      {"0x1F", json(std::int64_t{31})},
      {"0X1f", json(std::int64_t{31})},
      {"-0x10", json(std::int64_t{-16})},
      {"0o17", json(std::int64_t{15})},
      {"017", json(std::int64_t{15})},
      {"0b101", json(std::int64_t{5})},
      {"-0b101", json(std::int64_t{-5})},
      {"9223372036854775807", json(std::int64_t{9223372036854775807})},
      {"-9223372036854775808", json(std::numeric_limits<std::int64_t>::min())},
      {"9223372036854775808", json(std::uint64_t{9223372036854775808ULL})},
      {"18446744073709551615", json(std::uint64_t{18446744073709551615ULL})},
      {"+9223372036854775808", json(9223372036854775808.0)},
      {"-9223372036854775809", json(-9223372036854775809.0)},
      {"18446744073709551616", json(18446744073709551616.0)},
      {"0xFFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFF"},
      {"08", json(8.0)},  // not octal, but a YAML float
      {"0x", "0x"},
      {"0xG", "0xG"},
      {"_1", "_1"},
      {"12abc", "12abc"},
      {"1:2", "1:2"},
      {"'12'", "12"},
      {"\"12\"", "12"},
      {"!!str 12", "12"},
      {"! 12", "12"},
      {"!foo 12", "12"},
      {"!!int \"7\"", json(std::int64_t{7})},
      {"!!int 0x10", json(std::int64_t{16})},
      // floats
      {"1.5", json(1.5)},
      {".5", json(0.5)},
      {"+.5", json(0.5)},
      {"1.", json(1.0)},
      {"1e3", json(1000.0)},
      {"-2.5E-3", json(-0.0025)},
      {"1_000.5", json(1000.5)},
      {"!!float 3", json(3.0)},
      {"!!float 2.5", json(2.5)},
      {".inf", ".inf"},
      {"-.Inf", "-.Inf"},
      {"+.INF", "+.INF"},
      {".nan", ".nan"},
      {".NaN", ".NaN"},
      {"!!float .inf", ".inf"},
      {"1e400", "1e400"},
      {"1e", "1e"},
      {"1.2.3", "1.2.3"},
      {".", "."},
      {"..5", "..5"},
      // everything else is a string, as written
      {"2001-12-14", "2001-12-14"},
      {"!!timestamp 2001-12-14", "2001-12-14"},
      {"!!binary aGVsbG8=", "aGVsbG8="},
      {"hello world", "hello world"},
      {"<<", "<<"},
      {"12.4-cuda", "12.4-cuda"},
      {"v1.2.3", "v1.2.3"},
      {"1.2.3-rc1", "1.2.3-rc1"},
  };
  for (const auto& c : cases) {
    json doc = one("v: " + c.text + "\n");
    ASSERT_TRUE(doc.is_object() && doc.contains("v")) << c.text;
    const json& got = doc["v"];
    EXPECT_EQ(got.type(), c.want.type()) << c.text << " -> " << got.dump();
    EXPECT_EQ(got, c.want) << c.text << " -> " << got.dump();
  }
}

TEST(YamlJsonKeys, BecomeStrings) {
  json doc = one("yes: 1\n1: a\n0x10: b\n1.50: c\n\"007\": d\noff: e\nplain: f\nplain: g\n");
  EXPECT_EQ(doc, json::parse(R"({"true":1,"1":"a","16":"b","1.50":"c","007":"d","false":"e",
                                 "plain":"g"})"));
}

TEST(YamlJsonMerge, KeysAndListsOfMappings) {
  json doc = one(R"(base: &base {a: 1, b: 2}
other: &other {b: 3, c: 4}
one:
  <<: *base
  b: 9
list:
  d: 5
  <<: [*other, *base]
quoted:
  "<<": x
tagged:
  !!merge <<: *base
nested:
  <<: {<<: *base, e: 6}
)");
  EXPECT_EQ(doc["one"], json::parse(R"({"a":1,"b":9})"));
  EXPECT_EQ(doc["list"], json::parse(R"({"a":1,"b":3,"c":4,"d":5})"));
  EXPECT_EQ(doc["quoted"], json::parse(R"({"<<":"x"})"));
  EXPECT_EQ(doc["tagged"], json::parse(R"({"a":1,"b":2})"));
  EXPECT_EQ(doc["nested"], json::parse(R"({"a":1,"b":2,"e":6})"));
}

TEST(YamlJsonDocuments, LinesAndSkippedEmptyDocuments) {
  const std::string yaml =
      "# comment\n"    // 1
      "---\n"          // 2
      "a: 1\n"         // 3
      "---\n"          // 4
      "---\n"          // 5
      "# empty\n"      // 6
      "...\n"          // 7
      "---\n"          // 8
      "- x\n"          // 9
      "---\n"          // 10
      "null\n"         // 11
      "---\n"          // 12
      "\n"             // 13
      "kind: List\n";  // 14
  auto docs = parse_yaml_documents(yaml, "m.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0].line, 3);
  EXPECT_EQ((*docs)[0].value, json::parse(R"({"a":1})"));
  EXPECT_EQ((*docs)[1].line, 9);
  EXPECT_EQ((*docs)[1].value, json::parse(R"(["x"])"));
  EXPECT_EQ((*docs)[2].line, 14);
  for (const std::string empty : {"", "\n\n", "# only\n", "---\n", "---\n...\n", "~\n"}) {
    auto none = parse_yaml_documents(empty, "m.yaml");
    ASSERT_TRUE(none.ok()) << none.error();
    EXPECT_TRUE(none->empty()) << empty;
  }
}

TEST(YamlJsonDocuments, JsonInput) {
  // Surrogate pair escapes (Python's json.dumps) go through the JSON parser.
  auto docs = parse_yaml_documents(
      "\n\n  {\"a\": \"\\ud83d\\ude00\", \"n\": 1.0, \"s\": \"yes\"}\n", "m.json");
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ(docs->front().line, 3);
  EXPECT_EQ(docs->front().value["a"], "\xF0\x9F\x98\x80");
  EXPECT_TRUE(docs->front().value["n"].is_number_float());
  EXPECT_EQ(docs->front().value["s"], "yes");
  // A stream of JSON objects is not one JSON value: read as YAML documents.
  auto stream = parse_yaml_documents("{\"a\": 1}\n{\"b\": 2}\n", "m.json");
  ASSERT_TRUE(stream.ok()) << stream.error();
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ((*stream)[1].value, json::parse(R"({"b":2})"));
  EXPECT_EQ((*stream)[1].line, 2);
  // YAML flow mappings that are not JSON.
  EXPECT_EQ(one("{a: yes, b: [1, x]}"), json::parse(R"({"a":true,"b":[1,"x"]})"));
  auto empty_array = parse_yaml_documents("[]", "m.json");  // empty, but not a null document
  ASSERT_TRUE(empty_array.ok());
  ASSERT_EQ(empty_array->size(), 1u);
  EXPECT_EQ(empty_array->front().value, json::array());
}

std::string nested(int depth, const std::string& open, const std::string& close) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

TEST(YamlJsonLimits, NestingDepth) {
  EXPECT_TRUE(parse_yaml_documents(nested(200, "[", "]"), "m.yaml").ok());
  EXPECT_TRUE(parse_yaml_documents("a: " + nested(199, "[", "]"), "m.yaml").ok());
  auto deep = parse_yaml_documents(nested(201, "[", "]"), "m.yaml");  // JSON path
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error(), "m.yaml:1:201: nesting deeper than 200");
  auto deep_yaml = parse_yaml_documents("a: " + nested(200, "[", "]"), "m.yaml");
  ASSERT_FALSE(deep_yaml.ok());
  EXPECT_EQ(deep_yaml.error(), "m.yaml:1:203: nesting deeper than 200");
  std::string objects;  // {"a":{"a":...1...}} with 201 objects, on line 2
  for (int i = 0; i < 201; ++i) objects += "{\"a\":";
  objects += "1" + std::string(201, '}');
  auto deep_json = parse_yaml_documents("\n" + objects, "m.json");
  ASSERT_FALSE(deep_json.ok());
  EXPECT_EQ(deep_json.error(), "m.json:2:1001: nesting deeper than 200");
  // Far past yaml-cpp's own recursion guard: still an error, never a crash.
  auto very = parse_yaml_documents("a: " + nested(100000, "[", "]"), "m.yaml");
  ASSERT_FALSE(very.ok());
  EXPECT_TRUE(very.error().starts_with("m.yaml:1:")) << very.error();
  EXPECT_TRUE(very.error().ends_with(": nesting deeper than 200")) << very.error();
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(i, ' ') + "a:\n";
  auto deep_block = parse_yaml_documents(block, "m.yaml");
  ASSERT_FALSE(deep_block.ok());
  EXPECT_EQ(deep_block.error(), "m.yaml:201:201: nesting deeper than 200");
}

TEST(YamlJsonLimits, CyclicAliasAndAliasBomb) {
  auto cyclic = parse_yaml_documents("a: &x [1, *x]\n", "m.yaml");
  ASSERT_FALSE(cyclic.ok());
  EXPECT_EQ(cyclic.error(), "m.yaml:1:4: nesting deeper than 200");
  auto self_merge = parse_yaml_documents("a: &x {b: 1, <<: *x}\n", "m.yaml");
  ASSERT_FALSE(self_merge.ok());
  EXPECT_EQ(self_merge.error(), "m.yaml:1:4: nesting deeper than 200");

  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", " : "") + prev;
    bomb += "]\n";
  }
  auto exploded = parse_yaml_documents(bomb, "m.yaml");
  ASSERT_FALSE(exploded.ok());
  EXPECT_TRUE(exploded.error().starts_with("m.yaml:")) << exploded.error();
  EXPECT_TRUE(exploded.error().ends_with(": aliases expand to too many values"))
      << exploded.error();
  // Modest alias use is fine.
  EXPECT_EQ(one("a: &a [1, 2]\nb: [*a, *a, *a]\n")["b"], json::parse("[[1,2],[1,2],[1,2]]"));
}

struct ErrorCase {
  std::string yaml;
  std::string error;
};

TEST(YamlJsonErrors, SourceLineColumn) {
  const std::vector<ErrorCase> cases = {
      {"a: [1\nb: 2\n", "m.yaml:2:2: end of sequence flow not found"},
      {"a: 1\n a: 2\n", "m.yaml:2:3: illegal map value"},
      {"a: *nope\n", "m.yaml:1:4: the referenced anchor is not defined"},
      {"\t- a\n", "m.yaml:1:2: illegal block entry"},
      {"v: !!int abc\n", "m.yaml:1:4: cannot read \"abc\" as !!int"},
      {"v: !!int 1.5\n", "m.yaml:1:4: cannot read \"1.5\" as !!int"},
      {"v: !!float abc\n", "m.yaml:1:4: cannot read \"abc\" as !!float"},
      {"v: !!bool 1\n", "m.yaml:1:4: cannot read \"1\" as !!bool"},
      {"v: !!null x\n", "m.yaml:1:4: cannot read \"x\" as !!null"},
      {"a: 1\n---\nb:\n  c: !!int " + std::string(50, 'x') + "\n",
       "m.yaml:4:6: cannot read \"" + std::string(40, 'x') + "...\" as !!int"},
      {"? [a]\n: b\n", "m.yaml:1:3: mapping key must be a scalar"},
      {"x:\n  ~: b\n", "m.yaml:2:3: mapping key is null"},
      {"a: &x 1\nb:\n  <<: *x\n",
       "m.yaml:1:4: merge key (<<) needs a mapping or a list of mappings"},
      {"a: &x {k: 1}\nb:\n  <<: [*x, 2]\n",
       "m.yaml:3:12: merge key (<<) list items must be mappings"},
  };
  for (const auto& c : cases) {
    auto docs = parse_yaml_documents(c.yaml, "m.yaml");
    ASSERT_FALSE(docs.ok()) << c.yaml;
    EXPECT_EQ(docs.error(), c.error) << c.yaml;
  }
}

TEST(YamlJsonNode, ConvertsAndDiscards) {
  YAML::Node node = YAML::Load("a: [1, yes, '2']\n");
  EXPECT_EQ(yaml_to_json(node), json::parse(R"({"a":[1,true,"2"]})"));
  EXPECT_TRUE(yaml_to_json(YAML::Load("a: &x [*x]")).is_discarded());
  auto small = yaml_to_json_checked(YAML::Load("[1, 2, 3]"), "n.yaml", 3);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error(), "n.yaml:1:8: aliases expand to too many values");
  EXPECT_TRUE(yaml_to_json_checked(YAML::Load("[1, 2, 3]"), "n.yaml", 4).ok());
}

}  // namespace
}  // namespace preflight

namespace preflight {
namespace {

TEST(YamlJsonListLines, ListItemsKeepTheirLines) {
  auto docs = parse_yaml_documents("apiVersion: v1\nkind: List\nitems:\n- kind: A\n  x: 1\n- kind: B\n", "l.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].item_lines, (std::vector<int>{4, 6}));
  auto plain = parse_yaml_documents("kind: A\n", "a.yaml");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE((*plain)[0].item_lines.empty());
}

}  // namespace
}  // namespace preflight
