#include "server/https_server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <charconv>
#include <limits>

#include "log/log.h"
#include "policy/policy.h"
#include "server/validate_handler.h"
#include "server/worker_pool.h"

namespace preflight::server {

Result<HostPort> parse_host_port(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return make_error("\"" + std::string(text) + "\" is not ADDR:PORT");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return make_error("\"" + std::string(text) + "\" has no valid port");
  }
  return HostPort{host.empty() ? "0.0.0.0" : std::string(host), port};
}

namespace {
// The JSON answers of the TLS port. cpp-httplib 0.11 gzips (or brotli-compresses) a body whose
// content type is exactly "application/json" whenever the request accepts it, and Go's
// transport — the kube-apiserver's webhook client — always sends Accept-Encoding: gzip: a
// deflate state set up and torn down for every 100-byte answer (~0.2 M instructions, docs/
// performance.md). With the charset parameter the type is off cpp-httplib's compressible list;
// it is the same media type for every client.
constexpr const char* kJson = "application/json; charset=utf-8";

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400: return "bad request";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 408: return "request timeout";
    case 411: return "length required";
    case 413: return "request body too large";
    case 414: return "URI too long";
    case 415: return "unsupported media type";
    case 500: return "internal error";
    case 503: return "service unavailable";
    default: return "HTTP error";
  }
}

// Content-Length as sent (0 when absent or unparsable: cpp-httplib then rejects it itself).
std::uint64_t declared_length(const httplib::Request& req) {
  const std::string text = req.get_header_value("Content-Length");
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc::result_out_of_range) return UINT64_MAX;
  return ec == std::errc() && ptr == text.data() + text.size() ? n : 0;
}
}  // namespace

HttpsServer::HttpsServer(ServeOptions options, Runtime& runtime, metrics::Registry& registry)
    : options_(std::move(options)),
      runtime_(runtime),
      registry_(registry),
      guard_(options_.guard) {
  tls_ = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
    guard_.install(ctx);
    return runtime_.certs().configure(ctx);
  });
  plain_ = std::make_unique<httplib::Server>();

  httplib::Server::HandlerWithResponse error_body = [](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      // cpp-httplib's own errors (unreadable request, read timeout, body too large): the rest
      // of the stream cannot be trusted to start a request, so close the connection.
      res.set_header("Connection", "close");
      std::string what = res.status == 413 ? "request body larger than 3 MiB"
                                           : std::string(reason_phrase(res.status));
      res.set_content(json_error(what), kJson);
    }
    return httplib::Server::HandlerResponse::Handled;
  };
  auto on_exception = [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::error("internal error", {{"path", req.path}, {"error", what}});
    res.status = 500;
    res.set_content(json_error("internal error"), kJson);
  };

  for (httplib::Server* s : {static_cast<httplib::Server*>(tls_.get()), plain_.get()}) {
    s->set_error_handler(error_body);
    // cpp-httplib 0.11 listens with a backlog of 5: a burst of new connections (API server
    // replicas reconnecting) would wait for SYN retries. Remember the listening socket so
    // bind() can listen again with SOMAXCONN (Linux accepts a second listen()).
    int* listener = s == tls_.get() ? &tls_listener_fd_ : &plain_listener_fd_;
    s->set_socket_options([listener](int fd) {
      int yes = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      if (*listener < 0) *listener = fd;
    });
    s->set_exception_handler(on_exception);
    s->set_read_timeout(options_.read_timeout_seconds, 0);
    s->set_write_timeout(options_.read_timeout_seconds, 0);
    s->set_tcp_nodelay(true);
    add_health_routes(*s);
  }

  tls_->set_keep_alive_max_count(100000);
  tls_->set_keep_alive_timeout(options_.keep_alive_seconds);
  tls_->set_payload_max_length(kMaxBodyBytes);
  tls_->new_task_queue = [this] {
    return new WorkerPool(options_.worker_threads, options_.max_pending_connections, guard_);
  };
  // Requests feed the guard's per-connection deadlines and tell it which connections are idle
  // (connection_guard.h); a declared body over the limit is answered 413 before any of it is read.
  tls_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    guard_.request_started(req.ssl);
    if (declared_length(req) > kMaxBodyBytes) {
      res.status = 413;
      res.set_header("Connection", "close");
      res.set_content(json_error("request body larger than 3 MiB"), kJson);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  tls_->set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    if (draining_.load()) res.set_header("Connection", "close");
  });
  tls_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    guard_.request_finished(req.ssl, res.get_header_value("Connection") == "close");
  });
  tls_->Post("/validate", [this](const httplib::Request& req, httplib::Response& res) {
    std::chrono::milliseconds timeout{0};
    if (req.has_param("timeout")) {
      if (auto t = policy::parse_duration(req.get_param_value("timeout")); t.ok()) timeout = *t;
    }
    HttpReply reply = handle_validate(req.body, timeout, runtime_);
    res.status = reply.status;
    res.set_content(std::move(reply.body), kJson);
  });

  plain_->set_payload_max_length(64 * 1024);
  // One request per connection: probes and scrapes are a few a minute, and no idle keep-alive
  // connection can then hold a worker past stop() (cpp-httplib 0.11 waits out the keep-alive
  // timeout; the TLS port has the guard to close its idle connections, this port has no hook).
  plain_->set_keep_alive_max_count(1);
  plain_->new_task_queue = [] { return new httplib::ThreadPool(4); };
  plain_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

HttpsServer::~HttpsServer() = default;

void HttpsServer::add_health_routes(httplib::Server& s) {
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  s.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::string reason = runtime_.not_ready_reason();
    if (reason.empty()) {
      res.set_content("ok\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content(reason + "\n", "text/plain");
    }
  });
}

Result<bool> HttpsServer::bind() {
  if (!tls_->is_valid()) return make_error("TLS server could not be set up");
  auto bind_one = [](httplib::Server& s, const HostPort& hp, int& fd) -> Result<bool> {
    fd = -1;
    if (!s.bind_to_port(hp.host, hp.port)) {
      return make_error("cannot listen on " + hp.host + ":" + std::to_string(hp.port));
    }
    if (fd >= 0) ::listen(fd, SOMAXCONN);
    return true;
  };
  if (auto r = bind_one(*tls_, options_.listen, tls_listener_fd_); !r.ok()) return r;
  if (auto r = bind_one(*plain_, options_.metrics_listen, plain_listener_fd_); !r.ok()) return r;
  return true;
}

void HttpsServer::run() {
  running_.store(true);
  std::thread metrics_thread([this] { plain_->listen_after_bind(); });
  tls_->listen_after_bind();
  metrics_thread.join();
  running_.store(false);
}

void HttpsServer::stop() {
  draining_.store(true);
  if (running_.load()) std::this_thread::sleep_for(options_.drain_grace);
  tls_->stop();
  plain_->stop();
  // Workers idling in keep-alive do not notice stop(); close their connections until every
  // worker has finished (a request in flight keeps its connection until it is answered, and
  // says "Connection: close", which the guard acts on).
  while (running_.load()) {
    guard_.evict_idle(std::numeric_limits<int>::max());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace preflight::server
