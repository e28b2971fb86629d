#pragma once
// An immutable view of what a workload will run: the pod template of a Deployment,
// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod (or the data of a ConfigMap that
// holds prompt templates), with the field path of every part so findings can point at it.
//
// Built once per review from the decoded object; checks only read it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "util/json_view.h"
#include "util/result.h"
#include "util/string_map.h"

namespace preflight {

enum class WorkloadKind {
  kDeployment,
  kStatefulSet,
  kDaemonSet,
  kReplicaSet,
  kJob,
  kCronJob,
  kPod,
  kConfigMap,  // only inspected when labelled preflight.wfgy.io/prompts: "true"
};

std::string_view to_string(WorkloadKind k);

// What the admission request's resource names (never object.kind alone).
// group "" / "apps" / "batch" and the plural resource, e.g. ("apps", "deployments").
std::optional<WorkloadKind> kind_for_resource(std::string_view group, std::string_view resource);
// For manifests on disk (preflight check): apiVersion + kind.
std::optional<WorkloadKind> kind_for_object(std::string_view api_version, std::string_view kind);

struct EnvVar {
  enum class Source { kValue, kSecretKeyRef, kConfigMapKeyRef, kFieldRef, kResourceFieldRef };
  std::string name;
  Source source = Source::kValue;
  std::string value;           // only for kValue (may be empty)
  std::string ref_name;        // Secret/ConfigMap name for *KeyRef
  std::string ref_key;         // key for *KeyRef
  bool optional = false;       // *KeyRef optional: true
  std::string path;            // spec.template.spec.containers[0].env[2]
};

struct EnvFromSource {
  enum class Kind { kSecret, kConfigMap };
  Kind kind = Kind::kConfigMap;
  std::string name;
  std::string prefix;
  bool optional = false;
  std::string path;            // spec.template.spec.containers[0].envFrom[0]
};

struct Container {
  enum class Type { kApp, kInit, kEphemeral };
  Type type = Type::kApp;
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::vector<EnvFromSource> env_from;
  StringMap resource_limits;    // resources.limits as strings ("1", "500m", "16Gi")
  StringMap resource_requests;
  std::string path;             // spec.template.spec.containers[0]

  // True when it asks for a GPU (nvidia.com/gpu or amd.com/gpu ... in limits/requests).
  bool requests_gpu() const;
};

struct Volume {
  enum class Kind { kSecret, kConfigMap, kOther };
  std::string name;
  Kind kind = Kind::kOther;
  std::string ref_name;                // secretName / configMap.name
  std::vector<std::string> keys;       // items[].key, if listed
  bool optional = false;
  std::string path;                    // spec.template.spec.volumes[1].secret
};

// One term of requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: all its
// matchExpressions must hold (terms are ORed).
struct NodeSelectorRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string> values;
};
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
  std::string path;  // spec.template.spec.affinity.nodeAffinity.required...nodeSelectorTerms[0]
};

struct Workload {
  WorkloadKind kind = WorkloadKind::kDeployment;
  std::string kind_name;        // "Deployment" (display)
  std::string namespace_name;   // may be empty in manifests without a namespace
  std::string name;             // may be empty (generateName)
  StringMap labels;             // metadata.labels
  StringMap annotations;        // metadata.annotations
  StringMap template_labels;    // pod template metadata.labels (== labels for a Pod)
  StringMap template_annotations;

  std::string pod_spec_path;    // "spec.template.spec", "spec.jobTemplate.spec.template.spec", "spec"
  std::string service_account;  // spec.serviceAccountName (or deprecated serviceAccount); "" = default
  std::vector<std::string> image_pull_secrets;
  StringMap node_selector;
  std::vector<NodeSelectorTerm> required_node_affinity;  // ORed terms; empty = no constraint
  std::vector<Container> containers;  // containers, then initContainers, then ephemeralContainers
  std::vector<Volume> volumes;

  StringMap data;               // ConfigMap data (kConfigMap only)

  // "Deployment prod/llm-api" (namespace or name may be missing in manifests).
  std::string display() const;
  // An annotation on the workload, else on its pod template.
  std::optional<std::string_view> annotation(std::string_view key) const;
  // A label on the workload, else on its pod template.
  std::optional<std::string_view> label(std::string_view key) const;
};

// Builds the view of `object` as `kind`. Fails (with a message safe to show) when the object
// is not a JSON object or lacks the pod template the kind must have.
// The same rules, in one template, for nlohmann documents and json_view ones.
Result<Workload> workload_from_json(const nlohmann::json& object, WorkloadKind kind);
Result<Workload> workload_from_json(const json_view::Value& object, WorkloadKind kind);

}  // namespace preflight
