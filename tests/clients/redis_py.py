#!/usr/bin/python3
"""redis-py (Debian's python3-redis, RESP2) against a running server.

    /usr/bin/python3 redis_py.py PORT

redis-py sends nothing on connect but SELECT for db and CLIENT SETNAME for
client_name. A connection pool shared by threads, a pipeline, two databases,
and a few commands of every kind the server supports, each reply checked.
Part II: pipeline() as MULTI/EXEC, WATCH (WatchError, transaction()'s
retries, threads contending for one counter), hashes, sets, key and string
commands (through redis-py's methods), and scan_iter, hscan_iter, sscan_iter returning each
key, field or member exactly once; sorted sets (zadd's options, zrange's
byscore/desc/withscores, scores as floats, zunionstore/zinterstore with
weights, zscan_iter), blocking pops (blpop, brpop, blmove, bzpopmin in a
thread, woken by a push from this connection; timeouts; first come first
served; CLIENT UNBLOCK) and pub/sub (PubSub's get_message, listen, ping,
psubscribe, handlers with run_in_thread; PUBSUB CHANNELS/NUMSUB/NUMPAT).
RESP3 is not tried: Debian's redis-py 4.3 has no protocol= option (RESP3
came in redis-py 5.0).
Assumes nothing else writes to the server meanwhile (DBSIZE is checked).
Exit status 1 on any failed check, with one line per failure.
"""

import os
import re
import sys
import threading
import time

import redis

PORT = int(sys.argv[1])
LABEL = "redis-py %s" % redis.__version__
K = "redis-py:%d:%d:" % (os.getpid(), time.time() * 1000)  # new each run

passed = 0
failures = []


def expect(name, got, want):
    global passed
    if got == want:
        passed += 1
    else:
        fail(name, "got %r, want %r" % (got, want))


def expect_that(name, got, test, what):
    global passed
    if test(got):
        passed += 1
    else:
        fail(name, "got %r, want %s" % (got, what))


def expect_error(name, fn, text):
    try:
        got = fn()
    except redis.ResponseError as e:
        expect_that(name, str(e), lambda m: text in m, "an error containing %r" % text)
    else:
        fail(name, "got %r, want an error containing %r" % (got, text))


def expect_call(name, fn, test, what):
    """expect_that on fn()'s value; an error fails this check alone."""
    try:
        got = fn()
    except redis.RedisError as e:
        fail(name, "error %r, want %s" % (str(e), what))
    else:
        expect_that(name, got, test, what)


def fail(name, detail):
    failures.append(name)
    print("FAIL %s: %s: %s" % (LABEL, name, detail), flush=True)


def connection(r):
    is_ = lambda want: (lambda got: got == want)  # noqa: E731
    expect_call("PING", r.ping, is_(True), "True")
    expect_call("ECHO", lambda: r.echo("hi"), is_(b"hi"), "b'hi'")
    expect_call("CLIENT SETNAME", lambda: r.client_setname("renamed"), is_(True), "True")
    expect_call("CLIENT ID", r.client_id, lambda i: isinstance(i, int) and i > 0,
                "a positive integer")
    expect_call("INFO parsed", r.info, lambda d: isinstance(d, dict) and "redis_version" in d,
                "a dict with redis_version")
    expect_call("INFO loading:0 (or none)", lambda: r.info().get("loading", 0),
                is_(0), "0")


def strings(r):
    expect("SET", r.set(K + "s", "hello"), True)
    expect("GET", r.get(K + "s"), b"hello")
    expect("GET missing", r.get(K + "missing"), None)
    expect("SET NX on an existing key", r.set(K + "s", "x", nx=True), None)
    expect("SET XX GET", r.set(K + "s", "world", xx=True, get=True), b"hello")
    expect("APPEND", r.append(K + "s", "!"), 6)
    expect("STRLEN", r.strlen(K + "s"), 6)
    expect("INCR new key", r.incr(K + "n"), 1)
    expect("INCRBY", r.incrby(K + "n", 41), 42)
    expect("DECR", r.decr(K + "n"), 41)
    expect("DECRBY", r.decrby(K + "n", 1), 40)
    expect_error("INCR of a non-integer", lambda: r.incr(K + "s"),
                 "value is not an integer or out of range")
    expect("MSET", r.mset({K + "a": "1", K + "b": "2"}), True)
    expect("MGET", r.mget([K + "a", K + "b", K + "missing"]), [b"1", b"2", None])
    binary = bytes([0, 1, 2, 255, 13, 10])
    r.set(K + "bin", binary)
    expect("binary-safe GET", r.get(K + "bin"), binary)


def expiry(r):
    r.set(K + "e", "v")
    expect("TTL without expiry", r.ttl(K + "e"), -1)
    expect("EXPIRE", r.expire(K + "e", 100), True)
    expect_that("TTL", r.ttl(K + "e"), lambda t: 90 < t <= 100, "between 91 and 100")
    expect_that("PTTL", r.pttl(K + "e"), lambda t: 90000 < t <= 100000, "between 90001 and 100000")
    expect("PERSIST", r.persist(K + "e"), True)
    expect("TTL after PERSIST", r.ttl(K + "e"), -1)
    expect("TTL of a missing key", r.ttl(K + "missing"), -2)
    expect("SET EX", r.set(K + "ex", "v", ex=50), True)
    expect_that("TTL after SET EX", r.ttl(K + "ex"), lambda t: 40 < t <= 50, "between 41 and 50")
    expect("SET PX", r.set(K + "short", "v", px=100), True)
    time.sleep(0.25)
    expect("GET after PX expired", r.get(K + "short"), None)
    expect("EXISTS after PX expired", r.exists(K + "short"), 0)


