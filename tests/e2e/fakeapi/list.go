package fakeapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// continueToken is the apiserver's continue token: base64url (no padding) of this JSON, with the
// start key relative to the listed prefix (storage.EncodeContinue). rv -1 means "continue at the
// latest resource version" (handed out in the 410 answer to an expired token).
type continueToken struct {
	APIVersion      string `json:"v"`
	ResourceVersion int64  `json:"rv"`
	StartKey        string `json:"start"`
}

func encodeContinue(rv int64, relStart string) string {
	raw := mustMarshal(continueToken{APIVersion: "meta.k8s.io/v1", ResourceVersion: rv,
		StartKey: relStart})
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeContinue(token string) (continueToken, error) {
	var c continueToken
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return c, fmt.Errorf("continue key is not valid: %v", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("continue key is not valid: %v", err)
	}
	switch {
	case c.APIVersion != "meta.k8s.io/v1":
		return c, fmt.Errorf("continue key is not valid: server does not recognize this encoded version %q", c.APIVersion)
	case c.ResourceVersion == 0:
		return c, fmt.Errorf("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
	case c.StartKey == "":
		return c, fmt.Errorf("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)")
	}
	return c, nil
}

// parseRV parses a resourceVersion parameter; "" and "0" both give 0.
func parseRV(s string) (int64, *status) {
	if s == "" {
		return 0, nil
	}
	rv, err := strconv.ParseInt(s, 10, 64)
	if err != nil || rv < 0 {
		return 0, statusBadRequest(fmt.Sprintf("invalid resource version: %q", s))
	}
	return rv, nil
}

// serveList answers a collection GET: a consistent snapshot, paged with limit/continue.
func (s *Server) serveList(w http.ResponseWriter, r *http.Request, rt route, q url.Values,
	mt mediaType, rec *RequestRecord) {
	limit, err := strconv.ParseInt(q.Get("limit"), 10, 64)
	if q.Get("limit") != "" && err != nil {
		s.writeStatus(w, rec, statusBadRequest(fmt.Sprintf("invalid limit: %q", q.Get("limit"))))
		return
	}
	// prefix turns a stored key into the key relative to the listed prefix, and back.
	prefix := ""
	if rt.ns != "" {
		prefix = rt.ns + "/"
	}
	var at int64
	var start, relStart string
	if cont := q.Get("continue"); cont != "" {
		if rv := q.Get("resourceVersion"); rv != "" && rv != "0" {
			s.writeStatus(w, rec, statusBadRequest("specifying resource version is not allowed when using continue"))
			return
		}
		tok, err := decodeContinue(cont)
		if err != nil {
			s.writeStatus(w, rec, statusBadRequest("invalid continue token: "+err.Error()))
			return
		}
		relStart, start = tok.StartKey, prefix+tok.StartKey
		if tok.ResourceVersion > 0 {
			at = tok.ResourceVersion
		}
	} else {
		rv, bad := parseRV(q.Get("resourceVersion"))
		if bad == nil {
			bad = s.checkListRV(r, rv, q.Get("resourceVersionMatch"))
		}
		if bad != nil {
			s.writeStatus(w, rec, bad)
			return
		}
		if q.Get("resourceVersionMatch") == "Exact" {
			at = rv
		}
	}

	items, listRV, expired := s.store.list(rt.res, rt.ns, at)
	if expired && relStart != "" {
		st := statusExpired(msgInconsistentContinue)
		st.Metadata.Continue = encodeContinue(-1, relStart)
		s.writeStatus(w, rec, st)
		return
	}
	if expired {
		s.writeStatus(w, rec, statusExpired(msgExpiredList))
		return
	}
	if start != "" {
		i := sort.Search(len(items), func(i int) bool { return items[i].key >= start })
		items = items[i:]
	}
	next, remaining := "", 0
	if limit > 0 && int64(len(items)) > limit {
		last := items[limit-1].key
		next = encodeContinue(listRV, strings.TrimPrefix(last, prefix)+"\x00")
		remaining = len(items) - int(limit)
		items = items[:limit]
	}
	if mt.partial == kindPartial {
		s.writeStatus(w, rec, statusNotAcceptable(fmt.Sprintf(
			"you requested PartialObjectMetadata, but the requested object is a list (*%s.%s)",
			rt.res.internalGroup(), rt.res.listKind())))
		return
	}
	s.writeBody(w, r, rec, renderList(rt.res, mt, items, listRV, next, remaining))
}

// checkListRV applies resourceVersion/resourceVersionMatch for a list without continue: unset or
// NotOlderThan serve the latest state once the server has reached rv; Exact serves the state at rv.
func (s *Server) checkListRV(r *http.Request, rv int64, match string) *status {
	switch match {
	case "", "NotOlderThan":
	case "Exact":
		if rv == 0 {
			return statusBadRequest(`resourceVersionMatch "Exact" is forbidden for resourceVersion "0"`)
		}
	default:
		return statusBadRequest(fmt.Sprintf("unsupported resourceVersionMatch: %q", match))
	}
	if rv > s.store.current() && !s.store.waitFor(r.Context(), rv, tooLargeRVWait) {
		return statusTooLargeRV(rv, s.store.current())
	}
	return nil
}

// renderList writes the list object. Items carry no kind/apiVersion, like a real typed list;
// PartialObjectMetadata items do carry theirs.
func renderList(res *resource, mt mediaType, items []keyed, rv int64, next string,
	remaining int) []byte {
	var buf bytes.Buffer
	kind, apiVersion := res.listKind(), res.apiVersion()
	if mt.partial == kindPartialList {
		kind, apiVersion = kindPartialList, "meta.k8s.io/"+mt.version
	}
	fmt.Fprintf(&buf, `{"kind":%q,"apiVersion":%q,"metadata":{"resourceVersion":"%d"`, kind, apiVersion, rv)
	if next != "" {
		fmt.Fprintf(&buf, `,"continue":%q,"remainingItemCount":%d`, next, remaining)
	}
	buf.WriteString(`},"items":[`)
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if mt.partial == kindPartialList {
			marshalObject(&buf, partialObject(it.obj, mt.version), true)
		} else {
			marshalObject(&buf, it.obj, false)
		}
	}
	buf.WriteString("]}\n")
	return buf.Bytes()
}

// serveGet answers a GET of one object.
func (s *Server) serveGet(w http.ResponseWriter, r *http.Request, rt route, mt mediaType, rec *RequestRecord) {
	obj := s.store.get(rt.res, rt.ns, rt.name)
	if obj == nil {
		s.writeStatus(w, rec, statusNotFound(rt.res, rt.name))
		return
	}
	switch mt.partial {
	case kindPartialList:
		s.writeStatus(w, rec, statusNotAcceptable(fmt.Sprintf(
			"you requested PartialObjectMetadataList, but the requested object is not a list (*%s.%s)",
			rt.res.internalGroup(), rt.res.kind)))
		return
	case kindPartial:
		obj = partialObject(obj, mt.version)
	}
	var buf bytes.Buffer
	marshalObject(&buf, obj, true)
	buf.WriteByte('\n')
	s.writeBody(w, r, rec, buf.Bytes())
}
