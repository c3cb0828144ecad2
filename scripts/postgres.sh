#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of the shared register.
#   scripts/postgres.sh start  — installs Debian's postgresql-15 when missing, runs a new
#                                server on a free loopback port in a temporary folder, as the
#                                unprivileged user `postgres` when run as root (PostgreSQL
#                                refuses to run as root), and writes its admin URL to
#                                target/pg-test/url (the tests read it, or ZAGORE_TEST_POSTGRES);
#   scripts/postgres.sh stop   — stops it and removes its folder.
# `make test` starts it before the Rust tests and stops it after, whatever they return.
set -euo pipefail
cd "$(dirname "$0")/.."
state=target/pg-test
bin=/usr/lib/postgresql/15/bin
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop() {
  if [ -f "$state/data_dir" ]; then
    data=$(cat "$state/data_dir")
    as_postgres "$bin/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$data"
  fi
  rm -rf "$state"
}
case "${1:-}" in
  start)
    [ -x "$bin/initdb" ] || bash scripts/setup.sh postgres
    stop
    mkdir -p "$state"
    # Outside the work tree: a clone in a private temporary folder is not readable by `postgres`.
    data=$(mktemp -d /tmp/zagore-pg.XXXXXX)
    [ "$(id -u)" -ne 0 ] || chown postgres "$data"
    echo "$data" >"$state/data_dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres "$bin/initdb" -D "$data/db" -U zagore --auth=trust -E UTF8 --no-locale >/dev/null
    as_postgres "$bin/pg_ctl" -D "$data/db" -l "$data/log" -w \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
      || { cat "$data/log" >&2; exit 1; }
    echo "postgres://zagore@127.0.0.1:$port/postgres" >"$state/url"
    echo "postgres: test server on 127.0.0.1:$port"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
