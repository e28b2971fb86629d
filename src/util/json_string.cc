#include "util/json_string.h"

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

namespace preflight {

#if !defined(__SSE2__)
namespace {
// The bytes a JSON string holds as they are: printable ASCII but '"' and '\\'.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7f; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();
}  // namespace
#endif

// This runs over every string of every answer and log line.
bool is_plain_json_string(std::string_view s) {
#if defined(__SSE2__)
  // 16 bytes at a time (SSE2, every x86-64): most strings here are 5 to 40 plain bytes, which
  // the byte loop below spends ~7 instructions each on. The last piece is copied into a block
  // of spaces (plain) so nothing past the string is read.
  const auto special = [](__m128i v) {
    // Signed compare: control characters and every byte >= 0x80 are below 0x20.
    const __m128i out_of_range =
        _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
    const __m128i escaped =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    return _mm_movemask_epi8(_mm_or_si128(out_of_range, escaped)) != 0;
  };
  for (; s.size() >= 16; s.remove_prefix(16)) {
    if (special(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data())))) return false;
  }
  if (s.empty()) return true;
  char last[16];
  std::memset(last, ' ', sizeof(last));
  std::memcpy(last, s.data(), s.size());
  return !special(_mm_loadu_si128(reinterpret_cast<const __m128i*>(last)));
#else
  for (char c : s) {
    if (!kPlain[static_cast<unsigned char>(c)]) return false;
  }
  return true;
#endif
}

// Plain printable ASCII (uids, names, versions, most messages) is copied as it is; anything
// else goes through nlohmann's escaping, which replaces invalid UTF-8 instead of throwing
// (messages and names may quote user input).
void append_json_string(std::string& out, std::string_view s) {
  if (is_plain_json_string(s)) {
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    out.append(s).push_back('"');
  } else {
    using nlohmann::json;
    out.append(json(s).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

}  // namespace preflight
