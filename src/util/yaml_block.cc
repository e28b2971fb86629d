#include "util/yaml_block.h"

#include <algorithm>
#include <string>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "util/yaml_load.h"
#include "util/yaml_scalar.h"

namespace preflight {

namespace {

using nlohmann::json;

// Thrown inside this unit only, when the text leaves the subset: parse_block_yaml returns
// nullopt and yaml-cpp reads the text.
struct Unsupported {};

[[noreturn]] void unsupported() { throw Unsupported{}; }

// Deeper nesting goes to yaml-cpp, which reports kMaxYamlDepth.
constexpr int kMaxDepth = 100;

bool is_indicator(char c) {
  switch (c) {
    case '-': case '?': case ':': case ',': case '[': case ']': case '{': case '}': case '#':
    case '&': case '*': case '!': case '|': case '>': case '\'': case '"': case '%': case '@':
    case '`':
      return true;
    default:
      return false;
  }
}

bool is_flow_indicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

// Mapping keys become strings as in yaml_json.cc (Converter::key_string).
std::string plain_key(std::string_view s) {
  const char c = s.empty() ? ' ' : s.front();
  if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) &&
      (s.size() > 5 || std::string_view("nNyYoOtTfF").find(c) == s.npos)) {
    return std::string(s);  // not null, a boolean or a number (the words are <= 5 letters)
  }
  json k = resolve_plain_scalar(s);
  if (k.is_string()) return k.get<std::string>();
  if (k.is_boolean()) return k.get<bool>() ? "true" : "false";
  if (k.is_number_integer()) return k.dump();
  if (k.is_number_float()) return std::string(s);
  unsupported();  // null key: an error, worded by the yaml-cpp path
}

class BlockParser {
 public:
  explicit BlockParser(std::string_view text) : t_(text) {
    if (!text.empty() && text.back() != '\n') unsupported();
    lines_.reserve(text.size() / 24);
    for (std::size_t begin = 0; begin < text.size();) {
      std::size_t p = begin;
      while (text[p] == ' ') ++p;
      const int indent = static_cast<int>(p - begin);
      const char first = text[p];
      for (;; ++p) {
        const auto c = static_cast<unsigned char>(text[p]);
        if (c == '\n') break;
        if (c < 0x20 || c >= 0x7f) unsupported();
      }
      lines_.push_back({begin, p, indent, first == '\n' || first == '#'});
      begin = p + 1;
    }
  }

  // marks: when not null, also receives where each node of each document is.
  std::vector<YamlDocument> documents(std::vector<YamlMarks>* marks = nullptr) {
    std::vector<YamlDocument> docs;
    std::size_t li = 0;
    for (;;) {
      const std::size_t nl = next_content(li);
      if (nl == lines_.size()) break;
      if (is_marker(nl)) {
        std::size_t p = lines_[nl].begin + 3;
        expect_line_end(p);
        li = nl + 1;
        continue;
      }
      const Line& line = lines_[nl];
      std::string key;
      std::size_t after = 0;
      YamlMarks* mk = marks ? &marks->emplace_back() : nullptr;
      if (!key_at(line.begin + line.indent, key, after)) unsupported();
      YamlDocument doc;
      doc.line = static_cast<int>(nl) + 1;
      set_mark(mk, YamlMarks::Kind::kMapping, line.begin + line.indent);
      block_mapping(nl, line.indent, 0, doc.value, &doc.item_lines, std::move(key), after, mk);
      li = next_content(next_);
      if (li != lines_.size() && !is_marker(li)) unsupported();
      docs.push_back(std::move(doc));
    }
    return docs;
  }

 private:
  struct Line {
    std::size_t begin, end;  // end: the position of its '\n'
    int indent;
    bool blank;  // only spaces, or a comment
  };

  // "---" at column 0 starts a document; "..." ends one (not supported).
  bool is_marker(std::size_t li) const {
    const char first = t_[lines_[li].begin];
    if (first != '-' && first != '.') return false;
    const std::string_view l = t_.substr(lines_[li].begin, lines_[li].end - lines_[li].begin);
    auto marker = [&](std::string_view m) {
      return l.starts_with(m) && (l.size() == 3 || l[3] == ' ');
    };
    if (marker("...")) unsupported();
    return marker("---");
  }

  std::size_t next_content(std::size_t li) const {
    while (li < lines_.size() && lines_[li].blank) ++li;
    return li;
  }

