#include "admission/review.h"

#include "admission/review_document.h"

#include <gtest/gtest.h>

namespace preflight::admission {
namespace {

using nlohmann::json;

json review(json request, std::string api_version = "admission.k8s.io/v1") {
  return {{"apiVersion", api_version}, {"kind", "AdmissionReview"}, {"request", std::move(request)}};
}

json good_request() {
  return {{"uid", "u-1"},
          {"kind", {{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}}},
          {"resource", {{"group", "apps"}, {"version", "v1"}, {"resource", "deployments"}}},
          {"name", "web"},
          {"namespace", "prod"},
          {"operation", "CREATE"},
          {"userInfo", {{"username", "alice"}}},
          {"dryRun", true},
          {"object", {{"kind", "Deployment"}}}};
}

TEST(ReviewTest, DecodesV1AndV1beta1) {
  for (std::string v : {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"}) {
    auto r = decode_review_document(review(good_request(), v).dump());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->api_version, v);
    EXPECT_EQ(r->uid, "u-1");
    EXPECT_EQ(r->resource.group, "apps");
    EXPECT_EQ(r->resource.resource, "deployments");
    EXPECT_EQ(r->namespace_name, "prod");
    EXPECT_EQ(r->username, "alice");
    EXPECT_TRUE(r->dry_run);
    EXPECT_EQ(r->object["kind"], "Deployment");
    EXPECT_TRUE(r->old_object.is_null());
  }
}

TEST(ReviewTest, RejectsBadInputWithOneLineMessages) {
  json no_uid = good_request();
  no_uid.erase("uid");
  json bad_op = good_request();
  bad_op["operation"] = "PATCH";
  json no_resource = good_request();
  no_resource.erase("resource");
  struct Case {
    std::string body;
    std::string error;
  };
  std::vector<Case> cases = {
      {"", "empty request body; expected an AdmissionReview"},
      {"not json", "request body is not valid JSON"},
      {"[1,2]", "request body is not a JSON object"},
      {R"({"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview"})",
       "unsupported apiVersion \"admission.k8s.io/v2\"; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod"})", "kind is not AdmissionReview"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "AdmissionReview has no request"},
      {review(no_uid).dump(), "request.uid is missing"},
      {review(bad_op).dump(), "request.operation must be CREATE, UPDATE, DELETE or CONNECT"},
      {review(no_resource).dump(), "request.resource is missing"},
      {std::string(10000, '[') + std::string(10000, ']'), "JSON nests deeper than 128 levels"},
  };
  for (const Case& c : cases) {
    auto r = decode_review(c.body);
    ASSERT_FALSE(r.ok()) << c.body.substr(0, 80);
    EXPECT_EQ(r.error(), c.error);
    EXPECT_EQ(r.error().find('\n'), std::string::npos);
  }
}

TEST(ReviewTest, DepthScanIgnoresBracketsInStrings) {
  std::string deep_in_string = R"({"a":")" + std::string(500, '[') + R"("})";
  EXPECT_FALSE(json_too_deep(deep_in_string, 4));
  EXPECT_FALSE(json_too_deep(R"({"a":"\"[[[[[["})", 2));
  EXPECT_TRUE(json_too_deep("[[[[[]]]]]", 4));
  EXPECT_FALSE(json_too_deep("[[[[]]]]", 4));
}

// The parser itself enforces the depth limit, in dropped members too.
TEST(ReviewTest, ParserStopsAtMaxDepth) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(parse_review_document(nested(kMaxJsonDepth)).has_value());
  EXPECT_FALSE(parse_review_document(nested(kMaxJsonDepth + 1)).has_value());
  const std::string dropped = R"({"request":{"object":{"metadata":{"managedFields":)" +
                              nested(kMaxJsonDepth) + "}}}}";
  EXPECT_FALSE(parse_review_document(dropped).has_value());
  auto r = decode_review(dropped);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "JSON nests deeper than 128 levels");
  // Not valid JSON and not too deep: the usual message.
  EXPECT_EQ(decode_review(nested(3).substr(1)).error(), "request body is not valid JSON");
}

