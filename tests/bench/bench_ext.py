#!/usr/bin/python3
"""Benchmark the Part II extensions of stage 6 side by side with redis-server.

    make bench-ext                   # the defaults below
    /usr/bin/python3 tests/bench/bench_ext.py --quick          # a smoke run, < 2 minutes
    /usr/bin/python3 tests/bench/bench_ext.py --rounds 3 --build-dir build

Our server runs as `build/stage6 --threads 1 --appendonly no`, Redis as
`redis-server --save '' --appendonly no`, each on a free loopback port (the
helpers are bench.py's: Server, make_server, run_benchmark...). Server CPU
time is the sum over /proc/PID/task/*/schedstat (first field, nanoseconds on
a CPU), read before and after each measured run; it does not count the time
a server waited for a CPU or for its client, so it is much steadier than
throughput on a shared box. Where there are rounds (parts 1, 3 and 4) the two
servers take turns going first and the medians are compared. Ratios are
always ours / redis.

1. Hashes and sets, throughput and CPU. One pair of servers; for --rounds
   rounds, at -P 1 and -P 16:

       redis-benchmark -c 50 -n REQUESTS -q --csv -P DEPTH -t TEST

   for TEST in hset, sadd, spop, one run each (so its CPU can be charged
   to it). redis-benchmark's tests are `HSET myhash element:__rand_int__
   <value>`, `SADD myset element:__rand_int__` and `SPOP myset`; without -r
   the placeholder stays literal, so HSET and SADD write one field/member
   again and again, and `-t spop` adds nothing to pop (it does not run
   SADD first: alone it would pop from an empty key almost every time).
   So, outside the measured run, myset is deleted and refilled with
   REQUESTS distinct members `element:%012d` before each spop run: every
   SPOP pops a member, the last one empties the set, and both servers see
   the same state at every step. Figures: rps and server CPU microseconds
   per request, medians; geomean of the three ratios per -P. Targets:
   rps ratio >= 1.0 and CPU/request ratio <= 0.9 at each -P.

2. Memory per element. For each workload, a fresh server each (ours, then
   Redis): `SET warm x` + `DEL warm`, INFO used_memory on a new connection,
   the load as one raw RESP pipeline over a connection that is closed
   before the second reading (so no client's buffers are counted), a
   1-second pause, INFO used_memory again. Bytes per element = growth /
   elements. Workloads (--quick divides the counts by 10):
     hashes-10    20,000 hashes x 10 fields, HSET hash:I field:J value:N
     hash-500k    one hash of 500,000 fields, HSET big field:N value:N, 1,000 pairs a command
     intset-1M    one set of 1,000,000 integers, SADD s, 1,000 a command
     sets-8       50,000 sets x 8 members, SADD set:I member:N (N unique)
   Target: ratio <= 1.0 for each.

3. Transactions. A client of this script sends --tx transactions, each
   `MULTI`, 10 x `SET tx:K vvvvvvvvvv` (10-byte values, K over 100,000
   keys), `EXEC`, split over --tx-connections connections (4), one thread
   each. Each connection's transactions are all pipelined: a second thread
   sends them in one go while the first reads, and the replies must be
   exactly +OK, 10 x +QUEUED, *10 and 10 x +OK per transaction. The
   client does little per byte, so the server is the bottleneck.
   Transactions per second = transactions / wall time from the first send
   to the last reply; server CPU per transaction too. Both servers must end
   with the same DBSIZE. Target: tps ratio >= 1.0.

4. SCAN. --scan-keys keys (key:0 ..., MSET 1,000 at a time) in each
   server, then for --rounds rounds this script's client sends
   `SCAN cursor COUNT 1000` from cursor 0 until the cursor is 0, one call
   at a time (redis-cli 7.0's --scan has no --count). It splits each reply
   on CRLF instead of parsing it value by value, so that its own share of
   the wall time stays small. Every key must come back (SCAN may repeat a
   key; duplicates are counted, not an error). Figures: wall time, server
   CPU and the number of SCAN calls, medians. Target: wall time ratio
   <= 1.0.

5. Eviction, --maxmemory-mb (64) and allkeys-lru, given on the command
   line to fresh servers.
   a. Bound: --evict-write-mb (300) MB of 100-byte values written with
      redis-benchmark -t set -d 100 -r 100000000 -P 16 -c 50 (random keys,
      nearly all distinct). A thread of this script reads INFO memory every
      20 ms during the load and for a second after it. Figure: max
      used_memory / maxmemory during, and after. Target: <= 1.05 (ours,
      both). DBSIZE, evicted_keys and VmRSS at the end are given for
      context (part b gives them too).
   b. Cache hit ratio: --zipf-keys (1,000,000) distinct keys, popularity
      Zipf with s = 1.0 (key:R has weight 1/(R+1)), drawn by a
      random.Random(--seed), so both servers get the same sequence. The
      client works like a cache: GET key; on a miss, SET key to a value of
      --zipf-value-size bytes (1,000). GETs go 100 at a time, then the
      SETs for that batch's misses. The values are that large so that the
      keys drawn (about 340,000 distinct in 2,000,000 draws) need several
      times maxmemory, and the servers must keep evicting: with 100-byte
      values they would all fit in 64 MB (as many as part a leaves) and the
      hit ratio would only count first-time misses. After
      --zipf-ops operations of warm-up, keyspace_hits and keyspace_misses
      are read from INFO stats, --zipf-ops more operations run, and the hit
      ratio is hits / (hits + misses) over those. Target: |ours - redis|
      <= 2 percentage points. The client also counts the GETs that found
      their key; that hit ratio is reported beside INFO's, for context
      (they differ when a server counts a SET's lookup as a hit or miss).

It prints the tables and a summary, each target marked met or missed, and
writes the results as JSON to BUILD/bench-ext.json. Every server it starts
is stopped by its PID (SIGTERM, then wait), also when it fails or is
interrupted. Standard library only; needs redis-server and redis-benchmark
on PATH.
"""

