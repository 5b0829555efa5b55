"""Stage 3: SET's options: EX PX EXAT PXAT NX XX KEEPTTL GET.

SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms |
KEEPTTL], options in any order and any case. Redis parses them in two steps,
and the order shows in which error a bad command gets:

1. Every option is read first. An unknown word, a missing time, or two that
   exclude each other (NX with XX, two different expiry kinds, an expiry with
   KEEPTTL) is `ERR syntax error`, whatever the times look like. The same
   option twice is allowed: the last one wins, and only its time is parsed.
2. Then the time: not a strict 64-bit integer is `ERR value is not an integer
   or out of range`; zero, negative, or overflowing once turned into absolute
   milliseconds is `ERR invalid expire time in 'set' command`.

A SET that fails changes nothing. A plain SET (or any SET that writes without
KEEPTTL) removes the key's TTL. An expiry time already in the past is
accepted, and the key is gone at once.

The wrong servers these tests catch, step by step:
  3a  one that stores EX's seconds as if they were an absolute time, reads
      PX as seconds, keeps time on a monotonic clock (so EXAT and PXAT, Unix
      times, come out wrong), compares option names case-sensitively, or
      overflows on a huge time that still fits in 64-bit milliseconds;
  3b  one whose GET still finds a key after its time (no lazy expiry), or
      that refuses an EXAT or PXAT in the past instead of replying +OK and
      expiring the key at once;
  3c  one whose plain SET keeps the old TTL, or whose SET PX keeps the old
      EX;
  3d  one whose NX or XX writes anyway, or sets the TTL of a SET it
      stopped; whose GET replies +OK, nil for an empty old value, or nil
      when NX stopped the write; that refuses NX with GET (Redis 6.2 did) or
      wants the options in a fixed order; whose SET ... GET or SET ... XX
      keeps the TTL; whose KEEPTTL drops the TTL, or revives a dead key's;
      or whose NX, XX or GET see an expired key as alive;
  3e  one that parses each time as it meets it (so SET k v EX abc NX XX
      gets the integer error, not the syntax error), accepts conflicting
      options or an unknown word, treats a repeated option as a conflict or
      parses an earlier repeated time, accepts a time that is 0, negative or
      overflows once made absolute, parses times with atoi, or writes
      anything when it replies an error.
"""

import time

import pytest

from helpers import bulk, command, error, expect_reply, sleep_until

pytestmark = pytest.mark.stage(3)

SYNTAX = error("ERR syntax error")
NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
INVALID_TIME = error("ERR invalid expire time in 'set' command")
OK = b"+OK\r\n"
NIL = b"$-1\r\n"
INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775808
# 10^13 ms is about 317 years: far enough from the limit that "now" added to
# it never overflows (until the year 2286), close enough to be a large value.
FAR_PX = INT64_MAX - 10 ** 13
FAR_EX = FAR_PX // 1000


def now_ms():
    return int(time.time() * 1000)


def expire_soon(r, key, value=b"v", ms=100):
    """SET key value PX ms; returns the monotonic time it is surely gone."""
    assert r.set(key, value, px=ms) is True
    return time.monotonic() + ms / 1000 + 0.02


def assert_unchanged(r, key=b"k", value=b"old"):
    __tracebackhide__ = True
    assert r.get(key) == value, (
        "a SET that replied an error must not touch the key; see workshop.md "
        "chapter 3")
    assert r.ttl(key) == -1, (
        "a SET that replied an error must not give the key a TTL; parse and "
        "check every option before writing anything")


# ---------------------------------------------------------------------------
# EX PX EXAT PXAT: valid times
# ---------------------------------------------------------------------------

@pytest.mark.step("3a")
def test_set_ex_replies_ok_and_gives_the_key_a_ttl_in_seconds(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "k", "v", "EX", "100"), OK, chapter=3,
                 hint="SET with EX replies +OK like a plain SET")
    expect_reply(conn, command("TTL", "k"), b":100\r\n", chapter=3,
                 hint="SET with EX must store an absolute expiry time "
                      "(now + 100 s); TTL replies the seconds left, rounded")
    assert r.get(b"k") == b"v"


@pytest.mark.step("3a")
def test_set_px_gives_the_key_a_ttl_in_milliseconds(r):
    assert r.set(b"k", b"v", px=100000) is True
    pttl = r.pttl(b"k")
    assert 99000 < pttl <= 100000, (
        "PTTL after SET ... PX 100000 was %d: PX counts milliseconds, and "
        "PTTL replies the milliseconds left" % pttl)


