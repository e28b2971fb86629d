#!/usr/bin/env bash
# `preflight check` throughput: resources per second on one core, against the 20,000/s target
# of issue #8 (docs/performance.md, "preflight check throughput").
#   bench/check-speed.sh [BINARY] [N]     defaults: build/preflight, 20000 manifests
# Generates the tree with bench/gen-manifests.sh (kept in $TMPDIR between runs), runs
# `taskset -c 0 preflight check -f TREE -o json` RUNS times (default 3) and reports the best
# run. The rate uses CPU time (user + sys) as well as wall time: on a shared machine other
# processes on core 0 stretch the wall time, not the CPU time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/preflight}
n=${2:-20000}
runs=${RUNS:-3}
target=20000
tree=${TMPDIR:-/tmp}/preflight-bench-tree-$n
if [[ ! -f $tree/.complete ]]; then
  rm -rf "$tree"
  "$here/gen-manifests.sh" "$tree" "$n" >/dev/null
  touch "$tree/.complete"
fi
resources=$(grep -rh '^kind:' "$tree" | wc -l)
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

best_cpu="" best_wall=""
for ((r = 1; r <= runs; r++)); do
  TIMEFORMAT='%R %U %S'
  t=$({ time "${pin[@]}" "$bin" check -f "$tree" -o json >/dev/null 2>&1 || [[ $? == 1 ]]; } 2>&1)
  read -r wall user sys <<<"$t"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
  echo "run $r: wall ${wall}s, cpu ${cpu}s"
  if [[ -z $best_cpu ]] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
    best_cpu=$cpu
  fi
  if [[ -z $best_wall ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
    best_wall=$wall
  fi
done
awk -v n="$resources" -v c="$best_cpu" -v w="$best_wall" -v t="$target" 'BEGIN {
  printf "resources: %d\n", n
  printf "cpu time:  %.2fs -> %.0f resources/s (%.2f x the %d/s target)\n", c, n / c, n / c / t, t
  printf "wall time: %.2fs -> %.0f resources/s (%.2f x the target)\n", w, n / w, n / w / t
}'
