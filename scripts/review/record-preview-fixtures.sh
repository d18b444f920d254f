#!/usr/bin/env bash
# Records test/fixtures/preview/*.json: real `pulumi preview --json` output of the project's own
# program with Biostar and WattRex on the stand-ins, on a throwaway stack with its own backend:
#   create.json        nothing deployed yet
#   env-change.json    after `up`: Biostar's site name (an env value of web and init) changed
#   image-change.json  a file of Biostar's build context changed (the image is rebuilt)
#   port-change.json   WattRex's published web port changed
#   policy-violation.json (+ .events.jsonl, the policy events only)  nothing deployed,
#                      keepDataOnDestroy=false, previewed with the policy pack (which forbids it)
#   delete.json        WattRex removed from appstacks:apps
#   secret-env-change.json  a container whose env list holds a secret (programs/secret-env)
# Each change is previewed against the deployed baseline, then the stack is destroyed. The JSON is
# kept as the engine prints it, less stack traces and source positions (paths of this machine).
# Run: bash scripts/review/record-preview-fixtures.sh  (about 5 minutes; publishes 18000, 18869, 13369
# and 11883 while deployed). UNDEPLOYED_ONLY=1 records only create and policy-violation (a minute).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
pulumi_env
out="$ROOT/test/fixtures/preview"
work=$(mktemp -d /tmp/appstacks-fixtures-XXXXXX)
mkdir -p "$out" "$work/proj" "$work/backend"
export PULUMI_BACKEND_URL="$(file_backend_url "$work/backend")" PULUMI_CONFIG_PASSPHRASE=appstacks-fixtures PULUMI_NODEJS_TRANSPILE_ONLY=true
stack=review-fixtures
# The project's program, with its stack settings outside the repo (like support/workspace.ts).
{ cat "$ROOT/Pulumi.yaml"; printf '\nmain: %s\n' "$ROOT"; } > "$work/proj/Pulumi.yaml"
cp -a "$ROOT/apps/biostar" "$work/biostar-src"
cd "$work/proj"
cleanup() { pulumi destroy --yes --skip-preview --cwd "$work/proj" --stack "$stack" >/dev/null 2>&1 || true; docker volume rm -f $(docker volume ls -q --filter "label=appstacks.stack=$stack") >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

pulumi stack init "$stack" >/dev/null
pulumi config set-all --path \
  --plaintext 'appstacks:apps[0]=biostar' --plaintext 'appstacks:apps[1]=wattrex' \
  --plaintext appstacks:imageOverrides.postgres=appstacks/postgres:local --plaintext appstacks:imageOverrides.mysql=appstacks/mysql:local \
  --plaintext appstacks:imageOverrides.rabbitmq=appstacks/rabbitmq:local --plaintext appstacks:imageOverrides.debian=appstacks/base:bookworm \
  --plaintext appstacks:biostar.port=18000 --plaintext "appstacks:biostar.buildContext=$work/biostar-src" \
  --plaintext appstacks:wattrex.webPort=18869 --plaintext appstacks:wattrex.dbPort=13369 --plaintext appstacks:wattrex.mqttPort=11883 \
  --secret appstacks:secretSeed="$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')"

# record NAME [PREVIEW FLAGS]: preview the current config, keep the JSON without traces and machine paths.
record() {
  local name=$1; shift
  pulumi preview --json --non-interactive "$@" > "$work/$name.raw.json" || true
  node -e '
    const fs = require("fs");
    const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const strip = (o) => { if (o && typeof o === "object") { delete o.stackTrace; delete o.sourcePosition; Object.values(o).forEach(strip); } };
    strip(doc); delete doc.duration;
    const text = JSON.stringify(doc, null, 2).split(process.argv[2]).join("/tmp/appstacks-fixtures");
    fs.writeFileSync(process.argv[3], text + "\n");' "$work/$name.raw.json" "$work" "$out/$name.json"
  echo "[fixtures] $name.json"
}

record create

pulumi config set appstacks:keepDataOnDestroy false
PULUMI_DEBUG_COMMANDS=true record policy-violation --policy-pack "$ROOT/policy" --event-log "$work/events.jsonl"
grep '"policyEvent"' "$work/events.jsonl" > "$out/policy-violation.events.jsonl"
echo "[fixtures] policy-violation.events.jsonl"
pulumi config rm appstacks:keepDataOnDestroy
# UNDEPLOYED_ONLY=1: only the previews of the empty stack (no image builds, no containers).
[ -z "${UNDEPLOYED_ONLY:-}" ] || exit 0
up_quietly() { pulumi up --yes --skip-preview > "$work/up.log" 2>&1 || { tail -40 "$work/up.log" >&2; exit 1; }; }
up_quietly
echo "[fixtures] baseline deployed"

pulumi config set --path appstacks:biostar.siteName "Biostar (review)"
record env-change
pulumi config rm --path appstacks:biostar.siteName

echo "# changed for the image-change fixture" >> "$work/biostar-src/Dockerfile"
record image-change
cp "$ROOT/apps/biostar/Dockerfile" "$work/biostar-src/Dockerfile"

pulumi config set --path appstacks:wattrex.webPort 18870
record port-change
pulumi config set --path appstacks:wattrex.webPort 18869

pulumi config set-all --path --plaintext 'appstacks:apps[0]=biostar' && pulumi config rm --path 'appstacks:apps[1]'
record delete


# A container whose env list holds a secret: the engine masks the whole list (pulumi#9829).
cd "$ROOT/test/fixtures/preview/programs/secret-env"
secret_stack=review-fixtures-secret-env
cleanup_secret() { pulumi destroy --yes --skip-preview --stack "$secret_stack" >/dev/null 2>&1 || true; pulumi stack rm --yes --force --stack "$secret_stack" >/dev/null 2>&1 || true; cleanup; }
trap cleanup_secret EXIT
pulumi stack init "$secret_stack" >/dev/null
pulumi config set --secret token "$(node -e 'process.stdout.write(require("crypto").randomBytes(16).toString("hex"))')"
up_quietly
pulumi config set logLevel debug
record secret-env-change
