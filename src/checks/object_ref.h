#pragma once
// The one implementation behind `secret-ref` and `configmap-ref` (secret_ref.h and
// configmap_ref.h say what each rejects), plus the lookup helpers that `serviceaccount-ref`
// shares with them.
//
// Both checks walk the same kinds of fields, picking the ones of their resource:
//   containers[*] of every kind (app, init, ephemeral), in order:
//     env[].valueFrom.{secretKeyRef,configMapKeyRef}  name and key; container-level
//     envFrom[].{secretRef,configMapRef}             existence only; container-level
//   volumes[].{secret,configMap} and volumes[].projected.sources[].{secret,configMap}
//                                                    name and items[].key; pod-level
//   imagePullSecrets[]                               Secrets only; existence; at most kWarn
// A reference marked `optional: true` is never looked up and never reported. A reference
// with an empty name or key is left to the API server's validation, which rejects it.
//
// Contract: a pure function of (Workload, ctx). With ctx.cluster == nullptr it returns no
// findings. References resolve in the workload's namespace, "default" when it has none.
// Lookups that answer kUnknown become `unverified` findings whose severity is
// policy.cluster_unavailable (allow: none). One finding per distinct problem per field (a
// volume listing a missing key twice is reported once; at most 16 per field), in field order.
// A run looks each distinct name up once (the first 16 names; a workload names the same object
// in several fields) and allocates nothing but its findings and the key names of the objects
// whose keys a field references.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "checks/check.h"

namespace preflight::checks {

// The reference check of `resource`: kSecret gives "secret-ref", kConfigMap "configmap-ref".
// Any other resource is a programming error (aborts).
std::unique_ptr<Check> make_object_ref_check(cluster::Resource resource);

// ---- Helpers shared by the reference checks ----

// The namespace a workload's references resolve in: its own, or "default" when the manifest
// names none (where kubectl would create it without -n).
std::string_view reference_namespace(const Workload& workload);

// The word used in messages: "secret", "configmap", "serviceaccount", "node".
std::string_view resource_word(cluster::Resource resource);

// A name as findings quote it: at most 40 characters, cut ones end in "...".
std::string short_name(std::string_view name);

// The severity of a finding whose lookup answered kUnknown: kWarn or kDeny following
// policy.cluster_unavailable, never above `cap`; nullopt for `allow` (no finding).
std::optional<Enforcement> unverified_severity(const policy::Policy& policy,
                                               Enforcement cap = Enforcement::kDeny);

// Makes `f` the "not checked" finding of a reference to `resource` named `name`:
//   could not check secret "openai": <reason, cut to 100 characters>
//   retry when preflight has synced the cluster state, or create the secret first
// and sets f.unverified.
void describe_unverified(Finding& f, cluster::Resource resource, std::string_view name,
                         std::string_view reason);

}  // namespace preflight::checks
