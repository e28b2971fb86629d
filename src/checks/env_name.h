#pragma once
// Check `env-name`: environment variable names that the app will look for and not find
// (the seed's "OPEN_API_KEY vs OPENAI_API_KEY").
//
// Rejects (kDeny): an app container (containers[], not initContainers[] or
//   ephemeralContainers[]) that does not define a required variable. Required variables are
//   policy.required_env plus the comma separated annotation
//   `preflight.wfgy.io/required-env` (on the workload, else on its pod template). Defined means
//   an env[] entry of that exact name, or an envFrom[] Secret/ConfigMap whose keys the cluster
//   view knows and that holds it (after the envFrom prefix). When any envFrom[] of a container
//   has keys that are not known (no cluster view, empty namespace, or a lookup that is not
//   kFound), a variable may come from there, so nothing is reported missing for that container.
//   The message names the closest defined name as a hint (within 3 edits, ignoring case).
// Warns (kWarn), in every container:
//   - an env[].name one or two edits (ignoring case) from a well-known name (provider SDK
//     variables such as OPENAI_API_KEY, HF_TOKEN, AWS_REGION) or from a required name, or equal
//     to one up to case. Names under 6 characters are not compared; names shorter than 10 need
//     to be within one edit. Not reported when the same name is already the hint of a missing
//     required variable in that container.
//   - a name defined twice in one container's env[] (Kubernetes keeps the last one).
// Reads: containers[*].{name, env[].name, envFrom[].{secretRef,configMapRef}.name, prefix},
//   the required-env annotation, policy.required_env, and Secret/ConfigMap key names.
// Allowed: everything else, including well-known names themselves, their extensions with an
//   underscore (OPENAI_API_KEY_2, MY_HF_TOKEN) and GH_TOKEN (GitHub CLI).
// Output is deterministic; names in messages are cut to 40 characters; values are never read.

#include <memory>

#include "checks/check.h"

namespace preflight::checks {

std::unique_ptr<Check> make_env_name_check();

}  // namespace preflight::checks
