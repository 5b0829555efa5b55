#!/usr/bin/python3
"""Benchmark one stage of the workshop side by side with redis-server.

    make bench                       # newest stage, the defaults below
    make bench STAGE=1
    /usr/bin/python3 tests/bench/bench.py --rounds 1 --requests 20000 --keys 100000

What it does:

1. Throughput and CPU. It starts build/stageN and redis-server on free
   loopback ports, and runs

       redis-benchmark -p PORT -c 50 -n REQUESTS -q --csv -t TEST -P DEPTH

   for each of the stage's tests (the STAGE_TESTS table below) at -P 1 and
   -P 16, alternating the two servers, for --rounds rounds. Each test is its
   own redis-benchmark run so that the server's CPU time can be charged to
   it: the sum over /proc/PID/task/*/schedstat (first field, nanoseconds on
   a CPU) is read before and after each run. Throughput on a shared box is
   noisy; CPU time per request is much steadier, because it does not count
   the time the server waited for the CPU or for the client.

2. Memory. It starts a fresh pair of servers (so the throughput runs leave
   nothing behind), loads about --keys keys into each with

       redis-benchmark -t set -r 100000000 -n KEYS -d 10 -P 16 -c 50

   and reads DBSIZE (a little under KEYS: -r draws keys at random, and some
   collide). Bytes per key are (VmRSS after - VmRSS before) / DBSIZE for both
   servers, and (used_memory after - used_memory before) / DBSIZE from INFO
   memory for Redis, and for our server from stage 3 on (stage 2 has no
   INFO).

3. Active expiry (stage 3 on). For --rounds rounds, alternating which server
   goes first, a fresh server gets --expire-keys keys (10-byte values) that
   all share one absolute expiry, `SET key:I vvvvvvvvvv PXAT T`, written as
   one raw RESP pipeline; T is a couple of seconds after the writes will
   have finished. From T the script sends DBSIZE every 5 ms until it is 0:
   the time from T to the first 0 is the reclaim time. Meanwhile a probe (a
   process of its own, so that it never waits for this script's GIL) sends
   PING in a tight loop on its own connection; the worst latency is its
   longest round trip that overlaps [T, end of reclaim]. The probe starts
   a second before T, and its worst round trip in that second is reported
   too, as the machine's noise floor. Targets:
   median reclaim time ours/redis <= 1.0, median worst latency ours/redis
   <= 2.0.

4. Lists (stage 4 on). The throughput part gains lpush, rpush, lpop, rpop,
   lrange_100 and lrange_600 (all on the key "mylist", in that order, so
   both servers see the same list at every step). `-t lrange_N` would first
   run an LPUSH of as many requests and charge its CPU time to the same
   run, so those two are run as the explicit command `LRANGE mylist 0 N-1`
   on a list topped up to at least 1000 "xxx" elements; the rows keep
   redis-benchmark's names. lrange_600 runs half as many requests as the
   others (REQUEST_DIVISOR). The geomean rows are also given per group
   (strings, lists). Targets for the list group: rps ratio >= 0.9 and CPU
   per request ratio <= 1.0 at each -P.
   List memory: in a fresh server each, --list-elements elements are
   RPUSHed into one list, 1000 per command, once with 10-byte values
   ("e:00000000", distinct) and once with 3-byte values ("xxx"); bytes per
   element from used_memory deltas (the target, ours/redis <= 1.2) and from
   VmRSS deltas.

5. Append-only file (stage 5 on; --skip-aof skips it). All of it runs in
   folders made under this run's temporary folder (tempfile: $TMPDIR, else
   /tmp), so both servers' files are on one filesystem; the report names
   it and, for context, the latency of 200 fdatasyncs of small appends
   there.
   SET throughput: redis-benchmark -t set -c 50 -n REQUESTS at -P 1 and
   -P 16 with the AOF off, with appendfsync everysec and with appendfsync
   always, each run on a fresh server with a fresh --dir (ours: --dir D
   --appendonly yes|no --appendfsync P; redis: the same plus
   --aof-use-rdb-preamble no --save ''), alternating which server goes
   first, --rounds rounds. For each server, rps(everysec)/rps(off) and
   rps(always)/rps(off) from the medians; target: ours >= Redis's, i.e.
   (ours / redis's) >= 1.0 at each -P. Absolute rps, CPU per request and
   AOF bytes per request are given for context.
   Load time: one file of --aof-commands write commands in RESP (SET
   key:I value-I, with every 20th an RPUSH list:K and the next an INCR
   counter:K), written by this script. Ours finds it at D/appendonly.aof;
   Redis 7 at D/appendonlydir/appendonly.aof.1.base.aof, with an empty
   appendonly.aof.1.incr.aof and the manifest appendonly.aof.manifest
   ("file appendonly.aof.1.base.aof seq 1 type b" and "file
   appendonly.aof.1.incr.aof seq 1 type i", the format redis-server
   7.0.15 writes itself). Both are started with --appendonly yes; the time
   from just before the process is created to its first PONG (polled every
   5 ms; Redis's -LOADING replies do not count) is the load time, and the
   seconds of the logged "DB loaded from append only file" line are kept
   too. DBSIZE, LLEN list:0 and GET counter:0 must match the file. --rounds
   rounds, alternating; target: median ours/redis <= 1.0.

6. Threads (stage 6 on; --skip-threads skips it). Four servers side by
   side, alternating which goes first: ours with --threads 1, ours with
   --threads 2, redis-server, and redis-server with --io-threads 2
   --io-threads-do-reads yes (Redis 6's I/O threads). Every test of the
   stage at -P 1 and -P 16, as in part 1, which it replaces at stage 6
   (part 1 would run ours with its default, one thread per core). Targets:
   --threads 1 against redis-server, rps geomean >= 1.0 and CPU per request
   <= 0.9 at each -P; --threads 2 against --threads 1 at -P 16, rps >= 1.2
   and CPU per request <= 1.15 (what the server lock costs). redis-benchmark
   itself needs a core: on a 2-core machine the second server thread and
   the client share the second core.

It prints tables and a summary (with each target marked met or missed), and
writes the same results as JSON to BUILD/bench-stageN.json. Every server it
starts is stopped by its PID (SIGTERM, then wait), also when it fails or is
interrupted; so is the latency probe.

Standard library only; needs redis-server and redis-benchmark on PATH. A quick
look at the new parts with small sizes:

    /usr/bin/python3 tests/bench/bench.py --stage 4 --rounds 1 --requests 10000 \\
        --keys 100000 --expire-keys 100000 --list-elements 100000

and of the AOF part alone:

    /usr/bin/python3 tests/bench/bench.py --stage 5 --rounds 1 --requests 10000 \\
        --aof-commands 100000 --skip-throughput --skip-memory --skip-expiry --skip-list-memory
"""

import argparse
import csv
import datetime
import glob
import io
import json
import math
import multiprocessing
import os
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
from array import array

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# What each stage can be benchmarked with. A stage not listed uses the entry
# of the highest listed stage below it, so add a line when a stage brings new
# commands; a stage's tests include the earlier stages' tests.
#   tests:       redis-benchmark -t names, one run each
#   clients:     redis-benchmark -c (stage 0 serves one client at a time)
#   memory:      the stage has SET and DBSIZE, so the memory part can run
#   info:        the stage has INFO memory (used_memory) (default False)
#   expiry:      the stage has SET PXAT and active expiry (default False)
#   list_memory: the stage has RPUSH and LLEN (default False)
#   aof:         the stage has --appendonly, --appendfsync and --dir (default False)
#   threads:     the stage has --threads: part 6 replaces part 1 (default False)
STRING_TESTS = ["set", "get", "incr", "mset"]
LIST_TESTS = ["lpush", "rpush", "lpop", "rpop", "lrange_100", "lrange_600"]
STAGE_TESTS = {
    0: {"tests": ["ping_inline", "ping_mbulk"], "clients": 1, "memory": False},
    1: {"tests": ["ping_inline", "ping_mbulk"], "clients": 50, "memory": False},
    2: {"tests": STRING_TESTS, "clients": 50, "memory": True},
    3: {"tests": STRING_TESTS, "clients": 50, "memory": True, "info": True, "expiry": True},
    4: {"tests": STRING_TESTS + LIST_TESTS, "clients": 50, "memory": True, "info": True,
        "expiry": True, "list_memory": True},
    5: {"tests": STRING_TESTS + LIST_TESTS, "clients": 50, "memory": True, "info": True,
        "expiry": True, "list_memory": True, "aof": True},
    6: {"tests": STRING_TESTS + LIST_TESTS, "clients": 50, "memory": True, "info": True,
        "expiry": True, "list_memory": True, "aof": True, "threads": True},
}

# Which geomean group a test belongs to (the summary gives one per group
# when a stage has several).
TEST_GROUPS = {"ping_inline": "ping", "ping_mbulk": "ping"}
TEST_GROUPS.update((t, "strings") for t in STRING_TESTS)
TEST_GROUPS.update((t, "lists") for t in LIST_TESTS)

# Tests run as an explicit command instead of -t (see the docstring, 4):
# -t name -> (command, the row name redis-benchmark -t would print).
CUSTOM_TESTS = {
    "lrange_100": (["LRANGE", "mylist", "0", "99"], "LRANGE_100 (first 100 elements)"),
    "lrange_600": (["LRANGE", "mylist", "0", "599"], "LRANGE_600 (first 600 elements)"),
}
LIST_KEY = "mylist"         # the key redis-benchmark's list tests use
LRANGE_MIN_LEN = 1000       # elements the LRANGE tests find in LIST_KEY
# Tests that run --requests / divisor requests, to take a few seconds each.
REQUEST_DIVISOR = {"lrange_600": 2}

DEPTHS = [1, 16]            # redis-benchmark -P
MEMORY_CLIENTS = 50
MEMORY_PIPELINE = 16
MEMORY_VALUE_SIZE = 10
MEMORY_KEY_RANGE = 100000000
AVOID_PORTS = {6379}

# Active expiry (stage 3 on).
EXPIRY_VALUE = b"v" * 10
EXPIRY_POLL_S = 0.005               # DBSIZE every 5 ms from T on
EXPIRY_TIMEOUT_S = 30.0             # give up if DBSIZE is not 0 by T + this
EXPIRY_MIN_SLACK_S = 1.5            # T is at least this long after the writes end
EXPIRY_FIRST_LOAD_GUESS_S = 4.0     # per million keys, before a load has been timed
EXPIRY_PROBE_LEAD_S = 1.0           # the latency probe starts this long before T

# List memory (stage 4 on): (label, element i -> bytes).
LIST_MEMORY_VARIANTS = [
    ("10-byte", lambda i: b"e:%08d" % i),
    ("3-byte", lambda i: b"xxx"),
]
LIST_MEMORY_PER_COMMAND = 1000