def lists(r):
    expect("RPUSH", r.rpush(K + "l", "b", "c"), 2)
    expect("LPUSH", r.lpush(K + "l", "a"), 3)
    expect("LRANGE", r.lrange(K + "l", 0, -1), [b"a", b"b", b"c"])
    expect("LLEN", r.llen(K + "l"), 3)
    expect("LINDEX", r.lindex(K + "l", -1), b"c")
    expect("LPOP", r.lpop(K + "l"), b"a")
    expect("RPOP", r.rpop(K + "l"), b"c")
    expect("LPOP with count", r.lpop(K + "l", 5), [b"b"])
    expect("LLEN of an emptied list", r.llen(K + "l"), 0)
    expect("TYPE", r.type(K + "a"), b"string")
    r.rpush(K + "l2", "x")
    expect("TYPE list", r.type(K + "l2"), b"list")
    expect_error("GET of a list", lambda: r.get(K + "l2"), "WRONGTYPE")


def keys(r):
    before = r.dbsize()
    r.mset({K + "k1": "1", K + "k2": "2", K + "k3": "3"})
    expect("DBSIZE grows by 3", r.dbsize(), before + 3)
    expect("EXISTS", r.exists(K + "k1", K + "k2", K + "none"), 2)
    expect("KEYS", sorted(r.keys(K + "k*")), [(K + k).encode() for k in ("k1", "k2", "k3")])
    expect("DEL", r.delete(K + "k1", K + "k2", K + "k3", K + "none"), 3)


def transactions(r):
    # pipeline() is transaction=True by default: MULTI, the commands, EXEC
    # in one write; the replies are EXEC's array.
    p = r.pipeline()
    p.set(K + "t", "10").incr(K + "t").get(K + "t").hset(K + "th", "f", "v").hgetall(K + "th")
    expect("MULTI/EXEC pipeline replies", p.execute(), [True, 11, b"11", 1, {b"f": b"v"}])
    # A command that fails inside EXEC leaves the others done (no rollback).
    p = r.pipeline()
    p.set(K + "t2", "a").incr(K + "t2").set(K + "t3", "b")
    replies = p.execute(raise_on_error=False)
    shown = [type(v).__name__ + ":" + str(v).split(" ")[0] if isinstance(v, Exception) else v
             for v in replies]
    expect("EXEC with a failing INCR", shown, [True, "ResponseError:value", True])
    expect("the SET after the failing INCR ran", r.get(K + "t3"), b"b")
    # A command refused while queued (wrong arity) aborts the whole EXEC.
    p = r.pipeline()
    p.set(K + "t4", "a").lpush(K + "t4l")  # LPUSH without an element
    try:
        got = p.execute()
    except redis.ResponseError as e:
        expect_that("EXEC after a refused command", str(e),
                    lambda m: "wrong number of arguments for 'lpush' command" in m,
                    "an error about LPUSH's arguments")
    else:
        fail("EXEC after a refused command", "got %r, want a ResponseError" % (got,))
    expect("nothing of an aborted transaction ran", r.exists(K + "t4"), 0)

    # WATCH, a change by another connection, then EXEC: WatchError, and the
    # other connection's value stays.
    other = redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=10)
    with r.pipeline() as p:
        p.watch(K + "w")
        expect("GET while watching (immediate)", p.get(K + "w"), None)
        other.set(K + "w", "theirs")
        p.multi()
        p.set(K + "w", "mine")
        try:
            got = p.execute()
        except redis.WatchError:
            expect("EXEC after a watched key changed: WatchError", True, True)
        else:
            fail("EXEC after a watched key changed", "got %r, want WatchError" % (got,))
    expect("the watched key keeps the other's value", r.get(K + "w"), b"theirs")
    # UNWATCH: a later change no longer aborts EXEC.
    with r.pipeline() as p:
        p.watch(K + "w")
        p.unwatch()
        other.set(K + "w", "theirs again")
        p.multi()
        p.set(K + "w", "mine")
        expect("EXEC after UNWATCH", p.execute(), [True])
    expect("GET after that EXEC", r.get(K + "w"), b"mine")

    # transaction(): WATCH, func, EXEC; retried on WatchError. The first
    # call of func is disturbed by another connection, so it runs twice.
    calls = []

    def add_one(pipe):
        calls.append(1)
        value = int(pipe.get(K + "tx") or 0)
        if len(calls) == 1:
            other.incrby(K + "tx", 100)
        pipe.multi()
        pipe.set(K + "tx", value + 1)

    expect("transaction() result", r.transaction(add_one, K + "tx"), [True])
    expect("transaction() retried once after a WatchError", len(calls), 2)
    expect("transaction() read the other's write", r.get(K + "tx"), b"101")
    other.close()

    # Four threads, each 50 read-modify-write transactions on one counter:
    # WATCH must make every lost update a retry.
    pool = redis.ConnectionPool(host="127.0.0.1", port=PORT, max_connections=4,
                                socket_timeout=10)
    shared = redis.Redis(connection_pool=pool)
    errors = []

    def bump(pipe):
        value = int(pipe.get(K + "contended") or 0)
        pipe.multi()
        pipe.set(K + "contended", value + 1)

    def work():
        try:
            for _ in range(50):
                shared.transaction(bump, K + "contended")
        except Exception as e:  # reported below, after the join
            errors.append(repr(e))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect("errors from the transaction threads", errors, [])
    expect("200 WATCHed increments from 4 threads", r.get(K + "contended"), b"200")
    pool.disconnect()


