#pragma once
// Test support for checks that read the cluster: FakeCluster, an in-memory ClusterView, and
// small builders of hand-built Workload views (a Deployment "prod/llm-api" with containers,
// env references and volumes) with the field paths workload_from_json would give them.
//
// FakeCluster is not thread-safe (it counts calls); use one per test.

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <functional>

#include <gtest/gtest.h>

#include "../kept_text.h"

#include "checks/check.h"
#include "cluster/cluster_view.h"
#include "policy/policy.h"
#include "workload/workload.h"

namespace preflight::testutil {

class FakeCluster final : public cluster::ClusterView {
 public:
  // Adds (or replaces) an object with these key names (any order; find returns them sorted).
  FakeCluster& add(cluster::Resource resource, std::string ns, std::string name,
                   std::vector<std::string> keys = {}) {
    std::sort(keys.begin(), keys.end());
    objects_[Key{resource, std::move(ns), std::move(name)}] = std::move(keys);
    return *this;
  }
  // From now on, lookups of `resource` that are not among the objects answer kUnknown.
  FakeCluster& set_unknown(cluster::Resource resource, std::string reason) {
    unknown_[resource] = std::move(reason);
    return *this;
  }
  // Adds a Node by name and labels (its capability is read here, as the store does).
  FakeCluster& add_node(cluster::NodeInfo node) {
    nodes_.push_back(cluster::make_node(std::move(node.name), std::move(node.labels)));
    return *this;
  }

  cluster::Lookup find(cluster::Resource resource, std::string_view ns, std::string_view name,
                       std::vector<std::string>* keys = nullptr) const override {
    ++finds_;
    if (keys != nullptr) ++key_requests_;
    auto it = objects_.find(Key{resource, std::string(ns), std::string(name)});
    if (it != objects_.end()) {
      if (keys != nullptr) *keys = it->second;
      return cluster::Lookup::kFound;
    }
    return unknown_.contains(resource) ? cluster::Lookup::kUnknown : cluster::Lookup::kNotFound;
  }
  std::string unknown_reason(cluster::Resource resource) const override {
    auto it = unknown_.find(resource);
    return it != unknown_.end() ? it->second : "synced";
  }
  cluster::NodeList nodes() const override {
    return std::make_shared<const std::vector<cluster::NodePtr>>(nodes_);
  }

  // How many find() calls were made, and how many of them asked for key names.
  std::size_t finds() const { return finds_; }
  std::size_t key_requests() const { return key_requests_; }

 private:
  using Key = std::tuple<cluster::Resource, std::string, std::string>;
  std::map<Key, std::vector<std::string>> objects_;
  std::map<cluster::Resource, std::string> unknown_;
  std::vector<cluster::NodePtr> nodes_;
  mutable std::size_t finds_ = 0;
  mutable std::size_t key_requests_ = 0;
};

// ---- Workload view builders ----

inline std::string_view container_list(Container::Type type) {
  switch (type) {
    case Container::Type::kApp:
      return "containers";
    case Container::Type::kInit:
      return "initContainers";
    case Container::Type::kEphemeral:
      return "ephemeralContainers";
  }
  return "containers";
}

// A container at `index` of its list in spec.template.spec; env/envFrom entries get their
// paths in the order they are added.
class ContainerBuilder {
 public:
  explicit ContainerBuilder(std::string name, Container::Type type = Container::Type::kApp,
                            int index = 0) {
    c_.type = type;
    c_.name = kept(std::move(name));
    c_.image = "registry.example.com/llm/server:1.0";
    c_.path = PartPath("spec.template.spec").at(container_list(type), index);
  }

