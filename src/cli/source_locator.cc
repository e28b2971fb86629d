#include "cli/source_locator.h"

#include <algorithm>
#include <vector>

#include "util/yaml_block.h"

namespace preflight::cli {

struct SourceLocator::Parsed {
  bool ok = false;
  std::vector<YamlMarks> docs;
  std::vector<const YamlMarks*> roots;  // documents, and the items of List documents
};

namespace {

constexpr std::size_t npos = std::string_view::npos;
using Kind = YamlMarks::Kind;

int line_of(const YamlMarks& n) { return n.line < 0 ? 0 : n.line + 1; }

// The map key of `node` that `path` starts with (followed by '.', '[' or the end); longest
// wins. Sets `key` and `value`, returns the key's length or 0.
std::size_t match_key(const YamlMarks& node, std::string_view path, const YamlMarks*& key,
                      const YamlMarks*& value) {
  std::size_t best = 0;
  for (std::size_t i = 0; i < node.keys.size(); ++i) {
    const YamlMarks& k = node.keys[i];
    const YamlMarks& v = node.values[i];
    if (k.kind != Kind::kScalar) continue;
    const std::string& name = k.scalar;
    if (name.size() <= best || !path.starts_with(name)) continue;
    if (name.size() < path.size() && path[name.size()] != '.' && path[name.size()] != '[') continue;
    best = name.size();
    key = &k;
    value = &v;
  }
  return best;
}

// Line/column of `offset` inside the scalar `node`, from the raw text at its mark.
SourcePosition inside_scalar(std::string_view text, const YamlMarks& m, std::size_t offset,
                             SourcePosition fallback) {
  if (m.line < 0 || m.pos >= text.size()) return fallback;
  const std::string& value = m.scalar;
  if (offset > value.size()) return fallback;
  const std::string_view before(value.data(), offset);
  const std::size_t newlines =
      static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_nl = before.rfind('\n');
  const std::size_t in_line = last_nl == npos ? offset : offset - last_nl - 1;
  const char indicator = text[m.pos];
  if (indicator == '|' || indicator == '>') {
    // Block scalar: content starts on the next line, indented like its first non-empty line.
    std::size_t p = text.find('\n', m.pos);
    if (p == npos) return fallback;
    std::size_t q = p + 1;
    for (;;) {  // leading empty lines are part of the value
      std::size_t e = text.find('\n', q);
      std::string_view l = text.substr(q, e == npos ? npos : e - q);
      if (l.find_first_not_of(" \t\r") != npos || e == npos) break;
      q = e + 1;
    }
    std::size_t indent = 0;
    while (q + indent < text.size() && text[q + indent] == ' ') ++indent;
    return {m.line + 2 + static_cast<int>(newlines), static_cast<int>(indent + in_line) + 1};
  }
  const int quote = indicator == '"' || indicator == '\'' ? 1 : 0;
  if (newlines == 0) return {m.line + 1, m.column + 1 + quote + static_cast<int>(offset)};
  return {m.line + 1 + static_cast<int>(newlines), 0};  // multi-line flow scalar: line only
}

}  // namespace

SourceLocator::SourceLocator(std::string text) : text_(std::move(text)) {}
SourceLocator::~SourceLocator() = default;
SourceLocator::SourceLocator(SourceLocator&&) noexcept = default;
SourceLocator& SourceLocator::operator=(SourceLocator&&) noexcept = default;

SourcePosition SourceLocator::locate(int object_line, std::string_view field_path,
                                     std::optional<std::size_t> value_offset) {
  const SourcePosition fallback{object_line, 0};
  if (!parsed_) {
    parsed_ = std::make_unique<Parsed>();
    auto marks = parse_block_yaml_marks(text_);
    if (!marks) marks = yaml_cpp_marks(text_);  // e.g. JSON that only nlohmann reads: none
    parsed_->ok = marks.has_value();
    if (marks) parsed_->docs = std::move(*marks);
    for (const YamlMarks& doc : parsed_->docs) {
      parsed_->roots.push_back(&doc);
      // doc["items"] in yaml-cpp: the first scalar key that reads "items".
      for (std::size_t i = 0; i < doc.keys.size(); ++i) {
        const YamlMarks& key = doc.keys[i];
        const YamlMarks& value = doc.values[i];
        if (key.kind != Kind::kScalar || key.scalar != "items") continue;
        if (value.kind == Kind::kSequence) {
          for (const YamlMarks& item : value.items) parsed_->roots.push_back(&item);
        }
        break;
      }
    }
  }
  if (!parsed_->ok) return fallback;
  const YamlMarks* node = nullptr;
  for (const YamlMarks* root : parsed_->roots) {
    if (line_of(*root) == object_line && root->kind == Kind::kMapping) node = root;
  }
  if (node == nullptr) return fallback;
  SourcePosition at = fallback;
  std::string_view path = field_path;
  try {
    while (!path.empty()) {
      if (path.front() == '.') path.remove_prefix(1);
      if (path.front() == '[') {
        const std::size_t close = path.find(']');
        if (close == npos || node->kind != Kind::kSequence) return at;
        std::size_t index = 0;
        for (char c : path.substr(1, close - 1)) {
          if (c < '0' || c > '9') return at;
          index = index * 10 + static_cast<std::size_t>(c - '0');
        }
        if (index >= node->items.size()) return at;
        node = &node->items[index];
        at = {line_of(*node), node->column + 1};
        path.remove_prefix(close + 1);
        continue;
      }
      if (node->kind != Kind::kMapping) return at;
      const YamlMarks* key = nullptr;
      const YamlMarks* value = nullptr;
      const std::size_t n = match_key(*node, path, key, value);
      if (n == 0) return at;
      at = {line_of(*key), key->column + 1};
      node = value;
      path.remove_prefix(n);
    }
    if (value_offset && node->kind == Kind::kScalar) {
      return inside_scalar(text_, *node, *value_offset, at);
    }
  } catch (const std::exception&) {
  }
  return at;
}

SourcePosition position_of_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const std::size_t last_nl = before.rfind('\n');
  return {1 + static_cast<int>(std::count(before.begin(), before.end(), '\n')),
          1 + static_cast<int>(last_nl == npos ? offset : offset - last_nl - 1)};
}

}  // namespace preflight::cli
