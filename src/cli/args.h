#pragma once
// Command-line flags: `--name value`, `--name=value`, short aliases (-f, -o), repeatable
// flags, boolean flags. Unknown flags are errors (exit code 2 in main).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/result.h"

namespace preflight::cli {

struct FlagSpec {
  std::set<std::string> value_flags;             // long names without "--"
  std::set<std::string> bool_flags;
  std::map<std::string, std::string> aliases;    // "-f" -> "filename"
};

struct Args {
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> bools;
  std::vector<std::string> positional;

  // Last value of a flag, or `fallback`.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  bool has(const std::string& name) const;
  const std::vector<std::string>& all(const std::string& name) const;
};

Result<Args> parse_args(const std::vector<std::string>& argv, const FlagSpec& spec);

}  // namespace preflight::cli
