#pragma once
// Points a finding at the line (and column) of the field it is about, in the manifest text it
// came from: `preflight check` prints file:line, SARIF gets region.startLine/startColumn.
//
// Contract: built from one file's text; the text is parsed (yaml-cpp, for its marks) only on
// the first locate(), so files without findings cost nothing. Never throws. When the field
// cannot be found (JSON that yaml-cpp cannot read, a path the document does not have), the
// answer is the deepest part of the path that was found, else the object's own line.
// field_path is the checks' notation: `spec.template.spec.containers[0].env[2].value`,
// `data.system.txt` (map keys may hold dots: the longest key that fits wins).
// Columns inside a value (value_offset) are exact for single-line scalars and literal block
// scalars (`|`); in folded (`>`) or multi-line plain scalars the line is approximate.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace preflight::cli {

struct SourcePosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based; 0 when unknown
};

class SourceLocator {
 public:
  explicit SourceLocator(std::string text);
  ~SourceLocator();
  SourceLocator(SourceLocator&&) noexcept;
  SourceLocator& operator=(SourceLocator&&) noexcept;

  // `object_line`: the 1-based line where the object starts (ManifestObject::line).
  SourcePosition locate(int object_line, std::string_view field_path,
                        std::optional<std::size_t> value_offset = std::nullopt);

 private:
  struct Parsed;
  std::string text_;
  std::unique_ptr<Parsed> parsed_;
};

// Line and column of a byte offset in a text (both 1-based; columns count bytes).
SourcePosition position_of_offset(std::string_view text, std::size_t offset);

}  // namespace preflight::cli
