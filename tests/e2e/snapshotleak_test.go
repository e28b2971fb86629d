package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSnapshotSecretValuesNeverLeak: unique values planted in the Secrets and ConfigMaps of a
// --cluster-snapshot (data, stringData, the last-applied annotation) appear in no output of
// `serve` at log level debug (logs, /metrics, answers) nor of `check -o text|json`, while the
// reviews and checks really use those objects (found key, missing key).
func TestSnapshotSecretValuesNeverLeak(t *testing.T) {
	b := make([]byte, 10)
	rand.Read(b)
	id := hex.EncodeToString(b)
	data := "sk-SNAPSHOT-data-" + id
	str := "sk-SNAPSHOT-string-" + id
	anno := "sk-SNAPSHOT-anno-" + id
	cm := "sk-SNAPSHOT-cm-" + id
	snapshot := filepath.Join(t.TempDir(), "snapshot.yaml")
	text := fmt.Sprintf(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata:
    name: openai
    namespace: e2e
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"key":"%s"}}'
  type: Opaque
  data: {key: %s}
  stringData: {other: %s}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: app-config, namespace: e2e}
  data: {MODE: %s}
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: default, namespace: e2e}
`, anno, base64.StdEncoding.EncodeToString([]byte(data)), str, cm)
	if err := os.WriteFile(snapshot, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	s := startServer(t, serverOptions{snapshot: snapshot, logLevel: "debug"})
	c := s.client()
	var answers []string
	for i, key := range []string{"key", "other", "missing"} {
		m := loadReview(t, "deny-v1.json")
		request(m)["uid"] = fmt.Sprintf("e2e-snapshot-leak-%d", i)
		request(m)["namespace"] = "e2e"
		obj := request(m)["object"].(map[string]interface{})
		obj["metadata"].(map[string]interface{})["namespace"] = "e2e"
		firstContainer(m)["env"] = []interface{}{map[string]interface{}{"name": "OPENAI_API_KEY",
			"valueFrom": map[string]interface{}{"secretKeyRef": map[string]interface{}{"name": "openai", "key": key}}}}
		_, body := post(t, c, s, mustJSON(t, m))
		answers = append(answers, string(body))
	}
	if !strings.Contains(answers[2], `has no key \"missing\"`) {
		t.Errorf("the review of a missing key did not report it; the snapshot was not used: %s", answers[2])
	}

	manifest := filepath.Join(t.TempDir(), "deploy.yaml")
	os.WriteFile(manifest, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: e2e}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        env:
        - {name: A, valueFrom: {secretKeyRef: {name: openai, key: key}}}
        - {name: B, valueFrom: {secretKeyRef: {name: openai, key: nope}}}
        - {name: C, valueFrom: {configMapKeyRef: {name: app-config, key: MODE}}}
`), 0o600)
	places := map[string]string{
		"serve logs": s.stderr.String() + s.stdout.String(),
		"metrics":    s.scrape(t),
		"answers":    strings.Join(answers, "\n"),
	}
	for _, format := range []string{"text", "json"} {
		out, _ := exec.Command(binPath, "check", "-f", manifest, "--cluster-snapshot", snapshot,
			"--log-level", "debug", "-o", format).CombinedOutput()
		if !strings.Contains(string(out), "nope") {
			t.Errorf("check -o %s did not report the missing key:\n%s", format, out)
		}
		places["check -o "+format] = string(out)
	}
	if !strings.Contains(places["serve logs"], `"level":"debug"`) && !strings.Contains(places["serve logs"], "review") {
		t.Errorf("no log lines to check:\n%s", tail(places["serve logs"], 1024))
	}
	for _, v := range []string{data, str, anno, cm} {
		needles := []string{v, id, base64.StdEncoding.EncodeToString([]byte(v))[:16]}
		for where, text := range places {
			for _, n := range needles {
				if strings.Contains(text, n) {
					t.Errorf("%q found in %s", n, where)
				}
			}
		}
	}
}
