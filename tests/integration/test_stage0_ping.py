"""Stage 0: a server that answers PING.

The first server of the workshop serves one client at a time, so every test
here closes its connection before it opens the next one, and talks raw bytes
(redis-py would keep a connection open behind the test's back).
"""

import pytest

from helpers import command, expect_reply

pytestmark = pytest.mark.stage(0)

PONG = b"+PONG\r\n"


def test_inline_ping_replies_pong(connect):
    conn = connect()
    expect_reply(conn, b"PING\r\n", PONG, chapter=0,
                 hint="a simple string reply is '+', the text, then \\r\\n")


def test_multibulk_ping_replies_pong(connect):
    conn = connect()
    expect_reply(conn, command("PING"), PONG, chapter=0,
                 hint="redis-cli and every client library send commands as "
                      "an array of bulk strings: *1\\r\\n$4\\r\\nPING\\r\\n")


def test_many_pings_sent_one_by_one_on_one_connection_each_get_pong(connect):
    conn = connect()
    for i in range(20):
        request = b"PING\r\n" if i % 2 else command("PING")
        expect_reply(conn, request, PONG, chapter=0,
                     hint="keep reading from the same client after a reply; "
                          "a connection carries many commands")


def test_several_pings_in_one_write_each_get_pong(connect):
    conn = connect()
    request = b"PING\r\n" + command("PING") + b"PING\r\n" * 3 + command("PING")
    expect_reply(conn, request, PONG * 6, chapter=0,
                 hint="one read() can hold several commands: answer each of "
                      "them, not only the first")


def test_clients_connecting_one_after_another_are_each_served(connect):
    for i in range(5):
        conn = connect()
        expect_reply(conn, b"PING\r\n", PONG, chapter=0,
                     hint="after a client disconnects (read() returns 0), "
                          "close its socket and go back to accept() "
                          "(client %d of 5)" % (i + 1))
        conn.close()
