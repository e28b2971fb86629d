package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// curlPost POSTs a file with curl (verifying the server with --cacert) and returns the HTTP
// status and body.
func curlPost(t *testing.T, s *server, file string, extra ...string) (int, []byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "body")
	args := append([]string{"-sS", "--cacert", s.caFile(), "-o", out, "-w", "%{http_code}",
		"-H", "Content-Type: application/json", "--data-binary", "@" + file}, extra...)
	args = append(args, s.url("/validate"))
	cmd := exec.Command("curl", args...)
	code, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	status, err := strconv.Atoi(strings.TrimSpace(string(code)))
	if err != nil {
		t.Fatalf("curl -w: %q", code)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

var (
	// "preflight rejected Deployment NS/NAME: N problem(s)"
	denyHeadline = regexp.MustCompile(`^preflight rejected Deployment e2e/chat-api: (\d+) problems?$`)
	// `[check] container "c" subject (field.path): message; fix`
	findingLine = regexp.MustCompile(`^\[([a-z-]+)\] container "([^"]+)" .+ \((spec\.template\.spec\.[^)]+)\): .+; .+$`)
)

// checkDenyMessage asserts the status of a denial and returns the finding lines.
func checkDenyMessage(t *testing.T, st *reviewStatus) []string {
	t.Helper()
	if st == nil {
		t.Fatalf("denied without status")
	}
	if st.Code != 403 || st.Reason != "Forbidden" || st.Status != "Failure" {
		t.Errorf("status = {code:%d reason:%q status:%q}, want {403 Forbidden Failure}",
			st.Code, st.Reason, st.Status)
	}
	lines := strings.Split(st.Message, "\n")
	m := denyHeadline.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("message headline %q does not match %v", lines[0], denyHeadline)
	}
	n, _ := strconv.Atoi(m[1])
	if n != len(lines)-1 {
		t.Errorf("headline says %d problems, message has %d finding lines:\n%s", n, len(lines)-1, st.Message)
	}
	if n == 1 && !strings.HasSuffix(lines[0], ": 1 problem") {
		t.Errorf("headline %q: want singular \"1 problem\"", lines[0])
	}
	for _, l := range lines[1:] {
		if !findingLine.MatchString(l) {
			t.Errorf("finding line %q does not match %v", l, findingLine)
		}
	}
	return lines[1:]
}

func checkWarnings(t *testing.T, warnings []string) {
	t.Helper()
	for _, w := range warnings {
		if len(w) >= 256 {
			t.Errorf("warning is %d bytes (want < 256): %q", len(w), w)
		}
		for _, r := range w {
			if r < 0x20 || r == 0x7f {
				t.Errorf("warning has control character %q: %q", r, w)
				break
			}
		}
	}
}

func TestCurlAdmission(t *testing.T) {
	s := startServer(t, serverOptions{})
	cases := []struct {
		fixture     string
		apiVersion  string
		uid         string
		allowed     bool
		wantCheck   string // deny: check id of the (first) finding line
		wantWarning string // a warning must start with this
		wantInMsg   string
	}{
		{"allow-v1.json", "admission.k8s.io/v1", "e2e-allow-v1-7c1d", true, "", "", ""},
		{"deny-v1.json", "admission.k8s.io/v1", "e2e-deny-v1-3b9a", false, "template-placeholder", "", "{{ .Values.model }}"},
		{"allow-v1beta1.json", "admission.k8s.io/v1beta1", "e2e-allow-v1beta1-55e0", true, "", "", ""},
		{"deny-v1beta1.json", "admission.k8s.io/v1beta1", "e2e-deny-v1beta1-a2f4", false, "template-placeholder", "", ""},
		{"warn-env-name-v1.json", "admission.k8s.io/v1", "e2e-warn-envname-91c2", true, "", "[env-name]", ""},
		{"deny-required-env-v1.json", "admission.k8s.io/v1", "e2e-deny-reqenv-0d17", false, "env-name", "", "did you mean"},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.fixture, func(t *testing.T) {
			code, body := curlPost(t, s, fixture("reviews", tc.fixture))
			if code != 200 {
				t.Fatalf("HTTP %d, want 200: %s", code, body)
			}
			r := decodeReview(t, body)
			if r.APIVersion != tc.apiVersion || r.Kind != "AdmissionReview" {
				t.Errorf("answered as %s %s, want %s AdmissionReview", r.APIVersion, r.Kind, tc.apiVersion)
			}
			if r.Response.UID != tc.uid {
				t.Errorf("uid = %q, want %q", r.Response.UID, tc.uid)
			}
			if r.Response.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v: %s", r.Response.Allowed, tc.allowed, body)
			}
			checkWarnings(t, r.Response.Warnings)
			if tc.allowed {
				if r.Response.Status != nil && r.Response.Status.Code >= 400 {
					t.Errorf("allowed response carries an error status: %+v", *r.Response.Status)
				}
				if tc.wantWarning == "" && len(r.Response.Warnings) != 0 {
					t.Errorf("clean object got warnings: %q", r.Response.Warnings)
				}
			} else {
				lines := checkDenyMessage(t, r.Response.Status)
				if len(lines) == 0 || !strings.HasPrefix(lines[0], "["+tc.wantCheck+"] ") {
					t.Errorf("finding lines %q: want a [%s] line", lines, tc.wantCheck)
				}
				if !strings.Contains(r.Response.Status.Message, tc.wantInMsg) {
					t.Errorf("message %q does not contain %q", r.Response.Status.Message, tc.wantInMsg)
				}
			}
			if tc.wantWarning != "" {
				found := false
				for _, w := range r.Response.Warnings {
					found = found || strings.HasPrefix(w, tc.wantWarning)
				}
				if !found {
					t.Errorf("warnings %q: want one starting with %q", r.Response.Warnings, tc.wantWarning)
				}
			}
		})
	}
}
