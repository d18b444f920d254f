#!/bin/bash
# Twin of BETY's `fix` (load.bety.sh -f -m LOCAL_SERVER): as the admin account PGUSER, gives the
# database the machine id LOCAL_SERVER (BETY moves its id sequences into that machine's range).
set -e
echo "Fixing database ID"
psql -v ON_ERROR_STOP=1 -d "$BETYDATABASE" -c "UPDATE machines SET sync_host_id = $LOCAL_SERVER WHERE hostname = 'localhost'"
