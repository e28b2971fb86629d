#!/usr/bin/env bash
# Instructions per request on the server, for nginx, the bare cpp-httplib server and preflight
# (docs/performance.md, "Server by server"). Unlike bench/run.sh this does not depend on how
# busy the machine is: each server runs under `valgrind --tool=callgrind`, its counters are
# zeroed, wrk posts the realistic review over 8 keep-alive TLS connections for DURATION, the
# counters are dumped and divided by the requests wrk completed. User space only (TLS crypto
# included, the kernel not); the TLS handshakes of the 8 connections are subtracted, as with
# keep-alive they are paid per connection, not per review. Each server is loaded twice:
# without and with `Accept-Encoding: gzip` (which the kube-apiserver's Go client always sends).
#
#   bench/profile.sh [BUILD_DIR]     DURATION=8 (seconds per case)
#
# preflight serves from bench/reviews/cluster.json as a cluster snapshot (the objects the
# review references), so every check runs. Needs valgrind, wrk and nginx
# (PREFLIGHT_BENCH_DEPS=1 scripts/setup-deps).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${1:-build}"
build=$(cd "${1:-build}" && pwd)
duration=${DURATION:-8}
work=$(mktemp -d)
source bench/lib.sh
trap bench_cleanup EXIT
for tool in valgrind callgrind_control callgrind_annotate wrk nginx curl bc; do
  command -v "$tool" >/dev/null || { echo "profile: $tool missing" >&2; exit 1; }
done
cmake --build "$build" --target preflight preflight_bare_server -j2 >/dev/null
certs/gen-certs.sh "$work/certs" >/dev/null
review=$PWD/bench/reviews/realistic.json
callgrind=(valgrind --tool=callgrind "--callgrind-out-file=$work/cg.%p")

wait_up() {  # URL [curl args..]: up to 60 s, valgrind starts slowly
  for _ in $(seq 1 600); do curl -skf -o /dev/null "$@" && return 0; sleep 0.1; done
  echo "profile: $1 never answered" >&2; return 1
}

# Prints "instructions_per_request" for the server PID (running under callgrind) at URL.
measure() {  # PID URL GZIP(0|1)
  local pid=$1 url=$2 gzip=$3 out reqs file total handshake
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    [[ $gzip == 1 ]] && echo 'wrk.headers["Accept-Encoding"] = "gzip"'
    echo "local f = assert(io.open(\"$review\", \"rb\"))"
    echo 'wrk.body = f:read("*a")'
    echo 'f:close()'
  } >"$work/post.lua"
  callgrind_control -z "$pid" >/dev/null 2>&1
  out=$(wrk -t1 -c8 -d"${duration}s" -s "$work/post.lua" "$url")
  if grep -q "Non-2xx" <<<"$out"; then echo "profile: non-2xx answers from $url" >&2; return 1; fi
  callgrind_control -d "$pid" >/dev/null 2>&1
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  for _ in $(seq 1 50); do file=$(ls -t "$work/cg.$pid".* 2>/dev/null | head -1) && [[ -s $file ]] && break; sleep 0.1; done
  sleep 0.5  # the dump is written by the server's own thread
  total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  handshake=$(callgrind_annotate --inclusive=yes "$file" 2>/dev/null |
    awk '/:SSL_do_handshake / {gsub(",", "", $1); print $1; exit}')
  rm -f "$file"
  echo $(((total - ${handshake:-0}) / reqs))
}

declare -A ir
profile() {  # KEY PID URL
  ir[$1/plain]=$(measure "$2" "$3" 0)
  ir[$1/gzip]=$(measure "$2" "$3" 1)
  printf '  %-28s %9s %18s\n' "$1" "${ir[$1/plain]}" "${ir[$1/gzip]}"
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }

echo "instructions per request (user space, handshakes excluded), realistic review, wrk -c8 ${duration}s:"
printf '  %-28s %9s %18s\n' server plain "Accept-Encoding: gzip"

# nginx: one process (no master), same certificate, suites and fixed answer as bench/run.sh.
port=$(free_port)
mkdir -p "$work/nginx"
answer='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":true,"uid":"bench-realistic-0001"}}'
write_nginx_conf "$work" "$port" 1 "$answer"
"${callgrind[@]}" nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" \
  -g 'daemon off; master_process off;' 2>"$work/nginx.log" &
pid=$!; echo "$pid" >>"$work/pids"
wait_up "https://127.0.0.1:$port/validate" -X POST
profile "nginx (fixed answer)" "$pid" "https://127.0.0.1:$port/validate"
stop "$pid"

echo "$answer" >"$work/response.json"
port=$(free_port)
"${callgrind[@]}" "$build/bench/preflight_bare_server" "$work/certs/tls.crt" "$work/certs/tls.key" "$port" \
  "$work/response.json" 2>"$work/bare.log" &
pid=$!; echo "$pid" >>"$work/pids"
wait_up "https://127.0.0.1:$port/healthz"
profile "bare httplib (fixed answer)" "$pid" "https://127.0.0.1:$port/validate"
stop "$pid"

port=$(free_port); metrics_port=$(free_port)
"${callgrind[@]}" "$build/preflight" serve --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
  --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$metrics_port" \
  --cluster-snapshot bench/reviews/cluster.json 2>"$work/preflight.log" &
pid=$!; echo "$pid" >>"$work/pids"
wait_up "http://127.0.0.1:$metrics_port/readyz"
curl -sf --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' --data-binary @"$review" \
  "https://127.0.0.1:$port/validate" | grep -q '"allowed":true' ||
  { echo "profile: preflight did not allow the realistic review" >&2; exit 1; }
profile "preflight (realistic review)" "$pid" "https://127.0.0.1:$port/validate"
stop "$pid"

ratio() { echo "scale=1; $1 / $2" | bc; }
echo "ratios (plain / gzip): preflight/nginx $(ratio "${ir[preflight (realistic review)/plain]}" "${ir[nginx (fixed answer)/plain]}")" \
  "/ $(ratio "${ir[preflight (realistic review)/gzip]}" "${ir[nginx (fixed answer)/gzip]}")," \
  "preflight/bare $(ratio "${ir[preflight (realistic review)/plain]}" "${ir[bare httplib (fixed answer)/plain]}")" \
  "/ $(ratio "${ir[preflight (realistic review)/gzip]}" "${ir[bare httplib (fixed answer)/gzip]}")"
