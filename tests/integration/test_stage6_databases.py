"""Stage 6: numbered databases: SELECT, SWAPDB, FLUSHDB, DBSIZE per db.

A Redis server holds 16 databases by default (--databases N), numbered from
0. Each connection works in one of them, db 0 until it sends SELECT n; each
database is a keyspace of its own with its own expiry table, so a key set in
db 1 does not exist in db 0, DBSIZE and FLUSHDB concern the current db only,
and FLUSHALL empties them all. SWAPDB a b swaps two databases for every
client at once: a client that stays in db 0 sees db 1's former keys.

Exact replies, from redis-server 7.0.15:
- SELECT 0..15 `+OK`; SELECT 16 and SELECT -1
  `-ERR DB index is out of range`; SELECT abc (or 01, +1, 1.5)
  `-ERR value is not an integer or out of range`; an index that fits in a
  long long but not in an int, SELECT 2147483648, says
  `-ERR value is out of range, value must between -2147483648 and 2147483647`
- SWAPDB a 0 `-ERR invalid first DB index`, SWAPDB 0 a
  `-ERR invalid second DB index`, SWAPDB 0 16 (or -1)
  `-ERR DB index is out of range`, SWAPDB 0 0 `+OK`
- FLUSHDB / FLUSHALL take an optional ASYNC or SYNC, anything else is
  `-ERR syntax error`
- INFO keyspace has one line per non-empty database, in index order:
  `db3:keys=1,expires=0,avg_ttl=0`.

Stage 6 logs to the append-only file a SELECT whenever a write happens in
another database than the previous one, so a restart puts every key back in
its own database (the last tests).

The wrong servers these tests catch, step by step:
  6a  a SELECT that takes 16, -1 or 1000, or "abc", "1.5", "01", "+1",
      " 1", "" or 99999999999999999999, that says "out of range" for
      2147483648 instead of Redis's own message, or that switches the
      database although it refused; one keyspace for all databases (GET,
      EXISTS, KEYS, TYPE, DEL and DBSIZE see another database's keys); one
      current database for every connection; redis-py's db=9 landing in
      db 0; a FLUSHDB that flushes everything, a FLUSHALL that flushes only
      the current database, or either taking a word other than ASYNC and
      SYNC; a SWAPDB that swaps which database each client points at
      instead of the contents, leaves the expiry tables behind, refuses
      SWAPDB 0 0, or checks and words its errors otherwise; a key expiring
      in the wrong database; an expiry cycle that walks db 0 only; INFO
      keyspace lines for empty databases, out of order, or with a wrong
      expires=; --databases or CONFIG GET databases ignored;
  6b  a file without SELECT records, so that a restart (SIGTERM or
      SIGKILL) or a rewrite puts every key in one database; after a
      rewrite, a next write in db 15, or in db 1 as the last one before
      it, logged without its SELECT.
"""

import re
import time

import pytest
import redis

from helpers import (RawConnection, RestartableServer, aof_on, arity_error,
                     bulk, command, error, expect_reply, integer, request,
                     wait_rewrite_done, wait_until)

pytestmark = pytest.mark.stage(6)

CHAPTER = 6
OK = b"+OK\r\n"
NIL = b"$-1\r\n"
OUT_OF_RANGE = error("ERR DB index is out of range")
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
NOT_AN_INT = error("ERR value is out of range, value must between "
                   "-2147483648 and 2147483647")
INVALID_FIRST = error("ERR invalid first DB index")
INVALID_SECOND = error("ERR invalid second DB index")
SYNTAX = error("ERR syntax error")
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
KEYSPACE_LINE = re.compile(r"^db(\d+):keys=(\d+),expires=(\d+),avg_ttl=(\d+)$")


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def select(conn, index):
    expect_reply(conn, command("SELECT", index), OK, chapter=CHAPTER,
                 hint="SELECT n with 0 <= n < databases (16 by default) "
                      "switches this connection to database n")


def raw_info(r, section):
    """INFO <section> as the server sent it (redis-py would parse it)."""
    kwargs = r.connection_pool.connection_kwargs
    conn = RawConnection(kwargs["host"], kwargs["port"])
    try:
        return request(conn, "INFO", section)[1]
    finally:
        conn.close()


