"""Part II, sorted sets: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
ZREVRANK ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE
ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE
ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF
ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD ZSCAN (BZPOPMIN BZPOPMAX and
BZMPOP, served by the same code, are tested with the blocking commands,
test_ext_blocking.py, chapter 15).

A sorted set holds each member once with a score (a double), ordered by
score, then by the members' bytes. Like a list (stage 4) it is created by
its first ZADD and deleted by the command that removes its last member.
Redis keeps a small one packed (a listpack: OBJECT ENCODING says
"listpack") and converts it for good to a skip list with a hash table
("skiplist") past zset-max-listpack-entries (128) members or a member
longer than zset-max-listpack-value (64) bytes.

Every exact reply was taken from redis-server 7.0.15. In particular:
- scores are printed with 17 significant digits ("%.17g": 1.1 is
  1.1000000000000001, 1e17 is 1e+17), infinities as inf and -inf; a packed
  set stores an integral score as an integer, so -0 comes back as 0 there
  and as -0 from a skip list, and ZSCAN of a packed set shows 1e17 as
  100000000000000000;
- with HELLO 3 a score is a double (`,1.5`), WITHSCORES (and ZPOPMIN with a
  count, ZRANDMEMBER, ZUNION ...) nests [member, score] pairs where RESP2
  flattens them; ZPOPMIN without a count stays flat;
- ranges: '(' opens a score bound, '[' and '(' start a member bound, '-'
  and '+' are the ends; LIMIT's negative count means all, a negative
  offset gives nothing; "LIMIT 0 -1" is even accepted by rank;
- ZMPOP is written to the append-only file as the ZPOPMIN or ZPOPMAX it
  amounted to, with the count really popped.

The wrong servers these tests catch, step by step:
  14a members in insertion order, or ties broken otherwise than by bytes
      ("" first, "10" before "9", "B" before "a"); scores printed with %g
      or shortest round-trip instead of 17 digits, "Infinity", or "-0" from
      a packed set; a ZADD that counts an update as new, adds the pairs
      before a bad score, or accepts "nan", " 1", "1e999"; negative ranks
      not counted from the end; ZREM that leaves an empty set behind;
  14b NX XX GT LT CH INCR combined wrongly or refused with other texts; an
      XX that creates the key; INCR answering 0 instead of nil when an
      option stopped it; inf + -inf stored as NaN;
  14c a conversion at the wrong count or length (128 members and 64 bytes
      stay packed), a skip list that goes back when it shrinks, a limit
      read once instead of at each ZADD, the zset-max-ziplist-* aliases
      missing; ranks wrong in a big set (a skip list without spans counted
      by walking still passes, only slowly);
  14d bounds that ignore '(' or mix up ZREVRANGEBYSCORE's max and min;
      LIMIT applied before the range or with a negative count meaning none;
      a range with min above max that answers members; texts other than
      "min or max is not a float" and "min or max not valid string range
      item"; WITHSCORES accepted with BYLEX;
  14e ranges removed off by one, an emptied set kept, the key looked up
      before the range is read; ZRANGESTORE that keeps the destination's
      TTL or old type, stores an empty set, or takes WITHSCORES;
  14f pops from the wrong end or in the wrong order, a count of 0 that
      pops, an emptied set kept; ZMPOP that skips a key of another type or
      reads its COUNT twice; the log holding ZMPOP instead of ZPOPMIN or
      ZPOPMAX key count (the blocking pops are chapter 15's, in
      test_ext_blocking.py);
  14g an algebra that disagrees with a model (random mixes of sorted sets,
      sets and missing keys, weights and aggregates), reads sets wrongly,
      stores an empty result, keeps the destination's TTL, or checks the
      options before the keys' types; the numkeys errors;
  14h a ZRANDMEMBER that favours members, repeats them for a positive
      count, or answers its cases in other shapes; a ZSCAN of a packed set
      that uses its cursor, or of a skip list that answers everything at
      once; '*' where RESP3 wants ',' for a score; sorted sets that do not
      survive a restart or BGREWRITEAOF (ours: ZADD records of more than
      64 pairs).
Every command's WRONGTYPE and arity are checked in its own step.
"""

import collections
import glob
import math
import os
import random

import pytest
import redis

import steps
from helpers import (aof_commands, aof_on, arity_error, array,
                     bulk, command, error, expect_reply, integer,
                     wait_rewrite_done, RestartableServer)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("zsets")]

CHAPTER = 14    # Part II: sorted sets
EMPTY = b"*0\r\n"
NIL = b"$-1\r\n"
NIL_ARRAY = b"*-1\r\n"
NULL3 = b"_\r\n"
OK = b"+OK\r\n"
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
SYNTAX = error("ERR syntax error")
NOT_FLOAT = error("ERR value is not a valid float")
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
MUST_BE_POSITIVE = error("ERR value is out of range, must be positive")
RANGE_NOT_FLOAT = error("ERR min or max is not a float")
RANGE_NOT_LEX = error("ERR min or max not valid string range item")
NAN_SCORE = error("ERR resulting score is not a number (NaN)")
XX_AND_NX = error("ERR XX and NX options at the same time are not compatible")
GT_LT_NX = error("ERR GT, LT, and/or NX options at the same time are not "
                 "compatible")
INCR_PAIRS = error("ERR INCR option supports a single increment-element pair")
LIMIT_BY_RANK = error("ERR syntax error, LIMIT is only supported in "
                      "combination with either BYSCORE or BYLEX")
WITHSCORES_BYLEX = error("ERR syntax error, WITHSCORES not supported in "
                         "combination with BYLEX")
WEIGHT_NOT_FLOAT = error("ERR weight value is not a float")
INVALID_CURSOR = error("ERR invalid cursor")


def bulks(*items):
    return array(*[bulk(item) for item in items])


def dbl(text):
    """A RESP3 double, as Redis 7.0 writes it."""
    return b"," + text.encode() + b"\r\n"


def pairs2(*items):
    """WITHSCORES in RESP2: member, score, member, score ... flat."""
    return bulks(*items)


def pairs3(*items):
    """WITHSCORES in RESP3: [member, score] pairs, scores as doubles."""
    out = [b"*%d\r\n" % (len(items) // 2)]
    for member, score in zip(items[0::2], items[1::2]):
        out.append(b"*2\r\n" + bulk(member) + dbl(score))
    return b"".join(out)


def expect(conn, args, reply, hint=None):
    __tracebackhide__ = True
    expect_reply(conn, command(*args), reply, CHAPTER,
                 hint=hint or "see the sorted sets chapter (workshop.md Part II)")


def resp3(connect):
    conn = connect()
    conn.send(command("HELLO", "3"))
    conn.read_available(0.2)
    return conn


def by_command(args):
    """A parameter marked with the step that introduces its command."""
    name = args[0].upper()
    for step in steps.chapter_of_extension("zsets").steps:
        if name in step.commands:
            return pytest.param(args, id=" ".join(args),
                                marks=pytest.mark.step(step.id))
    raise KeyError("no step of chapter %d covers %s" % (CHAPTER, name))


def has_object(r):
    try:
        r.object("encoding", "no-such-key")
    except redis.ResponseError as exc:
        return "unknown command" not in str(exc)
    return True


def encoding(r, key):
    if not has_object(r):
        pytest.skip("OBJECT is not served by this server yet (the keys "
                    "extension brings it): the encoding cannot be seen")
    return r.object("encoding", key).decode()


@pytest.fixture
def defaults(r):
    """Put the two limits back to Redis's defaults after the test."""
    yield r
    r.config_set("zset-max-listpack-entries", 128)
    r.config_set("zset-max-listpack-value", 64)


@pytest.fixture(params=["listpack", "skiplist"])
def kind(request, r, defaults):
    """Both encodings: the skip list by a limit of 0 members."""
    if request.param == "skiplist":
        r.config_set("zset-max-listpack-entries", 0)
    return request.param


def check_kind(r, key, kind):
    assert encoding(r, key) == kind, (
        "%s should be a %s here (zset-max-listpack-entries %s)"
        % (key, kind, r.config_get("zset-max-listpack-entries")))


def fmt(score):
    """A score as Redis 7.0 prints it."""
    if math.isinf(score):
        return "inf" if score > 0 else "-inf"
    return "%.17g" % score


def as_bytes(x):
    return x if isinstance(x, bytes) else str(x).encode()


# ---------------------------------------------------------------------------
# 14a: a packed sorted set
# ---------------------------------------------------------------------------

@pytest.mark.step("14a")
def test_zadd_counts_new_members_and_zrange_reads_them_by_score(r, connect):
    conn = connect()
    expect(conn, ["ZADD", "z", "3", "c", "1", "a", "2", "b"], integer(3),
           "ZADD replies how many members were new")
    expect(conn, ["ZADD", "z", "10", "a", "4", "d"], integer(1),
           "an updated score is not a new member: only d counts")
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks("b", "c", "d", "a"),
           "ZRANGE reads by rank, lowest score first; a moved to 10")
    expect(conn, ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
           pairs2("b", "2", "c", "3", "d", "4", "a", "10"))
    expect(conn, ["ZCARD", "z"], integer(4))
    expect(conn, ["ZCARD", "missing"], integer(0))
    expect(conn, ["TYPE", "z"], b"+zset\r\n")


@pytest.mark.step("14a")
def test_equal_scores_are_ordered_by_the_members_bytes(r, connect):
    conn = connect()
    members = ["b", "a", "ab", "B", "", "\xff", "10", "9", "a\x00"]
    args = ["ZADD", "z"]
    for m in members:
        args += ["0", m.encode("latin-1")]
    expect(conn, args, integer(len(members)))
    want = [b"", b"10", b"9", b"B", b"a", b"a\x00", b"ab", b"b", b"\xff"]
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks(*want),
           "ties are broken by memcmp of the members, a prefix first "
           "(\"\" < \"10\" < \"9\" < \"B\" < \"a\" < \"a\\0\" < \"ab\")")


