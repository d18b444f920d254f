#!/usr/bin/env bash
# npm run up: setup when needed, then `pulumi up` on the dev stack, then the URLs it serves.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
bash "$ROOT/scripts/setup.sh"
pulumi_env
cd "$ROOT"
stack="${APPSTACKS_STACK:-dev}"
pulumi stack select --create "$stack" >/dev/null
# A per-stack seed for credentials, in the stack's encrypted config: it survives `destroy`, so the
# data volumes destroy keeps can be opened by the next `up` (components/secret-derive.ts).
if ! pulumi config get appstacks:secretSeed --stack "$stack" >/dev/null 2>&1; then
  node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))' \
    | pulumi config set --secret appstacks:secretSeed --stack "$stack"
  echo "[up] generated appstacks:secretSeed for stack '$stack' (kept encrypted in Pulumi.$stack.yaml)"
fi
# A previous `up` that was killed leaves a lock and interrupted operations: clear them first
# (only when the process that held the lock is gone; see scripts/recover.sh).
bash "$ROOT/scripts/recover.sh" "$stack"
pulumi up --yes --skip-preview --stack "$stack" "$@"
echo
echo "URLs of stack '$stack':"
pulumi stack output urls --json --stack "$stack" | node -e '
  const urls = JSON.parse(require("fs").readFileSync(0, "utf8") || "{}");
  for (const [name, url] of Object.entries(urls)) console.log(`  ${name.padEnd(20)} ${url}`);'
