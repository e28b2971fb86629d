#!/usr/bin/env bash
# Keeps the monitoring files consistent:
#
#   tests/monitoring/check_rules_sync.sh [REPO_DIR]           check (CTest runs this)
#   tests/monitoring/check_rules_sync.sh --write [REPO_DIR]   regenerate the PrometheusRule
#
# - manifests/monitoring/prometheusrule.yaml is a PrometheusRule whose spec.groups equal the
#   groups of docs/monitoring/alerts.rules.yaml (compared as data, so they cannot drift);
# - charts/preflight/files/alerts.rules.yaml, which the chart's PrometheusRule embeds with
#   .Files.Get, is a byte-identical copy of docs/monitoring/alerts.rules.yaml (the rendered
#   chart is compared with both in tests/e2e/install, TestChartMonitoring);
# - manifests/monitoring/servicemonitor.yaml selects the preflight Service's `metrics` port in
#   preflight-system, and kustomization.yaml lists both;
# - every alert has summary, description and a runbook_url under docs/runbooks/ whose file
#   exists, names the alert and tells how to disable the webhook in an emergency; every
#   runbook belongs to an alert.
# Needs jq and yq (Debian's, a jq wrapper).
set -euo pipefail

write=0
if [[ ${1:-} == --write ]]; then write=1; shift; fi
repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
rules=$repo/docs/monitoring/alerts.rules.yaml
wrapped=$repo/manifests/monitoring/prometheusrule.yaml
chart_rules=$repo/charts/preflight/files/alerts.rules.yaml
monitor=$repo/manifests/monitoring/servicemonitor.yaml
kustomization=$repo/manifests/monitoring/kustomization.yaml
runbook_base=https://preflight.example/

if ((write)); then
  {
    cat <<'EOF'
# The alerts of docs/monitoring/alerts.rules.yaml as a PrometheusRule (Prometheus Operator).
# Generated: edit docs/monitoring/alerts.rules.yaml, then run
#   tests/monitoring/check_rules_sync.sh --write
# Prometheus Operator installs (kube-prometheus-stack) often select rules by a label such as
# `release: kube-prometheus-stack`: add it here or with kustomize (docs/monitoring.md).
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: preflight
  namespace: preflight-system
  labels:
    app.kubernetes.io/name: preflight
    app.kubernetes.io/component: monitoring
spec:
EOF
    sed -n '/^groups:/,$p' "$rules" | sed 's/^\(.\)/  \1/'
  } >"$wrapped"
  echo "wrote $wrapped"
  cp "$rules" "$chart_rules"
  echo "wrote $chart_rules"
fi

fail=0
err() { echo "check_rules_sync: $*" >&2; fail=1; }

# PrometheusRule == rule file.
yq -e '.apiVersion == "monitoring.coreos.com/v1" and .kind == "PrometheusRule"
       and .metadata.namespace == "preflight-system"
       and .metadata.labels["app.kubernetes.io/name"] == "preflight"' "$wrapped" >/dev/null ||
  err "$wrapped: not a PrometheusRule named in preflight-system with app.kubernetes.io/name: preflight"
if ! diff -u <(yq -S .groups "$rules") <(yq -S .spec.groups "$wrapped") >"${TMPDIR:-/tmp}/rules_sync.$$" 2>&1; then
  err "manifests/monitoring/prometheusrule.yaml differs from docs/monitoring/alerts.rules.yaml (run tests/monitoring/check_rules_sync.sh --write):"
  cat "${TMPDIR:-/tmp}/rules_sync.$$" >&2
fi
rm -f "${TMPDIR:-/tmp}/rules_sync.$$"
[[ $(yq '[.groups[].rules[]] | length' "$rules") -ge 9 ]] || err "fewer than 9 rules in $rules"
cmp -s "$rules" "$chart_rules" ||
  err "charts/preflight/files/alerts.rules.yaml differs from docs/monitoring/alerts.rules.yaml (run tests/monitoring/check_rules_sync.sh --write)"

# ServiceMonitor and kustomization.
yq -e '.apiVersion == "monitoring.coreos.com/v1" and .kind == "ServiceMonitor"
       and .metadata.namespace == "preflight-system"
       and .spec.selector.matchLabels["app.kubernetes.io/name"] == "preflight"
       and (.spec.namespaceSelector.matchNames | index("preflight-system") != null)
       and ([.spec.endpoints[] | select(.port == "metrics" and (.path // "/metrics") == "/metrics")] | length == 1)' \
  "$monitor" >/dev/null || err "$monitor: must select app.kubernetes.io/name: preflight in preflight-system, port metrics, /metrics"
yq -e '.kind == "Kustomization" and (.resources | sort == ["prometheusrule.yaml", "servicemonitor.yaml"])' \
  "$kustomization" >/dev/null || err "$kustomization: resources must be prometheusrule.yaml and servicemonitor.yaml"

# Annotations and runbooks.
referenced=" "
while IFS=$'\t' read -r alert summary description url; do
  [[ -n $summary && -n $description ]] || err "$alert: summary or description missing"
  if [[ $url != "${runbook_base}docs/runbooks/"*.md ]]; then
    err "$alert: runbook_url '$url' is not ${runbook_base}docs/runbooks/NAME.md"
    continue
  fi
  file=${url#"$runbook_base"}
  referenced+="$file "
  if [[ ! -f $repo/$file ]]; then
    err "$alert: $file does not exist"
    continue
  fi
  grep -q "$alert" "$repo/$file" || err "$file does not name $alert"
  grep -q 'kubectl delete validatingwebhookconfiguration preflight' "$repo/$file" ||
    err "$file does not say how to disable the webhook in an emergency"
done < <(yq -r '.groups[].rules[] | select(.alert) |
  [.alert, (.annotations.summary // ""), (.annotations.description // ""), (.annotations.runbook_url // "")] | @tsv' "$rules")
shopt -s nullglob
for f in "$repo"/docs/runbooks/*.md; do
  [[ $(basename "$f") == README.md ]] && continue
  [[ $referenced == *" docs/runbooks/$(basename "$f") "* ]] || err "docs/runbooks/$(basename "$f") belongs to no alert"
done

if ((fail)); then exit 1; fi
echo "check_rules_sync: OK"
