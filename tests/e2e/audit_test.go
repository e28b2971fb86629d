package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditCommand: `preflight audit --cluster-snapshot` over tests/fixtures/audit/cluster.yaml
// (its header lists what must and must not be reported), its outputs and exit codes.
func TestAuditCommand(t *testing.T) {
	snapshot := fixture("audit", "cluster.yaml")
	noColor := []string{"NO_COLOR=1"}

	r := runCLI(t, nil, noColor, "audit", "--cluster-snapshot", snapshot)
	if r.code != 1 {
		t.Fatalf("audit: exit %d, want 1 (deny findings)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	// Golden-ish: the lines that must appear, in this order.
	want := []string{
		"✖ configmap-ref .......... 1 problem",
		"✖ secret-ref ............. 2 problems",
		"✖ serviceaccount-ref ..... 1 problem",
		"  ✖ Deployment prod/api\n    [secret-ref] container \"server\" env OPENAI_API_KEY (spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef): secret \"openai\" has no key \"api_key\"",
		"  ✖ ReplicaSet prod/standalone\n    [secret-ref] container \"worker\" env TOKEN",
		"  ✖ CronJob batch/nightly\n    [serviceaccount-ref] serviceAccountName reporter (spec.jobTemplate.spec.template.spec.serviceAccountName)",
		"  ✖ Pod batch/debug\n    [configmap-ref] container \"shell\" envFrom configmap debug-settings",
		"  namespace batch .................. 2 problems\n  namespace prod ................... 2 problems\n",
		"→ 7 workloads in snapshot " + snapshot + " audited: 4 problems would be rejected\n",
	}
	pos := 0
	for _, w := range want {
		i := strings.Index(r.stdout[pos:], w)
		if i < 0 {
			t.Fatalf("audit output lacks (after byte %d) %q\n%s", pos, w, r.stdout)
		}
		pos += i + len(w)
	}
	// Controlled objects are audited through their controller only.
	for _, absent := range []string{"api-7d9f", "nightly-28391", "StatefulSet", "DaemonSet", "Job batch/once", "\x1b["} {
		if strings.Contains(r.stdout, absent) {
			t.Errorf("audit output mentions %q\n%s", absent, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("stderr is not a terminal: no progress line expected, got %q", r.stderr)
	}

	// JSON: the same findings, located by workload and namespace, with both summaries.
	r = runCLI(t, nil, nil, "audit", "--cluster-snapshot", snapshot, "-o", "json")
	if r.code != 1 {
		t.Fatalf("audit -o json: exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		Summary    map[string]any            `json:"summary"`
		Namespaces map[string]map[string]int `json:"namespaces"`
		Checks     map[string]map[string]int `json:"checks"`
		Findings   []map[string]any          `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("audit -o json is not JSON: %v\n%s", err, r.stdout)
	}
	if doc.Summary["workloads"] != 7.0 || doc.Summary["denied"] != 4.0 || doc.Summary["scope"] != "snapshot "+snapshot {
		t.Errorf("summary: %v", doc.Summary)
	}
	if doc.Namespaces["prod"]["denied"] != 2 || doc.Namespaces["batch"]["denied"] != 2 || len(doc.Namespaces) != 2 {
		t.Errorf("namespaces: %v", doc.Namespaces)
	}
	if doc.Checks["secret-ref"]["denied"] != 2 || doc.Checks["configmap-ref"]["denied"] != 1 || len(doc.Checks) != 3 {
		t.Errorf("checks: %v", doc.Checks)
	}
	if len(doc.Findings) != 4 || doc.Findings[0]["workload"] != "Deployment prod/api" ||
		doc.Findings[0]["namespace"] != "prod" || doc.Findings[0]["file"] != nil {
		t.Errorf("findings: %v", doc.Findings)
	}

	// SARIF: check's structure (version, runs, tool.driver.rules, results with ruleId, level,
	// message); a live object has no file, so each result has a logical location instead.
	r = runCLI(t, nil, nil, "audit", "--cluster-snapshot", snapshot, "-o", "sarif")
	if r.code != 1 {
		t.Fatalf("audit -o sarif: exit %d, want 1\n%s", r.code, r.stderr)
	}
	var sarif struct {
		sarifDoc
		Runs []struct {
			Tool struct {
				Driver struct {
					InformationURI string           `json:"informationUri"`
					Rules          []map[string]any `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Properties map[string]string `json:"properties"`
			Results    []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					Physical json.RawMessage `json:"physicalLocation"`
					Logical  []struct {
						Name               string `json:"name"`
						FullyQualifiedName string `json:"fullyQualifiedName"`
						Kind               string `json:"kind"`
					} `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sarif); err != nil {
		t.Fatalf("audit -o sarif is not JSON: %v\n%s", err, r.stdout)
	}
	if sarif.Version != "2.1.0" || !strings.Contains(sarif.Schema, "sarif") || len(sarif.Runs) != 1 {
		t.Fatalf("version %q schema %q runs %d", sarif.Version, sarif.Schema, len(sarif.Runs))
	}
	run := sarif.Runs[0]
	if len(run.Tool.Driver.Rules) != 7 || run.Tool.Driver.InformationURI == "" ||
		run.Properties["scope"] != "snapshot "+snapshot {
		t.Errorf("driver %d rules, informationUri %q, properties %v", len(run.Tool.Driver.Rules),
			run.Tool.Driver.InformationURI, run.Properties)
	}
	var got []string
	for _, res := range run.Results {
		if len(res.Locations) != 1 || len(res.Locations[0].Logical) != 1 ||
			res.Locations[0].Physical != nil || res.Message.Text == "" {
			t.Errorf("result %+v: want one logical location, no physical location, a message", res)
			continue
		}
		l := res.Locations[0].Logical[0]
		got = append(got, res.RuleID+" "+res.Level+" "+l.FullyQualifiedName+" "+l.Name+" "+l.Kind)
	}
	wantResults := []string{
		"secret-ref error prod/Deployment/api api resource",
		"secret-ref error prod/ReplicaSet/standalone standalone resource",
		"serviceaccount-ref error batch/CronJob/nightly nightly resource",
		"configmap-ref error batch/Pod/debug debug resource",
	}
	if strings.Join(got, "\n") != strings.Join(wantResults, "\n") {
		t.Errorf("sarif results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantResults, "\n"))
	}

	// Enforcement decides the exit code; --strict fails on warnings.
	dir := t.TempDir()
	warnPolicy := filepath.Join(dir, "warn.yaml")
	if err := os.WriteFile(warnPolicy, []byte("enforcement:\n  secret-ref: warn\n  configmap-ref: dryrun\n  serviceaccount-ref: off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, noColor, "audit", "--cluster-snapshot", snapshot, "--config", warnPolicy)
	if r.code != 0 || !strings.Contains(r.stdout, "(warn)") || !strings.Contains(r.stdout, "(dryrun)") ||
		strings.Contains(r.stdout, "serviceaccount-ref]") || !strings.Contains(r.stdout, "nothing would be rejected") {
		t.Errorf("warn policy: exit %d, want 0 listing warn and dryrun findings\n%s", r.code, r.stdout)
	}
	if r = runCLI(t, nil, noColor, "audit", "--cluster-snapshot", snapshot, "--config", warnPolicy, "--strict"); r.code != 1 {
		t.Errorf("warn policy --strict: exit %d, want 1\n%s", r.code, r.stdout)
	}

	// A snapshot without workloads audits nothing and says how to take one that has them.
	r = runCLI(t, nil, noColor, "audit", "--cluster-snapshot", filepath.Join(sourceDir, "examples", "cluster-snapshot.yaml"))
	if r.code != 0 || !strings.Contains(r.stdout, "no workloads found") || !strings.Contains(r.stdout, "→ 0 workloads") {
		t.Errorf("snapshot without workloads: exit %d\n%s", r.code, r.stdout)
	}

	// A workload that cannot be inspected is an input error (exit 2); the rest is still audited.
	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: prod}\nspec: {}\n"+
		"---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\nspec:\n  serviceAccountName: nope\n  containers: [{name: c, image: i}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, noColor, "audit", "--cluster-snapshot", broken)
	if r.code != 2 || !strings.Contains(r.stdout, broken+":1: Deployment prod/x:") ||
		!strings.Contains(r.stdout, "Pod prod/p") {
		t.Errorf("broken workload: exit %d, want 2 naming it and still auditing the Pod\n%s", r.code, r.stdout)
	}

	// Usage and unreadable input: exit 2 with a message on stderr.
	for _, args := range [][]string{
		{"audit", "--cluster-snapshot", snapshot, "-o", "yaml"},
		{"audit", "--cluster-snapshot", snapshot, "--kubeconfig", snapshot},
		{"audit", "--cluster-snapshot", filepath.Join(dir, "missing.yaml")},
		{"audit", "--cluster-snapshot", snapshot, "--config", filepath.Join(dir, "missing.yaml")},
		{"audit", "--cluster-snapshot", snapshot, "extra"},
		{"audit", "--bogus"},
	} {
		r := runCLI(t, nil, []string{"KUBERNETES_SERVICE_HOST="}, args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "preflight audit: ") || r.stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 with a message", args, r.code, r.stderr, r.stdout)
		}
	}
	// Outside a cluster, without a source: a clear error.
	r = runCLI(t, nil, []string{"KUBERNETES_SERVICE_HOST="}, "audit")
	if r.code != 2 || !strings.Contains(r.stderr, "--cluster-snapshot FILE or --kubeconfig FILE") {
		t.Errorf("no source: exit %d, stderr %q", r.code, r.stderr)
	}
	if r = runCLI(t, nil, nil, "audit", "--help"); r.code != 0 || !strings.Contains(r.stdout, "usage: preflight audit") {
		t.Errorf("--help: exit %d %q", r.code, r.stdout)
	}
}
