#!/bin/sh
# Twin of BETY's initdb/initdb.sh: as the superuser (PGUSER, PGPASSWORD), skips a server where
# database bety or $BETYDATABASE exists; else creates role bety and the database, and loads it.
echo "Safety checks"
for db in bety "$BETYDATABASE"; do
  if psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
    echo "Database $db already exists, please remove database first."
    exit 0
  fi
done
set -e
psql -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$BETYUSER'" | grep -q 1 \
  || psql -v ON_ERROR_STOP=1 -c "CREATE ROLE $BETYUSER WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE PASSWORD '$BETYPASSWORD'"
psql -v ON_ERROR_STOP=1 -c "CREATE DATABASE $BETYDATABASE OWNER $BETYUSER"
echo "Restoring database"
PGUSER=$BETYUSER PGPASSWORD=$BETYPASSWORD psql -v ON_ERROR_STOP=1 -q -d "$BETYDATABASE" -f /schema.sql
echo "Database $BETYDATABASE loaded"
