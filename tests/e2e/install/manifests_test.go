// Package install checks the kustomize base in manifests/: `kubectl kustomize manifests/`
// renders, and the result holds every object and setting docs/install.md promises.
// The rendered YAML is turned into JSON by yq (the jq wrapper, as tests/monitoring uses);
// the test is skipped when kubectl or yq is missing.
package install

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

type obj = map[string]interface{}

func sourceDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("PREFLIGHT_SOURCE_DIR"); dir != "" {
		return dir
	}
	abs, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// renderKustomize returns the documents of `kubectl kustomize manifests/`, keyed "Kind/name".
func renderKustomize(t *testing.T) map[string]obj {
	t.Helper()
	return renderKustomizeDir(t, "manifests")
}

// renderKustomizeDir renders `kubectl kustomize DIR` (DIR relative to the repository).
func renderKustomizeDir(t *testing.T, dir string) map[string]obj {
	t.Helper()
	for _, tool := range []string{"kubectl", "yq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	kustomize := exec.Command("kubectl", "kustomize", filepath.Join(sourceDir(t), dir))
	var stderr bytes.Buffer
	kustomize.Stderr = &stderr
	yamlOut, err := kustomize.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderr.String())
	}
	return objectsFromYAML(t, yamlOut)
}

// objectsFromYAML converts a multi-document YAML stream with yq, keyed "Kind/name".
func objectsFromYAML(t *testing.T, yamlOut []byte) map[string]obj {
	t.Helper()
	var stderr bytes.Buffer
	toJSON := exec.Command("yq", "-c", ".")
	toJSON.Stdin = bytes.NewReader(yamlOut)
	toJSON.Stderr = &stderr
	jsonOut, err := toJSON.Output()
	if err != nil {
		t.Fatalf("yq: %v\n%s", err, stderr.String())
	}
	objects := map[string]obj{}
	dec := json.NewDecoder(bytes.NewReader(jsonOut))
	for dec.More() {
		var o obj
		if err := dec.Decode(&o); err != nil {
			t.Fatalf("decoding rendered manifests: %v", err)
		}
		if o == nil {
			continue
		}
		if o["apiVersion"] == nil || o["kind"] == nil {
			t.Errorf("document without apiVersion/kind: %v", o)
			continue
		}
		key := str(o, "kind") + "/" + str(o, "metadata", "name")
		if _, dup := objects[key]; dup {
			t.Errorf("%s rendered twice", key)
		}
		objects[key] = o
	}
	return objects
}

