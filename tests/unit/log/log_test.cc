#include "log/log.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
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

// Descriptor 2 sent to a temporary file while it lives; text() is what was written so far.
class StderrToFile {
 public:
  StderrToFile() : file_(std::tmpfile()), saved_(dup(STDERR_FILENO)) {
    dup2(fileno(file_), STDERR_FILENO);
  }
  ~StderrToFile() {
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    std::fclose(file_);
  }
  std::string text() const {
    std::string out;
    char buf[4096];
    for (off_t at = 0;;) {
      const ssize_t n = pread(fileno(file_), buf, sizeof(buf), at);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
      at += n;
    }
  }

 private:
  std::FILE* file_;
  int saved_;
};

std::vector<std::string> messages(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    out.push_back(j.is_discarded() ? "not JSON: " + line : j.value("msg", std::string("?")));
  }
  return out;
}

TEST(LogTest, DeferredInfoLinesWaitForFlushInTheirOrder) {
  ASSERT_TRUE(init("info"));
  StderrToFile err;
  {
    DeferScope defer;
    info("one");
    info("two", {{"n", 2}});
    EXPECT_EQ(err.text(), "");
    flush();
    EXPECT_EQ(messages(err.text()), (std::vector<std::string>{"one", "two"}));
    info("three");
    EXPECT_EQ(messages(err.text()).size(), 2u);
  }  // the end of the scope flushes
  EXPECT_EQ(messages(err.text()), (std::vector<std::string>{"one", "two", "three"}));
  info("four");  // outside a scope: at once
  EXPECT_EQ(messages(err.text()).back(), "four");
}

TEST(LogTest, AWarningIsWrittenAtOnceAfterTheLinesWaitingBeforeIt) {
  ASSERT_TRUE(init("info"));
  StderrToFile err;
  DeferScope defer;
  info("waiting");
  warn("warning");
  EXPECT_EQ(messages(err.text()), (std::vector<std::string>{"waiting", "warning"}));
}

TEST(LogTest, AThreadThatDoesNotDeferWritesTheWaitingLinesFirst) {
  ASSERT_TRUE(init("info"));
  StderrToFile err;
  DeferScope defer;
  info("deferred");
  std::thread([] { info("other thread"); }).join();
  EXPECT_EQ(messages(err.text()), (std::vector<std::string>{"deferred", "other thread"}));
}

TEST(LogTest, LinesOfConcurrentThreadsNeverInterleave) {
  ASSERT_TRUE(init("info"));
  StderrToFile err;
  const std::string long_value(3000, 'x');  // longer than one small write
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &long_value] {
      std::optional<DeferScope> defer;
      if (t % 2 == 0) defer.emplace();  // half like event loops, half like reflectors
      for (int i = 0; i < 500; ++i) {
        info("line", {{"thread", t}, {"i", i}, {"value", long_value}});
        if (defer && i % 7 == 0) flush();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const std::vector<std::string> got = messages(err.text());
  EXPECT_EQ(got.size(), 2000u);
  for (const std::string& m : got) ASSERT_EQ(m, "line");
}

TEST(LogTest, ManyWaitingLinesAreWrittenBeforeTheyGrowPast64KiB) {
  ASSERT_TRUE(init("info"));
  StderrToFile err;
  DeferScope defer;
  const std::string value(1000, 'v');
  for (int i = 0; i < 100; ++i) info("line", {{"value", value}});
  const std::size_t written = err.text().size();
  EXPECT_GT(written, 0u);
  EXPECT_LE(100 * 1000 - written, 64u * 1024);
  flush();
  EXPECT_EQ(messages(err.text()).size(), 100u);
}

TEST(LogTest, BelowTheLevelNothingIsWritten) {
  ASSERT_TRUE(init("warn"));
  EXPECT_EQ(logged("review", {{"uid", "u"}}), "");
  ASSERT_TRUE(init("info"));
}

}  // namespace
}  // namespace preflight::log
