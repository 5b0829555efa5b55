"""Part II, hashes: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS
HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.

A hash maps fields to values under one key, both binary-safe strings. As
in Redis 7.0.15, whose replies every exact byte below was taken from:

- a hash is created by its first write and deleted by the HDEL that empties
  it; a hash command on a key of another type answers WRONGTYPE;
- a small hash is packed ("listpack" to OBJECT ENCODING) and keeps its
  fields in insertion order; past hash-max-listpack-entries (512) fields,
  or with a field or value longer than hash-max-listpack-value (64) bytes,
  it becomes a "hashtable", and stays one;
- HGETALL answers a map in RESP3 (an array of 2n in RESP2); HRANDFIELD
  WITHVALUES answers pairs as arrays of two in RESP3;
- HINCRBYFLOAT prints 17 decimals and drops trailing zeros, refuses NaN and
  infinity, and is logged to the AOF as HSET with its result.

The wrong servers these tests catch, step by step:
  11a an HSET that counts overwritten fields as new, an HMSET that answers
      a count, fields compared as C strings (cut at a NUL byte), an HSETNX
      that overwrites; HSET and HMSET that accept a field without a value;
  11b an HDEL that counts a field named twice twice, or leaves an empty
      hash behind; HLEN, HSTRLEN or HEXISTS that fail on a missing key or
      an empty value;
  11c a packed hash that does not keep insertion order (an overwrite stays
      in place, a re-added field goes last); HGETALL as a flat array after
      HELLO 3;
  11d a conversion that loses pairs (2,000 fields back, then 1,999
      deleted); one that happens at the wrong count or length, or goes back
      after HDEL; limits read once at start instead of at each write;
      CONFIG SET of the limits refused or accepted wrongly; the Redis 6
      names (hash-max-ziplist-*) unknown, or set apart from the limits;
  11e an HINCRBY that accepts an increment of 1.5 or a stored " 1", or
      overflows silently; an HINCRBYFLOAT in double or printed with an
      exponent, that accepts NaN, infinity or spaces, changes the field
      when it refuses, or does not convert a hash its result outgrows;
  11f an HRANDFIELD that repeats fields for a positive count, answers
      fewer than |count| for a negative one, favours some fields of a
      small hash (100,000 draws of 20), never reaches some of a big one,
      or answers a positive count with the same fields every time (the
      first ones, or all but the last); flat pairs after HELLO 3; counts
      read after the key;
  11g an HSCAN of a small hash that uses the cursor it is given, or of a
      big one that answers everything in one call (1,500 fields must take
      more than 5 calls), misses fields, or applies MATCH to values; a
      missing key that reads the options first; TYPE accepted;
  11h a hash write that does not survive a restart, or a BGREWRITEAOF that
      loses hashes (HINCRBYFLOAT's 0.1 + 0.2 must come back as 0.3).
Every command's WRONGTYPE and arity are checked in its own step.
"""

import collections

import pytest
import redis

import steps
from helpers import (RawConnection, RestartableServer, aof_on, arity_error,
                     array, bulk, command, error, expect_reply, integer,
                     wait_rewrite_done)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("hashes")]

CHAPTER = 11    # Part II: hashes
NIL = b"$-1\r\n"
EMPTY = b"*0\r\n"
OK = b"+OK\r\n"
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
HASH_NOT_INTEGER = error("ERR hash value is not an integer")
HASH_NOT_FLOAT = error("ERR hash value is not a float")
NOT_A_FLOAT = error("ERR value is not a valid float")
NAN_OR_INF = error("ERR value is NaN or Infinity")
WOULD_BE_NAN = error("ERR increment would produce NaN or Infinity")
OVERFLOW = error("ERR increment or decrement would overflow")
SYNTAX = error("ERR syntax error")
LLONG_MAX = 9223372036854775807
REWRITE_STARTED = b"+Background append only file rewriting started\r\n"


def bulks(*items):
    return array(*[bulk(item) for item in items])


def expect(conn, args, expected, hint=None):
    __tracebackhide__ = True
    return expect_reply(conn, command(*args), expected, CHAPTER, hint=hint)


def resp3(connect):
    """A raw connection switched to RESP3 with HELLO 3."""
    conn = connect()
    conn.send(command("HELLO", "3"))
    reply = conn.read_available(0.3)
    assert reply.startswith(b"%"), (
        "HELLO 3 should answer a map (stage 6); got %r" % reply[:80])
    return conn


