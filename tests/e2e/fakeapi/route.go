package fakeapi

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// route is a parsed request path.
type route struct {
	res      *resource // nil: not a resource path
	ns, name string
	special  string // "/version", "/healthz", "/readyz", "/livez"
}

// parseRoute understands the paths of the served resources, core/v1 under /api/v1 and the
// others under /apis/{group}/v1 (same shapes):
//
//	/api/v1/{plural}                        list/watch across namespaces, or of nodes
//	/api/v1/nodes/{name}                    get a cluster-scoped object
//	/api/v1/namespaces/{ns}/{plural}        list/watch in a namespace
//	/api/v1/namespaces/{ns}/{plural}/{name} get a namespaced object
//
// Anything else (including /api/v1/namespaces/{ns}/nodes and /api/v1/secrets/{name}) has no route.
func parseRoute(path string) route {
	switch path {
	case "/version", "/healthz", "/readyz", "/livez":
		return route{special: path}
	}
	group, rest := "", ""
	switch {
	case strings.HasPrefix(path, "/api/v1/"):
		rest = strings.TrimPrefix(path, "/api/v1/")
	case strings.HasPrefix(path, "/apis/apps/v1/"):
		group, rest = "apps", strings.TrimPrefix(path, "/apis/apps/v1/")
	case strings.HasPrefix(path, "/apis/batch/v1/"):
		group, rest = "batch", strings.TrimPrefix(path, "/apis/batch/v1/")
	default:
		return route{}
	}
	parts := strings.Split(rest, "/")
	for _, p := range parts {
		if p == "" {
			return route{}
		}
	}
	if parts[0] == "namespaces" {
		if len(parts) < 3 || len(parts) > 4 {
			return route{}
		}
		res := resourceByPlural(group, parts[2])
		if res == nil || !res.namespaced {
			return route{}
		}
		rt := route{res: res, ns: parts[1]}
		if len(parts) == 4 {
			rt.name = parts[3]
		}
		return rt
	}
	res := resourceByPlural(group, parts[0])
	switch {
	case res == nil || len(parts) > 2:
		return route{}
	case len(parts) == 2 && res.namespaced:
		return route{}
	case len(parts) == 2:
		return route{res: res, name: parts[1]}
	}
	return route{res: res}
}

// verb is the Kubernetes request verb: "list", "watch" or "get"; "" for other paths/methods.
func (rt route) verb(method string, q url.Values) string {
	if rt.res == nil || method != http.MethodGet {
		return ""
	}
	if watch, _ := strconv.ParseBool(q.Get("watch")); watch {
		return "watch"
	}
	if rt.name != "" {
		return "get"
	}
	return "list"
}

const (
	kindPartial     = "PartialObjectMetadata"
	kindPartialList = "PartialObjectMetadataList"
)

// mediaType is the negotiated response representation: plain JSON, or a PartialObjectMetadata
// transform in meta.k8s.io/<version>.
type mediaType struct {
	partial string // "", kindPartial or kindPartialList
	version string // "v1" or "v1beta1" when partial != ""
}

// negotiate picks the first acceptable entry of an Accept header, by decreasing q. The fake
// serves JSON only: protobuf, YAML, CBOR and the Table transform are not acceptable.
func negotiate(accept string) (mediaType, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaType{}, true
	}
	type clause struct {
		typ    string
		params map[string]string
		q      float64
	}
	var clauses []clause
	for _, raw := range strings.Split(accept, ",") {
		fields := strings.Split(raw, ";")
		c := clause{typ: strings.ToLower(strings.TrimSpace(fields[0])), params: map[string]string{}, q: 1}
		for _, f := range fields[1:] {
			k, v, _ := strings.Cut(f, "=")
			c.params[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
		if qs, ok := c.params["q"]; ok {
			if q, err := strconv.ParseFloat(qs, 64); err == nil {
				c.q = q
			}
		}
		clauses = append(clauses, c)
	}
	sort.SliceStable(clauses, func(i, j int) bool { return clauses[i].q > clauses[j].q })
	for _, c := range clauses {
		if c.q <= 0 {
			continue
		}
		switch c.typ {
		case "application/json", "application/*", "*/*":
		default:
			continue
		}
		as := c.params["as"]
		if as == "" {
			return mediaType{}, true
		}
		v := c.params["v"]
		if c.typ == "application/json" && (as == kindPartial || as == kindPartialList) &&
			c.params["g"] == "meta.k8s.io" && (v == "v1" || v == "v1beta1") {
			return mediaType{partial: as, version: v}, true
		}
	}
	return mediaType{}, false
}

// bearerToken extracts the token of an "Authorization: Bearer <token>" header (scheme matched
// case-insensitively, as the apiserver's bearer authenticator does).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
