#pragma once
// AdmissionReview (admission.k8s.io/v1 and v1beta1): decoding a request body into an
// AdmissionRequest, and encoding an AdmissionResponse in the version it was asked in.
// Field names follow k8s.io/api/admission/v1/types.go.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "admission/review_document.h"  // kMaxJsonDepth
#include "util/json_view.h"
#include "util/result.h"

namespace preflight::admission {

inline constexpr std::string_view kV1 = "admission.k8s.io/v1";
inline constexpr std::string_view kV1beta1 = "admission.k8s.io/v1beta1";

struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;
};

struct AdmissionRequest {
  std::string api_version;  // the review's apiVersion, echoed in the response
  std::string uid;
  std::string kind;         // request.kind.kind (informational only)
  GroupVersionResource resource;
  std::string sub_resource;
  std::string name;
  std::string namespace_name;
  std::string operation;    // CREATE, UPDATE, DELETE, CONNECT
  std::string username;
  bool dry_run = false;
  // The objects come from one of two readers. nlohmann (decode_review_document, tests):
  nlohmann::json object;      // null when absent
  nlohmann::json old_object;  // null when absent
  // json_view (decode_review's fast path): set instead, and `document` holds what they view.
  std::shared_ptr<const json_view::Document> document;
  json_view::Value view_object;      // null when absent
  json_view::Value view_old_object;  // null when absent
};

// Decodes a request body. The error message is one line, safe to return with HTTP 400.
// Reads the body with json_view; what it refuses goes to decode_review_document, so the
// result is the same as that function's (tests/unit/admission/review_reader_test.cc).
Result<AdmissionRequest> decode_review(std::string_view body);
// The same through an nlohmann document (parse_review_document).
Result<AdmissionRequest> decode_review_document(std::string_view body);
// The fast path alone: nullopt when json_view refuses the body.
std::optional<Result<AdmissionRequest>> decode_review_view(std::string_view body);

// True when `body` nests arrays/objects deeper than `max_depth` (strings are skipped).
bool json_too_deep(std::string_view body, int max_depth);

struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  int code = 200;             // status.code when denied (403) or not inspectable (400)
  std::string reason;         // status.reason: "Forbidden", "BadRequest"
  std::string message;        // status.message
  std::vector<std::string> warnings;
};

// Serialises the AdmissionReview response envelope in `api_version`.
std::string encode_review(std::string_view api_version, const AdmissionResponse& response);

}  // namespace preflight::admission
