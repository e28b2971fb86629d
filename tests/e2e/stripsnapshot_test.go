package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStripSnapshotKeepsModelCards: docs/ci/strip-snapshot.jq (docs/ci.md) removes every Secret
// value but keeps the four fields of a ConfigMap model card, so `version-skew` in CI gives the
// same answer against the stripped snapshot as against the original (blanking the card made it
// deny "is not a model card").
func TestStripSnapshotKeepsModelCards(t *testing.T) {
	yq, err := exec.LookPath("yq")
	if err != nil {
		t.Skip("no yq (scripts/setup-deps installs it)")
	}
	snapshot := filepath.Join(sourceDir, "examples", "cluster-snapshot.yaml")
	out, err := exec.Command(yq, "-y", "-f", filepath.Join(sourceDir, "docs", "ci", "strip-snapshot.jq"), snapshot).Output()
	if err != nil {
		t.Fatalf("yq -f strip-snapshot.jq: %v", err)
	}
	stripped := string(out)
	for _, value := range []string{"ZmFrZS1rZXktZm9yLWV4YW1wbGVz", "ZmFrZS1oZi10b2tlbg==", "meta-llama/Llama-3.1-8B-Instruct"} {
		if strings.Contains(stripped, value) {
			t.Errorf("stripped snapshot still holds the value %q", value)
		}
	}
	if !strings.Contains(stripped, `"model_version":"2.3.1"`) || !strings.Contains(stripped, "api-key") {
		t.Errorf("stripped snapshot lost the model card or a key name:\n%s", stripped)
	}

	dir := t.TempDir()
	strippedPath := filepath.Join(dir, "stripped.yaml")
	deployment := filepath.Join(dir, "llm.yaml")
	manifest := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
  namespace: prod
  annotations: {preflight.wfgy.io/modelcard: modelcard}
spec:
  template:
    spec:
      containers: [{name: server, image: "registry.example.com/llm/server:%s"}]
`
	for _, c := range []struct {
		tag  string
		code int
	}{{"2.3.1", 0}, {"2.4.0", 1}} {
		if err := os.WriteFile(strippedPath, out, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(deployment, []byte(strings.Replace(manifest, "%s", c.tag, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, snap := range []string{snapshot, strippedPath} {
			r := runCLI(t, nil, []string{"NO_COLOR=1"}, "check", "-f", deployment, "--cluster-snapshot", snap)
			if r.code != c.code || strings.Contains(r.stdout, "is not a model card") {
				t.Errorf("image %s against %s: exit %d, want %d\n%s%s", c.tag, snap, r.code, c.code, r.stdout, r.stderr)
			}
		}
	}
}
