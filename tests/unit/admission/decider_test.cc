#include "admission/decider.h"

#include <gtest/gtest.h>

#include "policy/policy.h"

namespace preflight::admission {
namespace {

using nlohmann::json;

// A check that reports one finding per annotation "test/find-<id>" = "<severity>", so each
// test states its findings in the object itself.
class AnnotationCheck final : public checks::Check {
 public:
  explicit AnnotationCheck(std::string id) : id_(std::move(id)) {}
  std::string_view id() const override { return id_; }
  std::vector<Finding> run(const Workload& w, const checks::CheckContext&) const override {
    std::vector<Finding> out;
    for (const auto& [key, value] : w.annotations) {
      if (key != "test/" + id_) continue;
      Finding f;
      f.check = id_;
      f.severity = value == "warn" ? Enforcement::kWarn : Enforcement::kDeny;
      f.container = "server";
      f.subject = "env X";
      f.field_path = std::string(w.pod_spec_path) + ".containers[0].env[0]";
      f.message = "problem from " + id_;
      f.fix = "fix it";
      out.push_back(f);
    }
    return out;
  }

 private:
  std::string id_;
};

class DeciderTest : public ::testing::Test {
 protected:
  DeciderTest() {
    checks_.push_back(std::make_unique<AnnotationCheck>("env-name"));
    checks_.push_back(std::make_unique<AnnotationCheck>("template-placeholder"));
    checks_.push_back(std::make_unique<AnnotationCheck>("cuda-compat"));
  }

  static json deployment(json annotations) {
    return {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", "llm-api"}, {"annotations", std::move(annotations)}}},
            {"spec", {{"template", {{"spec", {{"containers", {{{"name", "server"}, {"image", "x"}}}}}}}}}}};
  }

  static AdmissionRequest request(json object, std::string operation = "CREATE") {
    AdmissionRequest r;
    r.api_version = "admission.k8s.io/v1";
    r.uid = "uid-1";
    r.resource = {"apps", "v1", "deployments"};
    r.namespace_name = "prod";
    r.name = "llm-api";
    r.operation = std::move(operation);
    r.object = std::move(object);
    return r;
  }

  Decision run(const AdmissionRequest& r) {
    checks::CheckContext ctx{policy_, nullptr};
    return decide(r, checks_, ctx);
  }

  policy::Policy policy_ = policy::default_policy();
  std::vector<std::unique_ptr<checks::Check>> checks_;
};

TEST_F(DeciderTest, CleanObjectIsAllowed) {
  Decision d = run(request(deployment(json::object())));
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.response.uid, "uid-1");
  EXPECT_EQ(d.outcome, "allowed");
  EXPECT_TRUE(d.response.warnings.empty());
  EXPECT_EQ(d.workload, "Deployment prod/llm-api");  // namespace taken from the request
}

TEST_F(DeciderTest, DenyFindingsMakeTheContractMessage) {
  Decision d = run(request(deployment({{"test/env-name", "deny"}, {"test/template-placeholder", "deny"}})));
  EXPECT_FALSE(d.response.allowed);
  EXPECT_EQ(d.response.code, 403);
  EXPECT_EQ(d.response.reason, "Forbidden");
  EXPECT_EQ(d.outcome, "denied");
  EXPECT_EQ(d.response.message,
            "preflight rejected Deployment prod/llm-api: 2 problems\n"
            "[env-name] container \"server\" env X (spec.template.spec.containers[0].env[0]): "
            "problem from env-name; fix it\n"
            "[template-placeholder] container \"server\" env X (spec.template.spec.containers[0].env[0]): "
            "problem from template-placeholder; fix it");
}

TEST_F(DeciderTest, CudaCompatDefaultsToWarn) {
  Decision d = run(request(deployment({{"test/cuda-compat", "deny"}})));
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.outcome, "warned");
  ASSERT_EQ(d.response.warnings.size(), 1u);
  EXPECT_EQ(d.response.warnings[0].rfind("[cuda-compat] container \"server\"", 0), 0u);
}

TEST_F(DeciderTest, AdvisoryFindingNeverDenies) {
  Decision d = run(request(deployment({{"test/env-name", "warn"}})));
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.response.warnings.size(), 1u);
}

