"""Part II: the append-only file keeps what the extensions write.

Stage 5's AOF logs each write as received (or as the command that means the
same later: SET ... PXAT for a relative expiry) and BGREWRITEAOF writes the
dataset as it is now, one switch case per type in aof_rewrite_key(). Every
Part II family adds commands to log and, for hashes and sets, a type to
rewrite. These tests write with each family, restart (SIGKILL with
appendfsync always, so only what reached the file counts) and compare every
key's type, value and TTL, before and after a BGREWRITEAOF. They run against
Redis too (it keeps appendonlydir/ where we keep appendonly.aof, but a
client sees the same).

What Redis does, and these tests expect:
- a command whose effect is random or relative is logged as what it did:
  SPOP as SREM (or DEL when it emptied the set), INCRBYFLOAT and
  HINCRBYFLOAT as SET ... KEEPTTL / HSET with the result, SETEX, GETEX EX
  as PXAT / PEXPIREAT times, so a replay lands on the same data;
- a transaction is logged between MULTI and EXEC; a file that ends between
  the two is cut back to before the MULTI (aof-check --fix does it too), so
  a crash never replays half a transaction;
- BGREWRITEAOF writes a hash as HSET with up to 64 field/value pairs per
  record and a set as SADD with up to 64 members (ours: project_only);
- Redis 7 loads the file our server wrote (it migrates a lone
  DIR/appendonly.aof into appendonlydir/), every type included.

The tests are marked with the extension whose commands they need; a test
that mixes families (every type in one file, HSET and SADD under SIGKILL)
is marked sets, the module's: chapter 12 is the last family it uses, so its
step, 12h, is the last one before it can pass.

The wrong servers these tests catch, step by step:
  8h  a transaction's writes lost after a SIGKILL, or a transaction aborted
      by WATCH or DISCARDed that comes back, before and after BGREWRITEAOF;
  9g  SETBIT, BITOP or BITFIELD writes that do not come back after a
      SIGKILL, or that a rewrite loses;
  9h  SETEX, PSETEX, GETEX, SETRANGE, INCRBYFLOAT ... writes or TTLs that
      do not come back after a SIGKILL, or that a rewrite loses;
  10h RENAME, COPY, MOVE (to db 1), UNLINK, LMPOP or RPOPLPUSH writes, or
      the TTLs they carry, that do not come back after a SIGKILL or a
      rewrite;
  11h hash writes (HDEL, HINCRBY, HINCRBYFLOAT, HMSET, a binary value) that
      do not come back after a SIGKILL; a small hash that comes back as a
      hashtable or a big one as a listpack; a BGREWRITEAOF with no case
      for hashes;
  12h an SPOP replayed as SPOP (other members go), SMOVE or a STORE form
      that does not come back, encodings changed by a restart, a rewrite
      with no case for sets; a SIGKILL under appendfsync always that loses
      an acknowledged HSET, HINCRBY, SADD or EXEC, or brings back half a
      transaction (8 rounds at random moments); (ours) a rewrite that
      writes one record per field or member, or more than 64 items in one;
      a file redis-server 7 cannot load into the same data; an aof-check
      that refuses a valid file of every type, accepts a file cut inside a
      transaction, or whose --fix does not cut it back to before the
      MULTI; a server that replays an unfinished transaction at the end of
      its file, or appends after it.
"""

import random
import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis

from helpers import (RestartableServer, aof_commands, aof_on, aof_records,
                     ErrorReply, IncompleteReply, command, parse_reply, sleep_until,
                     wait_rewrite_done)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("sets")]

CHAPTER = 5
SEED = 6
REDIS = shutil.which("redis-server")
REDIS_AOF_CMD = ("redis-server --port {port} --dir {dir} --save '' "
                 "--appendonly yes --aof-use-rdb-preamble no")
DBS = (0, 1)            # MOVE writes to db 1
TTL_SLACK_MS = 200      # beyond the time that passed between two snapshots

