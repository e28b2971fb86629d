#include "workload/workload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace preflight {
namespace {

using nlohmann::json;

json pod_spec() {
  return json::parse(R"({
    "serviceAccountName": "llm",
    "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
      {"matchExpressions": [{"key": "nvidia.com/cuda.driver.major", "operator": "Gt", "values": ["549"]}]}]}}},
    "nodeSelector": {"nvidia.com/gpu.present": "true"},
    "imagePullSecrets": [{"name": "regcred"}],
    "containers": [{
      "name": "server", "image": "vllm/vllm-openai:v0.6.3",
      "args": ["--model", "m"],
      "env": [{"name": "A", "value": "1"},
              {"name": "KEY", "valueFrom": {"secretKeyRef": {"name": "openai", "key": "api-key", "optional": true}}},
              {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
      "envFrom": [{"prefix": "P_", "configMapRef": {"name": "cfg"}}],
      "resources": {"limits": {"nvidia.com/gpu": 1, "memory": "16Gi"}}
    }],
    "initContainers": [{"name": "init", "image": "busybox"}],
    "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
    "volumes": [{"name": "s", "secret": {"secretName": "tls", "items": [{"key": "tls.crt", "path": "c"}]}},
                {"name": "p", "projected": {"sources": [{"configMap": {"name": "pc"}}]}}]
  })");
}

TEST(WorkloadTest, DeploymentPodTemplateAndPaths) {
  json obj = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
              {"metadata", {{"name", "llm-api"}, {"namespace", "prod"}, {"labels", {{"app", "llm"}}},
                            {"annotations", {{"a", "workload"}}}}},
              {"spec", {{"template", {{"metadata", {{"annotations", {{"a", "template"}, {"b", "t"}}}}},
                                      {"spec", pod_spec()}}}}}};
  auto w = workload_from_json(obj, WorkloadKind::kDeployment);
  ASSERT_TRUE(w.ok()) << w.error();
  EXPECT_EQ(w->display(), "Deployment prod/llm-api");
  EXPECT_EQ(w->pod_spec_path, "spec.template.spec");
  EXPECT_EQ(w->annotation("a"), "workload");  // workload wins over template
  EXPECT_EQ(w->annotation("b"), "t");
  EXPECT_FALSE(w->annotation("c").has_value());
  EXPECT_EQ(w->service_account, "llm");
  ASSERT_EQ(w->required_node_affinity.size(), 1u);
  EXPECT_EQ(w->required_node_affinity[0].path.str(),
            "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
            ".nodeSelectorTerms[0]");
  ASSERT_EQ(w->required_node_affinity[0].match_expressions.size(), 1u);
  EXPECT_EQ(w->required_node_affinity[0].match_expressions[0].op, "Gt");
  EXPECT_EQ(w->required_node_affinity[0].match_expressions[0].values,
            std::vector<std::string_view>{"549"});
  ASSERT_EQ(w->containers.size(), 3u);
  const Container& c = w->containers[0];
  EXPECT_EQ(c.path.str(), "spec.template.spec.containers[0]");
  EXPECT_EQ(c.type, Container::Type::kApp);
  EXPECT_TRUE(c.requests_gpu());
  ASSERT_EQ(c.env.size(), 3u);
  EXPECT_EQ(c.env[1].path.str(), "spec.template.spec.containers[0].env[1]");
  EXPECT_EQ(c.env[1].source, EnvVar::Source::kSecretKeyRef);
  EXPECT_EQ(c.env[1].ref_name, "openai");
  EXPECT_EQ(c.env[1].ref_key, "api-key");
  EXPECT_TRUE(c.env[1].optional);
  EXPECT_EQ(c.env[2].source, EnvVar::Source::kFieldRef);
  ASSERT_EQ(c.env_from.size(), 1u);
  EXPECT_EQ(c.env_from[0].prefix, "P_");
  EXPECT_EQ(c.env_from[0].path.str(), "spec.template.spec.containers[0].envFrom[0].configMapRef");
  EXPECT_EQ(w->containers[1].type, Container::Type::kInit);
  EXPECT_EQ(w->containers[1].path.str(), "spec.template.spec.initContainers[0]");
  EXPECT_EQ(w->containers[2].type, Container::Type::kEphemeral);
  ASSERT_EQ(w->volumes.size(), 2u);
  EXPECT_EQ(w->volumes[0].kind, Volume::Kind::kSecret);
  EXPECT_EQ(w->volumes[0].keys, std::vector<std::string_view>{"tls.crt"});
  EXPECT_EQ(w->volumes[1].path.str(),
            "spec.template.spec.volumes[1].projected.sources[0].configMap");
}

