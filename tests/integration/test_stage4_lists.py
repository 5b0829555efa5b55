"""Stage 4: lists: LPUSH RPUSH LPUSHX RPUSHX LRANGE LLEN LPOP RPOP LINDEX
LSET LTRIM LREM LINSERT LPOS LMOVE.

A list is a sequence of binary-safe byte strings, fast at both ends. Index 0
is the head (the left), -1 the tail (the right). A list never exists empty:
the command that removes its last element also deletes the key, and a push
to a missing key creates it.

Every exact reply below was taken from redis-server 7.0.15. Out-of-range
indices are clamped (LRANGE, LTRIM) or answer nil (LINDEX); LSET is the one
command that refuses them with an error. Numbers are parsed as strictly as
INCRBY's increment (stage 2): no "+", no spaces, no leading zeros.

The wrong servers these tests catch, step by step:
  4a  an LPUSH of several elements that keeps their order (a b c, not
      c b a); a push that replies how many it pushed, not the new length;
      an LPUSHX or RPUSHX that creates a missing key or pushes only its
      first element; an LRANGE that does not count a negative index from
      the tail, refuses or wraps an index out of range instead of clamping
      it, or answers a missing key with nil instead of *0;
  4b  a TYPE that does not say list for a list built at both ends;
  4c  a pop with a count that replies a bare bulk for a count of 1, lists
      RPOP's elements head first, answers a missing key with $-1 or *0
      instead of *-1, pops something for a count of 0, chokes on a count
      of LLONG_MAX, takes "-1", "-0", "+1" or "x" as a count, or looks the
      key up before checking it; a pop of the last element that leaves an
      empty list behind;
  4d  a LINDEX that errors outside the list instead of answering nil; an
      LSET that accepts an index outside the list, creates a missing key,
      or parses the index before it looks the key up; an LTRIM that keeps
      something other than what LRANGE would return, leaves an emptied
      list in the keyspace, or creates a missing key;
  4e  an LREM that removes from the head for a negative count, removes
      every match for a count of N, or matches a prefix ("a" in "ab") or
      ignores case; an LINSERT next to the last match instead of the
      first, that wants BEFORE/AFTER in upper case, loses the tail after
      inserting behind the last element, changes the list when the pivot
      is missing, creates a missing key, or looks the key up before it
      refuses a bad keyword; an LPOP, RPOP, LREM or LTRIM that leaves an
      emptied list behind (KEYS, RPUSHX and LPUSH still find it);
  4f  an LPOS whose RANK counts from the wrong end, that reports indexes
      counted from the tail, ignores MAXLEN, treats COUNT 0 as COUNT 1,
      replies *-1 for a missing key with COUNT, refuses RANK
      -9223372036854775808, keeps the first value of an option given
      twice, or checks its options after the key (or not left to right);
  4g  an LMOVE that pushes to the wrong end, deletes a one-element list
      moved onto itself, creates the destination when the source is
      missing, accepts a direction other than LEFT or RIGHT, or looks the
      source up before checking the directions; a list emptied by LMOVE
      that stays;
  4h  an index or count parser that takes "+1", " 1", "01", "1.5", "" or
      2^63 for a number, a refused command that changed the list anyway,
      and a wrong arity for any list command (LPOP with two counts);
  4i  elements cut at a NUL or at \r\n, compared with strcmp ("a\0b" equal
      to "a\0c"), stored as numbers that lose their text ("007", "-0"), or
      an empty element lost; a packed list whose lengths break at 127/128
      bytes, whose nodes break around 8 KB or for an element bigger than a
      node, whose walk from the tail misreads a length, or which goes
      wrong after LSET, LINSERT and LREM of big elements or across the
      nodes of 20,000 elements; and, through 2,000 random commands checked
      against a model, any reply that differs from Redis's.
"""

import random
from collections import deque

import pytest

from helpers import (arity_error, array, bulk, command, error, expect_reply,
                     integer)

pytestmark = pytest.mark.stage(4)

CHAPTER = 4
NIL = b"$-1\r\n"                 # the null bulk string
NULL_ARRAY = b"*-1\r\n"          # the RESP2 null array
EMPTY = b"*0\r\n"                # an empty array: not the same thing
OK = b"+OK\r\n"
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
MUST_BE_POSITIVE = error("ERR value is out of range, must be positive")
SYNTAX = error("ERR syntax error")
INDEX_OUT_OF_RANGE = error("ERR index out of range")
NO_SUCH_KEY = error("ERR no such key")
RANK_ZERO = error("ERR RANK can't be zero: use 1 to start from the first "
                  "match, 2 from the second ... or use negative to start "
                  "from the end of the list")
COUNT_NEGATIVE = error("ERR COUNT can't be negative")
MAXLEN_NEGATIVE = error("ERR MAXLEN can't be negative")
LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808


def bulks(*items):
    """The array-of-bulk-strings reply for `items`."""
    return array(*[bulk(item) for item in items])


def integers(*items):
    return array(*[integer(item) for item in items])


def _short(value, limit=120):
    """repr() of `value`, shortened when long."""
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, (list, tuple)):
        if len(value) <= 6:
            return "(%s)" % ", ".join(_short(v, 40) for v in value)
        return "<%d elements: %s, ..., %s>" % (
            len(value), ", ".join(_short(v, 40) for v in value[:3]),
            ", ".join(_short(v, 40) for v in value[-3:]))
    return "%s ... (%d characters)" % (text[:limit], len(text))


def expect_same(what, got, expected, hint):
    """Assert got == expected (lists compared element by element).

    The message names the first differing element instead of dumping two
    lists of 20,000 elements.
    """
    __tracebackhide__ = True
    if got == expected:
        return
    lines = ["Wrong result for %s." % what]
    if isinstance(got, list) and isinstance(expected, list):
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                lines.append("  first difference at index %d: the server has "
                             "%s, Redis has %s" % (i, _short(g), _short(e)))
                break
        else:
            lines.append("  the server has %d elements, Redis has %d"
                         % (len(got), len(expected)))
    lines.append("  received:      %s" % _short(got))
    lines.append("  Redis replies: %s" % _short(expected))
    lines.append("  hint: " + hint)
    lines.append("  Read workshop.md chapter %d." % CHAPTER)
    raise AssertionError("\n".join(lines))


def expect_gone(r, key, after):
    """The key must not exist any more: a list is never left empty."""
    __tracebackhide__ = True
    hint = ("a list emptied by %s must be deleted from the keyspace: EXISTS "
            "0, TYPE none, and it no longer counts in DBSIZE" % after)
    expect_same("EXISTS after %s emptied the list" % after, r.exists(key), 0,
                hint)
    expect_same("TYPE after %s emptied the list" % after, r.type(key),
                b"none", hint)
    expect_same("DBSIZE after %s emptied the list" % after, r.dbsize(), 0,
                hint)


# ---------------------------------------------------------------------------
# Pushing
# ---------------------------------------------------------------------------

@pytest.mark.step("4a")
def test_lpush_with_several_elements_pushes_them_one_by_one(r, connect):
    conn = connect()
    expect_reply(conn, command("LPUSH", "l", "a", "b", "c"), b":3\r\n",
                 chapter=CHAPTER,
                 hint="LPUSH replies the list's new length")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("c", "b", "a"),
                 chapter=CHAPTER,
                 hint="LPUSH l a b c pushes a, then b, then c at the head, so "
                      "the list reads c b a")


@pytest.mark.step("4a")
def test_rpush_with_several_elements_keeps_their_order(r, connect):
    conn = connect()
    expect_reply(conn, command("RPUSH", "l", "a", "b", "c"), b":3\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("RPUSH", "l", "d"), b":4\r\n", chapter=CHAPTER,
                 hint="the reply is the length after the push, not the "
                      "number of elements pushed")
    expect_reply(conn, command("LRANGE", "l", 0, -1),
                 bulks("a", "b", "c", "d"), chapter=CHAPTER)


@pytest.mark.step("4b")
def test_pushes_at_both_ends_build_one_list(r, connect):
    conn = connect()
    for cmd, reply in [(("RPUSH", "l", "c"), 1), (("LPUSH", "l", "b"), 2),
                       (("RPUSH", "l", "d", "e"), 4),
                       (("LPUSH", "l", "a"), 5)]:
        expect_reply(conn, command(*cmd), integer(reply), chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1),
                 bulks("a", "b", "c", "d", "e"), chapter=CHAPTER)
    expect_reply(conn, command("TYPE", "l"), b"+list\r\n", chapter=CHAPTER)


