#!/usr/bin/env bash
# npm run pulumi -- <args>: the pinned CLI with the project's local backend and dev passphrase,
# so every Pulumi command works without an account or a prompt. Runs setup first when needed.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
pulumi_env
command -v pulumi >/dev/null 2>&1 || bash "$ROOT/scripts/setup.sh" >&2
cd "$ROOT"
exec pulumi "$@"
