"""Stage 3: EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL PERSIST, lazy expiry.

EXPIRE key time [NX | XX | GT | LT] (PEXPIRE in ms, EXPIREAT/PEXPIREAT as
absolute Unix times) replies :1 if it set the timeout, :0 if the key is
missing or an option stopped it. Redis checks, in this order:

1. the options: an unknown one is `ERR Unsupported option <word>`; NX with
   any of XX/GT/LT is `ERR NX and XX, GT or LT options at the same time are
   not compatible`; GT with LT is `ERR GT and LT options at the same time
   are not compatible`;
2. the time: not a strict 64-bit integer is `ERR value is not an integer or
   out of range`; overflowing 64-bit milliseconds (seconds times 1000, plus
   now for the relative forms) is `ERR invalid expire time in '<cmd>'
   command`, even for a missing key;
3. the key: missing (or expired) replies :0;
4. the options' conditions: NX only if the key has no TTL, XX only if it has
   one, GT only if the new time is later (no TTL counts as forever, so GT
   never sets one), LT only if it is earlier (no TTL counts as forever, so LT
   always sets one); equal times are neither greater nor less;
5. a time of zero, negative, or in the past deletes the key and replies :1.

TTL and PTTL reply -2 for a missing key, -1 for a key without TTL, else the
time left; TTL rounds to the nearest second. PERSIST replies :1 if it removed
a TTL. INCR/DECR and APPEND keep the TTL; SET and MSET replace it.

A key whose time has passed must look missing to every command at once
(lazy expiry), whether or not the active cycle has removed it yet.

The wrong servers these tests catch, step by step:
  3a  one whose TTL or PTTL answers a missing key with anything but -2 or a
      key without a TTL with anything but -1, whose TTL truncates or rounds
      up instead of rounding to the nearest second, or that keeps time in
      whole seconds (PTTL does not count down by the millisecond);
  3b  one where a dead key is still seen by GET, EXISTS, MGET, STRLEN, TTL,
      PTTL or KEYS, or whose APPEND or INCR on a dead key builds on its old
      value or keeps its TTL;
  3c  one whose INCR, DECR, INCRBY, DECRBY or APPEND delete and set the key
      (dropping its TTL), whose SET or MSET keep the TTL, whose MSET touches
      a key it does not write, or whose DEL or FLUSHALL leave a deadline
      behind for the next key of the same name;
  3f  one that stores EXPIRE's relative time as if it were absolute, or
      EXPIREAT's absolute one as relative; that mixes up seconds and
      milliseconds; that refuses a time <= 0 or in the past instead of
      deleting the key; that wraps around on overflow instead of the
      invalid-expire-time error (naming the command in lower case); that
      looks the key up before parsing the time; that parses with atoi;
      whose PERSIST leaves the TTL or replies 1 for a key without one; or
      that runs EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL or PERSIST
      with a wrong number of arguments;
  3g  one that gets an NX, XX, GT or LT condition wrong (a key without a
      TTL counts as forever, an equal time is neither greater nor less),
      deletes for a past time before checking the condition, accepts NX
      with XX, GT or LT, or GT with LT, gets an error text or the order of
      the checks wrong (options, then time, then key), compares options
      case-sensitively or refuses a repeated one; whose EXPIRE, PEXPIRE,
      PERSIST or DEL see an expired key as alive; or that leaves a removed
      or replaced deadline in the expires table, so the key dies anyway.
"""

import time

import pytest

from helpers import (arity_error, array, bulk, command, error, expect_reply,
                     integer, sleep_until)

pytestmark = pytest.mark.stage(3)

NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
NX_CONFLICT = error("ERR NX and XX, GT or LT options at the same time are "
                    "not compatible")
GT_LT_CONFLICT = error("ERR GT and LT options at the same time are not "
                       "compatible")
ZERO = b":0\r\n"
ONE = b":1\r\n"
NIL = b"$-1\r\n"
INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775808
FAR_PX = INT64_MAX - 10 ** 13      # + now fits until the year 2286
FAR_EX = FAR_PX // 1000
COMMANDS = ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"]


def invalid_time(name):
    return error("ERR invalid expire time in '%s' command" % name.lower())


def now_s():
    return int(time.time())


def now_ms():
    return int(time.time() * 1000)


def expire_soon(r, key, value=b"v", ms=100):
    """SET key value PX ms; returns the monotonic time it is surely gone."""
    assert r.set(key, value, px=ms) is True
    return time.monotonic() + ms / 1000 + 0.02


