#pragma once
// Inside the event loop (event_loop.cc: threads, accept, deadlines, stop; http_connection.cc:
// one connection's HTTP/1.1 over TLS or TCP): the state of a connection. Not for other users.

#include "server/event_loop.h"

namespace preflight::server {

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
  std::size_t body_reserved = 0;  // counted in TransportState::body_bytes_in_flight
  bool close_after_write = false;
  bool linger_after_write = false;
  bool read_wants_write = false;  // SSL_read needs the socket writable (TLS 1.3 KeyUpdate)
  // Busy: the TLS buffers are kept between requests (SSL_MODE_RELEASE_BUFFERS cleared) until
  // the connection has been idle for a while (EventLoop::sweep).
  bool keeps_tls_buffers = false;
  bool answered_before = false;  // a request of this connection was answered before this one
  std::uint32_t events = 0;       // what epoll watches
  Clock::time_point deadline;
  Clock::time_point request_deadline;
  Clock::time_point idle_since;
};

}  // namespace preflight::server
