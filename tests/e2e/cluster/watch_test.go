package cluster

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"preflight/e2e/fakeapi"
	"preflight/e2e/testutil"
)

// syncedPreflight starts a fake holding objs and a preflight synced against it (fastPolicy),
// with all four watches open.
func syncedPreflight(t *testing.T, auth kubeAuth, fakeToken string, objs ...map[string]any) (*fakeapi.Server, *preflight) {
	t.Helper()
	fake := startFake(t, fakeToken)
	for _, o := range objs {
		fake.Add(o)
	}
	p := startPreflight(t, serveOptions{
		kubeconfig: writeKubeconfig(t, t.TempDir(), fake, auth), policy: fastPolicy})
	p.waitReady(10 * time.Second)
	if !fake.WaitOpenWatches(4, 5*time.Second) {
		t.Fatalf("open watches: %d, want 4\n%s", fake.OpenWatches(), describeRequests(fake.Requests()))
	}
	return fake, p
}

func waitAllowed(t *testing.T, p *preflight, within time.Duration, ns, secret string) time.Duration {
	t.Helper()
	return waitFor(t, within, fmt.Sprintf("review of Secret %s/%s admitted", ns, secret), func() (bool, string) {
		res := p.mustReview(secretReview(ns, secret, "OPENAI_API_KEY"))
		return res.Allowed, res.String()
	})
}

func waitNotFound(t *testing.T, p *preflight, within time.Duration, ns, secret string) {
	t.Helper()
	want := fmt.Sprintf("secret %q not found in namespace %q", secret, ns)
	waitFor(t, within, fmt.Sprintf("review of Secret %s/%s rejected", ns, secret), func() (bool, string) {
		res := p.mustReview(secretReview(ns, secret, "OPENAI_API_KEY"))
		return !res.Allowed && strings.Contains(res.Message, want), res.String()
	})
}

func key(v string) map[string]string { return map[string]string{"OPENAI_API_KEY": v} }

// TestDroppedWatchResumes: after the API server cuts every watch (unexpected EOF), preflight
// resumes each watch from the last resourceVersion it saw, bookmarks included, and does not list
// again; changes made while it was disconnected are seen.
func TestDroppedWatchResumes(t *testing.T) {
	needBin(t)
	fake, p := syncedPreflight(t, kubeAuth{token: "tok-drop"}, "tok-drop",
		fakeapi.NewSecret("prod", "a", key("v")), fakeapi.NewConfigMap("prod", "cfg", nil))

	// A change only the configmaps watch sees, then a bookmark: every watch now knows the
	// current RV, and a resumed watch must start there.
	fake.Add(fakeapi.NewConfigMap("prod", "cfg-2", nil))
	fake.SendBookmarks()
	bookmarkRV := fake.CurrentRV()
	// The fake drops queued events when the stream is cut, so let the bookmark reach preflight.
	time.Sleep(200 * time.Millisecond)

	for round := 1; round <= 2; round++ {
		fake.ResetRequests()
		fake.DropWatches()
		name := fmt.Sprintf("b%d", round)
		fake.Add(fakeapi.NewSecret("prod", name, key("v")))
		took := waitAllowed(t, p, 3*time.Second, "prod", name)
		t.Logf("round %d: Secret added after the drop seen in %v", round, took.Round(time.Millisecond))
		if !fake.WaitOpenWatches(4, 5*time.Second) {
			t.Fatalf("round %d: open watches %d after the drop, want 4", round, fake.OpenWatches())
		}
		reqs := fake.Requests()
		if lists := requestsOf(reqs, "list", ""); len(lists) != 0 {
			t.Errorf("round %d: preflight listed again after a dropped watch (want a resumed watch):\n%s",
				round, describeRequests(lists))
		}
		for _, res := range resources {
			watches := requestsOf(reqs, "watch", res)
			if len(watches) == 0 {
				t.Errorf("round %d: no new watch of %s after the drop", round, res)
				continue
			}
			got := queryParam(watches[0], "resourceVersion")
			want := bookmarkRV
			if round == 2 && res == "secrets" {
				want = "" // any RV at or after b1's; checked below
			}
			if want != "" && got != want {
				t.Errorf("round %d: %s watch resumed from resourceVersion=%q, want %q (the bookmark's)",
					round, res, got, want)
			}
			if got == "" || got == "0" {
				t.Errorf("round %d: %s watch resumed with resourceVersion=%q (a fresh watch, not a resume)",
					round, res, got)
			}
		}
	}

	fake.Delete("Secret", "prod", "a")
	waitNotFound(t, p, time.Second, "prod", "a")
	m := p.metrics()
	if v, _ := metricSum(m, "preflight_cluster_cache_objects", map[string]string{"resource": "secrets"}); v != 2 {
		t.Errorf("preflight_cluster_cache_objects{resource=\"secrets\"} = %v, want 2 (b1, b2)", v)
	}
	if v, _ := metricSum(m, "preflight_kube_api_requests_total", map[string]string{"verb": "list"}); v != 4 {
		t.Errorf("preflight_kube_api_requests_total{verb=\"list\"} = %v, want 4 (one per resource, no relist)", v)
	}
}

