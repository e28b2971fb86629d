#pragma once
// Per-connection deadlines and a connection cap for the TLS admission port, which cpp-httplib
// 0.11 does not have. cpp-httplib serves each connection on one worker thread and only bounds
// each single read (set_read_timeout), so a client that dribbles a header byte a second, or
// stalls its TLS handshake, holds a worker for as long as it likes; and idle keep-alive
// connections hold workers that new connections wait for.
//
// The guard follows every TLS connection through OpenSSL callbacks installed on the SSL_CTX
// (install()): handshake start/done (info callback) and every record received (message
// callback), plus request start/finish from the HTTP layer. States and their limits:
//
//   handshake   from the ClientHello wait until the handshake is done    header_timeout
//   headers     from the first record of a request until it is routed    header_timeout
//   in request  from routing until the response is written              request_timeout
//   idle        keep-alive, between requests                            (cpp-httplib's
//                                                                         keep-alive timeout)
//
// A sweep (its own thread, every 200 ms) shuts down connections past their limit; the worker
// sees the socket fail and closes it. evict_idle() closes the longest-idle keep-alive
// connections when new connections wait for a worker (WorkerPool). Handshakes started on the
// refusing thread (WorkerPool's overflow thread) are shut down at once: the connection cap.
//
// Connections are keyed by fd and the socket's inode, so a reused fd number is never mistaken
// for a closed connection's. Shutting down never closes the fd (the worker owns it).

#include <openssl/ssl.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace preflight::server {

struct GuardLimits {
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds request_timeout{35000};
};

class ConnectionGuard {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConnectionGuard(GuardLimits limits, bool start_sweeper = true);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // Installs the OpenSSL callbacks on ctx (call once per SSL_CTX, before serving).
  void install(SSL_CTX& ctx);

  // Events. The fd is the connection's socket; peer is its remote address and port.
  void handshake_started(int fd);
  void handshake_done(int fd);
  void record_received(int fd);
  void request_started(const std::string& peer_addr, int peer_port);
  // close: the response said "Connection: close"; cpp-httplib 0.11 sends the header but keeps
  // reading, so the guard ends the connection (read side; the response is already written).
  void request_finished(const std::string& peer_addr, int peer_port, bool close = false);

  // Shuts down connections past their deadline; returns how many. Called by the sweeper.
  int sweep(Clock::time_point now);
  // Shuts down (read side) up to n idle keep-alive connections, longest idle first.
  int evict_idle(int n);
  // Connections currently tracked (closed ones are forgotten at the next sweep).
  int open_connections();

  // Handshakes started on this thread are refused (WorkerPool's overflow thread).
  void set_refusing_thread(std::thread::id id);

  const GuardLimits& limits() const { return limits_; }

 private:
  enum class State { kHandshake, kIdle, kHeaders, kInRequest };
  struct Conn {
    ino_t inode = 0;
    State state = State::kHandshake;
    Clock::time_point since;
    std::pair<std::string, int> peer;
  };

  // Drops entries whose fd no longer holds the same socket. Caller holds mu_.
  void forget_closed_locked();
  Conn* find_locked(int fd);
  Conn* find_peer_locked(const std::string& addr, int port);

  GuardLimits limits_;
  std::mutex mu_;
  std::map<int, Conn> conns_;
  std::condition_variable stop_cv_;
  std::thread::id refusing_thread_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace preflight::server
