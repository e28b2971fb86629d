#pragma once
// Primitives of the Prometheus text exposition format 0.0.4 that the registry renders with.
//
// - Names: a metric name matches [a-zA-Z_:][a-zA-Z0-9_:]*; a label name matches
//   [a-zA-Z_][a-zA-Z0-9_]* and must not start with "__" (reserved by Prometheus).
// - Sample values: integral values below 1e15 in magnitude print as integers ("3", "-2",
//   "1712345678"); other finite values as the shortest text that reads back to the same double
//   ("0.1", "1e+20"); non-finite ones as "NaN", "+Inf", "-Inf".
// - Bucket bounds (`le`): as Go's strconv.FormatFloat(v, 'g', -1, 64), like the Go client
//   ("0.005", "1", "2.5", "1e+06"), so `le` values match those of other exporters.
// - Escaping: HELP text escapes backslash and newline; label values escape backslash, double
//   quote and newline. The format is UTF-8: any byte that is not part of valid UTF-8 is
//   replaced with U+FFFD, so a caller's odd label value can never break a scrape.

#include <string>
#include <string_view>

namespace preflight::metrics {

// Content-Type of render()'s output, for the /metrics handler.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

bool is_valid_metric_name(std::string_view name);
bool is_valid_label_name(std::string_view name);

void append_value(std::string& out, double v);
void append_bucket_bound(std::string& out, double bound);
void append_escaped_help(std::string& out, std::string_view text);
void append_escaped_label_value(std::string& out, std::string_view value);

}  // namespace preflight::metrics
