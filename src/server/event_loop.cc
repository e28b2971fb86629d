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
#include <cstring>

#include "log/log.h"
#include "server/event_loop_conn.h"

namespace preflight::server {

namespace {

constexpr std::uint64_t kWakeId = ~std::uint64_t{0};
constexpr std::uint64_t kFirstConnId = 1 << 16;  // below: listener indexes
constexpr std::chrono::milliseconds kSweepEvery{100};
// An idle keep-alive connection holds no TLS buffers (~34 KiB) once idle this long (and the next
// sweep): a busy one keeps them between requests (EventLoop::answer), an idle one costs ~15 KiB
// of RSS.
constexpr std::chrono::milliseconds kReleaseTlsBuffersAfter{200};

}  // namespace

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
  watch_listeners(true);
}

void EventLoop::watch_listeners(bool on) {
  for (std::size_t i = 0; i < state_.listeners.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.u64 = i;
    epoll_ctl(epoll_fd_, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, state_.listeners[i].fd, &ev);
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
  // The info lines of a turn (a review's line each) are written together before the loop
  // waits again (log.h): one write(2) a turn instead of one a review.
  log::DeferScope defer_logs;
  epoll_event events[128];
  next_sweep_ = Clock::now() + kSweepEvery;
  for (;;) {
    if (!stopped_ && state_.stopping.load()) begin_stop();
    if (stopped_ && conns_.empty()) return;
    // Nothing to time out without connections or a pause: sleep until one arrives or wake().
    const bool paused = accept_paused_until_.has_value();
    const int timeout = conns_.empty() && !paused ? -1 : static_cast<int>(kSweepEvery.count());
    log::flush();
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
    if (accept_paused_until_ && now >= *accept_paused_until_) {
      accept_paused_until_.reset();
      if (!stopped_) watch_listeners(true);
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
        // Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): the connection stays
        // queued and the listener readable, so accepting again at once would spin. Stop
        // watching the listeners for a sweep period; connections closing meanwhile free room.
        log::warn("accept failed; not accepting for 100 ms",
                  {{"error", std::strerror(errno)}, {"open_connections", state_.open_connections.load()}});
        watch_listeners(false);
        accept_paused_until_ = now + kSweepEvery;
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
  release_body(c);
  state_.open_connections.fetch_sub(1);
  closed_.push_back(c.id);
}

void EventLoop::sweep(Clock::time_point now) {
  for (auto& [id, cp] : conns_) {
    Conn& c = *cp;
    // c.ssl is null once the connection is closed (it waits here until the end of the round).
    if (c.ssl != nullptr && c.keeps_tls_buffers && c.phase == Phase::kIdle && c.in.empty() &&
        c.out.empty() && now - c.idle_since >= kReleaseTlsBuffersAfter) {
      // Freed, and back to the context's mode. SSL_free_buffers fails (tried again at the next
      // sweep) while a record waits unread in the buffer.
      if (SSL_free_buffers(c.ssl) == 1) {
        SSL_set_mode(c.ssl, SSL_MODE_RELEASE_BUFFERS);
        c.keeps_tls_buffers = false;
      }
    }
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
  if (!accept_paused_until_) watch_listeners(false);
  accept_paused_until_.reset();
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
