package fakeapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Stored objects are JSON trees (map[string]any with json.Number numbers). A stored tree is never
// mutated after it enters the store, so it can be shared by history entries and watch queues.

// deepCopy returns an independent copy of obj, normalised through JSON (numbers become
// json.Number). It reports an error for values JSON cannot represent.
func deepCopy(obj map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// metadataOf returns obj["metadata"] as a map, or nil.
func metadataOf(obj map[string]any) map[string]any {
	m, _ := obj["metadata"].(map[string]any)
	return m
}

func stringField(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// withMetadata returns a shallow copy of obj whose metadata is a shallow copy of obj's metadata
// with the given fields set, so a stored tree can be re-stamped without mutating it.
func withMetadata(obj map[string]any, set map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	meta := make(map[string]any, len(metadataOf(obj))+len(set))
	for k, v := range metadataOf(obj) {
		meta[k] = v
	}
	for k, v := range set {
		meta[k] = v
	}
	out["metadata"] = meta
	return out
}

// marshalObject writes obj with kind, apiVersion and metadata first and the other top-level fields
// in sorted order, as the typed structs of the real server do. withType=false drops kind and
// apiVersion, which is how items inside a real list are encoded.
func marshalObject(buf *bytes.Buffer, obj map[string]any, withType bool) {
	buf.WriteByte('{')
	first := true
	field := func(key string, value any) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(mustMarshal(key))
		buf.WriteByte(':')
		buf.Write(mustMarshal(value))
	}
	if withType {
		field("kind", obj["kind"])
		field("apiVersion", obj["apiVersion"])
	}
	if meta, ok := obj["metadata"]; ok {
		field("metadata", meta)
	}
	rest := make([]string, 0, len(obj))
	for k := range obj {
		if k != "kind" && k != "apiVersion" && k != "metadata" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		field(k, obj[k])
	}
	buf.WriteByte('}')
}

// partialObject is the PartialObjectMetadata form of obj (metadata only) in meta.k8s.io/<version>.
func partialObject(obj map[string]any, version string) map[string]any {
	return map[string]any{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/" + version,
		"metadata": obj["metadata"]}
}

func mustMarshal(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fakeapi: cannot encode %T: %v", v, err))
	}
	return raw
}

// NewSecret builds an Opaque Secret whose data values are base64-encoded from the given strings,
// as the API server stores and serves them.
func NewSecret(ns, name string, data map[string]string) map[string]any {
	encoded := make(map[string]any, len(data))
	for k, v := range data {
		encoded[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	return map[string]any{"kind": "Secret", "apiVersion": "v1", "type": "Opaque",
		"metadata": map[string]any{"name": name, "namespace": ns}, "data": encoded}
}

// NewConfigMap builds a ConfigMap with the given data.
func NewConfigMap(ns, name string, data map[string]string) map[string]any {
	plain := make(map[string]any, len(data))
	for k, v := range data {
		plain[k] = v
	}
	return map[string]any{"kind": "ConfigMap", "apiVersion": "v1",
		"metadata": map[string]any{"name": name, "namespace": ns}, "data": plain}
}

// NewServiceAccount builds a ServiceAccount.
func NewServiceAccount(ns, name string) map[string]any {
	return map[string]any{"kind": "ServiceAccount", "apiVersion": "v1",
		"metadata": map[string]any{"name": name, "namespace": ns}}
}

// NewNode builds a Node with the given labels (nil for none).
func NewNode(name string, labels map[string]string) map[string]any {
	meta := map[string]any{"name": name}
	if len(labels) > 0 {
		l := make(map[string]any, len(labels))
		for k, v := range labels {
			l[k] = v
		}
		meta["labels"] = l
	}
	return map[string]any{"kind": "Node", "apiVersion": "v1", "metadata": meta,
		"spec": map[string]any{}, "status": map[string]any{}}
}

// NewWorkload builds a workload of kind Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
// CronJob or Pod around podSpec (spec.template.spec, spec.jobTemplate.spec.template.spec or
// spec), with the status and managedFields a real server returns. owner, when set as
// "Kind/name", becomes the controller ownerReference.
func NewWorkload(kind, ns, name string, podSpec map[string]any, owner string) map[string]any {
	meta := map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"app": name},
		"managedFields": []any{map[string]any{"manager": "kubectl", "operation": "Update"}}}
	if ownerKind, ownerName, ok := strings.Cut(owner, "/"); ok {
		meta["ownerReferences"] = []any{map[string]any{"apiVersion": "apps/v1", "kind": ownerKind,
			"name": ownerName, "uid": "0wner-" + ownerName, "controller": true, "blockOwnerDeletion": true}}
	}
	template := map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": name}},
		"spec": podSpec}
	var spec map[string]any
	switch kind {
	case "Pod":
		spec = podSpec
	case "CronJob":
		spec = map[string]any{"schedule": "0 2 * * *", "jobTemplate": map[string]any{
			"spec": map[string]any{"template": template}}}
	case "Job":
		spec = map[string]any{"template": template}
	default:
		spec = map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
			"template": template}
	}
	return map[string]any{"kind": kind, "metadata": meta, "spec": spec,
		"status": map[string]any{"observedGeneration": 1}}
}
