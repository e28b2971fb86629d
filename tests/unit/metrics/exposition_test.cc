#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace preflight::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string value(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

std::string bound(double v) {
  std::string out;
  append_bucket_bound(out, v);
  return out;
}

std::string help(std::string_view s) {
  std::string out;
  append_escaped_help(out, s);
  return out;
}

std::string label(std::string_view s) {
  std::string out;
  append_escaped_label_value(out, s);
  return out;
}

struct NumberCase {
  double in;
  const char* want;
};

TEST(ExpositionValue, FormatsLikePrometheusExpects) {
  const NumberCase cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-2, "-2"},
      {1000000, "1000000"},        // integral: no exponent (Go would print 1e+06)
      {1712345678, "1712345678"},  // a start time stays readable
      {123456789012345, "123456789012345"},
      {1e15, "1e+15"},  // past the integer range: shortest round-trip
      {0.1, "0.1"},
      {2.5, "2.5"},
      {1.0 / 3, "0.3333333333333333"},  // every digit needed to read back the same double
      {0.000015, "1.5e-05"},
      {1e300, "1e+300"},
      {std::nan(""), "NaN"},
      {kInf, "+Inf"},
      {-kInf, "-Inf"},
  };
  for (const auto& c : cases) EXPECT_EQ(value(c.in), c.want) << c.want;
}

TEST(ExpositionValue, NonIntegralRoundTrips) {
  for (double v : {0.1 + 0.2, 123.456, 1e-9, 9007199254740993.0, 6.02214076e23}) {
    EXPECT_EQ(std::stod(value(v)), v) << value(v);
  }
}

TEST(ExpositionBucketBound, MatchesGoFormatFloatG) {
  const NumberCase cases[] = {
      {0.0005, "0.0005"}, {0.005, "0.005"}, {0.01, "0.01"},     {0.1, "0.1"},   {1, "1"},
      {2.5, "2.5"},       {10, "10"},       {100000, "100000"}, {1e6, "1e+06"}, {2.5e6, "2.5e+06"},
      {0.00001, "1e-05"}, {-1, "-1"},       {0, "0"},           {kInf, "+Inf"}, {-kInf, "-Inf"},
  };
  for (const auto& c : cases) EXPECT_EQ(bound(c.in), c.want) << c.want;
}

struct EscapeCase {
  std::string in;
  std::string help;
  std::string label;
};

TEST(ExpositionEscape, HelpAndLabelValues) {
  const EscapeCase cases[] = {
      {"plain text", "plain text", "plain text"},
      {"a\\b", "a\\\\b", "a\\\\b"},
      {"line1\nline2", "line1\\nline2", "line1\\nline2"},
      {"say \"hi\"", "say \"hi\"", "say \\\"hi\\\""},  // quotes are escaped in labels only
      {"tab\tstays", "tab\tstays", "tab\tstays"},
      {"caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93"},
      {"bad\xFFutf8", "bad\xEF\xBF\xBDutf8", "bad\xEF\xBF\xBDutf8"},
      {"cut\xC3", "cut\xEF\xBF\xBD", "cut\xEF\xBF\xBD"},        // truncated sequence
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",  // a UTF-16 surrogate
       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD"},  // overlong "/"
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},          // 4-byte emoji
  };
  for (const auto& c : cases) {
    EXPECT_EQ(help(c.in), c.help) << c.in;
    EXPECT_EQ(label(c.in), c.label) << c.in;
  }
}

struct NameCase {
  const char* name;
  bool metric_ok;
  bool label_ok;
};

TEST(ExpositionNames, ValidatesPrometheusNameRules) {
  const NameCase cases[] = {
      {"preflight_findings_total", true, true},
      {"process_cpu_seconds_total", true, true},
      {"_leading_underscore", true, true},
      {"a1", true, true},
      {"Upper_Case", true, true},
      {"job:rate5m", true, false},  // colons: metric names (recording rules) only
      {"__name__", true, false},    // double underscore: reserved for labels
      {"", false, false},
      {"1abc", false, false},
      {"with-dash", false, false},
      {"with space", false, false},
      {"dot.ted", false, false},
      {"caf\xC3\xA9", false, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_valid_metric_name(c.name), c.metric_ok) << c.name;
    EXPECT_EQ(is_valid_label_name(c.name), c.label_ok) << c.name;
  }
}

}  // namespace
}  // namespace preflight::metrics
