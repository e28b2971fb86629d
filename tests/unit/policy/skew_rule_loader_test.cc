// The policy's version_skew section: default rules, custom rules, and the loader's errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/policy.h"

namespace preflight::policy {
namespace {

std::string describe(const SkewRule& r) {
  return r.name + "|" + std::string(to_string(r.declared)) + "|" +
         std::string(to_string(r.effective)) + "|" + std::string(to_string(r.comparator)) + "|" +
         std::string(to_string(r.enforcement));
}

std::vector<std::string> rules_of(const std::string& yaml) {
  auto p = parse_policy(yaml, "p.yaml");
  EXPECT_TRUE(p.ok()) << yaml << "\n-> " << (p.ok() ? "" : p.error());
  std::vector<std::string> out;
  if (p.ok()) {
    for (const SkewRule& r : p->skew_rules) out.push_back(describe(r));
  }
  return out;
}

TEST(SkewRuleLoader, Defaults) {
  const std::vector<std::string> want = {
      "model ↔ image|model-version|image-tag|semver|deny",
      "model card ↔ image|modelcard.model_version|image-tag|semver|deny",
      "checkpoint ↔ tokenizer|tokenizer-sha|tokenizer-revision|sha|deny",
      "checkpoint ↔ tokenizer|modelcard.tokenizer_sha|tokenizer-revision|sha|deny",
      "app version ↔ image|app-version|image-tag|semver|warn",
      "model card ↔ image CUDA|modelcard.cuda|image-cuda|cuda|warn",
  };
  EXPECT_EQ(rules_of(""), want);
  EXPECT_EQ(rules_of("version_skew: {}\n"), want);
  EXPECT_EQ(rules_of("version_skew:\n  default_rules: true\n  rules: []\n"), want);
}

TEST(SkewRuleLoader, CustomRules) {
  EXPECT_EQ(rules_of(R"(version_skew:
  rules:
    - declared: modelcard.torch
      effective: image-tag
    - name: code pin
      declared: tokenizer-sha
      effective: code-revision
      comparator: exact
      enforcement: dryrun
    - declared: modelcard.tokenizer_sha
      effective: model-revision
      enforcement: off
  default_rules: false
)"),
            (std::vector<std::string>{
                "modelcard.torch ↔ image-tag|modelcard.torch|image-tag|semver|deny",
                "code pin|tokenizer-sha|code-revision|exact|dryrun",
            }))
      << "default comparator and name; an 'off' rule is dropped; default_rules after rules";
  auto with_defaults = rules_of(
      "version_skew:\n  rules:\n    - {declared: modelcard.cuda, effective: image-cuda, "
      "enforcement: deny}\n");
  ASSERT_EQ(with_defaults.size(), 7u);
  EXPECT_EQ(with_defaults.back(), "modelcard.cuda ↔ image-cuda|modelcard.cuda|image-cuda|cuda|deny");
}

TEST(SkewRuleLoader, ErrorsCarryFileLineColumn) {
  struct Case {
    std::string yaml, want;
  };
  const std::vector<Case> cases = {
      {"version_skew:\n  rule: []\n",
       "p.yaml:2:3: version_skew: unknown key \"rule\" (did you mean \"rules\"?)"},
      {"version_skew: [a]\n", "p.yaml:1:15: version_skew: expected a mapping, got a list"},
      {"version_skew:\n  default_rules: yes\n",
       "p.yaml:2:18: version_skew.default_rules: \"yes\" is not one of true or false"},
      {"version_skew:\n  rules:\n", "p.yaml:2:3: version_skew.rules: missing value (use [] for none)"},
      {"version_skew:\n  rules: {declared: model-version}\n",
       "p.yaml:2:10: version_skew.rules: expected a list, got a mapping"},
      {"version_skew:\n  rules:\n    - model-version\n",
       "p.yaml:3:7: version_skew.rules[0]: expected a mapping, got the string \"model-version\""},
      {"version_skew:\n  rules:\n    - declared: model_version\n      effective: image-tag\n",
       "p.yaml:3:17: version_skew.rules[0].declared: \"model_version\" is not one of model-version, "
       "app-version, tokenizer-sha, modelcard.model_version, modelcard.tokenizer_sha, "
       "modelcard.cuda or modelcard.torch"},
      {"version_skew:\n  rules:\n    - declared: model-version\n      effective: image\n",
       "p.yaml:4:18: version_skew.rules[0].effective: \"image\" is not one of image-tag, "
       "model-revision, tokenizer-revision, code-revision or image-cuda"},
      {"version_skew:\n  rules:\n    - {declared: model-version, effective: image-tag, "
       "comparator: regex}\n",
       "p.yaml:3:67: version_skew.rules[0].comparator: \"regex\" is not one of semver, sha, cuda or "
       "exact"},
      {"version_skew:\n  rules:\n    - {declared: model-version, effective: image-tag, "
       "enforcement: block}\n",
       "p.yaml:3:68: version_skew.rules[0].enforcement: \"block\" is not one of deny, warn, dryrun "
       "or off"},
      {"version_skew:\n  rules:\n    - {declared: model-version}\n",
       "p.yaml:3:7: version_skew.rules[0]: missing key \"effective\""},
      {"version_skew:\n  rules:\n    - {effective: image-tag}\n",
       "p.yaml:3:7: version_skew.rules[0]: missing key \"declared\""},
      {"version_skew:\n  rules:\n    - {declared: model-version, effective: image-tag, "
       "effective: image-cuda}\n",
       "p.yaml:3:55: version_skew.rules[0]: duplicate key \"effective\" (first on line 3)"},
      {"version_skew:\n  rules:\n    - {declared: model-version, effective: image-tag, "
       "extra: 1}\n",
       "p.yaml:3:55: version_skew.rules[0]: unknown key \"extra\""},
      {"version_skew:\n  rules:\n    - {name: \"\", declared: model-version, effective: image-tag}\n",
       "p.yaml:3:14: version_skew.rules[0].name: must be 1 to 40 characters"},
  };
  for (const Case& c : cases) {
    auto p = parse_policy(c.yaml, "p.yaml");
    ASSERT_FALSE(p.ok()) << c.yaml;
    EXPECT_EQ(p.error(), c.want) << c.yaml;
  }
}

TEST(SkewRuleLoader, DocumentedExampleAddsOneRule) {
  auto p = load_policy_file(PREFLIGHT_TEST_DATA_DIR "/../../examples/policy.yaml");
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p->skew_rules.size(), default_skew_rules().size() + 1);
  EXPECT_EQ(describe(p->skew_rules.back()),
            "model ↔ hub revision|model-version|model-revision|semver|warn");
}

}  // namespace
}  // namespace preflight::policy