@pytest.mark.step("4a")
def test_pushx_on_a_missing_key_does_nothing_and_replies_zero(r, connect):
    conn = connect()
    for name in ("LPUSHX", "RPUSHX"):
        expect_reply(conn, command(name, "l", "a", "b"), b":0\r\n",
                     chapter=CHAPTER,
                     hint="%s only pushes to a list that already exists; "
                          "it must not create the key" % name)
    expect_reply(conn, command("EXISTS", "l"), b":0\r\n", chapter=CHAPTER,
                 hint="LPUSHX/RPUSHX on a missing key must not create it")


@pytest.mark.step("4a")
def test_pushx_on_an_existing_list_pushes_every_element(r, connect):
    conn = connect()
    r.rpush(b"l", b"m")
    expect_reply(conn, command("LPUSHX", "l", "b", "a"), b":3\r\n",
                 chapter=CHAPTER,
                 hint="LPUSHX accepts several elements, like LPUSH")
    expect_reply(conn, command("RPUSHX", "l", "y", "z"), b":5\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1),
                 bulks("a", "b", "m", "y", "z"), chapter=CHAPTER)


@pytest.mark.step("4a")
def test_command_names_are_case_insensitive(r, connect):
    conn = connect()
    expect_reply(conn, command("rPuSh", "l", "a"), b":1\r\n", chapter=CHAPTER)
    expect_reply(conn, command("lrange", "l", "0", "-1"), bulks("a"),
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# LLEN, LRANGE, LINDEX
# ---------------------------------------------------------------------------

@pytest.mark.step("4a")
def test_llen_counts_elements_and_is_zero_for_a_missing_key(r, connect):
    conn = connect()
    expect_reply(conn, command("LLEN", "l"), b":0\r\n", chapter=CHAPTER,
                 hint="a missing key is an empty list for every read command")
    r.rpush(b"l", b"a", b"b", b"c")
    expect_reply(conn, command("LLEN", "l"), b":3\r\n", chapter=CHAPTER)


@pytest.mark.step("4a")
def test_lrange_of_a_missing_key_is_an_empty_array(r, connect):
    expect_reply(connect(), command("LRANGE", "missing", 0, -1), EMPTY,
                 chapter=CHAPTER,
                 hint="an empty array *0, not a null *-1 or $-1")


# (start, stop) on the list a b c d e, and what Redis replies.
LRANGES = [
    ((0, -1), ["a", "b", "c", "d", "e"]),
    ((0, 0), ["a"]),
    ((4, 4), ["e"]),
    ((1, 3), ["b", "c", "d"]),
    ((-2, -1), ["d", "e"]),
    ((-3, 3), ["c", "d"]),
    ((3, 1), []),
    ((-1, -2), []),
    ((5, 10), []),
    ((4, 100), ["e"]),
    ((-100, 100), ["a", "b", "c", "d", "e"]),
    ((-100, -50), []),
    ((-100, 0), ["a"]),
    ((2, -100), []),
    ((LLONG_MIN, LLONG_MAX), ["a", "b", "c", "d", "e"]),
    ((LLONG_MAX, LLONG_MIN), []),
]


@pytest.mark.step("4a")
@pytest.mark.parametrize("bounds, elements", LRANGES,
                         ids=["%d..%d" % b for b, _ in LRANGES])
def test_lrange_clamps_its_bounds_like_redis(r, connect, bounds, elements):
    r.rpush(b"l", b"a", b"b", b"c", b"d", b"e")
    expect_reply(connect(), command("LRANGE", "l", *bounds),
                 bulks(*elements), chapter=CHAPTER,
                 hint="add the length to a negative index, clamp start to 0 "
                      "and stop to length-1; if start > stop or start >= "
                      "length the reply is the empty array *0")


LINDEXES = [(0, "a"), (2, "c"), (4, "e"), (-1, "e"), (-5, "a"), (5, None),
            (-6, None), (100, None), (LLONG_MAX, None), (LLONG_MIN, None)]


@pytest.mark.step("4d")
@pytest.mark.parametrize("index, element", LINDEXES,
                         ids=[str(i) for i, _ in LINDEXES])
def test_lindex_counts_from_both_ends_and_answers_nil_out_of_range(
        r, connect, index, element):
    r.rpush(b"l", b"a", b"b", b"c", b"d", b"e")
    expect_reply(connect(), command("LINDEX", "l", index), bulk(element),
                 chapter=CHAPTER,
                 hint="-1 is the last element; an index outside the list is "
                      "nil ($-1), not an error")


@pytest.mark.step("4d")
def test_lindex_of_a_missing_key_is_nil(r, connect):
    expect_reply(connect(), command("LINDEX", "missing", 0), NIL,
                 chapter=CHAPTER)


BAD_INTEGERS = ["x", "1.5", "+1", " 1", "01", "", "9223372036854775808"]


@pytest.mark.step("4h")
@pytest.mark.parametrize("bad", BAD_INTEGERS,
                         ids=[repr(b) for b in BAD_INTEGERS])
def test_index_arguments_must_be_strict_integers(r, connect, bad):
    r.rpush(b"l", b"a", b"b")
    conn = connect()
    hint = ("indices are parsed like INCRBY's increment (string2ll): a "
            "strict signed 64-bit decimal, else this exact error")
    for args in [("LRANGE", "l", bad, 1), ("LRANGE", "l", 0, bad),
                 ("LINDEX", "l", bad), ("LSET", "l", bad, "v"),
                 ("LTRIM", "l", bad, -1), ("LTRIM", "l", 0, bad),
                 ("LREM", "l", bad, "a")]:
        expect_reply(conn, command(*args), NOT_AN_INTEGER, chapter=CHAPTER,
                     hint=hint)
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("a", "b"),
                 chapter=CHAPTER, hint="a refused command changes nothing")


# ---------------------------------------------------------------------------
# LPOP and RPOP
# ---------------------------------------------------------------------------

@pytest.mark.step("4c")
def test_lpop_and_rpop_take_from_each_end(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"c")
    expect_reply(conn, command("LPOP", "l"), bulk("a"), chapter=CHAPTER)
    expect_reply(conn, command("RPOP", "l"), bulk("c"), chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("b"),
                 chapter=CHAPTER)


@pytest.mark.step("4c")
def test_pop_of_a_missing_key_is_nil(r, connect):
    conn = connect()
    for name in ("LPOP", "RPOP"):
        expect_reply(conn, command(name, "missing"), NIL, chapter=CHAPTER,
                     hint="without a count, popping a missing key replies "
                          "the null bulk string $-1")


@pytest.mark.step("4c")
def test_pop_with_a_count_replies_an_array_in_pop_order(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"c", b"d", b"e", b"f")
    expect_reply(conn, command("LPOP", "l", 2), bulks("a", "b"),
                 chapter=CHAPTER,
                 hint="with a count the reply is an array, even of one")
    expect_reply(conn, command("RPOP", "l", 2), bulks("f", "e"),
                 chapter=CHAPTER,
                 hint="RPOP with a count lists the elements in the order "
                      "they were popped: the last one first")
    expect_reply(conn, command("LPOP", "l", 1), bulks("c"), chapter=CHAPTER,
                 hint="a count of 1 still replies an array: *1")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("d"),
                 chapter=CHAPTER)


@pytest.mark.step("4c")
def test_pop_with_a_count_larger_than_the_list_pops_everything(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"c")
    expect_reply(conn, command("RPOP", "l", 10), bulks("c", "b", "a"),
                 chapter=CHAPTER, hint="pop at most count elements")
    expect_gone(r, b"l", "RPOP with a count")
    r.rpush(b"l", b"a", b"b")
    expect_reply(conn, command("LPOP", "l", LLONG_MAX), bulks("a", "b"),
                 chapter=CHAPTER,
                 hint="any count up to LLONG_MAX is valid: do not allocate "
                      "count slots, pop min(count, length)")
    expect_gone(r, b"l", "LPOP with a count")


@pytest.mark.step("4c")
def test_pop_with_count_zero_replies_an_empty_array(r, connect):
    conn = connect()
    r.rpush(b"l", b"a")
    for name in ("LPOP", "RPOP"):
        expect_reply(conn, command(name, "l", 0), EMPTY, chapter=CHAPTER,
                     hint="a count of 0 on an existing list pops nothing and "
                          "replies the empty array *0")
    assert r.lrange(b"l", 0, -1) == [b"a"], (
        "LPOP/RPOP with count 0 must not pop anything. Read workshop.md "
        "chapter 4.")


