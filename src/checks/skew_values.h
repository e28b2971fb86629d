#pragma once
// The values version-skew compares, read from a workload: declared values (labels,
// annotations, the model card) and effective values (the model container's image, serving
// flags and env). Only what is written is read; nothing is inferred.
//
// The model container: the app container named by annotation preflight.wfgy.io/model-container;
// else the one app container requesting a GPU (Container::requests_gpu); else the only app
// container. Several GPU containers, or several containers and none with a GPU, is ambiguous:
// no model container, so effective values are not read (init and ephemeral containers never
// count).
//
// Flags are read from the container's command and args as separate elements, `--flag value` or
// `--flag=value`; the last one wins (argparse/clap behaviour), and a flag wins over env. A flag
// inside one shell string (`sh -c "vllm serve --revision x"`) is not read. Env values are read
// only when literal (`value:`), without $(VAR) references.

#include <optional>
#include <string>
#include <string_view>

#include "cluster/model_card.h"
#include "policy/skew_rule.h"
#include "workload/workload.h"

namespace preflight::checks::skew {

inline constexpr std::string_view kModelVersionKey = "preflight.wfgy.io/model-version";
inline constexpr std::string_view kTokenizerShaKey = "preflight.wfgy.io/tokenizer-sha";
inline constexpr std::string_view kAppVersionKey = "app.kubernetes.io/version";
inline constexpr std::string_view kModelCardKey = "preflight.wfgy.io/modelcard";
inline constexpr std::string_view kModelContainerKey = "preflight.wfgy.io/model-container";

// One value and where it was written.
struct Value {
  std::string text;        // trimmed, as written
  std::string where;       // "annotation preflight.wfgy.io/model-version", "container \"server\" arg --revision"
  std::string subject;     // effective values: "image tag", "arg --tokenizer-revision", "env REVISION"
  std::string field_path;  // effective values: "spec.template.spec.containers[0].args[3]"
};

struct ModelContainer {
  const Container* container = nullptr;  // null: none or ambiguous
  // Set when preflight.wfgy.io/model-container names no app container.
  std::optional<std::string> missing_name;
};
ModelContainer model_container(const Workload& w);

// `card_where` names the card in messages ("modelcard llm-card/modelcard.json"); `card` may be
// null (no card).
std::optional<Value> declared_value(const Workload& w, policy::DeclaredSource source,
                                    const cluster::ModelCard* card, std::string_view card_where);

// The text declared_value would give, without saying where it was read (nothing is copied):
// version-skew compares first and describes only a mismatch. Views into `w` or `card`.
std::optional<std::string_view> declared_text(const Workload& w, policy::DeclaredSource source,
                                              const cluster::ModelCard* card);

std::optional<Value> effective_value(const Container& c, policy::EffectiveSource source);

// "CONFIGMAP" or "CONFIGMAP/KEY" (key defaults to modelcard.json); nullopt when malformed
// (empty parts, more than one '/', a name that is not a DNS subdomain).
struct ModelCardRef {
  std::string configmap;
  std::string key;
};
std::optional<ModelCardRef> parse_model_card_ref(std::string_view annotation);

}  // namespace preflight::checks::skew
