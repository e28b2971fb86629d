// preflight: wiring only. Parses the subcommand and hands over to src/cli/.

#include <iostream>
#include <string>
#include <vector>

#include "build_info.h"
#include "cli/audit_command.h"
#include "cli/check_command.h"
#include "cli/serve_command.h"

namespace {
constexpr const char* kUsage =
    "preflight: a Kubernetes admission webhook that stops deploys that would collapse on start\n"
    "\n"
    "usage: preflight <command> [flags]\n"
    "  serve     HTTPS admission server (POST /validate)\n"
    "  check     check manifests: preflight check -f PATH [-f PATH...]\n"
    "  audit     check every workload already in the cluster (or a snapshot)\n"
    "  version   version, git commit and build date\n"
    "\n"
    "Run 'preflight <command> --help' for a command's flags.\n";
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return preflight::cli::run_serve(args);
  if (command == "check") return preflight::cli::run_check(args, std::cin, std::cout, std::cerr);
  if (command == "audit") return preflight::cli::run_audit(args, std::cout, std::cerr);
  if (command == "version" || command == "--version") {
    std::cout << "preflight " << preflight::build::kVersion << " (commit " << preflight::build::kCommit
              << ", built " << preflight::build::kDate << ")\n";
    return 0;
  }
  std::cerr << "preflight: unknown command \"" << command << "\"\n\n" << kUsage;
  return 2;
}
