#!/usr/bin/python3
"""Benchmark stage 6's second set of Part II extensions (sorted sets,
blocking pops, pub/sub) side by side with redis-server.

    make bench-ext2                  # the defaults below
    /usr/bin/python3 tests/bench/bench_ext2.py --quick         # a smoke run, under a minute
    /usr/bin/python3 tests/bench/bench_ext2.py --only latency,pubsub --rounds 5
    /usr/bin/python3 tests/bench/bench_ext2.py --quick --ours-cmd redis-server --json /tmp/b.json

Our server runs as `build/stage6 --threads 1 --appendonly no` (bench_ext.py's
options), Redis as `redis-server --save '' --appendonly no`, each on a free
loopback port (the helpers are bench.py's: Server, free_port, run_benchmark,
pipeline...). --ours-cmd replaces our binary with any command; if that
command is redis-server itself, it gets Redis's options instead of ours, and
every ratio should come out near 1.0: that is the script's self-check.

Server CPU time is the sum over /proc/PID/task/*/schedstat (first field,
nanoseconds on a CPU), read before and after each measured run, as in
bench_ext.py; utime + stime from /proc/PID/stat (clock ticks) is read too and
kept in the JSON. Neither counts the time a server waited for a CPU or for
its client, so CPU per request is much steadier than throughput on a shared
box. Where there are rounds (parts 1, 2, 4 and 5) the two servers take turns
going first and the medians are compared. Ratios are always ours / redis.

1. Throughput and CPU. One pair of servers; for --rounds rounds, at -P 1
   and -P 16:

       redis-benchmark --threads 1 -c 50 -n REQUESTS -q --csv -P DEPTH -t TEST

   for TEST in zadd, zpopmin, lpush, one run each (so that its CPU can be
   charged to it); REQUESTS is --requests at -P 1 and --requests-p16 at
   -P 16, about 2 s a run for Redis on a 2-core box. redis-benchmark 7.0's
   tests are `ZADD myzset 0 element:__rand_int__`, `ZPOPMIN myzset` and
   `LPUSH mylist xxx`; without -r the placeholder stays literal, so ZADD
   writes one member again and again (--zadd-r N passes -r N to the zadd
   runs instead: random members and scores, a growing set), and `-t zpopmin`
   alone pops from an empty key. So, outside the measured run, myzset is
   deleted and refilled with REQUESTS distinct members `element:%012d`
   (random scores, the same for both servers) before each zpopmin run: every
   ZPOPMIN pops a member and the set must be gone afterwards. myzset and
   mylist are deleted before the zadd and lpush runs, so both servers start
   each run from the same state. Figures: rps and server CPU microseconds
   per request, medians. Targets, for each test and -P: rps ratio >= 1.0,
   CPU/request ratio <= 0.9. Geomeans per -P are given for context.

2. Every default test. `redis-benchmark -q -n 10000` (no -t: PING_INLINE
   ... MSET, every test redis-benchmark 7.0 runs by default) against each
   server, after a FLUSHALL, for --rounds rounds. redis-benchmark exits at
   the first error reply ("Error from server: ERR unknown command ..."), so
   a server lacking a command shows up as a non-zero exit, that text on
   stderr, or fewer result lines than Redis gave. Figures: a completed flag
   per server, and the rps ratio per test (medians; one run of 10,000
   requests is short, so these ratios are noisy). Target: ours completed.

3. Memory per member. For each workload, a fresh server each (ours, then
   Redis, or the other way round): `SET warm x` + `DEL warm`, INFO
   used_memory on a new connection, the load as one raw RESP pipeline of
   ZADDs over a connection that is closed before the second reading, a
   1-second pause, INFO used_memory again. Bytes per member = growth /
   members. Scores are random doubles (Python repr, up to 17 digits), from
   a seeded generator, so both servers get the same bytes. Workloads
   (--quick divides the counts by 10):
     zset-500k   one zset of 500,000 members, ZADD big SCORE member:N, 1,000 pairs a command
     zsets-8     50,000 zsets x 8 members, ZADD zset:I SCORE member:N ... (N unique)
   Target: ratio <= 1.0 for each.

4. Latency on a big zset. --latency-members (1,000,000) members
   `member:N` with random scores in [0, 1), loaded as in part 3, into one
   pair of servers. Then for --rounds rounds, a single client of this
   script (raw socket, TCP_NODELAY, no pipelining) sends --latency-requests
   requests of each kind, one at a time, timing each round trip:
       ZRANGEBYSCORE lat MIN MAX LIMIT 0 10   MIN random, MAX = MIN + 100/members
                                              (about 100 members in range)
       ZRANK lat member:N                     N random
   after 1,000 untimed ones. Both servers get the same request sequence,
   and their replies must be byte-identical (a digest of all replies is
   compared). Figures: median and p99 round trip (medians over rounds) and
   server CPU per request. Target: ratio of medians <= 1.0 for each. The
   round trip includes this client's own time (a few tens of microseconds of
   Python and loopback), which is the same for both servers, so it pulls
   the latency ratio towards 1.0; the CPU per request ratio beside it shows
   the servers' own difference.

5. Pub/sub fan-out. For --pubsub-rounds rounds (9; a round takes well
   under a second), one run of the C client build/bench/fanout
   (tests/bench/fanout.c, built by `make bench-ext2`; --fanout-client
   names another): --subscribers (40) connections SUBSCRIBE to one channel
   (each confirmation read), then, once this script has read the server's
   CPU time, one publisher connection sends --messages (20,000) `PUBLISH
   bench:fanout PAYLOAD`, --publish-batch (100) commands a write, with at
   most --publish-window (1) batches unanswered, every reply checked to be
   :SUBSCRIBERS. PAYLOAD is the sequence number in 10 digits padded to
   --message-size (32) bytes. The same thread reads every subscriber
   through one epoll loop and compares each read with the exact RESP2
   stream of every message in order; a byte past its end, a closed
   connection or a difference is a failure (so nothing lost, duplicated or
   reordered). The client is C because a Python reader of 40 sockets is
   slower than either server (about 3 M deliveries a second here): it
   measured itself. Delivery rate = subscribers x messages / wall time from
   the first PUBLISH sent to the last subscriber complete; server CPU per
   delivered message, and the server's CPU as a share of that wall time,
   are given too. Target: rate ratio >= 1.0, and ours delivers everything
   intact.

6. Blocked clients cost nothing. A fresh server each: 8 connections send
   `BRPOP q 0`; once INFO clients says blocked_clients:8 (or after 0.5 s
   if the server has no such field; if it says fewer for 5 s, that is a
   failure and the idle figure is void), the server's CPU time is read,
   the script sleeps --idle-seconds (3), and reads it again. Then `LPUSH q
   job:0 ... job:7`: each connection must get exactly one job, all 8
   distinct, and q must be gone. Figures: idle CPU in milliseconds and in
   clock ticks, for both. Targets: ours idle CPU <= 1% of one core over the
   period (30 ms for 3 s), every job delivered once.

The report ends with how busy the machine was during each part, and how
much of that was other processes' doing (machine-wide busy time from
/proc/stat minus this script's and its waited-for children's CPU time):
on a shared 2-core box, a part that ran beside a busy neighbour deserves
less trust.

It prints the tables and a summary, each target marked met or missed, and
writes the results as JSON to --json (default BUILD/bench-ext2.json). Every
server it starts is stopped by its PID (SIGTERM, then wait), also when it
fails or is interrupted (SIGINT or SIGTERM). Standard library only; needs
redis-server and redis-benchmark on PATH.
"""

