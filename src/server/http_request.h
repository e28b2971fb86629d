#pragma once
// A strict, small HTTP/1.1 request-head parser for the event loop (event_loop.h). It reads what
// kube-apiserver, curl, probes and scrapers send, and refuses the rest with a status:
//
//   request line   METHOD SP /target SP HTTP/1.0|HTTP/1.1 CRLF        else 400; target > limit 414
//   headers        name ":" value CRLF, names case-insensitive        else 400; > limit bytes or
//                  no folded lines, no bare CR or LF                        > 100 fields: 431
//   body framing   Content-Length only (digits; repeated only with   else 400; Transfer-Encoding
//                  the same value); over max_body: 413                      (chunked): 411
//   keep-alive     HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive"
//   Expect         "100-continue" is noted (the loop answers 100 Continue before reading the body)
//
// Every refusal ends the connection: after a bad head the stream cannot be trusted to hold a
// next request. Chunked bodies are refused rather than parsed: the Kubernetes API server, Go's
// client, curl --data and wrk all send Content-Length, and one framing is one less way to
// smuggle a request.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace preflight::server::http {

struct Limits {
  std::size_t max_head_bytes = 16 * 1024;  // request line + headers + blank line
  std::size_t max_target_bytes = 4096;
  std::size_t max_body_bytes = 3 * 1024 * 1024;
};

struct RequestHead {
  std::string method;
  std::string path;   // target before '?'
  std::string query;  // after '?', without it
  int minor_version = 1;
  std::uint64_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
};

struct ParseResult {
  enum class Kind { kIncomplete, kComplete, kError };
  Kind kind = Kind::kIncomplete;
  std::size_t head_bytes = 0;  // kComplete: length of the head, blank line included
  int status = 0;              // kError: the status to answer with (the connection then closes)
  std::string_view message;    // kError: for the JSON error body
};

// Parses the head at the start of `data` into `out`. kIncomplete until the blank line has
// arrived (or a limit is already exceeded).
ParseResult parse_head(std::string_view data, const Limits& limits, RequestHead& out);

// The raw value of `name` in a query string ("a=1&timeout=10s"); false when absent.
bool query_param(std::string_view query, std::string_view name, std::string_view& value);

}  // namespace preflight::server::http
