#include "util/json_view.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

namespace preflight::json_view {

std::optional<Value> Value::find(std::string_view key) const {
  const Node* begin = doc_->nodes_.data() + node_->at;
  for (const Node* m = begin + node_->size; m != begin;) {
    if (doc_->key_is(*--m, key)) return Value(m, doc_);
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
  const std::string_view text = string();
  if (fits_integer(text)) return text == "-0" ? "0" : std::string(text);
  return nlohmann::json(std::strtod(std::string(text).c_str(), nullptr)).dump();
}

namespace {

// The document's text is the body followed by this many '\0' bytes. Every scan can then stop on
// a byte instead of testing for the end: '\0' is no space, digit or literal letter, and in a
// string it is a control character, which is refused anyway (at the end as inside). The 16-byte
// loads of skip_plain() start at most at the end, so they stay inside the padding.
constexpr std::size_t kPadding = 16;

// The parser's working buffers, one set per thread and reused by every parse on it, so that a
// parse allocates only its document (the buffers keep their capacity). A parse runs start to end
// on one thread and never re-enters itself; the document copies out what it keeps.
struct Scratch {
  std::vector<Node> open;    // children of the containers being read, innermost container's last
  std::vector<Node> nodes;   // the document's nodes so far
  std::string closes;        // skip()'s stack of open containers
};

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

// Each step takes the position `p` and returns the one after what it read, or nullptr to refuse
// the body: the position stays in a register instead of memory. The text is the document's own
// copy, so the parser writes to it (strings with escapes are decoded in place).
class Parser {
 public:
  Parser(std::string& text, std::size_t size, int max_depth, ChildPlace place)
      : text_(text.data()), end_(text_ + size), max_depth_(max_depth), place_(place),
        open_(thread_scratch().open), nodes_(thread_scratch().nodes), closes_(thread_scratch().closes) {
    nodes_.clear();
  }

  bool document(int root_place, std::vector<Node>& nodes) {
    Node root{};
    char* p = skip_space(text_);
    p = value(p, root, root_place, 0);
    if (p == nullptr) return false;
    if (skip_space(p) != end_) return false;
    nodes_.push_back(root);
    nodes.assign(nodes_.begin(), nodes_.end());
    return true;
  }

 private:
  static char* skip_space(char* p) {
    // Most calls find no space at all: one comparison rules out every byte above ' '.
    while (static_cast<unsigned char>(*p) <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
      ++p;
    }
    return p;
  }

  // `word` at p (the padding makes reading its length safe).
  static char* literal(char* p, std::string_view word) {
    return std::char_traits<char>::compare(p, word.data(), word.size()) == 0 ? p + word.size() : nullptr;
  }

  std::uint32_t offset(const char* p) const { return static_cast<std::uint32_t>(p - text_); }

  // One kept value at p into `out`; `depth` counts the containers around it.
  char* value(char* p, Node& out, int place, int depth) {
    switch (*p) {
      case '{':
      case '[': return container(p, out, place, depth);
      case '"': out.type = Node::Type::kString; return string(p, out.at, out.size, true);
      case 't': out.type = Node::Type::kTrue; return literal(p, "true");
      case 'f': out.type = Node::Type::kFalse; return literal(p, "false");
      case 'n': out.type = Node::Type::kNull; return literal(p, "null");
      default: out.type = Node::Type::kNumber; return number(p, out);
    }
  }

  // A kept array or object at p. Its children wait in open_ while it is read (their own
  // children are stored first), then move to the document's nodes as one block: Value reaches
  // them by index.
  char* container(char* p, Node& out, int place, int depth) {
    if (++depth > max_depth_) return nullptr;
    const bool object = *p == '{';
    const char close = object ? '}' : ']';
    out.type = object ? Node::Type::kObject : Node::Type::kArray;
    const std::size_t mark = open_top_;
    p = skip_space(p + 1);
    if (*p == close) {
      ++p;
    } else {
      for (;;) {
        Node child{};
        std::optional<int> child_place = 0;
        if (object) {
          if (*p != '"') return nullptr;
          p = string(p, child.key, child.key_size, true);
          if (p == nullptr) return nullptr;
          p = skip_space(p);
          if (*p != ':') return nullptr;
          p = skip_space(p + 1);
          // Array elements, and members below a place that leaves nothing out, are at place 0.
          if (place != 0) child_place = place_(place, {text_ + child.key, child.key_size});
        }
        if (child_place) {
          p = value(p, child, *child_place, depth);
          if (p == nullptr) return nullptr;
          push_open(child);
        } else {
          p = skip(p, depth);
          if (p == nullptr) return nullptr;
        }
        p = skip_space(p);
        if (*p == ',') {
          p = skip_space(p + 1);
          continue;
        }
        if (*p != close) return nullptr;
        ++p;
        break;
      }
    }
    out.at = static_cast<std::uint32_t>(nodes_.size());
    out.size = static_cast<std::uint32_t>(open_top_ - mark);
    nodes_.insert(nodes_.end(), open_.data() + mark, open_.data() + open_top_);
    open_top_ = mark;
    return p;
  }

  // open_ is used as a stack of open_top_ nodes, its size only grows: vector::push_back was a
  // call per node (not inlined into this recursive code).
  void push_open(const Node& n) {
    if (open_top_ == open_.size()) [[unlikely]] open_.resize(std::max<std::size_t>(64, 2 * open_.size()));
    open_[open_top_++] = n;
  }

  // A value that is left out, at p: the grammar of value() and container(), walked with a
  // stack of open containers instead of recursion, storing nothing. Most of a large review is
  // such values (managedFields: thousands of small objects). `depth` as for value().
  char* skip(char* p, int depth) {
    std::string& open = closes_;  // the closing byte of each open container, innermost last
    open.clear();
    for (;;) {
      // A value at p.
      if (*p == '{' || *p == '[') {
        const char close = *p == '{' ? '}' : ']';
        if (depth + static_cast<int>(open.size()) + 1 > max_depth_) return nullptr;
        p = skip_space(p + 1);
        if (*p == close) {
          ++p;  // empty
        } else {
          open.push_back(close);
          if (close == '}' && (p = skip_key(p)) == nullptr) return nullptr;
          continue;  // its first value
        }
      } else {
        p = skip_scalar(p);
        if (p == nullptr) return nullptr;
      }
      // After a value: the next one in the innermost container, or its end.
      for (;;) {
        if (open.empty()) return p;
        p = skip_space(p);
        if (*p == ',') {
          p = skip_space(p + 1);
          if (open.back() == '}' && (p = skip_key(p)) == nullptr) return nullptr;
          break;
        }
        if (*p != open.back()) return nullptr;
        ++p;
        open.pop_back();
      }
    }
  }

  // A string, number or literal at p, checked and not kept.
  char* skip_scalar(char* p) {
    if (*p == '"') {
      std::uint32_t at, size;
      return string(p, at, size, false);
    }
    Node unused{};
    return value(p, unused, 0, 0);
  }

  // `"key" :` at p; returns the position of the member's value.
  char* skip_key(char* p) {
    std::uint32_t at, size;
    if (*p != '"' || (p = string(p, at, size, false)) == nullptr) return nullptr;
    p = skip_space(p);
    if (*p != ':') return nullptr;
    return skip_space(p + 1);
  }

  char* number(char* p, Node& out) {
    char* start = p;
    auto digits = [&] {
      if (!is_digit(*p)) return false;
      while (is_digit(*++p)) {
      }
      return true;
    };
    if (*p == '-') ++p;
    if (*p == '0') {
      ++p;
    } else if (!digits()) {
      return nullptr;
    }
    bool integer = true;
    if (*p == '.') {
      ++p;
      if (!digits()) return nullptr;
      integer = false;
    }
    if (*p == 'e' || *p == 'E') {
      ++p;
      if (*p == '+' || *p == '-') ++p;
      if (!digits()) return nullptr;
      integer = false;
    }
    out.at = offset(start);
    out.size = static_cast<std::uint32_t>(p - start);
    // nlohmann refuses a number that is not finite as a double ("number overflow"). An integer
    // of up to 18 characters fits in 64 bits; anything else is converted to know.
    if (!(integer && out.size <= 18) && !in_range({start, out.size})) return nullptr;
    return p;
  }

  [[gnu::noinline]] static bool in_range(std::string_view number) {
    return fits_integer(number) || std::isfinite(std::strtod(std::string(number).c_str(), nullptr));
  }

  // The bytes of one UTF-8 sequence at p (RFC 3629, as nlohmann checks it), or 0. The checks
  // stop at the first byte out of range, so they never read past the '\0' padding.
  static std::size_t utf8_length(const char* p) {
    auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
      auto c = static_cast<unsigned char>(p[i]);
      return c >= lo && c <= hi;
    };
    auto c = static_cast<unsigned char>(*p);
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

  // Four hex digits at p into `out`; stops at the first other byte (the padding is one).
  static bool hex4(char*& p, unsigned& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      char c = *p++;
      unsigned d;
      if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
      else return false;
      out = out * 16 + d;
    }
    return true;
  }

  // Writes `cp` as UTF-8 at w; returns the end.
  static char* put_utf8(char* w, unsigned cp) {
    if (cp < 0x80) {
      *w++ = static_cast<char>(cp);
    } else if (cp < 0x800) {
      *w++ = static_cast<char>(0xC0 | (cp >> 6));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *w++ = static_cast<char>(0xE0 | (cp >> 12));
      *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *w++ = static_cast<char>(0xF0 | (cp >> 18));
      *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *w++ = static_cast<char>(0x80 | (cp & 0x3F));
    }
    return w;
  }

  // A string at p (on its opening quote); the offset and size of its text into `at`, `size`.
  char* string(char* p, std::uint32_t& at, std::uint32_t& size, bool keep) {
    char* start = p + 1;
    p = skip_plain(start);
    if (*p == '"') {  // the common case: no escape, control or non-ASCII byte
      at = offset(start);
      size = static_cast<std::uint32_t>(p - start);
      return p + 1;
    }
    return string_rest(p, start, at, size, keep);
  }

  // The rest of a string that starts at `start` and has a byte at p that needs attention. When
  // `keep`, escapes are decoded in place: the text up to `w` is the decoded string so far. A
  // decoded escape is never longer than its source (`\n` 2 bytes to 1, `\uXXXX` 6 to at most 3,
  // a surrogate pair 12 to 4), so `w` never passes p and only overwrites bytes already read.
  [[gnu::noinline]] char* string_rest(char* p, char* start, std::uint32_t& at, std::uint32_t& size,
                                      bool keep) {
    char* w = p;
    for (;;) {
      auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        at = offset(start);
        size = static_cast<std::uint32_t>(w - start);
        return p + 1;
      }
      if (c < 0x20) return nullptr;  // a control character, or the end of the body
      if (c >= 0x80) {
        const std::size_t n = utf8_length(p);
        if (n == 0) return nullptr;
        if (keep && w != p) std::memmove(w, p, n);
        w += n;
        p += n;
      } else {  // an escape (c == '\\')
        char plain = 0;
        switch (*++p) {
          case '"': plain = '"'; break;
          case '\\': plain = '\\'; break;
          case '/': plain = '/'; break;
          case 'b': plain = '\b'; break;
          case 'f': plain = '\f'; break;
          case 'n': plain = '\n'; break;
          case 'r': plain = '\r'; break;
          case 't': plain = '\t'; break;
          case 'u': break;
          default: return nullptr;
        }
        if (*p++ != 'u') {
          if (keep) *w = plain;
          ++w;
        } else {
          unsigned cp;
          if (!hex4(p, cp)) return nullptr;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return nullptr;  // a low surrogate first
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low;
            if (p[0] != '\\' || p[1] != 'u') return nullptr;
            p += 2;
            if (!hex4(p, low) || low < 0xDC00 || low > 0xDFFF) return nullptr;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          // Not kept: only the size matters, and nobody reads it.
          w = keep ? put_utf8(w, cp) : w;
        }
      }
      char* run = p;
      p = skip_plain(p);
      if (keep && w != run) std::memmove(w, run, static_cast<std::size_t>(p - run));
      w += p - run;
    }
  }

  // Moves p past the bytes of a string that need no attention: all but '"', '\\', control
  // characters and non-ASCII bytes. Most of a review is such bytes; SSE2 (every x86-64) looks
  // at 16 of them per step. No end test: the padding's '\0' stops it.
  static char* skip_plain(char* p) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    for (;;) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      // As signed bytes, control characters (0..0x1f) and non-ASCII (0x80..0xff) are < 0x20.
      const __m128i special = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
          _mm_cmplt_epi8(v, space));
      if (const int mask = _mm_movemask_epi8(special); mask != 0) {
        return p + __builtin_ctz(static_cast<unsigned>(mask));
      }
      p += 16;
    }
#else
    for (;;) {
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
      ++p;
    }
#endif
  }

  char* const text_;
  char* const end_;
  const int max_depth_;
  const ChildPlace place_;
  std::vector<Node>& open_;   // children of the containers being read, innermost container's last
  std::size_t open_top_ = 0;  // how many of open_ are in use
  std::vector<Node>& nodes_;  // the document's nodes so far
  std::string& closes_;       // skip()'s stack of open containers
};

std::shared_ptr<const Document> Document::parse(std::string_view body, int max_depth,
                                                ChildPlace place, int root_place) {
  if (body.size() > std::numeric_limits<std::uint32_t>::max() - kPadding) return nullptr;  // offsets are 32-bit
  auto doc = std::make_shared<Document>();
  doc->text_.reserve(body.size() + kPadding);
  doc->text_.assign(body).append(kPadding, '\0');
  Parser parser(doc->text_, body.size(), max_depth, place);
  if (!parser.document(root_place, doc->nodes_)) return nullptr;
  return doc;
}

}  // namespace preflight::json_view
