#!/usr/bin/env python3
# bench/auth.py: what caller authentication costs over HTTP (bench/auth.sh builds and calls it).
#
# Starts, on free loopback ports, ivig-cds with authentication off (no issuers: loopback only) and
# with it on (an ES384 key registered for one issuer), both Release, audit off and two I/O threads,
# so that the difference is the JWT check alone. wrk sends the same requests to both, each carrying
# `Authorization: Bearer <JWT>` (the service without issuers ignores it), so the bytes on the wire are
# alike: discovery (GET) and the README's small order-select (POST), at 1 and 32 connections. The
# service refuses a token id it has seen, so every request to the authenticating service takes its
# own token from a file minted beforehand (bench/mint_tokens.cpp), in order; the other service is sent
# the same tokens, reused in a loop. Prints one table with req/s, p50, p99, non-2xx and the ratios
# auth on / auth off.
#
# Usage: bench/auth.py BUILD_DIR [DURATION]   (DURATION like "5s"; default 5s)
# TOKENS (default 15000) is how many tokens each authenticated cell may use: more than the requests
# it can make (its rate is bounded by ES384 verification, about 1 ms of CPU per token here). A cell
# that ran out shows non-2xx answers (the service refused a reused token) and the script says so.
import os
import shutil
import subprocess
import sys
import tempfile

import bench_support

BUILD = sys.argv[1]
DURATION = sys.argv[2] if len(sys.argv) > 2 else "5s"
TOKENS = int(os.environ.get("TOKENS", "15000"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = tempfile.mkdtemp(prefix="ivig-auth-")
ISSUER = "https://ehr.example.org"
PUBLIC_URL = "https://cds.example.org"
BODY = os.path.join(ROOT, "deploy", "examples", "order-select-privigen-hyperprolinemia.json")
ENDPOINTS = [("discovery", "GET", "/cds-services", None),
             ("small order-select", "POST", "/cds-services/ivig-order-select", BODY)]
CONNECTIONS = (1, 32)

# Each request takes the next token; `wrap` reuses them in a loop (for the service that does not
# check them), otherwise the last one is repeated once they run out, which the service refuses.
LUA = """
local tokens, count, taken = {}, 0, 0
for line in io.lines("%(tokens)s") do count = count + 1; tokens[count] = line end
wrk.method = "%(method)s"
%(body)s
function request()
  taken = taken + 1
  if taken > count then taken = %(wrap)s end
  wrk.headers["Authorization"] = "Bearer " .. tokens[taken]
  return wrk.format()
end
"""


def cell_file(endpoint, connections):
    return os.path.join(WORK, "tokens-%d-%d.txt" % (endpoint, connections))


def mint():
    pairs = ["%s%s=%s" % (PUBLIC_URL, path, cell_file(i, c))
             for i, (_, _, path, _) in enumerate(ENDPOINTS) for c in CONNECTIONS]
    subprocess.run([os.path.join(BUILD, "bench", "mint_tokens"), "ES384", ISSUER, os.path.join(WORK, "jwks.json"),
                    str(TOKENS)] + pairs, check=True)
    with open(os.path.join(WORK, "issuers.json"), "w") as f:
        f.write('{"issuers":[{"iss":"%s","jwks_file":"jwks.json"}]}' % ISSUER)


def start(extra):
    port = bench_support.free_port()
    proc = subprocess.Popen([os.path.join(BUILD, "hooks", "app", "ivig-cds"), "--port", str(port), "--threads", "2",
                             "--no-audit"] + extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def wrk(port, endpoint, connections, wrap):
    _, method, path, body = ENDPOINTS[endpoint]
    script = os.path.join(WORK, "auth-%d-%d-%s.lua" % (endpoint, connections, wrap))
    with open(script, "w") as f:
        f.write(LUA % {"tokens": cell_file(endpoint, connections), "method": method, "wrap": "1" if wrap else "count",
                       "body": ('wrk.headers["Content-Type"] = "application/json"\n'
                                'local f = io.open("%s", "rb"); wrk.body = f:read("*a"); f:close()' % body)
                       if body else ""})
    return bench_support.wrk_script(script, port, path, connections, DURATION)


def main():
    mint()
    procs = []
    try:
        off, off_port = start([])
        on, on_port = start(["--issuers-file", os.path.join(WORK, "issuers.json"), "--public-url", PUBLIC_URL])
        procs += [off, on]
        bench_support.wait_port(off_port)
        bench_support.wait_port(on_port)
        print("## Caller authentication over HTTP (wrk -t1, %s per cell; ivig-cds Release, audit off, "
              "2 I/O threads; ES384 tokens)\n" % DURATION)
        print("| endpoint | conns | auth | req/s | p50 ms | p99 ms | non-2xx | on / off |")
        print("|---|---|---|---|---|---|---|---|")
        ran_out = False
        for endpoint, (label, _, _, _) in enumerate(ENDPOINTS):
            for connections in CONNECTIONS:
                rps_off, p50_off, p99_off, errors_off = wrk(off_port, endpoint, connections, wrap=True)
                rps_on, p50_on, p99_on, errors_on = wrk(on_port, endpoint, connections, wrap=False)
                ran_out = ran_out or errors_on > 0
                print("| %s | %d | off | %.0f | %.2f | %.2f | %d | |"
                      % (label, connections, rps_off, p50_off, p99_off, errors_off))
                print("| %s | %d | on | %.0f | %.2f | %.2f | %d | req/s %.2fx, p50 %.2fx, p99 %.2fx |"
                      % (label, connections, rps_on, p50_on, p99_on, errors_on, rps_on / rps_off,
                         p50_on / p50_off, p99_on / p99_off))
        if ran_out:
            print("\nSome authenticated requests were refused: the cells ran out of tokens; run again with a "
                  "larger TOKENS (now %d)." % TOKENS)
    finally:
        bench_support.stop_all(procs)
        shutil.rmtree(WORK, ignore_errors=True)


main()
