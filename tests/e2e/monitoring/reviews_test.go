package monitoring

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
)

// review is one AdmissionReview the test sends, built from tests/fixtures/reviews/monitoring-broken-v1.json
// (a Deployment with a misspelled required env var and unrendered placeholders, whose Secret
// exists only in prod of examples/cluster-snapshot.yaml)
// (a Deployment in prod denied by env-name and template-placeholder), and what it must get.
type review struct {
	name        string
	edit        func(m map[string]interface{}) // nil: the example as is
	raw         string                         // sent verbatim instead, when set
	wantCode    int
	wantAllowed bool
	example     []byte
}

func buildReviews(t *testing.T, p paths) []review {
	t.Helper()
	example, err := os.ReadFile(p.file("tests", "fixtures", "reviews", "monitoring-broken-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	reviews := []review{
		{name: "denied in prod", wantCode: 200, wantAllowed: false},
		// The Secret "openai" exists only in prod: secret-ref denies in staging.
		{name: "denied in staging", wantCode: 200, wantAllowed: false, edit: func(m map[string]interface{}) {
			request(m)["namespace"] = "staging"
			metadata(m)["namespace"] = "staging"
		}},
		{name: "allowed in prod", wantCode: 200, wantAllowed: true, edit: func(m map[string]interface{}) {
			c := container(m)
			delete(c, "args")
			env := c["env"].([]interface{})
			env[0].(map[string]interface{})["name"] = "OPENAI_API_KEY"
			env[1].(map[string]interface{})["value"] = "You are a helpful assistant."
		}},
		// Skipping the two failing checks: admitted with warnings, counted as overrides.
		{name: "override in prod", wantCode: 200, wantAllowed: true, edit: func(m map[string]interface{}) {
			metadata(m)["annotations"].(map[string]interface{})["preflight.wfgy.io/skip"] = "template-placeholder,env-name"
		}},
		{name: "not an AdmissionReview", wantCode: 400, raw: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`},
	}
	for i := range reviews {
		reviews[i].example = example
	}
	return reviews
}

// body returns the review with its own uid (a fresh copy of the example each time).
func (r review) body(t *testing.T, uid string) []byte {
	t.Helper()
	if r.raw != "" {
		return []byte(r.raw)
	}
	var m map[string]interface{}
	if err := json.Unmarshal(r.example, &m); err != nil {
		t.Fatalf("monitoring-broken-v1.json: %v", err)
	}
	request(m)["uid"] = uid
	if r.edit != nil {
		r.edit(m)
	}
	return mustJSON(t, m)
}

func request(m map[string]interface{}) map[string]interface{} {
	return m["request"].(map[string]interface{})
}

func metadata(m map[string]interface{}) map[string]interface{} {
	return request(m)["object"].(map[string]interface{})["metadata"].(map[string]interface{})
}

func container(m map[string]interface{}) map[string]interface{} {
	spec := request(m)["object"].(map[string]interface{})["spec"].(map[string]interface{})
	pod := spec["template"].(map[string]interface{})["spec"].(map[string]interface{})
	return pod["containers"].([]interface{})[0].(map[string]interface{})
}

// postReview sends body to POST /validate over TLS and returns the status and the body.
func postReview(t *testing.T, c *http.Client, addr string, body []byte) (int, string) {
	t.Helper()
	resp, err := c.Post("https://"+addr+"/validate?timeout=5s", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /validate: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp.StatusCode, string(b)
}
