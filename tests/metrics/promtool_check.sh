#!/bin/sh
# Checks a file of Prometheus text exposition with `promtool check metrics`.
#
# Usage: promtool_check.sh FILE
# Exit: 0 when promtool parses the file and prints nothing but allowed lint lines;
#       1 on a parse error or any other lint line (printed); 2 on usage errors;
#       77 when promtool is not installed (a "skipped" code for test runners).
#
# Allowed: only the counter-naming lint for a counter whose name CONTRACT.md fixes (stable
# names cannot be renamed to please the linter). Every CONTRACT counter ends in _total today,
# so nothing is actually filtered; the list is here so that stays a deliberate choice.
set -u

CONTRACT_COUNTERS="preflight_admission_requests_total preflight_findings_total
preflight_overrides_total preflight_kube_api_requests_total preflight_policy_reloads_total
process_cpu_seconds_total"

if [ $# -ne 1 ] || [ ! -r "$1" ]; then
  echo "usage: $0 FILE (a readable file of exposition text)" >&2
  exit 2
fi
promtool=${PROMTOOL:-promtool}
if ! command -v "$promtool" >/dev/null 2>&1; then
  echo "promtool not found" >&2
  exit 77
fi

output=$("$promtool" check metrics <"$1" 2>&1)
status=$?

unexpected=$(printf '%s\n' "$output" | while IFS= read -r line; do
  [ -z "$line" ] && continue
  name=${line%% *}
  message=${line#* }
  allowed=no
  if [ "$message" = 'counter metrics should have "_total" suffix' ]; then
    for counter in $CONTRACT_COUNTERS; do
      [ "$name" = "$counter" ] && allowed=yes
    done
  fi
  [ "$allowed" = no ] && printf '%s\n' "$line"
done)

if [ -n "$unexpected" ]; then
  printf '%s\n' "$unexpected"
  exit 1
fi
if [ "$status" -ne 0 ] && [ -z "$output" ]; then
  echo "promtool check metrics failed with status $status and no message"
  exit 1
fi
exit 0