// TestRepeatedDropsResumePromptly: a quiet watch cut again and again after it was healthy (an
// idle-timeout load balancer, an API server rolling restart) is resumed within a second each
// time. client-go reconnects at once after a watch that lasted a second or more; a backoff that
// keeps doubling across successful reconnects would leave the cache blind for up to 30 s.
func TestRepeatedDropsResumePromptly(t *testing.T) {
	needBin(t)
	fake, p := syncedPreflight(t, kubeAuth{token: "tok-redrop"}, "tok-redrop")
	for round := 1; round <= 4; round++ {
		time.Sleep(1100 * time.Millisecond) // a healthy watch, longer than client-go's "very short watch"
		fake.ResetRequests()
		start := time.Now()
		fake.DropWatches()
		if !fake.WaitOpenWatches(4, testutil.Patience(time.Second)) {
			t.Fatalf("round %d: %d of 4 watches resumed within %v of the drop (each previous watch had been open > 1 s)\n%s",
				round, fake.OpenWatches(), testutil.Patience(time.Second), describeRequests(fake.Requests()))
		}
		took := time.Since(start)
		t.Logf("round %d: resumed in %v", round, took.Round(time.Millisecond))
		testutil.Bound(t, took <= time.Second, "round %d: 4 watches resumed %v after the drop, want within 1 s",
			round, took.Round(time.Millisecond))
		if lists := requestsOf(fake.Requests(), "list", ""); len(lists) != 0 {
			t.Errorf("round %d: relisted after a dropped watch:\n%s", round, describeRequests(lists))
		}
	}
	fake.Add(fakeapi.NewServiceAccount("prod", "late-sa"))
	waitFor(t, testutil.Patience(time.Second), "a ServiceAccount added after the drops", func() (bool, string) {
		res := p.mustReview(deploymentReview(nextUID("sa"), "prod", "app", podSpec("late-sa")))
		return res.Allowed, res.String()
	})
}

