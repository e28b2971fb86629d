package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// connTrace records, per request, whether the connection was reused, and counts dials.
type connTrace struct {
	dials    atomic.Int64
	newConns atomic.Int64
	events   *eventLog // optional
}

func (ct *connTrace) context(reused *bool, proto *string) context.Context {
	return httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		ConnectDone: func(network, addr string, err error) {
			if err == nil {
				ct.dials.Add(1)
			}
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil && ct.events != nil {
				ct.events.add("TLS handshake failed: %v", err)
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			*reused = info.Reused
			if !info.Reused {
				ct.newConns.Add(1)
			}
			if tc, ok := info.Conn.(*tls.Conn); ok && proto != nil {
				*proto = tc.ConnectionState().NegotiatedProtocol
			}
		},
	})
}

// tracedPost sends one review and reports whether its connection was reused.
func tracedPost(c *http.Client, s *server, ct *connTrace, body []byte, uid string) (reused bool, err error) {
	var proto string
	req, err := http.NewRequestWithContext(ct.context(&reused, &proto), "POST",
		s.url("/validate?timeout=10s"), bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body) // read to EOF so the connection goes back to the pool
	if err != nil {
		return false, err
	}
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"`+uid+`"`)) {
		return false, fmt.Errorf("HTTP %d, uid %s not echoed: %s", resp.StatusCode, uid, b)
	}
	if resp.ProtoMajor != 1 || resp.ProtoMinor != 1 {
		return false, fmt.Errorf("answered over %s, want HTTP/1.1", resp.Proto)
	}
	if proto != "" && proto != "http/1.1" {
		return false, fmt.Errorf("ALPN negotiated %q", proto)
	}
	return reused, nil
}

// TestGoClientKeepAlive: kube-apiserver keeps webhook connections alive; the server must
// answer many reviews on one connection and not force reconnects under concurrency.
func TestGoClientKeepAlive(t *testing.T) {
	s := startServer(t, serverOptions{})
	deny := loadReview(t, "deny-v1.json")
	allow := loadReview(t, "allow-v1.json")
	bodyFor := func(i int) ([]byte, string) {
		m := allow
		if i%2 == 1 {
			m = deny
		}
		uid := fmt.Sprintf("e2e-keepalive-%04d", i)
		request(m)["uid"] = uid
		return mustJSON(t, m), uid
	}

	t.Run("sequential", func(t *testing.T) {
		c := s.client()
		ct := &connTrace{}
		for i := 0; i < 50; i++ {
			body, uid := bodyFor(i)
			reused, err := tracedPost(c, s, ct, body, uid)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if i > 0 && !reused {
				t.Errorf("request %d used a new connection (server closed the previous one)", i)
			}
		}
		if got := ct.dials.Load(); got != 1 {
			t.Errorf("50 sequential requests dialed %d connections, want 1", got)
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		// At most 4 connections at a time. The client may still dial a spare one (a request whose
		// dial is still in its TLS handshake when another connection frees up cancels that
		// handshake), so the measure is connections used for a request plus connections the
		// server closed.
		tr := newTransport(loadPool(t, s.caFile()))
		tr.MaxConnsPerHost = 4
		events := &eventLog{}
		tr.DialContext = events.dialer()
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr, Timeout: 15 * time.Second}
		ct := &connTrace{events: events}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		var mu sync.Mutex
		bodies := make([][]byte, 100)
		uids := make([]string, 100)
		for i := range bodies {
			bodies[i], uids[i] = bodyFor(1000 + i)
		}
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					n := g*25 + i
					mu.Lock()
					body, uid := bodies[n], uids[n]
					mu.Unlock()
					if _, err := tracedPost(c, s, ct, body, uid); err != nil {
						errs <- fmt.Errorf("goroutine %d request %d: %v", g, i, err)
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got := ct.newConns.Load(); got > 4 {
			t.Errorf("4 goroutines x 25 requests used %d new connections, want <= 4", got)
		}
		if got := events.serverClosed.Load(); got != 0 {
			t.Errorf("the server closed %d kept-alive connections", got)
		}
		if t.Failed() {
			t.Logf("connection events:\n%s", events)
		}
	})
}

// eventLog records dials, reads that fail (server closed) and client-side closes, to explain a
// connection count.
type eventLog struct {
	mu           sync.Mutex
	lines        []string
	nextID       atomic.Int64
	serverClosed atomic.Int64 // reads that failed on a connection the client had not closed
}

func (e *eventLog) add(format string, args ...interface{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lines = append(e.lines, time.Now().Format("15:04:05.000000 ")+fmt.Sprintf(format, args...))
}

func (e *eventLog) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.lines, "\n")
}

func (e *eventLog) dialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		id := e.nextID.Add(1)
		e.add("conn %d dialed from %s", id, c.LocalAddr())
		return &loggedConn{Conn: c, id: id, log: e}, nil
	}
}

type loggedConn struct {
	net.Conn
	id             int64
	log            *eventLog
	closed         sync.Once
	closedByClient atomic.Bool
}

func (c *loggedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.log.add("conn %d read: %v", c.id, err)
		if !c.closedByClient.Load() {
			c.log.serverClosed.Add(1)
		}
	}
	return n, err
}

func (c *loggedConn) Close() error {
	c.closedByClient.Store(true)
	c.closed.Do(func() { c.log.add("conn %d closed by the client", c.id) })
	return c.Conn.Close()
}
