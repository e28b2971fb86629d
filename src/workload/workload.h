#pragma once
// An immutable view of what a workload will run: the pod template of a Deployment,
// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod (or the data of a ConfigMap that
// holds prompt templates), with the field path of every part so findings can point at it.
//
// Built once per review from the decoded object; checks only read it.

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "util/json_view.h"
#include "util/result.h"
#include "util/string_map.h"
#include "workload/field_path.h"

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

// Every string of a Workload is a view. Read from a parsed json_view document, the views
// point into the document, which the Workload keeps alive (Workload::text); text that is in
// no such document (numbers written as text, every string of an nlohmann tree, whose life
// the Workload cannot extend) is copied into storage the Workload owns. Copies and moves of a
// Workload share both, so its views stay valid wherever it goes. A Workload written by hand
// (tests) must point at text that outlives it: string literals, or Workload::text.own().
//
// Field paths are PartPaths (workload/field_path.h): indices, written out as text only for
// a finding.

struct EnvVar {
  enum class Source { kValue, kSecretKeyRef, kConfigMapKeyRef, kFieldRef, kResourceFieldRef };
  std::string_view name;
  Source source = Source::kValue;
  std::string_view value;      // only for kValue (may be empty)
  std::string_view ref_name;   // Secret/ConfigMap name for *KeyRef
  std::string_view ref_key;    // key for *KeyRef
  bool optional = false;       // *KeyRef optional: true
  PartPath path;               // spec.template.spec.containers[0].env[2]
};

struct EnvFromSource {
  enum class Kind { kSecret, kConfigMap };
  Kind kind = Kind::kConfigMap;
  std::string_view name;
  std::string_view prefix;
  bool optional = false;
  PartPath path;               // spec.template.spec.containers[0].envFrom[0].configMapRef
};

struct Container {
  enum class Type { kApp, kInit, kEphemeral };
  Type type = Type::kApp;
  std::string_view name;
  std::string_view image;
  std::vector<std::string_view> command;
  std::vector<std::string_view> args;
  std::vector<EnvVar> env;
  std::vector<EnvFromSource> env_from;
  StringMap resource_limits;    // resources.limits as strings ("1", "500m", "16Gi")
  StringMap resource_requests;
  PartPath path;                // spec.template.spec.containers[0]

  // True when it asks for a GPU (nvidia.com/gpu or amd.com/gpu ... in limits/requests).
  bool requests_gpu() const;
};

struct Volume {
  enum class Kind { kSecret, kConfigMap, kOther };
  std::string_view name;
  Kind kind = Kind::kOther;
  std::string_view ref_name;               // secretName / configMap.name
  std::vector<std::string_view> keys;      // items[].key, if listed
  bool optional = false;
  PartPath path;                           // spec.template.spec.volumes[1].secret
};

// One term of requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: all its
// matchExpressions must hold (terms are ORed).
struct NodeSelectorRequirement {
  std::string_view key;
  std::string_view op;  // In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string_view> values;
};
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
  PartPath path;  // spec.template.spec.affinity.nodeAffinity.required...nodeSelectorTerms[0]
};

// What a Workload's views point into (see above). Copies share it.
class WorkloadText {
 public:
  // Keeps `document` alive as long as this (or a copy of it) lives.
  void keep_alive(std::shared_ptr<const void> document) { document_ = std::move(document); }
  // A copy of `text` that lives as long as this (or a copy of it).
  std::string_view own(std::string_view text);

 private:
  std::shared_ptr<const void> document_;
  // A deque never moves its elements, so views of them stay valid as it grows.
  std::shared_ptr<std::deque<std::string>> owned_;
};

struct Workload {
  WorkloadKind kind = WorkloadKind::kDeployment;
  std::string_view kind_name;        // "Deployment" (display)
  std::string_view namespace_name;   // may be empty in manifests without a namespace
  std::string_view name;             // may be empty (generateName)
  StringMap labels;                  // metadata.labels
  StringMap annotations;             // metadata.annotations
  StringMap template_labels;         // pod template metadata.labels (== labels for a Pod)
  StringMap template_annotations;

  // "spec.template.spec", "spec.jobTemplate.spec.template.spec", "spec" (static text)
  std::string_view pod_spec_path;
  std::string_view service_account;  // spec.serviceAccountName (or deprecated serviceAccount); "" = default
  std::vector<std::string_view> image_pull_secrets;
  StringMap node_selector;
  std::vector<NodeSelectorTerm> required_node_affinity;  // ORed terms; empty = no constraint
  std::vector<Container> containers;  // containers, then initContainers, then ephemeralContainers
  std::vector<Volume> volumes;

  StringMap data;               // ConfigMap data (kConfigMap only)

  WorkloadText text;            // what the views above point into

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
// Strings of `object` are copied into the Workload (it cannot keep an nlohmann tree alive).
Result<Workload> workload_from_json(const nlohmann::json& object, WorkloadKind kind);
// With `document` (what `object` points into), the Workload keeps it alive and points into
// it; without (nullptr), strings are copied.
Result<Workload> workload_from_json(const json_view::Value& object, WorkloadKind kind,
                                    std::shared_ptr<const void> document = nullptr);

}  // namespace preflight