def in_100_s(name):
    """The time argument meaning "100 seconds from now" for command `name`."""
    return {"EXPIRE": "100", "PEXPIRE": "100000",
            "EXPIREAT": str(now_s() + 100),
            "PEXPIREAT": str(now_ms() + 100000)}[name]


def in_200_s(name):
    return {"EXPIRE": "200", "PEXPIRE": "200000",
            "EXPIREAT": str(now_s() + 200),
            "PEXPIREAT": str(now_ms() + 200000)}[name]


# ---------------------------------------------------------------------------
# The four commands: setting a TTL, missing keys
# ---------------------------------------------------------------------------

@pytest.mark.step("3f")
def test_expire_sets_a_ttl_in_seconds_and_replies_1(r, connect):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command("EXPIRE", "k", "100"), ONE, chapter=3,
                 hint="EXPIRE replies :1 when it set the timeout")
    expect_reply(conn, command("TTL", "k"), b":100\r\n", chapter=3,
                 hint="store the absolute expiry time (now + 100 s, in ms); "
                      "TTL replies (ms left + 500) / 1000")
    assert r.get(b"k") == b"v", "EXPIRE must not change the value"


@pytest.mark.step("3f")
def test_pexpire_sets_a_ttl_in_milliseconds(r, connect):
    r.set(b"k", b"v")
    expect_reply(connect(), command("PEXPIRE", "k", "100000"), ONE, chapter=3)
    pttl = r.pttl(b"k")
    assert 99000 < pttl <= 100000, (
        "PTTL after PEXPIRE k 100000 was %d: PEXPIRE counts milliseconds"
        % pttl)


@pytest.mark.step("3f")
def test_expireat_sets_an_absolute_time_in_seconds(r, connect):
    r.set(b"k", b"v")
    expect_reply(connect(), command("EXPIREAT", "k", str(now_s() + 100)), ONE,
                 chapter=3)
    ttl = r.ttl(b"k")
    assert 98 <= ttl <= 100, (
        "TTL after EXPIREAT <now + 100> was %d: EXPIREAT takes a Unix time "
        "in seconds (the wall clock)" % ttl)


@pytest.mark.step("3f")
def test_pexpireat_sets_an_absolute_time_in_milliseconds(r, connect):
    r.set(b"k", b"v")
    expect_reply(connect(), command("PEXPIREAT", "k", str(now_ms() + 100000)),
                 ONE, chapter=3)
    pttl = r.pttl(b"k")
    assert 98000 < pttl <= 101000, (
        "PTTL after PEXPIREAT <now + 100000 ms> was %d" % pttl)


@pytest.mark.step("3f")
def test_expire_replaces_an_earlier_ttl(r):
    r.set(b"k", b"v", ex=100)
    assert r.expire(b"k", 300) is True
    assert r.ttl(b"k") == 300
    assert r.pexpire(b"k", 50000) is True
    assert r.ttl(b"k") == 50


@pytest.mark.step("3f")
@pytest.mark.parametrize("name", COMMANDS)
def test_expire_of_a_missing_key_replies_0_and_creates_nothing(r, connect,
                                                              name):
    expect_reply(connect(), command(name, "missing", in_100_s(name)), ZERO,
                 chapter=3,
                 hint="no key, nothing to expire: reply :0, not an error")
    assert r.exists(b"missing") == 0


@pytest.mark.step("3f")
@pytest.mark.parametrize("name", COMMANDS)
def test_expire_with_a_past_time_on_a_missing_key_replies_0(r, connect,
                                                            name):
    expect_reply(connect(), command(name, "missing", "-1"), ZERO, chapter=3)


@pytest.mark.step("3f")
def test_command_names_are_case_insensitive(r, connect):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command("expire", "k", "100"), ONE, chapter=3)
    expect_reply(conn, command("tTl", "k"), b":100\r\n", chapter=3)


# ---------------------------------------------------------------------------
# A time that is zero, negative or past deletes the key
# ---------------------------------------------------------------------------

