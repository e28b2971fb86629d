#include "checks/env_name.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/edit_distance.h"
#include "util/text.h"

namespace preflight::checks {

namespace {

constexpr std::string_view kCheckId = "env-name";
constexpr std::string_view kRequiredEnvAnnotation = "preflight.wfgy.io/required-env";

// Variables that SDKs and runtimes read, so a near miss is almost surely a typo. Sorted.
// Source of each: the provider's SDK / runtime documentation of its environment variables.
constexpr std::array<std::string_view, 26> kWellKnown = {
    "ANTHROPIC_API_KEY",               // Anthropic SDKs
    "AWS_ACCESS_KEY_ID",               // AWS CLI / SDKs, "Environment variables"
    "AWS_DEFAULT_REGION",              // AWS CLI / SDKs
    "AWS_REGION",                      // AWS CLI / SDKs
    "AWS_SECRET_ACCESS_KEY",           // AWS CLI / SDKs
    "AWS_SESSION_TOKEN",               // AWS CLI / SDKs
    "AZURE_OPENAI_API_KEY",            // openai SDK, AzureOpenAI client
    "AZURE_OPENAI_ENDPOINT",           // openai SDK, AzureOpenAI client
    "COHERE_API_KEY",                  // Cohere SDK
    "CUDA_VISIBLE_DEVICES",            // CUDA C++ Programming Guide, environment variables
    "GEMINI_API_KEY",                  // Google Gen AI SDK
    "GOOGLE_API_KEY",                  // Google Gen AI SDK
    "GOOGLE_APPLICATION_CREDENTIALS",  // Google Cloud Application Default Credentials
    "HF_HOME",                         // huggingface_hub environment variables
    "HF_TOKEN",                        // huggingface_hub environment variables
    "HUGGING_FACE_HUB_TOKEN",          // huggingface_hub (legacy name of HF_TOKEN)
    "MISTRAL_API_KEY",                 // Mistral SDK
    "NVIDIA_DRIVER_CAPABILITIES",      // NVIDIA Container Toolkit
    "NVIDIA_VISIBLE_DEVICES",          // NVIDIA Container Toolkit
    "OPENAI_API_BASE",                 // openai SDK < 1.0, LangChain
    "OPENAI_API_KEY",                  // openai SDK
    "OPENAI_BASE_URL",                 // openai SDK
    "OPENAI_ORG_ID",                   // openai SDK
    "PYTORCH_CUDA_ALLOC_CONF",         // PyTorch, CUDA semantics
    "TRANSFORMERS_CACHE",              // transformers installation (cache setup)
    "VLLM_API_KEY",                    // vLLM OpenAI-compatible server
};
static_assert(std::is_sorted(kWellKnown.begin(), kWellKnown.end()));

// char_set() of each well-known name, for the typo search's cheap filter.
constexpr std::array<std::uint64_t, kWellKnown.size()> kWellKnownSets = [] {
  std::array<std::uint64_t, kWellKnown.size()> sets{};
  for (std::size_t i = 0; i < kWellKnown.size(); ++i) {
    sets[i] = char_set(kWellKnown[i], CaseMode::kInsensitive);
  }
  return sets;
}();

// Real variables a typo distance from a well-known one. Sorted.
constexpr std::array<std::string_view, 1> kLegitimateLookAlikes = {
    "GH_TOKEN",  // GitHub CLI (one edit from HF_TOKEN)
};

constexpr std::size_t kMaxQuoted = 40;  // longest name quoted in a finding
constexpr std::size_t kMaxHintDistance = 3;
constexpr std::size_t kMinTypoLength = 6;      // shorter names are not compared
constexpr std::size_t kShortKnownLength = 10;  // known names shorter than this: one edit only
constexpr std::size_t kMaxTypoDistance = 2;     // longer known names: two edits
// Bounds on the work a hostile object can cause; each is far above real manifests.
constexpr std::size_t kMaxRequiredForTypos = 64;
constexpr std::size_t kMaxHintsPerContainer = 16;

// The well-known names by length, as bit sets of indices into kWellKnown (bit i = kWellKnown[i]).
// A name can equal a well-known one, even up to case, only if it has the same length, and be
// within find_typo's distance bound (1 for names shorter than kShortKnownLength, else
// kMaxTypoDistance) only if the lengths differ by at most that much; find_typo visits just
// those names. Iterating a set's bits from the lowest keeps kWellKnown's order, so ties
// resolve as they would over the whole array (the earlier name wins).
constexpr std::size_t kLongestWellKnown = [] {
  std::size_t n = 0;
  for (std::string_view known : kWellKnown) n = std::max(n, known.size());
  return n;
}();
static_assert(kWellKnown.size() <= 32);
struct WellKnownByLength {
  // Indexed by a name's length; lengths past the end have no well-known name near them.
  std::array<std::uint32_t, kLongestWellKnown + 1> same{};
  std::array<std::uint32_t, kLongestWellKnown + kMaxTypoDistance + 1> near{};
};
constexpr WellKnownByLength kWellKnownByLength = [] {
  WellKnownByLength t;
  for (std::size_t i = 0; i < kWellKnown.size(); ++i) {
    const std::size_t n = kWellKnown[i].size();
    t.same[n] |= std::uint32_t{1} << i;
    const std::size_t most = n < kShortKnownLength ? 1 : kMaxTypoDistance;  // as find_typo
    for (std::size_t len = n > most ? n - most : 0; len <= n + most; ++len) {
      t.near[len] |= std::uint32_t{1} << i;
    }
  }
  return t;
}();

// Calls fn(i) for each bit i of `set`, lowest first.
template <class Fn>
void for_each_index(std::uint32_t set, Fn fn) {
  for (; set != 0; set &= set - 1) fn(static_cast<std::size_t>(std::countr_zero(set)));
}

struct Required {
  std::string_view name;
  bool by_annotation = false;  // else only by the policy
};

bool contains_sorted(std::span<const std::string_view> sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name);
}

std::string quoted(std::string_view name) {
  if (name.size() <= kMaxQuoted) return std::string(name);
  return std::string(name.substr(0, kMaxQuoted)).append("...");
}

// policy.required_env plus the annotation, sorted by name, one entry per name.
std::vector<Required> required_names(const Workload& workload, const policy::Policy& policy) {
  std::vector<Required> out;
  for (const std::string& name : policy.required_env) {
    std::string_view n = trim(name);
    if (!n.empty()) out.push_back({n, false});
  }
  if (auto list = workload.annotation(kRequiredEnvAnnotation)) {
    std::string_view rest = *list;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view n = trim(rest.substr(0, comma));
      if (!n.empty()) out.push_back({n, true});
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Required& a, const Required& b) { return a.name < b.name; });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (kept > 0 && out[kept - 1].name == out[i].name) {
      out[kept - 1].by_annotation |= out[i].by_annotation;
    } else {
      out[kept++] = out[i];
    }
  }
  out.resize(kept);
  return out;
}