@pytest.mark.parametrize("given, shown", [
    ("1.1", "1.1000000000000001"), ("0.1", "0.10000000000000001"),
    ("3.0", "3"), ("1e17", "1e+17"), ("-2.5", "-2.5"), ("0x10", "16"),
    ("inf", "inf"), ("-inf", "-inf"), ("+inf", "inf"), ("INFINITY", "inf"),
    ("1e-310", "9.9999999999999694e-311"), ("123456789012", "123456789012"),
    ("-0", "0"),
])
@pytest.mark.step("14a")
def test_scores_read_back_as_redis_7_0_prints_them(r, connect, given, shown):
    conn = connect()
    expect(conn, ["ZADD", "z", given, "m"], integer(1))
    expect(conn, ["ZSCORE", "z", "m"], bulk(shown),
           "Redis 7.0 prints a score with %%.17g (17 significant digits) and "
           "inf/-inf; a packed set stores -0 as the integer 0")
    expect(conn, ["ZRANGE", "z", "0", "-1", "WITHSCORES"], pairs2("m", shown))


@pytest.mark.parametrize("bad", ["nan", "x", "", " 1", "1 ", "1e999",
                                 "-1e999", "1e-400", "(1", "1,5"])
@pytest.mark.step("14a")
def test_a_bad_score_refuses_the_whole_zadd(r, connect, bad):
    conn = connect()
    expect(conn, ["ZADD", "z", "1", "a", bad, "b"], NOT_FLOAT,
           "every score is checked before anything is added")
    expect(conn, ["EXISTS", "z"], integer(0))
    r.zadd("z", {"a": 1})
    expect(conn, ["ZADD", "z", "2", "a", bad, "b"], NOT_FLOAT)
    expect(conn, ["ZSCORE", "z", "a"], bulk("1"))


@pytest.mark.step("14a")
def test_zadd_needs_score_member_pairs(r, connect):
    conn = connect()
    expect(conn, ["ZADD", "z", "1", "a", "2"], SYNTAX)
    expect(conn, ["ZADD", "z", "NX", "1"], SYNTAX)
    expect(conn, ["ZADD", "z", "NX", "XX"], SYNTAX,
           "the pairs are checked before the options are")
    expect(conn, ["ZADD", "z", "1"], arity_error("zadd"))
    expect(conn, ["EXISTS", "z"], integer(0))


@pytest.mark.step("14a")
def test_zscore_and_zmscore(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1.5, "b": -3})
    expect(conn, ["ZSCORE", "z", "a"], bulk("1.5"))
    expect(conn, ["ZSCORE", "z", "nope"], NIL)
    expect(conn, ["ZSCORE", "missing", "a"], NIL)
    expect(conn, ["ZMSCORE", "z", "b", "nope", "a"],
           array(bulk("-3"), NIL, bulk("1.5")))
    expect(conn, ["ZMSCORE", "missing", "a", "b"], array(NIL, NIL),
           "a missing key is an empty sorted set for ZMSCORE")


@pytest.mark.step("14a")
def test_zrange_and_zrevrange_by_rank(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    expect(conn, ["ZRANGE", "z", "-2", "-1"], bulks("d", "e"),
           "negative ranks count from the end")
    expect(conn, ["ZRANGE", "z", "1", "100"], bulks("b", "c", "d", "e"))
    expect(conn, ["ZRANGE", "z", "-100", "0"], bulks("a"))
    expect(conn, ["ZRANGE", "z", "3", "1"], EMPTY)
    expect(conn, ["ZRANGE", "z", "5", "10"], EMPTY)
    expect(conn, ["ZRANGE", "z", "0", "1", "REV"], bulks("e", "d"))
    expect(conn, ["ZREVRANGE", "z", "0", "1", "WITHSCORES"],
           pairs2("e", "5", "d", "4"))
    expect(conn, ["ZREVRANGE", "z", "-1", "-1"], bulks("a"))
    expect(conn, ["ZRANGE", "missing", "0", "-1"], EMPTY)
    expect(conn, ["ZRANGE", "z", "0", "1", "WITHSCORES", "WITHSCORES"],
           pairs2("a", "1", "b", "2"))


@pytest.mark.step("14a")
def test_zrange_by_rank_refuses_what_redis_refuses(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2})
    expect(conn, ["ZRANGE", "z", "x", "1"], NOT_AN_INTEGER)
    expect(conn, ["ZRANGE", "z", "0", "1.5"], NOT_AN_INTEGER)
    expect(conn, ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"], LIMIT_BY_RANK)
    expect(conn, ["ZRANGE", "z", "0", "1", "LIMIT", "0", "-1"], bulks("a", "b"),
           "Redis checks the LIMIT's count, not the keyword: 0 -1 passes")
    expect(conn, ["ZRANGE", "z", "0", "1", "LIMIT", "0"], SYNTAX)
    expect(conn, ["ZRANGE", "z", "0", "1", "FOO"], SYNTAX)
    expect(conn, ["ZRANGE", "z", "0", "1", "REV", "REV"], SYNTAX)
    expect(conn, ["ZREVRANGE", "z", "0", "1", "REV"], SYNTAX,
           "ZREVRANGE fixes the direction: REV is no option of it")
    expect(conn, ["ZRANGE", "str", "x", "1"], NOT_AN_INTEGER)
    r.set("str", "v")
    expect(conn, ["ZRANGE", "str", "0", "1"], WRONGTYPE)
    expect(conn, ["ZRANGE", "str", "x", "1"], NOT_AN_INTEGER,
           "the range is read before the key is looked up")


@pytest.mark.step("14a")
def test_zrem_counts_removed_members_and_deletes_the_emptied_set(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    expect(conn, ["ZREM", "z", "a", "a", "nope"], integer(1))
    expect(conn, ["ZREM", "z", "b", "c", "b"], integer(2))
    expect(conn, ["EXISTS", "z"], integer(0),
           "the ZREM that removes the last member deletes the key")
    expect(conn, ["ZREM", "missing", "a"], integer(0))


@pytest.mark.step("14a")
def test_members_are_binary_safe(r, connect):
    conn = connect()
    member = b"m\x00\r\n\xff"
    expect(conn, ["ZADD", "z", "1", member, "2", ""], integer(2))
    expect(conn, ["ZSCORE", "z", member], bulk("1"))
    expect(conn, ["ZSCORE", "z", b"m"], NIL)
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks(member, ""))


@pytest.mark.step("14a")
def test_integer_looking_members_come_back_byte_for_byte(r, connect):
    conn = connect()
    members = ["007", "+1", "-0", "1.0", "42", "-42", "9223372036854775807",
               "9223372036854775808", "4611686018427387904"]
    args = ["ZADD", "z"]
    for i, m in enumerate(members):
        args += [str(i), m]
    expect(conn, args, integer(len(members)))
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks(*members),
           "a listpack keeps \"42\" as a number but gives it back as text; "
           "\"007\" or \"+1\" stay text")
    expect(conn, ["ZSCORE", "z", "42"], bulk("4"))
    expect(conn, ["ZSCORE", "z", "+42"], NIL)


@pytest.mark.step("14a")
def test_copy_rename_and_object_encoding_know_sorted_sets(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2})
    expect(conn, ["COPY", "z", "c"], integer(1))
    r.zadd("z", {"x": 9})
    expect(conn, ["ZRANGE", "c", "0", "-1", "WITHSCORES"],
           pairs2("a", "1", "b", "2"), "COPY makes a copy, not a second name")
    expect(conn, ["RENAME", "c", "d"], OK)
    expect(conn, ["ZCARD", "d"], integer(2))
    expect(conn, ["TYPE", "d"], b"+zset\r\n")
    assert encoding(r, "d") == "listpack"


# ---------------------------------------------------------------------------
# WRONGTYPE and arity, each in its command's step
# ---------------------------------------------------------------------------

WRONGTYPE_CASES = [
    ["ZADD", "str", "1", "a"], ["ZINCRBY", "str", "1", "a"],
    ["ZREM", "str", "a"], ["ZCARD", "str"], ["ZSCORE", "str", "a"],
    ["ZMSCORE", "str", "a"], ["ZRANGE", "str", "0", "-1"],
    ["ZREVRANGE", "str", "0", "-1"], ["ZRANK", "str", "a"],
    ["ZREVRANK", "str", "a"], ["ZCOUNT", "str", "0", "1"],
    ["ZLEXCOUNT", "str", "-", "+"], ["ZRANGEBYSCORE", "str", "0", "1"],
    ["ZREVRANGEBYSCORE", "str", "1", "0"], ["ZRANGEBYLEX", "str", "-", "+"],
    ["ZREVRANGEBYLEX", "str", "+", "-"], ["ZREMRANGEBYRANK", "str", "0", "1"],
    ["ZREMRANGEBYSCORE", "str", "0", "1"], ["ZREMRANGEBYLEX", "str", "-", "+"],
    ["ZRANGESTORE", "dst", "str", "0", "-1"], ["ZPOPMIN", "str"],
    ["ZPOPMAX", "str", "2"], ["ZMPOP", "1", "str", "MIN"],
    ["ZUNION", "1", "str"],
    ["ZINTER", "1", "str"], ["ZDIFF", "1", "str"],
    ["ZUNIONSTORE", "dst", "1", "str"], ["ZINTERSTORE", "dst", "1", "str"],
    ["ZDIFFSTORE", "dst", "1", "str"], ["ZINTERCARD", "1", "str"],
    ["ZRANDMEMBER", "str"], ["ZRANDMEMBER", "str", "2"],
    ["ZSCAN", "str", "0"],
]


