#include "util/json_view.h"

#include <algorithm>
#include <array>
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

// See Parser::append().
constexpr std::size_t kCopyBlock = 4;

// One open array or object of kept values (see Parser::document).
struct Frame {
  Node* node;  // its node, in Scratch::open; its children's follow
  int place;   // the place of the container (its members' places derive from it)
  char close;  // '}' for an object, ']' for an array
};

// The parser's working buffers, one set per thread and reused by every parse on it, so that a
// parse allocates only its document (the buffers keep their capacity). A parse runs start to end
// on one thread and never re-enters itself; the document copies out what it keeps.
struct Scratch {
  std::vector<Node> open;     // children of the containers being read, innermost container's last
  std::vector<Node> nodes;    // the document's nodes so far
  std::vector<Frame> frames;  // the containers being read, outermost first
  std::string closes;         // skip()'s stack of open containers
};

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The byte an escape `\c` stands for, for the one-byte escapes of JSON; 0 for any other c
// (`u` included, which the callers handle apart).
constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> t{};
  t['"'] = '"';
  t['\\'] = '\\';
  t['/'] = '/';
  t['b'] = '\b';
  t['f'] = '\f';
  t['n'] = '\n';
  t['r'] = '\r';
  t['t'] = '\t';
  return t;
}();

char escape_of(char c) { return kEscapes[static_cast<unsigned char>(c)]; }

}  // namespace

// Each step takes the position `p` and returns the one after what it read, or nullptr to refuse
// the body: the position stays in a register instead of memory. The text is the document's own
// copy, so the parser writes to it (strings with escapes are decoded in place).
//
// Kept values are read by one loop (document()) with an explicit stack of open containers
// rather than by recursion: a value costs a few dozen instructions, and a call per value and
// per container was a good part of that. Each kept value gets a node, written once into its
// slot in `open_` (its container's children, in order); when a container closes, its children
// move as one block to the document's nodes and its own node (the slot just before them) learns
// where they are.
class Parser {
 public:
  Parser(char* text, std::size_t size, int max_depth, ChildPlace place)
      : text_(text), end_(text_ + size), max_depth_(max_depth), place_(place),
        open_(thread_scratch().open), nodes_(thread_scratch().nodes),
        frames_(thread_scratch().frames), closes_(thread_scratch().closes) {
    if (frames_.size() < static_cast<std::size_t>(max_depth_) + 1) frames_.resize(max_depth_ + 1);
    if (open_.empty()) open_.resize(256);  // the root's slot is written before any growth test
    if (nodes_.empty()) nodes_.resize(256);
  }

