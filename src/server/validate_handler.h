#pragma once
// POST /validate without the HTTP library: body in, status and JSON body out, plus the
// per-review log line and metrics. Kept apart from cpp-httplib so tests call it directly.

#include <chrono>
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

// `timeout` is the API server's ?timeout= for this call (0 = not given): a review that waits
// for a late Secret/ConfigMap (policy secret_timeout) always answers before it.
HttpReply handle_validate(std::string_view body, std::chrono::milliseconds timeout, Runtime& runtime);

}  // namespace preflight::server
