#include "util/yaml_scalar.h"

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>

namespace preflight {

namespace {

// go-yaml v2's yamlStyleFloat: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_yaml_float(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64) for unsigned text.
std::optional<nlohmann::json> parse_integer(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  bool signed_text = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    signed_text = true;
    ++i;
  }
  // Base prefixes of Go's base 0: 0x, 0o, 0b, and a bare leading 0 for octal.
  int base = 10;
  if (s.size() - i >= 2 && s[i] == '0') {
    switch (s[i + 1]) {
      case 'x':
      case 'X':
        base = 16;
        i += 2;
        break;
      case 'o':
      case 'O':
        base = 8;
        i += 2;
        break;
      case 'b':
      case 'B':
        base = 2;
        i += 2;
        break;
      default:
        base = 8;
        i += 1;
        break;
    }
  }
  if (i == s.size()) return std::nullopt;
  std::uint64_t magnitude = 0;
  for (; i < s.size(); ++i) {
    int d = digit_value(s[i]);
    if (d >= base) return std::nullopt;
    if (magnitude > (std::numeric_limits<std::uint64_t>::max() - d) / base) return std::nullopt;
    magnitude = magnitude * base + d;
  }
  constexpr auto kMaxInt = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > kMaxInt + 1) return std::nullopt;
    // Unsigned negation is two's complement: -2^63 is representable.
    return nlohmann::json(static_cast<std::int64_t>(0 - magnitude));
  }
  if (magnitude <= kMaxInt) return nlohmann::json(static_cast<std::int64_t>(magnitude));
  if (signed_text) return std::nullopt;
  return nlohmann::json(magnitude);
}

bool in_list(std::string_view s, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (s == w) return true;
  }
  return false;
}

}  // namespace

bool is_yaml_inf_or_nan(std::string_view s) {
  return in_list(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                     ".nan", ".NaN", ".NAN"});
}

nlohmann::json resolve_plain_scalar(std::string_view s) {
  if (!s.empty() && (s.size() > 5 || std::string_view("~nNyYoOtTfF").find(s.front()) == s.npos)) {
    // Not one of the null or boolean words (at most 5 characters, starting with one of those).
    const char c = s.front();
    if (!(c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'))) return std::string(s);
  }
  if (s.empty() || in_list(s, {"~", "null", "Null", "NULL"})) return nullptr;
  if (in_list(s, {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})) {
    return true;
  }
  if (in_list(s, {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})) {
    return false;
  }
  char c = s.front();
  bool numeric_hint = c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9');
  if (!numeric_hint) return std::string(s);
  std::string plain;
  if (c != '.') {
    plain.reserve(s.size());
    for (char ch : s) {
      if (ch != '_') plain.push_back(ch);
    }
    if (auto n = parse_integer(plain)) return *n;
  } else {
    plain = std::string(s);
  }
  if (is_yaml_float(plain)) {
    std::string_view digits = plain;
    if (digits.front() == '+') digits.remove_prefix(1);
    double d = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (ec == std::errc() && end == digits.data() + digits.size()) return d;
  }
  return std::string(s);  // .inf, .nan, timestamps, out-of-range floats, words
}

}  // namespace preflight