  // The value at the start of the text (after spaces), and nothing but spaces after it.
  bool document(int root_place, std::vector<Node>& nodes) {
    // What the loop changes on every value lives in locals (registers): `slot` is the node of
    // the value being read, in open_ after its elder siblings; frames[1] to *f are the open
    // containers (frames_). The buffers themselves are touched only to grow.
    Node* slots = open_.data();
    Node* slot = slots;
    Node* slots_end = slots + open_.size() - kCopyBlock;  // see append()
    Frame* const frames = frames_.data();
    Frame* const deepest = frames + max_depth_;
    Frame* f = frames;  // frames[0] stands for "no container": the root's value is at depth 0
    // The document's nodes so far: out[0, out_size), in nodes_.
    Node* out = nodes_.data();
    std::uint32_t out_size = 0;
    std::size_t out_room = nodes_.size() - kCopyBlock;  // see append()
    // A new slot after `slot`, for the next child of the innermost container.
    auto next_slot = [&] {
      if (++slot == slots_end) [[unlikely]] {
        Node* const old = slots;
        slots = grow(open_, static_cast<std::size_t>(slot - old) + 1 + kCopyBlock);
        slot = slots + (slot - old);
        slots_end = slots + open_.size() - kCopyBlock;
        for (Frame* g = frames + 1; g <= f; ++g) g->node = slots + (g->node - old);
      }
    };
    // Appends nodes [from, from + n) to the document's. Most containers have a few children: up
    // to kCopyBlock are copied as a block of that size, which the compiler inlines (a memmove
    // call cost more than the copy); both buffers keep kCopyBlock nodes of room for it.
    auto append = [&](const Node* from, std::uint32_t n) {
      if (out_size + n > out_room) [[unlikely]] {
        out = grow(nodes_, std::size_t{out_size} + n + kCopyBlock);
        out_room = nodes_.size() - kCopyBlock;
      }
      if (n <= kCopyBlock) {
        std::memcpy(out + out_size, from, kCopyBlock * sizeof(Node));
      } else {
        std::memcpy(out + out_size, from, n * sizeof(Node));
      }
      out_size += n;
    };

    // Spaces are skipped where the grammar allows them, but looked for only when the byte
    // expected there is not found: the API server sends JSON without any.
    char* p = skip_space(text_);
    int place = root_place;  // the place of the value at p
    *slot = Node{};          // the root's
    for (;;) {
    value:
      // A kept value at p, into *slot, whose key (if any) is set.
      if (*p == '"') {
        slot->type = Node::Type::kString;
        p = string(p, slot->at, slot->size);
        if (p == nullptr) return false;
      } else if (*p == '{' || *p == '[') {
        if (f == deepest) return false;
        slot->type = *p == '{' ? Node::Type::kObject : Node::Type::kArray;
        *++f = {slot, place, static_cast<char>(*p + 2)};  // '{' + 2 is '}', '[' + 2 is ']'
        p = skip_space(p + 1);
        if (*p != f->close) goto child;  // its first child
        ++p;
        goto close;
      } else if (char* s = skip_space(p); s != p) {
        p = s;
        goto value;
      } else {
        p = scalar(p, *slot);
        if (p == nullptr) return false;
      }
    after_value:
      // After a value: the next child of the innermost container, or its end.
      if (f == frames) break;
      if (*p == ',') {
        ++p;
        goto child;
      }
      if (*p == f->close) {
        ++p;
        goto close;
      }
      if (char* s = skip_space(p); s != p) {
        p = s;
        goto after_value;
      }
      return false;
    close:
      // The innermost container is complete: its children go to the document's nodes as one
      // block, and its own node (the slot just before them) learns where.
      // `slot` is its last child's, or its own when it has none.
      {
        Node* container = f->node;
        const auto children = static_cast<std::uint32_t>(slot - container);
        container->at = out_size;
        container->size = children;
        append(container + 1, children);
        slot = container;
        --f;
      }
      goto after_value;
    child:
      // A child of the innermost container at p: an element, or a member's key and value.
      if (f->close == ']') {
        next_slot();
        slot->key = slot->key_size = 0;
        place = 0;
        continue;
      }
      if (*p != '"' && *(p = skip_space(p)) != '"') return false;
      next_slot();
      p = string(p, slot->key, slot->key_size);
      if (p == nullptr) return false;
      if (*p != ':' && *(p = skip_space(p)) != ':') return false;
      ++p;
      // Members below a place that leaves nothing out are at place 0, the function unasked.
      place = 0;
      if (f->place != 0) [[unlikely]] {
        const std::optional<int> kept = place_(f->place, {text_ + slot->key, slot->key_size});
        if (!kept) {
          --slot;  // the member has no node
          p = skip(skip_space(p), static_cast<int>(f - frames));
          if (p == nullptr) return false;
          goto after_value;
        }
        place = *kept;
      }
    }
    if (skip_space(p) != end_) return false;
    append(slots, 1);  // the root, last
    nodes.assign(out, out + out_size);
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

  // Makes room for `need` nodes in `v` (its size only grows: the parser keeps its own count);
  // returns the new storage.
  [[gnu::noinline]] static Node* grow(std::vector<Node>& v, std::size_t need) {
    v.resize(std::max<std::size_t>({256, 2 * v.size(), need}));
    return v.data();
  }

  // A string, number or literal at p into `out`; a container is refused.
  [[gnu::always_inline]] char* scalar(char* p, Node& out) {
    switch (*p) {
      case '"': out.type = Node::Type::kString; return string(p, out.at, out.size);
      case 't': out = {out.key, out.key_size, 0, 0, Node::Type::kTrue}; return literal(p, "true");
      case 'f': out = {out.key, out.key_size, 0, 0, Node::Type::kFalse}; return literal(p, "false");
      case 'n': out = {out.key, out.key_size, 0, 0, Node::Type::kNull}; return literal(p, "null");
      default: out.type = Node::Type::kNumber; return number(p, out);
    }
  }

  // A value that is left out, at p: the grammar of document(), walked with a stack of open
  // containers, storing nothing. Most of a large review is such values (managedFields:
  // thousands of small objects; last-applied-configuration: a long string full of escapes).
  // `depth` counts the containers around the value, as in document().
  char* skip(char* p, int depth) {
    // The closing byte of each open container, innermost last. Sized once: nesting is bounded.
    if (closes_.size() < static_cast<std::size_t>(max_depth_) + 1) closes_.resize(max_depth_ + 1);
    char* const open = closes_.data();
    const int room = max_depth_ - depth;  // how many containers may open inside
    int top = 0;
    for (;;) {
      // A value at p.
      if (*p == '"') {
        if ((p = skip_string(p)) == nullptr) return nullptr;
      } else if (*p == '{' || *p == '[') {
        if (top == room) return nullptr;
        const char close = *p == '{' ? '}' : ']';
        ++p;
        if (*p != close && *(p = skip_space(p)) != close) {
          open[top++] = close;
          if (close == '}') goto key;
          continue;  // its first element
        }
        ++p;  // empty
      } else if (char* s = skip_space(p); s != p) {
        p = s;
        continue;
      } else {
        Node unused{};
        if ((p = scalar(p, unused)) == nullptr) return nullptr;
      }
    after_value:
      // After a value: the next one in the innermost container, or its end.
      if (top == 0) return p;
      if (*p == ',') {
        ++p;
        if (open[top - 1] == '}') goto key;
        continue;
      }
      if (*p == open[top - 1]) {
        ++p;
        --top;
        goto after_value;
      }
      if (char* s = skip_space(p); s != p) {
        p = s;
        goto after_value;
      }
      return nullptr;
    key:
      // `"key" :` at p, then the member's value.
      if (*p != '"' && *(p = skip_space(p)) != '"') return nullptr;
      if ((p = skip_string(p)) == nullptr) return nullptr;
      if (*p != ':' && *(p = skip_space(p)) != ':') return nullptr;
      ++p;
    }
  }

  [[gnu::noinline]] char* number(char* p, Node& out) {
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

  // A kept string at p (on its opening quote); the offset and size of its text into `at`, `size`.
  [[gnu::always_inline]] char* string(char* p, std::uint32_t& at, std::uint32_t& size) {
    char* start = p + 1;
    p = skip_plain(start);
    if (*p == '"') {  // the common case: no escape, control or non-ASCII byte
      at = offset(start);
      size = static_cast<std::uint32_t>(p - start);
      return p + 1;
    }
    return string_rest(p, start, at, size);
  }

  // The rest of a kept string that starts at `start` and has a byte at p that needs attention.
  // Escapes are decoded in place: the text up to `w` is the decoded string so far. A decoded
  // escape is never longer than its source (`\n` 2 bytes to 1, `\uXXXX` 6 to at most 3, a
  // surrogate pair 12 to 4), so `w` never passes p and only overwrites bytes already read.
  [[gnu::noinline]] char* string_rest(char* p, char* start, std::uint32_t& at, std::uint32_t& size) {
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
        if (w != p) std::memmove(w, p, n);
        w += n;
        p += n;
      } else if (const char plain = escape_of(p[1]); plain != 0) {  // c == '\\'
        *w++ = plain;
        p += 2;
      } else {
        unsigned cp;
        if (p[1] != 'u' || (p = unicode_escape(p + 2, cp)) == nullptr) return nullptr;
        w = put_utf8(w, cp);
      }
      char* run = p;
      p = skip_plain(p);
      if (w != run) std::memmove(w, run, static_cast<std::size_t>(p - run));
      w += p - run;
    }
  }