@pytest.mark.step("4c")
@pytest.mark.parametrize("count", [0, 1, 5])
@pytest.mark.parametrize("name", ["LPOP", "RPOP"])
def test_pop_with_a_count_on_a_missing_key_is_the_null_array(r, connect,
                                                             name, count):
    expect_reply(connect(), command(name, "missing", count), NULL_ARRAY,
                 chapter=CHAPTER,
                 hint="with a count, a missing key is the RESP2 null array "
                      "*-1\\r\\n (not $-1, not *0), whatever the count")


BAD_COUNTS = ["-1", "x", "1.5", "+1", " 1", "-0", "00", "",
              "9223372036854775808", str(LLONG_MIN)]


@pytest.mark.step("4c")
@pytest.mark.parametrize("count", BAD_COUNTS,
                         ids=[repr(c) for c in BAD_COUNTS])
@pytest.mark.parametrize("name", ["LPOP", "RPOP"])
def test_pop_with_a_bad_count_is_refused_with_must_be_positive(
        r, connect, name, count):
    conn = connect()
    r.rpush(b"l", b"a")
    expect_reply(conn, command(name, "l", count), MUST_BE_POSITIVE,
                 chapter=CHAPTER,
                 hint="a negative or non-integer count gets 'value is out "
                      "of range, must be positive' (not the 'not an "
                      "integer' text)")
    expect_reply(conn, command(name, "missing", count), MUST_BE_POSITIVE,
                 chapter=CHAPTER,
                 hint="the count is checked before the key is looked up")
    expect_reply(conn, command("LLEN", "l"), b":1\r\n", chapter=CHAPTER,
                 hint="a refused pop pops nothing")


# ---------------------------------------------------------------------------
# LSET
# ---------------------------------------------------------------------------

@pytest.mark.step("4d")
def test_lset_replaces_an_element_by_index(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"c")
    expect_reply(conn, command("LSET", "l", 1, "B"), OK, chapter=CHAPTER)
    expect_reply(conn, command("LSET", "l", -1, "C"), OK, chapter=CHAPTER,
                 hint="LSET takes negative indices like LINDEX")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("a", "B", "C"),
                 chapter=CHAPTER)


@pytest.mark.step("4d")
@pytest.mark.parametrize("index", [3, -4, 100, LLONG_MAX, LLONG_MIN])
def test_lset_out_of_range_is_an_error(r, connect, index):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"c")
    expect_reply(conn, command("LSET", "l", index, "x"), INDEX_OUT_OF_RANGE,
                 chapter=CHAPTER,
                 hint="unlike LINDEX (nil), LSET outside the list is the "
                      "error 'ERR index out of range'")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("a", "b", "c"),
                 chapter=CHAPTER)


@pytest.mark.step("4d")
def test_lset_on_a_missing_key_is_no_such_key(r, connect):
    conn = connect()
    expect_reply(conn, command("LSET", "missing", 0, "x"), NO_SUCH_KEY,
                 chapter=CHAPTER,
                 hint="LSET does not create a list: 'ERR no such key'")
    expect_reply(conn, command("LSET", "missing", "notanumber", "x"),
                 NO_SUCH_KEY, chapter=CHAPTER,
                 hint="LSET looks the key up before it parses the index")
    expect_reply(conn, command("EXISTS", "missing"), b":0\r\n",
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# LTRIM
# ---------------------------------------------------------------------------

LTRIMS = [
    ((1, -2), ["b", "c", "d"]),
    ((0, 0), ["a"]),
    ((-1, -1), ["e"]),
    ((0, -1), ["a", "b", "c", "d", "e"]),
    ((-100, 100), ["a", "b", "c", "d", "e"]),
    ((2, 100), ["c", "d", "e"]),
    ((LLONG_MIN, LLONG_MAX), ["a", "b", "c", "d", "e"]),
]


@pytest.mark.step("4d")
@pytest.mark.parametrize("bounds, kept", LTRIMS,
                         ids=["%d..%d" % b for b, _ in LTRIMS])
def test_ltrim_keeps_the_range_lrange_would_return(r, connect, bounds, kept):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"c", b"d", b"e")
    expect_reply(conn, command("LTRIM", "l", *bounds), OK, chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks(*kept),
                 chapter=CHAPTER,
                 hint="LTRIM clamps its bounds exactly like LRANGE and keeps "
                      "what LRANGE with the same bounds would return")


@pytest.mark.step("4d")
@pytest.mark.parametrize("bounds", [(2, 1), (5, 10), (-1, -2), (-100, -50),
                                    (3, -5), (LLONG_MAX, LLONG_MIN)],
                         ids=lambda b: "%d..%d" % b)
def test_ltrim_to_an_empty_range_deletes_the_key(r, connect, bounds):
    r.rpush(b"l", b"a", b"b", b"c", b"d", b"e")
    expect_reply(connect(), command("LTRIM", "l", *bounds), OK,
                 chapter=CHAPTER,
                 hint="LTRIM replies +OK even when it removes everything")
    expect_gone(r, b"l", "LTRIM")


@pytest.mark.step("4d")
def test_ltrim_of_a_missing_key_replies_ok_and_creates_nothing(r, connect):
    expect_reply(connect(), command("LTRIM", "missing", 0, 1), OK,
                 chapter=CHAPTER)
    assert r.exists(b"missing") == 0, (
        "LTRIM on a missing key must not create it. Read workshop.md "
        "chapter 4.")


# ---------------------------------------------------------------------------
# LREM
# ---------------------------------------------------------------------------

LREMS = [
    (2, 2, ["b", "c", "b", "c", "a"]),
    (1, 1, ["b", "c", "a", "b", "c", "a"]),
    (-1, 1, ["a", "b", "c", "a", "b", "c"]),
    (-2, 2, ["a", "b", "c", "b", "c"]),
    (0, 3, ["b", "c", "b", "c"]),
    (10, 3, ["b", "c", "b", "c"]),
    (-10, 3, ["b", "c", "b", "c"]),
]


@pytest.mark.step("4e")
@pytest.mark.parametrize("count, removed, left", LREMS,
                         ids=["count %d" % c for c, _, _ in LREMS])
def test_lrem_removes_count_matches_from_the_head_or_tail(
        r, connect, count, removed, left):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"c", b"a", b"b", b"c", b"a")
    expect_reply(conn, command("LREM", "l", count, "a"), integer(removed),
                 chapter=CHAPTER,
                 hint="count > 0 removes the first count matches from the "
                      "head, count < 0 the last -count from the tail, 0 all "
                      "of them; the reply is how many were removed")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks(*left),
                 chapter=CHAPTER)


@pytest.mark.step("4e")
def test_lrem_of_a_missing_element_or_key_replies_zero(r, connect):
    conn = connect()
    r.rpush(b"l", b"a")
    expect_reply(conn, command("LREM", "l", 0, "zz"), b":0\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("LREM", "missing", 0, "a"), b":0\r\n",
                 chapter=CHAPTER)
    assert r.exists(b"missing") == 0


@pytest.mark.step("4e")
def test_lrem_compares_whole_elements(r, connect):
    r.rpush(b"l", b"a", b"ab", b"ba", b"A", b"a")
    expect_reply(connect(), command("LREM", "l", 0, "a"), b":2\r\n",
                 chapter=CHAPTER,
                 hint="an element matches only if it has the same length "
                      "and the same bytes (case-sensitive)")
    assert r.lrange(b"l", 0, -1) == [b"ab", b"ba", b"A"]


# ---------------------------------------------------------------------------
# LINSERT
# ---------------------------------------------------------------------------

@pytest.mark.step("4e")
def test_linsert_before_and_after_the_first_match(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b", b"a")
    expect_reply(conn, command("LINSERT", "l", "BEFORE", "a", "X"),
                 b":4\r\n", chapter=CHAPTER,
                 hint="LINSERT replies the new length")
    expect_reply(conn, command("LINSERT", "l", "AFTER", "a", "Y"),
                 b":5\r\n", chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1),
                 bulks("X", "a", "Y", "b", "a"), chapter=CHAPTER,
                 hint="the pivot is the first match from the head")
    expect_reply(conn, command("LINSERT", "l", "after", "a", "Z"),
                 b":6\r\n", chapter=CHAPTER,
                 hint="BEFORE and AFTER are case-insensitive")
    expect_reply(conn, command("LINSERT", "l", "BeFoRe", "b", "W"),
                 b":7\r\n", chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1),
                 bulks("X", "a", "Z", "Y", "W", "b", "a"), chapter=CHAPTER)


