#!/usr/bin/env bash
# pre-commit hook: `preflight check` on the staged manifests and prompt files. Install:
#   cp docs/ci/pre-commit-hook.sh .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
# Settings (environment or `git config`):
#   PREFLIGHT           the binary (default: preflight on PATH)
#   PREFLIGHT_CONFIG    policy file (default: preflight/policy.yaml when it exists)
#   PREFLIGHT_SNAPSHOT  cluster snapshot (default: preflight/cluster-snapshot.yaml when it exists)
#   PREFLIGHT_PROMPTS   prompt folder: staged files under it are linted (default: prompts/)
#   PREFLIGHT_MANIFESTS folders holding Kubernetes manifests, space separated: staged *.yaml,
#                       *.yml, *.json under them are checked (default: "deploy/ k8s/ manifests/";
#                       other YAML, such as workflows or Helm values, is not a manifest)
# Skip once with `git commit --no-verify`. Staged content is checked, not the working tree.
set -euo pipefail
bin=${PREFLIGHT:-preflight}
config=${PREFLIGHT_CONFIG:-preflight/policy.yaml}
snapshot=${PREFLIGHT_SNAPSHOT:-preflight/cluster-snapshot.yaml}
prompts=${PREFLIGHT_PROMPTS:-prompts/}
read -r -a manifest_dirs <<<"${PREFLIGHT_MANIFESTS:-deploy/ k8s/ manifests/}"
command -v "$bin" >/dev/null || { echo "pre-commit: $bin not found; skipping preflight" >&2; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=()
while IFS= read -r -d '' f; do
  mkdir -p "$tmp/$(dirname "$f")"
  git show ":$f" >"$tmp/$f"  # the staged version
  if [[ $f == "$prompts"* ]]; then
    args+=(--prompts "$f")
  elif [[ $f == *.yaml || $f == *.yml || $f == *.json ]]; then
    for d in "${manifest_dirs[@]}"; do
      if [[ $f == "$d"* ]]; then
        args+=(-f "$f")
        break
      fi
    done
  fi
done < <(git diff --cached --name-only --diff-filter=ACM -z)
[[ ${#args[@]} -eq 0 ]] && exit 0
[[ $config == /* ]] || config=$PWD/$config
[[ $snapshot == /* ]] || snapshot=$PWD/$snapshot
[[ -f $config ]] && args+=(--config "$config")
[[ -f $snapshot ]] && args+=(--cluster-snapshot "$snapshot")
cd "$tmp"  # findings name the repository paths
"$bin" check "${args[@]}"