  // Indentation of a content line; -1 (ends every block) at the end or at a marker.
  int level(std::size_t li) const {
    if (li == lines_.size() || is_marker(li)) return -1;
    return lines_[li].indent;
  }

  // After a value: spaces, then the end of the line or a comment.
  void expect_line_end(std::size_t p) const {
    const std::size_t start = p;
    while (t_[p] == ' ') ++p;
    if (t_[p] == '\n' || (t_[p] == '#' && p > start)) return;
    unsupported();
  }

  static bool dash_entry(std::string_view t, std::size_t p) {
    return t[p] == '-' && (t[p + 1] == ' ' || t[p + 1] == '\n');
  }

  // Where a node starts, as yaml-cpp marks it (0-based line and column, byte offset).
  void set_mark(YamlMarks* mk, YamlMarks::Kind kind, std::size_t p) const {
    if (mk == nullptr) return;
    const auto line = std::upper_bound(lines_.begin(), lines_.end(), p,
                                       [](std::size_t q, const Line& l) { return q < l.begin; }) -
                      1;
    mk->kind = kind;
    mk->line = static_cast<int>(line - lines_.begin());
    mk->column = static_cast<int>(p - line->begin);
    mk->pos = p;
  }

  // A scalar's mark: yaml-cpp makes the plain words ~ null Null NULL null nodes.
  void scalar_mark(YamlMarks* mk, std::size_t p, std::string text, bool plain) const {
    if (mk == nullptr) return;
    const bool null_word = plain && (text == "~" || text == "null" || text == "Null" || text == "NULL");
    set_mark(mk, null_word ? YamlMarks::Kind::kNull : YamlMarks::Kind::kScalar, p);
    if (!null_word) mk->scalar = std::move(text);
  }

  // A quoted scalar starting at p (on its quote), on one line. Returns the position after it.
  std::size_t quoted(std::size_t p, std::string& out) const {
    const char q = t_[p++];
    out.clear();
    for (;;) {
      const char c = t_[p];
      if (c == '\n') unsupported();
      if (c == q) {
        if (q == '\'' && t_[p + 1] == '\'') {
          out.push_back('\'');
          p += 2;
          continue;
        }
        return p + 1;
      }
      if (q == '"' && c == '\\') {
        switch (t_[p + 1]) {
          case '"': out.push_back('"'); break;
          case '\\': out.push_back('\\'); break;
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          default: unsupported();
        }
        p += 2;
        continue;
      }
      out.push_back(c);
      ++p;
    }
  }

  // A block mapping key at p: sets the key and the position after its ':'.
  // `mk`, when not null, receives the key's mark.
  bool key_at(std::size_t p, std::string& key, std::size_t& after,
              YamlMarks* mk = nullptr) const {
    const char c = t_[p];
    if (c == '"' || c == '\'') {
      const std::size_t end = quoted(p, key);
      if (t_[end] == ':' && (t_[end + 1] == ' ' || t_[end + 1] == '\n')) {
        after = end + 1;
        scalar_mark(mk, p, key, false);
        return true;
      }
      return false;
    }
    if (is_indicator(c) && !(c == '-' && t_[p + 1] != ' ' && t_[p + 1] != '\n')) return false;
    for (std::size_t j = p; t_[j] != '\n'; ++j) {
      const char d = t_[j];
      if (d == '#' && t_[j - 1] == ' ') return false;
      if (d == ':' && (t_[j + 1] == ' ' || t_[j + 1] == '\n')) {
        std::size_t e = j;
        while (t_[e - 1] == ' ') --e;
        const std::string_view name = t_.substr(p, e - p);
        for (char n : name) {
          if (is_flow_indicator(n) || n == '"' || n == '\'') unsupported();
        }
        if (name == "<<") unsupported();  // merge key
        key = plain_key(name);
        after = j + 1;
        scalar_mark(mk, p, std::string(name), true);
        return true;
      }
    }
    return false;
  }

  // A node starting at column c of line li. Sets next_ to the first line after it.
  void node(std::size_t li, int c, int parent, int depth, json& out, YamlMarks* mk) {
    const std::size_t p = lines_[li].begin + c;
    std::string key;
    std::size_t after = 0;
    if (dash_entry(t_, p)) {
      set_mark(mk, YamlMarks::Kind::kSequence, p);
      block_sequence(li, c, depth + 1, out, nullptr, mk);
    } else if (key_at(p, key, after)) {
      set_mark(mk, YamlMarks::Kind::kMapping, p);
      block_mapping(li, c, depth + 1, out, nullptr, std::move(key), after, mk);
    } else {
      inline_value(li, p, parent, depth, out, mk);
    }
  }

