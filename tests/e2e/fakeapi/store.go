package fakeapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
)

// store holds the objects, the global resource version, the change history that watches replay
// from, and the open watchers. All methods are safe for concurrent use.
//
// Resource versions: one counter for all resources (like the etcd revision), incremented by every
// change. compactRV is the newest RV that is "too old": watches from RV <= compactRV get 410 Expired
// and continue tokens taken at RV <= compactRV expire. Compact also bumps the counter once, so a
// client that relists after a 410 gets an RV it can watch from (no 410 loop).
type store struct {
	mu           sync.Mutex
	rv           int64
	compactRV    int64
	objects      map[*resource]map[string]map[string]any // resource -> key -> stored object
	history      []change                                // changes with rv > compactRV, oldest first
	historyLimit int                                     // 0 = unlimited
	watchers     map[*watcher]struct{}
	changed      chan struct{} // closed and replaced whenever rv moves
	uidSeq       int64
	now          func() time.Time
}

// change is one history entry.
type change struct {
	rv   int64
	res  *resource
	key  string
	ns   string
	name string
	ev   event          // what watches are sent
	prev map[string]any // stored object before the change; nil for ADDED
}

// event is one watch event; obj carries kind and apiVersion.
type event struct {
	typ string // ADDED, MODIFIED, DELETED, BOOKMARK
	obj map[string]any
}

// keyed is an object with its storage key, as returned by listing.
type keyed struct {
	key string
	obj map[string]any
}

func newStore(historyLimit int) *store {
	st := &store{objects: map[*resource]map[string]map[string]any{}, historyLimit: historyLimit,
		watchers: map[*watcher]struct{}{}, changed: make(chan struct{}), now: time.Now}
	for _, r := range allResources {
		st.objects[r] = map[string]map[string]any{}
	}
	return st
}

// put inserts or replaces an object (upsert) and emits ADDED or MODIFIED.
func (st *store) put(in map[string]any) error {
	obj, err := deepCopy(in)
	if err != nil {
		return fmt.Errorf("object is not JSON: %v", err)
	}
	res := resourceByKind(stringField(obj, "kind"))
	if res == nil {
		return fmt.Errorf("unsupported kind %q (want Secret, ConfigMap, ServiceAccount, Node or a workload kind)",
			stringField(obj, "kind"))
	}
	meta := metadataOf(obj)
	if meta == nil || stringField(meta, "name") == "" {
		return errors.New("object has no metadata.name")
	}
	obj["apiVersion"] = res.apiVersion()
	name, ns := stringField(meta, "name"), stringField(meta, "namespace")
	if res.namespaced && ns == "" {
		ns = "default"
		meta["namespace"] = ns
	}
	if !res.namespaced {
		ns = ""
		delete(meta, "namespace")
	}
	if res == resSecrets && obj["type"] == nil {
		obj["type"] = "Opaque"
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	key := objectKey(res, ns, name)
	prev := st.objects[res][key]
	if prev != nil {
		for _, f := range []string{"uid", "creationTimestamp"} {
			if _, set := meta[f]; !set {
				meta[f] = metadataOf(prev)[f]
			}
		}
	} else {
		if _, set := meta["uid"]; !set {
			st.uidSeq++
			meta["uid"] = fmt.Sprintf("fa4e0000-0000-4000-8000-%012x", st.uidSeq)
		}
		if _, set := meta["creationTimestamp"]; !set {
			meta["creationTimestamp"] = st.now().UTC().Format(time.RFC3339)
		}
	}
	rv := st.bumpLocked()
	meta["resourceVersion"] = strconv.FormatInt(rv, 10)
	st.objects[res][key] = obj
	typ := "ADDED"
	if prev != nil {
		typ = "MODIFIED"
	}
	st.recordLocked(change{rv: rv, res: res, key: key, ns: ns, name: name,
		ev: event{typ: typ, obj: obj}, prev: prev})
	return nil
}

// remove deletes an object and emits DELETED carrying its last state stamped with the RV of the
// deletion (what the watch cache sends). It reports whether the object existed.
func (st *store) remove(res *resource, ns, name string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := objectKey(res, ns, name)
	prev := st.objects[res][key]
	if prev == nil {
		return false
	}
	delete(st.objects[res], key)
	rv := st.bumpLocked()
	last := withMetadata(prev, map[string]any{"resourceVersion": strconv.FormatInt(rv, 10)})
	st.recordLocked(change{rv: rv, res: res, key: key, ns: ns, name: name,
		ev: event{typ: "DELETED", obj: last}, prev: prev})
	return true
}

func (st *store) bumpLocked() int64 {
	st.rv++
	close(st.changed)
	st.changed = make(chan struct{})
	return st.rv
}

// recordLocked appends to the history (trimming it to historyLimit) and fans the event out.
func (st *store) recordLocked(c change) {
	st.history = append(st.history, c)
	if st.historyLimit > 0 && len(st.history) > st.historyLimit {
		drop := len(st.history) - st.historyLimit
		st.compactRV = st.history[drop-1].rv
		st.history = append([]change(nil), st.history[drop:]...)
	}
	for w := range st.watchers {
		if w.matches(c.res, c.ns, c.name) {
			w.pushLocked(c.ev)
		}
	}
}

// compact makes every RV up to now too old and forgets the history.
func (st *store) compact() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.compactRV = st.rv
	st.history = nil
	st.bumpLocked()
}

