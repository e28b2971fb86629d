#pragma once
// POST /validate without the HTTP library: body in, status and JSON body out, plus the
// per-review log line and metrics. Kept apart from cpp-httplib so tests call it directly.

#include <string>
#include <string_view>

#include "server/runtime.h"

namespace preflight::server {

struct HttpReply {
  int status = 200;
  std::string body;
};

// One-line JSON error body: {"error":"..."}.
std::string json_error(std::string_view message);

HttpReply handle_validate(std::string_view body, Runtime& runtime);

}  // namespace preflight::server
