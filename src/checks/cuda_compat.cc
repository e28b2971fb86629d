#include "checks/cuda_compat.h"

#include <algorithm>
#include <tuple>

#include "checks/object_ref.h"
#include "cuda/compute_table.h"
#include "cuda/finding_text.h"
#include "cuda/image_ref.h"
#include "cuda/node_capability.h"
#include "cuda/node_match.h"
#include "cuda/placement_bound.h"
#include "cuda/requirement.h"

namespace preflight::checks {

namespace {

using cluster::Lookup;
using cluster::Resource;
using cuda::CudaRequirement;
using cuda::CudaVersion;
using cuda::OldNode;
using cuda::Verdict;

constexpr std::string_view kCheckId = "cuda-compat";
constexpr std::size_t kMaxLine = 255;  // warnings must stay under 256 characters

// The cluster's Nodes, read once per run and only when a check needs them: the shared snapshot
// (capabilities read when each Node arrived) and, per Node, whether the workload selects it.
// That match (nodeSelector and affinity against the labels) is the costly part with thousands
// of Nodes, so it is made only for a Node whose capability matters, and once.
class ClusterNodes {
 public:
  enum class State { kNone, kUnknown, kKnown };

  ClusterNodes(const cluster::ClusterView* cluster, const Workload& w) : cluster_(cluster), w_(w) {}

  State state() {
    load();
    return state_;
  }
  // Sorted by name; empty unless kKnown.
  const std::vector<cluster::NodePtr>& nodes() {
    load();
    return *list_;
  }
  std::string reason() const { return cluster_->unknown_reason(Resource::kNode); }
  // Whether the workload's placement selects nodes()[i].
  bool matches(std::size_t i) {
    signed char& m = matched_[i];
    if (m < 0) m = cuda::node_matches(w_, (*list_)[i]->labels) ? 1 : 0;
    return m == 1;
  }

 private:
  void load() {
    if (loaded_) return;
    loaded_ = true;
    if (cluster_ == nullptr) return;
    if (cluster_->find(Resource::kNode, "", "") == Lookup::kUnknown) {
      state_ = State::kUnknown;
      return;
    }
    state_ = State::kKnown;
    list_ = cluster_->nodes();
    matched_.assign(list_->size(), -1);
  }

  const cluster::ClusterView* cluster_;
  const Workload& w_;
  bool loaded_ = false;
  State state_ = State::kNone;
  cluster::NodeList list_ = cluster::no_nodes();  // held: watch events publish new lists
  std::vector<signed char> matched_;              // per Node: -1 not asked yet, 0 or 1
};

// Where the workload's annotations are: its own, else its pod template's.
std::string annotations_path(const Workload& w) {
  if (w.annotations.contains(cuda::kCudaVersionAnnotation)) return "metadata.annotations";
  const std::string_view spec = w.pod_spec_path;
  if (spec.ends_with(".spec")) {
    return std::string(spec.substr(0, spec.size() - 5)).append(".metadata.annotations");
  }
  return "metadata.annotations";
}

// A short name of the placement for "could not check node ...".
std::string placement_name(const Workload& w) {
  for (const auto& [key, value] : w.node_selector) {
    if (key != "kubernetes.io/os" && key != "kubernetes.io/arch") {
      return std::string(key).append("=").append(value);
    }
  }
  for (const NodeSelectorTerm& t : w.required_node_affinity) {
    for (const NodeSelectorRequirement& r : t.match_expressions) {
      std::string out = std::string(r.key).append(" ").append(r.op);
      for (std::size_t i = 0; i < r.values.size(); ++i)
        out.append(i == 0 ? " " : ",").append(r.values[i]);
      return out;
    }
  }
  return "any GPU node";
}

class Run {
 public:
  Run(const Workload& w, const CheckContext& ctx, std::vector<Finding>& out)
      : w_(w), ctx_(ctx), out_(out), nodes_(ctx.cluster, w) {}

