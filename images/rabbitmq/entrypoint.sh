#!/bin/bash
# Runs the server in the foreground as the rabbitmq user (config: /etc/rabbitmq/conf.d/*.conf).
set -euo pipefail
if [ "${1:-}" != "rabbitmq-server" ]; then exec "$@"; fi
chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
# As the official image (gosu, then RabbitMQ's own rabbitmq-server script, which stops the node
# cleanly on SIGTERM): setpriv execs, so that script is PID 1 and gets the stop signal. Not
# Debian's /usr/sbin/rabbitmq-server wrapper (a shell that waits without passing signals on) nor
# runuser (which SIGKILLs its child 2 s after a SIGTERM).
cd /var/lib/rabbitmq
export HOME=/var/lib/rabbitmq
exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server
