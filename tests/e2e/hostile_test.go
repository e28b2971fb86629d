package e2e

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"preflight/e2e/testutil"
)

// Hostile clients against the TLS port (limits in src/server/event_loop.h and
// http_request.h, documented in docs/security.md): each gets a defined answer, and a real
// review still gets through while it happens and afterwards.

// dialTLS opens a raw TLS connection to the server (handshake done).
func dialTLS(t *testing.T, s *server) *tls.Conn {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.addr,
		tlsConfig(loadPool(t, s.caFile())))
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	return conn
}

// realReview sends one review on a fresh connection and fails the test unless it is answered
// correctly within 10 s.
func realReview(t *testing.T, s *server, uid string) {
	t.Helper()
	tr := newTransport(loadPool(t, s.caFile()))
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	start := time.Now()
	resp, err := c.Post(s.url("/validate?timeout=10s"), "application/json",
		strings.NewReader(string(reviewWithUID(t, "deny-v1.json", uid))))
	if err != nil {
		t.Fatalf("real review %s: %v (after %v)", uid, err, time.Since(start))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if r := decodeReview(t, body); resp.StatusCode != 200 || r.Response.UID != uid || r.Response.Allowed {
		t.Fatalf("real review %s: HTTP %d %s", uid, resp.StatusCode, body)
	}
}

// readUntilClosed reads from conn until it fails; returns what was read and how long it took.
func readUntilClosed(conn net.Conn, limit time.Duration) (string, time.Duration, error) {
	start := time.Now()
	conn.SetReadDeadline(start.Add(limit))
	b, err := io.ReadAll(conn)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		err = nil // reset or similar: the server closed it
	}
	return string(b), time.Since(start), err
}

// TestSlowloris: request headers dribbled one byte a second are cut off after the header
// timeout (5 s), not served for as long as the client likes.
func TestSlowloris(t *testing.T) {
	s := startServer(t, serverOptions{})
	conn := dialTLS(t, s)
	defer conn.Close()
	head := "POST /validate?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
		"X-Padding: " + strings.Repeat("a", 60) + "\r\n"
	closed := make(chan time.Duration, 1)
	start := time.Now()
	go func() {
		for i := 0; i < len(head); i++ {
			if _, err := conn.Write([]byte{head[i]}); err != nil {
				closed <- time.Since(start)
				return
			}
			time.Sleep(time.Second)
		}
		closed <- -1
	}()
	// Meanwhile the server answers others.
	realReview(t, s, "e2e-slowloris-meanwhile")
	got, _, err := readUntilClosed(conn, 30*time.Second)
	if err != nil {
		t.Fatalf("the dribbling connection was still open after 30 s (%d of %d header bytes sent)",
			int(time.Since(start)/time.Second), len(head))
	}
	if strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Errorf("a request with incomplete headers was answered 200: %q", got)
	}
	t.Logf("closed after %v with %q", time.Since(start).Round(100*time.Millisecond), got)
	requireHealthy(t, s)
	realReview(t, s, "e2e-slowloris-after")
}

// TestStalledBody: a client that announces a Content-Length and stops sending gets an error
// answer after the read timeout (5 s) and its connection is closed.
func TestStalledBody(t *testing.T) {
	s := startServer(t, serverOptions{})
	conn := dialTLS(t, s)
	defer conn.Close()
	fmt.Fprintf(conn, "POST /validate?timeout=10s HTTP/1.1\r\nHost: localhost\r\n"+
		"Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"apiVersion\":")
	realReview(t, s, "e2e-stalled-meanwhile")
	got, took, err := readUntilClosed(conn, 40*time.Second)
	if err != nil {
		t.Fatalf("the stalled connection was still open after %v: %q", took, got)
	}
	if !strings.HasPrefix(got, "HTTP/1.1 400") && !strings.HasPrefix(got, "HTTP/1.1 408") && got != "" {
		t.Errorf("stalled body answered %q, want 400/408 or a closed connection", got)
	}
	t.Logf("answered after %v: %.60q", took.Round(100*time.Millisecond), got)
	requireHealthy(t, s)
	realReview(t, s, "e2e-stalled-after")
}

// TestStalledHandshake: a TCP connection that never sends a ClientHello is closed after the
// header timeout.
func TestStalledHandshake(t *testing.T) {
	s := startServer(t, serverOptions{})
	conn, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := readUntilClosed(conn, 30*time.Second); err != nil {
		t.Fatalf("a connection without a handshake was still open after 30 s")
	}
	requireHealthy(t, s)
}

