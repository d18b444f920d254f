# Twin of the helpers of PEcAn's docker/data/add.util.sh that the loader uses: each registers a
# record in BETY through $PSQL only when it is not there yet, so the loader can run again.

# addInput SITE FORMAT START END: finds or adds the input; sets INPUT_ID.
addInput() {
  local start=NULL end=NULL cond
  [ -n "$3" ] && start="'$3'"
  [ -n "$4" ] && end="'$4'"
  cond="site_id=$1 AND format_id=$2 AND start_date IS NOT DISTINCT FROM $start::timestamp AND end_date IS NOT DISTINCT FROM $end::timestamp"
  INPUT_ID=$(${PSQL} "SELECT id FROM inputs WHERE $cond LIMIT 1;" | tr -d ' ')
  if [ -z "$INPUT_ID" ]; then
    INPUT_ID=$(${PSQL} "INSERT INTO inputs (site_id, format_id, start_date, end_date) VALUES ($1, $2, $start, $end) RETURNING id;" | head -n1 | tr -d ' ')
    echo "Added new input with ID=${INPUT_ID} for site=$1, format_id=$2"
  else
    echo "Found input with ID=${INPUT_ID} for site=$1, format_id=$2"
  fi
}

# addInputFile HOST INPUT FILE DIR: registers FILE in DIR as a file of INPUT on machine HOST.
addInputFile() {
  local host="(SELECT id FROM machines WHERE hostname='$1')" count
  ${PSQL} "INSERT INTO machines (hostname) SELECT '$1' WHERE NOT EXISTS $host;" >/dev/null
  count=$(${PSQL} "SELECT count(*) FROM dbfiles WHERE container_type='Input' AND container_id=$2 AND file_name='$3' AND file_path='$4' AND machine_id=$host;" | tr -d ' ')
  if [ "$count" -gt 0 ]; then
    echo "File $4/$3 already added to input $2 on host $1."
    return 0
  fi
  ${PSQL} "INSERT INTO dbfiles (container_type, container_id, file_name, file_path, machine_id) VALUES ('Input', $2, '$3', '$4', $host);" >/dev/null
  echo "File $4/$3 added to input $2 on host $1."
}
