#pragma once
// The field path of the part of an object a reader is at ("spec.template.spec.containers[0]"),
// grown as it descends and cut back as it returns. It is kept as a stack of names and
// indices and written out only when asked (str(), child()): readers ask only for a message
// about a wrong field, so the fields that are right cost a push and a pop each.
//
//   FieldPath path("spec");
//   {
//     FieldPath::Scope in = path.enter("containers");  // "spec.containers"
//     FieldPath::Scope at = path.enter(0);             // "spec.containers[0]"
//     path.child("image");                             // "spec.containers[0].image" (a copy)
//   }                                                  // "spec" again
//
// A Scope must end before any scope entered earlier on the same path (it is a stack). The
// names are not copied: each must outlive its Scope.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace preflight {

class FieldPath {
 public:
  // Extends the path until it is destroyed.
  class [[nodiscard]] Scope {
   public:
    ~Scope() { path_.steps_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    friend class FieldPath;
    explicit Scope(FieldPath& path) : path_(path) {}
    FieldPath& path_;
  };

  explicit FieldPath(std::string_view root = {}) : root_(root) { steps_.reserve(16); }

  // Appends ".field" ("field" at the root).
  Scope enter(std::string_view field) {
    steps_.push_back({field, 0, false});
    return Scope(*this);
  }
  // Appends "[index]".
  Scope enter(std::size_t index) {
    steps_.push_back({{}, index, true});
    return Scope(*this);
  }

  std::string str() const {
    std::string out(root_);
    for (const Step& s : steps_) {
      if (s.is_index) {
        char digits[24];
        const char* end = std::to_chars(digits, digits + sizeof digits, s.index).ptr;
        out.push_back('[');
        out.append(digits, static_cast<std::size_t>(end - digits)).push_back(']');
      } else {
        append_field(out, s.field);
      }
    }
    return out;
  }
  // The path of a field below the current one, as a new string.
  std::string child(std::string_view field) const {
    std::string out = str();
    append_field(out, field);
    return out;
  }

 private:
  struct Step {
    std::string_view field;  // when !is_index
    std::size_t index;       // when is_index
    bool is_index;
  };

  static void append_field(std::string& to, std::string_view field) {
    if (!to.empty()) to.push_back('.');
    to.append(field);
  }

  std::string_view root_;
  std::vector<Step> steps_;
};

// Where a part of a Workload sits in its object, kept as a few names and indices: the text
// ("spec.template.spec.containers[0].env[2]") is written only when a finding names it, not
// for every container, env var and volume of every review. The shape is
//
//   root[.list[index][.sub[sub_index]]][.leaf]
//
//   PartPath c = PartPath("spec.template.spec").at("containers", 0);
//   c.at("env", 2).str();                           // "spec.template.spec.containers[0].env[2]"
//   c.at("envFrom", 0).field("configMapRef").str();  // "...containers[0].envFrom[0].configMapRef"
//
// The names are not copied: they must outlive the PartPath (string literals, the static
// names of the readers, the pod spec paths of workload.cc).
class PartPath {
 public:
  PartPath() = default;
  explicit PartPath(std::string_view root) : root_(root) {}

  // This path with "[index]" of the member `field` below it (at most two levels).
  PartPath at(std::string_view field, std::size_t index) const {
    PartPath p = *this;
    if (p.list_.empty()) {
      p.list_ = field;
      p.index_ = static_cast<std::uint32_t>(index);
    } else {
      p.sub_ = field;
      p.sub_index_ = static_cast<std::uint32_t>(index);
    }
    return p;
  }
  // This path with the member `field` below it (the last step).
  PartPath field(std::string_view field) const {
    PartPath p = *this;
    p.leaf_ = field;
    return p;
  }

  std::string str() const {
    std::string out;
    append_to(out);
    return out;
  }
  void append_to(std::string& out) const {
    out.append(root_);
    if (!list_.empty()) append_item(out, list_, index_);
    if (!sub_.empty()) append_item(out, sub_, sub_index_);
    if (!leaf_.empty()) out.append(".").append(leaf_);
  }

 private:
  static void append_item(std::string& out, std::string_view field, std::uint32_t index) {
    char digits[16];
    const char* end = std::to_chars(digits, digits + sizeof digits, index).ptr;
    out.append(".").append(field).append("[");
    out.append(digits, static_cast<std::size_t>(end - digits)).append("]");
  }

  std::string_view root_;   // the pod spec's path
  std::string_view list_;   // "containers", "volumes", ...; empty: the root itself
  std::string_view sub_;    // "env", "envFrom", "projected.sources"; empty: none
  std::string_view leaf_;   // "secretRef", "configMap", ...; empty: none
  std::uint32_t index_ = 0;
  std::uint32_t sub_index_ = 0;
};

}  // namespace preflight
