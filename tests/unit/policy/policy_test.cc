#include "policy/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checks/check.h"

namespace preflight::policy {
namespace {

using Labels = StringMap;  // a workload's labels
using Op = LabelSelector::Requirement::Op;

TEST(PolicyDefaults, MatchTheContract) {
  Policy p = default_policy();
  for (std::string_view id : checks::known_check_ids()) {
    Enforcement want = id == "cuda-compat" ? Enforcement::kWarn : Enforcement::kDeny;
    EXPECT_EQ(p.enforcement_for(id), want) << id;
    ASSERT_TRUE(p.enforcement.count(id)) << id;
  }
  EXPECT_EQ(p.overridable, (std::set<std::string, std::less<>>{
                               "cuda-compat", "env-name", "template-placeholder", "version-skew"}));
  EXPECT_TRUE(p.exempt_namespaces.empty());
  EXPECT_TRUE(p.exempt_selectors.empty());
  EXPECT_EQ(p.ignore_versions, VersionTolerance::kNone);
  EXPECT_EQ(p.secret_timeout, std::chrono::seconds(2));
  EXPECT_EQ(p.cluster_unavailable, UnavailableMode::kWarn);
  EXPECT_EQ(p.audit_interval, std::chrono::minutes(10));
  EXPECT_EQ(p.metrics_max_namespaces, 200u);
  EXPECT_TRUE(p.prompt_vars.empty());
  EXPECT_TRUE(p.required_env.empty());
}

TEST(PolicyEnforcement, ListedWinsUnlistedFallsBackToDefaults) {
  Policy p;  // not default_policy(): an empty map
  EXPECT_EQ(p.enforcement_for("secret-ref"), Enforcement::kDeny);
  EXPECT_EQ(p.enforcement_for("cuda-compat"), Enforcement::kWarn);
  EXPECT_EQ(p.enforcement_for("some-future-check"), Enforcement::kDeny);
  p.enforcement["secret-ref"] = Enforcement::kDryRun;
  p.enforcement["cuda-compat"] = Enforcement::kOff;
  EXPECT_EQ(p.enforcement_for("secret-ref"), Enforcement::kDryRun);
  EXPECT_EQ(p.enforcement_for("cuda-compat"), Enforcement::kOff);
  EXPECT_EQ(p.enforcement_for("configmap-ref"), Enforcement::kDeny);
}

TEST(PolicyStrings, Spellings) {
  EXPECT_EQ(to_string(VersionTolerance::kNone), "none");
  EXPECT_EQ(to_string(VersionTolerance::kPatch), "patch");
  EXPECT_EQ(to_string(VersionTolerance::kMinor), "minor");
  EXPECT_EQ(to_string(UnavailableMode::kAllow), "allow");
  EXPECT_EQ(to_string(UnavailableMode::kWarn), "warn");
  EXPECT_EQ(to_string(UnavailableMode::kDeny), "deny");
}

LabelSelector::Requirement req(std::string key, Op op, std::vector<std::string> values = {}) {
  return {std::move(key), op, std::move(values)};
}

struct SelectorCase {
  std::string name;
  LabelSelector selector;
  Labels labels;
  bool matches;
};

TEST(LabelSelectorMatches, KubernetesSemantics) {
  const std::vector<SelectorCase> cases = {
      {"empty matches all", {}, {{"a", "b"}}, true},
      {"empty matches none labels", {}, {}, true},
      {"matchLabels equal", {{{"app", "legacy"}}, {}}, {{"app", "legacy"}, {"x", "y"}}, true},
      {"matchLabels other value", {{{"app", "legacy"}}, {}}, {{"app", "legacy2"}}, false},
      {"matchLabels absent", {{{"app", "legacy"}}, {}}, {{"tier", "legacy"}}, false},
      {"matchLabels all required", {{{"app", "a"}, {"tier", "t"}}, {}}, {{"app", "a"}}, false},
      {"In listed", {{}, {req("tier", Op::kIn, {"batch", "web"})}}, {{"tier", "web"}}, true},
      {"In not listed", {{}, {req("tier", Op::kIn, {"batch"})}}, {{"tier", "web"}}, false},
      {"In absent key", {{}, {req("tier", Op::kIn, {"batch"})}}, {}, false},
      {"NotIn listed", {{}, {req("tier", Op::kNotIn, {"batch"})}}, {{"tier", "batch"}}, false},
      {"NotIn other", {{}, {req("tier", Op::kNotIn, {"batch"})}}, {{"tier", "web"}}, true},
      {"NotIn absent key matches", {{}, {req("tier", Op::kNotIn, {"batch"})}}, {}, true},
      {"Exists present", {{}, {req("canary", Op::kExists)}}, {{"canary", ""}}, true},
      {"Exists absent", {{}, {req("canary", Op::kExists)}}, {{"canaryx", "1"}}, false},
      {"DoesNotExist absent", {{}, {req("canary", Op::kDoesNotExist)}}, {{"a", "b"}}, true},
      {"DoesNotExist present", {{}, {req("canary", Op::kDoesNotExist)}}, {{"canary", "1"}}, false},
      {"labels AND expressions, both hold",
       {{{"app", "a"}}, {req("tier", Op::kIn, {"batch"})}},
       {{"app", "a"}, {"tier", "batch"}},
       true},
      {"labels AND expressions, expression fails",
       {{{"app", "a"}}, {req("tier", Op::kIn, {"batch"})}},
       {{"app", "a"}, {"tier", "web"}},
       false},
      {"all expressions must hold",
       {{}, {req("a", Op::kExists), req("b", Op::kExists)}},
       {{"a", "1"}},
       false},
      {"value compare is exact (case)", {{{"app", "Legacy"}}, {}}, {{"app", "legacy"}}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.selector.matches(c.labels), c.matches) << c.name;
  }
}

TEST(PolicyExempt, NamespaceOrAnySelector) {
  Policy p = default_policy();
  EXPECT_FALSE(p.is_exempt("kube-system", {}));  // no exemptions by default
  p.exempt_namespaces = {"monitoring"};
  LabelSelector legacy;
  legacy.match_labels = {{"app", "legacy"}};
  LabelSelector batch;
  batch.match_expressions = {req("tier", Op::kIn, {"batch"})};
  p.exempt_selectors = {legacy, batch};
  EXPECT_TRUE(p.is_exempt("monitoring", {}));
  EXPECT_FALSE(p.is_exempt("monitoring2", {}));
  EXPECT_FALSE(p.is_exempt("prod", {{"app", "api"}}));
  EXPECT_TRUE(p.is_exempt("prod", {{"app", "legacy"}}));
  EXPECT_TRUE(p.is_exempt("prod", {{"tier", "batch"}}));
  EXPECT_FALSE(p.is_exempt("prod", {{"tier", "web"}}));
}

}  // namespace
}  // namespace preflight::policy
