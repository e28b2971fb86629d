package fakeapi

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options configure a fake API server. The zero value serves without authentication on a free
// port of 127.0.0.1 with a generated certificate.
type Options struct {
	// Token is the bearer token every request must carry; "" disables authentication.
	Token string
	// Addr is the listen address; "" means "127.0.0.1:0" (a free port).
	Addr string
	// CertPEM/KeyPEM replace the generated serving certificate; CACertPEM is then set to CertPEM
	// (right for a self-signed certificate; otherwise give clients your own CA).
	CertPEM, KeyPEM []byte
	// HistoryLimit bounds the watch history; older changes are compacted automatically
	// (0 = keep everything until Compact).
	HistoryLimit int
	// WatchQueueLimit is the number of undelivered events after which a watch is ended as
	// unresponsive (0 = 100000, negative = unlimited).
	WatchQueueLimit int
	// WatchTimeout is the length of a watch without timeoutSeconds (0 = the apiserver default:
	// random between 30 and 60 minutes).
	WatchTimeout time.Duration
	// MaxRecords bounds Requests(); the oldest half is dropped when full (0 = 100000).
	MaxRecords int
}

// RequestRecord is one request as the server saw it.
type RequestRecord struct {
	Time      time.Time
	Method    string
	Path      string // URL path, e.g. /api/v1/namespaces/prod/secrets
	Query     string // raw query string
	Verb      string // "list", "watch", "get"; "" for other paths and methods
	Resource  string // plural, e.g. "secrets"; "" when not a resource path
	Namespace string
	Name      string
	Accept    string
	Status    int  // HTTP status sent (200 for a watch that started streaming)
	HadBearer bool // an Authorization: Bearer header was present
	Token     string
}

// Server is a running fake API server.
type Server struct {
	URL       string // https://127.0.0.1:PORT
	CACertPEM []byte // PEM of the CA that signed the serving certificate

	opts    Options
	t       testing.TB
	store   *store
	tlsConf *tls.Config
	srv     *http.Server
	addr    string
	closing chan struct{}
	active  atomic.Int64 // requests in ServeHTTP

	mu      sync.Mutex
	token   string
	ln      net.Listener
	down    bool
	closed  bool
	conns   map[*tls.Conn]struct{}
	records []RequestRecord
	denied  map[string]bool // plural -> RBAC forbids it (Forbid)
	faults  Faults
}

type connKey struct{}

// Start starts a server. With t != nil, t.Cleanup closes it and misuse of Add/Update/Delete is
// reported with t.Errorf; with t == nil misuse panics.
func Start(t testing.TB, opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.WatchQueueLimit == 0 {
		opts.WatchQueueLimit = 100000
	} else if opts.WatchQueueLimit < 0 {
		opts.WatchQueueLimit = 0
	}
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = 100000
	}
	s := &Server{opts: opts, t: t, store: newStore(opts.HistoryLimit), token: opts.Token,
		closing: make(chan struct{}), conns: map[*tls.Conn]struct{}{}}
	var cert tls.Certificate
	var err error
	if opts.CertPEM != nil {
		cert, err = loadServing(opts.CertPEM, opts.KeyPEM)
		s.CACertPEM = opts.CertPEM
	} else {
		cert, s.CACertPEM, err = generateServing()
	}
	if err != nil {
		return nil, err
	}
	// HTTP/1.1 only: the clients under test speak it, and it keeps one watch per connection.
	s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"},
		MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, err
	}
	s.ln, s.addr = ln, ln.Addr().String()
	s.URL = "https://" + s.addr
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
		ConnState:         s.trackConn,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
	go s.srv.Serve(tls.NewListener(ln, s.tlsConf))
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s, nil
}

func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch state {
	case http.StateNew:
		s.conns[tc] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, tc)
	}
}

// Close stops the server, ends every stream and waits (up to 5 s) for handlers to return.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.closing)
	s.store.dropAll()
	s.srv.Close()
	for deadline := time.Now().Add(5 * time.Second); s.active.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

// SetToken rotates the accepted bearer token: from now on only tok is accepted ("" = no auth).
func (s *Server) SetToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = tok
}

