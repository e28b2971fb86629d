// loadgen sends AdmissionReviews to preflight the way kube-apiserver does (Go net/http, TLS
// with the webhook's CA, HTTP/1.1 keep-alive, POST /validate?timeout=...) at a fixed rate from
// a fixed number of workers, and reports how many were sent, answered correctly and failed,
// with latency percentiles. Standard library only.
//
//	go run ./bench/loadgen -url https://127.0.0.1:8443/validate -ca certs/dev/ca.crt \
//	    -review tests/fixtures/reviews/deny-v1.json -concurrency 8 -rate 200 -duration 30s
//
// -endpoints FILE models a Service: the URL's host names the Service, and every new connection
// goes to one of the addresses listed in FILE (one host:port a line, re-read every 100 ms), as
// kube-proxy sends new connections to the ready endpoints while kept-alive connections stay
// where they are. A rolling restart edits the file like the endpoints controller would.
//
// A request counts as ok when it gets HTTP 200 with an AdmissionReview response echoing its
// uid. Everything else (transport error, timeout, other status, wrong uid) is failed. With
// -json the report is one JSON object; the exit code is 1 when any request failed.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type report struct {
	Sent       int64            `json:"sent"`
	OK         int64            `json:"ok"`
	Failed     int64            `json:"failed"`
	Seconds    float64          `json:"seconds"`
	RatePerSec float64          `json:"rate_per_sec"`
	Latency    map[string]int64 `json:"latency"` // p50_us p90_us p99_us max_us
	Errors     []string         `json:"errors,omitempty"`
	Dials      int64            `json:"dials"`
}

// endpoints is the current list of addresses new connections go to.
type endpoints struct {
	mu    sync.Mutex
	file  string
	addrs []string
	next  int
}

func (e *endpoints) reload() {
	b, err := os.ReadFile(e.file)
	if err != nil {
		return // keep the last list, as kube-proxy keeps its rules
	}
	var addrs []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			addrs = append(addrs, line)
		}
	}
	e.mu.Lock()
	e.addrs = addrs
	e.mu.Unlock()
}

func (e *endpoints) pick(fallback string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.addrs) == 0 {
		return fallback
	}
	e.next++
	return e.addrs[e.next%len(e.addrs)]
}

func main() {
	target := flag.String("url", "https://127.0.0.1:8443/validate", "webhook URL")
	caFile := flag.String("ca", "", "CA bundle (PEM) that signs the serving certificate (required)")
	serverName := flag.String("server-name", "localhost", "TLS server name to verify")
	endpointsFile := flag.String("endpoints", "", "file of host:port lines new connections go to (see above)")
	concurrency := flag.Int("concurrency", 8, "workers sending at the same time")
	rate := flag.Float64("rate", 100, "requests per second in total (0: as fast as the workers go)")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	reviewFile := flag.String("review", "", "AdmissionReview JSON to send; request.uid is replaced per request (required)")
	timeout := flag.Duration("timeout", 10*time.Second, "per-request timeout, also sent as ?timeout=")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	flag.Parse()
	if *caFile == "" || *reviewFile == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -ca and -review are required")
		os.Exit(2)
	}
	pem, err := os.ReadFile(*caFile)
	pool := x509.NewCertPool()
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		fmt.Fprintf(os.Stderr, "loadgen: no CA certificate in %s: %v\n", *caFile, err)
		os.Exit(2)
	}
	var review map[string]any
	raw, err := os.ReadFile(*reviewFile)
	if err == nil {
		err = json.Unmarshal(raw, &review)
	}
	req, _ := review["request"].(map[string]any)
	if err != nil || req == nil {
		fmt.Fprintf(os.Stderr, "loadgen: %s is not an AdmissionReview: %v\n", *reviewFile, err)
		os.Exit(2)
	}

	eps := &endpoints{file: *endpointsFile}
	stop := make(chan struct{})
	if eps.file != "" {
		eps.reload()
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
					eps.reload()
				}
			}
		}()
	}
	var dials atomic.Int64
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	// Shaped like kube-apiserver's webhook transport (utilnet.SetTransportDefaults).
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, ServerName: *serverName, NextProtos: []string{"http/1.1"}},
		MaxIdleConnsPerHost: 25,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, eps.pick(addr))
		},
	}
	client := &http.Client{Transport: tr, Timeout: *timeout}
	url := *target + "?timeout=" + fmt.Sprintf("%ds", int(timeout.Seconds()))

	var sent, ok, failed atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	var errs []string
	noteErr := func(s string) {
		mu.Lock()
		if len(errs) < 20 {
			errs = append(errs, s)
		}
		mu.Unlock()
	}

	// The rate limiter hands out tickets; workers take them.
	tickets := make(chan struct{}, *concurrency)
	start := time.Now()
	deadline := start.Add(*duration)
	go func() {
		defer close(tickets)
		if *rate <= 0 {
			for time.Now().Before(deadline) {
				tickets <- struct{}{}
			}
			return
		}
		interval := time.Duration(float64(time.Second) / *rate)
		for next := start; next.Before(deadline); next = next.Add(interval) {
			time.Sleep(time.Until(next))
			tickets <- struct{}{}
		}
	}()

	var wg sync.WaitGroup
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			own := map[string]any{}
			for k, v := range review {
				own[k] = v
			}
			ownReq := map[string]any{}
			for k, v := range req {
				ownReq[k] = v
			}
			own["request"] = ownReq
			for i := 0; ; i++ {
				if _, more := <-tickets; !more {
					return
				}
				uid := fmt.Sprintf("loadgen-%d-%d-%d", os.Getpid(), w, i)
				ownReq["uid"] = uid
				body, _ := json.Marshal(own)
				sent.Add(1)
				t0 := time.Now()
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					failed.Add(1)
					noteErr(fmt.Sprintf("%s: %v", time.Now().Format("15:04:05.000"), err))
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				took := time.Since(t0)
				var out struct {
					Response *struct {
						UID string `json:"uid"`
					} `json:"response"`
				}
				if err == nil {
					err = json.Unmarshal(b, &out)
				}
				if err != nil || resp.StatusCode != 200 || out.Response == nil || out.Response.UID != uid {
					failed.Add(1)
					noteErr(fmt.Sprintf("%s: HTTP %d %v %.120s", time.Now().Format("15:04:05.000"), resp.StatusCode, err, b))
					continue
				}
				ok.Add(1)
				mu.Lock()
				latencies = append(latencies, took)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	elapsed := time.Since(start)

	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) int64 {
		if len(latencies) == 0 {
			return 0
		}
		i := int(p * float64(len(latencies)-1))
		return latencies[i].Microseconds()
	}
	r := report{Sent: sent.Load(), OK: ok.Load(), Failed: failed.Load(), Seconds: elapsed.Seconds(),
		RatePerSec: float64(ok.Load()) / elapsed.Seconds(), Errors: errs, Dials: dials.Load(),
		Latency: map[string]int64{"p50_us": pct(0.50), "p90_us": pct(0.90), "p99_us": pct(0.99), "max_us": pct(1)}}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
	} else {
		fmt.Printf("sent %d  ok %d  failed %d  in %.1fs (%.0f ok/s, %d connections dialed)\n",
			r.Sent, r.OK, r.Failed, r.Seconds, r.RatePerSec, r.Dials)
		fmt.Printf("latency p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms\n",
			float64(pct(0.5))/1000, float64(pct(0.9))/1000, float64(pct(0.99))/1000, float64(pct(1))/1000)
		for _, e := range errs {
			fmt.Println("  error:", e)
		}
	}
	if r.Failed > 0 {
		os.Exit(1)
	}
}