  // A block mapping whose first key, at column n of line li, was read by key_at.
  void block_mapping(std::size_t li, int n, int depth, json& out, std::vector<int>* item_lines,
                     std::string key, std::size_t after, YamlMarks* mk) {
    if (depth > kMaxDepth) unsupported();
    out = json::object();
    bool items_seen = false;
    for (bool first = true;; first = false) {
      YamlMarks* key_mk = nullptr;
      YamlMarks* value_mk = nullptr;
      if (mk) {
        key_mk = &mk->keys.emplace_back();
        value_mk = &mk->values.emplace_back();
      }
      if (!first && !key_at(lines_[li].begin + n, key, after)) unsupported();
      if (key_mk) {  // the first key was read by the caller: read it again for its mark
        std::string again;
        std::size_t a = 0;
        key_at(lines_[li].begin + n, again, a, key_mk);
      }
      std::vector<int>* lines = nullptr;
      if (item_lines && key == "items") {
        if (items_seen) unsupported();  // yaml-cpp's node["items"] takes the first one
        items_seen = true;
        lines = item_lines;
      }
      std::size_t p = after;
      while (t_[p] == ' ') ++p;
      json value;
      if (t_[p] == '\n' || t_[p] == '#') {
        const std::size_t nl = next_content(li + 1);
        const int lev = level(nl);
        if (lev > n) {
          if (lines && dash_entry(t_, lines_[nl].begin + lev)) {
            set_mark(value_mk, YamlMarks::Kind::kSequence, lines_[nl].begin + lev);
            block_sequence(nl, lev, depth + 1, value, lines, value_mk);
          } else {
            if (lines) unsupported();
            node(nl, lev, n, depth, value, value_mk);
          }
        } else if (lev == n && dash_entry(t_, lines_[nl].begin + n)) {
          set_mark(value_mk, YamlMarks::Kind::kSequence, lines_[nl].begin + n);
          block_sequence(nl, n, depth + 1, value, lines, value_mk);
        } else {
          next_ = nl;  // null value
        }
      } else {
        if (lines && t_[p] == '[') unsupported();  // a flow List: items have no own lines
        inline_value(li, p, n, depth, value, value_mk);
      }
      out[std::move(key)] = std::move(value);  // duplicate keys: the last one wins
      const std::size_t nl = next_content(next_);
      const int lev = level(nl);
      if (lev < n) {
        next_ = nl;
        return;
      }
      if (lev > n) unsupported();
      li = nl;
    }
  }

  void block_sequence(std::size_t li, int n, int depth, json& out, std::vector<int>* item_lines,
                      YamlMarks* mk) {
    if (depth > kMaxDepth) unsupported();
    out = json::array();
    if (item_lines) item_lines->clear();
    for (;;) {
      std::size_t p = lines_[li].begin + n + 1;
      while (t_[p] == ' ') ++p;
      json value;
      YamlMarks* item_mk = mk ? &mk->items.emplace_back() : nullptr;
      if (t_[p] == '\n' || t_[p] == '#') {
        const std::size_t nl = next_content(li + 1);
        const int lev = level(nl);
        if (lev <= n) unsupported();  // an empty entry: its line is yaml-cpp's to tell
        if (item_lines) item_lines->push_back(static_cast<int>(nl) + 1);
        node(nl, lev, n, depth, value, item_mk);
      } else {
        if (item_lines) item_lines->push_back(static_cast<int>(li) + 1);
        node(li, static_cast<int>(p - lines_[li].begin), n, depth, value, item_mk);
      }
      out.push_back(std::move(value));
      const std::size_t nl = next_content(next_);
      const int lev = level(nl);
      if (lev == n && dash_entry(t_, lines_[nl].begin + n)) {
        li = nl;
        continue;
      }
      if (lev > n) unsupported();
      next_ = nl;  // the end, or the next key of a mapping at the same indentation
      return;
    }
  }

