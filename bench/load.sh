#!/usr/bin/env bash
# bench/load.sh: the load benchmark (docs/performance.md). Builds ivig-cds and the bare parse server
# in Release, writes the request bodies from ../shared's Synthea records, then runs bench/load.py:
# ivig-cds with its audit on and off, the bare Beast + RapidJSON server and nginx, on loopback ports,
# with wrk at 1 and 32 connections; prints the tables. Needs the Debian packages wrk and nginx-light
# (installed here when missing) and about 6 minutes (DURATION=5s per cell).
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
trap 'rm -rf "$bodies"' EXIT
python3 bench/make_bodies.py "$bodies" "$SHARED"
python3 bench/load.py "$BUILD" "$bodies" "$DURATION"
