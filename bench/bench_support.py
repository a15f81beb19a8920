# bench/bench_support.py: what the bench/ scripts share: one wrk run and its figures, stopping the
# targets, a free port and waiting for it, and one raw HTTP/1.1 exchange on a fresh connection.
import os
import re
import socket
import subprocess
import time


def wrk(workdir, port, path, body, connections, duration, timeout=None):
    """POSTs `body` (a file) to 127.0.0.1:port/path with wrk -t1; returns (req/s, p50 ms, p99 ms, errors),
    errors counting non-2xx answers and socket errors."""
    script = os.path.join(workdir, "post.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                'local f = io.open("%s", "rb"); wrk.body = f:read("*a"); f:close()\n' % body)
    return wrk_script(script, port, path, connections, duration, timeout)


def wrk_script(script, port, path, connections, duration, timeout=None):
    """Runs wrk -t1 with the Lua `script` against 127.0.0.1:port/path; returns what wrk() returns."""
    command = ["wrk", "-t1", "-c%d" % connections, "-d" + duration, "--latency", "-s", script]
    if timeout:
        command += ["--timeout", timeout]
    out = subprocess.run(command + ["http://127.0.0.1:%d%s" % (port, path)], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(pct):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % pct, out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return rps, latency(50), latency(99), errors


def stop_all(procs):
    """Terminates every process, waits up to 15 s for each, kills those still running."""
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def free_port():
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, attempts=600, proc=None):
    """Returns once something accepts connections on loopback `port` (tries every 50 ms); exits at
    once if `proc`, the server being waited for, has exited."""
    for _ in range(attempts):
        if proc is not None and proc.poll() is not None:
            raise SystemExit("the server exited at start (%d)" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nothing listens on port %d" % port)


def post_request(path, body, content_type=b"application/json"):
    """The bytes of one POST that asks the server to close the connection after its answer."""
    return (b"POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (path.encode(), content_type, len(body))) + body


def exchange(port, raw, timeout=60, source="127.0.0.1"):
    """Sends raw bytes on a fresh loopback connection from `source` and reads to the close:
    (status, body), or (0, what went wrong) on a socket error or an answer that is not HTTP."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as s:
            s.sendall(raw)
            answer = b""
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                answer += chunk
    except OSError as e:
        return 0, str(e).encode()
    head, _, body = answer.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 "):
        return 0, answer[:200]
    try:
        return int(head[9:12]), body
    except ValueError:
        return 0, answer[:200]