// SetDown(true) makes the server look like a stopped API server: the listener is closed, so new
// connections are refused (ECONNREFUSED), and every open connection, watches included, is cut
// without a TLS close_notify. SetDown(false) listens again on the same address.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	if s.closed || s.down == down {
		s.mu.Unlock()
		return
	}
	s.down = down
	if down {
		s.ln.Close()
		conns := make([]*tls.Conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		s.store.dropAll()
		for _, c := range conns {
			c.NetConn().Close()
		}
		return
	}
	defer s.mu.Unlock()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ln, err = net.Listen("tcp", s.addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		s.fail(fmt.Errorf("SetDown(false): cannot listen on %s again: %v", s.addr, err))
		return
	}
	s.ln = ln
	go s.srv.Serve(tls.NewListener(ln, s.tlsConf))
}

// Add creates an object (kind Secret, ConfigMap, ServiceAccount, Node, or a workload kind:
// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) and emits ADDED. It
// assigns metadata.resourceVersion and, when absent, uid, creationTimestamp, namespace "default"
// and a Secret's type Opaque. Adding an existing object is a test error.
func (s *Server) Add(obj map[string]any) { s.put(obj, true) }

// Update replaces an existing object and emits MODIFIED; uid and creationTimestamp are kept when
// obj lacks them. Updating a missing object is a test error.
func (s *Server) Update(obj map[string]any) { s.put(obj, false) }

func (s *Server) put(obj map[string]any, create bool) {
	res := resourceByKind(stringField(obj, "kind"))
	meta := metadataOf(obj)
	if res != nil && meta != nil {
		ns := stringField(meta, "namespace")
		if res.namespaced && ns == "" {
			ns = "default"
		}
		exists := s.store.get(res, ns, stringField(meta, "name")) != nil
		if create && exists {
			s.fail(fmt.Errorf("Add: %s %s/%s already exists", res.kind, ns, stringField(meta, "name")))
			return
		}
		if !create && !exists {
			s.fail(fmt.Errorf("Update: %s %s/%s does not exist", res.kind, ns, stringField(meta, "name")))
			return
		}
	}
	if err := s.store.put(obj); err != nil {
		s.fail(err)
	}
}

// Delete removes an object and emits DELETED; ns is ignored for Node. Deleting a missing object
// is a test error.
func (s *Server) Delete(kind, ns, name string) {
	res := resourceByKind(kind)
	if res == nil {
		s.fail(fmt.Errorf("Delete: unsupported kind %q", kind))
		return
	}
	if !res.namespaced {
		ns = ""
	}
	if !s.store.remove(res, ns, name) {
		s.fail(fmt.Errorf("Delete: %s %s/%s does not exist", kind, ns, name))
	}
}

// Forbid makes every request for the resource plural (e.g. "deployments") answer 403 Forbidden,
// as RBAC does when the ClusterRole lacks it.
func (s *Server) Forbid(plural string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.denied == nil {
		s.denied = map[string]bool{}
	}
	s.denied[plural] = true
}

func (s *Server) forbidden(plural string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.denied[plural]
}

// DropWatches cuts every open watch connection abruptly (no terminating chunk). A client must
// resume from its last resource version; the history is kept, so no relist is needed.
func (s *Server) DropWatches() { s.store.dropAll() }

// Compact makes every resource version up to now too old: a watch from such an RV gets the ERROR
// event 410 Expired, an Exact list at it and a continue token taken at it get HTTP 410.
func (s *Server) Compact() { s.store.compact() }

// SendBookmarks emits a BOOKMARK with the current resource version on every open watch that
// asked for allowWatchBookmarks=true.
func (s *Server) SendBookmarks() { s.store.bookmarkAll() }

// OpenWatches is the number of watch streams currently registered.
func (s *Server) OpenWatches() int { return s.store.openWatches() }

// WaitOpenWatches waits until at least n watches are open; it reports whether that happened.
func (s *Server) WaitOpenWatches(n int, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); s.OpenWatches() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// CurrentRV is the newest resource version, as a list would report it.
func (s *Server) CurrentRV() string { return strconv.FormatInt(s.store.current(), 10) }

// Requests returns a copy of the requests seen so far, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.records...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = nil
}

func (s *Server) fail(err error) {
	if s.t != nil {
		s.t.Helper()
		s.t.Errorf("fakeapi: %v", err)
		return
	}
	panic("fakeapi: " + err.Error())
}

func (s *Server) record(rec *RequestRecord, code int) {
	rec.Status = code
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.records) >= s.opts.MaxRecords {
		s.records = append([]RequestRecord(nil), s.records[len(s.records)/2:]...)
	}
	s.records = append(s.records, *rec)
}
