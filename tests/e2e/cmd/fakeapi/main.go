// Command fakeapi runs the fake Kubernetes API server of package preflight/e2e/fakeapi on its own,
// pre-populated with generated objects, for benchmarks and manual runs. With
// --events-per-second it keeps modifying ConfigMaps so watches carry a steady MODIFIED stream.
//
//	go run ./cmd/fakeapi --listen 127.0.0.1:6443 --token t0k --ca-out /tmp/fakeapi-ca.crt \
//	    --secrets 5000 --keys-per-secret 8 --configmaps 2000 --nodes 50 --events-per-second 200
//
// --objects FILE adds the items of a JSON v1 List (Secrets, ConfigMaps, ServiceAccounts, Nodes;
// e.g. `yq -o json examples/cluster-snapshot.yaml`) before the generated ones.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"preflight/e2e/fakeapi"
)

type config struct {
	listen, certFile, keyFile, caOut, token string
	objectsFile                             string
	secrets, configMaps, serviceAccounts    int
	nodes, keysPerSecret, valueBytes        int
	deployments                             int
	namespaces                              int
	lastApplied                             bool
	eventsPerSecond                         float64
	history                                 int
	bookmarkInterval, watchTimeout          time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.listen, "listen", "127.0.0.1:6443", "listen address (host:port; port 0 = any free port)")
	flag.StringVar(&c.certFile, "cert", "", "serving certificate PEM (default: generate a CA and a cert for 127.0.0.1, ::1, localhost)")
	flag.StringVar(&c.keyFile, "key", "", "serving key PEM (with --cert)")
	flag.StringVar(&c.caOut, "ca-out", "", "write the CA PEM clients must trust to this file (default: print it on stdout)")
	flag.StringVar(&c.token, "token", "", "required bearer token (empty: no authentication)")
	flag.StringVar(&c.objectsFile, "objects", "", "JSON v1 List whose items are added first (Secret, ConfigMap, ServiceAccount, Node)")
	flag.IntVar(&c.secrets, "secrets", 0, "number of Secrets to create")
	flag.IntVar(&c.configMaps, "configmaps", 0, "number of ConfigMaps to create")
	flag.IntVar(&c.serviceAccounts, "serviceaccounts", 0, "number of ServiceAccounts to create")
	flag.IntVar(&c.nodes, "nodes", 0, "number of Nodes to create")
	flag.IntVar(&c.deployments, "deployments", 0, "number of Deployments to create (each with a ReplicaSet it controls; a third reference a missing Secret)")
	flag.IntVar(&c.keysPerSecret, "keys-per-secret", 4, "data keys per Secret")
	flag.IntVar(&c.valueBytes, "value-bytes", 32, "length of each Secret value before base64")
	flag.IntVar(&c.namespaces, "namespaces", 1, "spread namespaced objects over this many namespaces (1 = \"default\", else ns-0..)")
	flag.BoolVar(&c.lastApplied, "last-applied", true, "give Secrets a kubectl.kubernetes.io/last-applied-configuration annotation (holds the values, like client-side apply)")
	flag.Float64Var(&c.eventsPerSecond, "events-per-second", 0, "MODIFIED events per second on ConfigMaps (needs --configmaps > 0)")
	flag.IntVar(&c.history, "history", 10000, "watch history length; older RVs become too old (410)")
	flag.DurationVar(&c.bookmarkInterval, "bookmark-interval", time.Minute, "send BOOKMARKs to watches that allow them this often (0 = never)")
	flag.DurationVar(&c.watchTimeout, "watch-timeout", 0, "length of a watch without timeoutSeconds (0 = apiserver default, 30-60 min)")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "fakeapi:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	if c.eventsPerSecond > 0 && c.configMaps == 0 {
		return fmt.Errorf("--events-per-second needs --configmaps > 0")
	}
	if c.namespaces < 1 {
		return fmt.Errorf("--namespaces must be at least 1")
	}
	opts := fakeapi.Options{Token: c.token, Addr: c.listen, HistoryLimit: c.history,
		WatchTimeout: c.watchTimeout}
	if c.certFile != "" || c.keyFile != "" {
		var err error
		if opts.CertPEM, err = os.ReadFile(c.certFile); err != nil {
			return err
		}
		if opts.KeyPEM, err = os.ReadFile(c.keyFile); err != nil {
			return err
		}
	}
	s, err := fakeapi.Start(nil, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	if c.objectsFile != "" {
		if err := addObjects(s, c.objectsFile); err != nil {
			return err
		}
	}
	populate(s, c)
	fmt.Printf("fakeapi listening on %s (secrets=%d configmaps=%d serviceaccounts=%d nodes=%d resourceVersion=%s)\n",
		s.URL, c.secrets, c.configMaps, c.serviceAccounts, c.nodes, s.CurrentRV())
	if c.caOut != "" {
		if err := os.WriteFile(c.caOut, s.CACertPEM, 0o644); err != nil {
			return err
		}
	} else {
		os.Stdout.Write(s.CACertPEM)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	defer close(done)
	if c.eventsPerSecond > 0 {
		go generate(s, c, done)
	}
	if c.bookmarkInterval > 0 {
		go every(c.bookmarkInterval, done, s.SendBookmarks)
	}
	<-stop
	return nil
}

// addObjects adds every item of the v1 List in file.
func addObjects(s *fakeapi.Server, file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var list struct {
		Kind  string           `json:"kind"`
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("%s: not a JSON v1 List: %v", file, err)
	}
	if list.Kind != "List" {
		return fmt.Errorf("%s: kind is %q, want List", file, list.Kind)
	}
	for _, obj := range list.Items {
		s.Add(obj)
	}
	return nil
}

func namespace(c config, i int) string {
	if c.namespaces == 1 {
		return "default"
	}
	return fmt.Sprintf("ns-%d", i%c.namespaces)
}

func populate(s *fakeapi.Server, c config) {
	for i := 0; i < c.secrets; i++ {
		ns, name := namespace(c, i), fmt.Sprintf("secret-%05d", i)
		data := make(map[string]string, c.keysPerSecret)
		for k := 0; k < c.keysPerSecret; k++ {
			data[fmt.Sprintf("KEY_%d", k)] = value(i, k, c.valueBytes)
		}
		obj := fakeapi.NewSecret(ns, name, data)
		if c.lastApplied {
			applied, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret",
				"metadata":   map[string]any{"annotations": map[string]any{}, "name": name, "namespace": ns},
				"stringData": data, "type": "Opaque"})
			obj["metadata"].(map[string]any)["annotations"] = map[string]any{
				"kubectl.kubernetes.io/last-applied-configuration": string(applied) + "\n"}
		}
		s.Add(obj)
	}
	for i := 0; i < c.configMaps; i++ {
		s.Add(fakeapi.NewConfigMap(namespace(c, i), fmt.Sprintf("config-%05d", i),
			map[string]string{"generation": "0"}))
	}
	for i := 0; i < c.deployments; i++ {
		ns, name := namespace(c, i), fmt.Sprintf("app-%05d", i)
		secret := "app"
		if i%3 == 0 {
			secret = "missing"
		}
		spec := map[string]any{"containers": []any{map[string]any{"name": "server",
			"image": fmt.Sprintf("registry.example.com/app:1.%d", i%7), "args": []any{"--port", "8080"},
			"env": []any{map[string]any{"name": "TOKEN", "valueFrom": map[string]any{
				"secretKeyRef": map[string]any{"name": secret, "key": "token"}}},
				map[string]any{"name": "MODE", "value": "production"}},
			"resources": map[string]any{"limits": map[string]any{"cpu": "1", "memory": "1Gi"}}}}}
		d := fakeapi.NewWorkload("Deployment", ns, name, spec, "")
		if c.lastApplied {
			applied, _ := json.Marshal(d)
			d["metadata"].(map[string]any)["annotations"] = map[string]any{
				"kubectl.kubernetes.io/last-applied-configuration": string(applied) + "\n"}
		}
		s.Add(d)
		s.Add(fakeapi.NewWorkload("ReplicaSet", ns, name+"-5c8d", spec, "Deployment/"+name))
	}
	for i := 0; i < c.serviceAccounts; i++ {
		s.Add(fakeapi.NewServiceAccount(namespace(c, i), fmt.Sprintf("sa-%05d", i)))
	}
	for i := 0; i < c.nodes; i++ {
		name := fmt.Sprintf("node-%04d", i)
		labels := map[string]string{"kubernetes.io/hostname": name}
		if i%2 == 0 {
			labels["nvidia.com/gpu.present"] = "true"
		}
		s.Add(fakeapi.NewNode(name, labels))
	}
}

// value is a deterministic placeholder of n bytes, distinct per secret and key.
func value(i, k, n int) string {
	v := fmt.Sprintf("fake-%d-%d-", i, k)
	if len(v) >= n {
		return v[:n]
	}
	return v + strings.Repeat("x", n-len(v))
}

// generate modifies ConfigMaps round-robin at eventsPerSecond until done is closed.
func generate(s *fakeapi.Server, c config, done <-chan struct{}) {
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	emitted := 0
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			due := int(c.eventsPerSecond * now.Sub(start).Seconds())
			for ; emitted < due; emitted++ {
				i := emitted % c.configMaps
				s.Update(fakeapi.NewConfigMap(namespace(c, i), fmt.Sprintf("config-%05d", i),
					map[string]string{"generation": fmt.Sprint(emitted/c.configMaps + 1)}))
			}
		}
	}
}

func every(d time.Duration, done <-chan struct{}, f func()) {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			f()
		}
	}
}
