"""Part II, strings: SETNX SETEX PSETEX GETSET GETDEL GETEX MSETNX SETRANGE
GETRANGE SUBSTR INCRBYFLOAT LCS, and the bit commands SETBIT GETBIT
BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.

A string is an array of bytes up to 512 MB that commands read and write by
position. As in Redis 7.0.15, whose replies every exact byte below was
taken from:

- SETRANGE and SETBIT pad a string with zero bytes to reach their offset;
  an empty SETRANGE value on a missing key creates nothing; past 512 MB
  they refuse with "string exceeds maximum allowed size";
- bit 0 is the most significant bit of byte 0; ranges count negative
  positions from the end, in bytes, or in bits with BIT;
- BITPOS without an end treats the string as followed by zero bits;
- BITFIELD overflows WRAP by default, SAT sticks at the limits, FAIL
  answers nil and writes nothing; u64 is refused, i64 is not;
- INCRBYFLOAT prints 17 decimals and drops trailing zeros, never an
  exponent, and is logged to the AOF as SET key result KEEPTTL; SETEX and
  GETEX EX are logged with absolute times.

The wrong servers these tests catch, step by step:
  9a  a SETNX or MSETNX that answers WRONGTYPE for a list, or overwrites
      it; an MSETNX that sets the free keys when one of them exists; a
      GETSET that keeps the old TTL, or writes before refusing a list; a
      GETDEL that deletes a list;
  9b  a SETEX that will not replace a list, a PSETEX that takes seconds;
      times of 0, negative, or that overflow once made milliseconds,
      accepted; a GETEX that checks the time before the key (GETEX missing
      EX 0 is nil), takes EX with PX, PERSIST or KEEPTTL, or keeps a key
      whose EXAT is past;
  9c  a GETRANGE that does not clamp, answers nil for a missing key, or
      overflows on LLONG_MIN; a SETRANGE that pads with anything but zero
      bytes, creates a key for an empty value, drops the TTL, checks the
      type before the offset, or grows a string past 512 MB;
  9d  bit 0 taken as the low bit of byte 0 (SETBIT k 7 1 must give \x01);
      a SETBIT that answers the new bit, does not pad, or drops the TTL;
      offsets outside 0 .. 2^32-1 or bits other than 0 and 1 accepted;
  9e  BIT ranges counted as bytes, ragged edges counted whole; a BITPOS for
      a 0 in \xff\xff\xff that answers -1 without an end, or 24 with one;
      a missing key that answers -1 when looking for a 0;
  9f  a BITOP that cuts the result to the shortest source, stores an empty
      string instead of deleting the destination, keeps the destination's
      TTL, or reads a source it has already overwritten (OR a a b);
  9g  a BITFIELD that runs subcommands before parsing them all (an error
      late in the line leaves a write done), an OVERFLOW that changes the
      operations before it, a wrong WRAP, SAT or FAIL (the unsigned SET of
      -1 overflows upwards), u64 accepted, a GET that creates the key, a
      BITFIELD_RO that writes, a write that drops the TTL;
  9h  an INCRBYFLOAT in double (0.1 + 0.2 prints 0.30000000000000004) or
      printed with an exponent (5000, 3e300 in full); spaces, NaN or an
      infinite sum accepted; the TTL dropped; a write of this chapter that
      does not survive a restart with its TTL; (ours) SETEX logged as
      itself instead of SET ... PXAT, INCRBYFLOAT not as SET ... KEEPTTL, a
      SETBIT or GETEX that changed nothing logged;
  9i  an LCS that picks another common subsequence (the tie-break), lists
      IDX ranges from the start instead of the end, accepts LEN with IDX,
      checks the options before the types, or allocates a table over
      512 MB.
"""

import os

import pytest

import steps
from helpers import (RawConnection, RestartableServer, aof_commands, aof_on,
                     arity_error, array, bulk, command, error, expect_reply,
                     integer)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("strings")]

CHAPTER = 9     # Part II: strings, complete
NIL = b"$-1\r\n"
OK = b"+OK\r\n"
EMPTY_BULK = b"$0\r\n\r\n"
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
SYNTAX = error("ERR syntax error")
NOT_A_FLOAT = error("ERR value is not a valid float")
WOULD_BE_NAN = error("ERR increment would produce NaN or Infinity")
TOO_BIG = error("ERR string exceeds maximum allowed size "
                "(proto-max-bulk-len)")
OFFSET_RANGE = error("ERR offset is out of range")
BIT_OFFSET = error("ERR bit offset is not an integer or out of range")
BIT_VALUE = error("ERR bit is not an integer or out of range")
BITPOS_BIT = error("ERR The bit argument must be 1 or 0.")
BITOP_NOT = error("ERR BITOP NOT must be called with a single source key.")
BITFIELD_TYPE = error("ERR Invalid bitfield type. Use something like i16 u8. "
                      "Note that u64 is not supported but i64 is.")
BITFIELD_OVERFLOW = error("ERR Invalid OVERFLOW type specified")
BITFIELD_RO = error("ERR BITFIELD_RO only supports the GET subcommand")
LCS_TYPES = error("ERR The specified keys must contain string values")
LCS_LEN_IDX = error("ERR If you want both the length and indexes, please "
                    "just use IDX.")
LCS_TOO_BIG = error("ERR Insufficient memory, transient memory for LCS "
                    "exceeds proto-max-bulk-len")
LLONG_MAX = 9223372036854775807
LLONG_MIN = -9223372036854775808


def expire_error(name):
    return error("ERR invalid expire time in '%s' command" % name)


def ints(*items):
    return array(*[integer(i) for i in items])


def expect(conn, args, expected, hint=None):
    __tracebackhide__ = True
    return expect_reply(conn, command(*args), expected, CHAPTER, hint=hint)


def run_table(conn, table, hint=None):
    """Send each (args, expected) of `table` in turn."""
    __tracebackhide__ = True
    for args, expected in table:
        expect(conn, args, expected, hint)


def why(problem, hint):
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (problem, hint,
                                                              CHAPTER)


def by_command(args):
    """A parameter marked with the step that introduces its command."""
    name = args[0].upper()
    for step in steps.chapter_of_extension("strings").steps:
        if name in step.commands:
            return pytest.param(args, id=" ".join(args),
                                marks=pytest.mark.step(step.id))
    raise KeyError("no step of chapter %d covers %s" % (CHAPTER, name))


# ---------------------------------------------------------------------------
# SETNX MSETNX GETSET GETDEL
# ---------------------------------------------------------------------------

