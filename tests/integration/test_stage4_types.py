"""Stage 4: typed values: TYPE, and WRONGTYPE across the commands of stages
2 to 4.

From stage 4 a key holds either a string or a list. A command that reads or
changes a value checks its type first and refuses the wrong kind with

    -WRONGTYPE Operation against a key holding the wrong kind of value

changing nothing. The exceptions, all as in Redis 7.0.15:

- MGET never fails: a key that is not a string is nil in its reply;
- SET and MSET overwrite whatever the key holds (and drop its TTL), but
  SET ... GET must first read the old value, so it refuses a list;
- DEL, EXISTS, KEYS, DBSIZE, TYPE, EXPIRE, TTL and PERSIST work on any type;
- a command whose arguments are malformed refuses them before it looks at
  the key at all (LRANGE l x 1 is "not an integer" even on a string), except
  LINDEX and LSET, which look the key up first.

The wrong servers these tests catch, step by step:
  4b  a TYPE that answers nil or an error for a missing key; GET, APPEND,
      STRLEN, INCR, DECR, INCRBY, DECRBY or SET ... GET that read a list's
      bytes or replace it instead of answering WRONGTYPE, or a WRONGTYPE
      sent with an ERR prefix; an MGET that fails on a list; a SET or MSET
      that refuses to replace a list, or keeps its TTL; DEL, EXISTS, KEYS,
      DBSIZE or FLUSHALL that skip lists; EXPIRE, TTL or PERSIST that
      refuse a list, or a TTL of 0 that does not delete it; a list past
      its TTL that LLEN, LRANGE, LPUSHX or TYPE still see; a SET ... NX
      that overwrites a list, or a SET ... XX that does not, because its
      lookup only finds strings;
  4c  a list emptied by LPOP whose TYPE is still list, or whose TTL comes
      back on a new list of the same name;
  4g  an LMOVE that pops before checking the destination's type (the
      element is lost, a one-element source deleted), answers WRONGTYPE
      for a string destination when the source is missing, or moves from
      a string; a list that loses its TTL when pushed to, popped, set,
      trimmed or moved from or to;
  4h  an INCRBY that checks the type before the increment; a list command
      (even LPUSHX, LTRIM or LMOVE) that works on a string or creates a
      key; an order of checks in which WRONGTYPE wins over a bad number or
      keyword, or, for LINDEX and LSET, loses to it.
"""

import time

import pytest

from helpers import arity_error, array, bulk, command, error, expect_reply

pytestmark = pytest.mark.stage(4)

CHAPTER = 4
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
MUST_BE_POSITIVE = error("ERR value is out of range, must be positive")
SYNTAX = error("ERR syntax error")
RANK_ZERO = error("ERR RANK can't be zero: use 1 to start from the first "
                  "match, 2 from the second ... or use negative to start "
                  "from the end of the list")
COUNT_NEGATIVE = error("ERR COUNT can't be negative")
MAXLEN_NEGATIVE = error("ERR MAXLEN can't be negative")
NIL = b"$-1\r\n"


def bulks(*items):
    return array(*[bulk(item) for item in items])


def expect_same(what, got, expected, hint, chapter=CHAPTER):
    __tracebackhide__ = True
    if got != expected:
        raise AssertionError(
            "Wrong result for %s.\n  received:      %r\n  Redis replies: %r\n"
            "  hint: %s\n  Read workshop.md chapter %d."
            % (what, got, expected, hint, chapter))


# ---------------------------------------------------------------------------
# TYPE
# ---------------------------------------------------------------------------

@pytest.mark.step("4b")
def test_type_names_the_kind_of_value(r, connect):
    conn = connect()
    r.set(b"s", b"v")
    r.rpush(b"l", b"a")
    hint = "TYPE replies a simple string: +string, +list or +none"
    expect_reply(conn, command("TYPE", "s"), b"+string\r\n", chapter=CHAPTER,
                 hint=hint)
    expect_reply(conn, command("TYPE", "l"), b"+list\r\n", chapter=CHAPTER,
                 hint=hint)
    expect_reply(conn, command("TYPE", "missing"), b"+none\r\n",
                 chapter=CHAPTER,
                 hint="a missing key is +none, not nil and not an error")