import argparse
import datetime
import itertools
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench                                   # noqa: E402  (the helpers, same folder)
from bench import BenchError, command, encode, geomean, progress, ratio  # noqa: E402

OURS_EXTRA = ["--threads", "1", "--appendonly", "no"]
CLIENTS = 50
DEPTHS = [1, 16]
TESTS = ["hset", "sadd", "spop"]
SPOP_KEY = b"myset"                 # the key of redis-benchmark's SADD and SPOP tests
SPOP_MEMBER = b"element:%012d"      # what `-r` would make of element:__rand_int__
PER_COMMAND = 1000                  # members, fields or keys per loading command

TX_SETS = 10
TX_KEYSPACE = 100000
TX_VALUE = b"v" * 10
TX_BLOCK_REPLY = b"+OK\r\n" + b"+QUEUED\r\n" * TX_SETS + b"*%d\r\n" % TX_SETS + b"+OK\r\n" * TX_SETS

EVICT_VALUE_SIZE = 100
SAMPLE_EVERY_S = 0.02
ZIPF_BATCH = 100

# (key, label, op, limit): checked in the summary.
TARGETS = [
    ("rps_ratio_P1", "hset/sadd/spop: rps ratio, geomean, -P 1", ">=", 1.0),
    ("rps_ratio_P16", "hset/sadd/spop: rps ratio, geomean, -P 16", ">=", 1.0),
    ("cpu_ratio_P1", "hset/sadd/spop: CPU/request ratio, geomean, -P 1", "<=", 0.9),
    ("cpu_ratio_P16", "hset/sadd/spop: CPU/request ratio, geomean, -P 16", "<=", 0.9),
    ("mem_ratio_hashes-10", "memory: B/element ratio, hashes-10", "<=", 1.0),
    ("mem_ratio_hash-500k", "memory: B/element ratio, hash-500k", "<=", 1.0),
    ("mem_ratio_intset-1M", "memory: B/element ratio, intset-1M", "<=", 1.0),
    ("mem_ratio_sets-8", "memory: B/element ratio, sets-8", "<=", 1.0),
    ("tx_tps_ratio", "MULTI+10 SET+EXEC: transactions/s ratio", ">=", 1.0),
    ("scan_time_ratio", "SCAN all keys COUNT 1000: wall time ratio", "<=", 1.0),
    ("evict_max_during_ours", "eviction: ours max used_memory/maxmemory, during", "<=", 1.05),
    ("evict_max_after_ours", "eviction: ours max used_memory/maxmemory, after", "<=", 1.05),
    ("zipf_hit_gap_points", "Zipf cache: |hit ratio ours - redis|, points", "<=", 2.0),
]


# ---------------------------------------------------------------- helpers

def servers_pair(ours_bin, tmpdir, tag, extra=()):
    taken = set()
    ours = bench.make_server("ours", ours_bin, tmpdir, tag, taken, OURS_EXTRA + list(extra))
    redis = bench.make_server("redis", ours_bin, tmpdir, tag, taken, list(extra))
    return ours, redis


def info_field(port, section, field):
    text = command(port, "INFO", section)
    text = text.decode() if isinstance(text, bytes) else str(text)
    m = re.search(r"^%s:(\d+)\r?$" % re.escape(field), text, re.M)
    if not m:
        raise BenchError("INFO %s has no %s" % (section, field))
    return int(m.group(1))


def used_memory(port):
    return info_field(port, "memory", "used_memory")


def load(port, commands):
    """Send RESP commands (each with a one-line reply) as one pipeline over a
    connection of its own, closed when every reply has come back."""
    payload = b"".join(commands)
    bench.pipeline(port, payload, len(commands), timeout=600.0)


def alternate(rnd, pair):
    return list(pair) if rnd % 2 == 0 else list(reversed(pair))


def median(values):
    return statistics.median(values) if values else None


# ---------------------------------------------------------------- 1. throughput

def fill_spop_set(port, n):
    command(port, "DEL", SPOP_KEY)
    cmds = []
    for start in range(0, n, PER_COMMAND):
        members = [SPOP_MEMBER % i for i in range(start, min(n, start + PER_COMMAND))]
        cmds.append(encode(b"SADD", SPOP_KEY, *members))
    load(port, cmds)
    got = command(port, "SCARD", SPOP_KEY)
    if got != n:
        raise BenchError("SCARD %s is %r after filling it with %d members" % (SPOP_KEY, got, n))


