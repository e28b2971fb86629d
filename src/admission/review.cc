#include "admission/review.h"

#include "admission/review_document.h"
#include "util/json_ref.h"
#include "util/json_string.h"

namespace preflight::admission {

using nlohmann::json;

bool json_too_deep(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{':
      case '[':
        if (++depth > max_depth) return true;
        break;
      case '}':
      case ']': --depth; break;
      default: break;
    }
  }
  return false;
}

namespace {

template <class V>
std::string string_field(const V& obj, std::string_view key) {
  auto it = obj.find(key);
  if (!it || !it->is_string()) return {};
  return std::string(it->string());
}

// The request's fields, read the same way from either reader's document (V: JsonRef or
// json_view::Value). `attach(request, req)` takes request.object and request.oldObject.
template <class V, class Attach>
Result<AdmissionRequest> read_request(const V& doc, Attach attach) {
  if (!doc.is_object()) return make_error("request body is not a JSON object");

  AdmissionRequest req;
  req.api_version = string_field(doc, "apiVersion");
  if (req.api_version != kV1 && req.api_version != kV1beta1) {
    return make_error("unsupported apiVersion \"" + req.api_version.substr(0, 64) +
                      "\"; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1");
  }
  if (string_field(doc, "kind") != "AdmissionReview") {
    return make_error("kind is not AdmissionReview");
  }
  auto r = doc.find("request");
  if (!r || !r->is_object()) return make_error("AdmissionReview has no request");
  const V& request = *r;

  req.uid = string_field(request, "uid");
  if (req.uid.empty()) return make_error("request.uid is missing");
  req.operation = string_field(request, "operation");
  if (req.operation != "CREATE" && req.operation != "UPDATE" && req.operation != "DELETE" &&
      req.operation != "CONNECT") {
    return make_error("request.operation must be CREATE, UPDATE, DELETE or CONNECT");
  }
  auto res = request.find("resource");
  if (!res || !res->is_object()) {
    return make_error("request.resource is missing");
  }
  req.resource.group = string_field(*res, "group");
  req.resource.version = string_field(*res, "version");
  req.resource.resource = string_field(*res, "resource");
  if (req.resource.resource.empty()) return make_error("request.resource.resource is missing");
  if (auto k = request.find("kind"); k && k->is_object()) {
    req.kind = string_field(*k, "kind");
  }
  req.sub_resource = string_field(request, "subResource");
  req.name = string_field(request, "name");
  req.namespace_name = string_field(request, "namespace");
  if (auto u = request.find("userInfo"); u && u->is_object()) {
    req.username = string_field(*u, "username");
  }
  if (auto d = request.find("dryRun"); d && d->is_boolean()) {
    req.dry_run = d->boolean();
  }
  attach(request, req);
  return req;
}

std::optional<int> view_place(int parent, std::string_view key) {
  std::optional<Place> place = place_of(static_cast<Place>(parent), key);
  if (!place) return std::nullopt;
  return static_cast<int>(*place);
}

}  // namespace

namespace {

// The fast path in two steps, so that decode_review returns the request it reads without
// moving it into an optional and out again.
std::shared_ptr<const json_view::Document> parse_view(std::string_view body) {
  static_assert(static_cast<int>(Place::kOther) == 0,
                "json_view puts array elements, and all members below kOther, at 0");
  return json_view::Document::parse(body, kMaxJsonDepth, &view_place, static_cast<int>(Place::kRoot));
}

Result<AdmissionRequest> read_view(std::shared_ptr<const json_view::Document> doc) {
  return read_request(doc->root(), [&](const json_view::Value& request, AdmissionRequest& req) {
    req.view_object = request.find("object").value_or(json_view::Value());
    req.view_old_object = request.find("oldObject").value_or(json_view::Value());
    req.document = std::move(doc);
  });
}

}  // namespace

std::optional<Result<AdmissionRequest>> decode_review_view(std::string_view body) {
  std::shared_ptr<const json_view::Document> doc = parse_view(body);
  if (doc == nullptr) return std::nullopt;
  return read_view(std::move(doc));
}

Result<AdmissionRequest> decode_review_document(std::string_view body) {
  if (body.empty()) return make_error("empty request body; expected an AdmissionReview");
  // Without managedFields, last-applied-configuration and status (review_document.h).
  std::optional<json> parsed = parse_review_document(body);
  if (!parsed) {
    // The parser also stops at kMaxJsonDepth; the body is scanned only here, to say which.
    if (json_too_deep(body, kMaxJsonDepth)) {
      return make_error("JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    return make_error("request body is not valid JSON");
  }
  json& doc = *parsed;
  return read_request(JsonRef(doc), [&](const JsonRef&, AdmissionRequest& req) {
    // Move, not copy: the objects are the bulk of the body.
    json& request = doc["request"];
    if (auto o = request.find("object"); o != request.end()) req.object = std::move(*o);
    if (auto o = request.find("oldObject"); o != request.end()) req.old_object = std::move(*o);
  });
}

Result<AdmissionRequest> decode_review(std::string_view body) {
  if (std::shared_ptr<const json_view::Document> doc = parse_view(body)) return read_view(std::move(doc));
  return decode_review_document(body);
}

// Written directly rather than through a json document: this runs for every review. The
// members come in the order nlohmann would sort them, so the bytes are those of doc.dump().
std::string encode_review(std::string_view api_version, const AdmissionResponse& response) {
  std::string out;
  out.reserve(160 + response.message.size());
  out.append("{\"apiVersion\":");
  append_json_string(out, api_version);
  out.append(",\"kind\":\"AdmissionReview\",\"response\":{\"allowed\":");
  out.append(response.allowed ? "true" : "false");
  if (!response.allowed) {
    out.append(",\"status\":{\"code\":").append(std::to_string(response.code));
    out.append(",\"message\":");
    append_json_string(out, response.message);
    out.append(",\"metadata\":{},\"reason\":");
    append_json_string(out, response.reason);
    out.append(",\"status\":\"Failure\"}");
  }
  out.append(",\"uid\":");
  append_json_string(out, response.uid);
  if (!response.warnings.empty()) {
    out.append(",\"warnings\":[");
    for (std::size_t i = 0; i < response.warnings.size(); ++i) {
      if (i > 0) out.push_back(',');
      append_json_string(out, response.warnings[i]);
    }
    out.push_back(']');
  }
  out.append("}}");
  return out;
}

}  // namespace preflight::admission
