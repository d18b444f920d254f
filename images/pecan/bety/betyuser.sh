#!/bin/bash
# Twin of BETY's script/betyuser.sh: six arguments, the application role from BETYUSER and
# BETYPASSWORD, the password digest salted with the login and SECRET_KEY_BASE (SHA-1, ten rounds).
if [ $# != 6 ]; then
  echo "$0 username password fullname email data_access page_access"
  exit 1
fi
login=$1 password=$2 name=$3 email=$4 access=$5 page=$6
digest=$SECRET_KEY_BASE
for _ in 1 2 3 4 5 6 7 8 9 10; do
  digest=$(printf '%s' "$digest--$login--$password--$SECRET_KEY_BASE" | sha1sum | cut -d' ' -f1)
done
# Like BETY's, a user that exists already is reported and the command still exits 0.
if PGPASSWORD=${BETYPASSWORD:-bety} psql -q -v ON_ERROR_STOP=1 -U "${BETYUSER:-bety}" -d "${BETYDATABASE:-bety}" -c \
  "INSERT INTO users (login, name, email, crypted_password, salt, access_level, page_access_level, created_at, updated_at) VALUES ('$login', '$name', '$email', '$digest', '$login', $access, $page, now(), now())"; then
  echo "User ($login) has been added to database"
else
  echo "Could not add user to database"
fi
