package install

// Every YAML file in the repository parses; every document of a Kubernetes manifest has
// apiVersion and kind; `yamllint` passes with the repository's .yamllint when installed.
// Parsing uses yq (jq's YAML wrapper, already a test dependency); skipped without it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Files that are invalid YAML on purpose; the test checks they still are, so the list
// cannot go stale.
var intentionallyBroken = map[string]bool{
	"tests/fixtures/manifests/broken/not-yaml.yaml": true, // `preflight check` must report it
}

// YAML files that are not Kubernetes objects (configuration of preflight or other tools).
// A path ending in "/" covers a folder.
var notManifests = []string{
	".yamllint",
	"docs/monitoring/alerts.rules.yaml", // Prometheus rule file
	"examples/policy.yaml",              // preflight --config
	"tests/fixtures/policy/",            // preflight --config fixtures
	"tests/monitoring/",                 // promtool test files
	"charts/",                           // Chart.yaml, values.yaml (templates are skipped)
	"action.yml",                        // GitHub Action metadata
	"docs/ci/",                          // CI configuration examples (GitHub, GitLab)
	// Its second document is deliberately not a Kubernetes object (`preflight check` exit 2).
	"tests/fixtures/manifests/located/not-an-object.yaml",
}

func skipDir(rel string) bool {
	base := filepath.Base(rel)
	switch {
	case base == ".git" || base == "out" || base == ".cache" || base == "node_modules":
		return true
	case base == "build" || strings.HasPrefix(base, "build-") || base == "e2e-go":
		return true
	case rel == "certs/dev":
		return true
	case strings.HasPrefix(rel, "charts/") && base == "templates": // Go templates
		return true
	}
	return false
}

func yamlFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && skipDir(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".yaml") || strings.HasSuffix(rel, ".yml") || rel == ".yamllint" {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func isManifest(rel string) bool {
	for _, p := range notManifests {
		if rel == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(rel, p)) {
			return false
		}
	}
	return true
}

// parseYAML returns the documents of a YAML stream as JSON values (nil for empty ones).
func parseYAML(path string) ([]interface{}, error) {
	cmd := exec.Command("yq", "-c", ".", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &parseError{strings.TrimSpace(stderr.String())}
	}
	var docs []interface{}
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		var v interface{}
		if err := json.Unmarshal(scanner.Bytes(), &v); err != nil {
			return nil, err
		}
		docs = append(docs, v)
	}
	return docs, scanner.Err()
}

type parseError struct{ msg string }

func (e *parseError) Error() string { return e.msg }

func TestEveryYAMLFileParses(t *testing.T) {
	if _, err := exec.LookPath("yq"); err != nil {
		t.Skip("yq is not installed")
	}
	root := sourceDir(t)
	files := yamlFiles(t, root)
	if len(files) < 20 {
		t.Fatalf("found only %d YAML files under %s: wrong root?", len(files), root)
	}
	seenBroken := map[string]bool{}
	manifests := 0
	for _, rel := range files {
		docs, err := parseYAML(filepath.Join(root, rel))
		if intentionallyBroken[rel] {
			seenBroken[rel] = true
			if err == nil {
				t.Errorf("%s is listed as intentionally broken but parses", rel)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s does not parse: %v", rel, err)
			continue
		}
		if !isManifest(rel) {
			continue
		}
		manifests++
		objects := 0
		for i, doc := range docs {
			if doc == nil {
				continue
			}
			objects++
			m, ok := doc.(map[string]interface{})
			if !ok {
				t.Errorf("%s document %d is not a mapping", rel, i+1)
				continue
			}
			for _, field := range []string{"apiVersion", "kind"} {
				if s, _ := m[field].(string); s == "" {
					t.Errorf("%s document %d has no %s", rel, i+1, field)
				}
			}
		}
		if objects == 0 {
			t.Errorf("%s holds no Kubernetes object", rel)
		}
	}
	for rel := range intentionallyBroken {
		if !seenBroken[rel] {
			t.Errorf("%s is listed as intentionally broken but does not exist", rel)
		}
	}
	if manifests < 10 {
		t.Errorf("only %d files were checked as Kubernetes manifests", manifests)
	}
}

func TestYamllint(t *testing.T) {
	if _, err := exec.LookPath("yamllint"); err != nil {
		t.Skip("yamllint is not installed (Debian package yamllint)")
	}
	root := sourceDir(t)
	config := filepath.Join(root, ".yamllint")
	if _, err := os.Stat(config); err != nil {
		t.Fatalf(".yamllint missing: %v", err)
	}
	cmd := exec.Command("yamllint", "--strict", "-f", "parsable", "-c", config, ".")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("yamllint --strict failed: %v\n%s", err, out)
	}
}
