#include "cli/source_locator.h"

#include <gtest/gtest.h>

namespace preflight::cli {
namespace {

constexpr std::string_view kManifest = R"(# a comment
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: app
          env:
            - name: A
              value: "x"
            - name: B
              valueFrom:
                secretKeyRef: {name: s, key: k}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: prompts
data:
  system.txt: |
    You are helpful.
      Talk about {topic} to {{ user }}.
  one.line: "Hi {x}"
  plain: Hi {y}
)";

struct Case {
  std::string name;
  int object_line;
  std::string path;
  std::optional<std::size_t> offset;
  SourcePosition want;
};

TEST(SourceLocator, Table) {
  SourceLocator loc{std::string(kManifest)};
  const std::vector<Case> cases = {
      {"object itself", 3, "", std::nullopt, {3, 0}},
      {"env value", 3, "spec.template.spec.containers[0].env[0].value", std::nullopt, {14, 15}},
      {"env entry", 3, "spec.template.spec.containers[0].env[1]", std::nullopt, {15, 15}},
      {"secretKeyRef",
       3,
       "spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef",
       std::nullopt,
       {17, 17}},
      {"missing field: deepest found",
       3,
       "spec.template.spec.containers[0].envFrom[0]",
       std::nullopt,
       {11, 11}},
      {"index out of range", 3, "spec.template.spec.containers[3].env", std::nullopt, {10, 7}},
      {"dotted data key", 19, "data.system.txt", std::nullopt, {24, 3}},
      {"literal block offset", 19, "data.system.txt", 30, {26, 18}},
      {"literal block second token", 19, "data.system.txt", 41, {26, 29}},
      {"double-quoted offset", 19, "data.one.line", 3, {27, 17}},
      {"plain offset", 19, "data.plain", 3, {28, 13}},
      {"unknown object line", 5, "spec", std::nullopt, {5, 0}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const SourcePosition got = loc.locate(c.object_line, c.path, c.offset);
    EXPECT_EQ(got.line, c.want.line);
    EXPECT_EQ(got.column, c.want.column);
  }
}

TEST(SourceLocator, ListItemsAndJson) {
  SourceLocator list{
      std::string("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n"
                  "    containers:\n    - name: a\n      image: x\n")};
  EXPECT_EQ(list.locate(4, "spec.containers[0].image").line, 9);
  SourceLocator json{std::string("{\n \"kind\": \"Pod\",\n \"spec\": {\"x\": 1}\n}\n")};
  EXPECT_EQ(json.locate(1, "spec.x").line, 3);
}

TEST(SourceLocator, UnparsableTextStaysAtTheObjectLine) {
  SourceLocator bad{std::string("a: [unclosed\n")};
  EXPECT_EQ(bad.locate(7, "spec").line, 7);
  EXPECT_EQ(bad.locate(7, "spec").column, 0);
}

TEST(SourceLocator, PositionOfOffset) {
  EXPECT_EQ(position_of_offset("ab\ncd", 0).line, 1);
  EXPECT_EQ(position_of_offset("ab\ncd", 4).line, 2);
  EXPECT_EQ(position_of_offset("ab\ncd", 4).column, 2);
  EXPECT_EQ(position_of_offset("ab", 99).column, 3);
}

}  // namespace
}  // namespace preflight::cli