@pytest.mark.step("4b")
def test_values_made_by_string_commands_are_strings(r, connect):
    conn = connect()
    r.incr(b"counter")
    r.append(b"log", b"x")
    r.mset({b"m": b"1"})
    for key in ("counter", "log", "m"):
        expect_reply(conn, command("TYPE", key), b"+string\r\n",
                     chapter=CHAPTER,
                     hint="INCR, APPEND and MSET create strings")


@pytest.mark.step("4g")
def test_values_made_by_list_commands_are_lists(r, connect):
    conn = connect()
    r.lpush(b"a", b"x")
    r.rpush(b"b", b"x")
    r.rpush(b"src", b"x", b"y")
    r.lmove(b"src", b"c", "LEFT", "RIGHT")
    for key in ("a", "b", "c", "src"):
        expect_reply(conn, command("TYPE", key), b"+list\r\n",
                     chapter=CHAPTER,
                     hint="LPUSH, RPUSH and LMOVE's destination make lists")


@pytest.mark.step("4c")
def test_type_of_a_deleted_or_emptied_list_is_none(r, connect):
    conn = connect()
    r.rpush(b"l", b"a")
    r.rpush(b"d", b"a")
    r.lpop(b"l")
    r.delete(b"d")
    for key in ("l", "d"):
        expect_reply(conn, command("TYPE", key), b"+none\r\n",
                     chapter=CHAPTER,
                     hint="a list emptied by LPOP must be deleted, so its "
                          "TYPE is none")


@pytest.mark.step("4b")
@pytest.mark.parametrize("args", [("TYPE",), ("TYPE", "a", "b")],
                         ids=["no key", "two keys"])
def test_type_checks_its_arity(r, connect, args):
    expect_reply(connect(), command(*args), arity_error("type"),
                 chapter=CHAPTER, hint="TYPE takes exactly one key")


# ---------------------------------------------------------------------------
# String commands on a list
# ---------------------------------------------------------------------------

STRING_COMMANDS = [
    ("GET", "l"),
    ("SET", "l", "v", "GET"),
    ("APPEND", "l", "x"),
    ("STRLEN", "l"),
    ("INCR", "l"),
    ("DECR", "l"),
    ("INCRBY", "l", "5"),
    ("DECRBY", "l", "5"),
]


@pytest.mark.step("4b")
@pytest.mark.parametrize("args", STRING_COMMANDS,
                         ids=[" ".join(a) for a in STRING_COMMANDS])
def test_string_commands_on_a_list_are_wrongtype_and_change_nothing(
        r, connect, args):
    conn = connect()
    r.rpush(b"l", b"1", b"2")
    expect_reply(conn, command(*args), WRONGTYPE, chapter=CHAPTER,
                 hint="check the value's type before using it as a string; "
                      "the error has no ERR prefix: it starts with WRONGTYPE")
    expect_reply(conn, command("TYPE", "l"), b"+list\r\n", chapter=CHAPTER,
                 hint="a command refused with WRONGTYPE must not replace the "
                      "list")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("1", "2"),
                 chapter=CHAPTER,
                 hint="a command refused with WRONGTYPE changes nothing")


@pytest.mark.step("4b")
def test_set_get_on_a_list_is_wrongtype_and_keeps_the_list(r, connect):
    # SET ... GET replies the old value, so it must read it as a string first:
    # unlike plain SET, it refuses to overwrite a list.
    conn = connect()
    r.rpush(b"l", b"a")
    expect_reply(conn, command("SET", "l", "v", "GET"), WRONGTYPE,
                 chapter=CHAPTER,
                 hint="SET with GET checks the old value's type before "
                      "setting anything")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("a"),
                 chapter=CHAPTER, hint="the list must survive SET ... GET")
    r.set(b"s", b"old")
    expect_reply(conn, command("SET", "s", "new", "GET"), bulk("old"),
                 chapter=CHAPTER,
                 hint="on a string, SET ... GET replies the old value")


@pytest.mark.step("4h")
def test_incrby_checks_its_increment_before_the_type(r, connect):
    conn = connect()
    r.rpush(b"l", b"1")
    for name in ("INCRBY", "DECRBY"):
        expect_reply(conn, command(name, "l", "x"), NOT_AN_INTEGER,
                     chapter=CHAPTER,
                     hint="%s parses its increment first: a bad one is "
                          "'not an integer' even on a list" % name)


