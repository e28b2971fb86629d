#include "metrics/preflight_metrics.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "build_info.h"

namespace preflight::metrics {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Every family with at least one child, label values from the real sets.
void populate(PreflightMetrics& m) {
  m.admission_requests.labels({"Deployment", "CREATE", "denied", "false"}).inc();
  m.admission_requests.labels({"StatefulSet", "UPDATE", "allowed", "true"}).inc(2);
  m.admission_duration.labels({"Deployment"}).observe(0.0031);
  m.admission_duration.labels({"Job"}).observe(12);
  m.findings.labels({"secret-ref", "deny", "prod"}).inc();
  m.findings.labels({"cuda-compat", "warn", "ml-team"}).inc(3);
  m.overrides.labels({"version-skew", "prod"}).inc();
  m.cluster_cache_synced.labels({"secrets"}).set(1);
  m.cluster_cache_objects.labels({"secrets"}).set(1234);
  m.kube_api_requests.labels({"LIST", "secrets", "200"}).inc();
  m.kube_api_requests.labels({"WATCH", "configmaps", "410"}).inc();
  m.policy_reloads.labels({"success"}).inc();
  m.tls_certificate_expiry.labels({}).set(1798761600);
  m.audit_findings.labels({"env-name", "default"}).set(2);
}

struct ContractRow {
  std::string name;
  std::string type;
  std::string sample_prefix;  // the first sample's name and label names, in order
};

TEST(PreflightMetrics, MatchTheContractTable) {
  Registry r;
  PreflightMetrics m(r);
  populate(m);
  const std::string text = r.render();
  const ContractRow rows[] = {
      {"preflight_admission_requests_total", "counter",
       "preflight_admission_requests_total{kind=\"Deployment\",operation=\"CREATE\","
       "decision=\"denied\",dry_run=\"false\"} 1\n"},
      {"preflight_admission_duration_seconds", "histogram",
       "preflight_admission_duration_seconds_bucket{kind=\"Deployment\",le=\"0.0005\"} 0\n"},
      {"preflight_findings_total", "counter",
       "preflight_findings_total{check=\"cuda-compat\",enforcement=\"warn\","
       "namespace=\"ml-team\"} 3\n"},
      {"preflight_overrides_total", "counter",
       "preflight_overrides_total{check=\"version-skew\",namespace=\"prod\"} 1\n"},
      {"preflight_cluster_cache_synced", "gauge",
       "preflight_cluster_cache_synced{resource=\"secrets\"} 1\n"},
      {"preflight_cluster_cache_objects", "gauge",
       "preflight_cluster_cache_objects{resource=\"secrets\"} 1234\n"},
      {"preflight_kube_api_requests_total", "counter",
       "preflight_kube_api_requests_total{verb=\"LIST\",resource=\"secrets\",code=\"200\"} 1\n"},
      {"preflight_policy_reloads_total", "counter",
       "preflight_policy_reloads_total{result=\"failure\"} 0\n"
       "preflight_policy_reloads_total{result=\"success\"} 1\n"},
      {"preflight_tls_certificate_expiry_timestamp_seconds", "gauge",
       "preflight_tls_certificate_expiry_timestamp_seconds 1798761600\n"},
      {"preflight_audit_findings", "gauge",
       "preflight_audit_findings{check=\"env-name\",namespace=\"default\"} 2\n"},
      {"preflight_build_info", "gauge",
       std::string("preflight_build_info{version=\"") + build::kVersion + "\",commit=\"" +
           build::kCommit + "\"} 1\n"},
  };
  for (const auto& row : rows) {
    const std::string type_line = "# TYPE " + row.name + " " + row.type + "\n";
    ASSERT_TRUE(contains(text, type_line)) << type_line;
    // The first sample follows the TYPE line directly: children are sorted.
    EXPECT_TRUE(contains(text, type_line + row.sample_prefix)) << row.sample_prefix << text;
  }
}

TEST(PreflightMetrics, DurationBucketsSuitAWebhook) {
  Registry r;
  PreflightMetrics m(r);
  m.admission_duration.labels({"Pod"}).observe(0.004);
  const std::string text = r.render();
  std::string want;
  const char* les[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                       "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "+Inf"};
  int i = 0;
  for (const char* le : les) {
    want += std::string("preflight_admission_duration_seconds_bucket{kind=\"Pod\",le=\"") + le +
            "\"} " + (i++ < 3 ? "0" : "1") + "\n";
  }
  EXPECT_TRUE(contains(text, want)) << text;
}

TEST(PreflightMetrics, NamespaceAndOverrideCheckLabelsAreCapped) {
  Registry r;
  PreflightMetrics m(r, /*max_namespaces=*/2);
  for (const char* ns : {"a", "b", "c", "d"}) {
    m.findings.labels({"secret-ref", "deny", ns}).inc();
    m.overrides.labels({"version-skew", ns}).inc();
    m.audit_findings.labels({"secret-ref", ns}).inc();
  }
  EXPECT_EQ(m.findings.labels({"secret-ref", "deny", "other"}).value(), 2);
  EXPECT_EQ(m.overrides.labels({"version-skew", "other"}).value(), 2);
  EXPECT_EQ(m.audit_findings.labels({"secret-ref", "other"}).value(), 2);
  EXPECT_EQ(m.findings.size(), 3u);
  // Unbounded annotation tokens cannot grow the check label past its cap either.
  for (std::size_t i = 0; i < kMaxOverrideChecks + 10; ++i) {
    m.overrides.labels({"bogus-" + std::to_string(i), "a"}).inc();
  }
  EXPECT_EQ(m.overrides.labels({"other", "a"}).value(), 11);
  // Other families are not capped.
  for (int i = 0; i < 300; ++i) m.cluster_cache_objects.labels({std::to_string(i)}).set(i);
  EXPECT_EQ(m.cluster_cache_objects.size(), 300u);
}

TEST(PreflightMetrics, ConstructingTwiceOnOneRegistryReusesFamilies) {
  Registry r;
  PreflightMetrics a(r);
  PreflightMetrics b(r);
  EXPECT_EQ(&a.findings, &b.findings);
  EXPECT_EQ(&a.build_info, &b.build_info);
}

// ---- promtool check metrics, through tests/metrics/promtool_check.sh ----

struct RunResult {
  int exit_code = -1;
  std::string output;
};

RunResult run(const std::string& command) {
  RunResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string write_temp(const std::string& text) {
  std::string path = ::testing::TempDir() + "preflight_metrics_XXXXXX";
  const int fd = mkstemp(path.data());
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

RunResult promtool_check(const std::string& exposition) {
#ifdef PREFLIGHT_PROMTOOL_CHECK
  const std::string path = write_temp(exposition);
  RunResult result = run(std::string("sh '") + PREFLIGHT_PROMTOOL_CHECK + "' '" + path + "'");
  std::remove(path.c_str());
  return result;
#else
  ADD_FAILURE() << "PREFLIGHT_PROMTOOL_CHECK (path of promtool_check.sh) is not defined";
  return {};
#endif
}

class PromtoolCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v promtool").exit_code != 0) GTEST_SKIP() << "promtool not installed";
  }
};

TEST_F(PromtoolCheck, FullyPopulatedRegistryPasses) {
  Registry r;
  PreflightMetrics m(r);
  register_process_metrics(r);
  populate(m);
  // Escaping must survive a real parser too.
  m.kube_api_requests.labels({"GET", "weird\"res\\ource\nname", "0"}).inc();
  const RunResult result = promtool_check(r.render());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "");
}

TEST_F(PromtoolCheck, ScriptFailsOnLintProblems) {
  const RunResult result = promtool_check(
      "# HELP requests_total Requests.\n# TYPE requests_total gauge\nrequests_total 1\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(contains(result.output, "requests_total")) << result.output;
}

TEST_F(PromtoolCheck, ScriptFailsOnParseErrors) {
  const RunResult result = promtool_check("# HELP x X.\n# TYPE x counter\nx{a=\"unterminated} 1\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output, "");
}

TEST_F(PromtoolCheck, ScriptPassesCleanLookAlike) {
  const RunResult result = promtool_check(
      "# HELP requests_total Requests.\n# TYPE requests_total counter\nrequests_total 1\n");
  EXPECT_EQ(result.exit_code, 0) << result.output;
}

}  // namespace
}  // namespace preflight::metrics
