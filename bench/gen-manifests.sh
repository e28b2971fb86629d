#!/usr/bin/env bash
# Writes a realistic tree of Kubernetes manifests for the `preflight check` throughput benchmark
# (bench/check-speed.sh, docs/performance.md): N files (default 20000), one resource each,
# spread over 50 team folders (nested apps/ and jobs/ subfolders). Mix, per 10 files:
# 4 Deployments (2 containers, env with valueFrom secretKeyRef/configMapKeyRef, envFrom,
# probes, resources, volumes), 1 StatefulSet, 1 Job or CronJob, 2 Services, 1 ConfigMap,
# 1 Secret or ServiceAccount. References resolve within the tree; about 1 workload in 50 has
# a problem (a missing Secret key or an unrendered placeholder), as in a real repository.
# Pure bash (printf builtins, no process per file). Usage: bench/gen-manifests.sh DIR [N]
set -euo pipefail
out=${1:?usage: gen-manifests.sh DIR [N]}
n=${2:-20000}
mkdir -p "$out"

deployment() {  # file ns name kind(Deployment|StatefulSet) broken
  local f=$1 ns=$2 name=$3 kind=$4 broken=$5 model='"llama-3-8b"' key=api-key
  [[ $broken == 1 ]] && model='"{{ .Values.model }}"'
  [[ $broken == 2 ]] && key=api-kee
  printf '%s\n' \
"apiVersion: apps/v1" \
"kind: $kind" \
"metadata:" \
"  name: $name" \
"  namespace: $ns" \
"  labels:" \
"    app.kubernetes.io/name: $name" \
"    app.kubernetes.io/part-of: $ns" \
"  annotations:" \
"    preflight.wfgy.io/model-version: \"2.3.1\"" \
"spec:" \
"  replicas: 3" \
"  selector:" \
"    matchLabels:" \
"      app.kubernetes.io/name: $name" \
"  template:" \
"    metadata:" \
"      labels:" \
"        app.kubernetes.io/name: $name" \
"    spec:" \
"      serviceAccountName: $ns-runner" \
"      containers:" \
"        - name: server" \
"          image: registry.example.com/$ns/$name:1.4.2" \
"          args: [\"--port\", \"8080\", \"--model\", \"\$(MODEL_NAME)\"]" \
"          ports:" \
"            - containerPort: 8080" \
"              name: http" \
"          env:" \
"            - name: MODEL_NAME" \
"              value: $model" \
"            - name: API_KEY" \
"              valueFrom:" \
"                secretKeyRef:" \
"                  name: $ns-credentials" \
"                  key: $key" \
"            - name: LOG_LEVEL" \
"              valueFrom:" \
"                configMapKeyRef:" \
"                  name: $ns-settings" \
"                  key: log-level" \
"            - name: POD_NAME" \
"              valueFrom:" \
"                fieldRef:" \
"                  fieldPath: metadata.name" \
"          envFrom:" \
"            - configMapRef:" \
"                name: $ns-settings" \
"          resources:" \
"            requests: {cpu: 500m, memory: 1Gi}" \
"            limits: {memory: 2Gi}" \
"          readinessProbe:" \
"            httpGet: {path: /healthz, port: http}" \
"            periodSeconds: 5" \
"          volumeMounts:" \
"            - name: cache" \
"              mountPath: /cache" \
"        - name: metrics-sidecar" \
"          image: registry.example.com/tools/exporter:0.9.0" \
"          args: [\"--listen=:9100\"]" \
"          resources:" \
"            requests: {cpu: 50m, memory: 64Mi}" \
"      volumes:" \
"        - name: cache" \
"          emptyDir: {}" \
"        - name: settings" \
"          configMap:" \
"            name: $ns-settings" >"$f"
}

job() {  # file ns name cron
  local f=$1 ns=$2 name=$3 cron=$4 ind="" head
  if [[ $cron == 1 ]]; then
    head=$'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: '"$name"$'\n  namespace: '"$ns"$'\nspec:\n  schedule: "*/30 * * * *"\n  jobTemplate:\n    spec:'
    ind="    "
  else
    head=$'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: '"$name"$'\n  namespace: '"$ns"$'\nspec:'
  fi
  printf '%s\n' "$head" \
"$ind  backoffLimit: 2" \
"$ind  template:" \
"$ind    spec:" \
"$ind      restartPolicy: Never" \
"$ind      serviceAccountName: $ns-runner" \
"$ind      containers:" \
"$ind        - name: task" \
"$ind          image: registry.example.com/$ns/batch:2.0.1" \
"$ind          command: [\"sh\", \"-c\", \"echo start \${HOSTNAME}; run-task --out /data\"]" \
"$ind          env:" \
"$ind            - name: TOKEN" \
"$ind              valueFrom:" \
"$ind                secretKeyRef: {name: $ns-credentials, key: token}" >"$f"
}

service() {
  printf '%s\n' "apiVersion: v1" "kind: Service" "metadata:" "  name: $3" "  namespace: $2" \
    "spec:" "  selector:" "    app.kubernetes.io/name: $3" "  ports:" \
    "    - {name: http, port: 80, targetPort: http}" >"$1"
}

configmap() {
  printf '%s\n' "apiVersion: v1" "kind: ConfigMap" "metadata:" "  name: $2-settings" \
    "  namespace: $2" "data:" "  log-level: info" "  region: eu-west-1" "  settings.json: |" \
    "    {\"timeout\": 30, \"retries\": 3}" >"$1"
}

secret_or_sa() {
  if [[ $3 == 0 ]]; then
    printf '%s\n' "apiVersion: v1" "kind: Secret" "metadata:" "  name: $2-credentials" \
      "  namespace: $2" "type: Opaque" "stringData:" "  api-key: not-a-real-key" \
      "  token: not-a-real-token" >"$1"
  else
    printf '%s\n' "apiVersion: v1" "kind: ServiceAccount" "metadata:" "  name: $2-runner" \
      "  namespace: $2" >"$1"
  fi
}

for ((t = 0; t < 50; t++)); do mkdir -p "$out/team-$t/apps" "$out/team-$t/jobs"; done
for ((i = 0; i < n; i++)); do
  t=$((i % 50)) ns="team-$((i % 50))" slot=$((i / 50 % 10)) d="$out/team-$((i % 50))"
  broken=0
  ((i % 100 == 7)) && broken=1
  ((i % 100 == 57)) && broken=2
  case $slot in
    0 | 1 | 2 | 3) deployment "$d/apps/deploy-$i.yaml" "$ns" "svc-$i" Deployment "$broken" ;;
    4) deployment "$d/apps/sts-$i.yaml" "$ns" "db-$i" StatefulSet 0 ;;
    5) job "$d/jobs/job-$i.yaml" "$ns" "job-$i" $((i / 500 % 2)) ;;
    6 | 7) service "$d/apps/svc-$i.yaml" "$ns" "svc-$i" ;;
    8) configmap "$d/settings-$i.yaml" "$ns" ;;
    9) secret_or_sa "$d/identity-$i.yaml" "$ns" $((i / 500 % 2)) ;;
  esac
done
echo "wrote $n manifests under $out"
