#pragma once
// `preflight check -f PATH...`: the admission checks over manifests on disk, for CI.
// Exit codes: 0 nothing denied, 1 at least one deny finding (or a warning with --strict),
// 2 usage error or unreadable input (the readable inputs are still checked and reported).

#include <iosfwd>
#include <string>
#include <vector>

namespace preflight::cli {

int run_check(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace preflight::cli