@pytest.mark.step("4b")
def test_mget_replies_nil_for_a_list(r, connect):
    r.set(b"a", b"1")
    r.rpush(b"l", b"x")
    r.set(b"c", b"3")
    expect_reply(connect(), command("MGET", "a", "l", "missing", "c"),
                 array(bulk("1"), NIL, NIL, bulk("3")), chapter=CHAPTER,
                 hint="MGET never answers WRONGTYPE: a key that does not "
                      "hold a string is nil in its reply, like a missing one")


@pytest.mark.step("4b")
def test_set_overwrites_a_list_with_a_string(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b")
    expect_reply(conn, command("SET", "l", "now a string"), b"+OK\r\n",
                 chapter=CHAPTER,
                 hint="plain SET replaces any value, whatever its type")
    expect_reply(conn, command("TYPE", "l"), b"+string\r\n", chapter=CHAPTER,
                 hint="after SET the key holds a string")
    expect_reply(conn, command("GET", "l"), bulk("now a string"),
                 chapter=CHAPTER)
    expect_reply(conn, command("LLEN", "l"), WRONGTYPE, chapter=CHAPTER,
                 hint="the old list is gone: list commands now see a string")
    expect_reply(conn, command("DBSIZE"), b":1\r\n", chapter=CHAPTER)


@pytest.mark.step("4b")
def test_mset_overwrites_a_list_with_a_string(r, connect):
    conn = connect()
    r.rpush(b"l", b"a")
    expect_reply(conn, command("MSET", "l", "v", "other", "w"), b"+OK\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("TYPE", "l"), b"+string\r\n", chapter=CHAPTER,
                 hint="MSET replaces any value, like SET")
    expect_reply(conn, command("GET", "l"), bulk("v"), chapter=CHAPTER)


@pytest.mark.step("4b")
def test_set_nx_and_xx_see_a_list_as_an_existing_key(r, connect):
    # NX and XX ask whether the key exists, whatever it holds: a lookup
    # that only finds strings takes a list for a missing key.
    conn = connect()
    r.rpush(b"l", b"a")
    expect_reply(conn, command("SET", "l", "v", "NX"), NIL, chapter=CHAPTER,
                 hint="SET ... NX sets nothing when the key exists, and a "
                      "list is a key that exists")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("a"),
                 chapter=CHAPTER, hint="SET ... NX must leave the list alone")
    expect_reply(conn, command("SET", "l", "v", "XX"), b"+OK\r\n",
                 chapter=CHAPTER,
                 hint="SET ... XX sets when the key exists, whatever its "
                      "type, and replaces the list with a string")
    expect_reply(conn, command("TYPE", "l"), b"+string\r\n", chapter=CHAPTER)
    expect_reply(conn, command("GET", "l"), bulk("v"), chapter=CHAPTER)


# ---------------------------------------------------------------------------
# List commands on a string
# ---------------------------------------------------------------------------

LIST_COMMANDS = [
    ("LPUSH", "s", "a"), ("RPUSH", "s", "a", "b"),
    ("LPUSHX", "s", "a"), ("RPUSHX", "s", "a"),
    ("LRANGE", "s", "0", "-1"), ("LLEN", "s"),
    ("LPOP", "s"), ("RPOP", "s"), ("LPOP", "s", "2"), ("RPOP", "s", "0"),
    ("LINDEX", "s", "0"), ("LSET", "s", "0", "x"),
    ("LTRIM", "s", "0", "-1"), ("LTRIM", "s", "1", "0"),
    ("LREM", "s", "0", "abc"), ("LINSERT", "s", "BEFORE", "abc", "x"),
    ("LPOS", "s", "abc"), ("LPOS", "s", "abc", "RANK", "-1", "COUNT", "0"),
    ("LMOVE", "s", "dst", "LEFT", "RIGHT"), ("LMOVE", "s", "s", "LEFT",
                                              "LEFT"),
]


@pytest.mark.step("4h")
@pytest.mark.parametrize("args", LIST_COMMANDS,
                         ids=[" ".join(a) for a in LIST_COMMANDS])
