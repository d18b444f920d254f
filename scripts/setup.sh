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

setup_node_modules
setup_policy_pack
setup_docker_engine
setup_toolchain
setup_base_image
setup_ferretdb
setup_traefik
setup_wattrex_wheels
setup_standin_images
setup_backend
step "done in $(( $(date +%s) - t0 ))s"