def why(problem, hint):
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (problem, hint,
                                                              CHAPTER)


def by_command(args):
    """A parameter marked with the step that introduces its command."""
    name = args[0].upper()
    for step in steps.chapter_of_extension("hashes").steps:
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
        pytest.skip("OBJECT is not served by this server yet (another Part "
                    "II extension brings it): the encoding cannot be seen")
    return r.object("encoding", key)


@pytest.fixture
def defaults(r):
    """Put the two limits back to Redis's defaults after the test."""
    yield r
    r.config_set("hash-max-listpack-entries", 512)
    r.config_set("hash-max-listpack-value", 64)


# ---------------------------------------------------------------------------
# Setting and getting
# ---------------------------------------------------------------------------

@pytest.mark.step("11a")
def test_hset_counts_new_fields_and_hget_reads_them(r, connect):
    conn = connect()
    expect(conn, ["HSET", "h", "name", "ada", "age", "36"], integer(2),
           hint="HSET replies how many fields were new")
    expect(conn, ["HSET", "h", "name", "augusta", "lang", "en"], integer(1),
           hint="an overwritten field is not new: only 'lang' counts")
    expect(conn, ["HGET", "h", "name"], bulk("augusta"))
    expect(conn, ["HGET", "h", "nope"], NIL,
           hint="a missing field is the null bulk string")
    expect(conn, ["HGET", "missing", "name"], NIL)
    expect(conn, ["TYPE", "h"], b"+hash\r\n")


@pytest.mark.step("11a")
def test_hmset_replies_ok_and_sets_every_pair(r, connect):
    conn = connect()
    expect(conn, ["HMSET", "h", "a", "1", "b", "2"], OK,
           hint="HMSET is HSET with the old reply, +OK")
    expect(conn, ["HMGET", "h", "a", "x", "b"], array(bulk("1"), NIL,
                                                      bulk("2")),
           hint="HMGET answers one element per field, nil when missing")
    expect(conn, ["HMGET", "missing", "a", "b"], array(NIL, NIL),
           hint="a missing key is an empty hash for HMGET, not an error")


@pytest.mark.step("11a")
def test_fields_and_values_are_binary_safe_and_may_be_empty(r, connect):
    conn = connect()
    field, value = b"f\x00\r\n", b"\x00\xff\r\nv"
    expect(conn, ["HSET", "h", field, value, "", "empty-field",
                  "empty-value", ""], integer(3))
    expect(conn, ["HGET", "h", field], bulk(value))
    expect(conn, ["HGET", "h", ""], bulk("empty-field"))
    expect(conn, ["HGET", "h", "empty-value"], bulk(""))
    expect(conn, ["HGET", "h", b"f"], NIL,
           hint="fields are compared whole, not as C strings")


@pytest.mark.step("11a")
def test_hsetnx_sets_only_a_missing_field(r, connect):
    conn = connect()
    expect(conn, ["HSETNX", "h", "f", "first"], integer(1),
           hint="HSETNX on a missing key creates the hash")
    expect(conn, ["HSETNX", "h", "f", "second"], integer(0))
    expect(conn, ["HGET", "h", "f"], bulk("first"))


@pytest.mark.step("11b")
def test_hdel_counts_deleted_fields_and_deletes_an_emptied_hash(r, connect):
    conn = connect()
    expect(conn, ["HSET", "h", "a", "1", "b", "2", "c", "3"], integer(3))
    expect(conn, ["HDEL", "h", "a", "a", "nope"], integer(1),
           hint="a field named twice is deleted once")
    expect(conn, ["HDEL", "h", "b", "c"], integer(2))
    expect(conn, ["EXISTS", "h"], integer(0),
           hint="the HDEL that removes the last field deletes the key")
    expect(conn, ["HDEL", "h", "a"], integer(0))


@pytest.mark.step("11b")
def test_hlen_hstrlen_and_hexists(r, connect):
    conn = connect()
    r.hset("h", mapping={"a": "hello", "b": ""})
    expect(conn, ["HLEN", "h"], integer(2))
    expect(conn, ["HLEN", "missing"], integer(0))
    expect(conn, ["HSTRLEN", "h", "a"], integer(5))
    expect(conn, ["HSTRLEN", "h", "b"], integer(0))
    expect(conn, ["HSTRLEN", "h", "nope"], integer(0))
    expect(conn, ["HSTRLEN", "missing", "a"], integer(0))
    expect(conn, ["HEXISTS", "h", "b"], integer(1),
           hint="an empty value is still a field")
    expect(conn, ["HEXISTS", "h", "nope"], integer(0))
    expect(conn, ["HEXISTS", "missing", "a"], integer(0))


