#!/usr/bin/env python3
# bench/soak.py: a bounded soak of the real ivig-cds (issue 14; docs/reliability.md, "Soak").
#
# Starts the binary with a real SQLite audit log (keyed, as in production: a patient key and a chain
# key in owner-only files) and sends, at a fixed request rate for a set duration, a fixed cycle of
# valid calls (order-select and order-sign: the README's example, an order-sign made from it, the
# IVIg and Inferno requests of the fuzz seeds), malformed requests (each expecting its exact 4xx
# status and error code) and feedback on cards the valid calls returned. It samples the server's RSS
# and open file descriptors (/proc/<pid>) every few seconds. At the end (the server stopped):
#   - no 5xx and no unanswered request; every 4xx exactly the one expected;
#   - RSS flat: the mean of the last third of the samples at most 10 % (+ 2 MiB, allocator
#     granularity) above the second third's mean (the first third is warm-up);
#   - fds flat: the count at rest after the load equals the count at rest before it, and no sample
#     exceeds that plus the client's concurrency;
#   - every call audited: rows in `calls` (plus the rejections summarised under the per-minute cap)
#     equal the service calls and malformed requests sent; rows in `feedback` equal the items recorded;
#   - the chain verifies (`ivig-cds audit verify` with the chain key, exit 0);
#   - the server exits 0 on SIGTERM, and its log holds no sanitizer report.
# Exits 1 when any criterion fails. Criteria are on counts and growth, never latency, so it can run
# in CI under a sanitizer (tests/soak/CMakeLists.txt runs 60 s at 5 calls a second).
#
# Usage: bench/soak.py BINARY [--seconds 600] [--rate 20] [--sample 5] [--concurrency 4] [--extra OPTION ...]
import argparse
import collections
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_support import exchange, free_port, wait_port  # noqa: E402
from bench_support import post_request as post  # noqa: E402


def proc_figures(pid):
    """(RSS in MiB, open file descriptors)."""
    with open("/proc/%d/status" % pid) as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss_kb / 1024.0, len(os.listdir("/proc/%d/fd" % pid))


