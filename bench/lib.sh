# Helpers shared by the bench/ scripts (sourced, not run). The caller sets `work` (a temp dir
# it removes) and `build` (the build tree, an absolute path), and calls bench_cleanup from its EXIT trap.
#
#   bench_go_build PKG_DIR OUT        build a Go main package offline (stdlib only)
#   free_port                         print a free TCP port on 127.0.0.1
#   start_fakeapi NAME FAKEAPI_ARGS.. start the fake API server; writes $work/NAME-kubeconfig
#   start_preflight NAME ARGS..       start `preflight serve` with $work/certs; sets
#                                     preflight_pid, tls_port, metrics_port; waits for /readyz
#   metric_sum URL NAME               sum of all samples of metric NAME at URL
#   rss_bytes PID                     resident set size of PID

bench_cleanup() {
  [[ -f $work/pids ]] && xargs -r kill <"$work/pids" 2>/dev/null || true
  sleep 0.2
  rm -rf "$work"
}

bench_go_build() {
  local dir=$1 out=$2
  (cd "$dir" && GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on GOENV=off \
    GOCACHE=$build/e2e-go/cache GOPATH=$build/e2e-go/path go build -o "$out" .)
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# Servers are started in the caller's shell (not a subshell) so their pids land in $work/pids.
start_fakeapi() {
  local name=$1; shift
  local api_port
  api_port=$(free_port)
  "$work/fakeapi" --listen "127.0.0.1:$api_port" --ca-out "$work/$name-ca.pem" --token bench "$@" \
    >"$work/$name-fake.log" 2>&1 &
  echo $! >>"$work/pids"
  # Generating 75,000 objects takes the fake API server a while on a busy machine.
  for _ in $(seq 1 3000); do [[ -s $work/$name-ca.pem ]] && curl -skf -o /dev/null -H 'Authorization: Bearer bench' \
    "https://127.0.0.1:$api_port/api/v1/nodes?limit=1" && break; sleep 0.1; done
  [[ -s $work/$name-ca.pem ]] || { echo "bench: the fake API server did not start" >&2; return 1; }
  cat >"$work/$name-kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: "https://127.0.0.1:$api_port", certificate-authority-data: "$(base64 -w0 <"$work/$name-ca.pem")"}}]
users: [{name: bench, user: {token: bench}}]
contexts: [{name: fake, context: {cluster: fake, user: bench}}]
current-context: fake
KC
}

start_preflight() {
  local name=$1; shift
  tls_port=$(free_port); metrics_port=$(free_port)
  ${PREFLIGHT_PREFIX:-} "$build/preflight" serve --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
    --listen "127.0.0.1:$tls_port" --metrics-listen "127.0.0.1:$metrics_port" "$@" \
    >"$work/$name-preflight.log" 2>&1 &
  preflight_pid=$!
  echo "$preflight_pid" >>"$work/pids"
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "http://127.0.0.1:$metrics_port/readyz" && return 0
    kill -0 "$preflight_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: preflight ($name) never became ready" >&2
  tail -5 "$work/$name-preflight.log" >&2
  return 1
}

metric_sum() {
  curl -sf "$1" | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d\n", s }'
}

# write_nginx_conf WORK PORT WORKERS ANSWER: WORK/nginx/nginx.conf for nginx serving ANSWER (a
# fixed AdmissionReview response) on POST /validate over TLS with WORK/certs, preflight's TLS
# settings (TLS >= 1.2, its AEAD suites) and keep-alive; run as the current user.
write_nginx_conf() {
  local work=$1 port=$2 workers=$3 answer=$4 user_line=""
  [[ $(id -u) -eq 0 ]] && user_line="user $(id -un);" # as root nginx would drop to nobody
  cat >"$work/nginx/nginx.conf" <<CONF
$user_line
worker_processes $workers;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  keepalive_requests 10000000; keepalive_timeout 120s;
  client_max_body_size 3m; client_body_buffer_size 128k;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $work/certs/tls.crt; ssl_certificate_key $work/certs/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_prefer_server_ciphers on;
    location = /validate { default_type application/json; return 200 '$answer'; }
  }
}
CONF
}

rss_bytes() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$1/status"; }