# Past 512 entries (hash-max-listpack-entries 128, set-max-intset-entries
# 512) a hash or a set is a hash table, which HSCAN and SSCAN walk by cursor.
BIG = 600


def hashes(r):
    h = K + "h"
    expect("HSET mapping=", r.hset(h, mapping={"a": "1", "b": "2", "c": "x"}), 3)
    expect("HSET key value (an update)", r.hset(h, "a", "10"), 0)
    expect("HGET", r.hget(h, "a"), b"10")
    expect("HGET missing field", r.hget(h, "zz"), None)
    expect("HGETALL", r.hgetall(h), {b"a": b"10", b"b": b"2", b"c": b"x"})
    expect("HGETALL of a missing key", r.hgetall(K + "nohash"), {})
    expect("HINCRBY", r.hincrby(h, "b", 40), 42)
    expect("HINCRBYFLOAT", r.hincrbyfloat(h, "f", 1.5), 1.5)
    expect_error("HINCRBY of a non-integer", lambda: r.hincrby(h, "c", 1),
                 "hash value is not an integer")
    expect("HMGET", r.hmget(h, ["a", "zz", "b"]), [b"10", None, b"42"])
    expect("HEXISTS", r.hexists(h, "c"), True)
    expect("HSETNX on an existing field", r.hsetnx(h, "c", "y"), False)
    expect("HSTRLEN", r.hstrlen(h, "b"), 2)
    expect("HLEN", r.hlen(h), 4)
    expect("HKEYS", sorted(r.hkeys(h)), [b"a", b"b", b"c", b"f"])
    expect("HVALS", sorted(r.hvals(h)), [b"1.5", b"10", b"42", b"x"])
    expect_that("HRANDFIELD", r.hrandfield(h), lambda f: f in (b"a", b"b", b"c", b"f"),
                "one of the fields")
    expect("HDEL", r.hdel(h, "a", "zz"), 1)
    expect("TYPE hash", r.type(h), b"hash")
    expect("OBJECT ENCODING of a small hash", r.object("encoding", h), b"listpack")
    expect("HDEL of every field", r.hdel(h, "b", "c", "f"), 3)
    expect("the emptied hash is deleted", r.exists(h), 0)
    expect_error("HGET of a string", lambda: r.hget(K + "s", "f"), "WRONGTYPE")

    big = K + "bighash"
    want = {("field:%d" % i).encode(): ("value:%d" % i).encode() for i in range(BIG)}
    expect("HSET of %d fields" % BIG, r.hset(big, mapping=want), BIG)
    expect("OBJECT ENCODING of a big hash", r.object("encoding", big), b"hashtable")
    got = list(r.hscan_iter(big, count=50))
    expect("hscan_iter: every field once", len(got), len(dict(got)))
    expect("hscan_iter: fields and values", dict(got), want)
    matched = {f for f, _ in r.hscan_iter(big, match="field:1*", count=50)}
    expect("hscan_iter match=", matched, {f for f in want if f.startswith(b"field:1")})


def sets(r):
    s = K + "set"
    expect("SADD", r.sadd(s, "a", "b", "c", "a"), 3)
    expect("SADD of a member already in", r.sadd(s, "b"), 0)
    expect("SMEMBERS", r.smembers(s), {b"a", b"b", b"c"})
    expect("SISMEMBER", r.sismember(s, "a"), True)
    expect("SMISMEMBER", r.smismember(s, ["a", "z"]), [True, False])
    expect("SCARD", r.scard(s), 3)
    r.sadd(K + "set2", "b", "c", "d")
    expect("SINTER", r.sinter(s, K + "set2"), {b"b", b"c"})
    expect("SUNION", r.sunion(s, K + "set2"), {b"a", b"b", b"c", b"d"})
    expect("SDIFF", r.sdiff(s, K + "set2"), {b"a"})
    expect("SINTERSTORE", r.sinterstore(K + "set3", [s, K + "set2"]), 2)
    expect("SMEMBERS of the stored set", r.smembers(K + "set3"), {b"b", b"c"})
    expect("SINTER with a missing key", r.sinter(s, K + "noset"), set())
    expect("SMOVE", r.smove(s, K + "set2", "a"), True)
    expect_that("SRANDMEMBER", r.srandmember(s), lambda m: m in (b"b", b"c"), "b or c")
    popped = r.spop(s)
    expect_that("SPOP", popped, lambda m: m in (b"b", b"c"), "b or c")
    expect("SPOP with a count of more than there is", r.spop(s, 5), list({b"b", b"c"} - {popped}))
    expect("the emptied set is deleted", r.exists(s), 0)
    expect("SPOP of a missing key", r.spop(s), None)
    expect("SREM", r.srem(K + "set2", "a", "z"), 1)
    expect("TYPE set", r.type(K + "set2"), b"set")
    r.sadd(K + "ints", 1, 2, 3)
    expect("OBJECT ENCODING of a small set of integers", r.object("encoding", K + "ints"), b"intset")
    expect_error("SADD to a string", lambda: r.sadd(K + "s", "x"), "WRONGTYPE")

    for name, members in (("integers", [str(i).encode() for i in range(BIG)]),
                          ("strings", [("m:%d" % i).encode() for i in range(BIG)])):
        big = K + "bigset:" + name
        expect("SADD of %d %s" % (BIG, name), r.sadd(big, *members), BIG)
        expect("OBJECT ENCODING of a big set of " + name, r.object("encoding", big), b"hashtable")
        got = list(r.sscan_iter(big, count=50))
        expect("sscan_iter over %s: every member once" % name, len(got), len(set(got)))
        expect("sscan_iter over %s: the members" % name, set(got), set(members))
        expect("SPOP 10 of " + name, len(set(r.spop(big, 10))), 10)
        expect("SCARD after SPOP 10 of " + name, r.scard(big), BIG - 10)


