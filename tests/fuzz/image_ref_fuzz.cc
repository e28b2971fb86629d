// Fuzz target: container image references as written in a pod spec (user input), through
// parse_image_ref, its accessors and short_image. Invariants: the parts are views inside the
// input; short_image never exceeds its bound (16 at least) by more than the "..." it adds.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cuda/image_ref.h"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ref = preflight::cuda::parse_image_ref(text)) {
    if (!inside(ref->registry, text) || !inside(ref->repository, text) ||
        !inside(ref->tag, text) || !inside(ref->digest, text)) {
      __builtin_trap();
    }
    (void)ref->docker_hub();
    const std::string_view name = ref->name();
    if (!inside(name, text)) __builtin_trap();
    (void)ref->repository_is(name);
    (void)ref->repository_is(ref->repository);
  }
  for (std::size_t max : {std::size_t{0}, std::size_t{16}, std::size_t{40}, size / 2}) {
    const std::string shown = preflight::cuda::short_image(text, max);
    if (shown.size() > std::max<std::size_t>(max, 16)) __builtin_trap();
  }
  return 0;
}
