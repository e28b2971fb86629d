#include "cli/args.h"

namespace preflight::cli {

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? fallback : it->second.back();
}

bool Args::has(const std::string& name) const {
  return values.contains(name) || bools.contains(name);
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> kEmpty;
  auto it = values.find(name);
  return it == values.end() ? kEmpty : it->second;
}

Result<Args> parse_args(const std::vector<std::string>& argv, const FlagSpec& spec) {
  Args out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "-" || arg.empty() || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    std::string name;
    std::string value;
    bool has_value = false;
    if (auto alias = spec.aliases.find(arg); alias != spec.aliases.end()) {
      name = alias->second;
    } else if (arg.starts_with("--")) {
      name = arg.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
    } else {
      return make_error("unknown flag " + arg);
    }
    if (spec.bool_flags.contains(name)) {
      if (has_value && value != "true" && value != "false") {
        return make_error("flag --" + name + " takes no value");
      }
      if (!has_value || value == "true") out.bools.insert(name);
      continue;
    }
    if (!spec.value_flags.contains(name)) return make_error("unknown flag " + arg);
    if (!has_value) {
      if (i + 1 >= argv.size()) return make_error("flag " + arg + " needs a value");
      value = argv[++i];
    }
    out.values[name].push_back(value);
  }
  return out;
}

}  // namespace preflight::cli
