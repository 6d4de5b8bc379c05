# Sourced by .ci/run: start a throwaway PostgreSQL on 127.0.0.1 for the tests marked `postgres`
# and export POS_TEST_PG_URL. Without the server binaries those tests skip, with a reason.
pg_bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pg_bin="$d"; done
if [ -z "$pg_bin" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) || true
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pg_bin="$d"; done
fi
if [ -n "$pg_bin" ]; then
    pg_dir=$(mktemp -d /tmp/pos-ci-pg.XXXXXX)
    pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; as_pg=(runuser -u postgres --); fi
    "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U pos --auth=trust -E UTF8 --locale=C >/dev/null
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" \
        -l "$pg_dir/log" -w start >/dev/null
    export POS_TEST_PG_URL="postgresql://pos@127.0.0.1:$pg_port/postgres"
    stop_postgres() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
    trap stop_postgres EXIT
    echo "PostgreSQL for tests at $POS_TEST_PG_URL" >&2
else
    echo "PostgreSQL server not installed: tests marked postgres will skip" >&2
fi
