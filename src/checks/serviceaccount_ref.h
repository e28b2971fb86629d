#pragma once
// Check `serviceaccount-ref`: a pod template that runs as a ServiceAccount the namespace does
// not have. For a Pod the API server's ServiceAccount admission rejects it; for a controller
// (Deployment, Job, ...) the object is admitted, and then the controller cannot create a single
// pod until the ServiceAccount exists.
//
// Rejects (kDeny): spec.serviceAccountName (or the deprecated spec.serviceAccount) naming a
//   ServiceAccount that does not exist in the workload's namespace ("default" when it has none).
// Allowed: an empty name or "default" (the controller manager creates the default
//   ServiceAccount of every namespace), and any existing ServiceAccount.
// Not checked (unverified): a lookup the cluster view cannot answer (cache not synced, no
//   cluster given); policy.cluster_unavailable says allow / warn / deny. Without a cluster view
//   at all, nothing is reported.
// Reads: the pod spec's serviceAccountName, the namespace; ServiceAccount names.

#include <memory>

#include "checks/check.h"

namespace preflight::checks {

std::unique_ptr<Check> make_serviceaccount_ref_check();

}  // namespace preflight::checks
