package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type cliResult struct {
	code   int
	stdout string
	stderr string
}

func runCLI(t *testing.T, stdin []byte, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return cliResult{code, out.String(), errb.String()}
}

type checkJSON struct {
	Summary  map[string]float64 `json:"summary"`
	Findings []struct {
		Check       string `json:"check"`
		Enforcement string `json:"enforcement"`
		File        string `json:"file"`
		Line        int    `json:"line"`
		Workload    string `json:"workload"`
		Container   string `json:"container"`
		Subject     string `json:"subject"`
		Field       string `json:"field"`
		Message     string `json:"message"`
		Fix         string `json:"fix"`
	} `json:"findings"`
	Notices []string `json:"notices"`
	Errors  []string `json:"errors"`
}

func TestCheckCommand(t *testing.T) {
	clean := fixture("manifests", "clean", "deployment.yaml")
	denied := fixture("manifests", "denied", "deployment.yaml")
	mixed := fixture("manifests", "mixed")
	broken := fixture("manifests", "broken", "not-yaml.yaml")
	list := fixture("manifests", "list.yaml")
	multi := fixture("manifests", "multi-doc.yaml")
	noColor := []string{"NO_COLOR=1"}

	cases := []struct {
		name     string
		args     []string
		stdin    []byte
		code     int
		contains []string // in stdout
	}{
		{"clean file", []string{"-f", clean}, nil, 0, []string{"✔"}},
		{"denied file", []string{"-f", denied}, nil, 1,
			[]string{"✖", "template-placeholder", "deployment.yaml:", "Deployment e2e/chat-worker"}},
		{"folder, recursive", []string{"-f", mixed}, nil, 1,
			[]string{"nested/denied.yml", "2 workloads"}},
		{"two files", []string{"-f", clean, "-f", denied}, nil, 1, []string{"2 workloads", "2 files"}},
		{"non-YAML file and a good file", []string{"-f", broken, "-f", denied}, nil, 2,
			[]string{"not-yaml.yaml", "Deployment e2e/chat-worker"}},
		{"missing file and a good file", []string{"-f", filepath.Join(t.TempDir(), "nope.yaml"), "-f", clean}, nil, 2,
			[]string{"nope.yaml"}},
		{"stdin denied", []string{"-f", "-"}, readFixture(t, "manifests", "denied", "deployment.yaml"), 1,
			[]string{"template-placeholder"}},
		{"stdin clean", []string{"-f", "-"}, readFixture(t, "manifests", "clean", "deployment.yaml"), 0, nil},
		{"List kind", []string{"-f", list}, nil, 1, []string{"e2e/list-denied", "2 workloads"}},
		{"multi-document", []string{"-f", multi}, nil, 0, []string{"1 workload"}},
		{"no -f", []string{}, nil, 2, nil},
		{"bad -o", []string{"-o", "xml", "-f", clean}, nil, 2, nil},
		{"unknown flag", []string{"--frobnicate", "-f", clean}, nil, 2, nil},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, noColor, append([]string{"check"}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, want := range tc.contains {
				if !strings.Contains(r.stdout+r.stderr, want) {
					t.Errorf("output does not contain %q:\n%s%s", want, r.stdout, r.stderr)
				}
			}
			if strings.Contains(r.stdout+r.stderr, "\x1b") {
				t.Errorf("output has ESC bytes with NO_COLOR set")
			}
			if tc.code == 2 && r.stderr == "" && !strings.Contains(r.stdout, "✖") {
				t.Errorf("exit 2 without saying why")
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		r := runCLI(t, nil, nil, "check", "-o", "json", "-f", broken, "-f", list, "-f", clean)
		if r.code != 2 {
			t.Errorf("exit %d, want 2 (unreadable input wins)", r.code)
		}
		var doc checkJSON
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("-o json is not JSON: %v\n%s", err, r.stdout)
		}
		if doc.Summary == nil || doc.Findings == nil || doc.Notices == nil || doc.Errors == nil {
			t.Errorf("missing summary/findings/notices/errors: %s", r.stdout)
		}
		if len(doc.Errors) != 1 || !strings.Contains(doc.Errors[0], "not-yaml.yaml") {
			t.Errorf("errors = %q, want one naming not-yaml.yaml", doc.Errors)
		}
		if doc.Summary["workloads"] != 3 {
			t.Errorf("summary.workloads = %v, want 3 (List of 2 + clean)", doc.Summary["workloads"])
		}
		if len(doc.Findings) != 1 {
			t.Fatalf("findings = %+v, want exactly the list-denied placeholder", doc.Findings)
		}
		f := doc.Findings[0]
		if f.Check != "template-placeholder" || f.Enforcement != "deny" || f.File != list ||
			f.Workload != "Deployment e2e/list-denied" || f.Container != "app" ||
			f.Field != "spec.template.spec.containers[0].env[0].value" || f.Message == "" || f.Fix == "" {
			t.Errorf("finding = %+v", f)
		}
		if f.Line < 20 || f.Line > 40 {
			t.Errorf("finding line %d: want the line of list-denied in %s (20..34)", f.Line, list)
		}
		if strings.Contains(r.stdout, "\x1b") {
			t.Errorf("JSON output has ESC bytes")
		}
	})

	t.Run("colour only on a TTY", func(t *testing.T) {
		if _, err := exec.LookPath("script"); err != nil {
			t.Skip("no script(1) to make a TTY")
		}
		env := []string{"TERM=xterm"}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "NO_COLOR=") && !strings.HasPrefix(kv, "TERM=") {
				env = append(env, kv)
			}
		}
		run := func(tty bool, extra ...string) string {
			var cmd *exec.Cmd
			if tty {
				cmd = exec.Command("script", "-qec", binPath+" check -f "+denied, "/dev/null")
			} else {
				cmd = exec.Command(binPath, "check", "-f", denied)
			}
			cmd.Env = append(append([]string{}, env...), extra...)
			out, _ := cmd.Output()
			if !strings.Contains(string(out), "template-placeholder") {
				t.Fatalf("unexpected output (tty=%v %v): %q", tty, extra, out)
			}
			return string(out)
		}
		if out := run(false); strings.Contains(out, "\x1b") {
			t.Errorf("colour on a pipe: %q", out)
		}
		if out := run(true); !strings.Contains(out, "\x1b[") {
			t.Errorf("no colour on a TTY: %q", out)
		}
		if out := run(true, "NO_COLOR=1"); strings.Contains(out, "\x1b") {
			t.Errorf("NO_COLOR=1 on a TTY still coloured: %q", out)
		}
	})

	t.Run("version", func(t *testing.T) {
		r := runCLI(t, nil, nil, "version")
		if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
			t.Errorf("preflight version: exit %d, stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
	})
}

