#!/usr/bin/env bash
# bench/auth.sh: the cost of caller authentication (docs/performance.md, "Caller authentication").
# Builds ivig-cds and the token minter in Release, then runs bench/auth.py: ivig-cds with JWT
# checks on and off, on loopback ports, with wrk at 1 and 32 connections (about a minute with
# DURATION=5s, plus the minting). Needs wrk (bench/install-tools.sh installs it when missing).
# The in-process figures are build/bench/service_bench --benchmark_filter='ReadToken|Authenticate|SmallRequest$'.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
DURATION=${DURATION:-5s}
bash deploy/install-deps.sh >/dev/null
bash bench/install-tools.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIVIG_BUILD_TESTS=OFF -DIVIG_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ivig-cds mint_tokens >/dev/null
python3 bench/auth.py "$BUILD" "$DURATION"