@pytest.mark.parametrize("args", [by_command(a) for a in WRONGTYPE_CASES])
def test_zset_commands_on_a_string_are_wrongtype_and_change_nothing(r, connect, args):
    conn = connect()
    r.set("str", "v")
    expect(conn, args, WRONGTYPE)
    expect(conn, ["GET", "str"], bulk("v"))
    expect(conn, ["EXISTS", "dst"], integer(0))


ARITY_CASES = [
    ["ZADD", "z", "1"], ["ZINCRBY", "z", "1"], ["ZREM", "z"], ["ZCARD"],
    ["ZSCORE", "z"], ["ZMSCORE", "z"], ["ZRANK", "z"], ["ZREVRANK", "z"],
    ["ZCOUNT", "z", "0"], ["ZLEXCOUNT", "z", "-"], ["ZRANGE", "z", "0"],
    ["ZREVRANGE", "z", "0"], ["ZRANGEBYSCORE", "z", "0"],
    ["ZREVRANGEBYSCORE", "z", "0"], ["ZRANGEBYLEX", "z", "-"],
    ["ZREVRANGEBYLEX", "z", "+"], ["ZREMRANGEBYRANK", "z", "0"],
    ["ZREMRANGEBYSCORE", "z", "0"], ["ZREMRANGEBYLEX", "z", "-"],
    ["ZRANGESTORE", "d", "z", "0"], ["ZPOPMIN"], ["ZPOPMAX"],
    ["ZMPOP", "1", "z"], ["ZUNION", "1"], ["ZINTER", "1"],
    ["ZDIFF", "1"], ["ZUNIONSTORE", "d", "1"], ["ZINTERSTORE", "d", "1"],
    ["ZDIFFSTORE", "d", "1"], ["ZINTERCARD", "1"], ["ZRANDMEMBER"],
    ["ZSCAN", "z"],
]


@pytest.mark.parametrize("args", [by_command(a) for a in ARITY_CASES])
def test_zset_commands_check_their_arity(r, connect, args):
    expect(connect(), args, arity_error(args[0].lower()))


# ---------------------------------------------------------------------------
# 14b: ZADD's options and ZINCRBY
# ---------------------------------------------------------------------------

@pytest.mark.step("14b")
def test_zadd_nx_and_xx(r, connect):
    conn = connect()
    expect(conn, ["ZADD", "z", "XX", "1", "a"], integer(0))
    expect(conn, ["EXISTS", "z"], integer(0), "XX never creates the key")
    expect(conn, ["ZADD", "z", "NX", "1", "a", "2", "b"], integer(2))
    expect(conn, ["ZADD", "z", "NX", "5", "a", "3", "c"], integer(1),
           "NX only adds: a keeps its score")
    expect(conn, ["ZADD", "z", "XX", "6", "a", "4", "d"], integer(0),
           "XX only updates: d is not added, and an update is not counted")
    expect(conn, ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
           pairs2("b", "2", "c", "3", "a", "6"))


@pytest.mark.step("14b")
def test_zadd_gt_lt_and_ch(r, connect):
    conn = connect()
    r.zadd("z", {"a": 5, "b": 5})
    expect(conn, ["ZADD", "z", "GT", "CH", "4", "a", "6", "b", "1", "c"],
           integer(2), "GT updates b (6 > 5), not a; it still adds c; CH "
           "counts b and c")
    expect(conn, ["ZADD", "z", "LT", "CH", "4", "a", "7", "b"], integer(1))
    expect(conn, ["ZADD", "z", "ch", "xx", "gt", "4", "a", "100", "b"],
           integer(1), "options in any order and case")
    expect(conn, ["ZADD", "z", "CH", "100", "b"], integer(0),
           "the same score is no change, even for CH")
    expect(conn, ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
           pairs2("c", "1", "a", "4", "b", "100"))


@pytest.mark.step("14b")
def test_zadd_refuses_options_that_do_not_go_together(r, connect):
    conn = connect()
    expect(conn, ["ZADD", "z", "NX", "XX", "1", "a"], XX_AND_NX)
    expect(conn, ["ZADD", "z", "NX", "GT", "1", "a"], GT_LT_NX)
    expect(conn, ["ZADD", "z", "LT", "NX", "1", "a"], GT_LT_NX)
    expect(conn, ["ZADD", "z", "GT", "LT", "1", "a"], GT_LT_NX)
    expect(conn, ["ZADD", "z", "NX", "XX", "GT", "1", "a"], XX_AND_NX,
           "NX with XX is checked first")
    expect(conn, ["ZADD", "z", "INCR", "1", "a", "2", "b"], INCR_PAIRS)
    expect(conn, ["ZADD", "z", "NX", "XX", "INCR", "x", "a", "2", "b"],
           XX_AND_NX, "the options are checked before the scores")
    expect(conn, ["ZADD", "z", "INCR", "x", "a"], NOT_FLOAT)
    expect(conn, ["EXISTS", "z"], integer(0))


@pytest.mark.step("14b")
def test_zadd_incr_answers_the_new_score_or_nil(r, connect):
    conn = connect()
    expect(conn, ["ZADD", "z", "INCR", "1.5", "a"], bulk("1.5"),
           "INCR on a new member starts it at 0")
    expect(conn, ["ZADD", "z", "INCR", "0.1", "a"], bulk("1.6000000000000001"))
    expect(conn, ["ZADD", "z", "NX", "INCR", "1", "a"], NIL,
           "an option that stopped the increment answers nil")
    expect(conn, ["ZADD", "z", "XX", "INCR", "1", "nope"], NIL)
    expect(conn, ["ZADD", "z", "GT", "INCR", "-1", "a"], NIL,
           "GT compares the sum with the score")
    expect(conn, ["ZADD", "z", "LT", "INCR", "-1", "a"], bulk("0.60000000000000009"))
    expect(conn, ["ZADD", "missing", "XX", "INCR", "1", "a"], NIL)
    expect(conn, ["EXISTS", "missing"], integer(0))
    expect(conn, ["ZADD", "z", "INCR", "CH", "0", "a"], bulk("0.60000000000000009"),
           "INCR by 0 answers the score")


@pytest.mark.step("14b")
def test_zincrby(r, connect):
    conn = connect()
    expect(conn, ["ZINCRBY", "z", "2", "a"], bulk("2"))
    expect(conn, ["ZINCRBY", "z", "-0.5", "a"], bulk("1.5"))
    expect(conn, ["ZINCRBY", "z", "x", "a"], NOT_FLOAT)
    expect(conn, ["ZINCRBY", "z", "inf", "b"], bulk("inf"))
    expect(conn, ["ZINCRBY", "z", "-inf", "b"], NAN_SCORE,
           "inf + -inf is NaN, which a score can never be")
    expect(conn, ["ZSCORE", "z", "b"], bulk("inf"), "nothing changed")
    expect(conn, ["ZADD", "z", "INCR", "-inf", "b"], NAN_SCORE)
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks("a", "b"))


@pytest.mark.step("14b")
def test_scores_are_doubles_in_resp3(r, connect):
    conn = resp3(connect)
    expect(conn, ["ZADD", "z", "1.5", "a", "inf", "b", "-inf", "c"], integer(3))
    expect(conn, ["ZSCORE", "z", "a"], dbl("1.5"))
    expect(conn, ["ZSCORE", "z", "b"], dbl("inf"))
    expect(conn, ["ZSCORE", "z", "c"], dbl("-inf"))
    expect(conn, ["ZSCORE", "z", "nope"], NULL3)
    expect(conn, ["ZINCRBY", "z", "1.1", "a"], dbl("2.6000000000000001"))
    expect(conn, ["ZADD", "z", "NX", "INCR", "1", "a"], NULL3)
    expect(conn, ["ZMSCORE", "z", "a", "nope"],
           b"*2\r\n" + dbl("2.6000000000000001") + NULL3)


# ---------------------------------------------------------------------------
# 14c: the skip list
# ---------------------------------------------------------------------------

@pytest.mark.step("14c")
def test_the_limits_are_redis_defaults_with_their_old_names_too(r):
    got = r.config_get("zset-max-*")
    assert got == {"zset-max-listpack-entries": "128",
                   "zset-max-listpack-value": "64",
                   "zset-max-ziplist-entries": "128",
                   "zset-max-ziplist-value": "64"}, (
        "CONFIG GET zset-max-* should list both names of both limits, as "
        "Redis 7 keeps the Redis 6 ziplist names as aliases; got %r" % got)


@pytest.mark.step("14c")
def test_the_129th_member_converts_to_a_skip_list_for_good(r, defaults):
    r.zadd("z", {"m:%d" % i: i for i in range(128)})
    assert encoding(r, "z") == "listpack"
    r.zadd("z", {"m:5": 1000})
    assert encoding(r, "z") == "listpack", "an update adds no member"
    r.zadd("z", {"m:128": 128})
    assert encoding(r, "z") == "skiplist", (
        "the 129th member (zset-max-listpack-entries 128) makes a skip list")
    r.zrem("z", *["m:%d" % i for i in range(100)])
    assert encoding(r, "z") == "skiplist", (
        "a skip list never goes back by itself, as in Redis")
    assert r.zcard("z") == 29 and r.zscore("z", "m:5") is None
    assert r.zrange("z", 0, 2) == [b"m:100", b"m:101", b"m:102"]


@pytest.mark.step("14c")
def test_a_member_longer_than_64_bytes_converts(r, defaults):
    r.zadd("z", {"x" * 64: 1})
    assert encoding(r, "z") == "listpack", "64 bytes still fit"
    r.zadd("z", {"y" * 65: 2})
    assert encoding(r, "z") == "skiplist"
    r.zadd("new", {"y" * 65: 2})
    assert encoding(r, "new") == "skiplist", "even as the first member"
    assert r.zrange("z", 0, -1) == [b"x" * 64, b"y" * 65]


