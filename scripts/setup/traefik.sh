# Step: the Traefik binary of the front proxy image (images/traefik). Sourced by scripts/setup.sh,
# before the stand-in images are built. Traefik is the real reverse proxy every app's published
# HTTP services sit behind (zero-downtime rollouts; routing from container labels). No image can
# be pulled here, but Traefik is published on the Go module proxy: the real program is built on
# the host, cached by version, and copied into the build context (git-ignored), the way
# ferretdb.sh does it. Its go.mod has `replace` lines, so it is built inside a copy of its own
# module (`go install pkg@version` refuses replacements).

TRAEFIK_VERSION="v3.6.12"
# The module zip's hash (go.sum form): the checksum database is unreachable, so it is pinned here.
TRAEFIK_SUM="h1:6pe4s7aaDTQs+AsF7KP3sM/xnq7zOVvibRQe5tw9eFo="

setup_traefik() {
  local dir="$CACHE_DIR/traefik-$TRAEFIK_VERSION" dest="$ROOT/images/traefik/traefik"
  if [ ! -x "$dir/traefik" ]; then
    go_env "Traefik $TRAEFIK_VERSION"
    step "Traefik $TRAEFIK_VERSION: go build from the module proxy (about 10 minutes cold on two cores)"
    module_source "Traefik $TRAEFIK_VERSION" github.com/traefik/traefik/v3 "$TRAEFIK_VERSION" "$TRAEFIK_SUM" "$dir" "$CACHE_DIR/traefik-build.log"
    (cd "$dir/src" && go build -trimpath \
      -ldflags="-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
      -o "$dir/traefik.tmp" ./cmd/traefik) >>"$CACHE_DIR/traefik-build.log" 2>&1 \
      || fail "Traefik $TRAEFIK_VERSION" "go build failed (see $CACHE_DIR/traefik-build.log)"
    mv "$dir/traefik.tmp" "$dir/traefik" && rm -rf "$dir/src"
  else
    skip "Traefik $TRAEFIK_VERSION binary"
  fi
  cmp -s "$dir/traefik" "$dest" 2>/dev/null || cp "$dir/traefik" "$dest"
}