# Append-only file (stage 5 on).
AOF_POLICIES = ["off", "everysec", "always"]    # "off": --appendonly no
AOF_TEST = "set"                # the redis-benchmark -t test of the AOF throughput part
AOF_LOAD_LISTS = 100            # list:0 .. list:99 get every 20th command as an RPUSH
AOF_LOAD_COUNTERS = 100         # counter:0 .. counter:99 get every 20th command as an INCR
AOF_FSYNC_SAMPLES = 200         # fdatasyncs timed in the AOF folder, for context
# Redis 7 keeps its AOF in DIR/appendonlydir/, listed by a manifest; this is
# the layout redis-server 7.0.15 itself writes (checked with BGREWRITEAOF and
# --aof-use-rdb-preamble no): a base file, an incr file, and these lines.
REDIS_AOF_DIR = "appendonlydir"
REDIS_AOF_BASE = "appendonly.aof.1.base.aof"
REDIS_AOF_INCR = "appendonly.aof.1.incr.aof"
REDIS_AOF_MANIFEST = "appendonly.aof.manifest"
REDIS_MANIFEST_TEXT = ("file %s seq 1 type b\nfile %s seq 1 type i\n"
                       % (REDIS_AOF_BASE, REDIS_AOF_INCR))
OURS_AOF_FILE = "appendonly.aof"
AOF_LOADED_RE = re.compile(r"DB loaded from append only file: ([0-9.]+) seconds"
                           r"(?: \((\d+) commands\))?")

# Targets, checked in the summary: (stage that brings it, key, label, op, limit).
TARGETS = [
    (3, "expiry_reclaim_ratio", "active expiry: reclaim time ours/redis (median)", "<=", 1.0),
    (3, "expiry_latency_ratio", "active expiry: worst PING latency ours/redis (median)", "<=", 2.0),
    (4, "lists_rps_ratio_P1", "lists: rps ratio, geomean, -P 1", ">=", 0.9),
    (4, "lists_rps_ratio_P16", "lists: rps ratio, geomean, -P 16", ">=", 0.9),
    (4, "lists_cpu_ratio_P1", "lists: CPU/request ratio, geomean, -P 1", "<=", 1.0),
    (4, "lists_cpu_ratio_P16", "lists: CPU/request ratio, geomean, -P 16", "<=", 1.0),
    (4, "list_memory_ratio_10-byte", "list memory: used_memory B/element ours/redis, 10-byte", "<=", 1.2),
    (4, "list_memory_ratio_3-byte", "list memory: used_memory B/element ours/redis, 3-byte", "<=", 1.2),
    (5, "aof_everysec_rel_P1", "AOF everysec: (rps/rps off) ours / redis's, -P 1", ">=", 1.0),
    (5, "aof_everysec_rel_P16", "AOF everysec: (rps/rps off) ours / redis's, -P 16", ">=", 1.0),
    (5, "aof_always_rel_P1", "AOF always: (rps/rps off) ours / redis's, -P 1", ">=", 1.0),
    (5, "aof_always_rel_P16", "AOF always: (rps/rps off) ours / redis's, -P 16", ">=", 1.0),
    (5, "aof_load_ratio", "AOF load: start to first PONG ours/redis (median)", "<=", 1.0),
    (6, "t1_rps_ratio_P1", "threads: --threads 1 / redis rps, geomean, -P 1", ">=", 1.0),
    (6, "t1_rps_ratio_P16", "threads: --threads 1 / redis rps, geomean, -P 16", ">=", 1.0),
    (6, "t1_cpu_ratio_P1", "threads: --threads 1 / redis CPU/request, -P 1", "<=", 0.9),
    (6, "t1_cpu_ratio_P16", "threads: --threads 1 / redis CPU/request, -P 16", "<=", 0.9),
    (6, "t2_rps_ratio_P16", "threads: --threads 2 / --threads 1 rps, -P 16", ">=", 1.2),
    (6, "t2_cpu_ratio_P16", "threads: --threads 2 / --threads 1 CPU/request, -P 16", "<=", 1.15),
]

# Part 6: (name, ours or redis, extra options), in the order of the tables.
THREAD_SERVERS = [
    ("t1", "ours", ["--threads", "1"]),
    ("t2", "ours", ["--threads", "2"]),
    ("redis", "redis", []),
    ("io2", "redis", ["--io-threads", "2", "--io-threads-do-reads", "yes"]),
]
# The ratios part 6 reports: (name, numerator, denominator).
THREAD_RATIOS = [
    ("t1", "t1", "redis"),          # one thread, against Redis
    ("t2", "t2", "t1"),             # what a second thread buys
    ("io2", "io2", "redis"),        # what Redis's I/O threads buy it
    ("t2_io2", "t2", "io2"),        # two threads each
]


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- helpers

def stage_profile(stage):
    known = [s for s in STAGE_TESTS if s <= stage]
    if not known:
        raise BenchError("no benchmark profile for stage %d" % stage)
    return STAGE_TESTS[max(known)]


def newest_stage():
    stages = []
    for path in glob.glob(os.path.join(REPO, "stages", "stage*")):
        m = re.fullmatch(r"stage(\d+)", os.path.basename(path))
        if m and os.path.isdir(path):
            stages.append(int(m.group(1)))
    if not stages:
        raise BenchError("no stages/stageN folders under %s" % REPO)
    return max(stages)


def free_port(taken):
    """A free TCP port on 127.0.0.1, found by binding port 0."""
    for _ in range(50):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        finally:
            s.close()
        if port not in AVOID_PORTS and port not in taken:
            taken.add(port)
            return port
    raise BenchError("could not find a free loopback port")


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def progress(msg=None):
    """One status line on a terminal, rewritten in place; plain lines elsewhere."""
    if sys.stderr.isatty():
        print("\r\033[K" + (msg or ""), end="", file=sys.stderr, flush=True)
    elif msg:
        print(msg, file=sys.stderr, flush=True)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return None


# ---------------------------------------------------------------- RESP

