#!/usr/bin/env python3
# bench/health_under_load.py: does /healthz answer within a probe's timeout while heavy calls run,
# with calls on the I/O threads (--worker-threads 0) and on worker threads? And what do workers cost
# the ordinary small call? (issue 14; docs/reliability.md, "Health while heavy calls run").
#
# For each configuration, in turn and in the same run: the Release binary with its audit on (a
# SQLite log in a temporary folder, the default durability), N clients each sending heavy calls back
# to back (a 2.7 MB Synthea prefetch order-select, a 200-order order-sign, a 500-item feedback: each
# at the shipped caps), and a probe from another loopback address calling GET /healthz every 100 ms
# on a fresh connection. Reports the probe's p50, p99 and worst latency and how many took longer
# than 1 s (Kubernetes' default probe timeout); then the small order-select's throughput with wrk at
# 1 and 32 connections, with no heavy load, as a ratio to worker-threads 0 in the same run. The
# server's RSS at the end of each heavy cell: each thread may keep a malloc arena's free memory.
#
# Usage: bench/health_under_load.py BUILD_DIR [--heavy N] [--seconds S] [--workers W ...] [--rounds R]
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_support  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call(port, request, source, timeout):
    """Sends one request on a fresh connection; returns (status or 0 on a socket error, seconds)."""
    started = time.monotonic()
    status, _ = bench_support.exchange(port, request, timeout, source)
    return status, time.monotonic() - started


def heavy_bodies(bodies_dir):
    """The three heavy calls, each at the shipped caps: (name, path, body or a function making one)."""
    with open(os.path.join(ROOT, "deploy/examples/order-select-privigen-hyperprolinemia.json")) as f:
        example = json.load(f)
    order = example["context"]["draftOrders"]["entry"][0]["resource"]
    sign = json.loads(json.dumps(example))
    sign["hook"] = "order-sign"
    del sign["context"]["selections"]
    entries = []
    for i in range(200):  # --max-draft-orders
        o = json.loads(json.dumps(order))
        o["id"] = "ivig-%d" % i
        entries.append({"resource": o})
    sign["context"]["draftOrders"]["entry"] = entries
    with open(os.path.join(bodies_dir, "scale-8x.json"), "rb") as f:
        prefetch = f.read()

    def feedback():  # --max-feedback-items, fresh card uuids so that none is a duplicate
        items = [{"card": str(uuid.uuid4()), "outcome": "overridden",
                  "overrideReason": {"userComment": "soak"}, "outcomeTimestamp": "2026-11-30T12:00:00Z"}
                 for _ in range(500)]
        return json.dumps({"feedback": items}).encode()

    return [("prefetch", "/cds-services/ivig-order-select", lambda: prefetch),
            ("order-sign", "/cds-services/ivig-order-sign", lambda b=json.dumps(sign).encode(): b),
            ("feedback", "/cds-services/ivig-order-select/feedback", feedback)]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100.0 * len(values)))] if values else float("nan")


def measure_health(binary, workers, heavy, seconds, kinds, work):
    audit = os.path.join(work, "audit-%d-%f.sqlite3" % (workers, time.time()))
    port = bench_support.free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--worker-threads", str(workers), "--audit-path", audit],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bench_support.wait_port(port)
        running = True
        heavy_results = []
        probes = []

        def heavy_client(i):
            n = i
            while running:
                name, path, make = kinds[n % len(kinds)]
                n += 1
                heavy_results.append((name,) + call(port, bench_support.post_request(path, make()), "127.0.0.1", 120))

        def probe():
            request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            next_at = time.monotonic()
            while running:
                probes.append(call(port, request, "127.0.0.2", 60))
                next_at += 0.1
                time.sleep(max(0.0, next_at - time.monotonic()))

        threads = [threading.Thread(target=heavy_client, args=(i,), daemon=True) for i in range(heavy)]
        threads.append(threading.Thread(target=probe, daemon=True))
        for t in threads:
            t.start()
        time.sleep(seconds)
        with open("/proc/%d/status" % server.pid) as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024.0
        running = False
        for t in threads:
            t.join(timeout=180)
        latencies = [s for _, s in probes]
        failed = sum(1 for status, _ in probes if status != 200)
        statuses = {}
        for name, status, _ in heavy_results:
            statuses.setdefault("%s %d" % (name, status), 0)
            statuses["%s %d" % (name, status)] += 1
        return {"probes": len(probes), "failed": failed, "p50": percentile(latencies, 50) * 1000,
                "p99": percentile(latencies, 99) * 1000, "max": max(latencies) * 1000 if latencies else 0,
                "over1s": sum(1 for s in latencies if s > 1.0), "heavy": statuses, "rss": rss}
    finally:
        bench_support.stop_all([server])


def measure_small(binary, workers, small, duration, work):
    port = bench_support.free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--worker-threads", str(workers), "--no-audit"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bench_support.wait_port(port)
        return {c: bench_support.wrk(work, port, "/cds-services/ivig-order-select", small, c, duration)
                for c in (1, 32)}
    finally:
        bench_support.stop_all([server])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--heavy", type=int, default=4, help="concurrent heavy clients")
    parser.add_argument("--seconds", type=int, default=20, help="per configuration")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--rounds", type=int, default=2, help="each configuration this many times, interleaved")
    parser.add_argument("--wrk", default="5s", help="wrk duration per cell")
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    args = parser.parse_args()
    binary = os.path.join(args.build_dir, "hooks/app/ivig-cds")
    work = tempfile.mkdtemp(prefix="ivig-health-")
    try:
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/make_bodies.py"), work, args.shared], check=True)
        kinds = heavy_bodies(work)
        print("## /healthz every 100 ms while %d clients send heavy calls back to back (%d s per cell)\n"
              % (args.heavy, args.seconds))
        print("| worker threads | round | probes | failed | p50 ms | p99 ms | max ms | over 1 s | server RSS MiB at the end "
              "| heavy calls (status: count) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in range(args.rounds):
            for w in args.workers:
                m = measure_health(binary, w, args.heavy, args.seconds, kinds, work)
                print("| %d | %d | %d | %d | %.1f | %.1f | %.0f | %d | %.0f | %s |"
                      % (w, r + 1, m["probes"], m["failed"], m["p50"], m["p99"], m["max"], m["over1s"], m["rss"],
                         ", ".join("%s: %d" % kv for kv in sorted(m["heavy"].items()))), flush=True)
        print("\n## The small order-select, no heavy load (wrk -t1, %s per cell, audit off; ratio to worker "
              "threads %d in the same round)\n" % (args.wrk, args.workers[0]))
        print("| worker threads | round | conns | req/s | p50 ms | p99 ms | errors | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        small = os.path.join(work, "small.json")
        for r in range(args.rounds):
            results = {w: measure_small(binary, w, small, args.wrk, work) for w in args.workers}
            for c in (1, 32):
                base = results[args.workers[0]][c][0]
                for w in args.workers:
                    rps, p50, p99, errors = results[w][c]
                    print("| %d | %d | %d | %.0f | %.2f | %.2f | %d | %.2fx |"
                          % (w, r + 1, c, rps, p50, p99, errors, rps / base if base else 0), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
