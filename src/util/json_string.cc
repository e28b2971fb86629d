#include "util/json_string.h"

#include <array>

#include <nlohmann/json.hpp>

namespace preflight {

namespace {

// The bytes a JSON string holds as they are: printable ASCII but '"' and '\\'. A table, so the
// scan is one load and one test per byte (this runs over every string of every answer and log
// line).
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7f; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

}  // namespace

// Plain printable ASCII (uids, names, versions, most messages) is copied as it is; anything
// else goes through nlohmann's escaping, which replaces invalid UTF-8 instead of throwing
// (messages and names may quote user input).
void append_json_string(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && kPlain[static_cast<unsigned char>(s[i])]) ++i;
  if (i == s.size()) {
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    out.append(s).push_back('"');
  } else {
    using nlohmann::json;
    out.append(json(s).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

}  // namespace preflight