  // A scalar, flow collection or literal block scalar starting at p on line li, inside a
  // collection indented `parent`.
  void inline_value(std::size_t li, std::size_t p, int parent, int depth, json& out,
                    YamlMarks* mk) {
    const char c = t_[p];
    if (c == '|') {
      literal(li, p, parent, out);
      if (mk) scalar_mark(mk, p, out.get<std::string>(), false);
      return;
    }
    if (c == '"' || c == '\'') {
      std::string s;
      expect_line_end(quoted(p, s));
      if (mk) scalar_mark(mk, p, s, false);
      out = std::move(s);
    } else if (c == '[' || c == '{') {
      expect_line_end(flow(p, depth + 1, out, mk));
    } else if (is_indicator(c) && !(c == '-' && t_[p + 1] != ' ' && t_[p + 1] != '\n')) {
      unsupported();
    } else {
      std::size_t e = p;
      for (; t_[e] != '\n'; ++e) {
        if (t_[e] == '#' && t_[e - 1] == ' ') break;
        if (t_[e] == ':' && (t_[e + 1] == ' ' || t_[e + 1] == '\n')) unsupported();
      }
      while (t_[e - 1] == ' ') --e;
      out = resolve_plain_scalar(t_.substr(p, e - p));
      if (mk) scalar_mark(mk, p, std::string(t_.substr(p, e - p)), true);
    }
    // A more indented line after a one-line scalar: a multi-line scalar, or an error.
    next_ = li + 1;
    if (level(next_content(next_)) > parent) unsupported();
  }

  // `|`, `|-` or `|+` at p.
  void literal(std::size_t li, std::size_t p, int parent, json& out) {
    char chomp = ' ';
    if (t_[p + 1] == '-' || t_[p + 1] == '+') chomp = t_[++p];
    expect_line_end(p + 1);
    std::size_t first = li + 1;
    while (first < lines_.size() && lines_[first].begin + lines_[first].indent ==
                                        lines_[first].end) {
      ++first;
    }
    if (first == lines_.size()) unsupported();
    const int m = lines_[first].indent;
    if (m <= parent) unsupported();
    std::string body;
    int trailing = 0;  // empty lines after the last content line
    bool any = false;
    std::size_t j = li + 1;
    for (; j < lines_.size(); ++j) {
      const Line& l = lines_[j];
      const bool empty = l.begin + l.indent == l.end;
      if (empty) {
        if (l.indent > m) unsupported();
        ++trailing;
        continue;
      }
      if (l.indent < m) break;
      // Empty lines before the first content line are kept too (as yaml-cpp does).
      body.append(static_cast<std::size_t>(trailing) + (any ? 1 : 0), '\n');
      trailing = 0;
      any = true;
      body.append(t_.substr(l.begin + m, l.end - l.begin - m));
    }
    if (chomp == '+') {
      body.append(static_cast<std::size_t>(trailing) + 1, '\n');
    } else if (chomp == ' ') {
      body.push_back('\n');
    }
    out = std::move(body);
    next_ = j;
  }

  // A flow collection or scalar on one line, at p. Returns the position after it.
  std::size_t flow(std::size_t p, int depth, json& out, YamlMarks* mk) {
    if (depth > kMaxDepth) unsupported();
    const char c = t_[p];
    if (c == '[' || c == '{') {
      set_mark(mk, c == '[' ? YamlMarks::Kind::kSequence : YamlMarks::Kind::kMapping, p);
      const char close = c == '[' ? ']' : '}';
      out = c == '[' ? json::array() : json::object();
      p = skip_spaces(p + 1);
      if (t_[p] == close) return p + 1;
      for (;;) {
        if (c == '[') {
          json item;
          p = skip_spaces(flow_item(p, depth, item, false, mk ? &mk->items.emplace_back() : nullptr));
          out.push_back(std::move(item));
        } else {
          std::string key;
          json k;
          YamlMarks* key_mk = nullptr;
          YamlMarks* value_mk = nullptr;
          if (mk) {
            key_mk = &mk->keys.emplace_back();
            value_mk = &mk->values.emplace_back();
          }
          const bool was_quoted = t_[p] == '"' || t_[p] == '\'';
          p = flow_item(p, depth, k, /*key=*/true, key_mk);
          if (was_quoted) {
            key = k.get<std::string>();
          } else {
            key = plain_key(k.get<std::string>());
          }
          if (t_[p] != ':' || t_[p + 1] != ' ') unsupported();
          p = skip_spaces(p + 1);
          if (t_[p] == ',' || t_[p] == '}') unsupported();
          json value;
          p = skip_spaces(flow_item(p, depth, value, false, value_mk));
          out[std::move(key)] = std::move(value);
        }
        if (t_[p] == close) return p + 1;
        if (t_[p] != ',') unsupported();
        p = skip_spaces(p + 1);
        if (t_[p] == close) unsupported();  // trailing comma
      }
    }
    unsupported();
  }