// TestOversizedBody: a declared 100 MiB body is answered 413 from its headers, without the
// server reading (or buffering) the body; a client streaming all of it gets 413 or a closed
// connection, and the server's memory does not grow by the body size.
func TestOversizedBody(t *testing.T) {
	s := startServer(t, serverOptions{})
	const size = 100 << 20
	rssBefore := rssKiB(t, s.cmd.Process.Pid)

	t.Run("413 from the headers", func(t *testing.T) {
		conn := dialTLS(t, s)
		defer conn.Close()
		fmt.Fprintf(conn, "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\n\r\n", size)
		conn.Write([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"x":"`))
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to a declared 100 MiB body: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 413 || !strings.Contains(string(body), `"error"`) {
			t.Errorf("HTTP %d %q, want 413 with a JSON error", resp.StatusCode, body)
		}
		if !resp.Close {
			t.Errorf("413 without Connection: close; the unread body would be taken for the next request")
		}
		if _, took, err := readUntilClosed(conn, 10*time.Second); err != nil {
			t.Errorf("connection still open %v after the 413", took)
		}
	})

	t.Run("client streams all 100 MiB", func(t *testing.T) {
		tr := newTransport(loadPool(t, s.caFile()))
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr, Timeout: 60 * time.Second}
		req, _ := http.NewRequest("POST", s.url("/validate"), io.LimitReader(zeros{}, size))
		req.ContentLength = size
		resp, err := c.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 413 {
				t.Errorf("HTTP %d, want 413", resp.StatusCode)
			}
		} // else: the server closed the connection while the client was still writing; fine
	})

	// TSan's shadow memory grows with every page the server touches, body or not.
	growth := rssKiB(t, s.cmd.Process.Pid) - rssBefore
	testutil.Bound(t, growth <= 50*1024, "RSS grew by %d KiB while refusing 100 MiB bodies", growth)
	requireHealthy(t, s)
	realReview(t, s, "e2e-oversized-after")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// rssKiB is VmRSS of a process.
func rssKiB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestIdleConnectionFlood: 1,000 clients that complete the TLS handshake, send one request and
// then hold their keep-alive connection idle must not starve a real review. An idle connection
// costs the event loop a few KiB and nothing per request: below the connection cap (4,096,
// docs/security.md) all of them stay open (the API server's own idle connections are never
// closed for someone else's), and a review on a new connection is answered at once. What
// happens over the cap is tested in tests/unit/server/event_loop_test.cc.
func TestIdleConnectionFlood(t *testing.T) {
	s := startServer(t, serverOptions{})
	const flood = 1000
	cfg := tlsConfig(loadPool(t, s.caFile()))
	var mu sync.Mutex
	var conns []net.Conn
	var opened, refused atomic.Int64
	sem := make(chan struct{}, 50)
	var wg sync.WaitGroup
	for i := 0; i < flood; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", s.addr, cfg)
			if err != nil {
				refused.Add(1)
				return
			}
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			_, err = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"))
			if err == nil {
				var resp *http.Response
				if resp, err = http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
					resp.Body.Close()
				}
			}
			if err != nil {
				refused.Add(1)
				conn.Close()
				return
			}
			conn.SetDeadline(time.Time{})
			opened.Add(1)
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	t.Logf("%d idle keep-alive connections set up, %d closed or refused", opened.Load(), refused.Load())
	if opened.Load() == 0 {
		t.Fatalf("no connection got through")
	}
	var stillOpen atomic.Int64
	var probes sync.WaitGroup
	for _, c := range conns {
		probes.Add(1)
		go func(c net.Conn) {
			defer probes.Done()
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); errors.Is(err, os.ErrDeadlineExceeded) {
				stillOpen.Add(1)
			}
		}(c)
	}
	probes.Wait()
	t.Logf("%d of them still open", stillOpen.Load())
	if stillOpen.Load() != opened.Load() {
		t.Errorf("%d of %d idle connections closed below the connection cap",
			opened.Load()-stillOpen.Load(), opened.Load())
	}
	// All of them idle now: a real review on a new connection is answered promptly.
	start := time.Now()
	for i := 0; i < 5; i++ {
		realReview(t, s, fmt.Sprintf("e2e-flood-%d", i))
	}
	t.Logf("5 reviews amid the idle connections took %v", time.Since(start).Round(time.Millisecond))
	requireHealthy(t, s)
}
