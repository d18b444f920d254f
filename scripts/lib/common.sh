# Shared helpers and locations for the project's scripts. Sourced, never run.
# Everything the scripts build or cache lives outside the repo, keyed by version, so a warm
# machine skips the work and a clean checkout never carries binaries.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${APPSTACKS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstacks}"

# Pinned versions: the CLI and language host match @pulumi/pulumi in package.json; the
# provider plugins report the versions of @pulumi/docker and @pulumi/random.
PULUMI_VERSION="3.248.0"
DOCKER_PROVIDER_VERSION="5.2.0"
RANDOM_PROVIDER_VERSION="4.21.1"
BASE_IMAGE="appstacks/base:bookworm"

PULUMI_BIN_DIR="$CACHE_DIR/pulumi-v$PULUMI_VERSION"
DOCKER_PROVIDER_DIR="$CACHE_DIR/pulumi-resource-docker-v$DOCKER_PROVIDER_VERSION"
RANDOM_PROVIDER_DIR="$CACHE_DIR/pulumi-resource-random-v$RANDOM_PROVIDER_VERSION"

# The dev stack's local backend and passphrase: documented in docs/setup.md, never a real secret.
BACKEND_DIR="$ROOT/.pulumi-backend"
DEV_PASSPHRASE="appstacks-dev"

step()  { printf '[setup] %s\n' "$*"; }
skip()  { printf '[setup] %s: already satisfied, skipped\n' "$*"; }
# fail STEP WHAT-TO-DO: one line, non-zero exit.
fail()  { printf '[setup] FAILED %s: %s\n' "$1" "$2" >&2; exit 1; }

# go_env STEP: the Go toolchain every build script uses, or one FAILED line naming STEP. The
# Pulumi modules and our toolchain/ sources declare go 1.25.11. GOSUMDB is off because the
# checksum database is not reachable here; go.sum files still pin every module's hash.
go_env() {
  command -v go >/dev/null 2>&1 \
    || fail "$1" "Go is not installed: install Go >= 1.25 (or set APPSTACKS_USE_SYSTEM_PULUMI=1 to use your own pulumi and plugins)"
  export GOFLAGS="${GOFLAGS:--mod=mod}" GOSUMDB="${GOSUMDB:-off}" CGO_ENABLED=0
}

# module_source STEP MODULE VERSION SUM DIR LOG: a writable copy of a module from the Go module
# proxy in DIR/src, its zip's hash checked against SUM (the checksum database is unreachable, so
# builds pin it), for a program built inside its own module (one with `replace` lines, or a file
# its release tooling generates); or one FAILED line naming STEP.
module_source() {
  local step=$1 module=$2 version=$3 want=$4 dir=$5 log=$6 info src sum
  info=$(go mod download -json "$module@$version" 2>"$log") \
    || fail "$step" "go mod download failed (see $log): check the Go module proxy is reachable"
  src=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  sum=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",$/\1/p')
  [ "$sum" = "$want" ] || fail "$step" "module hash $sum is not the pinned $want"
  rm -rf "$dir" && mkdir -p "$dir" && cp -r "$src" "$dir/src" && chmod -R u+w "$dir/src"
}

# A file backend in DIR, without the metadata sidecars the storage library writes beside every
# object (`<stack>.json.attrs`: content type and checksum, which Pulumi never reads). Each
# checkpoint write truncates the stack's sidecar and then writes it; a pulumi killed between the
# two left it empty, and every later command on the stack failed with "failed to load
# checkpoint: EOF". The checkpoint itself is written to a temporary file and renamed, so a kill
# cannot tear it. support/backend.ts is the same rule for the tests and the benchmark.
file_backend_url() { printf 'file://%s?metadata=skip' "$1"; }

# The environment every pulumi invocation of the project runs with: pinned binaries first on
# PATH, the local file backend, the dev passphrase unless the caller set one, and no update check
# (it cannot work offline and only slows things down).
pulumi_env() {
  if [ -z "${APPSTACKS_USE_SYSTEM_PULUMI:-}" ]; then
    # Provider plugins are installed in Pulumi's plugin cache by setup, not put on PATH; a
    # download attempt could only fail here, so fail fast instead.
    export PATH="$PULUMI_BIN_DIR:$PATH"
    export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  fi
  mkdir -p "$BACKEND_DIR"
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-$(file_backend_url "$BACKEND_DIR")}"
  if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    export PULUMI_CONFIG_PASSPHRASE="$DEV_PASSPHRASE"
  fi
  export PULUMI_SKIP_UPDATE_CHECK=true
  # The program is type-checked by `npm test`, `npm run build` and the pull-request workflow;
  # checking it again in every preview and up cost 5 s of a 9 s preview of dev. The program is
  # started through program.js (a transpile cache, no ts-node), the test programs through ts-node
  # with swc (tsconfig.json's ts-node options), which only transpiles: ts-node refuses false here;
  # type-check with `npm run build`.
  export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
  # Pulumi runs 4 operations per core at once (8 here); a container's create holds its slot
  # until the container is healthy, seconds spent waiting, not computing. 64 is compose's own
  # limit (COMPOSE_PARALLEL_LIMIT): 50 services deployed in 20.7 s instead of 26.1 s. The tests
  # and the bench inherit this environment (the Automation API passes it to the CLI).
  export PULUMI_PARALLEL="${PULUMI_PARALLEL:-64}"
}