def throughput(args, ours_bin, tmpdir):
    ours, redis = servers_pair(ours_bin, tmpdir, "throughput")
    servers = {"ours": ours, "redis": redis}
    samples = {}        # (test, depth) -> who -> [(rps, cpu_us)]
    runs = []
    try:
        ours.start()
        redis.start()
        total = args.rounds * len(DEPTHS) * len(TESTS) * 2
        done = 0
        for rnd in range(args.rounds):
            for di, depth in enumerate(DEPTHS):
                for ti, test in enumerate(TESTS):
                    for who in alternate(rnd + di + ti, ("ours", "redis")):
                        server = servers[who]
                        done += 1
                        progress("  part 1 run %d/%d: round %d, -P %d, %s, %s"
                                 % (done, total, rnd + 1, depth, test, who))
                        if test == "spop":
                            fill_spop_set(server.port, args.requests)
                        r = bench.run_benchmark(server, ["-c", str(CLIENTS), "-n", str(args.requests),
                                                         "-q", "--csv", "-P", str(depth), "-t", test],
                                                args.requests)
                        if len(r["rows"]) != 1:
                            raise BenchError("expected one row from %s, got:\n%s%s"
                                             % (" ".join(r["argv"]), r["stdout"], r["stderr"]))
                        if test == "spop" and command(server.port, "EXISTS", SPOP_KEY) != 0:
                            raise BenchError("%s: %s still exists after %d SPOPs"
                                             % (who, SPOP_KEY, args.requests))
                        cpu_us = r["cpu_ns"] / 1000.0 / args.requests
                        samples.setdefault((test, depth), {}).setdefault(who, []).append(
                            (r["rows"][0][1], cpu_us))
                        runs.append({"round": rnd + 1, "depth": depth, "test": test, "server": who,
                                     "rps": r["rows"][0][1], "cpu_ns": r["cpu_ns"],
                                     "wall_s": round(r["wall_s"], 3)})
        progress()
    finally:
        ours.stop()
        redis.stop()
    table = []
    for depth in DEPTHS:
        for test in TESTS:
            got = samples[(test, depth)]
            e = {"test": test, "depth": depth}
            for who in ("ours", "redis"):
                e[who] = {"rps": median([v[0] for v in got[who]]),
                          "cpu_us": median([v[1] for v in got[who]])}
            e["rps_ratio"] = ratio(e["ours"]["rps"], e["redis"]["rps"])
            e["cpu_ratio"] = ratio(e["ours"]["cpu_us"], e["redis"]["cpu_us"])
            table.append(e)
    geo = {}
    for depth in DEPTHS:
        rows = [e for e in table if e["depth"] == depth]
        geo["rps_ratio_P%d" % depth] = geomean([e["rps_ratio"] for e in rows])
        geo["cpu_ratio_P%d" % depth] = geomean([e["cpu_ratio"] for e in rows])
    return {"tests": table, "geomean": geo, "runs": runs}


# ---------------------------------------------------------------- 2. memory

def mem_hashes_small(n):
    cmds = []
    for i in range(n):
        args = [b"HSET", b"hash:%d" % i]
        for j in range(10):
            args += [b"field:%d" % j, b"value:%d" % (i * 10 + j)]
        cmds.append(encode(*args))
    return cmds, n * 10, b"hash:0"


def mem_hash_big(n):
    cmds = []
    for start in range(0, n, PER_COMMAND):
        args = [b"HSET", b"big"]
        for j in range(start, min(n, start + PER_COMMAND)):
            args += [b"field:%d" % j, b"value:%d" % j]
        cmds.append(encode(*args))
    return cmds, n, b"big"


def mem_intset(n):
    cmds = [encode(b"SADD", b"s", *range(start, min(n, start + PER_COMMAND)))
            for start in range(0, n, PER_COMMAND)]
    return cmds, n, b"s"


def mem_small_sets(n):
    cmds = [encode(b"SADD", b"set:%d" % i, *[b"member:%d" % (i * 8 + j) for j in range(8)])
            for i in range(n)]
    return cmds, n * 8, b"set:0"


MEMORY_WORKLOADS = [
    # (name, description, builder, full count)
    ("hashes-10", "20,000 hashes x 10 fields", mem_hashes_small, 20000),
    ("hash-500k", "1 hash x 500,000 fields", mem_hash_big, 500000),
    ("intset-1M", "1 set x 1,000,000 integers", mem_intset, 1000000),
    ("sets-8", "50,000 sets x 8 members", mem_small_sets, 50000),
]


