// The report writers in audit mode (Report::scope set): findings located by workload, the
// summary per namespace, and the JSON summaries. Check mode is covered by the e2e tests.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace preflight::cli