func (st *store) current() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.rv
}

// waitFor blocks until the store reached rv, the timeout passes or ctx ends; it returns whether
// rv was reached.
func (st *store) waitFor(ctx context.Context, rv int64, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		st.mu.Lock()
		reached, ch := st.rv >= rv, st.changed
		st.mu.Unlock()
		if reached {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func (st *store) get(res *resource, ns, name string) map[string]any {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.objects[res][objectKey(res, ns, name)]
}

// list returns the objects of res in namespace ns ("" = all) as they were at resource version at
// (0 = now), sorted by key, and the RV they were read at. expired is true when at is too old.
func (st *store) list(res *resource, ns string, at int64) (items []keyed, rv int64, expired bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	state := st.objects[res]
	rv = st.rv
	if at != 0 && at != st.rv {
		if at <= st.compactRV {
			return nil, 0, true
		}
		state = st.stateAtLocked(res, at)
		rv = at
	}
	for key, obj := range state {
		if ns == "" || stringField(metadataOf(obj), "namespace") == ns {
			items = append(items, keyed{key: key, obj: obj})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].key < items[j].key })
	return items, rv, false
}

// stateAtLocked rebuilds the objects of res as of RV at by undoing newer history entries.
func (st *store) stateAtLocked(res *resource, at int64) map[string]map[string]any {
	state := make(map[string]map[string]any, len(st.objects[res]))
	for k, v := range st.objects[res] {
		state[k] = v
	}
	for i := len(st.history) - 1; i >= 0 && st.history[i].rv > at; i-- {
		c := st.history[i]
		if c.res != res {
			continue
		}
		if c.prev == nil {
			delete(state, c.key)
		} else {
			state[c.key] = c.prev
		}
	}
	return state
}

// subscribe registers a watcher. from == 0 queues ADDED for the current state (the watch cache's
// answer to resourceVersion "0" or ""); otherwise every change after from is replayed. It returns
// expired=true (and no watcher) when from is too old.
func (st *store) subscribe(w *watcher, from int64) (expired bool, oldestOK int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if from != 0 && from <= st.compactRV {
		return true, st.compactRV + 1
	}
	if from == 0 {
		var keys []string
		for key, obj := range st.objects[w.res] {
			meta := metadataOf(obj)
			if w.matches(w.res, stringField(meta, "namespace"), stringField(meta, "name")) {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		for _, key := range keys {
			w.pushLocked(event{typ: "ADDED", obj: st.objects[w.res][key]})
		}
	} else {
		for _, c := range st.history {
			if c.rv > from && w.matches(c.res, c.ns, c.name) {
				w.pushLocked(c.ev)
			}
		}
	}
	st.watchers[w] = struct{}{}
	return false, 0
}

func (st *store) unsubscribe(w *watcher) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.watchers, w)
}

func (st *store) openWatches() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.watchers)
}

// bookmarkAll queues a BOOKMARK at the current RV on every watcher that asked for bookmarks.
// Every change up to that RV is already queued, so the bookmark never runs ahead of an event.
func (st *store) bookmarkAll() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for w := range st.watchers {
		if w.bookmarks {
			w.pushLocked(event{typ: "BOOKMARK", obj: bookmarkObject(w.res, st.rv)})
		}
	}
}

// dropAll unregisters every watcher and tells its stream to die.
func (st *store) dropAll() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for w := range st.watchers {
		delete(st.watchers, w)
		w.dropLocked()
	}
}

// bookmarkObject is the object of a BOOKMARK event: an empty object of the watched kind with only
// metadata.resourceVersion set. The real server encodes a typed ObjectMeta whose zero
// creationTimestamp serialises as null (omitempty does not drop a struct), so the fake sends that
// too; a client must not trip over it.
func bookmarkObject(res *resource, rv int64) map[string]any {
	return map[string]any{"kind": res.kind, "apiVersion": res.apiVersion(), "metadata": map[string]any{
		"resourceVersion": strconv.FormatInt(rv, 10), "creationTimestamp": nil}}
}
