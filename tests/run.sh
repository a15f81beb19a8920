#!/usr/bin/env bash
# tests/run.sh: installs the build dependencies, builds everything (Debug, warnings as errors) and
# runs the whole test suite with CTest. The README's test command and CI's.
#
# The FHIR fallback's tests need a real FHIR server: this installs the pinned test server
# (tests/fhir-server, `npm ci`: Medplum on Node 20), starts one for the whole run on a free
# loopback port over ../shared's Synthea records, and stops it at the end. The CORS test drives
# Debian's headless chromium with playwright-core (tests/browser/install.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
bash deploy/install-deps.sh
bash tests/fhir-server/install.sh
bash tests/browser/install.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Debug
cmake --build build -j"$(nproc)"

work=$(mktemp -d)
fhir_pid=""
cleanup() {
  if [ -n "$fhir_pid" ]; then kill "$fhir_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# The token is the one tests/support/fhir_test_server.hpp names.
node tests/fhir-server/server.js --data "$SHARED/fhir-data/synthea" --extra tests/fhir-server/fixtures.json \
  --token test-token-7c1e4b2a --port 0 2>"$work/fhir.log" &
fhir_pid=$!
for _ in $(seq 1 600); do  # the records take some seconds to load
  if grep -q '^listening ' "$work/fhir.log"; then break; fi
  if ! kill -0 "$fhir_pid" 2>/dev/null; then cat "$work/fhir.log"; echo "tests/run.sh: the test FHIR server did not start" >&2; exit 1; fi
  sleep 0.1
done
port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$work/fhir.log" | head -1)
if [ -z "$port" ]; then cat "$work/fhir.log"; echo "tests/run.sh: the test FHIR server did not start" >&2; exit 1; fi
export IVIG_TEST_FHIR_URL="http://127.0.0.1:$port/fhir"
# A test that hangs fails by name after five minutes instead of stalling the run (the slowest takes ~20 s).
ctest --test-dir build --output-on-failure --timeout 300 -j"$(nproc)"
