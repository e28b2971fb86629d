#pragma once
// A fast reader for the block-style YAML that manifests are written in, used by
// parse_yaml_documents before yaml-cpp (whose LoadAll was ~90% of `preflight check`).
//
// Contract: returns exactly the documents parse_yaml_documents would get from yaml-cpp (same
// JSON, typed by util/yaml_scalar.h, same document and List item lines), or nullopt when the
// text uses anything outside the subset below, is not valid YAML, or is in doubt: the caller
// then parses it with yaml-cpp, which also produces the error messages. Never throws.
//
// Subset: ASCII text ending in a newline, without tabs, CR or other control characters;
// `---` document markers (no `...`, no directives); block mappings with plain or quoted
// single-line keys; block sequences (also at the indentation of their key, and compact
// `- key: value`); single-line plain scalars; single-line quoted scalars (double-quoted with
// the escapes \" \\ \n \t \r only); single-line flow collections; literal block scalars
// (`|`, `|-`, `|+`). No anchors, aliases, tags, merge keys, complex keys, folded scalars.
// The root of every document must be a block mapping.
// Equality with yaml-cpp is tested by tests/unit/util/yaml_block_test.cc and the differential
// fuzz target tests/fuzz/yaml_block_fuzz.cc.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/yaml_json.h"

namespace preflight {

std::optional<std::vector<YamlDocument>> parse_block_yaml(std::string_view text);

// Where the nodes of a document are, for cli/source_locator: the parts of yaml-cpp's nodes
// it uses, so a file in the subset is located without yaml-cpp.
struct YamlMarks {
  enum class Kind { kNull, kScalar, kSequence, kMapping };
  Kind kind = Kind::kNull;  // plain ~ null Null NULL and empty values are kNull, as in yaml-cpp
  int line = -1;            // 0-based, as YAML::Mark; -1: unknown
  int column = -1;
  std::size_t pos = 0;                                   // byte offset of the node
  std::string scalar;                                    // kScalar: YAML::Node::Scalar()
  std::vector<YamlMarks> keys;                           // kMapping: keys[i] maps to values[i],
  std::vector<YamlMarks> values;                         // in order
  std::vector<YamlMarks> items;                          // kSequence
};

// The marks of every document (root first), for texts parse_block_yaml reads; else nullopt.
// The marks of kNull nodes are not yaml-cpp's (nothing uses them).
std::optional<std::vector<YamlMarks>> parse_block_yaml_marks(std::string_view text);

// The same from yaml-cpp, for any text it reads (nullopt if it cannot, or if aliases expand
// to more than 4 nodes per byte). Both leave out empty (null) documents.
std::optional<std::vector<YamlMarks>> yaml_cpp_marks(std::string_view text);

}  // namespace preflight
