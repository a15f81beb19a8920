#!/usr/bin/env bash
# bench/fallback.sh: the FHIR fallback's added latency (docs/fhir-fallback.md). Builds ivig-cds in
# Release, installs the test FHIR server (tests/fhir-server) and, when missing, wrk and nginx-light,
# then runs bench/fallback.py: about a minute, loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
SHARED=${SHARED:-../shared}
DURATION=${DURATION:-5s}
bash deploy/install-deps.sh >/dev/null
bash tests/fhir-server/install.sh >/dev/null
bash bench/install-tools.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIVIG_BUILD_TESTS=OFF -DIVIG_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ivig-cds >/dev/null
python3 bench/fallback.py "$BUILD" "$SHARED" "$DURATION"
