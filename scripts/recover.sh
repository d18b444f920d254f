#!/usr/bin/env bash
# npm run recover [-- STACK]: makes a stack deployable again after an `up` or `destroy` that did
# not end normally (the pulumi process was killed, the machine went down). `npm run up` runs it
# first. Nothing is done, and it says so, when the stack needs no recovery.
#
# 1. A checkpoint that does not load. The file backend writes the checkpoint to a temporary file
#    and renames it, so a kill cannot tear it; but the storage library's metadata sidecar
#    (<stack>.json.attrs) was rewritten in place on every write, and a kill in between left it
#    empty: "failed to load checkpoint: EOF" on every command. Our backends no longer write
#    sidecars (file_backend_url in lib/common.sh); an unreadable one is removed. If the checkpoint
#    itself still does not load, the newest copy that does (the backend's .bak, its history, its
#    backups) is restored, and the line says which and from when.
# 2. A stale lock: a killed process leaves the stack's lock behind; every later `up` is refused.
#    It is removed (`pulumi cancel --yes`) only when the process that holds it ran on this
#    machine and is gone: a live `up` or another machine's lock is left alone.
# 3. Work the state does not know: creates the engine started but never recorded (pending
#    operations), or everything done after a restored checkpoint. `pulumi refresh
#    --clear-pending-creates` reads back what exists; containers, networks and images labelled
#    with this stack but absent from state are removed, so the next `up` creates them again
#    under its own control. Volumes are never removed here: they hold data, and the next `up`
#    reattaches them by name.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
pulumi_env
cd "${APPSTACKS_PROJECT_DIR:-$ROOT}"
stack="${1:-${APPSTACKS_STACK:-dev}}"
project="$(sed -n 's/^name: *//p' Pulumi.yaml | head -1)"
say() { printf '[recover] %s\n' "$*"; }
state="$(mktemp)"; errors="$(mktemp)"; trap 'rm -f "$state" "$errors"' EXIT
loads() { pulumi stack export --stack "$stack" --file "$state" 2>"$errors" >/dev/null; }

backend="${PULUMI_BACKEND_URL#file://}"; backend="${backend%%\?*}"
if [ "$backend" = "$PULUMI_BACKEND_URL" ]; then backend=""; fi   # not a file backend
stack_file="$backend/.pulumi/stacks/$project/$stack.json"
if [ -n "$backend" ] && [ ! -e "$stack_file" ]; then say "no stack '$stack': nothing to recover"; exit 0; fi

# 1. The checkpoint.
restored=""
if ! loads; then
  [ -n "$backend" ] || { say "stack '$stack' does not load: $(head -1 "$errors")"; exit 1; }
  say "stack '$stack' does not load: $(head -1 "$errors")"
  for sidecar in "$stack_file.attrs" "$stack_file.bak.attrs"; do
    if [ -e "$sidecar" ] && ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$sidecar" 2>/dev/null; then
      size=$(stat -c %s "$sidecar"); rm -f "$sidecar"
      say "removed $(basename "$sidecar"), an unreadable metadata sidecar ($size bytes: a write cut short by a kill)"
    fi
  done
  if ! loads; then
    read -r copy when < <(node "$ROOT/scripts/lib/newest-checkpoint.js" "$backend" "$project" "$stack") || true
    [ -n "${copy:-}" ] || { say "no copy of stack '$stack' loads either: restore $stack_file from a backup by hand"; exit 1; }
    cp "$stack_file" "$stack_file.unloadable.$(date +%s)" 2>/dev/null || true
    cp "$copy" "$stack_file"; rm -f "$stack_file.attrs"
    loads || { say "the restored copy $copy does not load: $(head -1 "$errors")"; exit 1; }
    restored="$copy"
    say "restored the checkpoint of $when from ${copy#"$backend/"} (the unloadable one kept beside it)"
  fi
fi
pulumi stack select "$stack" >/dev/null

# 2. Locks (file backend only: the path is the backend's own layout).
if [ -n "$backend" ]; then
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

# 3. Pending operations, and what a restored checkpoint does not know.
pending=$(node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).deployment||{}; for (const op of d.pending_operations||[]) console.log(op.type, op.resource.urn)' "$state")
if [ -z "$pending" ] && [ -z "$restored" ]; then
  say "stack '$stack' has no interrupted operations"; exit 0
fi
[ -z "$pending" ] || { say "interrupted operations:"; printf '  %s\n' "$pending"; }
pulumi refresh --yes --skip-preview --clear-pending-creates --stack "$stack" >/dev/null
pulumi stack export --stack "$stack" --file "$state"
# An object is known when its full id appears in state (a resource's id, or an image id in its outputs).
known() { grep -qF "$1" "$state"; }
filter=(--filter "label=appstacks.project=$project" --filter "label=appstacks.stack=$stack")
for id in $(docker ps -aq --no-trunc "${filter[@]}"); do
  known "$id" || { say "removing container $(docker inspect -f '{{.Name}}' "$id") (not in state)"; docker rm -f "$id" >/dev/null; }
done
for id in $(docker network ls -q --no-trunc "${filter[@]}"); do
  known "$id" || { say "removing network $(docker network inspect -f '{{.Name}}' "$id") (not in state)"; docker network rm "$id" >/dev/null; }
done
for id in $(docker image ls -q --no-trunc "${filter[@]}" | sort -u); do
  known "$id" || { say "removing image $id (not in state)"; docker image rm -f "$id" >/dev/null 2>&1 || say "image $id is in use: left"; }
done
say "stack '$stack' recovered: run npm run up"
