#!/usr/bin/env bash
# npm run up: setup when needed, then `pulumi up` on the dev stack, then the URLs it serves.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
bash "$ROOT/scripts/setup.sh"
pulumi_env
cd "$ROOT"
stack="${APPSTACKS_STACK:-dev}"
pulumi stack select --create "$stack" >/dev/null
pulumi up --yes --skip-preview --stack "$stack" "$@"
echo
echo "URLs of stack '$stack':"
pulumi stack output urls --json --stack "$stack" | node -e '
  const urls = JSON.parse(require("fs").readFileSync(0, "utf8") || "{}");
  for (const [name, url] of Object.entries(urls)) console.log(`  ${name.padEnd(20)} ${url}`);'
