#!/usr/bin/env bash
# Memory of preflight's cluster caches: RSS of `preflight serve` synced against a fake API
# server holding N Secrets (K keys each), C ConfigMaps and M Nodes, minus the RSS of the same
# server synced against an empty one, measured in the same run on the same machine. Also
# reports the sync time (start to /readyz). bench/scale.sh runs it at issue 10's scale.
#
#   bench/cache-memory.sh [BUILD_DIR]        SECRETS=50000 KEYS=5 CONFIGMAPS=0 NODES=0
#
# Target (issue 3): 50,000 Secrets with 5 keys each in under 64 MiB of additional RSS.
# Not a timed test: it prints figures and exits 0 (1 only when something failed to run).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${1:-build}"
build=$(cd "${1:-build}" && pwd)
secrets=${SECRETS:-50000}
keys=${KEYS:-5}
configmaps=${CONFIGMAPS:-0}
nodes=${NODES:-0}
work=$(mktemp -d)
source bench/lib.sh
trap bench_cleanup EXIT

[[ -x $build/preflight ]] || { echo "cache-memory: build $build/preflight first (scripts/build)" >&2; exit 1; }
bench_go_build tests/e2e/cmd/fakeapi "$work/fakeapi"
certs/gen-certs.sh "$work/certs" >/dev/null

# run NAME FAKE_ARGS...: prints "rss_bytes sync_seconds cached_secrets cached_configmaps cached_nodes".
run() {
  local name=$1; shift
  start_fakeapi "$name" "$@" || exit 1
  local start end
  start=$(date +%s.%N)
  start_preflight "$name" --kubeconfig "$work/$name-kubeconfig" --log-level warn || exit 1
  end=$(date +%s.%N)
  sleep 2  # let list buffers be returned and the allocator settle
  local metrics
  metrics=$(curl -sf "http://127.0.0.1:$metrics_port/metrics")
  objects() { awk -v r="$1" '$1 == "preflight_cluster_cache_objects{resource=\"" r "\"}" {print $2}' <<<"$metrics"; }
  echo "$(rss_bytes "$preflight_pid") $(echo "$end - $start" | bc) $(objects secrets) $(objects configmaps) $(objects nodes)"
}

read -r base_rss base_sync _ < <(run empty)
read -r full_rss full_sync cached_secrets cached_configmaps cached_nodes < <(run full --secrets "$secrets" \
  --keys-per-secret "$keys" --configmaps "$configmaps" --nodes "$nodes")

mib() { echo "scale=1; $1 / 1048576" | bc; }
extra=$((full_rss - base_rss))
objects=$((secrets + configmaps + nodes))
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "baseline (empty API server):   RSS $(mib "$base_rss") MiB, synced in ${base_sync}s"
echo "$secrets Secrets x $keys keys, $configmaps ConfigMaps, $nodes Nodes:"
echo "  RSS $(mib "$full_rss") MiB, synced in ${full_sync}s; cached: secrets $cached_secrets," \
  "configmaps $cached_configmaps, nodes $cached_nodes"
echo "additional RSS: $(mib "$extra") MiB ($((extra / (objects > 0 ? objects : 1))) bytes per object); target for 50,000 Secrets < 64 MiB"