needs_redis = pytest.mark.skipif(REDIS is None,
                                 reason="redis-server is not installed")


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d and the Part II " \
           "chapter of the extension." % (problem, hint, CHAPTER)


# ---------------------------------------------------------------------------
# What the data is: every key of db 0 and 1, with its type, value and TTL
# ---------------------------------------------------------------------------

def value_of(c, key, kind):
    if kind == b"string":
        return c.get(key)
    if kind == b"list":
        return c.lrange(key, 0, -1)
    if kind == b"hash":
        return sorted(c.hgetall(key).items())
    if kind == b"set":
        return sorted(c.smembers(key))
    return None


class Snapshot(dict):
    """{(db, key): (type, value, pttl)}, and when it was taken."""

    def __init__(self):
        super().__init__()
        self.taken = time.monotonic()


def snapshot(c):
    """{(db, key): (type, value, pttl)} of every key, pttl -1 if none."""
    out = Snapshot()
    for db in DBS:
        c.execute_command("SELECT", db)
        for key in c.keys("*"):
            kind = c.type(key)
            out[(db, key)] = (kind, value_of(c, key, kind), c.pttl(key))
    c.execute_command("SELECT", 0)
    return out


def compare(before, after, what, hint):
    """Same keys, types and values; TTLs kept: each may have gone down by
    the time that passed between the snapshots (a restart under valgrind
    takes seconds), plus TTL_SLACK_MS."""
    __tracebackhide__ = True
    slack = int((after.taken - before.taken) * 1000) + TTL_SLACK_MS
    problems = []
    for where in sorted(set(before) | set(after)):
        old, new = before.get(where), after.get(where)
        if old is None or new is None or old[:2] != new[:2]:
            problems.append("db %d key %r was %r, is %r" % (
                where[0], where[1], old and old[:2], new and new[:2]))
            continue
        if (old[2] < 0) != (new[2] < 0) or (
                old[2] >= 0 and not
                old[2] - slack <= new[2] <= old[2]):
            problems.append("db %d key %r had PTTL %d, has %d" % (
                where[0], where[1], old[2], new[2]))
    assert not problems, why(
        "After %s the data differs from before (%d key(s)):\n  %s"
        % (what, len(problems), "\n  ".join(problems[:8])), hint)


# ---------------------------------------------------------------------------
# The writes of each extension; each uses keys of its own prefix
# ---------------------------------------------------------------------------

def write_hashes(c):
    c.hset("h:small", mapping={"a": "1", "b": "2", "c": "3"})
    c.hsetnx("h:small", "a", "ignored")
    c.hsetnx("h:small", "d", "4")
    c.hdel("h:small", "b", "missing")
    c.hincrby("h:small", "n", 5)
    c.hincrby("h:small", "n", -2)
    c.hincrbyfloat("h:small", "f", "1.5")
    c.hincrbyfloat("h:small", "f", "0.1")
    c.execute_command("HMSET", "h:small", "e", "5", "bin", b"\x00\r\n\xff")
    # A hashtable: more fields than hash-max-listpack-entries (128) and a
    # value longer than hash-max-listpack-value (64).
    c.hset("h:big", mapping={"field:%d" % i: "v%d" % i for i in range(300)})
    c.hset("h:big", "long", "x" * 200)
    c.hdel("h:big", *["field:%d" % i for i in range(0, 300, 7)])
    c.hset("h:big", "num", "7")
    c.hincrbyfloat("h:big", "num", "2.25")
    c.hset("h:ttl", "k", "v")
    c.expire("h:ttl", 1000)
    c.hset("h:emptied", "only", "1")
    c.hdel("h:emptied", "only")


