package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const sentinel = "sk-SENTINEL-9f8e7d"

// TestSecretsNeverLeak: an env value next to a placeholder appears in no response, log line
// or metric; the review log line carries the identifying fields only.
func TestSecretsNeverLeak(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := s.client()
	var responses []string

	// v1, v1beta1, UPDATE with the old object holding it too, and a malformed body around it.
	m := loadReview(t, "secret-sentinel-v1.json")
	body := mustJSON(t, m)
	code, resp := post(t, c, s, body)
	responses = append(responses, string(resp))
	if r := decodeReview(t, resp); code != 200 || r.Response.Allowed {
		t.Fatalf("sentinel review: HTTP %d, want a denial: %s", code, resp)
	} else if r.Response.UID != "e2e-sentinel-5150" {
		t.Errorf("uid %q", r.Response.UID)
	}

	m["apiVersion"] = "admission.k8s.io/v1beta1"
	request(m)["uid"] = "e2e-sentinel-v1beta1"
	_, resp = post(t, c, s, mustJSON(t, m))
	responses = append(responses, string(resp))

	m = loadReview(t, "secret-sentinel-v1.json")
	request(m)["uid"] = "e2e-sentinel-update"
	request(m)["operation"] = "UPDATE"
	request(m)["oldObject"] = request(m)["object"]
	_, resp = post(t, c, s, mustJSON(t, m))
	responses = append(responses, string(resp))
	if r := decodeReview(t, resp); !r.Response.Allowed || len(r.Response.Warnings) == 0 {
		t.Errorf("UPDATE with the finding already live: want allowed with a warning, got %s", resp)
	}

	delete(request(m), "uid")
	code, resp = post(t, c, s, mustJSON(t, m))
	responses = append(responses, string(resp))
	if code != 400 {
		t.Errorf("review without uid: HTTP %d, want 400", code)
	}
	_, resp = post(t, c, s, []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":{"spec":"`+sentinel))
	responses = append(responses, string(resp))

	for i, r := range responses {
		if strings.Contains(r, sentinel) || strings.Contains(r, "SENTINEL") {
			t.Errorf("response %d contains the env value: %s", i, r)
		}
	}
	metrics := s.scrape(t)
	if strings.Contains(metrics, "SENTINEL") {
		t.Errorf("/metrics contains the env value")
	}

	logs := s.stderr.String() + s.stdout.String()
	if strings.Contains(logs, "SENTINEL") {
		t.Errorf("logs contain the env value:\n%s", logs)
	}

	// Logs are JSON lines; the review line names the review, never the object.
	var review map[string]interface{}
	for _, line := range strings.Split(strings.TrimSpace(s.stderr.String()), "\n") {
		var rec map[string]interface{}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		if rec["msg"] == "review" && rec["uid"] == "e2e-sentinel-5150" {
			review = rec
		}
	}
	if review == nil {
		t.Fatalf("no \"review\" log line for uid e2e-sentinel-5150:\n%s", s.stderr.String())
	}
	want := map[string]interface{}{"kind": "Deployment", "namespace": "e2e", "name": "leaky",
		"operation": "CREATE", "user": "e2e-user", "decision": "denied"}
	for k, v := range want {
		if review[k] != v {
			t.Errorf("review log %s = %v, want %v", k, review[k], v)
		}
	}
	for _, k := range []string{"findings", "duration_us"} {
		if _, ok := review[k]; !ok {
			t.Errorf("review log has no %s: %v", k, review)
		}
	}

	// The CLI does not print it either.
	out, _ := exec.Command(binPath, "check", "-f", fixture("manifests", "secret-sentinel.yaml")).CombinedOutput()
	outJSON, _ := exec.Command(binPath, "check", "-o", "json", "-f", fixture("manifests", "secret-sentinel.yaml")).CombinedOutput()
	if !strings.Contains(string(out), "template-placeholder") {
		t.Errorf("check did not report the placeholder: %s", out)
	}
	if strings.Contains(string(out)+string(outJSON), "SENTINEL") {
		t.Errorf("preflight check prints the env value:\n%s\n%s", out, outJSON)
	}
}
