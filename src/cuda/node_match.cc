#include "cuda/node_match.h"

#include <algorithm>
#include <limits>

namespace preflight::cuda {

namespace {

bool in_values(const std::vector<std::string_view>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool provisioned(std::string_view key) {
  return key.starts_with("cloud.google.com/") || key.starts_with("karpenter.sh/") ||
         key.starts_with("karpenter.k8s.aws/") || key.starts_with("eks.amazonaws.com/") ||
         key.starts_with("kubernetes.azure.com/") || key == "node.kubernetes.io/instance-type";
}

bool term_matches(const NodeSelectorTerm& term, const LabelMap& labels) {
  for (const NodeSelectorRequirement& r : term.match_expressions) {
    if (!requirement_matches(r, labels)) return false;
  }
  return true;
}

}  // namespace

std::optional<long long> parse_k8s_int(std::string_view text) {
  std::size_t pos = 0;
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    pos = 1;
  }
  if (pos == text.size()) return std::nullopt;
  unsigned long long value = 0;
  constexpr unsigned long long kLimit = std::numeric_limits<long long>::max();
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > kLimit + (negative ? 1 : 0)) return std::nullopt;
  }
  if (negative)
    return value == kLimit + 1 ? std::numeric_limits<long long>::min()
                               : -static_cast<long long>(value);
  return static_cast<long long>(value);
}

bool requirement_matches(const NodeSelectorRequirement& r, const LabelMap& labels) {
  const auto it = labels.find(r.key);
  const bool has = it != labels.end();
  if (r.op == "In") return has && in_values(r.values, it->second);
  if (r.op == "NotIn") return !has || !in_values(r.values, it->second);
  if (r.op == "Exists") return has;
  if (r.op == "DoesNotExist") return !has;
  if (r.op == "Gt" || r.op == "Lt") {
    if (!has || r.values.size() != 1) return false;
    const std::optional<long long> label = parse_k8s_int(it->second);
    const std::optional<long long> bound = parse_k8s_int(r.values[0]);
    if (!label || !bound) return false;
    return r.op == "Gt" ? *label > *bound : *label < *bound;
  }
  return true;  // unknown operator: the API server rejects it; never claim a mismatch
}

bool node_matches(const Workload& w, const LabelMap& labels) {
  for (const auto& [key, value] : w.node_selector) {
    const auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  if (w.required_node_affinity.empty()) return true;
  return std::any_of(w.required_node_affinity.begin(), w.required_node_affinity.end(),
                     [&](const NodeSelectorTerm& t) { return term_matches(t, labels); });
}

bool has_placement(const Workload& w) {
  if (!w.required_node_affinity.empty()) return true;
  return std::any_of(w.node_selector.begin(), w.node_selector.end(), [](const auto& entry) {
    return entry.first != "kubernetes.io/os" && entry.first != "kubernetes.io/arch";
  });
}

bool on_provisioned_labels(const Workload& w) {
  for (const auto& entry : w.node_selector) {
    if (provisioned(entry.first)) return true;
  }
  for (const NodeSelectorTerm& t : w.required_node_affinity) {
    for (const NodeSelectorRequirement& r : t.match_expressions) {
      if (provisioned(r.key)) return true;
    }
  }
  return false;
}

}  // namespace preflight::cuda