  void run() {
    read_annotation();
    const Container* first_gpu = nullptr;
    for (const Container& c : w_.containers) {
      if (c.type == Container::Type::kEphemeral || !cuda::requests_nvidia_gpu(c)) continue;
      if (first_gpu == nullptr) first_gpu = &c;
      if (const auto req = cuda::cuda_requirement(c, declared_)) check_container(c, *req);
    }
    if (first_gpu != nullptr) check_gpu_node_exists(*first_gpu);
  }

 private:
  void read_annotation() {
    const std::optional<std::string_view> value = w_.annotation(cuda::kCudaVersionAnnotation);
    if (!value) return;
    declared_ = cuda::parse_cuda_version(*value);
    if (declared_) return;
    Finding& f = out_.emplace_back();
    f.check = std::string(kCheckId);
    f.severity = Enforcement::kWarn;
    f.subject = "annotation " + std::string(cuda::kCudaVersionAnnotation);
    f.field_path = annotations_path(w_);
    f.message = "\"" + cuda::quoted(*value) + "\" is not a CUDA version; it is ignored";
    f.fix = "write major.minor, e.g. \"12.4\"";
  }

  void check_container(const Container& c, const CudaRequirement& req) {
    const CudaVersion need = req.version;
    bool needs_cluster = false;
    const cuda::CudaBound spec = cuda::placement_cuda_bound(w_, need);
    if (spec.verdict == Verdict::kIncompatible) {
      add(c, req, Enforcement::kDeny, cuda::placement_cuda_text(need, spec.evidence));
    } else if (spec.verdict == Verdict::kUndecided) {
      if (!cuda::has_placement(w_)) {
        if (!cluster_cuda(c, req) && !gpu_nodes_known()) {
          add(c, req, Enforcement::kWarn, cuda::no_placement_text(need));
        }
      } else if (nodes_.state() == ClusterNodes::State::kUnknown) {
        needs_cluster = true;
      } else {
        cluster_cuda(c, req);
      }
    }
    if (const std::optional<int> min_cc = cuda::min_compute_capability(need.major)) {
      const cuda::ComputeBound cc = cuda::placement_compute_bound(w_, *min_cc);
      if (cc.verdict == Verdict::kIncompatible) {
        add(c, req, Enforcement::kDeny, cuda::placement_compute_text(need, *min_cc, cc.evidence));
      } else if (cc.verdict == Verdict::kUndecided) {
        cluster_compute(c, req, *min_cc);  // unknown Nodes: not worth a "not checked"
      }
    }
    if (needs_cluster) unverified(c, req);
  }

  // Matching Nodes whose driver supports less than the need; reports them. Returns whether any.
  bool cluster_cuda(const Container& c, const CudaRequirement& req) {
    if (nodes_.state() != ClusterNodes::State::kKnown) return false;
    std::vector<OldNode> old;
    const auto& nodes = nodes_.nodes();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const cuda::NodeCapability& cap = nodes[i]->capability;
      if (!cap.cuda || *cap.cuda >= req.version || !nodes_.matches(i)) continue;
      old.push_back({nodes[i]->name, *cap.cuda, cap.driver ? cap.driver->major : 0});
    }
    if (old.empty()) return false;
    std::sort(old.begin(), old.end(), [](const OldNode& a, const OldNode& b) {
      return std::make_tuple(a.cuda.key(), a.name) < std::make_tuple(b.cuda.key(), b.name);
    });
    add(c, req, Enforcement::kDeny, cuda::cluster_cuda_text(req.version, old));
    return true;
  }

  void cluster_compute(const Container& c, const CudaRequirement& req, int min_cc) {
    if (nodes_.state() != ClusterNodes::State::kKnown) return;
    std::vector<OldNode> old;
    const auto& nodes = nodes_.nodes();
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const cuda::NodeCapability& cap = nodes[i]->capability;
      if (!cap.compute || cap.compute->hi >= min_cc || !nodes_.matches(i)) continue;
      old.push_back({nodes[i]->name, {}, 0, cap.compute->lo, cap.compute->hi});
    }
    if (old.empty()) return;
    std::sort(old.begin(), old.end(), [](const OldNode& a, const OldNode& b) {
      return std::tie(a.compute_hi, a.name) < std::tie(b.compute_hi, b.name);
    });
    add(c, req, Enforcement::kDeny, cuda::cluster_compute_text(req.version, min_cc, old));
  }