def write_sets(c):
    c.sadd("s:ints", *range(100))
    c.srem("s:ints", 5, 7, 1000)
    c.sadd("s:words", *["w%d" % i for i in range(50)])
    c.srem("s:words", "w1", "w2")
    c.sadd("s:converted", *range(600))         # past set-max-intset-entries
    c.sadd("s:popped", *range(40))
    c.spop("s:popped")
    c.spop("s:popped", 5)
    c.sadd("s:popwords", *["p%d" % i for i in range(20)])
    c.spop("s:popwords", 3)
    c.sadd("s:emptied", "a", "b")
    c.spop("s:emptied", 10)
    c.smove("s:words", "s:moved", "w3")
    c.smove("s:ints", "s:moved", 8)
    c.sinterstore("s:inter", "s:ints", "s:converted")
    c.sunionstore("s:union", "s:words", "s:moved")
    c.sdiffstore("s:diff", "s:converted", "s:ints")
    c.sadd("s:ttl", "m")
    c.pexpire("s:ttl", 1000000)


def write_strings(c):
    c.setex("t:setex", 1000, "v")
    c.psetex("t:psetex", 1000000, "v")
    c.set("t:getex", "v")
    c.getex("t:getex", ex=1000)
    c.set("t:persist", "v", ex=1000)
    c.getex("t:persist", persist=True)
    c.setnx("t:setnx", "1")
    c.setnx("t:setnx", "2")
    c.getset("t:getset", "new")
    c.set("t:getdel", "v")
    c.getdel("t:getdel")
    c.msetnx({"t:m1": "1", "t:m2": "2"})
    c.set("t:range", "Hello World")
    c.setrange("t:range", 6, "Redis")
    c.setrange("t:padded", 5, "x")
    c.set("t:float", "10.5", ex=1000)
    c.incrbyfloat("t:float", "0.1")
    c.incrbyfloat("t:float", "3e2")


def write_bits(c):
    c.setbit("b:bits", 7, 1)
    c.setbit("b:bits", 100, 1)
    c.setbit("b:bits", 7, 0)
    c.set("b:x", "abc")
    c.set("b:y", "a\xff")
    c.bitop("AND", "b:and", "b:x", "b:y")
    c.bitop("OR", "b:or", "b:x", "b:y")
    c.bitop("XOR", "b:xor", "b:x", "b:y")
    c.bitop("NOT", "b:not", "b:x")
    c.execute_command("BITFIELD", "b:field", "SET", "u8", "0", "200",
                      "INCRBY", "i5", "100", "7")


def write_keys(c):
    c.set("k:renamed", "v", ex=1000)
    c.rename("k:renamed", "k:rename-target")
    c.set("k:nx", "v")
    c.renamenx("k:nx", "k:nx-target")
    c.rpush("k:list", *"abc")
    c.pexpire("k:list", 1000000)
    c.copy("k:list", "k:list-copy")
    c.hset("k:hash", "f", "v")
    c.copy("k:hash", "k:hash-copy")
    c.sadd("k:set", "1", "2")
    c.set("k:set-copy", "old")
    c.copy("k:set", "k:set-copy", replace=True)
    c.set("k:moved", "v", ex=1000)
    c.move("k:moved", 1)
    c.sadd("k:moved-set", "a")
    c.move("k:moved-set", 1)
    c.set("k:unlinked", "v")
    c.unlink("k:unlinked")
    c.rpush("k:l1", *[str(i) for i in range(10)])
    c.rpush("k:l2", "x")
    c.execute_command("LMPOP", 2, "k:missing", "k:l1", "LEFT", "COUNT", 3)
    c.execute_command("LMPOP", 2, "k:l2", "k:l1", "RIGHT")
    c.rpoplpush("k:l1", "k:l3")


