#!/bin/bash
# Twin of PEcAn's docker/data/add-data.sh: unpacks the data the image carries into the runs
# volume (/data) where it is missing, and registers each file in BETY for this instance's host
# (FQDN), each step skipped when done already. The real image carries PEcAn's site and input
# archives; the twin carries three sites with a few small files each, under the same names.
if [ "${FQDN}" == "" ]; then
  echo "NEED TO SET FQDN"
  exit 1
fi
set -e
DATADIR="/data"
. "$(dirname "$0")/add.util.sh"
cd "${DATADIR}"

echo "CREATE FOLDERS"
mkdir -p /data/workflows /data/dbfiles
chmod 777 /data/workflows /data/dbfiles

echo "Adding sites"
if [ ! -e "${DATADIR}/sites" ]; then
  tar zxf /work/sites.tgz
  sed -i -e "s#/home/kooper/Projects/EBI#${DATADIR}#" sites/*/ED_MET_DRIVER_HEADER
fi

echo "REGISTER DATA"
SITES="$DATADIR/sites"
# [76] EBIFARM
addInput 76 10 "" ""; addInputFile "${FQDN}" "${INPUT_ID}" "ebifarm.lat40.0lon-88.0.site" "${SITES}/ebifarm"
addInput 76 12 "2004-01-01 00:00:00" "2009-12-31 23:59:59"; addInputFile "${FQDN}" "${INPUT_ID}" "ED_MET_DRIVER_HEADER" "${SITES}/ebifarm"
# [758] HARVARD
addInput 758 12 "1991-01-01 06:00:00" "2006-12-31 06:00:00"; addInputFile "${FQDN}" "${INPUT_ID}" "ED_MET_DRIVER_HEADER" "${SITES}/harvard_ems"
# [676] Willow Creek
addInput 676 24 "1998-01-01" "2006-12-31"; addInputFile "${FQDN}" "${INPUT_ID}" "wcr.clim" "${SITES}/willow"
addInput 676 12 "1998-01-01 06:00:00" "2006-12-31 06:00:00"; addInputFile "${FQDN}" "${INPUT_ID}" "ED_MET_DRIVER_HEADER" "${SITES}/willow"
echo "Done!"
