#pragma once
// Small text helpers shared by the response, log and CLI formatting.

#include <string>
#include <string_view>
#include <vector>

namespace preflight {

// Makes `text` safe as an HTTP Warning / AdmissionResponse warning: control characters
// become spaces, invalid UTF-8 bytes become '?', and the result is cut at a character
// boundary to at most `max_bytes` bytes (ending in "...") when longer.
std::string sanitize_line(std::string_view text, std::size_t max_bytes = 256);

// Splits "a, b ,c" into {"a","b","c"}; empty items are dropped.
std::vector<std::string> split_list(std::string_view text, char sep = ',');

// Trims ASCII whitespace from both ends.
std::string_view trim(std::string_view s);

}  // namespace preflight