bool is_required(std::span<const Required> required, std::string_view name) {
  auto it = std::lower_bound(required.begin(), required.end(), name,
                             [](const Required& r, std::string_view n) { return r.name < n; });
  return it != required.end() && it->name == name;
}

// OPENAI_API_KEY_2 or X_AWS_REGION: a deliberate variant of `known`, not a misspelling.
bool is_extension(std::string_view name, std::string_view known) {
  if (name.size() < known.size() + 2) return false;
  const std::size_t extra = name.size() - known.size();
  return (equals_ignore_case(name.substr(0, known.size()), known) && name[known.size()] == '_') ||
         (equals_ignore_case(name.substr(extra), known) && name[extra - 1] == '_');
}

struct Typo {
  std::string_view target;
  bool case_only = false;
};

// The well-known or required name that `name` most likely misspells, if any.
std::optional<Typo> find_typo(std::string_view name, std::span<const Required> required) {
  const std::uint32_t same_length =
      name.size() < kWellKnownByLength.same.size() ? kWellKnownByLength.same[name.size()] : 0;
  bool well_known = false;
  for_each_index(same_length, [&](std::size_t i) { well_known = well_known || kWellKnown[i] == name; });
  if (well_known || is_required(required, name) ||
      std::find(kLegitimateLookAlikes.begin(), kLegitimateLookAlikes.end(), name) !=
          kLegitimateLookAlikes.end()) {
    return std::nullopt;
  }
  const std::span<const Required> typo_required =
      required.first(std::min(required.size(), kMaxRequiredForTypos));
  // Names equal up to case use the same buckets of char_set(): a cheap test before comparing.
  const std::uint64_t name_set = char_set(name, CaseMode::kInsensitive);
  std::optional<Typo> case_only;
  for_each_index(same_length, [&](std::size_t i) {
    if (!case_only && kWellKnownSets[i] == name_set && equals_ignore_case(name, kWellKnown[i])) {
      case_only = Typo{kWellKnown[i], true};
    }
  });
  if (case_only) return case_only;
  for (const Required& r : typo_required) {
    if (equals_ignore_case(name, r.name)) return Typo{r.name, true};
  }
  if (name.size() < kMinTypoLength) return std::nullopt;
  std::optional<Typo> best;
  std::size_t best_distance = 0;
  // Most pairs differ in length or in letters by more than the bound: those two lower bounds
  // of the distance skip the DP (the answer is the same, only cheaper to reach).
  const auto consider = [&](std::string_view known, std::uint64_t known_set) {
    std::size_t bound = known.size() < kShortKnownLength ? 1 : kMaxTypoDistance;
    if (best) bound = std::min(bound, best_distance - 1);  // ties: the earlier one stays
    if (bound == 0) return;
    const std::size_t length_gap =
        name.size() > known.size() ? name.size() - known.size() : known.size() - name.size();
    if (length_gap > bound || char_set_lower_bound_exceeds(name_set, known_set, bound)) return;
    if (is_extension(name, known)) return;
    const std::size_t d = osa_distance(name, known, bound, CaseMode::kInsensitive);
    if (d > bound) return;
    best = Typo{known, false};
    best_distance = d;
  };
  if (name.size() < kWellKnownByLength.near.size()) {
    // First the names whose letters are too far off even for the largest bound they can have
    // (consider() would return at once for them: its bound is never larger), in a tight loop;
    // nearly every name is ruled out here.
    std::uint32_t candidates = 0;
    for_each_index(kWellKnownByLength.near[name.size()], [&](std::size_t i) {
      const std::size_t most = kWellKnown[i].size() < kShortKnownLength ? 1 : kMaxTypoDistance;
      if (!char_set_lower_bound_exceeds(name_set, kWellKnownSets[i], most)) {
        candidates |= std::uint32_t{1} << i;
      }
    });
    for_each_index(candidates, [&](std::size_t i) { consider(kWellKnown[i], kWellKnownSets[i]); });
  }
  for (const Required& r : typo_required) {
    consider(r.name, char_set(r.name, CaseMode::kInsensitive));
  }
  return best;
}

