package cluster

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"preflight/e2e/fakeapi"
	"preflight/e2e/testutil"
)

// fastPolicy answers a missing reference at once (no secret_timeout wait), so polling loops see
// the current cache state.
const fastPolicy = "secret_timeout: 0s\n"

// TestInitialSync: a paged list of every resource, watches from the list's resourceVersion,
// /readyz 200 once synced, cache metrics equal to what the fake holds, and decisions made from
// the cache (found, missing, wrong namespace, missing key, later page).
func TestInitialSync(t *testing.T) {
	needBin(t)
	const token = "tok-sync"
	fake := startFake(t, token)
	const bulk = 1100 // three pages of 500
	for i := 0; i < bulk; i++ {
		fake.Add(fakeapi.NewSecret(fmt.Sprintf("ns-%d", i%7), fmt.Sprintf("bulk-%04d", i),
			map[string]string{"k": "v"}))
	}
	fake.Add(fakeapi.NewSecret("prod", "openai", map[string]string{"OPENAI_API_KEY": "x", "HF_TOKEN": "y"}))
	fake.Add(fakeapi.NewConfigMap("prod", "app-config", map[string]string{"MODEL_NAME": "m"}))
	fake.Add(fakeapi.NewConfigMap("prod", "other", nil))
	fake.Add(fakeapi.NewConfigMap("kube-system", "kube-root-ca.crt", map[string]string{"ca.crt": "x"}))
	fake.Add(fakeapi.NewServiceAccount("prod", "default"))
	fake.Add(fakeapi.NewServiceAccount("prod", "llm-runner"))
	fake.Add(fakeapi.NewNode("gpu-1", map[string]string{"nvidia.com/cuda.driver.major": "550"}))
	fake.Add(fakeapi.NewNode("cpu-1", nil))
	want := map[string]int{"secrets": bulk + 1, "configmaps": 3, "serviceaccounts": 2, "nodes": 2}
	rvAtStart := fake.CurrentRV()

	dir := t.TempDir()
	p := startPreflight(t, serveOptions{
		kubeconfig: writeKubeconfig(t, dir, fake, kubeAuth{token: token}), policy: fastPolicy})
	took := p.waitReady(10 * time.Second)
	t.Logf("ready after %v", took.Round(time.Millisecond))
	if !fake.WaitOpenWatches(4, 5*time.Second) {
		t.Fatalf("open watches: %d, want 4\n%s", fake.OpenWatches(), describeRequests(fake.Requests()))
	}

	t.Run("requests", func(t *testing.T) {
		reqs := fake.Requests()
		for _, r := range reqs {
			if !r.HadBearer || r.Token != token {
				t.Errorf("%s %s?%s: bearer %v token %q, want %q", r.Verb, r.Path, r.Query, r.HadBearer, r.Token, token)
			}
			if r.Status != 200 {
				t.Errorf("%s %s?%s answered %d", r.Verb, r.Path, r.Query, r.Status)
			}
		}
		for _, res := range resources {
			lists := requestsOf(reqs, "list", res)
			pages := 1
			if res == "secrets" {
				pages = 3
			}
			if len(lists) != pages {
				t.Errorf("%s: %d list requests, want %d (limit=500 paging):\n%s", res, len(lists), pages,
					describeRequests(lists))
				continue
			}
			for i, l := range lists {
				if l.Path != "/api/v1/"+res || queryParam(l, "limit") != "500" {
					t.Errorf("%s list %d: %s?%s, want /api/v1/%s?limit=500", res, i, l.Path, l.Query, res)
				}
				if (i > 0) != (queryParam(l, "continue") != "") {
					t.Errorf("%s list %d: continue=%q", res, i, queryParam(l, "continue"))
				}
			}
			watches := requestsOf(reqs, "watch", res)
			if len(watches) != 1 {
				t.Errorf("%s: %d watch requests, want 1:\n%s", res, len(watches), describeRequests(watches))
				continue
			}
			w := watches[0]
			if got := queryParam(w, "resourceVersion"); got != rvAtStart {
				t.Errorf("%s watch resourceVersion=%q, want the list's %q", res, got, rvAtStart)
			}
			if queryParam(w, "allowWatchBookmarks") != "true" {
				t.Errorf("%s watch without allowWatchBookmarks=true: %s", res, w.Query)
			}
			if n, err := strconv.Atoi(queryParam(w, "timeoutSeconds")); err != nil || n <= 0 {
				t.Errorf("%s watch timeoutSeconds=%q, want a positive number", res, queryParam(w, "timeoutSeconds"))
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		m := p.metrics()
		for res, n := range want {
			if v, ok := metricSum(m, "preflight_cluster_cache_synced", map[string]string{"resource": res}); !ok || v != 1 {
				t.Errorf("preflight_cluster_cache_synced{resource=%q} = %v (present %v), want 1", res, v, ok)
			}
			if v, ok := metricSum(m, "preflight_cluster_cache_objects", map[string]string{"resource": res}); !ok || v != float64(n) {
				t.Errorf("preflight_cluster_cache_objects{resource=%q} = %v (present %v), want %d", res, v, ok, n)
			}
		}
		lists, _ := metricSum(m, "preflight_kube_api_requests_total",
			map[string]string{"verb": "list", "resource": "secrets", "code": "200"})
		if lists != 3 {
			t.Errorf(`preflight_kube_api_requests_total{verb="list",resource="secrets",code="200"} = %v, want 3`, lists)
		}
	})

	t.Run("decisions", func(t *testing.T) {
		cases := []struct {
			name    string
			ns      string
			spec    map[string]any
			allowed bool
			want    []string // substrings of the message
		}{
			{"secret and key exist", "prod", podSpec("", secretEnv("OPENAI_API_KEY", "openai", "OPENAI_API_KEY")), true, nil},
			{"secret on the last page", "ns-6", podSpec("", secretEnv("OPENAI_API_KEY", "bulk-1098", "k")), true, nil},
			{"secret missing", "prod", podSpec("", secretEnv("OPENAI_API_KEY", "nope", "OPENAI_API_KEY")), false,
				[]string{`[secret-ref]`, `secret "nope" not found in namespace "prod"`,
					"spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef"}},
			{"secret in another namespace only", "staging", podSpec("", secretEnv("OPENAI_API_KEY", "openai", "OPENAI_API_KEY")), false,
				[]string{`secret "openai" not found in namespace "staging"`}},
			{"key missing", "prod", podSpec("", secretEnv("OPENAI_API_KEY", "openai", "OPENAI_API_KY")), false,
				[]string{`has no key`, `OPENAI_API_KY`, `did you mean "OPENAI_API_KEY"`}},
			{"configmap and key exist", "prod", podSpec("", configMapEnv("MODEL_NAME", "app-config", "MODEL_NAME")), true, nil},
			{"configmap missing", "prod", podSpec("", configMapEnv("MODEL_NAME", "app-cfg", "MODEL_NAME")), false,
				[]string{`[configmap-ref]`, `"app-cfg" not found in namespace "prod"`}},
			{"serviceaccount exists", "prod", podSpec("llm-runner"), true, nil},
			{"serviceaccount missing", "prod", podSpec("ghost"), false,
				[]string{`[serviceaccount-ref]`, `serviceaccount "ghost" not found in namespace "prod"`}},
		}
		for _, c := range cases {
			res := p.mustReview(deploymentReview(nextUID("sync"), c.ns, "app", c.spec))
			if res.Allowed != c.allowed {
				t.Errorf("%s: %s, want allowed=%v", c.name, res, c.allowed)
				continue
			}
			if c.allowed && len(res.Warnings) > 0 {
				t.Errorf("%s: allowed with warnings %q, want none", c.name, res.Warnings)
			}
			for _, w := range c.want {
				if !strings.Contains(res.Message, w) {
					t.Errorf("%s: message %q lacks %q", c.name, res.Message, w)
				}
			}
		}
	})
}

// TestSecretAddedModifiedDeleted: changes made after the sync reach decisions through the watch
// within a second.
func TestSecretAddedModifiedDeleted(t *testing.T) {
	needBin(t)
	fake := startFake(t, "tok-change")
	dir := t.TempDir()
	p := startPreflight(t, serveOptions{
		kubeconfig: writeKubeconfig(t, dir, fake, kubeAuth{token: "tok-change"}), policy: fastPolicy})
	p.waitReady(10 * time.Second)
	if !fake.WaitOpenWatches(4, 5*time.Second) {
		t.Fatalf("open watches: %d, want 4", fake.OpenWatches())
	}

	review := func() reviewResult { return p.mustReview(secretReview("prod", "openai", "OPENAI_API_KEY")) }
	if res := review(); res.Allowed || !strings.Contains(res.Message, `secret "openai" not found in namespace "prod"`) {
		t.Fatalf("before the Secret exists: %s, want denied with not found", res)
	}

	// Added: admitted within one second of the Add.
	fake.Add(fakeapi.NewSecret("prod", "openai", map[string]string{"OPENAI_API_KEY": "v"}))
	took := waitFor(t, time.Second, "review admitted after the Secret was added", func() (bool, string) {
		res := review()
		return res.Allowed, res.String()
	})
	t.Logf("admitted %v after the Add", took.Round(time.Millisecond))
	if v, _ := metricSum(p.metrics(), "preflight_cluster_cache_objects", map[string]string{"resource": "secrets"}); v != 1 {
		t.Errorf("preflight_cluster_cache_objects{resource=\"secrets\"} = %v after the Add, want 1", v)
	}

	// Modified: the key is renamed, so the reference now misses its key.
	fake.Update(fakeapi.NewSecret("prod", "openai", map[string]string{"OPENAI_KEY": "v"}))
	waitFor(t, time.Second, "review denied after the key was removed", func() (bool, string) {
		res := review()
		return !res.Allowed && strings.Contains(res.Message, "has no key"), res.String()
	})

	// Deleted: rejected again.
	fake.Update(fakeapi.NewSecret("prod", "openai", map[string]string{"OPENAI_API_KEY": "v"}))
	waitFor(t, time.Second, "review admitted after the key came back", func() (bool, string) {
		res := review()
		return res.Allowed, res.String()
	})
	fake.Delete("Secret", "prod", "openai")
	waitFor(t, time.Second, "review rejected after the Secret was deleted", func() (bool, string) {
		res := review()
		return !res.Allowed && strings.Contains(res.Message, `secret "openai" not found in namespace "prod"`), res.String()
	})
	if v, _ := metricSum(p.metrics(), "preflight_cluster_cache_objects", map[string]string{"resource": "secrets"}); v != 0 {
		t.Errorf("preflight_cluster_cache_objects{resource=\"secrets\"} = %v after the Delete, want 0", v)
	}
}

// TestSecretTimeoutWaitsForLateSecret: with secret_timeout 2s a review whose Secret is missing
// (or ConfigMap) waits for it (woken by the watch), never past the API server's timeout, and
// twenty such waits at once do not stall a review without references.
func TestSecretTimeoutWaitsForLateSecret(t *testing.T) {
	needBin(t)
	fake := startFake(t, "tok-wait")
	dir := t.TempDir()
	p := startPreflight(t, serveOptions{
		kubeconfig: writeKubeconfig(t, dir, fake, kubeAuth{token: "tok-wait"}), policy: "secret_timeout: 2s\n"})
	p.waitReady(10 * time.Second)
	if !fake.WaitOpenWatches(4, 5*time.Second) {
		t.Fatalf("open watches: %d, want 4", fake.OpenWatches())
	}

	p.warmConnections(25)

	send := func(body []byte, timeout string) <-chan outcome { return sendAsync(p, body, timeout) }
	get := func(name string, ch <-chan outcome) reviewResult { t.Helper(); return receive(t, name, ch) }

	var wg sync.WaitGroup
	late := send(secretReview("prod", "late", "OPENAI_API_KEY"), "10s")
	lateCM := send(deploymentReview(nextUID("cm"), "prod", "app",
		podSpec("", configMapEnv("MODEL_NAME", "late-config", "MODEL_NAME"))), "10s")
	// A crowd of reviews waiting at the same time (kubectl apply -f dir/ before the Secret).
	crowd := make([]<-chan outcome, 20)
	for i := range crowd {
		crowd[i] = send(secretReview("prod", fmt.Sprintf("crowd-%d", i), "OPENAI_API_KEY"), "10s")
	}
	never := send(secretReview("prod", "never", "OPENAI_API_KEY"), "10s")
	capped := send(secretReview("prod", "never-capped", "OPENAI_API_KEY"), "1s")
	wg.Add(1)
	go func() { // an unrelated change wakes the waiting reviews; they must keep waiting
		defer wg.Done()
		time.Sleep(150 * time.Millisecond)
		fake.Add(fakeapi.NewConfigMap("prod", "unrelated", map[string]string{"a": "b"}))
	}()
	time.Sleep(100 * time.Millisecond)
	free := send(deploymentReview(nextUID("free"), "prod", "free", podSpec("")), "10s")
	time.Sleep(200 * time.Millisecond) // 300 ms after the first review
	fake.Add(fakeapi.NewSecret("prod", "late", map[string]string{"OPENAI_API_KEY": "v"}))
	fake.Add(fakeapi.NewConfigMap("prod", "late-config", map[string]string{"MODEL_NAME": "m"}))
	wg.Wait()

	if res := get("review without references while others wait", free); !res.Allowed || res.Elapsed > 500*time.Millisecond {
		t.Errorf("review without references: %s, want allowed within 500 ms (other reviews must not stall it)", res)
	}
	if res := get("review of the late Secret", late); !res.Allowed || res.Elapsed < 250*time.Millisecond ||
		res.Elapsed >= 2*time.Second {
		t.Errorf("review of a Secret added 300 ms later: %s, want allowed after about 300 ms (< 2 s)", res)
	} else {
		t.Logf("late Secret: %s", res)
	}
	if res := get("review of the late ConfigMap", lateCM); !res.Allowed || res.Elapsed < 250*time.Millisecond ||
		res.Elapsed >= 2*time.Second {
		t.Errorf("review of a ConfigMap added 300 ms later: %s, want allowed after about 300 ms (< 2 s)", res)
	}
	if res := get("review capped by ?timeout=1s", capped); res.Allowed || res.Elapsed >= time.Second {
		t.Errorf("review with ?timeout=1s and a Secret that never comes: %s, want denied in < 1 s", res)
	}
	if res := get("review of a Secret that never comes", never); res.Allowed ||
		!strings.Contains(res.Message, `secret "never" not found in namespace "prod"`) ||
		res.Elapsed < 1800*time.Millisecond || res.Elapsed > 3500*time.Millisecond {
		t.Errorf("review of a Secret that never comes: %s, want denied (not found) after about secret_timeout 2 s", res)
	}
	for i, ch := range crowd {
		if res := get("crowd review", ch); res.Allowed || res.Elapsed < 1800*time.Millisecond || res.Elapsed > 3500*time.Millisecond {
			t.Errorf("crowd review %d: %s, want denied after about 2 s", i, res)
		}
	}
}

type outcome struct {
	res reviewResult
	err error
}

func sendAsync(p *preflight, body []byte, timeout string) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		res, err := p.review(body, timeout)
		ch <- outcome{res, err}
	}()
	return ch
}