@pytest.mark.step("11c")
def test_a_small_hash_lists_its_fields_in_insertion_order(r, connect):
    conn = connect()
    r.hset("h", mapping={"z": "1", "a": "2", "m": "3"})
    r.hset("h", "a", "changed")      # an overwrite keeps the place
    r.hdel("h", "z")
    r.hset("h", "z", "back")         # a new field goes last
    expect(conn, ["HKEYS", "h"], bulks("a", "m", "z"),
           hint="a packed hash is one array of pairs: new ones are appended, "
                "an overwrite stays in place, a delete closes the gap")
    expect(conn, ["HVALS", "h"], bulks("changed", "3", "back"))
    expect(conn, ["HGETALL", "h"], bulks("a", "changed", "m", "3", "z",
                                         "back"))
    for name in ("HKEYS", "HVALS", "HGETALL"):
        expect(conn, [name, "missing"], EMPTY)


@pytest.mark.step("11c")
def test_hgetall_answers_a_map_in_resp3(r, connect):
    r.hset("h", mapping={"a": "1", "b": "2"})
    conn = resp3(connect)
    expect(conn, ["HGETALL", "h"],
           b"%2\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2"),
           hint="in RESP3 HGETALL is a map: %<pairs>, then field, value ...")
    expect(conn, ["HGETALL", "missing"], b"%0\r\n",
           hint="a missing key is an empty map in RESP3")
    expect(conn, ["HKEYS", "h"], bulks("a", "b"),
           hint="HKEYS and HVALS stay plain arrays")
    expect(conn, ["HGET", "h", "nope"], b"_\r\n",
           hint="RESP3's null is _")


@pytest.mark.step("11d")
def test_a_big_hash_gives_back_every_pair(r):
    pairs = {b"field:%d" % i: b"value:%d" % i for i in range(2000)}
    r.hset("big", mapping=pairs)
    assert r.hlen("big") == 2000
    got = r.hgetall("big")
    assert got == pairs, why(
        "HGETALL of a 2000-field hash differs: %d pairs back, %d missing."
        % (len(got), len(set(pairs) - set(got))),
        "the conversion to a table must carry every pair over")
    assert sorted(r.hkeys("big")) == sorted(pairs)
    assert sorted(r.hvals("big")) == sorted(pairs.values())
    assert r.hmget("big", "field:0", "field:1999", "nope") == [
        b"value:0", b"value:1999", None]
    assert r.hdel("big", *list(pairs)[:1999]) == 1999
    assert r.hgetall("big") == {b"field:1999": b"value:1999"}


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

WRONGTYPE_COMMANDS = [
    ["HSET", "s", "f", "v"], ["HSETNX", "s", "f", "v"],
    ["HMSET", "s", "f", "v"], ["HGET", "s", "f"], ["HMGET", "s", "f"],
    ["HDEL", "s", "f"], ["HLEN", "s"], ["HSTRLEN", "s", "f"],
    ["HEXISTS", "s", "f"], ["HKEYS", "s"], ["HVALS", "s"], ["HGETALL", "s"],
    ["HINCRBY", "s", "f", "1"], ["HINCRBYFLOAT", "s", "f", "1"],
    ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "2"], ["HSCAN", "s", "0"],
]


@pytest.mark.parametrize("args", [by_command(a) for a in WRONGTYPE_COMMANDS])
def test_hash_commands_on_a_string_answer_wrongtype(r, connect, args):
    r.set("s", "not a hash")
    conn = connect()
    expect(conn, args, WRONGTYPE,
           hint="check the key's type before anything else")
    expect(conn, ["GET", "s"], bulk("not a hash"),
           hint="a refused command changes nothing")