PAST = [("EXPIRE", "0"), ("EXPIRE", "-1"),
        ("EXPIRE", str(INT64_MIN // 1000 + 1)),     # C's INT64_MIN / 1000
        ("PEXPIRE", "0"), ("PEXPIRE", "-1"), ("PEXPIRE", str(INT64_MIN)),
        ("EXPIREAT", "0"), ("EXPIREAT", "1"),
        ("EXPIREAT", str(INT64_MIN // 1000 + 1)),
        ("PEXPIREAT", "0"), ("PEXPIREAT", "1"), ("PEXPIREAT", str(INT64_MIN))]


@pytest.mark.step("3f")
@pytest.mark.parametrize("name, amount", PAST,
                         ids=["%s %s" % p for p in PAST])
def test_non_positive_or_past_time_deletes_the_key_and_replies_1(
        r, connect, name, amount):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command(name, "k", amount), ONE, chapter=3,
                 hint="unlike SET's EX, a time <= 0 or in the past is valid "
                      "here: the key is deleted at once and the reply is :1")
    expect_reply(conn, command("EXISTS", "k"), ZERO, chapter=3,
                 hint="%s k %s must delete the key" % (name, amount))
    expect_reply(conn, command("TTL", "k"), b":-2\r\n", chapter=3)


# ---------------------------------------------------------------------------
# Overflow and non-integers
# ---------------------------------------------------------------------------

OVERFLOW = [
    ("EXPIRE", str(INT64_MAX)),
    ("EXPIRE", str(INT64_MAX // 1000 + 1)),      # * 1000 overflows
    ("EXPIRE", str(INT64_MAX // 1000)),          # * 1000 fits, + now does not
    ("EXPIRE", str(INT64_MIN // 1000)),          # * 1000 underflows
    ("PEXPIRE", str(INT64_MAX)),                 # + now overflows
    ("PEXPIRE", str(INT64_MAX - 10 ** 12)),      # + now (> 10^12 ms) too
    ("EXPIREAT", str(INT64_MAX // 1000 + 1)),
    ("EXPIREAT", str(INT64_MAX)),
    ("EXPIREAT", str(INT64_MIN // 1000)),
    ("expire", str(INT64_MAX)),
    ("ExpireAt", str(INT64_MAX)),
]


@pytest.mark.step("3f")
@pytest.mark.parametrize("name, amount", OVERFLOW,
                         ids=["%s %s" % o for o in OVERFLOW])
def test_time_overflowing_64_bit_milliseconds_is_an_error(r, connect, name,
                                                          amount):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", amount), invalid_time(name),
                 chapter=3,
                 hint="check seconds against INT64_MAX / 1000 and "
                      "INT64_MIN / 1000 before multiplying, and ms against "
                      "INT64_MAX - now before adding; the error names the "
                      "command in lower case")
    assert r.get(b"k") == b"v" and r.ttl(b"k") == -1, (
        "an EXPIRE that replied an error must leave the key alone")


@pytest.mark.step("3f")
@pytest.mark.parametrize("name", ["EXPIRE", "PEXPIRE", "EXPIREAT"])
def test_overflow_is_an_error_even_for_a_missing_key(r, connect, name):
    expect_reply(connect(), command(name, "missing", str(INT64_MAX)),
                 invalid_time(name), chapter=3,
                 hint="Redis checks the time before it looks the key up")


FITS = [("EXPIRE", str(FAR_EX)), ("PEXPIRE", str(FAR_PX)),
        ("EXPIREAT", str(INT64_MAX // 1000)), ("PEXPIREAT", str(INT64_MAX))]


@pytest.mark.step("3f")
@pytest.mark.parametrize("name, amount", FITS, ids=["%s %s" % f for f in FITS])
def test_huge_time_that_fits_is_accepted(r, connect, name, amount):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", amount), ONE, chapter=3,
                 hint="%s k %s fits in a signed 64-bit count of "
                      "milliseconds: it is valid" % (name, amount))
    pttl = r.pttl(b"k")
    assert pttl > INT64_MAX - 2 * 10 ** 13, (
        "PTTL after %s k %s was %d" % (name, amount, pttl))


@pytest.mark.step("3f")
def test_ttl_of_a_huge_timeout_is_exact(r, connect):
    r.set(b"k", b"v")
    r.execute_command("EXPIRE", "k", str(FAR_EX))
    expect_reply(connect(), command("TTL", "k"), b":%d\r\n" % FAR_EX,
                 chapter=3,
                 hint="(ms left + 500) / 1000 must not overflow either")


NOT_INTEGERS = ["abc", "1.5", "", " 10", "10 ", "+10", "010", "-0",
                "9223372036854775808", "-9223372036854775809"]


@pytest.mark.step("3f")
@pytest.mark.parametrize("amount", NOT_INTEGERS,
                         ids=[repr(a)[1:-1] or "empty" for a in NOT_INTEGERS])
@pytest.mark.parametrize("name", COMMANDS)
def test_time_that_is_not_a_strict_integer_is_refused(r, connect, name,
                                                      amount):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", amount), NOT_AN_INTEGER,
                 chapter=3,
                 hint="the same strict parser as INCRBY's increment "
                      "(string2ll)")
    assert r.ttl(b"k") == -1


@pytest.mark.step("3f")
def test_non_integer_time_is_an_error_even_for_a_missing_key(r, connect):
    expect_reply(connect(), command("EXPIRE", "missing", "abc"),
                 NOT_AN_INTEGER, chapter=3,
                 hint="parse the time before looking the key up")


# ---------------------------------------------------------------------------
# NX XX GT LT
# ---------------------------------------------------------------------------

@pytest.mark.step("3g")
@pytest.mark.parametrize("name", COMMANDS)
def test_nx_sets_a_ttl_only_on_a_key_without_one(r, connect, name):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command(name, "k", in_100_s(name), "NX"), ONE,
                 chapter=3, hint="NX: set the TTL only if there is none")
    expect_reply(conn, command(name, "k", in_200_s(name), "NX"), ZERO,
                 chapter=3,
                 hint="NX on a key that has a TTL replies :0 and keeps it")
    assert 98 <= r.ttl(b"k") <= 100


@pytest.mark.step("3g")
@pytest.mark.parametrize("name", COMMANDS)
def test_xx_sets_a_ttl_only_on_a_key_that_has_one(r, connect, name):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command(name, "k", in_100_s(name), "XX"), ZERO,
                 chapter=3,
                 hint="XX: set the TTL only if the key already has one")
    assert r.ttl(b"k") == -1
    r.expire(b"k", 50)
    expect_reply(conn, command(name, "k", in_200_s(name), "XX"), ONE,
                 chapter=3)
    assert 198 <= r.ttl(b"k") <= 200


@pytest.mark.step("3g")
@pytest.mark.parametrize("name", COMMANDS)
def test_gt_never_sets_a_ttl_on_a_key_without_one(r, connect, name):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", in_100_s(name), "GT"), ZERO,
                 chapter=3,
                 hint="no TTL counts as an infinite one, and no time is "
                      "greater than infinity")
    assert r.ttl(b"k") == -1


@pytest.mark.step("3g")
@pytest.mark.parametrize("name", COMMANDS)
def test_lt_always_sets_a_ttl_on_a_key_without_one(r, connect, name):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", in_100_s(name), "LT"), ONE,
                 chapter=3,
                 hint="no TTL counts as an infinite one, and every time is "
                      "less than infinity")
    assert 98 <= r.ttl(b"k") <= 100


@pytest.mark.step("3g")
@pytest.mark.parametrize("name", COMMANDS)
def test_gt_sets_only_a_later_time(r, connect, name):
    r.set(b"k", b"v", ex=150)
    conn = connect()
    expect_reply(conn, command(name, "k", in_100_s(name), "GT"), ZERO,
                 chapter=3, hint="GT: only if the new time is later")
    assert r.ttl(b"k") == 150
    expect_reply(conn, command(name, "k", in_200_s(name), "GT"), ONE,
                 chapter=3)
    assert 198 <= r.ttl(b"k") <= 200


@pytest.mark.step("3g")
@pytest.mark.parametrize("name", COMMANDS)
def test_lt_sets_only_an_earlier_time(r, connect, name):
    r.set(b"k", b"v", ex=150)
    conn = connect()
    expect_reply(conn, command(name, "k", in_200_s(name), "LT"), ZERO,
                 chapter=3, hint="LT: only if the new time is earlier")
    assert r.ttl(b"k") == 150
    expect_reply(conn, command(name, "k", in_100_s(name), "LT"), ONE,
                 chapter=3)
    assert 98 <= r.ttl(b"k") <= 100


@pytest.mark.step("3g")
@pytest.mark.parametrize("option", ["GT", "LT"])
def test_gt_and_lt_refuse_an_equal_time(r, connect, option):
    at = str(now_ms() + 100000)
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command("PEXPIREAT", "k", at), ONE, chapter=3)
    expect_reply(conn, command("PEXPIREAT", "k", at, option), ZERO, chapter=3,
                 hint="the comparison is strict: the same time is neither "
                      "greater nor less")


@pytest.mark.step("3g")
def test_xx_gt_and_xx_lt_combine(r, connect):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command("EXPIRE", "k", "100", "XX", "LT"), ZERO,
                 chapter=3,
                 hint="XX and LT both apply: no TTL fails XX even though LT "
                      "alone would set it")
    r.expire(b"k", 150)
    expect_reply(conn, command("EXPIRE", "k", "100", "XX", "GT"), ZERO,
                 chapter=3)
    expect_reply(conn, command("EXPIRE", "k", "200", "XX", "GT"), ONE,
                 chapter=3)
    expect_reply(conn, command("EXPIRE", "k", "100", "LT", "XX"), ONE,
                 chapter=3)
    assert r.ttl(b"k") == 100


@pytest.mark.step("3g")
@pytest.mark.parametrize("option", ["NX", "XX", "GT", "LT"])
def test_options_on_a_missing_key_reply_0(r, connect, option):
    expect_reply(connect(), command("EXPIRE", "missing", "100", option), ZERO,
                 chapter=3)
    assert r.exists(b"missing") == 0


@pytest.mark.step("3g")
def test_options_are_case_insensitive(r, connect):
    r.set(b"k", b"v")
    conn = connect()
    expect_reply(conn, command("EXPIRE", "k", "100", "nx"), ONE, chapter=3,
                 hint="compare option names case-insensitively")
    expect_reply(conn, command("EXPIRE", "k", "200", "Gt"), ONE, chapter=3)
    expect_reply(conn, command("EXPIRE", "k", "100", "xX", "lt"), ONE,
                 chapter=3)
    assert r.ttl(b"k") == 100


@pytest.mark.step("3g")
@pytest.mark.parametrize("options", [("NX", "NX"), ("GT", "GT"),
                                     ("XX", "XX", "LT")],
                         ids=["NX NX", "GT GT", "XX XX LT"])
def test_repeated_options_are_allowed(r, connect, options):
    r.set(b"k", b"v", ex=300)
    expect_reply(connect(), command("EXPIRE", "k", "200", *options),
                 ONE if options[-1] == "LT" else ZERO, chapter=3,
                 hint="an option given twice is not an error")


@pytest.mark.step("3g")
def test_past_time_with_a_failing_condition_keeps_the_key(r, connect):
    r.set(b"k", b"v", ex=100)
    r.set(b"plain", b"v")
    conn = connect()
    expect_reply(conn, command("EXPIRE", "k", "-1", "GT"), ZERO, chapter=3,
                 hint="check NX/XX/GT/LT before deleting for a past time: a "
                      "condition that fails leaves the key alone")
    expect_reply(conn, command("EXPIRE", "k", "-1", "NX"), ZERO, chapter=3)
    expect_reply(conn, command("PEXPIRE", "plain", str(INT64_MIN), "GT"),
                 ZERO, chapter=3)
    expect_reply(conn, command("EXPIRE", "plain", "-1", "XX"), ZERO,
                 chapter=3)
    assert r.exists(b"k", b"plain") == 2
    assert r.ttl(b"k") == 100 and r.ttl(b"plain") == -1


@pytest.mark.step("3g")
def test_past_time_with_a_passing_condition_deletes_the_key(r, connect):
    r.set(b"k", b"v", ex=100)
    r.set(b"plain", b"v")
    conn = connect()
    expect_reply(conn, command("EXPIRE", "k", "-1", "LT"), ONE, chapter=3)
    expect_reply(conn, command("EXPIRE", "plain", "0", "NX"), ONE, chapter=3)
    assert r.exists(b"k", b"plain") == 0


# ---------------------------------------------------------------------------
# Option errors, and which error comes first
# ---------------------------------------------------------------------------

NX_CONFLICTS = [("NX", "XX"), ("XX", "NX"), ("NX", "GT"), ("GT", "NX"),
                ("NX", "LT"), ("NX", "XX", "GT", "LT"), ("GT", "LT", "NX"),
                ("XX", "NX", "GT"), ("nx", "xx")]


@pytest.mark.step("3g")
@pytest.mark.parametrize("options", NX_CONFLICTS,
                         ids=[" ".join(o) for o in NX_CONFLICTS])
@pytest.mark.parametrize("name", COMMANDS)
def test_nx_with_xx_gt_or_lt_is_an_error(r, connect, name, options):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", in_100_s(name), *options),
                 NX_CONFLICT, chapter=3,
                 hint="NX together with any of XX, GT, LT: this exact text, "
                      "checked before GT with LT")
    assert r.ttl(b"k") == -1


GT_LT = [("GT", "LT"), ("LT", "GT"), ("XX", "GT", "LT"), ("LT", "XX", "GT"),
         ("gt", "lt")]


@pytest.mark.step("3g")
@pytest.mark.parametrize("options", GT_LT, ids=[" ".join(o) for o in GT_LT])
@pytest.mark.parametrize("name", COMMANDS)
def test_gt_with_lt_is_an_error(r, connect, name, options):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", in_100_s(name), *options),
                 GT_LT_CONFLICT, chapter=3,
                 hint="GT with LT (and no NX) has its own message; XX may "
                      "come with either")
    assert r.ttl(b"k") == -1


@pytest.mark.step("3g")
@pytest.mark.parametrize("word", ["FOO", "foo", "GTX", "", "NXX"],
                         ids=["FOO", "foo", "GTX", "empty", "NXX"])
@pytest.mark.parametrize("name", COMMANDS)
def test_unknown_option_is_an_unsupported_option_error(r, connect, name,
                                                       word):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k", in_100_s(name), word),
                 error("ERR Unsupported option " + word), chapter=3,
                 hint="quote the option as the client sent it, after "
                      "'ERR Unsupported option ' (capital U, one space, "
                      "even if the word is empty)")
    assert r.ttl(b"k") == -1


UNSUPPORTED_FOO = error("ERR Unsupported option FOO")
ORDER = [
    (("EXPIRE", "k", "100", "NX", "XX", "FOO"), UNSUPPORTED_FOO),
    (("EXPIRE", "k", "100", "GT", "LT", "FOO"), UNSUPPORTED_FOO),
    (("EXPIRE", "k", "100", "FOO", "GT"), UNSUPPORTED_FOO),
    (("EXPIRE", "k", "abc", "FOO"), UNSUPPORTED_FOO),
    (("PEXPIREAT", "k", "abc", "bar"), error("ERR Unsupported option bar")),
    (("EXPIRE", "k", "abc", "NX", "XX"), NX_CONFLICT),
    (("EXPIRE", "k", "abc", "GT", "LT"), GT_LT_CONFLICT),
    (("EXPIRE", "k", str(INT64_MAX), "NX", "XX"), NX_CONFLICT),
    (("EXPIRE", "k", str(INT64_MAX), "FOO"), UNSUPPORTED_FOO),
    (("EXPIRE", "missing", "100", "FOO"), UNSUPPORTED_FOO),
    (("EXPIRE", "missing", "100", "GT", "LT"), GT_LT_CONFLICT),
]


@pytest.mark.step("3g")
@pytest.mark.parametrize("args, expected", ORDER,
                         ids=[" ".join(o[0]) for o in ORDER])
def test_options_are_checked_before_the_time_and_the_key(r, connect, args,
                                                         expected):
    r.set(b"k", b"v")
    expect_reply(connect(), command(*args), expected, chapter=3,
                 hint="Redis reads every option first (an unknown one stops "
                      "the loop at once), then checks NX/XX/GT/LT "
                      "compatibility, then parses the time, then looks the "
                      "key up")


# ---------------------------------------------------------------------------
# TTL PTTL PERSIST
# ---------------------------------------------------------------------------

@pytest.mark.step("3a")
@pytest.mark.parametrize("name", ["TTL", "PTTL"])
def test_ttl_of_a_missing_key_is_minus_2(r, connect, name):
    expect_reply(connect(), command(name, "missing"), b":-2\r\n", chapter=3,
                 hint="-2: the key does not exist")


@pytest.mark.step("3a")
@pytest.mark.parametrize("name", ["TTL", "PTTL"])
def test_ttl_of_a_key_without_expiry_is_minus_1(r, connect, name):
    r.set(b"k", b"v")
    expect_reply(connect(), command(name, "k"), b":-1\r\n", chapter=3,
                 hint="-1: the key exists and has no TTL")


@pytest.mark.step("3a")
@pytest.mark.parametrize("ms, seconds", [(2900, 3), (2300, 2)],
                         ids=["2900ms-is-3s", "2300ms-is-2s"])
def test_ttl_rounds_to_the_nearest_second(r, connect, ms, seconds):
    r.set(b"k", b"v", px=ms)
    expect_reply(connect(), command("TTL", "k"), integer(seconds), chapter=3,
                 hint="TTL is (ms left + 500) / 1000: rounded, neither "
                      "truncated nor rounded up")


@pytest.mark.step("3a")
def test_pttl_counts_down(r):
    r.set(b"k", b"v", px=10000)
    first = r.pttl(b"k")
    time.sleep(0.05)
    second = r.pttl(b"k")
    assert 0 < second < first <= 10000, (
        "PTTL must be the expiry time minus now, recomputed at each call: "
        "got %d, then %d 50 ms later" % (first, second))
    assert first - second >= 40, (
        "PTTL went from %d to %d in 50 ms: use a clock with millisecond "
        "resolution" % (first, second))


@pytest.mark.step("3f")
def test_persist_removes_the_ttl_and_replies_1(r, connect):
    r.set(b"k", b"v", ex=100)
    conn = connect()
    expect_reply(conn, command("PERSIST", "k"), ONE, chapter=3,
                 hint="PERSIST replies :1 when it removed a TTL")
    expect_reply(conn, command("TTL", "k"), b":-1\r\n", chapter=3)
    expect_reply(conn, command("PERSIST", "k"), ZERO, chapter=3,
                 hint="no TTL left to remove: :0")
    assert r.get(b"k") == b"v"


@pytest.mark.step("3f")
def test_persist_of_a_key_without_ttl_replies_0(r, connect):
    r.set(b"k", b"v")
    expect_reply(connect(), command("PERSIST", "k"), ZERO, chapter=3)


@pytest.mark.step("3f")
def test_persist_of_a_missing_key_replies_0(r, connect):
    expect_reply(connect(), command("PERSIST", "missing"), ZERO, chapter=3)
    assert r.exists(b"missing") == 0


ARITY = [("EXPIRE",), ("EXPIRE", "k"), ("PEXPIRE", "k"), ("EXPIREAT", "k"),
         ("PEXPIREAT", "k"), ("TTL",), ("TTL", "a", "b"), ("PTTL",),
         ("PTTL", "a", "b"), ("PERSIST",), ("PERSIST", "a", "b")]


@pytest.mark.step("3f")
@pytest.mark.parametrize("args", ARITY, ids=[" ".join(a) for a in ARITY])
def test_expiry_commands_check_their_arity(r, connect, args):
    expect_reply(connect(), command(*args), arity_error(args[0].lower()),
                 chapter=3,
                 hint="EXPIRE and friends take key, time and any number of "
                      "options (arity -3); TTL, PTTL, PERSIST exactly a key "
                      "(arity 2)")


# ---------------------------------------------------------------------------
# Which writes keep the TTL
# ---------------------------------------------------------------------------

@pytest.mark.step("3c")
@pytest.mark.parametrize("args", [("INCR", "n"), ("INCRBY", "n", "5"),
                                  ("DECR", "n"), ("DECRBY", "n", "5")],
                         ids=["INCR", "INCRBY", "DECR", "DECRBY"])
def test_incr_and_decr_keep_the_ttl(r, args):
    r.set(b"n", b"10", ex=100)
    r.execute_command(*args)
    assert r.ttl(b"n") == 100, (
        "%s changes the value in place: the key keeps its TTL (replace the "
        "value, not the key)" % args[0])


@pytest.mark.step("3c")
def test_append_keeps_the_ttl(r):
    r.set(b"k", b"abc", ex=100)
    assert r.append(b"k", b"def") == 6
    assert r.ttl(b"k") == 100, "APPEND modifies the value: the TTL stays"


@pytest.mark.step("3c")
def test_set_removes_the_ttl(r):
    r.set(b"k", b"v", ex=100)
    r.set(b"k", b"w")
    assert r.ttl(b"k") == -1, "SET without KEEPTTL removes the TTL"


@pytest.mark.step("3c")
def test_mset_removes_the_ttl(r):
    r.set(b"a", b"1", ex=100)
    r.set(b"c", b"3", ex=100)
    r.mset({b"a": b"2", b"b": b"2"})
    assert r.ttl(b"a") == -1, (
        "MSET sets like SET without KEEPTTL: it removes the TTL of each key "
        "it writes")
    assert r.ttl(b"c") == 100, "MSET must not touch keys it does not write"


@pytest.mark.step("3c")
def test_a_deleted_and_recreated_key_has_no_ttl(r):
    r.set(b"k", b"v", ex=100)
    assert r.delete(b"k") == 1
    r.set(b"k", b"v")
    assert r.ttl(b"k") == -1, (
        "DEL must remove the key from the expires table too, or the new key "
        "inherits the old TTL")
    r.set(b"n", b"1", ex=100)
    r.delete(b"n")
    r.incr(b"n")
    assert r.ttl(b"n") == -1


@pytest.mark.step("3c")
def test_incr_keeps_a_short_ttl_until_it_fires(r):
    gone = expire_soon(r, b"n", b"5")
    assert r.incr(b"n") == 6
    assert r.append(b"n", b"0") == 2
    sleep_until(gone)
    assert r.get(b"n") is None, (
        "the key had PX 100 before INCR and APPEND: they keep the TTL, so it "
        "must be gone after 100 ms")


@pytest.mark.step("3c")
def test_flushall_removes_the_ttls_too(r):
    r.set(b"k", b"v", ex=100)
    r.flushall()
    r.set(b"k", b"v")
    assert r.ttl(b"k") == -1, "FLUSHALL must empty the expires table too"


# ---------------------------------------------------------------------------
# Lazy expiry: a key whose time has passed looks missing to every command
# ---------------------------------------------------------------------------

@pytest.mark.step("3b")
def test_key_exists_until_its_time(r):
    r.set(b"k", b"v", px=2000)
    assert r.get(b"k") == b"v" and r.exists(b"k") == 1, (
        "a key with a TTL in the future is alive: compare now with the "
        "expiry time the right way round")


def expire_all_soon(r, *keys, ms=100):
    """Give each key a value and a TTL of `ms`, then wait until all are past.

    One wait for several keys: each key is used by one command only, since
    the first command that sees an expired key deletes it.
    """
    pipe = r.pipeline(transaction=False)
    for key in keys:
        pipe.set(key, b"41", px=ms)
    pipe.execute()
    sleep_until(time.monotonic() + ms / 1000 + 0.02)


LAZY_HINT = ("check the expiry time in the key lookup every command uses, and "
             "treat (and delete) a key whose time has passed as missing")


@pytest.mark.step("3b")
def test_expired_key_is_missing_for_reads(r, connect):
    r.set(b"live", b"1")
    expire_all_soon(r, b"get", b"exists", b"mget", b"strlen", b"ttl",
                    b"pttl")
    conn = connect()
    expect_reply(conn, command("GET", "get"), NIL, chapter=3, hint=LAZY_HINT)
    expect_reply(conn, command("EXISTS", "exists", "live", "exists"), ONE,
                 chapter=3, hint=LAZY_HINT)
    expect_reply(conn, command("MGET", "mget", "live"),
                 array(bulk(None), bulk("1")), chapter=3, hint=LAZY_HINT)
    expect_reply(conn, command("STRLEN", "strlen"), ZERO, chapter=3,
                 hint=LAZY_HINT)
    expect_reply(conn, command("TTL", "ttl"), b":-2\r\n", chapter=3,
                 hint=LAZY_HINT)
    expect_reply(conn, command("PTTL", "pttl"), b":-2\r\n", chapter=3,
                 hint="PTTL of an expired key is -2, never a negative time "
                      "left")


@pytest.mark.step("3b")
def test_keys_does_not_list_expired_keys(r, connect):
    r.set(b"live", b"1")
    expire_all_soon(r, b"dead1", b"dead2")
    expect_reply(connect(), command("KEYS", "*"), array(bulk("live")),
                 chapter=3,
                 hint="KEYS walks the table: skip the entries whose time has "
                      "passed (Redis skips them without deleting them)")


@pytest.mark.step("3b")
def test_writes_to_an_expired_key_start_from_nothing(r, connect):
    expire_all_soon(r, b"a", b"n")
    conn = connect()
    expect_reply(conn, command("APPEND", "a", "xyz"), b":3\r\n", chapter=3,
                 hint="APPEND to an expired key appends to nothing")
    expect_reply(conn, command("TTL", "a"), b":-1\r\n", chapter=3,
                 hint="the new key has no TTL: the old one died with the old "
                      "key")
    expect_reply(conn, command("INCR", "n"), ONE, chapter=3,
                 hint="INCR of an expired key starts from 0")
    expect_reply(conn, command("TTL", "n"), b":-1\r\n", chapter=3)


@pytest.mark.step("3g")
def test_expiry_commands_see_an_expired_key_as_missing(r, connect):
    cases = [("EXPIRE", "k1", "100"), ("PEXPIRE", "k2", "100000"),
             ("EXPIRE", "k3", "100", "LT"), ("PERSIST", "k4"), ("DEL", "k5")]
    expire_all_soon(r, *[c[1] for c in cases])
    conn = connect()
    for args in cases:
        expect_reply(conn, command(*args), ZERO, chapter=3,
                     hint="an expired key is missing: %s replies :0 and must "
                          "not bring it back" % args[0])
    assert r.exists(*[c[1] for c in cases]) == 0


@pytest.mark.step("3g")
def test_an_overwritten_ttl_never_fires(r):
    # Each key got a 100 ms TTL that a later command removed or replaced.
    # Long after those 100 ms, all must still be there.
    for key in (b"set", b"persist", b"expire", b"mset", b"pexpire-gt"):
        r.set(key, b"v", px=100)
    r.set(b"set", b"new")
    r.persist(b"persist")
    r.expire(b"expire", 100)
    r.mset({b"mset": b"new"})
    r.execute_command("PEXPIRE", "pexpire-gt", "100000", "GT")
    time.sleep(0.4)  # past the old deadline, and several expiry cycles
    alive = {key: r.exists(key) for key in (b"set", b"persist", b"expire",
                                            b"mset", b"pexpire-gt")}
    assert alive == dict.fromkeys(alive, 1), (
        "keys whose 100 ms TTL was removed (SET, PERSIST, MSET) or replaced "
        "(EXPIRE, PEXPIRE GT) were deleted anyway: %r. Update or remove the "
        "entry in the expires table when a TTL changes" % alive)
    assert r.get(b"set") == b"new" and r.ttl(b"set") == -1
    assert r.ttl(b"expire") > 90
