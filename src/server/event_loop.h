#pragma once
// preflight's HTTP/1.1 transport: event-loop threads over epoll with non-blocking sockets and
// non-blocking OpenSSL. One loop per CPU the process may run on; each has its own epoll and
// its own connections, and accepts from the shared listening sockets. A request is parsed
// (http_request.h) and routed on its loop thread, and its answer written with one SSL_write;
// a route that cannot answer at once (a review waiting for the cluster) answers later through
// ReplyTo from another thread.
//
// Per connection, one deadline at a time (checked by a sweep of the loop's connections every
// 100 ms, or when epoll_wait times out):
//
//   handshake    accept until the TLS handshake is done                  header_timeout
//   head         first byte of a request until its blank line             header_timeout
//   body         each read of the body; the whole request               read_timeout;
//                                                                         request_timeout
//   writing      each write that cannot complete at once                  read_timeout
//   idle         keep-alive, between requests                             keep_alive
//   lingering    after an error answer, reading (and dropping) what the   read_timeout
//                client still sends, so the answer is not lost to a reset
//
// A head past its deadline is closed without an answer; a body gets 408. The number of open
// connections is capped (max_connections, across loops): over it, the loop that accepts closes
// its longest-idle connection, or refuses the new one when it has none idle.

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/http_request.h"

namespace preflight::server {

class EventLoop;

struct Response {
  int status = 200;
  std::string_view content_type;  // a literal
  std::string body;
  bool close = false;  // end the connection after this answer
};

// Where a later answer goes. send() is safe from any thread; an answer to a connection that
// has gone meanwhile is dropped.
struct ReplyTo {
  EventLoop* loop = nullptr;
  std::uint64_t conn = 0;
  void send(Response response) const;
};

struct Request {
  const http::RequestHead& head;
  std::string_view body;
  ReplyTo reply_to;
};

// The answer now, or nothing when the route will answer through request.reply_to.
using Routes = std::function<std::optional<Response>(const Request&)>;

struct Listener {
  int fd = -1;           // bound, listening, non-blocking
  SSL_CTX* tls = nullptr;  // null: plain HTTP
  http::Limits limits;
  Routes routes;
};

struct TransportOptions {
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds request_timeout{35000};
  std::chrono::milliseconds keep_alive{120000};
  int max_connections = 4096;
  // Request bodies being received, summed over all connections (each counts its declared
  // Content-Length from its headers until it is routed). A request that would exceed it gets
  // 503: a flood of large slow bodies cannot take more memory than this.
  std::size_t max_body_bytes_in_flight = 64 * 1024 * 1024;
};

// What every loop shares.
struct TransportState {
  TransportOptions options;
  std::vector<Listener> listeners;
  std::atomic<int> open_connections{0};
  std::atomic<std::size_t> body_bytes_in_flight{0};
  std::atomic<bool> draining{false};  // every answer says Connection: close
  std::atomic<bool> stopping{false};  // stop accepting, close idle connections, finish the rest
};

class EventLoop {
 public:
  explicit EventLoop(TransportState& state);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Serves until state.stopping and every connection of this loop has been closed.
  void run();
  // From any thread: look at state.stopping now.
  void wake();
  // From any thread (ReplyTo::send).
  void post(std::uint64_t conn, Response response);

 private:
  struct Conn;
  using Clock = std::chrono::steady_clock;

  void accept_from(const Listener& listener, Clock::time_point now);
  void on_event(Conn& c, std::uint32_t events, Clock::time_point now);
  void drive(Conn& c, Clock::time_point now);
  bool process_buffered(Conn& c, Clock::time_point now);
  void dispatch(Conn& c, Clock::time_point now);
  void answer(Conn& c, Response response, Clock::time_point now);
  void answer_error(Conn& c, int status, std::string_view message, Clock::time_point now);
  // -1 error or end of stream, 0 would block, else bytes appended to c.in.
  long read_some(Conn& c);
  // False when the connection failed; c.out empty when all was written.
  bool flush(Conn& c, Clock::time_point now);
  void linger(Conn& c);
  void release_body(Conn& c);
  void watch(Conn& c, std::uint32_t events);
  void close(Conn& c);
  void sweep(Clock::time_point now);
  void begin_stop();
  void take_posts(Clock::time_point now);
  bool evict_idle();
  // Adds (on) or removes this loop's watch of the listening sockets.
  void watch_listeners(bool on);

  TransportState& state_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stopped_ = false;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  std::vector<std::uint64_t> closed_;  // closed during this round of events, freed after it
  std::vector<char> scratch_;
  Clock::time_point next_sweep_;
  // Set while accepting is paused after accept() ran out of descriptors or memory.
  std::optional<Clock::time_point> accept_paused_until_;

  std::mutex posts_mu_;
  std::vector<std::pair<std::uint64_t, Response>> posts_;
};

}  // namespace preflight::server
