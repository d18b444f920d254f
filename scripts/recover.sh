#!/usr/bin/env bash
# npm run recover [-- STACK]: makes a stack deployable again after an `up` that did not end
# normally (the pulumi process was killed, the machine went down). `npm run up` runs it first.
#
# 1. A stale lock: the file backend locks a stack for the length of an update and a killed
#    process leaves the lock behind; every later `up` is then refused ("the stack is currently
#    locked ... `pulumi cancel`"). The lock is removed (`pulumi cancel --yes`, which for the file
#    backend deletes lock files) only when the process that holds it ran on this machine and is
#    gone. A lock of a live process (an `up` still running) is left alone, and so is one from
#    another machine.
# 2. Interrupted operations: creates the engine started but never recorded. `pulumi refresh
#    --clear-pending-creates` drops them from state; a container or network such a create left on
#    the daemon (found by this stack's labels, absent from state) is removed, so the next `up`
#    does not trip over its name. Volumes are never removed here: they hold data, and Docker
#    hands an existing volume back to a create of the same name.
# Nothing is done, and it says so, when the stack needs no recovery.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
pulumi_env
cd "${APPSTACKS_PROJECT_DIR:-$ROOT}"
stack="${1:-${APPSTACKS_STACK:-dev}}"
project="$(sed -n 's/^name: *//p' Pulumi.yaml | head -1)"
say() { printf '[recover] %s\n' "$*"; }

pulumi stack select "$stack" >/dev/null 2>&1 || { say "no stack '$stack': nothing to recover"; exit 0; }

# 1. Locks (file backend only: the path is the backend's own layout).
backend="${PULUMI_BACKEND_URL#file://}"
if [ "$backend" != "$PULUMI_BACKEND_URL" ]; then
  lock_dir="$backend/.pulumi/locks/organization/$project/$stack"
  for lock in "$lock_dir"/*.json; do
    [ -e "$lock" ] || continue
    read -r pid host < <(node -e 'const l=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(l.pid, l.hostname)' "$lock")
    if [ "$host" != "$(hostname)" ]; then
      say "stack '$stack' is locked by pid $pid on $host: not this machine, left alone (if that process is gone: pulumi cancel --yes --stack $stack)"; exit 1
    fi
    if kill -0 "$pid" 2>/dev/null; then
      say "stack '$stack' is locked by a running pulumi (pid $pid): wait for it to finish"; exit 1
    fi
    say "removing the stale lock of pid $pid (no longer running): pulumi cancel --yes"
    pulumi cancel --yes --stack "$stack" >/dev/null
    break
  done
fi

# 2. Pending operations.
state="$(mktemp)"; trap 'rm -f "$state"' EXIT
pulumi stack export --stack "$stack" --file "$state"
pending=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).deployment||{}; for (const op of d.pending_operations||[]) console.log(op.type, op.resource.urn)' "$state")
if [ -z "$pending" ]; then
  say "stack '$stack' has no interrupted operations"; exit 0
fi
say "interrupted operations:"; printf '  %s\n' "$pending"
pulumi refresh --yes --skip-preview --clear-pending-creates --stack "$stack" >/dev/null
pulumi stack export --stack "$stack" --file "$state"
known=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).deployment||{}; for (const r of d.resources||[]) if (r.id) console.log(r.id)' "$state")
filter=(--filter "label=appstacks.project=$project" --filter "label=appstacks.stack=$stack")
for id in $(docker ps -aq --no-trunc "${filter[@]}"); do
  if ! grep -qx "$id" <<<"$known"; then say "removing container $(docker inspect -f '{{.Name}}' "$id") (not in state)"; docker rm -f "$id" >/dev/null; fi
done
for id in $(docker network ls -q --no-trunc "${filter[@]}"); do
  if ! grep -qx "$id" <<<"$known"; then say "removing network $(docker network inspect -f '{{.Name}}' "$id") (not in state)"; docker network rm "$id" >/dev/null; fi
done
say "stack '$stack' recovered: run npm run up"