def keyspace_lines(r):
    """INFO keyspace's lines, the header left out."""
    body = raw_info(r, "keyspace").split(b"\r\n", 1)[1]
    return [line for line in body.decode().splitlines()
            if line and not line.startswith("#")]


# ---------------------------------------------------------------------------
# SELECT
# ---------------------------------------------------------------------------

@pytest.mark.step("6a")
@pytest.mark.parametrize("index", [0, 1, 9, 15])
def test_select_of_each_default_database_replies_ok(r, connect, index):
    conn = connect()
    expect_reply(conn, command("SELECT", index), OK, chapter=CHAPTER,
                 hint="there are 16 databases by default, 0 to 15")


@pytest.mark.step("6a")
@pytest.mark.parametrize("index", ["16", "-1", "1000"])
def test_select_outside_the_databases_is_out_of_range(r, connect, index):
    expect_reply(connect(), command("SELECT", index), OUT_OF_RANGE,
                 chapter=CHAPTER,
                 hint="an integer index below 0 or >= databases is refused "
                      "with 'DB index is out of range'")


@pytest.mark.step("6a")
@pytest.mark.parametrize("index", ["abc", "1.5", "01", "+1", " 1", "",
                                   "99999999999999999999"])
def test_select_of_a_non_integer_is_an_error(r, connect, index):
    expect_reply(connect(), command("SELECT", index), NOT_AN_INTEGER,
                 chapter=CHAPTER,
                 hint="the index is parsed as strictly as INCRBY's increment "
                      "(stage 2): no sign '+', no spaces, no leading zeros")


@pytest.mark.step("6a")
def test_select_of_an_index_beyond_an_int_has_its_own_error(r, connect):
    expect_reply(connect(), command("SELECT", "2147483648"), NOT_AN_INT,
                 chapter=CHAPTER,
                 hint="Redis parses the index as a long long, then checks "
                      "that it fits in an int; its message really says "
                      "'value must between'")


@pytest.mark.step("6a")
def test_select_with_a_wrong_number_of_arguments_is_an_arity_error(
        r, connect):
    conn = connect()
    expect_reply(conn, command("SELECT"), arity_error("select"),
                 chapter=CHAPTER)
    expect_reply(conn, command("SELECT", 1, 2), arity_error("select"),
                 chapter=CHAPTER, hint="SELECT takes exactly one argument")


@pytest.mark.step("6a")
def test_a_failed_select_keeps_the_current_database(r, connect):
    conn = connect()
    select(conn, 2)
    expect_reply(conn, command("SET", "k", "in-db-2"), OK, chapter=CHAPTER)
    expect_reply(conn, command("SELECT", 16), OUT_OF_RANGE, chapter=CHAPTER)
    expect_reply(conn, command("GET", "k"), bulk("in-db-2"), chapter=CHAPTER,
                 hint="a refused SELECT must leave the connection in the "
                      "database it was in")


# ---------------------------------------------------------------------------
# Keys are per database
# ---------------------------------------------------------------------------

@pytest.mark.step("6a")
def test_a_key_set_in_db_1_does_not_exist_in_db_0(r, connect):
    conn = connect()
    select(conn, 1)
    expect_reply(conn, command("SET", "k", "v"), OK, chapter=CHAPTER)
    expect_reply(conn, command("GET", "k"), bulk("v"), chapter=CHAPTER)
    select(conn, 0)
    hint = ("each database is a keyspace of its own: look keys up in the "
            "connection's current database only")
    expect_reply(conn, command("GET", "k"), NIL, chapter=CHAPTER, hint=hint)
    expect_reply(conn, command("EXISTS", "k"), b":0\r\n", chapter=CHAPTER,
                 hint=hint)
    expect_reply(conn, command("KEYS", "*"), b"*0\r\n", chapter=CHAPTER,
                 hint=hint)
    expect_reply(conn, command("TYPE", "k"), b"+none\r\n", chapter=CHAPTER,
                 hint=hint)


