#include "util/json_view.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

namespace preflight::json_view {

std::optional<Value> Value::find(std::string_view key) const {
  const Node* begin = nodes_ + node_->first;
  for (const Node* m = begin + node_->size; m != begin;) {
    if ((--m)->key == key) return Value(m, nodes_);
  }
  return std::nullopt;
}

namespace {

bool plain_integer(std::string_view t) {
  return t.find_first_of(".eE") == std::string_view::npos;
}

// What nlohmann stores for a number literal: an integer when it fits, else a double.
bool fits_integer(std::string_view t) {
  if (!plain_integer(t)) return false;
  const char* end = t.data() + t.size();
  if (t.front() == '-') {
    std::int64_t v;
    auto [ptr, ec] = std::from_chars(t.data(), end, v);
    return ec == std::errc() && ptr == end;
  }
  std::uint64_t v;
  auto [ptr, ec] = std::from_chars(t.data(), end, v);
  return ec == std::errc() && ptr == end;
}

}  // namespace

std::string Value::dump() const {
  if (is_boolean()) return boolean() ? "true" : "false";
  // JSON integers have no leading zeros or '+': the literal is nlohmann's decimal, but "-0".
  if (fits_integer(node_->text)) return node_->text == "-0" ? "0" : std::string(node_->text);
  return nlohmann::json(std::strtod(std::string(node_->text).c_str(), nullptr)).dump();
}

class Parser {
 public:
  Parser(Document& doc, int max_depth, ChildPlace place)
      : doc_(doc), p_(doc.body_.data()), end_(p_ + doc.body_.size()), max_depth_(max_depth),
        place_(place) {
    scratch_.reserve(128);
  }

  bool document(int root_place) {
    Node root;
    skip_space();
    if (!value(root, root_place, 0, true)) return false;
    skip_space();
    if (p_ != end_) return false;
    doc_.nodes_.push_back(root);
    return true;
  }

 private:
  void skip_space() {
    // Most calls find no space at all: one comparison rules out every byte above ' '. No
    // test for the end: body_ is a std::string, so *end_ is '\0', which is not a space.
    while (static_cast<unsigned char>(*p_) <= ' ' &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
      ++p_;
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // One value at p_ into `out` (when `keep`); `depth` counts the containers around it.
  bool value(Node& out, int place, int depth, bool keep) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return keep ? container(out, place, depth, true) : skip(depth);
      case '[': return keep ? container(out, place, depth, false) : skip(depth);
      case '"': out.type = Node::Type::kString; return string(out.text, keep);
      case 't': out.type = Node::Type::kTrue; return literal("true");
      case 'f': out.type = Node::Type::kFalse; return literal("false");
      case 'n': out.type = Node::Type::kNull; return literal("null");
      default: out.type = Node::Type::kNumber; return number(out.text);
    }
  }

  // A kept array or object (left-out ones go to skip()).
  bool container(Node& out, int place, int depth, bool object) {
    if (++depth > max_depth_) return false;
    ++p_;
    out.type = object ? Node::Type::kObject : Node::Type::kArray;
    const std::size_t mark = scratch_.size();
    skip_space();
    const char close = object ? '}' : ']';
    if (p_ != end_ && *p_ == close) {
      ++p_;
    } else {
      for (;;) {
        Node child;
        std::optional<int> child_place = 0;
        if (object) {
          if (p_ == end_ || *p_ != '"' || !string(child.key, true)) return false;
          skip_space();
          if (p_ == end_ || *p_ != ':') return false;
          ++p_;
          skip_space();
          if (place != 0) child_place = place_(place, child.key);
        }
        const bool keep_child = child_place.has_value();
        if (!value(child, child_place.value_or(0), depth, keep_child)) return false;
        if (keep_child) scratch_.push_back(child);
        skip_space();
        if (p_ == end_) return false;
        if (*p_ == close) {
          ++p_;
          break;
        }
        if (*p_ != ',') return false;
        ++p_;
        skip_space();
      }
    }
    out.first = static_cast<std::uint32_t>(doc_.nodes_.size());
    out.size = static_cast<std::uint32_t>(scratch_.size() - mark);
    doc_.nodes_.insert(doc_.nodes_.end(), scratch_.begin() + static_cast<std::ptrdiff_t>(mark),
                       scratch_.end());
    scratch_.resize(mark);
    return true;
  }

  // A value that is left out, at p_: the grammar of value() and container(), walked with a
  // stack of open containers instead of recursion, storing nothing. Most of a large review is
  // such values (managedFields: thousands of small objects). `depth` as for value().
  bool skip(int depth) {
    std::string& open = open_closes_;  // the closing byte of each open container, innermost last
    open.clear();
    for (;;) {
      // A value at p_.
      if (p_ == end_) return false;
      if (*p_ == '{' || *p_ == '[') {
        const char close = *p_ == '{' ? '}' : ']';
        if (depth + static_cast<int>(open.size()) + 1 > max_depth_) return false;
        ++p_;
        skip_space();
        if (p_ != end_ && *p_ == close) {
          ++p_;  // empty
        } else {
          open.push_back(close);
          if (close == '}' && !skip_key()) return false;
          continue;  // its first value
        }
      } else {
        Node scalar;  // not kept: value() only checks it
        if (!value(scalar, 0, depth, false)) return false;
      }
      // After a value: the next one in the innermost container, or its end.
      for (;;) {
        if (open.empty()) return true;
        skip_space();
        if (p_ == end_) return false;
        if (*p_ == ',') {
          ++p_;
          skip_space();
          if (open.back() == '}' && !skip_key()) return false;
          break;
        }
        if (*p_ != open.back()) return false;
        ++p_;
        open.pop_back();
      }
    }
  }

