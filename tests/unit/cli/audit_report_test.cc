// The report writers in audit mode (Report::scope set): findings located by workload, the
// summary per namespace, and the JSON summaries. Check mode is covered by the e2e tests.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "cli/report.h"

namespace preflight::cli {
namespace {

LocatedFinding finding(std::string check, std::string ns, Enforcement e, bool unverified = false) {
  LocatedFinding lf;
  lf.workload = "Deployment " + ns + "/app";
  lf.namespace_name = ns;
  lf.finding.check = std::move(check);
  lf.finding.severity = e;
  lf.finding.unverified = unverified;
  lf.finding.subject = "env TOKEN";
  lf.finding.message = "secret \"s\" not found";
  lf.finding.fix = "create it";
  return lf;
}

Report audit_report() {
  Report r;
  r.scope = "snapshot cluster.yaml";
  r.objects = 12;
  r.findings = {finding("secret-ref", "prod", Enforcement::kDeny),
                finding("secret-ref", "prod", Enforcement::kDeny),
                finding("env-name", "prod", Enforcement::kWarn),
                finding("secret-ref", "dev", Enforcement::kDryRun),
                finding("configmap-ref", "ml", Enforcement::kWarn, /*unverified=*/true)};
  return r;
}

TEST(AuditReportTest, TextHasNamespaceSummaryAndNoFileLocation) {
  std::ostringstream out;
  write_text(audit_report(), policy::default_policy(), false, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("  ✖ Deployment prod/app\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  ! Deployment dev/app (dryrun)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  namespace dev .................... 1 warning\n"
                      "  namespace prod ................... 2 problems, 1 warning\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("namespace ml"), std::string::npos) << "unverified findings are not counted";
  EXPECT_NE(text.find("→ 12 workloads in snapshot cluster.yaml audited: 2 problems would be rejected\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find(":0 "), std::string::npos) << "no file:line in audit mode\n" << text;
}

TEST(AuditReportTest, CheckModeKeepsFileLocations) {
  Report r;
  r.files = 1;
  r.objects = 1;
  LocatedFinding lf = finding("secret-ref", "prod", Enforcement::kDeny);
  lf.file = "deploy.yaml";
  lf.line = 7;
  r.findings.push_back(lf);
  std::ostringstream out;
  write_text(r, policy::default_policy(), false, out);
  EXPECT_NE(out.str().find("  ✖ deploy.yaml:7 Deployment prod/app\n"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("namespace prod"), std::string::npos);
  EXPECT_NE(out.str().find("→ 1 workload in 1 file checked"), std::string::npos);
}

TEST(AuditReportTest, JsonHasScopeAndSummariesPerNamespaceAndCheck) {
  std::ostringstream out;
  write_json(audit_report(), out);
  nlohmann::json doc = nlohmann::json::parse(out.str());
  EXPECT_EQ(doc["summary"]["scope"], "snapshot cluster.yaml");
  EXPECT_FALSE(doc["summary"].contains("files"));
  EXPECT_EQ(doc["summary"]["denied"], 2);
  EXPECT_EQ(doc["namespaces"]["prod"], (nlohmann::json{{"denied", 2}, {"warnings", 1}}));
  EXPECT_EQ(doc["namespaces"]["dev"], (nlohmann::json{{"denied", 0}, {"warnings", 1}}));
  EXPECT_FALSE(doc["namespaces"].contains("ml"));
  EXPECT_EQ(doc["checks"]["secret-ref"], (nlohmann::json{{"denied", 2}, {"warnings", 1}}));
  EXPECT_EQ(doc["checks"]["env-name"], (nlohmann::json{{"denied", 0}, {"warnings", 1}}));
  ASSERT_EQ(doc["findings"].size(), 5u);
  EXPECT_EQ(doc["findings"][0]["namespace"], "prod");
  EXPECT_FALSE(doc["findings"][0].contains("file"));
  EXPECT_FALSE(doc["findings"][0].contains("line"));
}

// SARIF for audit: the same structure as check's (version, runs, tool.driver.rules, results
// with ruleId, level, message), each result located by a logical location
// "namespace/Kind/name" and no physicalLocation (a live object has no file).
TEST(AuditReportTest, SarifLocatesFindingsByLogicalLocation) {
  Report r = audit_report();
  r.errors.push_back("cluster.yaml:40: Deployment prod/x: no pod template");
  std::ostringstream out;
  write_sarif(r, out);
  const auto doc = nlohmann::json::parse(out.str(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << out.str();
  EXPECT_EQ(doc["version"], "2.1.0");
  ASSERT_EQ(doc["runs"].size(), 1u);
  const auto& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "preflight");
  EXPECT_EQ(run["tool"]["driver"]["informationUri"], kInformationUri);
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), checks::known_check_ids().size());
  EXPECT_EQ(run["properties"]["scope"], "snapshot cluster.yaml");
  const auto& results = run["results"];
  ASSERT_EQ(results.size(), 5u);
  const std::vector<std::string> levels = {"error", "error", "warning", "note", "note"};
  for (std::size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(results[i]["level"], levels[i]);
    EXPECT_EQ(run["tool"]["driver"]["rules"][results[i]["ruleIndex"].get<std::size_t>()]["id"],
              results[i]["ruleId"]);
    ASSERT_EQ(results[i]["locations"].size(), 1u);
    EXPECT_FALSE(results[i]["locations"][0].contains("physicalLocation"));
  }
  EXPECT_EQ(results[0], nlohmann::json::parse(R"({"ruleId":"secret-ref","ruleIndex":3,
      "level":"error","message":{"text":"Deployment prod/app: [secret-ref] env TOKEN: secret \"s\" not found; create it"},
      "locations":[{"logicalLocations":[{"name":"app","fullyQualifiedName":"prod/Deployment/app",
      "kind":"resource"}]}]})"));
  EXPECT_EQ(results[3]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "dev/Deployment/app");
  EXPECT_EQ(results[4]["message"]["text"].get<std::string>().rfind("not checked: ", 0), 0u);
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], false);
  EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
            "cluster.yaml:40: Deployment prod/x: no pod template");
}

TEST(AuditReportTest, SarifHelpUrisAreUnderTheInformationUri) {
  EXPECT_EQ(std::string(kDocsBaseUrl).rfind(std::string(kInformationUri) + "/", 0), 0u);
}

}  // namespace
}  // namespace preflight::cli
