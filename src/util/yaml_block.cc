#include "util/yaml_block.h"

#include <string>
#include <utility>

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

  std::vector<YamlDocument> documents() {
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
      if (!key_at(line.begin + line.indent, key, after)) unsupported();
      YamlDocument doc;
      doc.line = static_cast<int>(nl) + 1;
      block_mapping(nl, line.indent, 0, doc.value, &doc.item_lines, std::move(key), after);
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
  bool key_at(std::size_t p, std::string& key, std::size_t& after) const {
    const char c = t_[p];
    if (c == '"' || c == '\'') {
      const std::size_t end = quoted(p, key);
      if (t_[end] == ':' && (t_[end + 1] == ' ' || t_[end + 1] == '\n')) {
        after = end + 1;
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
        return true;
      }
    }
    return false;
  }

  // A node starting at column c of line li. Sets next_ to the first line after it.
  void node(std::size_t li, int c, int parent, int depth, json& out) {
    const std::size_t p = lines_[li].begin + c;
    std::string key;
    std::size_t after = 0;
    if (dash_entry(t_, p)) {
      block_sequence(li, c, depth + 1, out, nullptr);
    } else if (key_at(p, key, after)) {
      block_mapping(li, c, depth + 1, out, nullptr, std::move(key), after);
    } else {
      inline_value(li, p, parent, depth, out);
    }
  }

  // A block mapping whose first key, at column n of line li, was read by key_at.
  void block_mapping(std::size_t li, int n, int depth, json& out, std::vector<int>* item_lines,
                     std::string key, std::size_t after) {
    if (depth > kMaxDepth) unsupported();
    out = json::object();
    bool items_seen = false;
    for (bool first = true;; first = false) {
      if (!first && !key_at(lines_[li].begin + n, key, after)) unsupported();
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
            block_sequence(nl, lev, depth + 1, value, lines);
          } else {
            if (lines) unsupported();
            node(nl, lev, n, depth, value);
          }
        } else if (lev == n && dash_entry(t_, lines_[nl].begin + n)) {
          block_sequence(nl, n, depth + 1, value, lines);
        } else {
          next_ = nl;  // null value
        }
      } else {
        if (lines && t_[p] == '[') unsupported();  // a flow List: items have no own lines
        inline_value(li, p, n, depth, value);
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

  void block_sequence(std::size_t li, int n, int depth, json& out, std::vector<int>* item_lines) {
    if (depth > kMaxDepth) unsupported();
    out = json::array();
    if (item_lines) item_lines->clear();
    for (;;) {
      std::size_t p = lines_[li].begin + n + 1;
      while (t_[p] == ' ') ++p;
      json value;
      if (t_[p] == '\n' || t_[p] == '#') {
        const std::size_t nl = next_content(li + 1);
        const int lev = level(nl);
        if (lev <= n) unsupported();  // an empty entry: its line is yaml-cpp's to tell
        if (item_lines) item_lines->push_back(static_cast<int>(nl) + 1);
        node(nl, lev, n, depth, value);
      } else {
        if (item_lines) item_lines->push_back(static_cast<int>(li) + 1);
        node(li, static_cast<int>(p - lines_[li].begin), n, depth, value);
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
  void inline_value(std::size_t li, std::size_t p, int parent, int depth, json& out) {
    const char c = t_[p];
    if (c == '|') {
      literal(li, p, parent, out);
      return;
    }
    if (c == '"' || c == '\'') {
      std::string s;
      expect_line_end(quoted(p, s));
      out = std::move(s);
    } else if (c == '[' || c == '{') {
      expect_line_end(flow(p, depth + 1, out));
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
  std::size_t flow(std::size_t p, int depth, json& out) {
    if (depth > kMaxDepth) unsupported();
    const char c = t_[p];
    if (c == '[' || c == '{') {
      const char close = c == '[' ? ']' : '}';
      out = c == '[' ? json::array() : json::object();
      p = skip_spaces(p + 1);
      if (t_[p] == close) return p + 1;
      for (;;) {
        if (c == '[') {
          json item;
          p = skip_spaces(flow_item(p, depth, item));
          out.push_back(std::move(item));
        } else {
          std::string key;
          json k;
          const bool was_quoted = t_[p] == '"' || t_[p] == '\'';
          p = flow_item(p, depth, k, /*key=*/true);
          if (was_quoted) {
            key = k.get<std::string>();
          } else {
            key = plain_key(k.get<std::string>());
          }
          if (t_[p] != ':' || t_[p + 1] != ' ') unsupported();
          p = skip_spaces(p + 1);
          if (t_[p] == ',' || t_[p] == '}') unsupported();
          json value;
          p = skip_spaces(flow_item(p, depth, value));
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
  std::size_t flow_item(std::size_t p, int depth, json& out, bool key = false) {
    const char c = t_[p];
    if (c == '[' || c == '{') {
      if (key) unsupported();
      return flow(p, depth + 1, out);
    }
    if (c == '"' || c == '\'') {
      std::string s;
      p = quoted(p, s);
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

}  // namespace

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
