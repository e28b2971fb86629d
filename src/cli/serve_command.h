#pragma once
// `preflight serve`: loads the policy and certificate, starts the listeners and the file
// watcher, and serves until SIGTERM/SIGINT (exit 0 after in-flight reviews finish).
// Exit 2 on bad flags or config, 1 when a port cannot be bound.

#include <string>
#include <vector>

namespace preflight::cli {

int run_serve(const std::vector<std::string>& args);

}  // namespace preflight::cli
