#pragma once
// Parses an AdmissionReview body into a json document, leaving out the members of
// request.object and request.oldObject that no check reads and that make up most of a large
// review:
//   metadata.managedFields     server-side field ownership, often half of the object
//   metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]
//                              the whole object again, as one string (client-side apply)
//   status                     what the controllers observed
// They are still parsed, so a body that is not valid JSON is refused whatever part is wrong;
// they are only never built into the document. Members of the same name anywhere else (a
// ConfigMap key "status", a label "managedFields") are kept.
//
// Nesting is bounded while parsing: arrays and objects deeper than kMaxJsonDepth end the parse.

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace preflight::admission {

// Real pod templates nest ~25 levels.
inline constexpr int kMaxJsonDepth = 128;

// nullopt when `body` is not one valid JSON value (with nothing but whitespace after it), or
// nests deeper than kMaxJsonDepth.
std::optional<nlohmann::json> parse_review_document(std::string_view body);

// Where a container sits, as far as leaving members out is concerned.
enum class Place { kOther, kRoot, kRequest, kObject, kMetadata, kAnnotations };

// The place of the value of member `key` in a container at `parent`; nullopt: leave it out.
// Shared by parse_review_document and the fast reader of decode_review (json_view).
std::optional<Place> place_of(Place parent, std::string_view key);

}  // namespace preflight::admission
