"""Stage 5: the append-only file (AOF), seen from a client.

With --appendonly yes every write that changed the dataset is appended to a
file as the RESP command that did it, and a restarted server replays that
file before it accepts clients. These tests write, stop the server (SIGTERM,
a clean shutdown, or SIGKILL, a crash, with --appendfsync always), start it
again on the same directory and compare. They run against Redis too: Redis 7
keeps its AOF as DIR/appendonlydir/ (a base file, an incremental file and a
manifest) where our stage 5 has one file DIR/appendonly.aof, but the
behaviour a client sees is the same. The file itself, crashes and damaged
files are tested in test_stage5_crash.py.

What Redis does, and these tests expect:
- a relative expiry is logged as an absolute time (SET k v PXAT <ms>,
  PEXPIREAT k <ms>), so a restart does not restart the clock: the TTL keeps
  counting down while the server is stopped, and a key that expired before
  the restart stays gone;
- CONFIG GET appendonly / appendfsync / appendfilename / dir report the
  settings (dir as an absolute path); CONFIG SET appendonly yes on a running
  server writes the whole dataset with a rewrite, then logs every write;
  CONFIG SET appendonly no stops logging; a bad value is refused with
  `ERR CONFIG SET failed (possibly related to argument '<name>') - ...`;
- BGREWRITEAOF replies `+Background append only file rewriting started`; a
  child writes the dataset compactly while the parent keeps logging new
  writes, and nothing acknowledged is lost; a second one while the first
  runs is `-ERR Background append only file rewriting already in progress`;
- INFO persistence has aof_enabled, aof_rewrite_in_progress and
  aof_last_bgrewrite_status;
- the start-up log says `DB loaded from append only file: 0.001 seconds`.

The wrong servers these tests catch, step by step:
  5a  one that reports appendfsync in the case it was given (ALWAYS),
      takes "sometimes", "", "maybe" or "1", lets CONFIG SET change
      appendfilename, changes a value it refused, or words a refusal
      otherwise than Redis; one that reports dir as a relative path or
      another directory; an INFO persistence without aof_enabled,
      aof_rewrite_in_progress or aof_last_bgrewrite_status, or that says
      aof_enabled:0 with --appendonly yes;
  5b  a log that misses a kind of write (APPEND, MSET, INCRBY, DECRBY,
      SET XX, LSET, LINSERT, LREM, LTRIM, LMOVE, RPUSHX, a pop with a
      count, DEL, FLUSHALL, FLUSHDB), mangles a binary value, or holds a
      record back past its reply (lost to a SIGKILL with always); a file
      started afresh at each start instead of appended to; --dir or
      --appendfilename ignored, or the default name not appendonly.aof;
      no "DB loaded from append only file" line in the log;
  5c  a relative expiry logged as sent, so that a restart restarts the
      clock; a TTL lost on the way (EX, PX, EXAT, PXAT, PEXPIREAT, INCR,
      KEEPTTL, EXPIRE ... GT); a key whose time passed, running or
      stopped, that comes back; a replay that expires keys by today's
      clock, so that a later PERSIST, PEXPIRE or APPEND in the file is
      undone; EXPIRE k 0, PEXPIRE k -1, EXPIREAT k 1 or a past PEXPIREAT
      whose delete comes back after a restart;
  5g  a BGREWRITEAOF that loses a value, a binary value, a long list or a
      TTL; that loses the writes made while the child runs; that runs the
      rewrite to its end before replying, or starts a second one while
      the first runs; a rewrite that does not end with
      aof_last_bgrewrite_status:ok;
  5h  a CONFIG SET appendonly yes that starts logging without writing the
      data already there (and its TTLs), or says aof_enabled:1 only once
      its rewrite is done; a CONFIG SET appendonly no that goes on
      logging.
"""

import os
import re
import time

import pytest

from helpers import (AckedWriter, RawConnection, RestartableServer, aof_on,
                     command, error, expect_reply, sleep_until,
                     surviving_writes, wait_rewrite_done)

pytestmark = pytest.mark.stage(5)

CHAPTER = 5
RESTARTS = [("term", "everysec"), ("kill", "always")]
RESTART_IDS = ["sigterm-everysec", "sigkill-always"]
REWRITE_STARTED = b"+Background append only file rewriting started\r\n"
REWRITE_RUNNING = error("ERR Background append only file rewriting already "
                        "in progress")
