package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
