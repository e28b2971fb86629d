// Package e2e starts the real `preflight` binary over real TLS and talks to it with the clients
// a cluster uses: Go's net/http (kube-apiserver's stack) and curl. Every test gets its own
// temp dir, certificates and free loopback ports; the server is killed if a test fails.
//
// Environment: PREFLIGHT_BIN (the binary, required), PREFLIGHT_SOURCE_DIR (the repository,
// default ../..). Run through tests/e2e/run.sh or `ctest -R e2e`.
package e2e

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"preflight/e2e/testutil"
)

var (
	binPath   string
	sourceDir string
)

func TestMain(m *testing.M) {
	binPath = os.Getenv("PREFLIGHT_BIN")
	if binPath == "" {
		fmt.Fprintln(os.Stderr, "e2e: set PREFLIGHT_BIN to the preflight binary")
		os.Exit(2)
	}
	if abs, err := filepath.Abs(binPath); err == nil {
		binPath = abs
	}
	sourceDir = os.Getenv("PREFLIGHT_SOURCE_DIR")
	if sourceDir == "" {
		sourceDir = "../.."
	}
	if abs, err := filepath.Abs(sourceDir); err == nil {
		sourceDir = abs
	}
	if _, err := os.Stat(binPath); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: PREFLIGHT_BIN: %v\n", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// fixture returns the path of a file under tests/fixtures.
func fixture(parts ...string) string {
	return filepath.Join(append([]string{sourceDir, "tests", "fixtures"}, parts...)...)
}

func readFixture(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixture(parts...))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// genCerts runs certs/gen-certs.sh into dir (force: new CA and key).
func genCerts(t *testing.T, dir string, force bool) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(sourceDir, "certs", "gen-certs.sh"), dir)
	cmd.Env = os.Environ()
	if force {
		cmd.Env = append(cmd.Env, "FORCE=1")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen-certs.sh %s: %v\n%s", dir, err, out)
	}
}

func loadPool(t *testing.T, caFile string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatalf("read CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	return pool
}

// freePort asks the kernel for an unused loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type serverOptions struct {
	config         string // --config path, "" for built-in defaults
	reloadInterval string // --reload-interval, "" for the binary's default
	snapshot       string // --cluster-snapshot, "" for tests/fixtures/reviews/cluster-snapshot.yaml
	certDir        string // serving certificate and CA from here (another server's); "" = new ones
	logLevel       string // --log-level, "" for info
}

// server is one running `preflight serve`.
type server struct {
	t           *testing.T
	dir         string // temp dir owned by the test
	certDir     string
	addr        string // 127.0.0.1:P (TLS)
	metricsAddr string // 127.0.0.1:M (plain HTTP)
	cmd         *exec.Cmd
	stderr      *testutil.SyncBuffer
	stdout      *testutil.SyncBuffer
	done        chan struct{}
	waitErr     error
}

