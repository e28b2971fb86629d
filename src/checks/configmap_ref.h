#pragma once
// Check `configmap-ref`: ConfigMaps the pod needs and the namespace does not have (a missing
// ConfigMap keeps the pod from starting, like a missing Secret).
//
// Rejects (kDeny), in every container (containers, initContainers, ephemeralContainers):
//   - env[].valueFrom.configMapKeyRef: the ConfigMap `name` does not exist, or has no `key`
//     in data or binaryData (kubelet: CreateContainerConfigError).
//   - envFrom[].configMapRef: the ConfigMap does not exist (only existence).
// and, pod-level (no container):
//   - volumes[].configMap (name, items[].key) and volumes[].projected.sources[].configMap
//     (name, items[].key): the ConfigMap does not exist, or lacks a listed key (the pod stays in
//     ContainerCreating).
// Allowed: any reference with `optional: true` (missing ConfigMap or key alike); references
//   that exist with every named key; empty names or keys (the API server rejects them itself).
// Not checked (unverified): a lookup the cluster view cannot answer (cache not synced, no
//   cluster given); policy.cluster_unavailable says allow / warn / deny. Without a cluster view
//   at all, nothing is reported.
// Reads: containers[*].{name, env[].valueFrom.configMapKeyRef, envFrom[].configMapRef},
//   volumes[*] ConfigMap sources, the namespace; ConfigMap names and key names.
// A missing key names the closest existing key as a hint ("did you mean"). Values are never
// read. Shares its implementation with secret-ref (object_ref.h).

#include <memory>

#include "checks/check.h"

namespace preflight::checks {

std::unique_ptr<Check> make_configmap_ref_check();

}  // namespace preflight::checks