// TestTooOldResourceVersionRelists: after a compaction, the resumed watches get the ERROR event
// 410 "too old resource version"; preflight lists again and its cache matches the fake, including
// a deletion and an addition it never saw as events.
func TestTooOldResourceVersionRelists(t *testing.T) {
	needBin(t)
	fake, p := syncedPreflight(t, kubeAuth{token: "tok-410"}, "tok-410",
		fakeapi.NewSecret("prod", "keep", key("v")), fakeapi.NewSecret("prod", "gone", key("v")))
	oldRV := fake.CurrentRV()

	fake.ResetRequests()
	fake.Compact()
	fake.DropWatches()
	// Made while preflight is disconnected: it can only learn them from the relist.
	fake.Delete("Secret", "prod", "gone")
	fake.Add(fakeapi.NewSecret("prod", "new", key("v")))

	took := waitAllowed(t, p, 5*time.Second, "prod", "new")
	t.Logf("Secret added during the outage seen after %v", took.Round(time.Millisecond))
	waitNotFound(t, p, time.Second, "prod", "gone")
	waitAllowed(t, p, time.Second, "prod", "keep")
	if !fake.WaitOpenWatches(4, 5*time.Second) {
		t.Fatalf("open watches %d after the relist, want 4", fake.OpenWatches())
	}

	reqs := fake.Requests()
	for _, res := range resources {
		lists := requestsOf(reqs, "list", res)
		if len(lists) == 0 {
			t.Errorf("%s: no list after its watch got 410 (want a relist):\n%s", res, describeRequests(reqs))
			continue
		}
		if len(lists) > 2 {
			t.Errorf("%s: %d lists after one 410, want 1", res, len(lists))
		}
		watches := requestsOf(reqs, "watch", res)
		if len(watches) < 2 {
			t.Errorf("%s: %d watches, want the too-old one and one after the relist:\n%s", res,
				len(watches), describeRequests(watches))
			continue
		}
		if got := queryParam(watches[0], "resourceVersion"); got != oldRV {
			t.Errorf("%s: first watch after the drop from resourceVersion=%q, want %q", res, got, oldRV)
		}
		last := watches[len(watches)-1]
		if !last.Time.After(lists[0].Time) {
			t.Errorf("%s: the last watch (%s) is not after the relist (%s)", res, last.Query, lists[0].Query)
		}
		if got := queryParam(last, "resourceVersion"); got == oldRV || got == "" || got == "0" {
			t.Errorf("%s: watch after the relist from resourceVersion=%q, want the relist's (> %s)", res, got, oldRV)
		}
	}
	m := p.metrics()
	if v, _ := metricSum(m, "preflight_cluster_cache_objects", map[string]string{"resource": "secrets"}); v != 2 {
		t.Errorf("preflight_cluster_cache_objects{resource=\"secrets\"} = %v after the relist, want 2 (keep, new)", v)
	}
	if v, _ := metricSum(m, "preflight_cluster_cache_synced", map[string]string{"resource": "secrets"}); v != 1 {
		t.Errorf("preflight_cluster_cache_synced{resource=\"secrets\"} = %v after the relist, want 1", v)
	}
}

// TestTokenRotation: the bearer token comes from a tokenFile that is rotated; preflight sends the
// new token on its next requests, whether the file or the API server changes first.
func TestTokenRotation(t *testing.T) {
	needBin(t)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	writeTokenFile(t, tokenFile, "tok-one")
	fake, p := syncedPreflight(t, kubeAuth{tokenFile: tokenFile}, "tok-one")
	for _, r := range fake.Requests() {
		if r.Token != "tok-one" {
			t.Fatalf("initial %s %s: token %q, want the file's tok-one", r.Verb, r.Path, r.Token)
		}
	}

	t.Run("file first", func(t *testing.T) {
		writeTokenFile(t, tokenFile, "tok-two")
		fake.SetToken("tok-two")
		fake.ResetRequests()
		fake.DropWatches()
		fake.Add(fakeapi.NewSecret("prod", "after-first", key("v")))
		waitAllowed(t, p, 3*time.Second, "prod", "after-first")
		if !fake.WaitOpenWatches(4, 5*time.Second) {
			t.Fatalf("open watches %d after rotation, want 4\n%s", fake.OpenWatches(), describeRequests(fake.Requests()))
		}
		reqs := fake.Requests()
		if len(reqs) < 4 {
			t.Fatalf("%d requests after the rotation, want the 4 watches again", len(reqs))
		}
		for _, r := range reqs {
			if r.Token != "tok-two" || r.Status != 200 {
				t.Errorf("%s %s?%s after rotation: token %q status %d, want tok-two and 200",
					r.Verb, r.Path, r.Query, r.Token, r.Status)
			}
		}
	})

	t.Run("API server first", func(t *testing.T) {
		fake.SetToken("tok-three")
		fake.ResetRequests()
		fake.DropWatches()
		waitFor(t, 3*time.Second, "a 401 for the old token", func() (bool, string) {
			for _, r := range fake.Requests() {
				if r.Status == 401 && r.Token == "tok-two" {
					return true, ""
				}
			}
			return false, describeRequests(fake.Requests())
		})
		writeTokenFile(t, tokenFile, "tok-three")
		fake.Add(fakeapi.NewSecret("prod", "after-second", key("v")))
		took := waitAllowed(t, p, 6*time.Second, "prod", "after-second")
		t.Logf("new token in use %v after the file changed", took.Round(time.Millisecond))
		if !fake.WaitOpenWatches(4, 5*time.Second) {
			t.Fatalf("open watches %d after rotation, want 4\n%s", fake.OpenWatches(), describeRequests(fake.Requests()))
		}
		for _, r := range fake.Requests() {
			if r.Status == 200 && r.Token != "tok-three" {
				t.Errorf("%s %s: accepted with token %q?", r.Verb, r.Path, r.Token)
			}
			if r.Token == "tok-three" && r.Status != 200 {
				t.Errorf("%s %s?%s with the new token: status %d", r.Verb, r.Path, r.Query, r.Status)
			}
		}
		if v, _ := metricSum(p.metrics(), "preflight_kube_api_requests_total", map[string]string{"code": "401"}); v < 1 {
			t.Errorf(`preflight_kube_api_requests_total{code="401"} = %v, want >= 1`, v)
		}
	})
}

