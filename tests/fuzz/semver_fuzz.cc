// Fuzz target: the version-skew check's parsers (src/version/semver.*), which read image tags,
// annotation values and revision SHAs from workloads and the cluster. The input is split at the
// first newline into two texts a and b. Invariants: an accepted version has 1..4 parts and
// survives to_string -> parse_version unchanged (parse_tag_version results too);
// compare_versions is reflexive (kNone) and symmetric; an accepted SHA is 7..64 lower-case hex
// characters that matches itself and its input, and sha_matches is symmetric.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "version/semver.h"

namespace {

using namespace preflight::version;

bool same(const Version& x, const Version& y) {
  return x.count == y.count && x.parts == y.parts && x.prerelease == y.prerelease;
}

void check_version(const std::optional<Version>& v) {
  if (!v) return;
  if (v->count < 1 || v->count > 4) __builtin_trap();
  for (int i = v->count; i < 4; ++i) {
    if (v->parts[static_cast<std::size_t>(i)] != 0) __builtin_trap();
  }
  auto again = parse_version(to_string(*v));
  if (!again || !same(*again, *v)) __builtin_trap();
  if (compare_versions(*v, *v) != Drift::kNone) __builtin_trap();
  (void)to_string(compare_versions(*v, *again));
}

std::optional<std::string> check_sha(std::string_view text) {
  auto sha = parse_sha(text);
  if (!sha) return sha;
  if (sha->size() < 7 || sha->size() > 64) __builtin_trap();
  for (char c : *sha) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) __builtin_trap();
  }
  if (!sha_matches(*sha, *sha) || !sha_matches(*sha, text)) __builtin_trap();
  return sha;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view a = input.substr(0, nl);
  const std::string_view b = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  const auto va = parse_version(a), vb = parse_version(b);
  const auto ta = parse_tag_version(a), tb = parse_tag_version(b);
  check_version(va);
  check_version(vb);
  check_version(ta);
  check_version(tb);
  if (va && vb && compare_versions(*va, *vb) != compare_versions(*vb, *va)) __builtin_trap();
  if (ta && tb && compare_versions(*ta, *tb) != compare_versions(*tb, *ta)) __builtin_trap();

  const auto sa = check_sha(a), sb = check_sha(b);
  if (sa && sb && sha_matches(*sa, *sb) != sha_matches(*sb, *sa)) __builtin_trap();
  return 0;
}