@pytest.mark.step("4e")
def test_linsert_at_both_ends(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"z")
    expect_reply(conn, command("LINSERT", "l", "BEFORE", "a", "head"),
                 b":3\r\n", chapter=CHAPTER)
    expect_reply(conn, command("LINSERT", "l", "AFTER", "z", "tail"),
                 b":4\r\n", chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1),
                 bulks("head", "a", "z", "tail"), chapter=CHAPTER)
    expect_reply(conn, command("LINDEX", "l", -1), bulk("tail"),
                 chapter=CHAPTER,
                 hint="inserting after the last element makes it the new "
                      "tail: keep the tail pointer up to date")


@pytest.mark.step("4e")
def test_linsert_with_a_missing_pivot_replies_minus_one(r, connect):
    conn = connect()
    r.rpush(b"l", b"a")
    expect_reply(conn, command("LINSERT", "l", "BEFORE", "nope", "X"),
                 b":-1\r\n", chapter=CHAPTER,
                 hint="pivot not found: -1 and the list is unchanged")
    assert r.lrange(b"l", 0, -1) == [b"a"]


@pytest.mark.step("4e")
def test_linsert_on_a_missing_key_replies_zero(r, connect):
    expect_reply(connect(), command("LINSERT", "missing", "AFTER", "a", "X"),
                 b":0\r\n", chapter=CHAPTER,
                 hint="missing key: 0, and no list is created")
    assert r.exists(b"missing") == 0


@pytest.mark.step("4e")
@pytest.mark.parametrize("key", ["l", "missing"])
def test_linsert_with_a_bad_keyword_is_a_syntax_error(r, connect, key):
    r.rpush(b"l", b"a")
    expect_reply(connect(), command("LINSERT", key, "AROUND", "a", "X"),
                 SYNTAX, chapter=CHAPTER,
                 hint="only BEFORE or AFTER; the keyword is checked before "
                      "the key is looked up")
    assert r.lrange(b"l", 0, -1) == [b"a"]


# ---------------------------------------------------------------------------
# LPOS
# ---------------------------------------------------------------------------

# On the list a b c a b c a (a at 0, 3 and 6).
LPOSES = [
    ((), integer(0)),
    (("RANK", 1), integer(0)),
    (("RANK", 2), integer(3)),
    (("RANK", 3), integer(6)),
    (("RANK", 4), NIL),
    (("RANK", -1), integer(6)),
    (("RANK", -2), integer(3)),
    (("RANK", -4), NIL),
    (("RANK", LLONG_MAX), NIL),
    (("RANK", -LLONG_MAX), NIL),
    (("COUNT", 0), integers(0, 3, 6)),
    (("COUNT", 2), integers(0, 3)),
    (("COUNT", 1), integers(0)),
    (("COUNT", 10), integers(0, 3, 6)),
    (("COUNT", 0, "RANK", -1), integers(6, 3, 0)),
    (("COUNT", 0, "RANK", 2), integers(3, 6)),
    (("RANK", -2, "COUNT", 5), integers(3, 0)),
    (("MAXLEN", 1), integer(0)),
    (("MAXLEN", 3, "RANK", 2), NIL),
    (("MAXLEN", 4, "RANK", 2), integer(3)),
    (("MAXLEN", 0, "COUNT", 0), integers(0, 3, 6)),
    (("MAXLEN", 2, "COUNT", 0, "RANK", -1), integers(6)),
    (("MAXLEN", 4, "COUNT", 0), integers(0, 3)),
    (("rank", 1, "count", 1, "maxlen", 0), integers(0)),
    (("RANK", 1, "RANK", 3), integer(6)),
    (("COUNT", 1, "COUNT", 0), integers(0, 3, 6)),
]


@pytest.mark.step("4f")
@pytest.mark.parametrize("options, reply", LPOSES,
                         ids=[" ".join(map(str, o)) or "plain"
                              for o, _ in LPOSES])
def test_lpos_finds_matches_with_rank_count_and_maxlen(r, connect, options,
                                                       reply):
    r.rpush(b"l", b"a", b"b", b"c", b"a", b"b", b"c", b"a")
    expect_reply(connect(), command("LPOS", "l", "a", *options), reply,
                 chapter=CHAPTER,
                 hint="RANK n skips to the n-th match (negative: from the "
                      "tail); COUNT asks for an array of up to COUNT "
                      "indices (0: all); MAXLEN bounds how many elements are "
                      "compared (0: all); indices always count from the head; "
                      "an option given twice takes its last value")


@pytest.mark.step("4f")
def test_lpos_with_no_match(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b")
    expect_reply(conn, command("LPOS", "l", "z"), NIL, chapter=CHAPTER,
                 hint="no match and no COUNT: nil")
    expect_reply(conn, command("LPOS", "l", "z", "COUNT", 0), EMPTY,
                 chapter=CHAPTER, hint="no match with COUNT: the empty array")


@pytest.mark.step("4f")
@pytest.mark.parametrize("options, reply", [((), NIL), (("RANK", 1), NIL),
                                            (("COUNT", 0), EMPTY),
                                            (("COUNT", 2), EMPTY)],
                         ids=["plain", "rank", "count 0", "count 2"])
def test_lpos_on_a_missing_key(r, connect, options, reply):
    expect_reply(connect(), command("LPOS", "missing", "a", *options), reply,
                 chapter=CHAPTER,
                 hint="a missing key is an empty list: nil, or *0 with COUNT "
                      "(never the null array *-1)")


@pytest.mark.step("4f")
def test_lpos_rank_llong_min_behaves_like_rank_minus_one(r, connect):
    # Redis 7.0 negates the rank; -LLONG_MIN does not fit in a long long and
    # the result still compares as "already reached", so 7.0.15 answers the
    # first match from the tail (7.2 refuses this rank with an error). In C,
    # test for LLONG_MIN before negating: the negation is undefined.
    r.rpush(b"l", b"a", b"b", b"c", b"a", b"b", b"c", b"a")
    conn = connect()
    expect_reply(conn, command("LPOS", "l", "a", "RANK", LLONG_MIN),
                 integer(6), chapter=CHAPTER,
                 hint="RANK -9223372036854775808 is accepted and finds the "
                      "last match, like RANK -1; do not negate LLONG_MIN "
                      "(undefined behaviour in C)")
    expect_reply(conn, command("LPOS", "l", "c", "RANK", LLONG_MIN),
                 integer(5), chapter=CHAPTER)
    expect_reply(conn, command("LPOS", "l", "z", "RANK", LLONG_MIN), NIL,
                 chapter=CHAPTER)


LPOS_ERRORS = [
    (("RANK", 0), RANK_ZERO),
    (("RANK", "x"), NOT_AN_INTEGER),
    (("RANK", "+1"), NOT_AN_INTEGER),
    (("RANK", "9223372036854775808"), NOT_AN_INTEGER),
    (("COUNT", -1), COUNT_NEGATIVE),
    (("COUNT", "x"), COUNT_NEGATIVE),
    (("MAXLEN", -1), MAXLEN_NEGATIVE),
    (("MAXLEN", "x"), MAXLEN_NEGATIVE),
    (("RANK",), SYNTAX),
    (("COUNT",), SYNTAX),
    (("MAXLEN",), SYNTAX),
    (("RANK", 1, "COUNT"), SYNTAX),
    (("BOGUS", 1), SYNTAX),
    (("RANK", 0, "BOGUS"), RANK_ZERO),
]


@pytest.mark.step("4f")
@pytest.mark.parametrize("key", ["l", "missing"])
@pytest.mark.parametrize("options, reply", LPOS_ERRORS,
                         ids=[" ".join(map(str, o)) for o, _ in LPOS_ERRORS])
def test_lpos_refuses_bad_options_before_looking_at_the_key(
        r, connect, options, reply, key):
    r.rpush(b"l", b"a")
    expect_reply(connect(), command("LPOS", key, "a", *options), reply,
                 chapter=CHAPTER,
                 hint="parse every option first, left to right, and stop at "
                      "the first bad one: RANK 0 has its own message; a "
                      "negative or non-integer COUNT/MAXLEN says \"can't be "
                      "negative\"; an unknown option or a missing value is "
                      "a syntax error")


# ---------------------------------------------------------------------------
# LMOVE
# ---------------------------------------------------------------------------

LMOVES = [
    ("LEFT", "LEFT", "a", ["b", "c"], ["a", "x", "y"]),
    ("LEFT", "RIGHT", "a", ["b", "c"], ["x", "y", "a"]),
    ("RIGHT", "LEFT", "c", ["a", "b"], ["c", "x", "y"]),
    ("RIGHT", "RIGHT", "c", ["a", "b"], ["x", "y", "c"]),
    ("left", "Right", "a", ["b", "c"], ["x", "y", "a"]),
]


@pytest.mark.step("4g")
@pytest.mark.parametrize("wherefrom, whereto, moved, src, dst", LMOVES,
                         ids=["%s %s" % m[:2] for m in LMOVES])
def test_lmove_pops_one_end_and_pushes_the_other_list(
        r, connect, wherefrom, whereto, moved, src, dst):
    conn = connect()
    r.rpush(b"src", b"a", b"b", b"c")
    r.rpush(b"dst", b"x", b"y")
    expect_reply(conn, command("LMOVE", "src", "dst", wherefrom, whereto),
                 bulk(moved), chapter=CHAPTER,
                 hint="LMOVE replies the element it moved; LEFT is the head, "
                      "RIGHT the tail, case-insensitive")
    expect_reply(conn, command("LRANGE", "src", 0, -1), bulks(*src),
                 chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "dst", 0, -1), bulks(*dst),
                 chapter=CHAPTER)