@pytest.mark.step("14c")
def test_config_set_changes_the_limits_for_later_adds(r, connect, defaults):
    conn = connect()
    expect(conn, ["CONFIG", "SET", "zset-max-ziplist-entries", "2"], OK)
    assert r.config_get("zset-max-listpack-entries") == {
        "zset-max-listpack-entries": "2"}, "an alias sets the same limit"
    r.zadd("z", {"a": 1, "b": 2})
    assert encoding(r, "z") == "listpack"
    r.zadd("z", {"c": 3})
    assert encoding(r, "z") == "skiplist"
    r.config_set("zset-max-listpack-entries", 0)
    r.zadd("one", {"a": 1})
    assert encoding(r, "one") == "skiplist", "0 entries: even one member"
    r.config_set("zset-max-listpack-entries", 128)
    expect(conn, ["CONFIG", "SET", "zset-max-listpack-value", "1kb"], OK)
    assert r.config_get("zset-max-ziplist-value") == {
        "zset-max-ziplist-value": "1024"}, "the value limit takes memory units"
    r.zadd("long", {"x" * 1000: 1})
    assert encoding(r, "long") == "listpack"


@pytest.mark.step("14c")
def test_config_set_refuses_bad_limits(r, connect):
    conn = connect()
    expect(conn, ["CONFIG", "SET", "zset-max-listpack-entries", "-1"],
           error("ERR CONFIG SET failed (possibly related to argument "
                 "'zset-max-listpack-entries') - argument must be between 0 "
                 "and 9223372036854775807 inclusive"))
    expect(conn, ["CONFIG", "SET", "zset-max-ziplist-entries", "1kb"],
           error("ERR CONFIG SET failed (possibly related to argument "
                 "'zset-max-ziplist-entries') - argument couldn't be parsed "
                 "into an integer"))
    expect(conn, ["CONFIG", "SET", "zset-max-listpack-value", "64 bytes"],
           error("ERR CONFIG SET failed (possibly related to argument "
                 "'zset-max-listpack-value') - argument must be a memory "
                 "value"))


@pytest.mark.step("14c")
def test_minus_zero_is_zero_when_packed_and_minus_zero_in_a_skip_list(r, connect, defaults):
    conn = connect()
    expect(conn, ["ZADD", "p", "-0", "a"], integer(1))
    expect(conn, ["ZSCORE", "p", "a"], bulk("0"),
           "a listpack stores an integral score as an integer: -0 is 0")
    r.config_set("zset-max-listpack-entries", 0)
    expect(conn, ["ZADD", "s", "-0", "a"], integer(1))
    expect(conn, ["ZSCORE", "s", "a"], bulk("-0"),
           "a skip list keeps the double as it is")


@pytest.mark.step("14c")
def test_zrank_and_zrevrank(r, connect, kind):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2, "c": 2, "d": 10})
    check_kind(r, "z", kind)
    for member, rank in (("a", 0), ("b", 1), ("c", 2), ("d", 3)):
        expect(conn, ["ZRANK", "z", member], integer(rank))
        expect(conn, ["ZREVRANK", "z", member], integer(3 - rank))
    expect(conn, ["ZRANK", "z", "nope"], NIL)
    expect(conn, ["ZREVRANK", "missing", "a"], NIL)


@pytest.mark.step("14c")
def test_ranks_and_ranges_of_a_big_skip_list_agree_with_a_sorted_list(r):
    rng = random.Random(14)
    scores = {"m:%d" % i: rng.choice([rng.randint(-50, 50), rng.random()])
              for i in range(3000)}
    pipe = r.pipeline(transaction=False)
    items = list(scores.items())
    for i in range(0, len(items), 500):
        pipe.zadd("z", dict(items[i:i + 500]))
    pipe.execute()
    assert encoding(r, "z") == "skiplist"
    order = sorted(scores, key=lambda m: (scores[m], m.encode()))
    for m in rng.sample(order, 200):
        assert r.zrank("z", m) == order.index(m), "ZRANK %s" % m
    assert r.zrevrank("z", order[0]) == 2999
    for start in (0, 1, 500, 2990, -10):
        want = order[start:start + 10] if start >= 0 else order[start:]
        assert r.zrange("z", start, start + 9 if start >= 0 else -1) == [
            m.encode() for m in want], "ZRANGE z %d ..." % start
    # Delete a third, move a third: the spans must follow.
    pipe = r.pipeline(transaction=False)
    for m in order[::3]:
        pipe.zrem("z", m)
        del scores[m]
    for m in order[1::3]:
        scores[m] = -scores[m] + 0.5
        pipe.zadd("z", {m: scores[m]})
    pipe.execute()
    order = sorted(scores, key=lambda m: (scores[m], m.encode()))
    for m in rng.sample(order, 200):
        assert r.zrank("z", m) == order.index(m), "ZRANK %s after changes" % m
    assert r.zrange("z", 1000, 1004) == [m.encode() for m in order[1000:1005]]
    assert r.zrevrange("z", 0, 2) == [m.encode() for m in order[::-1][:3]]


# ---------------------------------------------------------------------------
# 14d: ranges by score and by member
# ---------------------------------------------------------------------------

def five(r):
    r.zadd("z", {"a": 1, "b": 2, "c": 2, "d": 3.5, "e": float("inf"),
                 "f": float("-inf")})


@pytest.mark.step("14d")
def test_zcount_with_open_and_infinite_bounds(r, connect, kind):
    conn = connect()
    five(r)
    check_kind(r, "z", kind)
    for lo, hi, n in (("-inf", "+inf", 6), ("1", "2", 3), ("(1", "2", 2),
                      ("1", "(2", 1), ("(1", "(2", 0), ("2", "2", 2),
                      ("(2", "2", 0), ("3", "1", 0), ("(-inf", "(inf", 4),
                      ("-inf", "-inf", 1), ("inf", "inf", 1), ("4", "10", 0),
                      (" 1", "2", 3), ("1e999", "inf", 1), ("-1E999", "0", 1)):
        expect(conn, ["ZCOUNT", "z", lo, hi], integer(n),
               "ZCOUNT z %s %s: '(' opens a bound; a bound is read with "
               "strtod, so a leading space passes and 1e999 is inf" % (lo, hi))
    expect(conn, ["ZCOUNT", "missing", "0", "1"], integer(0))


@pytest.mark.parametrize("lo, hi", [("x", "1"), ("1", "nan"), ("((1", "2"),
                                    ("1", "2x"), ("[1", "2")])
@pytest.mark.step("14d")
def test_score_bounds_that_are_not_floats(r, connect, lo, hi):
    conn = connect()
    r.zadd("z", {"a": 1})
    for name in ("ZCOUNT", "ZRANGEBYSCORE", "ZREMRANGEBYSCORE"):
        expect(conn, [name, "z", lo, hi], RANGE_NOT_FLOAT)
    expect(conn, ["ZRANGE", "z", lo, hi, "BYSCORE"], RANGE_NOT_FLOAT)
    expect(conn, ["ZCOUNT", "missing", lo, hi], RANGE_NOT_FLOAT,
           "the range is read before the key is looked up")


