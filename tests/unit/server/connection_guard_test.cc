#include "server/connection_guard.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

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
};

GuardLimits limits() { return GuardLimits{milliseconds(5000), milliseconds(35000)}; }

TEST(ConnectionGuard, DeadlinesPerState) {
  struct Case {
    const char* name;
    void (*advance)(ConnectionGuard&, int fd);
    seconds after;
    bool cut;
  };
  const Case cases[] = {
      {"handshake stalled", [](ConnectionGuard&, int) {}, seconds(6), true},
      {"handshake within the limit", [](ConnectionGuard&, int) {}, seconds(4), false},
      {"idle keep-alive is left to cpp-httplib",
       [](ConnectionGuard& g, int fd) { g.handshake_done(fd); }, seconds(100), false},
      {"headers dribbled",
       [](ConnectionGuard& g, int fd) {
         g.handshake_done(fd);
         g.record_received(fd);
       },
       seconds(6), true},
      {"headers in time",
       [](ConnectionGuard& g, int fd) {
         g.handshake_done(fd);
         g.record_received(fd);
       },
       seconds(4), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ConnectionGuard guard(limits(), /*start_sweeper=*/false);
    Pair p;
    guard.handshake_started(p.server);
    c.advance(guard, p.server);
    guard.sweep(ConnectionGuard::Clock::now() + c.after);
    EXPECT_EQ(p.cut(), c.cut);
  }
}

TEST(ConnectionGuard, ForgetsClosedSockets) {
  ConnectionGuard guard(limits(), false);
  {
    Pair p;
    guard.handshake_started(p.server);
    EXPECT_EQ(guard.open_connections(), 1);
  }
  EXPECT_EQ(guard.open_connections(), 0);
}

TEST(ConnectionGuard, EvictsLongestIdleFirst) {
  ConnectionGuard guard(limits(), false);
  Pair older, newer, busy;
  for (const Pair* p : {&older, &newer, &busy}) {
    guard.handshake_started(p->server);
    guard.handshake_done(p->server);
    std::this_thread::sleep_for(milliseconds(2));
  }
  guard.record_received(busy.server);  // a request is arriving: not idle
  EXPECT_EQ(guard.evict_idle(1), 1);
  EXPECT_TRUE(older.cut());
  EXPECT_FALSE(newer.cut());
  EXPECT_EQ(guard.evict_idle(5), 1);  // only `newer` is left idle
  EXPECT_TRUE(newer.cut());
  EXPECT_FALSE(busy.cut());
}

}  // namespace
}  // namespace preflight::server
