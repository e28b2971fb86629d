// Package cluster runs the real `preflight serve` against the fake Kubernetes API server
// (preflight/e2e/fakeapi) and checks what a cluster operator relies on: the watch caches sync,
// follow changes, resume and relist like client-go, survive token rotation and an API server
// outage, and never let a Secret value out. Every test gets its own fake, kubeconfig, policy and
// loopback ports; the TLS serving certificate is made once with certs/gen-certs.sh.
//
// Environment: PREFLIGHT_BIN (the binary; the tests skip without it), PREFLIGHT_SOURCE_DIR (the
// repository, default ../../..).
package cluster

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"preflight/e2e/fakeapi"
	"preflight/e2e/testutil"
)

var (
	binPath   string
	sourceDir string

	certOnce sync.Once
	certDir  string
	certErr  error
)

func TestMain(m *testing.M) {
	binPath = os.Getenv("PREFLIGHT_BIN")
	if binPath != "" {
		if abs, err := filepath.Abs(binPath); err == nil {
			binPath = abs
		}
	}
	sourceDir = os.Getenv("PREFLIGHT_SOURCE_DIR")
	if sourceDir == "" {
		sourceDir = "../../.."
	}
	if abs, err := filepath.Abs(sourceDir); err == nil {
		sourceDir = abs
	}
	code := m.Run()
	if certDir != "" {
		os.RemoveAll(filepath.Dir(certDir))
	}
	os.Exit(code)
}

// needBin skips the test when no binary is given.
func needBin(t *testing.T) {
	t.Helper()
	if binPath == "" {
		t.Skip("PREFLIGHT_BIN is not set")
	}
}

// servingCerts makes the webhook's CA and serving certificate once for the package.
func servingCerts(t *testing.T) string {
	t.Helper()
	certOnce.Do(func() {
		base, err := os.MkdirTemp("", "preflight-cluster-e2e-")
		if err != nil {
			certErr = err
			return
		}
		dir := filepath.Join(base, "certs")
		cmd := exec.Command(filepath.Join(sourceDir, "certs", "gen-certs.sh"), dir)
		cmd.Env = append(os.Environ(), "FORCE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			certErr = fmt.Errorf("gen-certs.sh: %v\n%s", err, out)
			return
		}
		certDir = dir
	})
	if certErr != nil {
		t.Fatal(certErr)
	}
	return certDir
}

// ---- fake API server and kubeconfig -------------------------------------------------------