@pytest.mark.step("14d")
def test_zrangebyscore_and_zrevrangebyscore(r, connect, kind):
    conn = connect()
    five(r)
    check_kind(r, "z", kind)
    expect(conn, ["ZRANGEBYSCORE", "z", "(1", "+inf"], bulks("b", "c", "d", "e"))
    expect(conn, ["ZRANGEBYSCORE", "z", "-inf", "2", "WITHSCORES"],
           pairs2("f", "-inf", "a", "1", "b", "2", "c", "2"))
    expect(conn, ["ZREVRANGEBYSCORE", "z", "3.5", "(1"], bulks("d", "c", "b"),
           "ZREVRANGEBYSCORE takes max first")
    expect(conn, ["ZREVRANGEBYSCORE", "z", "1", "3.5"], EMPTY)
    expect(conn, ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "1", "2"],
           bulks("a", "b"))
    expect(conn, ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "4", "-1"],
           bulks("d", "e"), "a negative count means all the rest")
    expect(conn, ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "-1", "2"],
           EMPTY, "a negative offset gives nothing")
    expect(conn, ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "6", "2"], EMPTY)
    expect(conn, ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "0", "0"], EMPTY)
    expect(conn, ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES",
                  "LIMIT", "1", "2"], pairs2("d", "3.5", "c", "2"))
    expect(conn, ["ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "0"], SYNTAX)
    expect(conn, ["ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "x", "1"],
           NOT_AN_INTEGER)
    expect(conn, ["ZRANGEBYSCORE", "z", "0", "1", "BYSCORE"], SYNTAX)
    expect(conn, ["ZRANGEBYSCORE", "missing", "0", "1"], EMPTY)


@pytest.mark.step("14d")
def test_zrange_byscore_rev_and_limit(r, connect, kind):
    conn = connect()
    five(r)
    check_kind(r, "z", kind)
    expect(conn, ["ZRANGE", "z", "1", "3.5", "BYSCORE"], bulks("a", "b", "c", "d"))
    expect(conn, ["ZRANGE", "z", "3.5", "1", "BYSCORE", "REV"],
           bulks("d", "c", "b", "a"), "with REV the range is given max first")
    expect(conn, ["ZRANGE", "z", "(3.5", "-inf", "byscore", "rev", "limit",
                  "1", "2", "withscores"], pairs2("b", "2", "a", "1"))
    expect(conn, ["ZRANGE", "z", "1", "3.5", "BYSCORE", "BYLEX"], SYNTAX)
    expect(conn, ["ZRANGE", "z", "1", "3.5", "BYSCORE", "BYSCORE"], SYNTAX)


@pytest.mark.step("14d")
def test_lex_ranges(r, connect, kind):
    conn = connect()
    r.zadd("z", {m: 0 for m in ("a", "b", "c", "d", "e", "f", "g", "10", "2")})
    check_kind(r, "z", kind)
    expect(conn, ["ZRANGEBYLEX", "z", "-", "+"],
           bulks("10", "2", "a", "b", "c", "d", "e", "f", "g"))
    expect(conn, ["ZRANGEBYLEX", "z", "[b", "(e"], bulks("b", "c", "d"))
    expect(conn, ["ZRANGEBYLEX", "z", "(b", "[e", "LIMIT", "1", "2"],
           bulks("d", "e"))
    expect(conn, ["ZRANGEBYLEX", "z", "[aa", "[c"], bulks("b", "c"))
    expect(conn, ["ZRANGEBYLEX", "z", "+", "-"], EMPTY)
    expect(conn, ["ZRANGEBYLEX", "z", "[c", "[a"], EMPTY)
    expect(conn, ["ZREVRANGEBYLEX", "z", "[c", "-"], bulks("c", "b", "a", "2", "10"),
           "ZREVRANGEBYLEX takes max first")
    expect(conn, ["ZREVRANGEBYLEX", "z", "+", "(f", "LIMIT", "0", "-5"], bulks("g"))
    expect(conn, ["ZRANGE", "z", "[f", "(b", "BYLEX", "REV"], bulks("f", "e", "d", "c"))
    expect(conn, ["ZLEXCOUNT", "z", "-", "+"], integer(9))
    expect(conn, ["ZLEXCOUNT", "z", "(a", "[c"], integer(2))
    expect(conn, ["ZLEXCOUNT", "z", "[x", "+"], integer(0))
    expect(conn, ["ZLEXCOUNT", "missing", "-", "+"], integer(0))


@pytest.mark.parametrize("lo, hi", [("a", "[b"), ("[a", "b"), ("-a", "+"),
                                    ("-", "+b"), ("", "+"), ("[a", "")])
@pytest.mark.step("14d")
def test_lex_bounds_that_are_not_valid(r, connect, lo, hi):
    conn = connect()
    r.zadd("z", {"a": 0})
    for name in ("ZLEXCOUNT", "ZRANGEBYLEX", "ZREMRANGEBYLEX"):
        expect(conn, [name, "z", lo, hi], RANGE_NOT_LEX)
    expect(conn, ["ZLEXCOUNT", "missing", lo, hi], RANGE_NOT_LEX)


@pytest.mark.step("14d")
def test_withscores_does_not_go_with_bylex(r, connect):
    conn = connect()
    r.zadd("z", {"a": 0})
    expect(conn, ["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"], WITHSCORES_BYLEX)
    expect(conn, ["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"], WITHSCORES_BYLEX)
    expect(conn, ["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "0", "1"], bulks("a"))


# ---------------------------------------------------------------------------
# 14e: removing ranges, ZRANGESTORE
# ---------------------------------------------------------------------------

@pytest.mark.step("14e")
def test_zremrangebyrank(r, connect, kind):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})
    check_kind(r, "z", kind)
    expect(conn, ["ZREMRANGEBYRANK", "z", "1", "2"], integer(2))
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks("a", "d", "e"))
    expect(conn, ["ZREMRANGEBYRANK", "z", "-1", "-1"], integer(1))
    expect(conn, ["ZREMRANGEBYRANK", "z", "5", "10"], integer(0))
    expect(conn, ["ZREMRANGEBYRANK", "z", "1", "0"], integer(0))
    expect(conn, ["ZREMRANGEBYRANK", "z", "-100", "100"], integer(2))
    expect(conn, ["EXISTS", "z"], integer(0))
    expect(conn, ["ZREMRANGEBYRANK", "z", "x", "1"], NOT_AN_INTEGER)
    expect(conn, ["ZREMRANGEBYRANK", "missing", "0", "-1"], integer(0))


@pytest.mark.step("14e")
def test_zremrangebyscore_and_bylex(r, connect, kind):
    conn = connect()
    five(r)
    check_kind(r, "z", kind)
    expect(conn, ["ZREMRANGEBYSCORE", "z", "(1", "2"], integer(2))
    expect(conn, ["ZREMRANGEBYSCORE", "z", "(-inf", "(inf"], integer(2))
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks("f", "e"))
    expect(conn, ["ZREMRANGEBYSCORE", "z", "-inf", "+inf"], integer(2))
    expect(conn, ["EXISTS", "z"], integer(0))
    r.zadd("l", {m: 0 for m in "abcdef"})
    expect(conn, ["ZREMRANGEBYLEX", "l", "(a", "[c"], integer(2))
    expect(conn, ["ZREMRANGEBYLEX", "l", "[e", "+"], integer(2))
    expect(conn, ["ZRANGE", "l", "0", "-1"], bulks("a", "d"))
    expect(conn, ["ZREMRANGEBYLEX", "l", "-", "+"], integer(2))
    expect(conn, ["EXISTS", "l"], integer(0))


@pytest.mark.step("14e")
def test_zrangestore_stores_and_replaces_the_destination(r, connect):
    conn = connect()
    five(r)
    r.set("dst", "old", ex=100)
    expect(conn, ["ZRANGESTORE", "dst", "z", "1", "2"], integer(2))
    expect(conn, ["TTL", "dst"], integer(-1), "the destination's TTL goes")
    expect(conn, ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
           pairs2("a", "1", "b", "2"))
    expect(conn, ["ZRANGESTORE", "dst", "z", "(2", "+inf", "BYSCORE", "LIMIT",
                  "0", "1"], integer(1))
    expect(conn, ["ZRANGE", "dst", "0", "-1", "WITHSCORES"], pairs2("d", "3.5"))
    expect(conn, ["ZRANGESTORE", "dst", "z", "[c", "-", "BYLEX", "REV"],
           integer(0))
    expect(conn, ["EXISTS", "dst"], integer(0),
           "an empty range deletes the destination")
    expect(conn, ["ZRANGESTORE", "z", "z", "0", "1"], integer(2),
           "the destination may be the source")
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks("f", "a"))
    r.set("dst", "x")
    expect(conn, ["ZRANGESTORE", "dst", "missing", "0", "-1"], integer(0))
    expect(conn, ["EXISTS", "dst"], integer(0))
    expect(conn, ["ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"], SYNTAX)


@pytest.mark.step("14e")
def test_zrangestore_builds_its_result_with_the_limits(r, connect, defaults):
    r.config_set("zset-max-listpack-entries", 3)
    r.zadd("z", {"m:%d" % i: i for i in range(5)})
    r.zrangestore("small", "z", 0, 2)
    assert encoding(r, "small") == "listpack"
    r.zrangestore("big", "z", 0, 3)
    assert encoding(r, "big") == "skiplist"
    r.zrangestore("byscore", "z", 0, 10, byscore=True)
    assert encoding(r, "byscore") == "skiplist"
    r.config_set("zset-max-listpack-entries", 0)
    r.zadd("neg", {"a": -0.0, "b": 1})
    r.config_set("zset-max-listpack-entries", 1)
    r.zrangestore("negs", "neg", 0, 1)
    expect(connect(), ["ZSCORE", "negs", "a"], bulk("-0"),
           "a range by rank longer than the limit is built as a skip list "
           "from the start in Redis, so -0 stays -0")


# ---------------------------------------------------------------------------
# 14f: popping
# ---------------------------------------------------------------------------

@pytest.mark.step("14f")
def test_zpopmin_and_zpopmax(r, connect, kind):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    check_kind(r, "z", kind)
    expect(conn, ["ZPOPMIN", "z"], pairs2("a", "1"))
    expect(conn, ["ZPOPMAX", "z", "2"], pairs2("d", "4", "c", "3"),
           "ZPOPMAX answers the highest first")
    expect(conn, ["ZPOPMIN", "z", "0"], EMPTY)
    expect(conn, ["ZPOPMIN", "z", "10"], pairs2("b", "2"))
    expect(conn, ["EXISTS", "z"], integer(0))
    expect(conn, ["ZPOPMIN", "z"], EMPTY)
    expect(conn, ["ZPOPMAX", "z", "3"], EMPTY)


@pytest.mark.step("14f")
def test_zpop_refuses_a_bad_count(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1})
    expect(conn, ["ZPOPMIN", "z", "-1"], MUST_BE_POSITIVE)
    expect(conn, ["ZPOPMIN", "z", "x"], MUST_BE_POSITIVE,
           "a count that is not a number gets the same text")
    expect(conn, ["ZPOPMAX", "z", "1", "2"], SYNTAX)
    expect(conn, ["ZPOPMAX", "missing", "-1"], MUST_BE_POSITIVE)
    expect(conn, ["ZCARD", "z"], integer(1))


@pytest.mark.step("14f")
def test_zmpop(r, connect, kind):
    conn = connect()
    r.zadd("z2", {"a": 1, "b": 2, "c": 3})
    check_kind(r, "z2", kind)
    expect(conn, ["ZMPOP", "2", "z1", "z2", "MIN"],
           array(bulk("z2"), array(bulks("a", "1"))),
           "ZMPOP pops from the first key holding a sorted set")
    expect(conn, ["ZMPOP", "2", "z1", "z2", "max", "COUNT", "5"],
           array(bulk("z2"), array(bulks("c", "3"), bulks("b", "2"))))
    expect(conn, ["EXISTS", "z2"], integer(0))
    expect(conn, ["ZMPOP", "2", "z1", "z2", "MIN"], NIL_ARRAY)
    r.set("str", "v")
    r.zadd("z3", {"x": 1})
    expect(conn, ["ZMPOP", "2", "z1", "str", "MIN"], WRONGTYPE)
    expect(conn, ["ZMPOP", "2", "z3", "str", "MIN"],
           array(bulk("z3"), array(bulks("x", "1"))),
           "a key after the one popped is never looked at")


