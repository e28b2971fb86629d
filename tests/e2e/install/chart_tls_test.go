package install

// tls.mode=generate: the chart makes a CA and a serving certificate at install, puts the CA
// in the webhook's caBundle, reuses both on upgrade (lookup), and the real binary serves the
// generated certificate so that a client trusting only the caBundle and dialling the
// Service name the API server uses completes the TLS handshake.

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const serviceDNSName = "preflight.preflight-system.svc"

var generateValues = obj{"tls": obj{"mode": "generate"}}

// generatedTLS is what one generate-mode rendering holds.
type generatedTLS struct {
	crt, key, ca string // base64, as in the Secret
	caBundle     string
	secret       obj
}

func renderGenerated(t *testing.T, values obj, objects cluster) generatedTLS {
	t.Helper()
	out, err := renderChartIn(t, merge(generateValues, values), objects)
	if err != nil {
		t.Fatalf("rendering tls.mode=generate: %v", err)
	}
	rendered := objectsFromYAML(t, out)
	secret := mustHave(t, rendered, "Secret/preflight-tls")
	hook := get(mustHave(t, rendered, "ValidatingWebhookConfiguration/preflight"), "webhooks", 0)
	if _, ok := rendered["Certificate/preflight"]; ok {
		t.Error("generate mode renders a cert-manager Certificate")
	}
	vols := asSlice(get(mustHave(t, rendered, "Deployment/preflight"), "spec", "template", "spec", "volumes"))
	expectEqual(t, "tls volume", str(vols[0], "secret", "secretName"), "preflight-tls")
	return generatedTLS{
		crt: str(secret, "data", "tls.crt"), key: str(secret, "data", "tls.key"),
		ca: str(secret, "data", "ca.crt"), caBundle: str(hook, "clientConfig", "caBundle"),
		secret: secret,
	}
}

func decodeB64(t *testing.T, what, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		t.Fatalf("%s is not base64 (%v): %.40q", what, err, s)
	}
	return b
}

func parseCertPEM(t *testing.T, what string, data []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s is not a PEM certificate", what)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return c
}

func TestChartGeneratedCertificates(t *testing.T) {
	g := renderGenerated(t, obj{"tls": obj{"generate": obj{"validityDays": float64(90)}}}, nil)
	expectEqual(t, "Secret type", str(g.secret, "type"), "kubernetes.io/tls")
	if g.caBundle != g.ca {
		t.Error("the webhook's caBundle is not the Secret's ca.crt")
	}

	ca := parseCertPEM(t, "ca.crt", decodeB64(t, "ca.crt", g.ca))
	cert := parseCertPEM(t, "tls.crt", decodeB64(t, "tls.crt", g.crt))
	if !ca.IsCA {
		t.Error("ca.crt is not a CA certificate")
	}
	if _, err := tls.X509KeyPair(decodeB64(t, "tls.crt", g.crt), decodeB64(t, "tls.key", g.key)); err != nil {
		t.Errorf("tls.crt and tls.key do not match: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	_, err := cert.Verify(x509.VerifyOptions{DNSName: serviceDNSName, Roots: pool,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Errorf("serving certificate does not verify for %s against the caBundle: %v", serviceDNSName, err)
	}
	expectEqual(t, "DNS SANs", cert.DNSNames, []string{serviceDNSName, serviceDNSName + ".cluster.local"})
	if days := cert.NotAfter.Sub(cert.NotBefore).Hours() / 24; days < 89 || days > 91 {
		t.Errorf("certificate valid for %.1f days, want 90 (tls.generate.validityDays)", days)
	}

	// `helm template` (no cluster): a new pair on every render.
	again := renderGenerated(t, nil, nil)
	if again.ca == g.ca || again.crt == g.crt {
		t.Error("two renders without a cluster produced the same certificate: not generated")
	}

	// Upgrade: lookup finds the Secret and everything is reused byte for byte.
	live := cluster{"v1/Secret/preflight-system/preflight-tls": g.secret}
	upgraded := renderGenerated(t, nil, live)
	for _, f := range []struct{ what, got, want string }{
		{"tls.crt", upgraded.crt, g.crt}, {"tls.key", upgraded.key, g.key},
		{"ca.crt", upgraded.ca, g.ca}, {"caBundle", upgraded.caBundle, g.caBundle},
	} {
		if f.got != f.want { // key material is not printed
			t.Errorf("upgrade changed %s: lookup did not reuse the release's Secret", f.what)
		}
	}

	// A Secret without ca.crt (made for tls.mode=secret, say) cannot give a caBundle: regenerate.
	partial := obj{"apiVersion": "v1", "kind": "Secret", "data": obj{"tls.crt": g.crt, "tls.key": g.key}}
	fresh := renderGenerated(t, nil, cluster{"v1/Secret/preflight-system/preflight-tls": partial})
	if fresh.crt == g.crt || fresh.caBundle == g.caBundle || fresh.caBundle != fresh.ca {
		t.Error("a Secret without ca.crt was reused, or the caBundle does not match the new CA")
	}
	// A Secret of another namespace is not the release's.
	other := renderGenerated(t, nil, cluster{"v1/Secret/default/preflight-tls": g.secret})
	if other.ca == g.ca {
		t.Error("lookup reused a Secret from another namespace")
	}
}

// TestChartGeneratedCertificatesServe starts the real binary with the generated pair.
func TestChartGeneratedCertificatesServe(t *testing.T) {
	bin := os.Getenv("PREFLIGHT_BIN")
	if bin == "" {
		t.Skip("PREFLIGHT_BIN not set")
	}
	g := renderGenerated(t, nil, nil)
	other := renderGenerated(t, nil, nil) // an unrelated CA
	dir := t.TempDir()
	for name, b64 := range map[string]string{"tls.crt": g.crt, "tls.key": g.key} {
		if err := os.WriteFile(filepath.Join(dir, name), decodeB64(t, name, b64), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeLoopbackAddr(t)
	metrics := freeLoopbackAddr(t)
	cmd := exec.Command(bin, "serve", "--tls-cert", filepath.Join(dir, "tls.crt"),
		"--tls-key", filepath.Join(dir, "tls.key"), "--listen", addr, "--metrics-listen", metrics,
		"--cluster-snapshot", filepath.Join(sourceDir(t), "examples", "cluster-snapshot.yaml"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})

	client := func(caBundle string) *http.Client {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(decodeB64(t, "caBundle", caBundle)) {
			t.Fatal("caBundle holds no PEM certificate")
		}
		// Dial 127.0.0.1 but verify the name the API server uses for the Service.
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: serviceDNSName}}}
	}
	trusted := client(g.caBundle)
	var lastErr error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		select {
		case <-done:
			t.Fatalf("preflight serve exited: %s", stderr.String())
		default:
		}
		resp, err := trusted.Get("https://" + addr + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			expectEqual(t, "/healthz over the generated certificate", resp.StatusCode, 200)
			lastErr = nil
			break
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	if lastErr != nil {
		t.Fatalf("no TLS connection trusting only the chart's caBundle: %v\n%s", lastErr, stderr.String())
	}
	if _, err := client(other.caBundle).Get("https://" + addr + "/healthz"); err == nil ||
		!strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client trusting another generated CA connected (err %v): the check proves nothing", err)
	}
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
}
