#pragma once
// The policy: how findings become decisions. Loaded from the --config YAML file (see
// docs/policy.md); every field has a built-in default so preflight runs without a file.

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checks/finding.h"
#include "policy/skew_rule.h"
#include "util/result.h"
#include "util/string_map.h"

namespace preflight::policy {

// A Kubernetes label selector (matchLabels + matchExpressions with In, NotIn, Exists,
// DoesNotExist). An empty selector matches everything.
struct LabelSelector {
  struct Requirement {
    enum class Op { kIn, kNotIn, kExists, kDoesNotExist };
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;
  };
  std::map<std::string, std::string> match_labels;
  std::vector<Requirement> match_expressions;

  bool matches(const StringMap& labels) const;
};

// The seed's ignore_versions: which semver drift is tolerated.
enum class VersionTolerance { kNone, kPatch, kMinor };

// What a review does while cluster state is unavailable (caches not synced).
enum class UnavailableMode { kAllow, kWarn, kDeny };

struct Policy {
  // Enforcement per check id. Checks not listed use kDefaultEnforcement.
  std::map<std::string, Enforcement, std::less<>> enforcement;
  // Checks that the preflight.wfgy.io/skip annotation may skip.
  std::set<std::string, std::less<>> overridable;

  std::vector<std::string> exempt_namespaces;
  std::vector<LabelSelector> exempt_selectors;  // matched against the workload's labels

  VersionTolerance ignore_versions = VersionTolerance::kNone;
  std::chrono::milliseconds secret_timeout{0};
  // Variables with a default that the app resolves at runtime; template-placeholder accepts them.
  std::map<std::string, std::string, std::less<>> prompt_vars;
  // Env vars every app container must define (besides the required-env annotation).
  std::vector<std::string> required_env;
  UnavailableMode cluster_unavailable = UnavailableMode::kWarn;
  std::chrono::seconds audit_interval{600};
  // version-skew: the built-in rules (unless version_skew.default_rules is false), then the
  // policy's version_skew.rules.
  std::vector<SkewRule> skew_rules = default_skew_rules();
  // Distinct namespace label values kept in metrics before folding into "other".
  std::size_t metrics_max_namespaces = 200;

  // Effective enforcement of a check id (defaults: deny, cuda-compat warn).
  Enforcement enforcement_for(std::string_view check) const;
  bool is_exempt(std::string_view ns, const StringMap& labels) const;
};

// Built-in defaults (what runs without --config).
Policy default_policy();

// The built-in enforcement of a check id: kWarn for cuda-compat, kDeny for everything else.
Enforcement default_enforcement(std::string_view check);

// Policy-file spellings: "none"/"patch"/"minor" and "allow"/"warn"/"deny".
std::string_view to_string(VersionTolerance t);
std::string_view to_string(UnavailableMode m);

// Parses a policy document. `source_name` prefixes error messages:
// "policy.yaml:3:5: unknown key \"ignore_version\"". `base_dir` resolves a prompt_vars path.
Result<Policy> parse_policy(std::string_view yaml_text, std::string_view source_name,
                            std::string_view base_dir = ".");
// Reads and parses a policy file.
Result<Policy> load_policy_file(const std::string& path);

// Go-style durations: "2s", "500ms", "1m30s", "1h". Error on anything else.
Result<std::chrono::milliseconds> parse_duration(std::string_view s);

}  // namespace preflight::policy