// TestAPIServerDownAtStart: with the API server refusing connections, /readyz is 503 with a
// reason, reviews with references get the policy's cluster_unavailable answer, and once the
// server is back preflight syncs within seconds and decides for real.
func TestAPIServerDownAtStart(t *testing.T) {
	needBin(t)
	fake := startFake(t, "tok-down")
	fake.Add(fakeapi.NewSecret("prod", "openai", key("v")))
	fake.SetDown(true)

	modes := []struct {
		name   string
		policy string
	}{
		{"default (warn)", fastPolicy},
		{"deny", fastPolicy + "cluster_unavailable: deny\n"},
		{"allow", fastPolicy + "cluster_unavailable: allow\n"},
	}
	ps := make([]*preflight, len(modes))
	for i, m := range modes {
		dir := t.TempDir()
		ps[i] = startPreflight(t, serveOptions{
			kubeconfig: writeKubeconfig(t, dir, fake, kubeAuth{token: "tok-down"}), policy: m.policy})
	}
	downSince := time.Now()
	// Let every instance fail a few list attempts, so its backoff has grown when the server
	// comes back (0.25-0.5 s, then 0.5-1 s, ...).
	for i, m := range modes {
		p := ps[i]
		waitFor(t, 5*time.Second, m.name+": three failed lists of secrets", func() (bool, string) {
			v, _ := metricSum(p.metrics(), "preflight_kube_api_requests_total",
				map[string]string{"verb": "list", "resource": "secrets"})
			return v >= 3, fmt.Sprintf("%v list attempts", v)
		})
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("the fake saw %d requests while down", n)
	}

	var warnings []string
	for i, m := range modes {
		p := ps[i]
		code, body, tlsCode := p.readyz()
		if code != 503 || tlsCode != 503 || !strings.Contains(body, "secrets") {
			t.Errorf("%s: /readyz %d %q (TLS port %d) while the API server is down, want 503 on both ports with a reason naming the caches",
				m.name, code, body, tlsCode)
		} else {
			t.Logf("%s: /readyz 503 %q", m.name, strings.TrimSpace(body))
		}
		if v, ok := metricSum(p.metrics(), "preflight_cluster_cache_synced", map[string]string{"resource": "secrets"}); !ok || v != 0 {
			t.Errorf("%s: preflight_cluster_cache_synced{resource=\"secrets\"} = %v (present %v), want 0", m.name, v, ok)
		}
		for _, secret := range []string{"openai", "nope"} {
			res := p.mustReview(secretReview("prod", secret, "OPENAI_API_KEY"))
			want := fmt.Sprintf("could not check secret %q", secret)
			warned := false
			warnings = append(warnings, res.Warnings...)
			for _, w := range res.Warnings {
				warned = warned || strings.Contains(w, want)
			}
			switch m.name {
			case "default (warn)":
				if !res.Allowed || !warned {
					t.Errorf("%s, Secret %s: %s, want allowed with a warning containing %q", m.name, secret, res, want)
				}
			case "deny":
				if res.Allowed || !strings.Contains(res.Message, want) {
					t.Errorf("%s, Secret %s: %s, want denied with %q", m.name, secret, res, want)
				}
			case "allow":
				if !res.Allowed || warned || strings.Contains(res.Message, "not found") {
					t.Errorf("%s, Secret %s: %s, want allowed without a finding", m.name, secret, res)
				}
			}
		}
	}

	t.Run("warnings under 256 characters", func(t *testing.T) {
		if len(warnings) == 0 {
			t.Fatal("no warnings collected")
		}
		for _, w := range warnings {
			if len(w) >= 256 {
				t.Errorf("warning of %d bytes, the contract wants < 256: %q", len(w), w)
			}
		}
	})

	fake.SetDown(false)
	t.Logf("API server was down for %v", time.Since(downSince).Round(time.Millisecond))
	for i, m := range modes {
		took := ps[i].waitReady(8 * time.Second)
		t.Logf("%s: ready %v after the API server came back", m.name, took.Round(time.Millisecond))
	}
	for i, m := range modes {
		p := ps[i]
		if res := p.mustReview(secretReview("prod", "openai", "OPENAI_API_KEY")); !res.Allowed || len(res.Warnings) > 0 {
			t.Errorf("%s after sync, existing Secret: %s, want allowed without warnings", m.name, res)
		}
		res := p.mustReview(secretReview("prod", "nope", "OPENAI_API_KEY"))
		if res.Allowed || !strings.Contains(res.Message, `secret "nope" not found in namespace "prod"`) {
			t.Errorf("%s after sync, missing Secret: %s, want denied with not found", m.name, res)
		}
		if v, _ := metricSum(p.metrics(), "preflight_cluster_cache_synced", map[string]string{"resource": "secrets"}); v != 1 {
			t.Errorf("%s: preflight_cluster_cache_synced{resource=\"secrets\"} = %v after sync, want 1", m.name, v)
		}
	}
}

