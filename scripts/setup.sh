#!/usr/bin/env bash
# npm run setup: everything the dev stack and the tests need, on a machine that reaches only the
# npm registry, the Go module proxy and Debian's archive. Idempotent: each step checks first and
# says "skipped" when already satisfied. A step that cannot succeed stops with one line naming it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
for f in "$ROOT"/scripts/setup/*.sh; do . "$f"; done
mkdir -p "$CACHE_DIR"
t0=$(date +%s)

setup_node_modules() {
  # npm ci when node_modules is missing or older than the lockfile.
  if [ -f "$ROOT/node_modules/.package-lock.json" ] && [ "$ROOT/node_modules/.package-lock.json" -nt "$ROOT/package-lock.json" ]; then
    skip "node packages"; return
  fi
  step "node packages: npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) || fail "node packages" "npm ci failed: check the npm registry is reachable"
}

setup_backend() {
  if [ -d "$BACKEND_DIR" ]; then skip "local state backend $BACKEND_DIR"; return; fi
  mkdir -p "$BACKEND_DIR"
  step "local state backend created at $BACKEND_DIR (git-ignored; dev passphrase '$DEV_PASSPHRASE')"
}

# Two lanes at once: the Go compiles (Pulumi's CLI, language host and plugins, FerretDB, Traefik:
# CPU-bound) beside the base image, the WattRex wheels and the stand-in images (mostly waiting on
# Debian's archive and PyPI). The first lane to fail stops the other, so a failing step is still
# one FAILED line; the two images that need a Go-built binary (mongo: FerretDB, traefik) follow.
GO_BUILT_IMAGES=(mongo traefik)
run_lanes() {
  ( setup_toolchain; setup_ferretdb; setup_traefik ) &
  local lanes=($!) finished status lane kids rest
  ( setup_base_image; setup_wattrex_wheels; setup_standin_images --except "${GO_BUILT_IMAGES[@]}" ) &
  lanes+=($!)
  while [ ${#lanes[@]} -gt 0 ]; do
    status=0
    wait -n -p finished "${lanes[@]}" || status=$?
    rest=()
    for lane in "${lanes[@]}"; do [ "$lane" = "$finished" ] || rest+=("$lane"); done
    lanes=("${rest[@]}")
    [ "$status" -eq 0 ] && continue
    # The lane that failed said why; stop the other before it can say anything (its children
    # collected first, then the lane, so no killed build reports a failure of its own).
    for lane in "${lanes[@]}"; do
      kids=$(pgrep -P "$lane" || true)
      kill "$lane" 2>/dev/null || true
      [ -z "$kids" ] || kill $kids 2>/dev/null || true
    done
    wait 2>/dev/null || true
    exit 1
  done
}

setup_node_modules
setup_policy_pack
setup_docker_engine
run_lanes
setup_standin_images --only "${GO_BUILT_IMAGES[@]}"
setup_backend
step "done in $(( $(date +%s) - t0 ))s"
