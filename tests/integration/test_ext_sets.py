"""Part II, sets: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
SDIFFSTORE SSCAN.

A set holds each member once, in no order. Like a list (stage 4) it is
created by its first SADD and deleted by the command that removes its last
member. Redis keeps a set of few canonical integers as a sorted array (an
"intset": OBJECT ENCODING says so, and its members come back in ascending
order), and anything else as a hash table, whose order depends on the hash
function: so the byte-exact tests below use integer sets, and the others
compare members as sets.

Every exact reply was taken from redis-server 7.0.15. In particular:
- a missing key is an empty set: SINTER with one answers an empty set,
  SUNION and SDIFF skip it, SINTERSTORE deletes the destination;
- a key of another type is WRONGTYPE, even after a missing key in the list;
- the STORE forms replace the destination whatever it held (and drop its
  TTL), and delete it when the result is empty;
- SPOP and SRANDMEMBER with a count follow Redis's cases: 0 gives an empty
  reply, a count as large as the set gives the whole set (SPOP then deletes
  the key), a negative SRANDMEMBER count may repeat members;
- with HELLO 3, SMEMBERS SINTER SUNION SDIFF and SPOP with a count answer a
  RESP3 set (`~`), SRANDMEMBER with a count an array (`*`);
- SPOP is written to the append-only file as SREM of what it popped (a DEL
  when it popped everything), since a replayed SPOP would pick others.

The wrong servers these tests catch, step by step:
  12a an intset read in insertion order, or sorted as text (-1 before
      -9223372036854775808, 10 before 3); a SADD that counts a repeated
      member twice; a set that cannot hold a non-integer; SISMEMBER or
      SMISMEMBER that fail on a missing key;
  12b an SREM that counts a repeated member twice or leaves an empty set
      behind; an SMOVE that answers 0 for a member already in the
      destination, loses the member moved onto its own set, keeps an
      emptied source, or checks the destination's type before it sees
      that the source is missing;
  12c a number that only looks like one ("007", "+1", "-0", " 1", "1.0",
      2^63) stored as an integer and given back changed; a conversion at
      the wrong count (512 integers are an intset, the 513th converts);
      a set that goes back to an intset after SREM; the limit read once,
      not at each SADD, or a negative one accepted;
  12d an SINTER or SINTERCARD that checks the types only up to the first
      missing key; SINTERCARD's numkeys and LIMIT parsed wrongly (LIMIT 0
      is no limit, the last LIMIT wins) or the LIMIT not applied;
  12e an algebra that disagrees with Python's sets (40 random mixes of
      integer and text sets); a missing key not read as an empty set; STORE
      forms that keep the destination's TTL, store an empty set instead of
      deleting the destination, read a source they already overwrote, or
      build an intset whatever set-max-intset-entries says;
  12f an SRANDMEMBER that favours some members (20,000 draws from 10, in
      an intset and in a table), repeats members for a positive count or
      answers the same ones every time (the first ones, or all but the
      last), or answers fewer than |count| for a negative count;
  12g an SPOP that favours some members, or pops the same ones every time
      with a count (3 of 20, or 19 of 20); a count read with another error;
      an emptied set left behind; SPOP logged as itself instead of SREM of
      what it popped, or a whole set popped not logged as DEL; sets that do
      not survive a restart;
  12h an SSCAN of an intset that uses its cursor or COUNT, or of a big
      table that answers everything in one call; a missing key answered
      after the options are read; after HELLO 3, '*' where Redis answers a
      set ('~': SMEMBERS SINTER SUNION SDIFF, SPOP with a count) or '~'
      where it answers an array (SRANDMEMBER with a count, SSCAN); a
      BGREWRITEAOF that loses sets or TTLs; (ours) rewritten SADD records
      of more than 64 members, or SPOP and SREM left in a rewritten file.
Every command's WRONGTYPE and arity are checked in its own step.
"""

import collections
import glob
import os
import random

import pytest

import steps
from helpers import (RawConnection, aof_commands, aof_on, arity_error, array,
                     bulk, command, error, expect_reply, integer,
                     wait_rewrite_done, RestartableServer)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("sets")]

CHAPTER = 12    # Part II: sets
EMPTY = b"*0\r\n"
NIL = b"$-1\r\n"
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
SYNTAX = error("ERR syntax error")
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
MUST_BE_POSITIVE = error("ERR value is out of range, must be positive")
SRANDMEMBER_RANGE = error("ERR value is out of range, value must between "
                          "-9223372036854775807 and 9223372036854775807")
NUMKEYS = error("ERR numkeys should be greater than 0")
TOO_MANY_KEYS = error("ERR Number of keys can't be greater than number of "
                      "args")
LIMIT_NEGATIVE = error("ERR LIMIT can't be negative")
INVALID_CURSOR = error("ERR invalid cursor")


def bulks(*items):
    return array(*[bulk(item) for item in items])


def integers(*items):
    return array(*[integer(item) for item in items])


def rset(*items):
    """A RESP3 set reply of bulk strings."""
    return b"~%d\r\n" % len(items) + b"".join(bulk(i) for i in items)


def members(r, key):
    return set(r.smembers(key))


