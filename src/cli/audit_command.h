#pragma once
// `preflight audit`: the admission checks over every workload already in the cluster
// (--kubeconfig, or in-cluster config) or in a snapshot (--cluster-snapshot), under the policy
// of --config. Prints the findings, a summary per check and per namespace (text or JSON, the
// writers of `preflight check`), and a progress line on stderr when stderr is a terminal.
// Exit codes as `check`: 0 nothing denied, 1 at least one deny finding (or any finding with
// --strict), 2 usage error, unreadable input or a workload that cannot be inspected.

#include <iosfwd>
#include <string>
#include <vector>

namespace preflight::cli {

int run_audit(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace preflight::cli
