#!/usr/bin/env bash
# npm run bench: setup when needed, the bench-only tools, then the harness (bench/run.ts) on this
# machine's daemon. Arguments go to the harness: --runs N, --apps a,b, --sizes 10,25,50, --only …
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
for f in "$ROOT"/scripts/setup/*.sh; do . "$f"; done
bash "$ROOT/scripts/setup.sh"
setup_bench_tools
pulumi_env
cd "$ROOT"
exec node -r ts-node/register/transpile-only bench/run.ts "$@"