@pytest.mark.step("6a")
def test_the_same_name_holds_a_different_value_in_each_database(r, connect):
    conn = connect()
    for index in (0, 1, 15):
        select(conn, index)
        expect_reply(conn, command("SET", "k", "value-%d" % index), OK,
                     chapter=CHAPTER)
    for index in (15, 0, 1):
        select(conn, index)
        expect_reply(conn, command("GET", "k"), bulk("value-%d" % index),
                     chapter=CHAPTER,
                     hint="a SET in another database must not overwrite "
                          "this one's key")


@pytest.mark.step("6a")
def test_del_in_one_database_leaves_the_others_alone(r, connect):
    conn = connect()
    for index in (0, 3):
        select(conn, index)
        expect_reply(conn, command("SET", "k", index), OK, chapter=CHAPTER)
    expect_reply(conn, command("DEL", "k"), b":1\r\n", chapter=CHAPTER)
    select(conn, 0)
    expect_reply(conn, command("GET", "k"), bulk("0"), chapter=CHAPTER,
                 hint="DEL in db 3 deleted the key of db 0")


@pytest.mark.step("6a")
def test_each_connection_has_its_own_current_database(r, connect):
    a, b = connect(), connect()
    select(a, 5)
    expect_reply(a, command("SET", "k", "five"), OK, chapter=CHAPTER)
    expect_reply(b, command("GET", "k"), NIL, chapter=CHAPTER,
                 hint="SELECT changes the database of the connection that "
                      "sent it only: a new connection starts in db 0")
    select(b, 5)
    expect_reply(b, command("GET", "k"), bulk("five"), chapter=CHAPTER)


@pytest.mark.step("6a")
def test_dbsize_counts_the_keys_of_the_current_database(r, connect):
    conn = connect()
    select(conn, 0)
    expect_reply(conn, command("MSET", "a", 1, "b", 2), OK, chapter=CHAPTER)
    select(conn, 1)
    expect_reply(conn, command("SET", "c", 3), OK, chapter=CHAPTER)
    expect_reply(conn, command("DBSIZE"), integer(1), chapter=CHAPTER,
                 hint="DBSIZE counts the current database's keys, not all")
    select(conn, 0)
    expect_reply(conn, command("DBSIZE"), integer(2), chapter=CHAPTER)
    select(conn, 2)
    expect_reply(conn, command("DBSIZE"), integer(0), chapter=CHAPTER)


@pytest.mark.step("6a")
def test_redis_py_with_db_selects_that_database(r, server, connect):
    client = redis.Redis(host=server.host, port=server.port, db=9,
                         socket_timeout=10)
    try:
        client.set("k", "nine")
        got = (client.get("k"), client.dbsize())
        assert got == (b"nine", 1), why(
            "redis.Redis(db=9): GET k and DBSIZE gave %r after SET k nine."
            % (got,), "SELECT 9, then the keys of db 9")
    finally:
        client.connection_pool.disconnect()
    conn = connect()
    expect_reply(conn, command("GET", "k"), NIL, chapter=CHAPTER,
                 hint="redis.Redis(db=9) sends SELECT 9 when it connects; "
                      "its key must be in db 9, not in db 0")
    select(conn, 9)
    expect_reply(conn, command("GET", "k"), bulk("nine"), chapter=CHAPTER)


# ---------------------------------------------------------------------------
# FLUSHDB and FLUSHALL
# ---------------------------------------------------------------------------

