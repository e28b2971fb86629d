#!/usr/bin/env bash
# Cache scale (issue 10, docs/performance.md "Cache scale"):
#  1. memory and sync time of the caches with 50,000 Secrets, 20,000 ConfigMaps and 5,000
#     Nodes served by the fake API server (bench/cache-memory.sh at that scale);
#  2. review latency while a watch delivers 1,000 events per second: the fake API server
#     (--events-per-second) modifies its ConfigMaps round-robin, so preflight's ConfigMap
#     watch receives a steady stream of MODIFIED events in the API server's wire format, while
#     the Go client sends the realistic review at a fixed rate. The same run without events
#     is the baseline.
#
#   bench/scale.sh [BUILD_DIR]   SECRETS=50000 CONFIGMAPS=20000 NODES=5000 EVENTS=1000
#                                RATE=200 DURATION=10s   (MEMORY=0 skips part 1)
#
# Prints figures; exits 1 only when something failed to run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${1:-build}"
build=$(cd "${1:-build}" && pwd)
secrets=${SECRETS:-50000}
configmaps=${CONFIGMAPS:-20000}
nodes=${NODES:-5000}
events=${EVENTS:-1000}
rate=${RATE:-200}
duration=${DURATION:-10s}
work=$(mktemp -d)
source bench/lib.sh
trap bench_cleanup EXIT

cmake --build "$build" --target preflight -j2 >/dev/null
if [[ ${MEMORY:-1} != 0 ]]; then
  echo "== cache memory and sync time"
  SECRETS=$secrets CONFIGMAPS=$configmaps NODES=$nodes bench/cache-memory.sh "$build"
fi

echo "== review latency under watch events ($rate reviews/s for $duration, realistic review)"
bench_go_build tests/e2e/cmd/fakeapi "$work/fakeapi"
bench_go_build bench/goclient "$work/goclient"
certs/gen-certs.sh "$work/certs" >/dev/null

# latency NAME LABEL EVENTS_PER_SECOND: prints preflight's CPU use with no reviews (what the
# watch stream alone costs), then the client's line and preflight's CPU seconds under load.
latency() {
  local name=$1 label=$2 eps=$3
  local events_args=()
  [[ $eps != 0 ]] && events_args=(--events-per-second "$eps")
  start_fakeapi "$name" --objects bench/reviews/cluster.json --configmaps "$configmaps" "${events_args[@]}" || exit 1
  start_preflight "$name" --kubeconfig "$work/$name-kubeconfig" || exit 1
  local metrics=http://127.0.0.1:$metrics_port/metrics cpu_idle cpu_before cpu_after out
  cpu() { curl -sf "$metrics" | awk '$1 == "process_cpu_seconds_total" {print $2}'; }
  sleep 1  # the event stream is flowing
  cpu_idle=$(cpu)
  sleep 5
  cpu_before=$(cpu)
  out=$("$work/goclient" -url "https://127.0.0.1:$tls_port/validate" -body bench/reviews/realistic.json \
    -ca "$work/certs/ca.crt" -expect '"allowed":true' -rate "$rate" -duration "$duration")
  cpu_after=$(cpu)
  local watched
  watched=$(curl -sf "$metrics" | awk '$1 == "preflight_cluster_cache_objects{resource=\"configmaps\"}" {print $2}')
  kill "$preflight_pid" 2>/dev/null; wait "$preflight_pid" 2>/dev/null || true
  printf '  %-16s idle: preflight CPU %.2f s in 5 s (configmaps cached: %s)\n' "$label:" \
    "$(echo "$cpu_before - $cpu_idle" | bc)" "$watched"
  printf '  %-16s load: %s, preflight CPU %.2f s\n' "" "$out" "$(echo "$cpu_after - $cpu_before" | bc)"
}
latency quiet "no events" 0
latency events "$events events/s" "$events"
