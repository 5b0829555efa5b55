"""Part II, keys: UNLINK RENAME RENAMENX COPY MOVE RANDOMKEY TOUCH EXPIRETIME
PEXPIRETIME OBJECT SCAN, and the last non-blocking list commands, RPOPLPUSH
and LMPOP.

Every exact reply and error below was taken from redis-server 7.0.15. What
these commands promise, and the tests check:

- RENAME and MOVE carry the value with its time to live; RENAME over an
  existing key replaces it (and its TTL); a key renamed to itself is left
  alone, but a missing key is still `ERR no such key`;
- COPY is a deep copy with the source's TTL (or none); without REPLACE an
  existing destination wins; COPY and MOVE into the same key of the same
  database are `ERR source and destination objects are the same`;
- SCAN returns every key present for the whole walk at least once, even
  while keys are added and deleted between calls and the table grows or
  shrinks; it skips keys past their time;
- LMPOP pops from the first non-empty list of several, and goes to the
  append-only file as the LPOP/RPOP with the count actually popped.

The wrong servers these tests catch, step by step (10i, the command table,
is test_ext_command_table.py's):
  10a an UNLINK that counts a key named twice twice, or an expired key; a
      TOUCH that counts a repeated key once, or an expired key; an
      EXPIRETIME that truncates instead of rounding to the nearest second;
  10b a RENAME that drops the TTL, keeps the destination's old TTL, loses
      a key renamed to itself, renames an expired or missing key (even to
      itself), or does not touch both keys for WATCH; a RENAMENX that
      overwrites;
  10c a shallow COPY (pushing onto the copy changes the source); one that
      leaves the source's TTL behind or keeps the destination's; a COPY
      without REPLACE that overwrites, or that counts an expired
      destination as existing; DB n parsed wrongly (the first DB wins, the
      errors of a bad number); a COPY that does not touch its destination
      for WATCH;
  10d a MOVE that loses the TTL, overwrites a key in the target database,
      looks the key up before refusing the same database, gives the wrong
      error for a bad database number, or does not touch the key for WATCH;
  10e a RANDOMKEY that answers the same key every time, never reaches some
      keys (2,000 draws over 50 keys), answers an expired key, or is not
      nil in an empty database;
  10f an encoding guessed from the bytes alone (a string changed in place
      or built by BITOP is "raw"); a REFCOUNT that does not show 0..9999
      as shared; an OBJECT that touches the key it looks at (IDLETIME
      always 0); a TOUCH that counts keys without stamping their time of
      last use; FREQ answered without an LFU policy; subcommand arity
      errors that do not name 'object|encoding';
  10g a cursor read more strictly or loosely than strtoul; COUNT 0
      accepted; a SCAN that answers everything in one call whatever COUNT
      (1,000 keys must take more than 10 calls), or that ignores a big
      COUNT; a key answered twice while nothing changed; a cursor counting
      forwards, which misses keys while the table grows (300 keys added a
      call) or shrinks (20,000 deleted); MATCH or TYPE applied wrongly;
      expired keys answered;
  10h an RPOPLPUSH that loses the element of a one-element list rotated
      onto itself, pops before checking the destination's type, or keeps
      an emptied source; an LMPOP that checks the types of keys after the
      list it pops, or takes two COUNTs; RESP2 nulls after HELLO 3; LMPOP
      or RPOPLPUSH not touching their keys for WATCH; LMPOP logged as
      itself instead of the LPOP/RPOP it amounts to; a write of this
      chapter that does not survive a restart.
"""

import glob
import os
import time

import pytest
import redis

import steps
from helpers import (RestartableServer, aof_on, arity_error, array, bulk,
                     command, error, expect_reply, integer, request)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("keys")]

CHAPTER = 10    # Part II: keys and SCAN
OK = b"+OK\r\n"
NIL = b"$-1\r\n"
NULL_ARRAY = b"*-1\r\n"
SYNTAX = error("ERR syntax error")
NOT_INTEGER = error("ERR value is not an integer or out of range")
NOT_INT32 = error("ERR value is out of range, value must between "
                  "-2147483648 and 2147483647")
NO_SUCH_KEY = error("ERR no such key")
SAME_OBJECT = error("ERR source and destination objects are the same")
DB_INDEX = error("ERR DB index is out of range")
INVALID_CURSOR = error("ERR invalid cursor")
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
NO_LFU = error("ERR An LFU maxmemory policy is not selected, access frequency "
               "not tracked. Please note that when switching between "
               "policies at runtime LRU and LFU data will take some time to "
               "adjust.")
NUMKEYS = error("ERR numkeys should be greater than 0")
COUNT_POSITIVE = error("ERR count should be greater than 0")
OBJECT_HELP = [
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store "
    "the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer "
    "is",
    "    proportional to the logarithm of the recent access frequency of the "
    "key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the "
    "specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
]


def bulks(*items):
    return array(*[bulk(item) for item in items])


def check(conn, args, expected, hint=None):
    """Send one command; its reply must be exactly `expected`."""
    __tracebackhide__ = True
    expect_reply(conn, command(*args), expected, chapter=CHAPTER, hint=hint)


def why(problem, hint):
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def expect_equal(what, got, expected, hint):
    __tracebackhide__ = True
    assert got == expected, why("%s: the server has %r, Redis has %r."
                                % (what, got, expected), hint)