@pytest.mark.step("14f")
def test_zmpop_refuses_what_redis_refuses(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1})
    numkeys = error("ERR numkeys should be greater than 0")
    count = error("ERR count should be greater than 0")
    expect(conn, ["ZMPOP", "0", "z", "MIN"], numkeys)
    expect(conn, ["ZMPOP", "x", "z", "MIN"], numkeys)
    expect(conn, ["ZMPOP", "2", "z", "MIN"], SYNTAX)
    expect(conn, ["ZMPOP", "1", "z", "LEFT"], SYNTAX)
    expect(conn, ["ZMPOP", "1", "z", "MIN", "COUNT", "0"], count)
    expect(conn, ["ZMPOP", "1", "z", "MIN", "COUNT", "x"], count)
    expect(conn, ["ZMPOP", "1", "z", "MIN", "COUNT"], SYNTAX)
    expect(conn, ["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"], SYNTAX)
    expect(conn, ["ZMPOP", "9223372036854775807", "z", "MIN"], SYNTAX)
    expect(conn, ["ZCARD", "z"], integer(1))


@pytest.mark.step("14f")
def test_pops_in_resp3(r, connect):
    conn = resp3(connect)
    r.zadd("z", {"a": 1, "b": 2.5, "c": 3, "d": 4})
    expect(conn, ["ZPOPMIN", "z"], b"*2\r\n" + bulk("a") + dbl("1"),
           "without a count ZPOPMIN stays a flat [member, score]")
    expect(conn, ["ZPOPMIN", "z", "1"], pairs3("b", "2.5"),
           "with a count, RESP3 nests [member, score] pairs")
    expect(conn, ["ZMPOP", "1", "z", "MAX"],
           b"*2\r\n" + bulk("z") + pairs3("d", "4"))
    expect(conn, ["ZPOPMAX", "z"], b"*2\r\n" + bulk("c") + dbl("3"))
    expect(conn, ["ZMPOP", "1", "z", "MAX"], NULL3)
    expect(conn, ["ZPOPMIN", "z", "2"], EMPTY)


# ---------------------------------------------------------------------------
# 14g: union, intersection, difference
# ---------------------------------------------------------------------------

@pytest.mark.step("14g")
def test_zunionstore_and_zinterstore_with_weights_and_aggregates(r, connect):
    conn = connect()
    r.zadd("a", {"x": 1, "y": 2, "z": 3})
    r.zadd("b", {"y": 10, "z": 20, "w": 30})
    expect(conn, ["ZUNIONSTORE", "u", "2", "a", "b"], integer(4))
    expect(conn, ["ZRANGE", "u", "0", "-1", "WITHSCORES"],
           pairs2("x", "1", "y", "12", "z", "23", "w", "30"))
    expect(conn, ["ZUNIONSTORE", "u", "2", "a", "b", "WEIGHTS", "2", "0.5"],
           integer(4))
    expect(conn, ["ZRANGE", "u", "0", "-1", "WITHSCORES"],
           pairs2("x", "2", "y", "9", "w", "15", "z", "16"))
    expect(conn, ["ZINTERSTORE", "i", "2", "a", "b", "AGGREGATE", "MIN"], integer(2))
    expect(conn, ["ZRANGE", "i", "0", "-1", "WITHSCORES"], pairs2("y", "2", "z", "3"))
    expect(conn, ["ZINTERSTORE", "i", "2", "a", "b", "aggregate", "max",
                  "weights", "1", "-1"], integer(2))
    expect(conn, ["ZRANGE", "i", "0", "-1", "WITHSCORES"],
           pairs2("y", "2", "z", "3"))
    expect(conn, ["ZDIFFSTORE", "d", "2", "b", "a"], integer(1))
    expect(conn, ["ZRANGE", "d", "0", "-1", "WITHSCORES"], pairs2("w", "30"))


@pytest.mark.step("14g")
def test_sets_are_sorted_sets_of_score_1_and_missing_keys_are_empty(r, connect):
    conn = connect()
    r.zadd("z", {"a": 5, "b": 6})
    r.sadd("s", "a", "c")
    expect(conn, ["ZUNION", "3", "z", "s", "missing", "WITHSCORES"],
           pairs2("c", "1", "a", "6", "b", "6"))
    expect(conn, ["ZINTER", "2", "z", "s", "WITHSCORES"], pairs2("a", "6"))
    expect(conn, ["ZINTER", "2", "z", "missing"], EMPTY)
    expect(conn, ["ZDIFF", "2", "s", "z", "WITHSCORES"], pairs2("c", "1"))
    expect(conn, ["ZDIFF", "2", "missing", "z"], EMPTY)
    expect(conn, ["ZDIFF", "2", "z", "z"], EMPTY)
    expect(conn, ["ZINTERCARD", "2", "z", "s"], integer(1))


@pytest.mark.step("14g")
def test_the_store_forms_replace_or_delete_the_destination(r, connect):
    conn = connect()
    r.zadd("a", {"x": 1})
    r.set("dst", "old", ex=100)
    expect(conn, ["ZUNIONSTORE", "dst", "1", "a"], integer(1))
    expect(conn, ["TYPE", "dst"], b"+zset\r\n")
    expect(conn, ["TTL", "dst"], integer(-1))
    expect(conn, ["ZINTERSTORE", "dst", "2", "a", "missing"], integer(0))
    expect(conn, ["EXISTS", "dst"], integer(0), "an empty result deletes it")
    expect(conn, ["ZUNIONSTORE", "a", "2", "a", "a"], integer(1),
           "the destination may be a source")
    expect(conn, ["ZSCORE", "a", "x"], bulk("2"))


@pytest.mark.step("14g")
def test_infinities_add_up_as_redis_adds_them(r, connect):
    conn = connect()
    r.zadd("a", {"x": float("inf"), "y": 1})
    r.zadd("b", {"x": float("-inf"), "y": float("inf")})
    expect(conn, ["ZUNION", "2", "a", "b", "WITHSCORES"],
           pairs2("x", "0", "y", "inf"), "inf + -inf counts as 0")
    expect(conn, ["ZUNION", "2", "a", "b", "WEIGHTS", "0", "1", "WITHSCORES"],
           pairs2("x", "-inf", "y", "inf"), "0 * inf counts as 0")
    expect(conn, ["ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"],
           pairs2("x", "-inf", "y", "1"))


@pytest.mark.step("14g")
def test_the_algebra_refuses_what_redis_refuses(r, connect):
    conn = connect()
    r.zadd("a", {"x": 1})
    r.set("str", "v")
    expect(conn, ["ZUNIONSTORE", "d", "0", "a"],
           error("ERR at least 1 input key is needed for 'zunionstore' command"))
    expect(conn, ["ZINTER", "-1", "a"],
           error("ERR at least 1 input key is needed for 'zinter' command"))
    expect(conn, ["ZINTERCARD", "0", "a"],
           error("ERR at least 1 input key is needed for 'zintercard' command"))
    expect(conn, ["ZUNION", "x", "a"], NOT_AN_INTEGER)
    expect(conn, ["ZUNION", "2", "a"], SYNTAX)
    expect(conn, ["ZUNION", "1", "a", "WEIGHTS", "x"], WEIGHT_NOT_FLOAT)
    expect(conn, ["ZUNION", "1", "a", "WEIGHTS"], SYNTAX)
    expect(conn, ["ZUNION", "1", "a", "AGGREGATE", "AVG"], SYNTAX)
    expect(conn, ["ZUNIONSTORE", "d", "1", "a", "WITHSCORES"], SYNTAX)
    expect(conn, ["ZDIFF", "1", "a", "WEIGHTS", "1"], SYNTAX)
    expect(conn, ["ZINTERCARD", "1", "a", "WITHSCORES"], SYNTAX)
    expect(conn, ["ZUNION", "2", "a", "str", "WEIGHTS", "x", "1"], WRONGTYPE,
           "the keys' types are checked before the options are read")
    expect(conn, ["EXISTS", "d"], integer(0))


@pytest.mark.step("14g")
def test_zintercard_counts_up_to_its_limit(r, connect):
    conn = connect()
    r.zadd("a", {m: i for i, m in enumerate("abcdef")})
    r.zadd("b", {m: 0 for m in "bcdefg"})
    expect(conn, ["ZINTERCARD", "2", "a", "b"], integer(5))
    expect(conn, ["ZINTERCARD", "2", "a", "b", "LIMIT", "3"], integer(3))
    expect(conn, ["ZINTERCARD", "2", "a", "b", "LIMIT", "0"], integer(5),
           "LIMIT 0 is no limit")
    expect(conn, ["ZINTERCARD", "2", "a", "missing"], integer(0))
    expect(conn, ["ZINTERCARD", "2", "a", "b", "LIMIT", "-1"],
           error("ERR LIMIT can't be negative"))
    expect(conn, ["ZINTERCARD", "2", "a", "b", "LIMIT", "x"],
           error("ERR LIMIT can't be negative"))


@pytest.mark.step("14g")
def test_the_results_are_packed_when_small(r, defaults):
    r.zadd("a", {"m:%d" % i: i for i in range(100)})
    r.zadd("b", {"m:%d" % i: i for i in range(50, 150)})
    r.zunionstore("u", ["a", "b"])
    assert encoding(r, "u") == "skiplist" and r.zcard("u") == 150
    r.zinterstore("i", ["a", "b"])
    assert encoding(r, "i") == "listpack" and r.zcard("i") == 50
    r.zadd("big", {"m:%d" % i: i for i in range(250)})
    r.zdiffstore("d", ["big", "a", "b"])
    assert encoding(r, "d") == "listpack", (
        "a result of at most 128 members is packed, even from skip lists")
    r.zadd("long", {"x" * 65: 1})
    r.zunionstore("l", ["long"])
    assert encoding(r, "l") == "skiplist"


