# Builds one of our Terraform-bridge provider plugins (toolchain/provider-NAME). Sourced by
# build-provider-docker.sh and build-provider-random.sh, never run.
#
# build_bridged_provider NAME VERSION OUTDIR [GO BUILD TAGS]
#
#   1. copies toolchain/provider-NAME (our go.mod/go.sum, mapping, mains, shim module) to a
#      scratch dir outside the repo: $CACHE_DIR/src/provider-NAME-vVERSION;
#   2. fetches the modules it needs through the Go module proxy (bridge, upstream Terraform
#      provider, Pulumi SDK, ...; pinned by go.mod/go.sum);
#   3. compiles pulumi-tfgen-NAME and runs it: schema.json + bridge-metadata.json are written
#      into cmd/pulumi-resource-NAME of the scratch copy, where the plugin embeds them;
#   4. compiles OUTDIR/pulumi-resource-NAME (CGO off, -trimpath, -X main.version=VERSION) and
#      checks that it reports VERSION. OUTDIR/schema.json is a copy for inspection.
#
# Each long step prints a line first; a failing step prints one line naming the step and what
# to do, and the script exits non-zero. Go's module and build caches make a re-run fast.

build_bridged_provider() {
  local name=$1 version=$2 out=$3 tags=${4:-}
  local src="$ROOT/toolchain/provider-$name"
  local work="$CACHE_DIR/src/provider-$name-v$version"
  local label="$name provider"
  local t0 t
  go_env "$label: go"
  [ -f "$src/go.mod" ] || fail "$label: sources" "$src/go.mod is missing: restore toolchain/provider-$name from git"
  mkdir -p "$out" || fail "$label: output" "cannot create $out"
  out=$(cd "$out" && pwd)
  t0=$(date +%s)

  step "$label: preparing sources in $work"
  rm -rf "$work" && mkdir -p "$work" && cp -R "$src/." "$work/" \
    || fail "$label: sources" "cannot copy $src to $work: check free space and permissions of $CACHE_DIR"

  step "$label: fetching Go modules through $(go env GOPROXY) (cold: a few minutes)"
  t=$(date +%s)
  # Listing the packages of both commands downloads exactly the modules the build needs. The
  # embedded schema does not exist yet, hence the placeholders (overwritten by tfgen below).
  printf '{}\n' > "$work/cmd/pulumi-resource-$name/schema.json"
  printf '{}\n' > "$work/cmd/pulumi-resource-$name/bridge-metadata.json"
  (cd "$work" && go list -tags "$tags" -deps ./cmd/... >/dev/null) \
    || fail "$label: fetch modules" "go could not fetch the modules above: check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)), then rerun"
  step "$label: modules ready ($(( $(date +%s) - t ))s)"

  step "$label: compiling pulumi-tfgen-$name (cold: 3-8 minutes on 2 cores)"
  t=$(date +%s)
  (cd "$work" && go build -trimpath -tags "$tags" -ldflags "-X main.version=$version" \
     -o "$work/bin/pulumi-tfgen-$name" "./cmd/pulumi-tfgen-$name") \
    || fail "$label: compile tfgen" "go build failed (output above): fix toolchain/provider-$name, then rerun"
  step "$label: tfgen compiled ($(( $(date +%s) - t ))s)"

  step "$label: generating the Pulumi schema"
  (cd "$work" && PULUMI_SKIP_UPDATE_CHECK=true "$work/bin/pulumi-tfgen-$name" schema --skip-docs --skip-examples \
     --out "$work/cmd/pulumi-resource-$name" >"$work/tfgen.log" 2>&1) \
    || { tail -n 20 "$work/tfgen.log" >&2
         fail "$label: generate schema" "pulumi-tfgen-$name failed (log: $work/tfgen.log): fix the mapping in toolchain/provider-$name, then rerun"; }
  grep -q '"resources"' "$work/cmd/pulumi-resource-$name/schema.json" \
    || fail "$label: generate schema" "schema.json has no resources (log: $work/tfgen.log)"

  step "$label: compiling pulumi-resource-$name v$version (seconds: reuses the tfgen build)"
  t=$(date +%s)
  (cd "$work" && go build -trimpath -tags "$tags" -ldflags "-s -w -X main.version=$version" \
     -o "$out/pulumi-resource-$name" "./cmd/pulumi-resource-$name") \
    || fail "$label: compile plugin" "go build failed (output above): fix toolchain/provider-$name, then rerun"
  step "$label: plugin compiled ($(( $(date +%s) - t ))s)"

  local reported
  reported=$("$out/pulumi-resource-$name" -version 2>/dev/null || true)
  [ "$reported" = "$version" ] \
    || fail "$label: check" "$out/pulumi-resource-$name reports '$reported', expected $version: rebuild after removing $out"
  cp "$work/cmd/pulumi-resource-$name/schema.json" "$out/schema.json"
  step "$label: $out/pulumi-resource-$name v$version ready ($(( $(date +%s) - t0 ))s in all)"
}