@pytest.mark.step("3a")
def test_set_exat_expires_at_a_unix_time_in_seconds(r):
    at = int(time.time()) + 100
    assert r.set(b"k", b"v", exat=at) is True
    ttl = r.ttl(b"k")
    assert 98 <= ttl <= 100, (
        "TTL after SET ... EXAT <now + 100> was %d: EXAT is an absolute Unix "
        "time in seconds (wall clock, not a monotonic one)" % ttl)


@pytest.mark.step("3a")
def test_set_pxat_expires_at_a_unix_time_in_milliseconds(r):
    at = now_ms() + 100000
    assert r.set(b"k", b"v", pxat=at) is True
    pttl = r.pttl(b"k")
    assert 98000 < pttl <= 101000, (
        "PTTL after SET ... PXAT <now + 100000 ms> was %d: PXAT is an "
        "absolute Unix time in milliseconds" % pttl)


CASES = [("ex", "100"), ("Ex", "100"), ("px", "100000"), ("pX", "100000"),
         ("exat", None), ("ExAt", None), ("pxat", None), ("PxAt", None)]


@pytest.mark.step("3a")
@pytest.mark.parametrize("option, amount", CASES, ids=[c[0] for c in CASES])
def test_expiry_options_are_case_insensitive(r, connect, option, amount):
    if amount is None:
        amount = (str(int(time.time()) + 100) if option.lower() == "exat"
                  else str(now_ms() + 100000))
    expect_reply(connect(), command("SET", "k", "v", option, amount), OK,
                 chapter=3,
                 hint="compare option names case-insensitively "
                      "(strcasecmp), like command names")
    assert 98 <= r.ttl(b"k") <= 100


@pytest.mark.step("3d")
def test_options_may_come_in_any_order(r, connect):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", "get", "ex", "100",
                                    "xx"), bulk("old"), chapter=3,
                 hint="SET's options are words after the value, in any "
                      "order")
    assert r.get(b"k") == b"new"
    assert r.ttl(b"k") == 100


@pytest.mark.step("3a")
def test_set_ex_with_a_huge_value_that_fits_is_accepted(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "k", "v", "EX", str(FAR_EX)), OK,
                 chapter=3,
                 hint="EX %d is about 292 million years: it fits in 64-bit "
                      "milliseconds once now is added" % FAR_EX)
    expect_reply(conn, command("TTL", "k"), b":%d\r\n" % FAR_EX, chapter=3,
                 hint="TTL replies (ms left + 500) / 1000 without "
                      "overflowing")


@pytest.mark.step("3a")
def test_set_px_with_a_huge_value_that_fits_is_accepted(r, connect):
    expect_reply(connect(), command("SET", "k", "v", "PX", str(FAR_PX)), OK,
                 chapter=3)
    pttl = r.pttl(b"k")
    assert FAR_PX - 5000 < pttl <= FAR_PX, (
        "PTTL after SET ... PX %d was %d" % (FAR_PX, pttl))


@pytest.mark.step("3a")
@pytest.mark.parametrize("option, amount", [
    ("EXAT", INT64_MAX // 1000),
    ("PXAT", INT64_MAX),
], ids=["exat-largest", "pxat-int64-max"])
def test_absolute_times_up_to_the_64_bit_limit_are_accepted(r, connect,
                                                            option, amount):
    expect_reply(connect(), command("SET", "k", "v", option, str(amount)), OK,
                 chapter=3,
                 hint="EXAT %d is %d ms, PXAT %d itself: both fit in a "
                      "signed 64-bit integer and nothing is added to them"
                      % (INT64_MAX // 1000, INT64_MAX // 1000 * 1000,
                         INT64_MAX))
    pttl = r.pttl(b"k")
    assert pttl > INT64_MAX - 10 ** 13, (
        "PTTL of a key expiring near the end of 64-bit time was %d" % pttl)


# ---------------------------------------------------------------------------
# EX PX EXAT PXAT: invalid times
# ---------------------------------------------------------------------------

NON_POSITIVE = [(opt, amount) for opt in ("EX", "PX", "EXAT", "PXAT")
                for amount in ("0", "-1", str(INT64_MIN))]


@pytest.mark.step("3e")
@pytest.mark.parametrize("option, amount", NON_POSITIVE,
                         ids=["%s %s" % c for c in NON_POSITIVE])
def test_zero_or_negative_time_is_an_invalid_expire_time(r, connect, option,
                                                         amount):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", option, amount),
                 INVALID_TIME, chapter=3,
                 hint="SET refuses a time <= 0 for every expiry option "
                      "(EXPIRE accepts it and deletes the key; SET does not)")
    assert_unchanged(r)


