package install

// The two ways to install must give the same cluster: every object both render is compared
// whole between `kubectl kustomize manifests/` and the chart with default values, after
// removing only what differs by design (object and pod-template labels: Helm adds
// instance/version; the caBundle: a placeholder in the base, a value in the chart). The
// monitoring objects are compared with manifests/monitoring and docs/monitoring/alerts.rules.yaml.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// comparable returns a deep copy of o without the fields that differ by design.
func comparable(t *testing.T, o obj) obj {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var c obj
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if md, ok := c["metadata"].(obj); ok {
		delete(md, "labels")
	}
	if md, ok := get(c, "spec", "template", "metadata").(obj); ok {
		delete(md, "labels")
	}
	for _, w := range asSlice(c["webhooks"]) {
		if cc, ok := get(w, "clientConfig").(obj); ok {
			delete(cc, "caBundle")
		}
	}
	return c
}

// diffPaths lists the JSON paths where a and b differ (for a readable failure).
func diffPaths(a, b interface{}, path string) []string {
	am, aok := a.(obj)
	bm, bok := b.(obj)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var out []string
		for k := range keys {
			out = append(out, diffPaths(am[k], bm[k], path+"."+k)...)
		}
		sort.Strings(out)
		return out
	}
	as, aok := a.([]interface{})
	bs, bok := b.([]interface{})
	if aok && bok && len(as) == len(bs) {
		var out []string
		for i := range as {
			out = append(out, diffPaths(as[i], bs[i], path+"["+itoa(i)+"]")...)
		}
		return out
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		return []string{path + ": kustomize " + string(ja) + " vs chart " + string(jb)}
	}
	return nil
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestRenderingsAgree(t *testing.T) {
	base := renderKustomize(t)
	chart := chartObjects(t, defaultChartValues)
	mustMatch := []string{
		"ValidatingWebhookConfiguration/preflight", "ClusterRole/preflight",
		"ClusterRoleBinding/preflight", "ServiceAccount/preflight", "Deployment/preflight",
		"Service/preflight", "PodDisruptionBudget/preflight", "NetworkPolicy/preflight",
		"ConfigMap/preflight-policy",
	}
	for _, key := range mustMatch {
		k, c := mustHave(t, base, key), mustHave(t, chart, key)
		if key == "ConfigMap/preflight-policy" {
			// Same policy as data; the text differs in comments and quoting.
			expectEqual(t, key+" policy.yaml", parseYAMLText(t, str(c, "data", "policy.yaml")),
				parseYAMLText(t, str(k, "data", "policy.yaml")))
			continue
		}
		if d := diffPaths(comparable(t, k), comparable(t, c), key); len(d) > 0 {
			t.Errorf("kustomize and chart renderings differ:\n  %s", strings.Join(d, "\n  "))
		}
	}
	// Besides those, only the Namespace (kustomize) and the TLS Secret (chart) may differ.
	for key := range base {
		if _, ok := chart[key]; !ok && key != "Namespace/preflight-system" {
			t.Errorf("%s is in manifests/ but not in the chart", key)
		}
	}
	for key := range chart {
		if _, ok := base[key]; !ok && key != "Secret/preflight-tls" {
			t.Errorf("%s is in the chart but not in manifests/", key)
		}
	}
}

// TestRenderingsAgreeDetectsDrift: the comparison above can fail.
func TestRenderingsAgreeDetectsDrift(t *testing.T) {
	base := renderKustomize(t)
	chart := chartObjects(t, merge(defaultChartValues, obj{"webhook": obj{"timeoutSeconds": float64(7)}}))
	key := "ValidatingWebhookConfiguration/preflight"
	d := diffPaths(comparable(t, base[key]), comparable(t, chart[key]), key)
	expectEqual(t, "differences", d, []string{key + ".webhooks[0].timeoutSeconds: kustomize 5 vs chart 7",
		key + ".webhooks[1].timeoutSeconds: kustomize 5 vs chart 7"})
}

var monitoringValues = obj{"monitoring": obj{
	"serviceMonitor": obj{"enabled": true}, "prometheusRule": obj{"enabled": true},
	"dashboard": obj{"enabled": true}}}