def test_list_commands_on_a_string_are_wrongtype_and_change_nothing(
        r, connect, args):
    conn = connect()
    r.set(b"s", b"abc")
    expect_reply(conn, command(*args), WRONGTYPE, chapter=CHAPTER,
                 hint="every list command checks that the key holds a list "
                      "(a missing key is an empty list; a string is an "
                      "error), even LPUSHX and LTRIM")
    expect_reply(conn, command("GET", "s"), bulk("abc"), chapter=CHAPTER,
                 hint="a command refused with WRONGTYPE must leave the "
                      "string as it was")
    expect_reply(conn, command("DBSIZE"), b":1\r\n", chapter=CHAPTER,
                 hint="a refused command creates no key (not even LMOVE's "
                      "destination)")


# (args on the string key "s" or the list key "l", reply): arguments are
# checked before the type, except by LINDEX and LSET.
CHECK_ORDER = [
    (("LRANGE", "s", "x", "1"), NOT_AN_INTEGER),
    (("LRANGE", "s", "0", "1.5"), NOT_AN_INTEGER),
    (("LTRIM", "s", "x", "1"), NOT_AN_INTEGER),
    (("LREM", "s", "x", "a"), NOT_AN_INTEGER),
    (("LPOP", "s", "x"), MUST_BE_POSITIVE),
    (("RPOP", "s", "-1"), MUST_BE_POSITIVE),
    (("LINSERT", "s", "MIDDLE", "a", "b"), SYNTAX),
    (("LPOS", "s", "a", "RANK", "0"), RANK_ZERO),
    (("LPOS", "s", "a", "COUNT", "-1"), COUNT_NEGATIVE),
    (("LPOS", "s", "a", "MAXLEN", "x"), MAXLEN_NEGATIVE),
    (("LPOS", "s", "a", "FOO"), SYNTAX),
    (("LMOVE", "s", "d", "UP", "RIGHT"), SYNTAX),
    (("LMOVE", "l", "s", "LEFT", "DOWN"), SYNTAX),
    (("INCRBY", "l", "x"), NOT_AN_INTEGER),
    (("LINDEX", "s", "x"), WRONGTYPE),
    (("LSET", "s", "x", "v"), WRONGTYPE),
]


@pytest.mark.step("4h")
@pytest.mark.parametrize("args, reply", CHECK_ORDER,
                         ids=[" ".join(a) for a, _ in CHECK_ORDER])
def test_which_error_wins_when_both_arguments_and_type_are_wrong(
        r, connect, args, reply):
    r.set(b"s", b"abc")
    r.rpush(b"l", b"a")
    expect_reply(connect(), command(*args), reply, chapter=CHAPTER,
                 hint="Redis parses the numbers and keywords first and looks "
                      "the key up afterwards, so a bad argument wins over "
                      "WRONGTYPE; LINDEX and LSET are the exceptions: they "
                      "look the key up first")


# ---------------------------------------------------------------------------
# LMOVE between types
# ---------------------------------------------------------------------------

@pytest.mark.step("4g")
def test_lmove_to_a_string_is_wrongtype_and_pops_nothing(r, connect):
    conn = connect()
    r.rpush(b"src", b"a", b"b")
    r.set(b"s", b"abc")
    expect_reply(conn, command("LMOVE", "src", "s", "LEFT", "RIGHT"),
                 WRONGTYPE, chapter=CHAPTER,
                 hint="check the destination's type before popping from the "
                      "source, or the element is lost")
    expect_reply(conn, command("LRANGE", "src", 0, -1), bulks("a", "b"),
                 chapter=CHAPTER,
                 hint="a refused LMOVE must leave the source untouched")
    expect_reply(conn, command("GET", "s"), bulk("abc"), chapter=CHAPTER)


@pytest.mark.step("4g")
def test_lmove_of_a_one_element_list_to_a_string_keeps_the_list(r, connect):
    conn = connect()
    r.rpush(b"src", b"only")
    r.set(b"s", b"abc")
    expect_reply(conn, command("LMOVE", "src", "s", "RIGHT", "LEFT"),
                 WRONGTYPE, chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "src", 0, -1), bulks("only"),
                 chapter=CHAPTER,
                 hint="popping first would empty and delete the source: "
                      "check the destination first")


