#include "server/connection_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include "log/log.h"

namespace preflight::server {

namespace {

ino_t socket_inode(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return 0;
  return st.st_ino;
}

std::pair<std::string, int> peer_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {"", -1};
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    inet_ntop(AF_INET, &in.sin_addr, buf, sizeof(buf));
    return {buf, ntohs(in.sin_port)};
  }
  if (ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
    inet_ntop(AF_INET6, &in6.sin6_addr, buf, sizeof(buf));
    return {buf, ntohs(in6.sin6_port)};
  }
  return {"", -1};
}

ConnectionGuard* guard_of(const SSL* ssl) {
  return static_cast<ConnectionGuard*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

void on_info(const SSL* ssl, int where, int /*ret*/) {
  ConnectionGuard* guard = guard_of(ssl);
  if (guard == nullptr) return;
  if (where & SSL_CB_HANDSHAKE_START) guard->handshake_started(SSL_get_fd(ssl));
  if (where & SSL_CB_HANDSHAKE_DONE) guard->handshake_done(SSL_get_fd(ssl));
}

void on_message(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
                SSL* ssl, void* arg) {
  // One call per record header read; type 23 is application data (RFC 8446 5.1; TLS 1.3 sends
  // everything after the handshake as type 23).
  if (write_p != 0 || content_type != SSL3_RT_HEADER || len < 1) return;
  if (static_cast<const unsigned char*>(buf)[0] != SSL3_RT_APPLICATION_DATA) return;
  static_cast<ConnectionGuard*>(arg)->record_received(SSL_get_fd(ssl));
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
}

void ConnectionGuard::install(SSL_CTX& ctx) {
  SSL_CTX_set_app_data(&ctx, this);
  SSL_CTX_set_info_callback(&ctx, &on_info);
  SSL_CTX_set_msg_callback(&ctx, &on_message);
  SSL_CTX_set_msg_callback_arg(&ctx, this);
}

void ConnectionGuard::set_refusing_thread(std::thread::id id) {
  std::lock_guard lock(mu_);
  refusing_thread_ = id;
}

ConnectionGuard::Conn* ConnectionGuard::find_locked(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return nullptr;
  return &it->second;
}

ConnectionGuard::Conn* ConnectionGuard::find_peer_locked(const std::string& addr, int port) {
  for (auto& [fd, c] : conns_) {
    if (c.peer.second == port && c.peer.first == addr) return &c;
  }
  return nullptr;
}

void ConnectionGuard::forget_closed_locked() {
  std::erase_if(conns_, [](const auto& kv) { return socket_inode(kv.first) != kv.second.inode; });
}

void ConnectionGuard::handshake_started(int fd) {
  const ino_t inode = socket_inode(fd);
  if (inode == 0) return;
  std::unique_lock lock(mu_);
  if (Conn* c = find_locked(fd); c != nullptr && c->inode == inode)
    return;  // TLS 1.3 post-handshake
  if (std::this_thread::get_id() == refusing_thread_) {
    lock.unlock();
    shutdown(fd, SHUT_RDWR);  // the handshake fails; the task closes the socket
    return;
  }
  conns_[fd] = Conn{inode, State::kHandshake, Clock::now(), peer_of(fd)};
}

void ConnectionGuard::handshake_done(int fd) {
  std::lock_guard lock(mu_);
  if (Conn* c = find_locked(fd); c != nullptr && c->state == State::kHandshake) {
    c->state = State::kIdle;
    c->since = Clock::now();
  }
}

void ConnectionGuard::record_received(int fd) {
  std::lock_guard lock(mu_);
  if (Conn* c = find_locked(fd); c != nullptr && c->state == State::kIdle) {
    c->state = State::kHeaders;
    c->since = Clock::now();
  }
}

void ConnectionGuard::request_started(const std::string& peer_addr, int peer_port) {
  std::lock_guard lock(mu_);
  if (Conn* c = find_peer_locked(peer_addr, peer_port)) {
    c->state = State::kInRequest;
    c->since = Clock::now();
  }
}

void ConnectionGuard::request_finished(const std::string& peer_addr, int peer_port, bool close) {
  std::lock_guard lock(mu_);
  for (auto& [fd, c] : conns_) {
    if (c.peer.second != peer_port || c.peer.first != peer_addr) continue;
    c.state = State::kIdle;
    c.since = Clock::now();
    if (close && socket_inode(fd) == c.inode) {
      shutdown(fd, SHUT_RD);
      c.state = State::kInRequest;  // closing; not evictable
    }
    return;
  }
}

int ConnectionGuard::sweep(Clock::time_point now) {
  int closed = 0;
  {
    // Shut down under the lock, right after the inode check: a worker closing the fd and a new
    // connection reusing its number go through handshake_started(), which waits for the lock.
    std::lock_guard lock(mu_);
    forget_closed_locked();
    for (auto it = conns_.begin(); it != conns_.end();) {
      const Conn& c = it->second;
      const auto age = now - c.since;
      const bool late = ((c.state == State::kHandshake || c.state == State::kHeaders) &&
                         age > limits_.header_timeout) ||
                        (c.state == State::kInRequest && age > limits_.request_timeout);
      if (late) {
        shutdown(it->first, SHUT_RDWR);
        ++closed;
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (closed > 0) log::debug("connections past their deadline closed", {{"count", closed}});
  return closed;
}

int ConnectionGuard::evict_idle(int n) {
  std::lock_guard lock(mu_);
  std::vector<std::pair<Clock::time_point, int>> idle;
  for (const auto& [fd, c] : conns_) {
    if (c.state == State::kIdle && socket_inode(fd) == c.inode) idle.emplace_back(c.since, fd);
  }
  std::sort(idle.begin(), idle.end());
  int closed = 0;
  for (const auto& [since, fd] : idle) {
    if (closed >= n) break;
    // Read side only, as ConnectionDrainer: the worker waiting for the next request sees
    // end-of-stream and closes the connection. Marked so it is not evicted twice.
    if (shutdown(fd, SHUT_RD) == 0) {
      conns_[fd].state = State::kInRequest;
      conns_[fd].since = Clock::now();
      ++closed;
    }
  }
  return closed;
}

int ConnectionGuard::open_connections() {
  std::lock_guard lock(mu_);
  forget_closed_locked();
  return static_cast<int>(conns_.size());
}

}  // namespace preflight::server
