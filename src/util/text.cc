#include "util/text.h"

namespace preflight {

namespace {
// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  if (n == 2 && b < 0xc2) return 0;  // overlong
  return n;
}
}  // namespace

std::string sanitize_line(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  constexpr std::string_view kEllipsis = "...";
  std::size_t budget = text.size() > max_bytes ? max_bytes - kEllipsis.size() : max_bytes;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_length(text, i);
    std::string_view piece = n == 0 ? std::string_view("?") : text.substr(i, n);
    char c = piece[0];
    std::string_view repl = piece;
    if (n == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)) repl = " ";
    if (out.size() + repl.size() > budget) {
      out.append(kEllipsis);
      return out;
    }
    out.append(repl);
    i += n == 0 ? 1 : n;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_list(std::string_view text, char sep) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto pos = text.find(sep);
    std::string_view item = trim(text.substr(0, pos));
    if (!item.empty()) out.emplace_back(item);
    if (pos == std::string_view::npos) break;
    text.remove_prefix(pos + 1);
  }
  return out;
}

}  // namespace preflight