@pytest.mark.step("4g")
def test_lmove_creates_the_destination(r, connect):
    conn = connect()
    r.rpush(b"src", b"a", b"b")
    expect_reply(conn, command("LMOVE", "src", "dst", "RIGHT", "LEFT"),
                 bulk("b"), chapter=CHAPTER)
    expect_reply(conn, command("TYPE", "dst"), b"+list\r\n", chapter=CHAPTER,
                 hint="a missing destination becomes a new list")
    expect_reply(conn, command("LRANGE", "dst", 0, -1), bulks("b"),
                 chapter=CHAPTER)


@pytest.mark.step("4g")
def test_lmove_of_a_missing_source_is_nil_and_creates_nothing(r, connect):
    conn = connect()
    expect_reply(conn, command("LMOVE", "missing", "dst", "LEFT", "RIGHT"),
                 NIL, chapter=CHAPTER,
                 hint="nothing to move: nil, and the destination is not "
                      "created")
    expect_reply(conn, command("DBSIZE"), b":0\r\n", chapter=CHAPTER)


ROTATIONS = [
    ("LEFT", "RIGHT", "1", ["2", "3", "4", "1"]),
    ("RIGHT", "LEFT", "4", ["4", "1", "2", "3"]),
    ("LEFT", "LEFT", "1", ["1", "2", "3", "4"]),
    ("RIGHT", "RIGHT", "4", ["1", "2", "3", "4"]),
]


@pytest.mark.step("4g")
@pytest.mark.parametrize("wherefrom, whereto, moved, after", ROTATIONS,
                         ids=["%s %s" % m[:2] for m in ROTATIONS])
def test_lmove_onto_the_same_list_rotates_it(r, connect, wherefrom, whereto,
                                             moved, after):
    conn = connect()
    r.rpush(b"l", b"1", b"2", b"3", b"4")
    expect_reply(conn, command("LMOVE", "l", "l", wherefrom, whereto),
                 bulk(moved), chapter=CHAPTER,
                 hint="source and destination may be the same key")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks(*after),
                 chapter=CHAPTER,
                 hint="LMOVE l l LEFT RIGHT moves the head to the tail")


@pytest.mark.step("4g")
def test_lmove_of_a_single_element_onto_itself_keeps_the_list(r, connect):
    conn = connect()
    r.rpush(b"l", b"only")
    expect_reply(conn, command("LMOVE", "l", "l", "LEFT", "RIGHT"),
                 bulk("only"), chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("only"),
                 chapter=CHAPTER,
                 hint="popping the only element must not delete the key "
                      "when it is also the destination (or push to a freed "
                      "list)")
    expect_reply(conn, command("TYPE", "l"), b"+list\r\n", chapter=CHAPTER)


@pytest.mark.step("4g")
@pytest.mark.parametrize("args", [("LEFT", "UP"), ("UP", "LEFT"),
                                  ("HEAD", "TAIL")],
                         ids=lambda a: " ".join(a))
def test_lmove_with_a_bad_direction_is_a_syntax_error(r, connect, args):
    conn = connect()
    r.rpush(b"src", b"a")
    expect_reply(conn, command("LMOVE", "src", "dst", *args), SYNTAX,
                 chapter=CHAPTER, hint="only LEFT or RIGHT")
    expect_reply(conn, command("LMOVE", "missing", "dst", *args), SYNTAX,
                 chapter=CHAPTER,
                 hint="the directions are checked before the source is "
                      "looked up")
    assert r.lrange(b"src", 0, -1) == [b"a"]
    assert r.exists(b"dst") == 0


@pytest.mark.step("4g")
def test_rpoplpush_pattern_with_lmove_drains_a_list_into_another(r):
    r.rpush(b"src", *[b"%d" % i for i in range(10)])
    moved = [r.lmove(b"src", b"dst", "RIGHT", "LEFT") for _ in range(10)]
    expect_same("10 x LMOVE src dst RIGHT LEFT", moved,
                [b"%d" % i for i in range(9, -1, -1)],
                "each LMOVE takes the tail of src")
    expect_same("LRANGE dst 0 -1", r.lrange(b"dst", 0, -1),
                [b"%d" % i for i in range(10)],
                "pushing each at the head of dst rebuilds the original order")
    expect_same("EXISTS src", r.exists(b"src"), 0,
                "a list emptied by LMOVE must be deleted")
    assert r.lmove(b"src", b"dst", "RIGHT", "LEFT") is None


# ---------------------------------------------------------------------------
# A list that becomes empty disappears
# ---------------------------------------------------------------------------

EMPTYING = [
    ("LPOP", [b"a"], ("LPOP", "l")),
    ("RPOP", [b"a"], ("RPOP", "l")),
    ("LPOP with count", [b"a", b"b"], ("LPOP", "l", 2)),
    ("RPOP with count", [b"a", b"b"], ("RPOP", "l", 5)),
    ("LREM", [b"a", b"a"], ("LREM", "l", 0, "a")),
    ("LREM with count", [b"a", b"a"], ("LREM", "l", -2, "a")),
    ("LTRIM", [b"a", b"b"], ("LTRIM", "l", 1, 0)),
]


def check_emptied_list_is_deleted(r, name, elements, args):
    __tracebackhide__ = True
    r.rpush(b"l", *elements)
    r.execute_command(*args)
    r.delete(b"other")  # LMOVE's destination; DBSIZE must then be 0
    expect_gone(r, b"l", name)
    assert r.keys(b"*") == [], (
        "KEYS * still lists the list emptied by %s. Read workshop.md "
        "chapter 4." % name)
    assert r.rpushx(b"l", b"x") == 0, (
        "RPUSHX found a list after %s emptied it: the empty list must be "
        "deleted, not kept. Read workshop.md chapter 4." % name)
    assert r.lpush(b"l", b"new") == 1, (
        "after %s emptied the list, LPUSH must start a new list of length "
        "1. Read workshop.md chapter 4." % name)


@pytest.mark.step("4e")
@pytest.mark.parametrize("name, elements, args", EMPTYING,
                         ids=[e[0] for e in EMPTYING])
def test_a_list_emptied_by_a_command_is_deleted(r, name, elements, args):
    check_emptied_list_is_deleted(r, name, elements, args)


@pytest.mark.step("4g")
def test_a_list_emptied_by_lmove_is_deleted(r):
    check_emptied_list_is_deleted(r, "LMOVE", [b"a"],
                                  ("LMOVE", "l", "other", "LEFT", "RIGHT"))