# ---------------------------------------------------------------------------
# UNLINK, TOUCH
# ---------------------------------------------------------------------------

@pytest.mark.step("10a")
def test_unlink_deletes_like_del_and_counts_the_keys_it_deleted(r, connect):
    conn = connect()
    r.set("a", "1")
    r.rpush("l", "x")
    r.set("dead", "1", px=1)
    time.sleep(0.01)
    check(conn, ("UNLINK", "a", "l", "missing", "a", "dead"), integer(2),
          "UNLINK is DEL: it counts the live keys it deleted; a key named "
          "twice is deleted once, an expired key is not counted")
    check(conn, ("EXISTS", "a", "l"), integer(0))
    check(conn, ("UNLINK",), arity_error("unlink"))


@pytest.mark.step("10a")
def test_touch_counts_the_keys_that_exist(r, connect):
    conn = connect()
    r.set("a", "1")
    r.rpush("l", "x")
    r.set("dead", "1", px=1)
    time.sleep(0.01)
    check(conn, ("TOUCH", "a", "l", "missing", "a", "dead"), integer(3),
          "a key named twice counts twice, as in EXISTS; an expired key "
          "does not count")
    check(conn, ("TOUCH",), arity_error("touch"))


# ---------------------------------------------------------------------------
# RENAME, RENAMENX
# ---------------------------------------------------------------------------

@pytest.mark.step("10b")
def test_rename_moves_the_value_and_keeps_its_ttl(r, connect):
    conn = connect()
    r.set("a", "hello", px=100000)
    when = r.pexpiretime("a")
    check(conn, ("RENAME", "a", "b"), OK)
    check(conn, ("EXISTS", "a"), integer(0), "the old name is gone")
    check(conn, ("GET", "b"), bulk("hello"))
    check(conn, ("PEXPIRETIME", "b"), integer(when),
          "RENAME carries the key's time to live with it, unchanged")


@pytest.mark.step("10b")
def test_rename_over_an_existing_key_replaces_it_and_its_ttl(r, connect):
    conn = connect()
    r.rpush("a", "x", "y")
    r.set("b", "old", ex=1000)
    check(conn, ("RENAME", "a", "b"), OK)
    check(conn, ("TYPE", "b"), b"+list\r\n",
          "the destination's old value is replaced, whatever its type")
    check(conn, ("LRANGE", "b", "0", "-1"), bulks("x", "y"))
    check(conn, ("TTL", "b"), integer(-1),
          "the source had no TTL, so the renamed key has none: the "
          "destination's old TTL goes with its old value")
    check(conn, ("DBSIZE",), integer(1))


@pytest.mark.step("10b")
def test_rename_of_a_key_to_itself_changes_nothing(r, connect):
    conn = connect()
    r.set("a", "v", ex=1000)
    check(conn, ("RENAME", "a", "a"), OK)
    check(conn, ("RENAMENX", "a", "a"), integer(0),
          "RENAMENX to itself: the target exists, so 0")
    check(conn, ("GET", "a"), bulk("v"))
    ttl = r.ttl("a")
    assert 990 < ttl <= 1000, why("TTL after RENAME a a is %r" % ttl,
                                  "renaming a key to itself keeps its TTL")
    check(conn, ("RENAME", "missing", "missing"), NO_SUCH_KEY,
          "a missing key is an error even when both names are the same")


@pytest.mark.step("10b")
def test_rename_and_renamenx_of_a_missing_key_are_errors(r, connect):
    conn = connect()
    check(conn, ("RENAME", "missing", "b"), NO_SUCH_KEY)
    check(conn, ("RENAMENX", "missing", "b"), NO_SUCH_KEY)
    r.set("dead", "1", px=1)
    time.sleep(0.01)
    check(conn, ("RENAME", "dead", "b"), NO_SUCH_KEY,
          "an expired key is a missing key")
    check(conn, ("RENAME", "a"), arity_error("rename"))
    check(conn, ("RENAMENX", "a", "b", "c"), arity_error("renamenx"))


@pytest.mark.step("10b")
def test_renamenx_renames_only_when_the_target_is_free(r, connect):
    conn = connect()
    r.set("a", "1")
    r.set("c", "2")
    check(conn, ("RENAMENX", "a", "c"), integer(0))
    check(conn, ("GET", "a"), bulk("1"), "nothing moved")
    check(conn, ("GET", "c"), bulk("2"))
    check(conn, ("RENAMENX", "a", "d"), integer(1))
    check(conn, ("MGET", "a", "d"), array(NIL, bulk("1")))


# ---------------------------------------------------------------------------
# COPY
# ---------------------------------------------------------------------------

@pytest.mark.step("10c")
def test_copy_without_replace_leaves_an_existing_destination(r, connect):
    conn = connect()
    r.set("src", "new")
    r.set("dst", "old")
    check(conn, ("COPY", "src", "dst"), integer(0))
    check(conn, ("GET", "dst"), bulk("old"))
    check(conn, ("COPY", "src", "dst", "REPLACE"), integer(1))
    check(conn, ("GET", "dst"), bulk("new"))
    check(conn, ("GET", "src"), bulk("new"), "COPY leaves the source")
    check(conn, ("COPY", "src", "fresh"), integer(1))
    check(conn, ("COPY", "missing", "fresh"), integer(0),
          "a missing source copies nothing")
    check(conn, ("COPY", "src", "src"), SAME_OBJECT)
    check(conn, ("COPY", "src", "src", "DB", "0"), SAME_OBJECT)
    check(conn, ("COPY", "src"), arity_error("copy"))


