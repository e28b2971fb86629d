#include "metrics/exposition.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <system_error>

namespace preflight::metrics {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (overlongs,
// surrogates and code points past U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    const unsigned char lo = b == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const unsigned char lo = b == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

void append_escaped(std::string& out, std::string_view text, bool escape_quote) {
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      const std::size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
  }
}

bool append_non_finite(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    return false;
  }
  return true;
}

template <class... Format>
void append_chars(std::string& out, double v, Format... format) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v, format...);
  out.append(buf, res.ptr);
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = is_alpha(c) || c == '_' || c == ':' || (i > 0 && is_digit(c));
    if (!ok) return false;
  }
  return true;
}

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = is_alpha(c) || c == '_' || (i > 0 && is_digit(c));
    if (!ok) return false;
  }
  return true;
}

void append_value(std::string& out, double v) {
  if (append_non_finite(out, v)) return;
  if (std::fabs(v) < 1e15 && v == std::trunc(v)) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof(buf), static_cast<std::int64_t>(v));
    out.append(buf, res.ptr);
    return;
  }
  append_chars(out, v);  // shortest round-trip, fixed or scientific, whichever is shorter
}

void append_bucket_bound(std::string& out, double bound) {
  if (append_non_finite(out, bound)) return;
  // Go's 'g' with shortest precision: %e when the decimal exponent is < -4 or >= 6 (Go uses
  // 6 in place of the precision when it is "shortest"), %f otherwise. Both with the fewest
  // digits that round-trip, which is what to_chars gives for either format.
  char buf[64];
  const auto sci = std::to_chars(buf, buf + sizeof(buf), bound, std::chars_format::scientific);
  *sci.ptr = '\0';  // shortest scientific needs < 30 chars: room is left for atoi's stop
  const std::string_view text(buf, static_cast<std::size_t>(sci.ptr - buf));
  const int exponent = std::atoi(buf + text.find('e') + 1);
  if (exponent < -4 || exponent >= 6) {
    out.append(text);  // to_chars writes "1e+06" / "1.5e-07", as Go does
  } else {
    append_chars(out, bound, std::chars_format::fixed);
  }
}

void append_escaped_help(std::string& out, std::string_view text) {
  append_escaped(out, text, /*escape_quote=*/false);
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  append_escaped(out, value, /*escape_quote=*/true);
}

}  // namespace preflight::metrics
