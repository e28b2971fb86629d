package fakeapi

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// tooLargeRVWait is how long the watch cache waits for a resource version newer than its own
// before answering 504 "Too large resource version".
const tooLargeRVWait = 3 * time.Second

// watcher is one open watch: its filter and its queue of events not yet written. The queue is
// guarded by the store mutex; notify wakes the stream goroutine.
type watcher struct {
	res       *resource
	ns, name  string // "" = any
	bookmarks bool
	limit     int // queue length that marks the client unresponsive; 0 = unlimited

	queue    []event
	overflow bool
	dropped  bool
	notify   chan struct{} // capacity 1
	drop     chan struct{} // closed by DropWatches
}

func newWatcher(res *resource, ns, name string, bookmarks bool, limit int) *watcher {
	return &watcher{res: res, ns: ns, name: name, bookmarks: bookmarks, limit: limit,
		notify: make(chan struct{}, 1), drop: make(chan struct{})}
}

func (w *watcher) matches(res *resource, ns, name string) bool {
	return res == w.res && (w.ns == "" || w.ns == ns) && (w.name == "" || w.name == name)
}

// pushLocked queues an event. A queue past its limit ends the watch (the watch cache closes the
// watcher of a client that does not keep up); the client must resume from its last RV.
func (w *watcher) pushLocked(ev event) {
	if w.overflow || w.dropped {
		return
	}
	if w.limit > 0 && len(w.queue) >= w.limit {
		w.overflow, w.queue = true, nil
	} else {
		w.queue = append(w.queue, ev)
	}
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (w *watcher) dropLocked() {
	if !w.dropped {
		w.dropped = true
		close(w.drop)
	}
}

// take hands the queued events to the stream goroutine.
func (st *store) take(w *watcher) (events []event, overflow bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	events, w.queue = w.queue, nil
	return events, w.overflow
}

// serveWatch streams watch events: HTTP 200, Content-Type application/json, chunked, one JSON
// event per line, flushed per event.
func (s *Server) serveWatch(w http.ResponseWriter, r *http.Request, rt route, q url.Values,
	mt mediaType, rec *RequestRecord) {
	from, bad := parseRV(q.Get("resourceVersion"))
	if bad != nil {
		s.writeStatus(w, rec, bad)
		return
	}
	timeout, bad := s.watchTimeout(q.Get("timeoutSeconds"))
	if bad != nil {
		s.writeStatus(w, rec, bad)
		return
	}
	if from > s.store.current() && !s.store.waitFor(r.Context(), from, tooLargeRVWait) {
		s.writeStatus(w, rec, statusTooLargeRV(from, s.store.current()))
		return
	}
	bookmarks, _ := strconv.ParseBool(q.Get("allowWatchBookmarks"))
	wt := newWatcher(rt.res, rt.ns, rt.name, bookmarks, s.opts.WatchQueueLimit)
	expired, oldest := s.store.subscribe(wt, from)
	defer s.store.unsubscribe(wt)

	flusher, _ := w.(http.Flusher)
	setAPIHeaders(w)
	w.Header().Set("Transfer-Encoding", "chunked")
	s.record(rec, http.StatusOK)
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	if expired {
		msg := fmt.Sprintf("too old resource version: %d (%d)", from, oldest)
		w.Write(errorEventLine(statusExpired(msg)))
		return // the watch cache closes the stream after the error event
	}

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-wt.drop:
			abortConn(r)
			return
		default:
		}
		events, overflow := s.store.take(wt)
		for _, ev := range events {
			if mt.partial == kindPartialList {
				// The real server cannot encode a single object as a list: the embedded
				// encoder fails on the first event and the stream ends without it.
				return
			}
			if _, err := w.Write(eventLine(ev, mt)); err != nil {
				return
			}
			flusher.Flush()
		}
		if overflow {
			return
		}
		select {
		case <-wt.notify:
		case <-wt.drop:
			abortConn(r)
			return
		case <-timer.C:
			return // timeoutSeconds: the stream ends cleanly (terminating chunk)
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

// watchTimeout is timeoutSeconds, or the apiserver default: a random duration between
// --min-request-timeout (1800 s) and twice that, unless Options.WatchTimeout overrides it.
func (s *Server) watchTimeout(param string) (time.Duration, *status) {
	if param != "" {
		n, err := strconv.ParseInt(param, 10, 64)
		if err != nil || n < 0 {
			return 0, statusBadRequest(fmt.Sprintf("invalid timeoutSeconds: %q", param))
		}
		if n > 0 {
			return time.Duration(n) * time.Second, nil
		}
	}
	if s.opts.WatchTimeout > 0 {
		return s.opts.WatchTimeout, nil
	}
	return time.Duration(float64(1800*time.Second) * (1 + rand.Float64())), nil
}

// abortConn closes the TCP connection under the TLS session without a close_notify alert or the
// terminating chunk: what the client sees when the API server process dies mid-stream.
func abortConn(r *http.Request) {
	if c, ok := r.Context().Value(connKey{}).(*tls.Conn); ok {
		c.NetConn().Close()
	}
}

// eventLine renders {"type":...,"object":{...}} plus newline, the object transformed per mt.
func eventLine(ev event, mt mediaType) []byte {
	obj := ev.obj
	if mt.partial == kindPartial {
		obj = partialObject(obj, mt.version)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":`)
	buf.Write(mustMarshal(ev.typ))
	buf.WriteString(`,"object":`)
	marshalObject(&buf, obj, true)
	buf.WriteString("}\n")
	return buf.Bytes()
}

func errorEventLine(st *status) []byte {
	body := bytes.TrimSuffix(encodeJSON(st), []byte("\n"))
	return []byte(`{"type":"ERROR","object":` + string(body) + "}\n")
}
