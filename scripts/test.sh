#!/usr/bin/env bash
# Runs govirt's whole test suite: vet, the race-enabled tests, a short run of
# every fuzz target, and the conformance figures against libvirt's cases.
# FUZZTIME sets the time per fuzz target (default 10s; 0 skips fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
fuzztime=${FUZZTIME:-10s}

echo "== go vet"
go vet ./...

echo "== go test -race"
go test -race -count=1 ./...

if [ "$fuzztime" != "0" ]; then
  echo "== fuzz ($fuzztime per target)"
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
      echo "-- $pkg $target"
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
    done
  done
fi

echo "== conformance"
go run ./cmd/conformance -corpus ../shared/conformance/libvirt-9.0.0