TEST_F(DeciderTest, EnforcementDryRunAndOff) {
  policy_.enforcement["env-name"] = Enforcement::kDryRun;
  policy_.enforcement["template-placeholder"] = Enforcement::kOff;
  Decision d = run(request(deployment({{"test/env-name", "deny"}, {"test/template-placeholder", "deny"}})));
  EXPECT_TRUE(d.response.allowed);
  EXPECT_TRUE(d.response.warnings.empty());
  EXPECT_EQ(d.outcome, "allowed");
  ASSERT_EQ(d.findings.size(), 1u);  // counted, not returned; the off check did not run
  EXPECT_EQ(d.findings[0].check, "env-name");
  EXPECT_EQ(d.findings[0].severity, Enforcement::kDryRun);
}

TEST_F(DeciderTest, UnchangedProblemOnUpdateOnlyWarns) {
  AdmissionRequest r = request(deployment({{"test/env-name", "deny"}}), "UPDATE");
  r.old_object = deployment({{"test/env-name", "deny"}});
  Decision d = run(r);
  EXPECT_TRUE(d.response.allowed);
  ASSERT_EQ(d.response.warnings.size(), 1u);
  EXPECT_NE(d.response.warnings[0].find("already in the live object"), std::string::npos);

  // A new problem introduced by the update is still denied.
  r.object = deployment({{"test/env-name", "deny"}, {"test/template-placeholder", "deny"}});
  d = run(r);
  EXPECT_FALSE(d.response.allowed);
  EXPECT_NE(d.response.message.find("1 problem\n[template-placeholder]"), std::string::npos);
}

// Counts the workloads it is run on; reports what AnnotationCheck would.
class CountingCheck final : public checks::Check {
 public:
  CountingCheck(std::string id, int* runs) : inner_(std::move(id)), runs_(runs) {}
  std::string_view id() const override { return inner_.id(); }
  std::vector<Finding> run(const Workload& w, const checks::CheckContext& ctx) const override {
    ++*runs_;
    return inner_.run(w, ctx);
  }

 private:
  AnnotationCheck inner_;
  int* runs_;
};

TEST_F(DeciderTest, TheLiveObjectIsInspectedOnlyWhenTheUpdateHasProblems) {
  int runs = 0;
  checks_.clear();
  checks_.push_back(std::make_unique<CountingCheck>("env-name", &runs));
  AdmissionRequest r = request(deployment(json::object()), "UPDATE");
  r.old_object = deployment({{"test/env-name", "deny"}});
  Decision d = run(r);
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(runs, 1);  // the update is clean: what the live object has does not matter

  policy_.enforcement["env-name"] = Enforcement::kDryRun;  // recorded, neither denied nor warned
  runs = 0;
  r.object = deployment({{"test/env-name", "deny"}});
  d = run(r);
  EXPECT_TRUE(d.response.allowed);
  EXPECT_TRUE(d.response.warnings.empty());
  EXPECT_EQ(runs, 1);

  policy_.enforcement["env-name"] = Enforcement::kDeny;
  runs = 0;
  d = run(r);
  EXPECT_TRUE(d.response.allowed);  // already in the live object
  EXPECT_EQ(runs, 2);
}

TEST_F(DeciderTest, DeleteConnectAndSubresourcesAreNotChecked) {
  for (std::string op : {"DELETE", "CONNECT"}) {
    AdmissionRequest r = request(deployment({{"test/env-name", "deny"}}), op);
    Decision d = run(r);
    EXPECT_TRUE(d.response.allowed) << op;
    EXPECT_EQ(d.skipped, op);
  }
  AdmissionRequest scale = request({{"apiVersion", "autoscaling/v1"}, {"kind", "Scale"}}, "UPDATE");
  scale.sub_resource = "scale";
  Decision d = run(scale);
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.skipped, "subresource scale");
}