SCAN_KEYS = 5000


def scan(r):
    written = {("%sscan:%d" % (K, i)).encode() for i in range(SCAN_KEYS)}
    p = r.pipeline(transaction=False)
    for key in written:
        p.set(key, "v")
    p.execute()
    got = list(r.scan_iter(match=K + "scan:*", count=100))
    expect("scan_iter: no key twice", len(got) - len(set(got)), 0)
    expect("scan_iter: no key missed", len(written - set(got)), 0)
    expect("scan_iter: no other key", sorted(set(got) - written), [])
    expect("scan_iter: %d keys" % SCAN_KEYS, len(got), SCAN_KEYS)
    r.sadd(K + "scan-set", "m")
    r.hset(K + "scan-hash", "f", "v")
    expect("scan_iter _type=set", list(r.scan_iter(match=K + "scan-*", _type="set")),
           [(K + "scan-set").encode()])
    expect("scan_iter of a pattern no key matches", list(r.scan_iter(match=K + "none:*")), [])


def strings_more(r):
    expect("SETEX", r.setex(K + "sx", 100, "v"), True)
    expect_that("TTL after SETEX", r.ttl(K + "sx"), lambda t: 90 < t <= 100, "between 91 and 100")
    expect("PSETEX", r.psetex(K + "psx", 100000, "v"), True)
    expect_error("SETEX with a negative time", lambda: r.setex(K + "sx", -1, "v"),
                 "invalid expire time in 'setex' command")
    expect("GETDEL", r.getdel(K + "sx"), b"v")
    expect("GETDEL of the deleted key", r.getdel(K + "sx"), None)
    expect("GETEX ex=", r.getex(K + "psx", ex=50), b"v")
    expect_that("TTL after GETEX", r.ttl(K + "psx"), lambda t: 40 < t <= 50, "between 41 and 50")
    expect("GETEX persist=True", r.getex(K + "psx", persist=True), b"v")
    expect("TTL after GETEX PERSIST", r.ttl(K + "psx"), -1)
    expect("SETNX on an existing key", r.setnx(K + "psx", "x"), False)
    expect("GETSET", r.getset(K + "psx", "w"), b"v")
    expect("INCRBYFLOAT", r.incrbyfloat(K + "fl", 10.5), 10.5)
    expect("INCRBYFLOAT by 0.1", r.incrbyfloat(K + "fl", 0.1), 10.6)
    expect("GET of the float", r.get(K + "fl"), b"10.6")
    expect_error("INCRBYFLOAT of a non-float", lambda: r.incrbyfloat(K + "s", 1),
                 "value is not a valid float")
    expect("MSETNX with a key that exists", r.msetnx({K + "new": "1", K + "psx": "2"}), False)
    expect("SETRANGE", r.setrange(K + "rng", 6, "world"), 11)
    expect("GETRANGE", r.getrange(K + "rng", 6, -1), b"world")
    expect("GET of a SETRANGE past the end (zero bytes)", r.get(K + "rng"), b"\0" * 6 + b"world")
    expect("SETBIT", r.setbit(K + "bits", 7, 1), 0)
    expect("SETBIT again", r.setbit(K + "bits", 7, 1), 1)
    expect("GETBIT", r.getbit(K + "bits", 7), 1)
    expect("GETBIT past the end", r.getbit(K + "bits", 1000), 0)
    expect("GET of the bits", r.get(K + "bits"), b"\x01")
    r.set(K + "bc", "foobar")
    expect("BITCOUNT", r.bitcount(K + "bc"), 26)
    expect("BITCOUNT 1 1", r.bitcount(K + "bc", 1, 1), 6)
    expect("BITPOS", r.bitpos(K + "bits", 1), 7)
    expect("BITOP AND", r.bitop("AND", K + "band", K + "bc", K + "bits"), 6)
    expect("BITFIELD", r.bitfield(K + "bf").set("u8", 0, 255).get("u4", 0).incrby("u8", 0, 1).execute(),
           [0, 15, 0])


def keys_more(r):
    r.set(K + "src", "v")
    expect("RENAME", r.rename(K + "src", K + "dst"), True)
    expect("GET of the renamed key", r.get(K + "dst"), b"v")
    expect("EXISTS of the old name", r.exists(K + "src"), 0)
    expect_error("RENAME of a missing key", lambda: r.rename(K + "src", K + "x"), "no such key")
    r.set(K + "other", "o")
    expect("RENAMENX onto an existing key", r.renamenx(K + "dst", K + "other"), False)
    expect("COPY", r.copy(K + "dst", K + "copy"), True)
    expect("COPY onto an existing key", r.copy(K + "dst", K + "other"), False)
    expect("COPY replace=True", r.copy(K + "dst", K + "other", replace=True), True)
    expect("GET of the replaced key", r.get(K + "other"), b"v")
    r.sadd(K + "cset", "a", "b")
    r.copy(K + "cset", K + "cset2")
    r.sadd(K + "cset2", "c")
    expect("a COPY is a copy", r.smembers(K + "cset"), {b"a", b"b"})
    expect("UNLINK", r.unlink(K + "copy", K + "cset2", K + "none"), 2)
    r.set(K + "num", "12345")
    expect("OBJECT ENCODING int", r.object("encoding", K + "num"), b"int")
    expect("OBJECT ENCODING embstr", r.object("encoding", K + "dst"), b"embstr")
    expect("OBJECT ENCODING of a missing key", r.object("encoding", K + "none"), None)
    expect("TOUCH", r.touch(K + "dst", K + "none"), 1)
    expect_that("RANDOMKEY", r.randomkey(), lambda k: k is not None, "a key")


