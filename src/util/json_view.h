#pragma once
// A read-only JSON document read in one pass, for the admission hot path: strings are views
// into (a copy of) the body, decoded only where they hold escapes; no std::map per object.
// Members chosen by a `ChildPlace` function are validated but never stored.
//
// It accepts a subset of what nlohmann accepts (RFC 8259, UTF-8, bounded nesting) and refuses
// the rest; callers fall back to nlohmann for anything refused, so their error messages stay
// those of nlohmann's path. A Value offers the queries workload_from_json makes of an
// nlohmann::json, with nlohmann's meaning (duplicate keys: the last one wins).

#include <cstddef>
#include <cstdint>
#include <forward_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight::json_view {

struct Node {
  enum class Type : std::uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  std::uint32_t first = 0;  // arrays and objects: index of the first child in the document
  std::uint32_t size = 0;   // arrays and objects: number of children
  std::string_view key;     // member name, when the parent is an object
  std::string_view text;    // string (decoded) or number literal
};

class Value {
 public:
  Value() = default;  // absent; is_null()
  Value(const Node* node, const Node* nodes) : node_(node), nodes_(nodes) {}

  bool is_null() const { return node_ == nullptr || node_->type == Node::Type::kNull; }
  bool is_object() const { return node_ != nullptr && node_->type == Node::Type::kObject; }
  bool is_array() const { return node_ != nullptr && node_->type == Node::Type::kArray; }
  bool is_string() const { return node_ != nullptr && node_->type == Node::Type::kString; }
  bool is_number() const { return node_ != nullptr && node_->type == Node::Type::kNumber; }
  bool is_boolean() const {
    return node_ != nullptr && (node_->type == Node::Type::kTrue || node_->type == Node::Type::kFalse);
  }
  std::string_view string() const { return node_->text; }
  bool boolean() const { return node_->type == Node::Type::kTrue; }
  // Arrays.
  std::size_t size() const { return node_->size; }
  Value operator[](std::size_t i) const { return {nodes_ + node_->first + i, nodes_}; }
  // Objects: the last member named `key`.
  std::optional<Value> find(std::string_view key) const;
  // Objects: f(key, value) for each member, skipping those a later member of the same name
  // replaces. Document order (nlohmann's is key order).
  template <class F>
  void for_each_member(F&& f) const {
    const Node* begin = nodes_ + node_->first;
    const Node* end = begin + node_->size;
    for (const Node* m = begin; m != end; ++m) {
      bool replaced = false;
      for (const Node* later = m + 1; later != end && !replaced; ++later) replaced = later->key == m->key;
      if (!replaced) f(m->key, Value(m, nodes_));
    }
  }
  // Numbers and booleans, as nlohmann's dump() writes them.
  std::string dump() const;

 private:
  const Node* node_ = nullptr;
  const Node* nodes_ = nullptr;
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
  Value root() const { return {&nodes_.back(), nodes_.data()}; }

 private:
  friend class Parser;
  std::string body_;
  std::vector<Node> nodes_;          // children before their parent; the root last
  std::forward_list<std::string> decoded_;  // strings that held escapes (no allocation when none)
};

}  // namespace preflight::json_view