  // A string at p that is left out: checked as string() checks it, nothing written or kept.
  // last-applied-configuration is such a string, a whole object with an escape every few bytes:
  // one-byte escapes (`\"`) are stepped over within the 16 bytes looked at, without looking at
  // them again; anything else that needs attention is handled one at a time.
  [[gnu::always_inline]] static char* skip_string(char* p) {
    ++p;
    for (;;) {
      for (unsigned mask = special_bytes(p); mask != 0;) {
        const unsigned i = static_cast<unsigned>(__builtin_ctz(mask));
        char* const s = p + i;
        if (*s == '"') return s + 1;
        if (*s != '\\' || escape_of(s[1]) == 0 || i == 15) {  // the escaped byte is in the next 16
          p = skip_special(s);
          if (p == nullptr) return nullptr;
          goto next;
        }
        mask &= ~0u << (i + 2);  // the escape and its byte (which may be a '"' or '\\')
      }
      p += 16;
    next:;
    }
  }

  // One byte that needs attention in a string that is left out, at p: an escape, a UTF-8
  // sequence, or a control character (the end of the body among them); returns what follows.
  // Left to the compiler to inline: as a call, it made skip() keep the 16-byte constants of
  // special_bytes() on the stack and copy them there again for every key.
  static char* skip_special(char* p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '\\') {
      if (escape_of(p[1]) != 0) return p + 2;
      unsigned cp;
      return p[1] == 'u' ? unicode_escape(p + 2, cp) : nullptr;
    }
    if (c >= 0x80) {
      const std::size_t n = utf8_length(p);
      return n == 0 ? nullptr : p + n;
    }
    return nullptr;  // a control character, or the end of the body
  }

  // The code point of `\uXXXX` at p (just after the `u`), or of a surrogate pair
  // `\uD8XX\uDCXX`, into `cp`; returns the end, or nullptr for what nlohmann refuses (a lone
  // surrogate, a hex digit missing).
  static char* unicode_escape(char* p, unsigned& cp) {
    if (!hex4(p, cp)) return nullptr;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return nullptr;  // a low surrogate first
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned low;
      if (p[0] != '\\' || p[1] != 'u') return nullptr;
      p += 2;
      if (!hex4(p, low) || low < 0xDC00 || low > 0xDFFF) return nullptr;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    return p;
  }

  // A bit for each of the 16 bytes at p that needs attention in a string (bit i for p[i]): '"',
  // '\\', control characters and non-ASCII bytes. The padding makes the load safe whenever p is
  // at most the end of the body. SSE2 (every x86-64) looks at the 16 at once.
  static unsigned special_bytes(const char* p) {
#if defined(__SSE2__)
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // The mask takes each byte's sign bit. As signed bytes, control characters (0..0x1f) and
    // non-ASCII (0x80..0xff) are those below 0x20, which is where v - 0x20 (saturated, so it
    // cannot wrap) is negative: one instruction where a comparison needs three.
    const __m128i special = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_subs_epi8(v, _mm_set1_epi8(0x20)));
    return static_cast<unsigned>(_mm_movemask_epi8(special));
