#pragma once
// A read-only JSON document read in one pass, for the admission hot path: strings are views
// into a copy of the body (those that held escapes decoded in place); no std::map per object.
// Members chosen by a `ChildPlace` function are validated but never stored.
//
// It accepts a subset of what nlohmann accepts (RFC 8259, UTF-8, bounded nesting) and refuses
// the rest; callers fall back to nlohmann for anything refused, so their error messages stay
// those of nlohmann's path. A Value offers the queries workload_from_json makes of an
// nlohmann::json, with nlohmann's meaning (duplicate keys: the last one wins).
//
// Lifetime: the text of every string and number (Value::string(), member names) is a view into
// the Document's own copy of the body, never into the caller's body, and stays valid exactly as
// long as the Document does: callers may keep such views (rather than copies) in anything that
// also holds the Document (AdmissionRequest::document is a shared_ptr to it). Values themselves
// are pointers into the Document and live as long.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace preflight::json_view {

// 20 bytes: strings are offsets into the document's text (a body is far below 4 GiB: parse
// refuses larger ones), so a node copies cheaply while the parser moves it into place. No member
// initializers: a trivial type is copied in blocks (memmove), not one node at a time; the parser
// writes every field of each node it makes.
struct Node {
  enum class Type : std::uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };
  std::uint32_t key;       // member name, when the parent is an object: offset in the text
  std::uint32_t key_size;
  std::uint32_t at;        // string (decoded) or number literal: offset in the text;
                           // arrays and objects: index of the first child in the document
  std::uint32_t size;      // bytes of the text; arrays and objects: number of children
  Type type;
};

static_assert(sizeof(Node) == 20 && std::is_trivial_v<Node>);

class Document;

class Value {
 public:
  Value() = default;  // absent; is_null()
  Value(const Node* node, const Document* doc) : node_(node), doc_(doc) {}

  bool is_null() const { return node_ == nullptr || node_->type == Node::Type::kNull; }
  bool is_object() const { return node_ != nullptr && node_->type == Node::Type::kObject; }
  bool is_array() const { return node_ != nullptr && node_->type == Node::Type::kArray; }
  bool is_string() const { return node_ != nullptr && node_->type == Node::Type::kString; }
  bool is_number() const { return node_ != nullptr && node_->type == Node::Type::kNumber; }
  bool is_boolean() const {
    return node_ != nullptr && (node_->type == Node::Type::kTrue || node_->type == Node::Type::kFalse);
  }
  // Strings: the decoded text; numbers: the literal as written. A view into the Document.
  std::string_view string() const;
  bool boolean() const { return node_->type == Node::Type::kTrue; }
  // Arrays.
  std::size_t size() const { return node_->size; }
  Value operator[](std::size_t i) const;
  // Objects: the last member named `key`.
  std::optional<Value> find(std::string_view key) const;
  // Objects: f(key, value) for each member, skipping those a later member of the same name
  // replaces. Document order (nlohmann's is key order).
  template <class F>
  void for_each_member(F&& f) const;
  // Numbers and booleans, as nlohmann's dump() writes them.
  std::string dump() const;

 private:
  const Node* node_ = nullptr;
  const Document* doc_ = nullptr;
};

// The place of the value of member `key` of a container at place `parent`, or nullopt to leave
// the member out. Elements of arrays are at place 0, and so are all members of a container at
// place 0 (the function is not asked).
using ChildPlace = std::optional<int> (*)(int parent, std::string_view key);

class Document {
 public:
  // nullptr when the reader refuses `body` (see above) or it nests deeper than `max_depth`.
  static std::shared_ptr<const Document> parse(std::string_view body, int max_depth,
                                               ChildPlace place, int root_place);
  Value root() const { return {&nodes_.back(), this}; }

 private:
  friend class Parser;
  friend class Value;
  std::string_view text(std::uint32_t at, std::uint32_t size) const { return {text_.data() + at, size}; }
  std::string_view key(const Node& n) const { return text(n.key, n.key_size); }
  // Equal to `k`: the size, then the first byte, then the rest (most keys differ in the first
  // two, and memcmp is a call).
  bool key_is(const Node& n, std::string_view k) const {
    if (n.key_size != k.size()) return false;
    const char* s = text_.data() + n.key;
    return k.empty() || (s[0] == k[0] && std::char_traits<char>::compare(s + 1, k.data() + 1, k.size() - 1) == 0);
  }

  // A copy of the body followed by kPadding '\0' bytes (see Parser), where the strings that held
  // escapes are decoded in place.
  std::string text_;
  std::vector<Node> nodes_;  // children before their parent, each container's children together;
                             // the root last
};

inline std::string_view Value::string() const { return doc_->text(node_->at, node_->size); }

inline Value Value::operator[](std::size_t i) const { return {doc_->nodes_.data() + node_->at + i, doc_}; }

template <class F>
void Value::for_each_member(F&& f) const {
  const Node* begin = doc_->nodes_.data() + node_->at;
  const Node* end = begin + node_->size;
  for (const Node* m = begin; m != end; ++m) {
    const std::string_view key = doc_->key(*m);
    bool replaced = false;
    for (const Node* later = m + 1; later != end && !replaced; ++later) replaced = doc_->key_is(*later, key);
    if (!replaced) f(key, Value(m, doc_));
  }
}

}  // namespace preflight::json_view
