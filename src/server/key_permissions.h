#pragma once
// Start-up check of the TLS private key file's permissions: `preflight serve` refuses a key that
// other users can read.
//
//  - readable by others (o+r): refused;
//  - readable by a group the process is not in: refused;
//  - readable by one of the process's own groups: accepted. The kubelet makes Secret volume files
//    group-readable by the pod's fsGroup whatever the defaultMode, and that group is the pod's.
//
// When the process runs as root, a refusal becomes a warning (root reads the file anyway; test
// and development set-ups run as root with generated keys).

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.h"

namespace preflight::server {

struct ProcessIdentity {
  bool root = false;
  std::vector<gid_t> groups;  // primary and supplementary
};
ProcessIdentity current_identity();

// Value: "" when fine, or a warning to log (root). Error: why the key is refused.
Result<std::string> check_private_key_permissions(const std::string& path,
                                                  const ProcessIdentity& who);

}  // namespace preflight::server
