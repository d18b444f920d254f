#!/bin/bash
# First start initialises the data directory (root password, database, user, init scripts);
# every start then runs the server in the foreground as the mysql user.
set -euo pipefail
if [ "${1:-}" != "mysqld" ]; then exec "$@"; fi

file_env() { # file_env VAR: VAR from VAR_FILE's contents when set
  local var=$1 file_var="${1}_FILE"
  if [ -n "${!file_var:-}" ]; then export "$var"="$(cat "${!file_var}")"; fi
}
file_env MYSQL_PASSWORD
file_env MYSQL_ROOT_PASSWORD
datadir=/var/lib/mysql
chown -R mysql:mysql "$datadir" /run/mysqld

if [ ! -d "$datadir/mysql" ]; then
  [ -n "${MYSQL_ROOT_PASSWORD:-}" ] || { echo "MYSQL_ROOT_PASSWORD or MYSQL_ROOT_PASSWORD_FILE is required" >&2; exit 1; }
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  for _ in $(seq 1 60); do mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break; sleep 1; done
  sql() { mariadb --socket=/run/mysqld/init.sock -uroot "$@"; }
  # Passwords are passed on stdin, so they never appear in a process list or a log line.
  {
    printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\n" "$MYSQL_ROOT_PASSWORD"
    printf "CREATE USER 'root'@'%%' IDENTIFIED BY '%s'; GRANT ALL ON *.* TO 'root'@'%%' WITH GRANT OPTION;\n" "$MYSQL_ROOT_PASSWORD"
    if [ -n "${MYSQL_DATABASE:-}" ]; then printf "CREATE DATABASE IF NOT EXISTS \`%s\` CHARACTER SET utf8mb4;\n" "$MYSQL_DATABASE"; fi
    if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
      printf "CREATE USER '%s'@'%%' IDENTIFIED BY '%s';\n" "$MYSQL_USER" "$MYSQL_PASSWORD"
      [ -n "${MYSQL_DATABASE:-}" ] && printf "GRANT ALL ON \`%s\`.* TO '%s'@'%%';\n" "$MYSQL_DATABASE" "$MYSQL_USER"
    fi
    echo "FLUSH PRIVILEGES;"
  } | sql
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] || continue
    echo "running $f"
    sql -p"$MYSQL_ROOT_PASSWORD" "${MYSQL_DATABASE:-mysql}" <"$f"
  done
  mariadb-admin --socket=/run/mysqld/init.sock -uroot -p"$MYSQL_ROOT_PASSWORD" shutdown
  wait "$pid" || true
  echo "database initialised"
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 "${@:2}"
