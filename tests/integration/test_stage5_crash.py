"""Stage 5: crashes, the append-only file's format, damaged files, interop.

A server killed with SIGKILL runs no shutdown code: only what it had already
written to its file survives. With --appendfsync always, a write is in the
file before its reply leaves, so every acknowledged write survives; with
everysec at most about a second of them may be lost. These two run against
Redis too, and so do two that tell what a SIGKILL cannot (what reached the
disk) from the server's system calls, read with strace: with always, each
reply is written after an fsync of the file that follows its record's
write; with everysec, the record is written before the reply, and fsynced
within seconds.

The rest is about our file, DIR/appendonly.aof (marked project_only: Redis 7
keeps a directory of files instead):
- it is a sequence of RESP arrays of bulk strings, one per write that changed
  the dataset, in execution order; a relative expiry is logged as an absolute
  one (SET k v EX 100 as SET k v PXAT <unix ms>, EXPIRE as PEXPIREAT), and a
  key that expired, or got a non-positive EXPIRE, as DEL k;
- BGREWRITEAOF replaces it with the dataset's shortest form;
- a file whose last command was cut short (a crash mid-write) is truncated
  back to its last complete command and loaded, with a warning naming how
  many bytes were dropped; damage before the end stops the start with an
  error naming the byte offset, and the file is left as it was;
- build/aof-check FILE [--fix] checks a file like redis-check-aof, and with
  --fix truncates a damaged tail;
- Redis 7 loads our file (it migrates a lone DIR/appendonly.aof into its
  appendonlydir/), and our server loads the command files Redis writes
  (--aof-use-rdb-preamble no), which start with SELECT 0.

The wrong servers these tests catch, step by step:
  5b  one that writes a file with --appendonly no; records that are not
      RESP arrays of bulk strings, out of order, or missing a write; reads
      (GET, LRANGE) in the file; writes that changed nothing in it (SET NX
      on an existing key, SET XX on a missing one, DEL, LPOP, EXPIRE or
      LREM of a missing key, PERSIST of a key without a TTL); a replay
      that refuses Redis's own command files (SELECT 0, RPUSH in chunks
      of 64, PXAT, PEXPIREAT);
  5c  SET ... EX, PX or EXAT logged without PXAT <absolute ms>; EXPIRE,
      PEXPIRE or EXPIREAT not logged as PEXPIREAT <absolute ms>; a key
      found expired, or given EXPIRE 0, PEXPIRE -5 or EXPIREAT 1, not
      logged as DEL k; a file that redis-server loads into other data;
  5d  replies sent before the turn's records are written, so that a
      SIGKILL loses acknowledged writes with always (20 rounds), or more
      than about a second of them with everysec; a write logged or
      replayed twice; with always, a reply sent before the file is
      fsynced after the write, or no fsync at all; with everysec, a reply
      sent before its record is written, or no fsync within 3 seconds
      (these two read the server's system calls with strace, and are
      skipped without it);
  5e  one that refuses a file whose last command was cut at any byte,
      applies the cut command, does not log how many bytes it dropped,
      leaves them in the file or appends after them; one that starts on
      a file damaged in the middle (a bad '*', count, '$' or length, or
      "RPUSHxx" where RPUSH\r\n should be), does not name the offset, or
      truncates the file;
  5f  an aof-check that is missing, refuses a valid file, accepts a torn
      one, writes without --fix, cuts at the wrong offset, or accepts
      damage in the middle;
  5g  a rewrite that does not compact (1,000 SETs of one key stay 1,000),
      keeps an old value or drops a TTL, or whose file does not replay.
"""

import random
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis

from helpers import (AckedWriter, AofError, RawConnection, RestartableServer,
                     aof_commands, aof_on, aof_records, command, sleep_until,
                     surviving_writes, wait_rewrite_done)

pytestmark = pytest.mark.stage(5)

CHAPTER = 5
SEED = 5                        # the crash tests' random delays
REDIS = shutil.which("redis-server")
REDIS_AOF_CMD = ("redis-server --port {port} --dir {dir} --save '' "
                 "--appendonly yes --aof-use-rdb-preamble no")
# Redis's log line prefix: "PID:ROLE DD Mon YYYY HH:MM:SS.mmm LEVEL ".
LOG_PREFIX = re.compile(r"^\d+:[XCSM] \d{2} [A-Z][a-z]{2} \d{4} "
                        r"\d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] ")

needs_redis = pytest.mark.skipif(REDIS is None,
                                 reason="redis-server is not installed")


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def earlier(what):
    """The message of a check on an earlier stage's behaviour a test needs."""
    return why("Before looking at the file: %s." % what,
               "this is the behaviour of an earlier stage; run the tests of "
               "stages 2-4 first (--stage 5 runs them all)")


def free_port():
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 6379:
            return port


def numbers_in(text):
    """The integers a log names, leaving out the log line prefix (PID,
    time) and paths (a temporary directory's name may hold digits)."""
    found = []
    for line in text.splitlines():
        line = LOG_PREFIX.sub("", line)
        words = [w for w in line.split() if "/" not in w]
        found.append((line, [int(n) for n in
                             re.findall(r"(?<![\w.])\d+(?!\w|\.\d)",
                                        " ".join(words))]))
    return found


