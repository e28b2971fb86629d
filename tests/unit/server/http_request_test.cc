#include "server/http_request.h"

#include <gtest/gtest.h>

#include <string>

namespace preflight::server::http {
namespace {

using Kind = ParseResult::Kind;

ParseResult parse(const std::string& data, RequestHead& head, Limits limits = {}) {
  return parse_head(data, limits, head);
}

TEST(ParseHeadTest, PostWithContentLength) {
  RequestHead h;
  const std::string req =
      "POST /validate?timeout=10s HTTP/1.1\r\nHost: x\r\ncontent-length: 12\r\n"
      "Content-Type: application/json\r\n\r\n{\"a\":\"body\"}";
  ParseResult r = parse(req, h);
  ASSERT_EQ(r.kind, Kind::kComplete);
  EXPECT_EQ(r.head_bytes, req.size() - 12);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.path, "/validate");
  EXPECT_EQ(h.query, "timeout=10s");
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_FALSE(h.expect_continue);
}

TEST(ParseHeadTest, IncompleteUntilTheBlankLine) {
  RequestHead h;
  EXPECT_EQ(parse("", h).kind, Kind::kIncomplete);
  EXPECT_EQ(parse("GET /healthz HT", h).kind, Kind::kIncomplete);
  EXPECT_EQ(parse("GET /healthz HTTP/1.1\r\nHost: x\r\n", h).kind, Kind::kIncomplete);
  EXPECT_EQ(parse("GET /healthz HTTP/1.1\r\nHost: x\r\n\r", h).kind, Kind::kIncomplete);
  EXPECT_EQ(parse("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", h).kind, Kind::kComplete);
}

TEST(ParseHeadTest, PipelinedRequestsParseOneAtATime) {
  RequestHead h;
  const std::string one = "GET /healthz HTTP/1.1\r\n\r\n";
  ParseResult r = parse(one + "GET /readyz HTTP/1.1\r\n\r\n", h);
  ASSERT_EQ(r.kind, Kind::kComplete);
  EXPECT_EQ(r.head_bytes, one.size());
  EXPECT_EQ(h.path, "/healthz");
}

TEST(ParseHeadTest, KeepAliveRules) {
  struct Case {
    const char* version;
    const char* connection;
    bool keep_alive;
  } cases[] = {
      {"HTTP/1.1", nullptr, true},        {"HTTP/1.1", "close", false},
      {"HTTP/1.1", "Keep-Alive, CLOSE", false}, {"HTTP/1.0", nullptr, false},
      {"HTTP/1.0", "keep-alive", true},   {"HTTP/1.0", "close", false},
  };
  for (const Case& c : cases) {
    RequestHead h;
    std::string req = std::string("GET / ") + c.version + "\r\n";
    if (c.connection != nullptr) req += std::string("Connection: ") + c.connection + "\r\n";
    req += "\r\n";
    ASSERT_EQ(parse(req, h).kind, Kind::kComplete) << req;
    EXPECT_EQ(h.keep_alive, c.keep_alive) << req;
  }
}

TEST(ParseHeadTest, ExpectContinue) {
  RequestHead h;
  ASSERT_EQ(parse("POST /validate HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 9\r\n\r\n", h).kind,
            Kind::kComplete);
  EXPECT_TRUE(h.expect_continue);
}

TEST(ParseHeadTest, Refusals) {
  struct Case {
    std::string request;
    int status;
  } cases[] = {
      {"GET /healthz\r\n\r\n", 400},
      {"GET healthz HTTP/1.1\r\n\r\n", 400},
      {"GET /healthz HTTP/2.0\r\n\r\n", 400},
      {"G(T /healthz HTTP/1.1\r\n\r\n", 400},
      {"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
      {"GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
      {"GET /healthz HTTP/1.1\r\nX: a\nb\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 3145729\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"GET /" + std::string(5000, 'a'), 414},  // refused before the line ends
      {"GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nX: " + std::string(20000, 'a'), 431},  // refused before the head ends
  };
  for (const Case& c : cases) {
    RequestHead h;
    ParseResult r = parse(c.request, h);
    EXPECT_EQ(r.kind, Kind::kError) << c.request.substr(0, 80);
    EXPECT_EQ(r.status, c.status) << c.request.substr(0, 80);
    EXPECT_FALSE(r.message.empty());
  }
}

TEST(ParseHeadTest, ABadRequestLineIsRefusedBeforeTheHeadEnds) {
  RequestHead h;
  EXPECT_EQ(parse("BAD\r\nHost: x\r\n", h).status, 400);
}

TEST(ParseHeadTest, TooManyHeaderFields) {
  std::string req = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) req += "X-" + std::to_string(i) + ": y\r\n";
  RequestHead h;
  EXPECT_EQ(parse(req + "\r\n", h).status, 431);
}

TEST(ParseHeadTest, RepeatedEqualContentLengthIsAccepted) {
  RequestHead h;
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", h).kind,
            Kind::kComplete);
  EXPECT_EQ(h.content_length, 5u);
}

TEST(QueryParamTest, FindsRawValues) {
  std::string_view v;
  EXPECT_TRUE(query_param("timeout=10s", "timeout", v));
  EXPECT_EQ(v, "10s");
  EXPECT_TRUE(query_param("a=1&timeout=5s&b", "timeout", v));
  EXPECT_EQ(v, "5s");
  EXPECT_TRUE(query_param("a=1&b", "b", v));
  EXPECT_EQ(v, "");
  EXPECT_FALSE(query_param("xtimeout=1s", "timeout", v));
  EXPECT_FALSE(query_param("", "timeout", v));
}

}  // namespace
}  // namespace preflight::server::http
