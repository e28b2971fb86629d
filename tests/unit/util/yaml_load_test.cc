// load_all_documents and its callers on the streams that make yaml-cpp 0.7's LoadAll loop
// forever (found by the policy fuzz target: ",\0\x05 Zrs"). Each must end with an error that
// names a position; clean look-alikes with commas must still load.
#include "util/yaml_load.h"

#include <gtest/gtest.h>

#include <string>

#include "policy/policy.h"
#include "util/yaml_json.h"

namespace preflight {
namespace {

const std::string kStalling[] = {
    ",",
    ", a",
    "\n,\n",
    std::string(",\0\x05 Zrs", 7),  // the fuzzer's input
    "a: 1\n---\n,\n",               // after a good document
};

TEST(LoadAllDocumentsTest, StallingStreamsThrowInsteadOfLooping) {
  for (const std::string& text : kStalling) {
    EXPECT_THROW(load_all_documents(text), YAML::ParserException) << text;
  }
}

TEST(LoadAllDocumentsTest, CommasWhereYamlAllowsThem) {
  EXPECT_EQ(load_all_documents("a: [1, 2]\nb: {c: 1, d: 2}\ne: x, y\n").size(), 1u);
  EXPECT_EQ(load_all_documents("- a, b\n---\n- c\n").size(), 2u);
  EXPECT_EQ(load_all_documents("").size(), 0u);
  EXPECT_EQ(load_all_documents("---\n---\n").size(), 2u);
}

TEST(LoadAllDocumentsTest, ManifestParserReportsAPosition) {
  for (const std::string& text : kStalling) {
    auto docs = parse_yaml_documents(text, "m.yaml");
    ASSERT_FALSE(docs.ok()) << text;
    EXPECT_EQ(docs.error().rfind("m.yaml:", 0), 0u) << docs.error();
  }
  EXPECT_TRUE(parse_yaml_documents("a: [1, 2]\n", "m.yaml").ok());
}

TEST(LoadAllDocumentsTest, PolicyLoaderReportsAPosition) {
  for (const std::string& text : kStalling) {
    auto p = policy::parse_policy(text, "policy.yaml");
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.error().rfind("policy.yaml:", 0), 0u) << p.error();
  }
  EXPECT_TRUE(policy::parse_policy("required_env: [A, B]\n", "policy.yaml").ok());
}

}  // namespace
}  // namespace preflight