// managedFields, last-applied-configuration and status are parsed but not kept, in object
// and oldObject only; look-alike names elsewhere are kept.
TEST(ReviewTest, DropsMembersNoCheckReads) {
  const std::string applied = "kubectl.kubernetes.io/last-applied-configuration";
  json object = {
      {"kind", "Deployment"},
      {"metadata",
       {{"name", "web"},
        {"labels", {{"managedFields", "label-kept"}}},
        {"annotations", {{applied, "{\"big\":1}"}, {"team", "ml"}}},
        {"managedFields", json::array({{{"manager", "kubectl"}, {"fieldsV1", {{"f:spec", {}}}}}})}}},
      {"spec", {{"status", "spec-kept"}, {"template", {{"metadata", {{"managedFields", 1}}}}}}},
      {"data", {{"status", "data-kept"}, {applied, "data-kept"}}},
      {"status", {{"replicas", 3}}}};
  json request = good_request();
  request["operation"] = "UPDATE";
  request["object"] = object;
  request["oldObject"] = object;
  request["status"] = "request-kept";
  request["options"] = {{"metadata", {{"managedFields", "options-kept"}}}};
  auto r = decode_review_document(review(request).dump());
  ASSERT_TRUE(r.ok()) << r.error();
  for (const json* o : {&r->object, &r->old_object}) {
    EXPECT_FALSE(o->contains("status"));
    EXPECT_FALSE((*o)["metadata"].contains("managedFields"));
    EXPECT_FALSE((*o)["metadata"]["annotations"].contains(applied));
    EXPECT_EQ((*o)["metadata"]["annotations"]["team"], "ml");
    EXPECT_EQ((*o)["metadata"]["name"], "web");
    EXPECT_EQ((*o)["metadata"]["labels"]["managedFields"], "label-kept");
    EXPECT_EQ((*o)["spec"]["status"], "spec-kept");
    EXPECT_EQ((*o)["spec"]["template"]["metadata"]["managedFields"], 1);
    EXPECT_EQ((*o)["data"]["status"], "data-kept");
    EXPECT_EQ((*o)["data"][applied], "data-kept");
  }

  // An object in an array is not request.object: nothing in it is dropped.
  request["object"] = json::array({{{"metadata", {{"managedFields", 1}}}, {"status", 2}}});
  request["oldObject"] = object;
  r = decode_review_document(review(request).dump());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->object[0]["metadata"]["managedFields"], 1);
  EXPECT_EQ(r->object[0]["status"], 2);
}

// Apart from the dropped members the document is what json::parse builds.
TEST(ReviewTest, DocumentEqualsTheLibraryParse) {
  const std::vector<std::string> bodies = {
      R"({"a":[1,-2,3.5,18446744073709551615,true,false,null,"s\u00e9\n"],"b":{}})",
      R"([[],[[{"x":[{}]}]],{"y":{"z":[1,{"w":2}]}}])",
      R"({"request":{"object":[{"status":1,"metadata":{"managedFields":2}}],"x":{"status":3}}})",
      R"({"dup":1,"dup":2})",
      R"("just a string")",
      R"(  42  )",
  };
  for (const std::string& body : bodies) {
    std::optional<json> doc = parse_review_document(body);
    ASSERT_TRUE(doc.has_value()) << body;
    EXPECT_EQ(*doc, json::parse(body)) << body;
  }
  for (std::string bad : {"", "{", R"({"a":1,})", R"({"a":1} x)", "[1,]", R"({"a":"\x"})"}) {
    EXPECT_FALSE(parse_review_document(bad).has_value()) << bad;
  }
}

