#!/bin/sh
# PostgreSQL from Debian's package, started the way the official image starts: an empty data
# folder gets a cluster, the POSTGRES_USER with POSTGRES_PASSWORD, and the init scripts.
set -eu
bin="$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"
data=/var/lib/postgresql/data
as_postgres() { runuser -u postgres -- "$@"; }
mkdir -p "$data" && chown postgres:postgres "$data" && chmod 700 "$data"
if [ ! -s "$data/PG_VERSION" ]; then
    printf '%s\n' "$POSTGRES_PASSWORD" >/tmp/pwfile && chown postgres /tmp/pwfile
    as_postgres "$bin/initdb" -D "$data" -U "$POSTGRES_USER" --pwfile=/tmp/pwfile \
        --auth=scram-sha-256 >/dev/null
    rm /tmp/pwfile
    echo "host all all all scram-sha-256" >>"$data/pg_hba.conf"
    as_postgres "$bin/pg_ctl" -D "$data" -w -s \
        -o "-c listen_addresses='' -c unix_socket_directories=/tmp" start
    for script in /docker-entrypoint-initdb.d/*.sql; do
        PGPASSWORD="$POSTGRES_PASSWORD" psql -q -h /tmp -U "$POSTGRES_USER" -d postgres -f "$script"
    done
    as_postgres "$bin/pg_ctl" -D "$data" -w -s stop
fi
exec runuser -u postgres -- "$bin/postgres" -D "$data" -c listen_addresses='*' \
    -c unix_socket_directories=/tmp
