#pragma once
// Internal to the placeholder scanner (placeholder_scan.cc, shell_scan.cc): the lexing helpers
// both halves share. Not for other units: use placeholder_scan.h.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "checks/placeholder_scan.h"

namespace preflight::checks::placeholder::detail {

constexpr std::size_t npos = std::string_view::npos;

constexpr bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::string_view ident_at(std::string_view s, std::size_t i) {
  if (i >= s.size() || !is_ident_start(s[i])) return {};
  std::size_t e = i + 1;
  while (e < s.size() && is_ident_char(s[e])) ++e;
  return s.substr(i, e - i);
}

template <std::size_t N>
inline bool in_table(const std::array<std::string_view, N>& table, std::string_view v) {
  return std::binary_search(table.begin(), table.end(), v);
}

// Finds a two-character closer, remembering the last answer so that many unclosed openers
// do not make the scan quadratic.
struct Closer {
  char a;
  char b;
  std::size_t pos = npos;
  bool exhausted = false;
  std::size_t find(std::string_view s, std::size_t from) {
    if (pos != npos && pos >= from) return pos;
    if (exhausted) return npos;
    const char pair[2] = {a, b};
    pos = s.find(std::string_view(pair, 2), from);
    exhausted = pos == npos;
    return pos;
  }
};

// At `{{`: returns the end of the token (or of the opener when unclosed) and appends the token
// when it names a variable or is Go syntax. At `<no value>`: appends it. Otherwise npos.
std::size_t match_always(std::string_view s, std::size_t i, Closer& close, std::vector<Token>& out);
// Whether match_always can match at a byte `c`: scanners skip the call (which is not inlined)
// for every other byte, that is most of them.
constexpr bool may_match_always(char c) { return c == '{' || c == '<'; }

// At `${`: the end of the braced expansion, or npos when unclosed. Appends it when named.
// `last_close` is s.rfind('}'): nothing closes past it.
std::size_t match_braced(std::string_view s, std::size_t i, std::size_t last_close,
                         std::vector<Token>& out);

// Mode::kShellScript (shell_scan.cc): {{ }} and <no value> anywhere; ${...} only where the
// shell expands it.
void scan_shell(std::string_view s, std::vector<Token>& out);

}  // namespace preflight::checks::placeholder::detail