@pytest.mark.step("10c")
def test_copy_is_deep_and_carries_the_ttl(r, connect):
    conn = connect()
    r.rpush("l", "a", "b")
    r.pexpireat("l", 4000000000000)
    check(conn, ("COPY", "l", "c"), integer(1))
    check(conn, ("PEXPIRETIME", "c"), integer(4000000000000),
          "the copy gets the source's expiry time")
    check(conn, ("RPUSH", "c", "z"), integer(3))
    check(conn, ("LRANGE", "l", "0", "-1"), bulks("a", "b"),
          "changing the copy must not change the source: copy the list")


@pytest.mark.step("10c")
def test_copy_into_an_expiring_key_replaces_its_ttl(r, connect):
    conn = connect()
    r.set("src", "forever")
    r.set("dst", "mortal", ex=1000)
    check(conn, ("COPY", "src", "dst", "REPLACE"), integer(1))
    check(conn, ("TTL", "dst"), integer(-1),
          "the source has no TTL, so neither has the copy")
    r.set("dead", "x", px=1)
    time.sleep(0.01)
    check(conn, ("COPY", "src", "dead"), integer(1),
          "an expired destination is a missing one")


@pytest.mark.step("10c")
def test_copy_to_another_database(r, connect):
    conn = connect()
    r.set("k", "v", ex=1000)
    check(conn, ("COPY", "k", "k", "DB", "1"), integer(1))
    check(conn, ("COPY", "k", "k", "db", "1"), integer(0),
          "the key exists in database 1 now")
    check(conn, ("COPY", "k", "k", "REPLACE", "DB", "1"), integer(1))
    check(conn, ("COPY", "k", "k", "DB", "1", "DB", "3", "REPLACE"),
          integer(1), "a later DB wins")
    check(conn, ("SELECT", "1"), OK)
    check(conn, ("GET", "k"), bulk("v"))
    ttl = r.ttl("k")
    check(conn, ("TTL", "k"), integer(ttl), "the copy has the same TTL")
    check(conn, ("SELECT", "3"), OK)
    check(conn, ("GET", "k"), bulk("v"))


@pytest.mark.step("10c")
@pytest.mark.parametrize("args, reply", [
    (("DB",), SYNTAX),
    (("DB", "x"), NOT_INTEGER),
    (("DB", "16"), DB_INDEX),
    (("DB", "-1"), DB_INDEX),
    (("DB", "99999999999"), NOT_INT32),
    (("foo",), SYNTAX),
    (("REPLACE", "foo"), SYNTAX),
], ids=["db-alone", "db-x", "db-16", "db-negative", "db-huge", "unknown",
        "replace-then-unknown"])
def test_copy_refuses_bad_options(r, connect, args, reply):
    r.set("k", "v")
    check(connect(), ("COPY", "k", "d") + args, reply)


# ---------------------------------------------------------------------------
# MOVE
# ---------------------------------------------------------------------------

@pytest.mark.step("10d")
def test_move_takes_the_key_with_its_ttl_to_another_database(r, connect):
    conn = connect()
    r.set("k", "v")
    r.pexpireat("k", 4000000000000)
    check(conn, ("MOVE", "k", "1"), integer(1))
    check(conn, ("EXISTS", "k"), integer(0), "MOVE removes it from here")
    check(conn, ("SELECT", "1"), OK)
    check(conn, ("GET", "k"), bulk("v"))
    check(conn, ("PEXPIRETIME", "k"), integer(4000000000000))


@pytest.mark.step("10d")
def test_move_does_not_overwrite_and_refuses_the_same_database(r, connect):
    conn = connect()
    r.set("k", "here")
    check(conn, ("MOVE", "k", "0"), SAME_OBJECT)
    check(conn, ("MOVE", "missing", "0"), SAME_OBJECT,
          "the databases are compared before the key is looked up")
    check(conn, ("SELECT", "1"), OK)
    check(conn, ("SET", "k", "there"), OK)
    check(conn, ("SELECT", "0"), OK)
    check(conn, ("MOVE", "k", "1"), integer(0),
          "the key exists in the target database: nothing moves")
    check(conn, ("GET", "k"), bulk("here"))
    check(conn, ("MOVE", "missing", "1"), integer(0))


@pytest.mark.step("10d")
@pytest.mark.parametrize("db, reply", [
    ("x", NOT_INTEGER), ("16", DB_INDEX), ("-1", DB_INDEX),
    ("2147483648", NOT_INT32), ("", NOT_INTEGER),
])
def test_move_refuses_bad_database_numbers(r, connect, db, reply):
    r.set("k", "v")
    check(connect(), ("MOVE", "k", db), reply)


# ---------------------------------------------------------------------------
# RANDOMKEY
# ---------------------------------------------------------------------------

@pytest.mark.step("10e")
def test_randomkey_of_an_empty_database_is_nil(r, connect):
    check(connect(), ("RANDOMKEY",), NIL)


