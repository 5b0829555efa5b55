"""Instructions per request of a server binary, counted by callgrind.

CPU time on a shared 2-core machine drifts by several per cent from run
to run; an instruction count does not: valgrind's callgrind counts the
same total for the same binary and the same requests, whatever else the
machine is doing. So this is how a change is checked for a cost on the hot
path (a refactor must not add one):

    /usr/bin/python3 tests/bench/instructions.py build/stage6 old/stage6

For each binary it runs the server under callgrind (`--threads 1` when the
binary knows it, the append-only file off), sends nothing, then the same
redis-benchmark run twice (one client, so every run sends the same
requests in the same batches), and reports
(instructions of the run - instructions of the empty run) / requests.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

TESTS = "set,get,incr,lpush,lpop,lrange_100"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("the server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not answer within %.0f s" % timeout)


def server_args(binary):
    """--threads 1 and --appendonly no where the stage knows them."""
    help_text = subprocess.run([binary, "--help"], capture_output=True,
                               text=True).stdout
    args = []
    if "--threads" in help_text:
        args += ["--threads", "1"]
    if "--appendonly" in help_text:
        args += ["--appendonly", "no"]
    return args


def count(binary, requests, pipeline):
    """Total instructions of one server life with `requests` per test."""
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "callgrind.out")
        port = free_port()
        proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
             os.path.abspath(binary), "--port", str(port)] +
            server_args(binary),
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_ready(port, proc)
            if requests:
                subprocess.run(
                    ["redis-benchmark", "-p", str(port), "-c", "1",
                     "-n", str(requests), "-P", str(pipeline), "-t", TESTS,
                     "-q"], check=True, stdout=subprocess.DEVNULL)
        finally:
            proc.terminate()
            proc.wait(timeout=120)
        with open(out) as f:
            text = f.read()
    total = re.search(r"^summary: (\d+)", text, re.M)
    return int(total.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--requests", type=int, default=20000,
                        help="requests per redis-benchmark test (20000)")
    args = parser.parse_args()
    tests = len(TESTS.split(","))
    print("instructions per request (callgrind), %d requests x %d tests, "
          "one client" % (args.requests, tests))
    print("%-28s %12s %12s" % ("binary", "-P 1", "-P 16"))
    for binary in args.binaries:
        row = []
        for pipeline in (1, 16):
            base = count(binary, 0, pipeline)
            busy = count(binary, args.requests, pipeline)
            row.append((busy - base) / (args.requests * tests))
        print("%-28s %12.0f %12.0f" % (binary, row[0], row[1]))


if __name__ == "__main__":
    main()
