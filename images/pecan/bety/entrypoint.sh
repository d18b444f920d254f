#!/bin/bash
# Twin of BETY's docker/entrypoint.sh: the commands our stacks use, with the same names and
# variables. `initialize` refuses, as BETY's does (pecan/db initialises a database).
case "$1" in
  initialize) echo "please use pecan/db image to initialize the database."; exit 255 ;;
  fix) exec ./script/fix.sh ;;
  user) shift; ./script/betyuser.sh "$@" ;;
  unicorn) exec python3 -m pecan_twin bety ;;
  *) exec "$@" ;;
esac