import argparse
import datetime
import gc
import hashlib
import json
import os
import random
import re
import select
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench                                   # noqa: E402  (the helpers, same folder)
from bench import BenchError, command, encode, geomean, progress, ratio  # noqa: E402

OURS_EXTRA = ["--threads", "1", "--appendonly", "no"]      # as bench_ext.py starts ours
REDIS_EXTRA = ["--save", "", "--appendonly", "no"]
CLIENTS = 50
DEPTHS = [1, 16]
TESTS = ["zadd", "zpopmin", "lpush"]
ZSET_KEY = b"myzset"                # the key of redis-benchmark's ZADD and ZPOPMIN tests
LIST_KEY = b"mylist"                # the key of its LPUSH test
ZPOP_MEMBER = b"element:%012d"      # what `-r` would make of element:__rand_int__
PER_COMMAND = 1000                  # members per loading ZADD
SEED = 20240611
CLK_TCK = os.sysconf("SC_CLK_TCK")

LAT_KEY = b"lat"
LAT_LIMIT = 10
LAT_IN_RANGE = 100                  # members expected between MIN and MAX
LAT_WARMUP = 1000

CHANNEL = b"bench:fanout"

BLOCKED = 8
IDLE_KEY = b"q"
IDLE_CPU_LIMIT = 0.01               # of one core, over the idle period
NOISY_OTHERS = 0.25                 # others' share of the machine above which a part is flagged

# (key, label, op, limit): checked in the summary; FLAGS are 1 (yes) or 0 (no).
TARGETS = []
for _d in DEPTHS:
    for _t in TESTS:
        TARGETS.append(("rps_ratio_%s_P%d" % (_t, _d), "%s -P %d: rps ratio" % (_t, _d), ">=", 1.0))
        TARGETS.append(("cpu_ratio_%s_P%d" % (_t, _d), "%s -P %d: CPU/request ratio" % (_t, _d), "<=", 0.9))
TARGETS += [
    ("default_completed_ours", "redis-benchmark, every default test: ours completed", ">=", 1),
    ("mem_ratio_zset-500k", "memory: B/member ratio, zset-500k", "<=", 1.0),
    ("mem_ratio_zsets-8", "memory: B/member ratio, zsets-8", "<=", 1.0),
    ("lat_ratio_zrangebyscore", "big zset: ZRANGEBYSCORE LIMIT 0 10, median latency ratio", "<=", 1.0),
    ("lat_ratio_zrank", "big zset: ZRANK, median latency ratio", "<=", 1.0),
    ("lat_replies_identical", "big zset: ours replies byte-identical to redis's", ">=", 1),
    ("pubsub_rate_ratio", "pub/sub fan-out: deliveries/s ratio", ">=", 1.0),
    ("pubsub_intact_ours", "pub/sub fan-out: ours delivered all, in order", ">=", 1),
    ("idle_cpu_share_ours", "BRPOP x 8 idle: ours CPU, share of one core", "<=", IDLE_CPU_LIMIT),
    ("brpop_jobs_ours", "BRPOP x 8 then LPUSH 8 jobs: ours, one job each", ">=", 1),
]
FLAGS = {"default_completed_ours", "lat_replies_identical", "pubsub_intact_ours", "brpop_jobs_ours"}


# ---------------------------------------------------------------- helpers

def is_redis(cmd):
    return os.path.basename(cmd[0]) == "redis-server"


def make_server(who, cmd, tmpdir, tag, taken, extra=()):
    """An unstarted bench.Server running `cmd`: Redis's options if cmd is
    redis-server, ours otherwise; `extra` options go last."""
    port = bench.free_port(taken)
    argv = list(cmd) + ["--port", str(port), "--bind", "127.0.0.1"]
    if is_redis(cmd):
        folder = os.path.join(tmpdir, "%s-%s" % (who, tag))
        os.makedirs(folder, exist_ok=True)
        argv += REDIS_EXTRA + ["--dir", folder]
    else:
        argv += OURS_EXTRA
    return bench.Server(who, argv + list(extra), port, os.path.join(tmpdir, "%s-%s.log" % (who, tag)))


def servers_pair(args, tmpdir, tag, extra=()):
    taken = set()
    return {"ours": make_server("ours", args.ours_cmd, tmpdir, tag, taken, extra),
            "redis": make_server("redis", ["redis-server"], tmpdir, tag, taken, extra)}


class Pair:
    """Both servers of a part, started together and always stopped by PID."""

    def __init__(self, args, tmpdir, tag, only=("ours", "redis")):
        self.servers = servers_pair(args, tmpdir, tag)
        self.only = only

    def __enter__(self):
        try:
            for who in self.only:
                self.servers[who].start()
        except BaseException:
            self.stop()
            raise
        return self.servers

    def stop(self):
        for server in self.servers.values():
            server.stop()

    def __exit__(self, *exc):
        self.stop()
        return False


def proc_ticks(server):
    """utime + stime of the whole process, in clock ticks (/proc/PID/stat
    fields 14 and 15; the name in field 2 may hold spaces, hence the rsplit)."""
    with open("/proc/%d/stat" % server.proc.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_snapshot(server):
    return server.cpu_ns(), proc_ticks(server)


def cpu_since(server, snap):
    ns, ticks = cpu_snapshot(server)
    return ns - snap[0], ticks - snap[1]


def machine_cpu():
    """(busy jiffies of the whole machine from /proc/stat, total jiffies,
    CPU seconds of this script and of its children that have been waited
    for: the servers and redis-benchmark runs of the parts done so far)."""
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:9]]
    idle = vals[3] + vals[4]
    t = os.times()
    return sum(vals) - idle, sum(vals), t.user + t.system + t.children_user + t.children_system