def memory(args, ours_bin, tmpdir):
    out = {}
    scale = 10 if args.quick else 1
    for wi, (name, desc, build, count) in enumerate(MEMORY_WORKLOADS):
        cmds, elements, probe = build(count // scale)
        entry = {"description": desc, "elements": elements, "commands": len(cmds)}
        for who in alternate(wi, ("ours", "redis")):
            progress("  part 2: %s, %s" % (name, who))
            ours, redis = servers_pair(ours_bin, tmpdir, "memory-%s-%s" % (name, who))
            server = ours if who == "ours" else redis
            try:
                server.start()
                command(server.port, "SET", "warm", "x")
                command(server.port, "DEL", "warm")
                before = used_memory(server.port)
                load(server.port, cmds)
                time.sleep(1.0)
                after = used_memory(server.port)
                encoding = command(server.port, "OBJECT", "ENCODING", probe)
                entry[who] = {"before": before, "after": after,
                              "bytes_per_element": (after - before) / elements,
                              "encoding": encoding.decode() if isinstance(encoding, bytes) else encoding}
            finally:
                server.stop()
        entry["ratio"] = ratio(entry["ours"]["bytes_per_element"], entry["redis"]["bytes_per_element"])
        out[name] = entry
    progress()
    return out


# ---------------------------------------------------------------- 3. transactions

def tx_payload(conn, n_tx):
    """What one connection sends: n_tx transactions, back to back."""
    parts = []
    for t in range(n_tx):
        parts.append(encode(b"MULTI"))
        base = (conn * 7919 + t * TX_SETS) % TX_KEYSPACE
        for j in range(TX_SETS):
            parts.append(encode(b"SET", b"tx:%d" % ((base + j) % TX_KEYSPACE), TX_VALUE))
        parts.append(encode(b"EXEC"))
    return b"".join(parts), n_tx


def tx_client(port, payload, n_tx, barrier, errors):
    """Send the whole payload (from a second thread, so that neither side's
    socket buffer can stall the other) and read every reply."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=120.0)
    except OSError as e:
        errors.append("connect: %s" % e)
        barrier.abort()
        return
    try:
        barrier.wait()
        sender = threading.Thread(target=lambda: sock.sendall(payload), daemon=True)
        sender.start()
        want = len(TX_BLOCK_REPLY) * n_tx
        got = bytearray()
        while len(got) < want:
            data = sock.recv(1 << 20)
            if not data:
                raise BenchError("connection closed after %d of %d reply bytes" % (len(got), want))
            got += data
        sender.join()
        if got != TX_BLOCK_REPLY * n_tx:
            at = next(i for i in range(0, want, len(TX_BLOCK_REPLY))
                      if got[i:i + len(TX_BLOCK_REPLY)] != TX_BLOCK_REPLY)
            raise BenchError("unexpected transaction replies: %r" % bytes(got[at:at + 200]))
    except (OSError, BenchError, threading.BrokenBarrierError) as e:
        errors.append(str(e))
    finally:
        sock.close()


def tx_run(server, payloads):
    errors = []
    barrier = threading.Barrier(len(payloads) + 1)
    threads = [threading.Thread(target=tx_client, args=(server.port, p, n, barrier, errors), daemon=True)
               for p, n in payloads]
    for t in threads:
        t.start()
    barrier.wait(timeout=30)
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    server.check_alive()
    if errors:
        raise BenchError("%s: transactions failed: %s" % (server.name, errors[0]))
    return wall, cpu1 - cpu0


def transactions(args, ours_bin, tmpdir):
    per_conn = [args.tx // args.tx_connections + (1 if c < args.tx % args.tx_connections else 0)
                for c in range(args.tx_connections)]
    payloads = [tx_payload(c, n) for c, n in enumerate(per_conn)]
    ours, redis = servers_pair(ours_bin, tmpdir, "tx")
    servers = {"ours": ours, "redis": redis}
    got = {"ours": [], "redis": []}
    try:
        ours.start()
        redis.start()
        for rnd in range(args.rounds):
            for who in alternate(rnd, ("ours", "redis")):
                progress("  part 3: round %d, %s" % (rnd + 1, who))
                wall, cpu_ns = tx_run(servers[who], payloads)
                got[who].append({"tps": args.tx / wall, "cpu_us_per_tx": cpu_ns / 1000.0 / args.tx,
                                 "wall_s": wall})
        progress()
        sizes = {who: command(servers[who].port, "DBSIZE") for who in servers}
        if sizes["ours"] != sizes["redis"] or not sizes["ours"]:
            raise BenchError("DBSIZE after the same transactions: ours %r, redis %r"
                             % (sizes["ours"], sizes["redis"]))
    finally:
        ours.stop()
        redis.stop()
    res = {"transactions": args.tx, "connections": args.tx_connections}
    for who in ("ours", "redis"):
        res[who] = {"tps": median([g["tps"] for g in got[who]]),
                    "cpu_us_per_tx": median([g["cpu_us_per_tx"] for g in got[who]]),
                    "runs": got[who]}
    res["tps_ratio"] = ratio(res["ours"]["tps"], res["redis"]["tps"])
    res["cpu_ratio"] = ratio(res["ours"]["cpu_us_per_tx"], res["redis"]["cpu_us_per_tx"])
    return res


# ---------------------------------------------------------------- 4. SCAN

def scan_all(port):
    """SCAN cursor COUNT 1000 from 0 until the cursor is 0: (keys, calls).
    A reply is split on CRLF rather than parsed value by value, which is
    valid because no key here holds CR or LF, and keeps this client's share
    of the wall time small: a reply is 4 lines (*2, $n, the cursor, *M)
    and then 2 lines per key."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60.0)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    keys = []
    calls = 0
    cursor = b"0"
    try:
        while True:
            sock.sendall(encode(b"SCAN", cursor, b"COUNT", b"1000"))
            calls += 1
            buf = b""
            want = None
            while want is None or buf.count(b"\n") < want:
                data = sock.recv(1 << 20)
                if not data:
                    raise BenchError("connection closed in a SCAN reply")
                buf += data
                if want is None and buf.count(b"\n") >= 4:
                    head = buf.split(b"\r\n", 4)
                    if head[0] != b"*2" or not head[3].startswith(b"*"):
                        raise BenchError("unexpected SCAN reply: %r" % buf[:200])
                    want = 4 + 2 * int(head[3][1:])
            lines = buf.split(b"\r\n")
            keys.extend(lines[5:want:2])
            cursor = lines[2]
            if cursor == b"0":
                return keys, calls
    finally:
        sock.close()


def scan_run(server, n):
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    keys, calls = scan_all(server.port)
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    server.check_alive()
    distinct = set(keys)
    missing = sum(1 for i in range(n) if b"key:%d" % i not in distinct)
    if missing or len(distinct) != n:
        raise BenchError("%s: SCAN returned %d distinct keys of %d (%d missing)"
                         % (server.name, len(distinct), n, missing))
    return {"wall_s": wall, "cpu_s": (cpu1 - cpu0) / 1e9, "returned": len(keys), "calls": calls,
            "duplicates": len(keys) - len(distinct)}


def scan(args, ours_bin, tmpdir):
    n = args.scan_keys
    cmds = []
    for start in range(0, n, PER_COMMAND):
        pairs = []
        for i in range(start, min(n, start + PER_COMMAND)):
            pairs += [b"key:%d" % i, b"v"]
        cmds.append(encode(b"MSET", *pairs))
    ours, redis = servers_pair(ours_bin, tmpdir, "scan")
    servers = {"ours": ours, "redis": redis}
    got = {"ours": [], "redis": []}
    try:
        for who in ("ours", "redis"):
            servers[who].start()
            progress("  part 4: loading %d keys into %s" % (n, who))
            load(servers[who].port, cmds)
            if command(servers[who].port, "DBSIZE") != n:
                raise BenchError("%s: DBSIZE is not %d after loading" % (who, n))
        for rnd in range(args.rounds):
            for who in alternate(rnd, ("ours", "redis")):
                progress("  part 4: round %d, %s" % (rnd + 1, who))
                got[who].append(scan_run(servers[who], n))
        progress()
    finally:
        ours.stop()
        redis.stop()
    res = {"keys": n}
    for who in ("ours", "redis"):
        res[who] = {"wall_s": median([g["wall_s"] for g in got[who]]),
                    "cpu_s": median([g["cpu_s"] for g in got[who]]),
                    "duplicates_max": max(g["duplicates"] for g in got[who]),
                    "calls": median([g["calls"] for g in got[who]]),
                    "runs": got[who]}
    res["time_ratio"] = ratio(res["ours"]["wall_s"], res["redis"]["wall_s"])
    res["cpu_ratio"] = ratio(res["ours"]["cpu_s"], res["redis"]["cpu_s"])
    return res


# ---------------------------------------------------------------- 5. eviction

class MemorySampler:
    """A thread that reads INFO memory's used_memory every SAMPLE_EVERY_S on
    a connection of its own, keeping the largest value per phase."""

    def __init__(self, port):
        self.conn = bench.Connection(port)
        self.phase = "during"
        self.max = {}
        self.samples = 0
        self.stop_flag = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        try:
            while not self.stop_flag.is_set():
                text = self.conn.call("INFO", "memory").decode()
                m = re.search(r"^used_memory:(\d+)\r?$", text, re.M)
                if m:
                    v = int(m.group(1))
                    self.max[self.phase] = max(self.max.get(self.phase, 0), v)
                    self.samples += 1
                self.stop_flag.wait(SAMPLE_EVERY_S)
        except (OSError, BenchError) as e:
            self.error = e

    def stop(self):
        self.stop_flag.set()
        self.thread.join()
        self.conn.close()
        if self.error:
            raise BenchError("memory sampler: %s" % self.error)


def evict_bound(args, server, maxmemory):
    requests = args.evict_write_mb * 1000000 // EVICT_VALUE_SIZE
    sampler = MemorySampler(server.port)
    try:
        r = bench.run_benchmark(server, ["-c", str(CLIENTS), "-n", str(requests), "-q", "--csv",
                                         "-P", "16", "-t", "set", "-d", str(EVICT_VALUE_SIZE),
                                         "-r", "100000000"], requests)
        sampler.phase = "after"
        time.sleep(1.0)
    finally:
        sampler.stop()
    return {"requests": requests, "rps": r["rows"][0][1] if r["rows"] else None,
            "samples": sampler.samples,
            "max_used_during": sampler.max.get("during"), "max_used_after": sampler.max.get("after"),
            "max_during_ratio": ratio(sampler.max.get("during"), maxmemory),
            "max_after_ratio": ratio(sampler.max.get("after"), maxmemory),
            "dbsize": command(server.port, "DBSIZE"), "rss_mb": server.rss_bytes() / 1048576,
            "evicted_keys": info_field(server.port, "stats", "evicted_keys")}


def zipf_sequence(n_keys, total, seed):
    cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(n_keys)))
    return random.Random(seed).choices(range(n_keys), cum_weights=cum, k=total)


