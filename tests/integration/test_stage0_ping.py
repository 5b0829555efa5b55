"""Stage 0: a server that answers PING.

The first server of the workshop serves one client at a time, so every test
here closes its connection before it opens the next one, and talks raw bytes
(redis-py would keep a connection open behind the test's back).

The wrong servers these tests catch, step by step:
  0a  one that never listens on --port, or exits at once;
  0b  one that only understands inline requests (redis-cli and every client
      library send arrays), or answers "PONG" without the '+' and \r\n;
  0c  one that answers the first request of a read() and drops the rest, or
      closes the connection after one reply;
  0d  one that serves its first client and never accept()s again;
  0e  one that answers +PONG to everything, to anything starting with PING,
      or closes the connection on a command it does not know.
"""

import pytest

from helpers import command, expect_reply, hint_message

pytestmark = pytest.mark.stage(0)

PONG = b"+PONG\r\n"


@pytest.mark.step("0a")
def test_server_accepts_a_connection_on_its_port(connect):
    conn = connect()
    assert not conn.closed


@pytest.mark.step("0b")
def test_inline_ping_replies_pong(connect):
    conn = connect()
    expect_reply(conn, b"PING\r\n", PONG, chapter=0,
                 hint="a simple string reply is '+', the text, then \\r\\n")


@pytest.mark.step("0b")
def test_multibulk_ping_replies_pong(connect):
    conn = connect()
    expect_reply(conn, command("PING"), PONG, chapter=0,
                 hint="redis-cli and every client library send commands as "
                      "an array of bulk strings: *1\\r\\n$4\\r\\nPING\\r\\n")


@pytest.mark.step("0c")
def test_many_pings_sent_one_by_one_on_one_connection_each_get_pong(connect):
    conn = connect()
    for i in range(20):
        request = b"PING\r\n" if i % 2 else command("PING")
        expect_reply(conn, request, PONG, chapter=0,
                     hint="keep reading from the same client after a reply; "
                          "a connection carries many commands")


@pytest.mark.step("0c")
def test_several_pings_in_one_write_each_get_pong(connect):
    conn = connect()
    request = b"PING\r\n" + command("PING") + b"PING\r\n" * 3 + command("PING")
    expect_reply(conn, request, PONG * 6, chapter=0,
                 hint="one read() can hold several commands: answer each of "
                      "them, not only the first")


@pytest.mark.step("0d")
def test_clients_connecting_one_after_another_are_each_served(connect):
    for i in range(5):
        conn = connect()
        expect_reply(conn, b"PING\r\n", PONG, chapter=0,
                     hint="after a client disconnects (read() returns 0), "
                          "close its socket and go back to accept() "
                          "(client %d of 5)" % (i + 1))
        conn.close()


# Commands Redis answers with an error too (unknown, or missing arguments),
# so the same test passes against redis-server.
@pytest.mark.step("0e")
@pytest.mark.parametrize("request_bytes", [
    b"FOO\r\n",
    command("PINGPING"),
    b"PONG\r\n",
    command("ECHO"),
    b"GET\r\n",
], ids=["FOO", "PINGPING", "PONG", "ECHO-without-argument", "GET-inline"])
def test_other_commands_get_an_error_reply_and_the_connection_stays_open(
        connect, request_bytes):
    conn = connect()
    conn.send(request_bytes)
    got = conn.read_line()
    assert got.startswith(b"-") and got.endswith(b"\r\n"), hint_message(
        request_bytes, got, b"-ERR ...\r\n (any error text)", 0,
        "Not an error reply.",
        "stage 0 answers every command but PING with an error: '-', a "
        "text, \\r\\n")
    expect_reply(conn, b"PING\r\n", PONG, chapter=0,
                 hint="after an error reply the connection stays open and "
                      "the next command is served")
