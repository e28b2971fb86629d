#include "cli/serve_command.h"

#include <csignal>
#include <iostream>
#include <thread>

#include "audit/background_audit.h"
#include "cli/args.h"
#include "log/log.h"
#include "cluster/cluster_source.h"
#include "cluster/kubeconfig.h"
#include "metrics/preflight_metrics.h"
#include "metrics/process_metrics.h"
#include "metrics/registry.h"
#include "policy/policy.h"
#include "server/certificate_store.h"
#include "server/file_watcher.h"
#include "server/https_server.h"
#include "server/key_permissions.h"
#include "server/runtime.h"

namespace preflight::cli {

namespace {

constexpr const char* kUsage =
    "usage: preflight serve --tls-cert FILE --tls-key FILE [--listen ADDR:PORT]\n"
    "                       [--metrics-listen ADDR:PORT] [--config FILE] [--log-level LEVEL]\n"
    "                       [--cluster-snapshot FILE | --kubeconfig FILE]\n";

int usage_error(const std::string& message) {
  std::cerr << "preflight serve: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int run_serve(const std::vector<std::string>& argv) {
  FlagSpec spec{{"listen", "metrics-listen", "tls-cert", "tls-key", "config", "log-level",
                 "cluster-snapshot", "kubeconfig", "reload-interval"},
                {"help"},
                {{"-h", "help"}}};
  Result<Args> args = parse_args(argv, spec);
  if (!args.ok()) return usage_error(args.error());
  if (args->has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!args->positional.empty()) return usage_error("unexpected argument " + args->positional[0]);
  if (!log::init(args->get("log-level", "info"))) {
    return usage_error("--log-level must be debug, info, warn or error");
  }

  server::ServeOptions options;
  for (auto [flag, target] : {std::pair{"listen", &options.listen},
                              std::pair{"metrics-listen", &options.metrics_listen}}) {
    if (args->has(flag)) {
      auto hp = server::parse_host_port(args->get(flag));
      if (!hp.ok()) return usage_error("--" + std::string(flag) + ": " + hp.error());
      *target = *hp;
    }
  }
  auto reload_interval = policy::parse_duration(args->get("reload-interval", "2s"));
  if (!reload_interval.ok() || reload_interval->count() <= 0) {
    return usage_error("--reload-interval must be a positive duration");
  }
  const std::string cert = args->get("tls-cert");
  const std::string key = args->get("tls-key");
  if (cert.empty() || key.empty()) return usage_error("--tls-cert and --tls-key are required");

  const std::string config = args->get("config");
  std::shared_ptr<const policy::Policy> policy;
  if (config.empty()) {
    policy = std::make_shared<const policy::Policy>(policy::default_policy());
  } else {
    auto loaded = policy::load_policy_file(config);
    if (!loaded.ok()) {
      std::cerr << "preflight serve: " << loaded.error() << "\n";
      return 2;
    }
    policy = std::make_shared<const policy::Policy>(std::move(loaded.value()));
  }

  if (auto r = server::check_private_key_permissions(key, server::current_identity()); !r.ok()) {
    std::cerr << "preflight serve: " << r.error() << "\n";
    return 2;
  } else if (!r->empty()) {
    log::warn(*r);
  }
  server::CertificateStore certs(cert, key);
  if (auto r = certs.reload(); !r.ok()) {
    std::cerr << "preflight serve: " << r.error() << "\n";
    return 2;
  }

  metrics::Registry registry;
  metrics::PreflightMetrics m(registry, policy->metrics_max_namespaces);
  metrics::register_process_metrics(registry);
  registry.add_collector([&] { m.tls_certificate_expiry.labels({}).set(certs.expiry_unix_seconds()); });

  // Cluster state: a snapshot file, a kubeconfig, or the pod's service account.
  std::unique_ptr<cluster::ClusterSource> cluster;
  const std::string snapshot = args->get("cluster-snapshot");
  const std::string kubeconfig = args->get("kubeconfig");
  if (!snapshot.empty() && !kubeconfig.empty()) {
    return usage_error("give --cluster-snapshot or --kubeconfig, not both");
  }
  if (!snapshot.empty()) {
    auto source = cluster::ClusterSource::from_snapshot(snapshot);
    if (!source.ok()) {
      std::cerr << "preflight serve: " << source.error() << "\n";
      return 2;
    }
    cluster = std::move(source.value());
  } else {
    auto config = kubeconfig.empty() ? cluster::in_cluster_config() : cluster::load_kubeconfig(kubeconfig);
    if (!config.ok()) {
      std::cerr << "preflight serve: " << config.error() << "\n"
                << (kubeconfig.empty() ? "(not in a cluster? give --cluster-snapshot FILE or --kubeconfig FILE)\n" : "");
      return 2;
    }
    // The workload caches feed only the background audit: not watched when it is disabled.
    std::vector<cluster::WorkloadResource> workloads;
    if (policy->audit_interval.count() > 0) {
      workloads.assign(std::begin(cluster::kServeWorkloadResources),
                       std::end(cluster::kServeWorkloadResources));
    }
    cluster = cluster::ClusterSource::from_api(
        std::move(config.value()), [&m](std::string_view verb, std::string_view resource, int code) {
          m.kube_api_requests.labels({verb, resource, std::to_string(code)}).inc();
        }, std::move(workloads));
  }
  registry.add_collector([&] {
    for (cluster::Resource r : cluster::kAllResources) {
      std::string_view name = cluster::to_string(r);
      m.cluster_cache_synced.labels({name}).set(cluster->store().synced(r) ? 1 : 0);
      m.cluster_cache_objects.labels({name}).set(static_cast<double>(cluster->store().size(r)));
    }
    for (cluster::WorkloadResource r : cluster->workloads().tracked()) {
      std::string_view name = cluster::to_string(r);
      m.cluster_cache_synced.labels({name}).set(cluster->workloads().synced(r) ? 1 : 0);
      m.cluster_cache_objects.labels({name}).set(static_cast<double>(cluster->workloads().size(r)));
    }
  });

  // Block the shutdown signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  server::Runtime runtime(policy, cluster.get(), certs, m);
  audit::BackgroundAudit background_audit([&runtime] { return runtime.policy(); },
                                          cluster->workloads(), &cluster->store());
  registry.add_collector([&] { background_audit.export_to(m.audit_findings); });
  server::HttpsServer https(options, runtime, registry);
  if (auto r = https.bind(); !r.ok()) {
    log::error("cannot start", {{"error", r.error()}});
    return 1;
  }

  server::FileWatcher watcher(*reload_interval);
  watcher.watch({cert, key}, [&] {
    auto r = certs.reload();
    if (r.ok()) {
      log::info("TLS certificate reloaded", {{"cert", cert}, {"not_after", certs.expiry_unix_seconds()}});
    } else {
      log::error("TLS certificate reload failed; keeping the previous one", {{"error", r.error()}});
    }
  });
  if (!config.empty()) {
    watcher.watch({config}, [&] {
      auto loaded = policy::load_policy_file(config);
      if (loaded.ok()) {
        runtime.set_policy(std::make_shared<const policy::Policy>(std::move(loaded.value())));
        m.policy_reloads.labels({"success"}).inc();
        log::info("policy reloaded", {{"config", config}});
      } else {
        m.policy_reloads.labels({"failure"}).inc();
        log::error("policy reload failed; keeping the last good policy", {{"error", loaded.error()}});
      }
    });
  }
  watcher.start();
  cluster->start();
  background_audit.start();

  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    log::info("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    runtime.begin_shutdown();
    https.stop();
  });

  log::info("serving", {{"listen", options.listen.host + ":" + std::to_string(options.listen.port)},
                        {"metrics_listen", options.metrics_listen.host + ":" +
                                               std::to_string(options.metrics_listen.port)},
                        {"config", config.empty() ? "built-in defaults" : config}});
  log::info("cluster state", {{"source", cluster->description()}});
  https.run();
  // run() also returns if a listener fails; make sure the signal thread can finish.
  if (!runtime.not_ready_reason().starts_with("shutting down")) {
    log::error("listener stopped unexpectedly");
    pthread_kill(signal_thread.native_handle(), SIGTERM);
  }
  signal_thread.join();
  background_audit.stop();
  cluster->stop();
  log::info("stopped");
  return 0;
}

}  // namespace preflight::cli
