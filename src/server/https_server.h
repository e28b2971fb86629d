#pragma once
// The two listeners of `preflight serve`: the TLS admission port (POST /validate, /healthz,
// /readyz) and the plain-HTTP metrics port (/metrics, /healthz, /readyz), both served by the
// same event loops (event_loop.h). Thin: every route calls into the core and only maps results
// to HTTP.

#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics/registry.h"
#include "server/event_loop.h"
#include "server/review_waiter.h"
#include "server/runtime.h"
#include "util/result.h"

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
  // Event-loop threads; 0: one per CPU the process may run on (sched_getaffinity).
  int threads = 0;
  // Deadlines and the connection cap (event_loop.h, docs/security.md); the cap is lowered to
  // the open-file limit minus 128 when that is smaller. keep_alive is longer
  // than Go's default IdleConnTimeout (90s) so the client, not the server, closes idle
  // connections: a server-side close racing a new POST would fail that review. The request
  // limit is above the longest webhook timeout kube-apiserver allows (30s).
  TransportOptions transport;
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
  // Serves until stop(); returns once every connection is closed and every review answered.
  void run();
  // Graceful stop: for drain_grace every response says "Connection: close" (a busy keep-alive
  // connection learns from its next answer not to send another request, so closing it races
  // with nothing); then listening stops, idle connections are closed, requests in flight and
  // waiting reviews are answered (with Connection: close), and run() returns. Safe from any
  // thread; blocks until run() has returned.
  void stop();

 private:
  std::optional<Response> admission_route(const Request& req);
  std::optional<Response> metrics_route(const Request& req);
  std::optional<Response> health_route(const Request& req);

  ServeOptions options_;
  Runtime& runtime_;
  metrics::Registry& registry_;
  SSL_CTX* tls_ctx_ = nullptr;
  TransportState state_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  ReviewWaiter waiter_;  // after loops_: destroyed first, its last answers go to live loops
  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool running_ = false;
};

}  // namespace preflight::server
