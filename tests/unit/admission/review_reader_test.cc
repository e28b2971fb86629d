// decode_review's fast reader (json_view) against the nlohmann document path: the same request,
// Workloads and decision for every body the fast reader accepts; what it refuses goes to the
// document path (decode_review), so error answers stay that path's.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "review_diff.h"

namespace preflight::admission {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Both readers agree on `body`; returns whether the fast reader accepted it.
bool same(std::string_view body) {
  static const policy::Policy policy = policy::default_policy();
  const checks::CheckContext ctx{policy, nullptr};
  std::optional<Result<AdmissionRequest>> fast = decode_review_view(body);
  std::string want = testing::describe_review(decode_review_document(body), ctx);
  EXPECT_EQ(testing::describe_review(decode_review(body), ctx), want) << body;
  if (!fast) return false;
  EXPECT_EQ(testing::describe_review(*fast, ctx), want) << body;
  return true;
}

std::string wrap(std::string_view object, std::string_view op = "CREATE",
                 std::string_view resource = R"({"group":"apps","version":"v1","resource":"deployments"})") {
  return std::string(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":")") +
         std::string(op) + R"(","resource":)" + std::string(resource) +
         R"(,"namespace":"prod","name":"web","userInfo":{"username":"alice"},"object":)" +
         std::string(object) + R"(,"oldObject":)" + std::string(object) + "}}";
}

TEST(ReviewReaderTest, FixturesDecodeTheSame) {
  int files = 0;
  for (const char* dir : {PREFLIGHT_TEST_DATA_DIR "/reviews", PREFLIGHT_TEST_DATA_DIR "/../../bench/reviews",
                          PREFLIGHT_TEST_DATA_DIR "/../fuzz/corpus/admission_review"}) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".py") continue;
      std::string body = read(e.path());
      if (body.find("\"AdmissionReview\"") == std::string::npos) continue;
      ++files;
      EXPECT_TRUE(same(body)) << e.path() << " should take the fast path";
      EXPECT_TRUE(same(wrap(body))) << e.path();  // not a workload: decided the same
    }
  }
  EXPECT_GT(files, 5);
}

TEST(ReviewReaderTest, EdgeCasesDecodeTheSame) {
  const std::string spec =
      R"({"template":{"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"K","value":"v"}]}]}}})";
  const char* objects[] = {
      R"({"kind":"Deployment","metadata":{"name":"a\u0000b","labels":{"e":"\uD83D\uDE00 \"q\" \\ \/ \b\f\n\r\t é"}},"spec":SPEC})",
      R"({"metadata":{"labels":{"a":"1","a":"2","b":null,"c":3,"d":true,"e":-0,"f":1.5e3,"g":12345678901234567890,"h":-9223372036854775809}},"spec":SPEC})",
      R"({"metadata":{"labels":{"z":{},"b":[],"a":"x"}},"spec":SPEC})",
      R"({"metadata":{"labels":{"b":{},"b":"fine"}},"spec":SPEC})",
      R"({"metadata":null,"spec":null})",
      R"({"metadata":[],"spec":SPEC})",
      R"({"spec":{"template":{"spec":{"containers":[1,{"name":2}]}}}})",
      R"({"spec":{"template":{"spec":{"containers":[{"env":[{"valueFrom":{"fieldRef":null}}],"envFrom":[{"secretRef":{"name":"s"},"configMapRef":{"name":"c","optional":"yes"}}]}]}}}})",
      R"({"kind":"Pod","spec":SPEC})",
      R"({"kind":"","status":{"x":[1,2]},"metadata":{"managedFields":[{}],"annotations":{"kubectl.kubernetes.io/last-applied-configuration":{"not":"a string"},"k":"v"}},"spec":SPEC})",
      R"({"spec":{"template":{"spec":{"volumes":[{"name":"v","secret":{"secretName":"s","items":[{"key":"k"},3]}},{"projected":{"sources":[{"configMap":{"name":"c"}},null]}}],"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"k","operator":"In","values":["a",1]}]}]}}}}}}})",
      R"("a string")",
      R"(null)",
      R"([{"metadata":{"managedFields":1},"status":2}])",
  };
  for (const char* o : objects) {
    std::string object = o;
    if (auto at = object.find("SPEC"); at != std::string::npos) object.replace(at, 4, spec);
    EXPECT_TRUE(same(wrap(object))) << object;
    EXPECT_TRUE(same(wrap(object, "UPDATE"))) << object;
    EXPECT_TRUE(same(wrap(object, "CREATE", R"({"group":"","version":"v1","resource":"pods"})")));
    EXPECT_TRUE(same(wrap(object, "CREATE", R"({"group":"","version":"v1","resource":"configmaps"})")));
    EXPECT_TRUE(same(wrap(object, "CREATE", R"({"group":"batch","version":"v1","resource":"cronjobs"})")));
  }
}