func receive(t *testing.T, name string, ch <-chan outcome) reviewResult {
	t.Helper()
	select {
	case o := <-ch:
		if o.err != nil || o.res.HTTPStatus != 200 {
			t.Fatalf("%s: %v %s", name, o.err, o.res)
		}
		return o.res
	case <-time.After(12 * time.Second):
		t.Fatalf("%s: no answer in 12 s", name)
	}
	return reviewResult{}
}

// TestWaitingReviewBurst: the API server sends 24 reviews at once on new connections (a
// `kubectl apply -f dir/` whose Secret comes last, with webhook timeoutSeconds: 1). Each must be
// answered before the API server gives up (?timeout=1s), measured as the API server sees it,
// connection set-up included.
func TestWaitingReviewBurst(t *testing.T) {
	needBin(t)
	fake := startFake(t, "tok-burst")
	p := startPreflight(t, serveOptions{
		kubeconfig: writeKubeconfig(t, t.TempDir(), fake, kubeAuth{token: "tok-burst"}), policy: "secret_timeout: 2s\n"})
	p.waitReady(10 * time.Second)
	p.client.Transport.(interface{ CloseIdleConnections() }).CloseIdleConnections()

	chans := make([]<-chan outcome, 24)
	for i := range chans {
		chans[i] = sendAsync(p, secretReview("prod", fmt.Sprintf("burst-%d", i), "OPENAI_API_KEY"), "1s")
	}
	var late []string
	for i, ch := range chans {
		res := receive(t, "burst review", ch)
		if res.Allowed {
			t.Errorf("burst review %d: %s, want denied (the Secret never comes)", i, res)
		}
		if res.Elapsed >= time.Second {
			late = append(late, res.Elapsed.Round(time.Millisecond).String())
		}
	}
	// Under a sanitizer 24 instrumented TLS handshakes do not fit the 200 ms left after the
	// wait; the answers themselves (denied, within 12 s) are checked above.
	testutil.Bound(t, len(late) == 0, "%d of %d reviews answered after the API server's 1 s timeout "+
		"(client-side times %v); the webhook's wait is 800 ms, so the rest is connection set-up",
		len(late), len(chans), late)
}
