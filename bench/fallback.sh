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
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null
fi
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIVIG_BUILD_TESTS=OFF -DIVIG_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ivig-cds >/dev/null
python3 bench/fallback.py "$BUILD" "$SHARED" "$DURATION"
