#!/usr/bin/env bash
# tests/support/pg_server.sh: a throw-away PostgreSQL 15 for a test run (tests/run.sh starts one for
# the whole run; tests/support/pg_test_server.cpp does the same inside a test process when run alone).
#   pg_server.sh start DIR   initdb in DIR (as `postgres` when root: initdb refuses root), start it on
#                            a free loopback port, print its URL (postgresql://postgres@127.0.0.1:PORT)
#   pg_server.sh stop DIR    pg_ctl -m immediate stop, remove DIR
# Trust authentication on 127.0.0.1 only: the server holds test data and lives as long as the run.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
cmd=${1:?start or stop}
dir=${2:?folder}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
    as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1
    for _ in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null 2>&1; then
        echo "postgresql://postgres@127.0.0.1:$port"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2 || true
    echo "pg_server.sh: PostgreSQL did not start" >&2
    exit 1
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "pg_server.sh: start or stop" >&2; exit 2 ;;
esac
