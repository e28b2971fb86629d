#pragma once
// Check `version-skew`: the declared model/tokenizer versions disagree with what the model
// container runs (the seed's SemVer Diff: "tokenizer / checkpoint version skew: embeds garbage,
// 0% recall"). docs/checks/version-skew.md has every source, comparator and example.
//
// Looks at: labels/annotations preflight.wfgy.io/model-version, app.kubernetes.io/version,
//   preflight.wfgy.io/tokenizer-sha; the model card (preflight.wfgy.io/modelcard:
//   CONFIGMAP[/KEY], read through ClusterView::model_card, or CheckContext::model_card for
//   `preflight check --modelcard`); the model container's image tag, image CUDA, revision flags
//   and env (skew_values.h).
// Rules: policy.skew_rules (policy/skew_rule.h). A rule is compared only when both values are
//   present and parse for its comparator; anything else is no finding (never a guess):
//   semver   versions (version/semver.h); drift tolerated per ignore_versions (patch: patch
//            drift; minor: minor and patch drift); a major difference never
//   sha      7..64 hex characters; the shorter must be a prefix of the longer
//   cuda     CUDA versions (cuda/cuda_version.h), equal major.minor
//   exact    the same text
// Rejects, at the rule's enforcement (capped by the check's): a mismatch; subject and field path
//   of the effective value, container = the model container.
// Also rejects (deny), when the model card is read from the cluster state and that state is
//   known: the ConfigMap is missing, it has no such key, or the key holds no model card. Unknown
//   cluster state, or no cluster view: nothing. A malformed modelcard annotation, or a
//   model-container annotation naming no app container: warn.
// An ambiguous model container (several GPU containers, or several containers without a GPU)
// means no comparison with effective values.

#include <memory>

#include "checks/check.h"

namespace preflight::checks {

std::unique_ptr<Check> make_version_skew_check();

}  // namespace preflight::checks
