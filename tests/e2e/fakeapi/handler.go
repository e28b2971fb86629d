package fakeapi

import (
	"compress/gzip"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The HTTP edge: authentication, routing, and writing Status and object bodies.

func (s *Server) authenticated(token string, had bool) bool {
	s.mu.Lock()
	want := s.token
	s.mu.Unlock()
	return want == "" || (had && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1)
}

// ServeHTTP authenticates, routes and answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer s.active.Add(-1)
	w.Header().Set("Audit-Id", newAuditID())
	q := r.URL.Query()
	rt := parseRoute(r.URL.Path)
	token, had := bearerToken(r.Header.Get("Authorization"))
	rec := &RequestRecord{Time: time.Now(), Method: r.Method, Path: r.URL.Path,
		Query: r.URL.RawQuery, Verb: rt.verb(r.Method, q), Namespace: rt.ns, Name: rt.name,
		Accept: r.Header.Get("Accept"), HadBearer: had, Token: token}
	if rt.res != nil {
		rec.Resource = rt.res.plural
	}
	// Authentication runs before routing in the apiserver: an unknown path without a valid
	// token is 401, not 404.
	if !s.authenticated(token, had) {
		s.writeStatus(w, rec, statusUnauthorized())
		return
	}
	if rt.special != "" {
		s.serveSpecial(w, r, rt.special, rec)
		return
	}
	if rt.res == nil {
		s.writeStatus(w, rec, statusNoRoute())
		return
	}
	if s.forbidden(rt.res.plural) {
		s.writeStatus(w, rec, statusForbidden(rt, rec.Verb))
		return
	}
	if r.Method != http.MethodGet {
		s.writeStatus(w, rec, statusMethodNotAllowed())
		return
	}
	if s.applyFaults(w, r, rec) {
		return
	}
	mt, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		s.writeStatus(w, rec, statusNotAcceptable(
			"only the following media types are accepted: application/json"))
		return
	}
	for _, p := range []string{"labelSelector", "fieldSelector"} {
		if q.Get(p) != "" {
			s.writeStatus(w, rec, statusBadRequest("fakeapi does not implement "+p))
			return
		}
	}
	switch rec.Verb {
	case "watch":
		s.serveWatch(w, r, rt, q, mt, rec)
	case "list":
		s.serveList(w, r, rt, q, mt, rec)
	default:
		s.serveGet(w, r, rt, mt, rec)
	}
}

func (s *Server) serveSpecial(w http.ResponseWriter, r *http.Request, path string, rec *RequestRecord) {
	if r.Method != http.MethodGet {
		s.writeStatus(w, rec, statusMethodNotAllowed())
		return
	}
	if path == "/version" {
		s.writeBody(w, r, rec, encodeJSON(map[string]string{"major": "1", "minor": "30",
			"gitVersion": "v1.30.0-fakeapi", "platform": "linux/amd64"}))
		return
	}
	s.record(rec, http.StatusOK)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, "ok")
}

func (s *Server) writeStatus(w http.ResponseWriter, rec *RequestRecord, st *status) {
	s.record(rec, st.Code)
	setAPIHeaders(w)
	w.WriteHeader(st.Code)
	w.Write(encodeJSON(st))
}

// writeBody sends a 200 response. Like the apiserver (APIResponseCompression), a body of 128 KiB
// or more is gzip-compressed when the client accepts gzip; watches are never compressed.
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, rec *RequestRecord, body []byte) {
	s.record(rec, http.StatusOK)
	setAPIHeaders(w)
	if len(body) >= gzipThreshold && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Vary", "Accept-Encoding")
		w.WriteHeader(http.StatusOK)
		zw := gzip.NewWriter(w)
		zw.Write(body)
		zw.Close()
		return
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

const gzipThreshold = 128 * 1024

func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") &&
			strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func newAuditID() string {
	var b [16]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		return "00000000-0000-0000-0000-000000000000"
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
