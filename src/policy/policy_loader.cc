// parse_policy / load_policy_file: the strict reader of the --config YAML file (docs/policy.md).
// Every problem is reported as "FILE:LINE:COLUMN: where: what is wrong"; yaml-cpp exceptions
// are caught in YamlReader and here, and never leave the loader.

#include <algorithm>
#include <filesystem>
#include <optional>

#include "checks/check.h"
#include "policy/policy.h"
#include "policy/selector_reader.h"
#include "policy/yaml_reader.h"

namespace preflight::policy {

namespace {

constexpr std::size_t kMaxMetricsNamespaces = 100'000;

using Vars = std::map<std::string, std::string, std::less<>>;

bool is_dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Printable ASCII without '=' (Kubernetes' relaxed env var name rule), and no space.
bool is_env_name(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127 && c != '='; });
}

bool is_var_name(std::string_view s) {
  return !s.empty() && std::none_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
}

// Where cuda-compat's enforcement was set, to report cuda_probe.mode vs enforcement conflicts.
struct CudaSetting {
  Enforcement value = Enforcement::kWarn;
  std::string text;
  YAML::Mark mark;
};

class Loader {
 public:
  Loader(std::string source, std::filesystem::path base_dir)
      : r_(std::move(source)), base_dir_(std::move(base_dir)) {}

  Result<Policy> policy(std::string_view text) const {
    Policy p = default_policy();
    YAML::Node root;
    if (auto err = r_.load_document(text, root)) return *err;
    if (auto err = read_policy(root, p)) return *err;
    return p;
  }

  // A prompt_vars file: a mapping name -> default, or {prompt_vars: that mapping}.
  Result<Vars> prompt_vars_document(std::string_view text) const {
    YAML::Node root;
    Vars vars;
    if (auto err = r_.load_document(text, root)) return *err;
    if (root.IsMap() && root.size() == 1) {
      auto entry = root.begin();
      if (entry->first.IsScalar() && entry->first.Scalar() == "prompt_vars" &&
          (entry->second.IsMap() || entry->second.IsNull())) {
        if (auto err = read_vars(entry->first, entry->second, "prompt_vars", vars)) return *err;
        return vars;
      }
    }
    if (auto err = read_vars(root, root, "", vars)) return *err;
    return vars;
  }

 private:
  Status read_policy(const YAML::Node& root, Policy& p) const;
  Status read_section(const std::string& name, const YAML::Node& key, const YAML::Node& v,
                      Policy& p, std::optional<CudaSetting>& probe,
                      std::optional<CudaSetting>& enforced) const;
  Status read_vars(const YAML::Node& key, const YAML::Node& map, std::string_view where,
                   Vars& vars) const;
  Status read_prompt_vars(const YAML::Node& key, const YAML::Node& value, Policy& p) const;
  Status read_exempt(const YAML::Node& key, const YAML::Node& value, Policy& p) const;
  Status read_version_skew(const YAML::Node& key, const YAML::Node& value, Policy& p) const;
  Status read_skew_rule(const YAML::Node& item, const std::string& where, SkewRule& rule) const;

