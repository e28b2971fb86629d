#pragma once
// Check `secret-ref`: Secrets the pod needs and the namespace does not have (the seed's "Boot
// Checkpoint": a missing Secret means the pod never starts, or its first API call gets a 401).
//
// Rejects (kDeny), in every container (containers, initContainers, ephemeralContainers):
//   - env[].valueFrom.secretKeyRef: the Secret `name` does not exist, or has no `key`
//     (kubelet: CreateContainerConfigError).
//   - envFrom[].secretRef: the Secret does not exist (only existence: every key is used).
// and, pod-level (no container):
//   - volumes[].secret (secretName, items[].key) and volumes[].projected.sources[].secret
//     (name, items[].key): the Secret does not exist, or lacks a listed key (the pod stays in
//     ContainerCreating).
// Warns (kWarn): imagePullSecrets[] naming a Secret that does not exist. kubelet then pulls
//   without it, so public images still work; only private ones fail (ImagePullBackOff).
// Allowed: any reference with `optional: true` (missing Secret or key alike); references that
//   exist with every named key; empty names or keys (the API server rejects them itself).
// Not checked (unverified): a lookup the cluster view cannot answer (cache not synced, no
//   cluster given); policy.cluster_unavailable says allow / warn / deny. Without a cluster view
//   at all, nothing is reported.
// Reads: containers[*].{name, env[].valueFrom.secretKeyRef, envFrom[].secretRef},
//   volumes[*] Secret sources, imagePullSecrets, the namespace; Secret names and key names.
// A missing key names the closest existing key as a hint ("did you mean"). Values are never
// read. Shares its implementation with configmap-ref (object_ref.h).

#include <memory>

#include "checks/check.h"

namespace preflight::checks {

std::unique_ptr<Check> make_secret_ref_check();

}  // namespace preflight::checks
