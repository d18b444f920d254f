# Step: the wheelhouse of WattRex's master node manager (apps/wattrex-mn). Sourced by
# scripts/setup.sh. The real node manager is published on PyPI (wattrex-mn-manager) but pip
# inside a docker build fails TLS here, so the pinned wheels (apps/wattrex-mn/requirements.txt,
# every one with its hash) are downloaded on the host for the image's Python (Debian bookworm's
# 3.11, x86_64), cached by the hash of the pins, and copied into the build context
# (apps/wattrex-mn/wheels, git-ignored), the way FerretDB's binary is.

setup_wattrex_wheels() {
  local req="$ROOT/apps/wattrex-mn/requirements.txt" dest="$ROOT/apps/wattrex-mn/wheels" key dir
  key=$(grep -v "^#" "$req" | sha256sum | cut -c1-12)  # the pins and hashes, not the comments
  dir="$CACHE_DIR/wattrex-mn-wheels-$key"
  if [ ! -f "$dir/.complete" ]; then
    python3 -m pip --version >/dev/null 2>&1 \
      || fail "WattRex node manager wheels" "python3 with pip is needed on the host to download apps/wattrex-mn/requirements.txt from PyPI"
    [ "$(uname -m)" = x86_64 ] \
      || fail "WattRex node manager wheels" "the pinned wheels are for x86_64 (this host is $(uname -m)): pin the wheels of your architecture in apps/wattrex-mn/requirements.txt"
    step "WattRex node manager wheels: pip download from PyPI (pinned, hashed)"
    local platforms="" t log="$CACHE_DIR/wattrex-mn-wheels.log"
    for t in manylinux_2_28 manylinux_2_24 manylinux_2_17 manylinux2014 manylinux_2_5 manylinux1; do platforms="$platforms --platform ${t}_x86_64"; done
    rm -rf "$dir" && mkdir -p "$dir/dl"
    # --no-deps: every dependency is listed (and hashed) in the file. paho-mqtt 1.6.1 exists only
    # as an sdist (pure Python): downloaded as such, then built into a wheel here.
    # shellcheck disable=SC2086
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
        --only-binary=:all: --no-binary=paho-mqtt $platforms --python-version 3.11 --implementation cp --abi cp311 \
        -d "$dir/dl" -r "$req" >"$log" 2>&1 \
      || fail "WattRex node manager wheels" "pip download failed (see $log): check PyPI is reachable from this host"
    python3 -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$dir/dl" "$dir"/dl/*.tar.gz >>"$log" 2>&1 \
      || fail "WattRex node manager wheels" "pip wheel of the sdists failed (see $log)"
    mkdir -p "$dir/wheels" && mv "$dir"/dl/*.whl "$dir/wheels/" && rm -rf "$dir/dl"
    touch "$dir/.complete"
  else
    skip "WattRex node manager wheels ($key)"
  fi
  if ! diff -rq "$dir/wheels" "$dest" >/dev/null 2>&1; then
    rm -rf "$dest" && cp -r "$dir/wheels" "$dest"
  fi
}
