package fakeapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func TestListShapeLikeTheRealServer(t *testing.T) {
	s := startServer(t, Options{})
	b := NewSecret("prod", "b", map[string]string{"OPENAI_API_KEY": "sk-sentinel"})
	b["metadata"].(map[string]any)["annotations"] = map[string]any{lastApplied: `{"stringData":{}}`}
	s.Add(b)
	s.Add(NewSecret("dev", "a", nil))
	s.Add(NewConfigMap("prod", "cm", map[string]string{"k": "v"}))
	s.Add(NewNode("n1", map[string]string{"gpu": "true"}))

	r := get(t, s, "/api/v1/secrets")
	if r.code != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("list: %d %q %s", r.code, r.header.Get("Content-Type"), r.body)
	}
	list := decode(t, r.body)
	if list["kind"] != "SecretList" || list["apiVersion"] != "v1" ||
		path(list, "metadata", "resourceVersion") != s.CurrentRV() {
		t.Fatalf("list header wrong (current RV %s): %s", s.CurrentRV(), r.body)
	}
	got := items(t, list)
	if len(got) != 2 || path(got[0], "metadata", "name") != "a" || path(got[1], "metadata", "name") != "b" {
		t.Fatalf("want items dev/a, prod/b in key order: %s", r.body)
	}
	for _, it := range got {
		if _, has := it["kind"]; has {
			t.Errorf("list item carries kind (the real server omits it): %v", it)
		}
		if _, has := it["apiVersion"]; has {
			t.Errorf("list item carries apiVersion: %v", it)
		}
		for _, f := range []string{"uid", "creationTimestamp", "resourceVersion", "namespace"} {
			if path(it, "metadata", f) == nil {
				t.Errorf("item lacks metadata.%s: %v", f, it)
			}
		}
		if it["type"] != "Opaque" {
			t.Errorf("Secret type not defaulted to Opaque: %v", it)
		}
	}
	// The fake sends what a real server sends: data values and the last-applied annotation.
	if path(got[1], "data", "OPENAI_API_KEY") != base64.StdEncoding.EncodeToString([]byte("sk-sentinel")) ||
		path(got[1], "metadata", "annotations", lastApplied) == nil {
		t.Errorf("data or last-applied annotation missing: %v", got[1])
	}

	if n := len(items(t, decode(t, get(t, s, "/api/v1/namespaces/prod/secrets").body))); n != 1 {
		t.Errorf("namespaced list: %d items, want 1", n)
	}
	if r := get(t, s, "/api/v1/namespaces/empty/secrets"); r.code != 200 || !strings.Contains(r.body, `"items":[]`) {
		t.Errorf("empty list must carry items:[]: %d %s", r.code, r.body)
	}
	nodes := decode(t, get(t, s, "/api/v1/nodes").body)
	if nodes["kind"] != "NodeList" || len(items(t, nodes)) != 1 ||
		path(items(t, nodes)[0], "metadata", "namespace") != nil {
		t.Errorf("node list wrong: %v", nodes)
	}
}