def pipeline(r):
    # transaction=False: the commands go out in one write, without MULTI/EXEC.
    p = r.pipeline(transaction=False)
    p.set(K + "p", "10").incr(K + "p").get(K + "p")
    p.rpush(K + "pl", "x", "y").lrange(K + "pl", 0, -1).incr(K + "pl")
    replies = p.execute(raise_on_error=False)
    shown = [type(v).__name__ + ":" + str(v).split(" ")[0] if isinstance(v, Exception) else v
             for v in replies]
    expect("pipeline replies", shown, [True, 11, b"11", 2, [b"x", b"y"], "ResponseError:WRONGTYPE"])

    p = r.pipeline(transaction=False)
    for _ in range(1000):
        p.incr(K + "count")
    expect("1000 pipelined INCRs", p.execute()[-1], 1000)


def pool_threads(pool):
    """4 threads share a pool of at most 4 connections; 1000 INCRs in all."""
    r = redis.Redis(connection_pool=pool)
    errors = []

    def work():
        try:
            for _ in range(250):
                r.incr(K + "threads")
        except Exception as e:  # reported below, after the join
            errors.append(repr(e))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect("errors from the threads", errors, [])
    expect("INCRs from 4 threads", r.get(K + "threads"), b"1000")
    expect_that("connections the pool made", len(pool._available_connections),
                lambda n: 1 <= n <= 4, "1 to 4")


def databases(r0):
    r9 = redis.Redis(host="127.0.0.1", port=PORT, db=9, client_name="workshop-redis-py-db9",
                     socket_timeout=10)
    before = r9.dbsize()
    r0.set(K + "db", "zero")
    expect("SET in db 9", r9.set(K + "db", "nine"), True)
    expect("GET in db 0", r0.get(K + "db"), b"zero")
    expect("GET in db 9", r9.get(K + "db"), b"nine")
    r9.rpush(K + "db9list", "only-in-9")
    expect("EXISTS in db 0 of a db 9 key", r0.exists(K + "db9list"), 0)
    expect("DBSIZE of db 9 grows by 2", r9.dbsize(), before + 2)
    # A single connection, so that SELECT stays in force for what follows.
    c = r9.connection_pool.get_connection("SELECT")
    try:
        c.send_command("SELECT", 3)
        expect("SELECT 3", c.read_response(), b"OK")
        c.send_command("GET", K + "db")
        expect("GET in db 3", c.read_response(), None)
        c.send_command("SELECT", 16)
        expect_error("SELECT out of range", c.read_response, "DB index is out of range")
        c.send_command("SELECT", 9)
        expect("SELECT 9 again", c.read_response(), b"OK")
        c.send_command("GET", K + "db")
        expect("GET in db 9 again", c.read_response(), b"nine")
    finally:
        r9.connection_pool.release(c)
    r9.close()


