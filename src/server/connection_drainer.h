#pragma once
// Graceful shutdown for cpp-httplib listeners. cpp-httplib serves each connection on a worker
// that, between requests, waits up to the keep-alive timeout for the next one and does not
// notice that the server stopped; kube-apiserver always holds idle keep-alive connections, so
// a stopped server would wait out the timeout (or be killed at its grace period).
//
// The drainer tracks which connections are inside a request (from the moment its headers are
// parsed until the response is written) and, during shutdown, shuts down the read side of
// every other accepted connection on the listener's port that has no bytes waiting: an idle
// connection, as Go's http.Server.Shutdown defines it. In-flight requests finish and are
// answered; their connections close after the response.

#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace preflight::server {

class ConnectionDrainer {
 public:
  explicit ConnectionDrainer(int port) : port_(port) {}

  // From the pre-routing handler and the logger (called after the response is written).
  void request_started(const std::string& peer_addr, int peer_port);
  void request_finished(const std::string& peer_addr, int peer_port);

  // Shuts down idle accepted connections on port(). Returns how many it shut down.
  int close_idle();

  int port() const { return port_; }
  void set_port(int port) { port_ = port; }

 private:
  int port_;
  std::mutex mu_;
  std::multiset<std::pair<std::string, int>> active_;
};

}  // namespace preflight::server
