# Step: the pinned Pulumi CLI, our Node.js language host, and the docker and random provider
# plugins, built through the Go module proxy and cached by version. Sourced by scripts/setup.sh.

# pinned_pulumi_ok: the CLI on the project's PATH is the pinned version.
pinned_pulumi_ok() { [ -x "$PULUMI_BIN_DIR/pulumi" ] && [ "$("$PULUMI_BIN_DIR/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; }

require_go() {
  command -v go >/dev/null 2>&1 || fail "$1" "Go is not installed: install Go >= 1.24 (or set APPSTACKS_USE_SYSTEM_PULUMI=1 to use your own pulumi and plugins)"
}

# build_once NAME DIR BINARY SCRIPT: run SCRIPT DIR unless DIR/BINARY exists. The script builds
# into a temporary directory that is renamed at the end, so an interrupted build never leaves a
# half-written binary that the next run would take for a finished one.
build_once() {
  local name=$1 dir=$2 bin=$3 script=$4 t0
  if [ -x "$dir/$bin" ]; then skip "$name"; return; fi
  require_go "$name"
  t0=$(date +%s)
  step "$name: building from the Go module proxy (cold: several minutes on 2 cores)"
  rm -rf "$dir.partial"; mkdir -p "$dir.partial"
  bash "$script" "$dir.partial" || exit 1
  [ -x "$dir.partial/$bin" ] || fail "$name" "$script did not produce $bin"
  cp -a "$dir.partial/." "$dir/" 2>/dev/null || { mkdir -p "$dir" && cp -a "$dir.partial/." "$dir/"; }
  rm -rf "$dir.partial"
  step "$name: built in $(( $(date +%s) - t0 ))s"
}

setup_toolchain() {
  if [ -n "${APPSTACKS_USE_SYSTEM_PULUMI:-}" ]; then
    command -v pulumi >/dev/null 2>&1 || fail "pulumi" "APPSTACKS_USE_SYSTEM_PULUMI is set but no pulumi is on PATH"
    skip "pulumi build (APPSTACKS_USE_SYSTEM_PULUMI set: using $(command -v pulumi), $(pulumi version))"
    return
  fi
  export GOFLAGS="${GOFLAGS:--mod=mod}" GOSUMDB="${GOSUMDB:-off}" CGO_ENABLED=0
  if pinned_pulumi_ok; then skip "pulumi CLI v$PULUMI_VERSION"; else
    build_once "pulumi CLI v$PULUMI_VERSION" "$PULUMI_BIN_DIR" pulumi "$ROOT/scripts/toolchain/build-pulumi-cli.sh"
  fi
  # The CLI looks for language hosts beside its own binary, so ours shares its directory.
  build_once "nodejs language host" "$PULUMI_BIN_DIR" pulumi-language-nodejs "$ROOT/scripts/toolchain/build-language-host.sh"
  build_once "docker provider v$DOCKER_PROVIDER_VERSION" "$DOCKER_PROVIDER_DIR" pulumi-resource-docker "$ROOT/scripts/toolchain/build-provider-docker.sh"
  build_once "random provider v$RANDOM_PROVIDER_VERSION" "$RANDOM_PROVIDER_DIR" pulumi-resource-random "$ROOT/scripts/toolchain/build-provider-random.sh"
}