  // `"key" :` at p_, leaving p_ on the member's value.
  bool skip_key() {
    std::string_view key;
    if (p_ == end_ || *p_ != '"' || !string(key, false)) return false;
    skip_space();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    skip_space();
    return true;
  }

  bool number(std::string_view& out) {
    const char* start = p_;
    auto digits = [&] {
      const char* d = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return p_ != d;
    };
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ != end_ && *p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    // nlohmann refuses a number that is not finite as a double ("number overflow").
    if (!fits_integer(out) && !std::isfinite(std::strtod(std::string(out).c_str(), nullptr))) {
      return false;
    }
    return true;
  }

  // The bytes of one UTF-8 sequence at p_ (RFC 3629, as nlohmann checks it), or 0.
  std::size_t utf8_length() const {
    auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
      if (p_ + i >= end_) return false;
      auto c = static_cast<unsigned char>(p_[i]);
      return c >= lo && c <= hi;
    };
    auto c = static_cast<unsigned char>(*p_);
    if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
    }
    if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) {
      return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    }
    if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  bool hex4(unsigned& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = *p_++;
      unsigned d;
      if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else return false;
      out = out * 16 + d;
    }
    return true;
  }

  static void append_utf8(std::string& s, unsigned cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // A string at p_ (on its opening quote). Without escapes `out` views the body; with them it
  // views a decoded copy (only when `keep`).
  bool string(std::string_view& out, bool keep) {
    const char* start = ++p_;
    skip_plain();
    if (p_ != end_ && *p_ == '"') {  // the common case: no escape, control or non-ASCII byte
      out = std::string_view(start, static_cast<std::size_t>(p_ - start));
      ++p_;
      return true;
    }
    return string_rest(out, keep, start);
  }

  // The rest of a string that starts at `start` and has a byte at p_ that needs attention.
  [[gnu::noinline]] bool string_rest(std::string_view& out, bool keep, const char* start) {
    std::string* decoded = nullptr;
    const char* copied = start;  // body bytes before this one are in *decoded
    for (;;) {
      skip_plain();
      if (p_ == end_) return false;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        if (decoded == nullptr) {
          out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        } else {
          decoded->append(copied, p_);
          out = *decoded;
        }
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        std::size_t n = utf8_length();
        if (n == 0) return false;
        p_ += n;
        continue;
      }
      // An escape (c == '\\').
      if (decoded == nullptr && keep) decoded = &doc_.decoded_.emplace_front();
      if (decoded != nullptr) decoded->append(copied, p_);
      if (++p_ == end_) return false;
      char e = *p_++;
      char plain = 0;
      switch (e) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': break;
        default: return false;
      }
      if (e != 'u') {
        if (decoded != nullptr) decoded->push_back(plain);
      } else {
        unsigned cp;
        if (!hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned low;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (decoded != nullptr) append_utf8(*decoded, cp);
      }
      copied = p_;
    }
  }

  // Moves p_ past the bytes of a string that need no attention: all but '"', '\\', control
  // characters and non-ASCII bytes. Most of a review is such bytes; SSE2 (every x86-64) looks
  // at 16 of them per step.
  void skip_plain() {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end_ - p_ >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
      // As signed bytes, control characters (0..0x1f) and non-ASCII (0x80..0xff) are < 0x20.
      const __m128i special = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
          _mm_cmplt_epi8(v, space));
      if (const int mask = _mm_movemask_epi8(special); mask != 0) {
        p_ += __builtin_ctz(static_cast<unsigned>(mask));
        return;
      }
      p_ += 16;
    }
#endif
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return;
      ++p_;
    }
  }

  Document& doc_;
  const char* p_;
  const char* end_;
  int max_depth_;
  ChildPlace place_;
  std::vector<Node> scratch_;  // children of the open containers
  std::string open_closes_;    // skip()'s stack
};

std::shared_ptr<const Document> Document::parse(std::string_view body, int max_depth,
                                                ChildPlace place, int root_place) {
  auto doc = std::make_shared<Document>();
  doc->body_.assign(body);
  // A guess that saves most reallocations: a review keeps about one node per 16 bytes (less
  // when it holds members left out); capped so a large body does not ask for a huge block.
  doc->nodes_.reserve(std::min<std::size_t>(body.size() / 16, 2048) + 8);
  Parser parser(*doc, max_depth, place);
  if (!parser.document(root_place)) return nullptr;
  return doc;
}

}  // namespace preflight::json_view