  // Whether the cluster's Nodes are known and some of them tell their driver's CUDA version.
  bool gpu_nodes_known() {
    if (nodes_.state() != ClusterNodes::State::kKnown) return false;
    const auto& nodes = nodes_.nodes();
    return std::any_of(nodes.begin(), nodes.end(),
                       [](const auto& n) { return n->capability.cuda.has_value(); });
  }

  void check_gpu_node_exists(const Container& c) {
    if (!cuda::has_placement(w_) || cuda::on_provisioned_labels(w_) ||
        nodes_.state() != ClusterNodes::State::kKnown) {
      return;
    }
    const auto& nodes = nodes_.nodes();
    if (nodes.empty()) return;
    const bool gpu_labels = std::any_of(nodes.begin(), nodes.end(),
                                        [](const auto& n) { return n->capability.nvidia_gpu; });
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if ((nodes[i]->capability.nvidia_gpu || !gpu_labels) && nodes_.matches(i)) return;  // fits
    }
    const bool by_selector = !w_.node_selector.empty();
    const cuda::Text text = cuda::no_gpu_node_text(nodes.size());
    Finding& f = out_.emplace_back();
    f.check = std::string(kCheckId);
    f.container = c.name;
    f.subject = by_selector ? "nodeSelector" : "nodeAffinity";
    f.field_path = std::string(w_.pod_spec_path)
                       .append(by_selector ? ".nodeSelector" : ".affinity.nodeAffinity");
    f.message = text.message;
    f.fix = text.fix;
  }

  void unverified(const Container& c, const CudaRequirement& req) {
    const std::optional<Enforcement> severity = unverified_severity(ctx_.policy);
    if (!severity) return;
    Finding& f = start(c, req, *severity);
    describe_unverified(f, Resource::kNode, placement_name(w_), nodes_.reason());
    // Not fitted: the reason varies, and squeezing the image for it would hide what matters.
    f.fix = "retry once the nodes are synced, or pin a driver label";
  }

  void add(const Container& c, const CudaRequirement& req, Enforcement severity, cuda::Text text) {
    Finding& f = start(c, req, severity);
    f.message = std::move(text.message);
    f.fix = std::move(text.fix);
    fit(f, c.image);
  }

  Finding& start(const Container& c, const CudaRequirement& req, Enforcement severity) {
    Finding& f = out_.emplace_back();
    f.check = std::string(kCheckId);
    f.severity = severity;
    f.container = c.name;
    f.subject = c.image.empty() ? std::string("image") : std::string("image ").append(c.image);
    if (req.disabled != nullptr) {
      f.field_path = req.disabled->path.str();
    } else if (req.env != nullptr) {
      f.field_path = req.env->path.str();
    } else if (req.source == cuda::CudaSource::kAnnotation) {
      f.field_path = annotations_path(w_);
    } else {
      f.field_path = c.path.str() + ".image";
    }
    return f;
  }

  // Shortens the image in the subject as much as the line needs to fit a warning.
  static void fit(Finding& f, std::string_view image) {
    const std::size_t size = format_finding(f).size();
    if (size <= kMaxLine || image.empty()) return;
    const std::size_t over = size - kMaxLine;
    f.subject = "image " + cuda::short_image(image, image.size() > over ? image.size() - over : 0);
  }

  const Workload& w_;
  const CheckContext& ctx_;
  std::vector<Finding>& out_;
  ClusterNodes nodes_;
  std::optional<CudaVersion> declared_;
};

class CudaCompat final : public Check {
 public:
  std::string_view id() const override { return kCheckId; }

  std::vector<Finding> run(const Workload& workload, const CheckContext& ctx) const override {
    std::vector<Finding> out;
    if (workload.kind == WorkloadKind::kConfigMap) return out;
    Run(workload, ctx, out).run();
    return out;
  }
};

}  // namespace

std::unique_ptr<Check> make_cuda_compat_check() { return std::make_unique<CudaCompat>(); }

}  // namespace preflight::checks