TEST(ReviewTest, DroppedMembersMustStillBeValidJson) {
  json request = good_request();
  request["object"] = {{"kind", "Deployment"}, {"metadata", {{"managedFields", "PLACEHOLDER"}}}};
  std::string body = review(request).dump();
  body.replace(body.find("\"PLACEHOLDER\""), 13, "[{\"manager\": tru}]");
  auto r = decode_review(body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "request body is not valid JSON");
}

TEST(ReviewTest, EncodesAllowAndDenyInTheRequestVersion) {
  AdmissionResponse allow{.uid = "u-1", .allowed = true, .warnings = {"careful"}};
  json a = json::parse(encode_review(kV1beta1, allow));
  EXPECT_EQ(a["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(a["kind"], "AdmissionReview");
  EXPECT_EQ(a["response"]["uid"], "u-1");
  EXPECT_EQ(a["response"]["allowed"], true);
  EXPECT_FALSE(a["response"].contains("status"));
  EXPECT_EQ(a["response"]["warnings"], json::array({"careful"}));

  AdmissionResponse deny{.uid = "u-2", .allowed = false, .code = 403, .reason = "Forbidden",
                         .message = "no\nway"};
  json d = json::parse(encode_review(kV1, deny));
  EXPECT_EQ(d["response"]["allowed"], false);
  EXPECT_EQ(d["response"]["status"]["code"], 403);
  EXPECT_EQ(d["response"]["status"]["reason"], "Forbidden");
  EXPECT_EQ(d["response"]["status"]["status"], "Failure");
  EXPECT_EQ(d["response"]["status"]["message"], "no\nway");
  EXPECT_FALSE(d["response"].contains("warnings"));
  EXPECT_FALSE(d["response"].contains("patch"));
}

// encode_review writes the bytes directly; they must be those of the json document it used to
// build, for every kind of string (plain, escaped, control characters, invalid UTF-8).
TEST(ReviewTest, EncodingMatchesTheDocumentDump) {
  const auto reference = [](std::string_view api_version, const AdmissionResponse& r) {
    json resp = {{"uid", r.uid}, {"allowed", r.allowed}};
    if (!r.allowed) {
      resp["status"] = {{"metadata", json::object()}, {"status", "Failure"}, {"code", r.code},
                        {"reason", r.reason},         {"message", r.message}};
    }
    if (!r.warnings.empty()) resp["warnings"] = r.warnings;
    json doc = {{"apiVersion", api_version}, {"kind", "AdmissionReview"}, {"response", resp}};
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  const std::vector<AdmissionResponse> cases = {
      {.uid = "705ab4f5-6393-11e8-b7cc-42010a800002"},
      {.uid = "u", .warnings = {"[cuda-compat] container \"server\" needs CUDA 12.4", "two"}},
      {.uid = "u\"q", .allowed = false, .code = 403, .reason = "Forbidden",
       .message = "preflight rejected Deployment prod/web: 1 problem\n[secret-ref] tab\there \\ end"},
      {.uid = "u", .allowed = false, .code = 400, .reason = "BadRequest",
       .message = std::string("ctl \x01 del \x7f bad \xff\xfe utf8 caf\xc3\xa9"),
       .warnings = {std::string("\xe2\x82")}},
      {.uid = "", .allowed = true},
  };
  for (const AdmissionResponse& r : cases) {
    for (std::string_view v : {kV1, kV1beta1}) {
      EXPECT_EQ(encode_review(v, r), reference(v, r)) << r.message;
    }
  }
}

TEST(ReviewTest, EncodingSurvivesInvalidUtf8) {
  AdmissionResponse deny{.uid = "u", .allowed = false, .code = 403, .reason = "Forbidden",
                         .message = std::string("bad \xff\xfe byte")};
  EXPECT_NO_THROW({ EXPECT_TRUE(json::parse(encode_review(kV1, deny)).is_object()); });
}

}  // namespace
}  // namespace preflight::admission
