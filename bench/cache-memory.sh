#!/usr/bin/env bash
# Memory of preflight's cluster caches: RSS of `preflight serve` synced against a fake API
# server holding N Secrets (K keys each), minus the RSS of the same server synced against an
# empty one, measured in the same run on the same machine. Also reports the sync time.
#
#   bench/cache-memory.sh [BUILD_DIR]        SECRETS=50000 KEYS=5 CONFIGMAPS=0 NODES=0
#
# Target (issue 3): 50,000 Secrets with 5 keys each in under 64 MiB of additional RSS.
# Not a timed test: it prints figures and exits 0 (1 only when something failed to run).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/preflight
secrets=${SECRETS:-50000}
keys=${KEYS:-5}
configmaps=${CONFIGMAPS:-0}
nodes=${NODES:-0}
work=$(mktemp -d)
# run() executes in a subshell (process substitution): record pids in a file for cleanup.
cleanup() { [[ -f $work/pids ]] && xargs -r kill <"$work/pids" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

[[ -x $bin ]] || { echo "cache-memory: build $bin first (scripts/build)" >&2; exit 1; }
export GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on GOCACHE=$PWD/$build/e2e-go/cache GOPATH=$PWD/$build/e2e-go/path
(cd tests/e2e && go build -o "$work/fakeapi" ./cmd/fakeapi)
certs/gen-certs.sh "$work/certs" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
  echo $((20000 + RANDOM % 20000)); }

# run NAME FAKE_ARGS...: prints "rss_bytes sync_seconds" once preflight is ready.
run() {
  local name=$1; shift
  local api_port tls_port metrics_port
  api_port=$(free_port); tls_port=$(free_port); metrics_port=$(free_port)
  "$work/fakeapi" --listen "127.0.0.1:$api_port" --ca-out "$work/$name-ca.pem" --token bench "$@" \
    >"$work/$name-fake.log" 2>&1 &
  echo $! >>"$work/pids"
  for _ in $(seq 1 600); do [[ -s $work/$name-ca.pem ]] && curl -skf -o /dev/null -H 'Authorization: Bearer bench' \
    "https://127.0.0.1:$api_port/api/v1/nodes?limit=1" && break; sleep 0.1; done
  cat >"$work/$name-kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "https://127.0.0.1:$api_port", certificate-authority-data: "$(base64 -w0 <"$work/$name-ca.pem")"}}]
users: [{name: bench, user: {token: bench}}]
contexts: [{name: fake, context: {cluster: fake, user: bench}}]
current-context: fake
KC
  local start end
  start=$(date +%s.%N)
  "$bin" serve --kubeconfig "$work/$name-kubeconfig" --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
    --listen "127.0.0.1:$tls_port" --metrics-listen "127.0.0.1:$metrics_port" --log-level warn \
    >"$work/$name-preflight.log" 2>&1 &
  local pid=$!
  echo "$pid" >>"$work/pids"
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "http://127.0.0.1:$metrics_port/readyz" && break
    sleep 0.05
  done
  end=$(date +%s.%N)
  curl -sf -o /dev/null "http://127.0.0.1:$metrics_port/readyz" || { echo "cache-memory: $name never became ready" >&2; tail -5 "$work/$name-preflight.log" >&2; exit 1; }
  sleep 2  # let list buffers be returned and the allocator settle
  local rss objects
  rss=$(awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$pid/status")
  objects=$(curl -sf "http://127.0.0.1:$metrics_port/metrics" | awk '/^preflight_cluster_cache_objects\{resource="secrets"\}/ {print $2}')
  echo "$rss $(echo "$end - $start" | bc) $objects"
}

read -r base_rss base_sync _ < <(run empty)
read -r full_rss full_sync full_objects < <(run full --secrets "$secrets" --keys-per-secret "$keys" \
  --configmaps "$configmaps" --nodes "$nodes")

mib() { echo "scale=1; $1 / 1048576" | bc; }
extra=$((full_rss - base_rss))
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "baseline (empty API server):   RSS $(mib "$base_rss") MiB, synced in ${base_sync}s"
echo "$secrets Secrets x $keys keys:   RSS $(mib "$full_rss") MiB, synced in ${full_sync}s, cached secrets: $full_objects"
echo "additional RSS: $(mib "$extra") MiB ($((extra / ${secrets:-1})) bytes per Secret); target < 64 MiB"