def expect(conn, args, reply, hint=None):
    __tracebackhide__ = True
    expect_reply(conn, command(*args), reply, CHAPTER,
                 hint=hint or "see the sets chapter (workshop.md Part II)")


def by_command(args):
    """A parameter marked with the step that introduces its command."""
    name = args[0].upper()
    for step in steps.chapter_of_extension("sets").steps:
        if name in step.commands:
            return pytest.param(args, id=" ".join(args),
                                marks=pytest.mark.step(step.id))
    raise KeyError("no step of chapter %d covers %s" % (CHAPTER, name))


def as_bytes(items):
    return {b"%d" % i if isinstance(i, int) else
            (i.encode() if isinstance(i, str) else i) for i in items}


# ---------------------------------------------------------------------------
# Adding, removing, asking
# ---------------------------------------------------------------------------

@pytest.mark.step("12a")
def test_sadd_counts_only_new_members_and_smembers_answers_integers_sorted(r, connect):
    conn = connect()
    expect(conn, ["SADD", "s", "3", "1", "2", "1"], integer(3),
           "SADD replies how many members were new; a repeat counts once")
    expect(conn, ["SADD", "s", "2", "5"], integer(1))
    expect(conn, ["SMEMBERS", "s"], bulks("1", "2", "3", "5"),
           "a set of small integers is an intset, read in ascending order")
    expect(conn, ["SCARD", "s"], integer(4))
    expect(conn, ["SCARD", "missing"], integer(0))


@pytest.mark.step("12a")
def test_sismember_and_smismember_answer_one_and_zero(r, connect):
    conn = connect()
    r.sadd("s", 1, 2, "x")
    expect(conn, ["SISMEMBER", "s", "x"], integer(1))
    expect(conn, ["SISMEMBER", "s", "9"], integer(0))
    expect(conn, ["SISMEMBER", "missing", "x"], integer(0))
    expect(conn, ["SMISMEMBER", "s", "1", "9", "x", "1"], integers(1, 0, 1, 1))
    expect(conn, ["SMISMEMBER", "missing", "1", "2"], integers(0, 0),
           "SMISMEMBER treats a missing key as an empty set: all zeros")


@pytest.mark.step("12b")
def test_srem_counts_removed_members_and_deletes_the_emptied_set(r, connect):
    conn = connect()
    r.sadd("s", 1, 2, 3)
    expect(conn, ["SREM", "s", "9"], integer(0))
    expect(conn, ["SREM", "s", "1", "9", "1"], integer(1))
    expect(conn, ["SREM", "s", "2", "3", "4"], integer(2))
    expect(conn, ["EXISTS", "s"], integer(0),
           "a set never exists empty: the SREM of its last member deletes it")
    expect(conn, ["TYPE", "s"], b"+none\r\n")
    expect(conn, ["SREM", "s", "1"], integer(0))


@pytest.mark.step("12a")
def test_a_set_is_typed_set(r, connect):
    r.sadd("s", "a")
    expect(connect(), ["TYPE", "s"], b"+set\r\n")


@pytest.mark.step("12c")
@pytest.mark.parametrize("member", ["007", "+1", "-0", " 1", "1 ", "1.0",
                                    "9223372036854775808", "", "a\x00b"])
def test_members_that_only_look_like_numbers_come_back_byte_for_byte(r, member):
    r.sadd("s", 1, member)
    got = members(r, "s")
    assert got == {b"1", member.encode()}, (
        "SADD s 1 %r then SMEMBERS s gave %r: a member must come back "
        "exactly as it was added; only canonical integers may be stored "
        "as numbers" % (member, got))
    assert r.sismember("s", member)


@pytest.mark.step("12a")
def test_canonical_extremes_are_integers(r, connect):
    conn = connect()
    r.sadd("s", "9223372036854775807", "-9223372036854775808", "0", "-1")
    expect(conn, ["SMEMBERS", "s"], bulks("-9223372036854775808", "-1", "0",
                                          "9223372036854775807"))


# ---------------------------------------------------------------------------
# Wrong types and arities
# ---------------------------------------------------------------------------

WRONGTYPE_CALLS = [
    ["SADD", "str", "1"], ["SREM", "str", "1"], ["SMEMBERS", "str"],
    ["SISMEMBER", "str", "1"], ["SMISMEMBER", "str", "1"], ["SCARD", "str"],
    ["SPOP", "str"], ["SPOP", "str", "2"], ["SRANDMEMBER", "str"],
    ["SRANDMEMBER", "str", "2"], ["SMOVE", "str", "s", "1"],
    ["SMOVE", "s", "str", "1"], ["SINTER", "s", "str"],
    ["SINTER", "missing", "str"], ["SINTERCARD", "2", "missing", "str"],
    ["SINTERSTORE", "d", "s", "str"], ["SUNION", "s", "str"],
    ["SUNIONSTORE", "d", "missing", "str"], ["SDIFF", "str", "s"],
    ["SDIFF", "s", "missing", "str"], ["SDIFFSTORE", "d", "s", "str"],
    ["SSCAN", "str", "0"], ["SSCAN", "str", "0", "COUNT", "x"],
]


