#!/usr/bin/env bash
# End-to-end tests: starts the real preflight binary over TLS and talks to it with Go's net/http
# and curl (tests/e2e/*_test.go, standard library only, nothing downloaded).
#
#   tests/e2e/run.sh PATH/TO/preflight [go test flags, e.g. -run TestMetrics]
#
# Go's cache and GOPATH live next to the binary (the build tree), so this works as root on a
# clean clone with HOME unset. Needs go (>= 1.19), curl, openssl and promtool.
set -euo pipefail

bin=${1:?usage: tests/e2e/run.sh PATH/TO/preflight [go test flags]}
shift
[[ -x $bin ]] || { echo "run.sh: $bin is not an executable" >&2; exit 2; }
command -v go >/dev/null || { echo "run.sh: go is not installed (apt-get install golang-go)" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=$(cd "$(dirname "$bin")" && pwd)
state=$bin_dir/e2e-go
mkdir -p "$state/cache" "$state/path" "$state/tmp"

export PREFLIGHT_BIN=$bin_dir/$(basename "$bin")
export PREFLIGHT_SOURCE_DIR=$(cd "$here/../.." && pwd)
export GOCACHE=$state/cache GOPATH=$state/path GOTMPDIR=$state/tmp
export GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on GOENV=off
export HOME=${HOME:-$state}

cd "$here"
exec go test -count=1 -v -timeout 300s "$@" ./...
