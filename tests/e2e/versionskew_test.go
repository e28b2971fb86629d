package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// skewDeployment is a Deployment e2e/llm-chat whose model card is ConfigMap `card` of
// tests/fixtures/reviews/version-skew-snapshot.yaml, running `image` with tokenizer `revision`.
func skewDeployment(card, image, revision string, labels map[string]string) map[string]interface{} {
	return map[string]interface{}{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata": map[string]interface{}{
			"name": "llm-chat", "namespace": "e2e", "labels": labels,
			"annotations": map[string]string{"preflight.wfgy.io/modelcard": card},
		},
		"spec": map[string]interface{}{
			"template": map[string]interface{}{
				"spec": map[string]interface{}{
					"containers": []interface{}{map[string]interface{}{
						"name":  "server",
						"image": image,
						"args":  []string{"--model", "facebook/llama-2-7b-chat-hf", "--tokenizer-revision", revision},
					}},
				},
			},
		},
	}
}

func skewReview(t *testing.T, uid, op string, object, old map[string]interface{}) []byte {
	t.Helper()
	req := map[string]interface{}{
		"uid":       uid,
		"kind":      map[string]string{"group": "apps", "version": "v1", "kind": "Deployment"},
		"resource":  map[string]string{"group": "apps", "version": "v1", "resource": "deployments"},
		"name":      "llm-chat",
		"namespace": "e2e",
		"operation": op,
		"userInfo":  map[string]string{"username": "e2e"},
		"object":    object,
	}
	if old != nil {
		req["oldObject"] = old
	}
	return mustJSON(t, map[string]interface{}{
		"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req,
	})
}

// TestVersionSkewThroughTheServer: the model card comes from the cluster state (a snapshot
// ConfigMap); a tokenizer revision that is not the card's SHA is denied with both values, its
// 40-character form passes, a skew already live is only a warning on UPDATE, app.kubernetes.io/
// version drift warns, and a missing card ConfigMap is denied.
func TestVersionSkewThroughTheServer(t *testing.T) {
	s := startServer(t, serverOptions{snapshot: fixture("reviews", "version-skew-snapshot.yaml")})
	c := s.client()
	const full = "ad4c1b9e0f3a6d2c18b7e94f5a0c3d1e2b4f6a8c"
	broken := skewDeployment("llm-card", "registry.example.com/llm/vllm:v2.3.1-cuda12.1", "9e7f02d", nil)
	fixed := skewDeployment("llm-card", "registry.example.com/llm/vllm:v2.3.1-cuda12.1", full, nil)

	code, body := post(t, c, s, skewReview(t, "skew-deny", "CREATE", broken, nil))
	r := decodeReview(t, body)
	if code != 200 || r.Response.Allowed || r.Response.Status == nil || r.Response.Status.Code != 403 {
		t.Fatalf("tokenizer skew: want a 403 denial, got HTTP %d %s", code, body)
	}
	msg := r.Response.Status.Message
	for _, want := range []string{"[version-skew]", "ad4c1b9", "9e7f02d", "--tokenizer-revision", "modelcard llm-card"} {
		if !strings.Contains(msg, want) {
			t.Errorf("denial should contain %q: %q", want, msg)
		}
	}
	if r.Response.UID != "skew-deny" {
		t.Errorf("uid not echoed: %q", r.Response.UID)
	}

	code, body = post(t, c, s, skewReview(t, "skew-ok", "CREATE", fixed, nil))
	r = decodeReview(t, body)
	if code != 200 || !r.Response.Allowed || strings.Contains(strings.Join(r.Response.Warnings, "\n"), "version-skew") {
		t.Errorf("the card's SHA in its 40-character form must pass silently: %s", body)
	}

	code, body = post(t, c, s, skewReview(t, "skew-update", "UPDATE", broken, broken))
	r = decodeReview(t, body)
	warnings := strings.Join(r.Response.Warnings, "\n")
	if code != 200 || !r.Response.Allowed || !strings.Contains(warnings, "[version-skew]") ||
		!strings.Contains(warnings, "already in the live object") {
		t.Errorf("UPDATE with the skew already live: want allowed with a warning, got %s", body)
	}
	for _, w := range r.Response.Warnings {
		if len(w) >= 256 {
			t.Errorf("warning over 255 characters (%d): %q", len(w), w)
		}
	}

	code, body = post(t, c, s, skewReview(t, "skew-update-new", "UPDATE", broken, fixed))
	r = decodeReview(t, body)
	if code != 200 || r.Response.Allowed {
		t.Errorf("UPDATE introducing the skew must be denied: %s", body)
	}

	chart := skewDeployment("llm-card", "registry.example.com/llm/vllm:v2.3.1-cuda12.1", full,
		map[string]string{"app.kubernetes.io/version": "2.2.0"})
	code, body = post(t, c, s, skewReview(t, "skew-chart", "CREATE", chart, nil))
	r = decodeReview(t, body)
	warnings = strings.Join(r.Response.Warnings, "\n")
	if code != 200 || !r.Response.Allowed || !strings.Contains(warnings, "app.kubernetes.io/version 2.2.0") {
		t.Errorf("app.kubernetes.io/version drift: want allowed with a warning, got %s", body)
	}

	missing := skewDeployment("gone", "registry.example.com/llm/vllm:v2.3.1-cuda12.1", full, nil)
	code, body = post(t, c, s, skewReview(t, "skew-missing", "CREATE", missing, nil))
	r = decodeReview(t, body)
	if code != 200 || r.Response.Allowed || r.Response.Status == nil ||
		!strings.Contains(r.Response.Status.Message, `configmap "gone" not found in namespace "e2e"`) {
		t.Errorf("missing model card ConfigMap: want a denial, got %s", body)
	}

	// The shipped demo through the CLI: the seed's verdict and exit 1; the fixed twin exits 0.
	res := runCLI(t, nil, []string{"NO_COLOR=1"}, "check", "-f", filepath.Join(sourceDir, "examples", "version-skew-broken.yaml"))
	if res.code != 1 || !strings.Contains(res.stdout, "✖ checkpoint ↔ tokenizer .. MISMATCH") ||
		!strings.Contains(res.stdout, "→ Aborting deploy (use the override annotation to force)") {
		t.Errorf("demo: want exit 1 and the seed's verdict, got %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, nil, []string{"NO_COLOR=1"}, "check", "-f", filepath.Join(sourceDir, "examples", "version-skew-ok.yaml"))
	if res.code != 0 {
		t.Errorf("demo ok twin: want exit 0, got %d\n%s", res.code, res.stdout)
	}
}