@pytest.mark.step("10e")
def test_randomkey_of_one_key_is_that_key(r, connect):
    conn = connect()
    r.set("only", "1")
    for _ in range(20):
        check(conn, ("RANDOMKEY",), bulk("only"))
    check(conn, ("RANDOMKEY", "x"), arity_error("randomkey"))


@pytest.mark.step("10e")
def test_randomkey_reaches_every_key(r):
    keys = {b"k%d" % i for i in range(50)}
    r.mset({k: b"v" for k in keys})
    seen = {r.randomkey() for _ in range(2000)}
    assert seen == keys, why(
        "2000 RANDOMKEYs over 50 keys missed %r and gave %r"
        % (sorted(keys - seen)[:5], sorted(seen - keys)[:5]),
        "pick a random bucket and a random entry of it; every key should "
        "come about 40 times")


@pytest.mark.step("10e")
def test_randomkey_never_answers_an_expired_key(r):
    r.set("alive", "1")
    for i in range(30):
        r.set("dead%d" % i, "1", px=1)
    time.sleep(0.02)
    for _ in range(50):
        key = r.randomkey()
        assert key == b"alive", why(
            "RANDOMKEY answered %r, which has expired" % key,
            "a drawn key past its time is deleted and another drawn")


# ---------------------------------------------------------------------------
# EXPIRETIME, PEXPIRETIME
# ---------------------------------------------------------------------------

@pytest.mark.step("10a")
def test_expiretime_is_minus_two_for_missing_and_minus_one_for_forever(
        r, connect):
    conn = connect()
    check(conn, ("EXPIRETIME", "missing"), integer(-2))
    check(conn, ("PEXPIRETIME", "missing"), integer(-2))
    r.set("k", "v")
    check(conn, ("EXPIRETIME", "k"), integer(-1))
    check(conn, ("PEXPIRETIME", "k"), integer(-1))
    check(conn, ("EXPIRETIME",), arity_error("expiretime"))


@pytest.mark.step("10a")
@pytest.mark.parametrize("ms, seconds", [
    (2000000000000, 2000000000), (1999999999600, 2000000000),
    (1999999999499, 1999999999), (1999999999500, 2000000000),
])
def test_expiretime_is_the_absolute_time_rounded_to_seconds(r, connect, ms,
                                                            seconds):
    conn = connect()
    r.set("k", "v")
    r.pexpireat("k", ms)
    check(conn, ("PEXPIRETIME", "k"), integer(ms))
    check(conn, ("EXPIRETIME", "k"), integer(seconds),
          "Redis rounds to the nearest second: (ms + 500) / 1000")


# ---------------------------------------------------------------------------
# OBJECT
# ---------------------------------------------------------------------------

@pytest.mark.step("10f")
@pytest.mark.parametrize("value, encoding, refcount", [
    ("1", "int", 2147483647), ("0", "int", 2147483647),
    ("9999", "int", 2147483647), ("10000", "int", 1), ("-1", "int", 1),
    ("01", "embstr", 1), ("hello", "embstr", 1), ("x" * 44, "embstr", 1),
    ("x" * 45, "raw", 1),
])
def test_object_encoding_and_refcount_of_strings(r, connect, value, encoding,
                                                 refcount):
    conn = connect()
    r.set("k", value)
    check(conn, ("OBJECT", "ENCODING", "k"), bulk(encoding))
    check(conn, ("OBJECT", "REFCOUNT", "k"), integer(refcount),
          "Redis shares one object for each integer 0..9999 and shows its "
          "count as 2147483647; other values have 1")


@pytest.mark.step("10f")
@pytest.mark.parametrize("name,build,encoding", [
    ("APPEND", lambda r: (r.set("s", "ab"), r.append("s", "c")), "raw"),
    ("APPEND creating the key", lambda r: r.append("s", "5"), "int"),
    ("SETRANGE", lambda r: (r.set("s", "12"), r.setrange("s", 0, "3")), "raw"),
    ("SETRANGE creating the key", lambda r: r.setrange("s", 0, "ab"), "raw"),
    ("SETBIT", lambda r: r.setbit("s", 1, 1), "raw"),
    ("BITOP", lambda r: (r.set("a", "x"), r.bitop("AND", "s", "a", "a")),
     "raw"),
    ("GETSET", lambda r: (r.set("s", "abc"), r.getset("s", "12")), "int"),
    ("INCRBYFLOAT", lambda r: r.incrbyfloat("s", 1.5), "embstr"),
    ("COPY of a raw string", lambda r: (r.set("a", "ab"), r.append("a", "c"),
                                        r.copy("a", "s")), "raw"),
])
def test_object_encoding_of_strings_changed_in_place(r, name, build,
                                                     encoding):
    """Catches: an encoding guessed from the bytes alone. Redis keeps a
    string changed in place (or built by BITOP) as "raw", whatever its
    length."""
    build(r)
    got = r.object("encoding", "s")
    assert got == encoding.encode(), (
        "OBJECT ENCODING after %s: %r, Redis says %r. Read workshop.md "
        "chapter %d." % (name, got, encoding, CHAPTER))


