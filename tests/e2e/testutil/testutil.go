// Package testutil holds helpers shared by the end-to-end test packages.
package testutil

import (
	"bytes"
	"os"
	"sync"
	"time"
)

// Sanitizer is the -fsanitize= list the binary under test was built with (scripts/test
// --sanitize exports PREFLIGHT_SANITIZE), empty for the normal build.
func Sanitizer() string { return os.Getenv("PREFLIGHT_SANITIZE") }

// Bound is a deadline or memory bound that a sanitizer's slowdown or shadow memory breaks:
// the unsanitized suite checks it; under a sanitizer a miss is logged instead. Only the bound
// is relaxed; every correctness assertion of the test still runs.
func Bound(t interface {
	Helper()
	Errorf(string, ...any)
	Logf(string, ...any)
}, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		return
	}
	if s := Sanitizer(); s != "" {
		t.Logf(format+" (not a failure under -fsanitize=%s)", append(args, s)...)
	} else {
		t.Errorf(format, args...)
	}
}

// Patience is how much longer than d to wait under a sanitizer for something that must happen
// (TSan runs the server 5-15 times slower); d itself in the normal build.
func Patience(d time.Duration) time.Duration {
	if Sanitizer() != "" {
		return 10 * d
	}
	return d
}

// SyncBuffer collects a child process's output while it runs; safe for concurrent use.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