def busy_share(before, after):
    """Share of the whole machine (all CPUs) that was busy in between."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else None


def others_share(before, after):
    """Share of the whole machine used by other processes than this script,
    its servers and its redis-benchmark runs (call it once they have all
    been waited for)."""
    total = after[1] - before[1]
    if not total:
        return None
    ours = (after[2] - before[2]) * CLK_TCK
    return max(0.0, (after[0] - before[0] - ours) / total)


def info_field(port, section, field):
    text = command(port, "INFO", section)
    text = text.decode() if isinstance(text, bytes) else str(text)
    m = re.search(r"^%s:(\d+)\r?$" % re.escape(field), text, re.M)
    return int(m.group(1)) if m else None


def used_memory(port):
    v = info_field(port, "memory", "used_memory")
    if v is None:
        raise BenchError("INFO memory has no used_memory")
    return v


def load(port, commands):
    """Send RESP commands (each with a one-line reply) as one pipeline over a
    connection of its own, closed when every reply has come back."""
    bench.pipeline(port, b"".join(commands), len(commands), timeout=600.0)


def alternate(rnd, pair):
    return list(pair) if rnd % 2 == 0 else list(reversed(pair))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values))) - 1))
    return sorted_values[i]


def score(rng):
    return repr(rng.random()).encode()


def zadd_commands(key, members, rng):
    """ZADD key SCORE MEMBER ..., PER_COMMAND pairs a command."""
    cmds = []
    for start in range(0, len(members), PER_COMMAND):
        args = [b"ZADD", key]
        for i in range(start, min(len(members), start + PER_COMMAND)):
            args += [score(rng), members[i]]
        cmds.append(encode(*args))
    return cmds


def recv_reply(sock, buf=b""):
    """One RESP reply whose array elements (if any) are one-line or bulk
    strings without CR/LF inside: complete once it has enough CRLFs."""
    while True:
        end = buf.find(b"\r\n")
        if end >= 0:
            kind = buf[:1]
            if kind != b"*":
                if kind == b"$" and buf[1:2] != b"-":
                    if buf.count(b"\r\n") >= 2:
                        return buf
                else:
                    return buf
            else:
                n = int(buf[1:end])
                if n <= 0 or buf.count(b"\r\n") >= 1 + 2 * n:
                    return buf
        data = sock.recv(1 << 16)
        if not data:
            raise BenchError("connection closed in a reply (got %r)" % buf[:200])
        buf += data


# ---------------------------------------------------------------- 1. throughput

def refill_zset(port, cmds, n):
    command(port, "DEL", ZSET_KEY)
    load(port, cmds)
    got = command(port, "ZCARD", ZSET_KEY)
    if got != n:
        raise BenchError("ZCARD %s is %r after filling it with %d members" % (ZSET_KEY.decode(), got, n))


def bench_argv(args, test, depth, requests):
    argv = ["--threads", "1", "-c", str(CLIENTS), "-n", str(requests), "-q", "--csv",
            "-P", str(depth), "-t", test]
    if test == "zadd" and args.zadd_r:
        argv += ["-r", str(args.zadd_r)]
    return argv


def throughput_run(args, server, who, test, depth, requests, refill):
    if test == "zpopmin":
        refill_zset(server.port, refill, requests)
    else:
        command(server.port, "DEL", ZSET_KEY if test == "zadd" else LIST_KEY)
    ticks0 = proc_ticks(server)
    r = bench.run_benchmark(server, bench_argv(args, test, depth, requests), requests)
    ticks = proc_ticks(server) - ticks0
    if len(r["rows"]) != 1:
        raise BenchError("expected one row from %s, got:\n%s%s"
                         % (" ".join(r["argv"]), r["stdout"], r["stderr"]))
    after = {}
    if test == "zpopmin":
        if command(server.port, "EXISTS", ZSET_KEY) != 0:
            raise BenchError("%s: %s still exists after %d ZPOPMINs" % (who, ZSET_KEY.decode(), requests))
    elif test == "zadd":
        after["zcard"] = command(server.port, "ZCARD", ZSET_KEY)
        if not isinstance(after["zcard"], int) or after["zcard"] < 1:
            raise BenchError("%s: ZCARD %s is %r after the zadd run"
                             % (who, ZSET_KEY.decode(), after["zcard"]))
    else:
        after["llen"] = command(server.port, "LLEN", LIST_KEY)
        if not isinstance(after["llen"], int) or after["llen"] < requests:
            raise BenchError("%s: LLEN %s is %r after %d LPUSHes"
                             % (who, LIST_KEY.decode(), after["llen"], requests))
    return r, ticks, after


def throughput(args, tmpdir):
    requests = {1: args.requests, 16: args.requests_p16}
    progress("  part 1: building the ZADD commands that refill %s" % ZSET_KEY.decode())
    rng = random.Random(SEED)
    refills = {}
    for depth, n in requests.items():
        if n not in refills:
            refills[n] = zadd_commands(ZSET_KEY, [ZPOP_MEMBER % i for i in range(n)], rng)
    samples = {}        # (test, depth) -> who -> [(rps, cpu_us)]
    runs = []
    pair = Pair(args, tmpdir, "throughput")
    with pair as servers:
        total = args.rounds * len(DEPTHS) * len(TESTS) * 2
        done = 0
        for rnd in range(args.rounds):
            for di, depth in enumerate(DEPTHS):
                for ti, test in enumerate(TESTS):
                    for who in alternate(rnd + di + ti, ("ours", "redis")):
                        done += 1
                        progress("  part 1 run %d/%d: round %d, -P %d, %s, %s"
                                 % (done, total, rnd + 1, depth, test, who))
                        n = requests[depth]
                        r, ticks, after = throughput_run(args, servers[who], who, test, depth, n,
                                                         refills[n])
                        rps = r["rows"][0][1]
                        samples.setdefault((test, depth), {}).setdefault(who, []).append(
                            (rps, r["cpu_ns"] / 1000.0 / n))
                        runs.append(dict({"round": rnd + 1, "depth": depth, "test": test, "server": who,
                                          "requests": n, "rps": rps, "cpu_ns": r["cpu_ns"],
                                          "cpu_ticks": ticks, "wall_s": round(r["wall_s"], 3)}, **after))
        progress()
    table = []
    for depth in DEPTHS:
        for test in TESTS:
            got = samples[(test, depth)]
            e = {"test": test, "depth": depth, "requests": requests[depth]}
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
    cmd = "redis-benchmark -h 127.0.0.1 -p PORT " + " ".join(bench_argv(args, "TEST", "DEPTH", "REQUESTS"))
    return {"tests": table, "geomean": geo, "runs": runs, "command": cmd}


# ---------------------------------------------------------------- 2. every default test

DEFAULT_ROW = re.compile(r"([^\r\n:]+): ([0-9.]+) requests per second")


def default_run(server, n):
    """Plain `redis-benchmark -q -n N`; never raises for the server's sake."""
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-q", "-n", str(n)]
    command(server.port, "FLUSHALL")
    timeout = 120 + n / 100.0
    t0 = time.monotonic()
    try:
        res = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=timeout)
        out, err, rc = (res.stdout.decode(errors="replace"), res.stderr.decode(errors="replace"),
                        res.returncode)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = "timed out after %.0f s" % timeout
        rc = None
    wall = time.monotonic() - t0
    server.check_alive()
    rows = [(m.group(1).strip(), float(m.group(2))) for m in DEFAULT_ROW.finditer(out)]
    errors = [line.strip() for line in (out + "\n" + err).splitlines()
              if "Error" in line or "timed out" in line]
    return {"argv": argv, "rc": rc, "rows": rows, "errors": errors, "wall_s": round(wall, 3)}


