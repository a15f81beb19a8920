#!/usr/bin/env python3
# bench/hostile_clients.py: what slow and hostile clients cost the real ivig-cds, measured.
#
# Starts the built binary (audit off, the limits it ships with unless given) and, phase by phase,
# attacks it while one honest client on another address keeps calling /healthz and a small
# order-select: thousands of idle connections from one address (the per-peer cap) and from as many
# addresses of 127.0.0.0/8 (below and over the global cap), slowloris (a header byte a second), body
# trickle, half-closed sockets, resets in the middle of a response, a pipelining flood. For each phase
# it reports the honest client's errors and its p50 and worst latency as ratios to a quiet phase of
# the same run, the connections answered 503 too-many-connections at accept, and the server's
# resident memory and open file descriptors (from /proc) before, at the phase's peak and after.
# Raises its own file limit to the hard limit (10,000 client sockets, and the server inherits it).
# Usage: python3 bench/hostile_clients.py BUILD_DIR [--idle N] [--many N] [--seconds S] [--extra ...]
import argparse
import os
import resource
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_support import free_port, stop_all, wait_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def proc_figures(pid):
    """(RSS in MiB, open file descriptors) of the server process."""
    with open("/proc/%d/status" % pid) as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss_kb / 1024.0, len(os.listdir("/proc/%d/fd" % pid))