func TestPagingServesAConsistentSnapshot(t *testing.T) {
	s := startServer(t, Options{})
	for _, n := range []string{"c0", "c1", "c2", "c3", "c4"} {
		s.Add(NewConfigMap("p", n, map[string]string{"v": "old"}))
	}
	first := decode(t, get(t, s, "/api/v1/namespaces/p/configmaps?limit=2").body)
	rv := path(first, "metadata", "resourceVersion")
	cont, _ := path(first, "metadata", "continue").(string)
	if len(items(t, first)) != 2 || cont == "" || path(first, "metadata", "remainingItemCount") != 3.0 {
		t.Fatalf("first page: %v", first)
	}
	// Changes after the first page must not show in later pages.
	s.Update(NewConfigMap("p", "c3", map[string]string{"v": "new"}))
	s.Add(NewConfigMap("p", "c5", nil))

	second := decode(t, get(t, s, "/api/v1/namespaces/p/configmaps?limit=2&continue="+cont).body)
	page := items(t, second)
	if len(page) != 2 || path(page[0], "metadata", "name") != "c2" || path(page[1], "data", "v") != "old" ||
		path(second, "metadata", "resourceVersion") != rv {
		t.Fatalf("second page not from the first page's snapshot (rv %v): %v", rv, second)
	}
	cont, _ = path(second, "metadata", "continue").(string)
	third := decode(t, get(t, s, "/api/v1/namespaces/p/configmaps?limit=2&continue="+cont).body)
	if page := items(t, third); len(page) != 1 || path(page[0], "metadata", "name") != "c4" {
		t.Fatalf("third page: %v", third)
	}
	if _, has := path(third, "metadata").(map[string]any)["continue"]; has {
		t.Errorf("last page carries a continue token: %v", third)
	}

	if r := get(t, s, "/api/v1/namespaces/p/configmaps?limit=2&resourceVersion=3&continue="+cont); r.code != 400 {
		t.Errorf("resourceVersion with continue: %d, want 400", r.code)
	}
	if r := get(t, s, "/api/v1/namespaces/p/configmaps?continue=%21%21"); r.code != 400 || !strings.Contains(r.body, "invalid continue token") {
		t.Errorf("garbage continue token: %d %s", r.code, r.body)
	}
}

func TestContinueTokenExpiresAfterCompact(t *testing.T) {
	s := startServer(t, Options{})
	for _, n := range []string{"a", "b", "c"} {
		s.Add(NewSecret("ns", n, nil))
	}
	first := decode(t, get(t, s, "/api/v1/secrets?limit=1").body)
	cont := path(first, "metadata", "continue").(string)
	s.Compact()

	r := get(t, s, "/api/v1/secrets?limit=1&continue="+cont)
	if r.code != 410 {
		t.Fatalf("continue after Compact: %d %s", r.code, r.body)
	}
	st := decode(t, r.body)
	if st["kind"] != "Status" || st["reason"] != "Expired" || st["code"] != 410.0 || st["message"] != msgInconsistentContinue {
		t.Errorf("410 body: %s", r.body)
	}
	if !strings.Contains(msgInconsistentContinue, "use the continue token in this response") {
		t.Fatal("message constant drifted")
	}
	// The 410 carries a token that continues at the latest RV (inconsistent, but complete).
	fresh, _ := path(st, "metadata", "continue").(string)
	if fresh == "" {
		t.Fatalf("410 without metadata.continue: %s", r.body)
	}
	rest := decode(t, get(t, s, "/api/v1/secrets?continue="+fresh).body)
	page := items(t, rest)
	if len(page) != 2 || path(page[0], "metadata", "name") != "b" ||
		path(rest, "metadata", "resourceVersion") != s.CurrentRV() {
		t.Errorf("continuing with the fresh token: %v (current %s)", rest, s.CurrentRV())
	}

	old := path(first, "metadata", "resourceVersion").(string)
	r = get(t, s, "/api/v1/secrets?resourceVersionMatch=Exact&resourceVersion="+old)
	if r.code != 410 || decode(t, r.body)["message"] != msgExpiredList {
		t.Errorf("Exact list at a compacted RV: %d %s", r.code, r.body)
	}
}

