// Fuzz target: the policy loader (--config YAML, hot-reloaded). A prompt_vars path resolves
// against a directory that does not exist, so the target reads no files of its own.
// Invariant: a bad policy is a Result error with a message, never a crash or an exception.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = preflight::policy::parse_policy(text, "fuzz.yaml", "/nonexistent-preflight-fuzz");
  if (policy.ok()) {
    (void)policy->enforcement_for("secret-ref");
    (void)policy->is_exempt("prod", {{"app", "x"}});
  } else if (policy.error().empty()) {
    __builtin_trap();
  }
  (void)preflight::policy::parse_duration(text);
  return 0;
}