def as_dict(flat):
    """member -> score from a flat WITHSCORES reply."""
    return {m: float(s) for m, s in zip(flat[0::2], flat[1::2])}


def model_scores(r, key):
    kind = r.type(key)
    if kind == b"zset":
        return {m: s for m, s in r.zrange(key, 0, -1, withscores=True)}
    if kind == b"set":
        return {m: 1.0 for m in r.smembers(key)}
    return {}


def aggregate(values, how):
    total = values[0]
    for v in values[1:]:
        if how == "SUM":
            total = total + v
            if math.isnan(total):
                total = 0.0
        elif how == "MIN":
            total = v if v < total else total
        else:
            total = v if v > total else total
    return total


@pytest.mark.step("14g")
def test_the_algebra_agrees_with_a_model_on_random_inputs(r):
    rng = random.Random(1414)
    universe = [b"m%d" % i for i in range(30)]
    for round_ in range(40):
        r.flushall()
        names = []
        for j in range(rng.randint(1, 4)):
            name = "k%d" % j
            kind = rng.choice(["zset", "zset", "set", "missing"])
            members = rng.sample(universe, rng.randint(1, 20))
            if kind == "zset":
                r.zadd(name, {m: rng.choice([rng.randint(-5, 5), 0.5, 2.25])
                              for m in members})
            elif kind == "set":
                r.sadd(name, *members)
            names.append(name)
        inputs = [model_scores(r, n) for n in names]
        weights = [rng.choice([1, 2, -1, 0.5]) for _ in names]
        how = rng.choice(["SUM", "MIN", "MAX"])
        args = names + ["WEIGHTS"] + [str(w) for w in weights] + ["AGGREGATE", how]
        want = {}
        for m in set().union(*inputs):
            values = [inp[m] * w for inp, w in zip(inputs, weights) if m in inp]
            want[m] = aggregate(values, how)
        got = as_dict(r.execute_command("ZUNION", len(names), *args, "WITHSCORES"))
        assert got == pytest.approx(want), (
            "round %d: ZUNION %s" % (round_, args))
        inter = {m: v for m, v in want.items() if all(m in inp for inp in inputs)}
        got = as_dict(r.execute_command("ZINTER", len(names), *args, "WITHSCORES"))
        if how != "SUM":
            assert got == pytest.approx(inter)
        assert set(got) == set(inter), "round %d: ZINTER %s" % (round_, args)
        diff = {m: s for m, s in inputs[0].items()
                if not any(m in inp for inp in inputs[1:])}
        got = as_dict(r.execute_command("ZDIFF", len(names), *names, "WITHSCORES"))
        assert got == diff, "round %d: ZDIFF" % round_
        assert r.execute_command("ZINTERCARD", len(names), *names) == len(inter)
        assert r.execute_command("ZDIFFSTORE", "dst", len(names), *names) == len(diff)


@pytest.mark.step("14g")
def test_the_algebra_in_resp3(r, connect):
    conn = resp3(connect)
    r.zadd("a", {"x": 1, "y": 2.5})
    expect(conn, ["ZUNION", "1", "a", "WITHSCORES"], pairs3("x", "1", "y", "2.5"))
    expect(conn, ["ZUNION", "1", "a"], bulks("x", "y"))
    expect(conn, ["ZINTER", "2", "a", "missing", "WITHSCORES"], EMPTY)
    expect(conn, ["ZDIFF", "1", "a", "WITHSCORES"], pairs3("x", "1", "y", "2.5"))


# ---------------------------------------------------------------------------
# 14h: ZRANDMEMBER, ZSCAN, RESP3, the append-only file
# ---------------------------------------------------------------------------

@pytest.mark.step("14h")
def test_zrandmember_follows_redis_cases(r, connect, kind):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2, "c": 3})
    check_kind(r, "z", kind)
    expect(conn, ["ZRANDMEMBER", "missing"], NIL)
    expect(conn, ["ZRANDMEMBER", "missing", "3"], EMPTY)
    expect(conn, ["ZRANDMEMBER", "z", "0"], EMPTY)
    expect(conn, ["ZRANDMEMBER", "z", "3", "WITHSCORES"],
           pairs2("c", "3", "b", "2", "a", "1"),
           "a count at least the size gives the whole set, walked from the "
           "top as Redis walks it")
    expect(conn, ["ZRANDMEMBER", "z", "10"], bulks("c", "b", "a"))
    got = r.zrandmember("z", -10)
    assert len(got) == 10 and set(got) <= {b"a", b"b", b"c"}, (
        "a negative count gives |count| members, repeats allowed")
    got = r.zrandmember("z", 2)
    assert len(got) == 2 and len(set(got)) == 2
    got = r.execute_command("ZRANDMEMBER", "z", "-4", "WITHSCORES")
    assert len(got) == 8
    for member, score in zip(got[0::2], got[1::2]):
        assert r.zscore("z", member) == float(score)
    assert r.zrandmember("z") in (b"a", b"b", b"c")


@pytest.mark.step("14h")
def test_zrandmember_refuses_what_redis_refuses(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1})
    expect(conn, ["ZRANDMEMBER", "z", "x"], NOT_AN_INTEGER)
    expect(conn, ["ZRANDMEMBER", "z", "-9223372036854775808"],
           error("ERR value is out of range, value must between "
                 "-9223372036854775807 and 9223372036854775807"))
    expect(conn, ["ZRANDMEMBER", "z", "1", "SCORES"], SYNTAX)
    expect(conn, ["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"], SYNTAX)
    expect(conn, ["ZRANDMEMBER", "z", "x", "FOO"], NOT_AN_INTEGER,
           "the count is read before the rest is checked")
    expect(conn, ["ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"],
           error("ERR value is out of range"),
           "with WITHSCORES the reply would be twice as long")
    expect(conn, ["ZRANDMEMBER", "z", "4611686018427387903", "WITHSCORES"],
           pairs2("a", "1"))


@pytest.mark.parametrize("kind", ["listpack", "skiplist"])
@pytest.mark.step("14h")
def test_random_members_are_picked_uniformly(r, defaults, kind):
    if kind == "skiplist":
        r.config_set("zset-max-listpack-entries", 0)
    r.zadd("z", {"m:%d" % i: i for i in range(10)})
    counts = collections.Counter()
    pipe = r.pipeline(transaction=False)
    for _ in range(20):
        pipe.zrandmember("z", -1000)
    for picks in pipe.execute():
        counts.update(picks)
    pipe = r.pipeline(transaction=False)
    for _ in range(1000):
        pipe.zrandmember("z", 3)
    for picks in pipe.execute():
        assert len(set(picks)) == 3
        counts.update(picks)
    for i in range(10):
        n = counts[b"m:%d" % i]
        assert 2100 < n < 2500, (
            "m:%d was picked %d times of 23000, about 2300 + 300 expected" % (i, n))


@pytest.mark.step("14h")
def test_zrandmember_in_resp3(r, connect):
    conn = resp3(connect)
    r.zadd("z", {"a": 1, "b": 2.5})
    expect(conn, ["ZRANDMEMBER", "z", "5", "WITHSCORES"], pairs3("b", "2.5", "a", "1"))
    expect(conn, ["ZRANDMEMBER", "z", "5"], bulks("b", "a"))
    expect(conn, ["ZRANDMEMBER", "missing"], NULL3)


@pytest.mark.step("14h")
def test_zscan_answers_a_packed_set_whole_with_cursor_0(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1.5, "b": 1e17, "c": -1, "ab": 3})
    whole = array(bulk("0"), bulks("c", "-1", "a", "1.5", "ab", "3", "b",
                                   "100000000000000000"))
    expect(conn, ["ZSCAN", "z", "0"], whole,
           "a listpack answers whole, in order, its integral scores written "
           "as the integers it stores (1e17 is 100000000000000000)")
    expect(conn, ["ZSCAN", "z", "77", "COUNT", "1"], whole)
    expect(conn, ["ZSCAN", "z", "0", "MATCH", "a*"],
           array(bulk("0"), bulks("a", "1.5", "ab", "3")))
    expect(conn, ["ZSCAN", "missing", "0"], array(bulk("0"), EMPTY))
    expect(conn, ["ZSCAN", "missing", "0", "COUNT", "x"], array(bulk("0"), EMPTY),
           "a missing key answers before the options are read")
    expect(conn, ["ZSCAN", "z", "x"], INVALID_CURSOR)
    expect(conn, ["ZSCAN", "z", "0", "COUNT", "0"], SYNTAX)
    expect(conn, ["ZSCAN", "z", "0", "COUNT", "x"], NOT_AN_INTEGER)
    expect(conn, ["ZSCAN", "z", "0", "MATCH"], SYNTAX)


@pytest.mark.step("14h")
def test_zscan_walks_a_skip_list_to_cursor_0_seeing_every_member(r, connect):
    want = {b"m:%d" % i: float(i) / 4 for i in range(1000)}
    r.zadd("z", want)
    assert encoding(r, "z") == "skiplist"
    seen, cursor, calls = {}, 0, 0
    while True:
        cursor, got = r.zscan("z", cursor, count=20)
        seen.update(dict(got))
        calls += 1
        if cursor == 0:
            break
        assert calls < 10000, "ZSCAN never came back to cursor 0"
    assert seen == want, "ZSCAN missed or changed members"
    assert calls > 5, "a big skip list is scanned a part at a time"
    r.zadd("f", {"x" * 65: 1e17})
    expect(connect(), ["ZSCAN", "f", "0"], array(bulk("0"), bulks("x" * 65, "1e+17")),
           "a skip list's scores are written with %.17g")