#else
    unsigned mask = 0;
    for (unsigned i = 0; i < 16; ++i) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) mask |= 1u << i;
    }
    return mask;
#endif
  }

  // Moves p past the bytes of a string that need no attention (see special_bytes()). Most of a
  // review is such bytes. No end test: the padding's '\0' stops it.
  static char* skip_plain(char* p) {
    for (;;) {
      if (const unsigned mask = special_bytes(p); mask != 0) return p + __builtin_ctz(mask);
      p += 16;
    }
  }

  char* const text_;
  char* const end_;
  const int max_depth_;
  const ChildPlace place_;
  std::vector<Node>& open_;     // slots of the kept values being read (see document())
  std::vector<Node>& nodes_;    // the document's nodes (see document())
  std::vector<Frame>& frames_;  // the open containers of kept values
  std::string& closes_;         // skip()'s stack of open containers
};

std::shared_ptr<const Document> Document::parse(std::string_view body, int max_depth,
                                                ChildPlace place, int root_place) {
  if (body.size() > std::numeric_limits<std::uint32_t>::max() - kPadding) return nullptr;  // offsets are 32-bit
  auto doc = std::make_shared<Document>();
  doc->text_.reserve(body.size() + kPadding);
  doc->text_.assign(body).append(kPadding, '\0');
  Parser parser(doc->text_.data(), body.size(), max_depth, place);
  if (!parser.document(root_place, doc->nodes_)) return nullptr;
  return doc;
}

}  // namespace preflight::json_view