LOADED_LINE = re.compile(r"DB loaded from append only file: \d+\.\d{3} "
                         r"seconds")


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def earlier(what):
    """The message of a check on an earlier stage's behaviour a test needs."""
    return why("Before any restart: %s." % what,
               "this is the behaviour of an earlier stage; run the tests of "
               "stages 2-4 first (--stage 5 runs them all)")


def config_set_error(name, reason):
    return error("ERR CONFIG SET failed (possibly related to argument '%s') "
                 "- %s" % (name, reason))


@pytest.fixture
def aof_server(server_factory, suite):
    """aof_server(fsync, *extra): a RestartableServer with the AOF on."""
    def _start(fsync="everysec", *extra):
        return RestartableServer(server_factory,
                                 *(aof_on(suite.own_binary, fsync)
                                   + list(extra)))
    return _start


def redis_only_options(suite):
    """Redis's options for a server that may turn the AOF on later."""
    return [] if suite.own_binary else ["--aof-use-rdb-preamble", "no"]


def config_get(client, name):
    return client.config_get(name).get(name)


def snapshot(client):
    """Every key with its type and value, to compare before and after."""
    data = {}
    for key in client.keys(b"*"):
        kind = client.type(key)
        if kind == b"string":
            data[key] = (kind, client.get(key))
        elif kind == b"list":
            data[key] = (kind, client.lrange(key, 0, -1))
        else:
            data[key] = (kind, None)
    return data


def compare(before, after, what):
    __tracebackhide__ = True
    missing = sorted(set(before) - set(after))
    extra = sorted(set(after) - set(before))
    changed = sorted(k for k in set(before) & set(after)
                     if before[k] != after[k])
    problems = []
    if missing:
        problems.append("missing keys %r" % missing[:10])
    if extra:
        problems.append("keys that should not exist %r" % extra[:10])
    for key in changed[:5]:
        problems.append("%r was %r, is %r" % (key, before[key], after[key]))
    assert not problems, why(
        "After %s the data differs from before: %s."
        % (what, "; ".join(problems)),
        "append every write that changed the dataset to the file (as the "
        "RESP command), flush it as appendfsync says, and replay the whole "
        "file at start-up, before accepting clients")


# ---------------------------------------------------------------------------
# Restarts keep the data
# ---------------------------------------------------------------------------

@pytest.mark.step("5b")
@pytest.mark.parametrize("how, fsync", RESTARTS, ids=RESTART_IDS)
def test_strings_and_counters_survive_a_restart(aof_server, how, fsync):
    server = aof_server(fsync)
    c = server.client()
    c.set("s", "hello")
    c.append("s", " world")
    c.append("appended", "new")
    c.mset({"m1": "a", "m2": "b"})
    c.incr("n")
    c.incrby("n", 41)
    c.decr("n")
    c.decrby("n", 10)
    c.decrby("negative", 100)
    c.set("replaced", "old")
    c.set("replaced", "new", xx=True)
    c.set("replaced", "ignored", nx=True)
    c.set("binary", b"\x00\r\n*1\r\n$3\r\nSET\r\n\xff")
    c.set("with space key", "")
    c.set("big", bytes(range(256)) * 400)
    before = snapshot(c)
    assert before[b"n"] == (b"string", b"31"), earlier(
        "INCR/INCRBY/DECR/DECRBY left n = %r, not 31" % (before[b"n"],))
    after = snapshot(server.restart(how))
    compare(before, after, "a restart (SIG%s, appendfsync %s)"
            % (how.upper(), fsync))


@pytest.mark.step("5b")
@pytest.mark.parametrize("how, fsync", RESTARTS, ids=RESTART_IDS)
def test_list_commands_survive_a_restart(aof_server, how, fsync):
    server = aof_server(fsync)
    c = server.client()
    c.rpush("L", *"abcdef")
    c.lpush("L", "z", "y")
    c.lpop("L")
    c.rpop("L")
    c.lset("L", 1, "B")
    c.lset("L", -1, "E")
    c.linsert("L", "BEFORE", "c", "c0")
    c.linsert("L", "AFTER", "d", "d1")
    c.rpush("L", "a", "x", "a", "a")
    c.lrem("L", 1, "a")
    c.lrem("L", -1, "a")
    c.lrem("L", 0, "x")
    c.ltrim("L", 1, -1)
    c.lmove("L", "M", "LEFT", "RIGHT")
    c.lmove("L", "M", "RIGHT", "LEFT")
    c.lmove("M", "M", "LEFT", "RIGHT")
    c.rpushx("L", "tail")
    c.lpushx("absent", "x")
    c.rpush("big", *[b"%d" % i for i in range(300)])
    c.lpop("big", 2)
    c.rpop("big", 3)
    c.ltrim("big", 5, -6)
    c.rpush("emptied", "x", "y")
    c.lpop("emptied", 2)
    c.rpush("trimmed", "x")
    c.ltrim("trimmed", 1, 0)
    before = snapshot(c)
    assert b"emptied" not in before and b"trimmed" not in before, earlier(
        "a list emptied by LPOP or LTRIM still exists")
    after = snapshot(server.restart(how))
    compare(before, after, "a restart (SIG%s, appendfsync %s)"
            % (how.upper(), fsync))


