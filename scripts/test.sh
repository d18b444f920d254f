#!/usr/bin/env bash
# npm test: setup when needed, then every test: the type check, the unit project (mocks, fast),
# then the e2e project (the real engine and Docker daemon). Ends with one summary line.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
bash "$ROOT/scripts/setup.sh" || exit 1
pulumi_env
cd "$ROOT"
results=$(mktemp -d)
npx tsc --noEmit || { echo "tests: 0 passed, 1 failed (type check)"; exit 1; }
npx jest --selectProjects unit --json --outputFile="$results/unit.json" "$@"; unit=$?
npx jest --selectProjects e2e --runInBand --json --outputFile="$results/e2e.json" "$@"; e2e=$?
node -e '
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    try { const r = require(f); passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; }
    catch { failed += 1; }
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);' "$results/unit.json" "$results/e2e.json"
rm -rf "$results"
[ "$unit" -eq 0 ] && [ "$e2e" -eq 0 ]