@pytest.mark.step("6a")
def test_flushdb_empties_only_the_current_database(r, connect):
    conn = connect()
    select(conn, 0)
    expect_reply(conn, command("SET", "zero", 0), OK, chapter=CHAPTER)
    select(conn, 1)
    expect_reply(conn, command("MSET", "one", 1, "uno", 1), OK,
                 chapter=CHAPTER)
    expect_reply(conn, command("RPUSH", "list", "a"), b":1\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("FLUSHDB"), OK, chapter=CHAPTER)
    expect_reply(conn, command("DBSIZE"), integer(0), chapter=CHAPTER)
    select(conn, 0)
    expect_reply(conn, command("GET", "zero"), bulk("0"), chapter=CHAPTER,
                 hint="FLUSHDB in db 1 must leave db 0's keys alone")
    expect_reply(conn, command("DBSIZE"), integer(1), chapter=CHAPTER)


@pytest.mark.step("6a")
def test_flushall_empties_every_database(r, connect):
    conn = connect()
    for index in (0, 4, 15):
        select(conn, index)
        expect_reply(conn, command("SET", "k", index), OK, chapter=CHAPTER)
    select(conn, 4)
    expect_reply(conn, command("FLUSHALL"), OK, chapter=CHAPTER)
    for index in (0, 4, 15):
        select(conn, index)
        expect_reply(conn, command("DBSIZE"), integer(0), chapter=CHAPTER,
                     hint="FLUSHALL empties all the databases, whichever "
                          "one the client is in")


@pytest.mark.step("6a")
@pytest.mark.parametrize("name", ["FLUSHDB", "FLUSHALL"])
def test_flush_takes_async_or_sync_and_nothing_else(r, connect, name):
    conn = connect()
    for option in ("ASYNC", "sync"):
        expect_reply(conn, command("SET", "k", "v"), OK, chapter=CHAPTER)
        expect_reply(conn, command(name, option), OK, chapter=CHAPTER,
                     hint="%s ASYNC and %s SYNC both empty the data (freeing "
                          "it in the background or not)" % (name, name))
        expect_reply(conn, command("DBSIZE"), integer(0), chapter=CHAPTER)
    expect_reply(conn, command(name, "foo"), SYNTAX, chapter=CHAPTER)


# ---------------------------------------------------------------------------
# SWAPDB
# ---------------------------------------------------------------------------

@pytest.mark.step("6a")
def test_swapdb_swaps_the_data_under_a_client_that_stays_in_db_0(r, connect):
    a, b = connect(), connect()
    select(b, 1)
    expect_reply(b, command("SET", "k", "from-db-1"), OK, chapter=CHAPTER)
    expect_reply(a, command("SET", "only-in-0", "x"), OK, chapter=CHAPTER)
    expect_reply(a, command("GET", "k"), NIL, chapter=CHAPTER)
    expect_reply(b, command("SWAPDB", 0, 1), OK, chapter=CHAPTER)
    hint = ("SWAPDB swaps the two databases' contents for every client: a "
            "client whose current database is 0 now sees db 1's former keys "
            "(keep a pointer to the database's index, or swap the "
            "keyspaces inside the two db structures)")
    expect_reply(a, command("GET", "k"), bulk("from-db-1"), chapter=CHAPTER,
                 hint=hint)
    expect_reply(a, command("DBSIZE"), integer(1), chapter=CHAPTER, hint=hint)
    expect_reply(b, command("GET", "k"), NIL, chapter=CHAPTER, hint=hint)
    expect_reply(b, command("GET", "only-in-0"), bulk("x"), chapter=CHAPTER,
                 hint=hint)


@pytest.mark.step("6a")
def test_swapdb_moves_the_expiry_times_too(r, connect):
    conn = connect()
    select(conn, 1)
    expect_reply(conn, command("SET", "k", "v", "EX", 100), OK,
                 chapter=CHAPTER)
    expect_reply(conn, command("SWAPDB", 1, 0), OK, chapter=CHAPTER)
    select(conn, 0)
    got = request(conn, "TTL", "k")[0]
    assert got in (99, 100), why(
        "TTL of a key with a 100 s expiry, after SWAPDB moved it to db 0, "
        "replied %r." % got,
        "the expiry table belongs to the database and is swapped with it")


@pytest.mark.step("6a")
def test_swapdb_of_a_database_with_itself_replies_ok(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "k", "v"), OK, chapter=CHAPTER)
    expect_reply(conn, command("SWAPDB", 0, 0), OK, chapter=CHAPTER)
    expect_reply(conn, command("GET", "k"), bulk("v"), chapter=CHAPTER)


@pytest.mark.step("6a")
@pytest.mark.parametrize("args, reply", [
    (("a", "0"), INVALID_FIRST),
    (("1.5", "0"), INVALID_FIRST),
    (("99999999999999999999", "0"), INVALID_FIRST),
    (("0", "a"), INVALID_SECOND),
    (("0", "16"), OUT_OF_RANGE),
    (("16", "0"), OUT_OF_RANGE),
    (("-1", "0"), OUT_OF_RANGE),
    (("0", "-1"), OUT_OF_RANGE),
], ids=["first-not-a-number", "first-not-an-integer", "first-too-big",
        "second-not-a-number", "second-16", "first-16", "first-negative",
        "second-negative"])