def zipf_ops(conn, seq, value):
    """Run the cache client over seq; returns its own count of hits."""
    hits = 0
    for start in range(0, len(seq), ZIPF_BATCH):
        batch = seq[start:start + ZIPF_BATCH]
        keys = [b"key:%d" % k for k in batch]
        conn.sock.sendall(b"".join(encode(b"GET", k) for k in keys))
        misses = []
        for k in keys:
            v = bench.resp_read(conn.file)
            if v is None:
                misses.append(k)
            else:
                hits += 1
        if misses:
            conn.sock.sendall(b"".join(encode(b"SET", k, value) for k in misses))
            for _ in misses:
                if bench.resp_read(conn.file) != "OK":
                    raise BenchError("SET did not answer +OK")
    return hits


def evict_zipf(args, server, seq, maxmemory):
    warm, measured = seq[:args.zipf_ops], seq[args.zipf_ops:]
    conn = bench.Connection(server.port, timeout=60.0)
    sampler = MemorySampler(server.port)
    try:
        value = b"z" * args.zipf_value_size
        zipf_ops(conn, warm, value)
        h0 = info_field(server.port, "stats", "keyspace_hits")
        m0 = info_field(server.port, "stats", "keyspace_misses")
        t0 = time.monotonic()
        client_hits = zipf_ops(conn, measured, value)
        wall = time.monotonic() - t0
        h1 = info_field(server.port, "stats", "keyspace_hits")
        m1 = info_field(server.port, "stats", "keyspace_misses")
    finally:
        sampler.stop()
        conn.close()
    hits, misses = h1 - h0, m1 - m0
    return {"hits": hits, "misses": misses, "hit_ratio": hits / (hits + misses),
            "client_hit_ratio": client_hits / len(measured), "ops_per_s": len(measured) / wall,
            "max_used_ratio": ratio(sampler.max.get("during"), maxmemory),
            "dbsize": command(server.port, "DBSIZE"), "rss_mb": server.rss_bytes() / 1048576,
            "evicted_keys": info_field(server.port, "stats", "evicted_keys")}


