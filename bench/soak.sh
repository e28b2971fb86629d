#!/usr/bin/env bash
# Soak: `preflight serve` (cluster snapshot, built-in policy) under a steady review rate from
# bench/loadgen for N minutes, sampling its RSS, open file descriptors and threads from /proc
# every 10 s. Prints the samples, the loadgen report and the growth from the first sample after
# warm-up (1 minute) to the last.
#
#   bench/soak.sh [BUILD_DIR]          MINUTES=10 RATE=500 CONCURRENCY=8
#
# Pick RATE at about half the capacity loadgen measures on the machine (-rate 0). Exit 0 when it
# ran and no request failed; 1 otherwise. Not a timed test.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/preflight
minutes=${MINUTES:-10}
rate=${RATE:-500}
concurrency=${CONCURRENCY:-8}
work=$(mktemp -d)
cleanup() { [[ -f $work/pid ]] && kill "$(cat "$work/pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

[[ -x $bin ]] || { echo "soak: build $bin first (scripts/build)" >&2; exit 1; }
export GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on GOCACHE=$PWD/$build/e2e-go/cache GOPATH=$PWD/$build/e2e-go/path
(cd bench/loadgen && go build -o "$work/loadgen" .)
certs/gen-certs.sh "$work/certs" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
mport=$(free_port)

"$bin" serve --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
  --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$mport" --log-level warn \
  --cluster-snapshot tests/fixtures/reviews/cluster-snapshot.yaml >"$work/serve.log" 2>&1 &
pid=$!
echo "$pid" >"$work/pid"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$mport/readyz" >/dev/null && break; sleep 0.1; done

"$work/loadgen" -url "https://127.0.0.1:$port/validate" -ca "$work/certs/ca.crt" \
  -review tests/fixtures/reviews/deny-v1.json -rate "$rate" -concurrency "$concurrency" \
  -duration "${minutes}m" >"$work/load.txt" 2>&1 &
load=$!

sample() {
  local rss fds threads
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  printf '%6s %10s %6s %8s\n' "$1" "$rss" "$fds" "$threads"
}
echo "soak: $minutes min at $rate req/s, $concurrency workers, preflight pid $pid"
printf '%6s %10s %6s %8s\n' "t(s)" "rss(KiB)" "fds" "threads"
start=$SECONDS
: >"$work/samples"
while kill -0 "$load" 2>/dev/null; do
  sample $((SECONDS - start)) | tee -a "$work/samples"
  sleep 10
done
wait "$load" && status=0 || status=1
sample $((SECONDS - start)) | tee -a "$work/samples"
cat "$work/load.txt"
# Growth from the first sample at or after 60 s (warm: pools, caches, TLS sessions) to the last.
awk 'NR==1 {first=$0} $1>=60 && !w {w=$0} {last=$0}
     END { if (!w) w=first; split(w,a," "); split(last,b," ");
           printf "growth from t=%ss to t=%ss: rss %+d KiB, fds %+d, threads %+d\n", a[1], b[1], b[2]-a[2], b[3]-a[3], b[4]-a[4] }' \
  "$work/samples"
exit $status