TEST_F(DeciderTest, ResourceDecidesNotObjectKind) {
  // A Deployment body sent for an unrelated resource is not inspected...
  AdmissionRequest r = request(deployment({{"test/env-name", "deny"}}));
  r.resource = {"", "v1", "services"};
  EXPECT_TRUE(run(r).response.allowed);
  // ...and a Scale body sent as the deployments resource cannot be inspected.
  r = request({{"apiVersion", "autoscaling/v1"}, {"kind", "Scale"}, {"spec", {{"replicas", 2}}}});
  Decision d = run(r);
  EXPECT_FALSE(d.response.allowed);
  EXPECT_EQ(d.response.code, 400);
  EXPECT_EQ(d.outcome, "error");
  EXPECT_EQ(d.response.message,
            "preflight cannot inspect Deployment prod/llm-api: object is a Scale, expected a Deployment");
}

TEST_F(DeciderTest, ObjectThatIsNotAnObjectIsA400) {
  for (json bad : {json(5), json("x"), json::array(), json()}) {
    Decision d = run(request(bad));
    EXPECT_FALSE(d.response.allowed) << bad.dump();
    EXPECT_EQ(d.response.code, 400);
  }
}

TEST_F(DeciderTest, SkipAnnotationOnlyForOverridableChecks) {
  policy_.overridable = {"template-placeholder"};
  Decision d = run(request(deployment({{"test/env-name", "deny"},
                                       {"test/template-placeholder", "deny"},
                                       {"preflight.wfgy.io/skip", "template-placeholder, env-name, nope"}})));
  EXPECT_FALSE(d.response.allowed);  // env-name is not overridable
  EXPECT_EQ(d.overridden, std::vector<std::string>{"template-placeholder"});
  EXPECT_NE(d.response.message.find("[env-name]"), std::string::npos);
  EXPECT_EQ(d.response.message.find("[template-placeholder]"), std::string::npos);
  std::string all;
  for (const auto& w : d.response.warnings) all += w + "\n";
  EXPECT_NE(all.find("[template-placeholder] skipped by preflight.wfgy.io/skip"), std::string::npos);
  EXPECT_NE(all.find("[env-name] preflight.wfgy.io/skip cannot skip this check"), std::string::npos);
  EXPECT_NE(all.find("unknown check \"nope\""), std::string::npos);

  d = run(request(deployment({{"test/template-placeholder", "deny"}, {"preflight.wfgy.io/skip", "all"}})));
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.overridden, std::vector<std::string>{"template-placeholder"});
}

TEST_F(DeciderTest, ExemptNamespaceSkipsChecks) {
  policy_.exempt_namespaces = {"prod"};
  Decision d = run(request(deployment({{"test/env-name", "deny"}})));
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.skipped, "exempt");
}

TEST_F(DeciderTest, WarningsAreShortAndSingleLine) {
  class LongCheck final : public checks::Check {
   public:
    std::string_view id() const override { return "env-name"; }
    std::vector<Finding> run(const Workload&, const checks::CheckContext&) const override {
      Finding f;
      f.check = "env-name";
      f.severity = Enforcement::kWarn;
      f.message = "line one\nline two\t" + std::string(400, 'x');
      return {f};
    }
  };
  std::vector<std::unique_ptr<checks::Check>> long_checks;
  long_checks.push_back(std::make_unique<LongCheck>());
  checks::CheckContext ctx{policy_, nullptr};
  Decision d = decide(request(deployment(json::object())), long_checks, ctx);
  ASSERT_EQ(d.response.warnings.size(), 1u);
  EXPECT_LT(d.response.warnings[0].size(), 256u);
  EXPECT_EQ(d.response.warnings[0].find('\n'), std::string::npos);
  EXPECT_EQ(d.response.warnings[0].find('\t'), std::string::npos);
}

TEST_F(DeciderTest, PromptConfigMapsOnlyWhenLabelled) {
  AdmissionRequest r = request({{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                {"metadata", {{"name", "chat"}}}, {"data", {{"t", "{{ x }}"}}}});
  r.resource = {"", "v1", "configmaps"};
  Decision d = run(r);
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.skipped, "not inspected");

  r.object["metadata"]["labels"] = {{"preflight.wfgy.io/prompts", "true"}};
  r.object["metadata"]["annotations"] = {{"test/template-placeholder", "deny"}};
  d = run(r);
  EXPECT_TRUE(d.skipped.empty());
  EXPECT_FALSE(d.response.allowed);
  EXPECT_EQ(d.workload, "ConfigMap prod/chat");
}

}  // namespace
}  // namespace preflight::admission
