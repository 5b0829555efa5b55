"""Stage 1: parsing RESP requests, inline and multibulk, across reads.

TCP is a byte stream: a command may arrive one byte at a time, and one read
may hold a thousand commands. The parser must tell "incomplete, wait for more
bytes" from "invalid", answer every complete command in order, and on invalid
input reply Redis's exact protocol error and close the connection.

The wrong servers these tests catch, step by step:
  1c  one that parses each read() on its own (a command split across reads
      is lost or answered as garbage), one that looks for \\r\\n inside a
      bulk instead of trusting its length, one with a fixed-size buffer;
  1d  one that answers only the first command of a read, or answers out of
      order, or mixes up inline and multibulk requests in one read;
  1e  one that splits inline commands on spaces only (no quotes, escapes),
      or treats blank lines as commands;
  1f  one that keeps the connection open after a protocol error, answers
      with its own text instead of Redis's, accepts a count or length Redis
      refuses, or lets one client's bad input hurt another.
"""

import time

import pytest

from helpers import bulk, command, error, expect_no_reply_yet, expect_reply

pytestmark = pytest.mark.stage(1)

PONG = b"+PONG\r\n"


# ---------------------------------------------------------------------------
# A command over many reads, many commands in one read
# ---------------------------------------------------------------------------

@pytest.mark.step("1c")
@pytest.mark.parametrize("request_bytes", [
    command("ECHO", "hello"),
    b"ECHO hello\r\n",
], ids=["multibulk", "inline"])
def test_command_sent_byte_by_byte_is_answered_once_complete(connect,
                                                             request_bytes):
    conn = connect()
    for i in range(len(request_bytes) - 1):
        conn.send(request_bytes[i:i + 1])
        time.sleep(0.002)
    expect_no_reply_yet(conn, b"", chapter=1,
                        hint="the last byte (\\n) has not been sent yet")
    expect_reply(conn, request_bytes[-1:], bulk("hello"), chapter=1,
                 hint="keep the partial command in the client's query buffer "
                      "and parse again when more bytes arrive")


@pytest.mark.step("1c")
def test_command_split_at_every_byte_boundary_is_answered(connect):
    conn = connect()
    whole = command("ECHO", "split me")
    for cut in range(1, len(whole)):
        conn.send(whole[:cut])
        time.sleep(0.003)
        expect_reply(conn, whole[cut:], bulk("split me"), chapter=1,
                     hint="the command was sent in two writes, cut after "
                          "byte %d" % cut)


@pytest.mark.step("1d")
def test_thousand_pipelined_pings_in_one_write_all_get_pong(connect):
    expect_reply(connect(), b"PING\r\n" * 1000, PONG * 1000, chapter=1,
                 hint="after answering a command, parse the next one already "
                      "in the buffer before reading again")


@pytest.mark.step("1d")
def test_thousand_pipelined_echoes_are_answered_in_order(connect):
    request = b"".join(command("ECHO", "message %d" % i) for i in range(1000))
    expected = b"".join(bulk("message %d" % i) for i in range(1000))
    expect_reply(connect(), request, expected, chapter=1, timeout=10)


@pytest.mark.step("1d")
def test_inline_and_multibulk_commands_mix_in_one_write(connect):
    request = b"PING\r\n" + command("ECHO", "x") + b"ECHO y\r\n" + command("PING")
    expect_reply(connect(), request, PONG + bulk("x") + bulk("y") + PONG,
                 chapter=1)


@pytest.mark.step("1f")
def test_empty_multibulk_and_negative_count_are_ignored(connect):
    conn = connect()
    expect_reply(conn, b"*0\r\n*-1\r\nPING\r\n", PONG, chapter=1,
                 hint="Redis skips *0 and *-1 (null arrays) without a reply")
    expect_reply(conn, b"PING\r\n", PONG, chapter=1,
                 hint="the connection stays open after *0 / *-1")


@pytest.mark.step("1c")
def test_bulk_argument_may_contain_crlf_and_any_byte(connect):
    value = bytes(range(256)) + b"\r\n*1\r\n$4\r\nPING\r\n"
    expect_reply(connect(), command("ECHO", value), bulk(value), chapter=1,
                 hint="a bulk string is read by its length, never by looking "
                      "for \\r\\n inside it")


