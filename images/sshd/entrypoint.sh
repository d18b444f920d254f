#!/bin/bash
# Host keys are made per container (each "server" has its own identity); the one key allowed in
# comes from AUTHORIZED_KEY. sshd logs to stderr, so `docker logs` shows every login.
set -euo pipefail
: "${AUTHORIZED_KEY:?set AUTHORIZED_KEY to the public key allowed to log in}"
ssh-keygen -A >/dev/null
printf '%s\n' "$AUTHORIZED_KEY" > /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
exec /usr/sbin/sshd -D -e
