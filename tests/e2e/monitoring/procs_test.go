// Package monitoring proves the dashboard and the alert rules against a real Prometheus: it
// starts `preflight serve` and Debian's /usr/bin/prometheus on loopback, sends reviews, and
// queries every dashboard and alert expression through Prometheus's HTTP API.
//
// Environment (set by tests/e2e/run.sh): PREFLIGHT_BIN (the binary) and PREFLIGHT_SOURCE_DIR
// (the repository, default ../../..). Needs prometheus, promtool, bash and openssl.
package monitoring

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preflight/e2e/testutil"
)

// paths of the binary, the repository and the tools; the test fails when one is missing.
type paths struct {
	bin, source, prometheus, promtool string
}

func findPaths(t *testing.T) paths {
	t.Helper()
	p := paths{bin: os.Getenv("PREFLIGHT_BIN"), source: os.Getenv("PREFLIGHT_SOURCE_DIR")}
	if p.bin == "" {
		t.Fatal("set PREFLIGHT_BIN to the preflight binary (tests/e2e/run.sh does)")
	}
	if p.source == "" {
		p.source = "../../.."
	}
	var err error
	if p.bin, err = filepath.Abs(p.bin); err != nil {
		t.Fatal(err)
	}
	if p.source, err = filepath.Abs(p.source); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []struct {
		dst  *string
		name string
	}{{&p.prometheus, "prometheus"}, {&p.promtool, "promtool"}} {
		if *tool.dst, err = exec.LookPath(tool.name); err != nil {
			t.Fatalf("%s is not installed (apt-get install prometheus): %v", tool.name, err)
		}
	}
	return p
}

func (p paths) file(parts ...string) string {
	return filepath.Join(append([]string{p.source}, parts...)...)
}

// process is a child process that is killed when the test ends; its output is logged if the
// test failed.
type process struct {
	name   string
	cmd    *exec.Cmd
	output *testutil.SyncBuffer
	done   chan struct{}
}

func startProcess(t *testing.T, name string, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, cmd: exec.Command(bin, args...), output: &testutil.SyncBuffer{},
		done: make(chan struct{})}
	p.cmd.Stdout = p.output
	p.cmd.Stderr = p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s output (last 4 KiB):\n%s", name, tail(p.output.String(), 4096))
		}
	})
	return p
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, then SIGKILL after 5 s, and waits for the process.
func (p *process) stop() {
	if p.exited() {
		return
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitHTTP polls url until it answers 200 or the process exits.
func (p *process) waitHTTP(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	// No keep-alive: an idle connection would hold up the process's graceful shutdown.
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && !p.exited() {
		if resp, err := c.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: %s did not answer 200 within %v (exited: %v)", p.name, url, timeout, p.exited())
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// freeAddr returns 127.0.0.1:PORT with a port the kernel just handed out.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// webhookClient trusts the CA that certs/gen-certs.sh made.
func webhookClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// promAPI is a client of Prometheus's HTTP API (/api/v1).
type promAPI struct {
	base string
	c    *http.Client
}

type apiResponse struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

// sample is one element of an instant vector (a scalar is returned as one unlabelled sample).
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]interface{}    `json:"value"`
}

func (s sample) value() string {
	v, _ := s.Value[1].(string)
	return v
}

func (a promAPI) get(path string, params url.Values) (apiResponse, error) {
	resp, err := a.c.Get(a.base + path + "?" + params.Encode())
	if err != nil {
		return apiResponse{}, err
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return apiResponse{}, fmt.Errorf("%s: HTTP %d, undecodable body: %v", path, resp.StatusCode, err)
	}
	if r.Status != "success" {
		return r, fmt.Errorf("%s: %s: %s", path, r.ErrorType, r.Error)
	}
	return r, nil
}

// query runs an instant query; a non-success status is an error (invalid PromQL).
func (a promAPI) query(expr string) ([]sample, error) {
	r, err := a.get("/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return nil, err
	}
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		return nil, err
	}
	switch data.ResultType {
	case "vector":
		var out []sample
		err := json.Unmarshal(data.Result, &out)
		return out, err
	case "scalar", "string":
		var v [2]interface{}
		err := json.Unmarshal(data.Result, &v)
		return []sample{{Metric: map[string]string{}, Value: v}}, err
	default:
		return nil, fmt.Errorf("unexpected result type %q for %s", data.ResultType, expr)
	}
}

// waitFor polls cond every 250 ms until it returns "" (done) or the timeout passes; the last
// reason is reported.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	reason := cond()
	for reason != "" && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		reason = cond()
	}
	if reason != "" {
		t.Fatalf("%s: not within %v: %s", what, timeout, reason)
	}
}

func mustJSON(t *testing.T, v interface{}) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func has(samples []sample, labels map[string]string) bool {
	for _, s := range samples {
		match := true
		for k, v := range labels {
			if s.Metric[k] != v {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

func describe(samples []sample) string {
	var parts []string
	for _, s := range samples {
		parts = append(parts, fmt.Sprintf("%v=%s", s.Metric, s.value()))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
