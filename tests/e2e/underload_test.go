package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Nothing lost under load: bench/loadgen (the load generator, built here from the repository)
// drives reviews while the server is restarted the way a Deployment rollout does it, or its
// certificate is rotated; every request must be answered.

// loadReport is bench/loadgen's -json output.
type loadReport struct {
	Sent, OK, Failed int64
	Seconds          float64
	Dials            int64
	Latency          map[string]int64
	Errors           []string
}

// buildLoadgen compiles bench/loadgen once per test.
func buildLoadgen(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "loadgen")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = filepath.Join(sourceDir, "bench", "loadgen")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build bench/loadgen: %v\n%s", err, b)
	}
	return out
}

// startLoad runs loadgen in the background; wait() returns its report.
func startLoad(t *testing.T, bin string, args ...string) (wait func() loadReport) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, append(args, "-json")...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() loadReport {
		cmd.Wait() // exit 1 when a request failed: the report says which
		var r loadReport
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatalf("loadgen report: %v\nstdout %s\nstderr %s", err, stdout.String(), stderr.String())
		}
		return r
	}
}

func checkNothingLost(t *testing.T, r loadReport) {
	t.Helper()
	t.Logf("loadgen: sent %d ok %d failed %d in %.1fs, %d connections, latency %v",
		r.Sent, r.OK, r.Failed, r.Seconds, r.Dials, r.Latency)
	if r.Sent == 0 || r.Failed != 0 || r.OK != r.Sent {
		t.Errorf("%d of %d requests failed: %s", r.Failed, r.Sent, strings.Join(r.Errors, "\n  "))
	}
}

// TestRollingRestartUnderLoad models a Deployment rollout behind a Service: the client (shaped
// like kube-apiserver's) keeps its connections alive, and new connections go to the current
// endpoints (loadgen -endpoints, as kube-proxy). The new pod starts and becomes an endpoint;
// the old one is removed from the endpoints and, after its preStop delay, gets SIGTERM while
// the client still holds kept-alive connections to it. Zero requests may fail. As fast as 8
// workers go: at that rate a server that closes busy keep-alive connections without saying
// "Connection: close" first fails a few requests per rollout (seen: 2 of ~12,000).
func TestRollingRestartUnderLoad(t *testing.T) {
	loadgen := buildLoadgen(t)
	old := startServer(t, serverOptions{})
	dir := t.TempDir()
	eps := filepath.Join(dir, "endpoints")
	writeAtomic(t, eps, old.addr+"\n")
	wait := startLoad(t, loadgen, "-url", "https://preflight.preflight-system.svc:443/validate",
		"-server-name", "localhost", "-ca", old.caFile(), "-endpoints", eps,
		"-review", fixture("reviews", "deny-v1.json"), "-concurrency", "8", "-rate", "0",
		"-duration", "7s", "-timeout", "5s")

	time.Sleep(1500 * time.Millisecond)
	fresh := startServer(t, serverOptions{certDir: old.certDir})
	writeAtomic(t, eps, fresh.addr+"\n") // new pod ready; old pod terminating: out of the endpoints
	time.Sleep(2 * time.Second)          // the old pod's preStop sleep: it still serves
	old.signal(syscall.SIGTERM)
	code, ok := old.waitExit(15 * time.Second)
	if !ok || code != 0 {
		t.Errorf("old server after SIGTERM: exited %v code %d", ok, code)
	}
	r := wait()
	checkNothingLost(t, r)
	samples := parseMetrics(t, fresh.scrape(t))
	if n := sum(samples, "preflight_admission_requests_total", nil); n == 0 {
		t.Errorf("the new server answered no review")
	}
}