@pytest.mark.step("4c")
def test_pop_one_at_a_time_until_empty_then_nil(r, connect):
    conn = connect()
    r.rpush(b"l", b"a", b"b")
    expect_reply(conn, command("RPOP", "l"), bulk("b"), chapter=CHAPTER)
    expect_reply(conn, command("RPOP", "l"), bulk("a"), chapter=CHAPTER)
    expect_reply(conn, command("RPOP", "l"), NIL, chapter=CHAPTER,
                 hint="the list is gone: popping it again is nil")
    expect_reply(conn, command("EXISTS", "l"), b":0\r\n", chapter=CHAPTER,
                 hint="a list emptied by RPOP must be deleted")


# ---------------------------------------------------------------------------
# Binary-safe elements
# ---------------------------------------------------------------------------

BINARY = [b"", b"\x00", b"a\x00b", b"a\x00c", b"\r\n", b"a\r\nb",
          b"$3\r\nfoo\r\n", b"*1\r\n", bytes(range(256)), b"\xff\xfe",
          "héllo".encode()]


@pytest.mark.step("4i")
def test_elements_are_binary_safe(r, connect):
    r.rpush(b"l", *BINARY)
    expect_same("LRANGE l 0 -1", r.lrange(b"l", 0, -1), BINARY,
                "elements are byte strings with a length: NUL bytes and "
                "\\r\\n are data, never terminators")
    for i, element in enumerate(BINARY):
        expect_same("LINDEX l %d" % i, r.lindex(b"l", i), element,
                    "store each element's length with it")
    expect_reply(connect(), command("LINDEX", "l", 4), b"$2\r\n\r\n\r\n",
                 chapter=CHAPTER,
                 hint="the bulk length counts the \\r\\n inside the element")


@pytest.mark.step("4i")
def test_matching_compares_all_bytes_not_up_to_a_nul(r, connect):
    conn = connect()
    r.rpush(b"l", b"a\x00b", b"a\x00c", b"a", b"a\x00c")
    hint = ("compare elements with their lengths and memcmp, not strcmp: "
            "'a\\0b', 'a\\0c' and 'a' are three different elements")
    expect_reply(conn, command("LPOS", "l", b"a\x00c"), integer(1),
                 chapter=CHAPTER, hint=hint)
    expect_reply(conn, command("LPOS", "l", b"a"), integer(2),
                 chapter=CHAPTER, hint=hint)
    expect_reply(conn, command("LPOS", "l", b"a\x00"), NIL,
                 chapter=CHAPTER, hint=hint)
    expect_reply(conn, command("LREM", "l", 0, b"a\x00c"), integer(2),
                 chapter=CHAPTER, hint=hint)
    expect_reply(conn, command("LINSERT", "l", "AFTER", b"a", b"\x00"),
                 integer(3), chapter=CHAPTER, hint=hint)
    expect_reply(conn, command("LRANGE", "l", 0, -1),
                 bulks(b"a\x00b", b"a", b"\x00"), chapter=CHAPTER)


@pytest.mark.step("4i")
def test_integer_like_elements_keep_their_exact_text(r, connect):
    texts = [b"123", b"007", b"-0", b"+5", b" 1", b"9223372036854775807",
             b"9223372036854775808", b"-9223372036854775808", b"1e3", b"0"]
    r.rpush(b"l", *texts)
    expect_same("LRANGE l 0 -1", r.lrange(b"l", 0, -1), texts,
                "if you store numbers in a packed form, only do it for the "
                "canonical text (string2ll), so \"007\" comes back as 007")
    conn = connect()
    expect_reply(conn, command("LPOS", "l", "7"), NIL, chapter=CHAPTER,
                 hint="\"007\" and \"7\" are different elements")
    expect_reply(conn, command("LPOS", "l", "123"), integer(0),
                 chapter=CHAPTER)
    expect_reply(conn, command("LREM", "l", 0, "0"), integer(1),
                 chapter=CHAPTER, hint="\"-0\" is not \"0\"")


@pytest.mark.step("4i")
def test_empty_element_is_stored_and_matched(r, connect):
    conn = connect()
    expect_reply(conn, command("RPUSH", "l", ""), b":1\r\n", chapter=CHAPTER)
    expect_reply(conn, command("LRANGE", "l", 0, -1), b"*1\r\n$0\r\n\r\n",
                 chapter=CHAPTER,
                 hint="an empty element is $0, not nil: it exists")
    expect_reply(conn, command("LPOS", "l", ""), b":0\r\n", chapter=CHAPTER)
    expect_reply(conn, command("LREM", "l", 0, ""), b":1\r\n",
                 chapter=CHAPTER)
    expect_reply(conn, command("EXISTS", "l"), b":0\r\n", chapter=CHAPTER)


# ---------------------------------------------------------------------------
# Big elements and many elements: across node boundaries
# ---------------------------------------------------------------------------

