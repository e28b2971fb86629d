package install

// A stand-in for `helm template` (Helm is not packaged in Debian): charts/preflight rendered
// with Go's text/template and the Helm and sprig functions the chart uses, re-implemented
// here with the semantics their documentation gives (no Helm or sprig code):
//
//   Helm:  include NAME DATA, required MSG V, lookup APIVERSION KIND NAMESPACE NAME (an empty
//          map when the object does not exist, as in `helm template`), toYaml V (block YAML,
//          toyaml_test.go), .Files.Get PATH (a file of the chart, "" when missing),
//          .Release, .Chart, .Values.
//   sprig: nindent, indent, quote, b64enc, default (empty = nil, "", 0, false, empty
//          map/list), dict, list, int, replace OLD NEW S, genCA, genSignedCert
//          (helmcrypto_test.go).
//
// Why not sprig itself: Debian has it (golang-github-masterminds-sprig-dev 3.2.3), but this
// module builds offline in module mode (GOPROXY=off); using it would need a `replace` to
// /usr/share/gocode for sprig and each of its dozen dependencies in tests/e2e/go.mod, and the
// whole e2e module would stop building wherever that package is not installed.
//
// The template engine itself is the one Helm uses (text/template, missingkey=zero), so
// whitespace handling, `with`, `range`, variables and pipelines behave the same.
// TestChartHelm runs the real `helm lint` and `helm template` when helm is on the PATH.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"text/template"
)

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

// chartFiles is .Files: Get reads a file of the chart by its path relative to the chart.
type chartFiles struct{ dir string }

func (f chartFiles) Get(name string) string {
	clean := filepath.Clean(name)
	if filepath.IsAbs(clean) || strings.HasPrefix(clean, "..") {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(f.dir, clean))
	if err != nil {
		return ""
	}
	return string(data)
}

// isEmpty is sprig's notion of "empty" that `default` uses.
func isEmpty(v interface{}) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.String, reflect.Map, reflect.Slice, reflect.Array:
		return r.Len() == 0
	case reflect.Bool:
		return !r.Bool()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return r.Int() == 0
	case reflect.Float64, reflect.Float32:
		return r.Float() == 0
	case reflect.Ptr, reflect.Interface:
		return r.IsNil()
	}
	return false
}

// toInt converts a value the way templates meet numbers: values are float64 (JSON).
func toInt(v interface{}) (int, error) {
	switch n := v.(type) {
	case int:
		return n, nil
	case int64:
		return int(n), nil
	case float64:
		return int(n), nil
	case string:
		var i int
		_, err := fmt.Sscan(n, &i)
		return i, err
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("int: cannot convert %T", v)
}

// cluster is what `lookup` sees: objects keyed "apiVersion/Kind/namespace/name".
type cluster map[string]obj

func templateFuncs(root *template.Template, objects cluster) template.FuncMap {
	return template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			var b bytes.Buffer
			err := root.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"toYaml": toYAML,
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
			if isEmpty(v) {
				return d
			}
			return v
		},
		"dict": func(kv ...interface{}) (map[string]interface{}, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			m := map[string]interface{}{}
			for i := 0; i < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m, nil
		},
		"list":    func(v ...interface{}) []interface{} { return v },
		"int":     toInt,
		"replace": func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"lookup": func(apiVersion, kind, namespace, name string) map[string]interface{} {
			if o, ok := objects[apiVersion+"/"+kind+"/"+namespace+"/"+name]; ok {
				return o
			}
			return map[string]interface{}{}
		},
		"genCA":         genCA,
		"genSignedCert": genSignedCert,
	}
}

// renderChart renders charts/preflight with values.yaml merged with `values`; returns the
// YAML stream or the first template error.
func renderChart(t *testing.T, values obj) ([]byte, error) {
	t.Helper()
	return renderChartIn(t, values, nil)
}

// renderChartIn renders the chart as an install or upgrade into a cluster holding `objects`.
func renderChartIn(t *testing.T, values obj, objects cluster) ([]byte, error) {
	t.Helper()
	if _, err := exec.LookPath("yq"); err != nil {
		t.Skip("yq is not installed")
	}
	dir := filepath.Join(sourceDir(t), "charts", "preflight")
	chart := readYAMLFile(t, filepath.Join(dir, "Chart.yaml"))
	data := map[string]interface{}{
		"Values":  merge(readYAMLFile(t, filepath.Join(dir, "values.yaml")), values),
		"Release": obj{"Name": "preflight", "Namespace": testNamespace, "Service": "Helm"},
		"Chart":   obj{"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"]},
		"Files":   chartFiles{dir},
	}
	root := template.New("chart").Option("missingkey=zero")
	root.Funcs(templateFuncs(root, objects))
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
		if strings.Contains(b.String(), "<no value>") {
			return nil, fmt.Errorf("%s renders <no value>: a value is missing", name)
		}
		out.WriteString("---\n# Source: " + name + "\n")
		out.Write(b.Bytes())
		out.WriteString("\n")
	}
	return out.Bytes(), nil
}
