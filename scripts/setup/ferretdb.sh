# Step: the FerretDB binary of the offline MongoDB stand-in (images/mongo). Sourced by
# scripts/setup.sh, before the stand-in images are built. MongoDB is not in Debian and no image
# can be pulled; FerretDB speaks MongoDB's wire protocol over SQLite and comes from the Go module
# proxy. Docker builds here have no Go new enough (bookworm ships 1.19, FerretDB needs 1.22), so
# the binary is built on the host, cached by version, and copied into the build context
# (git-ignored).

FERRETDB_VERSION="v1.24.0"
# The module zip's hash (go.sum form): the checksum database is unreachable, so it is pinned here.
FERRETDB_SUM="h1:7WJmezL48Bj9bYWnhT/bEJgX5gjT5s7LFdHTqkN25rA="

setup_ferretdb() {
  local dir="$CACHE_DIR/ferretdb-$FERRETDB_VERSION" dest="$ROOT/images/mongo/ferretdb"
  if [ ! -x "$dir/ferretdb" ]; then
    command -v go >/dev/null 2>&1 \
      || fail "FerretDB $FERRETDB_VERSION" "Go is not installed: install Go >= 1.22 to build the MongoDB stand-in (images/mongo)"
    go_env "FerretDB $FERRETDB_VERSION"
    step "FerretDB $FERRETDB_VERSION: go build from the module proxy (about 2 minutes cold)"
    module_source "FerretDB $FERRETDB_VERSION" github.com/FerretDB/FerretDB "$FERRETDB_VERSION" "$FERRETDB_SUM" "$dir" "$CACHE_DIR/ferretdb-build.log"
    # The version file FerretDB's release tooling generates (from git).
    echo "$FERRETDB_VERSION" >"$dir/src/build/version/version.txt"
    (cd "$dir/src" && go build -trimpath -ldflags='-s -w' -o "$dir/ferretdb.tmp" ./cmd/ferretdb) >>"$CACHE_DIR/ferretdb-build.log" 2>&1 \
      || fail "FerretDB $FERRETDB_VERSION" "go build failed (see $CACHE_DIR/ferretdb-build.log)"
    mv "$dir/ferretdb.tmp" "$dir/ferretdb" && rm -rf "$dir/src"
  else
    skip "FerretDB $FERRETDB_VERSION binary"
  fi
  cmp -s "$dir/ferretdb" "$dest" 2>/dev/null || cp "$dir/ferretdb" "$dest"
}
