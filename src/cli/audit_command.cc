#include "cli/audit_command.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ostream>
#include <thread>

#include "audit/audit.h"
#include "cli/args.h"
#include "cli/report.h"
#include "cluster/cluster_source.h"
#include "log/log.h"
#include "policy/policy.h"

namespace preflight::cli {

namespace {

constexpr const char* kUsage =
    "usage: preflight audit [--cluster-snapshot FILE | --kubeconfig FILE] [--config FILE]\n"
    "                       [-o text|json|sarif] [--strict] [--log-level LEVEL]\n"
    "  Without --cluster-snapshot or --kubeconfig, uses the in-cluster service account.\n";

constexpr auto kListTimeout = std::chrono::seconds(120);

// One progress line on a terminal, rewritten in place; nothing otherwise.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool enabled) : err_(err), enabled_(enabled) {}
  ~ProgressLine() { clear(); }
  void show(const std::string& text) {
    if (!enabled_) return;
    err_ << "\r\033[K" << text << std::flush;
    shown_ = true;
  }
  void clear() {
    if (shown_) err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  std::ostream& err_;
  bool enabled_;
  bool shown_ = false;
};

Result<std::unique_ptr<cluster::ClusterSource>> open_cluster(const Args& args, ProgressLine& progress) {
  if (std::string path = args.get("cluster-snapshot"); !path.empty()) {
    progress.show("preflight audit: reading " + path);
    return cluster::ClusterSource::from_snapshot(path);
  }
  const std::string kubeconfig = args.get("kubeconfig");
  auto config = kubeconfig.empty() ? cluster::in_cluster_config() : cluster::load_kubeconfig(kubeconfig);
  if (!config.ok()) {
    return make_error(config.error() +
                      (kubeconfig.empty() ? " (not in a cluster? give --cluster-snapshot FILE or "
                                            "--kubeconfig FILE)"
                                          : ""));
  }
  std::signal(SIGPIPE, SIG_IGN);
  cluster::ReflectorOptions list_once;
  list_once.watch = false;
  auto source = cluster::ClusterSource::from_api(
      std::move(config.value()), nullptr,
      {std::begin(cluster::kAllWorkloadResources), std::end(cluster::kAllWorkloadResources)},
      list_once);
  source->start();
  const auto started = std::chrono::steady_clock::now();
  std::string why = "not listed yet";
  while (std::chrono::steady_clock::now() - started < kListTimeout) {
    why = source->not_ready_reason();
    std::string workloads = source->workloads().not_synced_reason();
    if (why.empty() && workloads.empty()) break;
    if (why.empty()) why = workloads;
    std::size_t listed = 0;
    for (cluster::WorkloadResource r : source->workloads().tracked()) listed += source->workloads().size(r);
    progress.show("preflight audit: listing the cluster (" + std::to_string(listed) + " workloads so far)");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!source->not_ready_reason().empty() || !source->workloads().not_synced_reason().empty()) {
    return make_error("cluster state not available after " + std::to_string(kListTimeout.count()) +
                      "s: " + why);
  }
  source->stop();
  return source;
}

}  // namespace

int run_audit(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  FlagSpec spec{{"config", "output", "log-level", "cluster-snapshot", "kubeconfig"},
                {"strict", "help"},
                {{"-o", "output"}, {"-h", "help"}}};
  Result<Args> args = parse_args(argv, spec);
  if (!args.ok()) {
    err << "preflight audit: " << args.error() << "\n" << kUsage;
    return 2;
  }
  if (args->has("help")) {
    out << kUsage;
    return 0;
  }
  const std::string format = args->get("output", "text");
  std::string usage_problem;
  if (!args->positional.empty()) usage_problem = "unexpected argument " + args->positional[0];
  if (format != "text" && format != "json" && format != "sarif") {
    usage_problem = "-o must be text, json or sarif";
  }
  if (args->has("cluster-snapshot") && args->has("kubeconfig")) {
    usage_problem = "give --cluster-snapshot or --kubeconfig, not both";
  }
  if (!usage_problem.empty()) {
    err << "preflight audit: " << usage_problem << "\n" << kUsage;
    return 2;
  }
  if (!log::init(args->get("log-level", "warn"))) {
    err << "preflight audit: --log-level must be debug, info, warn or error\n" << kUsage;
    return 2;
  }
  policy::Policy policy = policy::default_policy();
  if (std::string config = args->get("config"); !config.empty()) {
    auto loaded = policy::load_policy_file(config);
    if (!loaded.ok()) {
      err << "preflight audit: " << loaded.error() << "\n";
      return 2;
    }
    policy = std::move(loaded.value());
  }
  // As in `check`: a reference that cannot be resolved is "not checked", never a failure.
  policy.cluster_unavailable = policy::UnavailableMode::kWarn;

  ProgressLine progress(err, isatty(STDERR_FILENO) != 0);
  auto cluster = open_cluster(*args, progress);
  progress.clear();
  if (!cluster.ok()) {
    err << "preflight audit: " << cluster.error() << "\n";
    return 2;
  }
  const cluster::ClusterSource& source = *cluster.value();

  std::vector<cluster::WorkloadStore::Entry> workloads = source.workloads().snapshot();
  checks::CheckContext ctx{policy, &source.store()};
  audit::AuditResult result = audit::run_audit(
      workloads, checks::all_checks(), ctx, [&](std::size_t done, std::size_t total) {
        progress.show("preflight audit: checked " + std::to_string(done) + "/" +
                      std::to_string(total) + " workloads");
      });
  progress.clear();

  Report report;
  report.scope = source.description();
  report.objects = static_cast<int>(result.workloads);
  report.errors = source.workload_problems();
  report.notices = std::move(result.notices);
  if (workloads.empty()) {
    report.notices.push_back(
        "no workloads found; a snapshot for audit lists them too: kubectl get secrets,configmaps,"
        "serviceaccounts,nodes,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,pods "
        "-A -o yaml");
  }
  for (audit::AuditedFinding& af : result.findings) {
    LocatedFinding lf;
    lf.workload = std::move(af.workload);
    lf.namespace_name = std::move(af.namespace_name);
    lf.finding = std::move(af.finding);
    report.findings.push_back(std::move(lf));
  }

  if (format == "json") {
    write_json(report, out);
  } else if (format == "sarif") {
    write_sarif(report, out);
  } else {
    const bool color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    write_text(report, policy, color, out);
  }
  if (!report.errors.empty()) return 2;
  for (const LocatedFinding& lf : report.findings) {
    if (lf.finding.unverified) continue;
    if (lf.finding.severity == Enforcement::kDeny) return 1;
    if (args->has("strict")) return 1;
  }
  return 0;
}

}  // namespace preflight::cli
