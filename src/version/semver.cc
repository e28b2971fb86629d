#include "version/semver.h"

#include <algorithm>

#include "cuda/tag_scan.h"

namespace preflight::version {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ident(char c) { return is_digit(c) || is_alpha(c) || c == '.' || c == '-'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}
bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// Reads the numeric core "1[.2[.3[.4]]]" at the front of `s`; advances `s` past it.
bool read_core(std::string_view& s, Version& v) {
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  while (true) {
    std::size_t n = 0;
    std::uint32_t value = 0;
    while (n < s.size() && is_digit(s[n])) {
      if (n == 9) return false;  // at most 9 digits: no overflow
      value = value * 10 + static_cast<std::uint32_t>(s[n] - '0');
      ++n;
    }
    if (n == 0) return false;
    v.parts[static_cast<std::size_t>(v.count++)] = value;
    s.remove_prefix(n);
    if (s.size() >= 2 && s[0] == '.' && is_digit(s[1])) {
      if (v.count == 4) return false;  // a fifth part
      s.remove_prefix(1);
      continue;
    }
    return true;
  }
}

bool all_ident(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_ident); }

// "rc", "rc1", "rc.1", "alpha", "beta.2", "dev3", "pre", "preview": letters of a known marker,
// then only digits and dots.
bool is_prerelease_token(std::string_view t) {
  static constexpr std::string_view kMarkers[] = {"preview", "alpha", "beta", "pre", "dev", "rc"};
  for (std::string_view m : kMarkers) {
    if (!istarts_with(t, m)) continue;
    std::string_view rest = t.substr(m.size());
    return std::all_of(rest.begin(), rest.end(), [](char c) { return is_digit(c) || c == '.'; });
  }
  return false;
}

// Build variants that say nothing about the version: accelerator, OS base, flavour, arch.
bool is_variant_token(std::string_view t) {
  if (cuda::scan_cuda_token(t) || cuda::has_non_cuda_marker(t)) return true;
  static constexpr std::string_view kExact[] = {
      "gpu",   "slim",  "runtime", "devel", "base",  "bookworm", "bullseye",  "buster",
      "jammy", "focal", "noble",   "amd64", "arm64", "x86_64",   "distroless"};
  for (std::string_view e : kExact) {
    if (iequals(t, e)) return true;
  }
  static constexpr std::string_view kPrefixes[] = {"cudnn", "ubuntu", "debian", "alpine",
                                                   "py3",   "python", "ubi",    "rhel"};
  for (std::string_view p : kPrefixes) {
    if (!istarts_with(t, p)) continue;
    std::string_view rest = t.substr(p.size());
    if (std::all_of(rest.begin(), rest.end(), [](char c) { return is_digit(c) || c == '.'; })) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string to_string(const Version& v) {
  std::string s;
  for (int i = 0; i < v.count; ++i) {
    if (i > 0) s.push_back('.');
    s.append(std::to_string(v.parts[static_cast<std::size_t>(i)]));
  }
  if (!v.prerelease.empty()) s.append("-").append(v.prerelease);
  return s;
}

std::optional<Version> parse_version(std::string_view text) {
  Version v;
  std::string_view s = text;
  if (!read_core(s, v)) return std::nullopt;
  if (!s.empty() && s.front() == '-') {
    s.remove_prefix(1);
    std::string_view pre = s.substr(0, s.find('+'));
    if (!all_ident(pre)) return std::nullopt;
    v.prerelease = std::string(pre);
    s.remove_prefix(pre.size());
  }
  if (!s.empty() && s.front() == '+') {
    if (!all_ident(s.substr(1))) return std::nullopt;
    s = {};
  }
  if (!s.empty()) return std::nullopt;
  return v;
}

std::optional<Version> parse_tag_version(std::string_view tag) {
  Version v;
  std::string_view s = tag;
  if (!read_core(s, v)) return std::nullopt;
  while (!s.empty()) {
    if (s.front() != '-' && s.front() != '_') return std::nullopt;
    s.remove_prefix(1);
    std::size_t end = std::min(s.find('-'), s.find('_'));
    std::string_view token = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    if (token.empty()) return std::nullopt;
    if (is_prerelease_token(token)) {
      if (!v.prerelease.empty()) v.prerelease.push_back('.');
      v.prerelease.append(token);
    } else if (!is_variant_token(token)) {
      return std::nullopt;
    }
  }
  return v;
}

std::string_view to_string(Drift d) {
  switch (d) {
    case Drift::kNone: return "none";
    case Drift::kPatch: return "patch";
    case Drift::kMinor: return "minor";
    case Drift::kMajor: return "major";
  }
  return "none";
}

Drift compare_versions(const Version& a, const Version& b) {
  if (a.parts[0] != b.parts[0]) return Drift::kMajor;
  if (a.parts[1] != b.parts[1]) return Drift::kMinor;
  if (a.parts[2] != b.parts[2] || a.parts[3] != b.parts[3]) return Drift::kPatch;
  return iequals(a.prerelease, b.prerelease) ? Drift::kNone : Drift::kPatch;
}

std::optional<std::string> parse_sha(std::string_view text) {
  if (text.size() < 7 || text.size() > 64 || !std::all_of(text.begin(), text.end(), is_hex)) {
    return std::nullopt;
  }
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), lower);
  return s;
}

bool sha_matches(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (a.size() < 7) return false;
  return iequals(a, b.substr(0, a.size()));
}

}  // namespace preflight::version
