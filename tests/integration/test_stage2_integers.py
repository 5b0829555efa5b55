"""Stage 2: integers stored in strings: INCR DECR INCRBY DECRBY.

A value is an integer when it is the exact decimal text of a signed 64-bit
number: no sign "+", no spaces, no leading zeros, no "-0". Both the stored
value and the increment are checked that strictly, and a result that would
leave the 64-bit range is refused instead of wrapping.

The wrong servers these tests catch, step by step:
  2d  one whose INCR or DECR fails on a missing key, that replies the new
      value as a bulk string instead of :<n>, that keeps the counter where
      GET and APPEND do not see its decimal text, or that runs INCR, DECR,
      INCRBY or DECRBY with a wrong number of arguments;
  2e  one that parses with atoi or a lax strtoll, and so takes " 5", "+5",
      "5 ", "05", "-0", "1.5", "0x10" or "" as an increment or as the
      stored value; one that wraps around past 2^63 instead of refusing
      (INCR, INCRBY, DECR and DECRBY, both ways); one that negates
      -9223372036854775808 for DECRBY; or one that changes the value when
      it refuses.
"""

import pytest

from helpers import arity_error, bulk, command, error, expect_reply

pytestmark = pytest.mark.stage(2)

NOT_AN_INTEGER = error("ERR value is not an integer or out of range")
OVERFLOW = error("ERR increment or decrement would overflow")
INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775808


@pytest.mark.step("2d")
def test_incr_of_a_missing_key_creates_it_with_value_1(r, connect):
    expect_reply(connect(), command("INCR", "counter"), b":1\r\n", chapter=2,
                 hint="a missing key counts as 0; the reply is an integer "
                      ":<n>\\r\\n")
    assert r.get(b"counter") == b"1"


@pytest.mark.step("2d")
def test_decr_of_a_missing_key_creates_it_with_value_minus_1(r, connect):
    expect_reply(connect(), command("DECR", "counter"), b":-1\r\n", chapter=2)
    assert r.get(b"counter") == b"-1"


@pytest.mark.step("2d")
def test_incr_and_decr_step_by_one(r):
    r.set(b"n", b"10")
    assert r.incr(b"n") == 11
    assert r.incr(b"n") == 12
    assert r.decr(b"n") == 11


@pytest.mark.step("2d")
def test_incrby_and_decrby_add_and_subtract_their_argument(r):
    assert r.incrby(b"n", 100) == 100
    assert r.incrby(b"n", -30) == 70
    assert r.decrby(b"n", 50) == 20
    assert r.decrby(b"n", -5) == 25
    assert r.get(b"n") == b"25"


@pytest.mark.step("2d")
def test_incr_works_on_a_negative_stored_value(r):
    r.set(b"n", b"-5")
    assert r.incr(b"n") == -4


@pytest.mark.step("2d")
def test_result_is_stored_as_a_decimal_string(r):
    r.incrby(b"n", 12345)
    assert r.append(b"n", b"6") == 6
    assert r.incr(b"n") == 123457
    assert r.get(b"n") == b"123457"


INVALID_INCREMENTS = [b" 5", b"+5", b"5 ", b"0x10", b"1.5", b"", b"abc",
                      b"05", b"-0", b"9223372036854775808",
                      b"-9223372036854775809"]


@pytest.mark.step("2e")
@pytest.mark.parametrize("increment", INVALID_INCREMENTS,
                         ids=[repr(i)[2:-1] or "empty" for i in
                              INVALID_INCREMENTS])
@pytest.mark.parametrize("name", ["INCRBY", "DECRBY"])
def test_increment_that_is_not_a_strict_64_bit_integer_is_refused(
        r, connect, name, increment):
    r.set(b"n", b"5")
    expect_reply(connect(), command(name, "n", increment), NOT_AN_INTEGER,
                 chapter=2,
                 hint="parse strictly, like Redis's string2ll: optional '-', "
                      "digits, no leading zero, no '+', no spaces, in range")
    assert r.get(b"n") == b"5"


INVALID_STORED = [b"abc", b"-0", b"007", b" 1", b"1 ", b"+5", b"", b"1.0",
                  b"9223372036854775808"]


@pytest.mark.step("2e")
@pytest.mark.parametrize("stored", INVALID_STORED,
                         ids=[repr(s)[2:-1] or "empty" for s in INVALID_STORED])
