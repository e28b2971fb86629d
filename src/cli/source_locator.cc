#include "cli/source_locator.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <vector>

namespace preflight::cli {

struct SourceLocator::Parsed {
  bool ok = false;
  std::vector<YAML::Node> roots;  // documents, and the items of List documents
};

namespace {

constexpr std::size_t npos = std::string_view::npos;

int line_of(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

// The map key of `node` that `path` starts with (followed by '.', '[' or the end); longest
// wins. Sets `key_node` and `value`, returns the key's length or 0.
std::size_t match_key(const YAML::Node& node, std::string_view path, YAML::Node& key_node,
                      YAML::Node& value) {
  std::size_t best = 0;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node k = it->first;
    if (!k.IsScalar()) continue;
    const std::string& name = k.Scalar();
    if (name.size() <= best || !path.starts_with(name)) continue;
    if (name.size() < path.size() && path[name.size()] != '.' && path[name.size()] != '[') continue;
    best = name.size();
    key_node.reset(k);  // reset, not =: Node::operator= writes through to the tree
    value.reset(it->second);
  }
  return best;
}

// Line/column of `offset` inside the scalar `node`, from the raw text at its mark.
SourcePosition inside_scalar(std::string_view text, const YAML::Node& node, std::size_t offset,
                             SourcePosition fallback) {
  const YAML::Mark m = node.Mark();
  if (m.is_null() || m.pos < 0 || static_cast<std::size_t>(m.pos) >= text.size()) return fallback;
  const std::string& value = node.Scalar();
  if (offset > value.size()) return fallback;
  const std::string_view before(value.data(), offset);
  const std::size_t newlines =
      static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_nl = before.rfind('\n');
  const std::size_t in_line = last_nl == npos ? offset : offset - last_nl - 1;
  const char indicator = text[static_cast<std::size_t>(m.pos)];
  if (indicator == '|' || indicator == '>') {
    // Block scalar: content starts on the next line, indented like its first non-empty line.
    std::size_t p = text.find('\n', static_cast<std::size_t>(m.pos));
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
    try {
      for (const YAML::Node& doc : YAML::LoadAll(text_)) {
        parsed_->roots.push_back(doc);
        if (doc.IsMap()) {
          const YAML::Node items = doc["items"];
          if (items.IsDefined() && items.IsSequence()) {
            for (const YAML::Node& item : items) parsed_->roots.push_back(item);
          }
        }
      }
      parsed_->ok = true;
    } catch (const std::exception&) {
      parsed_->ok = false;  // e.g. JSON that only nlohmann reads: stay at the object's line
    }
  }
  if (!parsed_->ok) return fallback;
  YAML::Node node;
  for (const YAML::Node& root : parsed_->roots) {
    if (line_of(root) == object_line && root.IsMap()) node.reset(root);
  }
  if (!node.IsDefined() || !node) return fallback;
  SourcePosition at = fallback;
  std::string_view path = field_path;
  try {
    while (!path.empty()) {
      if (path.front() == '.') path.remove_prefix(1);
      if (path.front() == '[') {
        const std::size_t close = path.find(']');
        if (close == npos || !node.IsSequence()) return at;
        std::size_t index = 0;
        for (char c : path.substr(1, close - 1)) {
          if (c < '0' || c > '9') return at;
          index = index * 10 + static_cast<std::size_t>(c - '0');
        }
        if (index >= node.size()) return at;
        node.reset(node[index]);  // reset: Node::operator= would overwrite the tree
        at = {line_of(node), node.Mark().column + 1};
        path.remove_prefix(close + 1);
        continue;
      }
      if (!node.IsMap()) return at;
      YAML::Node key, value;
      const std::size_t n = match_key(node, path, key, value);
      if (n == 0) return at;
      at = {line_of(key), key.Mark().column + 1};
      node.reset(value);
      path.remove_prefix(n);
    }
    if (value_offset && node.IsScalar()) return inside_scalar(text_, node, *value_offset, at);
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
