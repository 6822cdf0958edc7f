#!/usr/bin/env python3
"""What idle keep-alive connections cost castor (issue 11: 10,000 of them, RSS growth < 200 MiB,
and a GET on a new connection still answers in < 50 ms).

Against a running castor (HOST:PORT, process PID on this machine) it:
  1. reads the server's VmRSS,
  2. opens N connections, sends one `GET /health` (HTTP/1.1, keep-alive) on each, reads the whole
     reply, and keeps every connection open and idle,
  3. reads VmRSS again (after a short settle) and reports the growth, in total and per connection,
  4. times GETs of /health on fresh connections (connect + request + full reply) while the N stay
     open, and reports the median and the worst,
  5. checks that the idle connections are still open (each answers a second GET), then closes them.

The client needs N file descriptors (it raises its soft RLIMIT_NOFILE to the hard limit), and the
server needs N plus its reserve: castor's default MAX_CONNECTIONS is (fd limit - reserve) / 2, so
run it with `ulimit -n` of at least 2 x N + 200, or set MAX_CONNECTIONS.

Usage: bench/idle_connections.py --port PORT --pid PID [--host 127.0.0.1] [-n 10000]
       [--path /health] [--probes 20] [--json]
Exit status 0 when every connection was served, 1 otherwise (targets are reported, not enforced).
"""

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def read_response(reader):
    """Reads one HTTP/1.1 response with a Content-Length body; returns (status, body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


def request(host, path):
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode()


async def open_one(host, port, path, sem):
    async with sem:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request(host, path))
        await writer.drain()
        status, _ = await read_response(reader)
        return reader, writer, status


async def fresh_get(host, port, path):
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(request(host, path))
    await writer.drain()
    status, _ = await read_response(reader)
    elapsed = time.perf_counter() - start
    writer.close()
    return status, elapsed


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True, help="castor's process id (for VmRSS)")
    ap.add_argument("-n", type=int, default=10000, help="idle connections to open")
    ap.add_argument("--path", default="/health")
    ap.add_argument("--probes", type=int, default=20, help="fresh-connection GETs to time")
    ap.add_argument("--settle", type=float, default=1.0, help="seconds before reading VmRSS")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.n + 100:
        print(f"warning: this client may open only {hard} descriptors", file=sys.stderr)

    # Warm up (the first request allocates what every later one reuses), then the baseline.
    status, _ = await fresh_get(args.host, args.port, args.path)
    await asyncio.sleep(args.settle)
    rss_before = vm_rss_kib(args.pid)

    sem = asyncio.Semaphore(256)  # connects in flight at once (the listen backlog is finite)
    t0 = time.perf_counter()
    results = await asyncio.gather(
        *(open_one(args.host, args.port, args.path, sem) for _ in range(args.n)),
        return_exceptions=True)
    open_seconds = time.perf_counter() - t0
    conns = [r for r in results if not isinstance(r, BaseException) and r[2] == 200]
    failures = len(results) - len(conns)
    errors = {}
    for r in results:
        key = type(r).__name__ if isinstance(r, BaseException) else f"HTTP {r[2]}"
        if isinstance(r, BaseException) or r[2] != 200:
            errors[key] = errors.get(key, 0) + 1

    await asyncio.sleep(args.settle)
    rss_after = vm_rss_kib(args.pid)

    latencies = []
    probe_failures = 0
    for _ in range(args.probes):
        try:
            status, elapsed = await fresh_get(args.host, args.port, args.path)
            if status == 200:
                latencies.append(elapsed)
            else:
                probe_failures += 1
        except OSError:
            probe_failures += 1

    # The idle connections are still usable.
    async def again(conn):
        reader, writer, _ = conn
        writer.write(request(args.host, args.path))
        await writer.drain()
        status, _ = await read_response(reader)
        return status

    second = await asyncio.gather(*(again(c) for c in conns), return_exceptions=True)
    still_open = sum(1 for s in second if s == 200)
    for _, writer, _ in conns:
        writer.close()

    growth_kib = rss_after - rss_before
    out = {
        "connections": args.n,
        "served": len(conns),
        "failed": failures,
        "errors": errors,
        "open_seconds": round(open_seconds, 2),
        "rss_before_mib": round(rss_before / 1024, 1),
        "rss_after_mib": round(rss_after / 1024, 1),
        "rss_growth_mib": round(growth_kib / 1024, 1),
        "bytes_per_connection": int(growth_kib * 1024 / max(1, len(conns))),
        "fresh_get_ms_median": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "fresh_get_ms_max": round(max(latencies) * 1000, 2) if latencies else None,
        "fresh_get_failures": probe_failures,
        "still_open_after": still_open,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{out['served']} of {args.n} connections served and held open "
              f"({out['failed']} failed {errors or ''}) in {out['open_seconds']} s")
        print(f"castor VmRSS {out['rss_before_mib']} -> {out['rss_after_mib']} MiB: "
              f"+{out['rss_growth_mib']} MiB ({out['bytes_per_connection']} bytes per connection)")
        print(f"GET {args.path} on a new connection: median {out['fresh_get_ms_median']} ms, "
              f"max {out['fresh_get_ms_max']} ms over {len(latencies)} ({probe_failures} failed)")
        print(f"{still_open} of {len(conns)} idle connections answered a second GET")
    return 0 if failures == 0 and probe_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
