package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"preflight/e2e/fakeapi"
)

// TestCheckWithKubeconfig: `preflight check --kubeconfig` lists the cluster once and resolves
// references against it, so a missing Secret is a failure (exit 1), not "not checked".
func TestCheckWithKubeconfig(t *testing.T) {
	needBin(t)
	fake := startFake(t, "check-token")
	defer fake.Close()
	fake.Add(fakeapi.NewSecret("prod", "present", map[string]string{"api-key": "sk-SENTINEL-check"}))
	dir := t.TempDir()
	kubeconfig := writeKubeconfig(t, dir, fake, kubeAuth{token: "check-token"})

	manifest := func(secret string) string {
		path := filepath.Join(dir, secret+".yaml")
		text := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
        env:
        - name: API_KEY
          valueFrom: {secretKeyRef: {name: ` + secret + `, key: api-key}}
`
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := func(file string) (int, string) {
		cmd := exec.Command(binPath, "check", "-f", file, "--kubeconfig", kubeconfig)
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run check: %v", err)
		}
		return code, string(out)
	}

	if code, out := run(manifest("present")); code != 0 || strings.Contains(out, "not checked") {
		t.Errorf("present secret: exit %d, want 0 with nothing unchecked\n%s", code, out)
	}
	code, out := run(manifest("absent"))
	if code != 1 || !strings.Contains(out, `secret "absent" not found in namespace "prod"`) {
		t.Errorf("absent secret: exit %d, want 1 naming the secret\n%s", code, out)
	}
	if strings.Contains(out, "sk-SENTINEL-check") {
		t.Errorf("a Secret value reached the check output")
	}
	if lists := requestsOf(fake.Requests(), "list", "secrets"); len(lists) == 0 {
		t.Errorf("check did not list secrets from the API server")
	}
}