// Members left out (status, managedFields, last-applied-configuration) are walked by another
// routine than kept ones: it must refuse and accept the same.
TEST(ReviewReaderTest, LeftOutMembersAreValidatedTheSame) {
  const char* refused[] = {
      R"({"a":01})", "[1,]", R"({"a":1,})", "{,}", R"({"a" 1})", "[1 2]", R"({"a":"\x"})",
      R"("\uDE00")", "tru", "{]", "[}", R"({"a":1])", R"([{"a":1}})", R"({"a":[1,{"b":}]})",
      "1e400", "-", "{\"a\":\"\t\"}", "{\"a\":\"\xC0\xAF\"}", R"({1:2})", "[,1]", "",
  };
  const char* accepted[] = {
      "{}", "[]", R"([{},[],{"a":[1,{"b":null}]},"x",-1.5e3,true,false])", " { \"a\" : [ 1 , 2 ] } ",
      R"("\"x\" \u00e9 \uD83D\uDE00")", "-0", "[[[[]]]]", R"({"a":{"b":{"c":{}}},"a":"dup"})",
  };
  const std::string spec = R"("spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}})";
  auto places = [&](std::string_view v) {
    const std::string value(v);
    return std::vector<std::string>{
        wrap("{\"status\":" + value + "," + spec + "}"),
        wrap("{\"metadata\":{\"managedFields\":" + value + "}," + spec + "}"),
        wrap("{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":" +
             value + "}}," + spec + "}"),
    };
  };
  for (const char* v : refused) {
    for (const std::string& body : places(v)) EXPECT_FALSE(same(body)) << body;
  }
  for (const char* v : accepted) {
    for (const std::string& body : places(v)) EXPECT_TRUE(same(body)) << body;
  }
  // Nesting: request.object.status is inside 3 containers; 128 in all is the limit.
  for (int n : {124, 125, 126, 127}) {
    const std::string value = std::string(n, '[') + std::string(n, ']');
    const std::string body = wrap("{\"status\":" + value + "," + spec + "}");
    EXPECT_EQ(same(body), 3 + n <= kMaxJsonDepth) << n;
  }
}

// Strings are looked at 16 bytes at a time, and a left-out string steps over one-byte escapes
// within those 16: every kind of byte that needs attention, at every offset around the first
// two steps, in a kept and in a left-out string, is accepted or refused as nlohmann does.
TEST(ReviewReaderTest, EscapesAtEveryOffsetReadTheSame) {
  const char* specials[] = {
      R"(\")", R"(\\)", R"(\/)", R"(\n)", R"(\t)", R"(\u00e9)", R"(\uD83D\uDE00)", R"(\uDE00)",
      R"(\x)", "\xC3\xA9", "\xF0\x9F\x98\x80", "\xC0\xAF", "\x01", R"(\")" R"(\")", R"(\\")",
  };
  const std::string spec = R"("spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}})";
  int accepted = 0;
  for (const char* special : specials) {
    for (std::size_t at = 0; at < 40; ++at) {
      const std::string text = std::string(at, 'a') + special + std::string(at % 7, 'b');
      const std::string value = "\"" + text + "\"";
      // Left out (status, last-applied-configuration), and kept (a label).
      accepted += same(wrap("{\"status\":{\"s\":" + value + ",\"t\":[" + value + "]}," + spec + "}"));
      accepted += same(wrap("{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":" +
                            value + "}}," + spec + "}"));
      accepted += same(wrap("{\"metadata\":{\"labels\":{\"" + text + "\":" + value + "}}," + spec + "}"));
    }
  }
  EXPECT_GT(accepted, 1000);
}

TEST(ReviewReaderTest, RefusedBodiesGoToTheDocumentPath) {
  const std::string deep(200, '[');
  const char* refused[] = {
      "", " ", "{", "{}x", "\xEF\xBB\xBF{}", R"({"a":"\uDE00"})", R"({"a":"\uD83D"})",
      R"({"a":"\x"})", "{\"a\":\"\xC0\xAF\"}", "{\"a\":\"\xED\xA0\x80\"}", "{\"a\":\"\t\"}",
      R"({"a":01})", R"({"a":1.})", R"({"a":1e400})", R"({"a":-})", R"({"a":tru})", "[1,]",
      R"({"a":1,})", R"({,})",
  };
  for (const char* body : refused) EXPECT_FALSE(same(body)) << body;
  EXPECT_FALSE(same(deep));
  EXPECT_EQ(decode_review(deep).error(), "JSON nests deeper than 128 levels");
  // Accepted, and refused as a review by the same rules.
  for (const char* body : {"{}", "[]", "1", R"({"apiVersion":"admission.k8s.io/v1"})",
                           R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":[]})"}) {
    EXPECT_TRUE(same(body)) << body;
  }
}

}  // namespace
}  // namespace preflight::admission
