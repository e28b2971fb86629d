// Fuzz target: the kubeconfig loader (--kubeconfig) and the server URL parser. Relative file
// paths resolve against a directory that does not exist, so the target reads no files of its
// own. Invariant: a bad kubeconfig is a Result error, never a crash or an exception.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = preflight::cluster::parse_kubeconfig(text, "fuzz-kubeconfig",
                                                     "/nonexistent-preflight-fuzz");
  if (config.ok()) {
    if (!preflight::cluster::parse_server_url(config->server).ok()) __builtin_trap();
  } else if (config.error().empty()) {
    __builtin_trap();
  }
  (void)preflight::cluster::parse_server_url(text);
  return 0;
}
