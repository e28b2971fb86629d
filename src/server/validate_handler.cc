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
  // In key order, as the line was when these were an nlohmann object (tests parse it). One
  // Fields per thread, so a review's line allocates nothing once the buffer has grown.
  thread_local log::Fields fields;
  fields.clear();
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

struct WaitingReview::State {
  Runtime& runtime;
  admission::AdmissionRequest request;
  std::shared_ptr<const policy::Policy> policy;  // the snapshot the review started with
  const cluster::ClusterView* cluster;
  admission::Decision decision;
  Clock::time_point start;
  Clock::time_point deadline;
  std::uint64_t generation;

  void decide() {
    checks::CheckContext ctx{*policy, cluster};
    decision = admission::decide(request, runtime.checks(), ctx);
  }
  HttpReply reply() const {
    HttpReply r{200, admission::encode_review(request.api_version, decision.response)};
    const auto elapsed = Clock::now() - start;
    record(runtime, request, decision, std::chrono::duration<double>(elapsed).count());
    log_review(request, decision,
               std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
    return r;
  }
};

WaitingReview::WaitingReview(std::unique_ptr<State> state) : state_(std::move(state)) {}
WaitingReview::~WaitingReview() = default;
std::uint64_t WaitingReview::generation() const { return state_->generation; }
WaitingReview::Clock::time_point WaitingReview::deadline() const { return state_->deadline; }

std::optional<HttpReply> WaitingReview::retry(Clock::time_point now) {
  State& s = *state_;
  if (const std::uint64_t g = s.cluster->generation(); g > s.generation) {
    s.generation = g;
    s.decide();
    if (!waits_for_cluster(s.decision)) return s.reply();
  }
  if (now >= s.deadline) return s.reply();
  return std::nullopt;
}

Validation start_validate(std::string_view body, std::chrono::milliseconds timeout, Runtime& runtime) {
  const auto start = Clock::now();
  Result<admission::AdmissionRequest> request = admission::decode_review(body);
  if (!request.ok()) {
    runtime.metrics().admission_requests.labels({"invalid", "unknown", "error", "false"}).inc();
    log::warn("bad admission request", {{"error", request.error()}, {"bytes", body.size()}});
    return {HttpReply{400, json_error(request.error())}, nullptr};
  }
  const cluster::ClusterView* cluster = runtime.cluster();
  // On the stack: only a review that waits needs it on the heap.
  WaitingReview::State state{runtime,  std::move(*request), runtime.policy(), cluster, {}, start,
                             start,    cluster != nullptr ? cluster->generation() : 0};
  state.decide();
  // secret_timeout: a referenced object may be created right after the workload (kubectl
  // apply -f dir/): such a review waits for the cluster state to change, off the caller's thread.
  if (cluster == nullptr || !waits_for_cluster(state.decision)) return {state.reply(), nullptr};
  state.deadline = start + wait_budget(state.policy->secret_timeout, timeout);
  if (state.deadline <= start) return {state.reply(), nullptr};
  return {std::nullopt, std::make_unique<WaitingReview>(
                            std::make_unique<WaitingReview::State>(std::move(state)))};
}

HttpReply handle_validate(std::string_view body, std::chrono::milliseconds timeout, Runtime& runtime) {
  Validation v = start_validate(body, timeout, runtime);
  if (v.reply) return std::move(*v.reply);
  const cluster::ClusterView* cluster = runtime.cluster();
  for (;;) {
    cluster->wait_for_change(v.waiting->generation(), v.waiting->deadline());
    if (auto reply = v.waiting->retry(Clock::now())) return std::move(*reply);
  }
}

}  // namespace preflight::server