TEST(WorkloadTest, EveryKindFindsItsTemplate) {
  struct Case {
    WorkloadKind kind;
    json object;
    std::string spec_path;
  };
  json tmpl = {{"spec", pod_spec()}};
  std::vector<Case> cases = {
      {WorkloadKind::kStatefulSet, {{"spec", {{"template", tmpl}}}}, "spec.template.spec"},
      {WorkloadKind::kDaemonSet, {{"spec", {{"template", tmpl}}}}, "spec.template.spec"},
      {WorkloadKind::kReplicaSet, {{"spec", {{"template", tmpl}}}}, "spec.template.spec"},
      {WorkloadKind::kJob, {{"spec", {{"template", tmpl}}}}, "spec.template.spec"},
      {WorkloadKind::kCronJob, {{"spec", {{"jobTemplate", {{"spec", {{"template", tmpl}}}}}}}},
       "spec.jobTemplate.spec.template.spec"},
      {WorkloadKind::kPod, {{"spec", pod_spec()}}, "spec"},
  };
  for (const Case& c : cases) {
    auto w = workload_from_json(c.object, c.kind);
    ASSERT_TRUE(w.ok()) << to_string(c.kind) << ": " << w.error();
    EXPECT_EQ(w->pod_spec_path, c.spec_path);
    ASSERT_FALSE(w->containers.empty());
    EXPECT_EQ(w->containers[0].path.str(), c.spec_path + ".containers[0]");
  }
}

