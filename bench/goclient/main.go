// Command goclient loads a webhook the way the kube-apiserver calls it: Go net/http over TLS,
// HTTP/1.1, keep-alive, a fixed pool of connections, POST of an AdmissionReview.
//
//	goclient -url https://127.0.0.1:8443/validate -body review.json -ca ca.crt \
//	    -connections 8 -duration 10s [-rate 2000] [-expect '"allowed":true']
//
// Without -rate it is closed-loop: each connection sends its next request as soon as the
// previous one is answered (maximum throughput). With -rate it is open-loop: requests are due
// at a fixed rate and latency is measured from when a request was due, not from when it was
// sent, so a stalled server is not hidden (no coordinated omission); only the client's own
// timer lateness is left out (see schedule).
//
// Prints one line: rps=... p50_ms=... p99_ms=... max_ms=... requests=... errors=...
// Exits 1 when any request failed or did not contain -expect.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	url, bodyFile, caFile, expect string
	connections                   int
	duration, warmup              time.Duration
	rate                          float64
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "webhook URL")
	flag.StringVar(&o.bodyFile, "body", "", "request body file (AdmissionReview JSON)")
	flag.StringVar(&o.caFile, "ca", "", "CA certificate PEM that signs the server certificate")
	flag.StringVar(&o.expect, "expect", "", "every response body must contain this string")
	flag.IntVar(&o.connections, "connections", 8, "keep-alive connections (and concurrent requests)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured duration")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before the measurement")
	flag.Float64Var(&o.rate, "rate", 0, "requests per second (0: as fast as the server answers)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
}

func newClient(o options) (*http.Client, error) {
	pool := x509.NewCertPool()
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate", o.caFile)
		}
	}
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:        o.connections,
		MaxIdleConnsPerHost: o.connections,
		MaxConnsPerHost:     o.connections,
		IdleConnTimeout:     90 * time.Second,
		// HTTP/1.1 only, as the kube-apiserver's webhook client negotiates with most webhooks.
		ForceAttemptHTTP2: false,
		TLSNextProto:      map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	return &http.Client{Transport: transport, Timeout: 10 * time.Second}, nil
}

// call sends one review; the body is read to the end so the connection is reused.
func call(c *http.Client, o options, body []byte) error {
	resp, err := c.Post(o.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, data)
	}
	if o.expect != "" && !bytes.Contains(data, []byte(o.expect)) {
		return fmt.Errorf("response lacks %q: %.300s", o.expect, data)
	}
	return nil
}

type result struct {
	latencies []time.Duration
	errors    int64
	firstErr  error
}

func run(o options) error {
	body, err := os.ReadFile(o.bodyFile)
	if err != nil {
		return err
	}
	client, err := newClient(o)
	if err != nil {
		return err
	}
	if err := call(client, o, body); err != nil {
		return err
	}
	if o.warmup > 0 {
		load(client, o, body, o.warmup)
	}
	start := time.Now()
	res := load(client, o, body, o.duration)
	elapsed := time.Since(start)
	lat := res.latencies
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := int(p * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	fmt.Printf("rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d errors=%d\n",
		float64(len(lat))/elapsed.Seconds(), pct(0.50), pct(0.99), pct(1), len(lat), res.errors)
	if res.errors > 0 {
		return fmt.Errorf("%d requests failed, first: %v", res.errors, res.firstErr)
	}
	return nil
}

// load runs for d and returns the latency of every successful request.
func load(client *http.Client, o options, body []byte, d time.Duration) result {
	var (
		mu     sync.Mutex
		all    result
		errors int64
		wg     sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	due := make(chan time.Time, o.connections)
	if o.rate > 0 {
		go schedule(due, o.rate, deadline)
	}
	for i := 0; i < o.connections; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<16)
			for {
				var t0 time.Time
				if o.rate > 0 {
					var ok bool
					if t0, ok = <-due; !ok {
						break
					}
				} else if t0 = time.Now(); t0.After(deadline) {
					break
				}
				if err := call(client, o, body); err != nil {
					if atomic.AddInt64(&errors, 1) == 1 {
						mu.Lock()
						all.firstErr = err
						mu.Unlock()
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all.latencies = append(all.latencies, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.errors = errors
	return all
}

// schedule sends the due time of each request at rate per second until deadline. A request
// waits in the channel while every connection is busy; its latency still counts from due.
//
// The Go runtime wakes a sleeping goroutine no sooner than about 1 ms (it waits for timers in
// epoll with a timeout in milliseconds), so at thousands of requests per second this loop
// wakes up to 1 ms after the due time of the next request. That delay is the client's, not the
// server's: a request that fell due while the loop slept counts from when the loop woke. The
// grid of due times is kept (the rate stays exact), and time spent blocked on a busy channel
// still counts: a request due while the loop waited to hand over the previous one keeps its
// due time.
func schedule(due chan<- time.Time, rate float64, deadline time.Time) {
	defer close(due)
	interval := time.Duration(float64(time.Second) / rate)
	next := time.Now()
	var woke time.Time // when the last sleep ended
	for next.Before(deadline) {
		if wait := time.Until(next); wait > 0 {
			time.Sleep(wait)
			woke = time.Now()
		}
		t0 := next
		if woke.After(t0) {
			t0 = woke
		}
		due <- t0
		next = next.Add(interval)
	}
}
