#include <gtest/gtest.h>

#include <string>

#include "policy/policy.h"

namespace preflight::policy {
namespace {

struct GoodCase {
  std::string text;
  long long ms;
};

TEST(PolicyDuration, AcceptsGoDurations) {
  const GoodCase cases[] = {
      {"0", 0},
      {"+0", 0},
      {"0s", 0},
      {"2s", 2000},
      {"+2s", 2000},
      {"300ms", 300},
      {"1m30s", 90'000},
      {"1h", 3'600'000},
      {"1.5h", 5'400'000},
      {"1.5s", 1500},
      {".5s", 500},
      {"1.s", 1000},
      {"2000000us", 2000},
      {"1000000ns", 1},
      {"1000\xC2\xB5s", 1},  // micro sign
      {"1000\xCE\xBCs", 1},  // greek mu
      {"1h1h", 7'200'000},
      {"10m0s", 600'000},
      {"0.001s", 1},
      {"2562047h", 2562047LL * 3'600'000},  // Go's largest whole hour
  };
  for (const auto& c : cases) {
    auto d = parse_duration(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.error();
    EXPECT_EQ(d->count(), c.ms) << c.text;
  }
}

struct BadCase {
  std::string text;
  std::string error;
};

TEST(PolicyDuration, RejectsWithExactMessage) {
  const BadCase cases[] = {
      {"", "invalid duration \"\": empty"},
      {"-2s", "invalid duration \"-2s\": negative durations are not allowed"},
      {"-0", "invalid duration \"-0\": negative durations are not allowed"},
      {"2", "invalid duration \"2\": missing unit (use ns, us, ms, s, m or h)"},
      {"1m30", "invalid duration \"1m30\": missing unit (use ns, us, ms, s, m or h)"},
      {"2x", "invalid duration \"2x\": unknown unit \"x\" (use ns, us, ms, s, m or h)"},
      {"2S", "invalid duration \"2S\": unknown unit \"S\" (use ns, us, ms, s, m or h)"},
      {"2 s", "invalid duration \"2 s\": unknown unit \" s\" (use ns, us, ms, s, m or h)"},
      {"s", "invalid duration \"s\": expected a number and a unit, e.g. 2s, 500ms, 1m30s"},
      {".s", "invalid duration \".s\": expected a number and a unit, e.g. 2s, 500ms, 1m30s"},
      {"+", "invalid duration \"+\": expected a number and a unit, e.g. 2s, 500ms, 1m30s"},
      {"abc", "invalid duration \"abc\": expected a number and a unit, e.g. 2s, 500ms, 1m30s"},
      {"1.2.3s", "invalid duration \"1.2.3s\": missing unit (use ns, us, ms, s, m or h)"},
      {"2562048h", "invalid duration \"2562048h\": too large"},
      {"9223372036854775808ns", "invalid duration \"9223372036854775808ns\": too large"},
      {"99999999999999999999999s", "invalid duration \"99999999999999999999999s\": too large"},
      {"1500us", "invalid duration \"1500us\": not a whole number of milliseconds"},
      {"1ns", "invalid duration \"1ns\": not a whole number of milliseconds"},
      {"1234567890123456789012345678901234567890123456789s",
       "invalid duration \"1234567890123456789012345678901234567890...\": too large"},
  };
  for (const auto& c : cases) {
    auto d = parse_duration(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.error(), c.error) << c.text;
  }
}

}  // namespace
}  // namespace preflight::policy
