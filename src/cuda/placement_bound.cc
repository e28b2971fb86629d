#include "cuda/placement_bound.h"

#include <algorithm>
#include <climits>
#include <optional>

#include "cuda/compute_table.h"
#include "cuda/driver_table.h"
#include "cuda/label_constraint.h"

namespace preflight::cuda {

namespace {

int clamp_int(long long v) {
  return static_cast<int>(std::clamp<long long>(v, INT_MIN / 2, INT_MAX / 2));
}

// The range of the lowest admitted node's value, with what showed its upper end.
template <class Evidence>
struct Range {
  int lo = INT_MIN;
  int hi = INT_MAX;
  Evidence evidence{};
};

CudaEvidence evidence(bool from_selector, CudaEvidence::Kind kind, int value) {
  CudaEvidence e;
  e.from_selector = from_selector;
  e.kind = kind;
  e.value = value;
  return e;
}

constexpr int kBelowTable = 1001;  // "older than CUDA 10.2", the oldest table row

int newest_table_cuda() { return cuda_driver_rows().back().cuda.key(); }

Range<CudaEvidence> driver_range(const Admit& d) {
  Range<CudaEvidence> out;
  if (d.has_set) {
    const int branch = *d.lowest;
    out.evidence = evidence(d.lowest_from_selector, CudaEvidence::Kind::kDriver, branch);
    if (const auto c = max_cuda_for_branch(branch)) {
      out.lo = out.hi = c->key();
    } else if (branch < cuda_driver_rows().front().min_driver.major) {
      out.hi = kBelowTable;
      out.evidence.below_table = true;
    } else {
      out.lo = newest_table_cuda();  // a branch newer than the table
    }
    return out;
  }
  if (d.gt != LLONG_MIN) {
    const auto first = known_branch_at_least(clamp_int(d.gt) + 1);
    out.lo = first ? max_cuda_for_branch(*first)->key() : newest_table_cuda();
  }
  if (d.lt != LLONG_MAX) {
    const int top = clamp_int(d.lt) - 1;
    out.evidence = evidence(false, CudaEvidence::Kind::kDriverBelow, clamp_int(d.lt));
    if (const auto c = max_cuda_for_branch(top)) {
      out.hi = c->key();
    } else if (top < cuda_driver_rows().front().min_driver.major) {
      out.hi = kBelowTable;
      out.evidence.below_table = true;
    }
  }
  return out;
}

// The range of a (major, minor) pair of quantities, `scale` = 100 (CUDA) or 10 (compute).
Range<bool> pair_range(const Admit& major, const Admit& minor, int scale) {
  Range<bool> out;  // evidence: whether the pair came from the nodeSelector
  const int minor_top = scale - 1;
  int minor_lo = 0;
  int minor_hi = minor_top;
  if (minor.has_set) {
    minor_lo = minor_hi = *minor.lowest;
  } else {
    if (minor.gt != LLONG_MIN) minor_lo = std::clamp(clamp_int(minor.gt) + 1, 0, minor_top);
    if (minor.lt != LLONG_MAX) minor_hi = std::clamp(clamp_int(minor.lt) - 1, 0, minor_top);
  }
  if (major.has_set) {
    out.lo = *major.lowest * scale + minor_lo;
    out.hi = *major.lowest * scale + minor_hi;
    out.evidence = major.lowest_from_selector;
    return out;
  }
  if (major.gt != LLONG_MIN) out.lo = (clamp_int(major.gt) + 1) * scale;
  if (major.lt != LLONG_MAX) out.hi = (clamp_int(major.lt) - 1) * scale + minor_top;
  return out;
}

// Calls f(term) for each affinity term, or once with nullptr (the nodeSelector alone).
template <class F>
void for_each_term(const Workload& w, F&& f) {
  if (w.required_node_affinity.empty()) {
    f(static_cast<const NodeSelectorTerm*>(nullptr));
    return;
  }
  for (const NodeSelectorTerm& t : w.required_node_affinity) f(&t);
}

}  // namespace

CudaBound placement_cuda_bound(const Workload& w, CudaVersion need) {
  bool any_term = false;
  bool all_compatible = true;
  std::optional<Range<CudaEvidence>> worst;
  for_each_term(w, [&](const NodeSelectorTerm* term) {
    const Admit d = admit(w, term, NodeProperty::kDriverBranch);
    const Admit rmaj = admit(w, term, NodeProperty::kRuntimeMajor);
    const Admit rmin = admit(w, term, NodeProperty::kRuntimeMinor);
    if (d.empty() || rmaj.empty() || rmin.empty()) return;  // admits no node
    Range<CudaEvidence> r;
    if (d.constrained()) r = driver_range(d);
    if (rmaj.constrained()) {
      const Range<bool> p = pair_range(rmaj, rmin, 100);
      r.lo = std::max(r.lo, p.lo);
      if (p.hi < r.hi) {
        r.hi = p.hi;
        using Kind = CudaEvidence::Kind;
        r.evidence = rmaj.has_set ? evidence(p.evidence, Kind::kCuda, p.hi)
                                  : evidence(false, Kind::kCudaBelow, clamp_int(rmaj.lt) * 100);
        r.evidence.minor_open = !rmin.has_set;
      }
    }
    if (r.lo > r.hi) return;  // contradicting labels: no such node
    any_term = true;
    if (r.lo < need.key()) all_compatible = false;
    if (r.hi < need.key() && (!worst || r.hi < worst->hi)) worst = r;
  });
  CudaBound out;
  if (worst) {
    out.verdict = Verdict::kIncompatible;
    out.evidence = worst->evidence;
    out.evidence.at_most = CudaVersion::from_key(worst->hi);
  } else if (any_term && all_compatible) {
    out.verdict = Verdict::kCompatible;
  }
  return out;
}

ComputeBound placement_compute_bound(const Workload& w, int min_cc) {
  bool any_term = false;
  bool all_compatible = true;
  std::optional<Range<ComputeEvidence>> worst;
  for_each_term(w, [&](const NodeSelectorTerm* term) {
    const Admit cmaj = admit(w, term, NodeProperty::kComputeMajor);
    const Admit cmin = admit(w, term, NodeProperty::kComputeMinor);
    const Admit fam = admit(w, term, NodeProperty::kFamily);
    if (cmaj.empty() || cmin.empty() || fam.empty()) return;
    Range<ComputeEvidence> r;
    if (fam.has_set) {
      const ComputeRange f = *family_compute_range(fam.lowest_text);
      r = {f.lo, f.hi, {fam.lowest_from_selector, fam.lowest_text, f.lo, f.hi}};
    }
    if (cmaj.constrained()) {
      const Range<bool> p = pair_range(cmaj, cmin, 10);
      r.lo = std::max(r.lo, p.lo);
      if (p.hi < r.hi) {
        r.hi = p.hi;
        r.evidence = {p.evidence, {}, p.lo, p.hi};
      }
    }
    if (r.lo > r.hi) return;
    any_term = true;
    if (r.lo < min_cc) all_compatible = false;
    if (r.hi < min_cc && (!worst || r.hi < worst->hi)) worst = r;
  });
  ComputeBound out;
  if (worst) {
    out.verdict = Verdict::kIncompatible;
    out.evidence = worst->evidence;
    out.evidence.lo = std::max({out.evidence.lo, worst->lo, 0});  // 0: open below
    out.evidence.hi = worst->hi;
  } else if (any_term && all_compatible) {
    out.verdict = Verdict::kCompatible;
  }
  return out;
}

}  // namespace preflight::cuda