def resp_read(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise BenchError("connection closed while reading a reply")
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+",):
        return rest.decode()
    if kind == b"-":
        raise BenchError("server error: %s" % rest.decode(errors="replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if kind == b"*":
        n = int(rest)
        if n < 0:
            return None
        return [resp_read(f) for _ in range(n)]
    raise BenchError("unexpected reply: %r" % line)


def encode(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def command(port, *args, timeout=10.0):
    """Send one command on a new connection and return its reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(encode(*args))
        with s.makefile("rb") as f:
            return resp_read(f)


class Connection:
    """One connection kept open for many commands (the DBSIZE poller)."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return resp_read(self.file)

    def close(self):
        self.file.close()
        self.sock.close()


def pipeline(port, payload, replies, timeout=120.0):
    """Send payload (many commands with one-line replies: +OK, :N) in one go
    and read until `replies` replies have come back. A thread sends while
    this one reads, so neither side's socket buffer can fill up and stall
    the other. Raises on the first error reply."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    failed = []

    def send():
        try:
            sock.sendall(payload)
        except OSError as e:
            failed.append(e)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    chunks = []
    got = 0
    try:
        while got < replies:
            data = sock.recv(1 << 20)
            if not data:
                raise BenchError("connection closed after %d of %d replies%s"
                                 % (got, replies, " (%s)" % failed[0] if failed else ""))
            chunks.append(data)
            got += data.count(b"\n")       # one-line replies: one LF each
        sender.join(timeout)
    finally:
        sock.close()
    if failed:
        raise BenchError("sending the pipeline failed: %s" % failed[0])
    data = b"".join(chunks)
    at = 0 if data.startswith(b"-") else data.find(b"\n-") + 1
    if at > 0 or data.startswith(b"-"):
        raise BenchError("server error in the pipeline: %s"
                         % data[at:data.find(b"\r", at)].decode(errors="replace"))


# ---------------------------------------------------------------- servers

class Server:
    def __init__(self, name, argv, port, logpath):
        self.name = name
        self.argv = argv
        self.port = port
        self.logpath = logpath
        self.proc = None

    def start(self, timeout=10.0, poll=0.05):
        """Start the server and wait for its first PONG (a -LOADING reply
        counts as not yet). Returns the seconds from just before the
        process was created to that PONG, measured to about `poll`."""
        log = open(self.logpath, "ab")
        t0 = time.monotonic()
        try:
            # A session of its own: Ctrl-C reaches only this script, which
            # then stops the server by its PID in the finally blocks.
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise BenchError("%s exited with status %d at start; log:\n%s"
                                 % (self.name, self.proc.returncode, self.log_tail()))
            try:
                if command(self.port, "PING", timeout=1.0) == "PONG":
                    return time.monotonic() - t0
            except (OSError, BenchError):
                pass
            if time.monotonic() > deadline:
                raise BenchError("%s did not answer PING on port %d within %.0fs; log:\n%s"
                                 % (self.name, self.port, timeout, self.log_tail()))
            time.sleep(poll)

    def stop(self, timeout=10.0):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            print("warning: %s (pid %d) ignored SIGTERM for %.0fs; sending SIGKILL"
                  % (self.name, self.proc.pid, timeout), file=sys.stderr)
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def check_alive(self):
        if self.proc.poll() is not None:
            raise BenchError("%s (pid %d) died with status %d; log:\n%s"
                             % (self.name, self.proc.pid, self.proc.returncode, self.log_tail()))

    def log_tail(self, lines=20):
        try:
            with open(self.logpath, "rb") as f:
                text = f.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def cpu_ns(self):
        """Nanoseconds on a CPU, summed over the process's threads."""
        total = 0
        for path in glob.glob("/proc/%d/task/*/schedstat" % self.proc.pid):
            try:
                with open(path) as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass            # a thread that just ended
        return total

    def rss_bytes(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise BenchError("no VmRSS for %s" % self.name)


# Stage 6 logs to an append-only file by default; the comparisons outside
# the AOF part run both servers without one (redis: --appendonly no).
OURS_NO_AOF = []


def make_server(who, ours_bin, tmpdir, tag, taken=None, extra=(), name=None):
    """An unstarted Server: who is "ours" or "redis"; `extra` options go last."""
    port = free_port(taken if taken is not None else set())
    name = name or who
    logpath = os.path.join(tmpdir, "%s-%s.log" % (name, tag))
    if who == "ours":
        return Server(name, [ours_bin, "--port", str(port), "--bind", "127.0.0.1"] + OURS_NO_AOF
                      + list(extra), port, logpath)
    redis_dir = os.path.join(tmpdir, "%s-%s" % (name, tag))
    os.makedirs(redis_dir, exist_ok=True)
    return Server(name, ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                         "--save", "", "--appendonly", "no", "--dir", redis_dir] + list(extra),
                  port, logpath)


def make_servers(ours_bin, tmpdir, tag):
    taken = set()
    return (make_server("ours", ours_bin, tmpdir, tag, taken),
            make_server("redis", ours_bin, tmpdir, tag, taken))


# ---------------------------------------------------------------- redis-benchmark

def parse_csv(text):
    """Rows of redis-benchmark --csv: [(test name, rps), ...]."""
    rows = []
    for rec in csv.reader(io.StringIO(text)):
        if len(rec) < 2 or rec[0] == "test":
            continue
        try:
            rows.append((rec[0], float(rec[1])))
        except ValueError:
            continue
    return rows


def run_benchmark(server, argv_tail, requests):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port)] + argv_tail
    timeout = 120 + requests / 200.0
    cpu0 = server.cpu_ns()
    t0 = time.monotonic()
    try:
        res = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        server.check_alive()
        raise BenchError("%s took more than %.0fs against %s" % (" ".join(argv), timeout, server.name))
    wall = time.monotonic() - t0
    cpu1 = server.cpu_ns()
    server.check_alive()
    out = res.stdout.decode(errors="replace")
    err = res.stderr.decode(errors="replace")
    if res.returncode != 0:
        raise BenchError("%s exited with %d against %s:\n%s%s"
                         % (" ".join(argv), res.returncode, server.name, out, err))
    return {"argv": argv, "rows": parse_csv(out), "cpu_ns": cpu1 - cpu0,
            "wall_s": wall, "stdout": out, "stderr": err}


# ---------------------------------------------------------------- the two parts

def test_requests(args, test):
    return max(1, args.requests // REQUEST_DIVISOR.get(test, 1))


def list_length(port):
    n = command(port, "LLEN", LIST_KEY)
    if not isinstance(n, int):
        raise BenchError("LLEN %s answered %r" % (LIST_KEY, n))
    return n


def prepare_test(server, test, requests):
    """Put the list the test needs in place; not part of the measured run.
    In the default order (lpush, rpush, lpop, rpop) the pops find the 2N
    elements the pushes left, so this only acts before the LRANGE tests, or
    when --tests picks another order."""
    if test in ("lpop", "rpop"):
        want = requests
    elif test in CUSTOM_TESTS:
        want = LRANGE_MIN_LEN
    else:
        return
    have = list_length(server.port)
    if have < want:
        push_elements(server.port, LIST_KEY.encode(), [b"xxx"] * (want - have))


def measure_test(args, server, test, depth, clients):
    """One redis-benchmark run of `test` at -P depth: (requests, the run,
    server CPU microseconds per request)."""
    requests = test_requests(args, test)
    prepare_test(server, test, requests)
    tail = ["-c", str(clients), "-n", str(requests), "-q", "--csv", "-P", str(depth)]
    if test in CUSTOM_TESTS:
        tail += CUSTOM_TESTS[test][0]
    else:
        tail += ["-t", test]
    r = run_benchmark(server, tail, requests)
    if test in CUSTOM_TESTS and len(r["rows"]) == 1:
        r["rows"] = [(CUSTOM_TESTS[test][1], r["rows"][0][1])]
    if not r["rows"]:
        raise BenchError("no results from %s against %s:\n%s%s"
                         % (" ".join(r["argv"]), server.name, r["stdout"], r["stderr"]))
    # One -t name normally gives one row; if it gives several, the run's
    # CPU is shared out evenly.
    return requests, r, r["cpu_ns"] / 1000.0 / (requests * len(r["rows"]))


def threads(args, ours_bin, tmpdir, tests, clients):
    """Part 6: per (test, depth) the median rps and CPU per request of each
    of THREAD_SERVERS, and the THREAD_RATIOS of those medians."""
    taken = set()
    servers = [make_server(who, ours_bin, tmpdir, "threads", taken, extra, name)
               for name, who, extra in THREAD_SERVERS]
    samples = {}        # (test, depth) -> name -> [(rps, cpu_us_per_req)]
    runs = []
    try:
        for server in servers:
            server.start()
        total = args.rounds * len(DEPTHS) * len(tests) * len(servers)
        done = 0
        for rnd in range(args.rounds):
            for di, depth in enumerate(DEPTHS):
                for ti, test in enumerate(tests):
                    first = (rnd + di + ti) % len(servers)     # each goes first in turn
                    for server in servers[first:] + servers[:first]:
                        done += 1
                        progress("  threads run %d/%d: round %d, -P %d, %s, %s"
                                 % (done, total, rnd + 1, depth, test, server.name))
                        requests, r, per_req_us = measure_test(args, server, test, depth, clients)
                        got = samples.setdefault((test, depth), {})
                        got.setdefault(server.name, []).append((r["rows"][0][1], per_req_us))
                        runs.append({"round": rnd + 1, "depth": depth, "test": test,
                                     "server": server.name, "requests": requests, "argv": r["argv"],
                                     "rows": r["rows"], "cpu_ns": r["cpu_ns"],
                                     "wall_s": round(r["wall_s"], 3)})
        progress()
    finally:
        for server in servers:
            server.stop()
    table = []
    for (test, depth), got in samples.items():
        entry = {"test": test, "depth": depth}
        for name, _, _ in THREAD_SERVERS:
            entry[name] = {"rps_median": statistics.median(v[0] for v in got[name]),
                           "cpu_us_per_req_median": statistics.median(v[1] for v in got[name])}
        for key, a, b in THREAD_RATIOS:
            entry[key + "_rps_ratio"] = ratio(entry[a]["rps_median"], entry[b]["rps_median"])
            entry[key + "_cpu_ratio"] = ratio(entry[a]["cpu_us_per_req_median"],
                                              entry[b]["cpu_us_per_req_median"])
        table.append(entry)
    geo = {}
    for depth in DEPTHS:
        rows = [e for e in table if e["depth"] == depth]
        for key, _, _ in THREAD_RATIOS:
            for what in ("rps", "cpu"):
                name = "%s_%s_ratio" % (key, what)
                geo["%s_P%d" % (name, depth)] = geomean([e[name] for e in rows])
    return {"servers": [{"name": n, "who": who, "extra": extra, "argv": s.argv}
                        for (n, who, extra), s in zip(THREAD_SERVERS, servers)],
            "tests": table, "geomean": geo, "runs": runs}


def throughput(args, ours_bin, tmpdir, tests, clients):
    """Runs per (test, depth, server): lists of {rps, cpu_us_per_req} over rounds."""
    ours, redis = make_servers(ours_bin, tmpdir, "throughput")
    servers = {"ours": ours, "redis": redis}
    runs = []           # every run, for the JSON
    names = {}          # -t name -> names in the CSV
    results = {}        # (csv name, depth) -> {"ours": [...], "redis": [...]}
    order_keys = []
    meta = {}           # (csv name, depth) -> -t name, requests, group
    try:
        ours.start()
        redis.start()
        total = args.rounds * len(DEPTHS) * len(tests) * 2
        done = 0
        for rnd in range(args.rounds):
            for di, depth in enumerate(DEPTHS):
                for ti, test in enumerate(tests):
                    # Alternate which server goes first, so neither always
                    # gets the warmer (or the busier) moment.
                    pair = ["ours", "redis"]
                    if (rnd + di + ti) % 2:
                        pair.reverse()
                    for who in pair:
                        server = servers[who]
                        done += 1
                        progress("  run %d/%d: round %d, -P %d, %s, %s"
                                 % (done, total, rnd + 1, depth, test, who))
                        requests, r, per_req_us = measure_test(args, server, test, depth, clients)
                        names.setdefault(test, [n for n, _ in r["rows"]])
                        for name, rps in r["rows"]:
                            key = (name, depth)
                            if key not in results:
                                results[key] = {"ours": [], "redis": []}
                                order_keys.append(key)
                                meta[key] = {"t": test, "requests": requests,
                                             "group": TEST_GROUPS.get(test, "other")}
                            results[key][who].append({"rps": rps, "cpu_us_per_req": per_req_us})
                        runs.append({"round": rnd + 1, "depth": depth, "test": test, "server": who,
                                     "requests": requests,
                                     "argv": r["argv"], "rows": r["rows"], "cpu_ns": r["cpu_ns"],
                                     "wall_s": round(r["wall_s"], 3),
                                     "stderr": r["stderr"].strip() or None})
        progress()
    finally:
        ours.stop()
        redis.stop()

    table = []
    for name, depth in sorted(order_keys, key=lambda k: (DEPTHS.index(k[1]), order_keys.index(k))):
        entry = {"test": name, "depth": depth}
        entry.update(meta[(name, depth)])
        for who in ("ours", "redis"):
            vals = results[(name, depth)][who]
            rps = [v["rps"] for v in vals]
            cpu = [v["cpu_us_per_req"] for v in vals]
            entry[who] = {
                "rps_median": statistics.median(rps) if rps else None,
                "rps_min": min(rps) if rps else None,
                "rps_max": max(rps) if rps else None,
                "cpu_us_per_req_median": statistics.median(cpu) if cpu else None,
                "rounds": len(vals),
                "rps": rps,
                "cpu_us_per_req": cpu,
            }
        entry["rps_ratio"] = ratio(entry["ours"]["rps_median"], entry["redis"]["rps_median"])
        entry["cpu_ratio"] = ratio(entry["ours"]["cpu_us_per_req_median"],
                                   entry["redis"]["cpu_us_per_req_median"])
        table.append(entry)

    geo = {}
    for depth in DEPTHS:
        rows = [e for e in table if e["depth"] == depth]
        geo["P%d" % depth] = {
            "rps_ratio": geomean([e["rps_ratio"] for e in rows]),
            "cpu_ratio": geomean([e["cpu_ratio"] for e in rows]),
        }
    groups = []
    for e in table:
        if e["group"] not in groups:
            groups.append(e["group"])
    geo_groups = {}
    for group in groups:
        geo_groups[group] = {}
        for depth in DEPTHS:
            rows = [e for e in table if e["depth"] == depth and e["group"] == group]
            geo_groups[group]["P%d" % depth] = {
                "rps_ratio": geomean([e["rps_ratio"] for e in rows]),
                "cpu_ratio": geomean([e["cpu_ratio"] for e in rows]),
            }
    return {"tests": table, "geomean": geo, "geomean_groups": geo_groups, "runs": runs}


def memory(args, ours_bin, tmpdir, ours_info):
    ours, redis = make_servers(ours_bin, tmpdir, "memory")
    out = {"requested_keys": args.keys, "value_size": MEMORY_VALUE_SIZE,
           "key_range": MEMORY_KEY_RANGE}
    try:
        for server in (ours, redis):
            progress("  memory: loading %d keys into %s" % (args.keys, server.name))
            server.start()
            if command(server.port, "DBSIZE") != 0:
                raise BenchError("fresh %s is not empty" % server.name)
            time.sleep(0.2)
            rss0 = server.rss_bytes()
            has_info = server.name == "redis" or ours_info
            used0 = info_used_memory(server.port) if has_info else None
            tail = ["-t", "set", "-r", str(MEMORY_KEY_RANGE), "-n", str(args.keys),
                    "-d", str(MEMORY_VALUE_SIZE), "-P", str(MEMORY_PIPELINE),
                    "-c", str(MEMORY_CLIENTS), "-q", "--csv"]
            r = run_benchmark(server, tail, args.keys)
            keys = command(server.port, "DBSIZE")
            time.sleep(0.2)
            rss1 = server.rss_bytes()
            used1 = info_used_memory(server.port) if has_info else None
            server.stop()
            if not isinstance(keys, int) or keys <= 0:
                raise BenchError("%s has DBSIZE %r after loading" % (server.name, keys))
            out[server.name] = {
                "argv": r["argv"],
                "keys": keys,
                "load_rps": r["rows"][0][1] if r["rows"] else None,
                "rss_before": rss0, "rss_after": rss1,
                "rss_bytes_per_key": (rss1 - rss0) / keys,
                "used_memory_before": used0, "used_memory_after": used1,
                "used_memory_bytes_per_key": (used1 - used0) / keys if used0 is not None else None,
            }
        progress()
    finally:
        ours.stop()
        redis.stop()
    out["rss_ratio"] = ratio(out["ours"]["rss_bytes_per_key"], out["redis"]["rss_bytes_per_key"])
    out["used_memory_ratio"] = ratio(out["ours"]["used_memory_bytes_per_key"],
                                     out["redis"]["used_memory_bytes_per_key"])
    return out


def info_used_memory(port):
    text = command(port, "INFO", "memory")
    text = text.decode() if isinstance(text, bytes) else str(text)
    m = re.search(r"^used_memory:(\d+)", text, re.M)
    if not m:
        raise BenchError("no used_memory in INFO memory")
    return int(m.group(1))


# ---------------------------------------------------------------- active expiry

EXPIRY_PLACEHOLDER = b"@" * 13     # T in ms: 13 digits until the year 2286
PING = b"*1\r\n$4\r\nPING\r\n"


def expiry_template(n):
    """SET key:I vvvvvvvvvv PXAT T for I < n, with a placeholder for T."""
    chunks = []
    for start in range(0, n, 10000):
        part = []
        for i in range(start, min(n, start + 10000)):
            key = b"key:%d" % i
            part.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$4\r\nPXAT\r\n$13\r\n%s\r\n"
                        % (len(key), key, len(EXPIRY_VALUE), EXPIRY_VALUE, EXPIRY_PLACEHOLDER))
        chunks.append(b"".join(part))
    return b"".join(chunks)


def probe_main(port, conn):
    """The latency probe, in a process of its own: PING in a tight loop on
    one connection, noting each round trip, until the parent sends the
    window (T, end); then it answers with the statistics."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent stops it
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sends = array("d")
        rtts = array("d")
        wall = time.time
        perf = time.perf_counter
        conn.send("ready")
        n = 0
        while True:
            t = wall()
            p0 = perf()
            sock.sendall(PING)
            got = b""
            while not got.endswith(b"\r\n"):
                data = sock.recv(64)
                if not data:
                    raise OSError("the server closed the probe's connection")
                got += data
            rtts.append(perf() - p0)
            sends.append(t)
            n += 1
            if n & 63 == 0 and conn.poll():
                break
        sock.close()
        start, end = conn.recv()
        window = []
        before = []
        worst_at = None
        worst = -1.0
        for t, rtt in zip(sends, rtts):
            if t + rtt <= start:
                before.append(rtt)
            elif t < end:
                window.append(rtt)
                if rtt > worst:
                    worst, worst_at = rtt, t - start
        window.sort()
        before.sort()

        def pct(values, q):
            return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else None

        conn.send({
            "pings": len(window),
            "worst_ms": window[-1] * 1000 if window else None,
            "worst_at_s": worst_at,
            "p99_ms": pct(window, 0.99),
            "median_ms": pct(window, 0.5),
            "before_pings": len(before),
            "before_worst_ms": before[-1] * 1000 if before else None,
            "before_p99_ms": pct(before, 0.99),
        })
    except Exception as e:              # reported by the parent
        conn.send({"error": "%s: %s" % (type(e).__name__, e)})


class Probe:
    def __init__(self, port):
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=probe_main, args=(port, child), daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(10):
            self.kill()
            raise BenchError("the latency probe did not start")
        msg = self.conn.recv()
        if msg != "ready":
            self.kill()
            raise BenchError("latency probe: %s" % msg.get("error", msg))

    def finish(self, start, end):
        """Stop the probe; statistics of the round trips overlapping [start, end]."""
        try:
            self.conn.send((start, end))
            if not self.conn.poll(30):
                raise BenchError("the latency probe did not answer")
            stats = self.conn.recv()
            self.proc.join(5)
        finally:
            self.kill()
        if "error" in stats:
            raise BenchError("latency probe: %s" % stats["error"])
        return stats

    def kill(self):
        if self.proc.is_alive():
            self.proc.terminate()           # SIGTERM to its PID
            self.proc.join(5)
        self.conn.close()


def expiry_round(server, template, n, load_guess, has_info):
    """Load n keys expiring at one T into a started, empty server; measure
    from T. Returns the round's figures, or {"late": True, ...} when the
    writes did not end EXPIRY_MIN_SLACK_S / 5 before T."""
    margin = EXPIRY_MIN_SLACK_S + 1.5 * load_guess
    t_ms = int((time.time() + margin) * 1000)
    payload = template.replace(EXPIRY_PLACEHOLDER, b"%13d" % t_ms)
    t0 = time.monotonic()
    pipeline(server.port, payload, n, timeout=120 + n / 5000.0)
    load_s = time.monotonic() - t0
    del payload
    T = t_ms / 1000.0
    out = {"T_ms": t_ms, "load_s": load_s, "slack_s": T - time.time()}
    if out["slack_s"] < EXPIRY_MIN_SLACK_S / 5:
        out["late"] = True
        return out
    keys = command(server.port, "DBSIZE")
    if keys != n:
        raise BenchError("%s has DBSIZE %r after writing %d keys" % (server.name, keys, n))
    out["used_memory_loaded"] = info_used_memory(server.port) if has_info else None
    out["rss_loaded"] = server.rss_bytes()
    # The probe starts EXPIRY_PROBE_LEAD_S before T: long enough for a
    # noise floor, short enough not to keep a CPU busy for nothing.
    while time.time() < T - EXPIRY_PROBE_LEAD_S:
        time.sleep(max(0.0, min(0.1, T - EXPIRY_PROBE_LEAD_S - time.time())))
    probe = Probe(server.port)
    poller = None
    try:
        poller = Connection(server.port)
        progress("  expiry: %s: waiting for T, then polling DBSIZE" % server.name)
        while time.time() < T:
            time.sleep(max(0.0, min(0.05, T - time.time())))
        cpu0 = server.cpu_ns()
        end = None
        polls = 0
        while True:
            size = poller.call("DBSIZE")
            now = time.time()
            polls += 1
            if size == 0:
                end = now
                break
            if now - T > EXPIRY_TIMEOUT_S:
                break
            # Every 5 ms on a fixed schedule from T.
            time.sleep(max(0.0, T + polls * EXPIRY_POLL_S - time.time()))
        cpu1 = server.cpu_ns()
        server.check_alive()
        stats = probe.finish(T, end if end is not None else now)
    finally:
        if poller is not None:
            poller.close()
        probe.kill()
    out.update({
        "reclaim_s": end - T if end is not None else None,
        "keys_left": size,
        "polls": polls,
        "server_cpu_ms": (cpu1 - cpu0) / 1e6,
        "probe": stats,
        "worst_ms": stats["worst_ms"],
    })
    out["used_memory_reclaimed"] = info_used_memory(server.port) if has_info else None
    out["rss_reclaimed"] = server.rss_bytes()
    return out


def median_or_none(values):
    """Median where None (did not finish) counts as worse than any figure."""
    if not values:
        return None
    m = statistics.median([math.inf if v is None else v for v in values])
    return None if math.isinf(m) else m


def expiry(args, ours_bin, tmpdir, ours_info):
    n = args.expire_keys
    progress("  expiry: building the SET ... PXAT pipeline (%d keys)" % n)
    template = expiry_template(n)
    rounds = {"ours": [], "redis": []}
    load_guess = None
    for rnd in range(args.rounds):
        order = ["ours", "redis"] if rnd % 2 == 0 else ["redis", "ours"]
        for who in order:
            for attempt in range(3):
                server = make_server(who, ours_bin, tmpdir, "expiry-%d-%d" % (rnd + 1, attempt))
                guess = load_guess if load_guess is not None else \
                    max(0.5, EXPIRY_FIRST_LOAD_GUESS_S * n / 1e6)
                progress("  expiry: round %d, %s: writing %d keys" % (rnd + 1, who, n))
                try:
                    server.start()
                    r = expiry_round(server, template, n, guess,
                                     has_info=(who == "redis" or ours_info))
                finally:
                    server.stop()
                load_guess = max(load_guess or 0.0, r["load_s"])
                if not r.get("late"):
                    break
                load_guess = 2 * r["load_s"]
                print("warning: expiry round %d, %s: the writes ended %.2fs before T; again"
                      % (rnd + 1, who, r["slack_s"]), file=sys.stderr)
            else:
                raise BenchError("could not write %d keys before their expiry time" % n)
            r["round"] = rnd + 1
            rounds[who].append(r)
    progress()
    out = {"keys": n, "value_size": len(EXPIRY_VALUE), "poll_ms": EXPIRY_POLL_S * 1000,
           "timeout_s": EXPIRY_TIMEOUT_S, "rounds": rounds}
    for who in ("ours", "redis"):
        out[who] = {
            "reclaim_s_median": median_or_none([r["reclaim_s"] for r in rounds[who]]),
            "worst_ms_median": median_or_none([r["worst_ms"] for r in rounds[who]]),
            "reclaim_s": [r["reclaim_s"] for r in rounds[who]],
            "worst_ms": [r["worst_ms"] for r in rounds[who]],
        }
    out["reclaim_ratio"] = ratio(out["ours"]["reclaim_s_median"], out["redis"]["reclaim_s_median"])
    out["latency_ratio"] = ratio(out["ours"]["worst_ms_median"], out["redis"]["worst_ms_median"])
    return out


# ---------------------------------------------------------------- list memory

def rpush_payload(key, values, per_command=LIST_MEMORY_PER_COMMAND):
    parts = []
    commands = 0
    for at in range(0, len(values), per_command):
        chunk = values[at:at + per_command]
        parts.append(b"*%d\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n" % (len(chunk) + 2, len(key), key))
        parts.extend(b"$%d\r\n%s\r\n" % (len(v), v) for v in chunk)
        commands += 1
    return b"".join(parts), commands


def push_elements(port, key, values, per_command=LIST_MEMORY_PER_COMMAND):
    """RPUSH the byte strings in values into key, per_command at a time, as one pipeline."""
    payload, commands = rpush_payload(key, values, per_command)
    if commands:
        pipeline(port, payload, commands)


def list_memory(args, ours_bin, tmpdir):
    n = args.list_elements
    key = b"biglist"
    out = {"elements": n, "per_command": LIST_MEMORY_PER_COMMAND, "variants": {}}
    for label, make in LIST_MEMORY_VARIANTS:
        values = [make(i) for i in range(n)]
        payload, commands = rpush_payload(key, values)
        v = {"value_size": len(values[0]), "example": values[-1].decode()}
        del values
        for who in ("ours", "redis"):
            progress("  list memory: %d %s elements into %s" % (n, label, who))
            server = make_server(who, ours_bin, tmpdir, "listmem-%s" % label)
            try:
                server.start()
                if command(server.port, "DBSIZE") != 0:
                    raise BenchError("fresh %s is not empty" % server.name)
                time.sleep(0.2)
                rss0 = server.rss_bytes()
                used0 = info_used_memory(server.port)
                t0 = time.monotonic()
                pipeline(server.port, payload, commands, timeout=120 + n / 5000.0)
                load_s = time.monotonic() - t0
                time.sleep(0.3)             # the loading connection is closed and freed
                length = command(server.port, "LLEN", key)
                rss1 = server.rss_bytes()
                used1 = info_used_memory(server.port)
            finally:
                server.stop()
            if length != n:
                raise BenchError("%s has LLEN %r after pushing %d elements" % (who, length, n))
            v[who] = {"load_s": load_s, "rss_before": rss0, "rss_after": rss1,
                      "rss_bytes_per_element": (rss1 - rss0) / n,
                      "used_memory_before": used0, "used_memory_after": used1,
                      "used_memory_bytes_per_element": (used1 - used0) / n}
        del payload
        v["used_memory_ratio"] = ratio(v["ours"]["used_memory_bytes_per_element"],
                                       v["redis"]["used_memory_bytes_per_element"])
        v["rss_ratio"] = ratio(v["ours"]["rss_bytes_per_element"],
                               v["redis"]["rss_bytes_per_element"])
        out["variants"][label] = v
    progress()
    return out


# ---------------------------------------------------------------- append-only file

def filesystem_of(path):
    """The mount that holds path: device, mount point, type (from /proc/self/mounts)."""
    path = os.path.realpath(path)
    best = None
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                fields = line.split()
                if len(fields) < 3:
                    continue
                dev, mnt, fstype = fields[0], fields[1].replace("\\040", " "), fields[2]
                if path == mnt or path.startswith(mnt.rstrip("/") + "/"):
                    if best is None or len(mnt) >= len(best[1]):
                        best = (dev, mnt, fstype)
    except OSError:
        pass
    out = {"path": path, "device": None, "mount": None, "fstype": None}
    if best:
        out.update(device=best[0], mount=best[1], fstype=best[2])
    return out


def fsync_latency(folder, samples=AOF_FSYNC_SAMPLES):
    """Time fdatasync after each of `samples` 48-byte appends to a file in
    folder: roughly what appendfsync always pays per write batch."""
    path = os.path.join(folder, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    lat = []
    try:
        for _ in range(samples):
            os.write(fd, b"x" * 48)
            t0 = time.perf_counter()
            os.fdatasync(fd)
            lat.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    lat.sort()
    return {"samples": samples, "median_ms": statistics.median(lat),
            "p90_ms": lat[int(0.9 * (samples - 1))], "p99_ms": lat[int(0.99 * (samples - 1))],
            "max_ms": lat[-1], "mean_ms": statistics.mean(lat)}


def folder_bytes(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def aof_server(who, ours_bin, tmpdir, tag, policy, taken=None):
    """An unstarted Server with a new, empty --dir of its own under tmpdir
    (server.dir). policy: "off" (--appendonly no) or an appendfsync policy."""
    port = free_port(taken if taken is not None else set())
    folder = os.path.join(tmpdir, "aof-%s-%s" % (tag, who))
    os.makedirs(folder)                 # fails if it is not new
    logpath = os.path.join(tmpdir, "%s-aof-%s.log" % (who, tag))
    on = "no" if policy == "off" else "yes"
    fsync = "everysec" if policy == "off" else policy
    if who == "ours":
        argv = [ours_bin, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder,
                "--appendonly", on, "--appendfsync", fsync]
    else:
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", on, "--appendfsync", fsync, "--aof-use-rdb-preamble", "no",
                "--dir", folder]
    server = Server(who, argv, port, logpath)
    server.dir = folder
    return server


def aof_throughput(args, ours_bin, tmpdir, clients):
    """SET throughput with the AOF off, everysec and always; every run on a
    new server with a new --dir, so no run finds an earlier run's file."""
    requests = test_requests(args, AOF_TEST)
    samples = {(who, policy, depth): [] for who in ("ours", "redis")
               for policy in AOF_POLICIES for depth in DEPTHS}
    runs = []
    total = args.rounds * len(AOF_POLICIES) * len(DEPTHS) * 2
    done = 0
    for rnd in range(args.rounds):
        for pi, policy in enumerate(AOF_POLICIES):
            for di, depth in enumerate(DEPTHS):
                pair = ["ours", "redis"]
                if (rnd + pi + di) % 2:
                    pair.reverse()
                for who in pair:
                    done += 1
                    progress("  aof throughput %d/%d: round %d, %s, -P %d, %s"
                             % (done, total, rnd + 1, policy, depth, who))
                    server = aof_server(who, ours_bin, tmpdir,
                                        "tp-%d-%s-P%d" % (rnd + 1, policy, depth), policy)
                    try:
                        server.start()
                        tail = ["-c", str(clients), "-n", str(requests), "-q", "--csv",
                                "-P", str(depth), "-t", AOF_TEST]
                        r = run_benchmark(server, tail, requests)
                        keys = command(server.port, "DBSIZE")
                    finally:
                        server.stop()
                    size = folder_bytes(server.dir)
                    shutil.rmtree(server.dir, ignore_errors=True)
                    if len(r["rows"]) != 1:
                        raise BenchError("expected one result row from %s against %s:\n%s%s"
                                         % (" ".join(r["argv"]), who, r["stdout"], r["stderr"]))
                    if keys != 1:
                        raise BenchError("%s has DBSIZE %r after -t set" % (who, keys))
                    if policy != "off" and size == 0:
                        raise BenchError("%s wrote no AOF with appendfsync %s (argv %s)"
                                         % (who, policy, " ".join(server.argv)))
                    rps = r["rows"][0][1]
                    per_req_us = r["cpu_ns"] / 1000.0 / requests
                    samples[(who, policy, depth)].append(
                        {"rps": rps, "cpu_us_per_req": per_req_us, "aof_bytes": size})
                    runs.append({"round": rnd + 1, "policy": policy, "depth": depth,
                                 "server": who, "argv": r["argv"],
                                 "server_argv": server.argv, "rps": rps,
                                 "cpu_ns": r["cpu_ns"], "wall_s": round(r["wall_s"], 3),
                                 "aof_bytes": size, "stderr": r["stderr"].strip() or None})
    progress()
    out = {"test": AOF_TEST, "requests": requests, "clients": clients, "policies": AOF_POLICIES,
           "runs": runs, "servers": {}, "relative": {}}
    for who in ("ours", "redis"):
        per = out["servers"][who] = {}
        for policy in AOF_POLICIES:
            for depth in DEPTHS:
                vals = samples[(who, policy, depth)]
                rps = [v["rps"] for v in vals]
                cpu = [v["cpu_us_per_req"] for v in vals]
                per["%s_P%d" % (policy, depth)] = {
                    "rps_median": statistics.median(rps),
                    "rps_min": min(rps), "rps_max": max(rps), "rps": rps,
                    "cpu_us_per_req_median": statistics.median(cpu), "cpu_us_per_req": cpu,
                    "aof_bytes_per_req": statistics.median([v["aof_bytes"] for v in vals]) / requests,
                }
    # rps(policy) / rps(off) per server, from the medians; and ours over redis's.
    for policy in AOF_POLICIES[1:]:
        for depth in DEPTHS:
            key = "%s_P%d" % (policy, depth)
            rel = {}
            for who in ("ours", "redis"):
                per = out["servers"][who]
                rel[who] = ratio(per[key]["rps_median"], per["off_P%d" % depth]["rps_median"])
                rel[who + "_cpu"] = ratio(per[key]["cpu_us_per_req_median"],
                                          per["off_P%d" % depth]["cpu_us_per_req_median"])
                # The same ratio within each round, for the JSON: a hint of its spread.
                rel[who + "_per_round"] = [
                    ratio(a["rps"], b["rps"]) for a, b in
                    zip(samples[(who, policy, depth)], samples[(who, "off", depth)])]
            rel["ours_over_redis"] = ratio(rel["ours"], rel["redis"])
            out["relative"][key] = rel
    return out


def aof_load_payload(n):
    """n write commands as RESP, the file both servers load: SET key:I
    value-I, except that every 20th is an RPUSH list:K value-I and the one
    after it an INCR counter:K (K = I // 20 % 100). Returns the bytes and
    what the dataset must look like after replaying them."""
    chunks = []
    mix = {"SET": 0, "RPUSH": 0, "INCR": 0}
    lists = {}
    counters = {}
    for start in range(0, n, 20000):
        part = []
        for i in range(start, min(n, start + 20000)):
            r = i % 20
            if r == 18:
                k = i // 20 % AOF_LOAD_LISTS
                key = b"list:%d" % k
                val = b"value-%d" % i
                part.append(b"*3\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                            % (len(key), key, len(val), val))
                mix["RPUSH"] += 1
                lists[k] = lists.get(k, 0) + 1
            elif r == 19:
                k = i // 20 % AOF_LOAD_COUNTERS
                key = b"counter:%d" % k
                part.append(b"*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n" % (len(key), key))
                mix["INCR"] += 1
                counters[k] = counters.get(k, 0) + 1
            else:
                key = b"key:%d" % i
                val = b"value-%d" % i
                part.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                            % (len(key), key, len(val), val))
                mix["SET"] += 1
        chunks.append(b"".join(part))
    expect = {"dbsize": mix["SET"] + len(lists) + len(counters),
              "llen_list0": lists.get(0, 0), "counter0": counters.get(0)}
    return b"".join(chunks), mix, expect


def write_synced(path, data):
    """Write data to a new file and fsync it, so that no writeback of it
    is left to compete with the load that follows."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def lay_out_aof(who, folder, payload):
    """Put payload where `who` looks for its AOF in folder; returns the paths."""
    if who == "ours":
        path = os.path.join(folder, OURS_AOF_FILE)
        write_synced(path, payload)
        return [path]
    sub = os.path.join(folder, REDIS_AOF_DIR)
    os.makedirs(sub)
    paths = [os.path.join(sub, name) for name in (REDIS_AOF_BASE, REDIS_AOF_INCR, REDIS_AOF_MANIFEST)]
    write_synced(paths[0], payload)
    write_synced(paths[1], b"")
    write_synced(paths[2], REDIS_MANIFEST_TEXT.encode())
    return paths


def logged_load(server, wait_s=2.0):
    """(seconds, commands or None, the log's lines about the AOF and the
    load) from the server's 'DB loaded from append only file' line; the
    first two are None if it has none."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with open(server.logpath, "rb") as f:
                text = f.read().decode(errors="replace")
        except OSError:
            text = ""
        m = AOF_LOADED_RE.search(text)
        if m or time.monotonic() > deadline:
            lines = [line for line in text.splitlines()
                     if re.search(r"AOF|append only|[Ll]oad|manifest|[Ee]rror", line)][:20]
            if not m:
                return None, None, lines
            return float(m.group(1)), int(m.group(2)) if m.group(2) else None, lines
        time.sleep(0.05)


def aof_load(args, ours_bin, tmpdir):
    n = args.aof_commands
    progress("  aof load: building %d commands" % n)
    payload, mix, expect = aof_load_payload(n)
    rounds = {"ours": [], "redis": []}
    for rnd in range(args.rounds):
        order = ["ours", "redis"] if rnd % 2 == 0 else ["redis", "ours"]
        for who in order:
            progress("  aof load: round %d, %s: %d commands (%.1f MB)"
                     % (rnd + 1, who, n, len(payload) / 1e6))
            server = aof_server(who, ours_bin, tmpdir, "load-%d" % (rnd + 1), "everysec")
            try:
                lay_out_aof(who, server.dir, payload)
                ready_s = server.start(timeout=60 + n / 20000.0, poll=0.005)
                keys = command(server.port, "DBSIZE", timeout=30)
                llen = command(server.port, "LLEN", "list:0") if expect["llen_list0"] else 0
                counter = command(server.port, "GET", "counter:0") \
                    if expect["counter0"] is not None else None
                logged_s, logged_commands, log_lines = logged_load(server)
                rss = server.rss_bytes()
            finally:
                server.stop()
                shutil.rmtree(server.dir, ignore_errors=True)
            if keys != expect["dbsize"]:
                raise BenchError("%s has DBSIZE %r after loading the AOF; expected %d"
                                 % (who, keys, expect["dbsize"]))
            if llen != expect["llen_list0"] or \
                    (expect["counter0"] is not None and counter != b"%d" % expect["counter0"]):
                raise BenchError("%s loaded list:0 with %r elements and counter:0 = %r; expected %r, %r"
                                 % (who, llen, counter, expect["llen_list0"], expect["counter0"]))
            if logged_s is None:
                print("warning: %s logged no 'DB loaded from append only file' line (round %d)"
                      % (who, rnd + 1), file=sys.stderr)
            rounds[who].append({"round": rnd + 1, "ready_s": ready_s, "logged_s": logged_s,
                                "logged_commands": logged_commands, "dbsize": keys,
                                "rss_bytes": rss, "argv": server.argv, "log": log_lines})
    progress()
    out = {"commands": n, "mix": mix, "bytes": len(payload), "expect": expect,
           "ours_layout": OURS_AOF_FILE,
           "redis_layout": "%s/{%s, %s (empty), %s}" % (REDIS_AOF_DIR, REDIS_AOF_BASE,
                                                        REDIS_AOF_INCR, REDIS_AOF_MANIFEST),
           "redis_manifest": REDIS_MANIFEST_TEXT, "rounds": rounds}
    for who in ("ours", "redis"):
        out[who] = {
            "ready_s_median": statistics.median([r["ready_s"] for r in rounds[who]]),
            "logged_s_median": median_or_none([r["logged_s"] for r in rounds[who]]),
            "ready_s": [r["ready_s"] for r in rounds[who]],
            "logged_s": [r["logged_s"] for r in rounds[who]],
        }
    out["ready_ratio"] = ratio(out["ours"]["ready_s_median"], out["redis"]["ready_s_median"])
    out["logged_ratio"] = ratio(out["ours"]["logged_s_median"], out["redis"]["logged_s_median"])
    return out


def aof(args, ours_bin, tmpdir, clients):
    """The stage 5 part: SET throughput with the AOF, then load time. Every
    AOF folder of both servers is made under tmpdir: one filesystem."""
    out = {"folder": filesystem_of(tmpdir)}
    out["fsync"] = fsync_latency(tmpdir)
    out["throughput"] = aof_throughput(args, ours_bin, tmpdir, clients)
    out["load"] = aof_load(args, ours_bin, tmpdir)
    return out


# ---------------------------------------------------------------- output

def fmt(v, spec):
    if v is None:
        return "-"
    if spec == ".3f" and 0 < abs(v) < 0.01:
        return format(v, ".2e")         # a tiny ratio should not print as 0.000
    return format(v, spec)


def report_expiry(ex, add):
    add("Active expiry: %d keys (%d-byte values), one `SET key:I v PXAT T` each, T shared;"
        % (ex["keys"], ex["value_size"]))
    add("  reclaim = T until DBSIZE is 0 (polled every %.0f ms); worst = longest PING round trip"
        % ex["poll_ms"])
    add("  of a probe looping on its own connection, over [T, reclaim end]; 'before T' = its")
    add("  worst in the second before T (the noise floor); CPU = server CPU from T to the end")
    head = "%-6s %-6s %7s %8s %10s %9s %8s %8s %11s %9s" % (
        "round", "server", "load s", "slack s", "reclaim s", "worst ms", "p99 ms", "pings",
        "before T ms", "CPU ms")
    add(head)
    add("-" * len(head))
    rows = sorted([r for who in ("ours", "redis") for r in ex["rounds"][who]],
                  key=lambda r: r["round"])
    for rnd in sorted({r["round"] for r in rows}):
        for who in ("ours", "redis"):
            for r in ex["rounds"][who]:
                if r["round"] != rnd:
                    continue
                p = r["probe"]
                reclaim = fmt(r["reclaim_s"], ".3f") if r["reclaim_s"] is not None else \
                    ">%.0f (%d left)" % (ex["timeout_s"], r["keys_left"])
                add("%-6d %-6s %7.2f %8.2f %10s %9s %8s %8d %11s %9.0f"
                    % (rnd, who, r["load_s"], r["slack_s"], reclaim, fmt(r["worst_ms"], ".2f"),
                       fmt(p["p99_ms"], ".3f"), p["pings"], fmt(p["before_worst_ms"], ".2f"),
                       r["server_cpu_ms"]))
    for who in ("ours", "redis"):
        add("%-6s %-6s %7s %8s %10s %9s" % ("median", who, "", "",
                                           fmt(ex[who]["reclaim_s_median"], ".3f"),
                                           fmt(ex[who]["worst_ms_median"], ".2f")))
    add("%-13s %7s %8s %10s %9s" % ("ours/redis", "", "", fmt(ex["reclaim_ratio"], ".3f"),
                                    fmt(ex["latency_ratio"], ".3f")))
    add("")


def report_list_memory(lm, add):
    add("List memory: %d elements RPUSHed into one list, %d per command, a fresh server each"
        % (lm["elements"], lm["per_command"]))
    head = "%-9s %-11s %17s %12s %8s" % ("values", "server", "used_mem B/elem", "RSS B/elem",
                                         "load s")
    add(head)
    add("-" * len(head))
    for label, v in lm["variants"].items():
        for who in ("ours", "redis"):
            m = v[who]
            add("%-9s %-11s %17s %12s %8.2f" % (label, who,
                                                fmt(m["used_memory_bytes_per_element"], ".2f"),
                                                fmt(m["rss_bytes_per_element"], ".2f"),
                                                m["load_s"]))
        add("%-9s %-11s %17s %12s" % (label, "ours/redis", fmt(v["used_memory_ratio"], ".3f"),
                                      fmt(v["rss_ratio"], ".3f")))
    add("")


def report_aof(a, add):
    fs = a["folder"]
    tp = a["throughput"]
    fsync = a["fsync"]
    add("AOF: every server gets a new --dir under %s (%s on %s, mounted at %s), both servers alike"
        % (fs["path"], fs["fstype"] or "?", fs["device"] or "?", fs["mount"] or "?"))
    add("  fdatasync after a 48-byte append there: median %.3f ms, p90 %.3f, p99 %.3f, max %.3f (%d samples)"
        % (fsync["median_ms"], fsync["p90_ms"], fsync["p99_ms"], fsync["max_ms"], fsync["samples"]))
    if tp:
        add("AOF throughput: redis-benchmark -t %s -c %d -n %d, a fresh server per run; medians over rounds"
            % (tp["test"], tp["clients"], tp["requests"]))
        add("  (off = --appendonly no; redis: --appendonly yes --aof-use-rdb-preamble no --save '')")
        head = "%-6s %-9s %4s  %28s  %11s  %10s  %9s  %9s" % (
            "server", "fsync", "-P", "rps [min..max]", "CPU us/req", "AOF B/req",
            "rps/off", "CPU/off")
        add(head)
        add("-" * len(head))
        for who in ("ours", "redis"):
            for depth in DEPTHS:
                for policy in tp["policies"]:
                    e = tp["servers"][who]["%s_P%d" % (policy, depth)]
                    rel = tp["relative"].get("%s_P%d" % (policy, depth))
                    add("%-6s %-9s %4d  %28s  %11s  %10s  %9s  %9s"
                        % (who, policy, depth,
                           "%10s [%7s..%7s]" % (fmt(e["rps_median"], ".0f"), fmt(e["rps_min"], ".0f"),
                                                fmt(e["rps_max"], ".0f")),
                           fmt(e["cpu_us_per_req_median"], ".3f"), fmt(e["aof_bytes_per_req"], ".1f"),
                           fmt(rel[who], ".3f") if rel else "base",
                           fmt(rel[who + "_cpu"], ".3f") if rel else "base"))
        add("  rps relative to its own AOF-off run, ours vs redis (target: ours >= redis's):")
        for policy in tp["policies"][1:]:
            for depth in DEPTHS:
                rel = tp["relative"]["%s_P%d" % (policy, depth)]
                add("    %-9s -P %-3d ours %s   redis %s   ours/redis %s   (per round: ours %s, redis %s)"
                    % (policy, depth, fmt(rel["ours"], ".3f"), fmt(rel["redis"], ".3f"),
                       fmt(rel["ours_over_redis"], ".3f"),
                       " ".join(fmt(x, ".2f") for x in rel["ours_per_round"]),
                       " ".join(fmt(x, ".2f") for x in rel["redis_per_round"])))
        add("")
    ld = a["load"]
    if ld:
        add("AOF load: %d commands (%s), %.1f MB of RESP, the same bytes for both servers"
            % (ld["commands"], ", ".join("%d %s" % (v, k) for k, v in ld["mix"].items()),
               ld["bytes"] / 1e6))
        add("  ours: DIR/%s; redis: DIR/%s" % (ld["ours_layout"], ld["redis_layout"]))
        add("  ready = process start to the first PONG (polled every 5 ms; -LOADING does not count);")
        add("  logged = the server's own 'DB loaded from append only file: X seconds'")
        head = "%-6s %-6s %9s %9s %10s %10s %9s" % ("round", "server", "ready s", "logged s",
                                                  "commands", "DBSIZE", "RSS MiB")
        add(head)
        add("-" * len(head))
        for rnd in range(1, 1 + max(len(ld["rounds"]["ours"]), len(ld["rounds"]["redis"]))):
            for who in ("ours", "redis"):
                for r in ld["rounds"][who]:
                    if r["round"] == rnd:
                        add("%-6d %-6s %9.3f %9s %10s %10d %9.1f"
                            % (rnd, who, r["ready_s"], fmt(r["logged_s"], ".3f"),
                               r["logged_commands"] if r["logged_commands"] is not None else "-",
                               r["dbsize"], r["rss_bytes"] / 1048576.0))
        for who in ("ours", "redis"):
            add("%-6s %-6s %9.3f %9s" % ("median", who, ld[who]["ready_s_median"],
                                         fmt(ld[who]["logged_s_median"], ".3f")))
        add("%-13s %9s %9s" % ("ours/redis", fmt(ld["ready_ratio"], ".3f"),
                               fmt(ld["logged_ratio"], ".3f")))
        add("")


def check_targets(stage, figures):
    out = []
    for since, key, label, op, limit in TARGETS:
        if stage < since or key not in figures:
            continue                    # not this stage's, or its part did not run
        value = figures[key]
        if value is None:
            status = "missed"
        else:
            status = "met" if (value <= limit if op == "<=" else value >= limit) else "missed"
        out.append({"key": key, "label": label, "value": value, "op": op, "limit": limit,
                    "status": status})
    return out


def report_threads(th, add):
    add("Threads: " + ", ".join("%s = %s" % (e["name"], " ".join([e["who"]] + e["extra"]))
                                for e in th["servers"]))
    names = [n for n, _, _ in THREAD_SERVERS]
    w = max([10] + [len(e["test"]) for e in th["tests"]])
    for what, key, spec, title in (("rps", "rps_median", ".0f", "requests per second, median"),
                                   ("cpu", "cpu_us_per_req_median", ".3f",
                                    "server CPU microseconds per request, median")):
        add("  %s" % title)
        head = "  %-*s %4s" % (w, "test", "-P") + "".join("%10s" % n for n in names) + \
            "".join("%10s" % ("%s/%s" % (a, b)) for _, a, b in THREAD_RATIOS)
        add(head)
        add("  " + "-" * (len(head) - 2))
        for depth in DEPTHS:
            for e in [e for e in th["tests"] if e["depth"] == depth]:
                add("  %-*s %4d" % (w, e["test"], depth)
                    + "".join("%10s" % fmt(e[n][key], spec) for n in names)
                    + "".join("%10s" % fmt(e["%s_%s_ratio" % (k, what)], ".3f")
                              for k, _, _ in THREAD_RATIOS))
            add("  %-*s %4d" % (w, "geomean", depth) + " " * (10 * len(names))
                + "".join("%10s" % fmt(th["geomean"]["%s_%s_ratio_P%d" % (k, what, depth)], ".3f")
                          for k, _, _ in THREAD_RATIOS))
        add("")


def report(res):
    cfg = res["config"]
    lines = []
    add = lines.append
    add("stage%d vs redis-server %s   (%d rounds, %d clients, %d requests per run, %d CPUs, load %s)"
        % (cfg["stage"], res["environment"]["redis_version"], cfg["rounds"], cfg["clients"],
           cfg["requests"], res["environment"]["cpus"],
           " ".join("%.2f" % x for x in (res["environment"]["loadavg_before"] or []))))
    add("")
    tp = res["throughput"]
    if tp:
        groups = list(tp.get("geomean_groups", {}).items())
        if len(groups) < 2:
            groups = []             # one group: the plain geomean says it all
        w = max([18] + [len(e["test"]) for e in tp["tests"]])     # the name column
        add("Throughput: requests per second, median over rounds (min..max in brackets)")
        fewer = sorted({(e["test"], e["requests"]) for e in tp["tests"]
                        if e["requests"] != cfg["requests"]})
        for name, n in fewer:
            add("  (%s: %d requests per run)" % (name, n))
        if any(e["t"] in CUSTOM_TESTS for e in tp["tests"]):
            add("  (LRANGE_N: `LRANGE %s 0 N-1` on a list of >= %d elements, without -t's LPUSH fill)"
                % (LIST_KEY, LRANGE_MIN_LEN))
        head = "%-*s %4s  %28s  %28s  %11s" % (w, "test", "-P", "ours", "redis", "ours/redis")
        add(head)
        add("-" * len(head))
        for depth in DEPTHS:
            for e in [e for e in tp["tests"] if e["depth"] == depth]:
                cells = []
                for who in ("ours", "redis"):
                    s = e[who]
                    cells.append("%10s [%7s..%7s]" % (fmt(s["rps_median"], ".0f"),
                                                       fmt(s["rps_min"], ".0f"),
                                                       fmt(s["rps_max"], ".0f")))
                add("%-*s %4d  %28s  %28s  %11s" % (w, e["test"], depth, cells[0], cells[1],
                                                    fmt(e["rps_ratio"], ".3f")))
            add("%-*s %4d  %28s  %28s  %11s" % (w, "geomean", depth, "", "",
                                                fmt(tp["geomean"]["P%d" % depth]["rps_ratio"], ".3f")))
            for group, g in groups:
                add("%-*s %4d  %28s  %28s  %11s" % (w, "geomean " + group, depth, "", "",
                                                    fmt(g["P%d" % depth]["rps_ratio"], ".3f")))
        add("")
        add("Server CPU time: microseconds per request, median over rounds (lower is better)")
        head = "%-*s %4s  %12s  %12s  %11s" % (w, "test", "-P", "ours", "redis", "ours/redis")
        add(head)
        add("-" * len(head))
        for depth in DEPTHS:
            for e in [e for e in tp["tests"] if e["depth"] == depth]:
                add("%-*s %4d  %12s  %12s  %11s"
                    % (w, e["test"], depth, fmt(e["ours"]["cpu_us_per_req_median"], ".3f"),
                       fmt(e["redis"]["cpu_us_per_req_median"], ".3f"), fmt(e["cpu_ratio"], ".3f")))
            add("%-*s %4d  %12s  %12s  %11s" % (w, "geomean", depth, "", "",
                                                fmt(tp["geomean"]["P%d" % depth]["cpu_ratio"], ".3f")))
            for group, g in groups:
                add("%-*s %4d  %12s  %12s  %11s" % (w, "geomean " + group, depth, "", "",
                                                    fmt(g["P%d" % depth]["cpu_ratio"], ".3f")))
        add("")
    mem = res["memory"]
    if mem is None:
        add("Memory: skipped (%s)" % res["memory_skipped"])
    else:
        add("Memory: ~%d SETs of random keys, %d-byte values (-r %d -P %d -c %d)"
            % (mem["requested_keys"], mem["value_size"], mem["key_range"],
               MEMORY_PIPELINE, MEMORY_CLIENTS))
        head = "%-8s %10s  %14s  %14s  %20s" % ("server", "keys", "RSS B/key", "used_mem B/key",
                                                "RSS before -> after")
        add(head)
        add("-" * len(head))
        for who in ("ours", "redis"):
            m = mem[who]
            add("%-8s %10d  %14s  %14s  %20s"
                % (who, m["keys"], fmt(m["rss_bytes_per_key"], ".1f"),
                   fmt(m["used_memory_bytes_per_key"], ".1f"),
                   "%.1f -> %.1f MiB" % (m["rss_before"] / 1048576.0, m["rss_after"] / 1048576.0)))
        if mem.get("used_memory_ratio") is not None:
            add("%-8s %10s  %14s  %14s" % ("ratio", "", fmt(mem["rss_ratio"], ".3f"),
                                           fmt(mem["used_memory_ratio"], ".3f")))
        else:
            add("%-8s %10s  %14s" % ("ratio", "", fmt(mem["rss_ratio"], ".3f")))
    add("")
    if res.get("expiry") is not None:
        report_expiry(res["expiry"], add)
    elif res.get("expiry_skipped"):
        add("Active expiry: skipped (%s)" % res["expiry_skipped"])
        add("")
    if res.get("list_memory") is not None:
        report_list_memory(res["list_memory"], add)
    elif res.get("list_memory_skipped"):
        add("List memory: skipped (%s)" % res["list_memory_skipped"])
        add("")
    if res.get("threads") is not None:
        report_threads(res["threads"], add)
    elif res.get("threads_skipped"):
        add("Threads: skipped (%s)" % res["threads_skipped"])
        add("")
    if res.get("aof") is not None:
        report_aof(res["aof"], add)
    elif res.get("aof_skipped"):
        add("AOF: skipped (%s)" % res["aof_skipped"])
        add("")
    s = res["summary"]
    add("summary")
    add("  rps ratio ours/redis, geomean      P1 %s   P16 %s"
        % (fmt(s["rps_ratio_P1"], ".3f"), fmt(s["rps_ratio_P16"], ".3f")))
    add("  CPU/request ours/redis, geomean    P1 %s   P16 %s"
        % (fmt(s["cpu_ratio_P1"], ".3f"), fmt(s["cpu_ratio_P16"], ".3f")))
    for group in s.get("groups", []):
        add("  %-34s P1 %s   P16 %s" % (group + " rps ratio, geomean",
                                         fmt(s["%s_rps_ratio_P1" % group], ".3f"),
                                         fmt(s["%s_rps_ratio_P16" % group], ".3f")))
        add("  %-34s P1 %s   P16 %s" % (group + " CPU/request, geomean",
                                         fmt(s["%s_cpu_ratio_P1" % group], ".3f"),
                                         fmt(s["%s_cpu_ratio_P16" % group], ".3f")))
    if s.get("used_memory_bytes_per_key_ratio") is not None:
        add("  bytes/key ours/redis (RSS)         %s   (used_memory) %s"
            % (fmt(s["rss_bytes_per_key_ratio"], ".3f"),
               fmt(s["used_memory_bytes_per_key_ratio"], ".3f")))
    else:
        add("  bytes/key ours/redis (RSS)         %s" % fmt(s["rss_bytes_per_key_ratio"], ".3f"))
    if "expiry_reclaim_ratio" in s:
        add("  active expiry, median reclaim s     ours %s   redis %s   ratio %s"
            % (fmt(s["expiry_reclaim_s_ours"], ".3f"), fmt(s["expiry_reclaim_s_redis"], ".3f"),
               fmt(s["expiry_reclaim_ratio"], ".3f")))
        add("  active expiry, median worst ms      ours %s   redis %s   ratio %s"
            % (fmt(s["expiry_worst_ms_ours"], ".2f"), fmt(s["expiry_worst_ms_redis"], ".2f"),
               fmt(s["expiry_latency_ratio"], ".3f")))
    for label, _ in LIST_MEMORY_VARIANTS:
        if "list_memory_ratio_%s" % label in s:
            add("  list B/element (used_memory) %-7s ours %s   redis %s   ratio %s   (RSS ratio %s)"
                % (label, fmt(s["list_bytes_per_element_ours_%s" % label], ".2f"),
                   fmt(s["list_bytes_per_element_redis_%s" % label], ".2f"),
                   fmt(s["list_memory_ratio_%s" % label], ".3f"),
                   fmt(s["list_memory_rss_ratio_%s" % label], ".3f")))
    if "aof_load_ratio" in s:
        for policy in AOF_POLICIES[1:]:
            add("  AOF %-8s rps/rps(off)          P1 ours %s redis %s   P16 ours %s redis %s"
                % (policy, fmt(s["aof_rel_ours_%s_P1" % policy], ".3f"),
                   fmt(s["aof_rel_redis_%s_P1" % policy], ".3f"),
                   fmt(s["aof_rel_ours_%s_P16" % policy], ".3f"),
                   fmt(s["aof_rel_redis_%s_P16" % policy], ".3f")))
        add("  %-34s ours %s   redis %s   ratio %s"
            % ("AOF load, ready s (median)",
               fmt(s["aof_load_ready_s_ours"], ".3f"), fmt(s["aof_load_ready_s_redis"], ".3f"),
               fmt(s["aof_load_ratio"], ".3f")))
        add("  %-34s ours %s   redis %s   ratio %s"
            % ("AOF load, logged s (median)", fmt(s["aof_load_logged_s_ours"], ".3f"),
               fmt(s["aof_load_logged_s_redis"], ".3f"), fmt(s["aof_load_logged_ratio"], ".3f")))
        add("  %-34s median %.3f ms   p99 %.3f ms   (%s, %s)"
            % ("fdatasync in the AOF folders", s["fdatasync_median_ms"], s["fdatasync_p99_ms"],
               s["aof_folder"]["path"], s["aof_folder"]["fstype"] or "?"))
    if s.get("targets"):
        add("  targets:")
        for t in s["targets"]:
            add("    %-8s %-58s %8s  (target %s %s)"
                % ("[" + t["status"] + "]", t["label"], fmt(t["value"], ".3f"), t["op"], t["limit"]))
    add("  command: %s" % res["command_line"])
    add("  json:    %s" % res["json_path"])
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def positive(text):
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def parse_args(argv):
    p = argparse.ArgumentParser(description="Benchmark a workshop stage against redis-server.")
    p.add_argument("--stage", type=int, default=None,
                   help="stage number (default: the highest stages/stageN)")
    p.add_argument("--build-dir", default="build", help="where stageN is built (default: build)")
    p.add_argument("--rounds", type=positive, default=3, help="rounds per server (default: 3)")
    p.add_argument("--requests", type=positive, default=100000,
                   help="requests per redis-benchmark run (default: 100000)")
    p.add_argument("--keys", type=positive, default=1000000,
                   help="SETs for the memory part (default: 1000000)")
    p.add_argument("--expire-keys", type=positive, default=1000000,
                   help="keys for the active expiry part, stage 3 on (default: 1000000)")
    p.add_argument("--list-elements", type=positive, default=1000000,
                   help="elements for the list memory part, stage 4 on (default: 1000000)")
    p.add_argument("--skip-throughput", action="store_true", help="skip the redis-benchmark part")
    p.add_argument("--skip-memory", action="store_true", help="skip the memory part")
    p.add_argument("--skip-expiry", action="store_true", help="skip the active expiry part")
    p.add_argument("--skip-list-memory", action="store_true", help="skip the list memory part")
    p.add_argument("--skip-threads", action="store_true",
                   help="skip the threads part (stage 6): part 1 runs instead")
    p.add_argument("--skip-aof", action="store_true",
                   help="skip the append-only file part (SET throughput with the AOF, load time)")
    p.add_argument("--aof-commands", type=positive, default=1000000,
                   help="commands in the AOF the load part replays, stage 5 on (default: 1000000)")
    p.add_argument("--tests", default=None,
                   help="comma-separated redis-benchmark -t names (default: the stage's)")
    return p.parse_args(argv)


def on_sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    # Interruptible even when started with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stage = args.stage if args.stage is not None else newest_stage()
    if stage >= 6:
        OURS_NO_AOF.extend(["--appendonly", "no"])
    profile = stage_profile(stage)
    tests = [t.strip() for t in args.tests.split(",") if t.strip()] if args.tests else profile["tests"]
    if not tests:
        raise BenchError("--tests is empty")
    build_dir = os.path.abspath(args.build_dir)
    ours_bin = os.path.join(build_dir, "stage%d" % stage)
    if not os.access(ours_bin, os.X_OK):
        raise BenchError("%s is missing: run `make stage%d` first" % (ours_bin, stage))
    for tool in ("redis-server", "redis-benchmark"):
        if shutil.which(tool) is None:
            raise BenchError("%s is not on PATH (make deps installs it)" % tool)
    json_path = os.path.join(build_dir, "bench-stage%d.json" % stage)
    command_line = " ".join(shlex.quote(a) for a in [sys.executable, os.path.relpath(__file__)] + argv)
    version = subprocess.run(["redis-server", "--version"], stdout=subprocess.PIPE).stdout.decode()
    m = re.search(r"v=(\S+)", version)

    res = {
        "command_line": command_line,
        "json_path": os.path.relpath(json_path),
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": {"stage": stage, "binary": ours_bin, "rounds": args.rounds,
                   "requests": args.requests, "keys": args.keys, "clients": profile["clients"],
                   "tests": tests, "depths": DEPTHS, "skip_memory": args.skip_memory,
                   "expire_keys": args.expire_keys, "list_elements": args.list_elements,
                   "skip_throughput": args.skip_throughput, "skip_expiry": args.skip_expiry,
                   "skip_list_memory": args.skip_list_memory, "skip_aof": args.skip_aof,
                   "aof_commands": args.aof_commands,
                   "requests_per_test": {t: test_requests(args, t) for t in tests}},
        "environment": {"redis_version": m.group(1) if m else version.strip(),
                        "cpus": os.cpu_count(), "loadavg_before": loadavg(),
                        "hostname": socket.gethostname()},
        "throughput": None,
        "memory": None,
        "memory_skipped": None,
        "expiry": None,
        "expiry_skipped": None,
        "list_memory": None,
        "list_memory_skipped": None,
        "aof": None,
        "aof_skipped": None,
        "threads": None,
        "threads_skipped": None,
    }
    print("bench: stage%d (%s) vs redis-server; tests %s at -P %s"
          % (stage, os.path.relpath(ours_bin), ",".join(tests), ",".join(map(str, DEPTHS))),
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-stage%d-" % stage) as tmpdir:
        by_threads = profile.get("threads") and not args.skip_threads
        if by_threads and not args.skip_throughput:
            res["threads"] = threads(args, ours_bin, tmpdir, tests, profile["clients"])
        elif not args.skip_throughput:
            res["throughput"] = throughput(args, ours_bin, tmpdir, tests, profile["clients"])
        if profile.get("threads") and not by_threads:
            res["threads_skipped"] = "--skip-threads"
        if args.skip_memory:
            res["memory_skipped"] = "--skip-memory"
        elif not profile["memory"]:
            res["memory_skipped"] = "stage %d has no SET/DBSIZE" % stage
        else:
            res["memory"] = memory(args, ours_bin, tmpdir, profile.get("info", False))
        if args.skip_expiry:
            res["expiry_skipped"] = "--skip-expiry"
        elif profile.get("expiry"):
            res["expiry"] = expiry(args, ours_bin, tmpdir, profile.get("info", False))
        if args.skip_list_memory:
            res["list_memory_skipped"] = "--skip-list-memory"
        elif profile.get("list_memory"):
            res["list_memory"] = list_memory(args, ours_bin, tmpdir)
        if args.skip_aof:
            res["aof_skipped"] = "--skip-aof"
        elif profile.get("aof"):
            res["aof"] = aof(args, ours_bin, tmpdir, profile["clients"])
    res["environment"]["loadavg_after"] = loadavg()
    res["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    tp = res["throughput"] or {}
    geo = tp.get("geomean", {})
    summary = {
        "rps_ratio_P1": geo.get("P1", {}).get("rps_ratio"),
        "rps_ratio_P16": geo.get("P16", {}).get("rps_ratio"),
        "cpu_ratio_P1": geo.get("P1", {}).get("cpu_ratio"),
        "cpu_ratio_P16": geo.get("P16", {}).get("cpu_ratio"),
        "rss_bytes_per_key_ratio": res["memory"]["rss_ratio"] if res["memory"] else None,
    }
    if res["memory"] and res["memory"].get("used_memory_ratio") is not None:
        summary["used_memory_bytes_per_key_ratio"] = res["memory"]["used_memory_ratio"]
    groups = tp.get("geomean_groups", {})
    if len(groups) > 1:
        summary["groups"] = list(groups)
        for group, g in groups.items():
            for depth in DEPTHS:
                for what in ("rps_ratio", "cpu_ratio"):
                    summary["%s_%s_P%d" % (group, what, depth)] = g["P%d" % depth][what]
    figures = {}                        # what the targets are checked against
    if "lists" in groups:
        for depth in DEPTHS:
            for what in ("rps_ratio", "cpu_ratio"):
                figures["lists_%s_P%d" % (what, depth)] = groups["lists"]["P%d" % depth][what]
    ex = res["expiry"]
    if ex:
        summary.update({
            "expiry_reclaim_s_ours": ex["ours"]["reclaim_s_median"],
            "expiry_reclaim_s_redis": ex["redis"]["reclaim_s_median"],
            "expiry_worst_ms_ours": ex["ours"]["worst_ms_median"],
            "expiry_worst_ms_redis": ex["redis"]["worst_ms_median"],
        })
        figures["expiry_reclaim_ratio"] = ex["reclaim_ratio"]
        figures["expiry_latency_ratio"] = ex["latency_ratio"]
    lm = res["list_memory"]
    if lm:
        for label, v in lm["variants"].items():
            summary["list_bytes_per_element_ours_%s" % label] = \
                v["ours"]["used_memory_bytes_per_element"]
            summary["list_bytes_per_element_redis_%s" % label] = \
                v["redis"]["used_memory_bytes_per_element"]
            figures["list_memory_ratio_%s" % label] = v["used_memory_ratio"]
            summary["list_memory_rss_ratio_%s" % label] = v["rss_ratio"]
    th = res["threads"]
    if th:
        summary["threads_geomean"] = th["geomean"]
        for key in ("t1_rps_ratio_P1", "t1_rps_ratio_P16", "t1_cpu_ratio_P1", "t1_cpu_ratio_P16",
                    "t2_rps_ratio_P16", "t2_cpu_ratio_P16"):
            figures[key] = th["geomean"][key]
    a = res["aof"]
    if a:
        for policy in AOF_POLICIES[1:]:
            for depth in DEPTHS:
                key = "%s_P%d" % (policy, depth)
                rel = a["throughput"]["relative"][key]
                summary["aof_rel_ours_" + key] = rel["ours"]
                summary["aof_rel_redis_" + key] = rel["redis"]
                figures["aof_%s_rel_P%d" % (policy, depth)] = rel["ours_over_redis"]
        for policy in AOF_POLICIES:
            for depth in DEPTHS:
                key = "%s_P%d" % (policy, depth)
                for who in ("ours", "redis"):
                    e = a["throughput"]["servers"][who][key]
                    summary["aof_rps_%s_%s" % (who, key)] = e["rps_median"]
                    summary["aof_cpu_us_per_req_%s_%s" % (who, key)] = e["cpu_us_per_req_median"]
        ld = a["load"]
        summary.update({
            "aof_load_commands": ld["commands"],
            "aof_load_ready_s_ours": ld["ours"]["ready_s_median"],
            "aof_load_ready_s_redis": ld["redis"]["ready_s_median"],
            "aof_load_logged_s_ours": ld["ours"]["logged_s_median"],
            "aof_load_logged_s_redis": ld["redis"]["logged_s_median"],
            "aof_load_logged_ratio": ld["logged_ratio"],
            "fdatasync_median_ms": a["fsync"]["median_ms"],
            "fdatasync_p99_ms": a["fsync"]["p99_ms"],
            "aof_folder": a["folder"],
        })
        figures["aof_load_ratio"] = ld["ready_ratio"]
    summary.update(figures)
    summary["targets"] = check_targets(stage, figures)
    summary["command_line"] = command_line
    res["summary"] = summary
    print(report(res))
    os.makedirs(build_dir, exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print("\nbench: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nbench: interrupted; servers stopped", file=sys.stderr)
        sys.exit(130)
