#!/bin/sh
# Runs once, when the postgres image initialises an empty data directory (docker-entrypoint-initdb.d).
# Two roles, neither a superuser:
#   backout_owner  owns the schema; the console runs its migrations as it (SPRING_LIQUIBASE_USER);
#   backout        the console's own login: it may read and append the trail, never change it.
# The image's superuser (POSTGRES_USER) is used for nothing else.
set -eu
# Passwords come from files (Docker secrets: BACKOUT_DB_OWNER_PASSWORD_FILE …) or, failing that, the environment.
from_file() {
  eval "file=\${${1}_FILE:-}"
  if [ -n "$file" ]; then cat "$file"; else eval "printf '%s' \"\${${1}}\""; fi
}
BACKOUT_DB_OWNER_PASSWORD=$(from_file BACKOUT_DB_OWNER_PASSWORD)
BACKOUT_DB_PASSWORD=$(from_file BACKOUT_DB_PASSWORD)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$BACKOUT_DB_OWNER_PASSWORD" -v console_password="$BACKOUT_DB_PASSWORD" <<'SQL'
create role backout_owner login nosuperuser nocreatedb nocreaterole password :'owner_password';
create role backout login nosuperuser nocreatedb nocreaterole password :'console_password';
alter database :"DBNAME" owner to backout_owner;
alter schema public owner to backout_owner;
revoke all on schema public from public;
grant usage on schema public to backout;
SQL
