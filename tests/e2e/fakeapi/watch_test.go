package fakeapi

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"
)

func rvPlus(t *testing.T, rv string, n int64) string {
	t.Helper()
	v, err := strconv.ParseInt(rv, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(v+n, 10)
}

func TestWatchReplaysFromResourceVersion(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(NewSecret("default", "a", nil))
	from := s.CurrentRV()
	s.Add(NewSecret("default", "b", nil))
	s.Update(NewSecret("default", "a", map[string]string{"k": "v"}))
	s.Delete("Secret", "default", "b")
	s.Add(NewConfigMap("default", "not-a-secret", nil))

	w := openWatch(t, s, "/api/v1/namespaces/default/secrets?watch=1&resourceVersion="+from, "", "")
	if w.resp.StatusCode != 200 || w.resp.Header.Get("Content-Type") != "application/json" ||
		len(w.resp.TransferEncoding) != 1 || w.resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("watch response: %d %v %v", w.resp.StatusCode, w.resp.Header, w.resp.TransferEncoding)
	}
	want := [][3]string{{"ADDED", "b", rvPlus(t, from, 1)}, {"MODIFIED", "a", rvPlus(t, from, 2)},
		{"DELETED", "b", rvPlus(t, from, 3)}}
	for _, ev := range want {
		typ, name, rv := w.nextEvent(t)
		if [3]string{typ, name, rv} != ev {
			t.Fatalf("replayed event %v, want %v", [3]string{typ, name, rv}, ev)
		}
	}
	// Live events follow the replay; other namespaces are filtered out.
	s.Add(NewSecret("other", "x", nil))
	s.Add(NewSecret("default", "c", nil))
	line, ev := w.next(t)
	if ev["type"] != "ADDED" || path(ev, "object", "kind") != "Secret" || path(ev, "object", "apiVersion") != "v1" ||
		path(ev, "object", "metadata", "name") != "c" {
		t.Errorf("live event: %s", line)
	}
}

func TestWatchFromZeroSendsCurrentStateFirst(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(NewServiceAccount("ns", "sa2"))
	s.Add(NewServiceAccount("ns", "sa1"))
	for _, rv := range []string{"", "0"} {
		w := openWatch(t, s, "/api/v1/serviceaccounts?watch=true&resourceVersion="+rv, "", "")
		for _, name := range []string{"sa1", "sa2"} {
			if typ, got, _ := w.nextEvent(t); typ != "ADDED" || got != name {
				t.Errorf("rv %q: got %s %s, want ADDED %s", rv, typ, got, name)
			}
		}
	}
}

func TestBookmarksOnlyForWatchesThatAskedForThem(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(NewConfigMap("ns", "a", nil))
	from := s.CurrentRV()
	with := openWatch(t, s, "/api/v1/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion="+from, "", "")
	without := openWatch(t, s, "/api/v1/configmaps?watch=1&resourceVersion="+from, "", "")
	if !s.WaitOpenWatches(2, waitLong) {
		t.Fatal("watches not open")
	}
	s.SendBookmarks()
	line, _ := with.next(t)
	want := fmt.Sprintf(`{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1",`+
		`"metadata":{"creationTimestamp":null,"resourceVersion":"%s"}}}`, from)
	if line != want {
		t.Errorf("bookmark:\n got %s\nwant %s", line, want)
	}
	s.Add(NewConfigMap("ns", "b", nil))
	if typ, name, _ := without.nextEvent(t); typ != "ADDED" || name != "b" {
		t.Errorf("watch without allowWatchBookmarks got %s %s first", typ, name)
	}
}

func TestDropWatchesThenResumeWithoutRelist(t *testing.T) {
	s := startServer(t, Options{})
	from := s.CurrentRV()
	w := openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion="+from, "", "")
	s.Add(NewSecret("ns", "x", nil))
	_, _, lastRV := w.nextEvent(t)

	s.DropWatches()
	if n := s.OpenWatches(); n != 0 {
		t.Errorf("OpenWatches right after DropWatches = %d", n)
	}
	if err := w.waitEnd(t); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("dropped watch must end abruptly (no terminating chunk), got %v", err)
	}
	s.Add(NewSecret("ns", "y", nil)) // while nobody watches

	resumed := openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion="+lastRV, "", "")
	if typ, name, _ := resumed.nextEvent(t); typ != "ADDED" || name != "y" {
		t.Errorf("resumed watch got %s %s, want ADDED y", typ, name)
	}
	recs := s.Requests()
	if countVerb(recs, "list") != 0 || countVerb(recs, "watch") != 2 {
		t.Errorf("want 2 watches and no list, got %+v", recs)
	}
}

