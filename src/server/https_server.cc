#include "server/https_server.h"

#include <netdb.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <thread>

#include "log/log.h"
#include "policy/policy.h"
#include "server/validate_handler.h"

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

constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kText = "text/plain";

bool is_get(const Request& req) { return req.head.method == "GET" || req.head.method == "HEAD"; }
Response not_found() { return {404, kJson, json_error("not found")}; }
Response not_allowed() { return {405, kJson, json_error("method not allowed")}; }

// A bound, listening, non-blocking socket.
Result<int> listen_on(const HostPort& hp) {
  const std::string where = hp.host + ":" + std::to_string(hp.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(hp.host.c_str(), std::to_string(hp.port).c_str(), &hints, &found) != 0) {
    return make_error("cannot listen on " + where + ": unknown address");
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return make_error("cannot listen on " + where);
  return fd;
}

int cpus_allowed() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

}  // namespace

HttpsServer::HttpsServer(ServeOptions options, Runtime& runtime, metrics::Registry& registry)
    : options_(std::move(options)),
      runtime_(runtime),
      registry_(registry),
      waiter_(runtime.cluster()) {
  tls_ctx_ = SSL_CTX_new(TLS_server_method());
  // Partial and moving writes: a blocked SSL_write is retried from where it stopped. Released
  // buffers: an idle keep-alive connection holds no 16 KiB TLS buffers. Read-ahead: a request
  // is read with one read() instead of one per record header and body.
  //
  // Released buffers are allocated again for every request (~7 k instructions in OpenSSL per
  // realistic review). Keeping them on busy connections was measured (2026-11-29, server under
  // callgrind, wrk -c8, realistic review): most of those 7 k are glibc's malloc_consolidate,
  // which the review's next large allocation (its body copy) then pays instead, so the total
  // moved by 0.4–1 k of ~296 k per review, within the noise; without the mode 1,000 idle
  // connections (one request each) took 35.4 MiB RSS instead of 26.2 MiB. So the mode stays
  // for idle connections; a connection asking again clears it and keeps its buffers until it
  // has been idle for 200-300 ms (EventLoop::answer, EventLoop::sweep): ~2.4 k fewer
  // instructions per request under wrk -c8 (2026-11-29, 217.2 k -> 214.8 k).
  SSL_CTX_set_mode(tls_ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                 SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_read_ahead(tls_ctx_, 1);
  runtime_.certs().configure(*tls_ctx_);
  state_.options = options_.transport;
  // Every connection is a descriptor: keep the cap below the process's limit (with room for
  // the cluster watches and files), or accept() would fail with EMFILE while the listener
  // stays readable.
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    const rlim_t room = limit.rlim_cur > 256 ? limit.rlim_cur - 128 : 128;
    if (room < static_cast<rlim_t>(state_.options.max_connections)) {
      state_.options.max_connections = static_cast<int>(room);
    }
  }
}

HttpsServer::~HttpsServer() {
  // The loops go after waiter_ (members in reverse order): its last answers find them alive.
  for (const Listener& l : state_.listeners) ::close(l.fd);
  SSL_CTX_free(tls_ctx_);
}

std::optional<Response> HttpsServer::health_route(const Request& req) {
  const std::string& path = req.head.path;
  if (path != "/healthz" && path != "/readyz") return std::nullopt;
  if (!is_get(req)) return not_allowed();
  std::string reason = path == "/readyz" ? runtime_.not_ready_reason() : std::string();
  if (reason.empty()) return Response{200, kText, "ok\n"};
  return Response{503, kText, reason + "\n"};
}

std::optional<Response> HttpsServer::admission_route(const Request& req) {
  if (req.head.path != "/validate") {
    if (auto r = health_route(req)) return r;
    return not_found();
  }
  if (req.head.method != "POST") return not_allowed();
  std::chrono::milliseconds timeout{0};
  if (std::string_view t; http::query_param(req.head.query, "timeout", t)) {
    if (auto d = policy::parse_duration(t); d.ok()) timeout = *d;
  }
  Validation v = start_validate(req.body, timeout, runtime_);
  if (v.reply) return Response{v.reply->status, kJson, std::move(v.reply->body)};
  // Waits for the cluster off the loop; answered from the waiter's thread.
  waiter_.add(std::move(v.waiting), [to = req.reply_to](HttpReply reply) {
    to.send(Response{reply.status, kJson, std::move(reply.body)});
  });
  return std::nullopt;
}

std::optional<Response> HttpsServer::metrics_route(const Request& req) {
  if (req.head.path != "/metrics") {
    if (auto r = health_route(req)) return r;
    return not_found();
  }
  if (!is_get(req)) return not_allowed();
  return Response{200, "text/plain; version=0.0.4; charset=utf-8", registry_.render()};
}

Result<bool> HttpsServer::bind() {
  if (tls_ctx_ == nullptr) return make_error("TLS server could not be set up");
  auto tls = listen_on(options_.listen);
  if (!tls.ok()) return make_error(tls.error());
  auto plain = listen_on(options_.metrics_listen);
  if (!plain.ok()) {
    ::close(*tls);
    return make_error(plain.error());
  }
  http::Limits admission_limits;
  admission_limits.max_body_bytes = kMaxBodyBytes;
  http::Limits metrics_limits;
  metrics_limits.max_body_bytes = 64 * 1024;
  state_.listeners.push_back(
      {*tls, tls_ctx_, admission_limits, [this](const Request& r) { return admission_route(r); }});
  state_.listeners.push_back(
      {*plain, nullptr, metrics_limits, [this](const Request& r) { return metrics_route(r); }});
  return true;
}

void HttpsServer::run() {
  {
    std::lock_guard lock(run_mu_);
    const int n = options_.threads > 0 ? options_.threads : cpus_allowed();
    for (int i = 0; i < n; ++i) loops_.push_back(std::make_unique<EventLoop>(state_));
    running_ = true;
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([loop = loops_[i].get()] { loop->run(); });
  }
  loops_[0]->run();
  for (std::thread& t : threads) t.join();
  {
    std::lock_guard lock(run_mu_);
    running_ = false;
  }
  run_cv_.notify_all();
}

void HttpsServer::stop() {
  state_.draining.store(true);
  bool running;
  {
    std::lock_guard lock(run_mu_);
    running = running_;
  }
  if (running) std::this_thread::sleep_for(options_.drain_grace);
  state_.stopping.store(true);
  std::unique_lock lock(run_mu_);
  for (auto& loop : loops_) loop->wake();
  run_cv_.wait(lock, [this] { return !running_; });
}

}  // namespace preflight::server