def test_swapdb_with_a_bad_index_is_an_error(r, connect, args, reply):
    expect_reply(connect(), command("SWAPDB", *args), reply, chapter=CHAPTER,
                 hint="SWAPDB checks that each index is an integer ('invalid "
                      "first/second DB index'), then that both are in range")


@pytest.mark.step("6a")
def test_swapdb_with_a_wrong_number_of_arguments_is_an_arity_error(
        r, connect):
    conn = connect()
    expect_reply(conn, command("SWAPDB", 0), arity_error("swapdb"),
                 chapter=CHAPTER)
    expect_reply(conn, command("SWAPDB", 0, 1, 2), arity_error("swapdb"),
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# Expiry and lists in another database
# ---------------------------------------------------------------------------

@pytest.mark.step("6a")
def test_a_key_expires_in_the_database_it_was_set_in(r, connect):
    conn = connect()
    select(conn, 2)
    expect_reply(conn, command("SET", "k", "v", "PX", 100), OK,
                 chapter=CHAPTER)
    expect_reply(conn, command("SET", "k0", "stays"), OK, chapter=CHAPTER)
    select(conn, 0)
    expect_reply(conn, command("TTL", "k"), integer(-2), chapter=CHAPTER,
                 hint="the key exists in db 2 only")
    select(conn, 2)
    got = request(conn, "PTTL", "k")[0]
    assert isinstance(got, int) and 0 < got <= 100, why(
        "PTTL in db 2 of a key set with PX 100 replied %r." % got,
        "each database has its own expiry table")
    time.sleep(0.15)
    expect_reply(conn, command("GET", "k"), NIL, chapter=CHAPTER,
                 hint="a key past its expiry time is gone when read, in any "
                      "database")
    expect_reply(conn, command("GET", "k0"), bulk("stays"), chapter=CHAPTER)


@pytest.mark.step("6a")
def test_active_expiry_collects_keys_of_every_database(r, connect):
    conn = connect()
    select(conn, 7)
    for i in range(20):
        expect_reply(conn, command("SET", "k%d" % i, "v", "PX", 50), OK,
                     chapter=CHAPTER)
    select(conn, 0)

    def db7_gone():
        return not any(line.startswith("db7:") for line in keyspace_lines(r))
    assert wait_until(db7_gone, 3.0, interval=0.05), why(
        "20 keys set with PX 50 in db 7, never read, are still counted by "
        "INFO keyspace 3 s later: %r." % keyspace_lines(r),
        "the expiry cycle must sample every database's expiry table, not "
        "db 0's only")


@pytest.mark.step("6a")
def test_lists_work_in_another_database(r, connect):
    conn = connect()
    select(conn, 4)
    expect_reply(conn, command("RPUSH", "l", "a", "b", "c"), integer(3),
                 chapter=CHAPTER)
    expect_reply(conn, command("LMOVE", "l", "m", "LEFT", "RIGHT"),
                 bulk("a"), chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "m", 0, -1), b"*1\r\n$1\r\na\r\n",
                 chapter=CHAPTER,
                 hint="LMOVE creates its destination in the current database")
    select(conn, 0)
    expect_reply(conn, command("TYPE", "l"), b"+none\r\n", chapter=CHAPTER)
    expect_reply(conn, command("EXISTS", "m"), b":0\r\n", chapter=CHAPTER)
    expect_reply(conn, command("SET", "l", "string-in-db-0"), OK,
                 chapter=CHAPTER)
    select(conn, 4)
    expect_reply(conn, command("GET", "l"), WRONGTYPE, chapter=CHAPTER,
                 hint="in db 4 'l' is still a list")
    expect_reply(conn, command("LPOP", "l"), bulk("b"), chapter=CHAPTER)


# ---------------------------------------------------------------------------
# INFO keyspace
# ---------------------------------------------------------------------------

