#pragma once
// Writing JSON text without a document, byte for byte as nlohmann's dump() writes it (compact,
// UTF-8 kept, invalid UTF-8 replaced with U+FFFD): for the per-review answer and log line.

#include <string>
#include <string_view>

namespace preflight {

// Appends `s` as a JSON string.
void append_json_string(std::string& out, std::string_view s);

// True when `s` is written between the quotes as it is: printable ASCII other than '"' and '\\'.
bool is_plain_json_string(std::string_view s);

}  // namespace preflight
