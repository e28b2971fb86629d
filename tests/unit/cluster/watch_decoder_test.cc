#include "cluster/watch_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace preflight::cluster {
namespace {

using Docs = std::vector<std::string>;

// Feeds `pieces` in order and returns the documents emitted; fails the test on a stream error.
Docs split(const std::vector<std::string_view>& pieces, JsonStreamSplitter& splitter) {
  Docs docs;
  for (std::string_view piece : pieces) {
    auto r = splitter.feed(piece, [&](std::string_view doc) {
      docs.emplace_back(doc);
      return true;
    });
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r.ok()) break;
  }
  return docs;
}

// Documents that trip naive splitters: structural bytes inside strings, escapes at the end of
// strings, multi-byte UTF-8, nesting, arrays, and varied whitespace between documents.
const Docs kTricky = {
    R"({"type":"ADDED","object":{"kind":"Secret","metadata":{"name":"a"}}})",
    R"({"s":"}{][ \" still in"})",
    R"({"backslash at end":"\\","next":"x"})",
    R"({"escaped backslash then quote":"\\\"","n":[1,[2,{"k":"]"}]]})",
    "{\"utf8\":\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91\",\"u\":\"\\u00e9\"}",
    R"([{"top":"array"},"}"])",
    R"({})",
};

std::string join(const Docs& docs) {
  const char* seps[] = {"\n", "\r\n", "", "  \t\n", "\n\n"};
  std::string out;
  for (std::size_t i = 0; i < docs.size(); ++i) out += docs[i] + seps[i % 5];
  return out;
}

TEST(JsonStreamSplitter, WholeStreamInOneChunk) {
  JsonStreamSplitter s;
  EXPECT_EQ(split({join(kTricky)}, s), kTricky);
  EXPECT_TRUE(s.idle());
}

TEST(JsonStreamSplitter, SplitAtEveryBytePosition) {
  const std::string stream = join(kTricky);
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    JsonStreamSplitter s;
    std::string_view v(stream);
    EXPECT_EQ(split({v.substr(0, i), v.substr(i)}, s), kTricky) << "split at " << i;
    EXPECT_TRUE(s.idle()) << "split at " << i;
  }
}

TEST(JsonStreamSplitter, SplitAtEveryPairOfPositions) {
  const std::string stream = join(kTricky);
  std::string_view v(stream);
  for (std::size_t i = 0; i <= v.size(); i += 3) {
    for (std::size_t j = i; j <= v.size(); ++j) {
      JsonStreamSplitter s;
      ASSERT_EQ(split({v.substr(0, i), v.substr(i, j - i), v.substr(j)}, s), kTricky)
          << "split at " << i << "," << j;
    }
  }
}

TEST(JsonStreamSplitter, ByteByByte) {
  const std::string stream = join(kTricky);
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i)
    bytes.push_back(std::string_view(stream).substr(i, 1));
  JsonStreamSplitter s;
  EXPECT_EQ(split(bytes, s), kTricky);
}

TEST(JsonStreamSplitter, PartialDocumentIsNotEmitted) {
  JsonStreamSplitter s;
  EXPECT_EQ(split({R"({"a":1}{"b":"})"}, s), Docs{R"({"a":1})"});
  EXPECT_FALSE(s.idle());
  EXPECT_EQ(split({R"("})"}, s), Docs{R"({"b":"}"})"});
  EXPECT_TRUE(s.idle());
}

TEST(JsonStreamSplitter, EmitFalseStopsAndKeepsTheRest) {
  JsonStreamSplitter s;
  Docs docs;
  auto take_one = [&](std::string_view doc) {
    docs.emplace_back(doc);
    return false;
  };
  auto r = s.feed(R"({"a":1}{"b":2}{"c":)", take_one);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(docs, Docs{R"({"a":1})"});
  r = s.feed("", take_one);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(docs, (Docs{R"({"a":1})", R"({"b":2})"}));
  EXPECT_EQ(split({"3}"}, s), Docs{R"({"c":3})"});
}

TEST(JsonStreamSplitter, MaxDocumentSize) {
  const std::string exact = R"({"k":")" + std::string(10, 'x') + R"("})";  // 18 bytes
  {
    JsonStreamSplitter s(exact.size());
    EXPECT_EQ(split({exact, "\n", exact}, s), (Docs{exact, exact}));
  }
  struct Case {
    std::string name;
    std::vector<std::string> pieces;
  };
  const Case cases[] = {
      {"one chunk", {exact + "x"}},  // the stray x would also fail, but size comes first
      {"long string", {R"({"k":")" + std::string(40, 'v')}},
      {"grows over feeds", {R"({"k":[)", "1,2,3,4,5,", "6,7,8,9,10,11"}},
  };
  for (const auto& c : cases) {
    JsonStreamSplitter s(exact.size() - 1);
    std::string error;
    for (const auto& piece : c.pieces) {
      auto r = s.feed(piece, [](std::string_view) { return true; });
      if (!r.ok()) {
        error = r.error();
        break;
      }
    }
    EXPECT_NE(error.find("exceeds 17 bytes"), std::string::npos) << c.name << ": " << error;
    EXPECT_TRUE(s.failed()) << c.name;
  }
}

TEST(JsonStreamSplitter, MalformedStreams) {
  struct Case {
    std::string stream;
    std::string expect;  // part of the error
  };
  const Case cases[] = {
      {R"({"a":"SENTINEL-VALUE"}})", "unbalanced '}' at byte 22"},
      {"]", "unbalanced ']' at byte 0"},
      {R"("SENTINEL-VALUE")", "a string outside a JSON object at byte 0"},
      {"{\"a\":1} SENTINEL-VALUE", "unexpected byte 0x53 outside a JSON object at byte 8"},
      {"42", "unexpected byte 0x34"},
      {"\x1f", "unexpected byte 0x1f"},
  };
  for (const auto& c : cases) {
    JsonStreamSplitter s;
    auto r = s.feed(c.stream, [](std::string_view) { return true; });
    ASSERT_FALSE(r.ok()) << c.stream;
    EXPECT_NE(r.error().find(c.expect), std::string::npos) << r.error();
    EXPECT_EQ(r.error().find("SENTINEL"), std::string::npos) << r.error();
    // Sticky: a later valid chunk does not revive the stream.
    auto again = s.feed(R"({"ok":1})", [](std::string_view) { return true; });
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error(), r.error());
    EXPECT_FALSE(s.idle());
  }
}

TEST(JsonStreamSplitter, OffsetsCountAcrossChunks) {
  JsonStreamSplitter s;
  auto r = s.feed("{}\n{}\n", [](std::string_view) { return true; });
  ASSERT_TRUE(r.ok());
  r = s.feed("  ]", [](std::string_view) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("at byte 8"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace preflight::cluster
