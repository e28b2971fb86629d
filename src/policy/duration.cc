// parse_duration: Go's time.ParseDuration syntax ("300ms", "1.5h", "1m30s", "0"), restricted
// to what a policy needs: no negative values, and a whole number of milliseconds.

#include <cstdint>
#include <limits>
#include <string>

#include "policy/policy.h"

namespace preflight::policy {

namespace {

constexpr std::uint64_t kMaxNanos = std::numeric_limits<std::int64_t>::max();  // as Go

struct Unit {
  std::string_view name;
  std::uint64_t nanos;
};

constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC greek mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

Error invalid(std::string_view s, std::string_view why) {
  std::string shown(s.substr(0, 40));
  if (s.size() > 40) shown += "...";
  return make_error("invalid duration \"" + shown + "\": " + std::string(why));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view s) {
  constexpr std::string_view kExpected = "expected a number and a unit, e.g. 2s, 500ms, 1m30s";
  if (s.empty()) return invalid(s, "empty");
  std::string_view rest = s;
  if (rest.front() == '-') return invalid(s, "negative durations are not allowed");
  if (rest.front() == '+') rest.remove_prefix(1);
  if (rest == "0") return std::chrono::milliseconds(0);
  if (rest.empty()) return invalid(s, kExpected);

  unsigned __int128 total = 0;  // nanoseconds
  while (!rest.empty()) {
    // Number: digits, optionally "." and more digits; at least one digit overall.
    unsigned __int128 whole = 0;
    std::size_t i = 0;
    for (; i < rest.size() && is_digit(rest[i]); ++i) {
      whole = whole * 10 + (rest[i] - '0');
      if (whole > kMaxNanos) return invalid(s, "too large");
    }
    bool has_whole = i > 0;
    unsigned __int128 fraction = 0, scale = 1;
    bool has_fraction = false;
    if (i < rest.size() && rest[i] == '.') {
      ++i;
      for (; i < rest.size() && is_digit(rest[i]); ++i) {
        has_fraction = true;
        if (scale < 1'000'000'000'000'000'000ULL) {  // digits past 1e-18 cannot matter
          fraction = fraction * 10 + (rest[i] - '0');
          scale *= 10;
        }
      }
    }
    if (!has_whole && !has_fraction) return invalid(s, kExpected);
    rest.remove_prefix(i);

    std::size_t unit_len = 0;
    while (unit_len < rest.size() && rest[unit_len] != '.' && !is_digit(rest[unit_len])) {
      ++unit_len;
    }
    std::string_view unit_name = rest.substr(0, unit_len);
    if (unit_name.empty()) return invalid(s, "missing unit (use ns, us, ms, s, m or h)");
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_name) unit = &u;
    }
    if (unit == nullptr) {
      std::string shown(unit_name.substr(0, 10));
      return invalid(s, "unknown unit \"" + shown + "\" (use ns, us, ms, s, m or h)");
    }
    rest.remove_prefix(unit_len);

    total += whole * unit->nanos + fraction * unit->nanos / scale;
    if (total > kMaxNanos) return invalid(s, "too large");
  }
  if (total % 1'000'000 != 0) return invalid(s, "not a whole number of milliseconds");
  return std::chrono::milliseconds(static_cast<std::int64_t>(total / 1'000'000));
}

}  // namespace preflight::policy