func TestGetObjectAndExactNotFoundBody(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(NewSecret("prod", "openai", map[string]string{"k": "v"}))
	s.Add(NewNode("n1", nil))

	r := get(t, s, "/api/v1/namespaces/prod/secrets/openai")
	if r.code != 200 || !strings.HasPrefix(r.body, `{"kind":"Secret","apiVersion":"v1","metadata":{`) {
		t.Errorf("get: %d %s", r.code, r.body)
	}
	const want404 = `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",` +
		`"message":"secrets \"nope\" not found","reason":"NotFound",` +
		`"details":{"name":"nope","kind":"secrets"},"code":404}` + "\n"
	r = get(t, s, "/api/v1/namespaces/prod/secrets/nope")
	if r.code != 404 || r.body != want404 || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("404:\n got %d %q\nwant %q", r.code, r.body, want404)
	}
	if r := get(t, s, "/api/v1/namespaces/other/secrets/openai"); r.code != 404 {
		t.Errorf("same name in another namespace: %d", r.code)
	}
	if r := get(t, s, "/api/v1/nodes/n1"); r.code != 200 || decode(t, r.body)["kind"] != "Node" {
		t.Errorf("get node: %d %s", r.code, r.body)
	}
	if r := get(t, s, "/api/v1/nodes/n2"); r.code != 404 || !strings.Contains(r.body, `nodes \"n2\" not found`) {
		t.Errorf("missing node: %d %s", r.code, r.body)
	}
}

func TestUnknownPathMethodAndMediaType(t *testing.T) {
	s := startServer(t, Options{})
	const noRoute = `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",` +
		`"message":"the server could not find the requested resource","reason":"NotFound",` +
		`"details":{},"code":404}` + "\n"
	for _, p := range []string{"/api/v1/services", "/apis/apps/v1/controllerrevisions", "/apis/batch/v1/pods",
		"/apis/apps/v2/deployments", "/apis/apps/v1/namespaces/a/jobs", "/api/v1/namespaces/a/nodes",
		"/api/v1/secrets/x", "/api/v1/namespaces/a/secrets/x/y", "/"} {
		if r := get(t, s, p); r.code != 404 || r.body != noRoute {
			t.Errorf("GET %s: %d %s", p, r.code, r.body)
		}
	}
	r := call(t, s, http.MethodPost, "/api/v1/namespaces/a/secrets/x", "", "")
	if st := decode(t, r.body); r.code != 405 || st["reason"] != "MethodNotAllowed" || st["code"] != 405.0 {
		t.Errorf("POST: %d %s", r.code, r.body)
	}
	if r := call(t, s, http.MethodGet, "/api/v1/secrets", "", "application/vnd.kubernetes.protobuf"); r.code != 406 {
		t.Errorf("protobuf only: %d, want 406", r.code)
	}
	if r := call(t, s, http.MethodGet, "/api/v1/secrets", "", "application/vnd.kubernetes.protobuf, application/json"); r.code != 200 {
		t.Errorf("protobuf with JSON fallback: %d, want 200", r.code)
	}
	if r := get(t, s, "/api/v1/secrets?labelSelector=a%3Db"); r.code != 400 {
		t.Errorf("labelSelector must fail loudly, got %d", r.code)
	}
	if r := get(t, s, "/version"); r.code != 200 || decode(t, r.body)["major"] != "1" {
		t.Errorf("/version: %d %s", r.code, r.body)
	}
}

func TestTokenRotation(t *testing.T) {
	s := startServer(t, Options{Token: "tok-a"})
	const unauthorized = `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",` +
		`"message":"Unauthorized","reason":"Unauthorized","code":401}` + "\n"
	if r := call(t, s, "GET", "/api/v1/secrets", "tok-a", ""); r.code != 200 {
		t.Fatalf("valid token: %d", r.code)
	}
	s.SetToken("tok-b")
	if r := call(t, s, "GET", "/api/v1/secrets", "tok-a", ""); r.code != 401 || r.body != unauthorized {
		t.Errorf("old token: %d %q", r.code, r.body)
	}
	if r := call(t, s, "GET", "/api/v1/secrets", "tok-b", ""); r.code != 200 {
		t.Errorf("new token: %d", r.code)
	}
	if r := call(t, s, "GET", "/api/v1/nowhere", "", ""); r.code != 401 {
		t.Errorf("no token on an unknown path: %d (authentication runs before routing)", r.code)
	}
	recs := s.Requests()
	if len(recs) != 4 {
		t.Fatalf("recorded %d requests, want 4", len(recs))
	}
	if recs[1].Token != "tok-a" || recs[1].Status != 401 || !recs[1].HadBearer || recs[1].Verb != "list" {
		t.Errorf("record of the rejected request: %+v", recs[1])
	}
	if recs[2].Token != "tok-b" || recs[2].Status != 200 || recs[3].HadBearer {
		t.Errorf("records: %+v / %+v", recs[2], recs[3])
	}
}

