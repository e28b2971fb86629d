package fakeapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// status is metav1.Status with the JSON field names and order of the real type, so bodies are
// byte-identical to kube-apiserver's (encoding/json Encoder output, trailing newline included).
type status struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Metadata   statusListMeta `json:"metadata"`
	Status     string         `json:"status,omitempty"`
	Message    string         `json:"message,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	Details    *statusDetails `json:"details,omitempty"`
	Code       int            `json:"code,omitempty"`
}

type statusListMeta struct {
	Continue string `json:"continue,omitempty"`
}

type statusDetails struct {
	Name              string        `json:"name,omitempty"`
	Group             string        `json:"group,omitempty"`
	Kind              string        `json:"kind,omitempty"`
	Causes            []statusCause `json:"causes,omitempty"`
	RetryAfterSeconds int           `json:"retryAfterSeconds,omitempty"`
}

type statusCause struct {
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

func failure(code int, reason, message string, details *statusDetails) *status {
	return &status{Kind: "Status", APIVersion: "v1", Status: "Failure", Message: message,
		Reason: reason, Details: details, Code: code}
}

// Constructors below mirror apimachinery's errors.NewXxx helpers (message formats included).

func statusNotFound(r *resource, name string) *status {
	qualified := r.plural // "secrets"; "deployments.apps" for a named group (schema.GroupResource)
	if r.group != "" {
		qualified += "." + r.group
	}
	return failure(http.StatusNotFound, "NotFound", fmt.Sprintf("%s %q not found", qualified, name),
		&statusDetails{Name: name, Group: r.group, Kind: r.plural})
}

// statusNoRoute is what the apiserver's not-found handler answers for a path it does not serve.
func statusNoRoute() *status {
	return failure(http.StatusNotFound, "NotFound",
		"the server could not find the requested resource", &statusDetails{})
}

func statusMethodNotAllowed() *status {
	return failure(http.StatusMethodNotAllowed, "MethodNotAllowed",
		"the server does not allow this method on the requested resource", &statusDetails{})
}

// statusForbidden is RBAC's denial (message format of the apiserver's authorization filter).
func statusForbidden(rt route, verb string) *status {
	qualified := rt.res.plural
	if rt.res.group != "" {
		qualified += "." + rt.res.group
	}
	scope := "at the cluster scope"
	if rt.ns != "" {
		scope = fmt.Sprintf("in the namespace %q", rt.ns)
	}
	return failure(http.StatusForbidden, "Forbidden", fmt.Sprintf(
		`%s is forbidden: User "system:serviceaccount:preflight:preflight" cannot %s resource %q in API group %q %s`,
		qualified, verb, rt.res.plural, rt.res.group, scope),
		&statusDetails{Group: rt.res.group, Kind: rt.res.plural})
}

func statusUnauthorized() *status {
	return failure(http.StatusUnauthorized, "Unauthorized", "Unauthorized", nil)
}

func statusExpired(message string) *status {
	return failure(http.StatusGone, "Expired", message, nil)
}

func statusBadRequest(message string) *status {
	return failure(http.StatusBadRequest, "BadRequest", message, nil)
}

func statusNotAcceptable(message string) *status {
	return failure(http.StatusNotAcceptable, "NotAcceptable", message, nil)
}

// statusTooLargeRV is storage.NewTooLargeResourceVersionError: the requested RV is newer than
// anything the server has seen after waiting for it.
func statusTooLargeRV(requested, current int64) *status {
	return failure(http.StatusGatewayTimeout, "Timeout",
		fmt.Sprintf("Too large resource version: %d, current: %d", requested, current),
		&statusDetails{Causes: []statusCause{{Reason: "ResourceVersionTooLarge",
			Message: "Too large resource version"}}, RetryAfterSeconds: 1})
}

// Messages of the etcd3 storage layer (staging/src/k8s.io/apiserver/pkg/storage/etcd3/errors.go).
const (
	msgExpiredList          = "The resourceVersion for the provided list is too old."
	msgInconsistentContinue = "The provided continue parameter is too old " +
		"to display a consistent list result. You can start a new list without " +
		"the continue parameter, or use the continue token in this response to " +
		"retrieve the remainder of the results. Continuing with the provided " +
		"token results in an inconsistent list - objects that were created, " +
		"modified, or deleted between the time the first chunk was returned " +
		"and now may show up in the list."
)

// encodeJSON is json.Encoder.Encode into a byte slice: compact, HTML-escaped, newline-terminated,
// which is what the apiserver's JSON serializer writes.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		panic(fmt.Sprintf("fakeapi: cannot encode %T: %v", v, err))
	}
	return buf.Bytes()
}

// setAPIHeaders sets the headers every apiserver JSON response carries.
func setAPIHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache, private")
}
