#!/usr/bin/env bash
# Builds OUTDIR/pulumi-language-nodejs, our Node.js language host (toolchain/language-nodejs,
# reporting the pinned Pulumi version), and installs next to it the launcher of the dynamic
# provider, OUTDIR/pulumi-resource-pulumi-nodejs. The official host's Go module is not served
# by the module proxy; ours needs only the Pulumi Go SDK, pinned by go.mod/go.sum.
# The pulumi CLI finds both when OUTDIR is its own directory or on PATH.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
out=${1:?usage: build-language-host.sh OUTDIR}
src="$ROOT/toolchain/language-nodejs"
go_env "language host: go"
mkdir -p "$out" || fail "language host: output" "cannot create $out"
step "language host: compiling pulumi-language-nodejs v$PULUMI_VERSION into $out (cold: about a minute)"
(cd "$src" && go build -trimpath -ldflags "-s -w -X main.version=$PULUMI_VERSION" -o "$out/pulumi-language-nodejs" .) \
  || fail "language host: compile" "go build failed (output above): check the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)) or fix toolchain/language-nodejs, then rerun"
[ "$("$out/pulumi-language-nodejs" -version)" = "$PULUMI_VERSION" ] \
  || fail "language host: check" "$out/pulumi-language-nodejs does not report $PULUMI_VERSION: remove it and rerun"
cp "$src/pulumi-resource-pulumi-nodejs" "$out/pulumi-resource-pulumi-nodejs" && chmod +x "$out/pulumi-resource-pulumi-nodejs" \
  || fail "language host: launcher" "cannot copy pulumi-resource-pulumi-nodejs to $out: check its permissions"
