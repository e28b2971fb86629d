#include "server/connection_guard.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "log/log.h"

namespace preflight::server {

namespace {

// OpenSSL calls this for every SSL object it frees; ptr is the guard that tracks the
// connection (set in on_info), null for SSL objects the guard never saw (clients, refusals).
void on_ssl_free(void* parent, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  if (ptr != nullptr) static_cast<ConnectionGuard*>(ptr)->connection_closed(parent);
}

int ssl_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &on_ssl_free);
  return index;
}

ConnectionGuard* guard_of(const SSL* ssl) {
  return static_cast<ConnectionGuard*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

void on_info(const SSL* ssl, int where, int /*ret*/) {
  ConnectionGuard* guard = guard_of(ssl);
  if (guard == nullptr) return;
  if (where & SSL_CB_HANDSHAKE_START) {
    guard->handshake_started(ssl, SSL_get_fd(ssl));
    // OpenSSL hands the info callback a const SSL; the ex_data slot is ours to set.
    SSL_set_ex_data(const_cast<SSL*>(ssl), ssl_index(), guard);
  }
  if (where & SSL_CB_HANDSHAKE_DONE) guard->handshake_done(ssl);
}

void on_message(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
                SSL* ssl, void* arg) {
  // One call per record header read; type 23 is application data (RFC 8446 5.1; TLS 1.3 sends
  // everything after the handshake as type 23).
  if (write_p != 0 || content_type != SSL3_RT_HEADER || len < 1) return;
  if (static_cast<const unsigned char*>(buf)[0] != SSL3_RT_APPLICATION_DATA) return;
  static_cast<ConnectionGuard*>(arg)->record_received(ssl);
}

}  // namespace

ConnectionGuard::ConnectionGuard(GuardLimits limits, bool start_sweeper) : limits_(limits) {
  if (!start_sweeper) return;
  sweeper_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      stop_cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (stopping_) break;
      lock.unlock();
      sweep(Clock::now());
      lock.lock();
    }
  });
}

ConnectionGuard::~ConnectionGuard() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  for (const auto& [conn, c] : conns_) close(c.fd);
}

void ConnectionGuard::install(SSL_CTX& ctx) {
  ssl_index();  // registers the free callback before the first connection
  SSL_CTX_set_app_data(&ctx, this);
  SSL_CTX_set_info_callback(&ctx, &on_info);
  SSL_CTX_set_msg_callback(&ctx, &on_message);
  SSL_CTX_set_msg_callback_arg(&ctx, this);
}

void ConnectionGuard::set_refusing_thread(std::thread::id id) {
  std::lock_guard lock(mu_);
  refusing_thread_ = id;
}

ConnectionGuard::Conn* ConnectionGuard::find_locked(Key conn) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return nullptr;
  return &it->second;
}

void ConnectionGuard::handshake_started(Key conn, int fd) {
  if (fd < 0) return;
  std::unique_lock lock(mu_);
  if (find_locked(conn) != nullptr) return;  // TLS 1.3 post-handshake
  if (std::this_thread::get_id() == refusing_thread_) {
    lock.unlock();
    shutdown(fd, SHUT_RDWR);  // on the thread that owns fd: the handshake fails, the task closes it
    return;
  }
  const int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) return;  // out of fds: the connection goes unguarded
  conns_[conn] = Conn{own, State::kHandshake, Clock::now()};
}

void ConnectionGuard::connection_closed(Key conn) {
  std::lock_guard lock(mu_);
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  close(it->second.fd);
  conns_.erase(it);
}

void ConnectionGuard::handshake_done(Key conn) {
  std::lock_guard lock(mu_);
  if (Conn* c = find_locked(conn); c != nullptr && c->state == State::kHandshake) {
    c->state = State::kIdle;
    c->since = Clock::now();
  }
}

void ConnectionGuard::record_received(Key conn) {
  std::lock_guard lock(mu_);
  if (Conn* c = find_locked(conn); c != nullptr && c->state == State::kIdle) {
    c->state = State::kHeaders;
    c->since = Clock::now();
  }
}

void ConnectionGuard::request_started(Key conn) {
  std::lock_guard lock(mu_);
  if (Conn* c = find_locked(conn)) {
    c->state = State::kInRequest;
    c->since = Clock::now();
  }
}

void ConnectionGuard::request_finished(Key conn, bool close) {
  std::lock_guard lock(mu_);
  Conn* c = find_locked(conn);
  if (c == nullptr) return;
  c->state = State::kIdle;
  c->since = Clock::now();
  if (close) {
    shutdown(c->fd, SHUT_RD);
    c->state = State::kClosing;
  }
}

int ConnectionGuard::sweep(Clock::time_point now) {
  int closed = 0;
  {
    std::lock_guard lock(mu_);
    for (auto& [conn, c] : conns_) {
      const auto age = now - c.since;
      const bool late = ((c.state == State::kHandshake || c.state == State::kHeaders) &&
                         age > limits_.header_timeout) ||
                        (c.state == State::kInRequest && age > limits_.request_timeout);
      if (!late) continue;
      shutdown(c.fd, SHUT_RDWR);
      c.state = State::kClosing;  // forgotten when the worker frees the connection
      ++closed;
    }
  }
  if (closed > 0) log::debug("connections past their deadline closed", {{"count", closed}});
  return closed;
}

int ConnectionGuard::evict_idle(int n) {
  std::lock_guard lock(mu_);
  std::vector<std::pair<Clock::time_point, Conn*>> idle;
  for (auto& [conn, c] : conns_) {
    if (c.state == State::kIdle) idle.emplace_back(c.since, &c);
  }
  std::sort(idle.begin(), idle.end());
  int closed = 0;
  for (const auto& [since, c] : idle) {
    if (closed >= n) break;
    int pending = 0;
    if (ioctl(c->fd, FIONREAD, &pending) != 0 || pending > 0) continue;  // a request is arriving
    // Read side only: nothing is cut mid-response.
    if (shutdown(c->fd, SHUT_RD) == 0) {
      c->state = State::kClosing;
      ++closed;
    }
  }
  return closed;
}

int ConnectionGuard::open_connections() {
  std::lock_guard lock(mu_);
  return static_cast<int>(conns_.size());
}

}  // namespace preflight::server
