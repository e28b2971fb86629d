// decode_watch_event: field types are not trusted. Before it existed the reflector read events
// with nlohmann's value(), which throws on a field of the wrong type; the exception left the
// watch thread and terminated the process (found while writing the watch_decoder fuzz target).
#include <gtest/gtest.h>

#include <string>

#include "cluster/watch_decoder.h"

namespace preflight::cluster {
namespace {

struct EventCase {
  const char* name;
  const char* text;
  std::string type;
  std::string resource_version;
  int error_code;
  std::string error_message;
};

class DecodeWatchEventTest : public ::testing::TestWithParam<EventCase> {};

TEST_P(DecodeWatchEventTest, ReadsWhatHasTheRightType) {
  const EventCase& c = GetParam();
  auto event = decode_watch_event(c.text);
  ASSERT_TRUE(event.ok()) << event.error();
  EXPECT_EQ(event->type, c.type);
  EXPECT_EQ(event->resource_version, c.resource_version);
  EXPECT_EQ(event->error_code, c.error_code);
  EXPECT_EQ(event->error_message, c.error_message);
}

INSTANTIATE_TEST_SUITE_P(
    Events, DecodeWatchEventTest,
    ::testing::Values(
        // Clean look-alikes: what the API server sends.
        EventCase{"added",
                  R"j({"type":"ADDED","object":{"kind":"Secret","metadata":{"name":"a","resourceVersion":"12"}}})j",
                  "ADDED", "12", 0, ""},
        EventCase{"bookmark",
                  R"j({"type":"BOOKMARK","object":{"metadata":{"creationTimestamp":null,"resourceVersion":"99"}}})j",
                  "BOOKMARK", "99", 0, ""},
        EventCase{"error_410",
                  R"j({"type":"ERROR","object":{"kind":"Status","metadata":{},"message":"too old resource version: 5 (9)","code":410}})j",
                  "ERROR", "", 410, "too old resource version: 5 (9)"},
        // Wrong types read as absent (each of these threw before).
        EventCase{"type_number", R"j({"type":1,"object":{"metadata":{"resourceVersion":"3"}}})j",
                  "", "3", 0, ""},
        EventCase{"rv_number", R"j({"type":"MODIFIED","object":{"metadata":{"resourceVersion":7}}})j",
                  "MODIFIED", "", 0, ""},
        EventCase{"metadata_string", R"j({"type":"ADDED","object":{"metadata":"x"}})j", "ADDED", "",
                  0, ""},
        EventCase{"code_string", R"j({"type":"ERROR","object":{"code":"410","message":["m"]}})j",
                  "ERROR", "", 0, ""},
        // Out-of-range codes must not convert (a double cast to int is undefined) or wrap to 410.
        EventCase{"code_huge_float", R"j({"type":"ERROR","object":{"code":1e300}})j", "ERROR", "",
                  0, ""},
        EventCase{"code_wraps_to_410", R"j({"type":"ERROR","object":{"code":4294967706}})j",
                  "ERROR", "", 0, ""},
        EventCase{"code_negative", R"j({"type":"ERROR","object":{"code":-410}})j", "ERROR", "", 0,
                  ""},
        EventCase{"object_array", R"j({"type":"ADDED","object":[1,2]})j", "ADDED", "", 0, ""},
        EventCase{"object_missing", R"j({"type":"DELETED"})j", "DELETED", "", 0, ""}),
    [](const ::testing::TestParamInfo<EventCase>& info) { return std::string(info.param.name); });

TEST(DecodeWatchEventTest, NonObjectsAreErrorsWithoutContent) {
  for (const char* text : {"[1]", "\"sk-secret-value\"", "{\"type\":", "", "null"}) {
    auto event = decode_watch_event(text);
    ASSERT_FALSE(event.ok()) << text;
    EXPECT_EQ(event.error().find("sk-secret"), std::string::npos);
  }
}

TEST(DecodeWatchEventTest, KeepsTheObject) {
  auto event = decode_watch_event(R"j({"type":"ADDED","object":{"metadata":{"name":"n"}}})j");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->object["metadata"]["name"], "n");
}

TEST(StringMemberTest, OnlyStringsOfObjects) {
  const auto doc = nlohmann::json::parse(R"j({"s":"v","n":5,"o":{},"nil":null})j");
  EXPECT_EQ(string_member(doc, "s"), "v");
  EXPECT_EQ(string_member(doc, "n"), "");
  EXPECT_EQ(string_member(doc, "o"), "");
  EXPECT_EQ(string_member(doc, "nil"), "");
  EXPECT_EQ(string_member(doc, "missing"), "");
  EXPECT_EQ(string_member(nlohmann::json::array({"s"}), "s"), "");
  EXPECT_EQ(string_member(nlohmann::json("s"), "s"), "");
}

}  // namespace
}  // namespace preflight::cluster
