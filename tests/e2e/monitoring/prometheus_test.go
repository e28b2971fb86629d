package monitoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Grafana variables as the e2e substitutes them: one rate window that holds several 1 s
// scrapes, the job of the scrape config below, and "All" namespaces.
var grafanaVars = []struct{ name, value string }{
	{"__rate_interval", "1m"}, {"__interval", "15s"}, {"__range", "5m"},
	{"job", "preflight"}, {"namespace", ".*"},
}

func substitute(expr string) string {
	for _, v := range grafanaVars {
		expr = strings.ReplaceAll(expr, "${"+v.name+"}", v.value)
		expr = strings.ReplaceAll(expr, "$"+v.name, v.value)
	}
	return expr
}

type dashboard struct {
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

// Panels that may legitimately be empty here: the snapshot makes no Kubernetes API calls, and
// no audit has run.
var mayBeEmpty = map[string]bool{
	"Kubernetes API errors":                 true,
	"Audit findings by check and namespace": true,
}

// TestPrometheusEndToEnd: a real Prometheus scrapes a running preflight; every dashboard and
// alert expression is valid and the core ones return the expected series.
func TestPrometheusEndToEnd(t *testing.T) {
	p := findPaths(t)
	dir := t.TempDir()

	// preflight serve, TLS on one port, metrics on another.
	certs := filepath.Join(dir, "certs")
	if out, err := exec.Command("bash", p.file("certs", "gen-certs.sh"), certs).CombinedOutput(); err != nil {
		t.Fatalf("gen-certs.sh: %v\n%s", err, out)
	}
	listen, metricsAddr := freeAddr(t), freeAddr(t)
	webhook := startProcess(t, "preflight", p.bin, "serve",
		"--tls-cert", filepath.Join(certs, "tls.crt"), "--tls-key", filepath.Join(certs, "tls.key"),
		"--listen", listen, "--metrics-listen", metricsAddr,
		"--cluster-snapshot", p.file("examples", "cluster-snapshot.yaml"))
	webhook.waitHTTP(t, "http://"+metricsAddr+"/readyz", 10*time.Second)

	// Prometheus: scrape every second, evaluate the alert rules every second.
	promAddr := freeAddr(t)
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: preflight
    static_configs:
      - targets: [%q]
`, p.file("docs", "monitoring", "alerts.rules.yaml"), metricsAddr)
	configFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	prom := startProcess(t, "prometheus", p.prometheus,
		"--config.file="+configFile, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	prom.waitHTTP(t, "http://"+promAddr+"/-/ready", 20*time.Second)
	api := promAPI{base: "http://" + promAddr, c: &http.Client{Timeout: 5 * time.Second}}

	// Two batches of reviews with scrapes in between, so that rate() and increase() see them.
	client := webhookClient(t, filepath.Join(certs, "ca.crt"))
	reviews := buildReviews(t, p)
	perBatch := float64(len(reviews))
	sendBatch := func(batch int) {
		for i, r := range reviews {
			code, resp := postReview(t, client, listen, r.body(t, fmt.Sprintf("e2e-mon-%d-%d", batch, i)))
			if code != r.wantCode || (code == 200 && !strings.Contains(resp, fmt.Sprintf(`"allowed":%v`, r.wantAllowed))) {
				t.Fatalf("review %s: HTTP %d %s, want HTTP %d allowed=%v", r.name, code, resp, r.wantCode, r.wantAllowed)
			}
		}
	}
	scraped := func(want float64) func() string {
		return func() string {
			got, err := api.query("sum(preflight_admission_requests_total)")
			if err != nil {
				return err.Error()
			}
			if len(got) != 1 || got[0].value() != strconv.FormatFloat(want, 'f', -1, 64) {
				return fmt.Sprintf("Prometheus has %s reviews, want %v", describe(got), want)
			}
			return ""
		}
	}
	sendBatch(1)
	waitFor(t, 15*time.Second, "first batch scraped", scraped(perBatch))
	sendBatch(2)
	waitFor(t, 15*time.Second, "second batch scraped", scraped(2*perBatch))

	t.Run("promtool check metrics on a live scrape", func(t *testing.T) {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cmd := exec.Command(p.promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
		if !bytes.Contains(body, []byte(`preflight_findings_total{check="secret-ref",enforcement="deny",namespace="staging"}`)) {
			t.Errorf("scrape lacks the staging secret-ref finding:\n%s", body)
		}
	})

	t.Run("dashboard queries", func(t *testing.T) { checkDashboard(t, p, api) })
	t.Run("alert rules", func(t *testing.T) { checkAlerts(t, p, api) })
}

func checkDashboard(t *testing.T, p paths, api promAPI) {
	raw, err := os.ReadFile(p.file("charts", "preflight", "dashboards", "preflight.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("preflight.json: %v", err)
	}
	results := map[string][][]sample{} // panel title -> results of its targets, in order
	count := 0
	for _, panel := range d.Panels {
		for _, target := range panel.Targets {
			expr := substitute(target.Expr)
			if strings.Contains(expr, "$") {
				t.Errorf("panel %q %s: unsubstituted variable in %s", panel.Title, target.RefID, expr)
				continue
			}
			got, err := api.query(expr)
			if err != nil {
				t.Errorf("panel %q %s: %v\n  expr: %s", panel.Title, target.RefID, err, expr)
				continue
			}
			count++
			results[panel.Title] = append(results[panel.Title], got)
			if len(got) == 0 && !mayBeEmpty[panel.Title] {
				t.Errorf("panel %q %s returned no series: %s", panel.Title, target.RefID, expr)
			}
		}
	}
	if count < 20 {
		t.Errorf("only %d panel expressions queried", count)
	}

	// Blocked deploys by check and namespace: the denials sent, labelled.
	blocked := results["Blocked deploys by check and namespace"]
	if len(blocked) != 1 {
		t.Fatalf("panel \"Blocked deploys by check and namespace\": %d results, want 1", len(blocked))
	}
	for _, want := range []map[string]string{
		{"check": "template-placeholder", "namespace": "prod"},
		{"check": "env-name", "namespace": "prod"},
		{"check": "secret-ref", "namespace": "staging"},
	} {
		if !has(blocked[0], want) {
			t.Errorf("blocked deploys lack %v: %s", want, describe(blocked[0]))
		}
	}
	if has(blocked[0], map[string]string{"check": "secret-ref", "namespace": "prod"}) {
		t.Errorf("blocked deploys show secret-ref in prod, where the Secret exists: %s", describe(blocked[0]))
	}
	for _, s := range blocked[0] {
		if v, _ := strconv.ParseFloat(s.value(), 64); !(v > 0) {
			t.Errorf("blocked deploys %v = %s, want > 0 within the last minute", s.Metric, s.value())
		}
	}

	// Decision mix: every decision the reviews produced.
	if mix := results["Decision mix"]; len(mix) == 1 {
		for _, decision := range []string{"allowed", "denied", "warned", "error"} {
			if !has(mix[0], map[string]string{"decision": decision}) {
				t.Errorf("decision mix lacks %s: %s", decision, describe(mix[0]))
			}
		}
	} else {
		t.Errorf("panel \"Decision mix\": %d results, want 1", len(mix))
	}

	// Latency p50/p95/p99: finite, positive, under the 5 s webhook timeout.
	latency := results["Admission latency vs webhook timeout (5 s)"]
	if len(latency) != 3 {
		t.Fatalf("latency panel: %d results, want 3 (p50, p95, p99)", len(latency))
	}
	for i, r := range latency {
		if len(r) != 1 {
			t.Errorf("latency target %d: %s, want one series", i, describe(r))
			continue
		}
		v, err := strconv.ParseFloat(r[0].value(), 64)
		if err != nil || math.IsNaN(v) || v <= 0 || v >= 5 {
			t.Errorf("latency target %d = %s, want 0 < v < 5", i, r[0].value())
		}
	}

	// Template variables: label_values() queries answered by the label values API.
	varQuery := regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)
	want := map[string]string{"job": "preflight", "namespace": "staging"}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := varQuery.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("variable %s: definition %q is not label_values(SELECTOR, LABEL)", v.Name, v.Definition)
			continue
		}
		r, err := api.get("/api/v1/label/"+m[2]+"/values", url.Values{"match[]": {substitute(m[1])}})
		if err != nil {
			t.Errorf("variable %s: %v", v.Name, err)
			continue
		}
		var values []string
		json.Unmarshal(r.Data, &values)
		if w, ok := want[v.Name]; ok && !contains(values, w) {
			t.Errorf("variable %s: values %v lack %q", v.Name, values, w)
		}
	}
}

type ruleInfo struct {
	Name      string `json:"name"`
	Query     string `json:"query"`
	Type      string `json:"type"`
	Health    string `json:"health"`
	LastError string `json:"lastError"`
	State     string `json:"state"`
	Alerts    []struct {
		Labels map[string]string `json:"labels"`
		State  string            `json:"state"`
	} `json:"alerts"`
}

func checkAlerts(t *testing.T, p paths, api promAPI) {
	ruleFile, err := os.ReadFile(p.file("docs", "monitoring", "alerts.rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wantRules := len(regexp.MustCompile(`(?m)^\s*- alert:`).FindAll(ruleFile, -1))

	// Wait until Prometheus has evaluated every rule at least once.
	var rules []ruleInfo
	waitFor(t, 15*time.Second, "rules evaluated", func() string {
		var err error
		if rules, err = fetchRules(api); err != nil {
			return err.Error()
		}
		if len(rules) != wantRules {
			return fmt.Sprintf("%d alerting rules loaded, want %d", len(rules), wantRules)
		}
		for _, r := range rules {
			if r.Health != "ok" {
				return fmt.Sprintf("rule %s: health %q %s", r.Name, r.Health, r.LastError)
			}
		}
		return ""
	})

	byName := map[string][]sample{}
	for _, r := range rules {
		got, err := api.query(r.Query)
		if err != nil {
			t.Errorf("alert %s: %v\n  expr: %s", r.Name, err, r.Query)
			continue
		}
		byName[r.Name] = got
	}

	// The blocked-deploy alert: its expression returns series with check and namespace, and
	// Prometheus fires it with those labels.
	blocked := byName["PreflightDeploysBlocked"]
	for _, s := range blocked {
		if s.Metric["check"] == "" || s.Metric["namespace"] == "" {
			t.Errorf("PreflightDeploysBlocked series without check or namespace: %v", s.Metric)
		}
	}
	for _, want := range []map[string]string{
		{"check": "template-placeholder", "namespace": "prod"},
		{"check": "secret-ref", "namespace": "staging"},
	} {
		if !has(blocked, want) {
			t.Errorf("PreflightDeploysBlocked expression lacks %v: %s", want, describe(blocked))
		}
	}
	if !has(byName["PreflightOverridesUsed"], map[string]string{"check": "template-placeholder", "namespace": "prod"}) {
		t.Errorf("PreflightOverridesUsed lacks the template-placeholder override in prod: %s",
			describe(byName["PreflightOverridesUsed"]))
	}
	// Prometheus fires it with those labels (no `for`: at the next evaluation, within ~1 s).
	want := map[string]string{"alertname": "PreflightDeploysBlocked", "check": "secret-ref",
		"namespace": "staging", "severity": "warning"}
	waitFor(t, 10*time.Second, "PreflightDeploysBlocked firing for secret-ref in staging", func() string {
		rules, err := fetchRules(api)
		if err != nil {
			return err.Error()
		}
		var seen []string
		for _, r := range rules {
			for _, a := range r.Alerts {
				if a.State == "firing" && has([]sample{{Metric: a.Labels}}, want) {
					return ""
				}
				seen = append(seen, fmt.Sprintf("%v %s", a.Labels, a.State))
			}
		}
		return fmt.Sprintf("alerts: %v", seen)
	})

	// A healthy webhook: these must stay silent.
	for _, name := range []string{"PreflightWebhookDown", "PreflightWebhookAbsent", "PreflightLatencyNearTimeout",
		"PreflightClusterCacheNotSynced", "PreflightCertificateExpiringSoon", "PreflightPolicyReloadFailing"} {
		got, ok := byName[name]
		if !ok {
			t.Errorf("alert %s is not loaded", name)
		} else if len(got) != 0 {
			t.Errorf("alert %s would fire on a healthy webhook: %s", name, describe(got))
		}
	}
}

// fetchRules returns the alerting rules Prometheus loaded, with their state and alerts.
func fetchRules(api promAPI) ([]ruleInfo, error) {
	r, err := api.get("/api/v1/rules", url.Values{"type": {"alert"}})
	if err != nil {
		return nil, err
	}
	var data struct {
		Groups []struct {
			Rules []ruleInfo `json:"rules"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		return nil, err
	}
	var rules []ruleInfo
	for _, g := range data.Groups {
		rules = append(rules, g.Rules...)
	}
	return rules, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
