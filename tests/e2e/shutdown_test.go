package e2e

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShutdown: SIGTERM ends the process with 0 within 10 s, idle keep-alive connections do
// not hold it, and a review in flight still gets its complete answer.
func TestShutdown(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		s := startServer(t, serverOptions{})
		s.signal(syscall.SIGTERM)
		code, ok := s.waitExit(10 * time.Second)
		if !ok {
			t.Fatalf("still running 10s after SIGTERM")
		}
		if code != 0 {
			t.Errorf("exit code %d after SIGTERM, want 0", code)
		}
	})

	t.Run("open keep-alive connection", func(t *testing.T) {
		// kube-apiserver always holds idle connections to the webhook; they must not delay exit
		// past the pod's termination grace period.
		s := startServer(t, serverOptions{})
		c := s.client()
		if code, body := post(t, c, s, readFixture(t, "reviews", "allow-v1.json")); code != 200 {
			t.Fatalf("HTTP %d %s", code, body)
		}
		s.signal(syscall.SIGTERM)
		code, ok := s.waitExit(10 * time.Second)
		if !ok {
			t.Fatalf("still running 10s after SIGTERM with one idle keep-alive connection open")
		}
		if code != 0 {
			t.Errorf("exit code %d after SIGTERM, want 0", code)
		}
	})

	t.Run("in flight", func(t *testing.T) {
		s := startServer(t, serverOptions{})
		m := loadReview(t, "deny-v1.json")
		uid := "e2e-inflight-0001"
		request(m)["uid"] = uid
		// Large-ish: ~256 KiB of annotations on the object.
		meta := request(m)["object"].(map[string]interface{})["metadata"].(map[string]interface{})
		ann := map[string]interface{}{}
		for i := 0; i < 256; i++ {
			ann[fmt.Sprintf("e2e.example.com/pad-%03d", i)] = strings.Repeat("p", 1000)
		}
		meta["annotations"] = ann
		body := mustJSON(t, m)

		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.addr,
			tlsConfig(loadPool(t, s.caFile())))
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		head := fmt.Sprintf("POST /validate?timeout=10s HTTP/1.1\r\nHost: localhost\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		half := len(body) / 2
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write(body[:half]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the server is now reading the body
		s.signal(syscall.SIGTERM)
		time.Sleep(500 * time.Millisecond)
		if s.exited() {
			t.Fatalf("process exited while a request was half received")
		}
		if _, err := conn.Write(body[half:]); err != nil {
			t.Fatalf("writing the rest of the body after SIGTERM: %v", err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no response to the in-flight review: %v", err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("truncated response: %v", err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("in-flight review: HTTP %d %s", resp.StatusCode, got)
		}
		r := decodeReview(t, got)
		if r.Response.UID != uid || r.Response.Allowed {
			t.Errorf("in-flight review answered %+v, want uid %s denied", *r.Response, uid)
		}
		code, ok := s.waitExit(10 * time.Second)
		if !ok {
			t.Fatalf("still running 10s after SIGTERM")
		}
		if code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
		if !strings.Contains(s.stderr.String(), uid) {
			t.Errorf("the in-flight review was not logged")
		}
	})
}
