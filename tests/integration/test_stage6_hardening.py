"""Stage 6: what a second reading of the server found (chapter 6).

Each test is a case a reviewer reproduced against an early stage 6 and
redis-server 7.0.15: the AOF's database after a restart, the limits on a
client that has not authenticated, a password holding a NUL byte, and
IPv6 addresses in CLIENT LIST. All run against both servers.

The wrong servers these tests catch, step by step:
  6a  a SWAPDB that checks the first index's range before it parses the
      second index;
  6b  a server that believes, after a replay, that its file ends in db 0:
      a write to db 0 after a restart is logged without SELECT 0 and comes
      back in db 5;
  6c  CLIENT LIST and CLIENT INFO showing an IPv6 address without
      brackets (skipped where the server does not listen on ::1); a line
      built in a fixed buffer that cuts the fields after a 600-byte name;
  6e  a client that has not authenticated allowed a request of more than
      10 arguments or an argument over 16 KB, or one refused at 16 KB
      exactly, or refused in other words; a password compared as a C
      string, so that AUTH "" passes for "\0secret".
"""

import socket

import pytest
import redis

from helpers import (RawConnection, RestartableServer, aof_on, command,
                     error, expect_reply, request)

pytestmark = pytest.mark.stage(6)

CHAPTER = 6
PASSWORD = "s3cret"


def why(problem, hint):
    return "%s\n    hint: %s\n    Read workshop.md chapter %d." % (problem, hint, CHAPTER)


@pytest.mark.step("6b")
def test_a_restart_after_a_write_in_another_database_keeps_new_writes_in_theirs(server_factory, suite):
    # The file ends with "SELECT 5, SET k5": after a restart, a write to
    # database 0 must say SELECT 0 first, or its replay lands in db 5.
    server = RestartableServer(server_factory, *aof_on(suite.own_binary))
    db5 = redis.Redis(host=server.process.host, port=server.process.port, db=5, socket_timeout=10)
    db5.set("k5", "v5")
    db5.connection_pool.disconnect()
    c = server.restart("term")
    c.set("a0", "b0")
    c = server.restart("term")
    db5 = redis.Redis(host=server.process.host, port=server.process.port, db=5, socket_timeout=10)
    try:
        got = (c.get("a0"), db5.get("a0"), db5.get("k5"))
        assert got == (b"b0", None, b"v5"), why(
            "SET in db 5, restart, SET in db 0, restart: (db0 a0, db5 a0, "
            "db5 k5) is %r." % (got,),
            "after a replay the file ends in the database of its last "
            "SELECT: the next record for another database must say SELECT")
    finally:
        db5.connection_pool.disconnect()


@pytest.mark.step("6e")
@pytest.mark.parametrize("request_bytes, reply", [
    (b"*11\r\n", "ERR Protocol error: unauthenticated multibulk length"),
    (b"*1\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length"),
], ids=["eleven-arguments", "a-16385-byte-argument"])
def test_a_client_that_has_not_authenticated_may_send_only_small_requests(server_factory, request_bytes, reply):
    fresh = server_factory.start("--requirepass", PASSWORD)
    conn = RawConnection(fresh.host, fresh.port)
    try:
        expect_reply(conn, request_bytes, error(reply), chapter=CHAPTER,
                     hint="before AUTH, Redis 7 refuses a request of more than 10 "
                          "arguments or an argument over 16 KB, so that a stranger "
                          "cannot make the server hold a gigabyte")
    finally:
        conn.close()


@pytest.mark.step("6e")
def test_small_requests_before_auth_still_get_noauth(server_factory):
    fresh = server_factory.start("--requirepass", PASSWORD)
    conn = RawConnection(fresh.host, fresh.port)
    try:
        expect_reply(conn, command("SET", "k", "x" * 16384),
                     error("NOAUTH Authentication required."), chapter=CHAPTER,
                     hint="16384 bytes is still allowed before AUTH")
    finally:
        conn.close()


@pytest.mark.step("6e")
def test_a_password_with_a_nul_byte_is_compared_whole(r):
    assert r.execute_command("CONFIG", "SET", "requirepass", b"\x00secret") == b"OK"
    other = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                        port=r.connection_pool.connection_kwargs["port"], socket_timeout=10)
    try:
        with pytest.raises(redis.exceptions.ResponseError) as refused:
            other.execute_command("AUTH", "")
        assert "WRONGPASS" in str(refused.value) or "invalid" in str(refused.value), why(
            "AUTH \"\" against the password \"\\x00secret\" said %r." % (str(refused.value),),
            "compare the password's bytes, all of them: a C string stops at the NUL")
        assert other.execute_command("AUTH", b"\x00secret") in (True, b"OK")
    finally:
        other.connection_pool.disconnect()
        r.execute_command("AUTH", b"\x00secret")
        r.execute_command("CONFIG", "SET", "requirepass", "")


@pytest.mark.step("6c")
def test_client_list_writes_an_ipv6_address_in_brackets(server):
    try:
        sock = socket.create_connection(("::1", server.port), timeout=5)
    except OSError:
        pytest.skip("the server does not listen on ::1 here")
    sock.close()
    conn = RawConnection("::1", server.port)
    try:
        reply = request(conn, "CLIENT", "INFO")
        line = reply if isinstance(reply, bytes) else str(reply).encode()
        assert b"addr=[::1]:" in line and b"laddr=[::1]:" in line, why(
            "CLIENT INFO over ::1 says %r." % (line[:120],),
            "write an IPv6 address in brackets, [::1]:port, so that CLIENT "
            "KILL ADDR can name it")
    finally:
        conn.close()


@pytest.mark.step("6a")
@pytest.mark.parametrize("args, reply", [
    (("99999999999", "0"), "ERR invalid first DB index"),
    (("99", "x"), "ERR invalid second DB index"),
    (("0", "99"), "ERR DB index is out of range"),
], ids=["first-beyond-an-int", "second-not-a-number", "out-of-range"])
def test_swapdb_parses_both_indexes_before_checking_their_range(server, args, reply):
    conn = RawConnection(server.host, server.port)
    try:
        expect_reply(conn, command("SWAPDB", *args), error(reply), chapter=CHAPTER,
                     hint="Redis reads both numbers (an int each, with the "
                          "argument's own message) before it looks at the range")
    finally:
        conn.close()


@pytest.mark.step("6c")
def test_client_list_keeps_every_field_after_a_long_name(r):
    name = "n" * 600
    r.client_setname(name)
    line = r.execute_command("CLIENT", "INFO")
    line = line if isinstance(line, bytes) else str(line).encode()
    assert (b"name=" + name.encode()) in line and b" resp=" in line, why(
        "CLIENT INFO after a 600-byte name ends %r." % (line[-60:],),
        "build the line in a growing buffer: a fixed one cuts off the "
        "fields after a long name")
