// Fuzz target: CUDA and driver version numbers as they come from image tags, annotations
// (preflight.wfgy.io/cuda-version), NVIDIA_REQUIRE_CUDA values and node labels. Invariants:
// accepted values are in the documented ranges and survive to_string -> parse unchanged.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cuda/cuda_version.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight::cuda;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto v = parse_cuda_version(text)) {
    if (v->major < 1 || v->major > 99 || v->minor < 0 || v->minor > 99) __builtin_trap();
    auto again = parse_cuda_version(to_string(*v));
    if (!again || !again->same_release(*v)) __builtin_trap();
    (void)major_minor(*v);
  }
  (void)parse_require_cuda(text);
  if (auto d = parse_driver_version(text)) {
    auto again = parse_driver_version(to_string(*d));
    if (!again || *again != *d) __builtin_trap();
  }
  if (auto n = parse_small_int(text)) {
    if (*n < 0) __builtin_trap();
  }
  return 0;
}
