#!/bin/sh
# Twin of PEcAn's shiny/dbsync/save-env-shiny.sh: the environment saved for the app, then the
# Shiny server on 3838 (the app at its root).
env > /home/shiny/.Renviron
exec python3 -m pecan_twin dbsync
