package install

// The Helm chart in charts/preflight, rendered without Helm (not packaged in Debian): Go's
// text/template with the few helpers the chart uses (include, toYaml, nindent, indent, quote,
// required, b64enc, default). toYaml emits JSON, which is YAML too. The same assertions as
// for the kustomize base run on its output, so both renderings agree on every object that
// matters. When `helm` is on the PATH, `helm lint` and `helm template` run as well.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/template"
)

const testNamespace = "preflight-system"

// defaultChartValues are the --set values an install in "secret" TLS mode needs.
var defaultChartValues = obj{
	"tls": obj{"crt": "CERT", "key": "KEY", "caBundle": "Q0E="},
}

func readYAMLFile(t *testing.T, path string) obj {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := parseYAMLText(t, string(data)).(obj)
	if v == nil {
		t.Fatalf("%s is not a mapping", path)
	}
	return v
}

// merge returns base with override merged in (maps recursively, everything else replaced).
func merge(base, override obj) obj {
	out := obj{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range override {
		if bm, ok := out[k].(obj); ok {
			if om, ok := v.(obj); ok {
				out[k] = merge(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// renderChart renders charts/preflight with values.yaml merged with `values`; returns the
// YAML stream or the first template error.
func renderChart(t *testing.T, values obj) ([]byte, error) {
	t.Helper()
	if _, err := exec.LookPath("yq"); err != nil {
		t.Skip("yq is not installed")
	}
	dir := filepath.Join(sourceDir(t), "charts", "preflight")
	chart := readYAMLFile(t, filepath.Join(dir, "Chart.yaml"))
	data := obj{
		"Values":  merge(readYAMLFile(t, filepath.Join(dir, "values.yaml")), values),
		"Release": obj{"Name": "preflight", "Namespace": testNamespace, "Service": "Helm"},
		"Chart":   obj{"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"]},
	}
	root := template.New("chart").Option("missingkey=zero")
	root.Funcs(template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			var b bytes.Buffer
			err := root.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"toYaml": func(v interface{}) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"nindent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return "\n" + pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
		"indent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
		"quote": func(v interface{}) string { return fmt.Sprintf("%q", fmt.Sprint(v)) },
		"required": func(msg string, v interface{}) (interface{}, error) {
			if v == nil || v == "" {
				return nil, errors.New(msg)
			}
			return v, nil
		},
		"b64enc": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"default": func(d, v interface{}) interface{} {
			if v == nil || v == "" || v == false {
				return d
			}
			return v
		},
	})
	files, err := filepath.Glob(filepath.Join(dir, "templates", "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var manifests []string
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		if _, err := root.New(name).Parse(string(text)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(name, "_") {
			manifests = append(manifests, name)
		}
	}
	var out bytes.Buffer
	for _, name := range manifests {
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, name, data); err != nil {
			return nil, err
		}
		out.WriteString("---\n# Source: " + name + "\n")
		out.Write(b.Bytes())
		out.WriteString("\n")
	}
	return out.Bytes(), nil
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

func TestChartHelm(t *testing.T) {
	if _, err := exec.LookPath("helm"); err != nil {
		t.Skip("helm is not installed; the text/template renderer above covers the chart")
	}
	dir := filepath.Join(sourceDir(t), "charts", "preflight")
	set := []string{"--set", "tls.crt=CERT,tls.key=KEY,tls.caBundle=Q0E="}
	for _, args := range [][]string{
		append([]string{"lint", dir}, set...),
		append([]string{"template", "preflight", dir, "-n", testNamespace}, set...),
		{"template", "preflight", dir, "-n", testNamespace, "--set", "tls.mode=certManager,webhook.failurePolicy=Fail"},
	} {
		if out, err := exec.Command("helm", args...).CombinedOutput(); err != nil {
			t.Errorf("helm %v: %v\n%s", args, err, out)
		}
	}
}