class HonestClient(threading.Thread):
    """Calls /healthz and the order-select example in turn, a call every 10 ms, on fresh connections
    from 127.0.0.2, recording latency."""

    def __init__(self, port, body):
        super().__init__(daemon=True)
        self.port, self.body = port, body
        self.latencies, self.errors, self.running = [], 0, True

    def one(self, request):
        started = time.monotonic()
        try:
            # From another loopback address than the attackers: the per-peer cap is theirs, not its.
            with socket.create_connection(("127.0.0.1", self.port), timeout=5, source_address=("127.0.0.2", 0)) as s:
                s.sendall(request)
                answer = b""
                while b"\r\n\r\n" not in answer:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
                if not answer.startswith(b"HTTP/1.1 200"):
                    self.errors += 1
        except OSError:
            self.errors += 1
        self.latencies.append(time.monotonic() - started)

    def run(self):
        health = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        call = (b"POST /cds-services/ivig-order-select HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(self.body)) + self.body
        # Paced, one call every 10 ms: unpaced, its own tens of thousands of fresh connections a minute
        # would meet the server's TIME_WAIT sockets on reused ports (a SYN retried after 1 s), which
        # measures the client's port reuse, not the server.
        next_at = time.monotonic()
        while self.running:
            for request in (health, call):
                self.one(request)
                next_at += 0.01
                time.sleep(max(0.0, next_at - time.monotonic()))

    def take(self):
        """(p50, worst, calls, errors) since the last take()."""
        lat = sorted(self.latencies)
        out = (lat[len(lat) // 2] if lat else 0.0, lat[-1] if lat else 0.0, len(lat), self.errors)
        self.latencies, self.errors = [], 0
        return out


def open_idle(port, n, many_addresses=False):
    """n connections that send nothing, from 127.0.0.1, or each from its own address of 127.0.0.0/8
    (127.1.0.1, 127.1.0.2 …) so that the per-peer cap does not bite and the global one does."""
    sockets = []
    for i in range(n):
        try:
            source = ("127.%d.%d.%d" % (1 + i // 62500, i // 250 % 250, 1 + i % 250), 0) if many_addresses else None
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5, source_address=source))
        except OSError:
            break
    return sockets


def refused_503(sockets, wait=2.0):
    """How many of `sockets` were answered 503 too-many-connections (at accept, then closed)."""
    time.sleep(wait)
    refused = 0
    for s in sockets:
        try:
            s.setblocking(False)
            if s.recv(64, socket.MSG_PEEK).startswith(b"HTTP/1.1 503"):
                refused += 1
        except OSError:
            pass
    return refused


def slowloris(port, n, seconds):
    sockets = open_idle(port, n)
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
    for i in range(seconds):
        for s in sockets:
            try:
                s.send(head[i:i + 1] if i < len(head) else b"a")
            except OSError:
                pass
        time.sleep(1)
    return sockets


def trickle(port, n, seconds):
    sockets = open_idle(port, n)
    for s in sockets:
        try:
            s.send(b"POST /cds-services/ivig-order-select HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 100000\r\n\r\n{")
        except OSError:
            pass
    for _ in range(seconds):
        for s in sockets:
            try:
                s.send(b" ")
            except OSError:
                pass
        time.sleep(1)
    return sockets


def half_closed(port, n):
    sockets = open_idle(port, n)
    for s in sockets:
        try:
            s.send(b"GET /cds-services HTTP/1.1\r\nHost: x\r\n\r\n")
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    return sockets


def resets(port, n, body):
    request = (b"POST /cds-services/ivig-order-select HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(request)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # RST while the answer is on its way
        except OSError:
            pass
    return []


def pipelining_flood(port, n):
    sockets = open_idle(port, n)
    burst = b"GET /cds-services HTTP/1.1\r\nHost: x\r\n\r\n" * 1000
    for s in sockets:
        try:
            s.setblocking(False)
            s.send(burst)  # and never read the answers
        except OSError:
            pass
    return sockets


class Sampler(threading.Thread):
    """The server's peak RSS and fd count while a phase runs (every 0.5 s)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.running, self.peak = pid, True, (0.0, 0)

    def run(self):
        while self.running:
            rss, fds = proc_figures(self.pid)
            self.peak = (max(self.peak[0], rss), max(self.peak[1], fds))
            time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--idle", type=int, default=3000, help="idle connections from one address")
    parser.add_argument("--many", type=int, default=10000, help="idle connections from as many addresses")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more ivig-cds options")
    args = parser.parse_args()
    # 10,000 client sockets and the server's as many: both need more than the usual 1,024 descriptors.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = free_port()
    binary = os.path.join(args.build_dir, "hooks/app/ivig-cds")
    server = subprocess.Popen([binary, "--port", str(port), "--no-audit"] + args.extra, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        with open(os.path.join(ROOT, "deploy/examples/order-select-privigen-hyperprolinemia.json"), "rb") as f:
            body = f.read()
        honest = HonestClient(port, body)
        honest.start()
        time.sleep(2)
        honest.take()
        time.sleep(args.seconds)
        base_p50, base_worst, calls, errors = honest.take()
        rss, fds = proc_figures(server.pid)
        print("Honest client: GET /healthz and the README's order-select in turn, fresh connections from "
              "127.0.0.2; ratios to the quiet phase of the same run (p50 %.2f ms, worst %.1f ms).\n"
              % (base_p50 * 1000, base_worst * 1000))
        print("| phase | honest calls | honest errors | honest p50 | honest worst | 503 at accept | RSS MiB before / "
              "peak / after | fds before / peak / after |")
        print("|---|---|---|---|---|---|---|---|")
        print("| quiet | %d | %d | 1.00x | 1.00x | | %.1f | %d |" % (calls, errors, rss, fds))
        refused = {}
        below = min(args.many, 10000 - 100)
        phases = [
            ("%d idle connections, one address" % args.idle,
             lambda: idle(port, args.idle, refused, False)),
            ("%d idle connections, %d addresses" % (below, below), lambda: idle(port, below, refused, True)),
            ("%d idle connections, %d addresses (over the global cap)" % (args.many + 100, args.many + 100),
             lambda: idle(port, args.many + 100, refused, True)),
            ("500 slowloris (a header byte a second)", lambda: slowloris(port, 500, args.seconds)),
            ("500 body trickles (a byte a second)", lambda: trickle(port, 500, args.seconds)),
            ("500 half-closed after a request", lambda: half_closed(port, 500)),
            ("500 resets mid-response", lambda: resets(port, 500, body)),
            ("50 pipelining floods (1000 requests, never read)", lambda: pipelining_flood(port, 50)),
        ]
        for name, attack in phases:
            refused.clear()
            before = proc_figures(server.pid)
            sampler = Sampler(server.pid)
            sampler.start()
            result = {}

            def run():
                result["sockets"] = attack()

            t = threading.Thread(target=run, daemon=True)
            t.start()
            time.sleep(args.seconds)
            t.join(timeout=2 * args.seconds + 60)
            p50, worst, calls, errors = honest.take()
            sampler.running = False
            sampler.join()
            for s in result.get("sockets") or []:
                s.close()
            time.sleep(2)
            after = proc_figures(server.pid)
            print("| %s | %d | %d | %.2fx | %.2fx | %s | %.1f / %.1f / %.1f | %d / %d / %d |"
                  % (name, calls, errors, p50 / base_p50 if base_p50 else 0, worst / base_worst if base_worst else 0,
                     refused.get("n", ""), before[0], sampler.peak[0], after[0], before[1], sampler.peak[1],
                     after[1]), flush=True)
        honest.running = False
        rss, fds = proc_figures(server.pid)
        print("| after, all closed | | | | | | %.1f | %d |" % (rss, fds))
    finally:
        stop_all([server])


def idle(port, n, refused, many_addresses):
    """Opens the idle connections, counts those answered 503 at accept; returns them all to hold."""
    sockets = open_idle(port, n, many_addresses)
    refused["n"] = refused_503(sockets)
    return sockets


if __name__ == "__main__":
    main()