@pytest.mark.step("10f")
def test_object_of_a_list_and_of_a_missing_key(r, connect):
    conn = connect()
    r.rpush("l", "a")
    check(conn, ("OBJECT", "ENCODING", "l"), bulk("quicklist"))
    check(conn, ("OBJECT", "REFCOUNT", "l"), integer(1))
    r.copy("l", "c")
    check(conn, ("OBJECT", "ENCODING", "c"), bulk("quicklist"),
          "a copy of a list is a list, with the same encoding")
    for sub in ("ENCODING", "REFCOUNT", "IDLETIME", "FREQ"):
        check(conn, ("OBJECT", sub, "missing"), NIL,
              "OBJECT of a missing key is nil, whatever the subcommand")


@pytest.mark.step("10f")
def test_object_freq_needs_an_lfu_policy_and_idletime_is_a_number(r, connect):
    conn = connect()
    r.set("k", "v")
    check(conn, ("OBJECT", "FREQ", "k"), NO_LFU,
          "without maxmemory-policy allkeys-lfu or volatile-lfu no "
          "frequency is tracked")
    idle = r.object("idletime", "k")
    assert isinstance(idle, int) and 0 <= idle <= 2, why(
        "OBJECT IDLETIME of a key just set is %r" % (idle,),
        "the seconds since the key was last used: about 0 here")