// get walks maps by key and slices by int index; nil when absent.
func get(v interface{}, path ...interface{}) interface{} {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(obj)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			s, ok := v.([]interface{})
			if !ok || k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func str(v interface{}, path ...interface{}) string {
	s, _ := get(v, path...).(string)
	return s
}

func strs(v interface{}, path ...interface{}) []string {
	var out []string
	for _, e := range asSlice(get(v, path...)) {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func asSlice(v interface{}) []interface{} {
	s, _ := v.([]interface{})
	return s
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func mustHave(t *testing.T, objects map[string]obj, key string) obj {
	t.Helper()
	o, ok := objects[key]
	if !ok {
		keys := make([]string, 0, len(objects))
		for k := range objects {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Fatalf("%s not rendered; got %v", key, keys)
	}
	return o
}

func expectEqual(t *testing.T, what string, got, want interface{}) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestManifestsObjectSet(t *testing.T) { forEachRendering(t, checkObjectSet) }

func checkObjectSet(t *testing.T, objects map[string]obj) {
	want := []string{
		"ClusterRole/preflight", "ClusterRoleBinding/preflight", "ConfigMap/preflight-policy",
		"Deployment/preflight", "Namespace/preflight-system", "NetworkPolicy/preflight",
		"PodDisruptionBudget/preflight", "Service/preflight", "ServiceAccount/preflight",
		"ValidatingWebhookConfiguration/preflight",
	}
	if _, chart := objects["Secret/preflight-tls"]; chart {
		// The chart (helm install --create-namespace) makes the TLS Secret, not the Namespace.
		want = append(want[:4], want[5:]...)
		want = append(want, "Secret/preflight-tls")
		sort.Strings(want)
	}
	got := make([]string, 0, len(objects))
	for k := range objects {
		got = append(got, k)
	}
	expectEqual(t, "rendered objects", sorted(got), want)
	for key, o := range objects {
		kind := str(o, "kind")
		clusterScoped := kind == "Namespace" || kind == "ClusterRole" ||
			kind == "ClusterRoleBinding" || kind == "ValidatingWebhookConfiguration"
		ns := str(o, "metadata", "namespace")
		if clusterScoped && ns != "" {
			t.Errorf("%s is cluster-scoped but has namespace %q", key, ns)
		}
		if !clusterScoped && ns != "preflight-system" {
			t.Errorf("%s namespace = %q, want preflight-system", key, ns)
		}
	}
}

func TestManifestsRBACIsReadOnly(t *testing.T) { forEachRendering(t, checkRBACIsReadOnly) }

// The kustomize base lets the background audit watch the workloads it audits.
func TestManifestsRBACCoversTheAudit(t *testing.T) {
	rules := asSlice(get(mustHave(t, renderKustomize(t), "ClusterRole/preflight"), "rules"))
	if len(rules) != 3 {
		t.Fatalf("manifests/rbac.yaml has %d rules, want 3 (core, apps, batch)", len(rules))
	}
}

func checkRBACIsReadOnly(t *testing.T, objects map[string]obj) {
	role := mustHave(t, objects, "ClusterRole/preflight")
	// apiGroup -> resources -> verbs: the admission caches get/list/watch four core kinds;
	// the background audit lists and watches the workload kinds. Nothing else.
	want := map[string]map[string][]string{
		"": {"configmaps": {"get", "list", "watch"}, "nodes": {"get", "list", "watch"},
			"secrets": {"get", "list", "watch"}, "serviceaccounts": {"get", "list", "watch"}},
		"apps": {"daemonsets": {"list", "watch"}, "deployments": {"list", "watch"},
			"replicasets": {"list", "watch"}, "statefulsets": {"list", "watch"}},
		"batch": {"cronjobs": {"list", "watch"}, "jobs": {"list", "watch"}},
	}
	got := map[string]map[string][]string{}
	for _, rule := range asSlice(get(role, "rules")) {
		for _, field := range []string{"resourceNames", "nonResourceURLs"} {
			if get(rule, field) != nil {
				t.Errorf("ClusterRole rule has %s", field)
			}
		}
		for _, g := range strs(rule, "apiGroups") {
			if got[g] == nil {
				got[g] = map[string][]string{}
			}
			for _, r := range strs(rule, "resources") {
				got[g][r] = sorted(append(got[g][r], strs(rule, "verbs")...))
			}
		}
	}
	expectEqual(t, "ClusterRole grants", got, want)

	binding := mustHave(t, objects, "ClusterRoleBinding/preflight")
	expectEqual(t, "roleRef.kind", str(binding, "roleRef", "kind"), "ClusterRole")
	expectEqual(t, "roleRef.name", str(binding, "roleRef", "name"), "preflight")
	subjects := asSlice(get(binding, "subjects"))
	if len(subjects) != 1 {
		t.Fatalf("ClusterRoleBinding has %d subjects, want 1", len(subjects))
	}
	expectEqual(t, "subject", []string{str(subjects[0], "kind"), str(subjects[0], "name"),
		str(subjects[0], "namespace")}, []string{"ServiceAccount", "preflight", "preflight-system"})
	mustHave(t, objects, "ServiceAccount/preflight")
}

func TestManifestsPolicyConfigMap(t *testing.T) { forEachRendering(t, checkPolicyConfigMap) }

func checkPolicyConfigMap(t *testing.T, objects map[string]obj) {
	cm := mustHave(t, objects, "ConfigMap/preflight-policy")
	policy := parseYAMLText(t, str(cm, "data", "policy.yaml"))
	want := obj{
		"ignore_versions": []interface{}{}, "secret_timeout": "2s",
		"cuda_probe": obj{"mode": "warn"}, "prompt_vars": obj{}, "required_env": []interface{}{},
		"enforcement": obj{
			"secret-ref": "deny", "configmap-ref": "deny", "serviceaccount-ref": "deny",
			"env-name": "deny", "version-skew": "deny", "cuda-compat": "warn",
			"template-placeholder": "deny",
		},
		"overridable":         []interface{}{"version-skew", "cuda-compat", "template-placeholder", "env-name"},
		"exempt":              obj{"namespaces": []interface{}{}, "selectors": []interface{}{}},
		"cluster_unavailable": "warn",
		"audit":               obj{"interval": "10m"},
		"metrics":             obj{"max_namespaces": float64(200)},
	}
	expectEqual(t, "policy.yaml", policy, want)
}

// parseYAMLText converts one YAML document to a JSON value with yq.
func parseYAMLText(t *testing.T, text string) interface{} {
	t.Helper()
	cmd := exec.Command("yq", "-c", ".")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("yq: %v", err)
	}
	var v interface{}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("yq output: %v", err)
	}
	return v
}

// TestManifestsPolicyLoads runs the policy through the real binary when it is available.
func TestManifestsPolicyLoads(t *testing.T) {
	bin := os.Getenv("PREFLIGHT_BIN")
	if bin == "" {
		t.Skip("PREFLIGHT_BIN not set")
	}
	forEachRendering(t, func(t *testing.T, objects map[string]obj) { checkPolicyLoads(t, bin, objects) })
}

func checkPolicyLoads(t *testing.T, bin string, objects map[string]obj) {
	policy := str(mustHave(t, objects, "ConfigMap/preflight-policy"), "data", "policy.yaml")
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(sourceDir(t), "examples", "deployment-ok.yaml")
	out, err := exec.Command(bin, "check", "--config", path, "-f", manifest).CombinedOutput()
	if err != nil {
		t.Fatalf("preflight check --config <ConfigMap policy>: %v\n%s", err, out)
	}
}

func TestManifestsDeployment(t *testing.T) { forEachRendering(t, checkDeployment) }

func checkDeployment(t *testing.T, objects map[string]obj) {
	d := mustHave(t, objects, "Deployment/preflight")
	expectEqual(t, "replicas", get(d, "spec", "replicas"), float64(2))
	expectEqual(t, "maxUnavailable", get(d, "spec", "strategy", "rollingUpdate", "maxUnavailable"),
		float64(0))
	pod := get(d, "spec", "template", "spec")
	expectEqual(t, "serviceAccountName", str(pod, "serviceAccountName"), "preflight")
	expectEqual(t, "terminationGracePeriodSeconds", get(pod, "terminationGracePeriodSeconds"),
		float64(30))
	expectEqual(t, "pod runAsNonRoot", get(pod, "securityContext", "runAsNonRoot"), true)
	expectEqual(t, "pod runAsUser", get(pod, "securityContext", "runAsUser"), float64(65532))
	expectEqual(t, "pod seccomp", str(pod, "securityContext", "seccompProfile", "type"),
		"RuntimeDefault")

	terms := asSlice(get(pod, "affinity", "podAntiAffinity",
		"preferredDuringSchedulingIgnoredDuringExecution"))
	terms = append(terms, asSlice(get(pod, "affinity", "podAntiAffinity",
		"requiredDuringSchedulingIgnoredDuringExecution"))...)
	if len(terms) == 0 {
		t.Error("no pod anti-affinity")
	}
	templateLabels := get(d, "spec", "template", "metadata", "labels")
	for _, term := range terms {
		inner := get(term, "podAffinityTerm")
		if inner == nil {
			inner = term
		}
		expectEqual(t, "anti-affinity topologyKey", str(inner, "topologyKey"),
			"kubernetes.io/hostname")
		for k, v := range get(inner, "labelSelector", "matchLabels").(obj) {
			if get(templateLabels, k) != v {
				t.Errorf("anti-affinity selects %s=%v, which the pod template does not carry", k, v)
			}
		}
	}
	for k, v := range get(d, "spec", "selector", "matchLabels").(obj) {
		if get(templateLabels, k) != v {
			t.Errorf("Deployment selector %s=%v does not match the template", k, v)
		}
	}

	containers := asSlice(get(pod, "containers"))
	if len(containers) != 1 {
		t.Fatalf("%d containers, want 1", len(containers))
	}
	c := containers[0]
	expectEqual(t, "image", str(c, "image"), "preflight:latest")
	expectEqual(t, "args", strs(c, "args"), []string{
		"serve", "--tls-cert=/certs/tls.crt", "--tls-key=/certs/tls.key",
		"--listen=0.0.0.0:8443", "--metrics-listen=0.0.0.0:9090",
		"--config=/etc/preflight/policy.yaml",
	})
	for _, a := range strs(c, "args") {
		if strings.HasPrefix(a, "--kubeconfig") || strings.HasPrefix(a, "--cluster-snapshot") {
			t.Errorf("arg %s: serve must use the in-cluster service account", a)
		}
	}
	ports := map[string]float64{}
	for _, p := range asSlice(get(c, "ports")) {
		ports[str(p, "name")], _ = get(p, "containerPort").(float64)
	}
	expectEqual(t, "container ports", ports, map[string]float64{"https": 8443, "metrics": 9090})

	for _, probe := range []struct{ name, path string }{
		{"livenessProbe", "/healthz"}, {"readinessProbe", "/readyz"}} {
		expectEqual(t, probe.name+" path", str(c, probe.name, "httpGet", "path"), probe.path)
		expectEqual(t, probe.name+" port", get(c, probe.name, "httpGet", "port"), "metrics")
		expectEqual(t, probe.name+" scheme", str(c, probe.name, "httpGet", "scheme"), "HTTP")
	}
	expectEqual(t, "preStop", strs(c, "lifecycle", "preStop", "exec", "command"),
		[]string{"/bin/sleep", "5"})

	expectEqual(t, "requests.cpu", str(c, "resources", "requests", "cpu"), "50m")
	expectEqual(t, "requests.memory", str(c, "resources", "requests", "memory"), "64Mi")
	expectEqual(t, "limits.memory", str(c, "resources", "limits", "memory"), "128Mi")

	sc := get(c, "securityContext")
	expectEqual(t, "readOnlyRootFilesystem", get(sc, "readOnlyRootFilesystem"), true)
	expectEqual(t, "runAsNonRoot", get(sc, "runAsNonRoot"), true)
	expectEqual(t, "runAsUser", get(sc, "runAsUser"), float64(65532))
	expectEqual(t, "allowPrivilegeEscalation", get(sc, "allowPrivilegeEscalation"), false)
	expectEqual(t, "capabilities.drop", strs(sc, "capabilities", "drop"), []string{"ALL"})
	if get(sc, "capabilities", "add") != nil {
		t.Error("capabilities.add is set")
	}
	expectEqual(t, "container seccomp", str(sc, "seccompProfile", "type"), "RuntimeDefault")

	mounts := map[string]string{}
	for _, m := range asSlice(get(c, "volumeMounts")) {
		mounts[str(m, "name")] = str(m, "mountPath")
		if get(m, "subPath") != nil {
			t.Errorf("volumeMount %s uses subPath: rotated files would never reach the pod",
				str(m, "name"))
		}
	}
	expectEqual(t, "mounts", mounts, map[string]string{"tls": "/certs", "policy": "/etc/preflight"})
	volumes := map[string]string{}
	for _, v := range asSlice(get(pod, "volumes")) {
		if s := str(v, "secret", "secretName"); s != "" {
			volumes[str(v, "name")] = "secret:" + s
		}
		if s := str(v, "configMap", "name"); s != "" {
			volumes[str(v, "name")] = "configmap:" + s
		}
	}
	expectEqual(t, "volumes", volumes, map[string]string{
		"tls": "secret:preflight-tls", "policy": "configmap:preflight-policy"})

	pdb := mustHave(t, objects, "PodDisruptionBudget/preflight")
	expectEqual(t, "PDB minAvailable", get(pdb, "spec", "minAvailable"), float64(1))
	expectEqual(t, "PDB selector", get(pdb, "spec", "selector", "matchLabels"),
		get(d, "spec", "selector", "matchLabels"))
}

func TestManifestsServiceAndNetworkPolicy(t *testing.T) {
	forEachRendering(t, checkServiceAndNetworkPolicy)
}

func checkServiceAndNetworkPolicy(t *testing.T, objects map[string]obj) {
	d := mustHave(t, objects, "Deployment/preflight")
	templateLabels := get(d, "spec", "template", "metadata", "labels")

	svc := mustHave(t, objects, "Service/preflight")
	for k, v := range get(svc, "spec", "selector").(obj) {
		if get(templateLabels, k) != v {
			t.Errorf("Service selector %s=%v does not match the pods", k, v)
		}
	}
	expectEqual(t, "Service label (ServiceMonitor selects it)",
		str(svc, "metadata", "labels", "app.kubernetes.io/name"), "preflight")
	type port struct {
		Port   float64
		Target interface{}
	}
	ports := map[string]port{}
	for _, p := range asSlice(get(svc, "spec", "ports")) {
		ports[str(p, "name")] = port{get(p, "port").(float64), get(p, "targetPort")}
	}
	expectEqual(t, "Service ports", ports, map[string]port{
		"https": {443, "https"}, "metrics": {9090, "metrics"}})

	np := mustHave(t, objects, "NetworkPolicy/preflight")
	expectEqual(t, "policyTypes", sorted(strs(np, "spec", "policyTypes")),
		[]string{"Egress", "Ingress"})
	for k, v := range get(np, "spec", "podSelector", "matchLabels").(obj) {
		if get(templateLabels, k) != v {
			t.Errorf("NetworkPolicy podSelector %s=%v does not match the pods", k, v)
		}
	}
	var webhookOpen, metricsFromMonitoring bool
	for _, rule := range asSlice(get(np, "spec", "ingress")) {
		for _, p := range asSlice(get(rule, "ports")) {
			switch get(p, "port") {
			case float64(8443):
				webhookOpen = get(rule, "from") == nil
			case float64(9090):
				from := asSlice(get(rule, "from"))
				metricsFromMonitoring = len(from) == 1 && get(from[0], "namespaceSelector") != nil &&
					get(from[0], "podSelector") == nil && get(from[0], "ipBlock") == nil
			default:
				t.Errorf("unexpected ingress port %v", get(p, "port"))
			}
		}
	}
	if !webhookOpen {
		t.Error("ingress to 8443 must be open to every source (the API server's IP varies)")
	}
	if !metricsFromMonitoring {
		t.Error("ingress to 9090 must come only from a monitoring namespaceSelector")
	}
	egress := map[string]bool{}
	for _, rule := range asSlice(get(np, "spec", "egress")) {
		for _, p := range asSlice(get(rule, "ports")) {
			proto := str(p, "protocol")
			if proto == "" {
				proto = "TCP"
			}
			egress[fmt.Sprintf("%s/%v", proto, get(p, "port"))] = true
		}
	}
	expectEqual(t, "egress ports", egress, map[string]bool{
		"TCP/443": true, "TCP/6443": true, "UDP/53": true, "TCP/53": true})
}

func TestManifestsWebhookConfiguration(t *testing.T) { forEachRendering(t, checkWebhookConfiguration) }

func checkWebhookConfiguration(t *testing.T, objects map[string]obj) {
	cfg := mustHave(t, objects, "ValidatingWebhookConfiguration/preflight")
	hooks := asSlice(get(cfg, "webhooks"))
	if len(hooks) != 1 && len(hooks) != 2 {
		t.Fatalf("%d webhooks, want 1 (workloads) or 2 (and prompt ConfigMaps)", len(hooks))
	}
	if len(hooks) == 2 {
		checkPromptsWebhook(t, hooks[1])
	}
	w := hooks[0]
	expectEqual(t, "name", str(w, "name"), "validate.preflight.wfgy.io")
	expectEqual(t, "admissionReviewVersions", strs(w, "admissionReviewVersions"), []string{"v1"})
	expectEqual(t, "sideEffects", str(w, "sideEffects"), "None")
	expectEqual(t, "matchPolicy", str(w, "matchPolicy"), "Equivalent")
	expectEqual(t, "timeoutSeconds", get(w, "timeoutSeconds"), float64(5))
	expectEqual(t, "failurePolicy", str(w, "failurePolicy"), "Ignore")
	expectEqual(t, "service", get(w, "clientConfig", "service"), obj{
		"name": "preflight", "namespace": "preflight-system", "path": "/validate",
		"port": float64(443)})
	if str(w, "clientConfig", "caBundle") == "" {
		t.Error("caBundle placeholder missing (the documented patch replaces /webhooks/0/clientConfig/caBundle)")
	}
	if get(w, "clientConfig", "url") != nil {
		t.Error("clientConfig.url set alongside service")
	}

	selector := get(w, "namespaceSelector")
	if get(selector, "matchLabels") != nil {
		t.Error("namespaceSelector.matchLabels would restrict the webhook to labelled namespaces")
	}
	var notIn []string
	var ignoreDoesNotExist bool
	for _, e := range asSlice(get(selector, "matchExpressions")) {
		switch str(e, "key") + " " + str(e, "operator") {
		case "kubernetes.io/metadata.name NotIn":
			notIn = sorted(strs(e, "values"))
		case "preflight.wfgy.io/ignore DoesNotExist":
			ignoreDoesNotExist = true
		default:
			t.Errorf("unexpected namespaceSelector expression %v", e)
		}
	}
	expectEqual(t, "skipped namespaces", notIn,
		[]string{"kube-node-lease", "kube-public", "kube-system", "preflight-system"})
	if !ignoreDoesNotExist {
		t.Error("namespaces labelled preflight.wfgy.io/ignore are not skipped")
	}
	if get(w, "objectSelector") != nil {
		t.Error("objectSelector set: workloads could opt out by label")
	}

	covered := map[string]bool{}
	for _, r := range asSlice(get(w, "rules")) {
		expectEqual(t, "rule operations", sorted(strs(r, "operations")), []string{"CREATE", "UPDATE"})
		for _, g := range strs(r, "apiGroups") {
			for _, res := range strs(r, "resources") {
				if strings.Contains(res, "/") || res == "*" {
					t.Errorf("rule covers %q: subresources and wildcards are not reviewed", res)
				}
				covered[g+"/"+res] = true
			}
		}
		for _, v := range strs(r, "apiVersions") {
			if v != "v1" {
				t.Errorf("rule apiVersion %q (matchPolicy Equivalent covers other versions)", v)
			}
		}
	}
	expectEqual(t, "rules", covered, map[string]bool{
		"apps/deployments": true, "apps/statefulsets": true, "apps/daemonsets": true,
		"apps/replicasets": true, "batch/jobs": true, "batch/cronjobs": true, "/pods": true})

	conds := asSlice(get(w, "matchConditions"))
	if len(conds) != 1 {
		t.Fatalf("%d matchConditions, want 1", len(conds))
	}
	expr := str(conds[0], "expression")
	for _, want := range []string{
		`request.resource.resource != "pods" ||`,
		"!has(object.metadata.ownerReferences) ||",
		"!object.metadata.ownerReferences.exists(r,",
		"r.controller == true",
	} {
		if !strings.Contains(expr, want) {
			t.Errorf("matchConditions expression %q lacks %q", expr, want)
		}
	}
}

// The second webhook sends only ConfigMaps labelled preflight.wfgy.io/prompts: "true" (the
// template-placeholder prompt lint); every other ConfigMap must stay away from preflight.
func checkPromptsWebhook(t *testing.T, w any) {
	expectEqual(t, "prompts webhook name", str(w, "name"), "prompts.preflight.wfgy.io")
	expectEqual(t, "prompts webhook objectSelector", get(w, "objectSelector"),
		obj{"matchLabels": obj{"preflight.wfgy.io/prompts": "true"}})
	expectEqual(t, "prompts webhook failurePolicy", str(w, "failurePolicy"), "Ignore")
	expectEqual(t, "prompts webhook sideEffects", str(w, "sideEffects"), "None")
	rules := asSlice(get(w, "rules"))
	if len(rules) != 1 {
		t.Fatalf("prompts webhook: %d rules, want 1", len(rules))
	}
	expectEqual(t, "prompts webhook resources", strs(rules[0], "resources"), []string{"configmaps"})
	expectEqual(t, "prompts webhook apiGroups", strs(rules[0], "apiGroups"), []string{""})
	expectEqual(t, "prompts webhook path", str(w, "clientConfig", "service", "path"), "/validate")
}
