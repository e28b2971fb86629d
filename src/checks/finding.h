#pragma once
// A finding: one problem a check found in one place of a workload, and how to fix it.
// Findings never carry the value of a Secret; a check quotes at most the placeholder or
// name that is wrong.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight {

// Ordered from weakest to strongest, so std::min caps a finding at its check's enforcement.
enum class Enforcement { kOff = 0, kDryRun = 1, kWarn = 2, kDeny = 3 };

std::string_view to_string(Enforcement e);
std::optional<Enforcement> parse_enforcement(std::string_view s);

struct Finding {
  std::string check;        // stable check id, e.g. "template-placeholder"
  // The strongest enforcement this finding can have. Most findings are kDeny (the check's
  // enforcement decides); advisory findings (a likely typo) are kWarn and never deny.
  Enforcement severity = Enforcement::kDeny;
  std::string container;    // container name; empty for pod-level findings
  std::string subject;      // what is wrong, short: `env OPENAI_API_KEY`, `args[2]`, `image x:y`
  std::string field_path;   // spec.template.spec.containers[0].env[2].value
  std::string message;      // what is wrong
  std::string fix;          // how to fix it
  // The check could not be made (cluster state unknown): severity comes from the policy's
  // cluster_unavailable mode, and `preflight check` lists it as "not checked", not a failure.
  bool unverified = false;
  // Optional, for the text report of `preflight check` only (never in admission messages or the
  // identity): the seed's verdict block, a short headline ("checkpoint ↔ tokenizer") and the
  // lines under it ("model: tokenizer_sha = `ad4c1b9` ...").
  std::string headline{};
  std::vector<std::string> details{};
  // Byte offset of the problem inside the value at field_path, when the check knows it (a
  // placeholder in a prompt template): lets `preflight check` point at line:column.
  std::optional<std::size_t> value_offset = std::nullopt;

  // Identity used to match the same problem in oldObject on UPDATE. Field paths are left
  // out on purpose: reordering env entries must not turn an old problem into a new one.
  std::string identity() const;
};

// One line in the CONTRACT's message shape:
// [check] container "c" subject (field.path): message; fix
std::string format_finding(const Finding& f);

// Stable order: check id, then field path, then message.
void sort_findings(std::vector<Finding>& findings);

}  // namespace preflight
