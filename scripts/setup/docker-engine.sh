# Step: a Docker engine that answers. Sourced by scripts/setup.sh.
# Uses whatever engine DOCKER_HOST or the default socket points at; otherwise installs Debian's
# docker.io and starts dockerd in the background (no systemd on build hosts and containers).

docker_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

setup_docker_engine() {
  if docker_answers; then skip "docker engine ($(docker version --format '{{.Server.Version}}'))"; return; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || fail "docker engine" "no dockerd and no apt-get: install Docker yourself, or set DOCKER_HOST to an engine"
    step "docker engine: installing Debian's docker.io (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io; } >"$CACHE_DIR/apt-docker.log" 2>&1 \
      || fail "docker engine" "apt-get install docker.io failed (see $CACHE_DIR/apt-docker.log): check Debian's archive is reachable and you are root"
  fi
  step "docker engine: starting dockerd in the background (log: $CACHE_DIR/dockerd.log)"
  nohup dockerd >"$CACHE_DIR/dockerd.log" 2>&1 &
  local i
  for i in $(seq 1 60); do
    if docker_answers; then step "docker engine: up after ${i}s"; return; fi
    # dockerd exiting early means it will never answer: say so now rather than after a minute.
    kill -0 $! 2>/dev/null || fail "docker engine" "dockerd exited: $(tail -n 1 "$CACHE_DIR/dockerd.log")"
    sleep 1
  done
  fail "docker engine" "dockerd did not answer within 60s (see $CACHE_DIR/dockerd.log)"
}
