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
   memory for Redis (our server has no INFO yet).

It prints tables and a summary, and writes the same results as JSON to
BUILD/bench-stageN.json. Every server it starts is stopped by its PID
(SIGTERM, then wait), also when it fails or is interrupted.

Standard library only; needs redis-server and redis-benchmark on PATH.
"""

import argparse
import csv
import datetime
import glob
import io
import json
import math
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
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# What each stage can be benchmarked with. A stage not listed uses the entry
# of the highest listed stage below it, so add a line when a stage brings new
# commands (stage 3 might add "lpush", "rpush", "lpop", "rpop", ...).
#   tests:   redis-benchmark -t names, one run each
#   clients: redis-benchmark -c (stage 0 serves one client at a time)
#   memory:  the stage has SET and DBSIZE, so the memory part can run
STAGE_TESTS = {
    0: {"tests": ["ping_inline", "ping_mbulk"], "clients": 1, "memory": False},
    1: {"tests": ["ping_inline", "ping_mbulk"], "clients": 50, "memory": False},
    2: {"tests": ["set", "get", "incr", "mset"], "clients": 50, "memory": True},
}

DEPTHS = [1, 16]            # redis-benchmark -P
MEMORY_CLIENTS = 50
MEMORY_PIPELINE = 16
MEMORY_VALUE_SIZE = 10
MEMORY_KEY_RANGE = 100000000
AVOID_PORTS = {6379}


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


def command(port, *args, timeout=10.0):
    """Send one command on a new connection and return its reply."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"".join(parts))
        with s.makefile("rb") as f:
            return resp_read(f)


# ---------------------------------------------------------------- servers

class Server:
    def __init__(self, name, argv, port, logpath):
        self.name = name
        self.argv = argv
        self.port = port
        self.logpath = logpath
        self.proc = None

    def start(self, timeout=10.0):
        log = open(self.logpath, "ab")
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
                    return
            except (OSError, BenchError):
                pass
            if time.monotonic() > deadline:
                raise BenchError("%s did not answer PING on port %d within %.0fs; log:\n%s"
                                 % (self.name, self.port, timeout, self.log_tail()))
            time.sleep(0.05)

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


def make_servers(ours_bin, tmpdir, tag):
    taken = set()
    ours_port = free_port(taken)
    redis_port = free_port(taken)
    ours = Server("ours", [ours_bin, "--port", str(ours_port), "--bind", "127.0.0.1"],
                  ours_port, os.path.join(tmpdir, "ours-%s.log" % tag))
    redis_dir = os.path.join(tmpdir, "redis-%s" % tag)
    os.makedirs(redis_dir, exist_ok=True)
    redis = Server("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", redis_dir],
                   redis_port, os.path.join(tmpdir, "redis-%s.log" % tag))
    return ours, redis


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