OVERFLOW = [
    ("EX", str(INT64_MAX)),
    ("EX", str(INT64_MAX // 1000 + 1)),      # * 1000 would overflow
    ("EX", str(INT64_MAX // 1000)),          # * 1000 fits, + now does not
    ("PX", str(INT64_MAX)),                  # + now overflows
    ("PX", str(INT64_MAX - 10 ** 12)),       # + now (> 10^12 ms) overflows
    ("EXAT", str(INT64_MAX // 1000 + 1)),    # * 1000 would overflow
    ("EXAT", str(INT64_MAX)),
]


@pytest.mark.step("3e")
@pytest.mark.parametrize("option, amount", OVERFLOW,
                         ids=["%s %s" % c for c in OVERFLOW])
def test_time_overflowing_64_bit_milliseconds_is_an_invalid_expire_time(
        r, connect, option, amount):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", option, amount),
                 INVALID_TIME, chapter=3,
                 hint="check before multiplying by 1000 (seconds > "
                      "INT64_MAX / 1000) and before adding now (ms > "
                      "INT64_MAX - now): signed overflow is undefined "
                      "behaviour in C, not an error you can test afterwards")
    assert_unchanged(r)


NOT_INTEGERS = ["abc", "1.5", "", " 10", "10 ", "+10", "010", "-0", "0x10",
                "9223372036854775808", "-9223372036854775809"]


@pytest.mark.step("3e")
@pytest.mark.parametrize("amount", NOT_INTEGERS,
                         ids=[repr(a)[1:-1] or "empty" for a in NOT_INTEGERS])
@pytest.mark.parametrize("option", ["EX", "PX", "EXAT", "PXAT"])
def test_time_that_is_not_a_strict_64_bit_integer_is_refused(
        r, connect, option, amount):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", option, amount),
                 NOT_AN_INTEGER, chapter=3,
                 hint="parse the time with the same strict integer parser "
                      "as INCRBY (string2ll): no sign '+', no spaces, no "
                      "leading zero, no '-0', in range")
    assert_unchanged(r)


# ---------------------------------------------------------------------------
# Syntax errors: options that exclude each other, unknown or incomplete ones
# ---------------------------------------------------------------------------

CONFLICTS = [
    ("EX", "10", "PX", "100"),
    ("PX", "100", "EX", "10"),
    ("EX", "10", "EXAT", "100000000000"),
    ("EX", "10", "PXAT", "100000000000000"),
    ("PX", "100", "PXAT", "100000000000000"),
    ("EXAT", "100000000000", "PX", "100"),
    ("PXAT", "100000000000000", "EXAT", "100000000000"),
    ("EX", "10", "KEEPTTL"),
    ("KEEPTTL", "EX", "10"),
    ("KEEPTTL", "PX", "100"),
    ("KEEPTTL", "EXAT", "100000000000"),
    ("PXAT", "100000000000000", "KEEPTTL"),
    ("NX", "XX"),
    ("XX", "NX"),
    ("NX", "XX", "GET"),
    ("GET", "NX", "XX"),
    ("EX", "10", "NX", "XX"),
    ("GET", "EX", "100", "KEEPTTL"),
]


@pytest.mark.step("3e")
@pytest.mark.parametrize("options", CONFLICTS,
                         ids=[" ".join(c) for c in CONFLICTS])
def test_conflicting_options_are_a_syntax_error(r, connect, options):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", *options), SYNTAX,
                 chapter=3,
                 hint="at most one of EX/PX/EXAT/PXAT/KEEPTTL, and NX and XX "
                      "exclude each other; a conflict is `ERR syntax "
                      "error`, and nothing is written")
    assert_unchanged(r)


INCOMPLETE = [
    ("EX",), ("PX",), ("EXAT",), ("PXAT",), ("NX", "PX"), ("EX", "10", "EX"),
    ("FOO",), ("EX", "10", "FOO"), ("GET", "FOO"), ("NXX",), ("EX10",),
    ("KEEP",),
]


@pytest.mark.step("3e")
@pytest.mark.parametrize("options", INCOMPLETE,
                         ids=[" ".join(c) for c in INCOMPLETE])
def test_unknown_option_or_missing_time_is_a_syntax_error(r, connect,
                                                          options):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", *options), SYNTAX,
                 chapter=3,
                 hint="an unknown word, or EX/PX/EXAT/PXAT as the last "
                      "argument with no time after it, is `ERR syntax "
                      "error`")
    assert_unchanged(r)


@pytest.mark.step("3e")
def test_unknown_option_on_a_missing_key_creates_nothing(r, connect):
    expect_reply(connect(), command("SET", "k", "v", "NX", "FOO"), SYNTAX,
                 chapter=3)
    assert r.exists(b"k") == 0


@pytest.mark.step("3e")
@pytest.mark.parametrize("options", [
    ("EX", "abc", "NX", "XX"),
    ("NX", "XX", "EX", "abc"),
    ("EX", "10", "PX", "abc"),
    ("PX", "abc", "EX", "10"),
    ("EX", "0", "PX", "5"),
    ("EX", "10", "PX", "0"),
], ids=["bad-time-then-nx-xx", "nx-xx-then-bad-time", "ex-then-px-abc",
        "px-abc-then-ex", "ex-0-then-px", "ex-then-px-0"])
def test_syntax_is_checked_before_the_time(r, connect, options):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", *options), SYNTAX,
                 chapter=3,
                 hint="read every option first (syntax), and only then "
                      "parse and check the time")
    assert_unchanged(r)


# ---------------------------------------------------------------------------
# Repeated options
# ---------------------------------------------------------------------------

@pytest.mark.step("3e")
def test_repeated_ex_is_allowed_and_the_last_one_wins(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "k", "v", "EX", "10", "EX", "200"), OK,
                 chapter=3,
                 hint="the same option twice is not a conflict")
    expect_reply(conn, command("TTL", "k"), b":200\r\n", chapter=3,
                 hint="with EX given twice, the last time counts")


