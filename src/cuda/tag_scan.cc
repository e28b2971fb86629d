#include "cuda/tag_scan.h"

namespace preflight::cuda {

namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_separator(char c) {
  return c == '/' || c == ':' || c == '_' || c == '.' || c == '@' || c == '+' || c == '-';
}

bool starts_with_nocase(std::string_view text, std::size_t pos, std::string_view word) {
  if (text.size() - pos < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower(text[pos + i]) != word[i]) return false;
  }
  return true;
}

// Digits at `pos` (at most `max`); advances `pos`. -1 when none or too many.
int digits(std::string_view text, std::size_t& pos, std::size_t max) {
  const std::size_t start = pos;
  int value = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    if (pos - start == max) return -1;
    value = value * 10 + (text[pos] - '0');
    ++pos;
  }
  return pos == start ? -1 : value;
}

// "cuda[-_]?MAJ.MIN[.PATCH]" at `pos` (which starts "cuda").
std::optional<CudaVersion> dotted_at(std::string_view text, std::size_t pos) {
  if (pos > 0 && is_letter(text[pos - 1])) return std::nullopt;
  pos += 4;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '_')) ++pos;
  CudaVersion v;
  v.major = digits(text, pos, 2);
  if (v.major < 1 || pos >= text.size() || text[pos] != '.') return std::nullopt;
  ++pos;
  v.minor = digits(text, pos, 2);
  if (v.minor < 0) return std::nullopt;
  if (pos + 1 < text.size() && text[pos] == '.' && is_digit(text[pos + 1])) {
    ++pos;
    v.patch = digits(text, pos, 3);
    if (v.patch < 0) return std::nullopt;
  }
  return v;
}

// "cuXYZ" / "cuXYZW" at `pos` (which starts "cu").
std::optional<CudaVersion> wheel_at(std::string_view text, std::size_t pos) {
  if (pos > 0 && (is_letter(text[pos - 1]) || is_digit(text[pos - 1]))) return std::nullopt;
  std::size_t end = pos + 2;
  while (end < text.size() && is_digit(text[end])) ++end;
  const std::size_t n = end - (pos + 2);
  if ((n != 3 && n != 4) || text[pos + 2] != '1') return std::nullopt;
  const char* d = text.data() + pos + 2;
  CudaVersion v{(d[0] - '0') * 10 + (d[1] - '0'), d[2] - '0', n == 4 ? d[3] - '0' : -1};
  return v;
}

bool is_non_cuda_token(std::string_view token) {
  if (token.starts_with("rocm")) {
    for (char c : token.substr(4)) {
      if (!is_digit(c)) return false;
    }
    return true;
  }
  return token == "cpu" || token == "tpu" || token == "xpu" || token == "hpu" ||
         token == "vulkan" || token.starts_with("gaudi") || token.starts_with("neuron");
}

}  // namespace

std::optional<CudaVersion> scan_cuda_token(std::string_view text) {
  for (std::size_t pos = 0; pos + 2 < text.size(); ++pos) {
    if (lower(text[pos]) != 'c' || lower(text[pos + 1]) != 'u') continue;
    if (starts_with_nocase(text, pos, "cuda")) {
      if (auto v = dotted_at(text, pos)) return v;
    } else if (auto v = wheel_at(text, pos)) {
      return v;
    }
  }
  return std::nullopt;
}

bool has_non_cuda_marker(std::string_view text) {
  std::size_t start = 0;
  for (std::size_t pos = 0; pos <= text.size(); ++pos) {
    if (pos < text.size() && !is_separator(text[pos])) continue;
    std::string_view token = text.substr(start, pos - start);
    char buf[16];
    if (!token.empty() && token.size() <= sizeof(buf)) {
      for (std::size_t i = 0; i < token.size(); ++i) buf[i] = lower(token[i]);
      if (is_non_cuda_token(std::string_view(buf, token.size()))) return true;
    }
    start = pos + 1;
  }
  return false;
}

}  // namespace preflight::cuda