@pytest.mark.step("1c")
def test_echo_of_a_10mb_value_round_trips(connect):
    value = bytes(range(256)) * (10 * 1024 * 1024 // 256)
    expect_reply(connect(timeout=30), command("ECHO", value), bulk(value),
                 chapter=1, timeout=30,
                 hint="the query buffer and the reply buffer must grow, and "
                      "a reply larger than one write() must be sent in parts")


# ---------------------------------------------------------------------------
# Inline commands: Redis's quoting rules (sdssplitargs)
# ---------------------------------------------------------------------------

@pytest.mark.step("1e")
@pytest.mark.parametrize("line, argument", [
    (b'ECHO "hello world"', b"hello world"),
    (b"ECHO 'hello world'", b"hello world"),
    (b'ECHO "\\x41\\x42\\n"', b"AB\n"),
    (b'ECHO "a\\tb\\\\c\\r"', b"a\tb\\c\r"),
    (b'ECHO "say \\"hi\\""', b'say "hi"'),
    (b'ECHO "\\xZZ"', b"xZZ"),
    (b"ECHO 'it\\'s'", b"it's"),
    (b"ECHO 'a\\nb'", b"a\\nb"),
    (b'ECHO ""', b""),
    (b"ECHO ''", b""),
    (b'ECHO a"b c"', b"ab c"),
    (b"ECHO\tx", b"x"),
    (b"  ECHO \t  spaced   ", b"spaced"),
], ids=["double-quotes", "single-quotes", "hex-escapes", "backslash-escapes",
        "escaped-double-quote", "bad-hex-escape", "escaped-single-quote",
        "no-escapes-in-single-quotes", "empty-double-quotes",
        "empty-single-quotes", "quote-inside-a-word", "tab-separator",
        "extra-blanks"])
def test_inline_arguments_follow_redis_quoting_rules(connect, line, argument):
    expect_reply(connect(), line + b"\r\n", bulk(argument), chapter=1,
                 hint="inline commands are split like redis-cli input "
                      "(sdssplitargs): quotes group words, double quotes "
                      "understand \\n \\t \\\\ \\\" \\xHH, single quotes only \\'")


@pytest.mark.step("1e")
def test_inline_command_name_may_be_quoted(connect):
    expect_reply(connect(), b'"PING"\r\n', PONG, chapter=1)


@pytest.mark.step("1e")
def test_inline_command_may_end_with_a_bare_newline(connect):
    expect_reply(connect(), b"PING\nECHO x\n", PONG + bulk("x"), chapter=1,
                 hint="an inline line ends at \\n; a \\r before it is dropped")


@pytest.mark.step("1e")
def test_empty_and_blank_inline_lines_are_ignored(connect):
    conn = connect()
    expect_reply(conn, b"\r\n\n   \r\n\t\r\nPING\r\n", PONG, chapter=1,
                 hint="an empty line gets no reply at all")


@pytest.mark.step("1e")
def test_inline_argument_of_60kb_is_accepted(connect):
    value = b"v" * (60 * 1024)
    expect_reply(connect(), b"ECHO " + value + b"\r\n", bulk(value), chapter=1,
                 hint="the inline limit is 64 KB per line")


# ---------------------------------------------------------------------------
# Protocol errors: exact text, then the connection is closed
# ---------------------------------------------------------------------------

def protocol_error(text):
    return error("ERR Protocol error: " + text)


INVALID_MULTIBULK = protocol_error("invalid multibulk length")
INVALID_BULK = protocol_error("invalid bulk length")
UNBALANCED = protocol_error("unbalanced quotes in request")

PROTOCOL_ERRORS = [
    ("multibulk-count-not-a-number", b"*x\r\n", INVALID_MULTIBULK),
    ("multibulk-count-lone-minus", b"*-\r\n", INVALID_MULTIBULK),
    ("multibulk-count-empty", b"*\r\n", INVALID_MULTIBULK),
    ("multibulk-count-plus-sign", b"*+1\r\n", INVALID_MULTIBULK),
    ("multibulk-count-leading-zero", b"*01\r\n", INVALID_MULTIBULK),
    ("multibulk-count-leading-space", b"* 1\r\n", INVALID_MULTIBULK),
    ("multibulk-count-over-int-max", b"*2147483648\r\n", INVALID_MULTIBULK),
    ("multibulk-count-over-int64", b"*99999999999999999999\r\n",
     INVALID_MULTIBULK),
    ("multibulk-count-ends-with-bare-newline", b"*1\n$4\r\nPING\r\n",
     INVALID_MULTIBULK),
    ("bulk-length-minus-one", b"*1\r\n$-1\r\n", INVALID_BULK),
    ("bulk-length-not-a-number", b"*1\r\n$x\r\n", INVALID_BULK),
    ("bulk-length-empty", b"*1\r\n$\r\n", INVALID_BULK),
    ("bulk-length-plus-sign", b"*1\r\n$+4\r\nPING\r\n", INVALID_BULK),
    ("bulk-length-leading-zero", b"*1\r\n$04\r\nPING\r\n", INVALID_BULK),
    ("bulk-length-over-512mb", b"*1\r\n$536870913\r\n", INVALID_BULK),
    ("bulk-length-over-int64", b"*1\r\n$99999999999999999999\r\n",
     INVALID_BULK),
    ("bulk-length-of-second-argument", b"*2\r\n$4\r\nECHO\r\n$x\r\n",
     INVALID_BULK),
    ("dollar-expected-got-letter", b"*1\r\nX\r\n",
     protocol_error("expected '$', got 'X'")),
    ("dollar-expected-got-colon", b"*1\r\n:4\r\n",
     protocol_error("expected '$', got ':'")),
    ("dollar-expected-got-raw-argument", b"*2\r\n$4\r\nECHO\r\nhello\r\n",
     protocol_error("expected '$', got 'h'")),
    ("unbalanced-double-quote", b'ECHO "abc\r\n', UNBALANCED),
    ("unbalanced-single-quote", b"ECHO 'abc\r\n", UNBALANCED),
    ("closing-quote-followed-by-letter", b'ECHO "a"b\r\n', UNBALANCED),
    ("quote-group-inside-word-followed-by-letter", b'ECHO a"b c"d\r\n',
     UNBALANCED),
]


@pytest.mark.step("1f")
@pytest.mark.parametrize("bad, expected",
                         [(bad, expected) for _, bad, expected in PROTOCOL_ERRORS],
                         ids=[name for name, _, _ in PROTOCOL_ERRORS])
def test_protocol_error_is_replied_then_connection_is_closed(connect, bad,
                                                             expected):
    # The PING before the bad bytes is answered first; the PING after them
    # never is, because the connection closes after the error.
    expect_reply(connect(), b"PING\r\n" + bad + b"PING\r\n", PONG + expected,
                 chapter=1, close_after=True,
                 hint="on a protocol error Redis replies the error, drops the "
                      "rest of the input and closes the connection after "
                      "the reply is written")


@pytest.mark.step("1f")
def test_too_big_inline_request_is_a_protocol_error(connect):
    # More than 64 KB without a newline: Redis gives up on the line.
    expect_reply(connect(), b"PING\r\n" + b"A" * (64 * 1024 + 512),
                 PONG + protocol_error("too big inline request"), chapter=1,
                 close_after=True,
                 hint="if no \\n is found and the buffer holds more than "
                      "64 KB, the request is refused")


@pytest.mark.step("1f")
def test_too_big_multibulk_count_string_is_a_protocol_error(connect):
    expect_reply(connect(), b"PING\r\n*" + b"1" * (64 * 1024 + 512),
                 PONG + protocol_error("too big mbulk count string"),
                 chapter=1, close_after=True,
                 hint="if no \\r is found after '*' and the buffer holds "
                      "more than 64 KB, the count line is refused")


@pytest.mark.step("1f")
def test_too_big_bulk_count_string_is_a_protocol_error(connect):
    expect_reply(connect(), b"PING\r\n*1\r\n$" + b"1" * (64 * 1024 + 512),
                 PONG + protocol_error("too big bulk count string"),
                 chapter=1, close_after=True,
                 hint="if no \\r is found after '$' and the buffer holds "
                      "more than 64 KB, the length line is refused")


@pytest.mark.step("1c")
def test_large_multibulk_count_waits_for_its_arguments(connect):
    # 1048576 arguments announced: valid, the server waits for them. It must
    # not reply, close, or allocate for all of them up front and die.
    conn = connect()
    expect_no_reply_yet(conn, b"*1048576\r\n", chapter=1, wait=0.2)


@pytest.mark.step("1f")
def test_other_clients_survive_a_protocol_error(connect):
    healthy = connect()
    expect_reply(healthy, b"PING\r\n", PONG, chapter=1)
    expect_reply(connect(), b"*x\r\n", INVALID_MULTIBULK, chapter=1,
                 close_after=True)
    expect_reply(healthy, b"PING\r\n", PONG, chapter=1,
                 hint="a protocol error closes only the client that sent it")