type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					HelpURI string `json:"helpUri"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// Findings point at the offending field (file:line[:column]) in every format; a document that
// is not a Kubernetes object is an input error (exit 2) while the rest is still checked.
func TestCheckLocationsAndSarif(t *testing.T) {
	located := fixture("manifests", "located")
	prompts := fixture("prompts")
	policy := fixture("policy", "with_vars_file.yaml")
	snapshot := filepath.Join(sourceDir, "examples", "cluster-snapshot.yaml")
	args := []string{"check", "-f", located, "--prompts", prompts, "--config", policy,
		"--cluster-snapshot", snapshot}
	app := filepath.Join(located, "app.yaml")
	system := filepath.Join(prompts, "system.txt")
	want := []string{ // location, check; in report order
		app + ":12:16 template-placeholder",
		app + ":34:17 secret-ref",
		system + ":3:12 template-placeholder",
		system + ":3:31 template-placeholder",
	}

	t.Run("json", func(t *testing.T) {
		r := runCLI(t, nil, nil, append(args, "-o", "json")...)
		if r.code != 2 {
			t.Errorf("exit %d, want 2 (not-an-object.yaml)\n%s%s", r.code, r.stdout, r.stderr)
		}
		var doc struct {
			checkJSON
			Findings []struct {
				Check  string `json:"check"`
				File   string `json:"file"`
				Line   int    `json:"line"`
				Column int    `json:"column"`
				Fix    string `json:"fix"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.stdout)
		}
		var got []string
		for _, f := range doc.Findings {
			got = append(got, f.File+":"+itoa(f.Line)+":"+itoa(f.Column)+" "+f.Check)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(doc.Findings) > 2 && !strings.Contains(doc.Findings[2].Fix, "did you mean user_name") {
			t.Errorf("prompt finding does not name the closest declared variable: %q", doc.Findings[2].Fix)
		}
		if len(doc.Errors) != 1 || !strings.Contains(doc.Errors[0], "not-an-object.yaml:7:") {
			t.Errorf("errors = %q, want not-an-object.yaml:7", doc.Errors)
		}
		if doc.Summary["workloads"] != 2 || doc.Summary["prompt_files"] != 2 {
			t.Errorf("summary = %v", doc.Summary)
		}
	})

	t.Run("sarif", func(t *testing.T) {
		r := runCLI(t, nil, nil, append(args, "-o", "sarif")...)
		if r.code != 2 {
			t.Errorf("exit %d, want 2", r.code)
		}
		var doc sarifDoc
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, r.stdout)
		}
		if doc.Version != "2.1.0" || !strings.Contains(doc.Schema, "sarif") || len(doc.Runs) != 1 {
			t.Fatalf("version %q schema %q runs %d", doc.Version, doc.Schema, len(doc.Runs))
		}
		run := doc.Runs[0]
		d := run.Tool.Driver
		if d.Name != "preflight" || d.Version == "" || d.InformationURI == "" || len(d.Rules) < 6 {
			t.Errorf("driver = %+v", d)
		}
		for _, rule := range d.Rules {
			if rule.ShortDescription.Text == "" || !strings.HasSuffix(rule.HelpURI, "docs/checks/"+rule.ID+".md") {
				t.Errorf("rule %+v", rule)
			}
			if _, err := os.Stat(filepath.Join(sourceDir, "docs", "checks", rule.ID+".md")); err != nil && rule.ID != "version-skew" {
				t.Errorf("rule %s: helpUri page missing: %v", rule.ID, err)
			}
		}
		if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful {
			t.Errorf("invocations = %+v, want executionSuccessful false", run.Invocations)
		}
		var got []string
		for _, res := range run.Results {
			if res.RuleIndex == nil || *res.RuleIndex >= len(d.Rules) || d.Rules[*res.RuleIndex].ID != res.RuleID {
				t.Errorf("result %s: ruleIndex does not point at its rule", res.RuleID)
			}
			if res.Level != "error" || res.Message.Text == "" || len(res.Locations) != 1 {
				t.Errorf("result %+v", res)
				continue
			}
			l := res.Locations[0].PhysicalLocation
			got = append(got, l.ArtifactLocation.URI+":"+itoa(l.Region.StartLine)+":"+itoa(l.Region.StartColumn)+" "+res.RuleID)
		}
		if len(got) != len(want) {
			t.Fatalf("results:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
		}
		for i := range got {
			// Relative to the working directory when the file is under it, else a file:// URI.
			if !strings.HasSuffix(want[i], strings.TrimPrefix(got[i], "file://")) ||
				(strings.HasPrefix(got[i], "/") || !strings.Contains(got[i], "tests/fixtures/")) {
				t.Errorf("result %d = %q, want %q as a relative path or file:// URI", i, got[i], want[i])
			}
		}
	})

	t.Run("strict", func(t *testing.T) {
		warnPolicy := fixture("policy", "template_warn.yaml")
		base := []string{"check", "--prompts", prompts, "--config", warnPolicy}
		if r := runCLI(t, nil, nil, base...); r.code != 0 {
			t.Errorf("warn findings without --strict: exit %d, want 0\n%s", r.code, r.stdout)
		}
		if r := runCLI(t, nil, nil, append(base, "--strict")...); r.code != 1 {
			t.Errorf("warn findings with --strict: exit %d, want 1\n%s", r.code, r.stdout)
		}
		clean := fixture("prompts", "nested")
		if r := runCLI(t, nil, nil, "check", "--prompts", clean, "--strict", "--config", warnPolicy); r.code != 0 {
			t.Errorf("clean prompts with --strict: exit %d\n%s", r.code, r.stdout)
		}
	})

	t.Run("broken file among good ones", func(t *testing.T) {
		r := runCLI(t, nil, []string{"NO_COLOR=1"}, "check", "-f", fixture("manifests", "broken"),
			"-f", fixture("manifests", "denied"), "-f", fixture("manifests", "clean"), "-o", "sarif")
		if r.code != 2 {
			t.Errorf("exit %d, want 2", r.code)
		}
		var doc sarifDoc
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if len(doc.Runs[0].Results) != 1 || doc.Runs[0].Results[0].RuleID != "template-placeholder" ||
			doc.Runs[0].Results[0].Locations[0].PhysicalLocation.Region.StartLine != 20 {
			t.Errorf("results = %+v, want the denied deployment's placeholder at line 20", doc.Runs[0].Results)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