@pytest.mark.step("5b")
@pytest.mark.parametrize("how, fsync", RESTARTS, ids=RESTART_IDS)
def test_del_flushall_and_flushdb_survive_a_restart(aof_server, how, fsync):
    server = aof_server(fsync)
    c = server.client()
    c.mset({"a": "1", "b": "2"})
    c.rpush("L", "x")
    c.flushall()
    c.set("after-flushall", "1")
    c.flushdb()
    c.mset({"kept": "1", "deleted": "2", "deleted2": "3"})
    c.rpush("deleted-list", "x")
    assert c.delete("deleted", "deleted-list", "missing") == 2, earlier(
        "DEL of two existing keys and a missing one did not reply 2")
    assert c.delete("deleted2") == 1, earlier("DEL did not reply 1")
    after = snapshot(server.restart(how))
    assert after == {b"kept": (b"string", b"1")}, why(
        "After DEL, FLUSHALL, FLUSHDB and a restart (SIG%s) the keys are %r; "
        "only 'kept' should be there." % (how.upper(), sorted(after)),
        "log DEL, FLUSHALL and FLUSHDB like any other write: replaying the "
        "file must delete what they deleted")


@pytest.mark.step("5c")
@pytest.mark.parametrize("how, fsync", RESTARTS, ids=RESTART_IDS)
def test_a_ttl_keeps_counting_down_across_a_restart(aof_server, how, fsync):
    server = aof_server(fsync)
    c = server.client()
    now_ms = int(time.time() * 1000)
    for key in ("expire", "pexpire", "expireat", "pexpireat", "incr"):
        c.set(key, "1")
    c.expire("expire", 100)
    c.pexpire("pexpire", 100000)
    c.expireat("expireat", now_ms // 1000 + 100)
    c.pexpireat("pexpireat", now_ms + 100000)
    c.set("ex", "v", ex=100)
    c.set("px", "v", px=100000)
    c.set("exat", "v", exat=now_ms // 1000 + 100)
    c.set("pxat", "v", pxat=now_ms + 100000)
    c.expire("incr", 100)
    c.incr("incr")  # keeps its TTL
    keys = ["expire", "pexpire", "expireat", "pexpireat", "ex", "px", "exat",
            "pxat", "incr"]
    pipe = c.pipeline(transaction=False)
    for key in keys:
        pipe.pttl(key)
    t0 = time.monotonic()
    before = dict(zip(keys, pipe.execute()))
    t1 = time.monotonic()
    # Long enough apart that a TTL restarted from scratch shows.
    sleep_until(t1 + 0.4)
    c = server.restart(how)
    pipe = c.pipeline(transaction=False)
    for key in keys:
        pipe.pttl(key)
    t2 = time.monotonic()
    after = dict(zip(keys, pipe.execute()))
    t3 = time.monotonic()
    slack = 100
    for key in keys:
        low = before[key] - (t3 - t0) * 1000 - slack
        high = before[key] - (t2 - t1) * 1000 + slack
        assert after[key] > 0, why(
            "Key %r had PTTL %d before the restart and %d after: its TTL "
            "was lost." % (key, before[key], after[key]),
            "log the expiry with the write (SET ... PXAT, PEXPIREAT) and "
            "keep it when replaying; INCR keeps a key's TTL")
        assert after[key] <= high, why(
            "Key %r had PTTL %d before the restart; %.0f ms later it is %d, "
            "more than %d: the restart extended its TTL."
            % (key, before[key], (t2 - t1) * 1000, after[key], high),
            "a relative expiry (EXPIRE, SET EX ...) must be logged as the "
            "absolute time it stands for (PEXPIREAT k <unix ms>, SET k v "
            "PXAT <unix ms>); replaying 'EXPIRE k 100' restarts the clock")
        assert after[key] >= low, why(
            "Key %r had PTTL %d before the restart; %.0f ms later it is %d, "
            "less than %d." % (key, before[key], (t3 - t0) * 1000,
                               after[key], low),
            "log the absolute expiry in milliseconds since the Unix epoch")


@pytest.mark.step("5c")
@pytest.mark.parametrize("when", ["while-running", "while-stopped"])
def test_a_key_that_expired_before_the_restart_stays_gone(aof_server, when):
    server = aof_server()
    c = server.client()
    c.set("short", "v", px=200)
    c.set("short2", "v")
    c.pexpire("short2", 200)
    c.set("keep", "v")
    gone_at = time.monotonic() + 0.25
    if when == "while-running":
        sleep_until(gone_at)
        # This GET expires it now (a lazy DEL).
        assert c.get("short") is None, earlier(
            "GET of a key 250 ms after SET PX 200 returned a value")
        server.stop()
    else:
        server.stop()
        sleep_until(gone_at)
    c = server.start()
    got = {key: c.get(key) for key in ("short", "short2", "keep")}
    assert got == {"short": None, "short2": None, "keep": b"v"}, why(
        "Keys with a 200 ms TTL, restarted after they expired (%s): GET "
        "gives %r." % (when.replace("-", " "), got),
        "log expiries as absolute times, and treat a replayed key whose time "
        "has passed as expired (replaying SET k v PXAT <past> may load it, "
        "but no command may see it)")
    assert c.exists("short", "short2") == 0, why(
        "EXISTS sees an expired key after the restart.",
        "EXISTS must check the expiry of replayed keys too")


@pytest.mark.step("5c")
def test_persist_set_and_keepttl_survive_a_restart(aof_server):
    server = aof_server()
    c = server.client()
    c.set("persisted", "v", ex=100)
    c.persist("persisted")
    c.set("overwritten", "v", px=100000)
    c.set("overwritten", "v2")             # a plain SET drops the TTL
    c.set("keepttl", "v", ex=100)
    c.set("keepttl", "v3", keepttl=True)
    c.set("counter", "1", ex=100)
    c.incr("counter")                       # INCR keeps the TTL
    c.set("gt", "v", ex=100)
    c.expire("gt", 200, gt=True)
    c = server.restart()
    got = {key: (c.get(key), c.ttl(key)) for key in
           ("persisted", "overwritten", "keepttl", "counter", "gt")}
    assert got["persisted"] == (b"v", -1), why(
        "SET k v EX 100, PERSIST k, restart: (value, TTL) is %r."
        % (got["persisted"],),
        "log PERSIST when it removed a TTL")
    assert got["overwritten"] == (b"v2", -1), why(
        "SET k v PX 100000, SET k v2, restart: (value, TTL) is %r."
        % (got["overwritten"],),
        "a SET without KEEPTTL removes the TTL, and so must its replay")
    assert got["keepttl"][0] == b"v3" and 95 <= got["keepttl"][1] <= 100, why(
        "SET k v EX 100, SET k v3 KEEPTTL, restart: (value, TTL) is %r."
        % (got["keepttl"],),
        "replaying SET ... KEEPTTL must keep the TTL the key had")
    assert got["counter"][0] == b"2" and 95 <= got["counter"][1] <= 100, why(
        "SET n 1 EX 100, INCR n, restart: (value, TTL) is %r."
        % (got["counter"],),
        "INCR keeps the TTL, before and after a restart")
    assert 195 <= got["gt"][1] <= 200, why(
        "SET k v EX 100, EXPIRE k 200 GT, restart: TTL is %r." % (
            got["gt"][1],),
        "log EXPIRE with options as PEXPIREAT <absolute ms> (Redis keeps "
        "the option: PEXPIREAT k <ms> GT)")


@pytest.mark.step("5c")
def test_a_ttl_removed_or_extended_before_its_deadline_survives_a_restart_after_it(aof_server):
    # The file holds SET ... PXAT <soon> and, later, PERSIST or a new
    # PEXPIREAT. Replayed after <soon> has passed, the key must not die at
    # the first record: nothing expires while the file is being replayed.
    server = aof_server()
    c = server.client()
    c.set("persisted", "v", px=300)
    c.persist("persisted")
    c.set("extended", "v", px=300)
    c.pexpire("extended", 100000)
    c.set("appended", "x", px=300)
    c.append("appended", "y")
    c.persist("appended")
    server.stop("term")
    time.sleep(0.5)                         # past every first deadline
    c = server.start()
    got = {key: (c.get(key), c.ttl(key)) for key in ("persisted", "extended", "appended")}
    assert got["persisted"] == (b"v", -1), why(
        "SET k v PX 300, PERSIST k, restart 0.5 s later: (value, TTL) is %r."
        % (got["persisted"],),
        "do not expire keys while replaying the file: a later record "
        "(PERSIST) gave this key its life back")
    assert got["extended"][0] == b"v" and 95 <= got["extended"][1] <= 100, why(
        "SET k v PX 300, PEXPIRE k 100000, restart 0.5 s later: (value, TTL) is %r."
        % (got["extended"],),
        "do not expire keys (nor treat a past PEXPIREAT as a delete) while "
        "replaying: the TTL was extended by a later record")
    assert got["appended"] == (b"xy", -1), why(
        "SET k x PX 300, APPEND k y, PERSIST k, restart 0.5 s later: "
        "(value, TTL) is %r." % (got["appended"],),
        "replay with the clock stopped; deadlines are checked once the "
        "file is read")


@pytest.mark.step("5c")
def test_a_non_positive_expire_deletes_the_key_for_good(aof_server):
    server = aof_server()
    c = server.client()
    for key in ("expire0", "pexpire-1", "expireat1", "pexpireat-past"):
        c.set(key, "v")
    c.set("keep", "v")
    replies = [c.expire("expire0", 0), c.pexpire("pexpire-1", -1),
               c.expireat("expireat1", 1),
               c.pexpireat("pexpireat-past", int(time.time() * 1000) - 1000)]
    assert replies == [True] * 4, earlier(
        "EXPIRE k 0, PEXPIRE k -1, EXPIREAT k 1, PEXPIREAT k <past> replied "
        "%r, not 1 each" % replies)
    c = server.restart()
    assert sorted(c.keys("*")) == [b"keep"], why(
        "Keys deleted by EXPIRE k 0, PEXPIRE k -1, EXPIREAT k 1 and "
        "PEXPIREAT k <past> came back after a restart: %r."
        % sorted(c.keys("*")),
        "an expiry that is not in the future deletes the key at once: log "
        "it as DEL k (Redis does)")


@pytest.mark.step("5b")
def test_writes_after_a_restart_are_appended_to_the_same_file(aof_server):
    server = aof_server()
    c = server.client()
    c.set("first", "1")
    c.incr("n")
    c.rpush("L", "a")
    c = server.restart()
    c.set("second", "2")
    c.incr("n")
    c.rpush("L", "b")
    c = server.restart()
    c.incr("n")
    c = server.restart("kill")
    got = (c.get("first"), c.get("second"), c.get("n"), c.lrange("L", 0, -1))
    assert got == (b"1", b"2", b"3", [b"a", b"b"]), why(
        "Three sessions wrote first=1, second=2, INCR n three times, RPUSH "
        "L a then b; after the last restart (first, second, n, L) is %r."
        % (got,),
        "open the file for appending (O_APPEND) after replaying it: a new "
        "session adds to it, never starts it over")


@pytest.mark.step("5b")
def test_the_start_up_log_says_the_file_was_loaded(aof_server):
    server = aof_server()
    server.client().set("k", "v")
    server.restart()
    log = server.process.log_since_start()
    assert LOADED_LINE.search(log), why(
        "After a restart with --appendonly yes the log should say how long "
        "the replay took, like Redis: 'DB loaded from append only file: "
        "0.001 seconds'. The log since the start:\n%s" % log[-2000:],
        "time the replay and log it with %.3f seconds, before 'Ready to "
        "accept connections'")


@pytest.mark.step("5b")
def test_appendfilename_and_dir_choose_the_file(aof_server, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    options = ("--dir", str(data), "--appendfilename", "custom.aof")
    server = aof_server("everysec", *options)
    c = server.client()
    got_dir = config_get(c, "dir")
    assert os.path.isabs(got_dir) and (os.path.realpath(got_dir) ==
                                       os.path.realpath(data)), why(
        "Started with --dir %s, CONFIG GET dir replies %r." % (data, got_dir),
        "reply the directory as an absolute path (chdir() to it at start "
        "and reply getcwd(), as Redis does)")
    assert config_get(c, "appendfilename") == "custom.aof", why(
        "Started with --appendfilename custom.aof, CONFIG GET "
        "appendfilename replies %r." % config_get(c, "appendfilename"),
        "keep the option's value and report it")
    c.set("k", "v")
    server.stop()
    names = sorted(p.name for p in data.rglob("*"))
    assert any(n.startswith("custom.aof") for n in names), why(
        "Started with --dir %s --appendfilename custom.aof, the directory "
        "holds %r: no custom.aof." % (data, names),
        "the file is <dir>/<appendfilename>")
    assert not any(n.startswith("appendonly.aof") for n in names), why(
        "With --appendfilename custom.aof the directory also holds %r."
        % names, "use the name given, not the default appendonly.aof")
    c = server.start()
    assert c.get("k") == b"v", why(
        "Restarted with the same --dir and --appendfilename, GET k is %r."
        % c.get("k"), "replay <dir>/<appendfilename> at start-up")
    server.stop()
    c = server.start(*aof_on(server.process.own_binary),
                     "--dir", str(data))
    assert c.get("k") is None, why(
        "Started with the default --appendfilename, the server loaded the "
        "data of custom.aof.", "appendfilename defaults to appendonly.aof")


# ---------------------------------------------------------------------------
# CONFIG GET / CONFIG SET and INFO persistence
# ---------------------------------------------------------------------------

@pytest.mark.step("5a")
def test_config_get_reports_the_aof_defaults(r, server):
    got = {name: config_get(r, name) for name in
           ("appendonly", "appendfsync", "appendfilename")}
    assert got == {"appendonly": "no", "appendfsync": "everysec",
                   "appendfilename": "appendonly.aof"}, why(
        "A server started without AOF options reports %r." % got,
        "the defaults are appendonly no, appendfsync everysec, "
        "appendfilename appendonly.aof")
    got_dir = config_get(r, "dir")
    assert got_dir and os.path.isabs(got_dir) and (
        os.path.realpath(got_dir) == os.path.realpath(server.workdir)), why(
        "CONFIG GET dir replies %r; the server runs in %s." % (
            got_dir, server.workdir),
        "dir defaults to the working directory: reply it as an absolute "
        "path (getcwd())")


@pytest.mark.step("5a")
@pytest.mark.parametrize("value, reported", [
    ("always", "always"), ("no", "no"), ("everysec", "everysec"),
    ("ALWAYS", "always")])
def test_config_set_appendfsync_changes_the_policy(r, connect, value,
                                                  reported):
    try:
        expect_reply(connect(), command("CONFIG", "SET", "appendfsync",
                                        value), b"+OK\r\n", chapter=CHAPTER,
                     hint="appendfsync is always, everysec or no (in any "
                          "case)")
        assert config_get(r, "appendfsync") == reported, why(
            "After CONFIG SET appendfsync %s, CONFIG GET appendfsync "
            "replies %r." % (value, config_get(r, "appendfsync")),
            "report the policy in lower case, as Redis does")
    finally:
        r.config_set("appendfsync", "everysec")


@pytest.mark.step("5a")
@pytest.mark.parametrize("name, value, reason", [
    ("appendfsync", "sometimes", "argument(s) must be one of the following: "
                                 "everysec, always, no"),
    ("appendfsync", "", "argument(s) must be one of the following: "
                        "everysec, always, no"),
    ("appendonly", "maybe", "argument must be 'yes' or 'no'"),
    ("appendonly", "1", "argument must be 'yes' or 'no'"),
    ("appendfilename", "other.aof", "can't set immutable config"),
], ids=["appendfsync-word", "appendfsync-empty", "appendonly-word",
        "appendonly-1", "appendfilename-immutable"])
def test_config_set_refuses_bad_values_like_redis(r, connect, name, value,
                                                 reason):
    before = config_get(r, name)
    expect_reply(connect(), command("CONFIG", "SET", name, value),
                 config_set_error(name, reason), chapter=CHAPTER,
                 hint="Redis 7 words every refused CONFIG SET this way")
    assert config_get(r, name) == before, why(
        "A refused CONFIG SET %s changed the value to %r." % (
            name, config_get(r, name)),
        "check the value before changing anything")


@pytest.mark.step("5a")
def test_info_persistence_reports_the_aof_state(r, aof_server):
    info = r.info("persistence")
    expected = {"aof_enabled": 0, "aof_rewrite_in_progress": 0,
                "aof_last_bgrewrite_status": "ok"}
    got = {key: info.get(key) for key in expected}
    assert got == expected, why(
        "INFO persistence on a server without AOF has %r." % got,
        "add a '# Persistence' section with aof_enabled:0|1, "
        "aof_rewrite_in_progress:0|1 and aof_last_bgrewrite_status:ok|err")
    on = aof_server().client().info("persistence")
    assert on.get("aof_enabled") == 1, why(
        "INFO persistence of a server started with --appendonly yes says "
        "aof_enabled:%r." % on.get("aof_enabled"), "aof_enabled:1")


@pytest.mark.step("5h")
def test_config_set_appendonly_yes_persists_the_data_already_there(
        server_factory, suite):
    server = RestartableServer(server_factory, *redis_only_options(suite))
    c = server.client()
    c.mset({"s": "1", "t": "2"})
    c.incr("n")
    c.rpush("L", *"abc")
    c.set("ttl", "v", ex=100)
    assert c.info("persistence").get("aof_enabled") == 0, why(
        "A server started without --appendonly says aof_enabled:%r."
        % c.info("persistence").get("aof_enabled"), "aof_enabled:0")
    assert c.config_set("appendonly", "yes") is True, why(
        "CONFIG SET appendonly yes did not reply OK.",
        "turn the AOF on: start a rewrite of the dataset, reply +OK")
    info = c.info("persistence")
    assert info.get("aof_enabled") == 1, why(
        "After CONFIG SET appendonly yes, INFO persistence says "
        "aof_enabled:%r." % info.get("aof_enabled"),
        "aof_enabled is 1 as soon as the AOF is on (even while the first "
        "rewrite runs)")
    info = wait_rewrite_done(c)
    assert info.get("aof_last_bgrewrite_status") == "ok", why(
        "The rewrite started by CONFIG SET appendonly yes ended with "
        "aof_last_bgrewrite_status:%r." % info.get(
            "aof_last_bgrewrite_status"),
        "write the dataset to a temporary file, then rename() it")
    assert config_get(c, "appendonly") == "yes", why(
        "After CONFIG SET appendonly yes, CONFIG GET appendonly replies %r."
        % config_get(c, "appendonly"), "report yes")
    c.set("after", "3")
    c.rpush("L", "d")
    before = snapshot(c)
    server.stop()
    c = server.start(*aof_on(suite.own_binary))
    after = snapshot(c)
    compare(before, after, "CONFIG SET appendonly yes at run time, a "
                           "rewrite and a restart with --appendonly yes")
    assert 95 <= c.ttl("ttl") <= 100, why(
        "The TTL of a key written before CONFIG SET appendonly yes is %d "
        "after the restart." % c.ttl("ttl"),
        "the rewrite writes each TTL as PEXPIREAT <absolute ms>")


@pytest.mark.step("5h")
def test_config_set_appendonly_no_stops_logging(aof_server):
    server = aof_server()
    c = server.client()
    c.set("logged", "1")
    assert c.config_set("appendonly", "no") is True, why(
        "CONFIG SET appendonly no did not reply OK.",
        "turn the AOF off: flush and close the file, reply +OK")
    assert c.info("persistence").get("aof_enabled") == 0, why(
        "After CONFIG SET appendonly no, INFO persistence says aof_enabled:"
        "%r." % c.info("persistence").get("aof_enabled"), "aof_enabled:0")
    c.set("not-logged", "2")
    c = server.restart()
    got = sorted(c.keys("*"))
    assert got == [b"logged"], why(
        "SET logged, CONFIG SET appendonly no, SET not-logged, restart with "
        "--appendonly yes: the keys are %r." % got,
        "CONFIG SET appendonly no flushes and closes the file and logs "
        "nothing more")


# ---------------------------------------------------------------------------
# BGREWRITEAOF
# ---------------------------------------------------------------------------

def preload(client, count, prefix="pre"):
    """MSET `count` small keys, 1000 at a time."""
    for at in range(0, count, 1000):
        client.mset({"%s:%d" % (prefix, i): "v%d" % i
                     for i in range(at, min(at + 1000, count))})


@pytest.mark.step("5g")
def test_bgrewriteaof_keeps_every_type_and_ttl(aof_server, connect):
    server = aof_server()
    c = server.client()
    for i in range(100):
        c.set("overwritten", i)
    c.set("binary", b"a\r\nb\x00")
    c.incrby("n", 5)
    c.rpush("L", *[b"%d" % i for i in range(300)])   # several RPUSH chunks
    c.lpop("L")
    c.set("ex", "v", ex=100)
    c.set("expire", "v")
    c.expire("expire", 100)
    c.set("gone", "v")
    c.delete("gone")
    conn = RawConnection(server.process.host, server.process.port)
    try:
        expect_reply(conn, command("BGREWRITEAOF"), REWRITE_STARTED,
                     chapter=CHAPTER,
                     hint="fork(): the child writes the dataset to a "
                          "temporary file, the parent replies at once")
    finally:
        conn.close()
    info = wait_rewrite_done(c)
    assert info.get("aof_last_bgrewrite_status") == "ok", why(
        "After BGREWRITEAOF, aof_last_bgrewrite_status:%r." % info.get(
            "aof_last_bgrewrite_status"),
        "the child exits 0 when its file is written and fsynced; the parent "
        "then appends what was written meanwhile and renames it")
    c.set("after-rewrite", "1")
    c.rpush("L", "last")
    before = snapshot(c)
    ttl_before = c.pttl("ex"), c.pttl("expire")
    t0 = time.monotonic()
    c = server.restart()
    elapsed = (time.monotonic() - t0) * 1000
    compare(before, snapshot(c), "BGREWRITEAOF, more writes and a restart")
    for key, ttl in zip(("ex", "expire"), ttl_before):
        got = c.pttl(key)
        assert 0 < got <= ttl + 100 and got >= ttl - elapsed - 1000, why(
            "Key %r had PTTL %d before the rewrite and restart, %d after."
            % (key, ttl, got),
            "the rewrite writes each TTL as an absolute time (PEXPIREAT k "
            "<unix ms> or SET k v PXAT <unix ms>)")


@pytest.mark.step("5g")
def test_bgrewriteaof_while_clients_write_loses_nothing(aof_server):
    server = aof_server()
    c = server.client()
    preload(c, 20000)
    writer = AckedWriter(server.process.host, server.process.port)
    writer.start()
    try:
        assert wait_until_acked(writer, 300), why(
            "The writer got no replies: %r" % writer.error,
            "keep serving clients")
        assert c.bgrewriteaof() is True, why(
            "BGREWRITEAOF did not reply +Background append only file "
            "rewriting started.", "fork() the rewrite child and reply")
        during = len(writer.acked)
        info = wait_rewrite_done(c)
        done = len(writer.acked)
        assert wait_until_acked(writer, done + 300), why(
            "Writes stalled after the rewrite: %r" % writer.error,
            "the parent keeps serving clients while the child writes")
    finally:
        writer.finish()
    assert writer.error is None, why(
        "A write got an unexpected reply during the rewrite: %s"
        % writer.error, "writes during a rewrite work as usual")
    assert info.get("aof_last_bgrewrite_status") == "ok", why(
        "aof_last_bgrewrite_status:%r after a rewrite during writes."
        % info.get("aof_last_bgrewrite_status"),
        "the rewrite must succeed while clients write")
    acked = len(writer.acked)
    c = server.restart()
    held = surviving_writes(c, acked // 3 + 1)
    assert held == acked, why(
        "%d writes were acknowledged (%d before the rewrite started, %d "
        "before it finished); after the restart the server holds the first "
        "%d." % (acked, during, done, held),
        "while the child writes the dataset, the parent keeps appending new "
        "writes to the old file AND to a rewrite buffer; when the child is "
        "done, append that buffer to the new file, then rename() it over "
        "the old one")
    # pre:*, then key:0 .. key:<steps - 1>, counter and list.
    expected = 20000 + (acked + 2) // 3 + (acked >= 2) + (acked >= 3)
    assert c.dbsize() == expected, why(
        "After the restart DBSIZE is %d, not %d: keys written before the "
        "rewrite are missing." % (c.dbsize(), expected),
        "the child writes every key of the dataset")


def wait_until_acked(writer, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(writer.acked) < count:
        if not writer.is_alive() or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@pytest.mark.step("5g")
def test_a_second_bgrewriteaof_while_one_runs_is_refused(aof_server):
    server = aof_server()
    c = server.client()
    preload(c, 5000)
    conn = RawConnection(server.process.host, server.process.port)
    try:
        # Both in one packet: the second arrives while the first one's
        # child surely still runs.
        expect_reply(conn, command("BGREWRITEAOF") * 2,
                     REWRITE_STARTED + REWRITE_RUNNING, chapter=CHAPTER,
                     hint="while a rewrite child runs, BGREWRITEAOF replies "
                          "this error (Redis 7.0)")
    finally:
        conn.close()
    info = wait_rewrite_done(c)
    assert info.get("aof_last_bgrewrite_status") == "ok", why(
        "After BGREWRITEAOF (and a refused second one), "
        "aof_last_bgrewrite_status:%r." % info.get(
            "aof_last_bgrewrite_status"),
        "the refused BGREWRITEAOF must not disturb the running rewrite")
    c = server.restart()
    assert c.dbsize() == 5000, why(
        "After two BGREWRITEAOF (one refused) and a restart, DBSIZE is %d, "
        "not 5000." % c.dbsize(), "the refused one must change nothing")
