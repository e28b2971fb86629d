#include "admission/review_document.h"

#include <string>
#include <vector>

namespace preflight::admission {

using nlohmann::json;

std::optional<Place> place_of(Place parent, std::string_view key) {
  switch (parent) {
    case Place::kRoot:
      return key == "request" ? Place::kRequest : Place::kOther;
    case Place::kRequest:
      return key == "object" || key == "oldObject" ? Place::kObject : Place::kOther;
    case Place::kObject:
      if (key == "status") return std::nullopt;
      return key == "metadata" ? Place::kMetadata : Place::kOther;
    case Place::kMetadata:
      if (key == "managedFields") return std::nullopt;
      return key == "annotations" ? Place::kAnnotations : Place::kOther;
    case Place::kAnnotations:
      if (key == "kubectl.kubernetes.io/last-applied-configuration") return std::nullopt;
      return Place::kOther;
    case Place::kOther:
      return Place::kOther;
  }
  return Place::kOther;
}

namespace {

// An nlohmann SAX handler (the interface of nlohmann::json_sax) that builds the document like
// the library's own DOM parser, except for dropped members: their events only move the
// nesting counter `skipping_`, nothing is allocated for them.
class DocumentBuilder {
 public:
  json& document() { return root_; }

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(json::number_integer_t v) { return value(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return value(v); }
  bool string(json::string_t& v) { return value(std::move(v)); }
  bool binary(json::binary_t& v) { return value(std::move(v)); }

  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& k) {
    if (skipping_ > 0) return true;
    Open& top = open_.back();
    std::optional<Place> place = place_of(top.place, k);
    if (!place) {
      drop_next_ = true;
      return true;
    }
    next_place_ = *place;
    member_ = &(*top.value)[std::move(k)];
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  struct Open {
    json* value;
    Place place;
  };

  // Where the next value goes: the root, the end of an array or the member just keyed.
  json* slot() {
    if (open_.empty()) return &root_;
    json* parent = open_.back().value;
    return parent->is_array() ? &parent->emplace_back() : member_;
  }

  template <class T>
  bool value(T&& v) {
    if (skipping_ > 0) return true;
    if (drop_next_) {
      drop_next_ = false;
      return true;
    }
    *slot() = std::forward<T>(v);
    return true;
  }

  bool open(json::value_t type) {
    if (++depth_ > kMaxJsonDepth) return false;  // ends the parse
    if (skipping_ > 0 || drop_next_) {
      drop_next_ = false;
      ++skipping_;
      return true;
    }
    Place place = Place::kRoot;
    if (!open_.empty()) place = open_.back().value->is_array() ? Place::kOther : next_place_;
    json* target = slot();
    *target = json(type);
    open_.push_back({target, place});
    return true;
  }

  bool close() {
    --depth_;
    if (skipping_ > 0) {
      --skipping_;
      return true;
    }
    open_.pop_back();
    return true;
  }

  json root_;
  std::vector<Open> open_;
  json* member_ = nullptr;
  Place next_place_ = Place::kOther;
  bool drop_next_ = false;
  int skipping_ = 0;
  int depth_ = 0;  // open arrays and objects, dropped ones included
};

}  // namespace

std::optional<json> parse_review_document(std::string_view body) {
  DocumentBuilder builder;
  if (!json::sax_parse(body, &builder, json::input_format_t::json, /*strict=*/true)) {
    return std::nullopt;
  }
  return std::move(builder.document());
}

}  // namespace preflight::admission
