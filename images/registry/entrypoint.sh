#!/bin/sh
# As the official image: a config file path (or `serve`/`garbage-collect` arguments) runs the
# registry; anything else is executed as given.
set -e
case "$1" in
  *.yaml|*.yml) set -- registry serve "$@" ;;
  serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac
exec "$@"
