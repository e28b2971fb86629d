// Fuzz target: an AdmissionReview body as the API server (or anyone reaching the webhook port)
// sends it, through the whole review path: decode_review, workload extraction from request.object
// and request.oldObject, every check against a small cluster state, and encode_review.
// Invariant: bad input is a Result error or a decision, never a crash or an exception.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admission/decider.h"
#include "admission/review.h"
#include "checks/check.h"
#include "cluster/cluster_store.h"
#include "policy/policy.h"

namespace {

using namespace preflight;

constexpr std::string_view kSnapshot = R"(apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Secret, metadata: {name: openai, namespace: prod}, data: {OPENAI_API_KEY: eA==}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: app-config, namespace: prod}, data: {MODE: x}}
- {apiVersion: v1, kind: ServiceAccount, metadata: {name: runner, namespace: prod}}
- apiVersion: v1
  kind: Node
  metadata: {name: gpu-1, labels: {nvidia.com/cuda.driver.major: "535", nvidia.com/gpu.product: A100}}
)";

const cluster::ClusterStore& store() {
  static const cluster::ClusterStore* s = [] {
    auto* st = new cluster::ClusterStore();
    if (!cluster::load_snapshot_text(*st, kSnapshot, "fuzz-snapshot").ok()) __builtin_trap();
    return st;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto request = admission::decode_review(body);
  if (!request.ok()) return 0;
  static const policy::Policy policy = policy::default_policy();
  const checks::CheckContext ctx{policy, &store()};
  admission::Decision decision = admission::decide(*request, checks::all_checks(), ctx);
  (void)admission::encode_review(request->api_version, decision.response);
  return 0;
}
