#pragma once
// The two listeners of `preflight serve`: the TLS admission port (POST /validate, /healthz,
// /readyz) and the plain-HTTP metrics port (/metrics, /healthz, /readyz). Thin: every route
// calls into the core and only maps results to HTTP.

#include <memory>
#include <string>
#include <atomic>
#include <thread>

#include "metrics/registry.h"
#include "server/connection_guard.h"
#include "server/runtime.h"
#include "util/result.h"

namespace httplib {
class Server;
class SSLServer;
}  // namespace httplib

namespace preflight::server {

inline constexpr std::size_t kMaxBodyBytes = 3 * 1024 * 1024;

struct HostPort {
  std::string host;
  int port = 0;
};
// "0.0.0.0:8443", "[::1]:8443", ":8443".
Result<HostPort> parse_host_port(std::string_view text);

struct ServeOptions {
  HostPort listen{"0.0.0.0", 8443};
  HostPort metrics_listen{"0.0.0.0", 9090};
  // cpp-httplib serves one connection per worker thread; an idle keep-alive connection holds
  // its worker. Enough workers for every API server replica's pool, see docs/operations.md.
  // Beyond them, idle connections are closed for new ones (worker_pool.h).
  int worker_threads = 128;
  // Accepted connections that may wait for a worker; more are closed at once (the cap on
  // concurrent connections is worker_threads + max_pending_connections).
  int max_pending_connections = 256;
  // Longer than Go's default IdleConnTimeout (90s) so the client, not the server, closes idle
  // connections: a server-side close racing a new POST would fail that review.
  int keep_alive_seconds = 120;
  // Longest wait for any single read or write of a request or response.
  int read_timeout_seconds = 5;
  // Handshake + request headers, and a whole request (connection_guard.h). The request limit
  // is above the longest webhook timeout kube-apiserver allows (30s).
  GuardLimits guard{std::chrono::milliseconds(5000), std::chrono::milliseconds(35000)};
  // See stop(). Long enough for a connection in use at kube-apiserver's rate to get one more
  // answer; the connections still idle after it were not in use.
  std::chrono::milliseconds drain_grace{1000};
};

class HttpsServer {
 public:
  HttpsServer(ServeOptions options, Runtime& runtime, metrics::Registry& registry);
  ~HttpsServer();

  // Binds both ports; an error names the address.
  Result<bool> bind();
  // Serves until stop(); returns once both listeners have finished their in-flight requests.
  void run();
  // Graceful stop: for drain_grace every response says "Connection: close" (a busy keep-alive
  // connection learns from its next answer not to send another request, so closing it races
  // with nothing); then listening stops, in-flight requests finish, the connections left idle
  // are closed, and run() returns. Safe from any thread; blocks until run() has returned.
  void stop();

 private:
  void add_health_routes(httplib::Server& s);

  ServeOptions options_;
  Runtime& runtime_;
  metrics::Registry& registry_;
  ConnectionGuard guard_;  // before tls_: its SSL_CTX points at the guard until destroyed
  std::unique_ptr<httplib::SSLServer> tls_;
  std::unique_ptr<httplib::Server> plain_;
  std::atomic<bool> running_{false};
  std::atomic<bool> draining_{false};
  int tls_listener_fd_ = -1;
  int plain_listener_fd_ = -1;
};

}  // namespace preflight::server
