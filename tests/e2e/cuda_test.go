package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gpuReview is a Deployment pinned to the a100-535 pool of examples/cluster-snapshot.yaml
// (NVIDIA driver 535: CUDA 12.2 at most) running `image`.
func gpuReview(t *testing.T, uid, image string) []byte {
	t.Helper()
	return mustJSON(t, map[string]interface{}{
		"apiVersion": "admission.k8s.io/v1",
		"kind":       "AdmissionReview",
		"request": map[string]interface{}{
			"uid":       uid,
			"kind":      map[string]string{"group": "apps", "version": "v1", "kind": "Deployment"},
			"resource":  map[string]string{"group": "apps", "version": "v1", "resource": "deployments"},
			"name":      "llm-gpu",
			"namespace": "prod",
			"operation": "CREATE",
			"userInfo":  map[string]string{"username": "e2e"},
			"object": map[string]interface{}{
				"apiVersion": "apps/v1",
				"kind":       "Deployment",
				"metadata":   map[string]string{"name": "llm-gpu", "namespace": "prod"},
				"spec": map[string]interface{}{
					"template": map[string]interface{}{
						"spec": map[string]interface{}{
							"serviceAccountName": "llm-server",
							"nodeSelector":       map[string]string{"pool": "a100-535"},
							"containers": []interface{}{map[string]interface{}{
								"name":      "server",
								"image":     image,
								"resources": map[string]interface{}{"limits": map[string]string{"nvidia.com/gpu": "1"}},
							}},
						},
					},
				},
			},
		},
	})
}

// TestCudaCompatThroughTheServer: a CUDA 12.4 image on a 535 node pool is warned by default
// (the seed's CudaProbe is "warn") and denied under cuda_probe.mode: deny; a CUDA 12.2 image on
// the same pool passes.
func TestCudaCompatThroughTheServer(t *testing.T) {
	snapshot := filepath.Join(sourceDir, "examples", "cluster-snapshot.yaml")
	s := startServer(t, serverOptions{snapshot: snapshot})
	c := s.client()

	code, body := post(t, c, s, gpuReview(t, "cuda-warn", "registry.example.com/llm/server:2.3.1-cuda12.4"))
	r := decodeReview(t, body)
	if code != 200 || !r.Response.Allowed {
		t.Fatalf("default policy: want allowed with a warning, got HTTP %d %s", code, body)
	}
	joined := strings.Join(r.Response.Warnings, "\n")
	if !strings.Contains(joined, "[cuda-compat]") || !strings.Contains(joined, "12.4") ||
		!strings.Contains(joined, "535") {
		t.Errorf("warning should name the check, CUDA 12.4 and driver 535: %q", joined)
	}

	code, body = post(t, c, s, gpuReview(t, "cuda-ok", "nvidia/cuda:12.2.0-runtime-ubuntu22.04"))
	r = decodeReview(t, body)
	if code != 200 || !r.Response.Allowed || strings.Contains(strings.Join(r.Response.Warnings, "\n"), "cuda-compat") {
		t.Errorf("CUDA 12.2 on driver 535 must pass without a cuda-compat warning: %s", body)
	}

	policy := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(policy, []byte("cuda_probe:\n  mode: deny\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startServer(t, serverOptions{snapshot: snapshot, config: policy})
	code, body = post(t, d.client(), d, gpuReview(t, "cuda-deny", "registry.example.com/llm/server:2.3.1-cuda12.4"))
	r = decodeReview(t, body)
	if code != 200 || r.Response.Allowed || r.Response.Status == nil || r.Response.Status.Code != 403 ||
		!strings.Contains(r.Response.Status.Message, "[cuda-compat]") {
		t.Errorf("cuda_probe.mode deny: want a 403 denial naming cuda-compat, got %s", body)
	}
}
