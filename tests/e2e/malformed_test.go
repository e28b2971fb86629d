package e2e

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestMalformedRequests: every bad body gets its documented answer and the server keeps serving.
func TestMalformedRequests(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := s.client()

	deep := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"e2e-deep","object":` +
		strings.Repeat(`{"a":[`, 5000) + strings.Repeat(`]}`, 5000) + `}}`
	huge := append([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"e2e-huge","pad":"`),
		bytes.Repeat([]byte("x"), 4<<20)...)
	huge = append(huge, []byte(`"}}`)...)

	httpErrors := []struct {
		name string
		body []byte
		code int
	}{
		{"not JSON", []byte("this is not JSON {"), 400},
		{"empty body", []byte(""), 400},
		{"JSON array", []byte(`[1,2,3]`), 400},
		{"wrong kind", readFixture(t, "reviews", "wrong-kind.json"), 400},
		{"unknown apiVersion", readFixture(t, "reviews", "unknown-apiversion.json"), 400},
		{"missing request.uid", readFixture(t, "reviews", "missing-uid-v1.json"), 400},
		{"10,000-deep nesting", []byte(deep), 400},
		{"4 MiB body", huge, 413},
	}
	for _, tc := range httpErrors {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, c, s, tc.body)
			if code != tc.code {
				t.Errorf("HTTP %d, want %d; body %.200q", code, tc.code, body)
			}
			trimmed := strings.TrimSuffix(string(body), "\n")
			if strings.Contains(trimmed, "\n") {
				t.Errorf("error body is not one line: %q", body)
			}
			var e map[string]interface{}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Errorf("error body is not JSON: %v: %.200q", err, body)
			} else if msg, ok := e["error"].(string); !ok || msg == "" {
				t.Errorf(`error body has no "error" string: %s`, body)
			}
			if len(body) > 4096 {
				t.Errorf("error body is %d bytes: it should not echo the input", len(body))
			}
			requireHealthy(t, s)
		})
	}

	uninspectable := []struct {
		name, fixture, uid string
	}{
		{"object is a number", "object-number-v1.json", "e2e-object-number-77aa"},
		{"object is a string", "object-string-v1.json", "e2e-object-string-2c4d"},
		{"no spec.template", "no-template-v1.json", "e2e-no-template-e5c3"},
	}
	for _, tc := range uninspectable {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, c, s, readFixture(t, "reviews", tc.fixture))
			if code != 200 {
				t.Fatalf("HTTP %d, want 200 with allowed=false: %s", code, body)
			}
			r := decodeReview(t, body)
			if r.Response.UID != tc.uid {
				t.Errorf("uid %q, want %q", r.Response.UID, tc.uid)
			}
			if r.Response.Allowed {
				t.Errorf("allowed = true, want false: %s", body)
			}
			if r.Response.Status == nil || r.Response.Status.Code != 400 || r.Response.Status.Message == "" {
				t.Errorf("status = %+v, want code 400 with a reason", r.Response.Status)
			}
			requireHealthy(t, s)
		})
	}

	// After all of that, a normal review still works on the same client.
	code, body := post(t, c, s, readFixture(t, "reviews", "deny-v1.json"))
	if r := decodeReview(t, body); code != 200 || r.Response.Allowed {
		t.Errorf("deny review after the bad ones: HTTP %d %s", code, body)
	}
}
