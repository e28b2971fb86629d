package cluster

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preflight/e2e/fakeapi"
	"preflight/e2e/testutil"
)

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// fakeGet reads path from the fake directly, to prove what went over the wire.
func fakeGet(t *testing.T, fake *fakeapi.Server, token, path string) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(fake.CACertPEM)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", fake.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s from the fake: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// TestNoSecretValueLeaks plants random sentinels as Secret values (data, the
// last-applied-configuration annotation, a docker config, a later update) and as the bearer
// token, drives preflight through list, watch events, resume, relist and deletion at log level
// debug, and then looks for any sentinel in its stdout/stderr, /metrics and every HTTP answer.
func TestNoSecretValueLeaks(t *testing.T) {
	needBin(t)
	id := randomHex(t)
	sentinels := map[string]string{
		"data value":         "sk-SENTINEL-data-" + id,
		"last-applied value": "sk-SENTINEL-anno-" + id,
		"docker config auth": "sk-SENTINEL-dock-" + id,
		"updated data value": "sk-SENTINEL-upd-" + id,
		"API bearer token":   "tok-SENTINEL-" + id,
		"second data value":  "sk-SENTINEL-two-" + id,
	}
	token := sentinels["API bearer token"]
	fake := startFake(t, token)

	secret := fakeapi.NewSecret("prod", "openai", map[string]string{
		"OPENAI_API_KEY": sentinels["data value"], "OTHER": sentinels["second data value"]})
	lastApplied, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret",
		"metadata":   map[string]any{"name": "openai", "namespace": "prod"},
		"stringData": map[string]any{"OPENAI_API_KEY": sentinels["last-applied value"]}})
	secret["metadata"].(map[string]any)["annotations"] = map[string]any{
		"kubectl.kubernetes.io/last-applied-configuration": string(lastApplied) + "\n"}
	fake.Add(secret)
	docker := fakeapi.NewSecret("prod", "regcred", map[string]string{".dockerconfigjson": fmt.Sprintf(
		`{"auths":{"registry.example.com":{"auth":%q}}}`,
		base64.StdEncoding.EncodeToString([]byte("robot:"+sentinels["docker config auth"])))})
	docker["type"] = "kubernetes.io/dockerconfigjson"
	fake.Add(docker)

	// The values really go over the wire: preflight receives them and must drop them.
	wire := fakeGet(t, fake, token, "/api/v1/secrets?limit=500")
	for _, want := range []string{base64.StdEncoding.EncodeToString([]byte(sentinels["data value"])),
		sentinels["last-applied value"]} {
		if !strings.Contains(wire, want) {
			t.Fatalf("the fake's list does not carry %q; the test would prove nothing:\n%s", want, wire)
		}
	}

	kubeconfig := writeKubeconfig(t, t.TempDir(), fake, kubeAuth{token: token})
	p := startPreflight(t, serveOptions{kubeconfig: kubeconfig, policy: fastPolicy, logLevel: "debug"})
	p.waitReady(testutil.Patience(10 * time.Second))
	if !fake.WaitOpenWatches(4, testutil.Patience(5*time.Second)) {
		t.Fatalf("open watches: %d, want 4", fake.OpenWatches())
	}

	reviewAll := func(stage string) {
		t.Helper()
		withPull := podSpec("", secretEnv("OPENAI_API_KEY", "openai", "OPENAI_API_KEY"))
		withPull["imagePullSecrets"] = []any{map[string]any{"name": "regcred"}}
		withFrom := podSpec("")
		withFrom["containers"].([]any)[0].(map[string]any)["envFrom"] = []any{
			map[string]any{"secretRef": map[string]any{"name": "openai"}}}
		withVolume := podSpec("")
		withVolume["volumes"] = []any{map[string]any{"name": "keys", "secret": map[string]any{
			"secretName": "openai", "items": []any{map[string]any{"key": "OPENAI_API_KY", "path": "k"}}}}}
		for _, spec := range []map[string]any{
			withPull, withFrom, withVolume,
			podSpec("", secretEnv("OPENAI_API_KEY", "openai", "OPENAI_KEY")),
			podSpec("", secretEnv("OPENAI_API_KEY", "opena1", "OPENAI_API_KEY")),
		} {
			p.mustReview(deploymentReview(nextUID("leak-"+stage), "prod", "app", spec))
		}
		p.readyz()
		p.get(false, "/healthz")
		p.get(true, "/healthz")
		p.metrics()
	}

	reviewAll("synced")
	// MODIFIED with a new value and a new key.
	fake.Update(fakeapi.NewSecret("prod", "openai", map[string]string{
		"OPENAI_API_KEY": sentinels["updated data value"], "HF_TOKEN": sentinels["updated data value"]}))
	waitFor(t, testutil.Patience(2*time.Second), "the updated Secret's new key", func() (bool, string) {
		res := p.mustReview(secretReview("prod", "openai", "HF_TOKEN"))
		return res.Allowed, res.String()
	})
	reviewAll("modified")
	// Resume, then relist (both receive the objects again).
	fake.DropWatches()
	time.Sleep(50 * time.Millisecond)
	fake.Compact()
	fake.DropWatches()
	fake.Add(fakeapi.NewSecret("prod", "after-relist", map[string]string{"OPENAI_API_KEY": "x"}))
	waitAllowed(t, p, testutil.Patience(5*time.Second), "prod", "after-relist")
	reviewAll("relisted")
	// DELETED carries the last state, values included.
	fake.Delete("Secret", "prod", "openai")
	waitNotFound(t, p, testutil.Patience(2*time.Second), "prod", "openai")
	reviewAll("deleted")
	fake.Delete("Secret", "prod", "regcred")
	time.Sleep(100 * time.Millisecond) // let the last event be handled (and maybe logged)

	// Where a value could show up: the process output, the metrics, every answer.
	places := map[string]string{
		"stderr":  p.stderr.String(),
		"stdout":  p.stdout.String(),
		"metrics": p.metrics(),
	}
	p.mu.Lock()
	var answers strings.Builder
	for _, r := range p.responses {
		answers.Write(r)
		answers.WriteByte('\n')
	}
	p.mu.Unlock()
	places["HTTP answers"] = answers.String()
	// `preflight check` against the same fake, at debug level, in both output formats, with a
	// fresh Secret holding a sentinel (the one above is deleted by now).
	fake.Add(fakeapi.NewSecret("prod", "check-sentinel", map[string]string{"K": sentinels["data value"]}))
	manifest := filepath.Join(t.TempDir(), "deploy.yaml")
	os.WriteFile(manifest, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec:
      imagePullSecrets: [{name: regcred}]
      containers:
      - name: app
        image: nginx
        env:
        - {name: OPENAI_API_KEY, valueFrom: {secretKeyRef: {name: check-sentinel, key: K}}}
        - {name: MISSING, valueFrom: {secretKeyRef: {name: check-sentinel, key: NOPE}}}
`), 0o600)
	for _, format := range []string{"text", "json"} {
		out, err := exec.Command(binPath, "check", "-f", manifest, "--kubeconfig", kubeconfig,
			"--log-level", "debug", "-o", format).CombinedOutput()
		if !strings.Contains(string(out), "NOPE") {
			t.Errorf("check -o %s did not report the missing key (%v); nothing was checked:\n%s", format, err, out)
		}
		places["check -o "+format] = string(out)
	}
	if !strings.Contains(places["stderr"], "openai") && !strings.Contains(places["stderr"], "review") {
		t.Errorf("stderr holds no log lines at debug level; nothing was checked:\n%s", tail(places["stderr"], 2048))
	}

	for what, value := range sentinels {
		forms := map[string]string{
			"plain":             value,
			"random part":       id,
			"base64":            base64.StdEncoding.EncodeToString([]byte(value)),
			"base64 (first 16)": base64.StdEncoding.EncodeToString([]byte(value))[:16],
		}
		if what == "docker config auth" {
			forms["auth field"] = base64.StdEncoding.EncodeToString([]byte("robot:" + value))[:16]
		}
		for where, text := range places {
			for form, needle := range forms {
				if i := strings.Index(text, needle); i >= 0 {
					lo, hi := max(0, i-120), min(len(text), i+len(needle)+40)
					t.Errorf("%s (%s) found in %s: ...%s...", what, form, where, text[lo:hi])
				}
			}
		}
	}
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