func TestSetDownRefusesConnectionsAndCutsWatches(t *testing.T) {
	s := startServer(t, Options{})
	w := openWatch(t, s, "/api/v1/secrets?watch=1", "", "")
	if !s.WaitOpenWatches(1, waitLong) {
		t.Fatal("watch not open")
	}
	s.SetDown(true)
	if err := w.waitEnd(t); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("watch must end abruptly when the server goes down, got %v", err)
	}
	if n := s.OpenWatches(); n != 0 {
		t.Errorf("OpenWatches after SetDown = %d", n)
	}
	_, err := net.DialTimeout("tcp", strings.TrimPrefix(s.URL, "https://"), time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial while down: %v, want connection refused", err)
	}
	s.SetDown(false)
	if r := get(t, s, "/api/v1/secrets"); r.code != 200 {
		t.Errorf("after SetDown(false): %d", r.code)
	}
}

func TestPartialObjectMetadata(t *testing.T) {
	s := startServer(t, Options{})
	sec := NewSecret("prod", "openai", map[string]string{"k": "sk-sentinel"})
	sec["metadata"].(map[string]any)["labels"] = map[string]any{"app": "x"}
	s.Add(sec)

	const listAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
	r := call(t, s, "GET", "/api/v1/namespaces/prod/secrets", "", listAccept)
	list := decode(t, r.body)
	if r.code != 200 || list["kind"] != "PartialObjectMetadataList" || list["apiVersion"] != "meta.k8s.io/v1" ||
		path(list, "metadata", "resourceVersion") != s.CurrentRV() {
		t.Fatalf("partial list: %d %s", r.code, r.body)
	}
	it := items(t, list)[0]
	if len(it) != 3 || it["kind"] != "PartialObjectMetadata" || it["apiVersion"] != "meta.k8s.io/v1" ||
		path(it, "metadata", "labels", "app") != "x" {
		t.Errorf("partial item: %v", it)
	}
	if strings.Contains(r.body, base64.StdEncoding.EncodeToString([]byte("sk-sentinel"))) {
		t.Error("partial list leaks data")
	}

	// The documented fallback form negotiates the transform too.
	r = call(t, s, "GET", "/api/v1/secrets", "", listAccept+", application/json;q=0.9")
	if decode(t, r.body)["kind"] != "PartialObjectMetadataList" {
		t.Errorf("fallback Accept: %s", r.body)
	}
	r = call(t, s, "GET", "/api/v1/secrets", "", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1beta1")
	if decode(t, r.body)["apiVersion"] != "meta.k8s.io/v1beta1" {
		t.Errorf("v1beta1: %s", r.body)
	}
	r = call(t, s, "GET", "/api/v1/namespaces/prod/secrets/openai", "", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
	if obj := decode(t, r.body); r.code != 200 || obj["kind"] != "PartialObjectMetadata" || obj["data"] != nil {
		t.Errorf("partial get: %d %s", r.code, r.body)
	}
	// Mismatched single/list transforms are 406, as on the real server.
	if r := call(t, s, "GET", "/api/v1/secrets", "", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"); r.code != 406 {
		t.Errorf("list as PartialObjectMetadata: %d, want 406", r.code)
	}
	if r := call(t, s, "GET", "/api/v1/namespaces/prod/secrets/openai", "", listAccept); r.code != 406 {
		t.Errorf("get as PartialObjectMetadataList: %d, want 406", r.code)
	}
}

func TestServingCertificate(t *testing.T) {
	s := startServer(t, Options{})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CACertPEM)
	conn, err := tls.Dial("tcp", strings.TrimPrefix(s.URL, "https://"),
		&tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS with ServerName localhost: %v", err)
	}
	defer conn.Close()
	leaf := conn.ConnectionState().PeerCertificates[0]
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("::1"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("example.com"); err == nil {
		t.Error("certificate must not be valid for example.com")
	}
	if pk, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pk.Curve != elliptic.P256() {
		t.Errorf("want an ECDSA P-256 key, got %T", leaf.PublicKey)
	}
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") {
		t.Errorf("URL %q", s.URL)
	}
}

// recordingTB captures Errorf so misuse reports can be asserted.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper()                           {}
func (r *recordingTB) Errorf(format string, args ...any) { r.errs = append(r.errs, format) }

func TestMisuseIsReported(t *testing.T) {
	rec := &recordingTB{TB: t}
	s, err := Start(rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Add(NewSecret("a", "x", nil))
	if len(rec.errs) != 0 {
		t.Fatalf("clean Add reported: %v", rec.errs)
	}
	s.Add(NewSecret("a", "x", nil))            // duplicate
	s.Update(NewSecret("a", "missing", nil))   // missing
	s.Delete("Secret", "a", "missing")         // missing
	s.Add(map[string]any{"kind": "Pod"})       // unsupported kind
	s.Add(map[string]any{"kind": "ConfigMap"}) // no name
	if len(rec.errs) != 5 {
		t.Errorf("want 5 reports, got %d", len(rec.errs))
	}
}

// The workload resources are served under their group's path with the group's apiVersion and
// List kind, like kube-apiserver: apps/v1 DeploymentList at /apis/apps/v1/deployments.
func TestWorkloadResourcesLikeTheRealServer(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "api", "namespace": "prod"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{}}}})
	s.Add(map[string]any{"kind": "CronJob", "metadata": map[string]any{"name": "nightly", "namespace": "batch"}})
	s.Add(map[string]any{"kind": "Pod", "metadata": map[string]any{"name": "debug"}})
	for _, c := range []struct{ path, kind, apiVersion, name string }{
		{"/apis/apps/v1/deployments", "DeploymentList", "apps/v1", "api"},
		{"/apis/apps/v1/namespaces/prod/deployments", "DeploymentList", "apps/v1", "api"},
		{"/apis/batch/v1/cronjobs", "CronJobList", "batch/v1", "nightly"},
		{"/api/v1/pods", "PodList", "v1", "debug"},
	} {
		r := get(t, s, c.path)
		if r.code != 200 {
			t.Fatalf("GET %s: %d %s", c.path, r.code, r.body)
		}
		list := decode(t, r.body)
		got := items(t, list)
		if list["kind"] != c.kind || list["apiVersion"] != c.apiVersion || len(got) != 1 ||
			path(got[0], "metadata", "name") != c.name {
			t.Errorf("GET %s: %s", c.path, r.body)
		}
	}
	if r := get(t, s, "/apis/apps/v1/statefulsets"); r.code != 200 || !strings.Contains(r.body, `"items":[]`) {
		t.Errorf("empty StatefulSet list: %d %s", r.code, r.body)
	}
	r := get(t, s, "/apis/apps/v1/namespaces/prod/deployments/api")
	if obj := decode(t, r.body); r.code != 200 || obj["kind"] != "Deployment" || obj["apiVersion"] != "apps/v1" {
		t.Errorf("get deployment: %d %s", r.code, r.body)
	}
	r = get(t, s, "/apis/apps/v1/namespaces/prod/deployments/gone")
	if st := decode(t, r.body); r.code != 404 || path(st, "details", "group") != "apps" ||
		st["message"] != `deployments.apps "gone" not found` {
		t.Errorf("missing deployment: %d %s", r.code, r.body)
	}
	// Delete works on workload kinds too.
	s.Delete("Deployment", "prod", "api")
	if r := get(t, s, "/apis/apps/v1/deployments"); !strings.Contains(r.body, `"items":[]`) {
		t.Errorf("after delete: %s", r.body)
	}
}
