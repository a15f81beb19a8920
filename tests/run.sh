#!/usr/bin/env bash
# tests/run.sh: installs the build dependencies, builds the whole suite under AddressSanitizer and
# UndefinedBehaviorSanitizer (the `asan` preset of CMakePresets.json: clang, warnings as errors; the
# libFuzzer targets are built in the same tree) and runs it with CTest. The README's test command
# and CI's. IVIG_TEST_PRESET=debug runs it uninstrumented with GCC instead (build/).
#
# The FHIR fallback's tests need a real FHIR server: this installs the pinned test server
# (tests/fhir-server, `npm ci`: Medplum on Node 20), starts one for the whole run on a free
# loopback port over ../shared's Synthea records, and stops it at the end. The audit store's
# PostgreSQL tests need a real PostgreSQL 15: this starts one for the whole run
# (tests/support/pg_server.sh: initdb in a temporary folder, a free loopback port) and exports
# IVIG_TEST_PG_URL; each test makes its own database in it. The CORS test drives
# Debian's headless chromium with playwright-core (tests/browser/install.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
preset=${IVIG_TEST_PRESET:-asan}
bash deploy/install-deps.sh --tests
bash tests/fhir-server/install.sh
bash tests/browser/install.sh
# Sourced before the build too: the build runs each test binary to list its tests.
# shellcheck source=tests/sanitizers/env.sh
source tests/sanitizers/env.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
if [ "$preset" = asan ]; then probe_leak_detection build-asan/tests/unit/protocol_test; fi

work=$(mktemp -d)
fhir_pid=""
pg_dir=""
cleanup() {
  if [ -n "$fhir_pid" ]; then kill "$fhir_pid" 2>/dev/null || true; fi
  if [ -n "$pg_dir" ]; then bash tests/support/pg_server.sh stop "$pg_dir" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# A folder of its own under /tmp: the server runs as `postgres`, which cannot enter $work (0700, root).
pg_dir=$(mktemp -d /tmp/ivig-pg-run-XXXXXX)
IVIG_TEST_PG_URL="$(bash tests/support/pg_server.sh start "$pg_dir")/postgres"
export IVIG_TEST_PG_URL
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
# The preset gives every test a 300 s timeout: a test that hangs fails by name instead of stalling
# the run (the slowest takes ~20 s).
ctest --preset "$preset" -j"$(nproc)"
