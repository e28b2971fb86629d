#include "cuda/cuda_version.h"

namespace preflight::cuda {

namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..max_digits digits at `pos`; advances `pos`. Nullopt when there is no digit or more
// than max_digits of them.
std::optional<int> read_number(std::string_view s, std::size_t& pos, std::size_t max_digits,
                               int* width = nullptr) {
  const std::size_t start = pos;
  int value = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (pos - start == max_digits) return std::nullopt;
    value = value * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos == start) return std::nullopt;
  if (width != nullptr) *width = static_cast<int>(pos - start);
  return value;
}

std::string_view strip_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string to_string(const CudaVersion& v) {
  std::string out = major_minor(v);
  if (v.patch >= 0) out.append(".").append(std::to_string(v.patch));
  return out;
}

std::string major_minor(const CudaVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

std::optional<CudaVersion> parse_cuda_version(std::string_view text) {
  std::string_view s = strip_spaces(text);
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  std::size_t pos = 0;
  CudaVersion v;
  const std::optional<int> major = read_number(s, pos, 2);
  if (!major || *major < 1) return std::nullopt;
  v.major = *major;
  if (pos == s.size()) return v;
  if (s[pos++] != '.') return std::nullopt;
  const std::optional<int> minor = read_number(s, pos, 2);
  if (!minor) return std::nullopt;
  v.minor = *minor;
  if (pos == s.size()) return v;
  if (s[pos++] != '.') return std::nullopt;
  const std::optional<int> patch = read_number(s, pos, 3);
  if (!patch) return std::nullopt;
  v.patch = *patch;
  if (pos == s.size()) return v;
  // An NGC build number ("12.8.0.038") is dropped.
  if (s[pos++] != '.' || !read_number(s, pos, 6) || pos != s.size()) return std::nullopt;
  return v;
}

std::optional<CudaVersion> parse_require_cuda(std::string_view value) {
  constexpr std::string_view kTerm = "cuda>=";
  std::size_t start = 0;
  while (start < value.size()) {
    std::size_t end = value.find_first_of(" \t,", start);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view term = value.substr(start, end - start);
    if (term.size() > kTerm.size() && term.substr(0, kTerm.size()) == kTerm) {
      return parse_cuda_version(term.substr(kTerm.size()));
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string to_string(const DriverVersion& v) {
  std::string out = std::to_string(v.major);
  if (v.minor < 0) return out;
  out.append(".").append(std::to_string(v.minor));
  if (v.rev < 0) return out;
  std::string rev = std::to_string(v.rev);
  if (static_cast<int>(rev.size()) < v.rev_width) rev.insert(0, v.rev_width - rev.size(), '0');
  return out.append(".").append(rev);
}

std::optional<DriverVersion> parse_driver_version(std::string_view text) {
  const std::string_view s = strip_spaces(text);
  std::size_t pos = 0;
  DriverVersion v;
  const std::optional<int> major = read_number(s, pos, 4);
  if (!major || *major < 1) return std::nullopt;
  v.major = *major;
  if (pos == s.size()) return v;
  if (s[pos++] != '.') return std::nullopt;
  const std::optional<int> minor = read_number(s, pos, 3);
  if (!minor) return std::nullopt;
  v.minor = *minor;
  if (pos == s.size()) return v;
  if (s[pos++] != '.') return std::nullopt;
  int width = 0;
  const std::optional<int> rev = read_number(s, pos, 3, &width);
  if (!rev || pos != s.size()) return std::nullopt;
  v.rev = *rev;
  v.rev_width = width;
  return v;
}

std::optional<int> parse_small_int(std::string_view text) {
  std::size_t pos = 0;
  const std::optional<int> n = read_number(text, pos, 9);
  if (!n || pos != text.size()) return std::nullopt;
  return n;
}

}  // namespace preflight::cuda