// TestCertificateRotationUnderLoad: the serving certificate is re-issued by the same CA (as
// cert-manager does) and replaced on disk while reviews flow; new handshakes get the new
// certificate, and no request fails.
func TestCertificateRotationUnderLoad(t *testing.T) {
	loadgen := buildLoadgen(t)
	s := startServer(t, serverOptions{reloadInterval: "200ms"})
	before := servedSerial(t, s)
	wait := startLoad(t, loadgen, "-url", s.url("/validate"), "-server-name", "localhost",
		"-ca", s.caFile(), "-review", fixture("reviews", "deny-v1.json"),
		"-concurrency", "8", "-rate", "200", "-duration", "5s", "-timeout", "5s")
	time.Sleep(1500 * time.Millisecond)
	reissueLeaf(t, s.certDir)
	if !eventually(5*time.Second, func() bool { return servedSerial(t, s).Cmp(before) != 0 }) {
		t.Errorf("the server still serves the old certificate")
	}
	checkNothingLost(t, wait())
}

// TestBrokenPolicyUnderLoad: the policy file is replaced by a broken one while reviews flow:
// every review is still answered, with the last good policy, and the failure is counted.
func TestBrokenPolicyUnderLoad(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	writeAtomic(t, policy, policyDeny)
	s := startServer(t, serverOptions{config: policy, reloadInterval: "200ms"})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	answered := 0
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := s.client()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				uid := fmt.Sprintf("e2e-broken-policy-%d-%d", w, i)
				resp, err := c.Post(s.url("/validate?timeout=5s"), "application/json",
					bytes.NewReader(reviewWithUID(t, "deny-v1.json", uid)))
				mu.Lock()
				if err != nil {
					bad = append(bad, err.Error())
				} else {
					var r reviewResponse
					json.NewDecoder(resp.Body).Decode(&r)
					resp.Body.Close()
					if resp.StatusCode != 200 || r.Response == nil || r.Response.UID != uid || r.Response.Allowed {
						bad = append(bad, fmt.Sprintf("HTTP %d %+v", resp.StatusCode, r.Response))
					}
					answered++
				}
				mu.Unlock()
			}
		}(w)
	}
	time.Sleep(time.Second)
	writeAtomic(t, policy, policyInvalid)
	ok := eventually(5*time.Second, func() bool {
		return sum(parseMetrics(t, s.scrape(t)), "preflight_policy_reloads_total",
			map[string]string{"result": "failure"}) >= 1
	})
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if !ok {
		t.Errorf("the broken policy was never reported (preflight_policy_reloads_total{result=\"failure\"})")
	}
	t.Logf("%d reviews answered around the broken reload", answered)
	if len(bad) > 0 || answered == 0 {
		t.Errorf("%d reviews not answered with the last good policy (denied): %v", len(bad), bad[:min(len(bad), 5)])
	}
	requireHealthy(t, s)
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// servedSerial is the serial number of the certificate a new handshake gets.
func servedSerial(t *testing.T, s *server) *big.Int {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.addr,
		&tls.Config{InsecureSkipVerify: true}) // only reading the serial
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber
}

// reissueLeaf signs a new serving key and certificate with the CA in dir and replaces tls.key
// and tls.crt by rename (as the kubelet updates a Secret volume, both files change at once).
func reissueLeaf(t *testing.T, dir string) {
	t.Helper()
	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca.crt"))
	caKeyPEM, _ := os.ReadFile(filepath.Join(dir, "ca.key"))
	cb, _ := pem.Decode(caPEM)
	kb, _ := pem.Decode(caKeyPEM)
	if cb == nil || kb == nil {
		t.Fatal("cannot read the CA")
	}
	ca, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "preflight.preflight-system.svc"},
		DNSNames:    []string{"preflight.preflight-system.svc", "localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:   time.Now().Add(-time.Minute), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	dataDir := filepath.Join(dir, "..rotated")
	os.MkdirAll(dataDir, 0o700)
	os.WriteFile(filepath.Join(dataDir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	os.WriteFile(filepath.Join(dataDir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	for _, f := range []string{"tls.key", "tls.crt"} {
		if err := os.Rename(filepath.Join(dataDir, f), filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
}