// A container's env names, sorted (equal names in env order): finds a name and groups
// repeats. Holds indices into Container::env in a buffer reused across containers (std::sort,
// unlike std::stable_sort, needs no scratch memory).
class EnvIndex {
 public:
  EnvIndex(const Container& c, std::vector<std::size_t>& order) : c_(c), order_(order) {
    order_.resize(c.env.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      const int cmp = c.env[a].name.compare(c.env[b].name);
      return cmp < 0 || (cmp == 0 && a < b);
    });
  }

  bool contains(std::string_view name) const {
    auto it =
        std::lower_bound(order_.begin(), order_.end(), name,
                         [&](std::size_t i, std::string_view n) { return c_.env[i].name < n; });
    return it != order_.end() && c_.env[*it].name == name;
  }

  // Calls fn(first, last, count) for each name, in name order, with the env indices of its
  // first and last definition.
  template <class Fn>
  void for_each_name(Fn fn) const {
    for (std::size_t k = 0; k < order_.size();) {
      std::size_t end = k + 1;
      while (end < order_.size() && c_.env[order_[end]].name == c_.env[order_[k]].name) ++end;
      fn(order_[k], order_[end - 1], end - k);
      k = end;
    }
  }

 private:
  const Container& c_;
  std::vector<std::size_t>& order_;
};

// Where a container's variables come from, for the required-variable test.
class DefinedNames {
 public:
  DefinedNames(const Container& c, const EnvIndex& env, const Workload& w, const CheckContext& ctx)
      : container_(c), env_(env), workload_(w), ctx_(ctx) {}

  bool in_env(std::string_view name) const { return env_.contains(name); }

  // False when an envFrom source has keys nobody knows: anything may come from there.
  bool env_from_known() {
    resolve();
    return env_from_known_;
  }

  bool in_env_from(std::string_view name) {
    resolve();
    return std::binary_search(from_env_from_.begin(), from_env_from_.end(), name);
  }

  // The defined names that could be misspelt (not themselves well-known or required), env
  // names in env order, then envFrom names in name order.
  std::vector<std::string_view> hint_candidates(std::span<const Required> required) {
    resolve();
    std::vector<std::string_view> out;
    const auto add = [&](std::string_view n) {
      if (!n.empty() && !contains_sorted(kWellKnown, n) && !is_required(required, n)) {
        out.push_back(n);
      }
    };
    for (const EnvVar& e : container_.env) add(e.name);
    for (const std::string& n : from_env_from_) add(n);
    return out;
  }

 private:
  // Looks the envFrom sources up once, on first need (most containers define all in env).
  void resolve() {
    if (resolved_) return;
    resolved_ = true;
    std::vector<std::string> keys;
    for (const EnvFromSource& src : container_.env_from) {
      keys.clear();
      const auto resource = src.kind == EnvFromSource::Kind::kSecret
                                ? cluster::Resource::kSecret
                                : cluster::Resource::kConfigMap;
      if (ctx_.cluster == nullptr || workload_.namespace_name.empty() ||
          ctx_.cluster->find(resource, workload_.namespace_name, src.name, &keys) !=
              cluster::Lookup::kFound) {
        env_from_known_ = false;
        continue;
      }
      for (const std::string& key : keys) from_env_from_.push_back(std::string(src.prefix) + key);
    }
    std::sort(from_env_from_.begin(), from_env_from_.end());
  }

