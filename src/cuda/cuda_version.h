#pragma once
// CUDA and NVIDIA driver version numbers: hand-written parsers (no regex) and formatting.
//
// CudaVersion is a toolkit release "12.4" or "12.4.1". What a driver can run is decided on
// major.minor only: the container toolkit checks NVIDIA_REQUIRE_CUDA "cuda>=12.4" against the
// CUDA version the driver reports, which has no patch level. So `operator<=>` compares
// (major, minor) and ignores the patch; `same_release` compares all three.
//
// DriverVersion is a Linux driver "535.104.05": branch (major), minor, revision. The revision
// keeps its leading zeros for display ("05"), so its width is stored with it.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace preflight::cuda {

struct CudaVersion {
  int major = 0;
  int minor = 0;
  int patch = -1;  // -1: not given ("12.4")

  // Orders on (major, minor) only; see the header comment.
  friend constexpr std::strong_ordering operator<=>(const CudaVersion& a, const CudaVersion& b) {
    if (auto c = a.major <=> b.major; c != 0) return c;
    return a.minor <=> b.minor;
  }
  friend constexpr bool operator==(const CudaVersion& a, const CudaVersion& b) {
    return a.major == b.major && a.minor == b.minor;
  }
  constexpr bool same_release(const CudaVersion& o) const {
    return major == o.major && minor == o.minor && patch == o.patch;
  }
  // A single number for ranges: major * 100 + minor.
  constexpr int key() const { return major * 100 + minor; }
  static constexpr CudaVersion from_key(int key) { return {key / 100, key % 100, -1}; }
};

// "12.4" / "12.4.1".
std::string to_string(const CudaVersion& v);
// "12.4" (major.minor only).
std::string major_minor(const CudaVersion& v);

// Parses "12", "12.4", "12.4.1" or a longer NGC build "12.8.0.038" (the build is dropped), with
// an optional leading "v" and surrounding spaces. "12" means 12.0. Major 1..99, minor 0..99.
std::optional<CudaVersion> parse_cuda_version(std::string_view text);

// Reads the requirement of an NVIDIA_REQUIRE_CUDA value: the first "cuda>=X.Y" term, e.g.
// "cuda>=12.4 brand=tesla,driver>=470,driver<471" gives 12.4. Nullopt without such a term.
std::optional<CudaVersion> parse_require_cuda(std::string_view value);

struct DriverVersion {
  int major = 0;      // the branch: 535
  int minor = -1;     // 104; -1 when unknown
  int rev = -1;       // 5 of "05"; -1 when unknown
  int rev_width = 0;  // 2 of "05": digits as written

  friend constexpr bool operator==(const DriverVersion&, const DriverVersion&) = default;
  // Orders by (major, minor, rev); an unknown part sorts first.
  friend constexpr auto operator<=>(const DriverVersion& a, const DriverVersion& b) {
    if (auto c = a.major <=> b.major; c != 0) return c;
    if (auto c = a.minor <=> b.minor; c != 0) return c;
    if (auto c = a.rev <=> b.rev; c != 0) return c;
    return a.rev_width <=> b.rev_width;
  }
};

// "535.104.05", "570.26", or "535" when only the branch is known.
std::string to_string(const DriverVersion& v);

// Parses "535", "535.104" or "535.104.05" (major 1..9999, each part at most 3 digits after the
// major). Nullopt on anything else.
std::optional<DriverVersion> parse_driver_version(std::string_view text);

// A non-negative decimal integer of at most 9 digits, nothing else; for label values.
std::optional<int> parse_small_int(std::string_view text);

}  // namespace preflight::cuda
