# Bench-only tools, installed by `npm run bench` (never by setup or npm test): docker-compose
# from Debian (bookworm ships the Python v1, 1.29), the baseline the seeds deployed with. The
# load generator (autocannon) is a pinned npm devDependency, so `npm ci` already brought it.
setup_bench_tools() {
  if command -v docker-compose >/dev/null 2>&1; then skip "bench tools: $(docker-compose version --short 2>/dev/null || echo docker-compose)"; return; fi
  command -v apt-get >/dev/null 2>&1 || fail "bench tools" "docker-compose is not installed and apt-get is missing: install docker-compose 1.29"
  step "bench tools: apt-get install docker-compose"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-compose; } >"$CACHE_DIR/bench-tools.log" 2>&1 \
    || fail "bench tools" "apt-get install docker-compose failed (see $CACHE_DIR/bench-tools.log): check Debian's archive is reachable"
}
