// Differential fuzz target: decode_review's fast reader (json_view) against the nlohmann
// document path. Whenever the fast reader accepts a body, the request, the Workloads of its
// objects and the decision must be those of the document path; otherwise it traps.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../unit/admission/review_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto fast = admission::decode_review_view(body);
  if (!fast) return 0;
  static const policy::Policy policy = policy::default_policy();
  const checks::CheckContext ctx{policy, nullptr};
  if (testing::describe_review(*fast, ctx) !=
      testing::describe_review(admission::decode_review_document(body), ctx)) {
    __builtin_trap();
  }
  return 0;
}
