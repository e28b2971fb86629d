#!/usr/bin/env bash
# Static checks of the Grafana dashboard and the alert rules (no server needed):
#
#   tests/monitoring/check_dashboard.sh [REPO_DIR]
#
# - charts/preflight/dashboards/preflight.json parses, has a `datasource` variable of type
#   datasource (prometheus), and every panel and target uses it;
# - every target has an expression; its $variables are Grafana built-ins or the dashboard's own;
# - the metric names in panel and alert expressions are the CONTRACT's (plus `up`);
# - every CONTRACT preflight_* metric appears on some panel;
# - the latency panel shows the 5 s webhook timeout as a threshold line;
# - every expression (variables substituted) is valid PromQL: `promtool check rules` on a
#   temporary rule file with one recording rule per expression.
# tests/e2e/monitoring runs the same expressions against a real Prometheus.
# Needs jq, yq (Debian's, a jq wrapper) and promtool.
set -euo pipefail

repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
dashboard=$repo/charts/preflight/dashboards/preflight.json
rules=$repo/docs/monitoring/alerts.rules.yaml
for tool in jq yq promtool; do
  command -v "$tool" >/dev/null || { echo "check_dashboard: $tool is not installed" >&2; exit 2; }
done

fail=0
err() { echo "check_dashboard: $*" >&2; fail=1; }

# The CONTRACT's metric names (CONTRACT.md, "Metrics"; docs/metrics.md documents each).
contract=(
  preflight_admission_requests_total preflight_admission_duration_seconds preflight_findings_total
  preflight_overrides_total preflight_cluster_cache_synced preflight_cluster_cache_objects
  preflight_kube_api_requests_total preflight_policy_reloads_total
  preflight_tls_certificate_expiry_timestamp_seconds preflight_audit_findings preflight_build_info
  process_resident_memory_bytes process_cpu_seconds_total process_open_fds process_start_time_seconds
)
for m in "${contract[@]}"; do
  grep -q "\`$m\`" "$repo/docs/metrics.md" || err "docs/metrics.md does not document $m"
done
allowed=" up ${contract[*]} preflight_admission_duration_seconds_bucket preflight_admission_duration_seconds_sum preflight_admission_duration_seconds_count "

jq -e . "$dashboard" >/dev/null || { echo "check_dashboard: $dashboard is not valid JSON" >&2; exit 1; }

# Structure: datasource variable, schema version, datasource on every panel and target.
jq -e '.schemaVersion >= 36' "$dashboard" >/dev/null || err "schemaVersion missing or < 36"
jq -e '[.templating.list[] | select(.name == "datasource" and .type == "datasource" and .query == "prometheus")] | length == 1' \
  "$dashboard" >/dev/null || err "no template variable datasource (type datasource, query prometheus)"
while IFS= read -r line; do err "$line"; done < <(jq -r '
  .panels[] | . as $p
  | (if ($p.datasource.uid // "") != "${datasource}" or $p.datasource.type != "prometheus"
     then "panel \"\($p.title)\": datasource is not the $datasource variable" else empty end),
    (if (($p.targets // []) | length) == 0 then "panel \"\($p.title)\": no targets" else empty end),
    ($p.targets[]? | select((.datasource.uid // "") != "${datasource}" or ((.expr // "") | length) == 0)
      | "panel \"\($p.title)\" target \(.refId): no $datasource or no expr")' "$dashboard")

# Variables: Grafana built-ins or the dashboard's own.
vars=" __rate_interval __interval __range $(jq -r '[.templating.list[].name] | join(" ")' "$dashboard") "
while IFS= read -r v; do
  [[ $vars == *" $v "* ]] || err "unknown variable \$$v in a panel expression"
done < <(jq -r '.panels[].targets[].expr | scan("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)") | .[0]' "$dashboard" | sort -u)

# Metric names: strip strings, label matchers, ranges, grouping clauses and offsets, then every
# identifier not followed by "(" and not a keyword is a metric name.
names_jq='
  gsub("\"(\\\\.|[^\"\\\\])*\""; "") | gsub("\\{[^}]*\\}"; "") | gsub("\\[[^\\]]*\\]"; "")
  | gsub("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)"; "")
  | gsub("\\boffset\\s+-?[0-9a-z]+"; "")
  | [scan("(?<![\\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*(?!\\s*[(\\w])")]
  | map(select(IN("and", "or", "unless", "bool", "inf", "nan", "Inf", "NaN") | not)) | .[]'
dash_exprs=$(jq -c '[.panels[].targets[].expr]' "$dashboard")
rule_exprs=$(yq -c '[.groups[].rules[].expr]' "$rules")
used_on_panels=" "
for m in $(jq -r ".[] | $names_jq" <<<"$dash_exprs" | sort -u); do
  used_on_panels+="$m "
  [[ $allowed == *" $m "* ]] || err "dashboard uses $m, which is not a CONTRACT metric"
done
for m in $(jq -r ".[] | $names_jq" <<<"$rule_exprs" | sort -u); do
  [[ $allowed == *" $m "* ]] || err "alert rules use $m, which is not a CONTRACT metric"
done
for m in "${contract[@]}"; do
  [[ $m == process_* ]] && continue
  [[ $m == preflight_admission_duration_seconds ]] && m=${m}_bucket
  [[ $used_on_panels == *" $m "* ]] || err "no panel shows $m"
done

# The webhook timeout (5 s) as a threshold line on the latency panel.
jq -e '[.panels[] | select(.title | test("latency"; "i"))
        | select(.fieldConfig.defaults.custom.thresholdsStyle.mode | test("line"))
        | select([.fieldConfig.defaults.thresholds.steps[].value] | index(5))] | length == 1' \
  "$dashboard" >/dev/null || err "the latency panel has no threshold line at the 5 s webhook timeout"

# PromQL validity: one recording rule per expression, variables substituted as Grafana would.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jq -r '.panels[] | .id as $id | .targets[] | "\($id) \(.refId) \(.expr | @json)"' "$dashboard" |
  while read -r id ref expr; do
    expr=$(jq -r . <<<"$expr")
    expr=${expr//\$__rate_interval/1m}
    expr=${expr//\$__interval/15s}
    expr=${expr//\$__range/1h}
    expr=${expr//\$job/preflight}
    expr=${expr//\$namespace/.*}
    printf '      - record: dashboard:panel_%s_%s\n        expr: %s\n' "$id" "$ref" "$(jq -Rn --arg e "$expr" '$e')"
  done >"$tmp/body"
{ printf 'groups:\n  - name: dashboard\n    rules:\n'; cat "$tmp/body"; } >"$tmp/dashboard.rules.yaml"
if ! out=$(promtool check rules "$tmp/dashboard.rules.yaml" 2>&1); then
  err "a panel expression is not valid PromQL:"$'\n'"$out"
fi

if ((fail)); then exit 1; fi
echo "check_dashboard: OK ($(jq '[.panels[].targets[]] | length' "$dashboard") panel expressions, $(jq length <<<"$rule_exprs") alert expressions)"
