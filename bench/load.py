#!/usr/bin/env python3
# bench/load.py: the load benchmark's run and report (bench/load.sh builds and calls it).
#
# Starts, on free loopback ports: ivig-cds with its audit on (the default durability, power-loss:
# fsynced before the response), with its audit on at process-crash durability (written to the WAL
# before the response), with its audit on but no replay inputs kept (--audit-replay-inputs false),
# with its audit off, and with its audit off and no worker threads (calls on the I/O threads; the
# default has two workers); the bare Beast + RapidJSON server (bench/bare_server.cpp: the parse limit)
# and nginx answering fixed JSON (the transport limit). Sends the same bodies to each with wrk at 1 and
# 32 connections and prints one table: req/s, p50, p99, errors and the ratio to the bare server. Then: RSS and open descriptors of
# ivig-cds (audit on) with 256 idle keep-alive connections and load; and the service time against the
# prefetch size (1x, 2x, 4x, 8x a record). Loopback only; each wrk run is bounded by DURATION.
# With IVIG_BENCH_PG_URL set (bench/load.sh starts a PostgreSQL when postgresql-15 is installed), one
# more target: ivig-cds with its audit on that PostgreSQL (--audit-url, synchronous_commit on).
#
# Usage: bench/load.py BUILD_DIR BODIES_DIR [DURATION]   (DURATION like "5s"; default 5s)
# LOAD_BODIES=small,80k,prefetch,record limits the bodies (default: all four), for a quick look.
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request

import bench_support

BUILD, BODIES = sys.argv[1], sys.argv[2]
DURATION = sys.argv[3] if len(sys.argv) > 3 else "5s"
WORK = tempfile.mkdtemp(prefix="ivig-load-")
FIXED = '{"cards":[{"uuid":"5d0c0e53-47f4-5e2a-9f7e-5b2a3d0e6a11","summary":"nginx: fixed","indicator":"info",' \
        '"source":{"label":"bench/nginx"}}]}'