func startFake(t *testing.T, token string) *fakeapi.Server {
	t.Helper()
	s, err := fakeapi.Start(t, fakeapi.Options{Token: token})
	if err != nil {
		t.Fatalf("fakeapi.Start: %v", err)
	}
	return s
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	return freePort(t)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// kubeAuth is the user entry of the kubeconfig: a static token or a token file.
type kubeAuth struct {
	token     string
	tokenFile string
}

// writeKubeconfig writes a standard kubeconfig whose current context points at the fake. A decoy
// context (listed first) points at a closed port with a wrong token: using it would never sync.
func writeKubeconfig(t *testing.T, dir string, fake *fakeapi.Server, auth kubeAuth) string {
	t.Helper()
	user := ""
	switch {
	case auth.tokenFile != "":
		user = fmt.Sprintf("    tokenFile: %q\n", auth.tokenFile)
	case auth.token != "":
		user = fmt.Sprintf("    token: %q\n", auth.token)
	default:
		user = "    {}\n"
	}
	ca := base64.StdEncoding.EncodeToString(fake.CACertPEM)
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
preferences: {}
clusters:
- name: decoy
  cluster:
    server: https://127.0.0.1:%d
    certificate-authority-data: %s
- name: fake
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: decoy-user
  user:
    token: decoy-token-never-valid
- name: e2e
  user:
%scontexts:
- name: decoy
  context:
    cluster: decoy
    user: decoy-user
- name: fake
  context:
    cluster: fake
    user: e2e
    namespace: default
current-context: fake
`, closedPort(t), ca, fake.URL, ca, user)
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeTokenFile replaces the token file the way the kubelet does: a new file renamed into place.
func writeTokenFile(t *testing.T, path, token string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// ---- the preflight process ----------------------------------------------------------------

type serveOptions struct {
	kubeconfig string
	// policy YAML; "" = built-in defaults. Unless it configures `audit:`, the background audit
	// is turned off (interval 0), so serve watches only the four reference resources these tests
	// count requests and watches of; audit_test.go turns it on.
	policy   string
	logLevel string // default "info"
}

type preflight struct {
	t           *testing.T
	dir         string
	addr        string
	metricsAddr string
	cmd         *exec.Cmd
	stderr      *testutil.SyncBuffer
	stdout      *testutil.SyncBuffer
	done        chan struct{}
	client      *http.Client
	plain       *http.Client

	mu        sync.Mutex
	responses [][]byte // every body preflight answered, for the leak test
}

// startPreflight starts `preflight serve` against the kubeconfig and waits until it serves
// /healthz on both ports (not until it is ready: the caller decides what readiness to expect).
func startPreflight(t *testing.T, opts serveOptions) *preflight {
	t.Helper()
	needBin(t)
	certs := servingCerts(t)
	dir := t.TempDir()
	if opts.logLevel == "" {
		opts.logLevel = "info"
	}
	args := []string{"serve",
		"--tls-cert", filepath.Join(certs, "tls.crt"),
		"--tls-key", filepath.Join(certs, "tls.key"),
		"--kubeconfig", opts.kubeconfig, "--log-level", opts.logLevel}
	if !strings.Contains(opts.policy, "audit:") {
		opts.policy += "\naudit:\n  interval: 0\n"
	}
	if opts.policy != "" {
		path := filepath.Join(dir, "policy.yaml")
		if err := os.WriteFile(path, []byte(opts.policy), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", path)
	}
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(filepath.Join(certs, "ca.crt"))
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("cannot load the webhook CA: %v", err)
	}
	var lastErr string
	for attempt := 0; attempt < 3; attempt++ {
		p := &preflight{t: t, dir: dir,
			addr:        fmt.Sprintf("127.0.0.1:%d", freePort(t)),
			metricsAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
			stderr:      &testutil.SyncBuffer{}, stdout: &testutil.SyncBuffer{}, done: make(chan struct{})}
		full := append(append([]string(nil), args...), "--listen", p.addr, "--metrics-listen", p.metricsAddr)
		p.cmd = exec.Command(binPath, full...)
		p.cmd.Dir = dir
		p.cmd.Stderr, p.cmd.Stdout = p.stderr, p.stdout
		tr := &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost",
				NextProtos: []string{"http/1.1"}},
			MaxIdleConnsPerHost: 25,
		}
		p.client = &http.Client{Transport: tr, Timeout: 15 * time.Second}
		p.plain = &http.Client{Timeout: 5 * time.Second}
		if err := p.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", binPath, err)
		}
		go func() {
			p.cmd.Wait()
			close(p.done)
		}()
		t.Cleanup(func() {
			tr.CloseIdleConnections()
			p.stop()
			if t.Failed() {
				t.Logf("preflight stderr (last 6 KiB):\n%s", tail(p.stderr.String(), 6144))
			}
		})
		if p.waitServing(10 * time.Second) {
			return p
		}
		lastErr = p.stderr.String()
		p.stop()
		if !strings.Contains(lastErr, "listen") {
			break // not a port race
		}
	}
	t.Fatalf("preflight serve did not start serving; stderr:\n%s", lastErr)
	return nil
}

func (p *preflight) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *preflight) stop() {
	if p.cmd.Process != nil && !p.exited() {
		p.cmd.Process.Kill()
	}
	<-p.done
}

func (p *preflight) waitServing(timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if p.exited() {
			return false
		}
		plain, _, err1 := p.get(false, "/healthz")
		tlsCode, _, err2 := p.get(true, "/healthz")
		if err1 == nil && err2 == nil && plain == 200 && tlsCode == 200 {
			return true
		}
	}
	return false
}

// get fetches path from the TLS port (tlsPort) or the metrics port.
func (p *preflight) get(tlsPort bool, path string) (int, string, error) {
	var resp *http.Response
	var err error
	if tlsPort {
		resp, err = p.client.Get("https://" + p.addr + path)
	} else {
		resp, err = p.plain.Get("http://" + p.metricsAddr + path)
	}
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	p.keep(body)
	return resp.StatusCode, string(body), err
}

func (p *preflight) keep(body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.responses = append(p.responses, append([]byte(nil), body...))
}

// readyz returns the status and body of /readyz on the metrics port and the status on the TLS
// port (read right after: the two may differ while the caches sync).
func (p *preflight) readyz() (code int, body string, tlsCode int) {
	p.t.Helper()
	code, body, err := p.get(false, "/readyz")
	if err != nil {
		p.t.Fatalf("GET /readyz (metrics port): %v", err)
	}
	tlsCode, _, err = p.get(true, "/readyz")
	if err != nil {
		p.t.Fatalf("GET /readyz (TLS port): %v", err)
	}
	return code, body, tlsCode
}

// waitReady waits for /readyz 200 on both ports and returns how long it took.
func (p *preflight) waitReady(timeout time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	waitFor(p.t, timeout, "/readyz 200", func() (bool, string) {
		if p.exited() {
			p.t.Fatalf("preflight exited; stderr:\n%s", tail(p.stderr.String(), 4096))
		}
		code, body, tlsCode := p.readyz()
		return code == 200 && tlsCode == 200, fmt.Sprintf("last answer %d %q (TLS port %d)", code, body, tlsCode)
	})
	return time.Since(start)
}

func (p *preflight) metrics() string {
	p.t.Helper()
	code, body, err := p.get(false, "/metrics")
	if err != nil || code != 200 {
		p.t.Fatalf("GET /metrics: %d %v", code, err)
	}
	return body
}

// ---- admission reviews --------------------------------------------------------------------

type reviewResult struct {
	HTTPStatus int
	UID        string
	Allowed    bool
	Code       int
	Message    string
	Warnings   []string
	Elapsed    time.Duration
	Raw        string
}

func (r reviewResult) String() string {
	return fmt.Sprintf("HTTP %d allowed=%v code=%d message=%q warnings=%q (%v)", r.HTTPStatus,
		r.Allowed, r.Code, r.Message, r.Warnings, r.Elapsed.Round(time.Millisecond))
}

// review posts an AdmissionReview to /validate?timeout=TIMEOUT (the API server's query
// parameter; "" = none) and decodes the answer. Safe to call from several goroutines.
func (p *preflight) review(body []byte, timeout string) (reviewResult, error) {
	path := "/validate"
	if timeout != "" {
		path += "?timeout=" + url.QueryEscape(timeout)
	}
	start := time.Now()
	resp, err := p.client.Post("https://"+p.addr+path, "application/json", bytes.NewReader(body))
	if err != nil {
		return reviewResult{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	res := reviewResult{HTTPStatus: resp.StatusCode, Elapsed: time.Since(start), Raw: string(raw)}
	if err != nil {
		return res, err
	}
	p.keep(raw)
	var doc struct {
		Response struct {
			UID     string `json:"uid"`
			Allowed bool   `json:"allowed"`
			Status  struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"status"`
			Warnings []string `json:"warnings"`
		} `json:"response"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return res, fmt.Errorf("undecodable answer %q: %v", raw, err)
	}
	res.UID, res.Allowed, res.Code = doc.Response.UID, doc.Response.Allowed, doc.Response.Status.Code
	res.Message, res.Warnings = doc.Response.Status.Message, doc.Response.Warnings
	return res, nil
}

// warmConnections opens n keep-alive connections to the TLS port before a timed test, in waves
// of 5 new ones (each wave holds its connections ~150 ms with reviews waiting for a missing
// Secret), so connection set-up does not count in the timings. Needs secret_timeout >= 200ms.
func (p *preflight) warmConnections(n int) {
	p.t.Helper()
	for k := 5; k <= n; k += 5 {
		var wg sync.WaitGroup
		for i := 0; i < k; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.review(secretReview("warm-up", "absent", "K"), "200ms")
			}()
		}
		wg.Wait()
	}
}

// mustReview is review for the test goroutine: transport errors, non-200 answers and a wrong
// uid fail the test.
func (p *preflight) mustReview(body []byte) reviewResult {
	p.t.Helper()
	res, err := p.review(body, "10s")
	if err != nil {
		p.t.Fatalf("POST /validate: %v", err)
	}
	if res.HTTPStatus != 200 {
		p.t.Fatalf("POST /validate: %s body %s", res, res.Raw)
	}
	var req struct {
		Request struct {
			UID string `json:"uid"`
		} `json:"request"`
	}
	json.Unmarshal(body, &req)
	if res.UID != req.Request.UID {
		p.t.Fatalf("answer uid %q, request uid %q", res.UID, req.Request.UID)
	}
	return res
}

var uidSeq struct {
	sync.Mutex
	n int
}

func nextUID(prefix string) string {
	uidSeq.Lock()
	defer uidSeq.Unlock()
	uidSeq.n++
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), uidSeq.n)
}

// secretEnv is an env entry taking KEY of Secret NAME.
func secretEnv(env, name, key string) map[string]any {
	return map[string]any{"name": env, "valueFrom": map[string]any{
		"secretKeyRef": map[string]any{"name": name, "key": key}}}
}

// configMapEnv is an env entry taking KEY of ConfigMap NAME.
func configMapEnv(env, name, key string) map[string]any {
	return map[string]any{"name": env, "valueFrom": map[string]any{
		"configMapKeyRef": map[string]any{"name": name, "key": key}}}
}

// podSpec is one container "server" with the given env; serviceAccount "" leaves it unset.
func podSpec(serviceAccount string, env ...map[string]any) map[string]any {
	list := make([]any, len(env))
	for i, e := range env {
		list[i] = e
	}
	spec := map[string]any{"containers": []any{map[string]any{
		"name": "server", "image": "registry.example.com/llm/server:1.0.0", "env": list}}}
	if serviceAccount != "" {
		spec["serviceAccountName"] = serviceAccount
	}
	return spec
}

// deploymentReview is an admission.k8s.io/v1 CREATE review of Deployment ns/name.
func deploymentReview(uid, ns, name string, spec map[string]any) []byte {
	labels := map[string]any{"app": name}
	obj := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels},
		"spec": map[string]any{"replicas": 1,
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{"metadata": map[string]any{"labels": labels}, "spec": spec}},
	}
	gvk := map[string]any{"group": "apps", "version": "v1", "kind": "Deployment"}
	gvr := map[string]any{"group": "apps", "version": "v1", "resource": "deployments"}
	review := map[string]any{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
		"request": map[string]any{"uid": uid, "kind": gvk, "resource": gvr,
			"requestKind": gvk, "requestResource": gvr, "name": name, "namespace": ns,
			"operation": "CREATE",
			"userInfo":  map[string]any{"username": "e2e", "groups": []any{"system:authenticated"}},
			"object":    obj, "oldObject": nil, "dryRun": false,
			"options": map[string]any{"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}}
	raw, err := json.Marshal(review)
	if err != nil {
		panic(err)
	}
	return raw
}

// secretReview is a review of Deployment ns/app whose container takes OPENAI_API_KEY from
// Secret name, key key.
func secretReview(ns, name, key string) []byte {
	return deploymentReview(nextUID("sec"), ns, "app", podSpec("", secretEnv("OPENAI_API_KEY", name, key)))
}

// ---- metrics ------------------------------------------------------------------------------

// metricSum adds the values of every series of name whose labels include want.
func metricSum(text, name string, want map[string]string) (float64, bool) {
	sum, found := 0.0, false
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name) || strings.HasPrefix(line, "#") {
			continue
		}
		rest := line[len(name):]
		labels := map[string]string{}
		if strings.HasPrefix(rest, "{") {
			end := strings.LastIndex(rest, "}")
			if end < 0 {
				continue
			}
			for _, pair := range splitLabels(rest[1:end]) {
				if k, v, ok := strings.Cut(pair, "="); ok {
					labels[k] = strings.Trim(v, `"`)
				}
			}
			rest = rest[end+1:]
		} else if !strings.HasPrefix(rest, " ") {
			continue // another metric sharing the prefix
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		match := true
		for k, w := range want {
			if labels[k] != w {
				match = false
				break
			}
		}
		if match {
			sum += v
			found = true
		}
	}
	return sum, found
}

func splitLabels(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// ---- fake request records -----------------------------------------------------------------

func requestsOf(reqs []fakeapi.RequestRecord, verb, resource string) []fakeapi.RequestRecord {
	var out []fakeapi.RequestRecord
	for _, r := range reqs {
		if r.Verb == verb && (resource == "" || r.Resource == resource) {
			out = append(out, r)
		}
	}
	return out
}

func queryParam(r fakeapi.RequestRecord, key string) string {
	q, _ := url.ParseQuery(r.Query)
	return q.Get(key)
}

func describeRequests(reqs []fakeapi.RequestRecord) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "  %s %s %s?%s -> %d (bearer %v)\n", r.Time.Format("15:04:05.000"), r.Verb,
			r.Path, r.Query, r.Status, r.HadBearer)
	}
	return b.String()
}

// ---- polling ------------------------------------------------------------------------------

// waitFor polls cond every 20 ms until it holds or timeout passes (then the test fails with the
// last detail). It returns how long it took.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	detail := ""
	for {
		ok, d := cond()
		if ok {
			return time.Since(start)
		}
		detail = d
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %v: %s", what, timeout, detail)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

var resources = []string{"secrets", "configmaps", "serviceaccounts", "nodes"}