ARITY = [
    ["HSET", "h"], ["HSET", "h", "f"], ["HSET", "h", "f", "v", "g"],
    ["HMSET", "h", "f"], ["HMSET", "h", "f", "v", "g"], ["HSETNX", "h", "f"],
    ["HGET", "h"], ["HMGET", "h"], ["HDEL", "h"], ["HLEN"],
    ["HSTRLEN", "h"], ["HEXISTS", "h"], ["HKEYS"], ["HVALS", "h", "x"],
    ["HGETALL"], ["HINCRBY", "h", "f"], ["HINCRBYFLOAT", "h", "f"],
    ["HRANDFIELD"], ["HSCAN", "h"],
]


@pytest.mark.parametrize("args", [by_command(a) for a in ARITY])
def test_wrong_numbers_of_arguments_are_refused(r, connect, args):
    conn = connect()
    expect(conn, args, arity_error(args[0].lower()),
           hint="HSET and HMSET need pairs: an odd number of arguments "
                "after the key is an arity error too")
    expect(conn, ["EXISTS", "h"], integer(0))


# ---------------------------------------------------------------------------
# Counters
# ---------------------------------------------------------------------------

@pytest.mark.step("11e")
def test_hincrby_creates_adds_and_subtracts(r, connect):
    conn = connect()
    expect(conn, ["HINCRBY", "h", "n", "5"], integer(5),
           hint="a missing field counts from 0")
    expect(conn, ["HINCRBY", "h", "n", "-7"], integer(-2))
    expect(conn, ["HGET", "h", "n"], bulk("-2"))


@pytest.mark.step("11e")
def test_hincrby_refuses_bad_increments_values_and_overflow(r, connect):
    conn = connect()
    r.hset("h", mapping={"word": "abc", "max": LLONG_MAX, "spaced": " 1",
                         "min": -LLONG_MAX - 1})
    expect(conn, ["HINCRBY", "h", "n", "1.5"], NOT_AN_INTEGER)
    expect(conn, ["HINCRBY", "h", "n", "x"], NOT_AN_INTEGER)
    expect(conn, ["HINCRBY", "s", "n", "x"], NOT_AN_INTEGER,
           hint="the increment is read before the key is looked up")
    expect(conn, ["HINCRBY", "h", "word", "1"], HASH_NOT_INTEGER)
    expect(conn, ["HINCRBY", "h", "spaced", "1"], HASH_NOT_INTEGER)
    expect(conn, ["HINCRBY", "h", "max", "1"], OVERFLOW)
    expect(conn, ["HINCRBY", "h", "min", "-1"], OVERFLOW)
    expect(conn, ["HINCRBY", "h", "max", "-1"], integer(LLONG_MAX - 1))
    expect(conn, ["HLEN", "h"], integer(4),
           hint="a refused HINCRBY creates no field")


FLOATS = [
    (None, "10.5", "10.5"),
    ("10.5", "0.1", "10.6"),
    (None, "5.0e3", "5000"),
    ("0.1", "0.2", "0.3"),
    (None, "1.23456789012345678901", "1.23456789012345679"),
    (None, "-0", "0"),
    ("3", "-1.5", "1.5"),
    ("7", "3", "10"),
    (None, "1e300",
     "1000000000000000000008997324079559193870523944273290747938260082321265"
     "646596180935755849152083750497190350372508614274835903592556184672983"
     "913096260520748646287327135641843653294084255107606016789726652932370"
     "030551382947620994540294772781889620606179267611627097410650567187386"
     "105690089424915104006144"),
]


@pytest.mark.step("11e")
@pytest.mark.long_double
@pytest.mark.parametrize("start, incr, result", FLOATS,
                         ids=["%s+%s" % (s, i) for s, i, _ in FLOATS])
def test_hincrbyfloat_prints_its_result_as_redis_does(r, connect, start, incr,
                                                      result):
    if start is not None:
        r.hset("h", "f", start)
    conn = connect()
    expect(conn, ["HINCRBYFLOAT", "h", "f", incr], bulk(result),
           hint="a long double, printed with %.17Lf, then trailing zeros "
                "and a bare point dropped, and -0 as 0")
    expect(conn, ["HGET", "h", "f"], bulk(result))