def default_tests(args, tmpdir):
    got = {"ours": [], "redis": []}
    with Pair(args, tmpdir, "default") as servers:
        for rnd in range(args.rounds):
            for who in alternate(rnd, ("ours", "redis")):
                progress("  part 2: round %d, redis-benchmark -q -n %d, %s"
                         % (rnd + 1, args.default_requests, who))
                got[who].append(default_run(servers[who], args.default_requests))
        progress()
    names = [name for name, _ in got["redis"][0]["rows"]]
    for run in got["redis"]:
        if run["rc"] != 0 or run["errors"] or [nm for nm, _ in run["rows"]] != names:
            raise BenchError("redis-server itself did not complete `%s`: exit %r, %s"
                             % (" ".join(run["argv"]), run["rc"], run["errors"] or "tests differ"))
    res = {"requests": args.default_requests, "tests": names,
           "command": "redis-benchmark -h 127.0.0.1 -p PORT -q -n %d" % args.default_requests}
    for who in ("ours", "redis"):
        runs = got[who]
        failed = [r for r in runs if r["rc"] != 0 or r["errors"] or [nm for nm, _ in r["rows"]] != names]
        first = failed[0] if failed else None
        stopped_at = None
        if first is not None:
            done = [nm for nm, _ in first["rows"]]
            stopped_at = names[len(done)] if len(done) < len(names) and done == names[:len(done)] else None
        res[who] = {"completed": not failed, "runs": runs, "failed_runs": len(failed),
                    "errors": first["errors"] if first else [], "exit": first["rc"] if first else 0,
                    "stopped_at": stopped_at}
    table = []
    for name in names:
        e = {"test": name}
        for who in ("ours", "redis"):
            e[who] = median([dict(r["rows"]).get(name) for r in got[who]])
        e["ratio"] = ratio(e["ours"], e["redis"])
        table.append(e)
    res["table"] = table
    res["geomean"] = geomean([e["ratio"] for e in table])
    return res


# ---------------------------------------------------------------- 3. memory

def mem_zset_big(n, rng):
    return zadd_commands(b"big", [b"member:%d" % i for i in range(n)], rng), n, b"big"


def mem_zsets_small(n, rng):
    cmds = []
    for i in range(n):
        args = [b"ZADD", b"zset:%d" % i]
        for j in range(8):
            args += [score(rng), b"member:%d" % (i * 8 + j)]
        cmds.append(encode(*args))
    return cmds, n * 8, b"zset:0"


MEMORY_WORKLOADS = [
    # (name, description, builder, full count)
    ("zset-500k", "1 zset x 500,000 members", mem_zset_big, 500000),
    ("zsets-8", "50,000 zsets x 8 members", mem_zsets_small, 50000),
]


def object_encoding(port, key):
    try:
        enc = command(port, "OBJECT", "ENCODING", key)
    except BenchError as e:
        return "(%s)" % e
    return enc.decode() if isinstance(enc, bytes) else str(enc)