TEST(WorkloadTest, MalformedObjectsAreErrorsNotCrashes) {
  struct Case {
    json object;
    std::string error;
  };
  std::vector<Case> cases = {
      {json::array(), "object is not a JSON object"},
      {json("text"), "object is not a JSON object"},
      {json::object(), "Deployment has no spec.template"},
      {{{"kind", "Scale"}, {"spec", {{"replicas", 3}}}}, "object is a Scale, expected a Deployment"},
      {{{"spec", {{"template", {{"spec", {{"containers", "nope"}}}}}}}},
       "spec.template.spec.containers is not a list"},
      {{{"spec", {{"template", {{"spec", {{"containers", {{{"name", 5}}}}}}}}}}},
       "spec.template.spec.containers[0].name is not a string"},
      {{{"spec", {{"template", {{"spec", {{"containers", {{{"env", {{{"name", "A"}, {"value", 3}}}}}}}}}}}}}},
       "spec.template.spec.containers[0].env[0].value is not a string"},
      {{{"metadata", {{"labels", {{"a", json::array()}}}}}}, "metadata.labels.a is not a string"},
      {json::parse(R"({"spec": {"template": {"spec": {"containers": [{"args": ["a", 1]}]}}}})"),
       "spec.template.spec.containers[0].args[1] is not a string"},
      {json::parse(R"({"spec": {"template": {"spec": {"containers": [
           {"resources": {"limits": {"cpu": [1]}}}]}}}})"),
       "spec.template.spec.containers[0].resources.limits.cpu is not a string"},
      {json::parse(R"({"spec": {"template": {"spec": {"containers": [{"env": [
           {"name": "K", "valueFrom": {"secretKeyRef": {"optional": "yes"}}}]}]}}}})"),
       "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.optional is not a boolean"},
      {json::parse(R"({"spec": {"template": {"spec": {"initContainers": [
           {"envFrom": [{"configMapRef": 1}]}]}}}})"),
       "spec.template.spec.initContainers[0].envFrom[0].configMapRef is not an object"},
      {json::parse(R"({"spec": {"template": {"spec": {"volumes": [{},
           {"projected": {"sources": [{"secret": {"items": [{"key": 2}]}}]}}]}}}})"),
       "spec.template.spec.volumes[1].projected.sources[0].secret.items[0].key is not a string"},
      {json::parse(R"({"spec": {"template": {"spec": {"affinity": {"nodeAffinity": {
           "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
             {"matchExpressions": [{"values": [true]}]}]}}}}}}})"),
       "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
       "nodeSelectorTerms[0].matchExpressions[0].values[0] is not a string"},
      // Named by its own path (it used to be named by the pod spec's).
      {json::parse(R"({"spec": {"template": {"spec": {"imagePullSecrets": [{"name": 1}]}}}})"),
       "spec.template.spec.imagePullSecrets[0].name is not a string"},
      {json::parse(R"({"spec": {"template": {"metadata": {"annotations": {"a": {}}}}}})"),
       "spec.template.metadata.annotations.a is not a string"},
  };
  for (const Case& c : cases) {
    auto w = workload_from_json(c.object, WorkloadKind::kDeployment);
    ASSERT_FALSE(w.ok()) << c.object.dump();
    EXPECT_EQ(w.error(), c.error);
  }
  // One level deeper for a CronJob, also in the errors.
  json cron = json::parse(
      R"({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": 1}}}}}})");
  EXPECT_EQ(workload_from_json(cron, WorkloadKind::kCronJob).error(),
            "spec.jobTemplate.spec.template.spec.containers is not a list");
  const auto error = [](std::string_view object, WorkloadKind kind) {
    return workload_from_json(json::parse(object), kind).error();
  };
  EXPECT_EQ(error(R"({"spec": {"jobTemplate": 1}})", WorkloadKind::kCronJob),
            "spec.jobTemplate is not an object");
  EXPECT_EQ(error(R"({"spec": {}})", WorkloadKind::kCronJob),
            "CronJob has no spec.jobTemplate.spec.template");
  EXPECT_EQ(error(R"({"spec": {"template": {}}})", WorkloadKind::kJob),
            "Job has no spec.template.spec");
  EXPECT_EQ(error(R"({"data": {"k": [1]}})", WorkloadKind::kConfigMap),
            "data.k is not a string");
}

TEST(WorkloadTest, ResourceAndObjectKinds) {
  EXPECT_EQ(kind_for_resource("apps", "deployments"), WorkloadKind::kDeployment);
  EXPECT_EQ(kind_for_resource("batch", "cronjobs"), WorkloadKind::kCronJob);
  EXPECT_EQ(kind_for_resource("", "pods"), WorkloadKind::kPod);
  EXPECT_FALSE(kind_for_resource("apps", "pods").has_value());
  EXPECT_FALSE(kind_for_resource("", "secrets").has_value());
  EXPECT_EQ(kind_for_object("apps/v1", "StatefulSet"), WorkloadKind::kStatefulSet);
  EXPECT_EQ(kind_for_object("batch/v1", "Job"), WorkloadKind::kJob);
  EXPECT_EQ(kind_for_object("v1", "Pod"), WorkloadKind::kPod);
  EXPECT_FALSE(kind_for_object("v1", "Deployment").has_value());
  EXPECT_FALSE(kind_for_object("example.com/v1", "Deployment").has_value());
}

TEST(WorkloadTest, GpuRequest) {
  Container c;
  EXPECT_FALSE(c.requests_gpu());
  c.resource_limits["nvidia.com/gpu"] = "0";
  EXPECT_FALSE(c.requests_gpu());
  c.resource_requests["nvidia.com/gpu"] = "2";
  EXPECT_TRUE(c.requests_gpu());
}

}  // namespace
}  // namespace preflight