@pytest.mark.step("9a")
def test_setnx_sets_only_a_missing_key_whatever_the_type(r, connect):
    r.rpush("list", "x")
    run_table(connect(), [
        (("SETNX", "k", "1"), integer(1)),
        (("SETNX", "k", "2"), integer(0)),
        (("GET", "k"), bulk("1")),
        (("SETNX", "list", "v"), integer(0)),
    ], "SETNX answers 1 when it set the key, 0 when the key exists, "
       "of any type: it never answers WRONGTYPE")


@pytest.mark.step("9a")
def test_msetnx_sets_all_or_none(r, connect):
    r.rpush("list", "x")
    run_table(connect(), [
        (("MSETNX", "a", "1", "b", "2"), integer(1)),
        (("MSETNX", "a", "9", "c", "3"), integer(0)),
        (("EXISTS", "c"), integer(0)),
        (("GET", "a"), bulk("1")),
        (("MSETNX", "list", "1", "d", "2"), integer(0)),
        (("MSETNX", "d", "1", "d", "2"), integer(1)),
        (("GET", "d"), bulk("2")),
        (("MSETNX", "a", "1", "b"), arity_error("msetnx")),
    ], "if any key exists (of any type) MSETNX sets nothing and answers 0; "
       "a key named twice takes its last value")


@pytest.mark.step("9a")
def test_getset_answers_the_old_value_and_drops_the_ttl(r, connect):
    r.set("k", "old", ex=100)
    r.rpush("list", "x")
    run_table(connect(), [
        (("GETSET", "k", "new"), bulk("old")),
        (("TTL", "k"), integer(-1)),
        (("GET", "k"), bulk("new")),
        (("GETSET", "missing", "v"), NIL),
        (("GET", "missing"), bulk("v")),
        (("GETSET", "list", "v"), WRONGTYPE),
    ], "GETSET is GET then SET: the new value has no TTL, and another type "
       "is refused before anything is written")


@pytest.mark.step("9a")
def test_getdel_answers_and_deletes_a_string_only(r, connect):
    r.rpush("list", "x")
    r.set("k", "v", ex=100)
    run_table(connect(), [
        (("GETDEL", "k"), bulk("v")),
        (("EXISTS", "k"), integer(0)),
        (("GETDEL", "k"), NIL),
        (("GETDEL", "list"), WRONGTYPE),
        (("EXISTS", "list"), integer(1)),
    ])


# ---------------------------------------------------------------------------
# SETEX PSETEX GETEX
# ---------------------------------------------------------------------------

@pytest.mark.step("9b")
def test_setex_and_psetex_set_a_value_with_a_ttl(r, connect):
    r.rpush("list", "x")
    conn = connect()
    run_table(conn, [
        (("SETEX", "k", "100", "v"), OK),
        (("GET", "k"), bulk("v")),
        (("TTL", "k"), integer(100)),
        (("SETEX", "list", "100", "v"), OK),
        (("TYPE", "list"), b"+string\r\n"),
    ], "SETEX key seconds value is SET key value EX seconds: it replaces a "
       "key of any type")
    expect(conn, ("PSETEX", "p", "100000", "v"), OK)
    pttl = r.pttl("p")
    assert 99000 < pttl <= 100000, why(
        "After PSETEX p 100000 v, PTTL p is %r." % pttl,
        "PSETEX takes milliseconds")