def memory(args, tmpdir):
    out = {}
    scale = 10 if args.quick else 1
    for wi, (name, desc, build, count) in enumerate(MEMORY_WORKLOADS):
        cmds, members, probe = build(count // scale, random.Random(SEED + wi))
        entry = {"description": desc, "members": members, "commands": len(cmds)}
        for who in alternate(wi, ("ours", "redis")):
            progress("  part 3: %s, %s" % (name, who))
            with Pair(args, tmpdir, "memory-%s-%s" % (name, who), only=(who,)) as servers:
                port = servers[who].port
                command(port, "SET", "warm", "x")
                command(port, "DEL", "warm")
                before = used_memory(port)
                load(port, cmds)
                time.sleep(1.0)
                after = used_memory(port)
                entry[who] = {"before": before, "after": after,
                              "bytes_per_member": (after - before) / members,
                              "encoding": object_encoding(port, probe)}
        entry["ratio"] = ratio(entry["ours"]["bytes_per_member"], entry["redis"]["bytes_per_member"])
        out[name] = entry
    progress()
    return out


# ---------------------------------------------------------------- 4. latency

def latency_requests(n_members, count, seed):
    """The two request lists (same for both servers): warm-up + measured."""
    rng = random.Random(seed)
    width = LAT_IN_RANGE / n_members
    total = LAT_WARMUP + count
    ranges = []
    for _ in range(total):
        lo = rng.random() * (1.0 - 2 * width)
        ranges.append(encode(b"ZRANGEBYSCORE", LAT_KEY, b"%.9f" % lo, b"%.9f" % (lo + width),
                             b"LIMIT", b"0", b"%d" % LAT_LIMIT))
    ranks = [encode(b"ZRANK", LAT_KEY, b"member:%d" % rng.randrange(n_members)) for _ in range(total)]
    return {"zrangebyscore": ranges, "zrank": ranks}


def timed_requests(server, requests, kind):
    """Send each request alone and wait for its reply: (latencies in ns of
    the measured ones, digest of every reply, server CPU ns)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30.0)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    digest = hashlib.sha256()
    lat = []
    clock = time.perf_counter_ns
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for req in requests[:LAT_WARMUP]:
            sock.sendall(req)
            digest.update(recv_reply(sock))
        snap = cpu_snapshot(server)
        for req in requests[LAT_WARMUP:]:
            t0 = clock()
            sock.sendall(req)
            reply = recv_reply(sock)
            lat.append(clock() - t0)
            digest.update(reply)
            if reply[:1] != (b":" if kind == "zrank" else b"*"):
                raise BenchError("%s: unexpected reply to %r: %r" % (server.name, req, reply[:200]))
        cpu = cpu_since(server, snap)
    finally:
        if gc_was:
            gc.enable()
        sock.close()
    return lat, digest.hexdigest(), cpu


def latency(args, tmpdir):
    n = args.latency_members
    progress("  part 4: building %d members" % n)
    rng = random.Random(SEED + 10)
    cmds = zadd_commands(LAT_KEY, [b"member:%d" % i for i in range(n)], rng)
    reqs = latency_requests(n, args.latency_requests, SEED + 11)
    got = {}            # kind -> who -> [round results]
    digests = {}        # kind -> who -> set of digests
    with Pair(args, tmpdir, "latency") as servers:
        for who in ("ours", "redis"):
            progress("  part 4: loading %d members into %s" % (n, who))
            load(servers[who].port, cmds)
            if command(servers[who].port, "ZCARD", LAT_KEY) != n:
                raise BenchError("%s: ZCARD %s is not %d after loading" % (who, LAT_KEY.decode(), n))
        for rnd in range(args.rounds):
            for ki, kind in enumerate(("zrangebyscore", "zrank")):
                for who in alternate(rnd + ki, ("ours", "redis")):
                    progress("  part 4: round %d, %s, %s" % (rnd + 1, kind, who))
                    lat, digest, cpu = timed_requests(servers[who], reqs[kind], kind)
                    lat.sort()
                    got.setdefault(kind, {}).setdefault(who, []).append(
                        {"median_us": statistics.median(lat) / 1000.0,
                         "p99_us": percentile(lat, 0.99) / 1000.0,
                         "max_us": lat[-1] / 1000.0,
                         "cpu_us_per_request": cpu[0] / 1000.0 / len(lat), "cpu_ticks": cpu[1]})
                    digests.setdefault(kind, {}).setdefault(who, set()).add(digest)
        progress()
    res = {"members": n, "requests": args.latency_requests, "warmup": LAT_WARMUP,
           "range_width": LAT_IN_RANGE / n, "limit": LAT_LIMIT, "kinds": {}}
    identical = True
    for kind in ("zrangebyscore", "zrank"):
        e = {}
        for who in ("ours", "redis"):
            rounds = got[kind][who]
            e[who] = {k: median([r[k] for r in rounds]) for k in rounds[0]}
            e[who]["runs"] = rounds
        same = digests[kind]["ours"] == digests[kind]["redis"] and len(digests[kind]["redis"]) == 1
        identical = identical and same
        e["replies_identical"] = same
        e["median_ratio"] = ratio(e["ours"]["median_us"], e["redis"]["median_us"])
        e["p99_ratio"] = ratio(e["ours"]["p99_us"], e["redis"]["p99_us"])
        e["cpu_ratio"] = ratio(e["ours"]["cpu_us_per_request"], e["redis"]["cpu_us_per_request"])
        res["kinds"][kind] = e
    res["replies_identical"] = identical
    return res


# ---------------------------------------------------------------- 5. pub/sub fan-out

def message_payload(seq, size):
    """What fanout.c's payload() makes: the sequence number in ten digits,
    padded with dots (used here for the stream's length)."""
    head = b"%010d" % seq
    return head + b"." * max(0, size - len(head))


def stream_length(n, size):
    """Bytes of the RESP2 stream each subscriber receives."""
    one = b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
        len(CHANNEL), CHANNEL, size, message_payload(0, size))
    return n * len(one)


class Fanout:
    """One round's client: build/bench/fanout (tests/bench/fanout.c), which
    subscribes, says "ready", and on a line from us publishes, reads every
    subscriber and checks every byte; see its opening comment."""

    def __init__(self, args, port):
        argv = [args.fanout_client, str(port), str(args.subscribers), str(args.messages),
                str(args.message_size), str(args.publish_batch), str(args.publish_window)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        # fanout gives up by itself after 10 s without a reply; this is in
        # case it cannot even do that.
        if not select.select([self.proc.stdout], [], [], 30.0)[0]:
            self.stop()
            raise BenchError("fanout client: not subscribed within 30 s")
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.stop()
            raise BenchError("fanout client: %s" % (line or "exited before subscribing"))

    def run(self, timeout=120.0):
        """(wall_s, publish_s, None), or (None, None, why) if anything was
        lost, duplicated, reordered or refused."""
        try:
            out, _ = self.proc.communicate("go\n", timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise BenchError("the fanout client did not finish within %.0f s" % timeout)
        words = out.strip().split(" ", 2)
        if self.proc.returncode == 0 and words[0] == "ok" and len(words) == 3:
            return float(words[1]), float(words[2]), None
        return None, None, out.strip() or "exit status %d" % self.proc.returncode

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def pubsub_round(args, server):
    client = Fanout(args, server.port)
    try:
        snap = cpu_snapshot(server)
        wall, publish_s, problem = client.run()
        cpu = cpu_since(server, snap)
    finally:
        client.stop()
    server.check_alive()
    deliveries = args.subscribers * args.messages
    return {"intact": problem is None, "problems": [problem] if problem else [], "wall_s": wall,
            "deliveries_per_s": deliveries / wall if wall else None, "publish_s": publish_s,
            "cpu_ns": cpu[0], "cpu_ticks": cpu[1], "cpu_ns_per_delivery": cpu[0] / deliveries,
            "server_busy": cpu[0] / 1e9 / wall if wall else None}


def pubsub(args, tmpdir):
    got = {"ours": [], "redis": []}
    with Pair(args, tmpdir, "pubsub") as servers:
        for rnd in range(args.pubsub_rounds):
            for who in alternate(rnd, ("ours", "redis")):
                progress("  part 5: round %d of %d, %s" % (rnd + 1, args.pubsub_rounds, who))
                r = pubsub_round(args, servers[who])
                if who == "redis" and not r["intact"]:
                    raise BenchError("redis-server itself lost pub/sub messages: %s" % r["problems"])
                got[who].append(r)
        progress()
    res = {"subscribers": args.subscribers, "messages": args.messages, "message_size": args.message_size,
           "publish_batch": args.publish_batch, "publish_window": args.publish_window,
           "stream_bytes": stream_length(args.messages, args.message_size)}
    for who in ("ours", "redis"):
        runs = got[who]
        res[who] = {"intact": all(r["intact"] for r in runs),
                    "deliveries_per_s": median([r["deliveries_per_s"] for r in runs]),
                    "wall_s": median([r["wall_s"] for r in runs]),
                    "publish_s": median([r["publish_s"] for r in runs]),
                    "cpu_ns_per_delivery": median([r["cpu_ns_per_delivery"] for r in runs]),
                    "server_busy": median([r["server_busy"] for r in runs]),
                    "runs": runs}
    res["rate_ratio"] = ratio(res["ours"]["deliveries_per_s"], res["redis"]["deliveries_per_s"])
    res["cpu_ratio"] = ratio(res["ours"]["cpu_ns_per_delivery"], res["redis"]["cpu_ns_per_delivery"])
    return res


# ---------------------------------------------------------------- 6. blocked clients

def wait_blocked(port, n, timeout=5.0):
    """"yes" once INFO clients reports n blocked clients, "no (K)" if it
    still reports K < n after timeout, "no field" if the server has no
    blocked_clients field (then a fixed pause stands in)."""
    deadline = time.monotonic() + timeout
    while True:
        v = info_field(port, "clients", "blocked_clients")
        if v is None:
            time.sleep(0.5)
            return "no field"
        if v >= n:
            return "yes"
        if time.monotonic() > deadline:
            return "no (%d)" % v
        time.sleep(0.01)


def idle_run(args, server):
    socks = []
    try:
        for _ in range(BLOCKED):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=10.0)
            s.sendall(encode(b"BRPOP", IDLE_KEY, b"0"))
            socks.append(s)
        seen = wait_blocked(server.port, BLOCKED)
        problems = []
        if seen.startswith("no ("):
            problems.append("INFO clients: blocked_clients:%s after the BRPOPs, not %d"
                            % (seen[4:-1], BLOCKED))
        snap = cpu_snapshot(server)
        machine0 = machine_cpu()
        t0 = time.monotonic()
        time.sleep(args.idle_seconds)
        cpu = cpu_since(server, snap)
        elapsed = time.monotonic() - t0
        machine = busy_share(machine0, machine_cpu())
        jobs = [b"job:%d" % i for i in range(BLOCKED)]
        pushed = command(server.port, "LPUSH", IDLE_KEY, *jobs)
        received = []
        for i, s in enumerate(socks):
            s.settimeout(2.0)
            try:
                reply = recv_reply(s)
            except (OSError, BenchError) as e:
                problems.append("consumer %d: %s" % (i, e))
                continue
            m = re.fullmatch(rb"\*2\r\n\$%d\r\n%s\r\n\$(\d+)\r\n(job:\d+)\r\n"
                             % (len(IDLE_KEY), IDLE_KEY), reply)
            if not m:
                problems.append("consumer %d got %r" % (i, reply[:100]))
            else:
                received.append(m.group(2))
        if sorted(received) != sorted(jobs):
            problems.append("jobs received: %s" % b" ".join(sorted(received)).decode())
        left = command(server.port, "EXISTS", IDLE_KEY)
        if left != 0:
            problems.append("%s still exists after the 8 pops" % IDLE_KEY.decode())
        server.check_alive()
        return {"idle_s": elapsed, "cpu_ms": cpu[0] / 1e6, "cpu_ticks": cpu[1],
                "cpu_share": cpu[0] / 1e9 / elapsed, "blocked_clients_seen": seen,
                "lpush_reply": pushed, "jobs_ok": not problems, "problems": problems,
                "machine_busy": machine}
    finally:
        for s in socks:
            s.close()


def idle(args, tmpdir):
    res = {"clients": BLOCKED, "idle_seconds": args.idle_seconds, "clk_tck": CLK_TCK}
    for who in ("ours", "redis"):
        progress("  part 6: %d x BRPOP %s 0 on %s, %.1f s idle" % (BLOCKED, IDLE_KEY.decode(), who,
                                                                 args.idle_seconds))
        with Pair(args, tmpdir, "idle-%s" % who, only=(who,)) as servers:
            res[who] = idle_run(args, servers[who])
        if who == "redis" and not res[who]["jobs_ok"]:
            raise BenchError("redis-server itself failed the BRPOP check: %s" % res[who]["problems"])
    progress()
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


def report_throughput(res, tp, add):
    add("")
    add("1. %s" % tp["command"])
    add("   REQUESTS %d at -P 1, %d at -P 16; medians of %d rounds; zpopmin: %s refilled with REQUESTS"
        " members before each run%s" % (res["config"]["requests"], res["config"]["requests_p16"],
                                         res["config"]["rounds"], ZSET_KEY.decode(),
                                         "; zadd with -r %d" % res["config"]["zadd_r"]
                                         if res["config"]["zadd_r"] else ""))
    add("  %-8s %3s %11s %11s %7s   %9s %10s %7s"
        % ("test", "-P", "rps ours", "rps redis", "ratio", "us/r ours", "us/r redis", "ratio"))
    for e in tp["tests"]:
        add("  %-8s %3d %11.0f %11.0f %7.3f   %9.3f %10.3f %7.3f"
            % (e["test"], e["depth"], e["ours"]["rps"], e["redis"]["rps"], e["rps_ratio"],
               e["ours"]["cpu_us"], e["redis"]["cpu_us"], e["cpu_ratio"]))
    for depth in DEPTHS:
        add("  geomean -P %-2d  rps ratio %s   CPU/request ratio %s   (context)"
            % (depth, fmt(tp["geomean"]["rps_ratio_P%d" % depth], ".3f"),
               fmt(tp["geomean"]["cpu_ratio_P%d" % depth], ".3f")))


def report_default(df, add):
    add("")
    add("2. %s (every default test), after FLUSHALL, medians of %d rounds"
        % (df["command"], len(df["redis"]["runs"])))
    for who in ("ours", "redis"):
        d = df[who]
        if d["completed"]:
            add("  %-5s completed all %d tests" % (who, len(df["tests"])))
        else:
            add("  %-5s DID NOT COMPLETE (%d of %d runs failed; exit %s%s): %s"
                % (who, d["failed_runs"], len(d["runs"]), d["exit"],
                   ", stopped at %s" % d["stopped_at"] if d["stopped_at"] else "",
                   "; ".join(d["errors"][:3]) or "result lines differ from redis's"))
    add("  %-38s %11s %11s %7s" % ("test", "rps ours", "rps redis", "ratio"))
    for e in df["table"]:
        add("  %-38s %11s %11s %7s" % (e["test"], fmt(e["ours"], ".0f"), fmt(e["redis"], ".0f"),
                                       fmt(e["ratio"], ".3f")))
    add("  geomean rps ratio %s (context; %d requests a test is short, so each ratio is noisy)"
        % (fmt(df["geomean"], ".3f"), df["requests"]))


def report_memory(mem, add):
    add("")
    add("3. used_memory growth per member (fresh servers, ZADD pipeline on a connection closed"
        " before reading)")
    add("  %-10s %-26s %9s %9s %7s   %s" % ("workload", "", "B/m ours", "B/m redis", "ratio",
                                            "encoding ours / redis"))
    for name, e in mem.items():
        add("  %-10s %-26s %9.2f %9.2f %7.3f   %s / %s"
            % (name, "%s (%d)" % (e["description"].split(" x")[0], e["members"]),
               e["ours"]["bytes_per_member"], e["redis"]["bytes_per_member"], e["ratio"],
               e["ours"]["encoding"], e["redis"]["encoding"]))


def report_latency(lat, add):
    add("")
    add("4. one client, one request at a time, on a zset of %d members (scores random in [0,1)):"
        % lat["members"])
    add("     ZRANGEBYSCORE lat MIN MIN+%.3g LIMIT 0 %d   and   ZRANK lat member:RANDOM"
        % (lat["range_width"], lat["limit"]))
    add("   %d timed requests of each kind a round, after %d untimed; medians over rounds"
        % (lat["requests"], lat["warmup"]))
    add("  %-14s %-22s %11s %11s %7s" % ("", "", "ours", "redis", "ratio"))
    for kind, e in lat["kinds"].items():
        for label, key, rkey in (("median us", "median_us", "median_ratio"),
                                 ("p99 us", "p99_us", "p99_ratio"),
                                 ("server CPU us/request", "cpu_us_per_request", "cpu_ratio")):
            add("  %-14s %-22s %11.2f %11.2f %7.3f" % (kind if label == "median us" else "", label,
                                                      e["ours"][key], e["redis"][key], e[rkey]))
        add("  %-14s %-22s %11s" % ("", "replies identical", "yes" if e["replies_identical"] else "NO"))


def report_pubsub(ps, add):
    add("")
    add("5. %d subscribers on one channel; one publisher: %d x PUBLISH (%d-byte payloads), %d a write,"
        " replies read per write"
        % (ps["subscribers"], ps["messages"], ps["message_size"], ps["publish_batch"]))
    add("   medians of %d rounds" % len(ps["redis"]["runs"]))
    add("  %-30s %11s %11s %7s" % ("", "ours", "redis", "ratio"))
    add("  %-30s %11s %11s %7s" % ("deliveries/s", fmt(ps["ours"]["deliveries_per_s"], ".0f"),
                                   fmt(ps["redis"]["deliveries_per_s"], ".0f"),
                                   fmt(ps["rate_ratio"], ".3f")))
    add("  %-30s %11s %11s" % ("wall s, first PUBLISH to all in", fmt(ps["ours"]["wall_s"], ".3f"),
                               fmt(ps["redis"]["wall_s"], ".3f")))
    add("  %-30s %11s %11s" % ("publisher s", fmt(ps["ours"]["publish_s"], ".3f"),
                               fmt(ps["redis"]["publish_s"], ".3f")))
    add("  %-30s %11s %11s %7s" % ("server CPU ns/delivery", fmt(ps["ours"]["cpu_ns_per_delivery"], ".1f"),
                                   fmt(ps["redis"]["cpu_ns_per_delivery"], ".1f"),
                                   fmt(ps["cpu_ratio"], ".3f")))
    add("  %-30s %11s %11s" % ("server busy, share of wall time",
                               fmt(ps["ours"]["server_busy"], ".2f"),
                               fmt(ps["redis"]["server_busy"], ".2f")))
    add("  %-30s %11s %11s" % ("all delivered, in order", "yes" if ps["ours"]["intact"] else "NO",
                               "yes" if ps["redis"]["intact"] else "NO"))
    for r in ps["ours"]["runs"]:
        for p in r["problems"]:
            add("    ours: %s" % p)


def report_idle(idl, add):
    add("")
    add("6. %d connections in BRPOP %s 0, then %.1f s idle; then LPUSH %s job:0 ... job:%d (fresh servers)"
        % (idl["clients"], IDLE_KEY.decode(), idl["idle_seconds"], IDLE_KEY.decode(), idl["clients"] - 1))
    add("  %-30s %11s %11s" % ("", "ours", "redis"))
    add("  %-30s %11.2f %11.2f" % ("server CPU while idle, ms", idl["ours"]["cpu_ms"],
                                   idl["redis"]["cpu_ms"]))
    add("  %-30s %11d %11d" % ("utime+stime, ticks (1/%d s)" % idl["clk_tck"], idl["ours"]["cpu_ticks"],
                               idl["redis"]["cpu_ticks"]))
    add("  %-30s %10.3f%% %10.3f%%" % ("share of one core", idl["ours"]["cpu_share"] * 100,
                                       idl["redis"]["cpu_share"] * 100))
    add("  %-30s %11s %11s" % ("blocked_clients:%d in INFO" % idl["clients"],
                               idl["ours"]["blocked_clients_seen"], idl["redis"]["blocked_clients_seen"]))
    add("  %-30s %11s %11s" % ("one job per consumer", "yes" if idl["ours"]["jobs_ok"] else "NO",
                               "yes" if idl["redis"]["jobs_ok"] else "NO"))
    for p in idl["ours"]["problems"]:
        add("    ours: %s" % p)


def report(res):
    lines = []
    add = lines.append
    env = res["environment"]
    add("bench-ext2: ours = %s vs redis-server %s (%s), %d CPUs, load %s -> %s"
        % (res["config"]["ours_argv"], env["redis_version"], " ".join(shlex.quote(a) for a in REDIS_EXTRA),
           env["cpus"], env["loadavg_before"], env["loadavg_after"]))
    for name, fn in (("throughput", lambda v: report_throughput(res, v, add)),
                     ("default", lambda v: report_default(v, add)),
                     ("memory", lambda v: report_memory(v, add)),
                     ("latency", lambda v: report_latency(v, add)),
                     ("pubsub", lambda v: report_pubsub(v, add)),
                     ("idle", lambda v: report_idle(v, add))):
        if res.get(name):
            fn(res[name])
    add("")
    add("Machine busy during each part, share of all %d CPUs (in brackets: other processes than this"
        " script, its servers and redis-benchmark):" % env["cpus"])
    add("  " + ", ".join("%s %s%% (%s%%)" % (k, fmt(v * 100 if v is not None else None, ".0f"),
                                            fmt(env["others_share"][k] * 100
                                                if env["others_share"][k] is not None else None, ".0f"))
                         for k, v in env["busy_share"].items()))
    noisy = [k for k, v in env["others_share"].items()
             if v is not None and v > NOISY_OTHERS and k != "memory"]
    if noisy:
        add("  WARNING: other processes used more than %.0f%% of the machine during %s: their rates and"
            " latencies are unreliable (CPU per request and the memory figures much less so); rerun"
            " when the machine is quieter." % (NOISY_OTHERS * 100, ", ".join(noisy)))
    add("Summary (ours / redis unless said otherwise):")
    for t in res["summary"]["targets"]:
        if t["key"] in FLAGS:
            value = "-" if t["value"] is None else ("yes" if t["value"] >= 1 else "no")
            add("  %-8s %-58s %8s" % ("[" + t["status"] + "]", t["label"], value))
        else:
            add("  %-8s %-58s %8s  (target %s %s)" % ("[" + t["status"] + "]", t["label"],
                                                      fmt(t["value"], ".3f"), t["op"], t["limit"]))
    for part, why in res["failed_parts"].items():
        said = ([line for line in why.splitlines() if "Error" in line or "ERR" in line]
                or why.splitlines() or [""])[0].strip()
        add("  %-8s part %s did not finish: %s"
            % ("[failed]", part, said[:150] + ("..." if len(said) > 150 else "")))
    add("  command: %s" % res["command_line"])
    add("  json:    %s" % res["json_path"])
    return "\n".join(lines)


def summarize(res):
    figures = {}
    tp = res.get("throughput")
    if tp:
        for e in tp["tests"]:
            figures["rps_ratio_%s_P%d" % (e["test"], e["depth"])] = e["rps_ratio"]
            figures["cpu_ratio_%s_P%d" % (e["test"], e["depth"])] = e["cpu_ratio"]
    if res.get("default"):
        figures["default_completed_ours"] = 1 if res["default"]["ours"]["completed"] else 0
    for name, e in (res.get("memory") or {}).items():
        figures["mem_ratio_" + name] = e["ratio"]
    lat = res.get("latency")
    if lat:
        for kind, e in lat["kinds"].items():
            figures["lat_ratio_" + kind] = e["median_ratio"]
        figures["lat_replies_identical"] = 1 if lat["replies_identical"] else 0
    ps = res.get("pubsub")
    if ps:
        figures["pubsub_rate_ratio"] = ps["rate_ratio"]
        figures["pubsub_intact_ours"] = 1 if ps["ours"]["intact"] else 0
    idl = res.get("idle")
    if idl:
        # Idle CPU means nothing if the clients were not blocked meanwhile.
        blocked = not idl["ours"]["blocked_clients_seen"].startswith("no (")
        figures["idle_cpu_share_ours"] = idl["ours"]["cpu_share"] if blocked else None
        figures["brpop_jobs_ours"] = 1 if idl["ours"]["jobs_ok"] else 0
    return {"figures": figures, "targets": check_targets(figures)}


# ---------------------------------------------------------------- main

def positive(text):
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def positive_float(text):
    v = float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return v


PARTS = ["throughput", "default", "memory", "latency", "pubsub", "idle"]


def parse_args(argv):
    p = argparse.ArgumentParser(description="Benchmark stage 6's sorted sets, blocking pops and pub/sub "
                                            "against redis-server.")
    p.add_argument("--build-dir", default="build", help="where stage6 is built (default: build)")
    p.add_argument("--ours-cmd", default=None,
                   help="the command to run as ours instead of BUILD/stage6 (shell words); "
                        "redis-server gets Redis's options: the self-check")
    p.add_argument("--json", default=None, help="where to write the JSON (default: BUILD/bench-ext2.json)")
    p.add_argument("--rounds", type=positive, default=3, help="rounds, parts 1, 2, 4 (default: 3)")
    p.add_argument("--quick", action="store_true",
                   help="small sizes and 1 round, a smoke run (explicit options still win)")
    p.add_argument("--requests", type=positive,
                   help="part 1: requests per run at -P 1 (100000; quick 10000)")
    p.add_argument("--requests-p16", type=positive,
                   help="part 1: requests per run at -P 16 (2000000; quick 100000)")
    p.add_argument("--zadd-r", type=positive, default=None,
                   help="part 1: pass -r N to the zadd runs (random members and scores); default: no -r")
    p.add_argument("--default-requests", type=positive,
                   help="part 2: redis-benchmark -n (10000; quick 2000)")
    p.add_argument("--latency-members", type=positive, help="part 4: zset size (1000000; quick 100000)")
    p.add_argument("--latency-requests", type=positive,
                   help="part 4: timed requests of each kind a round (20000; quick 3000)")
    p.add_argument("--subscribers", type=positive, default=40, help="part 5: subscriber connections (40)")
    p.add_argument("--messages", type=positive, help="part 5: messages published (20000; quick 5000)")
    p.add_argument("--pubsub-rounds", type=positive,
                   help="part 5: rounds, each well under a second (9; quick 3)")
    p.add_argument("--fanout-client", default=None,
                   help="part 5: the client binary (default: BUILD/bench/fanout, from `make bench-ext2`)")
    p.add_argument("--publish-window", type=positive, default=1,
                   help="part 5: batches in flight before the publisher reads replies (1)")
    p.add_argument("--message-size", type=positive, default=32, help="part 5: payload bytes, >= 10 (32)")
    p.add_argument("--publish-batch", type=positive, default=100, help="part 5: PUBLISHes a write (100)")
    p.add_argument("--idle-seconds", type=positive_float, help="part 6: idle period (3; quick 1)")
    p.add_argument("--only", default=None, help="comma-separated parts to run: " + ",".join(PARTS))
    args = p.parse_args(argv)
    defaults = {"requests": (100000, 10000), "requests_p16": (2000000, 100000),
                "default_requests": (10000, 2000), "latency_members": (1000000, 100000),
                "latency_requests": (20000, 3000), "messages": (20000, 5000), "pubsub_rounds": (9, 3),
                "idle_seconds": (3.0, 1.0)}
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    if args.quick and not any(a == "--rounds" or a.startswith("--rounds=") for a in argv):
        args.rounds = 1
    if args.message_size < 10:
        p.error("--message-size must be at least 10 (the sequence number's digits)")
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
    if args.ours_cmd:
        args.ours_cmd = shlex.split(args.ours_cmd)
        if not args.ours_cmd or shutil.which(args.ours_cmd[0]) is None:
            raise BenchError("--ours-cmd: %r is not an executable" % (args.ours_cmd[:1] or ""))
    else:
        args.ours_cmd = [os.path.join(build_dir, "stage6")]
        if not os.access(args.ours_cmd[0], os.X_OK):
            raise BenchError("%s is missing: run `make BUILD=%s stage6` first"
                             % (args.ours_cmd[0], args.build_dir))
    if "pubsub" in args.parts:
        args.fanout_client = os.path.abspath(args.fanout_client or os.path.join(build_dir, "bench", "fanout"))
        if not os.access(args.fanout_client, os.X_OK):
            raise BenchError("%s is missing: run `make BUILD=%s %s` first"
                             % (args.fanout_client, args.build_dir, os.path.relpath(args.fanout_client)))
    for tool in ("redis-server", "redis-benchmark"):
        if shutil.which(tool) is None:
            raise BenchError("%s is not on PATH (make deps installs it)" % tool)
    version = subprocess.run(["redis-server", "--version"], stdout=subprocess.PIPE).stdout.decode()
    m = re.search(r"v=(\S+)", version)
    json_path = os.path.abspath(args.json) if args.json else os.path.join(build_dir, "bench-ext2.json")
    command_line = " ".join(shlex.quote(a) for a in [sys.executable, os.path.relpath(__file__)] + argv)
    config = {k: v for k, v in vars(args).items()}
    ours_opts = REDIS_EXTRA if is_redis(args.ours_cmd) else OURS_EXTRA
    config["ours_argv"] = " ".join(shlex.quote(a) for a in
                                   [os.path.relpath(args.ours_cmd[0]) if os.path.sep in args.ours_cmd[0]
                                    else args.ours_cmd[0]] + args.ours_cmd[1:] + ours_opts)
    shown = os.path.relpath(json_path)
    res = {"failed_parts": {}, "command_line": command_line,
           "json_path": json_path if shown.startswith("..") else shown,
           "config": config,
           "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "environment": {"redis_version": m.group(1) if m else version.strip(),
                           "cpus": os.cpu_count(), "loadavg_before": bench.loadavg(), "busy_share": {},
                           "others_share": {}}}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-ext2-") as tmpdir:
        for part, fn in (("throughput", throughput), ("default", default_tests), ("memory", memory),
                         ("latency", latency), ("pubsub", pubsub), ("idle", idle)):
            if part in args.parts:
                p0 = time.monotonic()
                m0 = machine_cpu()
                try:
                    res[part] = fn(args, tmpdir)
                except BenchError as e:
                    # The other parts still run: the extensions land one by one.
                    progress()
                    res["failed_parts"][part] = str(e)
                    print("bench-ext2: part %s FAILED: %s" % (part, e), file=sys.stderr, flush=True)
                m1 = machine_cpu()
                res["environment"]["busy_share"][part] = busy_share(m0, m1)
                res["environment"]["others_share"][part] = others_share(m0, m1)
                print("bench-ext2: part %s took %.0f s" % (part, time.monotonic() - p0),
                      file=sys.stderr, flush=True)
    res["environment"]["loadavg_after"] = bench.loadavg()
    res["elapsed_s"] = round(time.monotonic() - t0, 1)
    res["summary"] = summarize(res)
    print(report(res))
    print("  elapsed: %.0f s" % res["elapsed_s"])
    os.makedirs(os.path.dirname(json_path), exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    return 1 if res["failed_parts"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print("\nbench-ext2: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nbench-ext2: interrupted; servers stopped", file=sys.stderr)
        sys.exit(130)
