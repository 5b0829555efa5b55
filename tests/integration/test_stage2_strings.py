"""Stage 2: a keyspace of strings: SET GET MSET MGET APPEND STRLEN.

Keys and values are binary-safe byte strings; a command table checks each
command's arity before the command runs, with Redis's exact error text.

The wrong servers these tests catch, step by step:
  2a  one that keeps keys or values as C strings (a zero byte ends them),
      answers a missing key with an empty string instead of nil ($-1) or an
      empty value with nil, keeps the first value of a key set twice, folds
      keys to one case, closes the connection after an arity error, or no
      longer quotes the arguments in its unknown-command error;
  2b  one whose MSET sets pairs before it notices a key without a value,
      whose MGET leaves out missing keys instead of replying nil for them,
      whose APPEND fails on a missing key, whose STRLEN counts characters
      instead of bytes, that cannot hold a 10 MB value, or that runs GET,
      SET, MGET, MSET, APPEND or STRLEN with a wrong number of arguments;
  2c  one that treats the empty key as no key;
  2d  one that stores a counter as a binary number rather than its
      decimal text (STRLEN of -1234 is 5);
  2f  one that loses or confuses any of the 256 byte values in a key or a
      value (MSET, MGET, DBSIZE and KEYS of every byte).
"""

import pytest

from helpers import arity_error, array, bulk, command, error, expect_reply

pytestmark = pytest.mark.stage(2)


@pytest.mark.step("2a")
def test_get_of_a_missing_key_replies_nil(r, connect):
    expect_reply(connect(), command("GET", "missing"), b"$-1\r\n", chapter=2,
                 hint="a missing key is the null bulk string $-1\\r\\n")


@pytest.mark.step("2a")
def test_set_replies_ok_and_get_returns_the_value(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "greeting", "hello"), b"+OK\r\n",
                 chapter=2)
    expect_reply(conn, command("GET", "greeting"), bulk("hello"), chapter=2)


@pytest.mark.step("2a")
def test_set_overwrites_an_existing_value(r):
    r.set(b"k", b"first")
    r.set(b"k", b"second")
    assert r.get(b"k") == b"second"


@pytest.mark.step("2a")
def test_empty_value_is_stored_and_returned_as_empty_bulk_string(r, connect):
    r.set(b"empty", b"")
    expect_reply(connect(), command("GET", "empty"), b"$0\r\n\r\n", chapter=2,
                 hint="an empty value exists: $0, not the null $-1")


@pytest.mark.step("2a")
def test_keys_and_values_are_byte_strings_not_c_strings(r, connect):
    # Keys that differ only after a zero byte are different keys; a value
    # holding \0 and \r\n comes back whole, its length from the bulk header.
    conn = connect()
    for key, value in ((b"a\0b", b"one"), (b"a\0c", b"two\0\r\nthree")):
        expect_reply(conn, command("SET", key, value), b"+OK\r\n", chapter=2)
    expect_reply(conn, command("GET", b"a\0b"), bulk(b"one"), chapter=2,
                 hint="keys are byte strings with a length, not C strings: "
                      "compare and hash all their bytes, zeros included")
    expect_reply(conn, command("GET", b"a\0c"), bulk(b"two\0\r\nthree"),
                 chapter=2,
                 hint="store the value's bytes and length as the bulk string "
                      "gave them: a zero byte does not end it")
    expect_reply(conn, command("GET", b"a"), b"$-1\r\n", chapter=2,
                 hint="the key 'a' was never set: 'a\\0b' is another key")


@pytest.mark.step("2c")
def test_empty_key_is_a_valid_key(r):
    r.set(b"", b"value of the empty key")
    assert r.get(b"") == b"value of the empty key"
    assert r.exists(b"") == 1


@pytest.mark.step("2a")
def test_keys_are_case_sensitive(r):
    r.set(b"Key", b"upper")
    r.set(b"key", b"lower")
    assert (r.get(b"Key"), r.get(b"key")) == (b"upper", b"lower")


@pytest.mark.step("2b")
def test_mset_sets_every_pair_and_replies_ok(r, connect):
    expect_reply(connect(), command("MSET", "a", "1", "b", "2", "c", "3"),
                 b"+OK\r\n", chapter=2)
    assert r.mget(b"a", b"b", b"c") == [b"1", b"2", b"3"]