@pytest.mark.parametrize("args", [by_command(a) for a in WRONGTYPE_CALLS])
def test_set_commands_on_a_string_are_wrongtype_and_change_nothing(r, connect, args):
    r.set("str", "x")
    r.sadd("s", "1", "2")
    r.set("d", "keep")
    expect(connect(), args, WRONGTYPE,
           "every set command checks the type of each key it reads, even "
           "after a missing key, before it changes anything")
    assert r.get("str") == b"x" and r.get("d") == b"keep"
    assert members(r, "s") == {b"1", b"2"}


ARITY = [
    ["SADD"], ["SADD", "k"], ["SREM", "k"], ["SMEMBERS"], ["SMEMBERS", "a", "b"],
    ["SISMEMBER", "k"], ["SMISMEMBER", "k"], ["SCARD"], ["SPOP"],
    ["SRANDMEMBER"], ["SMOVE", "a", "b"], ["SINTER"], ["SINTERCARD"],
    ["SINTERCARD", "1"], ["SINTERSTORE", "d"], ["SUNION"], ["SUNIONSTORE", "d"],
    ["SDIFF"], ["SDIFFSTORE", "d"], ["SSCAN", "k"],
]


@pytest.mark.parametrize("args", [by_command(a) for a in ARITY])
def test_set_commands_check_their_arity(r, connect, args):
    expect(connect(), args, arity_error(args[0].lower()))


@pytest.mark.step("12g")
def test_spop_and_srandmember_with_too_many_arguments_are_syntax_errors(r, connect):
    conn = connect()
    r.sadd("s", 1)
    expect(conn, ["SPOP", "s", "1", "2"], SYNTAX)
    expect(conn, ["SRANDMEMBER", "s", "1", "2"], SYNTAX)
    assert r.scard("s") == 1


# ---------------------------------------------------------------------------
# Set algebra
# ---------------------------------------------------------------------------

@pytest.mark.step("12e")
def test_sinter_sunion_sdiff_of_integer_sets_exactly(r, connect):
    conn = connect()
    r.sadd("a", 1, 2, 3, 4, 5)
    r.sadd("b", 3, 4, 5, 6, 7)
    r.sadd("c", 5, 7, 9)
    expect(conn, ["SINTER", "a", "b"], bulks("3", "4", "5"))
    expect(conn, ["SINTER", "a", "b", "c"], bulks("5"))
    expect(conn, ["SUNION", "a", "b", "c"], bulks(*"1234567", "9"))
    expect(conn, ["SDIFF", "a", "b"], bulks("1", "2"))
    expect(conn, ["SDIFF", "b", "a", "c"], bulks("6"))
    expect(conn, ["SINTER", "a"], bulks(*"12345"))


@pytest.mark.step("12e")
def test_a_missing_key_is_an_empty_set_in_the_algebra(r, connect):
    conn = connect()
    r.sadd("a", 1, 2)
    expect(conn, ["SINTER", "a", "missing"], EMPTY,
           "an intersection with a missing key (an empty set) is empty")
    expect(conn, ["SINTER", "missing"], EMPTY)
    expect(conn, ["SMEMBERS", "missing"], EMPTY)
    expect(conn, ["SUNION", "missing", "a"], bulks("1", "2"))
    expect(conn, ["SDIFF", "a", "missing"], bulks("1", "2"))
    expect(conn, ["SDIFF", "missing", "a"], EMPTY)
    expect(conn, ["SDIFF", "a", "a"], EMPTY, "a set minus itself is empty")
    expect(conn, ["SINTERCARD", "2", "a", "missing"], integer(0))


@pytest.mark.step("12e")
def test_the_algebra_agrees_with_python_sets_on_random_mixed_sets(r):
    rnd = random.Random(7)
    pool = [str(i) for i in range(60)] + ["m:%d" % i for i in range(60)]
    model = {}
    for key in ("k1", "k2", "k3", "k4"):
        picked = rnd.sample(pool, rnd.randint(1, 80))
        r.sadd(key, *picked)
        model[key] = as_bytes(picked)
    keys = ["k1", "k2", "k3", "k4", "missing"]
    for _ in range(40):
        chosen = rnd.sample(keys, rnd.randint(1, 4))
        sets = [model.get(k, set()) for k in chosen]
        inter = set.intersection(*sets)
        union = set.union(*sets)
        diff = sets[0].difference(*sets[1:])
        got = (set(r.sinter(chosen)), set(r.sunion(chosen)), set(r.sdiff(chosen)))
        assert got == (inter, union, diff), (
            "SINTER/SUNION/SDIFF of %s disagree with the sets they name"
            % chosen)
        assert r.sintercard(len(chosen), chosen) == len(inter)
        for n, limit in ((len(inter), 0), (min(len(inter), 3), 3)):
            assert r.sintercard(len(chosen), chosen, limit=limit) == n


@pytest.mark.step("12e")
def test_the_store_forms_replace_whatever_the_destination_held(r, connect):
    conn = connect()
    r.sadd("a", 1, 2, 3)
    r.sadd("b", 2, 3, 4)
    for name, want in (("SINTERSTORE", [b"2", b"3"]),
                       ("SUNIONSTORE", [b"1", b"2", b"3", b"4"]),
                       ("SDIFFSTORE", [b"1"])):
        r.set("d", "a string", ex=100)
        expect(conn, [name, "d", "a", "b"], integer(len(want)))
        expect(conn, ["SMEMBERS", "d"], bulks(*want))
        expect(conn, ["TTL", "d"], integer(-1),
               "the STORE forms write a new key: its old TTL is gone")


