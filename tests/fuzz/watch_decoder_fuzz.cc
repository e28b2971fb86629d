// Fuzz target: a watch response body from the API server, as the reflector reads it: cut into
// documents by JsonStreamSplitter (fed in chunks whose size the first byte picks, with a small
// document limit), each decoded by decode_watch_event and reduced by entry_from_object for
// every cached resource. Invariants: emitted documents are balanced and within the limit;
// nothing throws.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cluster/cluster_store.h"
#include "cluster/watch_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace preflight::cluster;
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr std::size_t kMaxDoc = 4096;
  JsonStreamSplitter splitter(kMaxDoc);
  auto on_document = [&](std::string_view doc) {
    if (doc.empty() || doc.size() > kMaxDoc) __builtin_trap();
    if (doc.front() != '{' && doc.front() != '[') __builtin_trap();
    if (auto event = decode_watch_event(doc); event.ok()) {
      for (Resource r : {Resource::kSecret, Resource::kConfigMap, Resource::kServiceAccount,
                         Resource::kNode}) {
        (void)entry_from_object(r, event->object);
      }
    }
    return true;
  };
  while (!stream.empty()) {
    auto fed = splitter.feed(stream.substr(0, chunk), on_document);
    if (!fed.ok()) {
      if (!splitter.failed() || splitter.idle()) __builtin_trap();
      break;
    }
    stream.remove_prefix(std::min(chunk, stream.size()));
  }
  return 0;
}
