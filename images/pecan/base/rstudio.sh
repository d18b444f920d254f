#!/bin/bash
# Twin of PEcAn's docker/base/rstudio.sh: the variables KEEP_ENV names go into the user's
# ~/.Renviron, then rocker's /init.
mkdir -p "/home/${USER}"
echo "# Environment Variables" >> "/home/${USER}/.Renviron"
for x in ${KEEP_ENV}; do
  grep -v "^$x=" "/home/${USER}/.Renviron" > "/home/${USER}/.Renviron.new" || true
  echo "$x=${!x}" >> "/home/${USER}/.Renviron.new"
  mv "/home/${USER}/.Renviron.new" "/home/${USER}/.Renviron"
done
exec /init