@pytest.mark.step("12e")
def test_an_empty_result_deletes_the_destination(r, connect):
    conn = connect()
    r.sadd("a", 1, 2)
    r.sadd("b", 3)
    for args in (["SINTERSTORE", "d", "a", "b"],
                 ["SINTERSTORE", "d", "a", "missing"],
                 ["SDIFFSTORE", "d", "a", "a"],
                 ["SUNIONSTORE", "d", "missing", "missing2"]):
        r.set("d", "x")
        expect(conn, args, integer(0))
        expect(conn, ["EXISTS", "d"], integer(0),
               "an empty result is no set at all: the destination is deleted")
        expect(conn, args, integer(0))


@pytest.mark.step("12e")
def test_the_destination_may_be_one_of_the_sources(r, connect):
    conn = connect()
    r.sadd("a", 1, 2, 3)
    r.sadd("b", 3, 4)
    expect(conn, ["SUNIONSTORE", "a", "a", "b"], integer(4))
    expect(conn, ["SMEMBERS", "a"], bulks("1", "2", "3", "4"))
    expect(conn, ["SDIFFSTORE", "a", "a", "b"], integer(2))
    expect(conn, ["SMEMBERS", "a"], bulks("1", "2"))
    expect(conn, ["SINTERSTORE", "b", "b", "a"], integer(0))
    expect(conn, ["EXISTS", "b"], integer(0))