  YamlReader r_;
  std::filesystem::path base_dir_;
};

Status Loader::read_policy(const YAML::Node& root, Policy& p) const {
  static constexpr std::string_view kKeys[] = {
      "ignore_versions",     "secret_timeout", "cuda_probe",  "prompt_vars",
      "required_env",        "enforcement",    "overridable", "exempt",
      "cluster_unavailable", "audit",          "metrics",     "version_skew"};
  std::optional<CudaSetting> probe, enforced;
  auto status = r_.each(root, root, "", kKeys,
                        [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) {
                          return read_section(name, k, v, p, probe, enforced);
                        });
  if (status) return status;
  if (!probe) return std::nullopt;
  if (enforced && probe->value != enforced->value) {
    return r_.at(probe->mark, "cuda_probe.mode",
                 quote(probe->text) + " conflicts with enforcement.cuda-compat " +
                     quote(enforced->text) + " at " + r_.position(enforced->mark) +
                     "; set only one");
  }
  p.enforcement["cuda-compat"] = probe->value;
  return std::nullopt;
}

Status Loader::read_section(const std::string& name, const YAML::Node& key, const YAML::Node& v,
                            Policy& p, std::optional<CudaSetting>& probe,
                            std::optional<CudaSetting>& enforced) const {
  if (name == "ignore_versions") {
    p.ignore_versions = VersionTolerance::kNone;
    return r_.strings(
        key, v, name,
        [&](const std::string& s, const YAML::Node& n, const std::string& where) -> Status {
          static constexpr std::string_view kLevels[] = {"patch", "minor"};
          std::size_t i = 0;
          if (auto err = r_.one_of(n, n, where, kLevels, i)) return err;
          p.ignore_versions = std::max(
              p.ignore_versions, i == 0 ? VersionTolerance::kPatch : VersionTolerance::kMinor);
          return std::nullopt;
        });
  }
  if (name == "secret_timeout") return r_.duration(key, v, name, p.secret_timeout);
  if (name == "cuda_probe") {
    static constexpr std::string_view kProbeKeys[] = {"mode"};
    return r_.each(key, v, name, kProbeKeys,
                   [&](const std::string&, const YAML::Node& k, const YAML::Node& mode) -> Status {
                     CudaSetting s{Enforcement::kWarn, "", mode.Mark()};
                     if (auto err = r_.enforcement(k, mode, "cuda_probe.mode", s.value)) return err;
                     s.text = mode.Scalar();
                     probe = s;
                     return std::nullopt;
                   });
  }
  if (name == "prompt_vars") return read_prompt_vars(key, v, p);
  if (name == "required_env") {
    p.required_env.clear();
    return r_.strings(
        key, v, name,
        [&](const std::string& s, const YAML::Node& n, const std::string& where) -> Status {
          if (!is_env_name(s)) return r_.at(n.Mark(), where, quote(s) + " is not an env var name");
          auto& env = p.required_env;
          if (std::find(env.begin(), env.end(), s) == env.end()) env.push_back(s);
          return std::nullopt;
        });
  }
  if (name == "enforcement") {
    return r_.each(key, v, name, {},
                   [&](const std::string& id, const YAML::Node& k, const YAML::Node& e) -> Status {
                     if (auto err = r_.check_id(id, k, name)) return err;
                     Enforcement value{};
                     if (auto err = r_.enforcement(k, e, "enforcement." + id, value)) return err;
                     p.enforcement[id] = value;
                     if (id == "cuda-compat") enforced = CudaSetting{value, e.Scalar(), e.Mark()};
                     return std::nullopt;
                   });
  }
  if (name == "overridable") {
    p.overridable.clear();
    return r_.strings(
        key, v, name,
        [&](const std::string& s, const YAML::Node& n, const std::string& where) -> Status {
          if (s == "all") {
            if (v.size() != 1) return r_.at(n.Mark(), where, "\"all\" must be the only entry");
            for (std::string_view id : checks::known_check_ids()) p.overridable.emplace(id);
            return std::nullopt;
          }
          if (auto err = r_.check_id(s, n, where)) return err;
          p.overridable.insert(s);
          return std::nullopt;
        });
  }
  if (name == "exempt") return read_exempt(key, v, p);
  if (name == "version_skew") return read_version_skew(key, v, p);
  if (name == "cluster_unavailable") {
    static constexpr std::string_view kModes[] = {"allow", "warn", "deny"};
    static constexpr UnavailableMode kValues[] = {UnavailableMode::kAllow, UnavailableMode::kWarn,
                                                  UnavailableMode::kDeny};
    std::size_t i = 0;
    if (auto err = r_.one_of(key, v, name, kModes, i)) return err;
    p.cluster_unavailable = kValues[i];
    return std::nullopt;
  }
  if (name == "audit") {
    static constexpr std::string_view kAuditKeys[] = {"interval"};
    return r_.each(key, v, name, kAuditKeys,
                   [&](const std::string&, const YAML::Node& k, const YAML::Node& d) -> Status {
                     std::chrono::milliseconds ms{};
                     if (auto err = r_.duration(k, d, "audit.interval", ms)) return err;
                     if (ms.count() % 1000 != 0) {
                       return r_.at(d.Mark(), "audit.interval",
                                    "must be a whole number of seconds");
                     }
                     p.audit_interval = std::chrono::duration_cast<std::chrono::seconds>(ms);
                     return std::nullopt;
                   });
  }
  static constexpr std::string_view kMetricsKeys[] = {"max_namespaces"};  // name == "metrics"
  return r_.each(key, v, name, kMetricsKeys,
                 [&](const std::string&, const YAML::Node& k, const YAML::Node& n) -> Status {
                   std::string s;
                   if (auto err = r_.scalar(k, n, "metrics.max_namespaces", s)) return err;
                   bool digits =
                       !s.empty() && s.size() <= 6 &&
                       std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
                   if (!digits || std::stoul(s) > kMaxMetricsNamespaces) {
                     return r_.at(n.Mark(), "metrics.max_namespaces",
                                  quote(s) + " is not a whole number from 0 to 100000");
                   }
                   p.metrics_max_namespaces = std::stoul(s);
                   return std::nullopt;
                 });
}

Status Loader::read_vars(const YAML::Node& key, const YAML::Node& map, std::string_view where,
                         Vars& vars) const {
  return r_.each(key, map, where, {},
                 [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) -> Status {
                   if (!is_var_name(name))
                     return r_.at(k.Mark(), where, quote(name) + " is not a variable name");
                   if (v.IsNull()) {
                     vars[name] = "";  // a variable whose default is empty
                     return std::nullopt;
                   }
                   std::string var_where = where.empty() ? name : std::string(where) + "." + name;
                   return r_.scalar(k, v, var_where, vars[name]);
                 });
}

Status Loader::read_prompt_vars(const YAML::Node& key, const YAML::Node& value, Policy& p) const {
  p.prompt_vars.clear();
  if (!value.IsScalar()) return read_vars(key, value, "prompt_vars", p.prompt_vars);
  // A path to a YAML file, relative to the policy file's directory. Its errors carry both
  // positions: "policy.yaml:L:C: prompt_vars: vars.yaml:L:C: what".
  std::filesystem::path path(value.Scalar());
  if (path.empty()) return r_.at(value.Mark(), "prompt_vars", "empty path");
  if (path.is_relative()) path = base_dir_ / path;
  auto text = read_text_file(path.string());
  if (!text.ok()) return r_.at(key.Mark(), "prompt_vars", text.error());
  auto vars = Loader(path.string(), path.parent_path()).prompt_vars_document(*text);
  if (!vars.ok()) return r_.at(key.Mark(), "prompt_vars", vars.error());
  p.prompt_vars = std::move(vars.value());
  return std::nullopt;
}

Status Loader::read_exempt(const YAML::Node& key, const YAML::Node& value, Policy& p) const {
  static constexpr std::string_view kExemptKeys[] = {"namespaces", "selectors"};
  return r_.each(
      key, value, "exempt", kExemptKeys,
      [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) -> Status {
        if (name == "namespaces") {
          p.exempt_namespaces.clear();
          return r_.strings(
              k, v, "exempt.namespaces",
              [&](const std::string& ns, const YAML::Node& n, const std::string& where) -> Status {
                if (!is_dns_label(ns))
                  return r_.at(n.Mark(), where, quote(ns) + " is not a namespace name");
                p.exempt_namespaces.push_back(ns);
                return std::nullopt;
              });
        }
        p.exempt_selectors.clear();
        if (v.IsNull())
          return r_.at(k.Mark(), "exempt.selectors", "missing value (use [] for none)");
        if (!v.IsSequence()) {
          return r_.at(v.Mark(), "exempt.selectors",
                       "expected a list, got " + YamlReader::kind_of(v));
        }
        std::size_t i = 0;
        for (const YAML::Node& item : v) {
          LabelSelector s;
          std::string where = "exempt.selectors[" + std::to_string(i++) + "]";
          if (auto err = read_label_selector(r_, v, item, where, s)) return err;
          p.exempt_selectors.push_back(std::move(s));
        }
        return std::nullopt;
      });
}

Status Loader::read_version_skew(const YAML::Node& key, const YAML::Node& value,
                                 Policy& p) const {
  static constexpr std::string_view kKeys[] = {"default_rules", "rules"};
  bool defaults = true;
  std::vector<SkewRule> custom;
  auto status = r_.each(
      key, value, "version_skew", kKeys,
      [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) -> Status {
        if (name == "default_rules") {
          static constexpr std::string_view kBools[] = {"true", "false"};
          std::size_t i = 0;
          if (auto err = r_.one_of(k, v, "version_skew.default_rules", kBools, i)) return err;
          defaults = i == 0;
          return std::nullopt;
        }
        if (v.IsNull()) return r_.at(k.Mark(), "version_skew.rules", "missing value (use [] for none)");
        if (!v.IsSequence()) {
          return r_.at(v.Mark(), "version_skew.rules", "expected a list, got " + YamlReader::kind_of(v));
        }
        std::size_t i = 0;
        for (const YAML::Node& item : v) {
          std::string where = "version_skew.rules[" + std::to_string(i++) + "]";
          SkewRule rule;
          if (auto err = read_skew_rule(item, where, rule)) return err;
          if (rule.enforcement != Enforcement::kOff) custom.push_back(std::move(rule));
        }
        return std::nullopt;
      });
  if (status) return status;
  p.skew_rules = defaults ? default_skew_rules() : std::vector<SkewRule>{};
  p.skew_rules.insert(p.skew_rules.end(), custom.begin(), custom.end());
  return std::nullopt;
}

Status Loader::read_skew_rule(const YAML::Node& item, const std::string& where,
                              SkewRule& rule) const {
  static constexpr std::string_view kKeys[] = {"name", "declared", "effective", "comparator",
                                               "enforcement"};
  if (!item.IsMap()) return r_.at(item.Mark(), where, "expected a mapping, got " + YamlReader::kind_of(item));
  bool has_declared = false, has_effective = false, has_comparator = false;
  auto status = r_.each(
      item, item, where, kKeys,
      [&](const std::string& name, const YAML::Node& k, const YAML::Node& v) -> Status {
        const std::string sub = where + "." + name;
        std::size_t i = 0;
        if (name == "name") {
          if (auto err = r_.scalar(k, v, sub, rule.name)) return err;
          if (rule.name.empty() || rule.name.size() > 40) {
            return r_.at(v.Mark(), sub, "must be 1 to 40 characters");
          }
          return std::nullopt;
        }
        if (name == "declared") {
          if (auto err = r_.one_of(k, v, sub, declared_source_names(), i)) return err;
          rule.declared = static_cast<DeclaredSource>(i);
          has_declared = true;
          return std::nullopt;
        }
        if (name == "effective") {
          if (auto err = r_.one_of(k, v, sub, effective_source_names(), i)) return err;
          rule.effective = static_cast<EffectiveSource>(i);
          has_effective = true;
          return std::nullopt;
        }
        if (name == "comparator") {
          if (auto err = r_.one_of(k, v, sub, comparator_names(), i)) return err;
          rule.comparator = static_cast<Comparator>(i);
          has_comparator = true;
          return std::nullopt;
        }
        return r_.enforcement(k, v, sub, rule.enforcement);
      });
  if (status) return status;
  if (!has_declared) return r_.at(item.Mark(), where, "missing key \"declared\"");
  if (!has_effective) return r_.at(item.Mark(), where, "missing key \"effective\"");
  if (!has_comparator) rule.comparator = default_comparator(rule.declared);
  if (rule.name.empty()) {
    rule.name = std::string(to_string(rule.declared)) + " ↔ " + std::string(to_string(rule.effective));
  }
  return std::nullopt;
}

}  // namespace

Result<Policy> parse_policy(std::string_view yaml_text, std::string_view source_name,
                            std::string_view base_dir) {
  try {
    return Loader(std::string(source_name), std::filesystem::path(base_dir)).policy(yaml_text);
  } catch (const std::exception&) {  // bad_alloc, or a yaml-cpp accessor we did not foresee
    return make_error(std::string(source_name) + ": cannot load the policy");
  }
}

Result<Policy> load_policy_file(const std::string& path) {
  try {
    auto text = read_text_file(path);
    if (!text.ok()) return make_error(text.error());
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    return parse_policy(*text, path, dir.empty() ? "." : dir.string());
  } catch (const std::exception&) {
    return make_error(path + ": cannot load the policy");
  }
}

}  // namespace preflight::policy