def start_targets():
    procs, targets = [], {}
    ivig = os.path.join(BUILD, "hooks", "app", "ivig-cds")
    configurations = [("ivig-cds audit on", ["--audit-path", os.path.join(WORK, "audit.sqlite3")]),
                      ("ivig-cds audit on, process-crash", ["--audit-path", os.path.join(WORK, "audit-pc.sqlite3"),
                                                            "--audit-durability", "process-crash"]),
                      # What keeping each call's replay input (the request and its fetched data) costs.
                      ("ivig-cds audit on, no replay inputs", ["--audit-path", os.path.join(WORK, "audit-nr.sqlite3"),
                                                               "--audit-replay-inputs", "false"]),
                      ("ivig-cds audit off", ["--no-audit"]),
                      ("ivig-cds audit off, no workers", ["--no-audit", "--worker-threads", "0"])]
    if os.environ.get("IVIG_BENCH_PG_URL"):
        # --audit-path then names only the spool.
        configurations.append(("ivig-cds audit on PostgreSQL",
                               ["--audit-url", os.environ["IVIG_BENCH_PG_URL"], "--audit-chain-id", "load",
                                "--audit-path", os.path.join(WORK, "audit-pg")]))
    for name, extra in configurations:
        port = bench_support.free_port()
        procs.append(subprocess.Popen([ivig, "--port", str(port), "--threads", "2"] + extra,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        targets[name] = (port, "/cds-services/ivig-order-select", procs[-1])
    port = bench_support.free_port()
    procs.append(subprocess.Popen([os.path.join(BUILD, "bench", "bare_server"), str(port), "2"]))
    targets["bare Beast + RapidJSON"] = (port, "/cds-services/ivig-order-select", procs[-1])
    port = bench_support.free_port()
    os.makedirs(os.path.join(WORK, "nginx", "logs"), exist_ok=True)
    with open(os.path.join(WORK, "nginx", "nginx.conf"), "w") as f:
        f.write("worker_processes 2; daemon off; pid %s/nginx/nginx.pid; error_log %s/nginx/logs/error.log;\n"
                "events { worker_connections 4096; }\n"
                "http { access_log off; client_max_body_size 64m; client_body_buffer_size 4m;\n"
                "  server { listen 127.0.0.1:%d; location / { default_type application/json; return 200 '%s'; } } }\n"
                % (WORK, WORK, port, FIXED))
    procs.append(subprocess.Popen(["nginx", "-p", os.path.join(WORK, "nginx"), "-c", "nginx.conf"],
                                  stderr=subprocess.DEVNULL))
    targets["nginx fixed JSON"] = (port, "/", procs[-1])
    for port, _, _ in targets.values():
        bench_support.wait_port(port)
    return procs, targets


def wrk(port, path, body, connections, duration=DURATION):
    return bench_support.wrk(WORK, port, path, body, connections, duration)


def rss_and_fds(pid):
    with open("/proc/%d/status" % pid) as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) // 1024
    return rss, len(os.listdir("/proc/%d/fd" % pid))


def idle_connections(port, count):
    held = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(4096)
        held.append(s)
    return held


def main():
    procs, targets = start_targets()
    try:
        bodies = [("small order-select", "small.json", "small"), ("80 KB prefetch", "prefetch-80k.json", "80k"),
                  ("Synthea patient's prefetch", "synthea-prefetch.json", "prefetch"),
                  ("whole Synthea record", "synthea-record.json", "record")]
        wanted = os.environ.get("LOAD_BODIES", "small,80k,prefetch,record").split(",")
        bodies = [(label, name) for label, name, key in bodies if key in wanted]
        print("## Throughput and latency (wrk -t1, %s per cell; ratio = req/s / bare server's)\n" % DURATION)
        print("| body | conns | target | req/s | p50 ms | p99 ms | errors | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        for label, name in bodies:
            body = os.path.join(BODIES, name)
            size = os.path.getsize(body) // 1024
            for connections in (1, 32):
                results = {t: wrk(port, path, body, connections) for t, (port, path, _) in targets.items()}
                bare = results["bare Beast + RapidJSON"][0]
                for t, (rps, p50, p99, errors) in results.items():
                    print("| %s (%d KB) | %d | %s | %.0f | %.2f | %.2f | %d | %.2fx |"
                          % (label, size, connections, t, rps, p50, p99, errors, rps / bare if bare else 0))
                off = results["ivig-cds audit off"][0]
                for t in ("ivig-cds audit on", "ivig-cds audit on, process-crash", "ivig-cds audit on, no replay inputs",
                          "ivig-cds audit on PostgreSQL"):
                    if t in results:
                        print("| | | %s / audit off | | | | | %.2fx |" % (t[9:], results[t][0] / off if off else 0))

        port, path, proc = targets["ivig-cds audit on"]
        print("\n## ivig-cds (audit on): memory and descriptors\n")
        print("| moment | RSS MB | open fds |\n|---|---|---|")
        print("| idle | %d | %d |" % rss_and_fds(proc.pid))
        held = idle_connections(port, 256)
        print("| 256 idle keep-alive connections | %d | %d |" % rss_and_fds(proc.pid))
        wrk(port, path, os.path.join(BODIES, "synthea-prefetch.json"), 32)
        print("| after 32-connection load, with the 256 still open | %d | %d |" % rss_and_fds(proc.pid))
        wrk(port, path, os.path.join(BODIES, "synthea-prefetch.json"), 32)
        print("| after a second load | %d | %d |" % rss_and_fds(proc.pid))
        for s in held:
            s.close()

        port, path, _ = targets["ivig-cds audit off"]
        bare_port, bare_path, _ = targets["bare Beast + RapidJSON"]
        print("\n## Service time against prefetch size (1 connection; the bare server's p50 for the same body, "
              "since reading a large body over loopback grows too)\n")
        print("| prefetch | body KB | ivig-cds audit off p50 ms | / 1x | bare p50 ms | / 1x | ivig-cds - bare ms | / 1x |")
        print("|---|---|---|---|---|---|---|---|")
        base = bare_base = diff_base = None
        for factor in (1, 2, 4, 8):
            body = os.path.join(BODIES, "scale-%dx.json" % factor)
            p50 = wrk(port, path, body, 1)[1]
            bare = wrk(bare_port, bare_path, body, 1)[1]
            base, bare_base = base or p50, bare_base or bare
            diff_base = diff_base or (p50 - bare)
            print("| %dx | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |"
                  % (factor, os.path.getsize(body) // 1024, p50, p50 / base, bare, bare / bare_base, p50 - bare,
                     (p50 - bare) / diff_base if diff_base else 0))
    finally:
        bench_support.stop_all(procs)
        shutil.rmtree(WORK, ignore_errors=True)


main()