func TestChartMonitoring(t *testing.T) {
	// Off by default: the CRDs may not exist, and the dashboard belongs where Grafana looks.
	plain := chartObjects(t, defaultChartValues)
	for _, key := range []string{"ServiceMonitor/preflight", "PrometheusRule/preflight", "ConfigMap/preflight-dashboard"} {
		if _, ok := plain[key]; ok {
			t.Errorf("%s rendered with default values", key)
		}
	}

	base := renderKustomizeDir(t, "manifests/monitoring")
	chart := chartObjects(t, merge(defaultChartValues, monitoringValues))
	rules := readYAMLFile(t, filepath.Join(sourceDir(t), "docs", "monitoring", "alerts.rules.yaml"))
	rule := mustHave(t, chart, "PrometheusRule/preflight")
	expectEqual(t, "chart PrometheusRule groups == docs/monitoring/alerts.rules.yaml",
		get(rule, "spec", "groups"), rules["groups"])
	expectEqual(t, "chart PrometheusRule groups == manifests/monitoring",
		get(rule, "spec", "groups"), get(mustHave(t, base, "PrometheusRule/preflight"), "spec", "groups"))
	expectEqual(t, "PrometheusRule namespace", str(rule, "metadata", "namespace"), testNamespace)

	monitor := mustHave(t, chart, "ServiceMonitor/preflight")
	expectEqual(t, "ServiceMonitor spec", get(monitor, "spec"),
		get(mustHave(t, base, "ServiceMonitor/preflight"), "spec"))
	svc := mustHave(t, chart, "Service/preflight")
	for k, v := range get(monitor, "spec", "selector", "matchLabels").(obj) {
		if get(svc, "metadata", "labels", k) != v {
			t.Errorf("ServiceMonitor selects %s=%v, which the chart's Service does not carry", k, v)
		}
	}

	cm := mustHave(t, chart, "ConfigMap/preflight-dashboard")
	expectEqual(t, "dashboard label", str(cm, "metadata", "labels", "grafana_dashboard"), "1")
	expectEqual(t, "dashboard namespace", str(cm, "metadata", "namespace"), testNamespace)
	data, err := os.ReadFile(filepath.Join(sourceDir(t), "charts", "preflight", "dashboards", "preflight.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want, got interface{}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("dashboards/preflight.json: %v", err)
	}
	if err := json.Unmarshal([]byte(str(cm, "data", "preflight.json")), &got); err != nil {
		t.Fatalf("the ConfigMap's preflight.json is not JSON: %v", err)
	}
	expectEqual(t, "dashboard JSON", got, want)
	if len(data) > 900*1024 {
		t.Errorf("dashboard is %d bytes: too close to the 1 MiB ConfigMap limit", len(data))
	}
}

func TestChartMonitoringValues(t *testing.T) {
	chart := chartObjects(t, merge(defaultChartValues, obj{"monitoring": obj{
		"serviceMonitor": obj{"enabled": true, "labels": obj{"release": "kube-prometheus-stack"},
			"interval": "15s"},
		"prometheusRule": obj{"enabled": true, "labels": obj{"release": "kube-prometheus-stack"},
			"runbookBaseURL": "https://git.example.com/preflight/blob/main/"},
		"dashboard": obj{"enabled": true, "namespace": "monitoring",
			"labels":      obj{"grafana_dashboard": "preflight"},
			"annotations": obj{"grafana_folder": "Platform"}},
	}}))
	monitor := mustHave(t, chart, "ServiceMonitor/preflight")
	expectEqual(t, "ServiceMonitor label", str(monitor, "metadata", "labels", "release"), "kube-prometheus-stack")
	expectEqual(t, "interval", str(monitor, "spec", "endpoints", 0, "interval"), "15s")

	rule := mustHave(t, chart, "PrometheusRule/preflight")
	expectEqual(t, "PrometheusRule label", str(rule, "metadata", "labels", "release"), "kube-prometheus-stack")
	n := 0
	for _, g := range asSlice(get(rule, "spec", "groups")) {
		for _, r := range asSlice(get(g, "rules")) {
			if u := str(r, "annotations", "runbook_url"); u != "" {
				n++
				if !strings.HasPrefix(u, "https://git.example.com/preflight/blob/main/docs/runbooks/") {
					t.Errorf("%s runbook_url %q not rebased", str(r, "alert"), u)
				}
			}
		}
	}
	if n < 9 {
		t.Errorf("%d runbook_urls, want one per alert (9+)", n)
	}

	cm := mustHave(t, chart, "ConfigMap/preflight-dashboard")
	expectEqual(t, "dashboard namespace", str(cm, "metadata", "namespace"), "monitoring")
	expectEqual(t, "dashboard label", str(cm, "metadata", "labels", "grafana_dashboard"), "preflight")
	expectEqual(t, "dashboard folder", str(cm, "metadata", "annotations", "grafana_folder"), "Platform")
}
