// Package fakeapi is an in-memory, TLS-only imitation of the parts of kube-apiserver that
// preflight's cluster client uses: list (with limit/continue paging), get, and watch of the core/v1
// resources secrets, configmaps, serviceaccounts (namespaced) and nodes (cluster-scoped), the
// workload resources apps/v1 deployments, statefulsets, daemonsets, replicasets, batch/v1 jobs,
// cronjobs and core/v1 pods (namespaced), with bearer-token authentication and the
// PartialObjectMetadata transform.
//
// The real API server is the reference: response bodies, status codes, resource-version semantics
// and watch framing follow it (see docs/testing.md, section "Fake API server", for each rule and
// where it diverges). Tests drive failures with Compact, DropWatches, SetDown and SetToken.
package fakeapi

// resource describes one served resource.
type resource struct {
	kind       string // "Secret"
	plural     string // "secrets"
	namespaced bool
	group      string // "" (core), "apps", "batch"; the version is always v1
}

// apiVersion is what objects and lists of this resource carry: "v1", "apps/v1", "batch/v1".
func (r *resource) apiVersion() string {
	if r.group == "" {
		return "v1"
	}
	return r.group + "/v1"
}

// internalGroup names the group as the apiserver's internal types do in some messages
// ("*core.SecretList", "*apps.DeploymentList").
func (r *resource) internalGroup() string {
	if r.group == "" {
		return "core"
	}
	return r.group
}

// listKind is the kind of the list object returned for this resource ("SecretList").
func (r *resource) listKind() string { return r.kind + "List" }

var (
	resSecrets         = &resource{kind: "Secret", plural: "secrets", namespaced: true}
	resConfigMaps      = &resource{kind: "ConfigMap", plural: "configmaps", namespaced: true}
	resServiceAccounts = &resource{kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true}
	resNodes           = &resource{kind: "Node", plural: "nodes", namespaced: false}
	resDeployments     = &resource{kind: "Deployment", plural: "deployments", namespaced: true, group: "apps"}
	resStatefulSets    = &resource{kind: "StatefulSet", plural: "statefulsets", namespaced: true, group: "apps"}
	resDaemonSets      = &resource{kind: "DaemonSet", plural: "daemonsets", namespaced: true, group: "apps"}
	resReplicaSets     = &resource{kind: "ReplicaSet", plural: "replicasets", namespaced: true, group: "apps"}
	resJobs            = &resource{kind: "Job", plural: "jobs", namespaced: true, group: "batch"}
	resCronJobs        = &resource{kind: "CronJob", plural: "cronjobs", namespaced: true, group: "batch"}
	resPods            = &resource{kind: "Pod", plural: "pods", namespaced: true}
)

// allResources is the fixed table of served resources (read-only).
var allResources = []*resource{resSecrets, resConfigMaps, resServiceAccounts, resNodes,
	resDeployments, resStatefulSets, resDaemonSets, resReplicaSets, resJobs, resCronJobs, resPods}

// resourceByKind returns the resource for a kind such as "Secret", or nil.
func resourceByKind(kind string) *resource {
	for _, r := range allResources {
		if r.kind == kind {
			return r
		}
	}
	return nil
}

// resourceByPlural returns the resource of a group for a plural such as "secrets", or nil.
func resourceByPlural(group, plural string) *resource {
	for _, r := range allResources {
		if r.group == group && r.plural == plural {
			return r
		}
	}
	return nil
}

// objectKey is the storage key of an object: "ns/name" for namespaced resources, "name" otherwise.
// Sorting keys byte-wise gives the order etcd returns them in (namespace, then name).
func objectKey(r *resource, ns, name string) string {
	if r.namespaced {
		return ns + "/" + name
	}
	return name
}