@pytest.mark.step("11e")
@pytest.mark.long_double
@pytest.mark.parametrize("start, incr, reply", [
    (None, "abc", NOT_A_FLOAT),
    (None, "nan", NOT_A_FLOAT),
    (None, " 1", NOT_A_FLOAT),
    (None, "1 ", NOT_A_FLOAT),
    (None, "", NOT_A_FLOAT),
    (None, "inf", NAN_OR_INF),
    (None, "-inf", NAN_OR_INF),
    ("abc", "1", HASH_NOT_FLOAT),
    (" 1", "1", HASH_NOT_FLOAT),
    ("inf", "1", WOULD_BE_NAN),
    ("1e4932", "1e4932", WOULD_BE_NAN),
], ids=["abc", "nan", "leading-space", "trailing-space", "empty", "inf",
        "-inf", "value-abc", "value-space", "value-inf", "overflow"])
def test_hincrbyfloat_refuses_nan_infinity_and_non_numbers(r, connect, start,
                                                          incr, reply):
    if start is not None:
        r.hset("h", "f", start)
    conn = connect()
    expect(conn, ["HINCRBYFLOAT", "h", "f", incr], reply,
           hint="the increment is checked first (not a valid float, then "
                "NaN or Infinity), then the stored value (hash value is not "
                "a float), then the result")
    expect(conn, ["HGET", "h", "f"], bulk(start) if start else NIL,
           hint="a refused HINCRBYFLOAT changes nothing")


# ---------------------------------------------------------------------------
# HRANDFIELD
# ---------------------------------------------------------------------------

@pytest.mark.step("11f")
def test_hrandfield_without_count_answers_one_field_or_nil(r, connect):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert r.hrandfield("h") in (b"a", b"b")
    conn = connect()
    expect(conn, ["HRANDFIELD", "missing"], NIL)
    expect(conn, ["HRANDFIELD", "missing", "3"], EMPTY,
           hint="with a count, a missing key is an empty array")
    expect(conn, ["HRANDFIELD", "h", "0"], EMPTY)
    expect(resp3(connect), ["HRANDFIELD", "missing"], b"_\r\n")


@pytest.mark.step("11f")
@pytest.mark.parametrize("size", [5, 600], ids=["listpack", "hashtable"])
def test_hrandfield_counts_give_distinct_or_repeated_fields(r, size):
    pairs = {b"f%d" % i: b"v%d" % i for i in range(size)}
    r.hset("h", mapping=pairs)
    got = r.hrandfield("h", 3)
    assert len(got) == 3 and len(set(got)) == 3 and set(got) <= set(pairs), \
        why("HRANDFIELD h 3 gave %r." % got,
            "a positive count gives that many distinct fields")
    got = r.hrandfield("h", size + 10)
    assert sorted(got) == sorted(pairs), why(
        "HRANDFIELD with a count above the size gave %d fields." % len(got),
        "a count at least the size gives the whole hash, once each")
    got = r.hrandfield("h", -(size * 3))
    assert len(got) == size * 3 and set(got) <= set(pairs), why(
        "HRANDFIELD h -%d gave %d fields." % (size * 3, len(got)),
        "a negative count gives exactly that many, repeats allowed")
    flat = r.hrandfield("h", -7, withvalues=True)
    assert len(flat) == 14 and all(pairs[flat[i]] == flat[i + 1]
                                   for i in range(0, 14, 2)), why(
        "HRANDFIELD h -7 WITHVALUES gave %r." % flat[:6],
        "in RESP2 WITHVALUES is a flat array: field, value, field ...")
    flat = r.hrandfield("h", size - 1, withvalues=True)
    fields = flat[0::2]
    assert len(set(fields)) == size - 1 and all(
        pairs[flat[i]] == flat[i + 1] for i in range(0, len(flat), 2))


@pytest.mark.step("11f")
def test_hrandfield_withvalues_answers_pairs_in_resp3(r, connect):
    r.hset("h", "only", "one")
    conn = resp3(connect)
    pair = array(bulk("only"), bulk("one"))
    expect(conn, ["HRANDFIELD", "h", "-2", "WITHVALUES"], array(pair, pair),
           hint="in RESP3 each field and its value are an array of two")
    expect(conn, ["HRANDFIELD", "h", "5", "withvalues"], array(pair))
    expect(conn, ["HRANDFIELD", "h", "1"], bulks("only"))