# Past 128 members (zset-max-listpack-entries) a sorted set is a skip list
# with a hash table beside it, which ZSCAN walks by cursor.
def zsets(r):
    z = K + "z"
    expect("ZADD", r.zadd(z, {"a": 1, "b": 2, "c": 3}), 3)
    expect("ZADD nx=True of a member already in", r.zadd(z, {"a": 5}, nx=True), 0)
    expect("ZSCORE after ZADD NX", r.zscore(z, "a"), 1.0)
    expect("ZADD xx=True ch=True (one changed, one not added)",
           r.zadd(z, {"a": 0.5, "d": 4}, xx=True, ch=True), 1)
    expect("ZSCORE of a member ZADD XX did not add", r.zscore(z, "d"), None)
    expect("ZADD gt=True ch=True with a lower score", r.zadd(z, {"b": 1}, gt=True, ch=True), 0)
    expect("ZADD gt=True ch=True with a higher score", r.zadd(z, {"b": 2.5}, gt=True, ch=True), 1)
    expect("ZADD incr=True (the new score, a float)", r.zadd(z, {"c": 10}, incr=True), 13.0)
    expect("ZADD nx=True incr=True of a member already in", r.zadd(z, {"c": 1}, nx=True, incr=True),
           None)
    expect_error("ZADD of a score that is not a float", lambda: r.zadd(z, {"x": "abc"}),
                 "value is not a valid float")
    expect("ZSCORE is a float", r.zscore(z, "a"), 0.5)
    expect("ZSCORE of a missing member", r.zscore(z, "zz"), None)
    expect("ZRANGE withscores=True", r.zrange(z, 0, -1, withscores=True),
           [(b"a", 0.5), (b"b", 2.5), (b"c", 13.0)])
    expect("ZRANGE desc=True", r.zrange(z, 0, 0, desc=True), [b"c"])
    expect("ZRANGE byscore=True", r.zrange(z, 1, 13, byscore=True), [b"b", b"c"])
    expect("ZRANGE byscore=True desc=True (max first, exclusive)",
           r.zrange(z, "(13", "-inf", byscore=True, desc=True), [b"b", b"a"])
    expect("ZRANGE byscore=True offset=1 num=1", r.zrange(z, "-inf", "+inf", byscore=True,
                                                         offset=1, num=1), [b"b"])
    expect("ZRANGEBYSCORE withscores=True", r.zrangebyscore(z, 1, "+inf", withscores=True),
           [(b"b", 2.5), (b"c", 13.0)])
    expect("ZRANGEBYSCORE start=0 num=2", r.zrangebyscore(z, "-inf", "+inf", start=0, num=2),
           [b"a", b"b"])
    expect("ZREVRANGEBYSCORE", r.zrevrangebyscore(z, "+inf", "(0.5"), [b"c", b"b"])
    expect("ZRANK", r.zrank(z, "c"), 2)
    expect("ZREVRANK", r.zrevrank(z, "c"), 0)
    expect("ZRANK of a missing member", r.zrank(z, "zz"), None)
    expect("ZCARD", r.zcard(z), 3)
    expect("ZCOUNT (0.5, 13]", r.zcount(z, "(0.5", 13), 2)
    expect("ZMSCORE", r.zmscore(z, ["a", "zz", "c"]), [0.5, None, 13.0])
    expect("ZINCRBY of a new member", r.zincrby(z, 0.2, "f"), 0.2)
    # 0.2 + 0.1 is 0.30000000000000004 in binary floating point: Redis
    # prints the 17 digits that read back as the same double.
    expect("ZINCRBY 0.1 (the nearest double, printed exactly)", r.zincrby(z, 0.1, "f"), 0.2 + 0.1)
    expect("ZSCORE after ZINCRBY", r.zscore(z, "f"), 0.30000000000000004)
    expect("ZADD +inf", r.zadd(z, {"top": float("inf")}), 1)
    expect("ZSCORE of +inf", r.zscore(z, "top"), float("inf"))
    expect("ZRANGE -1 -1 withscores=True", r.zrange(z, -1, -1, withscores=True),
           [(b"top", float("inf"))])
    expect("ZPOPMIN", r.zpopmin(z), [(b"f", 0.30000000000000004)])
    expect("ZPOPMIN 2", r.zpopmin(z, 2), [(b"a", 0.5), (b"b", 2.5)])
    expect("ZREM", r.zrem(z, "c", "zz"), 1)
    expect("TYPE zset", r.type(z), b"zset")
    expect("OBJECT ENCODING of a small sorted set", r.object("encoding", z), b"listpack")
    expect("ZPOPMIN of the last member", r.zpopmin(z), [(b"top", float("inf"))])
    expect("the emptied sorted set is deleted", r.exists(z), 0)
    expect("ZPOPMIN of a missing key", r.zpopmin(z), [])
    expect_error("ZADD to a string", lambda: r.zadd(K + "s", {"x": 1}), "WRONGTYPE")

    r.zadd(K + "z1", {"a": 1, "b": 2, "c": 3})
    r.zadd(K + "z2", {"b": 10, "c": 20, "d": 30})
    expect("ZUNIONSTORE with weights", r.zunionstore(K + "zu", {K + "z1": 2, K + "z2": 3}), 4)
    expect("ZRANGE of the union", r.zrange(K + "zu", 0, -1, withscores=True),
           [(b"a", 2.0), (b"b", 34.0), (b"c", 66.0), (b"d", 90.0)])
    expect("ZINTERSTORE with weights, aggregate MAX",
           r.zinterstore(K + "zi", {K + "z1": 100, K + "z2": 1}, aggregate="MAX"), 2)
    expect("ZRANGE of the intersection", r.zrange(K + "zi", 0, -1, withscores=True),
           [(b"b", 200.0), (b"c", 300.0)])
    expect("ZINTERSTORE with a missing key (deletes the destination)",
           r.zinterstore(K + "zi", [K + "z1", K + "nozset"]), 0)
    expect("EXISTS of the empty intersection", r.exists(K + "zi"), 0)

    big = K + "bigzset"
    want = {("m:%d" % i).encode(): i / 4 for i in range(BIG)}
    expect("ZADD of %d members" % BIG, r.zadd(big, want), BIG)
    expect("OBJECT ENCODING of a big sorted set", r.object("encoding", big), b"skiplist")
    expect("ZRANGE 0 2 of the big sorted set", r.zrange(big, 0, 2), [b"m:0", b"m:1", b"m:2"])
    expect("ZRANK in the big sorted set", r.zrank(big, "m:599"), BIG - 1)
    got = list(r.zscan_iter(big, count=50))
    expect("zscan_iter: every member once", len(got), len(dict(got)))
    expect("zscan_iter: members and scores", dict(got), want)
    matched = {m for m, _ in r.zscan_iter(big, match="m:1*", count=50)}
    expect("zscan_iter match=", matched, {m for m in want if m.startswith(b"m:1")})


class Blocked:
    """call (a blocking command on a connection of its own) in a thread:
    .result is its value or the exception it raised, .ms how long it took."""

    def __init__(self, call):
        self.result = None
        self.ms = None
        self.thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self.start = time.monotonic()
        self.thread.start()

    def _run(self, call):
        try:
            self.result = call()
        except Exception as e:  # shown by the check that reads .result
            self.result = e
        self.ms = (time.monotonic() - self.start) * 1000

    def still_blocked(self):
        return self.thread.is_alive()

    def wait(self, seconds=3):
        self.thread.join(seconds)
        return "still blocked after %d s" % seconds if self.thread.is_alive() else self.result


def timeout_point_one(name, call):
    """A timeout of 0.1 s: None, after about 100 ms (Redis checks timeouts
    about ten times a second, so up to ~200 ms)."""
    blocked = Blocked(call)
    expect("%s with timeout 0.1 on a missing key" % name, blocked.wait(), None)
    expect_that("%s with timeout 0.1: how long it waited" % name, blocked.ms,
                lambda ms: ms is not None and 90 <= ms < 1500, "90 to 1500 ms")