@pytest.mark.step("6a")
def test_info_keyspace_of_an_empty_server_is_only_the_header(r):
    got = raw_info(r, "keyspace")
    assert got == b"$12\r\n# Keyspace\r\n\r\n", why(
        "INFO keyspace with no key in any database replied %r." % got,
        "a database without keys has no line: only '# Keyspace' remains")


@pytest.mark.step("6a")
def test_info_keyspace_has_a_line_per_database_in_index_order(r, connect):
    conn = connect()
    for index, count in ((12, 1), (0, 2), (3, 1)):
        select(conn, index)
        for i in range(count):
            expect_reply(conn, command("SET", "k%d" % i, "v"), OK,
                         chapter=CHAPTER)
    expected_body = (b"# Keyspace\r\n"
                     b"db0:keys=2,expires=0,avg_ttl=0\r\n"
                     b"db3:keys=1,expires=0,avg_ttl=0\r\n"
                     b"db12:keys=1,expires=0,avg_ttl=0\r\n")
    got = raw_info(r, "keyspace")
    expected = b"$%d\r\n%s\r\n" % (len(expected_body), expected_body)
    assert got == expected, why(
        "INFO keyspace replied %r, Redis replies %r." % (got, expected),
        "one 'dbN:keys=K,expires=E,avg_ttl=T' line per database that has "
        "keys, in increasing N; each line ends with CRLF")


@pytest.mark.step("6a")
def test_info_keyspace_counts_expires_per_database(r, connect):
    conn = connect()
    select(conn, 5)
    expect_reply(conn, command("SET", "a", "v", "EX", 100), OK,
                 chapter=CHAPTER)
    expect_reply(conn, command("SET", "b", "v"), OK, chapter=CHAPTER)
    lines = keyspace_lines(r)
    assert len(lines) == 1, why(
        "INFO keyspace lines: %r; expected only a db5 line." % lines,
        "list the databases that have keys")
    m = KEYSPACE_LINE.match(lines[0])
    assert m and m.group(1, 2, 3) == ("5", "2", "1"), why(
        "INFO keyspace line: %r; expected db5:keys=2,expires=1,avg_ttl=..."
        % lines[0], "expires counts the keys of that database that have a "
                    "time to live")
    assert int(m.group(4)) <= 100000, why(
        "avg_ttl=%s for a key with 100 s to live." % m.group(4),
        "avg_ttl is an estimate of the average time to live in "
        "milliseconds (0 until it has been sampled)")


# ---------------------------------------------------------------------------
# --databases N
# ---------------------------------------------------------------------------

@pytest.mark.step("6a")
def test_databases_option_sets_how_many_there_are(server_factory):
    fresh = server_factory.start("--databases", "4")
    conn = RawConnection(fresh.host, fresh.port)
    try:
        select(conn, 3)
        expect_reply(conn, command("SET", "k", "v"), OK, chapter=CHAPTER)
        expect_reply(conn, command("SELECT", 4), OUT_OF_RANGE,
                     chapter=CHAPTER,
                     hint="with --databases 4 the databases are 0 to 3")
        expect_reply(conn, command("SWAPDB", 0, 4), OUT_OF_RANGE,
                     chapter=CHAPTER)
        expect_reply(conn, command("SWAPDB", 0, 3), OK, chapter=CHAPTER)
        expect_reply(conn, command("CONFIG", "GET", "databases"),
                     b"*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n", chapter=CHAPTER,
                     hint="CONFIG GET databases reports the option's value")
    finally:
        conn.close()


@pytest.mark.step("6a")
def test_default_number_of_databases_is_16(r, connect):
    expect_reply(connect(), command("CONFIG", "GET", "databases"),
                 b"*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n", chapter=CHAPTER)


# ---------------------------------------------------------------------------
# The append-only file keeps each key in its database
# ---------------------------------------------------------------------------

def db_client(server, index):
    return redis.Redis(host=server.process.host, port=server.process.port,
                       db=index, socket_timeout=10)


