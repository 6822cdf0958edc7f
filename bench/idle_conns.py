#!/usr/bin/env python3
"""Hold many idle keep-alive HTTP connections to a server and measure what they cost it.

Used by bench/run.sh for issue 11's "10,000 idle keep-alive connections" target. Standard library
only (asyncio + socket). Steps, all against one server on HOST:PORT:

 1. Time a few GETs, each on a new connection (the "before" samples).
 2. Read the server's VmRSS (/proc/PID/status) and its open file descriptors (/proc/PID/fd).
 3. Open N connections, at most --concurrency at a time. On each one send ONE complete GET
    (HTTP/1.1, keep-alive) and read its complete response (status 200 and Content-Length bytes of
    body are required), then leave the connection open and idle: a real keep-alive connection
    that the server has finished with.
 4. With all N still open: read VmRSS, VmHWM and the fd count again, then time --samples GETs,
    each on a new connection (connect + request + complete response, time.perf_counter).
 5. Check that the N connections are still open (a MSG_PEEK|MSG_DONTWAIT read must find no EOF:
    a server that closed idle connections early would otherwise flatter the RSS figure), then
    close them all.

Prints one line for bench/run.sh (times in ms, memory in KiB):
  IDLE n=... opened=... failed=... open_s=... still_open=... rss_before_kib=... rss_after_kib=...
       hwm_after_kib=... fds_before=... fds_after=... before_ms=a,b,c get_ms=a,b,c,...
       get_errors=... get_median_ms=...
Exit status 0 even when some connections or timed GETs failed (the line counts them, stderr shows
the first error); 2 on usage errors.
"""

import argparse
import asyncio
import os
import resource
import socket
import statistics
import sys
import time


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def request_bytes(host, port, path, headers):
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += headers
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_head(head):
    """-> (status, content_length) from a response header block (bytes, without the blank line)."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() == "transfer-encoding":
            raise ValueError("chunked responses are not supported by this client")
    if length is None:
        raise ValueError("response without Content-Length")
    return status, length


async def exchange(loop, sock, req):
    """Send one request on a connected non-blocking socket and read its complete response."""
    await loop.sock_sendall(sock, req)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = await loop.sock_recv(sock, 65536)
        if not chunk:
            raise ConnectionError("closed before the response header")
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    status, length = parse_head(head)
    while len(body) < length:
        chunk = await loop.sock_recv(sock, 65536)
        if not chunk:
            raise ConnectionError("closed inside the response body")
        body += chunk
    if status != 200:
        raise ConnectionError(f"HTTP {status}")
    if len(body) != length:
        raise ConnectionError(f"{len(body) - length} bytes after the response")


def timed_get(host, port, req):
    """One GET on a new blocking connection: ms from connect() to the response's last byte."""
    t0 = time.perf_counter()
    with socket.create_connection((host, port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(req)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the response header")
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        status, length = parse_head(head)
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed inside the response body")
            body += chunk
    ms = (time.perf_counter() - t0) * 1000
    if status != 200:
        raise ConnectionError(f"HTTP {status}")
    return ms


async def open_all(args, reqs):
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(args.concurrency)
    socks, errors = [], []

    async def one(i):
        async with sem:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                await loop.sock_connect(s, (args.host, args.port))
                await exchange(loop, s, reqs[i % len(reqs)])
                socks.append(s)
            except (OSError, ValueError, ConnectionError) as e:
                errors.append(f"{type(e).__name__}: {e}")
                s.close()

    await asyncio.gather(*(one(i) for i in range(args.n)))
    return socks, errors


def still_open(socks):
    n = 0
    for s in socks:
        try:
            # b"" = the server closed it; data = it sent something unasked: not idle either way
            s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, max(hard, need)))
    except (ValueError, OSError):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        print(f"idle_conns.py: only {soft} file descriptors (need {need}); raise `ulimit -n`",
              file=sys.stderr)
        sys.exit(2)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True, help="server process to watch")
    p.add_argument("--n", type=int, default=10000, help="idle connections to hold")
    p.add_argument("--path", required=True,
                   help="request path; a printf %%d directive rotates over 0 .. --rotate - 1")
    p.add_argument("--rotate", type=int, default=1)
    p.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    p.add_argument("--concurrency", type=int, default=100, help="connections being opened at once")
    p.add_argument("--samples", type=int, default=9, help="timed GETs on new connections")
    args = p.parse_args()
    if args.n < 0 or args.rotate < 1 or args.concurrency < 1 or args.samples < 1:
        p.error("--n >= 0, --rotate, --concurrency and --samples >= 1")
    raise_fd_limit(args.n + 256)

    paths = [args.path % i for i in range(args.rotate)] if "%" in args.path else [args.path]
    reqs = [request_bytes(args.host, args.port, path, args.header) for path in paths]

    sample_errors = []

    def samples(k):
        out = []
        for i in range(k):
            try:
                out.append(timed_get(args.host, args.port, reqs[i % len(reqs)]))
            except (OSError, ValueError, ConnectionError) as e:
                sample_errors.append(f"{type(e).__name__}: {e}")
            time.sleep(0.05)  # spacing between samples, not synchronisation
        return out

    before_ms = samples(min(args.samples, 5))
    rss_before = status_kib(args.pid, "VmRSS")
    fds_before = fd_count(args.pid)
    t0 = time.perf_counter()
    socks, errors = asyncio.run(open_all(args, reqs))
    open_s = time.perf_counter() - t0
    rss_after = status_kib(args.pid, "VmRSS")
    hwm_after = status_kib(args.pid, "VmHWM")
    fds_after = fd_count(args.pid)
    get_ms = samples(args.samples)
    alive = still_open(socks)
    for s in socks:
        s.close()
    if errors:
        print(f"idle_conns.py: {len(errors)} connections failed, first: {errors[0]}", file=sys.stderr)
    if sample_errors:
        print(f"idle_conns.py: {len(sample_errors)} timed GETs failed, first: {sample_errors[0]}",
              file=sys.stderr)

    def fmt(v):
        return ",".join(f"{x:.2f}" for x in v) or "n/a"

    median = f"{statistics.median(get_ms):.2f}" if get_ms else "n/a"

    print(f"IDLE n={args.n} opened={len(socks)} failed={len(errors)} open_s={open_s:.2f} "
          f"still_open={alive} rss_before_kib={rss_before} rss_after_kib={rss_after} "
          f"hwm_after_kib={hwm_after} fds_before={fds_before} fds_after={fds_after} "
          f"before_ms={fmt(before_ms)} get_ms={fmt(get_ms)} get_errors={len(sample_errors)} "
          f"get_median_ms={median}")


if __name__ == "__main__":
    main()