def throughput(args, ours_bin, tmpdir, tests, clients):
    """Runs per (test, depth, server): lists of {rps, cpu_us_per_req} over rounds."""
    ours, redis = make_servers(ours_bin, tmpdir, "throughput")
    servers = {"ours": ours, "redis": redis}
    runs = []           # every run, for the JSON
    names = {}          # -t name -> names in the CSV
    results = {}        # (csv name, depth) -> {"ours": [...], "redis": [...]}
    order_keys = []
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
                        tail = ["-c", str(clients), "-n", str(args.requests), "-q", "--csv",
                                "-t", test, "-P", str(depth)]
                        r = run_benchmark(server, tail, args.requests)
                        if not r["rows"]:
                            raise BenchError("no results from %s against %s:\n%s%s"
                                             % (" ".join(r["argv"]), who, r["stdout"], r["stderr"]))
                        names.setdefault(test, [n for n, _ in r["rows"]])
                        # One -t name normally gives one row; if it gives
                        # several, the run's CPU is shared out evenly.
                        per_req_us = r["cpu_ns"] / 1000.0 / (args.requests * len(r["rows"]))
                        for name, rps in r["rows"]:
                            key = (name, depth)
                            if key not in results:
                                results[key] = {"ours": [], "redis": []}
                                order_keys.append(key)
                            results[key][who].append({"rps": rps, "cpu_us_per_req": per_req_us})
                        runs.append({"round": rnd + 1, "depth": depth, "test": test, "server": who,
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
    return {"tests": table, "geomean": geo, "runs": runs}


def memory(args, ours_bin, tmpdir):
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
            used0 = info_used_memory(server.port) if server.name == "redis" else None
            tail = ["-t", "set", "-r", str(MEMORY_KEY_RANGE), "-n", str(args.keys),
                    "-d", str(MEMORY_VALUE_SIZE), "-P", str(MEMORY_PIPELINE),
                    "-c", str(MEMORY_CLIENTS), "-q", "--csv"]
            r = run_benchmark(server, tail, args.keys)
            keys = command(server.port, "DBSIZE")
            time.sleep(0.2)
            rss1 = server.rss_bytes()
            used1 = info_used_memory(server.port) if server.name == "redis" else None
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
    return out


def info_used_memory(port):
    text = command(port, "INFO", "memory")
    text = text.decode() if isinstance(text, bytes) else str(text)
    m = re.search(r"^used_memory:(\d+)", text, re.M)
    if not m:
        raise BenchError("no used_memory in INFO memory")
    return int(m.group(1))


# ---------------------------------------------------------------- output

def fmt(v, spec):
    if v is None:
        return "-"
    if spec == ".3f" and 0 < abs(v) < 0.01:
        return format(v, ".2e")         # a tiny ratio should not print as 0.000
    return format(v, spec)


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
        add("Throughput: requests per second, median over rounds (min..max in brackets)")
        head = "%-18s %4s  %28s  %28s  %11s" % ("test", "-P", "ours", "redis", "ours/redis")
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
                add("%-18s %4d  %28s  %28s  %11s" % (e["test"], depth, cells[0], cells[1],
                                                    fmt(e["rps_ratio"], ".3f")))
            add("%-18s %4d  %28s  %28s  %11s" % ("geomean", depth, "", "",
                                                fmt(tp["geomean"]["P%d" % depth]["rps_ratio"], ".3f")))
        add("")
        add("Server CPU time: microseconds per request, median over rounds (lower is better)")
        head = "%-18s %4s  %12s  %12s  %11s" % ("test", "-P", "ours", "redis", "ours/redis")
        add(head)
        add("-" * len(head))
        for depth in DEPTHS:
            for e in [e for e in tp["tests"] if e["depth"] == depth]:
                add("%-18s %4d  %12s  %12s  %11s"
                    % (e["test"], depth, fmt(e["ours"]["cpu_us_per_req_median"], ".3f"),
                       fmt(e["redis"]["cpu_us_per_req_median"], ".3f"), fmt(e["cpu_ratio"], ".3f")))
            add("%-18s %4d  %12s  %12s  %11s" % ("geomean", depth, "", "",
                                                fmt(tp["geomean"]["P%d" % depth]["cpu_ratio"], ".3f")))
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
        add("%-8s %10s  %14s" % ("ratio", "", fmt(mem["rss_ratio"], ".3f")))
    add("")
    s = res["summary"]
    add("summary")
    add("  rps ratio ours/redis, geomean      P1 %s   P16 %s"
        % (fmt(s["rps_ratio_P1"], ".3f"), fmt(s["rps_ratio_P16"], ".3f")))
    add("  CPU/request ours/redis, geomean    P1 %s   P16 %s"
        % (fmt(s["cpu_ratio_P1"], ".3f"), fmt(s["cpu_ratio_P16"], ".3f")))
    add("  bytes/key ours/redis (RSS)         %s" % fmt(s["rss_bytes_per_key_ratio"], ".3f"))
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
    p.add_argument("--skip-memory", action="store_true", help="skip the memory part")
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
                   "tests": tests, "depths": DEPTHS, "skip_memory": args.skip_memory},
        "environment": {"redis_version": m.group(1) if m else version.strip(),
                        "cpus": os.cpu_count(), "loadavg_before": loadavg(),
                        "hostname": socket.gethostname()},
        "throughput": None,
        "memory": None,
        "memory_skipped": None,
    }
    print("bench: stage%d (%s) vs redis-server; tests %s at -P %s"
          % (stage, os.path.relpath(ours_bin), ",".join(tests), ",".join(map(str, DEPTHS))),
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-stage%d-" % stage) as tmpdir:
        res["throughput"] = throughput(args, ours_bin, tmpdir, tests, profile["clients"])
        if args.skip_memory:
            res["memory_skipped"] = "--skip-memory"
        elif not profile["memory"]:
            res["memory_skipped"] = "stage %d has no SET/DBSIZE" % stage
        else:
            res["memory"] = memory(args, ours_bin, tmpdir)
    res["environment"]["loadavg_after"] = loadavg()
    res["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    geo = res["throughput"]["geomean"]
    res["summary"] = {
        "rps_ratio_P1": geo.get("P1", {}).get("rps_ratio"),
        "rps_ratio_P16": geo.get("P16", {}).get("rps_ratio"),
        "cpu_ratio_P1": geo.get("P1", {}).get("cpu_ratio"),
        "cpu_ratio_P16": geo.get("P16", {}).get("cpu_ratio"),
        "rss_bytes_per_key_ratio": res["memory"]["rss_ratio"] if res["memory"] else None,
        "command_line": command_line,
    }
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
