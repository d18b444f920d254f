#!/usr/bin/env bash
# Builds OUTDIR/pulumi-resource-random, reporting the @pulumi/random version (4.21.1): our own
# Terraform-bridge mapping (toolchain/provider-random, using the bridge's plugin-framework
# support) over the upstream Terraform random provider, everything fetched through the Go
# module proxy. The official plugin cannot be downloaded here and its Go module is not served.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bridged-provider.sh"
build_bridged_provider random "$RANDOM_PROVIDER_VERSION" "${1:?usage: build-provider-random.sh OUTDIR}"
