# Step: the policy pack's own node packages (policy/ is its own program, with its own lockfile).
# Sourced by scripts/setup.sh.
setup_policy_pack() {
  local dir="$ROOT/policy"
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    skip "policy pack packages"; return
  fi
  step "policy pack packages: npm ci in policy/"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || fail "policy pack packages" "npm ci in policy/ failed: check the npm registry is reachable"
}
