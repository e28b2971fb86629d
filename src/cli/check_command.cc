#include "cli/check_command.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "admission/evaluate.h"
#include "cli/args.h"
#include "cli/manifests.h"
#include "cli/report.h"
#include "policy/policy.h"

namespace preflight::cli {

namespace {
constexpr const char* kUsage =
    "usage: preflight check -f PATH [-f PATH...] [--config FILE] [-o text|json] [--strict]\n";
}

int run_check(const std::vector<std::string>& argv, std::istream& in, std::ostream& out,
              std::ostream& err) {
  FlagSpec spec{{"filename", "config", "output", "log-level", "cluster-snapshot", "kubeconfig"},
                {"strict", "help"},
                {{"-f", "filename"}, {"-o", "output"}, {"-h", "help"}}};
  Result<Args> args = parse_args(argv, spec);
  if (!args.ok()) {
    err << "preflight check: " << args.error() << "\n" << kUsage;
    return 2;
  }
  if (args->has("help")) {
    out << kUsage;
    return 0;
  }
  std::vector<std::string> paths = args->all("filename");
  paths.insert(paths.end(), args->positional.begin(), args->positional.end());
  const std::string format = args->get("output", "text");
  if (paths.empty() || (format != "text" && format != "json")) {
    err << "preflight check: " << (paths.empty() ? "no input: give -f PATH" : "-o must be text or json")
        << "\n" << kUsage;
    return 2;
  }
  policy::Policy policy = policy::default_policy();
  if (std::string config = args->get("config"); !config.empty()) {
    auto loaded = policy::load_policy_file(config);
    if (!loaded.ok()) {
      err << "preflight check: " << loaded.error() << "\n";
      return 2;
    }
    policy = std::move(loaded.value());
  }

  ManifestSet set = read_manifests(paths, in);
  Report report;
  report.files = set.files;
  report.errors = std::move(set.errors);
  checks::CheckContext ctx{policy, nullptr};
  for (ManifestObject& obj : set.objects) {
    auto kind = kind_for_object(obj.object.value("apiVersion", ""), obj.object.value("kind", ""));
    if (!kind) continue;  // Services, Secrets, ...: not workloads
    Result<Workload> w = workload_from_json(obj.object, *kind);
    if (!w.ok()) {
      report.errors.push_back(obj.file + ":" + std::to_string(obj.line) + ": " + w.error());
      continue;
    }
    if (*kind == WorkloadKind::kConfigMap && !w->labels.contains("preflight.wfgy.io/prompts")) continue;
    ++report.objects;
    admission::Evaluation eval = admission::evaluate(*w, checks::all_checks(), ctx);
    for (std::string& n : eval.notices) report.notices.push_back(std::move(n));
    for (Finding& f : eval.findings) {
      if (f.severity == Enforcement::kDryRun) continue;  // dry-run findings are only counted
      report.findings.push_back({obj.file, obj.line, w->display(), std::move(f)});
    }
  }

  if (format == "json") {
    write_json(report, out);
  } else {
    const bool color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    write_text(report, policy, color, out);
  }
  if (!report.errors.empty()) return 2;
  for (const LocatedFinding& lf : report.findings) {
    if (lf.finding.severity == Enforcement::kDeny) return 1;
    if (args->has("strict")) return 1;
  }
  return 0;
}

}  // namespace preflight::cli
