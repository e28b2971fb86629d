#include "server/event_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "log/log.h"
#include "server/validate_handler.h"

namespace preflight::server {

namespace {

constexpr std::uint64_t kWakeId = ~std::uint64_t{0};
constexpr std::uint64_t kFirstConnId = 1 << 16;  // below: listener indexes
constexpr std::chrono::milliseconds kSweepEvery{100};
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

enum class Phase { kHandshake, kIdle, kHead, kBody, kHandling, kLinger };

struct EventLoop::Conn {
  std::uint64_t id = 0;
  int fd = -1;  // -1 once closed
  SSL* ssl = nullptr;
  const Listener* listener = nullptr;
  Phase phase = Phase::kIdle;
  std::string in;   // received, not yet consumed
  std::string out;  // to send; out_done bytes of it sent
  std::size_t out_done = 0;
  http::RequestHead head;
  std::size_t head_bytes = 0;
  bool close_after_write = false;
  bool linger_after_write = false;
  bool read_wants_write = false;  // SSL_read needs the socket writable (TLS 1.3 KeyUpdate)
  std::uint32_t events = 0;       // what epoll watches
  Clock::time_point deadline;
  Clock::time_point request_deadline;
  Clock::time_point idle_since;
};

void ReplyTo::send(Response response) const { loop->post(conn, std::move(response)); }

EventLoop::EventLoop(TransportState& state) : state_(state), scratch_(16 * 1024 + 512) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeId;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  // Every loop waits on the same listening sockets. EPOLLEXCLUSIVE wakes one waiting loop per
  // new connection; unlike SO_REUSEPORT (one accept queue per loop, chosen by a hash of the
  // client's address) a connection never waits in the queue of a busy loop while another loop
  // idles, and stopping to accept is one EPOLL_CTL_DEL per loop with nothing left queued.
  for (std::size_t i = 0; i < state_.listeners.size(); ++i) {
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.u64 = i;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, state_.listeners[i].fd, &ev);
  }
}

EventLoop::~EventLoop() {
  for (auto& [id, c] : conns_) close(*c);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void EventLoop::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof(one));
}

void EventLoop::post(std::uint64_t conn, Response response) {
  {
    std::lock_guard lock(posts_mu_);
    posts_.emplace_back(conn, std::move(response));
  }
  wake();
}

void EventLoop::run() {
  epoll_event events[128];
  next_sweep_ = Clock::now() + kSweepEvery;
  for (;;) {
    if (!stopped_ && state_.stopping.load()) begin_stop();
    if (stopped_ && conns_.empty()) return;
    // Nothing to time out without connections: sleep until one arrives or wake().
    const int timeout = conns_.empty() ? -1 : static_cast<int>(kSweepEvery.count());
    const int n = epoll_wait(epoll_fd_, events, std::size(events), timeout);
    const auto now = Clock::now();
    for (int i = 0; i < n; ++i) {
      const std::uint64_t id = events[i].data.u64;
      if (id == kWakeId) {
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof(count));
        take_posts(now);
      } else if (id < kFirstConnId) {
        if (!stopped_) accept_from(state_.listeners[id], now);
      } else if (auto it = conns_.find(id); it != conns_.end()) {
        on_event(*it->second, events[i].events, now);
      }
    }
    if (now >= next_sweep_) {
      sweep(now);
      next_sweep_ = now + kSweepEvery;
    }
    for (std::uint64_t id : closed_) conns_.erase(id);
    closed_.clear();
  }
}

