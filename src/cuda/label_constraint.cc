#include "cuda/label_constraint.h"

#include <algorithm>
#include <string>
#include <vector>

#include "cuda/compute_table.h"
#include "cuda/cuda_version.h"
#include "cuda/node_capability.h"
#include "cuda/node_match.h"

namespace preflight::cuda {

namespace {

enum class Op { kIn, kNotIn, kGt, kLt, kOther };

Op op_of(std::string_view op) {
  if (op == "In") return Op::kIn;
  if (op == "NotIn") return Op::kNotIn;
  if (op == "Gt") return Op::kGt;
  if (op == "Lt") return Op::kLt;
  return Op::kOther;  // Exists, DoesNotExist: no bound
}

// One requirement of a term: a nodeSelector entry (In with one value) or a matchExpression.
struct Req {
  std::string_view key;
  Op op = Op::kOther;
  const std::vector<std::string_view>* values = nullptr;  // matchExpression values
  std::string_view single;                           // nodeSelector value
  bool from_selector = false;

  template <class F>
  void for_each_value(F&& f) const {
    if (values == nullptr) {
      f(single);
      return;
    }
    for (const std::string_view v : *values) f(v);
  }
};

template <class F>
void for_each_req(const Workload& w, const NodeSelectorTerm* term, F&& f) {
  for (const auto& [key, value] : w.node_selector) {
    f(Req{key, Op::kIn, nullptr, value, true});
  }
  if (term == nullptr) return;
  for (const NodeSelectorRequirement& r : term->match_expressions) {
    f(Req{r.key, op_of(r.op), &r.values, {}, false});
  }
}

// An integer-valued node property that one or more label keys carry.
struct Quantity {
  std::string_view int_keys[2];  // labels holding the integer itself (Gt/Lt apply)
  std::string_view other_key;    // a label holding it inside a longer value ("535.104.05")
  std::optional<int> (*from_other)(std::string_view);

  bool is_key(std::string_view key) const {
    if (key.empty()) return false;
    return key == int_keys[0] || key == int_keys[1] || (!other_key.empty() && key == other_key);
  }
  bool is_int_key(std::string_view key) const { return key == int_keys[0] || key == int_keys[1]; }
  std::optional<int> value(std::string_view key, std::string_view v) const {
    if (is_int_key(key)) return parse_small_int(v);
    return from_other(v);
  }
};

std::optional<int> driver_branch(std::string_view v) {
  const auto d = parse_driver_version(v);
  return d ? std::optional<int>(d->major) : std::nullopt;
}
std::optional<int> runtime_major(std::string_view v) {
  const auto c = parse_cuda_version(v);
  return c && v.find('.') != std::string_view::npos ? std::optional<int>(c->major) : std::nullopt;
}
std::optional<int> runtime_minor(std::string_view v) {
  const auto c = parse_cuda_version(v);
  return c && v.find('.') != std::string_view::npos ? std::optional<int>(c->minor) : std::nullopt;
}
std::optional<int> none(std::string_view) { return std::nullopt; }
std::optional<int> family_low(std::string_view v) {
  const auto r = family_compute_range(v);
  return r ? std::optional<int>(r->lo) : std::nullopt;
}

constexpr Quantity kDriver{{kDriverMajor, kOldDriverMajor}, kDriverFull, driver_branch};
constexpr Quantity kRtMajor{{kRuntimeMajor, kOldRuntimeMajor}, kRuntimeFull, runtime_major};
constexpr Quantity kRtMinor{{kRuntimeMinor, kOldRuntimeMinor}, kRuntimeFull, runtime_minor};
constexpr Quantity kCcMajor{{kComputeMajor, kComputeMajor}, {}, none};
constexpr Quantity kCcMinor{{kComputeMinor, kComputeMinor}, {}, none};
constexpr Quantity kFamily{{}, kGpuFamily, family_low};

// Whether value `x` of quantity `q` passes requirement `r` (on q's keys).
bool passes(const Quantity& q, const Req& r, int x) {
  if (r.op != Op::kIn && r.op != Op::kNotIn) return true;
  bool listed = false;
  r.for_each_value([&](std::string_view v) { listed = listed || q.value(r.key, v) == x; });
  return r.op == Op::kIn ? listed : !listed;
}

Admit admit_quantity(const Workload& w, const NodeSelectorTerm* term, const Quantity& q) {
  Admit a;
  for_each_req(w, term, [&](const Req& r) {
    if (!q.is_key(r.key)) return;
    if (r.op == Op::kIn) a.has_set = true;
    if ((r.op == Op::kGt || r.op == Op::kLt) && q.is_int_key(r.key) && r.values->size() == 1) {
      const std::optional<long long> bound = parse_k8s_int((*r.values)[0]);
      if (!bound) return;
      if (r.op == Op::kGt) a.gt = std::max(a.gt, *bound);
      if (r.op == Op::kLt) a.lt = std::min(a.lt, *bound);
    }
  });
  if (!a.has_set) return a;
  for_each_req(w, term, [&](const Req& candidate) {
    if (!q.is_key(candidate.key) || candidate.op != Op::kIn) return;
    candidate.for_each_value([&](std::string_view text) {
      const std::optional<int> x = q.value(candidate.key, text);
      if (!x || *x <= a.gt || *x >= a.lt || (a.lowest && *x >= *a.lowest)) return;
      bool ok = true;
      for_each_req(w, term,
                   [&](const Req& r) { ok = ok && (!q.is_key(r.key) || passes(q, r, *x)); });
      if (!ok) return;
      a.lowest = x;
      a.lowest_text = text;
      a.lowest_from_selector = candidate.from_selector;
    });
  });
  return a;
}

const Quantity& quantity(NodeProperty p) {
  switch (p) {
    case NodeProperty::kDriverBranch:
      return kDriver;
    case NodeProperty::kRuntimeMajor:
      return kRtMajor;
    case NodeProperty::kRuntimeMinor:
      return kRtMinor;
    case NodeProperty::kComputeMajor:
      return kCcMajor;
    case NodeProperty::kComputeMinor:
      return kCcMinor;
    case NodeProperty::kFamily:
      return kFamily;
  }
  return kDriver;
}

}  // namespace

Admit admit(const Workload& w, const NodeSelectorTerm* term, NodeProperty property) {
  return admit_quantity(w, term, quantity(property));
}

}  // namespace preflight::cuda
