#!/usr/bin/env bash
# npm test: setup when needed, then every test (unit, then e2e against the real engine).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
bash "$ROOT/scripts/setup.sh"
pulumi_env
cd "$ROOT"
npx tsc --noEmit
npx jest --selectProjects unit "$@"
npx jest --selectProjects e2e --runInBand "$@"
