#!/bin/bash
# RABBITMQ_CONF_FILE (e.g. a secret file under /run/secrets) becomes rabbitmq.conf; the server
# then runs in the foreground as the rabbitmq user.
set -euo pipefail
if [ "${1:-}" != "rabbitmq-server" ]; then exec "$@"; fi
if [ -n "${RABBITMQ_CONF_FILE:-}" ]; then install -o rabbitmq -m 0600 "$RABBITMQ_CONF_FILE" /etc/rabbitmq/rabbitmq.conf; fi
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
exec runuser -u rabbitmq -- rabbitmq-server
