#include "server/validate_handler.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "admission/decider.h"
#include "log/log.h"

namespace preflight::server {

using Clock = std::chrono::steady_clock;

std::string json_error(std::string_view message) {
  nlohmann::json j = {{"error", message}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

void record(Runtime& rt, const admission::AdmissionRequest& req, const admission::Decision& d,
            double seconds) {
  auto& m = rt.metrics();
  std::string_view kind = d.metric_kind;
  m.admission_requests.labels({kind, req.operation, d.outcome, req.dry_run ? "true" : "false"}).inc();
  m.admission_duration.labels({kind}).observe(seconds);
  for (const Finding& f : d.findings) {
    m.findings.labels({f.check, to_string(f.severity), req.namespace_name}).inc();
  }
  for (const std::string& id : d.overridden) m.overrides.labels({id, req.namespace_name}).inc();
}

void log_review(const admission::AdmissionRequest& req, const admission::Decision& d,
                long long micros) {
  if (!log::enabled(log::Level::kInfo)) return;
  std::vector<std::string> ids;
  ids.reserve(d.findings.size());
  for (const Finding& f : d.findings) {
    ids.push_back(std::string(f.check) + ":" + std::string(to_string(f.severity)));
  }
  // In key order, as the line was when these were an nlohmann object (tests parse it).
  log::Fields fields;
  fields.string("decision", d.outcome)
      .boolean("dry_run", req.dry_run)
      .integer("duration_us", micros)
      .strings("findings", ids)
      .string("kind", d.kind)
      .string("name", req.name)
      .string("namespace", req.namespace_name)
      .string("operation", req.operation);
  if (!d.overridden.empty()) fields.strings("overrides", d.overridden);
  if (!d.skipped.empty()) fields.string("skipped", d.skipped);
  fields.string("uid", req.uid).string("user", req.username);
  log::info("review", fields);
}

}  // namespace

namespace {

bool is_reference_check(std::string_view id) {
  return id == "secret-ref" || id == "configmap-ref" || id == "serviceaccount-ref";
}

// True when the answer may change once a referenced object appears or the cache syncs.
bool waits_for_cluster(const admission::Decision& d) {
  if (d.response.allowed) return false;
  for (const Finding& f : d.findings) {
    if (f.severity == Enforcement::kDeny && is_reference_check(f.check)) return true;
  }
  return false;
}

}  // namespace

std::chrono::milliseconds wait_budget(std::chrono::milliseconds secret_timeout,
                                      std::chrono::milliseconds api_timeout) {
  using std::chrono::milliseconds;
  // The API server gives the webhook `timeout` in all (10s when it does not say); keep a
  // second, or a fifth of a short timeout, for the answer to travel back.
  milliseconds total = api_timeout.count() > 0 ? api_timeout : milliseconds(10000);
  milliseconds margin = std::min(milliseconds(1000), total / 5);
  return std::clamp(secret_timeout, milliseconds(0), total - margin);
}

HttpReply handle_validate(std::string_view body, std::chrono::milliseconds timeout, Runtime& runtime) {
  const auto start = Clock::now();
  Result<admission::AdmissionRequest> request = admission::decode_review(body);
  if (!request.ok()) {
    runtime.metrics().admission_requests.labels({"invalid", "unknown", "error", "false"}).inc();
    log::warn("bad admission request", {{"error", request.error()}, {"bytes", body.size()}});
    return {400, json_error(request.error())};
  }
  auto policy = runtime.policy();
  const cluster::ClusterView* cluster = runtime.cluster();
  checks::CheckContext ctx{*policy, cluster};
  std::uint64_t generation = cluster != nullptr ? cluster->generation() : 0;
  admission::Decision decision = admission::decide(*request, runtime.checks(), ctx);
  // secret_timeout: a referenced object may be created right after the workload (kubectl
  // apply -f dir/). Wait for the cluster state to change, then decide again; other reviews run
  // on other workers meanwhile.
  if (cluster != nullptr && waits_for_cluster(decision)) {
    const auto deadline = start + wait_budget(policy->secret_timeout, timeout);
    while (Clock::now() < deadline && cluster->wait_for_change(generation, deadline)) {
      generation = cluster->generation();
      decision = admission::decide(*request, runtime.checks(), ctx);
      if (!waits_for_cluster(decision)) break;
    }
  }
  HttpReply reply{200, admission::encode_review(request->api_version, decision.response)};

  const auto elapsed = Clock::now() - start;
  record(runtime, *request, decision, std::chrono::duration<double>(elapsed).count());
  log_review(*request, decision,
             std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  return reply;
}

}  // namespace preflight::server
