#!/usr/bin/env bash
# Destroys and removes the throwaway review stacks of this project: those whose name matches
# PATTERN (a shell pattern, default review-*) AND starts with review-, so no pattern can reach
# dev or prod. DRY_RUN=1 only lists them. Used by .github/workflows/destroy-review-stacks.yml;
# runs against whatever backend PULUMI_BACKEND_URL names (the project's local one by default).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
pulumi_env
pattern="${1:-review-*}"
# APPSTACKS_PROJECT_DIR: another directory holding this Pulumi.yaml (the tests use a temporary one).
cd "${APPSTACKS_PROJECT_DIR:-$ROOT}"
stacks=$(pulumi stack ls --json | node -e '
  const stacks = JSON.parse(require("fs").readFileSync(0, "utf8") || "[]");
  for (const s of stacks) console.log(s.name.split("/").pop());')
found=0
for s in $stacks; do
  # shellcheck disable=SC2254 # the pattern is meant to match
  case "$s" in review-*) ;; *) continue ;; esac
  case "$s" in $pattern) ;; *) continue ;; esac
  found=$((found + 1))
  if [ -n "${DRY_RUN:-}" ]; then echo "[review-stacks] would destroy $s"; continue; fi
  echo "[review-stacks] destroying $s"
  pulumi destroy --yes --skip-preview --non-interactive --stack "$s"
  pulumi stack rm --yes --non-interactive --stack "$s"
done
echo "[review-stacks] $found stack(s) matched '$pattern'"
