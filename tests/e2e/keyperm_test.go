package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preflight/e2e/testutil"
)

// TestPrivateKeyPermissions: `preflight serve` refuses a TLS key readable by all users (exit 2,
// one line naming the file and the fix); as root it only warns (tests and dev set-ups run as
// root). The non-root case runs the binary as nobody through setpriv.
func TestPrivateKeyPermissions(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Dir(dir), 0o755) // t.TempDir makes both levels 0700
	certDir := filepath.Join(dir, "certs")
	genCerts(t, certDir, false)
	os.Chmod(certDir, 0o755)
	key := filepath.Join(certDir, "tls.key")
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "--tls-cert", filepath.Join(certDir, "tls.crt"), "--tls-key", key,
		"--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
		"--cluster-snapshot", fixture("reviews", "cluster-snapshot.yaml")}

	t.Run("non-root: refused", func(t *testing.T) {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil || os.Geteuid() != 0 {
			t.Skip("needs root and setpriv to run as another user")
		}
		all := append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", binPath}, args...)
		cmd := exec.Command(setpriv, all...)
		out, err := runWithTimeout(cmd, 10*time.Second)
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(out, "tls.key is readable by all users") {
			t.Errorf("exit %v, want 2 with the reason; output:\n%s", err, out)
		}
	})

	t.Run("root: warning only", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("not root")
		}
		var out testutil.SyncBuffer
		cmd := exec.Command(binPath, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		if !eventually(10*time.Second, func() bool {
			return strings.Contains(out.String(), "listening") ||
				strings.Contains(out.String(), "accepted only because")
		}) ||
			!strings.Contains(out.String(), "accepted only because preflight runs as root") {
			t.Errorf("no warning about the readable key in:\n%s", tail(out.String(), 2048))
		}
	})
}

func runWithTimeout(cmd *exec.Cmd, d time.Duration) (string, error) {
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return out.String(), os.ErrDeadlineExceeded
	}
}