def valid_requests():
    """(service path, request dict) of the valid calls, each answered 200."""
    with open(os.path.join(ROOT, "deploy/examples/order-select-privigen-hyperprolinemia.json")) as f:
        example = json.load(f)
    sign = json.loads(json.dumps(example))
    sign["hook"] = "order-sign"
    del sign["context"]["selections"]
    out = [("/cds-services/ivig-order-select", example), ("/cds-services/ivig-order-sign", sign)]
    seeds = os.path.join(ROOT, "tests/fuzz/seeds/service_call")
    for name in ("ivig-select.json", "ivig-sign.json", "inferno-crd-order_select_hook_request.json",
                 "inferno-crd-order_sign_hook_request.json"):
        path = os.path.join(seeds, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            text = f.read()
        request = json.loads(text[text.index("{"):])  # a seed starts with its target's selector byte
        out.append(("/cds-services/ivig-order-%s" % request["hook"].split("-")[1], request))
    return out


# (name, raw request maker, expected status, expected error code): each rejected before any evaluation.
MALFORMED = [
    ("json-malformed", lambda: post("/cds-services/ivig-order-select", b'{"hook": "order-select", '), 400,
     b"json-malformed"),
    ("field-missing", lambda: post("/cds-services/ivig-order-select", b'{"hook": "order-select"}'), 400,
     b"field-missing"),
    ("hook-mismatch", lambda: post("/cds-services/ivig-order-sign", json.dumps(
        {"hook": "order-select", "hookInstance": str(uuid.uuid4()), "context": {}}).encode()), 400, b"hook-mismatch"),
    ("unknown-service", lambda: post("/cds-services/no-such-service", b"{}"), 404, b"unknown-service"),
    ("method-not-allowed", lambda: b"GET /cds-services/ivig-order-select HTTP/1.1\r\nHost: x\r\nConnection: close"
     b"\r\n\r\n", 405, b"method-not-allowed"),
    ("unsupported-media-type", lambda: post("/cds-services/ivig-order-select", b"{}", b"text/plain"), 415,
     b"unsupported-media-type"),
]


class Soak:
    def __init__(self, args, port):
        self.args, self.port = args, port
        self.valid = valid_requests()
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.failures = []
        self.cards = collections.deque(maxlen=200)
        self.feedback_seq = 0

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(what)
            self.counts["failed"] += 1

    def one_valid(self, i):
        path, request = self.valid[i % len(self.valid)]
        request = dict(request, hookInstance=str(uuid.uuid4()))
        status, body = exchange(self.port, post(path, json.dumps(request).encode()))
        with self.lock:
            self.counts["calls sent"] += 1
            self.counts["status %d" % status] += 1
        if status != 200:
            return self.fail("%s answered %d: %s" % (path, status, body[:200]))
        for card in json.loads(body).get("cards", []):
            with self.lock:
                self.cards.append(card["uuid"])

    def one_malformed(self, i):
        name, make, expected, code = MALFORMED[i % len(MALFORMED)]
        status, body = exchange(self.port, make())
        with self.lock:
            self.counts["malformed sent"] += 1
            self.counts["status %d" % status] += 1
        if status != expected or code not in body:
            self.fail("%s answered %d, not %d %s: %s" % (name, status, expected, code.decode(), body[:200]))

    def one_feedback(self, i):
        with self.lock:
            cards = list(self.cards)[-2:]
            base = self.feedback_seq
            self.feedback_seq += len(cards)
        if not cards:  # before any card: an unmatched item, still recorded
            cards = [str(uuid.uuid4())]
            with self.lock:
                base = self.feedback_seq
                self.feedback_seq += 1
        items = []
        for k, card in enumerate(cards):
            # A distinct outcome time per item, so that none is a duplicate of another.
            t = base + k
            stamp = "2026-11-30T%02d:%02d:%02dZ" % (t // 3600 % 24, t // 60 % 60, t % 60)
            # Overridden, with and without a comment ("accepted" needs a suggestion the cards may lack).
            item = {"card": card, "outcome": "overridden", "outcomeTimestamp": stamp}
            if t % 2:
                item["overrideReason"] = {"userComment": "soak %d" % t}
            items.append(item)
        status, body = exchange(self.port, post("/cds-services/ivig-order-select/feedback",
                                                json.dumps({"feedback": items}).encode()))
        with self.lock:
            self.counts["feedback sent"] += 1
            self.counts["status %d" % status] += 1
        if status != 200:
            return self.fail("feedback answered %d: %s" % (status, body[:200]))
        answer = json.loads(body)
        with self.lock:
            self.counts["feedback items recorded"] += answer.get("recorded", 0)
        if answer.get("recorded") != len(items) or answer.get("duplicates") != 0:
            self.fail("feedback of %d items answered %s" % (len(items), body[:200]))

    def run_load(self, seconds):
        # A fixed cycle of 20: 8 order-select/sign calls, 4 feedback, 5 malformed, 3 more calls.
        cycle = "VVVVFMVVMFVMVVFMVFMV"
        total = int(seconds * self.args.rate)
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=self.args.concurrency) as pool:
            for n in range(total):
                delay = start + n / self.args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                kind = cycle[n % len(cycle)]
                task = {"V": self.one_valid, "F": self.one_feedback, "M": self.one_malformed}[kind]
                pool.submit(self.guarded, task, n)
        return time.monotonic() - start

    def guarded(self, task, n):
        try:
            task(n)
        except Exception as e:  # a bad answer body: counted, never silent
            self.fail("%s(%d): %r" % (task.__name__, n, e))


def write_key(path):
    with open(path, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    os.chmod(path, 0o600)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=20, help="requests per second, all kinds together")
    parser.add_argument("--sample", type=float, default=5, help="seconds between RSS and fd samples")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--rss-tolerance", type=float, default=0.10)
    parser.add_argument("--work", help="folder for the audit log (default: a temporary one, removed)")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more ivig-cds options, last")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="ivig-soak-")
    os.makedirs(work, exist_ok=True)
    audit = os.path.join(work, "soak-audit.sqlite3")
    chain_key, patient_key = os.path.join(work, "chain.key"), os.path.join(work, "patient.key")
    for key in (chain_key, patient_key):
        write_key(key)
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    env = dict(os.environ)
    server = subprocess.Popen([args.binary, "--port", str(port), "--audit-path", audit,
                               "--audit-chain-key-file", chain_key, "--audit-patient-key-file", patient_key]
                              + args.extra,
                              stdout=log, stderr=log, env=env)
    problems = []
    samples = []
    try:
        wait_port(port, attempts=2400, proc=server)
        soak = Soak(args, port)
        soak.run_load(min(2.0, args.seconds))  # warm-up: the first calls' allocations are not growth
        time.sleep(1)
        rest_before = proc_figures(server.pid)
        sampling = True

        def sampler():
            while sampling:
                samples.append((time.monotonic(),) + proc_figures(server.pid))
                time.sleep(args.sample)

        sampler_thread = threading.Thread(target=sampler, daemon=True)
        sampler_thread.start()
        warm = sum(soak.counts[k] for k in ("calls sent", "malformed sent", "feedback sent"))
        took = soak.run_load(args.seconds)
        sampling = False
        sampler_thread.join()
        time.sleep(1)
        rest_after = proc_figures(server.pid)
    finally:
        server.terminate()
        try:
            code = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            code = server.wait()
        log.close()
    if code != 0:
        problems.append("the server exited %d on SIGTERM" % code)
    with open(os.path.join(work, "server.log"), errors="replace") as f:
        reports = [line.strip() for line in f if "Sanitizer" in line or "runtime error:" in line]
    if reports:  # a sanitizer build (CI) reports here, and a recoverable report does not change the exit code
        problems.append("sanitizer reports in the server's log, e.g. %s" % reports[0][:200])

    c = soak.counts
    fives = sum(n for k, n in c.items() if k.startswith("status 5"))
    print("soak: %.0f s at %.1f requests/s (achieved %.1f/s), %d client threads; %d samples"
          % (args.seconds, args.rate, (c["calls sent"] + c["malformed sent"] + c["feedback sent"] - warm) / took,
             args.concurrency, len(samples)))
    print("soak: sent %d calls, %d malformed, %d feedback (%d items recorded); statuses %s"
          % (c["calls sent"], c["malformed sent"], c["feedback sent"], c["feedback items recorded"],
             ", ".join("%s: %d" % (k[7:], n) for k, n in sorted(c.items()) if k.startswith("status "))))
    if fives or c["status 0"]:
        problems.append("%d answers 5xx and %d unanswered" % (fives, c["status 0"]))
    if c["failed"]:
        problems.append("%d unexpected answers, e.g. %s" % (c["failed"], "; ".join(soak.failures[:5])))

    # RSS and fds.
    third = len(samples) // 3
    if third >= 1:
        second = [s[1] for s in samples[third:2 * third]]
        last = [s[1] for s in samples[2 * third:]]
        m2, m3 = sum(second) / len(second), sum(last) / len(last)
        print("soak: RSS MiB at rest before %.1f; mean of the second third %.1f, of the last third %.1f (%+.1f %%); "
              "peak %.1f; at rest after %.1f" % (rest_before[0], m2, m3, 100 * (m3 - m2) / m2,
                                                 max(s[1] for s in samples), rest_after[0]))
        if m3 > m2 * (1 + args.rss_tolerance) + 2.0:
            problems.append("RSS grew: last third's mean %.1f MiB > second third's %.1f MiB + %d %% + 2 MiB"
                            % (m3, m2, 100 * args.rss_tolerance))
    else:
        problems.append("too few samples (%d) to judge RSS" % len(samples))
    peak_fds = max((s[2] for s in samples), default=0)
    print("soak: fds at rest before %d, peak %d, at rest after %d" % (rest_before[1], peak_fds, rest_after[1]))
    if rest_after[1] != rest_before[1]:
        problems.append("fds at rest %d after the load, %d before" % (rest_after[1], rest_before[1]))
    if peak_fds > rest_before[1] + args.concurrency + 2:
        problems.append("fds peaked at %d, above %d at rest + %d client threads + 2"
                        % (peak_fds, rest_before[1], args.concurrency))

    # Every call audited, and the chain verifies (the server has stopped: every summary is written).
    db = sqlite3.connect("file:%s?mode=ro" % audit, uri=True)
    one_by_one = db.execute("SELECT count(*) FROM calls WHERE service_id <> 'rejections not recorded one by one'")
    one_by_one = one_by_one.fetchone()[0]
    summarised = db.execute("SELECT coalesce(sum(json_extract(e.payload, '$.rejections_summarised')), 0) FROM calls c "
                            "JOIN entries e ON e.seq = c.seq WHERE c.service_id = 'rejections not recorded one by one'")
    summarised = summarised.fetchone()[0]
    feedback_rows = db.execute("SELECT count(*) FROM feedback").fetchone()[0]
    db.close()
    sent = c["calls sent"] + c["malformed sent"]
    print("soak: audit: %d calls recorded one by one + %d rejections summarised = %d (sent %d, warm-up included); "
          "%d feedback rows (recorded %d)" % (one_by_one, summarised, one_by_one + summarised, sent, feedback_rows,
                                              c["feedback items recorded"]))
    if one_by_one + summarised != sent:
        problems.append("audited %d calls, sent %d" % (one_by_one + summarised, sent))
    if feedback_rows != c["feedback items recorded"]:
        problems.append("audited %d feedback items, recorded %d" % (feedback_rows, c["feedback items recorded"]))
    verify = subprocess.run([args.binary, "audit", "verify", "--audit-path", audit, "--audit-chain-key-file",
                             chain_key], capture_output=True, text=True)
    print("soak: audit verify: exit %d: %s" % (verify.returncode, (verify.stdout + verify.stderr).strip()[:300]))
    if verify.returncode != 0:
        problems.append("the audit chain does not verify")

    for p in problems:
        print("soak: FAILED: " + p)
    print("soak: %s" % ("FAILED" if problems else "passed"))
    if problems:
        print("soak: the server's log and the audit log are in " + work)
    elif not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
