#!/usr/bin/python3
"""redis-py (Debian's python3-redis, RESP2) against a running server.

    /usr/bin/python3 redis_py.py PORT

redis-py sends nothing on connect but SELECT for db and CLIENT SETNAME for
client_name. A connection pool shared by threads, a pipeline, two databases,
and a few commands of every kind the server supports, each reply checked.
Assumes nothing else writes to the server meanwhile (DBSIZE is checked).
Exit status 1 on any failed check, with one line per failure.
"""

import os
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
                               ("pool", pool_threads, pool)):
            try:
                run(arg)
            except (redis.RedisError, OSError) as e:
                fail(name, "%s: %s" % (type(e).__name__, e))
    finally:
        pool.disconnect()
    print("%s: %d checks passed, %d failed" % (LABEL, passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
