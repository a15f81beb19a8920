#!/usr/bin/env bash
# bench/http_load.sh: HTTP load on the real server with wrk, over loopback only, bounded in time.
#
# Measures, in the same run, the baseline GET /healthz and an order-select POST carrying a whole
# Synthea record (the body the service benchmark uses), and prints the latency percentiles of both
# so the POST can be reported as a ratio to the baseline. Needs: wrk (Debian package), a Release
# build in build-release/ (deploy/run.sh makes one), and the request body written by
#   ./build-release/bench/service_bench --write-body=/tmp/ivig-synthea-body.json (see below).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-./build-release/hooks/app/ivig-cds}
BODY=${BODY:-/tmp/ivig-synthea-body.json}
PORT=${PORT:-18480}
DURATION=${DURATION:-10s}
[ -f "$BODY" ] || { echo "missing $BODY: run the service bench with --write-body=$BODY first"; exit 1; }
"$BIN" --port "$PORT" --threads 2 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
lua=$(mktemp)
cat > "$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$BODY", "rb"); wrk.body = f:read("*a"); f:close()
LUA
echo "== baseline: GET /healthz"
wrk -t1 -c4 -d"$DURATION" --latency "http://127.0.0.1:$PORT/healthz" | grep -E "50%|90%|99%|Requests/sec"
echo "== POST /cds-services/ivig-order-select with a whole Synthea record"
wrk -t1 -c4 -d"$DURATION" --latency -s "$lua" "http://127.0.0.1:$PORT/cds-services/ivig-order-select" | grep -E "50%|90%|99%|Requests/sec|Non-2xx"
rm -f "$lua"