@pytest.mark.step("4g")
def test_lmove_of_a_missing_source_to_a_string_is_nil(r, connect):
    r.set(b"s", b"abc")
    expect_reply(connect(), command("LMOVE", "missing", "s", "LEFT", "LEFT"),
                 NIL, chapter=CHAPTER,
                 hint="with nothing to move Redis never looks at the "
                      "destination: nil, not WRONGTYPE")


@pytest.mark.step("4g")
def test_lmove_from_a_string_is_wrongtype(r, connect):
    conn = connect()
    r.set(b"s", b"abc")
    r.rpush(b"dst", b"x")
    expect_reply(conn, command("LMOVE", "s", "dst", "LEFT", "LEFT"),
                 WRONGTYPE, chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "dst", 0, -1), bulks("x"),
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# Keyspace commands work on every type
# ---------------------------------------------------------------------------

@pytest.mark.step("4b")
def test_del_exists_keys_and_dbsize_see_every_type(r, connect):
    conn = connect()
    r.set(b"s", b"v")
    r.rpush(b"l", b"a", b"b")
    r.rpush(b"l2", b"c")
    expect_reply(conn, command("EXISTS", "s", "l", "l", "missing"),
                 b":3\r\n", chapter=CHAPTER,
                 hint="EXISTS counts keys of every type")
    expect_reply(conn, command("DBSIZE"), b":3\r\n", chapter=CHAPTER,
                 hint="DBSIZE counts lists too")
    expect_same("KEYS *", sorted(r.keys(b"*")), [b"l", b"l2", b"s"],
                "KEYS lists keys of every type")
    expect_same("KEYS l*", sorted(r.keys(b"l*")), [b"l", b"l2"],
                "KEYS matches the key name, whatever the value")
    expect_reply(conn, command("DEL", "l", "s", "missing"), b":2\r\n",
                 chapter=CHAPTER,
                 hint="DEL deletes a list like a string (and frees all of "
                      "its nodes)")
    expect_reply(conn, command("EXISTS", "l", "s"), b":0\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("DBSIZE"), b":1\r\n", chapter=CHAPTER)


@pytest.mark.step("4b")
def test_a_deleted_key_can_change_type(r, connect):
    conn = connect()
    r.rpush(b"k", b"a")
    r.delete(b"k")
    expect_reply(conn, command("SET", "k", "v"), b"+OK\r\n", chapter=CHAPTER)
    expect_reply(conn, command("TYPE", "k"), b"+string\r\n", chapter=CHAPTER)
    r.delete(b"k")
    expect_reply(conn, command("RPUSH", "k", "a"), b":1\r\n",
                 chapter=CHAPTER,
                 hint="after DEL the key is free for a list again")
    expect_reply(conn, command("TYPE", "k"), b"+list\r\n", chapter=CHAPTER)


@pytest.mark.step("4b")
def test_flushall_removes_lists(r, connect):
    conn = connect()
    r.rpush(b"l", *[b"%d" % i for i in range(1000)])
    r.set(b"s", b"v")
    expect_reply(conn, command("FLUSHALL"), b"+OK\r\n", chapter=CHAPTER)
    expect_reply(conn, command("DBSIZE"), b":0\r\n", chapter=CHAPTER)
    expect_reply(conn, command("LLEN", "l"), b":0\r\n", chapter=CHAPTER,
                 hint="FLUSHALL frees lists too")


# ---------------------------------------------------------------------------
# Expiry of lists (stage 3's commands on stage 4's type)
# ---------------------------------------------------------------------------

@pytest.mark.step("4b")
def test_expire_ttl_and_persist_work_on_a_list(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b")
    expect_reply(conn, command("EXPIRE", "l", 100), b":1\r\n",
                 chapter=CHAPTER,
                 hint="EXPIRE works on a key of any type")
    ttl = r.ttl(b"l")
    expect_same("TTL of a list with EXPIRE 100", ttl in (99, 100), True,
                "TTL reports a list's time to live like a string's (got %r)"
                % ttl)
    expect_reply(conn, command("PERSIST", "l"), b":1\r\n", chapter=CHAPTER)
    expect_reply(conn, command("TTL", "l"), b":-1\r\n", chapter=CHAPTER,
                 hint="PERSIST removes the TTL of a list too")
    expect_reply(conn, command("TYPE", "l"), b"+list\r\n", chapter=CHAPTER)


@pytest.mark.step("4g")
def test_changing_a_list_keeps_its_ttl(r, connect):
    r.rpush(b"l", b"a", b"b", b"c")
    r.expire(b"l", 100)
    r.rpush(b"l", b"d")
    r.lpop(b"l")
    r.lset(b"l", 0, b"z")
    r.ltrim(b"l", 0, 1)
    r.rpush(b"dst", b"x")
    r.expire(b"dst", 200)
    r.lmove(b"l", b"dst", "LEFT", "LEFT")
    for key, ttl in ((b"l", 100), (b"dst", 200)):
        got = r.ttl(key)
        expect_same("TTL %r after pushes, pops, LSET, LTRIM and LMOVE" % key,
                    got in (ttl - 1, ttl), True,
                    "changing a list in place keeps its TTL; only replacing "
                    "the value (SET) or deleting the key drops it (got %r)"
                    % got)


@pytest.mark.step("4b")
def test_set_over_a_list_drops_its_ttl(r, connect):
    r.rpush(b"l", b"a")
    r.expire(b"l", 100)
    r.set(b"l", b"v")
    expect_reply(connect(), command("TTL", "l"), b":-1\r\n", chapter=CHAPTER,
                 hint="SET replaces the value and drops the old TTL, "
                      "whatever the old type")


@pytest.mark.step("4c")
def test_a_list_emptied_and_pushed_again_has_no_ttl(r, connect):
    conn = connect()
    r.rpush(b"l", b"a")
    r.expire(b"l", 100)
    r.lpop(b"l")
    expect_reply(conn, command("TTL", "l"), b":-2\r\n", chapter=CHAPTER,
                 hint="the emptied list was deleted, TTL and all: -2")
    expect_reply(conn, command("RPUSH", "l", "b"), b":1\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("TTL", "l"), b":-1\r\n", chapter=CHAPTER,
                 hint="a new list has no TTL: remove a deleted key's entry "
                      "from the expires table too")


@pytest.mark.step("4b")
def test_expire_in_the_past_deletes_a_list_at_once(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b")
    expect_reply(conn, command("EXPIRE", "l", 0), b":1\r\n", chapter=CHAPTER)
    expect_reply(conn, command("EXISTS", "l"), b":0\r\n", chapter=CHAPTER,
                 hint="a TTL of 0 or less deletes the key now, a list like "
                      "a string")
    expect_reply(conn, command("TYPE", "l"), b"+none\r\n", chapter=CHAPTER)


@pytest.mark.step("4b")
def test_a_list_with_a_ttl_expires_like_a_string(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b")
    r.set(b"s", b"v")
    r.pexpire(b"l", 100)
    r.pexpire(b"s", 100)
    deadline = time.monotonic() + 3.0
    while r.exists(b"s") and time.monotonic() < deadline:
        time.sleep(0.02)
    hint = ("a list past its TTL must be gone for every command: check the "
            "expires table on each lookup, whatever the value's type")
    expect_reply(conn, command("EXISTS", "s"), b":0\r\n", chapter=CHAPTER,
                 hint="the string given the same TTL has expired by now")
    expect_reply(conn, command("EXISTS", "l"), b":0\r\n", chapter=CHAPTER,
                 hint=hint)
    expect_reply(conn, command("TYPE", "l"), b"+none\r\n", chapter=CHAPTER,
                 hint=hint)
    expect_reply(conn, command("LLEN", "l"), b":0\r\n", chapter=CHAPTER,
                 hint=hint)
    expect_reply(conn, command("LRANGE", "l", 0, -1), b"*0\r\n",
                 chapter=CHAPTER, hint=hint)
    expect_reply(conn, command("LPUSHX", "l", "x"), b":0\r\n",
                 chapter=CHAPTER,
                 hint="LPUSHX must not push onto an expired list")
    expect_reply(conn, command("RPUSH", "l", "new"), b":1\r\n",
                 chapter=CHAPTER,
                 hint="RPUSH onto an expired list starts a new one")
    expect_reply(conn, command("TTL", "l"), b":-1\r\n", chapter=CHAPTER,
                 hint="the new list has no TTL")
