#include "cuda/finding_text.h"

#include "cuda/compute_table.h"
#include "cuda/driver_table.h"

namespace preflight::cuda {

namespace {

constexpr std::size_t kMaxQuoted = 40;

std::string_view where(bool from_selector) { return from_selector ? "nodeSelector" : "affinity"; }

std::string cuda_or_open(CudaVersion v, bool minor_open) {
  return minor_open ? std::to_string(v.major) + ".x" : major_minor(v);
}

// "gpu-a100-1" / "gpu-a100-1 (+3)": the lowest node and how many more.
std::string node_names(const std::vector<OldNode>& old) {
  std::string out = quoted(old[0].name);
  if (old.size() > 1) out.append(" (+").append(std::to_string(old.size() - 1)).append(")");
  return out;
}

std::string cc_range(int lo, int hi) {
  if (lo == hi) return compute_to_string(lo);
  if (lo <= 0) return "at most " + compute_to_string(hi);
  return compute_to_string(lo) + "-" + compute_to_string(hi);
}

std::string compute_fix(CudaVersion need, int min_cc) {
  std::string fix = "use a CUDA " + std::to_string(need.major - 1) + ".x image or ";
  const std::string_view arch = architecture_from(min_cc);
  if (arch == "newer") return fix.append("newer GPUs");
  return fix.append(arch).append("+ GPUs");
}

}  // namespace

std::string quoted(std::string_view text) {
  if (text.size() <= kMaxQuoted) return std::string(text);
  return std::string(text.substr(0, kMaxQuoted)).append("...");
}

std::string needs_cuda(CudaVersion need) {
  std::string out = "needs CUDA " + major_minor(need);
  if (const auto driver = min_driver_for(need))
    out.append(" (driver >= ").append(to_string(*driver)).append(")");
  return out;
}

Text placement_cuda_text(CudaVersion need, const CudaEvidence& e) {
  Text t;
  t.message = needs_cuda(need).append(" but ").append(where(e.from_selector));
  const std::string at_most =
      e.below_table ? std::string("CUDA < 10.2") : "CUDA <= " + major_minor(e.at_most);
  using Kind = CudaEvidence::Kind;
  switch (e.kind) {
    case Kind::kDriver:
      t.message.append(" driver ").append(std::to_string(e.value)).append(" has ").append(at_most);
      t.fix = e.below_table
                  ? std::string("use newer nodes")
                  : "use a " + std::to_string(e.value) + "-compatible image or newer nodes";
      return t;
    case Kind::kDriverBelow:
      t.message.append(" driver < ")
          .append(std::to_string(e.value))
          .append(" has ")
          .append(at_most);
      break;
    case Kind::kCuda:
      t.message.append(" pins CUDA ").append(cuda_or_open(e.at_most, e.minor_open));
      break;
    case Kind::kCudaBelow:
      t.message.append(" allows only CUDA < ").append(std::to_string(e.value / 100));
      break;
  }
  t.fix = e.below_table
              ? std::string("use newer nodes")
              : "use a CUDA " + cuda_or_open(e.at_most, e.minor_open) + " image or newer nodes";
  return t;
}

Text cluster_cuda_text(CudaVersion need, const std::vector<OldNode>& old) {
  Text t;
  const OldNode& lowest = old.front();
  const CudaVersion highest = old.back().cuda;
  t.message = needs_cuda(need);
  if (old.size() == 1) {
    t.message.append(" but cluster node ").append(node_names(old)).append(" has CUDA ");
  } else {
    t.message.append(" but cluster nodes ").append(node_names(old)).append(" have CUDA ");
  }
  t.message.append(major_minor(lowest.cuda));
  if (highest != lowest.cuda) t.message.append("-").append(major_minor(highest));
  t.fix = lowest.branch > 0 ? "use a " + std::to_string(lowest.branch) + "-compatible image"
                            : "use a CUDA " + major_minor(lowest.cuda) + " image";
  t.fix.append(" or newer nodes");
  return t;
}

Text no_placement_text(CudaVersion need) {
  return {needs_cuda(need) + " but may land on any GPU node",
          "pin nodes by nvidia.com/cuda.driver-version.major or a pool"};
}

Text placement_compute_text(CudaVersion need, int min_cc, const ComputeEvidence& e) {
  Text t;
  t.message = "CUDA " + major_minor(need) +
              " needs compute capability >= " + compute_to_string(min_cc) + " but " +
              std::string(where(e.from_selector)) + " gives ";
  if (!e.family.empty()) {
    t.message.append(quoted(e.family)).append(" (").append(cc_range(e.lo, e.hi)).append(")");
  } else {
    t.message.append(cc_range(e.lo, e.hi));
  }
  t.fix = compute_fix(need, min_cc);
  return t;
}

Text cluster_compute_text(CudaVersion need, int min_cc, const std::vector<OldNode>& old) {
  Text t;
  t.message =
      "CUDA " + major_minor(need) + " needs compute capability >= " + compute_to_string(min_cc);
  const int lo = old.front().compute_lo;
  const int hi = old.back().compute_hi;
  if (old.size() == 1) {
    t.message.append(" but cluster node ").append(node_names(old)).append(" has ");
  } else {
    t.message.append(" but cluster nodes ").append(node_names(old)).append(" have ");
  }
  t.message.append(cc_range(lo, hi));
  t.fix = compute_fix(need, min_cc);
  return t;
}

Text no_gpu_node_text(std::size_t total) {
  return {"asks for nvidia.com/gpu but no GPU node matches (" + std::to_string(total) +
              (total == 1 ? " node in the cluster)" : " nodes in the cluster)"),
          "fix the labels or add a matching GPU node pool"};
}

}  // namespace preflight::cuda
