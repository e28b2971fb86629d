#!/usr/bin/env bash
# How long an audit of N workloads takes (default 5000): generates a snapshot with N
# Deployments (a third referencing a Secret that does not exist) across 50 namespaces, then
#   1. times `preflight audit --cluster-snapshot` (load + audit + report), and
#   2. starts `preflight serve` on the same snapshot with audit.interval 1h and prints the
#      "audit finished" log line of the background audit (its duration_seconds is the audit only).
#
#   bench/audit.sh build/preflight [N]
set -euo pipefail
bin=${1:?usage: bench/audit.sh PATH/TO/preflight [N]}
n=${2:-5000}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$n" >"$work/snapshot.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print("apiVersion: v1\nkind: List\nitems:")
for ns in range(50):
    print(f"- {{apiVersion: v1, kind: Secret, metadata: {{name: app, namespace: ns{ns}}}, data: {{token: eA==}}}}")
    print(f"- {{apiVersion: v1, kind: ServiceAccount, metadata: {{name: default, namespace: ns{ns}}}}}")
for i in range(n):
    secret = "missing" if i % 3 == 0 else "app"
    print(f"""- apiVersion: apps/v1
  kind: Deployment
  metadata: {{name: app-{i}, namespace: ns{i % 50}}}
  spec:
    selector: {{matchLabels: {{app: app-{i}}}}}
    template:
      metadata: {{labels: {{app: app-{i}}}}}
      spec:
        containers:
        - name: server
          image: registry.example.com/app:1.{i % 7}
          args: ["--port", "8080"]
          env:
          - {{name: TOKEN, valueFrom: {{secretKeyRef: {{name: {secret}, key: token}}}}}}
          - {{name: MODE, value: production}}""")
PY

echo "== preflight audit --cluster-snapshot ($n Deployments)"
start=$(date +%s.%N)
"$bin" audit --cluster-snapshot "$work/snapshot.yaml" -o json >"$work/audit.json" || true
end=$(date +%s.%N)
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('workloads', d['summary']['workloads'], 'denied', d['summary']['denied'])" "$work/audit.json"
echo "wall: $(python3 -c "print(round($end - $start, 2))") s"

echo "== preflight serve: background audit"
bash "$here/certs/gen-certs.sh" "$work/certs" >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
printf 'audit:\n  interval: 1h\n' >"$work/policy.yaml"
: >"$work/serve.log"
"$bin" serve --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" --listen "127.0.0.1:$(port)" \
  --metrics-listen "127.0.0.1:$(port)" --config "$work/policy.yaml" --cluster-snapshot "$work/snapshot.yaml" \
  2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q '"audit finished"' "$work/serve.log" && break
  sleep 0.1
done
grep '"audit finished"' "$work/serve.log" || { echo "no audit log line"; tail "$work/serve.log"; exit 1; }