@pytest.mark.step("3e")
def test_only_the_last_repeated_time_is_parsed(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "k", "v", "EX", "abc", "EX", "100"), OK,
                 chapter=3,
                 hint="Redis keeps a pointer to the last EX's argument and "
                      "parses it after the loop: an earlier bad time is "
                      "never looked at")
    expect_reply(conn, command("TTL", "k"), b":100\r\n", chapter=3)
    r.set(b"k", b"old")
    expect_reply(conn, command("SET", "k", "new", "EX", "100", "EX", "abc"),
                 NOT_AN_INTEGER, chapter=3,
                 hint="the last EX's time is the one parsed")
    expect_reply(conn, command("SET", "k", "new", "PX", "100", "PX", "0"),
                 INVALID_TIME, chapter=3)
    assert_unchanged(r)


@pytest.mark.step("3e")
@pytest.mark.parametrize("options, expected", [
    (("NX", "NX"), OK),
    (("XX", "XX"), NIL),
    (("GET", "GET"), NIL),
    (("KEEPTTL", "KEEPTTL"), OK),
], ids=["NX NX", "XX XX", "GET GET", "KEEPTTL KEEPTTL"])
def test_repeated_flags_are_allowed(r, connect, options, expected):
    expect_reply(connect(), command("SET", "k", "v", *options), expected,
                 chapter=3,
                 hint="a flag given twice is the same flag: not an error")


# ---------------------------------------------------------------------------
# NX XX GET
# ---------------------------------------------------------------------------

@pytest.mark.step("3d")
def test_nx_sets_a_missing_key(r, connect):
    expect_reply(connect(), command("SET", "k", "v", "NX", "EX", "100"), OK,
                 chapter=3)
    assert r.get(b"k") == b"v"
    assert r.ttl(b"k") == 100


@pytest.mark.step("3d")
def test_nx_on_an_existing_key_replies_nil_and_changes_nothing(r, connect):
    r.set(b"k", b"old", ex=100)
    expect_reply(connect(), command("SET", "k", "new", "NX", "EX", "5"), NIL,
                 chapter=3,
                 hint="SET NX on an existing key is not an error: it replies "
                      "the null bulk string and writes nothing, not even the "
                      "TTL")
    assert r.get(b"k") == b"old"
    assert r.ttl(b"k") == 100


@pytest.mark.step("3d")
def test_xx_on_a_missing_key_replies_nil_and_creates_nothing(r, connect):
    expect_reply(connect(), command("SET", "k", "v", "XX"), NIL, chapter=3,
                 hint="SET XX only overwrites: on a missing key it replies "
                      "$-1 and creates nothing")
    assert r.exists(b"k") == 0


