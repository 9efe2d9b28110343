# Sourced by .ci/run: a throwaway PostgreSQL server on 127.0.0.1 for the test run.
# Installs PostgreSQL from Debian's packages when missing (CI runs as root on a fresh
# machine), runs the server as an unprivileged user (postgres refuses to run as root),
# exports HEARTSTOPPER_TEST_POSTGRES_URL for the tests and stops the server on exit.
pg_bin_dir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$found" ] && command -v pg_ctl >/dev/null; then
        found=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    fi
    echo "$found"
}

if [ -z "$(pg_bin_dir)" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL is not installed and this is not root: install postgresql first" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(pg_bin_dir)
PG_DIR=$(mktemp -d /tmp/heartstopper-pg.XXXXXX)
# A port nobody uses now (a fixed one could be taken by a leftover server).
PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PG_USER=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    PG_USER=nobody
    chown "$PG_USER" "$PG_DIR"
fi
as_pg_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}
as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 >/dev/null
as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w start \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200" >/dev/null
stop_postgres() {
    as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
export HEARTSTOPPER_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