void EventLoop::accept_from(const Listener& listener, Clock::time_point now) {
  // A bounded batch: with EPOLLEXCLUSIVE (level-triggered) the rest wakes a loop again.
  for (int i = 0; i < 32; ++i) {
    const int fd = accept4(listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        log::warn("accept failed", {{"error", std::strerror(errno)}});
      }
      return;
    }
    if (state_.open_connections.load() >= state_.options.max_connections && !evict_idle()) {
      ::close(fd);  // refused: every connection of this loop is busy
      continue;
    }
    state_.open_connections.fetch_add(1);
    const int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    auto c = std::make_unique<Conn>();
    c->id = next_id_++ + kFirstConnId;
    c->fd = fd;
    c->listener = &listener;
    // Before the first request, the handshake/header deadline (a stalled client is cut off).
    c->deadline = now + state_.options.header_timeout;
    c->idle_since = now;
    if (listener.tls != nullptr) {
      c->ssl = SSL_new(listener.tls);
      SSL_set_fd(c->ssl, fd);
      SSL_set_accept_state(c->ssl);
      c->phase = Phase::kHandshake;
    }
    epoll_event ev{};
    ev.events = c->events = EPOLLIN;
    ev.data.u64 = c->id;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    conns_.emplace(c->id, std::move(c));
  }
}

bool EventLoop::evict_idle() {
  Conn* oldest = nullptr;
  for (auto& [id, c] : conns_) {
    if (c->fd < 0 || c->phase != Phase::kIdle || !c->in.empty() || !c->out.empty()) continue;
    if (oldest == nullptr || c->idle_since < oldest->idle_since) oldest = c.get();
  }
  if (oldest == nullptr) return false;
  int pending = 0;
  if (ioctl(oldest->fd, FIONREAD, &pending) == 0 && pending > 0) return false;  // a request arrives
  close(*oldest);
  return true;
}

void EventLoop::on_event(Conn& c, std::uint32_t events, Clock::time_point now) {
  if (c.phase == Phase::kHandling) {
    // Nothing is watched while a route works; only a failed socket is reported.
    if (events & (EPOLLHUP | EPOLLERR)) close(c);
    return;
  }
  drive(c, now);
}

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
  c.phase = Phase::kIdle;
  c.idle_since = now;
  c.deadline = now + state_.options.keep_alive;
}

void EventLoop::answer_error(Conn& c, int status, std::string_view message, Clock::time_point now) {
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

void EventLoop::watch(Conn& c, std::uint32_t events) {
  if (c.events == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = c.id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.events = events;
}

void EventLoop::close(Conn& c) {
  if (c.fd < 0) return;
  if (c.ssl != nullptr) {
    if (SSL_is_init_finished(c.ssl)) SSL_shutdown(c.ssl);  // close_notify, best effort
    ERR_clear_error();
    SSL_free(c.ssl);
  }
  c.ssl = nullptr;
  ::close(c.fd);  // also leaves the epoll set
  c.fd = -1;
  state_.open_connections.fetch_sub(1);
  closed_.push_back(c.id);
}

void EventLoop::sweep(Clock::time_point now) {
  for (auto& [id, cp] : conns_) {
    Conn& c = *cp;
    if (c.fd < 0 || c.phase == Phase::kHandling || now < c.deadline) continue;
    if (c.phase == Phase::kBody && c.out.empty()) {
      answer_error(c, 408, "request timeout", now);  // the body stopped arriving
      drive(c, now);
    } else {
      close(c);  // handshake, headers, a write, keep-alive or lingering past its deadline
    }
  }
}

void EventLoop::begin_stop() {
  stopped_ = true;
  for (const Listener& l : state_.listeners) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, l.fd, nullptr);
  // Idle keep-alive connections and unfinished handshakes hold no request: close them. Requests
  // being received or handled finish and are answered with Connection: close.
  for (auto& [id, c] : conns_) {
    const bool idle = c->phase == Phase::kIdle && c->in.empty() && c->out.empty();
    if (idle || c->phase == Phase::kHandshake) close(*c);
  }
  for (std::uint64_t id : closed_) conns_.erase(id);
  closed_.clear();
}

void EventLoop::take_posts(Clock::time_point now) {
  std::vector<std::pair<std::uint64_t, Response>> posts;
  {
    std::lock_guard lock(posts_mu_);
    posts.swap(posts_);
  }
  for (auto& [id, response] : posts) {
    auto it = conns_.find(id);
    if (it == conns_.end() || it->second->phase != Phase::kHandling) continue;  // gone meanwhile
    Conn& c = *it->second;
    answer(c, std::move(response), now);
    drive(c, now);
  }
}

}  // namespace preflight::server
