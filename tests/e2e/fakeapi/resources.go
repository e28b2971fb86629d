// Package fakeapi is an in-memory, TLS-only imitation of the parts of kube-apiserver that
// preflight's cluster client uses: list (with limit/continue paging), get, and watch of the core/v1
// resources secrets, configmaps, serviceaccounts (namespaced) and nodes (cluster-scoped), with
// bearer-token authentication and the PartialObjectMetadata transform.
//
// The real API server is the reference: response bodies, status codes, resource-version semantics
// and watch framing follow it (see docs/testing.md, section "Fake API server", for each rule and
// where it diverges). Tests drive failures with Compact, DropWatches, SetDown and SetToken.
package fakeapi

// resource describes one served core/v1 resource.
type resource struct {
	kind       string // "Secret"
	plural     string // "secrets"
	namespaced bool
}

// listKind is the kind of the list object returned for this resource ("SecretList").
func (r *resource) listKind() string { return r.kind + "List" }

var (
	resSecrets         = &resource{kind: "Secret", plural: "secrets", namespaced: true}
	resConfigMaps      = &resource{kind: "ConfigMap", plural: "configmaps", namespaced: true}
	resServiceAccounts = &resource{kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true}
	resNodes           = &resource{kind: "Node", plural: "nodes", namespaced: false}
)

// allResources is the fixed table of served resources (read-only).
var allResources = []*resource{resSecrets, resConfigMaps, resServiceAccounts, resNodes}

// resourceByKind returns the resource for a kind such as "Secret", or nil.
func resourceByKind(kind string) *resource {
	for _, r := range allResources {
		if r.kind == kind {
			return r
		}
	}
	return nil
}

// resourceByPlural returns the resource for a plural such as "secrets", or nil.
func resourceByPlural(plural string) *resource {
	for _, r := range allResources {
		if r.plural == plural {
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