def _element(size, tag):
    """A `size`-byte element, different for every tag and size."""
    pattern = b"%d:%d|" % (tag, size)
    return (pattern * (size // len(pattern) + 1))[:size]


# Around 127/128 bytes a one-byte length turns into a longer one; around
# 8 KB a packed node is full; 100 KB is bigger than any node.
BIG_SIZES = [0, 1, 126, 127, 128, 129, 255, 256, 4096, 8180, 8185, 8186,
             8187, 8190, 8191, 8192, 8193, 8200, 16384, 100_000, 3, 127, 128,
             100_000, 5]


@pytest.mark.step("4i")
def test_big_elements_round_trip_from_both_ends(r):
    model = deque()
    pipe = r.pipeline(transaction=False)
    for i, size in enumerate(BIG_SIZES):
        element = _element(size, i)
        if i % 2:
            pipe.lpush(b"l", element)
            model.appendleft(element)
        else:
            pipe.rpush(b"l", element)
            model.append(element)
    lengths = pipe.execute()
    expect_same("the replies of the pushes", lengths,
                list(range(1, len(BIG_SIZES) + 1)),
                "each push replies the new length")
    model = list(model)
    expect_same("LRANGE l 0 -1 of elements of %s bytes" % BIG_SIZES,
                r.lrange(b"l", 0, -1), model,
                "an element of 128 bytes or more needs a longer length "
                "prefix, and an element larger than a node needs a node of "
                "its own")
    pipe = r.pipeline(transaction=False)
    for i in range(len(model)):
        pipe.lindex(b"l", i)
        pipe.lindex(b"l", i - len(model))
    got = pipe.execute()
    expect_same("LINDEX i and LINDEX i-length for every i", got,
                [e for e in model for _ in (0, 1)],
                "walking backwards from the tail reads each length from the "
                "end of its element; check the 127/128-byte boundary")
    expect_same("LRANGE l -3 -1", r.lrange(b"l", -3, -1), model[-3:],
                "negative ranges walk from the tail")


@pytest.mark.step("4i")
def test_big_elements_survive_lset_linsert_lrem_and_pops(r):
    small = [b"s%d" % i for i in range(30)]
    r.rpush(b"l", *small)
    model = list(small)
    big = _element(100_000, 1)
    edge = _element(8192, 2)
    mid = _element(128, 3)
    steps = [
        ("LSET l 10 <100 KB>", lambda: r.lset(b"l", 10, big), 10, big),
        ("LSET l -1 <8 KB>", lambda: r.lset(b"l", -1, edge), 29, edge),
        ("LSET l 0 <128 B>", lambda: r.lset(b"l", 0, mid), 0, mid),
    ]
    for what, call, index, value in steps:
        call()
        model[index] = value
        expect_same(what, r.lrange(b"l", 0, -1), model,
                    "LSET with a bigger element may have to split the node "
                    "or give the element a node of its own")
    r.lset(b"l", 10, b"small again")
    model[10] = b"small again"
    expect_same("LSET of a small element over a 100 KB one",
                r.lrange(b"l", 0, -1), model,
                "replacing a big element with a small one shrinks the node")
    assert r.linsert(b"l", "BEFORE", b"s15", big) == 31
    model.insert(15, big)
    assert r.linsert(b"l", "AFTER", b"s15", edge) == 32
    model.insert(17, edge)
    expect_same("LINSERT of 100 KB and 8 KB elements", r.lrange(b"l", 0, -1),
                model, "inserting into a full node must split it")
    expect_same("LPOS of an 8 KB element", r.lpos(b"l", edge), 17,
                "compare lengths first, then the bytes")
    expect_same("LREM l 0 <100 KB>", r.lrem(b"l", 0, big), 1,
                "a big element matches only itself")
    model.remove(big)
    expect_same("LREM l -1 <8 KB>", r.lrem(b"l", -1, edge), 1,
                "LREM -1 removes only the last match")
    del model[len(model) - 1 - model[::-1].index(edge)]
    expect_same("LREM l -5 <8 KB>", r.lrem(b"l", -5, edge), 1,
                "only one match was left")
    model.remove(edge)
    expect_same("LREM of big elements", r.lrange(b"l", 0, -1), model,
                "removing elements may leave empty nodes: free them")
    got, want = [], []
    while model:
        got.append(r.rpop(b"l"))
        want.append(model.pop())
        if model:
            got.append(r.lpop(b"l"))
            want.append(model.pop(0))
    expect_same("popping everything from both ends", got, want,
                "each pop must move to the next node when one is used up")
    expect_gone(r, b"l", "the last pop")


@pytest.mark.step("4i")
def test_every_element_length_from_0_to_300_walks_both_ways(r):
    model = [_element(size, 7) for size in range(301)]
    r.rpush(b"l", *model)
    expect_same("LRANGE l 0 -1", r.lrange(b"l", 0, -1), model,
                "forwards: the length before each element")
    expect_same("LRANGE l -301 -1", r.lrange(b"l", -301, -1), model,
                "negative ranges give the same elements")
    pipe = r.pipeline(transaction=False)
    for _ in model:
        pipe.rpop(b"l")
    expect_same("RPOP one by one", pipe.execute(), model[::-1],
                "backwards: the copy of the length after each element tells "
                "where it starts; lengths of 128 and more take several bytes")
    expect_gone(r, b"l", "RPOP")


@pytest.mark.step("4i")
def test_many_elements_across_many_nodes(r):
    n = 20_000
    rng = random.Random(4)
    model = deque()
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        # Every 10th element is the same, for LREM; some are long.
        if i % 10 == 0:
            element = b"dup"
        elif i % 97 == 0:
            element = _element(300 + i % 1000, i)
        else:
            element = b"e%d" % i
        if rng.random() < 0.5:
            pipe.lpush(b"l", element)
            model.appendleft(element)
        else:
            pipe.rpush(b"l", element)
            model.append(element)
    replies = pipe.execute()
    expect_same("the replies of %d pushes" % n, replies, list(range(1, n + 1)),
                "each push replies the new length")
    model = list(model)
    expect_same("LLEN l", r.llen(b"l"), n, "count every push")
    expect_same("LRANGE l 0 -1 of %d elements" % n, r.lrange(b"l", 0, -1),
                model, "walk every node in order")

    positions = [0, 1, 2, n // 2, n - 2, n - 1, -1, -2, -n, -n + 1, n, -n - 1]
    positions += [rng.randrange(-n, n) for _ in range(300)]
    pipe = r.pipeline(transaction=False)
    for p in positions:
        pipe.lindex(b"l", p)
    expected = [model[p] if -n <= p < n else None for p in positions]
    expect_same("LINDEX at %d positions" % len(positions), pipe.execute(),
                expected,
                "LINDEX must skip whole nodes by their counts, from the "
                "nearer end, and count negative indices from the tail")

    windows = [(0, 99), (8000, 8200), (-500, -1), (n // 2 - 7, n // 2 + 7),
               (n - 1, n + 10), (-n - 5, 3)]
    for start, stop in windows:
        lo = max(start + n if start < 0 else start, 0)
        hi = min(stop + n if stop < 0 else stop, n - 1)
        expect_same("LRANGE l %d %d" % (start, stop),
                    r.lrange(b"l", start, stop), model[lo:hi + 1],
                    "a range may start and end in the middle of nodes")

    pipe = r.pipeline(transaction=False)
    for p in range(3, n, 1999):
        pipe.lset(b"l", p, b"set%d" % p)
        model[p] = b"set%d" % p
    pipe.execute()
    marker = b"unique-marker"
    r.linsert(b"l", "AFTER", model[12345], marker)
    model.insert(12346, marker)
    assert r.lpos(b"l", marker) == 12346, (
        "LPOS after LINSERT in the middle of a long list. Read workshop.md "
        "chapter 4.")
    assert r.lpos(b"l", marker, maxlen=12346) is None, (
        "LPOS with MAXLEN 12346 must stop before index 12346. Read "
        "workshop.md chapter 4.")
    assert r.lpos(b"l", b"dup", rank=-1) == max(
        i for i, e in enumerate(model) if e == b"dup")
    removed = r.lrem(b"l", 0, b"dup")
    expect_same("LREM l 0 dup", removed, model.count(b"dup"),
                "LREM 0 removes every match, across every node")
    model = [e for e in model if e != b"dup"]
    r.ltrim(b"l", 777, -778)
    model = model[777:len(model) - 777]
    expect_same("LRANGE after LSET, LINSERT, LREM and LTRIM",
                r.lrange(b"l", 0, -1), model,
                "after many changes the list must still match element for "
                "element")
    expect_same("RPOP l 5000", r.rpop(b"l", 5000), model[::-1][:5000],
                "RPOP with a count crosses node boundaries")
    expect_same("LPOP l 5000", r.lpop(b"l", 5000), model[:5000],
                "LPOP with a count crosses node boundaries")
    model = model[5000:len(model) - 5000]
    expect_same("what is left", r.lrange(b"l", 0, -1), model,
                "the middle of the list is untouched")
    assert r.llen(b"l") == len(model)


# ---------------------------------------------------------------------------
# Arity
# ---------------------------------------------------------------------------

ARITY = [
    ("LPUSH",), ("LPUSH", "l"), ("RPUSH",), ("RPUSH", "l"),
    ("LPUSHX",), ("LPUSHX", "l"), ("RPUSHX",), ("RPUSHX", "l"),
    ("LRANGE", "l", "0"), ("LRANGE", "l", "0", "1", "2"),
    ("LLEN",), ("LLEN", "a", "b"),
    ("LPOP",), ("LPOP", "l", "1", "2"), ("RPOP",), ("RPOP", "l", "1", "2"),
    ("LINDEX", "l"), ("LINDEX", "l", "0", "1"),
    ("LSET", "l", "0"), ("LSET", "l", "0", "v", "w"),
    ("LTRIM", "l", "0"), ("LTRIM", "l", "0", "1", "2"),
    ("LREM", "l", "0"), ("LREM", "l", "0", "a", "b"),
    ("LINSERT", "l", "BEFORE", "a"), ("LINSERT", "l", "BEFORE", "a", "b", "c"),
    ("LPOS", "l"), ("LPOS",),
    ("LMOVE", "a", "b", "LEFT"), ("LMOVE", "a", "b", "LEFT", "RIGHT", "x"),
]


@pytest.mark.step("4h")
@pytest.mark.parametrize("args", ARITY, ids=[" ".join(a) for a in ARITY])
def test_list_commands_check_their_arity(r, connect, args):
    r.rpush(b"l", b"a")
    conn = connect()
    expect_reply(conn, command(*args), arity_error(args[0].lower()),
                 chapter=CHAPTER,
                 hint="arities: LPUSH/RPUSH/LPUSHX/RPUSHX -3, LPOS -3, "
                      "LPOP/RPOP -2 (with at most one count: 3 arguments), "
                      "LLEN 2, LINDEX 3, LRANGE/LSET/LTRIM/LREM 4, "
                      "LINSERT/LMOVE 5")
    expect_reply(conn, command("LRANGE", "l", 0, -1), bulks("a"),
                 chapter=CHAPTER, hint="an arity error changes nothing")


# ---------------------------------------------------------------------------
# A seeded random sequence against a Python model
# ---------------------------------------------------------------------------

WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
LIST_KEYS = [b"k0", b"k1", b"k2"]
STRING_KEY = b"str"
# Small values so matches are frequent, plus a 200-byte and a 3000-byte one so
# the lists span several 8 KB nodes and LSET/LINSERT/LREM change node sizes.
VALUES = [b"a", b"b", b"c", b"d", b"", b"a\x00b", b"m" * 200, b"M" * 3000]


class ListModel:
    """What Redis does, in Python: {key: list of bytes}; a string key."""

    def __init__(self):
        self.lists = {}
        self.strings = {STRING_KEY: b"text"}

    def _get(self, key):
        return self.lists.get(key, [])

    def _store(self, key, items):
        if items:
            self.lists[key] = items
        else:
            self.lists.pop(key, None)

    @staticmethod
    def _range(n, start, stop):
        """Redis's clamping: the slice bounds, or None if empty."""
        if start < 0:
            start += n
        if stop < 0:
            stop += n
        start = max(start, 0)
        if start > stop or start >= n:
            return None
        return start, min(stop, n - 1) + 1

    def apply(self, args):
        """The exact reply bytes Redis sends for `args`."""
        name, key = args[0], args[1]
        if name == "TYPE":
            if key in self.strings:
                return b"+string\r\n"
            return b"+list\r\n" if key in self.lists else b"+none\r\n"
        if name == "EXISTS":
            return integer(1 if key in self.lists or key in self.strings
                           else 0)
        if key in self.strings and name != "LMOVE":
            return WRONGTYPE       # every list command, LMOVE's source aside
        items = list(self._get(key))
        if name in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
            if name.endswith("X") and key not in self.lists:
                return integer(0)
            for v in args[2:]:
                if name.startswith("L"):
                    items.insert(0, v)
                else:
                    items.append(v)
            self._store(key, items)
            return integer(len(items))
        if name in ("LPOP", "RPOP"):
            if len(args) == 2:
                if not items:
                    return NIL
                v = items.pop(0 if name == "LPOP" else -1)
                self._store(key, items)
                return bulk(v)
            count = args[2]
            if key not in self.lists:
                return NULL_ARRAY
            popped = []
            for _ in range(min(count, len(items))):
                popped.append(items.pop(0 if name == "LPOP" else -1))
            self._store(key, items)
            return bulks(*popped)
        if name == "LLEN":
            return integer(len(items))
        if name == "LRANGE":
            bounds = self._range(len(items), args[2], args[3])
            return bulks(*(items[bounds[0]:bounds[1]] if bounds else []))
        if name == "LINDEX":
            i = args[2]
            if i < 0:
                i += len(items)
            return bulk(items[i] if 0 <= i < len(items) else None)
        if name == "LSET":
            if key not in self.lists:
                return NO_SUCH_KEY
            i = args[2]
            if i < 0:
                i += len(items)
            if not 0 <= i < len(items):
                return INDEX_OUT_OF_RANGE
            items[i] = args[3]
            self._store(key, items)
            return OK
        if name == "LTRIM":
            bounds = self._range(len(items), args[2], args[3])
            self._store(key, items[bounds[0]:bounds[1]] if bounds else [])
            return OK
        if name == "LREM":
            count, value = args[2], args[3]
            order = range(len(items)) if count >= 0 else \
                range(len(items) - 1, -1, -1)
            doomed = []
            for i in order:
                if items[i] == value:
                    doomed.append(i)
                    if count and len(doomed) == abs(count):
                        break
            for i in sorted(doomed, reverse=True):
                del items[i]
            self._store(key, items)
            return integer(len(doomed))
        if name == "LINSERT":
            if key not in self.lists:
                return integer(0)
            where, pivot, value = args[2], args[3], args[4]
            if pivot not in items:
                return integer(-1)
            i = items.index(pivot)
            items.insert(i if where == "BEFORE" else i + 1, value)
            self._store(key, items)
            return integer(len(items))
        if name == "LPOS":
            value, opts = args[2], dict(zip(args[3::2], args[4::2]))
            rank = opts.get("RANK", 1)
            count = opts.get("COUNT")
            maxlen = opts.get("MAXLEN", 0)
            order = list(range(len(items)))
            if rank < 0:
                order.reverse()
                rank = -rank
            found, matches = [], 0
            for scanned, i in enumerate(order):
                if maxlen and scanned >= maxlen:
                    break
                if items[i] == value:
                    matches += 1
                    if matches >= rank:
                        found.append(i)
                        if count is None or (count and len(found) >= count):
                            break
            if count is None:
                return integer(found[0]) if found else NIL
            return integers(*found)
        if name == "LMOVE":
            dst, wherefrom, whereto = args[2], args[3], args[4]
            if key in self.strings:
                return WRONGTYPE
            if key not in self.lists:
                return NIL
            if dst in self.strings:
                return WRONGTYPE
            v = items.pop(0 if wherefrom == "LEFT" else -1)
            self._store(key, items)
            target = list(self._get(dst))
            if whereto == "LEFT":
                target.insert(0, v)
            else:
                target.append(v)
            self._store(dst, target)
            return bulk(v)
        raise ValueError(name)


def random_command(rng, model):
    """One random, well-formed list command."""
    roll = rng.random()
    key = STRING_KEY if roll < 0.04 else rng.choice(LIST_KEYS)
    n = len(model.lists.get(key, []))

    def index():
        return rng.randint(-n - 3, n + 3)

    def value():
        return rng.choice(VALUES)

    name = rng.choices(
        ["LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LLEN",
         "LRANGE", "LINDEX", "LSET", "LTRIM", "LREM", "LINSERT", "LPOS",
         "LMOVE", "TYPE", "EXISTS"],
        weights=[8, 8, 2, 2, 4, 4, 1, 3, 3, 2, 1, 3, 3, 4, 4, 1, 1])[0]
    if name in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
        return (name, key) + tuple(value() for _ in range(rng.randint(1, 3)))
    if name in ("LPOP", "RPOP"):
        if rng.random() < 0.4:
            return (name, key, rng.randint(0, 4))
        return (name, key)
    if name in ("LLEN", "TYPE", "EXISTS"):
        return (name, key)
    if name in ("LRANGE", "LTRIM"):
        if name == "LTRIM":   # mostly mild, so lists do not vanish too often
            return (name, key, rng.randint(-2, 2), rng.randint(-3, n + 1))
        return (name, key, index(), index())
    if name == "LINDEX":
        return (name, key, index())
    if name == "LSET":
        return (name, key, index(), value())
    if name == "LREM":
        return (name, key, rng.randint(-3, 3), value())
    if name == "LINSERT":
        return (name, key, rng.choice(["BEFORE", "AFTER"]), value(), value())
    if name == "LPOS":
        args = [name, key, value()]
        for option, choices in (("RANK", [1, 2, 3, -1, -2]),
                                ("COUNT", [0, 1, 2]),
                                ("MAXLEN", [0, 1, 3, 10])):
            if rng.random() < 0.4:
                args += [option, rng.choice(choices)]
        return tuple(args)
    if name == "LMOVE":
        dst = STRING_KEY if rng.random() < 0.04 else rng.choice(LIST_KEYS)
        return (name, key, dst, rng.choice(["LEFT", "RIGHT"]),
                rng.choice(["LEFT", "RIGHT"]))
    raise ValueError(name)


@pytest.mark.step("4i")
def test_random_operations_match_a_model(r, connect):
    seed = 20240404
    steps = 2000
    rng = random.Random(seed)
    model = ListModel()
    r.set(STRING_KEY, model.strings[STRING_KEY])
    conn = connect()
    history = []

    def fail(problem, sent, got, expected):
        recent = "\n".join("    %4d  %s" % (n, _short(args, 160))
                           for n, args in history[-12:])
        state = "\n".join("    %r: %s" % (k, _short(v))
                          for k, v in sorted(model.lists.items()))
        raise AssertionError(
            "%s\n  seed %d, command %d (%d random ones, and every 100 an "
            "LRANGE and EXISTS of each key)\n  sent:          %s\n"
            "  received:      %s\n  Redis replies: %s\n"
            "  the last commands (the model's state is after the failing one):"
            "\n%s\n  the model's lists:\n%s\n"
            "  hint: rerun just this test (-k random) and replay the last "
            "commands with redis-cli against your server and the real one.\n"
            "  Read workshop.md chapter %d."
            % (problem, seed, len(history), steps, _short(sent, 300),
               _short(got, 300), _short(expected, 300), recent,
               state or "    (none)", CHAPTER))

    def run(args):
        history.append((len(history) + 1, args))
        expected = model.apply(args)
        conn.send(command(*args))
        got = conn.read_exactly(len(expected))
        if got != expected:
            got += conn.read_available(0.1)
            fail("Wrong reply during the random sequence.", args, got,
                 expected)

    for step in range(steps):
        run(random_command(rng, model))
        if step % 100 == 99 or step == steps - 1:
            for key in LIST_KEYS:
                run(("LRANGE", key, 0, -1))
                run(("EXISTS", key))
    assert r.get(STRING_KEY) == b"text", (
        "list commands on the string key must not change it. Read "
        "workshop.md chapter 4.")