  // One entry of a flow collection. A plain key is returned unresolved (as a string).
  std::size_t flow_item(std::size_t p, int depth, json& out, bool key, YamlMarks* mk) {
    const char c = t_[p];
    if (c == '[' || c == '{') {
      if (key) unsupported();
      return flow(p, depth + 1, out, mk);
    }
    if (c == '"' || c == '\'') {
      std::string s;
      const std::size_t start = p;
      p = quoted(p, s);
      scalar_mark(mk, start, s, false);
      out = std::move(s);
      return p;
    }
    if (is_indicator(c) && !(c == '-' && t_[p + 1] != ' ' && !is_flow_indicator(t_[p + 1]))) {
      unsupported();
    }
    std::size_t e = p;
    for (;; ++e) {
      const char d = t_[e];
      if (d == '\n' || (d == '#' && t_[e - 1] == ' ')) unsupported();
      if (d == '?') unsupported();  // ends a plain scalar in yaml-cpp's flow context
      if (d == ',' || d == ']' || d == '}' || d == '[' || d == '{') break;
      if (d == ':' && (t_[e + 1] == ' ' || is_flow_indicator(t_[e + 1]))) break;
    }
    if (t_[e] == '[' || t_[e] == '{') unsupported();
    if (t_[e] == ':' && !key) unsupported();  // a single-pair mapping in a sequence
    const std::size_t end = e;
    while (t_[e - 1] == ' ') --e;
    const std::string_view s = t_.substr(p, e - p);
    scalar_mark(mk, p, std::string(s), true);
    if (key) {
      out = std::string(s);
    } else {
      out = resolve_plain_scalar(s);
    }
    return end;
  }

  std::size_t skip_spaces(std::size_t p) const {
    while (t_[p] == ' ') ++p;
    return p;
  }

  std::string_view t_;
  std::vector<Line> lines_;
  std::size_t next_ = 0;  // the first line after the node just read
};

// The marks of a yaml-cpp node, for texts util/yaml_block does not read. `budget` bounds the
// nodes visited (aliases repeat nodes; a cycle ends at the depth limit).
bool marks_of(const YAML::Node& node, int depth, std::size_t& budget, YamlMarks& out) {
  if (budget == 0 || depth > kMaxYamlDepth) return false;
  --budget;
  const YAML::Mark m = node.Mark();
  if (!m.is_null()) {
    out.line = m.line;
    out.column = m.column;
    out.pos = m.pos < 0 ? 0 : static_cast<std::size_t>(m.pos);
  }
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = YamlMarks::Kind::kScalar;
      out.scalar = node.Scalar();
      return true;
    case YAML::NodeType::Sequence:
      out.kind = YamlMarks::Kind::kSequence;
      for (const YAML::Node& item : node) {
        if (!marks_of(item, depth + 1, budget, out.items.emplace_back())) return false;
      }
      return true;
    case YAML::NodeType::Map:
      out.kind = YamlMarks::Kind::kMapping;
      for (auto it = node.begin(); it != node.end(); ++it) {
        YamlMarks& key = out.keys.emplace_back();
        YamlMarks& value = out.values.emplace_back();
        if (!marks_of(it->first, depth + 1, budget, key) ||
            !marks_of(it->second, depth + 1, budget, value)) {
          return false;
        }
      }
      return true;
    default:
      out.kind = YamlMarks::Kind::kNull;
      return true;
  }
}

}  // namespace

std::optional<std::vector<YamlMarks>> yaml_cpp_marks(std::string_view text) {
  try {
    std::vector<YamlMarks> docs;
    std::size_t budget = 4 * text.size() + 4096;
    for (const YAML::Node& doc : load_all_documents(std::string(text))) {
      if (doc.IsNull()) continue;  // empty documents, as parse_block_yaml_marks
      if (!marks_of(doc, 0, budget, docs.emplace_back())) return std::nullopt;
    }
    return docs;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::vector<YamlMarks>> parse_block_yaml_marks(std::string_view text) {
  try {
    std::vector<YamlMarks> marks;
    BlockParser(text).documents(&marks);
    return marks;
  } catch (const Unsupported&) {
    return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::vector<YamlDocument>> parse_block_yaml(std::string_view text) {
  try {
    return BlockParser(text).documents();
  } catch (const Unsupported&) {
    return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace preflight
