#pragma once
// How an untagged plain YAML scalar is typed, as go-yaml v2 (and so Kubernetes) does it.
// The table is in util/yaml_json.h; parse_yaml_documents is the user of this unit.
// Pure functions, no exceptions.

#include <nlohmann/json.hpp>
#include <string_view>

namespace preflight {

// null, bool, int64, uint64, double, or the text itself as a string. .inf/.nan stay strings.
nlohmann::json resolve_plain_scalar(std::string_view s);

// .inf, -.Inf, .NaN ... (the YAML spellings of infinities and NaN).
bool is_yaml_inf_or_nan(std::string_view s);

}  // namespace preflight
