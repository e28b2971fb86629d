#include "server/http_request.h"

#include <charconv>

namespace preflight::server::http {

namespace {

constexpr std::size_t kMaxFields = 100;

ParseResult error(int status, std::string_view message) {
  return {ParseResult::Kind::kError, 0, status, message};
}

// RFC 9110 5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(token) for each element of a comma-separated list.
template <typename F>
void for_each_token(std::string_view list, F f) {
  while (!list.empty()) {
    auto comma = list.find(',');
    f(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool has_ctl(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

ParseResult parse_request_line(std::string_view line, const Limits& limits, RequestHead& out) {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return error(400, "malformed request line");
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return error(400, "malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) return error(400, "malformed request line");
  if (target.size() > limits.max_target_bytes) return error(414, "URI too long");
  if (target.empty() || target.front() != '/' || has_ctl(target) ||
      target.find(' ') != std::string_view::npos) {
    return error(400, "malformed request target");
  }
  if (version == "HTTP/1.1") {
    out.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    out.minor_version = 0;
  } else {
    return error(400, "unsupported HTTP version");
  }
  out.method.assign(method);
  auto q = target.find('?');
  out.path.assign(target.substr(0, q));
  out.query.assign(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  return {ParseResult::Kind::kComplete, 0, 0, {}};
}

}  // namespace

ParseResult parse_head(std::string_view data, const Limits& limits, RequestHead& out) {
  auto line_end = data.find("\r\n");
  if (line_end == std::string_view::npos) {
    // Method, two spaces and "HTTP/1.1" fit in 32 bytes; a longer line is a long target.
    if (data.size() > limits.max_target_bytes + 32) return error(414, "URI too long");
    if (data.size() > limits.max_head_bytes) return error(431, "request headers too large");
    return {};
  }
  auto end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (data.size() > limits.max_head_bytes) return error(431, "request headers too large");
    // The request line is complete: refuse a bad one without waiting for the headers.
    RequestHead scratch;
    if (ParseResult r = parse_request_line(data.substr(0, line_end), limits, scratch);
        r.kind == ParseResult::Kind::kError) {
      return r;
    }
    return {};
  }
  const std::size_t head_bytes = end + 4;
  if (head_bytes > limits.max_head_bytes) return error(431, "request headers too large");

  out = RequestHead{};
  if (ParseResult r = parse_request_line(data.substr(0, line_end), limits, out);
      r.kind == ParseResult::Kind::kError) {
    return r;
  }

  bool have_length = false, transfer_encoding = false, conn_close = false, conn_keep_alive = false;
  std::size_t fields = 0;
  std::string_view rest = data.substr(line_end + 2, end + 2 - (line_end + 2));
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");  // rest ends with CRLF
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    if (++fields > kMaxFields) return error(431, "too many request headers");
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return error(400, "malformed header line");
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    // No whitespace before the colon (RFC 9112 5.1), no obs-fold, no CR/LF/NUL in a value.
    if (!is_token(name)) return error(400, "malformed header line");
    if (has_ctl(value)) return error(400, "malformed header value");

    if (iequals(name, "Content-Length")) {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) {
        return error(400, "malformed Content-Length");
      }
      std::uint64_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec == std::errc::result_out_of_range) n = UINT64_MAX;  // over any limit: 413
      if (have_length && n != out.content_length) return error(400, "conflicting Content-Length");
      have_length = true;
      out.content_length = n;
    } else if (iequals(name, "Transfer-Encoding")) {
      transfer_encoding = true;
    } else if (iequals(name, "Connection")) {
      for_each_token(value, [&](std::string_view t) {
        conn_close = conn_close || iequals(t, "close");
        conn_keep_alive = conn_keep_alive || iequals(t, "keep-alive");
      });
    } else if (iequals(name, "Expect")) {
      out.expect_continue = iequals(value, "100-continue");
    }
  }
  if (transfer_encoding) {
    if (have_length) return error(400, "both Transfer-Encoding and Content-Length");
    return error(411, "length required");
  }
  if (out.content_length > limits.max_body_bytes) return error(413, "request body too large");
  out.keep_alive = !conn_close && (out.minor_version == 1 || conn_keep_alive);
  return {ParseResult::Kind::kComplete, head_bytes, 0, {}};
}

bool query_param(std::string_view query, std::string_view name, std::string_view& value) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      return true;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
}

}  // namespace preflight::server::http