def blocking(r):
    def conn():
        return redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=5)

    waiters = [conn() for _ in range(2)]
    b, b2 = waiters
    r.rpush(K + "ready", "now")
    expect("BLPOP of a list that has elements: at once", b.blpop(K + "ready", timeout=1),
           (K.encode() + b"ready", b"now"))
    # BLPOP on two keys; RPUSH to the second after 100 ms wakes it.
    blocked = Blocked(lambda: b.blpop([K + "bl1", K + "bl2"], timeout=2))
    time.sleep(0.1)
    expect("BLPOP on empty lists: still blocked after 100 ms", blocked.still_blocked(), True)
    expect("RPUSH to a key a client waits on", r.rpush(K + "bl2", "x"), 1)
    expect("BLPOP woken by another connection's RPUSH", blocked.wait(), (K.encode() + b"bl2", b"x"))
    expect_that("BLPOP returned after the push", blocked.ms, lambda ms: ms is not None and ms >= 90,
                "at least 90 ms")
    expect("the element BLPOP took is gone", r.exists(K + "bl2"), 0)

    blocked = Blocked(lambda: b.brpop(K + "br", timeout=2))
    time.sleep(0.1)
    r.rpush(K + "br", "a", "b")
    expect("BRPOP woken by RPUSH of two (takes the last)", blocked.wait(), (K.encode() + b"br", b"b"))
    expect("LRANGE of what BRPOP left", r.lrange(K + "br", 0, -1), [b"a"])

    blocked = Blocked(lambda: b.blmove(K + "blsrc", K + "bldst", 2, "RIGHT", "LEFT"))
    time.sleep(0.1)
    r.lpush(K + "blsrc", "moved")
    expect("BLMOVE woken by LPUSH", blocked.wait(), b"moved")
    expect("LRANGE of BLMOVE's destination", r.lrange(K + "bldst", 0, -1), [b"moved"])
    expect("BLMOVE's source is deleted", r.exists(K + "blsrc"), 0)

    # Two clients blocked on one key are served first come, first served.
    first = Blocked(lambda: b.blpop(K + "fifo", timeout=2))
    time.sleep(0.05)
    second = Blocked(lambda: b2.blpop(K + "fifo", timeout=2))
    time.sleep(0.05)
    r.rpush(K + "fifo", "one")
    expect("the client blocked first gets the first element", first.wait(),
           (K.encode() + b"fifo", b"one"))
    expect("the client blocked second still waits", second.still_blocked(), True)
    r.rpush(K + "fifo", "two")
    expect("the client blocked second gets the next element", second.wait(),
           (K.encode() + b"fifo", b"two"))

    timeout_point_one("BLPOP", lambda: b.blpop(K + "none", timeout=0.1))

    # CLIENT UNBLOCK wakes a blocked client as if its timeout had passed.
    blocked_id = b.client_id()
    blocked = Blocked(lambda: b.blpop(K + "unblock", timeout=3))
    time.sleep(0.1)
    expect("CLIENT UNBLOCK of a blocked client", r.client_unblock(blocked_id), True)
    expect("BLPOP after CLIENT UNBLOCK", blocked.wait(), None)
    expect("CLIENT UNBLOCK of a client not blocked", r.client_unblock(blocked_id), False)

    # BZPOPMIN last: it needs sorted sets too.
    r.zadd(K + "bzready", {"x": 1})
    expect("BZPOPMIN of a sorted set that has members: at once", b.bzpopmin(K + "bzready", timeout=1),
           (K.encode() + b"bzready", b"x", 1.0))
    blocked = Blocked(lambda: b.bzpopmin(K + "bz", timeout=2))
    time.sleep(0.1)
    r.zadd(K + "bz", {"m": 1.5, "n": 0.5})
    expect("BZPOPMIN woken by ZADD (the lowest score, a float)", blocked.wait(),
           (K.encode() + b"bz", b"n", 0.5))
    expect("ZRANGE of what BZPOPMIN left", r.zrange(K + "bz", 0, -1), [b"m"])

    timeout_point_one("BZPOPMIN", lambda: b.bzpopmin(K + "none", timeout=0.1))
    for w in waiters:
        w.close()


MESSAGES = 20


