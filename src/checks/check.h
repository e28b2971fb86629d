#pragma once
// The check interface. A check is a pure unit: it reads the immutable workload view, the
// policy and a read-only cluster view, and returns findings. No I/O, no clock, no globals,
// and a violation is data, never an exception.

#include <memory>
#include <string_view>
#include <vector>

#include "checks/finding.h"
#include "cluster/cluster_view.h"
#include "policy/policy.h"
#include "workload/workload.h"

namespace preflight::checks {

struct CheckContext {
  const policy::Policy& policy;
  // May be null (no cluster state: `preflight check` without a snapshot). A check that needs
  // the cluster then reports nothing it cannot prove.
  const cluster::ClusterView* cluster = nullptr;
  // `preflight check --modelcard FILE`: the model card of every workload checked, instead of
  // the ConfigMap named by preflight.wfgy.io/modelcard (version-skew). Null otherwise.
  const cluster::ModelCard* model_card = nullptr;
};

class Check {
 public:
  virtual ~Check() = default;
  virtual std::string_view id() const = 0;
  virtual std::vector<Finding> run(const Workload& workload, const CheckContext& ctx) const = 0;
};

// Every check, in id order. Aborts at start-up if two share an id.
const std::vector<std::unique_ptr<Check>>& all_checks();

// Known check ids (for validating policy files and the skip annotation).
const std::vector<std::string_view>& known_check_ids();

}  // namespace preflight::checks