def eviction(args, ours_bin, tmpdir):
    maxmemory = args.maxmemory_mb * 1024 * 1024
    extra = ["--maxmemory", str(maxmemory), "--maxmemory-policy", "allkeys-lru"]
    res = {"maxmemory": maxmemory, "policy": "allkeys-lru", "write_mb": args.evict_write_mb,
           "zipf_keys": args.zipf_keys, "zipf_ops": args.zipf_ops, "seed": args.seed,
           "zipf_value_size": args.zipf_value_size}
    for who in ("ours", "redis"):
        progress("  part 5a: writing %d MB into %s" % (args.evict_write_mb, who))
        ours, redis = servers_pair(ours_bin, tmpdir, "evict-%s" % who, extra)
        server = ours if who == "ours" else redis
        try:
            server.start()
            res.setdefault(who, {})["bound"] = evict_bound(args, server, maxmemory)
        finally:
            server.stop()
    progress("  part 5b: drawing %d Zipf keys" % (2 * args.zipf_ops))
    seq = zipf_sequence(args.zipf_keys, 2 * args.zipf_ops, args.seed)
    res["zipf_distinct_keys"] = len(set(seq))
    for who in ("redis", "ours"):
        progress("  part 5b: Zipf cache load on %s" % who)
        ours, redis = servers_pair(ours_bin, tmpdir, "zipf-%s" % who, extra)
        server = ours if who == "ours" else redis
        try:
            server.start()
            res[who]["zipf"] = evict_zipf(args, server, seq, maxmemory)
        finally:
            server.stop()
    progress()
    res["hit_gap_points"] = abs(res["ours"]["zipf"]["hit_ratio"] - res["redis"]["zipf"]["hit_ratio"]) * 100
    return res


# ---------------------------------------------------------------- report

def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def check_targets(figures):
    out = []
    for key, label, op, limit in TARGETS:
        if key not in figures:
            continue
        v = figures[key]
        met = v is not None and (v <= limit if op == "<=" else v >= limit)
        out.append({"key": key, "label": label, "value": v, "op": op, "limit": limit,
                    "status": "met" if met else "missed"})
    return out


