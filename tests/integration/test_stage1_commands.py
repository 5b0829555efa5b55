"""Stage 1: PING [message], ECHO, and the errors of a command table.

From stage 1 on a request is looked up in a command table: names are
case-insensitive, each command declares its arity, and an unknown name gets
Redis's exact "unknown command" error, which quotes the first arguments.

The wrong servers these tests catch, step by step:
  1a  a PING that ignores its message (stage 0's), an ECHO that answers a
      simple string or drops empty arguments, a lookup that is
      case-sensitive or that also changes the case of the arguments;
  1d  one that stops reading a pipeline at the first error reply;
  1g  one with no arity check (or one that counts the arguments without the
      name), an arity error naming the command as typed instead of in lower
      case, an unknown-command error without Redis's quoting of the
      arguments, its 128-character cut, or its newline replacement.
"""

import pytest

from helpers import arity_error, bulk, command, error, expect_reply

pytestmark = pytest.mark.stage(1)


@pytest.mark.step("1a")
def test_ping_without_argument_replies_pong(connect):
    expect_reply(connect(), command("PING"), b"+PONG\r\n", chapter=1)


@pytest.mark.step("1a")
def test_ping_with_a_message_replies_the_message_as_a_bulk_string(connect):
    expect_reply(connect(), command("PING", "hello world"),
                 bulk("hello world"), chapter=1,
                 hint="PING with an argument replies a bulk string "
                      "($<len>\\r\\n<bytes>\\r\\n), not +PONG")


@pytest.mark.step("1a")
def test_ping_with_an_empty_message_replies_an_empty_bulk_string(connect):
    expect_reply(connect(), command("PING", ""), b"$0\r\n\r\n", chapter=1)


@pytest.mark.step("1g")
def test_ping_with_two_arguments_is_an_arity_error(connect):
    expect_reply(connect(), command("PING", "a", "b"), arity_error("ping"),
                 chapter=1, hint="PING takes at most one argument")


@pytest.mark.step("1a")
def test_echo_replies_its_argument_as_a_bulk_string(connect):
    expect_reply(connect(), command("ECHO", "Hello, Redis!"),
                 bulk("Hello, Redis!"), chapter=1)


@pytest.mark.step("1a")
def test_echo_of_an_empty_string_replies_an_empty_bulk_string(connect):
    expect_reply(connect(), command("ECHO", ""), b"$0\r\n\r\n", chapter=1)


@pytest.mark.step("1g")
@pytest.mark.parametrize("args", [("ECHO",), ("ECHO", "a", "b")],
                         ids=["no-argument", "two-arguments"])
def test_echo_with_wrong_number_of_arguments_is_an_arity_error(connect, args):
    expect_reply(connect(), command(*args), arity_error("echo"), chapter=1,
                 hint="ECHO takes exactly one argument")


@pytest.mark.step("1g")
def test_arity_error_names_the_command_in_lower_case(connect):
    expect_reply(connect(), command("EcHo"), arity_error("echo"), chapter=1,
                 hint="the error names the command as the table spells it, "
                      "not as the client typed it")


@pytest.mark.step("1a")
@pytest.mark.parametrize("name", ["ping", "Ping", "pInG", "PING"])
def test_command_names_are_case_insensitive(connect, name):
    expect_reply(connect(), command(name), b"+PONG\r\n", chapter=1,
                 hint="look commands up case-insensitively (strcasecmp)")


@pytest.mark.step("1a")
def test_echo_name_is_case_insensitive_but_its_argument_is_kept_as_is(connect):
    expect_reply(connect(), command("echo", "MiXeD"), bulk("MiXeD"), chapter=1)


@pytest.mark.step("1d")
def test_pipelined_commands_after_an_error_reply_are_still_served(connect):
    expect_reply(connect(), command("ECHO") + command("PING"),
                 arity_error("echo") + b"+PONG\r\n", chapter=1,
                 hint="an error reply does not end the connection; only a "
                      "protocol error does")


@pytest.mark.step("1a")
def test_redis_py_ping_and_echo_work(r):
    assert r.ping() is True
    assert r.echo(b"from redis-py") == b"from redis-py"


# ---------------------------------------------------------------------------
# Unknown commands
# ---------------------------------------------------------------------------

UNKNOWN = "ERR unknown command '%s', with args beginning with: %s"


@pytest.mark.step("1g")
def test_unknown_command_error_quotes_its_arguments(connect):
    expect_reply(connect(), command("foo", "a", "b"),
                 error(UNKNOWN % ("foo", "'a' 'b' ")), chapter=1,
                 hint="each argument is quoted and followed by one space, so "
                      "the text ends with a space before \\r\\n")


@pytest.mark.step("1g")
def test_unknown_command_without_arguments_ends_with_the_colon_and_a_space(
        connect):
    expect_reply(connect(), b"FOO\r\n", error(UNKNOWN % ("FOO", "")),
                 chapter=1, hint="the name is quoted as the client sent it")


@pytest.mark.step("1g")
def test_unknown_command_error_keeps_the_name_case(connect):
    expect_reply(connect(), command("NoSuchCmd", "x"),
                 error(UNKNOWN % ("NoSuchCmd", "'x' ")), chapter=1)


@pytest.mark.step("1g")
def test_unknown_command_error_shows_at_most_128_characters_of_arguments(
        connect):
    # Redis appends "'<arg>' " while the text is shorter than 128 bytes, each
    # argument cut so the text stops at 128 characters of argument data.
    expect_reply(connect(), command("foo", "x" * 200),
                 error(UNKNOWN % ("foo", "'" + "x" * 128 + "' ")), chapter=1,
                 hint="an argument is cut to 128 - (length so far) bytes")


@pytest.mark.step("1g")
def test_unknown_command_error_cuts_the_argument_that_reaches_128(connect):
    expected = "'%s' '%s' " % ("x" * 100, "y" * 25)
    expect_reply(connect(), command("foo", "x" * 100, "y" * 100, "z"),
                 error(UNKNOWN % ("foo", expected)), chapter=1,
                 hint="after 'x...x' (103 bytes) only 25 bytes of the next "
                      "argument fit, and no argument follows")


@pytest.mark.step("1g")
def test_unknown_command_error_cuts_a_long_name_at_128_characters(connect):
    expect_reply(connect(), command("f" * 200, "a"),
                 error(UNKNOWN % ("f" * 128, "'a' ")), chapter=1)


@pytest.mark.step("1g")
def test_unknown_command_error_replaces_newlines_with_spaces(connect):
    # An error reply is one line: Redis turns \r and \n in it into spaces.
    expect_reply(connect(), command("fo\r\no", "a\nb"),
                 error(UNKNOWN % ("fo  o", "'a b' ")), chapter=1,
                 hint="an error reply may not contain \\r or \\n")


@pytest.mark.step("1g")
def test_empty_command_name_is_an_unknown_command(connect):
    expect_reply(connect(), command(""), error(UNKNOWN % ("", "")), chapter=1)
