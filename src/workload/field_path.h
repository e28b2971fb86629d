#pragma once
// The field path of the part of an object a reader is at ("spec.template.spec.containers[0]"),
// grown as it descends and cut back as it returns. One buffer serves a whole object, so a
// path costs a copy only where one is kept (Container::path ...) and a message only where a
// field is wrong: readers do not build a string per field they look at.
//
//   FieldPath path("spec");
//   {
//     FieldPath::Scope in = path.enter("containers");  // "spec.containers"
//     FieldPath::Scope at = path.enter(0);             // "spec.containers[0]"
//     path.child("image");                             // "spec.containers[0].image" (a copy)
//   }                                                  // "spec" again
//
// A Scope must end before any scope entered earlier on the same path (it is a stack).

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

namespace preflight {

class FieldPath {
 public:
  // Extends the path until it is destroyed.
  class [[nodiscard]] Scope {
   public:
    ~Scope() { path_.path_.resize(size_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    friend class FieldPath;
    Scope(FieldPath& path, std::size_t size) : path_(path), size_(size) {}
    FieldPath& path_;
    std::size_t size_;
  };

  explicit FieldPath(std::string_view root = {}) : path_(root) { path_.reserve(128); }

  // Appends ".field" ("field" at the root).
  Scope enter(std::string_view field) {
    const std::size_t size = path_.size();
    append_field(path_, field);
    return Scope(*this, size);
  }
  // Appends "[index]".
  Scope enter(std::size_t index) {
    const std::size_t size = path_.size();
    char digits[24];
    const char* end = std::to_chars(digits, digits + sizeof digits, index).ptr;
    path_.push_back('[');
    path_.append(digits, static_cast<std::size_t>(end - digits)).push_back(']');
    return Scope(*this, size);
  }

  const std::string& str() const { return path_; }
  // The path of a field below the current one, as a new string.
  std::string child(std::string_view field) const {
    std::string out;
    out.reserve(path_.size() + 1 + field.size());
    out.append(path_);
    append_field(out, field);
    return out;
  }

 private:
  static void append_field(std::string& to, std::string_view field) {
    if (!to.empty()) to.push_back('.');
    to.append(field);
  }

  std::string path_;
};

}  // namespace preflight