def aof_file(server):
    """Our server's file: <its working directory>/appendonly.aof."""
    return server.dir / "appendonly.aof"


@pytest.fixture
def ours(server_factory, suite):
    """ours(fsync, *extra): our server with the AOF on, restartable."""
    def _start(fsync="always", *extra, dir=None):
        return RestartableServer(server_factory,
                                 *(aof_on(suite.own_binary, fsync)
                                   + list(extra)), dir=dir)
    return _start


def retire(factory, *servers):
    """Forget servers a passing crash round is done with, so a later failure
    shows only its own round's logs."""
    for server in servers:
        server.stop()
        server.check_stopped_cleanly()
        if server in factory.servers:
            factory.servers.remove(server)


# ---------------------------------------------------------------------------
# SIGKILL (both servers)
# ---------------------------------------------------------------------------

def crash_round(factory, suite, fsync, delay):
    """Start, write from a thread, SIGKILL after `delay` s of writing,
    restart. Returns (writer, kill time, writes the restarted server holds).
    """
    server = RestartableServer(factory, *aof_on(suite.own_binary, fsync))
    first = server.process
    writer = AckedWriter(first.host, first.port)
    writer.start()
    deadline = time.monotonic() + 10
    while not writer.acked and writer.is_alive() and (
            time.monotonic() < deadline):
        time.sleep(0.001)
    assert writer.acked, why(
        "No write was acknowledged within 10 s of connecting (%s)."
        % (writer.error or "no reply"),
        "a server with --appendonly yes --appendfsync %s must serve SET, "
        "INCR and RPUSH" % fsync)
    sleep_until(writer.acked[0] + delay)
    killed_at = time.monotonic()
    server.stop("kill")
    writer.join(10)
    assert writer.error is None, why(
        "A write got an unexpected reply: %s" % writer.error,
        "SET, INCR and RPUSH work as before")
    client = server.start()
    held = surviving_writes(client, len(writer.acked) // 3 + 2)
    retire(factory, first, server.process)
    return writer, killed_at, held


@pytest.mark.step("5d")
def test_sigkill_with_appendfsync_always_loses_no_acknowledged_write(
        server_factory, suite):
    rng = random.Random(SEED)
    for round_ in range(20):
        delay = rng.uniform(0.05, 0.3)
        writer, _, held = crash_round(server_factory, suite, "always", delay)
        acked = len(writer.acked)
        most = acked + (1 if writer.in_flight else 0)
        assert held >= acked, why(
            "Round %d (seed %d, SIGKILL %.0f ms into the writes): %d writes "
            "were acknowledged (SET key:i i, INCR counter, RPUSH list i in "
            "turn), the restarted server holds only the first %d."
            % (round_, SEED, delay * 1000, acked, held),
            "with appendfsync always, write() (and fsync()) the commands of "
            "this event-loop turn to the file BEFORE sending their replies "
            "(in beforeSleep, ahead of the client writes)")
        assert held <= most, why(
            "Round %d: %d writes were acknowledged%s, yet the restarted "
            "server holds %d." % (round_, acked,
                                  " and one was in flight" if
                                  writer.in_flight else "", held),
            "log each write once; replay each record once")


@pytest.mark.step("5d")
def test_sigkill_with_appendfsync_everysec_loses_at_most_a_second(
        server_factory, suite):
    rng = random.Random(SEED)
    for round_ in range(2):
        delay = rng.uniform(1.6, 2.2)
        writer, killed_at, held = crash_round(server_factory, suite,
                                              "everysec", delay)
        acked = len(writer.acked)
        assert held <= acked + (1 if writer.in_flight else 0), why(
            "Round %d: %d writes acknowledged, %d restored." % (
                round_, acked, held),
            "log each write once")
        if held < acked:
            lost_since = killed_at - writer.acked[held]
            assert lost_since <= 1.5, why(
                "Round %d (seed %d): SIGKILL %.2f s into the writes lost %d "
                "of %d acknowledged writes, the first of them acknowledged "
                "%.2f s before the kill; everysec may lose about one second."
                % (round_, SEED, delay, acked - held, acked, lost_since),
                "append each turn's writes to the file (write()) in "
                "beforeSleep whatever the policy; everysec only delays the "
                "fsync(), to at most once a second")


# ---------------------------------------------------------------------------
# fsync, seen in the server's system calls (both servers; needs strace)
# ---------------------------------------------------------------------------
#
# A SIGKILL cannot tell a record that reached the disk from one still in the
# kernel's page cache: only a power cut can. So these tests watch the
# server's system calls with `strace -f -y -p PID` (every thread, each file
# descriptor shown with its path) and read the order of the calls: a write()
# to the *.aof file, an fsync() or fdatasync() of it, and the write() of
# the reply "+OK\r\n" to the client's socket.

STRACE = shutil.which("strace")
TRACED = ("write", "writev", "pwrite64", "pwritev", "sendto", "sendmsg",
          "fsync", "fdatasync")
# "PID  name(args" of a call strace shows whole or as "<unfinished ...>",
# and "PID  <... name resumed>" of one that finished on a later line.
CALL = re.compile(r"^\d+\s+(\w+)\((.*)$")
RESUMED = re.compile(r"^\d+\s+<\.\.\. (\w+) resumed>")
AOF_FD = re.compile(r"^\d+<[^>]*\.aof>")
REPLY = '"+OK\\r\\n"'


class Syscalls:
    """strace attached to every thread of a running server, as a context
    manager: `with Syscalls(pid, path) as trace:` ... `trace.events()`.
    Skips the test when strace is missing or may not attach (ptrace)."""

    def __init__(self, pid, path):
        self.pid, self.path = pid, path
        self.proc = None

    def __enter__(self):
        if STRACE is None:
            pytest.skip("strace is not installed")
        self.proc = subprocess.Popen(
            [STRACE, "-f", "-y", "-s", "32", "-o", str(self.path), "-e",
             "trace=" + ",".join(TRACED), "-p", str(self.pid)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        # strace says "Process N attached" once every thread is traced.
        line = self.proc.stderr.readline().decode(errors="replace")
        if "attached" not in line:
            self.proc.kill()
            self.proc.wait()
            pytest.skip("strace could not attach to the server: %s"
                        % line.strip())
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)     # detach, then exit
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def events(self):
        """The calls in the order strace saw them: ("aof-write", line) when
        a write to a *.aof file starts, ("aof-synced", line) when an fsync
        or fdatasync of one has returned, ("reply", line) when the write of
        a "+OK\r\n" starts."""
        found = []
        try:
            text = self.path.read_text(errors="replace")
        except OSError:
            return found
        for line in text.splitlines():
            resumed = RESUMED.match(line)
            if resumed:
                if resumed.group(1) in ("fsync", "fdatasync") and (
                        line.rstrip().endswith("= 0")):
                    found.append(("aof-synced", line))
                continue
            call = CALL.match(line)
            if not call:
                continue
            name, args = call.groups()
            if name in ("fsync", "fdatasync"):
                if AOF_FD.match(args) and line.rstrip().endswith("= 0"):
                    found.append(("aof-synced", line))
            elif AOF_FD.match(args):
                found.append(("aof-write", line))
            elif REPLY in args:
                found.append(("reply", line))
        return found


def shown_calls(events, limit=30):
    return "\n".join("    " + line for _, line in events[-limit:]) or (
        "    (none)")


@pytest.mark.step("5d")
def test_appendfsync_always_syncs_each_record_before_its_reply(
        server_factory, suite, tmp_path):
    server = RestartableServer(server_factory,
                               *aof_on(suite.own_binary, "always"))
    conn = RawConnection(server.process.host, server.process.port)
    try:
        with Syscalls(server.process.pid, tmp_path / "strace.txt") as trace:
            for i in range(10):
                conn.send(command("SET", "k%d" % i, "v%d" % i))
                assert conn.read_exactly(5) == b"+OK\r\n", earlier(
                    "SET k%d v%d did not reply +OK" % (i, i))
            time.sleep(0.1)
    finally:
        conn.close()
    events = trace.events()
    replies = [at for at, (kind, _) in enumerate(events) if kind == "reply"]
    assert len(replies) == 10, why(
        "strace saw %d writes of +OK\\r\\n to the client for 10 SETs; the "
        "calls it saw:\n%s" % (len(replies), shown_calls(events)),
        "this test reads the server's system calls: it expects each reply "
        "written with write(), writev(), send() or sendmsg()")
    since = 0
    for n, at in enumerate(replies):
        kinds = [kind for kind, _ in events[since:at]]
        wrote = "aof-write" in kinds
        synced = wrote and "aof-synced" in kinds[kinds.index("aof-write"):]
        assert synced, why(
            "With appendfsync always, the reply to SET k%d v%d went out %s. "
            "The calls before it:\n%s"
            % (n, n, "before its record was written to the file"
               if not wrote else "before an fsync of the file after the "
               "write", shown_calls(events[:at + 1], 8)),
            "in the loop's before-sleep hook: write() the turn's records, "
            "fdatasync() the file, and only then write the replies; a reply "
            "promises the write is on the disk, and only an fsync puts it "
            "there")
        since = at + 1


@pytest.mark.step("5d")
def test_appendfsync_everysec_writes_before_the_reply_and_syncs_within_seconds(
        server_factory, suite, tmp_path):
    server = RestartableServer(server_factory,
                               *aof_on(suite.own_binary, "everysec"))
    conn = RawConnection(server.process.host, server.process.port)
    try:
        with Syscalls(server.process.pid, tmp_path / "strace.txt") as trace:
            conn.send(command("SET", "k", "v"))
            assert conn.read_exactly(5) == b"+OK\r\n", earlier(
                "SET k v did not reply +OK")
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline:
                kinds = [kind for kind, _ in trace.events()]
                if "reply" in kinds and "aof-synced" in kinds[
                        kinds.index("reply"):]:
                    break
                time.sleep(0.1)
    finally:
        conn.close()
    events = trace.events()
    kinds = [kind for kind, _ in events]
    assert "reply" in kinds, why(
        "strace saw no write of +OK\\r\\n to the client; the calls it "
        "saw:\n%s" % shown_calls(events),
        "this test reads the server's system calls: it expects the reply "
        "written with write(), writev(), send() or sendmsg()")
    reply = kinds.index("reply")
    assert "aof-write" in kinds[:reply], why(
        "With appendfsync everysec, the reply to SET k v went out before "
        "its record was written to the file. The calls:\n%s"
        % shown_calls(events),
        "write() every record of the loop's turn before any of its "
        "replies, whatever the policy: everysec delays the fsync, never "
        "the write (a crash of the process alone must lose nothing that "
        "was acknowledged)")
    assert "aof-synced" in kinds[reply:], why(
        "With appendfsync everysec, no fsync or fdatasync of the file "
        "followed the write of SET k v within 3 seconds. The calls:\n%s"
        % shown_calls(events),
        "once a second, when something was written since the last one, "
        "fsync the file (from a thread, so that the loop never waits for "
        "the disk)")


# ---------------------------------------------------------------------------
# The file's format (ours only)
# ---------------------------------------------------------------------------

def commands_after(server, stop=True):
    """Stop the server (SIGTERM) and return the commands of its file."""
    if stop:
        server.stop()
    path = aof_file(server)
    assert path.is_file(), why(
        "No %s after writes with --appendonly yes; the directory holds %r."
        % (path.name, sorted(p.name for p in server.dir.iterdir())),
        "create <dir>/<appendfilename> (default ./appendonly.aof) when the "
        "AOF is turned on")
    data = path.read_bytes()
    try:
        return aof_commands(data)
    except AofError as exc:
        raise AssertionError(why(
            "%s is not a sequence of RESP commands: %s. Its start: %r"
            % (path.name, exc, data[:200]),
            "log each write as its argv in RESP: *<argc>\\r\\n then "
            "$<len>\\r\\n<arg>\\r\\n per argument")) from None


@pytest.mark.step("5b")
@pytest.mark.project_only
def test_without_appendonly_no_file_is_written(server_factory):
    server = RestartableServer(server_factory)
    server.client().set("k", "v")
    server.stop()
    assert not aof_file(server).exists(), why(
        "Started without --appendonly (default no), the server wrote %s."
        % aof_file(server), "appendonly defaults to no in stage 5")


@pytest.mark.step("5b")
@pytest.mark.project_only
def test_the_file_holds_each_write_as_resp_in_order(ours):
    server = ours()
    c = server.client()
    c.set("a", "1")
    c.rpush("L", "x", b"y\r\nz")
    c.incr("n")
    c.get("a")
    c.lrange("L", 0, -1)
    c.delete("a")
    c.mset({"m": "1"})
    # Redis logs INCR as received; INCRBY n 1 means the same.
    got = [[b"INCR", b"n"] if cmd == [b"INCRBY", b"n", b"1"] else cmd
           for cmd in commands_after(server)]
    expected = [[b"SET", b"a", b"1"], [b"RPUSH", b"L", b"x", b"y\r\nz"],
                [b"INCR", b"n"], [b"DEL", b"a"], [b"MSET", b"m", b"1"]]
    assert got == expected, why(
        "The file's commands (SELECT left out, names upper-cased) are\n  "
        "%r\n  expected\n  %r" % (got, expected),
        "append each write's argv as received, after it ran and changed "
        "the dataset; reads (GET, LRANGE) are not logged")


@pytest.mark.step("5b")
@pytest.mark.project_only
def test_writes_that_change_nothing_are_not_logged(ours):
    server = ours()
    c = server.client()
    c.set("a", "1")
    c.set("a", "2", nx=True)           # a exists: nothing set
    c.set("missing", "2", xx=True)     # missing: nothing set
    c.delete("missing")
    c.lpop("missing")
    c.expire("missing", 100)
    c.persist("a")                      # no TTL to remove
    c.lrem("absent", 0, "x")
    got = commands_after(server)
    assert got == [[b"SET", b"a", b"1"]], why(
        "Only SET a 1 changed the dataset, but the file holds %r." % got,
        "log a write only when it changed something (Redis counts the "
        "changes a command made, its 'dirty' count, and propagates only "
        "then)")


@pytest.mark.step("5c")
@pytest.mark.project_only
@pytest.mark.parametrize("option, value, ms", [
    ("EX", "100", 100000), ("PX", "100000", 100000), ("EXAT", None, None)],
    ids=["EX", "PX", "EXAT"])
def test_set_with_an_expiry_is_logged_with_an_absolute_pxat(ours, option,
                                                            value, ms):
    server = ours()
    c = server.client()
    t0 = int(time.time() * 1000)
    if option == "EXAT":
        value = str(t0 // 1000 + 100)
        low = high = int(value) * 1000
    c.execute_command("SET", "k", "v", option, value)
    t1 = int(time.time() * 1000)
    if ms is not None:
        low, high = t0 + ms, t1 + ms
    got = [cmd for cmd in commands_after(server) if cmd[:2] == [b"SET", b"k"]]
    ok = (len(got) == 1 and len(got[0]) == 5 and got[0][2] == b"v" and
          got[0][3].upper() == b"PXAT" and got[0][4].isdigit() and
          low <= int(got[0][4]) <= high)
    assert ok, why(
        "SET k v %s %s was logged as %r; expected SET k v PXAT <ms> with "
        "<ms> between %d and %d." % (option, value, got, low, high),
        "rewrite the command before logging it: the expiry as PXAT and "
        "the absolute Unix time in milliseconds, so a replay later does "
        "not extend it")


@pytest.mark.step("5c")
@pytest.mark.project_only
@pytest.mark.parametrize("name, arg, ms", [
    ("EXPIRE", "100", 100000), ("PEXPIRE", "100000", 100000),
    ("EXPIREAT", None, None)])
def test_the_expire_family_is_logged_as_pexpireat(ours, name, arg, ms):
    server = ours()
    c = server.client()
    c.set("k", "v")
    t0 = int(time.time() * 1000)
    if arg is None:
        arg = str(t0 // 1000 + 100)
        low = high = int(arg) * 1000
    c.execute_command(name, "k", arg)
    t1 = int(time.time() * 1000)
    if ms is not None:
        low, high = t0 + ms, t1 + ms
    got = commands_after(server)[1:]
    ok = (len(got) == 1 and got[0][:2] == [b"PEXPIREAT", b"k"] and
          got[0][2].isdigit() and low <= int(got[0][2]) <= high)
    assert ok, why(
        "%s k %s was logged as %r; expected PEXPIREAT k <ms> with <ms> "
        "between %d and %d." % (name, arg, got, low, high),
        "log every form of EXPIRE as PEXPIREAT with the absolute time in "
        "milliseconds")


@pytest.mark.step("5c")
@pytest.mark.project_only
def test_an_expired_key_is_logged_as_del(ours):
    server = ours()
    c = server.client()
    c.set("k", "v", px=50)
    sleep_until(time.monotonic() + 0.1)
    assert c.get("k") is None, earlier(
        "GET of a key 100 ms after SET PX 50 returned a value")
    got = commands_after(server)
    assert got[1:] == [[b"DEL", b"k"]], why(
        "SET k v PX 50, then GET k after it expired: the file holds %r; "
        "expected a DEL k after the SET." % got,
        "when a key is found expired (lazily, or by the active cycle), "
        "delete it and log DEL k, as Redis does, so the file never relies "
        "on the clock to delete it")


@pytest.mark.step("5c")
@pytest.mark.project_only
@pytest.mark.parametrize("cmd", [("EXPIRE", "k", "0"),
                                 ("PEXPIRE", "k", "-5"),
                                 ("EXPIREAT", "k", "1")],
                         ids=["expire-0", "pexpire-negative",
                              "expireat-past"])
def test_a_non_positive_expire_is_logged_as_del(ours, cmd):
    server = ours()
    c = server.client()
    c.set("k", "v")
    assert c.execute_command(*cmd) == 1, earlier(
        "%s did not reply 1" % " ".join(cmd))
    got = commands_after(server)
    assert got == [[b"SET", b"k", b"v"], [b"DEL", b"k"]], why(
        "SET k v, %s: the file holds %r; expected SET then DEL k."
        % (" ".join(cmd), got),
        "an expiry not in the future deletes the key at once: log DEL k")


@pytest.mark.step("5g")
@pytest.mark.project_only
def test_bgrewriteaof_compacts_a_key_overwritten_1000_times(ours):
    server = ours()
    c = server.client()
    pipe = c.pipeline(transaction=False)
    for i in range(1000):
        pipe.set("k", i)
    pipe.execute()
    c.rpush("L", *[b"%d" % i for i in range(10)])
    c.set("ttl", "v", ex=100)
    server.stop()
    before = aof_file(server).stat().st_size
    c = server.start()
    assert c.bgrewriteaof() is True, why(
        "BGREWRITEAOF did not reply +Background append only file rewriting "
        "started.", "fork() the rewrite child and reply")
    wait_rewrite_done(c)
    after = aof_file(server).stat().st_size
    assert after < before / 10, why(
        "After SET k 0 .. SET k 999 and BGREWRITEAOF the file went from %d "
        "to %d bytes." % (before, after),
        "the rewrite writes the dataset as it is now (one SET for k), to a "
        "temporary file renamed over the old one")
    got = commands_after(server)
    sets = [cmd for cmd in got if cmd[:2] == [b"SET", b"k"]]
    assert sets == [[b"SET", b"k", b"999"]], why(
        "The rewritten file sets k with %r." % sets,
        "one SET per string key, with its current value")
    ttl = [cmd for cmd in got if b"ttl" in cmd[1:2]]
    assert ttl and any(b"PEXPIREAT" == cmd[0] or b"PXAT" in
                       [a.upper() for a in cmd] for cmd in ttl), why(
        "The rewritten file holds %r for the key with a TTL." % ttl,
        "write each TTL as PEXPIREAT <absolute ms> (or SET ... PXAT)")
    c = server.start()
    assert (c.get("k"), c.llen("L"), c.ttl("ttl") > 90) == (b"999", 10,
                                                             True), why(
        "After the rewrite and a restart: k=%r, LLEN L=%r, TTL ttl=%r."
        % (c.get("k"), c.llen("L"), c.ttl("ttl")),
        "the rewritten file must replay into the same dataset")


# ---------------------------------------------------------------------------
# A truncated tail, damage in the middle (ours only)
# ---------------------------------------------------------------------------

@pytest.fixture
def written(ours):
    """A file our server wrote, SET last value being its last command.

    Returns (bytes, records).
    """
    server = ours()
    c = server.client()
    c.set("a", "1")
    c.rpush("L", "x", "y", "z")
    c.incr("n")
    c.set("ttl", "v", ex=1000)
    c.set("last", "value")
    server.stop()
    data = aof_file(server).read_bytes()
    records = aof_records(data)
    assert records and records[-1][2] == [b"SET", b"last", b"value"], why(
        "The file should end with SET last value; its records are %r."
        % [args for _, _, args in records[-5:]],
        "append every write, in order")
    return data, records


def check_earlier_records(c):
    got = (c.get("a"), c.lrange("L", 0, -1), c.get("n"), c.ttl("ttl") > 900)
    assert got == (b"1", [b"x", b"y", b"z"], b"1", True), why(
        "After loading a file cut inside its last command: a=%r, L=%r, "
        "n=%r, ttl has a TTL: %r." % got,
        "load every complete command before the cut")


@pytest.mark.step("5e")
@pytest.mark.project_only
def test_a_truncated_last_command_is_cut_off_and_the_server_starts(
        server_factory, suite, written, tmp_path):
    data, records = written
    start, end = records[-1][0], records[-1][1]
    for cut in range(start + 1, end):
        where = tmp_path / ("cut%d" % cut)
        where.mkdir()
        (where / "appendonly.aof").write_bytes(data[:cut])
        try:
            server = RestartableServer(server_factory,
                                       *aof_on(suite.own_binary, "always"),
                                       dir=where)
        except pytest.fail.Exception as exc:
            raise AssertionError(why(
                "The file cut at byte %d of %d (inside the last command, "
                "which starts at %d) stopped the server from starting:\n%s"
                % (cut, len(data), start, exc),
                "a file that ends inside its last command is what a crash "
                "mid-write leaves: truncate it back to the last complete "
                "command, log a warning, and start")) from None
        c = server.client()
        check_earlier_records(c)
        assert c.get("last") is None, why(
            "The last command, cut at byte %d, was applied anyway." % cut,
            "a command counts only when all of it is in the file")
        dropped = cut - start
        log = server.process.log_since_start()
        named = [line for line, nums in numbers_in(log) if dropped in nums
                 and re.search(r"byte|trunc", line, re.I)]
        assert named, why(
            "The file was cut %d bytes into its last command; the log "
            "should warn that %d bytes were dropped. The log:\n%s"
            % (dropped, dropped, log[-1500:]),
            "log a warning (# level) such as 'AOF truncated: dropped %d "
            "bytes of an incomplete last command' (Redis says '!!! "
            "Truncating the AOF appendonly.aof at offset N !!!')"
            % dropped)
        size = (where / "appendonly.aof").stat().st_size
        assert size == start, why(
            "After loading the file cut at byte %d, it is %d bytes long; "
            "it should be truncated back to %d, the end of the last "
            "complete command." % (cut, size, start),
            "ftruncate() the file to the end of the last complete command, "
            "then append from there")
        c.set("after", "v")
        server.stop()
        rest = aof_commands((where / "appendonly.aof").read_bytes())
        assert rest[-1] == [b"SET", b"after", b"v"], why(
            "After the truncation and a new SET the file ends with %r."
            % rest[-3:],
            "after truncating, append new writes at the new end (O_APPEND, "
            "or lseek to it)")
        retire(server_factory, server.process)


# Ways to damage the second write. Redis 7.0 refuses all but "crlf": its
# loader skips the two bytes after an argument unread, so RPUSHxx loads there
# (redis-check-aof does report it). Ours checks them, like its aof-check.
CORRUPTIONS = ["array-star", "array-count", "dollar", "length-digit", "crlf"]


def corrupt(data, records, kind):
    """Damage the RPUSH record, the second write of `written`; returns
    (bytes, record start, bad byte)."""
    start = [at for at, _, args in records if args[0].upper() == b"RPUSH"][0]
    dollar = data.index(b"$", start)
    bad, replacement = {
        "array-star": (start, b"?"),           # *4 -> ?4
        "array-count": (start + 1, b"x"),      # *4 -> *x
        "dollar": (dollar, b"x"),              # $5\r\nRPUSH -> x5\r\nRPUSH
        "length-digit": (dollar + 1, b"x"),    # $5\r\nRPUSH -> $x\r\nRPUSH
        "crlf": (data.index(b"\r\n", dollar + 4), b"xx"),  # RPUSHxx
    }[kind]
    damaged = data[:bad] + replacement + data[bad + len(replacement):]
    return damaged, start, bad


@pytest.mark.step("5e")
@pytest.mark.project_only
@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corruption_in_the_middle_refuses_to_start(run_binary, written,
                                                   tmp_path, suite, kind):
    data, records = written
    damaged, start, bad = corrupt(data, records, kind)
    where = tmp_path / "damaged"
    where.mkdir()
    path = where / "appendonly.aof"
    path.write_bytes(damaged)
    try:
        code, lines = run_binary("--port", str(free_port()), "--dir",
                                 str(where), "--appendonly", "yes",
                                 timeout=suite.startup_timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(why(
            "The server started on a file damaged at byte %d (%s), in its "
            "second command, and ran until the test killed it." % (
                bad, kind),
            "damage before the last command is not a crash mid-write: "
            "refuse to start, log the byte offset, exit non-zero")) from None
    output = "\n".join(lines)
    assert code != 0, why(
        "On a file damaged at byte %d (%s) the server exited with %d."
        % (bad, kind, code), "exit with a non-zero status")
    named = [line for line, nums in numbers_in(output)
             if any(start <= n <= bad for n in nums)]
    assert named, why(
        "The file is damaged at byte %d, inside the command starting at "
        "byte %d; the error should name that offset. The output:\n%s"
        % (bad, start, output[-1500:]),
        "count the bytes as you parse and report where the bad command "
        "(or the bad byte) is, e.g. 'Bad file format reading the append "
        "only file at offset %d'" % start)
    assert path.read_bytes() == damaged, why(
        "The server changed (truncated?) a file damaged in the middle.",
        "only a damaged tail may be cut off; leave other damage for "
        "aof-check and the operator")


# ---------------------------------------------------------------------------
# aof-check (ours only)
# ---------------------------------------------------------------------------

def aof_check(suite, *args):
    tool = suite.build_dir / "aof-check"
    assert tool.is_file(), why(
        "%s does not exist." % tool,
        "stage 5 builds the aof-check tool next to the servers")
    done = subprocess.run(suite.wrapper + [str(tool)] + [str(a) for a in
                                                         args],
                          input=b"y\n", stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=30)
    return done.returncode, done.stdout.decode(errors="replace")


@pytest.mark.step("5f")
@pytest.mark.project_only
def test_aof_check_accepts_a_valid_file(suite, written, tmp_path):
    data, _ = written
    path = tmp_path / "appendonly.aof"
    path.write_bytes(data)
    code, out = aof_check(suite, path)
    assert code == 0, why(
        "aof-check on a valid file exited with %d:\n%s" % (code, out),
        "exit 0 when every command parses")
    assert path.read_bytes() == data, "aof-check changed a valid file"


@pytest.mark.step("5f")
@pytest.mark.project_only
def test_aof_check_fix_truncates_a_damaged_tail(suite, written, tmp_path,
                                                ours):
    data, records = written
    start, end = records[-1][0], records[-1][1]
    path = tmp_path / "appendonly.aof"
    path.write_bytes(data[:end - 3])
    code, out = aof_check(suite, path)
    assert code != 0, why(
        "aof-check on a file cut inside its last command exited 0:\n%s"
        % out, "report the incomplete command and exit non-zero")
    assert path.read_bytes() == data[:end - 3], why(
        "aof-check without --fix changed the file.", "only --fix writes")
    code, out = aof_check(suite, path, "--fix")
    assert code == 0 and path.read_bytes() == data[:start], why(
        "aof-check FILE --fix on a file cut inside its last command exited "
        "%d and left %d bytes; it should truncate it to %d bytes (the end "
        "of the last complete command) and exit 0:\n%s"
        % (code, path.stat().st_size, start, out),
        "truncate() the file at the end of the last complete command")
    code, out = aof_check(suite, path)
    assert code == 0, why("The fixed file does not check: %s" % out,
                          "the fixed file must be valid")
    server = ours(dir=tmp_path)
    check_earlier_records(server.client())


@pytest.mark.step("5f")
@pytest.mark.project_only
@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_aof_check_rejects_damage_in_the_middle(suite, written, tmp_path,
                                               kind):
    data, records = written
    damaged, _, bad = corrupt(data, records, kind)
    path = tmp_path / "appendonly.aof"
    path.write_bytes(damaged)
    code, out = aof_check(suite, path)
    assert code != 0, why(
        "aof-check on a file damaged at byte %d (%s) exited 0:\n%s"
        % (bad, kind, out),
        "check every byte of the format, including the CRLF after each "
        "argument (redis-check-aof does), report the bad command and exit "
        "non-zero")
    assert path.read_bytes() == damaged, "aof-check without --fix wrote"


# ---------------------------------------------------------------------------
# Interop with Redis 7 (ours only; needs redis-server)
# ---------------------------------------------------------------------------

def write_sample(c):
    """The same writes for both servers; returns the keys' state."""
    c.set("s", "hello")
    c.append("s", " world")
    c.set("ttl", "v", ex=1000)
    c.set("e", "v")
    c.expire("e", 1000)
    c.rpush("L", *[b"%d" % i for i in range(200)])
    c.lpop("L")
    c.lmove("L", "M", "RIGHT", "LEFT")
    c.incr("n")
    c.incrby("n", 9)
    c.set("gone", "v")
    c.delete("gone")
    c.set("short", "v", px=20)
    c.set("binary", b"a\r\n$3\r\nb\x00")
    sleep_until(time.monotonic() + 0.05)
    assert c.get("short") is None, earlier(
        "GET of a key 50 ms after SET PX 20 returned a value")
    return state(c)


def state(c):
    out = {}
    for key in sorted(c.keys("*")):
        kind = c.type(key)
        value = c.get(key) if kind == b"string" else c.lrange(key, 0, -1)
        out[key] = (kind, value, c.ttl(key) > 0)
    return out


def compare_state(before, after, what, hint):
    __tracebackhide__ = True
    diff = sorted(k for k in set(before) | set(after)
                  if before.get(k) != after.get(k))
    assert not diff, why(
        "%s: these keys differ: %s" % (what, "; ".join(
            "%r: %r -> %r" % (k, before.get(k), after.get(k))
            for k in diff[:5])), hint)


def redis_state(process):
    """state() of a redis-server started with start_other(), once loaded."""
    c = redis.Redis(host=process.host, port=process.port, socket_timeout=10)
    try:
        wait_loaded(c)
        return state(c)
    except redis.exceptions.RedisError as exc:
        raise AssertionError(why(
            "redis-server failed on our file (%s). Its log:\n%s"
            % (exc, process.log_tail()),
            "write plain RESP commands Redis knows")) from None
    finally:
        c.connection_pool.disconnect()


@pytest.mark.step("5c")
@pytest.mark.project_only
@needs_redis
def test_redis_loads_a_file_our_server_wrote(ours, server_factory, tmp_path):
    server = ours("everysec")
    before = write_sample(server.client())
    server.stop()
    where = tmp_path / "for-redis"
    where.mkdir()
    shutil.copy(aof_file(server), where / "appendonly.aof")
    # Redis 7 moves a lone DIR/appendonly.aof into DIR/appendonlydir/ and
    # loads it as its base ("Successfully migrated an old-style AOF file").
    process = server_factory.start_other(REDIS_AOF_CMD, dir=where)
    compare_state(before, redis_state(process),
                  "redis-server loading our file",
                  "write plain RESP commands Redis knows, with the same "
                  "arguments as Redis's own AOF (SET k v PXAT <ms>, "
                  "PEXPIREAT k <ms>, DEL k)")


def wait_loaded(c, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return c.ping()
        except redis.exceptions.BusyLoadingError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def redis_files(server_factory, rewrite):
    """Let redis-server write the sample; returns (its appendonlydir, the
    name of its command file: incr, or the base after a rewrite)."""
    process = server_factory.start_other(REDIS_AOF_CMD)
    c = redis.Redis(host=process.host, port=process.port, socket_timeout=10)
    try:
        before = write_sample(c)
        if rewrite:
            c.bgrewriteaof()
            wait_rewrite_done(c)
        process.stop()
    finally:
        c.connection_pool.disconnect()
    aofdir = process.workdir / "appendonlydir"
    manifest = (aofdir / "appendonly.aof.manifest").read_text().split("\n")
    kind = "b" if rewrite else "i"
    names = [line.split()[1] for line in manifest
             if line.split()[-2:] == ["type", kind]]
    assert len(names) == 1, (
        "redis-server's manifest lists no single type-%s file: %r (the test "
        "expects Redis 7.0's appendonlydir layout)" % (kind, manifest))
    return before, aofdir, names[0]


@pytest.mark.step("5b")
@pytest.mark.project_only
@needs_redis
@pytest.mark.parametrize("rewrite", [False, True],
                         ids=["incr-file", "rewritten-base-file"])
def test_our_server_loads_a_command_file_redis_wrote(server_factory, ours,
                                                     tmp_path, rewrite):
    before, aofdir, name = redis_files(server_factory, rewrite)
    where = tmp_path / "from-redis"
    where.mkdir()
    shutil.copy(aofdir / name, where / name)
    first = aof_commands((where / name).read_bytes())
    server = ours("everysec", "--dir", str(where), "--appendfilename", name)
    after = state(server.client())
    compare_state(before, after, "Our server loading Redis's %s (%d "
                  "commands, from %r)" % (name, len(first), first[:3]),
                  "Redis's files start with SELECT 0 (accept SELECT 0 while "
                  "loading) and a rewritten one splits long lists into "
                  "RPUSH commands of 64 elements")
