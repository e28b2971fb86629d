#pragma once
// POST /validate without the HTTP layer: body in, status and JSON body out, plus the
// per-review log line and metrics. Kept apart from the transport so tests call it directly.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/runtime.h"

namespace preflight::server {

struct HttpReply {
  int status = 200;
  std::string body;
};

// How long a review may wait for a late object: secret_timeout, capped below the API
// server's timeout for the call.
std::chrono::milliseconds wait_budget(std::chrono::milliseconds secret_timeout,
                                      std::chrono::milliseconds api_timeout);

// One-line JSON error body: {"error":"..."}.
std::string json_error(std::string_view message);

// A review whose first decision may change once a referenced Secret/ConfigMap/ServiceAccount
// appears (policy secret_timeout): decided again as the cluster changes, answered as soon as it
// no longer waits, or with its last decision when its wait budget is spent.
class WaitingReview {
 public:
  using Clock = std::chrono::steady_clock;
  struct State;
  explicit WaitingReview(std::unique_ptr<State> state);
  ~WaitingReview();

  // The cluster generation the current decision saw, and when the answer is due.
  std::uint64_t generation() const;
  Clock::time_point deadline() const;
  // Decides again if the cluster moved past generation(); the reply once the decision no longer
  // waits or `now` is past the deadline, else nothing.
  std::optional<HttpReply> retry(Clock::time_point now);

 private:
  HttpReply finish();
  std::unique_ptr<State> state_;
};

// The first decision, without waiting: `reply` is set, or `waiting` is (the review then waits
// for the cluster: ReviewWaiter, review_waiter.h). `timeout` is the API server's ?timeout= for
// this call (0 = not given): a waiting review always answers before it.
struct Validation {
  std::optional<HttpReply> reply;
  std::unique_ptr<WaitingReview> waiting;
};
Validation start_validate(std::string_view body, std::chrono::milliseconds timeout, Runtime& runtime);

// start_validate, then waits on this thread until the answer is final (tests, `preflight check`
// callers that may block).
HttpReply handle_validate(std::string_view body, std::chrono::milliseconds timeout, Runtime& runtime);

}  // namespace preflight::server
