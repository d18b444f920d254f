#!/usr/bin/env bash
# Builds the Pulumi CLI at the pinned version into OUTDIR, from the Go module proxy.
# `go install pkg@version` is refused because pkg/v3's go.mod replaces sdk/v3 with ../sdk, so the
# two module zips are laid out side by side (X/pkg, X/sdk) and the CLI is built inside X/pkg.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
out=${1:?usage: build-pulumi-cli.sh OUTDIR}
work="$CACHE_DIR/src/pulumi-v$PULUMI_VERSION"
go_env "pulumi CLI"

step "pulumi CLI: downloading pkg/v3 and sdk/v3 v$PULUMI_VERSION"
dirs=$(cd /tmp && go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p') \
  || fail "pulumi CLI download" "go mod download failed: check the Go module proxy is reachable (GOPROXY=$(go env GOPROXY))"
pkg=$(echo "$dirs" | grep '/pkg/v3@'); sdk=$(echo "$dirs" | grep '/sdk/v3@')
[ -n "$pkg" ] && [ -n "$sdk" ] || fail "pulumi CLI download" "module directories not reported by go mod download"
rm -rf "$work"; mkdir -p "$work"
cp -r "$pkg" "$work/pkg"; cp -r "$sdk" "$work/sdk"; chmod -R u+w "$work"

step "pulumi CLI: compiling (cold: 10-20 minutes on 2 cores)"
(cd "$work/pkg" && go build -trimpath -tags osusergo,grpcnotrace \
   -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
   -o "$out/pulumi" ./cmd/pulumi) || fail "pulumi CLI compile" "go build failed (output above)"
rm -rf "$work"