def fill_databases(server):
    """Writes in db 0, 3 and 15, interleaved; returns the clients."""
    clients = {index: db_client(server, index) for index in (0, 3, 15)}
    for round_ in range(3):
        for index, client in clients.items():
            client.set("k", "db%d-round%d" % (index, round_))
            client.rpush("l", "%d-%d" % (index, round_))
    clients[3].set("ttl", "v", ex=1000)
    return clients


def check_databases(server, what):
    clients = {index: db_client(server, index) for index in (0, 3, 15)}
    try:
        for index, client in clients.items():
            got = (client.get("k"), client.lrange("l", 0, -1))
            expected = (b"db%d-round2" % index,
                        [b"%d-%d" % (index, i) for i in range(3)])
            assert got == expected, why(
                "After %s db %d holds k=%r, l=%r instead of %r."
                % (what, index, got[0], got[1], expected),
                "write SELECT n to the file before a write in database n "
                "when the last write logged was in another one, and let the "
                "replay follow the SELECTs")
            assert client.dbsize() == (3 if index == 3 else 2), why(
                "After %s db %d has %d keys." % (what, index,
                                                 client.dbsize()),
                "each key must come back in its own database")
        ttl = clients[3].ttl("ttl")
        assert 990 <= ttl <= 1000, why(
            "After %s the key with 1000 s to live in db 3 has TTL %r."
            % (what, ttl), "the expiry goes to the same database as the key")
    finally:
        for client in clients.values():
            client.connection_pool.disconnect()


@pytest.mark.step("6b")
@pytest.mark.parametrize("how, fsync", [("term", "everysec"),
                                        ("kill", "always")],
                         ids=["sigterm-everysec", "sigkill-always"])
def test_keys_of_several_databases_survive_a_restart(server_factory, suite,
                                                     how, fsync):
    server = RestartableServer(server_factory,
                               *aof_on(suite.own_binary, fsync))
    clients = fill_databases(server)
    for client in clients.values():
        client.connection_pool.disconnect()
    server.restart(how)
    check_databases(server, "a restart")


@pytest.mark.step("6b")
def test_keys_of_several_databases_survive_a_rewrite(server_factory, suite):
    server = RestartableServer(server_factory, *aof_on(suite.own_binary))
    clients = fill_databases(server)
    control = server.client()
    assert control.bgrewriteaof(), why(
        "BGREWRITEAOF failed.", "the rewrite of stage 5 (chapter 5)")
    wait_rewrite_done(control)
    clients[15].set("after", "rewrite")
    for client in clients.values():
        client.connection_pool.disconnect()
    server.restart("term")
    db15 = db_client(server, 15)
    try:
        assert db15.get("after") == b"rewrite", why(
            "A write in db 15 after the rewrite is lost after a restart.",
            "after a rewrite the next write must log its SELECT again: the "
            "rewritten file may end in another database")
        db15.delete("after")
    finally:
        db15.connection_pool.disconnect()
    check_databases(server, "a rewrite and a restart")


@pytest.mark.step("6b")
def test_a_write_in_the_same_database_after_a_rewrite_stays_in_it(server_factory, suite):
    # The last record before the rewrite was in db 1, and so is the next:
    # only a server that forgets which database the new file ends in
    # skips the SELECT and sends the write to db 0 on replay.
    server = RestartableServer(server_factory, *aof_on(suite.own_binary))
    db1 = db_client(server, 1)
    try:
        db1.set("before", "rewrite")
        control = server.client()
        assert control.bgrewriteaof(), why(
            "BGREWRITEAOF failed.", "the rewrite of stage 5 (chapter 5)")
        wait_rewrite_done(control)
        db1.set("after", "rewrite")
    finally:
        db1.connection_pool.disconnect()
    server.restart("term")
    db1 = db_client(server, 1)
    db0 = db_client(server, 0)
    try:
        got = (db1.get("before"), db1.get("after"), db0.exists("after"))
        assert got == (b"rewrite", b"rewrite", 0), why(
            "SET in db 1, BGREWRITEAOF, SET in db 1, restart: (db1 before, "
            "db1 after, db0 has after) is %r." % (got,),
            "a rewritten file ends in database 0: once it is installed, the "
            "next record must say SELECT again, even for the same database")
    finally:
        db1.connection_pool.disconnect()
        db0.connection_pool.disconnect()