@pytest.mark.step("14h")
def test_resp3_shapes_of_the_range_commands(r, connect):
    conn = resp3(connect)
    r.zadd("z", {"a": 1, "b": 2.5})
    expect(conn, ["ZRANGE", "z", "0", "-1", "WITHSCORES"], pairs3("a", "1", "b", "2.5"))
    expect(conn, ["ZRANGE", "z", "0", "-1"], bulks("a", "b"))
    expect(conn, ["ZRANGEBYSCORE", "z", "2", "3", "WITHSCORES"], pairs3("b", "2.5"))
    expect(conn, ["ZREVRANGE", "z", "0", "0", "WITHSCORES"], pairs3("b", "2.5"))
    expect(conn, ["ZRANGE", "missing", "0", "-1", "WITHSCORES"], EMPTY)
    expect(conn, ["ZRANK", "z", "nope"], NULL3)
    expect(conn, ["ZSCAN", "z", "0"], array(bulk("0"), bulks("a", "1", "b", "2.5")),
           "ZSCAN answers bulk strings, even in RESP3")


@pytest.mark.step("14h")
def test_zset_commands_announce_redis_keyspace_events(r, server):
    """Each command names its event once per key it changed, then "del"
    when it emptied the key (chapter 17 delivers them)."""
    try:
        r.config_set("notify-keyspace-events", "KEA")
    except redis.ResponseError:
        pytest.skip("this server has no keyspace notifications yet (chapter "
                    "17 brings them): the events cannot be seen")
    listener = redis.Redis(host=server.host, port=server.port, socket_timeout=5)
    p = listener.pubsub()
    try:
        p.psubscribe("__keyevent@0__:*")
        assert p.get_message(timeout=1)["type"] == "psubscribe"
        commands = [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZADD", "z", "1", "a"],
            ["ZINCRBY", "z", "1", "a"], ["ZADD", "z", "INCR", "1", "a"],
            ["ZREM", "z", "a", "nope"], ["ZADD", "z", "5", "d", "6", "e"],
            ["ZREMRANGEBYRANK", "z", "0", "0"], ["ZREMRANGEBYSCORE", "z", "5", "5"],
            ["ZADD", "l", "0", "x", "0", "y"], ["ZREMRANGEBYLEX", "l", "-", "[x"],
            ["ZPOPMIN", "z"], ["ZPOPMAX", "l"], ["ZADD", "z", "1", "a"],
            ["ZMPOP", "1", "z", "MIN", "COUNT", "5"], ["ZADD", "s1", "1", "a"],
            ["ZUNIONSTORE", "u", "1", "s1"], ["ZINTERSTORE", "i", "1", "s1"],
            ["ZDIFFSTORE", "d", "1", "s1"], ["ZRANGESTORE", "r", "s1", "0", "-1"],
            ["ZRANGESTORE", "r", "nope", "0", "-1"], ["ZINTERSTORE", "i", "1", "nope"],
            ["ZINTERSTORE", "i", "1", "nope"], ["ZPOPMIN", "s1"],
            ["ZREM", "nope", "a"], ["ZPOPMIN", "nope"],
        ]
        for args in commands:
            r.execute_command(*args)
        got = []
        while True:
            m = p.get_message(timeout=0.3)
            if m is None:
                break
            if m["type"] == "pmessage":
                got.append((m["channel"].split(b":")[-1].decode(), m["data"].decode()))
    finally:
        p.close()
        listener.close()
        r.config_set("notify-keyspace-events", "")
    assert got == [
        ("zadd", "z"), ("zincr", "z"), ("zincr", "z"), ("zrem", "z"), ("zadd", "z"),
        ("zremrangebyrank", "z"), ("zremrangebyscore", "z"), ("zadd", "l"),
        ("zremrangebylex", "l"), ("zpopmin", "z"), ("zpopmax", "l"), ("del", "l"),
        ("zadd", "z"), ("zpopmin", "z"), ("del", "z"), ("zadd", "s1"),
        ("zunionstore", "u"), ("zinterstore", "i"), ("zdiffstore", "d"),
        ("zrangestore", "r"), ("del", "r"), ("del", "i"), ("zpopmin", "s1"),
        ("del", "s1")], (
        "the events differ from Redis's: a command that changed nothing "
        "announces nothing, one that emptied a key adds \"del\"; got %r" % got)


# ---------------------------------------------------------------------------
# The append-only file
# ---------------------------------------------------------------------------

def aof_records_of(workdir):
    """The commands of the server's AOF: ours is DIR/appendonly.aof, Redis 7
    keeps DIR/appendonlydir/*.aof (a base and an incremental file)."""
    paths = [os.path.join(workdir, "appendonly.aof")]
    if not os.path.exists(paths[0]):
        paths = sorted(glob.glob(os.path.join(workdir, "appendonlydir", "*.base.aof")))
        paths += sorted(glob.glob(os.path.join(workdir, "appendonlydir", "*.incr.aof")))
    records = []
    for path in paths:
        with open(path, "rb") as f:
            records += aof_commands(f.read())
    return records


def snapshot(c):
    out = {}
    for k in c.keys():
        if c.type(k) == b"zset":
            out[k] = (c.zrange(k, 0, -1, withscores=True), c.object("encoding", k))
        else:
            out[k] = c.type(k)
    return out


@pytest.fixture
def aof_server(server_factory, suite):
    def _start(*extra):
        return RestartableServer(server_factory,
                                 *(aof_on(suite.own_binary, "always") + list(extra)))
    return _start


def write_zsets(c):
    c.zadd("small", {"a": 1.5, "b": -0.0, "c": float("inf"), "42": 1e17})
    c.zadd("big", {"m:%d" % i: i / 3 for i in range(300)})
    c.zadd("long", {"x" * 70: 1, "y": 2})
    c.zincrby("small", 2, "a")
    c.zadd("small", {"d": 4}, gt=True, ch=True)
    c.zrem("big", "m:0", "m:1")
    c.zremrangebyrank("big", 0, 9)
    c.zremrangebyscore("big", "(90", "+inf")
    c.zpopmin("big", 3)
    c.zpopmax("small")
    c.zmpop(2, ["nope", "big"], max=True, count=2)
    c.zunionstore("u", ["small", "big"], aggregate="MAX")
    c.zinterstore("i", {"small": 2, "long": 1})
    c.zdiffstore("d", ["big", "small"])
    c.zrangestore("r", "big", 0, 4)
    c.zadd("gone", {"x": 1})
    c.zpopmin("gone")
    c.zpopmax("long")


@pytest.mark.step("14h")
def test_sorted_sets_survive_a_restart(aof_server):
    server = aof_server()
    c = server.client()
    write_zsets(c)
    before = snapshot(c)
    assert b"gone" not in before
    after = snapshot(server.restart("term"))
    assert after == before, "after a restart the sorted sets differ: %s" % sorted(
        k for k in set(before) | set(after) if before.get(k) != after.get(k))


@pytest.mark.step("14f")
def test_zmpop_is_logged_as_zpopmin_or_zpopmax(aof_server):
    server = aof_server()
    c = server.client()
    c.zadd("z", {"m:%d" % i: i for i in range(10)})
    c.zmpop(2, ["nope", "z"], min=True, count=3)
    c.zmpop(1, ["z"], max=True, count=100)
    c.zadd("z", {"a": 1, "b": 2, "c": 3})
    c.zpopmax("z")
    c.zpopmin("z", 5)
    server.stop()
    pops = [rec for rec in aof_records_of(server.dir) if rec[0] not in (b"ZADD",)]
    assert pops == [[b"ZPOPMIN", b"z", b"3"], [b"ZPOPMAX", b"z", b"7"],
                    [b"ZPOPMAX", b"z"], [b"ZPOPMIN", b"z", b"5"]], (
        "ZMPOP is written as the ZPOPMIN or ZPOPMAX it amounted to, with the "
        "count really popped (a replay must not choose among keys); ZPOPMIN "
        "and ZPOPMAX as received. The file holds: %r" % pops)


@pytest.mark.step("14h")
def test_sorted_sets_survive_bgrewriteaof_and_a_restart(aof_server):
    server = aof_server()
    c = server.client()
    write_zsets(c)
    c.expire("big", 1000)
    before = snapshot(c)
    c.bgrewriteaof()
    wait_rewrite_done(c)
    c.zadd("after", {"rewrite": 1})
    before[b"after"] = ([(b"rewrite", 1.0)], b"listpack")
    c = server.restart("term")
    assert snapshot(c) == before, "the sorted sets differ after BGREWRITEAOF and a restart"
    assert 990 <= c.ttl("big") <= 1000


@pytest.mark.step("14h")
@pytest.mark.project_only
def test_the_rewrite_writes_zadd_with_up_to_64_pairs(aof_server):
    server = aof_server()
    c = server.client()
    c.zadd("big", {"m:%d" % i: i + 0.1 for i in range(200)})
    c.zadd("small", {"a": float("-inf"), "7": 2, "f": 0.1})
    c.zpopmin("big", 10)
    c.bgrewriteaof()
    wait_rewrite_done(c)
    server.stop()
    records = aof_records_of(server.dir)
    zadds = [rec for rec in records if rec[0] == b"ZADD"]
    assert all(len(rec) <= 2 + 2 * 64 for rec in zadds), "a ZADD of more than 64 pairs"
    assert not [rec for rec in records if rec[0] in (b"ZPOPMIN", b"ZREM")], (
        "the rewritten file should only ZADD what is there")
    got = collections.defaultdict(dict)
    for rec in zadds:
        for score, member in zip(rec[2::2], rec[3::2]):
            got[rec[1]][member] = score
    assert len(got[b"big"]) == 190
    assert got[b"big"][b"m:11"] == fmt(11.1).encode()
    assert got[b"small"] == {b"a": b"-inf", b"7": b"2", b"f": b"0.10000000000000001"}, (
        "scores are written as Redis writes them: %.17g, inf and -inf")