@pytest.mark.step("9b")
@pytest.mark.parametrize("args, expected", [
    (("SETEX", "k", "0", "v"), expire_error("setex")),
    (("SETEX", "k", "-1", "v"), expire_error("setex")),
    (("SETEX", "k", "x", "v"), NOT_AN_INTEGER),
    (("SETEX", "k", "9223372036854775", "v"), expire_error("setex")),
    (("SETEX", "k", "9223372036854776", "v"), expire_error("setex")),
    (("PSETEX", "k", "0", "v"), expire_error("psetex")),
    (("PSETEX", "k", str(LLONG_MAX), "v"), expire_error("psetex")),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_setex_refuses_bad_times(r, connect, args, expected):
    conn = connect()
    expect(conn, args, expected,
           "zero and negative times are refused, and so is a time that "
           "overflows once in milliseconds and added to the clock")
    expect(conn, ("EXISTS", "k"), integer(0))


@pytest.mark.step("9b")
def test_getex_reads_and_changes_the_ttl(r, connect):
    r.set("k", "v")
    conn = connect()
    run_table(conn, [
        (("GETEX", "k"), bulk("v")),
        (("TTL", "k"), integer(-1)),
        (("GETEX", "k", "EX", "100"), bulk("v")),
        (("TTL", "k"), integer(100)),
        (("GETEX", "k", "ex", "100", "ex", "200"), bulk("v")),
        (("TTL", "k"), integer(200)),
        (("GETEX", "k", "PERSIST"), bulk("v")),
        (("TTL", "k"), integer(-1)),
        (("GETEX", "k", "persist", "persist"), bulk("v")),
        (("GETEX", "k", "EXAT", "99999999999"), bulk("v")),
        (("GETEX", "k", "EXAT", "1"), bulk("v")),
        (("EXISTS", "k"), integer(0)),
        (("GETEX", "missing", "EX", "100"), NIL),
    ], "GETEX without option is GET; EX/PX/EXAT/PXAT set the TTL, PERSIST "
       "removes it, and a time already past deletes the key after the reply")
    expect(conn, ("SET", "k", "v"), OK)
    expect(conn, ("GETEX", "k", "PX", "5000"), bulk("v"))
    assert 4000 < r.pttl("k") <= 5000
    expect(conn, ("GETEX", "k", "PXAT", "99999999999999"), bulk("v"))
    assert r.pttl("k") > 10 ** 13


@pytest.mark.step("9b")
@pytest.mark.parametrize("args, expected", [
    (("GETEX", "k", "EX"), SYNTAX),
    (("GETEX", "k", "EX", "0"), expire_error("getex")),
    (("GETEX", "k", "EX", "-1"), expire_error("getex")),
    (("GETEX", "k", "EX", "x"), NOT_AN_INTEGER),
    (("GETEX", "k", "EX", "10", "PX", "10"), SYNTAX),
    (("GETEX", "k", "PERSIST", "EX", "10"), SYNTAX),
    (("GETEX", "k", "EX", "10", "PERSIST"), SYNTAX),
    (("GETEX", "k", "KEEPTTL"), SYNTAX),
    (("GETEX", "k", "NX"), SYNTAX),
    (("GETEX", "k", "foo"), SYNTAX),
    (("GETEX", "k", "EXAT", "9223372036854776"), expire_error("getex")),
    (("GETEX", "k", "PX", str(LLONG_MAX)), expire_error("getex")),
    (("GETEX", "missing", "EX", "0"), NIL),
    (("GETEX", "missing", "EX", "x"), NIL),
    (("GETEX", "missing", "foo"), SYNTAX),
    (("GETEX", "list"), WRONGTYPE),
    (("GETEX", "list", "EX", "0"), WRONGTYPE),
    (("GETEX", "list", "foo"), SYNTAX),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_getex_refuses_bad_options_in_redis_order(r, connect, args, expected):
    r.set("k", "v")
    r.rpush("list", "x")
    expect(connect(), args, expected,
           "the options are parsed first (syntax error), then the key is "
           "looked up (nil, WRONGTYPE), and only then is the time checked")
    assert r.get("k") == b"v" and r.ttl("k") == -1


# ---------------------------------------------------------------------------
# SETRANGE GETRANGE SUBSTR
# ---------------------------------------------------------------------------

@pytest.mark.step("9c")
def test_setrange_pads_with_zero_bytes(r, connect):
    run_table(connect(), [
        (("SETRANGE", "k", "0", ""), integer(0)),
        (("EXISTS", "k"), integer(0)),
        (("SETRANGE", "k", "5", ""), integer(0)),
        (("EXISTS", "k"), integer(0)),
        (("SETRANGE", "k", "5", "abc"), integer(8)),
        (("GET", "k"), bulk(b"\x00\x00\x00\x00\x00abc")),
        (("SETRANGE", "k", "1", "ZZ"), integer(8)),
        (("GET", "k"), bulk(b"\x00ZZ\x00\x00abc")),
        (("SETRANGE", "k", "100", ""), integer(8)),
        (("SETRANGE", "k", "7", "xyz"), integer(10)),
        (("GET", "k"), bulk(b"\x00ZZ\x00\x00abxyz")),
    ], "the gap before the offset is filled with zero bytes; an empty value "
       "changes nothing, and on a missing key creates nothing")


@pytest.mark.step("9c")
def test_setrange_keeps_the_ttl(r):
    r.set("k", "hello", ex=100)
    assert r.setrange("k", 0, "J") == 5
    assert r.get("k") == b"Jello" and r.ttl("k") == 100


@pytest.mark.step("9c")
@pytest.mark.parametrize("args, expected", [
    (("SETRANGE", "k", "-1", "x"), OFFSET_RANGE),
    (("SETRANGE", "k", "x", "x"), NOT_AN_INTEGER),
    (("SETRANGE", "k", "536870911", "xy"), TOO_BIG),
    (("SETRANGE", "k", "536870912", "x"), TOO_BIG),
    (("SETRANGE", "k", str(LLONG_MAX), "x"), TOO_BIG),
    (("SETRANGE", "missing", "536870912", "x"), TOO_BIG),
    (("SETRANGE", "list", "0", "x"), WRONGTYPE),
    (("SETRANGE", "list", "0", ""), WRONGTYPE),
    (("SETRANGE", "list", "-1", "x"), OFFSET_RANGE),
    (("SETRANGE", "list", "x", "x"), NOT_AN_INTEGER),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_setrange_refuses_bad_offsets_and_sizes(r, connect, args, expected):
    r.set("k", "abc")
    r.rpush("list", "x")
    expect(connect(), args, expected,
           "the offset is checked first, then the type, then whether "
           "offset + length fits in 512 MB")
    assert r.get("k") == b"abc" and not r.exists("missing")


GETRANGE = [
    ("0", "-1", "abcdefgh"), ("-3", "-1", "fgh"), ("-1", "-3", ""),
    ("3", "1", ""), ("-100", "100", "abcdefgh"), ("100", "200", ""),
    ("0", "0", "a"), ("-1", "-1", "h"), ("2", "4", "cde"),
    (str(LLONG_MAX), str(LLONG_MIN), ""), (str(LLONG_MIN), str(LLONG_MAX),
                                            "abcdefgh"),
]


@pytest.mark.step("9c")
@pytest.mark.parametrize("name", ["GETRANGE", "SUBSTR"])
@pytest.mark.parametrize("start, end, expected", GETRANGE,
                         ids=["%s..%s" % (s, e) for s, e, _ in GETRANGE])
def test_getrange_clamps_its_range(r, connect, name, start, end, expected):
    r.set("k", "abcdefgh")
    expect(connect(), (name, "k", start, end), bulk(expected),
           "both ends are inclusive; negative ones count from the end; "
           "the range is clamped to the string")


@pytest.mark.step("9c")
def test_getrange_of_missing_empty_and_wrong_keys(r, connect):
    r.set("e", "")
    r.rpush("list", "x")
    run_table(connect(), [
        (("GETRANGE", "missing", "0", "-1"), EMPTY_BULK),
        (("GETRANGE", "missing", "x", "1"), NOT_AN_INTEGER),
        (("GETRANGE", "e", "0", "-1"), EMPTY_BULK),
        (("GETRANGE", "e", "-1", "0"), EMPTY_BULK),
        (("GETRANGE", "list", "0", "-1"), WRONGTYPE),
        (("GETRANGE", "list", "0", "x"), NOT_AN_INTEGER),
    ], "a missing key reads as an empty string (not nil); the numbers are "
       "checked before the key")


# ---------------------------------------------------------------------------
# INCRBYFLOAT
# ---------------------------------------------------------------------------

FLOATS = [
    ("10.5", "0.1", "10.6"),
    ("5.0e3", "200", "5200"),
    (None, "3e300", "3000000000000000000099600219722944332724758478237347857"
     "10243943649794705985962541758570862115166186137306128913210045881385"
     "32934786220352139685165767548682878752055563934213224693118883915416"
     "77026537693652300410837265991094543749654145872461189840026482380727"
     "988943772161134673231823389018093229441024"),
    (None, "1e-20", "0"),
    ("-1e-20", "0", "0"),
    ("0.1", "0.2", "0.3"),
    ("3.3", "0", "3.3"),
    (None, "-5", "-5"),
    (None, "0x10", "16"),
    (None, "1.5e-5", "0.000015"),
    ("100", "1e-18", "100"),
    (None, "0.00000000000000001", "0.00000000000000001"),
    (None, "0.000000000000000005", "0"),
    (None, "123456789012345678901234567890",
     "123456789012345678899921813504"),
    ("-0", "0", "0"),
    (None, "1e-4940", "0"),
]


@pytest.mark.step("9h")
@pytest.mark.long_double
@pytest.mark.parametrize("start, incr, result", FLOATS,
                         ids=["%s+%s" % (s, i) for s, i, _ in FLOATS])
def test_incrbyfloat_prints_its_result_as_redis_does(r, connect, start, incr,
                                                     result):
    if start is not None:
        r.set("f", start)
    conn = connect()
    expect(conn, ("INCRBYFLOAT", "f", incr), bulk(result),
           "a long double, printed with \"%.17Lf\", trailing zeros (and a "
           "trailing point) cut, \"-0\" written \"0\"")
    expect(conn, ("GET", "f"), bulk(result))


@pytest.mark.step("9h")
@pytest.mark.long_double
def test_incrbyfloat_accumulates_and_keeps_the_ttl(r, connect):
    r.set("f", "1", ex=100)
    run_table(connect(), [
        (("INCRBYFLOAT", "f", "1.1"), bulk("2.1")),
        (("INCRBYFLOAT", "f", "1.1"), bulk("3.2")),
        (("INCRBYFLOAT", "f", "-3.2"), bulk("0")),
        (("TTL", "f"), integer(100)),
    ])


@pytest.mark.step("9h")
@pytest.mark.long_double
@pytest.mark.parametrize("start, incr, expected", [
    (None, "abc", NOT_A_FLOAT),
    (None, " 1", NOT_A_FLOAT),
    (None, "1 ", NOT_A_FLOAT),
    (None, "", NOT_A_FLOAT),
    (None, "nan", NOT_A_FLOAT),
    (None, "1e5000", NOT_A_FLOAT),
    (None, b"1\x002", NOT_A_FLOAT),
    ("12abc", "1", NOT_A_FLOAT),
    ("abc", "abc", NOT_A_FLOAT),
    (None, "inf", WOULD_BE_NAN),
    ("inf", "1", WOULD_BE_NAN),
    ("1e4932", "1e4932", WOULD_BE_NAN),
    ("-1e4932", "-1e4932", WOULD_BE_NAN),
], ids=lambda v: repr(v) if not isinstance(v, bytes) else "nul")
def test_incrbyfloat_refuses_nan_infinity_and_non_numbers(r, connect, start,
                                                          incr, expected):
    if start is not None:
        r.set("f", start)
    expect(connect(), ("INCRBYFLOAT", "f", incr), expected,
           "both the value and the increment must be whole floats (no "
           "spaces, no NaN, no overflow to infinity); \"inf\" itself parses, "
           "but the sum may not be infinite")
    assert r.get("f") == (start.encode() if start else None)


@pytest.mark.step("9h")
def test_incrbyfloat_on_a_list_is_wrongtype(r, connect):
    r.rpush("list", "x")
    expect(connect(), ("INCRBYFLOAT", "list", "1"), WRONGTYPE)


# ---------------------------------------------------------------------------
# LCS
# ---------------------------------------------------------------------------

@pytest.mark.step("9i")
def test_lcs_examples_from_the_redis_docs(r, connect):
    r.mset({"key1": "ohmytext", "key2": "mynewtext"})
    m47 = array(ints(4, 7), ints(5, 8))
    m23 = array(ints(2, 3), ints(0, 1))
    run_table(connect(), [
        (("LCS", "key1", "key2"), bulk("mytext")),
        (("LCS", "key1", "key2", "LEN"), integer(6)),
        (("LCS", "key1", "key2", "IDX"),
         array(bulk("matches"), array(m47, m23), bulk("len"), integer(6))),
        (("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"),
         array(bulk("matches"), array(m47), bulk("len"), integer(6))),
        (("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
         array(bulk("matches"),
               array(array(ints(4, 7), ints(5, 8), integer(4))),
               bulk("len"), integer(6))),
        (("LCS", "key1", "key2", "IDX", "WITHMATCHLEN"),
         array(bulk("matches"),
               array(array(ints(4, 7), ints(5, 8), integer(4)),
                     array(ints(2, 3), ints(0, 1), integer(2))),
               bulk("len"), integer(6))),
        (("LCS", "key1", "key2", "MINMATCHLEN", "-5", "IDX"),
         array(bulk("matches"), array(m47, m23), bulk("len"), integer(6))),
    ], "matches are listed from the end of the strings backwards, each as "
       "[[start1, end1], [start2, end2]] (+ its length with WITHMATCHLEN)")


@pytest.mark.step("9i")
def test_lcs_of_missing_keys_and_more_shapes(r, connect):
    r.mset({"key1": "ohmytext", "a": "abcd", "b": "abcd", "x": "xaxbx",
            "y": "yaybyy"})
    run_table(connect(), [
        (("LCS", "key1", "missing"), EMPTY_BULK),
        (("LCS", "missing", "other", "IDX"),
         array(bulk("matches"), array(), bulk("len"), integer(0))),
        (("LCS", "missing", "other", "LEN"), integer(0)),
        (("LCS", "a", "b", "IDX", "WITHMATCHLEN"),
         array(bulk("matches"),
               array(array(ints(0, 3), ints(0, 3), integer(4))),
               bulk("len"), integer(4))),
        (("LCS", "x", "y"), bulk("ab")),
        (("LCS", "x", "y", "IDX", "WITHMATCHLEN"),
         array(bulk("matches"),
               array(array(ints(3, 3), ints(3, 3), integer(1)),
                     array(ints(1, 1), ints(1, 1), integer(1))),
               bulk("len"), integer(2))),
        (("LCS", "key1", "key1", "LEN", "LEN"), integer(8)),
        (("LCS", "key1", "a", "WITHMATCHLEN"), EMPTY_BULK),
    ])


@pytest.mark.step("9i")
@pytest.mark.parametrize("args, expected", [
    (("LCS", "key1", "key2", "LEN", "IDX"), LCS_LEN_IDX),
    (("LCS", "key1", "key2", "IDX", "LEN"), LCS_LEN_IDX),
    (("LCS", "key1", "key2", "MINMATCHLEN"), SYNTAX),
    (("LCS", "key1", "key2", "MINMATCHLEN", "x"), NOT_AN_INTEGER),
    (("LCS", "key1", "key2", "foo"), SYNTAX),
    (("LCS", "key1", "list"), LCS_TYPES),
    (("LCS", "list", "key1"), LCS_TYPES),
    (("LCS", "list", "key1", "foo"), LCS_TYPES),
    (("LCS", "key1"), arity_error("lcs")),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_lcs_errors(r, connect, args, expected):
    r.mset({"key1": "ohmytext", "key2": "mynewtext"})
    r.rpush("list", "x")
    expect(connect(), args, expected,
           "the types are checked before the options; LEN and IDX together "
           "are refused")


@pytest.mark.step("9i")
def test_lcs_idx_answers_a_map_in_resp3(r, connect):
    r.mset({"key1": "ohmytext", "key2": "mynewtext"})
    conn = connect()
    conn.send(command("HELLO", "3"))
    assert conn.read_available(0.3).startswith(b"%")
    expect(conn, ("LCS", "key1", "key2", "IDX"),
           b"%2\r\n" + bulk("matches") +
           array(array(ints(4, 7), ints(5, 8)), array(ints(2, 3), ints(0, 1)))
           + bulk("len") + integer(6))


@pytest.mark.step("9i")
def test_lcs_refuses_a_table_over_512_mb(r, connect):
    r.set("a", "x" * 12000)
    r.set("b", "y" * 12000)
    expect(connect(), ("LCS", "a", "b", "LEN"), LCS_TOO_BIG,
           "the table has (len1+1) x (len2+1) cells of 4 bytes: 576 MB here, "
           "refused before it is allocated")
    r.set("a", "x" * 2000)
    r.set("b", "y" * 2000)
    expect(connect(), ("LCS", "a", "b", "LEN"), integer(0))


# ---------------------------------------------------------------------------
# SETBIT GETBIT
# ---------------------------------------------------------------------------

@pytest.mark.step("9d")
def test_setbit_grows_the_string_with_zero_bytes(r, connect):
    run_table(connect(), [
        (("SETBIT", "k", "7", "1"), integer(0)),
        (("GET", "k"), bulk(b"\x01")),
        (("SETBIT", "k", "7", "1"), integer(1)),
        (("SETBIT", "k", "7", "0"), integer(1)),
        (("SETBIT", "k", "20", "1"), integer(0)),
        (("GET", "k"), bulk(b"\x00\x00\x08")),
        (("STRLEN", "k"), integer(3)),
        (("SETBIT", "k", "0", "1"), integer(0)),
        (("GET", "k"), bulk(b"\x80\x00\x08")),
        (("GETBIT", "k", "0"), integer(1)),
        (("GETBIT", "k", "20"), integer(1)),
        (("GETBIT", "k", "21"), integer(0)),
        (("GETBIT", "k", "9999"), integer(0)),
        (("GETBIT", "missing", "0"), integer(0)),
        (("GETBIT", "k", "4294967295"), integer(0)),
    ], "bit 0 is the MOST significant bit of byte 0 (0x80); setting a bit "
       "past the end pads with zero bytes; SETBIT answers the old bit")


@pytest.mark.step("9d")
def test_setbit_keeps_the_ttl(r):
    r.set("k", "a", ex=100)
    assert r.setbit("k", 100, 1) == 0
    assert r.ttl("k") == 100 and r.strlen("k") == 13


@pytest.mark.step("9d")
@pytest.mark.parametrize("args, expected", [
    (("SETBIT", "k", "-1", "1"), BIT_OFFSET),
    (("SETBIT", "k", "x", "1"), BIT_OFFSET),
    (("SETBIT", "k", "4294967296", "1"), BIT_OFFSET),
    (("SETBIT", "k", "0", "2"), BIT_VALUE),
    (("SETBIT", "k", "0", "-1"), BIT_VALUE),
    (("SETBIT", "k", "0", "x"), BIT_VALUE),
    (("SETBIT", "list", "0", "1"), WRONGTYPE),
    (("SETBIT", "list", "x", "1"), BIT_OFFSET),
    (("SETBIT", "list", "0", "x"), BIT_VALUE),
    (("GETBIT", "k", "-1"), BIT_OFFSET),
    (("GETBIT", "k", "x"), BIT_OFFSET),
    (("GETBIT", "k", "4294967296"), BIT_OFFSET),
    (("GETBIT", "list", "0"), WRONGTYPE),
    (("GETBIT", "list", "x"), BIT_OFFSET),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_bit_offsets_and_values_are_checked(r, connect, args, expected):
    r.rpush("list", "x")
    expect(connect(), args, expected,
           "an offset is 0 .. 2^32-1 (the last bit of 512 MB); a bit is 0 or "
           "1; both are checked before the key's type")
    assert not r.exists("k")


# ---------------------------------------------------------------------------
# BITCOUNT BITPOS
# ---------------------------------------------------------------------------

BITCOUNT = [
    ((), 26), (("0", "0"), 4), (("1", "1"), 6), (("1", "1", "BYTE"), 6),
    (("5", "30", "BIT"), 17), (("-1", "-2"), 0), (("-2", "-1"), 7),
    (("-100", "100"), 26), (("-1", "-2", "foo"), 0), (("0", "-1", "bit"), 26),
    (("-5", "-1", "BIT"), 2), ((str(LLONG_MAX), str(LLONG_MAX), "bit"), 0),
    ((str(LLONG_MIN), "-1", "bit"), 26), (("3", "3", "bit"), 0),
    (("1", "1", "bit"), 1),
]


@pytest.mark.step("9e")
@pytest.mark.parametrize("args, count", BITCOUNT,
                         ids=[" ".join(a) or "all" for a, _ in BITCOUNT])
def test_bitcount_counts_in_byte_and_bit_ranges(r, connect, args, count):
    r.set("b", "foobar")
    expect(connect(), ("BITCOUNT", "b") + args, integer(count),
           "BYTE ranges count whole bytes, BIT ranges single bits (bit 0 is "
           "the top bit of byte 0); a start > end when both are negative "
           "answers 0 before the unit is even read")


@pytest.mark.step("9e")
@pytest.mark.parametrize("args, expected", [
    (("b", "0"), SYNTAX),
    (("b", "0", "1", "2"), SYNTAX),
    (("b", "0", "1", "bit", "x"), SYNTAX),
    (("b", "x", "1"), NOT_AN_INTEGER),
    (("b", "0", "x"), NOT_AN_INTEGER),
    (("b", "0", "1", "foo"), SYNTAX),
    (("missing", "0", "1", "foo"), integer(0)),
    (("missing", "x"), integer(0)),
    (("e",), integer(0)),
    (("e", "0", "-1", "bit"), integer(0)),
    (("list",), WRONGTYPE),
    (("list", "0", "x"), WRONGTYPE),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_bitcount_arguments(r, connect, args, expected):
    r.set("b", "foobar")
    r.set("e", "")
    r.rpush("list", "x")
    expect(connect(), ("BITCOUNT",) + args, expected,
           "a missing key answers 0 before its arguments are read")


BITPOS = [
    (("a", "0"), 12), (("a", "1"), 0), (("missing", "1"), -1),
    (("missing", "0"), 0), (("missing", "0", "x"), 0), (("a", "0", "1"), 12),
    (("a", "0", "2"), 16), (("a", "1", "2"), -1), (("a", "1", "1", "-1"), 8),
    (("a", "0", "0", "-1"), 12), (("a", "1", "7", "15", "bit"), 7),
    (("a", "0", "7", "15", "BIT"), 12), (("a", "0", "7", "11", "bit"), -1),
    (("a", "1", "12", "-1", "bit"), -1), (("a", "1", "-1", "-2"), -1),
    (("a", "0", "100"), -1), (("a", "1", "100"), -1),
    (("a", "0", "9", "10", "bit"), -1), (("a", "0", "4", "4", "bit"), -1),
    (("f", "0"), 24), (("f", "0", "0"), 24), (("f", "0", "0", "-1"), -1),
    (("f", "0", "0", "-1", "bit"), -1), (("f", "0", "1", "2", "bit"), -1),
    (("f", "1", str(LLONG_MIN), str(LLONG_MAX), "bit"), 0),
    (("f", "0", "9", "-1", "byte"), -1), (("z", "0"), -1), (("z", "1"), -1),
    (("z", "0", "0", "-1"), -1), (("z", "0", "0"), -1),
    (("big", "1"), 8 * 1000 + 3), (("big", "1", "500"), 8 * 1000 + 3),
    (("big", "0", "1000", "1000"), 8 * 1000),
    (("big", "0", "8000", "-1", "bit"), 8000),
    (("big", "1", "8004", "-1", "bit"), -1),
]


@pytest.mark.step("9e")
@pytest.mark.parametrize("args, pos", BITPOS,
                         ids=[" ".join(a) for a, _ in BITPOS])
def test_bitpos_finds_the_first_bit_in_a_range(r, connect, args, pos):
    r.set("a", b"\xff\xf0\x00")
    r.set("f", b"\xff\xff\xff")
    r.set("z", "")
    r.set("big", b"\x00" * 1000 + b"\x10")
    expect(connect(), ("BITPOS",) + args, integer(pos),
           "without an end the string is followed by zero bits (a search for "
           "0 in \\xff\\xff\\xff answers 24); with an end, or in an empty "
           "range, a missing bit answers -1")


@pytest.mark.step("9e")
@pytest.mark.parametrize("args, expected", [
    (("a", "2"), BITPOS_BIT),
    (("a", "-1"), BITPOS_BIT),
    (("a", "x"), NOT_AN_INTEGER),
    (("missing", "2"), BITPOS_BIT),
    (("list", "1"), WRONGTYPE),
    (("list", "2"), BITPOS_BIT),
    (("list", "1", "x"), WRONGTYPE),
    (("a", "0", "x"), NOT_AN_INTEGER),
    (("a", "0", "0", "x"), NOT_AN_INTEGER),
    (("a", "0", "0", "1", "foo"), SYNTAX),
    (("a", "0", "5", "bit"), NOT_AN_INTEGER),
    (("a", "0", "0", "1", "bit", "x"), SYNTAX),
    (("a",), arity_error("bitpos")),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_bitpos_arguments(r, connect, args, expected):
    r.set("a", b"\xff\xf0\x00")
    r.rpush("list", "x")
    expect(connect(), ("BITPOS",) + args, expected)


# ---------------------------------------------------------------------------
# BITOP
# ---------------------------------------------------------------------------

@pytest.mark.step("9f")
def test_bitop_pads_shorter_and_missing_sources_with_zeros(r, connect):
    r.set("a", b"\xff\x0f")
    r.set("b", b"\x0f")
    r.set("e", "")
    run_table(connect(), [
        (("BITOP", "AND", "d", "a", "b"), integer(2)),
        (("GET", "d"), bulk(b"\x0f\x00")),
        (("BITOP", "or", "d", "a", "b"), integer(2)),
        (("GET", "d"), bulk(b"\xff\x0f")),
        (("BITOP", "Xor", "d", "a", "b"), integer(2)),
        (("GET", "d"), bulk(b"\xf0\x0f")),
        (("BITOP", "NOT", "d", "a"), integer(2)),
        (("GET", "d"), bulk(b"\x00\xf0")),
        (("BITOP", "AND", "d", "a", "missing"), integer(2)),
        (("GET", "d"), bulk(b"\x00\x00")),
        (("BITOP", "XOR", "d", "a", "a", "a"), integer(2)),
        (("GET", "d"), bulk(b"\xff\x0f")),
        (("BITOP", "OR", "a", "a", "b"), integer(2)),
        (("GET", "a"), bulk(b"\xff\x0f")),
    ], "the result is as long as the longest source; a shorter or missing "
       "source reads as zero bytes")


@pytest.mark.step("9f")
def test_bitop_with_an_empty_result_deletes_the_destination(r, connect):
    r.set("d", "x", ex=100)
    r.set("e", "")
    r.rpush("list", "y")
    run_table(connect(), [
        (("BITOP", "AND", "d", "missing"), integer(0)),
        (("EXISTS", "d"), integer(0)),
        (("SET", "d", "x"), OK),
        (("BITOP", "OR", "d", "e", "missing"), integer(0)),
        (("EXISTS", "d"), integer(0)),
        (("BITOP", "OR", "list", "missing", "e"), integer(0)),
        (("EXISTS", "list"), integer(0)),
    ], "BITOP stores nothing when every source is empty or missing, and "
       "deletes what the destination held")


@pytest.mark.step("9f")
def test_bitop_replaces_the_destination_and_its_ttl(r):
    r.rpush("dest", "y")
    r.set("a", "1")
    assert r.bitop("OR", "dest", "a") == 1
    assert r.type("dest") == b"string" and r.get("dest") == b"1"
    r.expire("dest", 100)
    r.bitop("OR", "dest", "a")
    assert r.ttl("dest") == -1


@pytest.mark.step("9f")
@pytest.mark.parametrize("args, expected", [
    (("NOT", "d", "a", "b"), BITOP_NOT),
    (("NOT", "d"), arity_error("bitop")),
    (("foo", "d", "a"), SYNTAX),
    (("AND", "d"), arity_error("bitop")),
    (("OR", "d", "list"), WRONGTYPE),
    (("OR", "d", "a", "list"), WRONGTYPE),
    (("NOT", "d", "list"), WRONGTYPE),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_bitop_errors(r, connect, args, expected):
    r.set("a", "x")
    r.set("b", "y")
    r.rpush("list", "x")
    expect(connect(), ("BITOP",) + args, expected)
    assert not r.exists("d")


# ---------------------------------------------------------------------------
# BITFIELD BITFIELD_RO
# ---------------------------------------------------------------------------

def bf(*args):
    return ("BITFIELD", "k") + tuple(str(a) for a in args)


BITFIELD_SEQUENCE = [
    (bf("SET", "u8", 0, 255, "GET", "u8", 0, "SET", "u8", 0, 256, "GET", "u8",
        0), ints(0, 255, 255, 0)),
    (bf("SET", "i8", 0, 200, "GET", "i8", 0), ints(0, -56)),
    (bf("SET", "u8", 0, -1, "GET", "u8", 0), ints(200, 255)),
    (bf("OVERFLOW", "SAT", "SET", "u8", 0, -1, "GET", "u8", 0), ints(255, 255)),
    (bf("overflow", "sat", "set", "u8", 0, 300, "get", "u8", 0),
     ints(255, 255)),
    (bf("OVERFLOW", "FAIL", "SET", "u8", 0, 300, "GET", "u8", 0),
     array(NIL, integer(255))),
    (bf("OVERFLOW", "SAT", "SET", "i8", 0, -300, "GET", "i8", 0),
     ints(-1, -128)),
    (bf("OVERFLOW", "FAIL", "SET", "i8", 0, -300, "GET", "i8", 0),
     array(NIL, integer(-128))),
    (bf("SET", "u8", 0, 100, "INCRBY", "u8", 0, 200, "OVERFLOW", "SAT",
        "INCRBY", "u8", 0, 200, "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 200,
        "INCRBY", "u8", 0, -300, "OVERFLOW", "WRAP", "INCRBY", "u8", 0, -300),
     array(integer(128), integer(44), integer(244), NIL, NIL, integer(200))),
    (bf("SET", "i8", 0, 100, "INCRBY", "i8", 0, 100, "OVERFLOW", "SAT",
        "INCRBY", "i8", 0, 100, "INCRBY", "i8", 0, -300, "OVERFLOW", "FAIL",
        "INCRBY", "i8", 0, -300),
     array(integer(-56), integer(-56), integer(44), integer(-128), NIL)),
    (bf("SET", "i64", 0, LLONG_MAX, "INCRBY", "i64", 0, 1, "OVERFLOW", "SAT",
        "INCRBY", "i64", 0, 1, "SET", "i64", 0, LLONG_MIN, "INCRBY", "i64", 0,
        -1, "OVERFLOW", "WRAP", "INCRBY", "i64", 0, -1),
     ints(LLONG_MIN, LLONG_MIN, -9223372036854775807, -9223372036854775807,
          LLONG_MIN, LLONG_MAX)),
    (bf("SET", "u63", 0, LLONG_MAX, "INCRBY", "u63", 0, 1, "OVERFLOW", "SAT",
        "INCRBY", "u63", 0, 1), ints(4611686018427387903, 0, 1)),
    (bf("SET", "u4", "#1", 15, "GET", "u4", "#1", "GET", "u8", 0),
     ints(0, 15, 15)),
    (("GET", "k"), bulk(b"\x0f\x00\x00\x00\x00\x00\x00\x03")),
    (("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "4"), ints(15, -1)),
    (("BITFIELD_RO", "k", "OVERFLOW", "SAT", "GET", "u8", "0"), ints(15)),
    (bf("SET", "u1", 0, 5, "GET", "u1", 0), ints(0, 1)),
    (bf("SET", "i1", 0, 1, "GET", "i1", 0), ints(-1, -1)),
    (bf("SET", "i1", 0, -2, "GET", "i1", 0), ints(-1, 0)),
    (bf("GET", "i64", 0, "GET", "u63", 1),
     ints(1080863910568919043, 1080863910568919043)),
    (bf("OVERFLOW", "SAT", "SET", "i8", 0, LLONG_MIN, "GET", "i8", 0),
     ints(15, 127)),
    (bf("OVERFLOW", "SAT", "SET", "i8", 0, -9223372036854775000, "GET", "i8",
        0), ints(127, -128)),
    (bf("GET", "u8", "#2305843009213693953"), ints(0)),
    (bf("SET", "u8", 100, 1), ints(0)),
    (("STRLEN", "k"), integer(14)),
    (bf("GET", "u16", 100, "GET", "u16", 108), ints(256, 0)),
]


@pytest.mark.step("9g")
def test_bitfield_overflow_modes_and_types(r, connect):
    run_table(connect(), BITFIELD_SEQUENCE,
              "SET replies the old value, INCRBY the new one; WRAP works "
              "modulo 2^bits (signed: two's complement), SAT sticks at the "
              "limits, FAIL replies nil and writes nothing; an unsigned SET "
              "of a negative value overflows upwards")


@pytest.mark.step("9g")
@pytest.mark.parametrize("args, expected", [
    (("GET",), SYNTAX), (("GET", "u8"), SYNTAX), (("foo",), SYNTAX),
    (("SET", "u8", "0"), SYNTAX), (("GET", "u8", "0", "SET"), SYNTAX),
    (("GET", "x8", "0"), BITFIELD_TYPE), (("GET", "u64", "0"), BITFIELD_TYPE),
    (("GET", "u0", "0"), BITFIELD_TYPE), (("GET", "i65", "0"), BITFIELD_TYPE),
    (("GET", "i0", "0"), BITFIELD_TYPE), (("GET", "U8", "0"), BITFIELD_TYPE),
    (("GET", "u8x", "0"), BITFIELD_TYPE), (("GET", "u08", "0"), BITFIELD_TYPE),
    (("GET", "u8", "-1"), BIT_OFFSET), (("GET", "u8", "x"), BIT_OFFSET),
    (("GET", "u8", "#x"), BIT_OFFSET), (("GET", "u8", "#-1"), BIT_OFFSET),
    (("GET", "u8", "4294967296"), BIT_OFFSET),
    (("GET", "u8", "#536870912"), BIT_OFFSET),
    (("SET", "u8", "#" + str(LLONG_MAX), "1"), BIT_OFFSET),
    (("SET", "u8", "0", "x"), NOT_AN_INTEGER),
    (("INCRBY", "u8", "0", "x"), NOT_AN_INTEGER),
    (("OVERFLOW",), SYNTAX), (("OVERFLOW", "foo"), BITFIELD_OVERFLOW),
    (("OVERFLOW", "foo", "GET", "u8", "0"), BITFIELD_OVERFLOW),
    (("SET", "u8", "0", "1", "GET", "x8", "0"), BITFIELD_TYPE),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_bitfield_refuses_bad_subcommands_before_running_any(r, connect, args,
                                                             expected):
    expect(connect(), ("BITFIELD", "k") + args, expected,
           "every subcommand is parsed before the first runs: an error "
           "anywhere writes nothing")
    assert not r.exists("k")


@pytest.mark.step("9g")
def test_bitfield_reads_and_creates_keys_as_redis_does(r, connect):
    r.rpush("list", "x")
    run_table(connect(), [
        (("BITFIELD", "k"), array()),
        (("BITFIELD", "k", "GET", "u8", "0"), ints(0)),
        (("BITFIELD", "k", "OVERFLOW", "WRAP"), array()),
        (("EXISTS", "k"), integer(0)),
        (("BITFIELD", "k", "GET", "u8", "4294967295"), ints(0)),
        (("BITFIELD", "nk", "OVERFLOW", "FAIL", "SET", "u8", "0", "300"),
         array(NIL)),
        (("GET", "nk"), bulk(b"\x00")),
        (("BITFIELD", "list", "GET", "u8", "0"), WRONGTYPE),
        (("BITFIELD", "list", "SET", "u8", "0", "1"), WRONGTYPE),
        (("BITFIELD", "list"), WRONGTYPE),
        (("BITFIELD", "list", "GET", "x", "0"), BITFIELD_TYPE),
        (("BITFIELD_RO", "k", "SET", "u8", "0", "1"), BITFIELD_RO),
        (("BITFIELD_RO", "k", "INCRBY", "u8", "0", "1"), BITFIELD_RO),
        (("BITFIELD_RO", "list", "GET", "u8", "0"), WRONGTYPE),
        (("BITFIELD_RO", "list", "SET", "u8", "0", "1"), BITFIELD_RO),
        (("BITFIELD_RO", "missing", "GET", "u8", "0"), ints(0)),
        (("BITFIELD_RO", "missing"), array()),
        (("BITFIELD_RO",), arity_error("bitfield_ro")),
        (("BITFIELD",), arity_error("bitfield")),
    ], "GETs alone never create the key; a SET or INCRBY makes room for "
       "its field first, even when it then FAILs")


@pytest.mark.step("9g")
def test_bitfield_keeps_the_ttl(r):
    r.set("k", "a", ex=100)
    assert r.bitfield("k").set("u8", 8, 255).execute() == [0]
    assert r.get("k") == b"a\xff" and r.ttl("k") == 100


# ---------------------------------------------------------------------------
# Every command: WRONGTYPE and arity
# ---------------------------------------------------------------------------

WRONGTYPE_COMMANDS = [
    ("GETSET", "list", "v"), ("GETDEL", "list"), ("GETEX", "list"),
    ("SETRANGE", "list", "0", "x"), ("GETRANGE", "list", "0", "1"),
    ("SUBSTR", "list", "0", "1"), ("INCRBYFLOAT", "list", "1"),
    ("SETBIT", "list", "0", "1"), ("GETBIT", "list", "0"),
    ("BITCOUNT", "list"), ("BITPOS", "list", "1"),
    ("BITOP", "AND", "d", "list"), ("BITFIELD", "list", "GET", "u8", "0"),
    ("BITFIELD_RO", "list", "GET", "u8", "0"),
]


@pytest.mark.parametrize("args", [by_command(a) for a in WRONGTYPE_COMMANDS])
def test_string_commands_on_a_list_answer_wrongtype(r, connect, args):
    r.rpush("list", "x")
    expect(connect(), args, WRONGTYPE,
           "check the type of the key before touching it (stage 4's "
           "command_check_type)")
    assert r.lrange("list", 0, -1) == [b"x"]


ARITY = [
    ("setnx", "k"), ("setex", "k", "10"), ("psetex", "k", "10"),
    ("getset", "k"), ("getdel",), ("getex",), ("msetnx",), ("msetnx", "k"),
    ("setrange", "k", "0"), ("getrange", "k", "0"), ("substr", "k", "0"),
    ("incrbyfloat", "k"), ("lcs", "k"), ("setbit", "k", "0"),
    ("getbit", "k"), ("bitcount",), ("bitpos", "k"), ("bitop", "and", "d"),
    ("bitfield",), ("bitfield_ro",),
]


@pytest.mark.parametrize("args", [by_command(a) for a in ARITY])
def test_wrong_numbers_of_arguments_are_refused(r, connect, args):
    expect(connect(), args, arity_error(args[0]))


# ---------------------------------------------------------------------------
# The append-only file
# ---------------------------------------------------------------------------

def write_everything(c):
    """Writes of every kind this extension logs; returns nothing."""
    c.setex("setex", 1000, "v")
    c.psetex("psetex", 2000000, "v")
    c.set("getex", "v")
    c.getex("getex", ex=3000)
    c.set("persisted", "v", ex=100)
    c.getex("persisted", persist=True)
    c.set("float", "10.5", ex=4000)
    c.incrbyfloat("float", "0.1")
    c.incrbyfloat("newfloat", "3e3")
    c.setbit("bits", 100, 1)
    c.setbit("bits", 3, 1)
    c.setrange("range", 3, "abc")
    c.set("gone", "x")
    c.getdel("gone")
    c.set("old", "1", ex=100)
    c.getset("old", "2")
    c.msetnx({"m1": "a", "m2": "b"})
    c.bitop("XOR", "xor", "bits", "range")
    c.execute_command("BITFIELD", "field", "SET", "i8", "#1", "-3",
                      "INCRBY", "u4", "0", "9")
    c.set("past", "x")
    c.getex("past", pxat=1)


def snapshot(c):
    """Every key's value and TTL (to the nearest 10 s, as time passes)."""
    out = {}
    for key in sorted(c.keys("*")):
        ttl = c.ttl(key)
        out[key] = (c.get(key), ttl if ttl < 0 else round(ttl, -1))
    return out


@pytest.mark.step("9h")
@pytest.mark.long_double
def test_strings_survive_a_restart_with_their_ttls(server_factory, suite):
    server = RestartableServer(server_factory, *aof_on(suite.own_binary))
    c = server.client()
    write_everything(c)
    before = snapshot(c)
    assert before[b"float"] == (b"10.6", 4000)
    assert before[b"getex"][1] == 3000 and b"past" not in before
    c = server.restart()
    after = snapshot(c)
    assert after == before, why(
        "After a restart the strings differ:\n  before %r\n  after  %r"
        % (before, after),
        "every write that changed something goes to the AOF, with "
        "relative times made absolute")


@pytest.mark.step("9h")
@pytest.mark.long_double
@pytest.mark.project_only
def test_the_aof_holds_absolute_times_and_results(server_factory, suite):
    server = RestartableServer(server_factory, *aof_on(suite.own_binary))
    c = server.client()
    c.setex("k", 1000, "v")
    c.getex("k", ex=2000)
    c.getex("k", persist=True)
    c.getex("k")
    c.set("f", "10.5")
    c.incrbyfloat("f", "0.1")
    c.getset("f", "1")
    c.getdel("f")
    c.setbit("b", 7, 0)
    c.setbit("b", 7, 0)
    server.stop()
    with open(os.path.join(server.dir, "appendonly.aof"), "rb") as f:
        logged = aof_commands(f.read())
    names = [args[0] for args in logged]
    assert names == [b"SET", b"PEXPIREAT", b"PERSIST", b"SET", b"SET",
                     b"SET", b"DEL", b"SETBIT"], why(
        "The AOF holds %r." % logged,
        "SETEX is logged as SET k v PXAT <ms>, GETEX EX as PEXPIREAT, GETEX "
        "PERSIST as PERSIST, INCRBYFLOAT as SET k <result> KEEPTTL, GETSET "
        "as SET, GETDEL as DEL; a GETEX or SETBIT that changed nothing is "
        "not logged")
    assert logged[0][3].upper() == b"PXAT" and int(logged[0][4]) > 10 ** 12
    assert int(logged[1][2]) > 10 ** 12
    assert logged[4] == [b"SET", b"f", b"10.6", b"KEEPTTL"]
