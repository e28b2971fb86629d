#pragma once
// Version numbers and revision SHAs as the version-skew check compares them. Hand-written
// parsers (no regex), pure functions, no allocation beyond the returned strings; every input
// either parses or gives nullopt (never throws), so they are safe to fuzz.
//
// Versions (parse_version): an optional "v"/"V", one to four dot-separated numeric parts of at
// most 9 digits each ("2", "2.3", "2.3.1", "1.2.3.4"), an optional pre-release after '-'
// ([0-9A-Za-z.-]+, "rc.1") and optional build metadata after '+' (ignored when comparing, as
// SemVer 2.0.0 says). "latest", "main", "", "2.x", "2..3" do not parse.
//
// Image tags (parse_tag_version): a version followed by '-'/'_'-separated tokens, each either a
// pre-release marker (rc1, alpha, beta.2, dev3, pre, preview) that joins the pre-release, or a
// build-variant marker (tag_scan.h CUDA tokens cuda12.1/cu121, cudnn*, ubuntu*, debian*, ...,
// gpu, cpu, rocm*, slim, runtime, devel, ...) that is dropped: "v2.3.1-cuda12.1" is 2.3.1,
// "2.4.0-rc1-cu121" is 2.4.0-rc1. A token of neither kind ("2.3.1-myteam", "0.4.5.post2")
// makes the tag unparseable: we never guess what an unknown suffix means.
//
// Drift (compare_versions): missing numeric parts count as zero ("2.3" == "2.3.0"); the level
// of the first differing part: kMajor, kMinor, kPatch (the third or fourth part, or only the
// pre-release differs).
//
// SHAs (parse_sha, sha_matches): 7 to 64 hexadecimal characters (any case). Two SHAs match
// when the shorter is a prefix of the longer (case-insensitive): "ad4c1b9" matches its 40-char
// form "ad4c1b9e...", not "ad4c1b8...".

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace preflight::version {

struct Version {
  std::array<std::uint32_t, 4> parts{};  // major, minor, patch, fourth; unwritten parts are 0
  int count = 0;                         // numeric parts written, 1..4
  std::string prerelease;                // "rc.1" of "2.3.1-rc.1"; empty for a release
};

// "2.3.1", "1.2.3.4-rc.1": the numeric parts as written (count of them) and the pre-release.
std::string to_string(const Version& v);

std::optional<Version> parse_version(std::string_view text);
std::optional<Version> parse_tag_version(std::string_view tag);

enum class Drift { kNone, kPatch, kMinor, kMajor };
std::string_view to_string(Drift d);  // "none", "patch", "minor", "major"

Drift compare_versions(const Version& a, const Version& b);

// A SHA, lower-cased. Nullopt unless 7..64 hex characters (after trimming nothing: spaces fail).
std::optional<std::string> parse_sha(std::string_view text);
// Both must be parse_sha results (or at least lower-case hex).
bool sha_matches(std::string_view a, std::string_view b);

}  // namespace preflight::version
