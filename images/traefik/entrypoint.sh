#!/bin/sh
# The official image's entrypoint (traefik/traefik-library-image, alpine/entrypoint.sh): an
# option or a Traefik subcommand as the first argument runs through traefik; anything else runs
# as a command.
set -e
if [ "${1#-}" != "$1" ]; then
  set -- traefik "$@"
fi
if traefik "$1" --help >/dev/null 2>&1; then
  set -- traefik "$@"
else
  echo "= '$1' is not a Traefik command: assuming shell execution." 1>&2
fi
exec "$@"
