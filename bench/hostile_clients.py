#!/usr/bin/env python3
# bench/hostile_clients.py: what slow and hostile clients cost the real ivig-cds, measured.
#
# Starts the built binary (audit off, the limits it ships with unless given) and, phase by phase,
# attacks it while one honest client keeps calling /healthz and a small order-select: thousands of
# idle connections, slowloris (a header byte a second), body trickle, half-closed sockets, resets in
# the middle of a response, a pipelining flood. For each phase it reports the honest client's worst
# latency and errors, and the server's resident memory and open file descriptors (from /proc),
# before and during. Usage: python3 bench/hostile_clients.py BUILD_DIR [--idle N] [--seconds S]
import argparse
import os
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
    """Calls /healthz and the order-select example in turn, on fresh connections from 127.0.0.2,
    recording latency."""

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
        while self.running:
            self.one(health)
            self.one(call)

    def take(self):
        out = (max(self.latencies) if self.latencies else 0.0, len(self.latencies), self.errors)
        self.latencies, self.errors = [], 0
        return out


def open_idle(port, n):
    sockets = []
    for _ in range(n):
        try:
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            break
    return sockets


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--idle", type=int, default=3000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more ivig-cds options")
    args = parser.parse_args()
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
        worst, calls, errors = honest.take()
        rss, fds = proc_figures(server.pid)
        print("| phase | honest calls | honest errors | honest worst latency | server RSS | server fds |")
        print("|---|---|---|---|---|---|")
        print("| quiet | %d | %d | %.0f ms | %.1f MiB | %d |" % (calls, errors, worst * 1000, rss, fds))
        phases = [
            ("%d idle connections" % args.idle, lambda: open_idle(port, args.idle) or time.sleep(args.seconds)),
            ("500 slowloris (a header byte a second)", lambda: slowloris(port, 500, args.seconds)),
            ("500 body trickles (a byte a second)", lambda: trickle(port, 500, args.seconds)),
            ("500 half-closed after a request", lambda: half_closed(port, 500)),
            ("500 resets mid-response", lambda: resets(port, 500, body)),
            ("50 pipelining floods (1000 requests, never read)", lambda: pipelining_flood(port, 50)),
        ]
        for name, attack in phases:
            held = []
            result = {}

            def run():
                result["sockets"] = attack()

            t = threading.Thread(target=run, daemon=True)
            t.start()
            time.sleep(args.seconds)
            rss, fds = proc_figures(server.pid)
            t.join(timeout=2 * args.seconds + 10)
            held = result.get("sockets") or []
            worst, calls, errors = honest.take()
            print("| %s | %d | %d | %.0f ms | %.1f MiB | %d |" % (name, calls, errors, worst * 1000, rss, fds))
            for s in held:
                s.close()
            time.sleep(1)
        honest.running = False
        rss, fds = proc_figures(server.pid)
        print("| after, all closed | | | | %.1f MiB | %d |" % (rss, fds))
    finally:
        stop_all([server])


if __name__ == "__main__":
    main()
