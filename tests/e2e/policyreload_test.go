package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const policyDeny = `# e2e: built-in enforcement, one exempt namespace
exempt:
  namespaces: [legacy]
`

const policyWarn = `# e2e: template-placeholder only warns
enforcement:
  template-placeholder: warn
exempt:
  namespaces: [legacy]
`

const policyInvalid = `enforcement: [template-placeholder: deny
  this is: not closed
`

// TestPolicyReload: the policy file is re-read on change; a bad file keeps the last good one.
func TestPolicyReload(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	writeAtomic(t, policy, policyDeny)
	s := startServer(t, serverOptions{config: policy, reloadInterval: "200ms"})
	c := s.client()

	send := func(uid string) reviewResponse {
		t.Helper()
		code, body := post(t, c, s, reviewWithUID(t, "deny-v1.json", uid))
		if code != 200 {
			t.Fatalf("HTTP %d: %s", code, body)
		}
		return decodeReview(t, body)
	}
	warnedOK := func(r reviewResponse) bool {
		return r.Response.Allowed && strings.Contains(strings.Join(r.Response.Warnings, "\n"), "[template-placeholder]")
	}

	if r := send("e2e-policy-1"); r.Response.Allowed {
		t.Fatalf("with enforcement deny the placeholder review was allowed")
	}

	// Exempt namespace from the file.
	m := loadReview(t, "deny-v1.json")
	request(m)["namespace"] = "legacy"
	m["request"].(map[string]interface{})["object"].(map[string]interface{})["metadata"].(map[string]interface{})["namespace"] = "legacy"
	code, body := post(t, c, s, mustJSON(t, m))
	if r := decodeReview(t, body); code != 200 || !r.Response.Allowed {
		t.Errorf("namespace legacy is exempt in the policy, got HTTP %d %s", code, body)
	}

	writeAtomic(t, policy, policyWarn)
	time.Sleep(250 * time.Millisecond)
	var last reviewResponse
	if !eventually(5*time.Second, func() bool { last = send("e2e-policy-2"); return warnedOK(last) }) {
		t.Fatalf("5s after enforcement template-placeholder: warn, the review is not allowed with a warning: %+v", *last.Response)
	}
	checkWarnings(t, last.Response.Warnings)
	samples := parseMetrics(t, s.scrape(t))
	if got := sum(samples, "preflight_policy_reloads_total", map[string]string{"result": "success"}); got < 1 {
		t.Errorf(`preflight_policy_reloads_total{result="success"} = %v after a good reload`, got)
	}

	writeAtomic(t, policy, policyInvalid)
	if !eventually(5*time.Second, func() bool {
		return sum(parseMetrics(t, s.scrape(t)), "preflight_policy_reloads_total",
			map[string]string{"result": "failure"}) >= 1
	}) {
		t.Fatalf(`preflight_policy_reloads_total{result="failure"} did not reach 1 after an invalid policy file`)
	}
	if r := send("e2e-policy-3"); !warnedOK(r) {
		t.Errorf("after an invalid reload the last good policy (warn) is not in force: %+v", *r.Response)
	}
	if !strings.Contains(s.stderr.String(), "policy.yaml:") {
		t.Errorf("the failed reload is not logged with the file location")
	}
	requireHealthy(t, s)

	// The process keeps going and a later good file is picked up again.
	writeAtomic(t, policy, policyDeny)
	if !eventually(5*time.Second, func() bool { return !send("e2e-policy-4").Response.Allowed }) {
		t.Errorf("a good policy after the invalid one was not loaded")
	}
}