def report(res):
    lines = []
    add = lines.append
    env = res["environment"]
    add("bench-ext: %s (--threads 1 --appendonly no) vs redis-server %s, %d CPUs, load %s -> %s"
        % (res["config"]["binary"], env["redis_version"], env["cpus"],
           env["loadavg_before"], env["loadavg_after"]))
    tp = res.get("throughput")
    if tp:
        add("")
        add("1. redis-benchmark -c %d -n %d, medians of %d rounds (spop: myset refilled with "
            "%d members before each run)" % (CLIENTS, res["config"]["requests"],
                                             res["config"]["rounds"], res["config"]["requests"]))
        add("  %-6s %3s %11s %11s %7s   %9s %9s %7s"
            % ("test", "-P", "rps ours", "rps redis", "ratio", "us/r ours", "us/r redis", "ratio"))
        for e in tp["tests"]:
            add("  %-6s %3d %11.0f %11.0f %7.3f   %9.3f %10.3f %7.3f"
                % (e["test"], e["depth"], e["ours"]["rps"], e["redis"]["rps"], e["rps_ratio"],
                   e["ours"]["cpu_us"], e["redis"]["cpu_us"], e["cpu_ratio"]))
        for depth in DEPTHS:
            add("  geomean -P %-2d  rps ratio %s   CPU/request ratio %s"
                % (depth, fmt(tp["geomean"]["rps_ratio_P%d" % depth], ".3f"),
                   fmt(tp["geomean"]["cpu_ratio_P%d" % depth], ".3f")))
    mem = res.get("memory")
    if mem:
        add("")
        add("2. used_memory growth per element (fresh servers, loading connection closed)")
        add("  %-10s %-28s %9s %9s %7s   %s" % ("workload", "", "B/e ours", "B/e redis", "ratio",
                                                 "encoding ours / redis"))
        for name, e in mem.items():
            add("  %-10s %-28s %9.2f %9.2f %7.3f   %s / %s"
                % (name, "%s (%d)" % (e["description"].split(" x")[0], e["elements"]),
                   e["ours"]["bytes_per_element"], e["redis"]["bytes_per_element"], e["ratio"],
                   e["ours"]["encoding"], e["redis"]["encoding"]))
    tx = res.get("transactions")
    if tx:
        add("")
        add("3. MULTI + %d SET + EXEC: %d transactions over %d connections, all pipelined, medians"
            % (TX_SETS, tx["transactions"], tx["connections"]))
        add("  %-22s %11s %11s %7s" % ("", "ours", "redis", "ratio"))
        add("  %-22s %11.0f %11.0f %7.3f" % ("transactions/s", tx["ours"]["tps"], tx["redis"]["tps"],
                                             tx["tps_ratio"]))
        add("  %-22s %11.3f %11.3f %7.3f" % ("server CPU us/tx", tx["ours"]["cpu_us_per_tx"],
                                             tx["redis"]["cpu_us_per_tx"], tx["cpu_ratio"]))
    sc = res.get("scan")
    if sc:
        add("")
        add("4. SCAN cursor COUNT 1000 until the cursor is 0, over %d keys, medians" % sc["keys"])
        add("  %-22s %11s %11s %7s" % ("", "ours", "redis", "ratio"))
        add("  %-22s %11.3f %11.3f %7.3f" % ("wall s", sc["ours"]["wall_s"], sc["redis"]["wall_s"],
                                             sc["time_ratio"]))
        add("  %-22s %11.3f %11.3f %7.3f" % ("server CPU s", sc["ours"]["cpu_s"], sc["redis"]["cpu_s"],
                                             sc["cpu_ratio"]))
        add("  %-22s %11d %11d" % ("duplicates (max)", sc["ours"]["duplicates_max"],
                                   sc["redis"]["duplicates_max"]))
        add("  %-22s %11d %11d" % ("SCAN calls", sc["ours"]["calls"], sc["redis"]["calls"]))
    ev = res.get("eviction")
    if ev:
        add("")
        add("5. maxmemory %d (%d MB), allkeys-lru" % (ev["maxmemory"], ev["maxmemory"] >> 20))
        add("  a. %d MB of %d-byte values (redis-benchmark -t set -P 16 -r 100000000)"
            % (ev["write_mb"], EVICT_VALUE_SIZE))
        add("  %-30s %11s %11s" % ("", "ours", "redis"))
        for label, key, spec in (("max used/maxmemory, during", "max_during_ratio", ".4f"),
                                 ("max used/maxmemory, after", "max_after_ratio", ".4f"),
                                 ("keys left (DBSIZE)", "dbsize", "d"),
                                 ("evicted_keys", "evicted_keys", "d"),
                                 ("VmRSS after, MiB", "rss_mb", ".1f"),
                                 ("SET rps", "rps", ".0f"),
                                 ("INFO samples", "samples", "d")):
            add("  %-30s %11s %11s" % (label, fmt(ev["ours"]["bound"][key], spec),
                                       fmt(ev["redis"]["bound"][key], spec)))
        add("  b. Zipf s=1.0 over %d keys (%d distinct drawn), %d-byte values, seed %d: %d ops warm-up,"
            " %d measured" % (ev["zipf_keys"], ev["zipf_distinct_keys"], ev["zipf_value_size"], ev["seed"],
                              ev["zipf_ops"], ev["zipf_ops"]))
        add("  %-30s %11s %11s" % ("", "ours", "redis"))
        for label, key, spec in (("hit ratio (INFO), %", "hit_ratio", ".2f"),
                                 ("hit ratio (client), %", "client_hit_ratio", ".2f"),
                                 ("max used/maxmemory", "max_used_ratio", ".4f"),
                                 ("keys held (DBSIZE)", "dbsize", "d"),
                                 ("evicted_keys", "evicted_keys", "d"),
                                 ("VmRSS after, MiB", "rss_mb", ".1f"),
                                 ("client ops/s", "ops_per_s", ".0f")):
            o, r = ev["ours"]["zipf"][key], ev["redis"]["zipf"][key]
            if key.endswith("hit_ratio"):
                o, r = o * 100, r * 100
            add("  %-30s %11s %11s" % (label, fmt(o, spec), fmt(r, spec)))
        add("  hit ratio gap: %.2f points" % ev["hit_gap_points"])
    add("")
    add("Summary (ours / redis unless said otherwise):")
    for t in res["summary"]["targets"]:
        add("  %-8s %-54s %8s  (target %s %s)" % ("[" + t["status"] + "]", t["label"],
                                                  fmt(t["value"], ".3f"), t["op"], t["limit"]))
    if ev:
        gap = abs(ev["ours"]["zipf"]["client_hit_ratio"] - ev["redis"]["zipf"]["client_hit_ratio"]) * 100
        add("  context: Zipf hit ratio gap by the client's own count of GET hits: %.2f points" % gap)
    add("  command: %s" % res["command_line"])
    add("  json:    %s" % res["json_path"])
    return "\n".join(lines)