def write_transactions(c):
    pipe = c.pipeline(transaction=True)
    pipe.set("x:a", "1")
    pipe.incr("x:n")
    pipe.rpush("x:list", "a", "b")
    pipe.hset("x:hash", "f", "v")
    pipe.sadd("x:set", "m")
    pipe.expire("x:a", 1000)
    pipe.execute()
    # A runtime error inside EXEC: the other commands still run.
    pipe = c.pipeline(transaction=True)
    pipe.incr("x:n")
    pipe.lpush("x:a", "wrong type")
    pipe.set("x:b", "2")
    pipe.execute(raise_on_error=False)
    # Aborted by WATCH: nothing of it may come back.
    watcher = c.pipeline(transaction=True)
    watcher.watch("x:watched")
    c.set("x:watched", "changed")
    watcher.multi()
    watcher.set("x:aborted", "1")
    try:
        watcher.execute()
    except redis.exceptions.WatchError:
        pass
    # Discarded: nothing either.
    conn = c.connection_pool.get_connection("MULTI")
    try:
        conn.send_command("MULTI")
        conn.read_response()
        conn.send_command("SET", "x:discarded", "1")
        conn.read_response()
        conn.send_command("DISCARD")
        conn.read_response()
    finally:
        c.connection_pool.release(conn)


def scenario(write, name, extension, step):
    return pytest.param(write, id=name, marks=[
        pytest.mark.extension(extension), pytest.mark.step(step)])


# Each family's writes, in the step that completes what they use.
SCENARIOS = [
    scenario(write_hashes, "hashes", "hashes", "11h"),
    scenario(write_sets, "sets", "sets", "12h"),
    scenario(write_strings, "strings", "strings", "9h"),
    scenario(write_bits, "bits", "strings", "9g"),
    scenario(write_keys, "keys", "keys", "10h"),
    scenario(write_transactions, "transactions", "transactions", "8h"),
]
EVERY_TYPE = [write_hashes, write_sets, write_strings, write_bits,
              write_keys, write_transactions]

# Keys whose encoding the hash and set writes choose on purpose.
ENCODINGS = {b"h:small": (b"listpack", b"ziplist"),
             b"h:big": (b"hashtable",),
             b"s:ints": (b"intset",), b"s:words": (b"hashtable",),
             b"s:converted": (b"hashtable",)}


def encodings(c):
    return {key: c.object("encoding", key) for key in ENCODINGS
            if c.exists(key)}


def check_encodings(c, when):
    __tracebackhide__ = True
    got = encodings(c)
    wrong = {k: v for k, v in got.items() if v not in ENCODINGS[k]}
    assert not wrong, why(
        "%s, OBJECT ENCODING says %r; Redis 7.0 says %r."
        % (when, wrong, {k: ENCODINGS[k][0] for k in wrong}),
        "a small hash is a listpack, past 128 fields or a 64-byte value a "
        "hashtable; a set of integers is an intset up to 512 members")


@pytest.fixture
def aof_server(server_factory, suite):
    def _start(fsync="always", *extra, dir=None):
        return RestartableServer(server_factory,
                                 *(aof_on(suite.own_binary, fsync)
                                   + list(extra)), dir=dir)
    return _start


def rewrite(c):
    """BGREWRITEAOF and wait for it; assert it succeeded."""
    __tracebackhide__ = True
    assert c.bgrewriteaof() is True, why(
        "BGREWRITEAOF did not reply +Background append only file rewriting "
        "started.", "fork() the rewrite child and reply")
    info = wait_rewrite_done(c)
    assert info.get("aof_last_bgrewrite_status") == "ok", why(
        "After BGREWRITEAOF, aof_last_bgrewrite_status:%r."
        % info.get("aof_last_bgrewrite_status"),
        "aof_rewrite_key() needs a case for every type (HSET, SADD)")


# ---------------------------------------------------------------------------
# Restarts and rewrites keep every new type and command
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("write", SCENARIOS)
@pytest.mark.parametrize("rewritten", [False, True],
                         ids=["as-logged", "after-bgrewriteaof"])