@pytest.mark.step("2b")
def test_mset_with_a_repeated_key_keeps_the_last_value(r):
    r.execute_command("MSET", "a", "1", "a", "2")
    assert r.get(b"a") == b"2"


@pytest.mark.step("2b")
@pytest.mark.parametrize("args", [("MSET", "a"), ("MSET", "a", "1", "b")],
                         ids=["one-argument", "three-arguments"])
def test_mset_with_odd_number_of_arguments_is_an_arity_error_and_sets_nothing(
        r, connect, args):
    expect_reply(connect(), command(*args), arity_error("mset"), chapter=2,
                 hint="MSET needs key/value pairs: check before setting any")
    assert r.get(b"a") is None


@pytest.mark.step("2b")
def test_mget_replies_nil_for_missing_keys(r, connect):
    r.set(b"one", b"1")
    r.set(b"three", b"3")
    expect_reply(connect(), command("MGET", "one", "two", "three"),
                 array(bulk("1"), bulk(None), bulk("3")), chapter=2,
                 hint="MGET replies one element per key, $-1 for a missing "
                      "one")


@pytest.mark.step("2b")
def test_append_to_a_missing_key_creates_it_and_returns_the_length(r, connect):
    expect_reply(connect(), command("APPEND", "log", "abc"), b":3\r\n",
                 chapter=2)
    assert r.get(b"log") == b"abc"


@pytest.mark.step("2b")
def test_append_to_an_existing_value_returns_the_new_length(r):
    r.set(b"log", b"hello")
    assert r.append(b"log", b", world") == 12
    assert r.get(b"log") == b"hello, world"


@pytest.mark.step("2b")
def test_append_of_an_empty_string_keeps_the_value(r):
    r.set(b"log", b"abc")
    assert r.append(b"log", b"") == 3
    assert r.get(b"log") == b"abc"


@pytest.mark.step("2b")
def test_strlen_of_a_missing_key_is_zero(r, connect):
    expect_reply(connect(), command("STRLEN", "missing"), b":0\r\n",
                 chapter=2)


@pytest.mark.step("2b")
def test_strlen_returns_the_length_in_bytes(r):
    r.set(b"s", "héllo".encode())
    assert r.strlen(b"s") == 6


@pytest.mark.step("2d")
def test_strlen_of_a_number_counts_its_digits(r):
    r.incrby(b"n", -1234)
    assert r.strlen(b"n") == 5


@pytest.mark.step("2b")
def test_10mb_value_round_trips_through_set_and_get(r):
    value = bytes(range(256)) * (10 * 1024 * 1024 // 256)
    assert r.set(b"big", value) is True
    assert r.strlen(b"big") == len(value)
    assert r.get(b"big") == value


@pytest.mark.step("2f")
def test_keys_and_values_may_hold_every_byte_value(r):
    everything = bytes(range(256))
    r.set(everything, everything * 3)
    assert r.get(everything) == everything * 3
    pairs = {b"k" + bytes([b]): bytes([b]) * 3 for b in range(256)}
    r.mset(pairs)
    assert r.mget(list(pairs)) == list(pairs.values())
    assert r.dbsize() == 257
    assert set(r.keys(b"*")) == set(pairs) | {everything}


ARITY = [
    ("GET",), ("GET", "a", "b"), ("SET", "k"), ("SET",), ("MGET",),
    ("MSET",), ("APPEND", "k"), ("APPEND", "k", "v", "w"), ("STRLEN",),
    ("STRLEN", "a", "b"),
]


@pytest.mark.step("2b")
@pytest.mark.parametrize("args", ARITY, ids=[" ".join(a) for a in ARITY])
def test_string_commands_check_their_arity(r, connect, args):
    expect_reply(connect(), command(*args), arity_error(args[0].lower()),
                 chapter=2,
                 hint="check argc against the command table's arity before "
                      "calling the command")


@pytest.mark.step("2a")
def test_arity_error_does_not_close_the_connection(r, connect):
    conn = connect()
    expect_reply(conn, command("GET"), arity_error("get"), chapter=2)
    expect_reply(conn, command("SET", "k", "v"), b"+OK\r\n", chapter=2)


@pytest.mark.step("2a")
def test_unknown_command_at_stage_2_still_names_its_arguments(r, connect):
    expect_reply(connect(), command("GETT", "k"),
                 error("ERR unknown command 'GETT', with args beginning with: "
                       "'k' "), chapter=2)
