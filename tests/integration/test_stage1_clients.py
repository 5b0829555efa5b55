"""Stage 1: an event loop serving many clients at once.

One slow or misbehaving client must never hold up the others: a client that
sent half a command, a client that disconnects while its reply is still being
written, fifty clients talking at the same time.

The wrong servers these tests catch, step by step:
  1b  one that still serves one client at a time (blocking accept/read), one
      that waits for a whole command from one client while others wait, one
      that mixes up replies between clients sharing buffers, one that dies
      of SIGPIPE or EPIPE when a client leaves before its reply is written,
      one that leaks a file descriptor per connection until accept() fails.
"""

import socket
import struct
import threading
import time

import pytest

from helpers import RawConnection, bulk, command, expect_reply

pytestmark = pytest.mark.stage(1)

PONG = b"+PONG\r\n"


@pytest.mark.step("1b")
def test_fifty_concurrent_clients_each_get_their_own_replies(server):
    clients, rounds = 50, 20
    start = threading.Barrier(clients)
    failures = []

    def talk(n):
        try:
            conn = RawConnection(server.host, server.port, timeout=10)
        except OSError as exc:
            failures.append("client %d could not connect: %s" % (n, exc))
            return
        try:
            start.wait(timeout=10)
            for i in range(rounds):
                value = "client %d message %d" % (n, i)
                # Half the rounds are sent in two writes, so the server sees
                # partial commands from many clients interleaved.
                request = command("ECHO", value)
                if i % 2:
                    conn.send(request[:7])
                    time.sleep(0.001)
                    request = request[7:]
                conn.send(request)
                got = conn.read_exactly(len(bulk(value)), timeout=10)
                if got != bulk(value):
                    failures.append("client %d round %d: sent ECHO %r, got %r"
                                    % (n, i, value, got))
                    return
        except Exception as exc:  # reported below, with the others
            failures.append("client %d: %r" % (n, exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=talk, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, (
        "Some of %d concurrent clients got wrong replies:\n  %s\n"
        "Hint: keep one query buffer per client, and never let a reply reach "
        "another client's socket. Read workshop.md chapter 1."
        % (clients, "\n  ".join(failures[:10])))


@pytest.mark.step("1b")
def test_client_with_half_a_command_does_not_block_others(connect):
    slow = connect()
    slow.send(b"*2\r\n$4\r\nECHO\r\n$5\r\nhel")
    other = connect()
    expect_reply(other, b"PING\r\n", PONG, chapter=1,
                 hint="never block in read() waiting for the rest of a "
                      "command: return to the event loop instead")
    expect_reply(slow, b"lo\r\n", bulk("hello"), chapter=1,
                 hint="the half command is finished by the next read")


@pytest.mark.step("1b")
def test_idle_connected_client_does_not_block_others(connect):
    idle = connect()
    for _ in range(3):
        expect_reply(connect(), b"PING\r\n", PONG, chapter=1,
                     hint="accept and serve new clients while others are "
                          "connected and silent")
    expect_reply(idle, b"PING\r\n", PONG, chapter=1)


@pytest.mark.step("1b")
def test_client_disconnecting_before_reading_large_replies_does_not_hurt_server(
        connect, server):
    value = b"x" * (1024 * 1024)
    rude = socket.create_connection((server.host, server.port), timeout=3)
    try:
        # 32 MB of replies the client will never read. If the server stops
        # reading while its replies are stuck, sendall times out: fine too.
        rude.sendall(command("ECHO", value) * 32)
    except OSError:
        pass
    finally:
        rude.close()
    time.sleep(0.1)
    expect_reply(connect(), b"PING\r\n", PONG, chapter=1,
                 hint="writing to a closed socket raises SIGPIPE (ignore it) "
                      "and fails with EPIPE or ECONNRESET: free that client, "
                      "keep serving the others")


@pytest.mark.step("1b")
def test_clients_disconnecting_abruptly_leave_the_server_serving(connect,
                                                                 server):
    for half in (b"", b"*2\r\n$4\r\nEC", b"PING\r\n" * 10):
        s = socket.create_connection((server.host, server.port), timeout=3)
        if half:
            s.sendall(half)
        # SO_LINGER with a zero timeout makes close() send a reset.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()
    expect_reply(connect(), b"PING\r\n", PONG, chapter=1,
                 hint="a reset connection (ECONNRESET) is a normal event: "
                      "free the client and go on")


@pytest.mark.step("1b")
def test_many_connections_opened_and_closed_do_not_exhaust_the_server(connect):
    for i in range(200):
        conn = connect()
        expect_reply(conn, b"PING\r\n", PONG, chapter=1,
                     hint="close the socket of every client that leaves, or "
                          "file descriptors run out (connection %d)" % i)
        conn.close()
