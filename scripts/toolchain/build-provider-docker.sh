#!/usr/bin/env bash
# Builds OUTDIR/pulumi-resource-docker, reporting the @pulumi/docker version (5.2.0): our own
# Terraform-bridge mapping (toolchain/provider-docker) over the upstream Terraform docker
# provider, everything fetched through the Go module proxy. The official plugin cannot be
# downloaded here and its Go module is not served by the proxy.
# The no_compose tag leaves out the upstream docker_compose resource (plugin-framework half,
# which @pulumi/docker 5.2.0 has no class for) and its large docker/compose dependency tree.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bridged-provider.sh"
build_bridged_provider docker "$DOCKER_PROVIDER_VERSION" "${1:?usage: build-provider-docker.sh OUTDIR}" no_compose
