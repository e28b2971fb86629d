package fakeapi

import (
	"net/http"
	"strconv"
	"time"
)

// Faults makes the fake misbehave like an overloaded or broken API server. They apply to
// resource requests (lists, watches, gets) after authentication, as kube-apiserver's filters do.
type Faults struct {
	// Status answers every resource request with this code instead of serving it: 500
	// (InternalError), 503 (ServiceUnavailable) or 429 (TooManyRequests, as API Priority and
	// Fairness rejects a request). 0 serves normally.
	Status int
	// RetryAfter is the Retry-After header (and details.retryAfterSeconds) sent with a 429 or
	// 503; kube-apiserver sends 1 for APF rejections.
	RetryAfter int
	// Delay holds every resource request this long before it is answered (a slow API server).
	Delay time.Duration
}

// SetFaults replaces the current faults; the zero value turns them off.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// applyFaults delays and/or answers the request; it returns true when it answered.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, rec *RequestRecord) bool {
	f := s.currentFaults()
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		case <-s.closing:
			return true
		}
	}
	switch f.Status {
	case 0:
		return false
	case http.StatusTooManyRequests:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		s.writeStatus(w, rec, failure(429, "TooManyRequests", "Too many requests, please try again later.",
			&statusDetails{RetryAfterSeconds: f.RetryAfter}))
	case http.StatusServiceUnavailable:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		s.writeStatus(w, rec, failure(503, "ServiceUnavailable", "the server is currently unable to handle the request",
			&statusDetails{RetryAfterSeconds: f.RetryAfter}))
	default:
		s.writeStatus(w, rec, failure(f.Status, "InternalError",
			"Internal error occurred: fakeapi fault injection", &statusDetails{}))
	}
	return true
}