@pytest.mark.step("12d")
def test_sintercard_reads_numkeys_and_limit_as_redis_does(r, connect):
    conn = connect()
    r.sadd("a", 1, 2, 3, 4)
    r.sadd("b", 2, 3, 4, 5)
    expect(conn, ["SINTERCARD", "2", "a", "b"], integer(3))
    expect(conn, ["SINTERCARD", "2", "a", "b", "LIMIT", "2"], integer(2))
    expect(conn, ["SINTERCARD", "2", "a", "b", "limit", "0"], integer(3),
           "LIMIT 0 means no limit")
    expect(conn, ["SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "9"], integer(3),
           "the last LIMIT wins")
    expect(conn, ["SINTERCARD", "0", "a"], NUMKEYS)
    expect(conn, ["SINTERCARD", "-1", "a"], NUMKEYS)
    expect(conn, ["SINTERCARD", "x", "a"], NUMKEYS)
    expect(conn, ["SINTERCARD", "3", "a", "b"], TOO_MANY_KEYS)
    expect(conn, ["SINTERCARD", "2", "a", "b", "LIMIT", "-1"], LIMIT_NEGATIVE)
    expect(conn, ["SINTERCARD", "2", "a", "b", "LIMIT", "x"], LIMIT_NEGATIVE)
    expect(conn, ["SINTERCARD", "2", "a", "b", "LIMIT"], SYNTAX)
    expect(conn, ["SINTERCARD", "1", "a", "b"], SYNTAX,
           "an argument past numkeys keys must be LIMIT n")


# ---------------------------------------------------------------------------
# SMOVE
# ---------------------------------------------------------------------------

@pytest.mark.step("12b")
def test_smove_moves_a_member_and_deletes_an_emptied_source(r, connect):
    conn = connect()
    r.sadd("src", 1, 2)
    r.sadd("dst", 2)
    expect(conn, ["SMOVE", "src", "dst", "9"], integer(0))
    expect(conn, ["SMOVE", "src", "dst", "2"], integer(1),
           "a member already in the destination still moves: 1")
    expect(conn, ["SMOVE", "src", "new", "1"], integer(1))
    expect(conn, ["EXISTS", "src"], integer(0))
    expect(conn, ["SMEMBERS", "new"], bulks("1"))
    expect(conn, ["SMEMBERS", "dst"], bulks("2"))


@pytest.mark.step("12b")
def test_smove_onto_the_same_set_changes_nothing(r, connect):
    conn = connect()
    r.sadd("s", 1, 2)
    expect(conn, ["SMOVE", "s", "s", "2"], integer(1))
    expect(conn, ["SMOVE", "s", "s", "9"], integer(0))
    expect(conn, ["SMEMBERS", "s"], bulks("1", "2"))


@pytest.mark.step("12b")
def test_smove_from_a_missing_key_answers_0_before_looking_at_the_destination(r, connect):
    r.set("str", "x")
    expect(connect(), ["SMOVE", "missing", "str", "1"], integer(0),
           "Redis answers 0 for a missing source before it checks the "
           "destination's type")


# ---------------------------------------------------------------------------
# SPOP and SRANDMEMBER
# ---------------------------------------------------------------------------

@pytest.mark.step("12g")
def test_spop_without_count(r, connect):
    conn = connect()
    r.sadd("s", 7)
    expect(conn, ["SPOP", "s"], bulk("7"))
    expect(conn, ["EXISTS", "s"], integer(0))
    expect(conn, ["SPOP", "s"], NIL)
    r.sadd("t", "a", "b", "c")
    got = {r.spop("t") for _ in range(3)}
    assert got == {b"a", b"b", b"c"} and not r.exists("t")


@pytest.mark.step("12g")
def test_spop_with_count_follows_redis_cases(r, connect):
    conn = connect()
    expect(conn, ["SPOP", "missing", "3"], EMPTY)
    r.sadd("s", *range(10))
    expect(conn, ["SPOP", "s", "0"], EMPTY)
    expect(conn, ["SPOP", "s", "-1"], MUST_BE_POSITIVE)
    expect(conn, ["SPOP", "s", "x"], MUST_BE_POSITIVE,
           "SPOP's count is read with 'must be positive' for any bad text")
    popped = r.spop("s", 3)
    assert len(popped) == 3 and len(set(popped)) == 3
    assert members(r, "s") | set(popped) == as_bytes(range(10))
    assert not members(r, "s") & set(popped)
    popped = r.spop("s", 6)          # 6 of 7: the "keep the rest" case
    assert len(set(popped)) == 6 and r.scard("s") == 1
    expect(conn, ["SPOP", "s", "5"], bulks(*[m.decode() for m in members(r, "s")]))
    expect(conn, ["EXISTS", "s"], integer(0))


@pytest.mark.step("12g")
def test_spop_everything_of_a_big_hash_table_set(r):
    r.sadd("s", *["m:%d" % i for i in range(1000)])
    got = r.spop("s", 990)
    rest = members(r, "s")
    assert len(set(got)) == 990 and len(rest) == 10
    assert set(got) | rest == as_bytes("m:%d" % i for i in range(1000))


@pytest.mark.step("12f")
def test_srandmember_with_count_follows_redis_cases(r, connect):
    conn = connect()
    expect(conn, ["SRANDMEMBER", "missing"], NIL)
    expect(conn, ["SRANDMEMBER", "missing", "3"], EMPTY)
    expect(conn, ["SRANDMEMBER", "missing", "-3"], EMPTY)
    r.sadd("s", 5)
    expect(conn, ["SRANDMEMBER", "s", "0"], EMPTY)
    expect(conn, ["SRANDMEMBER", "s", "1"], bulks("5"), "a count gives an array")
    expect(conn, ["SRANDMEMBER", "s", "-3"], bulks("5", "5", "5"),
           "a negative count may repeat members: |count| of them")
    expect(conn, ["SRANDMEMBER", "s", "x"], NOT_AN_INTEGER)
    expect(conn, ["SRANDMEMBER", "s", "-9223372036854775808"], SRANDMEMBER_RANGE)
    r.sadd("s", 1, 2, 3)
    expect(conn, ["SRANDMEMBER", "s", "4"], bulks("1", "2", "3", "5"),
           "a count at least the set's size gives the whole set")
    expect(conn, ["SRANDMEMBER", "s", "100"], bulks("1", "2", "3", "5"))
    assert r.scard("s") == 4, "SRANDMEMBER removes nothing"


@pytest.mark.step("12f")
@pytest.mark.parametrize("kind", ["intset", "hashtable"])
def test_srandmember_with_a_positive_count_gives_distinct_members(r, kind):
    items = list(range(100)) if kind == "intset" else ["m:%d" % i for i in range(100)]
    r.sadd("s", *items)
    for count in (2, 20, 40, 90, 99):      # both of Redis's strategies
        got = r.srandmember("s", count)
        assert len(got) == count and len(set(got)) == count, (
            "SRANDMEMBER s %d gave %d members, %d distinct"
            % (count, len(got), len(set(got))))
        assert set(got) <= as_bytes(items)
    got = r.srandmember("s", -250)
    assert len(got) == 250 and set(got) <= as_bytes(items)


def spread(counts, n, picks):
    expected = picks / n
    return min(counts.get(k, 0) for k in range(n)) / expected, \
        max(counts.values()) / expected


@pytest.mark.step("12f")
@pytest.mark.parametrize("kind", ["intset", "hashtable"])
def test_random_members_are_picked_uniformly(r, kind):
    items = [str(i) if kind == "intset" else "m:%d" % i for i in range(10)]
    r.sadd("s", *items)
    picks = r.srandmember("s", -20000)
    counts = collections.Counter(items.index(p.decode()) for p in picks)
    low, high = spread(counts, 10, 20000)
    assert 0.8 < low and high < 1.2, (
        "SRANDMEMBER s -20000 over 10 members: each should come about 2000 "
        "times (within 10 standard deviations: 1600..2400), got %s. Pick a "
        "uniform index in an intset; in a hash table, a random bucket then "
        "a random chain entry favours lonely entries" % sorted(counts.values()))


@pytest.mark.step("12f")
@pytest.mark.parametrize("kind", ["intset", "hashtable"])
def test_srandmember_with_a_positive_count_picks_random_members(r, kind):
    """Catches: a positive count answered with the same members every time
    (the first ones of the intset or of the table), both for a few members
    and for all but one (Redis's two strategies)."""
    items = as_bytes(range(20) if kind == "intset" else
                     ("m:%d" % i for i in range(20)))
    r.sadd("s", *items)
    pipe = r.pipeline(transaction=False)
    for _ in range(400):
        pipe.srandmember("s", 3)
    for _ in range(400):
        pipe.srandmember("s", 19)
    replies = pipe.execute()
    # Redis's pick in a table is not fair (dictGetFairRandomKey samples
    # neighbours): some members come 0.4 times as often as others, so
    # the bounds catch "the same members every time", not a mild bias.
    counts = collections.Counter(m for reply in replies[:400] for m in reply)
    low = min(counts.get(m, 0) for m in items)
    high = max(counts.values())
    assert 5 <= low and high <= 200, (
        "400 x SRANDMEMBER s 3 over 20 members: each should come about 60 "
        "times, got between %d and %d. Pick distinct members at random, "
        "not the first ones" % (low, high))
    left_out = {(items - set(reply)).pop() for reply in replies[400:]}
    assert len(left_out) >= 15, (
        "400 x SRANDMEMBER s 19 over 20 members left out only %r: the "
        "member left out must be a random one, not always the last"
        % sorted(left_out)[:5])


def spop_counts(r, items, count, rounds):
    """SPOP count from a fresh set of `items`, `rounds` times: how often
    each member was popped."""
    pipe = r.pipeline(transaction=False)
    for _ in range(rounds):
        pipe.sadd("p", *items)
        pipe.spop("p", count)
        pipe.delete("p")
    popped = pipe.execute()[1::3]
    return collections.Counter(m for reply in popped for m in reply)


@pytest.mark.step("12g")
@pytest.mark.parametrize("kind", ["intset", "hashtable"])
def test_spop_picks_uniformly(r, kind):
    items = [str(i) if kind == "intset" else "m:%d" % i for i in range(10)]
    pipe = r.pipeline(transaction=False)
    for _ in range(3000):
        pipe.sadd("p", *items)
        pipe.spop("p")
        pipe.delete("p")
    popped = pipe.execute()[1::3]
    counts = collections.Counter(items.index(p.decode()) for p in popped)
    low, high = spread(counts, 10, 3000)
    assert 0.6 < low and high < 1.4, (
        "SPOP of a fresh 10-member set, 3000 times: each member should come "
        "about 300 times, got %s" % sorted(counts.values()))


@pytest.mark.step("12g")
@pytest.mark.parametrize("kind", ["intset", "hashtable"])
def test_spop_with_a_count_pops_random_members(r, kind):
    """Catches: SPOP with a count that pops the same members every time
    (the end of the intset, the first ones a table walk meets), in both of
    Redis's cases: a few members popped, and all but one (the rest kept)."""
    items = as_bytes(range(20) if kind == "intset" else
                     ("m:%d" % i for i in range(20)))
    # As for SRANDMEMBER, Redis's pick in a table is not quite fair.
    counts = spop_counts(r, items, 3, 400)
    low = min(counts.get(m, 0) for m in items)
    high = max(counts.values())
    assert 5 <= low and high <= 200, (
        "SPOP p 3 of a fresh 20-member set, 400 times: each member should "
        "be popped about 60 times, got between %d and %d. Pop random "
        "members, not the first or the last ones" % (low, high))
    counts = spop_counts(r, items, 19, 400)
    kept = sorted(m for m in items if counts.get(m, 0) < 400)
    assert len(kept) >= 15, (
        "SPOP p 19 of a fresh 20-member set, 400 times, only ever kept %r: "
        "the member that stays must be a random one" % kept[:5])


# ---------------------------------------------------------------------------
# RESP3
# ---------------------------------------------------------------------------

@pytest.mark.step("12h")
def test_resp3_answers_sets_where_redis_does(r, connect):
    conn = connect()
    conn.send(command("HELLO", "3"))
    conn.read_available(0.2)
    r.sadd("a", 1, 2, 3)
    r.sadd("b", 2, 3, 4)
    r.sadd("one", 9)
    expect(conn, ["SMEMBERS", "a"], rset("1", "2", "3"))
    expect(conn, ["SMEMBERS", "missing"], b"~0\r\n")
    expect(conn, ["SINTER", "a", "b"], rset("2", "3"))
    expect(conn, ["SINTER", "a", "missing"], b"~0\r\n")
    expect(conn, ["SUNION", "a", "b"], rset("1", "2", "3", "4"))
    expect(conn, ["SDIFF", "a", "b"], rset("1"))
    expect(conn, ["SPOP", "a", "0"], b"~0\r\n")
    expect(conn, ["SPOP", "missing", "2"], b"~0\r\n")
    expect(conn, ["SPOP", "missing"], b"_\r\n")
    expect(conn, ["SRANDMEMBER", "missing"], b"_\r\n")
    expect(conn, ["SRANDMEMBER", "missing", "2"], EMPTY,
           "SRANDMEMBER with a count answers an array, even in RESP3")
    expect(conn, ["SRANDMEMBER", "one", "2"], bulks("9"))
    expect(conn, ["SPOP", "one", "1"], rset("9"))
    expect(conn, ["SMISMEMBER", "a", "1", "7"], integers(1, 0))
    expect(conn, ["SSCAN", "a", "0"], array(bulk("0"), bulks("1", "2", "3")))


# ---------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------

def object_encoding(r, key):
    """OBJECT ENCODING, or a skip if the server has no OBJECT command."""
    try:
        return r.object("encoding", key).decode()
    except Exception as exc:        # redis-py raises ResponseError
        if "unknown command" in str(exc).lower():
            pytest.skip("this server has no OBJECT command yet (Part II, "
                        "keys adds it): the encoding cannot be seen")
        raise


@pytest.mark.step("12c")
def test_set_max_intset_entries_is_512_by_default(r):
    assert r.config_get("set-max-intset-entries") == {
        "set-max-intset-entries": "512"}


@pytest.mark.step("12c")
def test_integers_are_an_intset_until_one_more_than_the_limit(r):
    r.sadd("s", *range(512))
    assert object_encoding(r, "s") == "intset"
    r.sadd("s", 5)
    assert object_encoding(r, "s") == "intset", "re-adding changes nothing"
    r.sadd("s", 512)
    assert object_encoding(r, "s") == "hashtable", (
        "the 513th integer (set-max-intset-entries 512) makes a hash table")
    assert r.scard("s") == 513 and r.sismember("s", 0) and r.sismember("s", 512)


@pytest.mark.step("12c")
def test_a_non_integer_member_makes_a_hash_table_for_good(r):
    r.sadd("s", 1, 2, 3)
    assert object_encoding(r, "s") == "intset"
    r.sadd("s", "007")
    assert object_encoding(r, "s") == "hashtable"
    r.srem("s", "007")
    assert object_encoding(r, "s") == "hashtable", (
        "a set never goes back to an intset, as in Redis")
    assert members(r, "s") == {b"1", b"2", b"3"}
    r.sadd("t", "a")
    assert object_encoding(r, "t") == "hashtable"


@pytest.mark.step("12c")
def test_config_set_changes_the_limit_for_later_adds(r):
    old = r.config_get("set-max-intset-entries")["set-max-intset-entries"]
    try:
        r.config_set("set-max-intset-entries", 3)
        r.sadd("s", 1, 2, 3)
        assert object_encoding(r, "s") == "intset"
        r.sadd("s", 4)
        assert object_encoding(r, "s") == "hashtable"
        r.config_set("set-max-intset-entries", 0)
        r.sadd("z", 1)
        assert object_encoding(r, "z") == "hashtable"
    finally:
        r.config_set("set-max-intset-entries", old)


@pytest.mark.step("12e")
@pytest.mark.parametrize("source", ["intset", "hashtable"])
def test_the_store_forms_build_their_result_with_the_limit(r, source):
    """Catches: a STORE form that copies an intset source whole, or builds
    its result as an intset, whatever the limit says."""
    old = r.config_get("set-max-intset-entries")["set-max-intset-entries"]
    try:
        r.sadd("s", 1, 2, 3)
        if source == "hashtable":
            r.config_set("set-max-intset-entries", 2)
            r.sadd("s", 4)
        assert object_encoding(r, "s") == source
        r.config_set("set-max-intset-entries", 0)
        for name in ("SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE"):
            r.execute_command(name, "u", "s")
            assert object_encoding(r, "u") == "hashtable", (
                "%s u s with set-max-intset-entries 0 made an %s: the STORE "
                "forms build their result with the same limit as SADD"
                % (name, object_encoding(r, "u")))
    finally:
        r.config_set("set-max-intset-entries", old)


@pytest.mark.step("12c")
def test_config_set_refuses_a_negative_limit(r, connect):
    expect(connect(), ["CONFIG", "SET", "set-max-intset-entries", "-1"],
           error("ERR CONFIG SET failed (possibly related to argument "
                 "'set-max-intset-entries') - argument must be between 0 "
                 "and 9223372036854775807 inclusive"))


# ---------------------------------------------------------------------------
# SSCAN
# ---------------------------------------------------------------------------

@pytest.mark.step("12h")
def test_sscan_answers_an_intset_whole_with_cursor_0(r, connect):
    conn = connect()
    r.sadd("s", 3, 1, 2, 10, 11)
    expect(conn, ["SSCAN", "s", "0"], array(bulk("0"), bulks("1", "2", "3", "10", "11")))
    expect(conn, ["SSCAN", "s", "77", "COUNT", "1"],
           array(bulk("0"), bulks("1", "2", "3", "10", "11")),
           "an intset is answered whole whatever the cursor and COUNT")
    expect(conn, ["SSCAN", "s", "0", "MATCH", "1*"], array(bulk("0"), bulks("1", "10", "11")))
    expect(conn, ["SSCAN", "missing", "0"], array(bulk("0"), EMPTY))
    expect(conn, ["SSCAN", "missing", "0", "COUNT", "x"], array(bulk("0"), EMPTY),
           "a missing key answers before the options are read")


@pytest.mark.step("12h")
def test_sscan_checks_its_cursor_and_options(r, connect):
    conn = connect()
    r.sadd("s", 1)
    expect(conn, ["SSCAN", "s", "x"], INVALID_CURSOR)
    expect(conn, ["SSCAN", "missing", "x"], INVALID_CURSOR)
    expect(conn, ["SSCAN", "s", "0", "COUNT", "0"], SYNTAX)
    expect(conn, ["SSCAN", "s", "0", "COUNT", "x"], NOT_AN_INTEGER)
    expect(conn, ["SSCAN", "s", "0", "MATCH"], SYNTAX)
    expect(conn, ["SSCAN", "s", "0", "FOO", "1"], SYNTAX)


@pytest.mark.step("12h")
def test_sscan_walks_a_hash_table_to_cursor_0_seeing_every_member(r):
    want = as_bytes("m:%d" % i for i in range(1000))
    r.sadd("s", *want)
    seen, cursor, calls = [], 0, 0
    while True:
        cursor, got = r.sscan("s", cursor, count=20)
        seen += got
        calls += 1
        if cursor == 0:
            break
        assert calls < 10000, "SSCAN never came back to cursor 0"
    assert set(seen) == want, "SSCAN missed %d members" % len(want - set(seen))
    assert calls > 5, "a big hash table is scanned a part at a time"
    matched = set()
    cursor = 0
    while True:
        cursor, got = r.sscan("s", cursor, match="m:1?", count=50)
        matched |= set(got)
        if cursor == 0:
            break
    assert matched == as_bytes("m:1%d" % i for i in range(10))


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
    return {k: (c.type(k), c.smembers(k) if c.type(k) == b"set" else c.get(k))
            for k in c.keys()}


@pytest.fixture
def aof_server(server_factory, suite):
    def _start(*extra):
        return RestartableServer(server_factory,
                                 *(aof_on(suite.own_binary, "always") + list(extra)))
    return _start


def write_sets(c):
    c.sadd("ints", *range(20))
    c.sadd("mixed", *range(10), "a", "b", "007")
    c.sadd("big", *["m:%d" % i for i in range(300)])
    c.srem("ints", 0, 1)
    c.spop("ints")
    c.spop("ints", 3)
    c.spop("big", 250)           # the "keep the rest" case
    c.spop("mixed", 2)
    c.sadd("gone", 1, 2)
    c.spop("gone", 5)            # everything: logged as DEL
    c.smove("mixed", "moved", "a")
    c.sinterstore("inter", "ints", "mixed")
    c.sunionstore("union", "ints", "moved")
    c.sdiffstore("diff", "big", "ints")
    c.sadd("emptied", "x")
    c.srem("emptied", "x")


@pytest.mark.step("12g")
def test_sets_and_spop_survive_a_restart(aof_server):
    server = aof_server()
    c = server.client()
    write_sets(c)
    before = snapshot(c)
    assert b"gone" not in before and b"emptied" not in before
    after = snapshot(server.restart("term"))
    assert after == before, (
        "after a restart the sets differ: %s" % sorted(
            k for k in set(before) | set(after) if before.get(k) != after.get(k)))


@pytest.mark.step("12g")
def test_spop_is_logged_as_srem_of_the_popped_members(aof_server):
    server = aof_server()
    c = server.client()
    c.sadd("s", *range(10))
    popped = {c.spop("s")} | set(c.spop("s", 3)) | set(c.spop("s", 5))
    c.sadd("all", "x", "y")
    c.spop("all", 2)
    server.stop()
    records = aof_records_of(server.dir)
    names = [rec[0] for rec in records]
    assert b"SPOP" not in names, (
        "SPOP itself is in the append-only file: replaying it would pop "
        "other random members. Log SREM key <the members popped>.")
    logged = set()
    for rec in records:
        if rec[0] == b"SREM" and rec[1] == b"s":
            logged |= set(rec[2:])
    assert logged == popped, (
        "the SREMs in the file name %r, the SPOPs popped %r" % (logged, popped))
    assert [b"DEL", b"all"] in records, (
        "an SPOP that pops the whole set is logged as DEL key, as in Redis")


@pytest.mark.step("12h")
def test_sets_survive_bgrewriteaof_and_a_restart(aof_server):
    server = aof_server()
    c = server.client()
    write_sets(c)
    c.expire("ints", 1000)
    before = snapshot(c)
    c.bgrewriteaof()
    wait_rewrite_done(c)
    c.sadd("after", "rewrite")
    before[b"after"] = (b"set", {b"rewrite"})
    c = server.restart("term")
    assert snapshot(c) == before, "the sets differ after BGREWRITEAOF and a restart"
    assert 990 <= c.ttl("ints") <= 1000


@pytest.mark.step("12h")
@pytest.mark.project_only
def test_the_rewrite_writes_each_set_as_sadd_of_up_to_64_members(aof_server):
    server = aof_server()
    c = server.client()
    c.sadd("big", *["m:%d" % i for i in range(200)])
    c.sadd("ints", *range(100))
    c.spop("big", 10)
    c.bgrewriteaof()
    wait_rewrite_done(c)
    server.stop()
    records = aof_records_of(server.dir)
    sadds = [rec for rec in records if rec[0] == b"SADD"]
    assert all(len(rec) <= 2 + 64 for rec in sadds), "a SADD of more than 64 members"
    assert not [rec for rec in records if rec[0] in (b"SPOP", b"SREM")], (
        "the rewritten file should only SADD what is there")
    got = collections.defaultdict(set)
    for rec in sadds:
        got[rec[1]] |= set(rec[2:])
    assert len(got[b"big"]) == 190 and got[b"ints"] == as_bytes(range(100))