def test_the_writes_of_an_extension_survive_a_crash(aof_server, write,
                                                    rewritten):
    server = aof_server("always")
    c = server.client()
    write(c)
    if write is write_hashes or write is write_sets:
        check_encodings(c, "Before any restart")
    before = snapshot(c)
    what = "SIGKILL (appendfsync always) and a restart"
    if rewritten:
        rewrite(c)
        compare(before, snapshot(c), "BGREWRITEAOF (before any restart)",
                "a rewrite only writes a file: it changes no data")
        what = "BGREWRITEAOF, then " + what
    c = server.restart("kill")
    compare(before, snapshot(c), what,
            "log each command that changed the data, as what it did (SPOP "
            "as SREM, INCRBYFLOAT as SET ... KEEPTTL, relative TTLs as "
            "absolute ones, a transaction between MULTI and EXEC); the "
            "rewrite writes each type (HSET, SADD, RPUSH, SET) and its TTL "
            "(PEXPIREAT)")
    if write is write_hashes or write is write_sets:
        check_encodings(c, "After %s" % what)


@pytest.mark.step("12h")
@pytest.mark.project_only
def test_bgrewriteaof_writes_a_big_hash_and_set_in_few_records(aof_server):
    server = aof_server("everysec")
    c = server.client()
    for name, add in (("hash", lambda p, i: p.hset("big:h", "f%d" % i, i)),
                      ("set", lambda p, i: p.sadd("big:s", "m%d" % i))):
        pipe = c.pipeline(transaction=False)
        for i in range(10000):
            add(pipe, i)
        pipe.execute()
    rewrite(c)
    server.stop()
    path = server.dir / "appendonly.aof"
    records = [args for _, _, args in aof_records(path.read_bytes())]
    names = [args[0].upper() for args in records]
    hsets = [args for args in records if args[0].upper() == b"HSET"]
    sadds = [args for args in records if args[0].upper() == b"SADD"]
    assert len(records) < 400 and set(names) <= {b"SELECT", b"HSET",
                                                 b"SADD"}, why(
        "After 10,000 HSET and 10,000 SADD of one field or member each and "
        "BGREWRITEAOF, the file holds %d records (%r ...)."
        % (len(records), names[:5]),
        "the rewrite writes each hash as HSET key f1 v1 ... f64 v64 and "
        "each set as SADD key m1 ... m64, like Redis (AOF_REWRITE_ITEMS_"
        "PER_CMD is 64)")
    pairs = sum((len(args) - 2) // 2 for args in hsets)
    members = sum(len(args) - 2 for args in sadds)
    assert (pairs, members) == (10000, 10000), why(
        "The rewritten file's HSET records hold %d pairs and its SADD "
        "records %d members, not 10,000 each." % (pairs, members),
        "write every field and member once")
    assert max(len(args) for args in hsets) <= 2 + 2 * 64 and max(
        len(args) for args in sadds) <= 2 + 64, why(
        "A rewritten record holds more than 64 items: %d arguments."
        % max(len(args) for args in hsets + sadds),
        "at most 64 items per command, as Redis, so a loader never needs a "
        "huge argv")
    c = server.start()
    assert (c.hlen("big:h"), c.scard("big:s"), c.hget("big:h", "f9999"),
            c.sismember("big:s", "m9999")) == (10000, 10000, b"9999",
                                               True), why(
        "After the rewrite and a restart: HLEN %r, SCARD %r."
        % (c.hlen("big:h"), c.scard("big:s")),
        "the rewritten file must replay into the same data")


# ---------------------------------------------------------------------------
# Redis 7 loads our file (ours only; needs redis-server)
# ---------------------------------------------------------------------------

def redis_snapshot(process):
    c = redis.Redis(host=process.host, port=process.port, socket_timeout=10)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                c.ping()
                break
            except redis.exceptions.BusyLoadingError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        return snapshot(c)
    except redis.exceptions.RedisError as exc:
        raise AssertionError(why(
            "redis-server failed on our file (%s). Its log:\n%s"
            % (exc, process.log_tail()),
            "write plain RESP commands Redis knows")) from None
    finally:
        c.connection_pool.disconnect()


@pytest.mark.step("12h")
@pytest.mark.project_only
@needs_redis
@pytest.mark.parametrize("rewritten", [False, True],
                         ids=["as-logged", "after-bgrewriteaof"])
def test_redis_loads_our_file_with_every_type(aof_server, server_factory,
                                              tmp_path, rewritten):
    server = aof_server("always")
    c = server.client()
    for write in EVERY_TYPE:
        write(c)
    if rewritten:
        rewrite(c)
        write_transactions(c)   # a MULTI ... EXEC after the rewritten part
        c.hset("h:after", "f", "v")
    before = snapshot(c)
    server.stop()
    where = tmp_path / "for-redis"
    where.mkdir()
    shutil.copy(server.dir / "appendonly.aof", where / "appendonly.aof")
    process = server_factory.start_other(REDIS_AOF_CMD, dir=where)
    compare(before, redis_snapshot(process),
            "redis-server loading our file%s"
            % (" (rewritten)" if rewritten else ""),
            "write commands Redis knows, with Redis's arguments (HSET with "
            "pairs, SADD, PEXPIREAT <ms>, MULTI ... EXEC)")


# ---------------------------------------------------------------------------
# SIGKILL with appendfsync always: nothing acknowledged is lost
# ---------------------------------------------------------------------------

def mix_request(i):
    """Step i of the crash writer: one request (a transaction is one)."""
    kind = i % 4
    if kind == 0:
        return command("HSET", "h", "f:%d" % i, str(i))
    if kind == 1:
        return command("HINCRBY", "h", "counter", "1")
    if kind == 2:
        return command("SADD", "s", str(i))
    # Undo step i - 1 and step i - 3 and add more, all or nothing.
    return b"".join([
        command("MULTI"),
        command("SREM", "s", str(i - 1)),
        command("HDEL", "h", "f:%d" % (i - 3)),
        command("HSET", "h", "last", str(i)),
        command("SADD", "s", "x:%d" % i),
        command("HINCRBY", "h", "counter", "1"),
        command("EXEC")])


REPLIES_PER_STEP = {0: 1, 1: 1, 2: 1, 3: 7}


def mix_model(steps):
    """(hash, set) after the first `steps` steps of mix_request."""
    h, s = {}, set()
    for i in range(steps):
        kind = i % 4
        if kind == 0:
            h[b"f:%d" % i] = b"%d" % i
        elif kind == 1:
            h[b"counter"] = b"%d" % (int(h.get(b"counter", b"0")) + 1)
        elif kind == 2:
            s.add(b"%d" % i)
        else:
            s.discard(b"%d" % (i - 1))
            h.pop(b"f:%d" % (i - 3), None)
            h[b"last"] = b"%d" % i
            s.add(b"x:%d" % i)
            h[b"counter"] = b"%d" % (int(h.get(b"counter", b"0")) + 1)
    return h, s


class MixWriter(threading.Thread):
    """Sends mix_request(0), (1) ... one at a time on a raw socket and
    records each step whose replies all arrived (the last one is EXEC's
    array for a transaction); in_flight: the last step got no full reply."""

    def __init__(self, host, port):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.stop_event = threading.Event()
        self.acked = 0
        self.in_flight = False
        self.error = None

    def read_replies(self, sock, pending, count):
        replies = []
        while len(replies) < count:
            try:
                value, end = parse_reply(pending)
            except IncompleteReply:
                chunk = sock.recv(65536)
                if not chunk:
                    return None, pending
                pending += chunk
                continue
            replies.append(value)
            pending = pending[end:]
        return replies, pending

    def run(self):
        try:
            sock = socket.create_connection((self.host, self.port),
                                            timeout=10)
        except OSError as exc:
            self.error = "could not connect: %s" % exc
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b""
        try:
            while not self.stop_event.is_set():
                i = self.acked
                self.in_flight = True
                sock.sendall(mix_request(i))
                replies, pending = self.read_replies(
                    sock, pending, REPLIES_PER_STEP[i % 4])
                if replies is None:
                    return
                bad = [r for r in replies if isinstance(r, ErrorReply)] or (
                    i % 4 == 3 and not isinstance(replies[-1], list))
                if bad:
                    self.error = "step %d got %r" % (i, replies)
                    return
                self.acked += 1
                self.in_flight = False
        except OSError:
            return
        finally:
            sock.close()


@pytest.mark.step("12h")
def test_sigkill_with_appendfsync_always_loses_no_acknowledged_write(
        server_factory, suite):
    rng = random.Random(SEED)
    for round_ in range(8):
        delay = rng.uniform(0.05, 0.3)
        server = RestartableServer(server_factory,
                                   *aof_on(suite.own_binary, "always"))
        writer = MixWriter(server.process.host, server.process.port)
        writer.start()
        deadline = time.monotonic() + 10
        while writer.acked < 8 and writer.is_alive() and (
                time.monotonic() < deadline):
            time.sleep(0.001)
        sleep_until(time.monotonic() + delay)
        server.stop("kill")
        writer.join(10)
        assert writer.error is None and writer.acked >= 8, why(
            "Round %d: the writer got %d steps through: %s"
            % (round_, writer.acked, writer.error or "no reply"),
            "HSET, HINCRBY, SADD and MULTI ... EXEC work with "
            "appendfsync always")
        c = server.start()
        got = ({k: v for k, v in c.hgetall("h").items()},
               set(c.smembers("s")))
        acked = writer.acked
        possible = [acked] + ([acked + 1] if writer.in_flight else [])
        matches = [n for n in possible if mix_model(n) == got]
        assert matches, why(
            "Round %d (seed %d, SIGKILL %.0f ms in): %d steps (HSET, "
            "HINCRBY, SADD, then a MULTI/EXEC of SREM HDEL HSET SADD "
            "HINCRBY, in turn) were acknowledged%s; after the restart the "
            "hash has %d fields (counter %r, last %r) and the set %d "
            "members, which is no such prefix (expected %d fields, %d "
            "members after %d steps)."
            % (round_, SEED, delay * 1000, acked,
               " and one was in flight" if writer.in_flight else "",
               len(got[0]), got[0].get(b"counter"), got[0].get(b"last"),
               len(got[1]), len(mix_model(acked)[0]),
               len(mix_model(acked)[1]), acked),
            "with appendfsync always, write and fsync a turn's commands "
            "(a transaction's MULTI, commands and EXEC together) before "
            "sending their replies")
        # A passing round is done with: a later failure shows only its
        # own round's logs.
        server.stop()
        server.process.check_stopped_cleanly()
        server_factory.servers[:] = []


# ---------------------------------------------------------------------------
# aof-check on the new types and on transactions (ours only)
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


@pytest.fixture
def every_type_file(aof_server):
    """(bytes, records) of a file holding every type, ending with a
    MULTI ... EXEC of several commands."""
    server = aof_server("always")
    c = server.client()
    for write in EVERY_TYPE:
        write(c)
    pipe = c.pipeline(transaction=True)
    pipe.hset("last:h", "f", "v")
    pipe.sadd("last:s", "a", "b")
    pipe.set("last:k", "v")
    pipe.execute()
    server.stop()
    data = (server.dir / "appendonly.aof").read_bytes()
    records = aof_records(data)
    names = [args[0].upper() for _, _, args in records]
    assert names[-5:] == [b"MULTI", b"HSET", b"SADD", b"SET", b"EXEC"], why(
        "The file should end with MULTI HSET SADD SET EXEC; it ends with %r."
        % names[-5:],
        "log a transaction's writes between MULTI and EXEC")
    return data, records


@pytest.mark.step("12h")
@pytest.mark.project_only
def test_aof_check_accepts_every_type_and_a_transaction(suite, tmp_path,
                                                        every_type_file):
    data, records = every_type_file
    path = tmp_path / "appendonly.aof"
    path.write_bytes(data)
    code, out = aof_check(suite, path)
    kinds = sorted({args[0].upper() for _, _, args in records})
    assert code == 0, why(
        "aof-check on a valid file of %d records (%s) exited %d:\n%s"
        % (len(records), b" ".join(kinds).decode(), code, out),
        "exit 0 when every command parses; MULTI and EXEC are commands "
        "like any other")
    assert path.read_bytes() == data, "aof-check changed a valid file"


@pytest.mark.step("12h")
@pytest.mark.project_only
def test_aof_check_fix_cuts_an_unfinished_transaction_before_its_multi(
        suite, tmp_path, every_type_file, aof_server):
    data, records = every_type_file
    multi_at = records[-5][0]
    exec_at = records[-1][0]
    cuts = {"after MULTI": records[-4][0],
            "inside a queued command": records[-3][0] + 5,
            "after the last queued command": exec_at,
            "inside EXEC": exec_at + 6}
    for where, cut in cuts.items():
        path = tmp_path / ("cut-%d" % cut) / "appendonly.aof"
        path.parent.mkdir()
        path.write_bytes(data[:cut])
        code, out = aof_check(suite, path)
        assert code != 0 and path.read_bytes() == data[:cut], why(
            "aof-check (without --fix) on a file cut %s (byte %d; MULTI at "
            "%d) exited %d and %s the file:\n%s"
            % (where, cut, multi_at, code, "kept" if path.read_bytes() ==
               data[:cut] else "changed", out),
            "a file ending between MULTI and EXEC is incomplete: report "
            "it, exit non-zero, change nothing without --fix")
        code, out = aof_check(suite, path, "--fix")
        assert code == 0 and path.read_bytes() == data[:multi_at], why(
            "aof-check --fix on a file cut %s (byte %d) exited %d and left "
            "%d bytes; it should cut it back to %d, before the MULTI:\n%s"
            % (where, cut, code, path.stat().st_size, multi_at, out),
            "none of an unfinished transaction was acknowledged: drop it "
            "whole (aof_file_end_inside_multi)")
        code, out = aof_check(suite, path)
        assert code == 0, why("The fixed file does not check:\n%s" % out,
                              "the fixed file must be valid")
    server = aof_server("always", dir=path.parent)
    c = server.client()
    got = (c.exists("last:h", "last:s", "last:k"), c.hget("h:small", "a"))
    assert got == (0, b"1"), why(
        "After the fix and a start: %d of the transaction's keys exist, "
        "h:small a is %r." % got,
        "the fixed file replays everything before the MULTI, nothing of "
        "the transaction")


@pytest.mark.step("12h")
@pytest.mark.project_only
def test_our_server_drops_an_unfinished_transaction_at_the_end(
        tmp_path, every_type_file, aof_server):
    data, records = every_type_file
    multi_at, exec_at = records[-5][0], records[-1][0]
    path = tmp_path / "appendonly.aof"
    path.write_bytes(data[:exec_at])
    server = aof_server("always", dir=tmp_path)
    c = server.client()
    got = (c.exists("last:h", "last:s", "last:k"), c.hget("h:small", "a"))
    assert got == (0, b"1"), why(
        "Started on a file ending after MULTI HSET SADD SET (no EXEC): %d "
        "of the transaction's keys exist, h:small a is %r." % got,
        "replay a transaction only when its EXEC is in the file; cut the "
        "file back to before the MULTI, as for a cut last command")
    assert path.stat().st_size == multi_at, why(
        "The file is %d bytes after the start; it should be cut back to "
        "%d, before the MULTI." % (path.stat().st_size, multi_at),
        "truncate to the last complete command outside a transaction")
    c.set("after", "1")
    server.stop()
    assert aof_commands(path.read_bytes())[-1] == [b"SET", b"after",
                                                   b"1"], why(
        "After the cut and a new SET the file does not end with it.",
        "append new writes at the new end")
