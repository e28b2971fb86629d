// Golden outputs of the report writers (text, json, sarif) on one hand-built report.
#include "cli/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "build_info.h"
#include "checks/check.h"

namespace preflight::cli {
namespace {

Finding finding(std::string check, Enforcement e, std::string field, std::string message) {
  return Finding{std::move(check),   e,       "app", "env A", std::move(field),
                 std::move(message), "fix it"};
}

Report sample() {
  Report r;
  r.files = 2;
  r.objects = 3;
  r.prompt_files = 1;
  r.findings.push_back(
      {"k8s/api.yaml", 14, 15, "Deployment prod/api",
       finding("secret-ref", Enforcement::kDeny, "spec.x", "secret \"s\" not found")});
  r.findings.push_back({"k8s/api.yaml", 20, 0, "Deployment prod/api",
                        finding("cuda-compat", Enforcement::kWarn, "spec.y", "old driver")});
  r.findings.push_back({"k8s/job.yaml", 9, 0, "Job prod/j",
                        finding("env-name", Enforcement::kDryRun, "spec.z", "typo")});
  Finding unverified = finding("configmap-ref", Enforcement::kWarn, "spec.w", "not known");
  unverified.unverified = true;
  r.findings.push_back({"k8s/job.yaml", 11, 0, "Job prod/j", unverified});
  Finding prompt{"template-placeholder",
                 Enforcement::kDeny,
                 "",
                 "prompt",
                 "",
                 "prompt template uses \"{{ usr }}\"",
                 "did you mean user"};
  r.findings.push_back({"prompts/sys.txt", 2, 7, "", prompt});
  r.errors.push_back("k8s/bad.yaml:3:1: document is not a Kubernetes object");
  return r;
}

TEST(ReportText, Golden) {
  std::ostringstream out;
  write_text(sample(), policy::default_policy(), /*color=*/false, out);
  EXPECT_EQ(out.str(),
            "✔ configmap-ref .......... OK\n"
            "! cuda-compat ............ 1 warning\n"
            "✔ env-name ............... OK\n"
            "✖ secret-ref ............. 1 problem\n"
            "✔ serviceaccount-ref ..... OK\n"
            "✖ template-placeholder ... 1 problem\n"
            "✔ version-skew ........... OK\n"
            "  ✖ k8s/api.yaml:14:15 Deployment prod/api\n"
            "    [secret-ref] container \"app\" env A (spec.x): secret \"s\" not found; fix it\n"
            "  ! k8s/api.yaml:20 Deployment prod/api (warn)\n"
            "    [cuda-compat] container \"app\" env A (spec.y): old driver; fix it\n"
            "  ✖ prompts/sys.txt:2:7\n"
            "    [template-placeholder] prompt: prompt template uses \"{{ usr }}\"; did "
            "you mean user\n"
            "  ? 1 reference not checked:\n"
            "    k8s/job.yaml:11 Job prod/j [configmap-ref] container \"app\" env A (spec.w): not "
            "known; fix it\n"
            "  ✖ k8s/bad.yaml:3:1: document is not a Kubernetes object\n"
            "→ 3 workloads in 2 files and 1 prompt file checked: 2 problems would be rejected, 1 "
            "input error\n");
}

TEST(ReportJson, Golden) {
  std::ostringstream out;
  write_json(sample(), out);
  const auto doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["summary"], nlohmann::json::parse(R"({"files":2,"workloads":3,"prompt_files":1,
      "denied":2,"warnings":1,"dryrun":1,"not_checked":1,"errors":1})"));
  ASSERT_EQ(doc["findings"].size(), 5u);
  EXPECT_EQ(doc["findings"][0], nlohmann::json::parse(R"({"check":"secret-ref",
      "enforcement":"deny","file":"k8s/api.yaml","line":14,"column":15,
      "workload":"Deployment prod/api","container":"app","subject":"env A","field":"spec.x",
      "message":"secret \"s\" not found","fix":"fix it"})"));
  EXPECT_EQ(doc["findings"][2]["enforcement"], "dryrun");
  EXPECT_EQ(doc["findings"][3]["enforcement"], "not-checked");
  EXPECT_EQ(doc["errors"],
            nlohmann::json::parse(R"(["k8s/bad.yaml:3:1: document is not a Kubernetes object"])"));
}

TEST(ReportSarif, GoldenStructure) {
  std::ostringstream out;
  write_sarif(sample(), out);
  const auto doc = nlohmann::json::parse(out.str(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out.str();
  EXPECT_EQ(doc["version"], "2.1.0");
  EXPECT_EQ(doc["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  ASSERT_EQ(doc["runs"].size(), 1u);
  const auto& run = doc["runs"][0];
  const auto& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "preflight");
  EXPECT_EQ(driver["version"], build::kVersion);
  EXPECT_EQ(driver["informationUri"], kInformationUri);
  const auto& rules = driver["rules"];
  ASSERT_EQ(rules.size(), checks::known_check_ids().size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    EXPECT_EQ(rules[i]["id"], checks::known_check_ids()[i]);
    EXPECT_TRUE(rules[i]["shortDescription"]["text"].is_string());
    EXPECT_EQ(rules[i]["helpUri"], std::string(kDocsBaseUrl) + "checks/" +
                                       std::string(checks::known_check_ids()[i]) + ".md");
  }
  const auto& results = run["results"];
  ASSERT_EQ(results.size(), 5u);
  const std::vector<std::string> levels = {"error", "warning", "note", "note", "error"};
  for (std::size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(i);
    const auto& res = results[i];
    const auto idx = res["ruleIndex"].get<std::size_t>();
    EXPECT_EQ(rules[idx]["id"], res["ruleId"]);
    EXPECT_EQ(res["level"], levels[i]);
    EXPECT_TRUE(res["message"]["text"].is_string());
    const auto& loc = res["locations"][0]["physicalLocation"];
    EXPECT_TRUE(loc["artifactLocation"]["uri"].is_string());
    EXPECT_GE(loc["region"]["startLine"].get<int>(), 1);
  }
  EXPECT_EQ(results[0], nlohmann::json::parse(R"({"ruleId":"secret-ref","ruleIndex":3,
      "level":"error","message":{"text":"Deployment prod/api: [secret-ref] container \"app\" env A (spec.x): secret \"s\" not found; fix it"},
      "locations":[{"physicalLocation":{"artifactLocation":{"uri":"k8s/api.yaml"},
      "region":{"startLine":14,"startColumn":15}}}],
      "properties":{"field":"spec.x","fix":"fix it"}})"));
  EXPECT_FALSE(results[1]["locations"][0]["physicalLocation"]["region"].contains("startColumn"));
  EXPECT_EQ(results[3]["message"]["text"].get<std::string>().rfind("not checked: ", 0), 0u);
  EXPECT_EQ(results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "prompts/sys.txt");
  const auto& inv = run["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], false);
  EXPECT_EQ(inv["toolExecutionNotifications"][0]["level"], "error");
}

TEST(ReportSarif, UrisAreRelativeAndEncoded) {
  Report r;
  r.findings.push_back(
      {"./a b/c#1.yaml", 0, 0, "", finding("secret-ref", Enforcement::kDeny, "", "m")});
  r.findings.push_back({"<stdin>", 3, 0, "", finding("secret-ref", Enforcement::kDeny, "", "m")});
  r.findings.push_back(
      {"/nonexistent-root/x y.yaml", 3, 0, "", finding("secret-ref", Enforcement::kDeny, "", "m")});
  std::ostringstream out;
  write_sarif(r, out);
  const auto doc = nlohmann::json::parse(out.str());
  const auto& results = doc["runs"][0]["results"];
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b/c%231.yaml");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
  EXPECT_EQ(results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "stdin");
  EXPECT_EQ(results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///nonexistent-root/x%20y.yaml");
  EXPECT_EQ(doc["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

}  // namespace
}  // namespace preflight::cli