func TestCompactSendsExpiredErrorEvent(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(NewSecret("ns", "first", nil))
	from := s.CurrentRV() // not "0": that would mean "current state", never too old
	s.Add(NewSecret("ns", "a", nil))
	s.Compact()
	w := openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion="+from, "", "")
	if w.resp.StatusCode != 200 {
		t.Fatalf("watch from a compacted RV: HTTP %d, want 200 with an ERROR event", w.resp.StatusCode)
	}
	line, _ := w.next(t)
	want := fmt.Sprintf(`{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},`+
		`"status":"Failure","message":"too old resource version: %s (%s)","reason":"Expired","code":410}}`,
		from, s.CurrentRV())
	if line != want {
		t.Errorf("error event:\n got %s\nwant %s", line, want)
	}
	if err := w.waitEnd(t); !errors.Is(err, io.EOF) {
		t.Errorf("stream after the ERROR event must end cleanly, got %v", err)
	}
	if s.OpenWatches() != 0 {
		t.Error("expired watch still registered")
	}
	// A relist gives an RV the client can watch from: no 410 loop.
	listRV := path(decode(t, get(t, s, "/api/v1/secrets").body), "metadata", "resourceVersion").(string)
	fresh := openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion="+listRV, "", "")
	s.Add(NewSecret("ns", "b", nil))
	if typ, name, _ := fresh.nextEvent(t); typ != "ADDED" || name != "b" {
		t.Errorf("watch from the relist RV got %s %s", typ, name)
	}
}

func TestHistoryLimitCompactsAutomatically(t *testing.T) {
	s := startServer(t, Options{HistoryLimit: 2})
	s.Add(NewSecret("ns", "first", nil))
	from := s.CurrentRV()
	for _, n := range []string{"a", "b", "c"} { // history keeps b and c; a's RV becomes too old
		s.Add(NewSecret("ns", n, nil))
	}
	line, _ := openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion="+from, "", "").next(t)
	if typ := decode(t, line)["type"]; typ != "ERROR" {
		t.Errorf("watch from before the retained history: %s", line)
	}
	w := openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion="+rvPlus(t, from, 2), "", "")
	if typ, name, _ := w.nextEvent(t); typ != "ADDED" || name != "c" {
		t.Errorf("watch inside the retained history got %s %s", typ, name)
	}
}

func TestWatchTimeoutEndsCleanly(t *testing.T) {
	s := startServer(t, Options{})
	start := time.Now()
	w := openWatch(t, s, "/api/v1/nodes?watch=1&timeoutSeconds=1", "", "")
	if err := w.waitEnd(t); !errors.Is(err, io.EOF) {
		t.Errorf("timeoutSeconds must end the stream cleanly, got %v", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("stream ended after %v, before timeoutSeconds", d)
	}
}

func TestWatchPartialObjectMetadata(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(NewSecret("ns", "a", map[string]string{"k": "v"}))
	w := openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion=0", "",
		"application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
	_, ev := w.next(t)
	obj, _ := ev["object"].(map[string]any)
	if ev["type"] != "ADDED" || obj["kind"] != "PartialObjectMetadata" || obj["data"] != nil {
		t.Errorf("partial watch event: %v", ev)
	}
	// A watch cannot be served as a list: the real server's encoder fails on the first event.
	w = openWatch(t, s, "/api/v1/secrets?watch=1&resourceVersion=0", "",
		"application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
	if err := w.waitEnd(t); !errors.Is(err, io.EOF) {
		t.Errorf("watch as PartialObjectMetadataList: %v", err)
	}
}

func TestWatchWaitsForAFutureResourceVersion(t *testing.T) {
	s := startServer(t, Options{})
	future := rvPlus(t, s.CurrentRV(), 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		s.Add(NewNode("n1", nil)) // reaches `future`
		s.Add(NewNode("n2", nil))
	}()
	w := openWatch(t, s, "/api/v1/nodes?watch=1&resourceVersion="+future, "", "")
	if typ, name, _ := w.nextEvent(t); typ != "ADDED" || name != "n2" {
		t.Errorf("got %s %s, want ADDED n2 (events after the requested RV only)", typ, name)
	}
}

func TestSlowWatcherIsEndedWhenItsQueueOverflows(t *testing.T) {
	w := newWatcher(resSecrets, "", "", false, 2)
	for i := 0; i < 3; i++ {
		w.pushLocked(event{typ: "ADDED", obj: map[string]any{}})
	}
	if !w.overflow || len(w.queue) != 0 {
		t.Errorf("overflow=%v queue=%d, want overflow with the queue dropped", w.overflow, len(w.queue))
	}
	fine := newWatcher(resSecrets, "", "", false, 2)
	fine.pushLocked(event{typ: "ADDED", obj: map[string]any{}})
	fine.pushLocked(event{typ: "ADDED", obj: map[string]any{}})
	if fine.overflow || len(fine.queue) != 2 {
		t.Errorf("a queue at its limit is not an overflow: %v %d", fine.overflow, len(fine.queue))
	}
}

func TestWatchOfOneName(t *testing.T) {
	s := startServer(t, Options{})
	s.Add(NewSecret("ns", "mine", nil))
	from := s.CurrentRV()
	w := openWatch(t, s, "/api/v1/namespaces/ns/secrets/mine?watch=1&resourceVersion="+from, "", "")
	s.Add(NewSecret("ns", "other", nil))
	s.Update(NewSecret("ns", "mine", map[string]string{"k": "v"}))
	if typ, name, _ := w.nextEvent(t); typ != "MODIFIED" || name != "mine" {
		t.Errorf("single-name watch got %s %s", typ, name)
	}
	if recs := s.Requests(); recs[0].Verb != "watch" || recs[0].Name != "mine" || recs[0].Resource != "secrets" {
		t.Errorf("record: %+v", recs[0])
	}
}