def test_incr_of_a_value_that_is_not_an_integer_is_refused(r, connect,
                                                           stored):
    r.set(b"n", stored)
    expect_reply(connect(), command("INCR", "n"), NOT_AN_INTEGER, chapter=2,
                 hint="the stored string must itself be the canonical "
                      "decimal form of an integer")
    assert r.get(b"n") == stored


@pytest.mark.step("2e")
def test_incrby_reaches_the_largest_64_bit_integer(r):
    r.set(b"n", str(INT64_MAX - 10).encode())
    assert r.incrby(b"n", 10) == INT64_MAX
    assert r.incrby(b"n", 0) == INT64_MAX


@pytest.mark.step("2e")
def test_decrby_reaches_the_smallest_64_bit_integer(r, connect):
    r.set(b"n", b"-1")
    expect_reply(connect(), command("DECRBY", "n", INT64_MAX),
                 b":-9223372036854775808\r\n", chapter=2)
    assert r.get(b"n") == b"-9223372036854775808"


@pytest.mark.step("2e")
def test_incrby_may_add_the_smallest_64_bit_integer_to_zero(r):
    r.set(b"n", b"0")
    assert r.incrby(b"n", INT64_MIN) == INT64_MIN


@pytest.mark.step("2e")
@pytest.mark.parametrize("stored, args", [
    (INT64_MAX, ("INCR", "n")),
    (INT64_MAX, ("INCRBY", "n", "1")),
    (INT64_MIN, ("DECR", "n")),
    (INT64_MIN, ("DECRBY", "n", "1")),
    (-1, ("INCRBY", "n", str(INT64_MIN))),
    (1, ("INCRBY", "n", str(INT64_MAX))),
    (1, ("DECRBY", "n", str(-INT64_MAX))),
    (-2, ("DECRBY", "n", str(INT64_MAX))),
], ids=["incr-at-max", "incrby-past-max", "decr-at-min", "decrby-past-min",
        "incrby-min-from-minus-1", "incrby-max-from-1", "decrby-minus-max-from-1",
        "decrby-max-from-minus-2"])
def test_result_outside_64_bits_is_an_overflow_error(r, connect, stored,
                                                     args):
    r.set(b"n", str(stored).encode())
    expect_reply(connect(), command(*args), OVERFLOW, chapter=2,
                 hint="check before adding: a signed overflow in C is "
                      "undefined behaviour, not a wrap-around")
    assert r.get(b"n") == str(stored).encode()


@pytest.mark.step("2e")
def test_decrby_of_the_smallest_64_bit_integer_is_refused(r, connect):
    # Negating -9223372036854775808 does not fit in 64 bits, so Redis refuses
    # it whatever the stored value is, with a shorter message.
    r.set(b"n", b"0")
    expect_reply(connect(), command("DECRBY", "n", str(INT64_MIN)),
                 error("ERR decrement would overflow"), chapter=2,
                 hint="DECRBY negates its argument first; -INT64_MIN does "
                      "not exist")
    assert r.get(b"n") == b"0"


@pytest.mark.step("2e")
def test_decrby_of_the_smallest_64_bit_integer_is_refused_on_a_missing_key(
        r, connect):
    expect_reply(connect(), command("DECRBY", "missing", str(INT64_MIN)),
                 error("ERR decrement would overflow"), chapter=2)
    assert r.exists(b"missing") == 0


@pytest.mark.step("2d")
def test_integer_replies_are_exact_on_the_wire(r, connect):
    conn = connect()
    expect_reply(conn, command("INCRBY", "n", "-42"), b":-42\r\n", chapter=2)
    expect_reply(conn, command("GET", "n"), bulk("-42"), chapter=2,
                 hint="GET of a counter replies its decimal text as a bulk "
                      "string")


ARITY = [
    ("INCR",), ("INCR", "a", "b"), ("DECR",), ("DECR", "a", "b"),
    ("INCRBY", "a"), ("INCRBY", "a", "1", "2"), ("DECRBY", "a"),
    ("DECRBY",),
]


@pytest.mark.step("2d")
@pytest.mark.parametrize("args", ARITY, ids=[" ".join(a) for a in ARITY])
def test_integer_commands_check_their_arity(r, connect, args):
    expect_reply(connect(), command(*args), arity_error(args[0].lower()),
                 chapter=2)
