package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestMetrics: exact counter increments for a known sequence of reviews, and the exposition
// passes `promtool check metrics`.
func TestMetrics(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := s.client()
	before := parseMetrics(t, s.scrape(t))

	for _, name := range []string{"preflight_build_info", "preflight_tls_certificate_expiry_timestamp_seconds",
		"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_start_time_seconds"} {
		if !has(before, name) {
			t.Errorf("metric %s missing before any review", name)
		}
	}
	for _, s := range before {
		if s.name == "preflight_build_info" {
			if s.value != 1 || s.labels["version"] == "" || s.labels["commit"] == "" {
				t.Errorf("preflight_build_info = %v %v, want 1 with version and commit", s.value, s.labels)
			}
		}
	}

	send := func(fixture string, n int, edit func(map[string]interface{})) {
		for i := 0; i < n; i++ {
			m := loadReview(t, fixture)
			request(m)["uid"] = fmt.Sprintf("e2e-metrics-%s-%d", fixture, i)
			if edit != nil {
				edit(m)
			}
			if code, body := post(t, c, s, mustJSON(t, m)); code != 200 {
				t.Fatalf("%s: HTTP %d %s", fixture, code, body)
			}
		}
	}
	send("deny-v1.json", 3, nil)
	send("allow-v1.json", 2, nil)
	send("warn-env-name-v1.json", 1, nil)
	send("deny-v1beta1.json", 1, func(m map[string]interface{}) { request(m)["dryRun"] = true })
	send("object-number-v1.json", 1, nil)

	after := parseMetrics(t, s.scrape(t))
	delta := func(name string, labels map[string]string) float64 {
		return sum(after, name, labels) - sum(before, name, labels)
	}
	req := func(decision, dry string) map[string]string {
		return map[string]string{"kind": "Deployment", "operation": "CREATE", "decision": decision, "dry_run": dry}
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"preflight_admission_requests_total", req("denied", "false"), 3},
		{"preflight_admission_requests_total", req("allowed", "false"), 2},
		{"preflight_admission_requests_total", req("warned", "false"), 1},
		{"preflight_admission_requests_total", req("denied", "true"), 1},
		{"preflight_admission_requests_total", map[string]string{"decision": "error"}, 1},
		{"preflight_admission_requests_total", nil, 8},
		{"preflight_findings_total", map[string]string{"check": "template-placeholder", "enforcement": "deny", "namespace": "e2e"}, 4},
		{"preflight_findings_total", map[string]string{"check": "env-name", "enforcement": "warn", "namespace": "e2e"}, 1},
		{"preflight_findings_total", nil, 5},
		{"preflight_overrides_total", nil, 0},
	}
	for _, ck := range checks {
		if got := delta(ck.name, ck.labels); got != ck.want {
			t.Errorf("%s%v increased by %v, want %v", ck.name, ck.labels, got, ck.want)
		}
	}
	// Every counted review is observed once in the histogram.
	if reqs, obs := delta("preflight_admission_requests_total", nil),
		delta("preflight_admission_duration_seconds_count", nil); reqs != obs {
		t.Errorf("%v reviews counted but %v durations observed", reqs, obs)
	}
	// The +Inf bucket equals the count.
	inf := sum(after, "preflight_admission_duration_seconds_bucket", map[string]string{"kind": "Deployment", "le": "+Inf"})
	if cnt := sum(after, "preflight_admission_duration_seconds_count", map[string]string{"kind": "Deployment"}); inf != cnt || cnt == 0 {
		t.Errorf("duration histogram: +Inf bucket %v, count %v", inf, cnt)
	}
	// No object names in labels.
	for _, smp := range after {
		for k, v := range smp.labels {
			if v == "chat-api" {
				t.Errorf("%s has the object name as label %s", smp.name, k)
			}
		}
	}

	text := s.scrape(t)
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