// TestAPIServerOutageAfterSync: the API server goes away after the sync: preflight keeps serving
// from its cache (ready, real decisions) and catches up when the server returns.
func TestAPIServerOutageAfterSync(t *testing.T) {
	needBin(t)
	fake, p := syncedPreflight(t, kubeAuth{token: "tok-outage"}, "tok-outage",
		fakeapi.NewSecret("prod", "openai", key("v")))
	fake.SetDown(true)
	time.Sleep(300 * time.Millisecond) // let the reflectors notice the cut and fail a reconnect
	if res := p.mustReview(secretReview("prod", "openai", "OPENAI_API_KEY")); !res.Allowed || len(res.Warnings) > 0 {
		t.Errorf("existing Secret during the outage: %s, want allowed from the cache without warnings", res)
	}
	if res := p.mustReview(secretReview("prod", "nope", "OPENAI_API_KEY")); res.Allowed {
		t.Errorf("missing Secret during the outage: %s, want denied from the cache", res)
	}
	fake.SetDown(false)
	fake.Add(fakeapi.NewSecret("prod", "later", key("v")))
	took := waitAllowed(t, p, 8*time.Second, "prod", "later")
	t.Logf("change after the outage seen in %v", took.Round(time.Millisecond))
	if code, body, tlsCode := p.readyz(); code != 200 || tlsCode != 200 {
		t.Errorf("/readyz after the outage: %d %q (TLS port %d)", code, body, tlsCode)
	}
}
