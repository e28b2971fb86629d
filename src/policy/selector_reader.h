#pragma once
// Reads a Kubernetes label selector from the policy file (exempt.selectors[i]):
//   matchLabels: {app: legacy}
//   matchExpressions: [{key: tier, operator: In, values: [batch]}]
// Operators In and NotIn need values; Exists and DoesNotExist take none. A selector without
// any requirement (`{}`) is refused: it would match, and so exempt, every workload.
// Internal to the policy loader.

#include <string>

#include "policy/policy.h"
#include "policy/yaml_reader.h"

namespace preflight::policy {

// `item` is the selector node; `list` the list holding it (positions for an empty item).
Status read_label_selector(const YamlReader& reader, const YAML::Node& list, const YAML::Node& item,
                           const std::string& where, LabelSelector& out);

}  // namespace preflight::policy
