package install

// charts/preflight/values.schema.json accepts the chart's values.yaml and rejects wrong
// values. Helm validates with a full JSON Schema implementation; this test uses a small
// validator for the keywords the schema uses (type, enum, properties, additionalProperties
// (false or a schema), required, items, minimum, maximum, minLength, pattern, $ref to
// #/definitions).

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

type schemaValidator struct{ root obj }

func (v schemaValidator) validate(schema obj, value interface{}, path string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/definitions/")
		def, _ := get(v.root, "definitions", name).(obj)
		if def == nil {
			return []string{path + ": unresolved $ref " + ref}
		}
		return v.validate(def, value, path)
	}
	var errs []string
	if t, ok := schema["type"]; ok {
		var types []string
		if s, ok := t.(string); ok {
			types = []string{s}
		} else {
			types = strs(schema, "type")
		}
		match := false
		for _, ty := range types {
			match = match || hasType(value, ty)
		}
		if !match {
			return []string{fmt.Sprintf("%s: %v is not of type %v", path, value, types)}
		}
	}
	if enum, ok := schema["enum"].([]interface{}); ok {
		found := false
		for _, e := range enum {
			found = found || e == value
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v is not one of %v", path, value, enum))
		}
	}
	if n, ok := value.(float64); ok {
		if min, ok := schema["minimum"].(float64); ok && n < min {
			errs = append(errs, fmt.Sprintf("%s: %v < minimum %v", path, n, min))
		}
		if max, ok := schema["maximum"].(float64); ok && n > max {
			errs = append(errs, fmt.Sprintf("%s: %v > maximum %v", path, n, max))
		}
	}
	if s, ok := value.(string); ok {
		if min, ok := schema["minLength"].(float64); ok && float64(len(s)) < min {
			errs = append(errs, fmt.Sprintf("%s: shorter than %v", path, min))
		}
		if p, ok := schema["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err != nil {
				errs = append(errs, fmt.Sprintf("%s: bad pattern %q: %v", path, p, err))
			} else if !re.MatchString(s) {
				errs = append(errs, fmt.Sprintf("%s: %q does not match %s", path, s, p))
			}
		}
	}
	if m, ok := value.(obj); ok {
		props, _ := schema["properties"].(obj)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if sub, ok := props[k].(obj); ok {
				errs = append(errs, v.validate(sub, m[k], path+"."+k)...)
			} else if extra, ok := schema["additionalProperties"].(obj); ok {
				errs = append(errs, v.validate(extra, m[k], path+"."+k)...)
			} else if schema["additionalProperties"] == false {
				errs = append(errs, fmt.Sprintf("%s: unknown key %q", path, k))
			}
		}
		for _, r := range strs(schema, "required") {
			if _, ok := m[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing %q", path, r))
			}
		}
	}
	if items, ok := schema["items"].(obj); ok {
		for i, e := range asSlice(value) {
			errs = append(errs, v.validate(items, e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

func hasType(v interface{}, ty string) bool {
	switch ty {
	case "object":
		_, ok := v.(obj)
		return ok
	case "array":
		_, ok := v.([]interface{})
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		n, ok := v.(float64)
		return ok && n == math.Trunc(n)
	case "null":
		return v == nil
	}
	return false
}

func loadSchema(t *testing.T) schemaValidator {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sourceDir(t), "charts", "preflight", "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var root obj
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("values.schema.json: %v", err)
	}
	return schemaValidator{root}
}

func TestChartSchemaAcceptsDefaults(t *testing.T) {
	if _, err := exec.LookPath("yq"); err != nil {
		t.Skip("yq is not installed")
	}
	v := loadSchema(t)
	values := readYAMLFile(t, filepath.Join(sourceDir(t), "charts", "preflight", "values.yaml"))
	for _, extra := range []obj{
		{},
		defaultChartValues,
		{"tls": obj{"mode": "certManager", "certManager": obj{"issuerRef": obj{"kind": "ClusterIssuer", "name": "ca"}}}},
		{"policy": obj{"prompt_vars": "prompt_vars.yaml", "enforcement": obj{"cuda-compat": "off"}}},
		{"webhook": obj{"failurePolicy": "Fail", "timeoutSeconds": float64(30)}},
		{"tls": obj{"mode": "generate", "generate": obj{"validityDays": float64(90)}}},
		{"global": obj{"imageRegistry": "r.example.com"}}, // Helm passes globals to subcharts
		{"policy": obj{"secret_timeout": "1m30s", "audit": obj{"interval": "0"},
			"overridable": []interface{}{"all"}, "metrics": obj{"max_namespaces": float64(0)}}},
		{"resources": obj{"requests": obj{"cpu": float64(1), "memory": "1Gi"}}},
		{"monitoring": obj{
			"serviceMonitor": obj{"enabled": true, "labels": obj{"release": "kube-prometheus-stack"}},
			"prometheusRule": obj{"enabled": true, "runbookBaseURL": "https://git.example.com/preflight/blob/main/"},
			"dashboard": obj{"enabled": true, "namespace": "monitoring",
				"annotations": obj{"grafana_folder": "Platform"}}}},
	} {
		if errs := v.validate(v.root, merge(values, extra), "values"); len(errs) > 0 {
			t.Errorf("values %v rejected: %v", extra, errs)
		}
	}
}

func TestChartSchemaRejectsWrongValues(t *testing.T) {
	if _, err := exec.LookPath("yq"); err != nil {
		t.Skip("yq is not installed")
	}
	v := loadSchema(t)
	values := readYAMLFile(t, filepath.Join(sourceDir(t), "charts", "preflight", "values.yaml"))
	for _, tc := range []struct {
		bad  obj
		want string
	}{
		{obj{"webhook": obj{"failurePolicy": "ignore"}}, "values.webhook.failurePolicy"},
		{obj{"webhook": obj{"timeoutSeconds": float64(31)}}, "maximum"},
		{obj{"replicas": "two"}, "values.replicas"},
		{obj{"replicas": float64(1.5)}, "values.replicas"},
		{obj{"replicas": float64(0)}, "minimum"},
		{obj{"tls": obj{"mode": "generated"}}, "values.tls.mode"},
		{obj{"replica": float64(2)}, `unknown key "replica"`},
		{obj{"policy": obj{"enforcement": obj{"secret-ref": "block"}}}, "secret-ref"},
		{obj{"policy": obj{"enforcement": obj{"secret-refs": "deny"}}}, `unknown key "secret-refs"`},
		{obj{"policy": obj{"cluster_unavailable": "maybe"}}, "cluster_unavailable"},
		{obj{"networkPolicy": obj{"apiServerPorts": []interface{}{float64(70000)}}}, "apiServerPorts[0]"},
		{obj{"image": obj{"tag": ""}}, "values.image.tag"},
		{obj{"tls": obj{"generate": obj{"validityDays": float64(0)}}}, "validityDays"},
		{obj{"tls": obj{"generate": obj{"days": float64(30)}}}, `unknown key "days"`},
		{obj{"policy": obj{"secret_timeout": "2"}}, "secret_timeout"},
		{obj{"policy": obj{"secret_timeout": float64(2)}}, "secret_timeout"},
		{obj{"policy": obj{"audit": obj{"interval": "10 minutes"}}}, "audit.interval"},
		{obj{"policy": obj{"overridable": []interface{}{"secret-refs"}}}, "overridable[0]"},
		{obj{"policy": obj{"metrics": obj{"max_namespaces": float64(-1)}}}, "max_namespaces"},
		{obj{"policy": obj{"exempt": obj{"namespace": []interface{}{"a"}}}}, `unknown key "namespace"`},
		{obj{"policy": obj{"cluster_unavailable ": "warn"}}, `unknown key "cluster_unavailable "`},
		{obj{"resources": obj{"request": obj{"cpu": "1"}}}, `unknown key "request"`},
		{obj{"resources": obj{"limits": obj{"memory": true}}}, "limits.memory"},
		{obj{"monitoring": obj{"serviceMonitor": obj{"enabled": "yes"}}}, "serviceMonitor.enabled"},
		{obj{"monitoring": obj{"dashboard": obj{"labels": obj{"grafana_dashboard": float64(1)}}}},
			"dashboard.labels.grafana_dashboard"},
		{obj{"monitoring": obj{"prometheusRule": obj{"runbookBaseURL": "https://x.example/docs"}}},
			"runbookBaseURL"},
		{obj{"monitoring": obj{"grafana": obj{}}}, `unknown key "grafana"`},
		{obj{"networkPolicy": obj{"metricsNamespaceSelector": obj{"matchLabel": obj{}}}}, `unknown key "matchLabel"`},
	} {
		errs := v.validate(v.root, merge(values, tc.bad), "values")
		if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
			t.Errorf("values %v: errors %v, want one mentioning %q", tc.bad, errs, tc.want)
		}
	}
}