  ContainerBuilder& value(std::string var, std::string value) {
    EnvVar& e = next_env(std::move(var));
    e.value = kept(std::move(value));
    return *this;
  }
  ContainerBuilder& secret_key(std::string var, std::string secret, std::string key,
                               bool optional = false) {
    return key_ref(EnvVar::Source::kSecretKeyRef, std::move(var), std::move(secret), std::move(key),
                   optional);
  }
  ContainerBuilder& configmap_key(std::string var, std::string configmap, std::string key,
                                  bool optional = false) {
    return key_ref(EnvVar::Source::kConfigMapKeyRef, std::move(var), std::move(configmap),
                   std::move(key), optional);
  }
  ContainerBuilder& env_from(EnvFromSource::Kind kind, std::string name, bool optional = false,
                             std::string prefix = "") {
    EnvFromSource s;
    s.kind = kind;
    s.name = kept(std::move(name));
    s.prefix = kept(std::move(prefix));
    s.optional = optional;
    s.path = c_.path.at("envFrom", c_.env_from.size());
    c_.env_from.push_back(std::move(s));
    return *this;
  }

  operator Container() const { return c_; }  // NOLINT: implicit by design, for tables

 private:
  EnvVar& next_env(std::string var) {
    EnvVar& e = c_.env.emplace_back();
    e.name = kept(std::move(var));
    e.path = c_.path.at("env", c_.env.size() - 1);
    return e;
  }
  ContainerBuilder& key_ref(EnvVar::Source source, std::string var, std::string ref,
                            std::string key, bool optional) {
    EnvVar& e = next_env(std::move(var));
    e.source = source;
    e.ref_name = kept(std::move(ref));
    e.ref_key = kept(std::move(key));
    e.optional = optional;
    return *this;
  }

  Container c_;
};

// volumes[index].secret / .configMap of a volume named `name`.
inline Volume volume(Volume::Kind kind, int index, std::string name, std::string ref,
                     std::vector<std::string> items = {}, bool optional = false) {
  Volume v;
  v.kind = kind;
  v.name = kept(std::move(name));
  v.ref_name = kept(std::move(ref));
  for (std::string& item : items) v.keys.push_back(kept(std::move(item)));
  v.optional = optional;
  v.path = PartPath("spec.template.spec")
               .at("volumes", index)
               .field(kind == Volume::Kind::kSecret ? "secret" : "configMap");
  return v;
}

// volumes[index].projected.sources[source].secret / .configMap.
inline Volume projected(Volume::Kind kind, int index, int source, std::string name, std::string ref,
                        std::vector<std::string> items = {}, bool optional = false) {
  Volume v = volume(kind, index, std::move(name), std::move(ref), std::move(items), optional);
  v.path = PartPath("spec.template.spec")
               .at("volumes", index)
               .at("projected.sources", source)
               .field(kind == Volume::Kind::kSecret ? "secret" : "configMap");
  return v;
}

// Deployment prod/llm-api with these containers and volumes.
inline Workload deployment(std::vector<Container> containers, std::vector<Volume> volumes = {}) {
  Workload w;
  w.kind = WorkloadKind::kDeployment;
  w.kind_name = "Deployment";
  w.namespace_name = "prod";
  w.name = "llm-api";
  w.pod_spec_path = "spec.template.spec";
  w.containers = std::move(containers);
  w.volumes = std::move(volumes);
  return w;
}

// The default policy with cluster_unavailable set to `mode`.
inline policy::Policy with_unavailable(policy::UnavailableMode mode) {
  policy::Policy p = policy::default_policy();
  p.cluster_unavailable = mode;
  return p;
}

// Runs `check` and renders each finding as "<severity>[ unverified]|<format_finding line>", in
// the check's order. Every finding must carry the check's id; `extra` adds per-suite assertions.
inline std::vector<std::string> finding_lines(
    const checks::Check& check, const Workload& w, const cluster::ClusterView* cluster,
    const policy::Policy& p, const std::function<void(const Finding&, const std::string&)>& extra = {}) {
  std::vector<std::string> lines;
  for (const Finding& f : check.run(w, checks::CheckContext{p, cluster})) {
    EXPECT_EQ(f.check, check.id());
    const std::string line = format_finding(f);
    if (extra) extra(f, line);
    lines.push_back(std::string(to_string(f.severity)) + (f.unverified ? " unverified" : "") + "|" +
                    line);
  }
  return lines;
}

}  // namespace preflight::testutil
