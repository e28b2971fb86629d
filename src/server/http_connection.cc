// One connection's HTTP/1.1, driven by its event loop (event_loop.h): the TLS handshake in
// steps, reads into the connection's buffer, the parse (http_request.h), the route, the answer
// in one write, and the lingering close after an error answer.
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "log/log.h"
#include "server/event_loop_conn.h"
#include "server/validate_handler.h"

namespace preflight::server {

namespace {

constexpr std::size_t kKeepBufferBytes = 64 * 1024;  // larger buffers are freed between requests
constexpr const char* kJson = "application/json; charset=utf-8";

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  out.append(buf, end);
}


}  // namespace

void EventLoop::drive(Conn& c, Clock::time_point now) {
  if (c.fd < 0) return;
  if (c.phase == Phase::kLinger) return linger(c);
  if (c.phase == Phase::kHandshake) {
    const int r = SSL_do_handshake(c.ssl);
    if (r != 1) {
      const int e = SSL_get_error(c.ssl, r);
      if (e == SSL_ERROR_WANT_READ) return watch(c, EPOLLIN);
      if (e == SSL_ERROR_WANT_WRITE) return watch(c, EPOLLOUT);
      ERR_clear_error();
      return close(c);
    }
    c.phase = Phase::kIdle;
    c.idle_since = now;
    c.deadline = now + state_.options.keep_alive;
  }
  bool answered = false;
  for (;;) {
    if (!c.out.empty()) {
      if (!flush(c, now)) return close(c);
      if (!c.out.empty()) return watch(c, EPOLLOUT);
      if (c.close_after_write) {
        if (c.linger_after_write) return linger(c);
        return close(c);
      }
      if (c.phase == Phase::kIdle && c.in.empty() && state_.stopping.load()) return close(c);
    }
    if (c.phase == Phase::kHandling) return watch(c, 0);
    if (process_buffered(c, now)) {
      answered = answered || c.phase == Phase::kIdle;  // kIdle again: an answer is queued
      continue;
    }
    if (c.fd < 0) return;
    // After an answer, with nothing buffered, wait for epoll (level-triggered: bytes that
    // arrived meanwhile wake us at once) instead of a read that would say EAGAIN.
    if (answered && c.in.empty() && (c.ssl == nullptr || SSL_has_pending(c.ssl) == 0)) {
      return watch(c, EPOLLIN);
    }
    const long n = read_some(c);
    if (n < 0) return close(c);
    if (n == 0) return watch(c, c.read_wants_write ? EPOLLIN | EPOLLOUT : EPOLLIN);
    if (c.phase == Phase::kBody) {
      c.deadline = std::min(now + state_.options.read_timeout, c.request_deadline);
    }
  }
}

bool EventLoop::process_buffered(Conn& c, Clock::time_point now) {
  const TransportOptions& o = state_.options;
  if (c.phase == Phase::kIdle || c.phase == Phase::kHead) {
    if (c.in.empty()) return false;
    if (c.phase == Phase::kIdle) {
      c.phase = Phase::kHead;
      c.deadline = now + o.header_timeout;
      c.request_deadline = now + o.request_timeout;
    }
    const http::ParseResult r = http::parse_head(c.in, c.listener->limits, c.head);
    if (r.kind == http::ParseResult::Kind::kIncomplete) return false;
    if (r.kind == http::ParseResult::Kind::kError) {
      answer_error(c, r.status, r.message, now);
      return true;
    }
    c.head_bytes = r.head_bytes;
    c.body_reserved = c.head.content_length;
    if (state_.body_bytes_in_flight.fetch_add(c.body_reserved) + c.body_reserved >
        o.max_body_bytes_in_flight) {
      release_body(c);
      answer_error(c, 503, "too many request bodies in flight; retry", now);
      return true;
    }
    c.phase = Phase::kBody;
    c.deadline = std::min(now + o.read_timeout, c.request_deadline);
    if (c.in.size() < c.head_bytes + c.head.content_length) {
      c.in.reserve(c.head_bytes + c.head.content_length);
      // curl sends Expect: 100-continue for bodies over 1 KiB and waits a second for this.
      if (c.head.expect_continue) {
        c.out.append("HTTP/1.1 100 Continue\r\n\r\n");
        return true;
      }
      return false;
    }
  }
  if (c.phase == Phase::kBody && c.in.size() >= c.head_bytes + c.head.content_length) {
    dispatch(c, now);
    return true;
  }
  return false;
}

void EventLoop::dispatch(Conn& c, Clock::time_point now) {
  const std::size_t length = c.head_bytes + c.head.content_length;
  std::optional<Response> response;
  try {
    Request request{c.head, std::string_view(c.in).substr(c.head_bytes, c.head.content_length),
                    ReplyTo{this, c.id}};
    response = c.listener->routes(request);
  } catch (const std::exception& e) {
    log::error("internal error", {{"path", c.head.path}, {"error", e.what()}});
    response = Response{500, kJson, json_error("internal error")};
  } catch (...) {
    log::error("internal error", {{"path", c.head.path}, {"error", "unknown"}});
    response = Response{500, kJson, json_error("internal error")};
  }
  release_body(c);
  c.in.erase(0, length);  // a pipelined next request stays
  if (c.in.empty() && c.in.capacity() > kKeepBufferBytes) std::string().swap(c.in);
  if (response) {
    answer(c, std::move(*response), now);
  } else {
    c.phase = Phase::kHandling;
  }
}

