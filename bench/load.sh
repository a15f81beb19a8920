#!/usr/bin/env bash
# bench/load.sh: the load benchmark (docs/performance.md). Builds ivig-cds and the bare parse server
# in Release, writes the request bodies from ../shared's Synthea records, then runs bench/load.py:
# ivig-cds with its audit on and off, the bare Beast + RapidJSON server and nginx, on loopback ports,
# with wrk at 1 and 32 connections; prints the tables. Needs the Debian packages wrk and nginx-light
# (installed here when missing) and about 6 minutes (DURATION=5s per cell). When PostgreSQL 15 is
# installed (postgresql-15, as the tests use), it starts one like the tests' (tests/support/pg_server.sh)
# and adds ivig-cds with its audit on it; IVIG_BENCH_PG_URL=postgresql://… uses another instead.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
SHARED=${SHARED:-../shared}
DURATION=${DURATION:-5s}
bash deploy/install-deps.sh >/dev/null
bash bench/install-tools.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIVIG_BUILD_TESTS=OFF -DIVIG_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ivig-cds bare_server >/dev/null
bodies=$(mktemp -d)
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then bash tests/support/pg_server.sh stop "$pg_dir" || true; fi
  rm -rf "$bodies"
}
trap cleanup EXIT
if [ -z "${IVIG_BENCH_PG_URL:-}" ] && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
  pg_dir=$(mktemp -d /tmp/ivig-pg-load-XXXXXX)
  IVIG_BENCH_PG_URL="$(bash tests/support/pg_server.sh start "$pg_dir")/postgres"
  export IVIG_BENCH_PG_URL
fi
python3 bench/make_bodies.py "$bodies" "$SHARED"
python3 bench/load.py "$BUILD" "$bodies" "$DURATION"