@pytest.mark.step("11f")
def test_hrandfield_refuses_bad_counts_before_looking_at_the_key(r, connect):
    r.set("s", "string")
    r.hset("h", "f", "v")
    conn = connect()
    expect(conn, ["HRANDFIELD", "s", "x"], NOT_AN_INTEGER)
    expect(conn, ["HRANDFIELD", "h", "-9223372036854775808"],
           error("ERR value is out of range, value must between "
                 "-9223372036854775807 and 9223372036854775807"),
           hint="the count is a long between -LONG_MAX and LONG_MAX")
    expect(conn, ["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
           error("ERR value is out of range"),
           hint="with WITHVALUES the count must be at most LONG_MAX / 2")
    expect(conn, ["HRANDFIELD", "h", "1", "WITHVALUE"], SYNTAX)
    expect(conn, ["HRANDFIELD", "h", "1", "WITHVALUES", "x"], SYNTAX)
    expect(conn, ["HRANDFIELD", "s", "1", "x"], SYNTAX)


@pytest.mark.step("11f")
def test_hrandfield_picks_every_field_of_a_small_hash_equally(r):
    r.hset("h", mapping={"f%d" % i: i for i in range(20)})
    counts = collections.Counter(r.hrandfield("h", -100000))
    low, high = min(counts.values()), max(counts.values())
    assert len(counts) == 20 and 4000 < low and high < 6000, why(
        "100,000 draws from 20 fields: each should come up about 5,000 "
        "times, got between %d and %d (%d fields seen)."
        % (low, high, len(counts)),
        "pick an index uniformly, not a byte offset or a neighbour")


@pytest.mark.step("11f")
def test_hrandfield_reaches_every_field_of_a_big_hash(r):
    r.hset("big", mapping={"f%d" % i: i for i in range(1000)})
    counts = collections.Counter(r.hrandfield("big", -200000))
    assert len(counts) == 1000, why(
        "200,000 draws from 1,000 fields saw only %d of them." % len(counts),
        "a random bucket, then a random entry of its chain")


@pytest.mark.step("11f")
@pytest.mark.parametrize("size", [20, 600], ids=["listpack", "hashtable"])
def test_hrandfield_with_a_positive_count_picks_random_fields(r, size):
    """Catches: a positive count answered with the same fields every time
    (the first ones of the hash, or the first ones its table walk meets),
    both for a few fields and for all but one."""
    fields = [b"f%d" % i for i in range(size)]
    r.hset("h", mapping={f: b"v" for f in fields})
    pipe = r.pipeline(transaction=False)
    for _ in range(400):
        pipe.hrandfield("h", 3)
    for _ in range(400):
        pipe.hrandfield("h", size - 1)
    replies = pipe.execute()
    few, most = replies[:400], replies[400:]
    counts = collections.Counter(f for reply in few for f in reply)
    if size == 20:
        # 1,200 picks of 20 fields: about 60 each (binomial, sd 7).
        low = min(counts.get(f, 0) for f in fields)
        high = max(counts.values())
        assert 20 < low and high < 120, why(
            "400 x HRANDFIELD h 3 on 20 fields: each should come about 60 "
            "times, got between %d and %d." % (low, high),
            "pick distinct fields at random, not the first ones")
    else:
        # 1,200 picks of 600 fields: about 519 distinct fields expected.
        assert len(counts) >= 400, why(
            "400 x HRANDFIELD h 3 on 600 fields saw only %d distinct "
            "fields." % len(counts),
            "pick distinct fields at random, not the first ones")
    left_out = collections.Counter(
        (set(fields) - set(reply)).pop() for reply in most)
    expected = size if size == 20 else 200
    assert len(left_out) >= expected, why(
        "400 x HRANDFIELD h %d on %d fields left out only %d different "
        "fields (%r)." % (size - 1, size, len(left_out),
                          sorted(left_out)[:5]),
        "a count close to the size must leave out a random field, not "
        "always the last one")


# ---------------------------------------------------------------------------
# HSCAN
# ---------------------------------------------------------------------------

@pytest.mark.step("11g")
def test_hscan_answers_a_small_hash_whole_with_cursor_zero(r, connect):
    r.hset("h", mapping={"a1": "x", "b1": "y", "a2": "z"})
    conn = connect()
    expect(conn, ["HSCAN", "h", "0"],
           array(bulk("0"), bulks("a1", "x", "b1", "y", "a2", "z")),
           hint="a packed hash answers every pair at once, cursor 0")
    expect(conn, ["HSCAN", "h", "0", "MATCH", "a*", "COUNT", "1"],
           array(bulk("0"), bulks("a1", "x", "a2", "z")),
           hint="MATCH filters on the field, and drops its value with it")
    expect(conn, ["HSCAN", "h", "123"],
           array(bulk("0"), bulks("a1", "x", "b1", "y", "a2", "z")),
           hint="a packed hash ignores the cursor it is given")


@pytest.mark.step("11g")
def test_hscan_of_a_missing_key_and_bad_arguments(r, connect):
    r.set("s", "string")
    r.hset("h", "f", "v")
    conn = connect()
    empty = array(bulk("0"), EMPTY)
    expect(conn, ["HSCAN", "missing", "0"], empty)
    expect(conn, ["HSCAN", "missing", "0", "COUNT", "0"], empty,
           hint="Redis answers a missing key before it reads the options")
    expect(conn, ["HSCAN", "h", "x"], error("ERR invalid cursor"))
    expect(conn, ["HSCAN", "s", "0"], WRONGTYPE)
    expect(conn, ["HSCAN", "h", "0", "COUNT", "0"], SYNTAX)
    expect(conn, ["HSCAN", "h", "0", "COUNT", "x"], NOT_AN_INTEGER)
    expect(conn, ["HSCAN", "h", "0", "MATCH"], SYNTAX)
    expect(conn, ["HSCAN", "h", "0", "TYPE", "string"], SYNTAX,
           hint="TYPE is SCAN's option only")


@pytest.mark.step("11g")
def test_hscan_walks_a_big_hash_with_its_cursor(r):
    pairs = {b"f%d" % i: b"v%d" % i for i in range(1500)}
    r.hset("big", mapping=pairs)
    seen, cursor, calls = {}, 0, 0
    while True:
        cursor, part = r.hscan("big", cursor, count=50)
        calls += 1
        for field, value in part.items():
            assert pairs.get(field) == value
        seen.update(part)
        if cursor == 0:
            break
        assert calls < 1500, "HSCAN never came back to cursor 0"
    assert seen == pairs, why(
        "A full HSCAN of 1,500 fields saw %d of them." % len(seen),
        "dict_scan over the hash's table, a bucket at a time")
    assert calls > 5, why(
        "A full HSCAN of a 1,500-field table took %d calls." % calls,
        "a table answers about COUNT pairs per call, not all at once")
    _, matched = r.hscan("big", 0, match="f1?", count=5000)
    assert matched == {b"f1%d" % i: b"v1%d" % i for i in range(10)}


# ---------------------------------------------------------------------------
# Encodings and their limits
# ---------------------------------------------------------------------------

@pytest.mark.step("11d")
def test_config_get_and_set_the_two_limits(r, connect, defaults):
    assert r.config_get("hash-max-listpack-*") == {
        "hash-max-listpack-entries": "512", "hash-max-listpack-value": "64"}
    conn = connect()
    expect(conn, ["CONFIG", "SET", "hash-max-listpack-entries", "-1"],
           error("ERR CONFIG SET failed (possibly related to argument "
                 "'hash-max-listpack-entries') - argument must be between 0 "
                 "and 9223372036854775807 inclusive"))
    expect(conn, ["CONFIG", "SET", "hash-max-listpack-value", "64 bytes"],
           error("ERR CONFIG SET failed (possibly related to argument "
                 "'hash-max-listpack-value') - argument must be a memory "
                 "value"))
    expect(conn, ["CONFIG", "SET", "hash-max-listpack-value", "1kb"], OK)
    assert r.config_get("hash-max-listpack-value") == {
        "hash-max-listpack-value": "1024"}


@pytest.mark.step("11d")
def test_the_redis_6_names_of_the_limits_are_aliases(r, connect, defaults):
    assert r.config_get("hash-max-ziplist-*") == {
        "hash-max-ziplist-entries": "512", "hash-max-ziplist-value": "64"}, (
        "Redis 7 still takes the ziplist names of Redis 6, which old config "
        "files and clients use")
    conn = connect()
    expect(conn, ["CONFIG", "SET", "hash-max-ziplist-entries", "2"], OK)
    assert r.config_get("hash-max-listpack-entries") == {
        "hash-max-listpack-entries": "2"}, "an alias sets the same limit"
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    assert encoding(r, "h") == b"hashtable"
    expect(conn, ["CONFIG", "SET", "hash-max-ziplist-value", "1kb"], OK)
    assert r.config_get("hash-max-listpack-value") == {
        "hash-max-listpack-value": "1024"}


@pytest.mark.step("11d")
def test_a_hash_converts_past_512_fields_and_stays_converted(r, defaults):
    r.hset("h", mapping={"f%d" % i: i for i in range(512)})
    assert encoding(r, "h") == b"listpack"
    r.hset("h", "one-more", "1")
    assert encoding(r, "h") == b"hashtable", why(
        "513 fields and still %r." % encoding(r, "h"),
        "convert once the count passes hash-max-listpack-entries")
    r.hdel("h", *["f%d" % i for i in range(500)])
    assert encoding(r, "h") == b"hashtable", why(
        "A hashtable went back to %r after HDEL." % encoding(r, "h"),
        "Redis never converts a hash back: neither should you")


@pytest.mark.step("11d")
@pytest.mark.parametrize("field, value, expected", [
    ("f", "x" * 64, b"listpack"),
    ("f", "x" * 65, b"hashtable"),
    ("x" * 65, "v", b"hashtable"),
], ids=["value-64", "value-65", "field-65"])
def test_a_field_or_value_over_64_bytes_converts(r, defaults, field, value,
                                                 expected):
    r.hset("h", field, value)
    assert encoding(r, "h") == expected


@pytest.mark.step("11d")
def test_the_limits_are_read_at_each_write(r, defaults):
    r.config_set("hash-max-listpack-entries", 3)
    r.hset("small", mapping={"a": 1, "b": 2, "c": 3})
    assert encoding(r, "small") == b"listpack"
    r.hset("small", "d", 4)
    assert encoding(r, "small") == b"hashtable"
    r.config_set("hash-max-listpack-value", 4)
    r.hset("v", "f", "12345")
    assert encoding(r, "v") == b"hashtable"
    assert r.hgetall("small") == {b"a": b"1", b"b": b"2", b"c": b"3",
                                  b"d": b"4"}


@pytest.mark.step("11e")
def test_hincrbyfloat_checks_the_length_of_its_result(r, defaults):
    r.hset("float", "f", "1")
    r.hincrbyfloat("float", "f", "1e300")
    assert encoding(r, "float") == b"hashtable", why(
        "HINCRBYFLOAT stored a 300-digit value and the hash is still %r."
        % encoding(r, "float"),
        "every write checks the value's length, HINCRBYFLOAT's too")


# ---------------------------------------------------------------------------
# The append-only file
# ---------------------------------------------------------------------------

def hash_snapshot(client):
    return {key: client.hgetall(key) for key in client.keys(b"*")}


@pytest.mark.step("11h")
@pytest.mark.long_double
def test_hashes_survive_a_restart_and_a_rewrite(server_factory, suite):
    server = RestartableServer(server_factory, *aof_on(suite.own_binary))
    c = server.client()
    c.hset("small", mapping={"a": "1", "b": "2", "c": "3"})
    c.hdel("small", "b")
    c.hset("big", mapping={"f%d" % i: "v%d" % i for i in range(700)})
    c.hincrby("small", "n", 41)
    c.hincrbyfloat("small", "x", "0.1")
    c.hincrbyfloat("small", "x", "0.2")
    c.hsetnx("small", "a", "not this")
    c.hset("gone", "f", "v")
    c.hdel("gone", "f")
    c.hset("binary", b"f\x00\r\n", b"\xff\x00")
    before = hash_snapshot(c)
    assert before[b"small"][b"x"] == b"0.3"
    c = server.restart()
    after = hash_snapshot(c)
    assert after == before, why(
        "After a restart the hashes differ: keys %r, were %r."
        % (sorted(after), sorted(before)),
        "every hash write that changed something goes to the AOF")
    conn = RawConnection(server.process.host, server.process.port)
    try:
        expect_reply(conn, command("BGREWRITEAOF"), REWRITE_STARTED,
                     chapter=CHAPTER)
    finally:
        conn.close()
    info = wait_rewrite_done(c)
    assert info.get("aof_last_bgrewrite_status") == "ok"
    c.hset("small", "after", "rewrite")
    before = hash_snapshot(c)
    c = server.restart()
    after = hash_snapshot(c)
    assert after == before, why(
        "After BGREWRITEAOF and a restart the hashes differ: %d keys, were "
        "%d." % (len(after), len(before)),
        "the rewrite writes each hash as HSET key field value ..., at most "
        "64 pairs a command")
