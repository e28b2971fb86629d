#include "server/connection_guard.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

namespace preflight::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A connected socket pair: `server` is what the guard tracks, `client` sees the shutdown.
struct Pair {
  int server = -1, client = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    server = fds[0];
    client = fds[1];
  }
  ~Pair() {
    close(server);
    close(client);
  }
  // True when the guard shut the server side down: its worker would read end-of-stream.
  bool cut() const {
    char c;
    return recv(server, &c, 1, MSG_DONTWAIT) == 0;
  }
  // True when the client sees the connection closed (every fd of the server side closed).
  bool client_sees_close() const {
    char c;
    return recv(client, &c, 1, MSG_DONTWAIT) == 0;
  }
  const void* key() const { return this; }
};

GuardLimits limits() { return GuardLimits{milliseconds(5000), milliseconds(35000)}; }

TEST(ConnectionGuard, DeadlinesPerState) {
  struct Case {
    const char* name;
    void (*advance)(ConnectionGuard&, const void* conn);
    seconds after;
    bool cut;
  };
  const Case cases[] = {
      {"handshake stalled", [](ConnectionGuard&, const void*) {}, seconds(6), true},
      {"handshake within the limit", [](ConnectionGuard&, const void*) {}, seconds(4), false},
      {"idle keep-alive is left to cpp-httplib",
       [](ConnectionGuard& g, const void* conn) { g.handshake_done(conn); }, seconds(100), false},
      {"headers dribbled",
       [](ConnectionGuard& g, const void* conn) {
         g.handshake_done(conn);
         g.record_received(conn);
       },
       seconds(6), true},
      {"headers in time",
       [](ConnectionGuard& g, const void* conn) {
         g.handshake_done(conn);
         g.record_received(conn);
       },
       seconds(4), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ConnectionGuard guard(limits(), /*start_sweeper=*/false);
    Pair p;
    guard.handshake_started(p.key(), p.server);
    c.advance(guard, p.key());
    guard.sweep(ConnectionGuard::Clock::now() + c.after);
    EXPECT_EQ(p.cut(), c.cut);
  }
}

TEST(ConnectionGuard, ForgetsClosedConnectionsAndNeverHoldsThemOpen) {
  ConnectionGuard guard(limits(), false);
  Pair p;
  guard.handshake_started(p.key(), p.server);
  EXPECT_EQ(guard.open_connections(), 1);
  guard.connection_closed(p.key());
  EXPECT_EQ(guard.open_connections(), 0);
  // The worker closes its fd after the SSL object is freed: the guard's dup is already gone,
  // so the client sees the close.
  close(p.server);
  EXPECT_TRUE(p.client_sees_close());
  p.server = -1;
}

// The race the guard is built against: a connection past its deadline ends, its fd number is
// reused at once by a new connection, and the sweep must not shut the new one down.
TEST(ConnectionGuard, ReusedFdNumberIsNotTouched) {
  ConnectionGuard guard(limits(), false);
  auto old_conn = std::make_unique<Pair>();
  const int number = old_conn->server;
  guard.handshake_started(old_conn->key(), old_conn->server);
  // Still tracked while the worker holds it; then the worker frees and closes it.
  guard.connection_closed(old_conn->key());
  old_conn.reset();
  Pair reused;
  ASSERT_EQ(reused.server, number);  // the kernel hands out the lowest free number
  EXPECT_EQ(guard.sweep(ConnectionGuard::Clock::now() + seconds(100)), 0);
  EXPECT_EQ(guard.evict_idle(5), 0);
  EXPECT_FALSE(reused.cut());
}

TEST(ConnectionGuard, ShutsDownThroughItsOwnDupEvenAfterTheNumberIsReused) {
  ConnectionGuard guard(limits(), false);
  Pair p;
  guard.handshake_started(p.key(), p.server);
  // The worker's number now names another socket (dup2 over it); the guard still reaches the
  // connection it tracks, and only that one.
  Pair other;
  const int moved = fcntl(p.server, F_DUPFD_CLOEXEC, 0);
  ASSERT_GE(moved, 0);
  ASSERT_EQ(dup2(other.server, p.server), p.server);
  EXPECT_EQ(guard.sweep(ConnectionGuard::Clock::now() + seconds(6)), 1);
  char c;
  EXPECT_EQ(recv(moved, &c, 1, MSG_DONTWAIT), 0);  // the tracked connection: cut
  EXPECT_FALSE(other.cut());
  close(moved);
}

// The hook that ends a connection: OpenSSL frees its SSL object (cpp-httplib does so before it
// closes the fd); the ex_data free callback installed by install() tells the guard.
TEST(ConnectionGuard, FreeingTheSslObjectEndsTheConnection) {
  ConnectionGuard guard(limits(), false);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                       &SSL_CTX_free);
  ASSERT_NE(ctx, nullptr);
  guard.install(*ctx);
  Pair p;
  ASSERT_EQ(fcntl(p.server, F_SETFL, O_NONBLOCK), 0);
  SSL* ssl = SSL_new(ctx.get());
  ASSERT_NE(ssl, nullptr);
  SSL_set_fd(ssl, p.server);
  EXPECT_EQ(SSL_accept(ssl), -1);  // waits for a ClientHello: the handshake has started
  EXPECT_EQ(guard.open_connections(), 1);
  SSL_free(ssl);
  EXPECT_EQ(guard.open_connections(), 0);
  close(p.server);
  p.server = -1;
  EXPECT_TRUE(p.client_sees_close());
}

TEST(ConnectionGuard, EvictsLongestIdleFirst) {
  ConnectionGuard guard(limits(), false);
  Pair older, newer, busy, arriving;
  for (const Pair* p : {&older, &newer, &busy, &arriving}) {
    guard.handshake_started(p->key(), p->server);
    guard.handshake_done(p->key());
    std::this_thread::sleep_for(milliseconds(2));
  }
  guard.record_received(busy.key());  // a request is arriving: not idle
  ASSERT_EQ(send(arriving.client, "x", 1, 0), 1);  // bytes waiting: not idle either
  EXPECT_EQ(guard.evict_idle(1), 1);
  EXPECT_TRUE(older.cut());
  EXPECT_FALSE(newer.cut());
  EXPECT_EQ(guard.evict_idle(5), 1);  // only `newer` is left idle
  EXPECT_TRUE(newer.cut());
  EXPECT_FALSE(busy.cut());
}

TEST(ConnectionGuard, ConnectionCloseEndsTheConnectionAfterTheResponse) {
  ConnectionGuard guard(limits(), false);
  Pair keep, done;
  for (const Pair* p : {&keep, &done}) {
    guard.handshake_started(p->key(), p->server);
    guard.handshake_done(p->key());
    guard.request_started(p->key());
  }
  guard.request_finished(keep.key());
  guard.request_finished(done.key(), /*close=*/true);
  EXPECT_FALSE(keep.cut());
  EXPECT_TRUE(done.cut());
  EXPECT_EQ(guard.evict_idle(5), 1);  // `keep` is idle now; `done` is already closing
}

}  // namespace
}  // namespace preflight::server
