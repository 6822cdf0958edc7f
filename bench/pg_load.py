#!/usr/bin/env python3
"""PostgreSQL load per castor object operation, measured (bench/pg_load.sh runs this).

For each kind of operation it runs N of them one after the other against a running castor
(native API, AUTH_MODE=disabled) and measures, on the PostgreSQL castor uses:
  - statements castor sent (pg_stat_statements, track=top: BEGIN and COMMIT count as statements;
    those of deferred triggers and SQL functions, which run inside PostgreSQL, apart),
    from the database castor uses only;
  - write transactions (transaction ids assigned: pg_current_snapshot()'s xmax before and after;
    read-only transactions take none);
  - WAL bytes written (pg_current_wal_lsn() before and after; the whole cluster, and nothing else
    writes meanwhile);
(all three exact at once, unlike pg_stat_database and pg_stat_wal, which backends report late)
and prints a Markdown table of the figures per operation, then the statements of each kind by
calls. Operations: small PUT (content <= INLINE_MAX_BYTES lives in the blob row), large PUT
(content in the blob store), GET by key (small), GET by id (large), DELETE, and a GC cycle
(`castor gc`) after the deletes, per deleted object.

usage: pg_load.py --castor URL --psql-url URL --castor-db NAME --castor-bin PATH [--n N]
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse


INNER = re.compile(r"\b(NEW|OLD)\.|\bus \* interval")


def psql(url, sql):
    out = subprocess.run(["psql", url, "-AtXq", "-F", "\t", "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.strip().splitlines() if line]


class Meter:
    def __init__(self, url, db):
        self.url, self.db = url, db

    def snapshot(self):
        row = psql(self.url, "SELECT pg_current_wal_lsn(), "
                   "pg_snapshot_xmax(pg_current_snapshot())")[0]
        return {"lsn": row[0], "xid": int(row[1])}

    def reset(self):
        psql(self.url, "SELECT pg_stat_statements_reset()")
        return self.snapshot()

    def measure(self, before):
        after = self.snapshot()
        wal = int(psql(self.url, f"SELECT pg_wal_lsn_diff('{after['lsn']}', '{before['lsn']}')")
                  [0][0])
        rows = psql(self.url, f"""
            SELECT s.calls, regexp_replace(left(s.query, 110), '\\s+', ' ', 'g')
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = '{self.db}' ORDER BY s.calls DESC, s.query""")
        # Run by PostgreSQL itself, not sent by castor: the statements of deferred triggers (they
        # fire at COMMIT, so pg_stat_statements sees them as top level) and of SQL functions.
        inner = [r for r in rows if INNER.search(r[1])]
        statements = sum(int(r[0]) for r in rows if r not in inner)
        return {"wal": wal, "writes": after["xid"] - before["xid"], "statements": statements,
                "inner": sum(int(r[0]) for r in inner),
                "top": rows[:12]}


class Client:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def call(self, method, path, body=None, headers=None, want=(200,)):
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in want:
            sys.exit(f"{method} {path} answered {r.status}: {data[:300]!r}")
        return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--castor", required=True)
    ap.add_argument("--psql-url", required=True, help="a libpq URL of the measuring connection")
    ap.add_argument("--castor-db", required=True)
    ap.add_argument("--castor-bin", required=True)
    ap.add_argument("--n", type=int, default=1000, help="operations of each small kind")
    ap.add_argument("--large-n", type=int, default=100)
    ap.add_argument("--large-size", type=int, default=1 << 20)
    args = ap.parse_args()

    meter = Meter(args.psql_url, args.castor_db)
    client = Client(args.castor)
    nonce = str(time.time_ns())
    results = []

    def phase(name, count, run):
        before = meter.reset()
        run()
        m = meter.measure(before)
        m.update(name=name, n=count)
        results.append(m)
        print(f"[pg_load] {name}: {count} ops, {m['statements']} statements, "
              f"{m['writes']} write transactions, {m['wal']} WAL bytes", file=sys.stderr)

    small_ids, large_ids = [], []

    def small_put():
        for i in range(args.n):
            body = (f"{nonce}-{i}-".encode() * 400)[:4096]
            r = client.call("POST", "/v1/objects", body, {
                "X-Namespace": "bench", "X-Tenant": "t1", "X-Key": f"small/{nonce}/{i}",
                "Content-Type": "application/octet-stream"}, want=(201,))
            small_ids.append(json.loads(r)["id"])

    def large_put():
        for i in range(args.large_n):
            body = (f"{nonce}-large-{i}-".encode() * (args.large_size // 16 + 1))[:args.large_size]
            r = client.call("POST", "/v1/objects", body, {
                "X-Namespace": "bench", "X-Tenant": "t1", "X-Key": f"large/{nonce}/{i}",
                "Content-Type": "application/octet-stream"}, want=(201,))
            large_ids.append(json.loads(r)["id"])

    def get_small():
        for i in range(args.n):
            client.call("GET", f"/v1/objects/by-key/bench/t1/small/{nonce}/{i}")

    def get_large():
        for oid in large_ids:
            client.call("GET", f"/v1/objects/{oid}", headers={"X-Tenant": "t1"})

    def delete_all():
        for oid in small_ids + large_ids:
            client.call("DELETE", f"/v1/objects/{oid}", headers={"X-Tenant": "t1"},
                        want=(200, 204))

    def gc():
        subprocess.run([args.castor_bin, "gc"], check=True, capture_output=True,
                       env=dict(os.environ, TOMBSTONE_RETENTION_SECONDS="0", LOG_LEVEL="warn"))

    phase("small PUT (4 KiB, in the blob row)", args.n, small_put)
    phase(f"large PUT ({args.large_size >> 20} MiB, in the blob store)", args.large_n, large_put)
    phase("GET by key (4 KiB)", args.n, get_small)
    phase(f"GET by id ({args.large_size >> 20} MiB)", args.large_n, get_large)
    deleted = args.n + args.large_n
    phase("DELETE", deleted, delete_all)
    phase("GC cycle, per deleted object", deleted, gc)

    print("| operation | n | statements sent / op | run by triggers and functions / op | "
          "write transactions / op | WAL bytes / op |")
    print("|---|---:|---:|---:|---:|---:|")
    for m in results:
        n = m["n"]
        print(f"| {m['name']} | {n} | {m['statements'] / n:.2f} | {m['inner'] / n:.2f} | "
              f"{m['writes'] / n:.2f} | "
              f"{m['wal'] / n:,.0f} |")
    print()
    for m in results:
        print(f"<details><summary>{m['name']}: statements by calls</summary>\n")
        print("| calls | statement |\n|---:|---|")
        for calls, query in m["top"]:
            print(f"| {calls} | `{query.replace('|', '/')}` |")
        print("\n</details>\n")


if __name__ == "__main__":
    main()
