package install

// The Helm chart in charts/preflight, rendered without Helm (not packaged in Debian) by the
// text/template renderer of chartrender_test.go. The same assertions as for the kustomize
// base run on its output (forEachRendering), and chart_compare_test.go compares the two
// renderings object by object. When `helm` is on the PATH, `helm lint` and `helm template`
// run as well, in every certificate mode and with the monitoring objects.

import (
	"encoding/base64"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const testNamespace = "preflight-system"

// defaultChartValues are the --set values an install in "secret" TLS mode needs.
var defaultChartValues = obj{
	"tls": obj{"crt": "CERT", "key": "KEY", "caBundle": "Q0E="},
}

func chartObjects(t *testing.T, values obj) map[string]obj {
	t.Helper()
	out, err := renderChart(t, values)
	if err != nil {
		t.Fatalf("rendering the chart: %v", err)
	}
	return objectsFromYAML(t, out)
}

// forEachRendering runs one set of assertions on the kustomize base and on the chart.
func forEachRendering(t *testing.T, check func(*testing.T, map[string]obj)) {
	t.Run("kustomize", func(t *testing.T) { check(t, renderKustomize(t)) })
	t.Run("chart", func(t *testing.T) { check(t, chartObjects(t, defaultChartValues)) })
}

func TestChartSecretMode(t *testing.T) {
	objects := chartObjects(t, defaultChartValues)
	secret := mustHave(t, objects, "Secret/preflight-tls")
	expectEqual(t, "type", str(secret, "type"), "kubernetes.io/tls")
	expectEqual(t, "tls.crt", str(secret, "data", "tls.crt"), base64.StdEncoding.EncodeToString([]byte("CERT")))
	hook := get(mustHave(t, objects, "ValidatingWebhookConfiguration/preflight"), "webhooks", 0)
	expectEqual(t, "caBundle", str(hook, "clientConfig", "caBundle"), "Q0E=")

	existing := chartObjects(t, obj{"tls": obj{"existingSecret": "my-tls", "caBundle": "Q0E="}})
	if _, ok := existing["Secret/preflight-tls"]; ok {
		t.Error("tls.existingSecret still creates a Secret")
	}
	vols := asSlice(get(mustHave(t, existing, "Deployment/preflight"), "spec", "template", "spec", "volumes"))
	expectEqual(t, "existing secret volume", str(vols[0], "secret", "secretName"), "my-tls")

	for _, missing := range []obj{
		{"tls": obj{"crt": "CERT", "key": "KEY"}},       // no caBundle
		{"tls": obj{"caBundle": "Q0E=", "key": "KEY"}},  // no crt
		{"tls": obj{"caBundle": "Q0E=", "crt": "CERT"}}, // no key
	} {
		if _, err := renderChart(t, missing); err == nil || !strings.Contains(err.Error(), "required") {
			t.Errorf("values %v: want a 'required' error, got %v", missing, err)
		}
	}
}

func TestChartNonDefaultValues(t *testing.T) {
	objects := chartObjects(t, obj{
		"replicas": float64(3),
		"image":    obj{"repository": "registry.example.com/preflight", "tag": "0.1.0"},
		"webhook": obj{"failurePolicy": "Fail", "matchConditions": false,
			"excludedNamespaces": []interface{}{"kube-system", "legacy"}},
		"tls":           obj{"mode": "certManager"},
		"networkPolicy": obj{"enabled": false},
		"policy":        obj{"enforcement": obj{"cuda-compat": "deny"}, "cuda_probe": obj{"mode": "deny"}},
	})
	if _, ok := objects["Secret/preflight-tls"]; ok {
		t.Error("cert-manager mode renders a Secret")
	}
	if _, ok := objects["NetworkPolicy/preflight"]; ok {
		t.Error("networkPolicy.enabled=false renders a NetworkPolicy")
	}
	cert := mustHave(t, objects, "Certificate/preflight")
	expectEqual(t, "secretName", str(cert, "spec", "secretName"), "preflight-tls")
	expectEqual(t, "dnsNames", strs(cert, "spec", "dnsNames"), []string{
		"preflight.preflight-system.svc", "preflight.preflight-system.svc.cluster.local"})
	expectEqual(t, "issuerRef", get(cert, "spec", "issuerRef"), obj{"kind": "Issuer", "name": "preflight-ca"})

	cfg := mustHave(t, objects, "ValidatingWebhookConfiguration/preflight")
	expectEqual(t, "inject-ca-from", str(cfg, "metadata", "annotations", "cert-manager.io/inject-ca-from"),
		"preflight-system/preflight")
	hook := get(cfg, "webhooks", 0)
	if get(hook, "clientConfig", "caBundle") != nil {
		t.Error("cert-manager mode sets caBundle (cert-manager injects it)")
	}
	expectEqual(t, "failurePolicy", str(hook, "failurePolicy"), "Fail")
	if get(hook, "matchConditions") != nil {
		t.Error("webhook.matchConditions=false still renders matchConditions")
	}
	expectEqual(t, "excluded", strs(hook, "namespaceSelector", "matchExpressions", 0, "values"),
		[]string{"kube-system", "legacy", "preflight-system"})

	d := mustHave(t, objects, "Deployment/preflight")
	expectEqual(t, "replicas", get(d, "spec", "replicas"), float64(3))
	expectEqual(t, "image", str(d, "spec", "template", "spec", "containers", 0, "image"),
		"registry.example.com/preflight:0.1.0")
	policy := parseYAMLText(t, str(mustHave(t, objects, "ConfigMap/preflight-policy"), "data", "policy.yaml"))
	expectEqual(t, "cuda-compat", get(policy, "enforcement", "cuda-compat"), "deny")
	expectEqual(t, "secret-ref kept", get(policy, "enforcement", "secret-ref"), "deny")
}

func TestChartSingleReplicaHasNoPDB(t *testing.T) {
	one := chartObjects(t, merge(defaultChartValues, obj{"replicas": float64(1)}))
	if _, ok := one["PodDisruptionBudget/preflight"]; ok {
		t.Error("replicas=1 renders a PDB with minAvailable: 1, which blocks every node drain")
	}
	expectEqual(t, "replicas", get(mustHave(t, one, "Deployment/preflight"), "spec", "replicas"), float64(1))
	three := chartObjects(t, merge(defaultChartValues, obj{"replicas": float64(3)}))
	mustHave(t, three, "PodDisruptionBudget/preflight")
}

func TestChartHelm(t *testing.T) {
	if _, err := exec.LookPath("helm"); err != nil {
		t.Skip("helm is not installed; the text/template renderer above covers the chart")
	}
	dir := filepath.Join(sourceDir(t), "charts", "preflight")
	set := []string{"--set", "tls.crt=CERT,tls.key=KEY,tls.caBundle=Q0E="}
	monitoring := "monitoring.serviceMonitor.enabled=true,monitoring.prometheusRule.enabled=true," +
		"monitoring.dashboard.enabled=true"
	for _, args := range [][]string{
		append([]string{"lint", dir}, set...),
		append([]string{"template", "preflight", dir, "-n", testNamespace}, set...),
		{"template", "preflight", dir, "-n", testNamespace, "--set", "tls.mode=certManager,webhook.failurePolicy=Fail"},
		{"template", "preflight", dir, "-n", testNamespace, "--set", "tls.mode=generate," + monitoring},
		{"lint", dir, "--set", "tls.mode=generate," + monitoring},
	} {
		if out, err := exec.Command("helm", args...).CombinedOutput(); err != nil {
			t.Errorf("helm %v: %v\n%s", args, err, out)
		}
	}
	// values.schema.json is enforced by Helm itself.
	out, err := exec.Command("helm", "template", "preflight", dir, "--set", "webhook.failurePolicy=ignore").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "failurePolicy") {
		t.Errorf("helm accepted webhook.failurePolicy=ignore: %v\n%s", err, out)
	}
}
