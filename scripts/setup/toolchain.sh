# Step: the pinned Pulumi CLI, our Node.js language host, and the docker and random provider
# plugins, built through the Go module proxy and cached by version. Sourced by scripts/setup.sh.

# pinned_pulumi_ok: the CLI on the project's PATH is the pinned version.
pinned_pulumi_ok() { [ -x "$PULUMI_BIN_DIR/pulumi" ] && [ "$("$PULUMI_BIN_DIR/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; }

# source_hash PATH...: one hash over the files that decide what a build produces (our Go
# sources, go.mod/go.sum, the build scripts), so a changed source rebuilds on a warm machine.
# Paths are hashed relative to the repo, so another checkout of the same sources (CI's fresh
# clone) finds the binaries of this one.
source_hash() {
  local rel=() p
  for p in "$@"; do rel+=("${p#"$ROOT"/}"); done
  (cd "$ROOT" && find "${rel[@]}" -type f ! -name '*.md' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

# build_once NAME DIR BINARY SCRIPT [SOURCES...]: run SCRIPT DIR unless DIR/BINARY exists and
# was built from the same sources (a stamp beside it holds their hash). The script builds into
# a temporary directory copied in at the end, so an interrupted build never leaves a
# half-written binary that the next run would take for a finished one.
build_once() {
  local name=$1 dir=$2 bin=$3 script=$4 t0 hash
  shift 4
  hash=$(source_hash "$script" "$ROOT/scripts/toolchain" "$@")
  if [ -x "$dir/$bin" ] && [ "$(cat "$dir/.$bin.stamp" 2>/dev/null)" = "$hash" ]; then skip "$name"; return; fi
  go_env "$name"
  t0=$(date +%s)
  step "$name: building from the Go module proxy (cold: several minutes on 2 cores)"
  rm -rf "$dir.partial"; mkdir -p "$dir.partial"
  bash "$script" "$dir.partial" || exit 1
  [ -x "$dir.partial/$bin" ] || fail "$name" "$script did not produce $bin"
  install_files "$dir.partial" "$dir"
  rm -rf "$dir.partial"
  echo "$hash" > "$dir/.$bin.stamp"
  step "$name: built in $(( $(date +%s) - t0 ))s"
}

# Each file is copied beside its target and renamed over it: a binary another process is running
# (a language host of a concurrent deployment) cannot be overwritten in place ("Text file busy"),
# but it can be replaced, and the running process keeps its old copy.
install_files() {
  local from=$1 to=$2 f base
  mkdir -p "$to"
  for f in "$from"/* "$from"/.[!.]*; do
    [ -f "$f" ] || continue
    base=$(basename "$f")
    cp -a "$f" "$to/.$base.new" && mv -f "$to/.$base.new" "$to/$base" || fail "install $base" "could not write $to/$base"
  done
}

setup_toolchain() {
  if [ -n "${APPSTACKS_USE_SYSTEM_PULUMI:-}" ]; then
    command -v pulumi >/dev/null 2>&1 || fail "pulumi" "APPSTACKS_USE_SYSTEM_PULUMI is set but no pulumi is on PATH"
    skip "pulumi build (APPSTACKS_USE_SYSTEM_PULUMI set: using $(command -v pulumi), $(pulumi version))"
    return
  fi
  if pinned_pulumi_ok; then skip "pulumi CLI v$PULUMI_VERSION"; else
    build_once "pulumi CLI v$PULUMI_VERSION" "$PULUMI_BIN_DIR" pulumi "$ROOT/scripts/toolchain/build-pulumi-cli.sh"
  fi
  # The CLI looks for language hosts beside its own binary, so ours shares its directory.
  build_once "nodejs language host" "$PULUMI_BIN_DIR" pulumi-language-nodejs "$ROOT/scripts/toolchain/build-language-host.sh" "$ROOT/toolchain/language-nodejs"
  build_once "docker provider v$DOCKER_PROVIDER_VERSION" "$DOCKER_PROVIDER_DIR" pulumi-resource-docker "$ROOT/scripts/toolchain/build-provider-docker.sh" "$ROOT/toolchain/provider-docker"
  build_once "random provider v$RANDOM_PROVIDER_VERSION" "$RANDOM_PROVIDER_DIR" pulumi-resource-random "$ROOT/scripts/toolchain/build-provider-random.sh" "$ROOT/toolchain/provider-random"
  install_plugin docker "$DOCKER_PROVIDER_VERSION" "$DOCKER_PROVIDER_DIR/pulumi-resource-docker"
  install_plugin random "$RANDOM_PROVIDER_VERSION" "$RANDOM_PROVIDER_DIR/pulumi-resource-random"
}

# install_plugin NAME VERSION BINARY: into Pulumi's plugin cache ($PULUMI_HOME/plugins), where
# the engine looks for the exact version the SDK asks for; a binary found on PATH instead would
# be used with a warning on every run. Reinstalled when the binary changed.
install_plugin() {
  local name=$1 version=$2 bin=$3 home="${PULUMI_HOME:-$HOME/.pulumi}"
  local installed="$home/plugins/resource-$name-v$version/pulumi-resource-$name"
  if cmp -s "$bin" "$installed"; then skip "$name plugin v$version in $home/plugins"; return; fi
  "$PULUMI_BIN_DIR/pulumi" plugin install resource "$name" "$version" --file "$bin" --reinstall >/dev/null \
    || fail "$name plugin install" "pulumi plugin install failed: check $home is writable"
  step "$name plugin v$version installed in $home/plugins"
}
