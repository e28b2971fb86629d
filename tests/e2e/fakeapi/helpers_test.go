package fakeapi

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const waitLong = 5 * time.Second

func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(t, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return s
}

// httpClient trusts the server's CA and speaks HTTP/1.1; each call gets its own transport so
// tests do not share connections.
func httpClient(t *testing.T, s *Server) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CACertPEM) {
		t.Fatal("CACertPEM holds no certificate")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

type reply struct {
	code   int
	body   string
	header http.Header
}

// call sends one request; token "" sends no Authorization header.
func call(t *testing.T, s *Server, method, path, token, accept string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := httpClient(t, s).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return reply{code: resp.StatusCode, body: string(body), header: resp.Header}
}

func get(t *testing.T, s *Server, path string) reply {
	t.Helper()
	return call(t, s, http.MethodGet, path, "", "")
}

func decode(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, text)
	}
	return m
}

// path walks nested maps: path(m, "metadata", "name").
func path(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func items(t *testing.T, list map[string]any) []map[string]any {
	t.Helper()
	raw, ok := list["items"].([]any)
	if !ok {
		t.Fatalf("list has no items array: %v", list)
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

// stream is an open watch read line by line in the background.
type stream struct {
	resp  *http.Response
	lines chan string
	end   chan error // receives the read error that ended the stream (io.EOF = clean end)
}

func openWatch(t *testing.T, s *Server, path, token, accept string) *stream {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := httpClient(t, s).Do(req)
	if err != nil {
		t.Fatalf("watch %s: %v", path, err)
	}
	st := &stream{resp: resp, lines: make(chan string, 100), end: make(chan error, 1)}
	t.Cleanup(func() { resp.Body.Close() })
	go func() {
		r := bufio.NewReader(resp.Body)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				st.end <- err
				close(st.lines)
				return
			}
			st.lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	return st
}

// next returns the next event line and its decoded form.
func (st *stream) next(t *testing.T) (string, map[string]any) {
	t.Helper()
	select {
	case line, ok := <-st.lines:
		if !ok {
			t.Fatalf("watch ended (%v) while an event was expected", <-st.end)
		}
		return line, decode(t, line)
	case <-time.After(waitLong):
		t.Fatal("no watch event within 5s")
	}
	return "", nil
}

// nextEvent returns type, object name and object resourceVersion of the next event.
func (st *stream) nextEvent(t *testing.T) (typ, name, rv string) {
	t.Helper()
	_, ev := st.next(t)
	typ, _ = ev["type"].(string)
	name, _ = path(ev, "object", "metadata", "name").(string)
	rv, _ = path(ev, "object", "metadata", "resourceVersion").(string)
	return typ, name, rv
}

// waitEnd waits for the stream to end and returns the error that ended it, failing the test if
// an event arrives first.
func (st *stream) waitEnd(t *testing.T) error {
	t.Helper()
	select {
	case line, ok := <-st.lines:
		if ok {
			t.Fatalf("unexpected event before the end of the stream: %s", line)
		}
		return <-st.end
	case <-time.After(waitLong):
		t.Fatal("watch did not end within 5s")
	}
	return nil
}

// quiet asserts no event arrives within d.
func (st *stream) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case line, ok := <-st.lines:
		if ok {
			t.Fatalf("unexpected event: %s", line)
		}
		t.Fatalf("stream ended unexpectedly: %v", <-st.end)
	case <-time.After(d):
	}
}

func countVerb(recs []RequestRecord, verb string) int {
	n := 0
	for _, r := range recs {
		if r.Verb == verb {
			n++
		}
	}
	return n
}