  const Container& container_;
  const EnvIndex& env_;
  const Workload& workload_;
  const CheckContext& ctx_;
  bool resolved_ = false;
  bool env_from_known_ = true;
  std::vector<std::string> from_env_from_;
};

Finding make_finding(const Container& c, Enforcement severity, std::string_view name,
                     std::string field_path) {
  Finding f;
  f.check = std::string(kCheckId);
  f.severity = severity;
  f.container = c.name;
  f.subject = "env " + quoted(name);
  f.field_path = std::move(field_path);
  return f;
}

// Denies each required variable the app container does not define. Adds the names given as
// hints to `hinted`, so they are not also reported as typos.
void check_required(const Container& c, std::span<const Required> required, DefinedNames& defined,
                    std::vector<std::string_view>& hinted, std::vector<Finding>& out) {
  std::vector<std::string_view> candidates;
  bool have_candidates = false;
  std::size_t hints_left = kMaxHintsPerContainer;
  for (const Required& r : required) {
    if (defined.in_env(r.name)) continue;
    if (!defined.env_from_known()) return;  // may come from an envFrom source we cannot see
    if (defined.in_env_from(r.name)) continue;
    if (!have_candidates) {
      candidates = defined.hint_candidates(required);
      have_candidates = true;
    }
    std::optional<Nearest> hint;
    if (hints_left > 0) {
      --hints_left;
      // A third of the name at most: PORT is not a misspelling of HOST.
      hint = nearest(r.name, candidates, std::min(kMaxHintDistance, r.name.size() / 3),
                     CaseMode::kInsensitive);
    }
    Finding f = make_finding(c, Enforcement::kDeny, r.name, c.path.str() + ".env");
    // The annotation is in the manifest being read; a policy requirement is not: say so.
    f.message = std::string(r.by_annotation ? "" : "policy-") + "required variable " +
                quoted(r.name) + " is not defined";
    if (hint) {
      const std::string_view h = candidates[hint->index];
      hinted.push_back(h);
      f.message.append(" (did you mean ").append(quoted(h)).append("?)");
      f.fix = "add " + quoted(r.name) + " to env (or rename " + quoted(h) + ")";
    } else {
      f.fix = "add " + quoted(r.name) + " to env or envFrom";
    }
    out.push_back(std::move(f));
  }
}

void check_names(const Container& c, const EnvIndex& env, std::span<const Required> required,
                 std::span<const std::string_view> hinted, std::vector<Finding>& out) {
  env.for_each_name([&](std::size_t first, std::size_t last, std::size_t count) {
    const std::string_view name = c.env[first].name;
    if (name.empty()) return;
    const bool is_hint = std::find(hinted.begin(), hinted.end(), name) != hinted.end();
    if (std::optional<Typo> typo; !is_hint && (typo = find_typo(name, required))) {
      Finding f = make_finding(c, Enforcement::kWarn, name, c.env[first].path.str() + ".name");
      f.message =
          quoted(name) +
          (typo->case_only ? " differs only in case from " : " looks like a misspelling of ") +
          quoted(typo->target);
      f.fix = "rename it to " + quoted(typo->target);
      out.push_back(std::move(f));
    }
    if (count < 2) return;
    Finding f = make_finding(c, Enforcement::kWarn, name, c.env[last].path.str() + ".name");
    const std::string where = "env[" + std::to_string(first) +
                              (count == 2 ? "] and env[" : "] ... env[") + std::to_string(last) +
                              "]";
    f.message = quoted(name) +
                (count == 2 ? std::string(" is defined twice (")
                            : " is defined " + std::to_string(count) + " times (") +
                where + "); the last one wins";
    f.fix = count == 2 ? "remove one of them" : "keep only one of them";
    out.push_back(std::move(f));
  });
}

class EnvName final : public Check {
 public:
  std::string_view id() const override { return kCheckId; }

  std::vector<Finding> run(const Workload& workload, const CheckContext& ctx) const override {
    std::vector<Finding> out;
    const std::vector<Required> required = required_names(workload, ctx.policy);
    std::vector<std::size_t> order;
    std::vector<std::string_view> hinted;
    for (const Container& c : workload.containers) {
      const EnvIndex env(c, order);
      DefinedNames defined(c, env, workload, ctx);  // owns the names `hinted` may point to
      hinted.clear();
      if (c.type == Container::Type::kApp) check_required(c, required, defined, hinted, out);
      check_names(c, env, required, hinted, out);
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Check> make_env_name_check() { return std::make_unique<EnvName>(); }

}  // namespace preflight::checks
