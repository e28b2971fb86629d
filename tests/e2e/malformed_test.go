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

	allow := string(readFixture(t, "reviews", "allow-v1.json"))
	withField := func(field string) []byte { // a top-level field before "request"
		return []byte(strings.Replace(allow, `"request"`, field+`,"request"`, 1))
	}
	badUTF8 := []byte(strings.Replace(allow, `"name"`, "\"na\xffme\"", 1))
	nest100k := withField(`"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000))

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
		{"invalid UTF-8 in a string", badUTF8, 400},
		{"number out of range (1e400)", withField(`"x":1e400`), 400},
		{"100,000-deep nesting inside 3 MiB", nest100k, 400},
	}
	for _, tc := range httpErrors {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			if tc.code == 413 {
				// The server answers 413 from the headers and closes without reading the body
				// (TestOversizedBody reads that answer over a raw connection). A client still
				// writing the body may instead see the close as EPIPE/ECONNRESET before it reads
				// the answer; Go's transport then returns the write error. Either way the request
				// is refused and the server must keep serving.
				resp, err := c.Post(s.url("/validate?timeout=10s"), "application/json", bytes.NewReader(tc.body))
				if err != nil {
					if !strings.Contains(err.Error(), "broken pipe") && !strings.Contains(err.Error(), "connection reset") {
						t.Fatalf("POST /validate: %v", err)
					}
					t.Logf("connection closed while the body was written (%v): accepted", err)
					requireHealthy(t, s)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 413 {
					t.Errorf("HTTP %d, want 413", resp.StatusCode)
				}
				requireHealthy(t, s)
				return
			}
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
		{"object is an array", "", "e2e-object-array-19fe"},
		{"object is null", "", "e2e-object-null-7b20"},
	}
	for _, tc := range uninspectable {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			var review []byte
			if tc.fixture != "" {
				review = readFixture(t, "reviews", tc.fixture)
			} else { // request.object replaced by a JSON array or null
				m := loadReview(t, "allow-v1.json")
				request(m)["uid"] = tc.uid
				if strings.Contains(tc.name, "array") {
					request(m)["object"] = []interface{}{1, "two"}
				} else {
					request(m)["object"] = nil
				}
				review = mustJSON(t, m)
			}
			code, body := post(t, c, s, review)
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

	// Lenient where the API server's own decoder is: a duplicate key takes its last value (as Go's
	// encoding/json), an integer beyond 64 bits is read as a float where no check needs it.
	t.Run("duplicate keys: last wins", func(t *testing.T) {
		dup := strings.Replace(allow, `"uid"`, `"uid":"e2e-dup-first","uid"`, 1)
		code, body := post(t, c, s, []byte(dup))
		if r := decodeReview(t, body); code != 200 || r.Response.UID != "e2e-allow-v1-7c1d" {
			t.Errorf("HTTP %d %s: want uid of the last \"uid\" key", code, body)
		}
	})
	t.Run("integer beyond 64 bits", func(t *testing.T) {
		m := loadReview(t, "allow-v1.json")
		obj := request(m)["object"].(map[string]interface{})
		obj["spec"].(map[string]interface{})["replicas"] = json.Number("123456789012345678901234567890")
		code, body := post(t, c, s, mustJSON(t, m))
		if r := decodeReview(t, body); code != 200 || !r.Response.Allowed {
			t.Errorf("HTTP %d %s: want allowed", code, body)
		}
	})

	// After all of that, a normal review still works on the same client.
	code, body := post(t, c, s, readFixture(t, "reviews", "deny-v1.json"))
	if r := decodeReview(t, body); code != 200 || r.Response.Allowed {
		t.Errorf("deny review after the bad ones: HTTP %d %s", code, body)
	}
}