def summarize(res):
    figures = {}
    if res.get("throughput"):
        figures.update(res["throughput"]["geomean"])
    for name, e in (res.get("memory") or {}).items():
        figures["mem_ratio_" + name] = e["ratio"]
    if res.get("transactions"):
        figures["tx_tps_ratio"] = res["transactions"]["tps_ratio"]
    if res.get("scan"):
        figures["scan_time_ratio"] = res["scan"]["time_ratio"]
    ev = res.get("eviction")
    if ev:
        figures["evict_max_during_ours"] = ev["ours"]["bound"]["max_during_ratio"]
        figures["evict_max_after_ours"] = ev["ours"]["bound"]["max_after_ratio"]
        figures["zipf_hit_gap_points"] = ev["hit_gap_points"]
    return {"figures": figures, "targets": check_targets(figures)}


# ---------------------------------------------------------------- main

def positive(text):
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


PARTS = ["throughput", "memory", "transactions", "scan", "eviction"]


def parse_args(argv):
    p = argparse.ArgumentParser(description="Benchmark stage 6's Part II extensions against redis-server.")
    p.add_argument("--build-dir", default="build", help="where stage6 is built (default: build)")
    p.add_argument("--rounds", type=positive, default=3, help="rounds, parts 1, 3, 4 (default: 3)")
    p.add_argument("--quick", action="store_true",
                   help="small sizes and 1 round, a smoke run (explicit options still win)")
    p.add_argument("--requests", type=positive, help="part 1: requests per run (100000; quick 10000)")
    p.add_argument("--tx", type=positive, help="part 3: transactions (100000; quick 10000)")
    p.add_argument("--tx-connections", type=positive, default=4, help="part 3: connections (4)")
    p.add_argument("--scan-keys", type=positive, help="part 4: keys (1000000; quick 100000)")
    p.add_argument("--maxmemory-mb", type=positive, help="part 5: maxmemory in MiB (64; quick 8)")
    p.add_argument("--evict-write-mb", type=positive, help="part 5a: MB of values written (300; quick 40)")
    p.add_argument("--zipf-keys", type=positive, help="part 5b: distinct keys (1000000; quick 125000)")
    p.add_argument("--zipf-ops", type=positive,
                   help="part 5b: operations of warm-up, and as many measured (1000000; quick 150000)")
    p.add_argument("--zipf-value-size", type=positive, default=1000,
                   help="part 5b: bytes per value SET on a miss (1000)")
    p.add_argument("--seed", type=int, default=20240601, help="part 5b: the Zipf draw's seed")
    p.add_argument("--only", default=None, help="comma-separated parts to run: " + ",".join(PARTS))
    args = p.parse_args(argv)
    defaults = {"requests": (100000, 10000), "tx": (100000, 10000), "scan_keys": (1000000, 100000),
                "maxmemory_mb": (64, 8), "evict_write_mb": (300, 40),
                "zipf_keys": (1000000, 125000), "zipf_ops": (1000000, 150000)}
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if args.quick and "--rounds" not in " ".join(argv):
        args.rounds = 1
    args.parts = PARTS if not args.only else [s.strip() for s in args.only.split(",") if s.strip()]
    for part in args.parts:
        if part not in PARTS:
            p.error("unknown part %r (known: %s)" % (part, ", ".join(PARTS)))
    return args


def on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    build_dir = os.path.abspath(args.build_dir)
    ours_bin = os.path.join(build_dir, "stage6")
    if not os.access(ours_bin, os.X_OK):
        raise BenchError("%s is missing: run `make BUILD=%s stage6` first" % (ours_bin, args.build_dir))
    for tool in ("redis-server", "redis-benchmark"):
        if shutil.which(tool) is None:
            raise BenchError("%s is not on PATH (make deps installs it)" % tool)
    version = subprocess.run(["redis-server", "--version"], stdout=subprocess.PIPE).stdout.decode()
    m = re.search(r"v=(\S+)", version)
    json_path = os.path.join(build_dir, "bench-ext.json")
    command_line = " ".join(shlex.quote(a) for a in [sys.executable, os.path.relpath(__file__)] + argv)
    config = {k: v for k, v in vars(args).items()}
    config["binary"] = os.path.relpath(ours_bin)
    res = {"command_line": command_line, "json_path": os.path.relpath(json_path), "config": config,
           "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "environment": {"redis_version": m.group(1) if m else version.strip(),
                           "cpus": os.cpu_count(), "loadavg_before": bench.loadavg()}}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-ext-") as tmpdir:
        for part, fn in (("throughput", throughput), ("memory", memory),
                         ("transactions", transactions), ("scan", scan), ("eviction", eviction)):
            if part in args.parts:
                p0 = time.monotonic()
                res[part] = fn(args, ours_bin, tmpdir)
                print("bench-ext: part %s took %.0f s" % (part, time.monotonic() - p0),
                      file=sys.stderr, flush=True)
    res["environment"]["loadavg_after"] = bench.loadavg()
    res["elapsed_s"] = round(time.monotonic() - t0, 1)
    res["summary"] = summarize(res)
    print(report(res))
    print("  elapsed: %.0f s" % res["elapsed_s"])
    os.makedirs(build_dir, exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print("\nbench-ext: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nbench-ext: interrupted; servers stopped", file=sys.stderr)
        sys.exit(130)
