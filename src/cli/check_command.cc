#include "cli/check_command.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <thread>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

#include "admission/evaluate.h"
#include "cluster/cluster_source.h"
#include "cluster/cluster_store.h"
#include "cluster/layered_view.h"
#include "cli/args.h"
#include "cli/manifests.h"
#include "cli/prompt_files.h"
#include "cli/report.h"
#include "cli/source_locator.h"
#include "policy/policy.h"
#include "policy/yaml_reader.h"

namespace preflight::cli {

namespace {
constexpr const char* kUsage =
    "usage: preflight check -f PATH [-f PATH...] [--prompts PATH...] [--config FILE]\n"
    "                       [-o text|json|sarif] [--strict] [--modelcard FILE]\n"
    "                       [--cluster-snapshot FILE | --kubeconfig FILE]\n";
}

int run_check(const std::vector<std::string>& argv, std::istream& in, std::ostream& out,
              std::ostream& err) {
  FlagSpec spec{{"filename", "config", "output", "log-level", "cluster-snapshot", "kubeconfig",
                 "modelcard", "prompts"},
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
  const std::vector<std::string> prompt_paths = args->all("prompts");
  const std::string format = args->get("output", "text");
  if (paths.empty() && prompt_paths.empty()) {
    err << "preflight check: no input: give -f PATH or --prompts PATH\n" << kUsage;
    return 2;
  }
  if (format != "text" && format != "json" && format != "sarif") {
    err << "preflight check: -o must be text, json or sarif\n" << kUsage;
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

  // --modelcard: the model card of every workload checked (version-skew), instead of the
  // ConfigMap their preflight.wfgy.io/modelcard annotation names.
  std::optional<cluster::ModelCard> model_card;
  if (std::string path = args->get("modelcard"); !path.empty()) {
    auto text = policy::read_text_file(path);
    if (!text.ok()) {
      err << "preflight check: " << text.error() << "\n";
      return 2;
    }
    model_card = cluster::parse_model_card_text(*text);
    if (!model_card) {
      err << "preflight check: " << path
          << ": not a model card (a JSON object with a string model_version, tokenizer_sha, cuda"
             " or torch)\n";
      return 2;
    }
  }

  // References resolve against the manifests themselves first, then the snapshot. An
  // unresolvable one is reported as not checked (never as a failure).
  policy.cluster_unavailable = policy::UnavailableMode::kWarn;
  cluster::ClusterStore snapshot;
  std::unique_ptr<cluster::ClusterSource> live;
  const cluster::ClusterView* fallback = nullptr;
  if (std::string path = args->get("cluster-snapshot"); !path.empty()) {
    if (auto r = cluster::load_snapshot_file(snapshot, path); !r.ok()) {
      err << "preflight check: " << r.error() << "\n";
      return 2;
    }
    fallback = &snapshot;
  } else if (std::string kubeconfig = args->get("kubeconfig"); !kubeconfig.empty()) {
    // List the cluster once (the same reflectors as serve), then check against it.
    auto config = cluster::load_kubeconfig(kubeconfig);
    if (!config.ok()) {
      err << "preflight check: " << config.error() << "\n";
      return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    live = cluster::ClusterSource::from_api(std::move(config.value()), nullptr);
    live->start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!live->not_ready_reason().empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (std::string why = live->not_ready_reason(); !why.empty()) {
      err << "preflight check: cluster state not available after 30s: " << why << "\n";
      return 2;
    }
    fallback = &live->store();
  }

  ManifestSet set = paths.empty() ? ManifestSet{} : read_manifests(paths, in);
  cluster::ClusterStore manifests;
  {
    std::array<std::vector<cluster::ObjectEntry>, 4> entries;
    for (const ManifestObject& obj : set.objects) {
      auto resource = cluster::resource_for_kind(obj.object.value("kind", ""));
      if (!resource) continue;
      if (auto e = cluster::entry_from_object(*resource, obj.object); e.ok()) {
        if (e->namespace_name.empty() && *resource != cluster::Resource::kNode) e->namespace_name = "default";
        entries[static_cast<std::size_t>(*resource)].push_back(std::move(e.value()));
      }
    }
    for (cluster::Resource r : cluster::kAllResources) {
      manifests.replace(r, std::move(entries[static_cast<std::size_t>(r)]));
    }
  }
  cluster::LayeredView view(manifests, fallback);

  Report report;
  report.files = set.files;
  report.errors = std::move(set.errors);
  checks::CheckContext ctx{policy, &view, model_card ? &*model_card : nullptr};
  std::map<std::string, SourceLocator, std::less<>> locators;  // parsed only for findings
  const auto locate = [&](const ManifestObject& obj, const Finding& f) -> SourcePosition {
    auto text = set.texts.find(obj.file);
    if (text == set.texts.end()) return {obj.line, 0};
    auto it = locators.find(obj.file);
    if (it == locators.end()) it = locators.emplace(obj.file, SourceLocator(text->second)).first;
    return it->second.locate(obj.line, f.field_path, f.value_offset);
  };
  for (ManifestObject& obj : set.objects) {
    auto kind = kind_for_object(obj.object.value("apiVersion", ""), obj.object.value("kind", ""));
    if (!kind) continue;  // Services, Secrets, ...: not workloads
    Result<Workload> w = workload_from_json(obj.object, *kind);
    if (!w.ok()) {
      report.errors.push_back(obj.file + ":" + std::to_string(obj.line) + ": " + w.error());
      continue;
    }
    if (w->namespace_name.empty()) w->namespace_name = "default";
    if (*kind == WorkloadKind::kConfigMap && w->label("preflight.wfgy.io/prompts") != "true") continue;
    ++report.objects;
    admission::Evaluation eval = admission::evaluate(*w, checks::all_checks(), ctx);
    for (std::string& n : eval.notices) report.notices.push_back(std::move(n));
    for (Finding& f : eval.findings) {
      const SourcePosition at = locate(obj, f);
      report.findings.push_back({obj.file, at.line, at.column, w->display(), std::move(f), {}});
    }
  }
  report.prompt_files = lint_prompt_paths(prompt_paths, policy, report);

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
    if (lf.finding.unverified) continue;  // not checked is not a failure
    if (lf.finding.severity == Enforcement::kDeny) return 1;
    if (lf.finding.severity == Enforcement::kWarn && args->has("strict")) return 1;
  }
  return 0;
}

}  // namespace preflight::cli
