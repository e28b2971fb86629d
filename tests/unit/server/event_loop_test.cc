// The event loop over plain TCP on loopback (TLS adds only the handshake phase; e2e tests cover
// it): keep-alive, pipelining, 100-continue, refusals, deadlines, later answers, the connection
// cap and stopping. Deadlines are shortened so each test takes well under a second.
#include "server/event_loop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

#include "log/log.h"

namespace preflight::server {
namespace {

using namespace std::chrono_literals;

class EventLoopTest : public ::testing::Test {
 protected:
  void start(int max_connections = 100, std::size_t max_body_bytes_in_flight = 1 << 20) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(listen(listen_fd_, 64), 0);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    state_.options.header_timeout = 300ms;
    state_.options.read_timeout = 300ms;
    state_.options.keep_alive = 5s;
    state_.options.max_connections = max_connections;
    state_.options.max_body_bytes_in_flight = max_body_bytes_in_flight;
    http::Limits limits;
    limits.max_body_bytes = 1024;
    state_.listeners.push_back({listen_fd_, nullptr, limits, [this](const Request& r) {
                                  return route(r);
                                }});
    loop_ = std::make_unique<EventLoop>(state_);
    thread_ = std::thread([this] { loop_->run(); });
  }

  void TearDown() override {
    if (!loop_) return;
    state_.stopping = true;
    loop_->wake();
    thread_.join();
    for (std::thread& t : later_) t.join();
    loop_.reset();
    close(listen_fd_);
  }

  std::optional<Response> route(const Request& r) {
    if (r.head.path == "/later") {
      later_.emplace_back([to = r.reply_to] {
        std::this_thread::sleep_for(50ms);
        to.send(Response{200, "text/plain", "later"});
      });
      return std::nullopt;
    }
    if (r.head.path == "/echo") return Response{200, "text/plain", std::string(r.body)};
    if (r.head.path == "/log") log::info("routed", {{"path", r.head.path}});
    return Response{200, "text/plain", "hi"};
  }

  int connect_client() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    return fd;
  }

  static void send_all(int fd, const std::string& data) {
    ASSERT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
  }

  // Reads until `want` bytes, end of stream or `limit`; closed says whether the stream ended.
  static std::string read_some(int fd, std::size_t want, std::chrono::milliseconds limit,
                               bool* closed = nullptr) {
    std::string got;
    const auto end = std::chrono::steady_clock::now() + limit;
    if (closed) *closed = false;
    while (got.size() < want) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      got.append(buf, n);
    }
    return got;
  }

  static std::string response(const std::string& body, bool close = false) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
           std::to_string(body.size()) + (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
  }

  TransportState state_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::unique_ptr<EventLoop> loop_;
  std::thread thread_;
  std::vector<std::thread> later_;
};

TEST_F(EventLoopTest, KeepAliveAndPipelining) {
  start();
  int fd = connect_client();
  send_all(fd, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("hi").size(), 2s), response("hi"));
  send_all(fd, "GET /a HTTP/1.1\r\n\r\nPOST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  const std::string both = response("hi") + response("abc");
  EXPECT_EQ(read_some(fd, both.size(), 2s), both);
  close(fd);
}

TEST_F(EventLoopTest, Http10ClosesUnlessKeepAlive) {
  start();
  int fd = connect_client();
  send_all(fd, "GET /a HTTP/1.0\r\n\r\n");
  bool closed = false;
  EXPECT_EQ(read_some(fd, 1 << 20, 2s, &closed), response("hi", true));
  EXPECT_TRUE(closed);
  close(fd);
}