@pytest.mark.step("3d")
def test_xx_overwrites_an_existing_key(r, connect):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", "XX", "EX", "100"), OK,
                 chapter=3)
    assert r.get(b"k") == b"new"
    assert r.ttl(b"k") == 100


@pytest.mark.step("3d")
def test_get_on_a_missing_key_replies_nil_and_sets_it(r, connect):
    expect_reply(connect(), command("SET", "k", "v", "GET"), NIL, chapter=3,
                 hint="SET ... GET replies the old value as a bulk string, "
                      "$-1 when there was none, and sets the key either way")
    assert r.get(b"k") == b"v"


@pytest.mark.step("3d")
def test_get_on_an_existing_key_replies_the_old_value(r, connect):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", "GET", "EX", "100"),
                 bulk("old"), chapter=3,
                 hint="take the old value before overwriting it (and before "
                      "freeing it)")
    assert r.get(b"k") == b"new"
    assert r.ttl(b"k") == 100


@pytest.mark.step("3d")
def test_get_of_an_empty_old_value_is_an_empty_bulk_string(r, connect):
    r.set(b"k", b"")
    expect_reply(connect(), command("SET", "k", "new", "GET"), b"$0\r\n\r\n",
                 chapter=3, hint="an empty old value is $0, not the null $-1")


@pytest.mark.step("3d")
def test_nx_with_get_is_allowed_and_sets_a_missing_key(r, connect):
    expect_reply(connect(), command("SET", "k", "v", "NX", "GET"), NIL,
                 chapter=3,
                 hint="Redis 7.0 accepts NX together with GET (6.2 did not)")
    assert r.get(b"k") == b"v"


@pytest.mark.step("3d")
def test_nx_with_get_on_an_existing_key_replies_it_and_keeps_it(r, connect):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", "NX", "GET"),
                 bulk("old"), chapter=3,
                 hint="with GET, a SET that NX stops still replies the "
                      "current value, not $-1")
    assert r.get(b"k") == b"old"


@pytest.mark.step("3d")
def test_xx_with_get_on_a_missing_key_replies_nil_and_creates_nothing(
        r, connect):
    expect_reply(connect(), command("SET", "k", "v", "XX", "GET"), NIL,
                 chapter=3)
    assert r.exists(b"k") == 0


@pytest.mark.step("3d")
def test_xx_with_get_on_an_existing_key_replies_the_old_value(r, connect):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", "XX", "GET"),
                 bulk("old"), chapter=3)
    assert r.get(b"k") == b"new"


@pytest.mark.step("3d")
def test_get_is_case_insensitive_too(r, connect):
    r.set(b"k", b"old")
    expect_reply(connect(), command("set", "k", "new", "gEt", "nX"),
                 bulk("old"), chapter=3)


# ---------------------------------------------------------------------------
# KEEPTTL, and a plain SET clearing the TTL
# ---------------------------------------------------------------------------

@pytest.mark.step("3c")
def test_plain_set_removes_the_ttl(r, connect):
    r.set(b"k", b"v", ex=100)
    conn = connect()
    expect_reply(conn, command("SET", "k", "w"), OK, chapter=3)
    expect_reply(conn, command("TTL", "k"), b":-1\r\n", chapter=3,
                 hint="a SET without KEEPTTL replaces the key and its TTL: "
                      "remove the key from the expires table too")


@pytest.mark.step("3d")
def test_set_with_get_but_without_keepttl_removes_the_ttl(r):
    r.set(b"k", b"v", ex=100)
    assert r.set(b"k", b"w", get=True) == b"v"
    assert r.ttl(b"k") == -1, "SET ... GET is still a SET: it clears the TTL"


@pytest.mark.step("3d")
def test_set_xx_without_keepttl_removes_the_ttl(r):
    r.set(b"k", b"v", ex=100)
    assert r.set(b"k", b"w", xx=True) is True
    assert r.ttl(b"k") == -1


@pytest.mark.step("3d")
def test_keepttl_keeps_the_ttl(r, connect):
    r.set(b"k", b"v", ex=100)
    conn = connect()
    expect_reply(conn, command("SET", "k", "w", "KEEPTTL"), OK, chapter=3)
    expect_reply(conn, command("TTL", "k"), b":100\r\n", chapter=3,
                 hint="KEEPTTL replaces the value but keeps the key's "
                      "expiry time")
    assert r.get(b"k") == b"w"


