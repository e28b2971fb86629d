#include "util/json_string.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace preflight {

// Plain printable ASCII (uids, names, versions, most messages) is copied as it is; anything
// else goes through nlohmann's escaping, which replaces invalid UTF-8 instead of throwing
// (messages and names may quote user input).
void append_json_string(std::string& out, std::string_view s) {
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (plain) {
    out.push_back('"');
    out.append(s).push_back('"');
  } else {
    using nlohmann::json;
    out.append(json(s).dump(-1, ' ', false, json::error_handler_t::replace));
  }
}

}  // namespace preflight