def pubsub(r):
    ch, ch2, news = K + "chan", K + "chan2", K + "news."
    sub = redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=3)
    p = sub.pubsub()
    try:
        p.subscribe(ch, ch2)
        expect("SUBSCRIBE of two channels: confirmations",
               [p.get_message(timeout=1) for _ in range(2)],
               [{"type": "subscribe", "pattern": None, "channel": c.encode(), "data": n}
                for n, c in ((1, ch), (2, ch2))])
        published = [r.publish(ch, "m%d" % i) for i in range(MESSAGES)]
        expect("PUBLISH: one receiver each", published, [1] * MESSAGES)
        got = [p.get_message(timeout=1) for _ in range(MESSAGES)]
        expect("get_message: %d messages in order" % MESSAGES,
               [(m["type"], m["channel"], m["data"]) if m else None for m in got],
               [("message", ch.encode(), b"m%d" % i) for i in range(MESSAGES)])
        expect("get_message with nothing published", p.get_message(timeout=0.1), None)
        binary = bytes([0, 1, 13, 10, 255]) + b"*1\r\n"
        r.publish(ch2, binary)
        r.publish(ch2, "after")
        listened = p.listen()
        expect("listen(): a binary message", next(listened),
               {"type": "message", "pattern": None, "channel": ch2.encode(), "data": binary})
        expect("listen(): the next", next(listened).get("data"), b"after")
        # PING while subscribed answers ["pong", ""] (RESP2) as a message.
        p.ping()
        expect("PING while subscribed", p.get_message(timeout=1),
               {"type": "pong", "pattern": None, "channel": None, "data": b""})

        p.unsubscribe(ch)
        expect("UNSUBSCRIBE of one channel", p.get_message(timeout=1),
               {"type": "unsubscribe", "pattern": None, "channel": ch.encode(), "data": 1})
        expect("PUBLISH to the channel left", r.publish(ch, "lost"), 0)
        p.psubscribe(news + "*")
        expect("PSUBSCRIBE", p.get_message(timeout=1),
               {"type": "psubscribe", "pattern": None, "channel": (news + "*").encode(), "data": 2})
        expect("PUBLISH to a channel the pattern matches", r.publish(news + "sport", "goal"), 1)
        expect("get_message of a pmessage", p.get_message(timeout=1),
               {"type": "pmessage", "pattern": (news + "*").encode(),
                "channel": (news + "sport").encode(), "data": b"goal"})
        p.subscribe(news + "sport")
        p.get_message(timeout=1)
        expect("PUBLISH to a channel subscribed and matched: two receivers",
               r.publish(news + "sport", "again"), 2)
        got = [p.get_message(timeout=1) for _ in range(2)]
        expect("a message and a pmessage for one PUBLISH",
               sorted((m["type"], m["data"]) for m in got if m),
               [("message", b"again"), ("pmessage", b"again")])
        expect("PUBSUB CHANNELS", sorted(r.pubsub_channels(K + "*")),
               sorted([ch2.encode(), (news + "sport").encode()]))
        expect("PUBSUB NUMSUB", r.pubsub_numsub(ch2, ch), [(ch2.encode(), 1), (ch.encode(), 0)])
        expect("PUBSUB NUMPAT", r.pubsub_numpat(), 1)
        p.punsubscribe()
        expect("PUNSUBSCRIBE of every pattern", p.get_message(timeout=1),
               {"type": "punsubscribe", "pattern": None, "channel": (news + "*").encode(), "data": 2})
        p.unsubscribe()
        got = [p.get_message(timeout=1) for _ in range(2)]
        # (in the order of the server's table of channels: any order)
        expect("UNSUBSCRIBE of every channel: the channels",
               sorted(m["channel"] for m in got if m), sorted([ch2.encode(), (news + "sport").encode()]))
        expect("UNSUBSCRIBE of every channel: the counts left", [m and m["data"] for m in got], [1, 0])
        expect("PUBSUB NUMPAT after PUNSUBSCRIBE", r.pubsub_numpat(), 0)
    finally:
        p.close()

    # A handler per channel, called by run_in_thread's worker.
    received = []
    p = sub.pubsub()
    try:
        p.subscribe(**{ch: lambda m: received.append(m["data"])})
        expect("SUBSCRIBE with a handler: confirmation",
               (p.get_message(timeout=1) or {}).get("type"), "subscribe")
        worker = p.run_in_thread(sleep_time=0.01, daemon=True)
        for i in range(MESSAGES):
            r.publish(ch, "h%d" % i)
        deadline = time.monotonic() + 2
        while len(received) < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.stop()
        worker.join(2)
        expect("run_in_thread: the handler saw every message in order", received,
               [b"h%d" % i for i in range(MESSAGES)])
    finally:
        p.close()
        sub.close()


def needs(error):
    """What the server lacks when error is an unknown command of Part II's
    chapters 14 to 16: sorted sets, blocking, pub/sub."""
    m = re.search(r"unknown (sub)?command '([^']*)'", str(error))
    if not m:
        return ""
    name = m.group(2).upper()
    if name.startswith(("BL", "BR", "BZ")) or name == "UNBLOCK":
        chapter = "Part II chapter 15, blocking" + (" (and 14, sorted sets)" if name[:2] == "BZ" else "")
    elif name.startswith("Z"):
        chapter = "Part II chapter 14, sorted sets"
    elif "SUBSCRIBE" in name or "PUBLISH" in name or name == "PUBSUB":
        chapter = "Part II chapter 16, pub/sub"
    else:
        return ""
    return " (the rest of this section not run: the server needs %s)" % chapter


def main():
    # The shared pool has redis-py's defaults: nothing sent on connect. The
    # client of databases() adds a name and a database. A section that
    # raises is reported and the next one runs.
    pool = redis.ConnectionPool(host="127.0.0.1", port=PORT, max_connections=4,
                                socket_timeout=10)
    r = redis.Redis(connection_pool=pool)
    try:
        for name, run, arg in (("connection", connection, r), ("strings", strings, r),
                               ("expiry", expiry, r), ("lists", lists, r), ("keys", keys, r),
                               ("pipeline", pipeline, r), ("databases", databases, r),
                               ("pool", pool_threads, pool), ("transactions", transactions, r),
                               ("hashes", hashes, r), ("sets", sets, r), ("scan", scan, r),
                               ("keys (Part II)", keys_more, r),
                               ("strings (Part II)", strings_more, r),
                               ("sorted sets", zsets, r), ("blocking", blocking, r),
                               ("pub/sub", pubsub, r)):
            try:
                run(arg)
            except Exception as e:  # (a reply of an unexpected shape too)
                fail(name, "%s: %s%s" % (type(e).__name__, str(e).rstrip(), needs(e)))
    finally:
        pool.disconnect()
    print("%s: %d checks passed, %d failed" % (LABEL, passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