@pytest.mark.step("3d")
def test_keepttl_with_get_keeps_the_ttl_and_replies_the_old_value(r,
                                                                 connect):
    r.set(b"k", b"v", ex=100)
    expect_reply(connect(), command("SET", "k", "w", "keepttl", "get"),
                 bulk("v"), chapter=3)
    assert r.ttl(b"k") == 100


@pytest.mark.step("3d")
def test_keepttl_on_a_key_without_ttl_leaves_it_without(r, connect):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command("SET", "k", "w", "KEEPTTL"), OK, chapter=3)
    expect_reply(conn, command("TTL", "k"), b":-1\r\n", chapter=3)


@pytest.mark.step("3d")
def test_keepttl_on_a_missing_key_creates_it_without_ttl(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "k", "v", "KEEPTTL"), OK, chapter=3)
    expect_reply(conn, command("TTL", "k"), b":-1\r\n", chapter=3)


@pytest.mark.step("3c")
def test_set_ex_replaces_an_earlier_ttl(r):
    r.set(b"k", b"v", ex=100)
    assert r.set(b"k", b"w", px=500000) is True
    assert r.ttl(b"k") == 500


# ---------------------------------------------------------------------------
# Times in the past, and keys that expired
# ---------------------------------------------------------------------------

@pytest.mark.step("3b")
@pytest.mark.parametrize("option", ["EXAT", "PXAT"])
def test_absolute_time_in_the_past_is_accepted_and_the_key_is_gone(
        r, connect, option):
    r.set(b"k", b"old")
    conn = connect()
    expect_reply(conn, command("SET", "k", "new", option, "1"), OK,
                 chapter=3,
                 hint="a positive time in the past is valid: SET replies +OK "
                      "and the key is expired at once")
    expect_reply(conn, command("GET", "k"), NIL, chapter=3,
                 hint="a key whose expiry time has passed must look missing "
                      "to every command")
    expect_reply(conn, command("EXISTS", "k"), b":0\r\n", chapter=3)


@pytest.mark.step("3d")
def test_get_with_a_past_time_still_replies_the_old_value(r, connect):
    r.set(b"k", b"old")
    expect_reply(connect(), command("SET", "k", "new", "EXAT", "1", "GET"),
                 bulk("old"), chapter=3)
    assert r.exists(b"k") == 0


@pytest.mark.step("3b")
def test_set_ex_key_expires(r):
    gone = expire_soon(r, b"k")
    assert r.get(b"k") == b"v", (
        "a key with a 100 ms TTL must exist right after the SET")
    sleep_until(gone)
    assert r.get(b"k") is None, (
        "GET more than 100 ms after SET ... PX 100 must reply nil: check "
        "the expiry time on every lookup (lazy expiry)")


@pytest.mark.step("3d")
def test_nx_sets_a_key_that_has_expired(r):
    gone = expire_soon(r, b"k", b"old")
    sleep_until(gone)
    assert r.set(b"k", b"new", nx=True) is True, (
        "an expired key counts as missing for NX: expire it before "
        "checking whether it exists")
    assert r.get(b"k") == b"new"
    assert r.ttl(b"k") == -1


@pytest.mark.step("3d")
def test_xx_does_not_revive_a_key_that_has_expired(r):
    gone = expire_soon(r, b"k", b"old")
    sleep_until(gone)
    assert r.set(b"k", b"new", xx=True) is None, (
        "an expired key counts as missing for XX")
    assert r.exists(b"k") == 0


@pytest.mark.step("3d")
def test_get_of_a_key_that_has_expired_replies_nil(r, connect):
    gone = expire_soon(r, b"k", b"old")
    sleep_until(gone)
    expect_reply(connect(), command("SET", "k", "new", "GET"), NIL,
                 chapter=3,
                 hint="an expired value is not the old value: reply $-1")
    assert r.get(b"k") == b"new"
    assert r.ttl(b"k") == -1


@pytest.mark.step("3d")
def test_keepttl_on_a_key_that_has_expired_does_not_keep_the_dead_ttl(r):
    gone = expire_soon(r, b"k", b"old")
    sleep_until(gone)
    assert r.set(b"k", b"new", keepttl=True) is True
    assert r.get(b"k") == b"new", (
        "SET KEEPTTL on an expired key creates a new key: the old expiry "
        "time, already past, must not carry over")
    assert r.ttl(b"k") == -1
