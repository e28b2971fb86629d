package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestAdmissionSemantics: what is checked and how findings become decisions, through the
// Go client, on one server with the built-in policy.
func TestAdmissionSemantics(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := s.client()

	t.Run("placeholders", func(t *testing.T) {
		cases := []struct {
			value   string
			allowed bool
		}{
			{"{{ .Values.model }}", false},
			{"<no value>", false},
			{"${MODEL}", false},
			{"llama-$(POD_NAME)", true}, // POD_NAME is env[0]: Kubernetes expands it
			{"llama-3-8b", true},
			{"price: $5", true},
		}
		for i, tc := range cases {
			m := loadReview(t, "allow-v1.json")
			uid := fmt.Sprintf("e2e-placeholder-%d", i)
			request(m)["uid"] = uid
			env := firstContainer(m)["env"].([]interface{})
			env[2].(map[string]interface{})["value"] = tc.value
			code, body := post(t, c, s, mustJSON(t, m))
			if code != 200 {
				t.Fatalf("%q: HTTP %d: %s", tc.value, code, body)
			}
			r := decodeReview(t, body)
			if r.Response.UID != uid {
				t.Errorf("%q: uid %q, want %q", tc.value, r.Response.UID, uid)
			}
			if r.Response.Allowed != tc.allowed {
				t.Errorf("env value %q: allowed = %v, want %v (%s)", tc.value, r.Response.Allowed, tc.allowed, body)
				continue
			}
			if !tc.allowed {
				lines := checkDenyMessage(t, r.Response.Status)
				if len(lines) != 1 || !strings.Contains(lines[0], "(spec.template.spec.containers[0].env[2].value)") ||
					!strings.HasPrefix(lines[0], `[template-placeholder] container "server" `) {
					t.Errorf("%q: finding lines %q", tc.value, lines)
				}
			}
		}
	})

	cases := []struct {
		name        string
		fixture     string
		allowed     bool
		wantWarning string // "" = no warnings at all
	}{
		// Subresources and DELETE are allowed without looking at the object.
		{"scale subresource", "scale-subresource-v1.json", true, ""},
		{"delete", "delete-v1.json", true, ""},
		// UPDATE: a finding the old object already had is a warning, a new one a denial.
		{"update keeps existing finding", "update-existing-finding-v1.json", true, "[template-placeholder]"},
		{"update adds finding", "update-new-finding-v1.json", false, ""},
		// The skip annotation overrides an overridable check and says so in a warning.
		{"skip annotation", "skip-placeholder-v1.json", true, "template-placeholder"},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			uid := "e2e-sem-" + strings.ReplaceAll(tc.name, " ", "-")
			code, body := post(t, c, s, reviewWithUID(t, tc.fixture, uid))
			if code != 200 {
				t.Fatalf("HTTP %d: %s", code, body)
			}
			r := decodeReview(t, body)
			if r.Response.UID != uid {
				t.Errorf("uid %q, want %q", r.Response.UID, uid)
			}
			if r.Response.Allowed != tc.allowed {
				t.Fatalf("allowed = %v, want %v: %s", r.Response.Allowed, tc.allowed, body)
			}
			checkWarnings(t, r.Response.Warnings)
			if tc.wantWarning == "" {
				if tc.allowed && len(r.Response.Warnings) != 0 {
					t.Errorf("want no warnings, got %q", r.Response.Warnings)
				}
			} else if !strings.Contains(strings.Join(r.Response.Warnings, "\n"), tc.wantWarning) {
				t.Errorf("warnings %q: want one mentioning %q", r.Response.Warnings, tc.wantWarning)
			}
			if !tc.allowed {
				checkDenyMessage(t, r.Response.Status)
			}
		})
	}

	t.Run("skip is counted", func(t *testing.T) {
		samples := parseMetrics(t, s.scrape(t))
		got := sum(samples, "preflight_overrides_total",
			map[string]string{"check": "template-placeholder", "namespace": "e2e"})
		if got < 1 {
			t.Errorf("preflight_overrides_total{check=template-placeholder,namespace=e2e} = %v, want >= 1", got)
		}
	})
}
