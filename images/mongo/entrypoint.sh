#!/bin/bash
# The official mongo image's entrypoint contract, served by FerretDB. See the Dockerfile.
set -euo pipefail

# file_env VAR: VAR from VAR or VAR_FILE (not both), as the official images do.
file_env() {
  local var="$1" file_var="${1}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo "error: both $var and $file_var are set (but are exclusive)" >&2; exit 1
  fi
  local val="${!var:-}"
  if [ -n "${!file_var:-}" ]; then val="$(< "${!file_var}")"; fi
  export "$var"="$val"
  unset "$file_var"
}

if [ "${1:-}" != "mongod" ]; then exec "$@"; fi
shift

file_env MONGO_INITDB_ROOT_USERNAME
file_env MONGO_INITDB_ROOT_PASSWORD
if [ -n "$MONGO_INITDB_ROOT_USERNAME" ] && [ -z "$MONGO_INITDB_ROOT_PASSWORD" ]; then
  echo "error: MONGO_INITDB_ROOT_USERNAME is set but MONGO_INITDB_ROOT_PASSWORD is not" >&2; exit 1
fi

export FERRETDB_HANDLER=sqlite FERRETDB_SQLITE_URL=file:/data/db/ FERRETDB_STATE_DIR=/data/db \
  FERRETDB_LISTEN_ADDR=:27017 FERRETDB_DEBUG_ADDR=- FERRETDB_TELEMETRY=disable FERRETDB_LOG_LEVEL="${FERRETDB_LOG_LEVEL:-warn}"
if [ -n "$MONGO_INITDB_ROOT_USERNAME" ]; then
  # Users live in the admin database; FerretDB creates this one only when that database does not
  # exist yet, so like mongo's initdb it happens on the first start of an empty volume only.
  # Passed as environment, never on the command line (ps would show it).
  export FERRETDB_TEST_ENABLE_NEW_AUTH=true FERRETDB_SETUP_DATABASE=admin \
    FERRETDB_SETUP_USERNAME="$MONGO_INITDB_ROOT_USERNAME" FERRETDB_SETUP_PASSWORD="$MONGO_INITDB_ROOT_PASSWORD"
fi
unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD
exec ferretdb "$@"
