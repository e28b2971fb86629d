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
// connections when new connections wait for a worker (WorkerPool), and all of them when the
// server stops. Handshakes started on the refusing thread (WorkerPool's overflow thread) are
// shut down at once: the connection cap.
//
// The guard never touches an fd number it does not own: cpp-httplib closes a connection's fd
// on its worker thread and the next accept() may reuse the number at once, so acting on that
// number from the sweeper could shut down an unrelated connection. Instead, at the handshake
// (on the worker, while the fd is certainly open) the guard takes its own dup() of the socket;
// shutdown() acts on the socket, so it works through the dup. The dup is closed, under the
// guard's lock, when OpenSSL frees the connection's SSL object (an ex_data free callback),
// which cpp-httplib 0.11 does before it closes its own fd: the dup never keeps a connection
// open, and a shutdown never reaches a closed connection's successor.

#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

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

  // Events. A connection is identified by its SSL object (Request::ssl in the HTTP layer); fd
  // is its socket, only read during handshake_started() on the thread that owns it.
  using Key = const void*;
  void handshake_started(Key conn, int fd);
  void handshake_done(Key conn);
  void record_received(Key conn);
  void request_started(Key conn);
  // close: the response said "Connection: close"; cpp-httplib 0.11 sends the header but keeps
  // reading, so the guard ends the connection (read side; the response is already written).
  void request_finished(Key conn, bool close = false);
  // The connection is over (its SSL object is being freed): forgets it and closes the dup.
  void connection_closed(Key conn);

  // Shuts down connections past their deadline; returns how many. Called by the sweeper.
  int sweep(Clock::time_point now);
  // Shuts down (read side) up to n idle keep-alive connections with no bytes waiting, longest
  // idle first: the worker waiting for the next request sees end-of-stream and closes.
  int evict_idle(int n);
  // Connections currently tracked.
  int open_connections();

  // Handshakes started on this thread are refused (WorkerPool's overflow thread).
  void set_refusing_thread(std::thread::id id);

  const GuardLimits& limits() const { return limits_; }

 private:
  // kClosing: shut down by the guard, waiting for the worker to close it (no deadline, not
  // evictable).
  enum class State { kHandshake, kIdle, kHeaders, kInRequest, kClosing };
  struct Conn {
    int fd = -1;  // the guard's own dup() of the socket, closed in connection_closed()
    State state = State::kHandshake;
    Clock::time_point since;
  };

  Conn* find_locked(Key conn);

  GuardLimits limits_;
  std::mutex mu_;
  std::map<Key, Conn> conns_;
  std::condition_variable stop_cv_;
  std::thread::id refusing_thread_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace preflight::server
