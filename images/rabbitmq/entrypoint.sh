#!/bin/bash
# Runs the server in the foreground as the rabbitmq user (config: /etc/rabbitmq/conf.d/*.conf).
set -euo pipefail
if [ "${1:-}" != "rabbitmq-server" ]; then exec "$@"; fi
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
exec runuser -u rabbitmq -- rabbitmq-server