@pytest.mark.step("10f")
def test_object_idletime_grows_until_the_key_is_used(r, connect):
    """Catches: an OBJECT that touches the key it looks at, EXISTS, TYPE
    or the TTL commands counted as a use of the key (Redis looks them up
    without touching it, so they do not keep a key from eviction), and a
    TOUCH that only counts keys without stamping their access time, which
    is TOUCH's purpose."""
    conn = connect()
    r.set("k", "v")
    r.set("t", "v")
    time.sleep(2.2)
    for look in ("OBJECT IDLETIME", "OBJECT IDLETIME", "EXISTS", "TYPE",
                 "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        request(conn, *look.split(), "k")
        idle = r.object("idletime", "k")
        assert 1 <= idle <= 3, why(
            "OBJECT IDLETIME of a key left alone for 2.2 s is %r after %s"
            % (idle, look),
            "answer the seconds since the last access; %s only looks at "
            "the key, which is no access" % look)
    r.get("k")
    idle = r.object("idletime", "k")
    assert idle == 0, why("OBJECT IDLETIME right after GET is %r" % idle,
                          "a command that reads the key is an access")
    check(conn, ("TOUCH", "t"), integer(1))
    idle = r.object("idletime", "t")
    assert idle == 0, why("OBJECT IDLETIME right after TOUCH is %r" % idle,
                          "TOUCH is an access: it stamps the key's time of "
                          "last use (that is what it is for)")


@pytest.mark.step("10f")
def test_object_help_and_its_errors(r, connect):
    conn = connect()
    help_reply = b"*%d\r\n" % len(OBJECT_HELP) + b"".join(
        b"+%s\r\n" % line.encode() for line in OBJECT_HELP)
    check(conn, ("OBJECT", "HELP"), help_reply)
    check(conn, ("object", "help"), help_reply)
    check(conn, ("OBJECT",), arity_error("object"))
    check(conn, ("OBJECT", "HELP", "x"), arity_error("object|help"))
    check(conn, ("OBJECT", "ENCODING"), arity_error("object|encoding"))
    check(conn, ("OBJECT", "freq", "a", "b"), arity_error("object|freq"))
    check(conn, ("OBJECT", "foo"),
          error("ERR unknown subcommand 'foo'. Try OBJECT HELP."))


# ---------------------------------------------------------------------------
# SCAN: arguments
# ---------------------------------------------------------------------------

@pytest.mark.step("10g")
@pytest.mark.parametrize("cursor", [" 1", "1 ", "x", "0x1", "-", "+",
                                    "18446744073709551616", "1.5"])
def test_scan_refuses_a_cursor_that_is_not_a_number(r, connect, cursor):
    check(connect(), ("SCAN", cursor), INVALID_CURSOR,
          "Redis reads the cursor with strtoul: no spaces, nothing after "
          "the digits, and it must fit 64 bits")


@pytest.mark.step("10g")
@pytest.mark.parametrize("cursor", ["", "0", "-1", "+0", "007",
                                    "18446744073709551615"])
def test_scan_accepts_what_strtoul_accepts(r, connect, cursor):
    check(connect(), ("SCAN", cursor), array(bulk("0"), array()),
          "an empty database: cursor 0 and no keys, whatever the cursor")


@pytest.mark.step("10g")
@pytest.mark.parametrize("args, reply", [
    (("COUNT", "0"), SYNTAX), (("COUNT", "-1"), SYNTAX),
    (("COUNT", "x"), NOT_INTEGER), (("COUNT",), SYNTAX), (("MATCH",), SYNTAX),
    (("TYPE",), SYNTAX), (("foo", "bar"), SYNTAX),
    (("COUNT", "1", "MATCH"), SYNTAX),
], ids=["count-0", "count-negative", "count-x", "count-alone", "match-alone",
        "type-alone", "unknown", "trailing-match"])
def test_scan_refuses_bad_options(r, connect, args, reply):
    r.set("k", "v")
    check(connect(), ("SCAN", "0") + args, reply)


@pytest.mark.step("10g")
def test_scan_of_an_empty_database(r, connect):
    conn = connect()
    check(conn, ("SCAN", "0"), array(bulk("0"), array()))
    check(conn, ("SCAN",), arity_error("scan"))


# ---------------------------------------------------------------------------
# SCAN: walks
# ---------------------------------------------------------------------------

def scan_walk(r, between=None, limit=100000, **options):
    """A whole SCAN walk; returns (every key answered in order, calls)."""
    cursor, seen, calls = 0, [], 0
    while True:
        cursor, keys = r.scan(cursor, **options)
        seen.extend(keys)
        calls += 1
        if cursor == 0:
            return seen, calls
        assert calls < limit, why("the SCAN walk did not end after %d calls"
                                  % calls, "the cursor must come back to 0")
        if between is not None:
            between(calls)


@pytest.mark.step("10g")
def test_scan_walk_returns_every_key_exactly_once(r):
    keys = {b"key:%d" % i for i in range(1000)}
    r.mset({k: b"v" for k in keys})
    seen, calls = scan_walk(r)
    expect_equal("the keys of a SCAN walk with nothing changing",
                 sorted(set(seen)) == sorted(keys), True,
                 "visit every bucket once: the reverse-binary cursor")
    assert len(seen) == len(keys), why(
        "%d keys answered for %d distinct" % (len(seen), len(set(seen))),
        "when nothing changes, each key comes exactly once")
    assert calls > 10, why("a walk of 1000 keys took %d calls" % calls,
                           "COUNT 10 by default: about 10 keys a call")


@pytest.mark.step("10g")
def test_scan_count_is_a_hint_of_how_much_work(r, connect):
    r.mset({"k%d" % i: "v" for i in range(1000)})
    cursor, keys = r.scan(0, count=10000)
    expect_equal("SCAN 0 COUNT 10000 over 1000 keys", (cursor, len(keys)),
                 (0, 1000), "a big COUNT walks the whole table in one call")
    seen, calls = scan_walk(r, count=1)
    assert calls >= 500, why("COUNT 1 took only %d calls" % calls,
                             "COUNT 1: one bucket or so per call")
    expect_equal("keys of a COUNT 1 walk", len(set(seen)), 1000,
                 "every key, whatever COUNT")


@pytest.mark.step("10g")
def test_scan_match_and_type_filter_the_keys(r):
    r.mset({"user:%d" % i: "v" for i in range(30)})
    r.mset({"other:%d" % i: "v" for i in range(30)})
    for i in range(20):
        r.rpush("user:list:%d" % i, "x")
    seen, _ = scan_walk(r, match="user:*")
    expect_equal("SCAN MATCH user:*", len(set(seen)), 50,
                 "MATCH is KEYS's glob, applied to each key")
    seen, _ = scan_walk(r, match="user:?", count=100)
    expect_equal("SCAN MATCH user:?", sorted(set(seen)),
                 sorted(b"user:%d" % i for i in range(10)), "? is one byte")
    seen, _ = scan_walk(r, _type="list")
    expect_equal("SCAN TYPE list", sorted(set(seen)),
                 sorted(b"user:list:%d" % i for i in range(20)),
                 "TYPE compares TYPE's answer for each key")
    seen, _ = scan_walk(r, _type="STRING", match="other:*")
    expect_equal("SCAN TYPE STRING MATCH other:*", len(set(seen)), 30,
                 "the type name is compared without case")
    seen, _ = scan_walk(r, _type="nosuchtype")
    expect_equal("SCAN TYPE nosuchtype", seen, [],
                 "Redis 7.0 answers no keys for an unknown type name")


@pytest.mark.step("10g")
def test_scan_skips_expired_keys(r):
    r.mset({"alive%d" % i: "v" for i in range(20)})
    for i in range(20):
        r.set("dead%d" % i, "v", px=1)
    time.sleep(0.02)
    seen, _ = scan_walk(r)
    expect_equal("keys of a SCAN walk over 20 live and 20 expired keys",
                 sorted(set(seen)), sorted(b"alive%d" % i for i in range(20)),
                 "a key past its time is never answered")


@pytest.mark.step("10g")
def test_scan_returns_every_key_that_stays_while_keys_come_and_go(r):
    stable = {b"stable:%d" % i for i in range(500)}
    r.mset({k: b"v" for k in stable})
    added = [0]

    def churn(calls):
        # 300 new keys a call grow the table many times over; deleting
        # the older new ones keeps changing the rest of it.
        pipe = r.pipeline(transaction=False)
        for i in range(added[0], added[0] + 300):
            pipe.set(b"temp:%d" % i, b"v")
        for i in range(max(0, added[0] - 600), added[0] - 300):
            pipe.delete(b"temp:%d" % i)
        pipe.execute()
        added[0] += 300

    seen, calls = scan_walk(r, between=churn, count=20)
    missing = stable - set(seen)
    assert not missing, why(
        "%d keys present during the whole walk were never returned, e.g. %r "
        "(%d calls, %d keys added meanwhile)"
        % (len(missing), sorted(missing)[:3], calls, added[0]),
        "the cursor counts with its bits reversed, so buckets split by a "
        "growth come right after the bucket they came from")
    strangers = {k for k in seen if not k.startswith((b"stable:", b"temp:"))}
    assert not strangers, why("SCAN answered keys that never existed: %r"
                              % sorted(strangers)[:3], "answer real keys only")


@pytest.mark.step("10g")
def test_scan_returns_every_key_that_stays_while_the_table_shrinks(r):
    stable = {b"stable:%d" % i for i in range(200)}
    r.mset({k: b"v" for k in stable})
    pipe = r.pipeline(transaction=False)
    for i in range(20000):
        pipe.set(b"temp:%d" % i, b"v")
    pipe.execute()
    deleted = [0]

    def shrink(calls):
        upto = min(20000, deleted[0] + 1000)
        if deleted[0] < upto:
            r.delete(*[b"temp:%d" % i for i in range(deleted[0], upto)])
        deleted[0] = upto

    seen, calls = scan_walk(r, between=shrink, count=50)
    missing = stable - set(seen)
    assert not missing, why(
        "%d keys present during the whole walk were never returned, e.g. %r "
        "(%d calls while 20000 keys were deleted)"
        % (len(missing), sorted(missing)[:3], calls),
        "a shrink folds buckets b and b + n together; the reversed-bit "
        "cursor has visited both or neither")


# ---------------------------------------------------------------------------
# RPOPLPUSH
# ---------------------------------------------------------------------------

@pytest.mark.step("10h")
def test_rpoplpush_moves_the_tail_to_the_head(r, connect):
    conn = connect()
    r.rpush("src", "a", "b", "c")
    r.rpush("dst", "x")
    check(conn, ("RPOPLPUSH", "src", "dst"), bulk("c"))
    check(conn, ("LRANGE", "src", "0", "-1"), bulks("a", "b"))
    check(conn, ("LRANGE", "dst", "0", "-1"), bulks("c", "x"))
    check(conn, ("RPOPLPUSH", "src", "new"), bulk("b"))
    check(conn, ("LRANGE", "new", "0", "-1"), bulks("b"),
          "a missing destination is created")
    check(conn, ("RPOPLPUSH", "src", "new"), bulk("a"))
    check(conn, ("EXISTS", "src"), integer(0),
          "the source popped empty is deleted")
    check(conn, ("RPOPLPUSH", "src", "new"), NIL)
    check(conn, ("RPOPLPUSH", "src"), arity_error("rpoplpush"))


@pytest.mark.step("10h")
def test_rpoplpush_of_a_list_onto_itself_rotates_it(r, connect):
    conn = connect()
    r.rpush("l", "a", "b", "c")
    check(conn, ("RPOPLPUSH", "l", "l"), bulk("c"))
    check(conn, ("LRANGE", "l", "0", "-1"), bulks("c", "a", "b"))
    r.delete("l")
    r.rpush("l", "only")
    check(conn, ("RPOPLPUSH", "l", "l"), bulk("only"))
    check(conn, ("LRANGE", "l", "0", "-1"), bulks("only"),
          "a one-element list rotated onto itself is still there")


@pytest.mark.step("10h")
def test_rpoplpush_with_a_key_of_another_type_changes_nothing(r, connect):
    conn = connect()
    r.set("s", "x")
    r.rpush("l", "a")
    check(conn, ("RPOPLPUSH", "s", "l"), WRONGTYPE)
    check(conn, ("RPOPLPUSH", "l", "s"), WRONGTYPE)
    check(conn, ("LRANGE", "l", "0", "-1"), bulks("a"),
          "nothing is popped when the destination is not a list")
    check(conn, ("RPOPLPUSH", "missing", "s"), NIL,
          "a missing source answers nil before the destination is checked")


# ---------------------------------------------------------------------------
# LMPOP
# ---------------------------------------------------------------------------

@pytest.mark.step("10h")
@pytest.mark.parametrize("args, reply", [
    (("0", "a", "left"), NUMKEYS), (("-1", "a", "left"), NUMKEYS),
    (("x", "a", "left"), NUMKEYS), (("01", "a", "left"), NUMKEYS),
    (("2147483648", "a", "left"), SYNTAX), (("2", "a", "left"), SYNTAX),
    (("1", "a", "up"), SYNTAX), (("1", "a", "left", "count", "0"),
                                 COUNT_POSITIVE),
    (("1", "a", "left", "count", "-1"), COUNT_POSITIVE),
    (("1", "a", "left", "count", "x"), COUNT_POSITIVE),
    (("1", "a", "left", "count", "99999999999999999999"), COUNT_POSITIVE),
    (("1", "a", "left", "count"), SYNTAX),
    (("1", "a", "left", "count", "1", "count", "2"), SYNTAX),
    (("1", "a", "left", "foo"), SYNTAX),
    (("1", "a"), arity_error("lmpop")),
])
def test_lmpop_refuses_bad_arguments(r, connect, args, reply):
    r.rpush("a", "x")
    check(connect(), ("LMPOP",) + args, reply)


@pytest.mark.step("10h")
def test_lmpop_pops_from_the_first_non_empty_list(r, connect):
    conn = connect()
    r.rpush("b", "1", "2", "3")
    r.rpush("c", "9")
    check(conn, ("LMPOP", "3", "a", "b", "c", "LEFT"),
          array(bulk("b"), bulks("1")))
    check(conn, ("LMPOP", "3", "a", "b", "c", "right", "COUNT", "5"),
          array(bulk("b"), bulks("3", "2")),
          "COUNT pops up to that many; the reply names the key")
    check(conn, ("EXISTS", "b"), integer(0), "b popped empty is deleted")
    check(conn, ("LMPOP", "2", "a", "b", "left"), NULL_ARRAY,
          "no list among the keys: a null array")
    check(conn, ("LMPOP", "1", "c", "left", "count",
                 "9223372036854775807"), array(bulk("c"), bulks("9")))


@pytest.mark.step("10h")
def test_lmpop_checks_types_only_up_to_the_list_it_pops(r, connect):
    conn = connect()
    r.set("s", "x")
    r.rpush("l", "1", "2")
    check(conn, ("LMPOP", "2", "l", "s", "left"),
          array(bulk("l"), bulks("1")),
          "the first list found is popped; later keys are not looked at")
    check(conn, ("LMPOP", "2", "s", "l", "left"), WRONGTYPE)
    check(conn, ("LMPOP", "2", "missing", "s", "left"), WRONGTYPE)
    check(conn, ("LRANGE", "l", "0", "-1"), bulks("2"))


@pytest.mark.step("10h")
def test_lmpop_and_rpoplpush_answer_resp3_nulls_after_hello_3(r, connect):
    conn = connect()
    conn.send(command("HELLO", "3"))
    conn.read_available(timeout=0.5)
    check(conn, ("LMPOP", "1", "missing", "left"), b"_\r\n",
          "RESP3 has one null for all: _\\r\\n")
    check(conn, ("RPOPLPUSH", "missing", "d"), b"_\r\n")


# ---------------------------------------------------------------------------
# WATCH sees both keys of RENAME and MOVE
# ---------------------------------------------------------------------------

def watched_change(watched, *change):
    """A parameter marked with the step that introduces the command."""
    for step in steps.chapter_of_extension("keys").steps:
        if change[0] in step.commands:
            return pytest.param(watched, change, marks=pytest.mark.step(
                step.id), id="%s-%s" % (watched, " ".join(change)))
    raise KeyError(change[0])


@pytest.mark.parametrize("watched, change", [
    watched_change("a", "RENAME", "a", "b"),
    watched_change("b", "RENAME", "a", "b"),
    watched_change("b", "RENAMENX", "a", "b"),
    watched_change("a", "MOVE", "a", "1"),
    watched_change("b", "COPY", "a", "b"),
    watched_change("l", "LMPOP", "1", "l", "left"),
    watched_change("d", "RPOPLPUSH", "l", "d"),
])
def test_watch_sees_the_keys_these_commands_change(r, connect, watched,
                                                   change):
    r.set("a", "1")
    r.rpush("l", "x", "y")
    conn = connect()
    check(conn, ("WATCH", watched), OK)
    r.execute_command(*change)
    check(conn, ("MULTI",), OK)
    check(conn, ("PING",), b"+QUEUED\r\n")
    check(conn, ("EXEC",), NULL_ARRAY,
          "%s changes %s: a transaction watching it must fail"
          % (" ".join(change), watched))


# ---------------------------------------------------------------------------
# The append-only file
# ---------------------------------------------------------------------------

def aof_bytes(directory):
    """Everything in the server's AOF files (ours: one file; Redis: a dir)."""
    data = b""
    for path in sorted(glob.glob(os.path.join(str(directory), "**", "*.aof"),
                                 recursive=True)):
        with open(path, "rb") as f:
            data += f.read()
    return data


def dump(c, db):
    c.execute_command("SELECT", db)
    out = {}
    for key in c.keys("*"):
        kind = c.type(key)
        value = c.get(key) if kind == b"string" else c.lrange(key, 0, -1)
        out[key] = (kind, value, c.pexpiretime(key))
    return out


@pytest.mark.step("10h")
def test_these_commands_survive_a_restart_and_lmpop_is_logged_as_pops(
        server_factory, suite):
    server = RestartableServer(server_factory,
                               *aof_on(suite.own_binary, "always"))
    c = server.client()
    c.rpush("l", "1", "2", "3", "4", "5")
    c.rpush("m", "a", "b")
    c.execute_command("LMPOP", "2", "none", "l", "LEFT", "COUNT", "2")
    c.execute_command("LMPOP", "1", "l", "RIGHT")
    c.execute_command("LMPOP", "1", "m", "RIGHT", "COUNT", "10")
    c.rpoplpush("l", "dst")
    c.set("a", "v", ex=5000)
    c.rename("a", "b")
    c.renamenx("b", "c")
    c.copy("c", "d")
    c.copy("c", "c", destination_db=2)
    c.move("d", 1)
    c.unlink("dst")
    before = {db: dump(c, db) for db in (0, 1, 2)}
    log = aof_bytes(server.dir)
    for logged in (b"*3\r\n$4\r\nLPOP\r\n$1\r\nl\r\n$1\r\n2\r\n",
                   b"*3\r\n$4\r\nRPOP\r\n$1\r\nl\r\n$1\r\n1\r\n",
                   b"*3\r\n$4\r\nRPOP\r\n$1\r\nm\r\n$1\r\n2\r\n"):
        assert logged in log, why(
            "the AOF does not hold %r" % logged,
            "LMPOP is logged as the LPOP/RPOP key n it amounts to, n being "
            "the number actually popped")
    assert b"lmpop" not in log.lower(), why(
        "the AOF holds an LMPOP", "log the pops, not LMPOP itself")
    server.stop("term")
    c = server.start()
    after = {db: dump(c, db) for db in (0, 1, 2)}
    assert after == before, why(
        "after a restart the data differs:\n  before %r\n  after  %r"
        % (before, after), "every one of these writes must reach the AOF")