TEST_F(EventLoopTest, ExpectContinue) {
  start();
  int fd = connect_client();
  send_all(fd, "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
  EXPECT_EQ(read_some(fd, cont.size(), 2s), cont);
  send_all(fd, "ok");
  EXPECT_EQ(read_some(fd, response("ok").size(), 2s), response("ok"));
  close(fd);
}

TEST_F(EventLoopTest, OversizedBodyRefusedFromTheHeaders) {
  start();
  int fd = connect_client();
  send_all(fd, "POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\nabc");
  bool closed = false;
  std::string got = read_some(fd, 1 << 20, 2s, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 413 ")) << got;
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("{\"error\":"), std::string::npos) << got;
  EXPECT_TRUE(closed);
  close(fd);
}

TEST_F(EventLoopTest, StalledHeadIsClosed) {
  start();
  int fd = connect_client();
  send_all(fd, "GET /a HTTP/1.1\r\nHost:");
  bool closed = false;
  EXPECT_EQ(read_some(fd, 1 << 20, 2s, &closed), "");
  EXPECT_TRUE(closed);
  close(fd);
}

TEST_F(EventLoopTest, StalledBodyGets408) {
  start();
  int fd = connect_client();
  send_all(fd, "POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nab");
  bool closed = false;
  std::string got = read_some(fd, 1 << 20, 2s, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 408 ")) << got;
  EXPECT_TRUE(closed);
  close(fd);
}

TEST_F(EventLoopTest, LaterAnswerFromAnotherThread) {
  start();
  int fd = connect_client();
  send_all(fd, "GET /later HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\n");
  const std::string both = response("later") + response("hi");
  EXPECT_EQ(read_some(fd, both.size(), 2s), both);
  close(fd);
}

TEST_F(EventLoopTest, OverTheCapTheLongestIdleConnectionIsClosed) {
  start(/*max_connections=*/2);
  int first = connect_client();
  send_all(first, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(first, response("hi").size(), 2s), response("hi"));
  std::this_thread::sleep_for(10ms);
  int second = connect_client();
  send_all(second, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(second, response("hi").size(), 2s), response("hi"));
  int third = connect_client();
  send_all(third, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(third, response("hi").size(), 2s), response("hi"));
  bool closed = false;
  read_some(first, 1, 1s, &closed);
  EXPECT_TRUE(closed) << "the longest-idle connection was kept";
  send_all(second, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(second, response("hi").size(), 2s), response("hi"));
  close(first);
  close(second);
  close(third);
}

// Out of descriptors, accept() fails while the connection stays queued: the loop must not spin
// on the readable listener, and must accept it once descriptors are free again.
TEST_F(EventLoopTest, OutOfDescriptorsPausesAcceptingInsteadOfSpinning) {
#ifdef __SANITIZE_ADDRESS__
  // The ASan+UBSan runtime needs descriptors of its own (UBSan's vptr check probes memory
  // through a pipe) and reports a false "invalid vptr" when there are none. TSan runs it.
  GTEST_SKIP() << "needs a process that can run out of descriptors without its sanitizer failing";
#endif
  start();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // before the limit
  const int lowest_free = dup(0);
  ASSERT_GE(lowest_free, 0);
  close(lowest_free);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(lowest_free);  // no descriptor left for accept()
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  const int connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  auto cpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return std::chrono::seconds(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           std::chrono::microseconds(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  };
  const auto cpu_before = cpu();
  std::this_thread::sleep_for(400ms);
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(cpu() - cpu_before);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_EQ(connected, 0);
  EXPECT_LT(spent.count(), 150) << "the loop spun on the listener while out of descriptors";
  send_all(fd, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("hi").size(), 2s), response("hi"));
  close(fd);
}

TEST_F(EventLoopTest, BodiesInFlightAreBounded) {
  start(100, /*max_body_bytes_in_flight=*/10);
  int slow = connect_client();
  send_all(slow, "POST /echo HTTP/1.1\r\nContent-Length: 8\r\n\r\nab");
  std::this_thread::sleep_for(50ms);
  int second = connect_client();
  send_all(second, "POST /echo HTTP/1.1\r\nContent-Length: 8\r\n\r\nabcdefgh");
  bool closed = false;
  std::string got = read_some(second, 1 << 20, 2s, &closed);
  EXPECT_TRUE(got.starts_with("HTTP/1.1 503 ")) << got;
  EXPECT_TRUE(closed);
  send_all(slow, "cdefgh");
  EXPECT_EQ(read_some(slow, response("abcdefgh").size(), 2s), response("abcdefgh"));
  int third = connect_client();  // the first body is routed: its bytes are free again
  send_all(third, "POST /echo HTTP/1.1\r\nContent-Length: 8\r\n\r\nabcdefgh");
  EXPECT_EQ(read_some(third, response("abcdefgh").size(), 2s), response("abcdefgh"));
  EXPECT_EQ(state_.body_bytes_in_flight.load(), 0u);
  close(slow);
  close(second);
  close(third);
}

// A route's info line waits for the end of the loop's turn (log.h), and is written before the
// loop sleeps: with nothing more to do, it is on stderr without another request or a stop.
TEST_F(EventLoopTest, ALineLoggedByARouteIsWrittenBeforeTheLoopSleeps) {
  ASSERT_TRUE(log::init("info"));
  std::FILE* file = std::tmpfile();
  const int saved = dup(STDERR_FILENO);
  dup2(fileno(file), STDERR_FILENO);
  start();
  int fd = connect_client();
  send_all(fd, "GET /log HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(fd, response("hi").size(), 2s), response("hi"));
  std::string text;
  for (int i = 0; i < 100 && text.find("\"msg\":\"routed\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
    char buf[4096];
    const ssize_t n = pread(fileno(file), buf, sizeof(buf), 0);
    text.assign(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  }
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::fclose(file);
  EXPECT_NE(text.find("\"msg\":\"routed\",\"path\":\"/log\"}\n"), std::string::npos) << text;
  close(fd);
}

TEST_F(EventLoopTest, StopClosesIdleConnectionsAndAnswersInFlightOnes) {
  start();
  int idle = connect_client();
  send_all(idle, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_EQ(read_some(idle, response("hi").size(), 2s), response("hi"));
  int busy = connect_client();
  send_all(busy, "POST /echo HTTP/1.1\r\nContent-Length: 4\r\n\r\nab");
  std::this_thread::sleep_for(50ms);
  state_.stopping = true;
  loop_->wake();
  bool closed = false;
  read_some(idle, 1, 1s, &closed);
  EXPECT_TRUE(closed);
  send_all(busy, "cd");
  EXPECT_EQ(read_some(busy, 1 << 20, 2s, &closed), response("abcd", true));
  EXPECT_TRUE(closed);
  thread_.join();  // run() returned: no connection left
  thread_ = std::thread([] {});
  close(idle);
  close(busy);
}

}  // namespace
}  // namespace preflight::server