void EventLoop::answer(Conn& c, Response response, Clock::time_point now) {
  const bool close = response.close || !c.head.keep_alive || state_.draining.load() ||
                     state_.stopping.load();
  std::string& out = c.out;
  out.append("HTTP/1.1 ");
  append_number(out, response.status);
  out.push_back(' ');
  out.append(reason_phrase(response.status));
  out.append("\r\nContent-Type: ");
  out.append(response.content_type);
  out.append("\r\nContent-Length: ");
  append_number(out, response.body.size());
  if (close) {
    out.append("\r\nConnection: close");
  } else if (c.head.minor_version == 0) {
    out.append("\r\nConnection: keep-alive");
  }
  out.append("\r\n\r\n");
  if (c.head.method != "HEAD") out.append(response.body);
  c.close_after_write = close;
  c.linger_after_write = response.close;
  if (c.ssl != nullptr && !c.keeps_tls_buffers && !close) {
    // A connection that asks again keeps its TLS buffers while it keeps asking: released after
    // every request, they were allocated again for the next (~2 k instructions a request in
    // OpenSSL and malloc). sweep() releases them once it has been idle for
    // kReleaseTlsBuffersAfter. A connection's first request does not keep them, so connections
    // that ask once hold no more memory than before.
    if (c.answered_before) {
      SSL_clear_mode(c.ssl, SSL_MODE_RELEASE_BUFFERS);
      c.keeps_tls_buffers = true;
    }
    c.answered_before = true;
  }
  c.phase = Phase::kIdle;
  c.idle_since = now;
  c.deadline = now + state_.options.keep_alive;
}

void EventLoop::answer_error(Conn& c, int status, std::string_view message, Clock::time_point now) {
  release_body(c);
  c.head = http::RequestHead{};  // what was parsed of this request is not to be trusted
  answer(c, Response{status, kJson, json_error(message), true}, now);
}

long EventLoop::read_some(Conn& c) {
  c.read_wants_write = false;
  if (c.ssl != nullptr) {
    const int n = SSL_read(c.ssl, scratch_.data(), static_cast<int>(scratch_.size()));
    if (n > 0) {
      c.in.append(scratch_.data(), n);
      return n;
    }
    const int e = SSL_get_error(c.ssl, n);
    if (e == SSL_ERROR_WANT_READ) return 0;
    if (e == SSL_ERROR_WANT_WRITE) {
      c.read_wants_write = true;
      return 0;
    }
    ERR_clear_error();
    return -1;
  }
  for (;;) {
    const ssize_t n = ::read(c.fd, scratch_.data(), scratch_.size());
    if (n > 0) {
      c.in.append(scratch_.data(), n);
      return n;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return -1;
  }
}

bool EventLoop::flush(Conn& c, Clock::time_point now) {
  while (c.out_done < c.out.size()) {
    const char* data = c.out.data() + c.out_done;
    const std::size_t size = c.out.size() - c.out_done;
    if (c.ssl != nullptr) {
      const int n = SSL_write(c.ssl, data, static_cast<int>(size));
      if (n > 0) {
        c.out_done += n;
        continue;
      }
      const int e = SSL_get_error(c.ssl, n);
      if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) {
        ERR_clear_error();
        return false;
      }
    } else {
      const ssize_t n = ::send(c.fd, data, size, MSG_NOSIGNAL);
      if (n >= 0) {
        c.out_done += n;
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    }
    c.deadline = now + state_.options.read_timeout;  // each write that blocks
    return true;
  }
  c.out.clear();
  c.out_done = 0;
  if (c.out.capacity() > kKeepBufferBytes) std::string().swap(c.out);
  if (c.phase == Phase::kIdle) {
    c.idle_since = now;
    c.deadline = now + state_.options.keep_alive;
  }
  return true;
}

void EventLoop::release_body(Conn& c) {
  state_.body_bytes_in_flight.fetch_sub(c.body_reserved);
  c.body_reserved = 0;
}

void EventLoop::linger(Conn& c) {
  if (c.phase != Phase::kLinger) {
    // The error answer is written. Closing now, with the client's unread bytes in the socket,
    // would send a reset that can destroy the answer before the client reads it: stop writing,
    // and read and drop what still comes, for a bounded time.
    if (c.ssl != nullptr) SSL_shutdown(c.ssl);  // close_notify, best effort
    ERR_clear_error();
    shutdown(c.fd, SHUT_WR);
    c.phase = Phase::kLinger;
    c.deadline = Clock::now() + state_.options.read_timeout;
  }
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = ::read(c.fd, scratch_.data(), scratch_.size());
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(c, EPOLLIN);
    return close(c);
  }
}

}  // namespace preflight::server