// startServer generates certificates, starts the binary on free ports and waits for /readyz.
// The process is killed at the end of the test if it is still running.
func startServer(t *testing.T, opts serverOptions) *server {
	t.Helper()
	dir := t.TempDir()
	certDir := filepath.Join(dir, "certs")
	if opts.certDir != "" {
		certDir = opts.certDir
	} else {
		genCerts(t, certDir, false)
	}
	var lastErr string
	for attempt := 0; attempt < 3; attempt++ {
		s := &server{t: t, dir: dir, certDir: certDir,
			addr:        fmt.Sprintf("127.0.0.1:%d", freePort(t)),
			metricsAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
			stderr:      &testutil.SyncBuffer{}, stdout: &testutil.SyncBuffer{}, done: make(chan struct{})}
		args := []string{"serve",
			"--tls-cert", filepath.Join(certDir, "tls.crt"),
			"--tls-key", filepath.Join(certDir, "tls.key"),
			"--listen", s.addr, "--metrics-listen", s.metricsAddr, "--log-level", "info",
			"--cluster-snapshot", fixture("reviews", "cluster-snapshot.yaml")}
		if opts.snapshot != "" {
			args[len(args)-1] = opts.snapshot
		}
		if opts.logLevel != "" {
			args = append(args, "--log-level", opts.logLevel) // the last one counts
		}
		if opts.config != "" {
			args = append(args, "--config", opts.config)
		}
		if opts.reloadInterval != "" {
			args = append(args, "--reload-interval", opts.reloadInterval)
		}
		s.cmd = exec.Command(binPath, args...)
		s.cmd.Dir = dir
		s.cmd.Stderr = s.stderr
		s.cmd.Stdout = s.stdout
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", binPath, err)
		}
		go func() {
			s.waitErr = s.cmd.Wait()
			close(s.done)
		}()
		t.Cleanup(s.cleanup)
		if s.waitReady(10 * time.Second) {
			return s
		}
		lastErr = s.stderr.String()
		s.kill()
		if !strings.Contains(lastErr, "cannot listen") {
			break // not a port race: retrying will not help
		}
	}
	t.Fatalf("preflight serve did not become ready; stderr:\n%s", lastErr)
	return nil
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *server) waitReady(timeout time.Duration) bool {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if s.exited() {
			return false
		}
		resp, err := c.Get("http://" + s.metricsAddr + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return true
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func (s *server) kill() {
	if s.cmd.Process != nil && !s.exited() {
		s.cmd.Process.Kill()
	}
	<-s.done
}

func (s *server) cleanup() {
	if !s.exited() {
		s.cmd.Process.Kill()
		<-s.done
	}
	if s.t.Failed() {
		s.t.Logf("preflight stderr (last 4 KiB):\n%s", tail(s.stderr.String(), 4096))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// signal sends sig to the server process.
func (s *server) signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("signal: %v", err)
	}
}

// waitExit waits for the process to end and returns its exit code (-1: killed by a signal).
func (s *server) waitExit(timeout time.Duration) (code int, ok bool) {
	select {
	case <-s.done:
		return s.cmd.ProcessState.ExitCode(), true
	case <-time.After(timeout):
		return 0, false
	}
}

func (s *server) caFile() string { return filepath.Join(s.certDir, "ca.crt") }

// tlsConfig is what kube-apiserver's webhook client uses: the caBundle as roots, the service
// DNS name as ServerName (here "localhost", a SAN of the dev certificate), HTTP/1.1.
func tlsConfig(pool *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: pool, ServerName: "localhost", NextProtos: []string{"http/1.1"}}
}

// newTransport is a keep-alive transport shaped like kube-apiserver's webhook transport
// (k8s.io/apimachinery/pkg/util/net.SetTransportDefaults: 25 idle connections per host).
func newTransport(pool *x509.CertPool) *http.Transport {
	return &http.Transport{
		TLSClientConfig:     tlsConfig(pool),
		MaxIdleConnsPerHost: 25,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
}

func (s *server) client() *http.Client {
	tr := newTransport(loadPool(s.t, s.caFile()))
	s.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

func (s *server) url(path string) string { return "https://" + s.addr + path }

// post sends body to POST /validate and returns the status and the whole body.
func post(t *testing.T, c *http.Client, s *server, body []byte) (int, []byte) {
	t.Helper()
	resp, err := c.Post(s.url("/validate?timeout=10s"), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /validate: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, b
}

// getStatus GETs a URL and returns the status and body.
func getStatus(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// requireHealthy asserts that the server still answers /healthz on the TLS port.
func requireHealthy(t *testing.T, s *server) {
	t.Helper()
	if s.exited() {
		t.Fatalf("server exited: %v", s.waitErr)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig(loadPool(t, s.caFile()))},
		Timeout: 5 * time.Second}
	defer c.CloseIdleConnections()
	if code, body := getStatus(t, c, s.url("/healthz")); code != 200 {
		t.Fatalf("GET /healthz after the request: %d %q", code, body)
	}
}

// scrape returns the text of GET /metrics.
func (s *server) scrape(t *testing.T) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	code, body := getStatus(t, c, "http://"+s.metricsAddr+"/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: %d", code)
	}
	return body
}

// ---- AdmissionReview JSON ----

type reviewStatus struct {
	Code    int    `json:"code"`
	Reason  string `json:"reason"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

type reviewResponse struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Response   *struct {
		UID      string        `json:"uid"`
		Allowed  bool          `json:"allowed"`
		Status   *reviewStatus `json:"status"`
		Warnings []string      `json:"warnings"`
	} `json:"response"`
}

func decodeReview(t *testing.T, body []byte) reviewResponse {
	t.Helper()
	var r reviewResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	if r.Response == nil {
		t.Fatalf("response has no .response: %s", body)
	}
	return r
}

// loadReview reads a fixture review as a generic JSON map, to edit before sending.
func loadReview(t *testing.T, name string) map[string]interface{} {
	t.Helper()
	var m map[string]interface{}
	if err := json.Unmarshal(readFixture(t, "reviews", name), &m); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return m
}

func mustJSON(t *testing.T, v interface{}) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// request returns review["request"].
func request(m map[string]interface{}) map[string]interface{} {
	return m["request"].(map[string]interface{})
}

// firstContainer returns request.object.spec.template.spec.containers[0].
func firstContainer(m map[string]interface{}) map[string]interface{} {
	obj := request(m)["object"].(map[string]interface{})
	spec := obj["spec"].(map[string]interface{})["template"].(map[string]interface{})["spec"]
	return spec.(map[string]interface{})["containers"].([]interface{})[0].(map[string]interface{})
}

// reviewWithUID returns a fixture review with a fresh uid.
func reviewWithUID(t *testing.T, name, uid string) []byte {
	t.Helper()
	m := loadReview(t, name)
	request(m)["uid"] = uid
	return mustJSON(t, m)
}

// ---- Prometheus text ----

type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseMetrics reads the samples of Prometheus text format 0.0.4 (comments skipped).
func parseMetrics(t *testing.T, text string) []sample {
	t.Helper()
	var out []sample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s := sample{labels: map[string]string{}}
		i := strings.IndexAny(line, "{ ")
		if i < 0 {
			t.Fatalf("bad metrics line %q", line)
		}
		s.name = line[:i]
		rest := line[i:]
		if rest[0] == '{' {
			j := 1
			for {
				for j < len(rest) && (rest[j] == ',' || rest[j] == ' ') {
					j++
				}
				if j >= len(rest) {
					t.Fatalf("unterminated labels in %q", line)
				}
				if rest[j] == '}' {
					j++
					break
				}
				eq := strings.IndexByte(rest[j:], '=')
				if eq < 0 || j+eq+1 >= len(rest) || rest[j+eq+1] != '"' {
					t.Fatalf("bad label in %q", line)
				}
				key := rest[j : j+eq]
				j += eq + 2
				var val strings.Builder
				for j < len(rest) && rest[j] != '"' {
					if rest[j] == '\\' && j+1 < len(rest) {
						j++
						switch rest[j] {
						case 'n':
							val.WriteByte('\n')
						default:
							val.WriteByte(rest[j])
						}
					} else {
						val.WriteByte(rest[j])
					}
					j++
				}
				j++ // closing quote
				s.labels[key] = val.String()
			}
			rest = rest[j:]
		}
		fields := strings.Fields(rest)
		if len(fields) < 1 {
			t.Fatalf("no value in %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			t.Fatalf("bad value in %q: %v", line, err)
		}
		s.value = v
		out = append(out, s)
	}
	return out
}

// sum adds the samples named `name` whose labels include every pair of `match`.
func sum(samples []sample, name string, match map[string]string) float64 {
	total := 0.0
	for _, s := range samples {
		if s.name != name {
			continue
		}
		ok := true
		for k, v := range match {
			if s.labels[k] != v {
				ok = false
				break
			}
		}
		if ok {
			total += s.value
		}
	}
	return total
}

func has(samples []sample, name string) bool {
	for _, s := range samples {
		if s.name == name {
			return true
		}
	}
	return false
}

// eventually polls cond every 50ms until it is true or timeout passes.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeAtomic replaces a file by rename, so a polling reader never sees it half written.
func writeAtomic(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// httpClient wraps a transport the test keeps a handle on.
type httpClient struct{ tr *http.Transport }

func (h *httpClient) client() *http.Client {
	return &http.Client{Transport: h.tr, Timeout: 15 * time.Second}
}
