package cluster

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"preflight/e2e/fakeapi"
)

// reviewLoad sends reviews of ns/secret from `workers` goroutines until stop is closed, with the
// API server's ?timeout=5s, and returns every result (errors included).
func reviewLoad(p *preflight, workers int, ns, secret string, stop <-chan struct{}) func() ([]reviewResult, []error) {
	var mu sync.Mutex
	var results []reviewResult
	var errs []error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := p.review(secretReview(ns, secret, "OPENAI_API_KEY"), "5s")
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					results = append(results, res)
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	return func() ([]reviewResult, []error) {
		wg.Wait()
		return results, errs
	}
}

// TestAPIServerFaultsAtStart: an API server that answers 500, 503 or 429 (with Retry-After), or
// that is too slow to answer, from the start. Reviews under load are never hung or failed: each
// is answered within the API server's timeout, with the policy's cluster_unavailable decision,
// and says why. When the fault clears, preflight syncs and decides from the cache.
func TestAPIServerFaultsAtStart(t *testing.T) {
	needBin(t)
	faults := []struct {
		name  string
		fault fakeapi.Faults
	}{
		{"500 InternalError", fakeapi.Faults{Status: 500}},
		{"503 with Retry-After", fakeapi.Faults{Status: 503, RetryAfter: 1}},
		{"429 with Retry-After", fakeapi.Faults{Status: 429, RetryAfter: 1}},
		{"slow (8 s per request)", fakeapi.Faults{Delay: 8 * time.Second}},
	}
	modes := []struct{ setting, policy string }{
		{"deny", fastPolicy + "cluster_unavailable: deny\n"},
		{"warn", fastPolicy + "cluster_unavailable: warn\n"},
		{"allow", fastPolicy + "cluster_unavailable: allow\n"},
	}
	for _, f := range faults {
		f := f
		t.Run(f.name, func(t *testing.T) {
			fake := startFake(t, "tok-fault")
			fake.Add(fakeapi.NewSecret("prod", "openai", key("v")))
			fake.SetFaults(f.fault)
			ps := make([]*preflight, len(modes))
			for i, m := range modes {
				ps[i] = startPreflight(t, serveOptions{policy: m.policy,
					kubeconfig: writeKubeconfig(t, t.TempDir(), fake, kubeAuth{token: "tok-fault"})})
			}
			time.Sleep(500 * time.Millisecond) // a few failed (or hanging) lists
			const want = `could not check secret "openai"`
			for i, m := range modes {
				stop := make(chan struct{})
				wait := reviewLoad(ps[i], 4, "prod", "openai", stop)
				time.Sleep(time.Second)
				close(stop)
				results, errs := wait()
				for _, err := range errs {
					t.Errorf("%s: review failed: %v", m.setting, err)
				}
				if len(results) == 0 {
					t.Fatalf("%s: no review answered", m.setting)
				}
				for _, res := range results {
					warned := false
					for _, w := range res.Warnings {
						warned = warned || strings.Contains(w, want)
					}
					ok := res.HTTPStatus == 200 && res.Elapsed < 5*time.Second
					switch m.setting {
					case "deny":
						ok = ok && !res.Allowed && strings.Contains(res.Message, want)
					case "warn":
						ok = ok && res.Allowed && warned
					case "allow":
						ok = ok && res.Allowed && !warned
					}
					if !ok {
						t.Errorf("cluster_unavailable %s: %s", m.setting, res)
						break
					}
				}
				t.Logf("cluster_unavailable %s: %d reviews answered, e.g. %s", m.setting, len(results), results[0])
				if code, _, _ := ps[i].readyz(); code != 503 {
					t.Errorf("%s: /readyz %d during the fault, want 503", m.setting, code)
				}
			}
			if f.fault.Status == 429 || f.fault.Status == 503 {
				checkRetryAfterHonoured(t, fake.Requests(), f.fault.RetryAfter)
			}
			fake.SetFaults(fakeapi.Faults{})
			for i, m := range modes {
				ps[i].waitReady(30 * time.Second)
				if res := ps[i].mustReview(secretReview("prod", "openai", "OPENAI_API_KEY")); !res.Allowed || len(res.Warnings) > 0 {
					t.Errorf("%s after the fault: %s, want allowed from the cache", m.setting, res)
				}
				if res := ps[i].mustReview(secretReview("prod", "nope", "OPENAI_API_KEY")); res.Allowed {
					t.Errorf("%s after the fault, missing Secret: %s, want denied", m.setting, res)
				}
			}
		})
	}
}

// checkRetryAfterHonoured: after a 429/503 with Retry-After: N, the same client (one list per
// resource) waits at least N seconds before asking again.
func checkRetryAfterHonoured(t *testing.T, reqs []fakeapi.RequestRecord, seconds int) {
	t.Helper()
	byResource := map[string][]time.Time{}
	for _, r := range reqs {
		if r.Verb == "list" && r.Status != 0 {
			byResource[r.Resource] = append(byResource[r.Resource], r.Time)
		}
	}
	gaps := 0
	for res, times := range byResource {
		// Three instances share the fake. Two attempts of one instance are at least N s apart,
		// so they never fall into the same N-second window: at most 3 attempts per window.
		counts := map[int]int{}
		for _, tm := range times {
			counts[int(tm.Sub(times[0])/(time.Duration(seconds)*time.Second))]++
		}
		for window, n := range counts {
			if n > 3 { // three instances, one attempt each per window
				t.Errorf("%s: %d list attempts within Retry-After window %d; the client does not wait %ds",
					res, n, window, seconds)
			}
			gaps++
		}
	}
	if gaps == 0 {
		t.Errorf("no list attempts recorded")
	}
}

// TestWatchDropsEverySecondUnderLoad: the API server cuts every watch once a second while
// reviews run and Secrets change: no review fails or hangs, and every change is seen.
func TestWatchDropsEverySecondUnderLoad(t *testing.T) {
	needBin(t)
	fake, p := syncedPreflight(t, kubeAuth{token: "tok-drops"}, "tok-drops",
		fakeapi.NewSecret("prod", "openai", key("v")))
	stop := make(chan struct{})
	wait := reviewLoad(p, 4, "prod", "openai", stop)
	for i := 0; i < 6; i++ {
		fake.Add(fakeapi.NewSecret("prod", fmt.Sprintf("late-%d", i), key("v")))
		time.Sleep(time.Second)
		fake.DropWatches()
	}
	close(stop)
	results, errs := wait()
	for _, err := range errs {
		t.Errorf("review failed: %v", err)
	}
	for _, res := range results {
		if res.HTTPStatus != 200 || !res.Allowed || len(res.Warnings) > 0 || res.Elapsed > 5*time.Second {
			t.Errorf("review during the drops: %s, want allowed from the cache", res)
			break
		}
	}
	t.Logf("%d reviews during 6 watch drops", len(results))
	for i := 0; i < 6; i++ {
		waitAllowed(t, p, 5*time.Second, "prod", fmt.Sprintf("late-%d", i))
	}
}
