#include "log/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace preflight::log {
namespace {

// The line on stderr after the time and level: {"time":...,"level":"info",<this>}.
std::string logged(std::string_view msg, const nlohmann::json& fields) {
  testing::internal::CaptureStderr();
  info(msg, fields);
  std::string out = testing::internal::GetCapturedStderr();
  auto at = out.find("\"msg\"");
  return at == std::string::npos ? out : out.substr(at);
}

TEST(LogTest, OneJsonObjectPerLineWithMessageFirst) {
  ASSERT_TRUE(init("info"));
  nlohmann::json fields = {{"uid", "u-1"},
                           {"duration_us", 42},
                           {"dry_run", false},
                           {"findings", {"secret-ref:deny"}},
                           {"msg", "ignored"}};
  EXPECT_EQ(
      logged("review", fields),
      R"("msg":"review","dry_run":false,"duration_us":42,"findings":["secret-ref:deny"],"uid":"u-1"})"
      "\n");
  std::string line = "{\"time\":\"x\",\"level\":\"info\"," + logged("review", fields);
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
}

TEST(LogTest, EscapesAndReplacesInvalidUtf8) {
  ASSERT_TRUE(init("info"));
  std::string line = logged("a \"quoted\"\nmsg", {{"name", std::string("bad \xff byte")}});
  EXPECT_EQ(line, "\"msg\":\"a \\\"quoted\\\"\\nmsg\",\"name\":\"bad \xef\xbf\xbd byte\"}\n");
}

TEST(LogTest, FieldsWriteTheBytesOfTheDocumentInKeyOrder) {
  ASSERT_TRUE(init("info"));
  const std::string odd = "tab\t \"q\" \\ \x01 \xc3\xa9 bad \xff";
  std::vector<std::string> ids = {"secret-ref:deny", odd};
  nlohmann::json doc = {{"uid", odd}, {"dry_run", true}, {"duration_us", -1234567890123LL},
                        {"findings", ids}, {"empty", std::vector<std::string>()}, {"kind", ""}};
  Fields fields;
  fields.boolean("dry_run", true)
      .integer("duration_us", -1234567890123LL)
      .strings("empty", {})
      .strings("findings", ids)
      .string("kind", "")
      .string("uid", odd);
  testing::internal::CaptureStderr();
  info("review", fields);
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.substr(out.find("\"msg\"")), logged("review", doc));
}

TEST(LogTest, BelowTheLevelNothingIsWritten) {
  ASSERT_TRUE(init("warn"));
  EXPECT_EQ(logged("review", {{"uid", "u"}}), "");
  ASSERT_TRUE(init("info"));
}

}  // namespace
}  // namespace preflight::log
