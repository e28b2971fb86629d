#pragma once
// YAML documents -> JSON values, typed the way Kubernetes reads manifests (sigs.k8s.io/yaml:
// go-yaml v2 resolution, then JSON). Used to read manifests and cluster snapshots.
//
// Scalar typing (plain, i.e. unquoted and untagged, scalars):
//   ""  ~  null  Null  NULL                          -> null
//   y Y yes Yes YES on On ON true True TRUE          -> true   (YAML 1.1 booleans, as go-yaml v2)
//   n N no No NO off Off OFF false False FALSE       -> false
//   integers: decimal, 0x hex, 0o or leading-0 octal, 0b binary, optional sign, '_' ignored
//             -> int64; larger positive values -> uint64; larger decimals -> double
//   floats: 1.5  .5  1e3  -2.5E-3                    -> double (out of range -> string)
//   .inf .nan (any case variant)                     -> string (JSON cannot hold them)
//   anything else, including timestamps              -> string (as written)
// Quoted scalars and the non-specific tag `!` are strings. Explicit tags are honoured:
// !!str and !!binary (kept as written) -> string; !!int, !!float, !!bool, !!null must resolve
// to that type (!!float also accepts integers); other tags on scalars -> string.
// Anchors and aliases are expanded; merge keys (`<<: *base`, `<<: [*a, *b]`) are applied:
// keys of the mapping win over merged ones, earlier merged mappings win over later ones.
// Mapping keys become strings: true/false/ints in canonical form ("0x10" -> "16"), floats
// as written; null or collection keys are an error. Duplicate keys: the last one wins.
//
// Limits: nesting deeper than kMaxYamlDepth collections is an error (a cyclic alias is
// reported the same way); so is a stream whose aliases expand to more values than
// 4 x its size (an alias bomb). Nothing here throws.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace preflight {

inline constexpr int kMaxYamlDepth = 200;

struct YamlDocument {
  nlohmann::json value;
  int line = 0;  // 1-based line where the document's content starts
  // For a List (a mapping with an `items` sequence): the 1-based line of each item, so a
  // finding in a List points at its object. Empty when unknown (JSON input).
  std::vector<int> item_lines;
};

// Parses a multi-document YAML stream (JSON is YAML too; a text that is one JSON value is read
// with a JSON parser, so \uD83D\uDE00 surrogate escapes work). Empty documents, and documents
// that are only `null`, are skipped. Errors: "SOURCE:LINE:COLUMN: message" (1-based).
Result<std::vector<YamlDocument>> parse_yaml_documents(std::string_view text,
                                                       std::string_view source_name);

// The YAML part of parse_yaml_documents without the fast path (util/yaml_block.h) in front:
// every text goes through yaml-cpp. For the tests that compare both.
Result<std::vector<YamlDocument>> parse_yaml_documents_with_yaml_cpp(std::string_view text,
                                                                     std::string_view source_name);

// Converts one yaml-cpp node with the typing above. Errors are "SOURCE:LINE:COLUMN: message".
// `max_values` bounds the number of JSON values produced (alias expansion).
Result<nlohmann::json> yaml_to_json_checked(const YAML::Node& node, std::string_view source_name,
                                            std::size_t max_values = 4'000'000);

// The same, for callers that already trust the node: returns a value for which
// is_discarded() is true where yaml_to_json_checked would return an error (as
// nlohmann::json::parse(text, nullptr, false) does).
nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace preflight
