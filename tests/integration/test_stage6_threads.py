"""Stage 6: several threads serve clients, and commands stay atomic (chapter 6).

The server under test runs with --threads 4 (the real redis-server, in the
oracle run, with its one thread): connections are dealt out to the threads
in turn, so the clients of each test are served by different threads at
once. Whatever the threads, a command must look as if it ran alone:

- MSET k1 v k2 v ... is seen whole or not at all by a concurrent MGET;
- INCR from 8 clients x 10,000 ends at exactly 80,000, and no two INCRs
  ever return the same number;
- values pushed by several clients while others pop them are each popped
  exactly once, none lost, none twice;
- CLIENT KILL closes a client served by another thread, and with the
  append-only file at `always`, every write acknowledged on any thread is
  there after a SIGKILL.

The clients send pipelines (100 commands per round trip) so that the test
is quick even under valgrind; the server still runs each command on its
own.

The wrong servers these tests catch, step by step:
  6i  --threads N not honoured, CONFIG GET threads not saying N, or 0,
      -1, "many" or 257 taken (ours); a MGET that sees part of an MSET; an
      INCR that loses counts or returns one number twice; a pushed value
      lost or popped twice; a CLIENT KILL that cannot close a client of
      another thread, or leaves it in CLIENT LIST and connected_clients;
      a --timeout that closes the idle clients of one thread only; with
      appendfsync always, a reply on any thread sent before the fsync
      that covers its record, lost to a SIGKILL (3 rounds).
"""

import random
import socket
import threading
import time

import pytest
import redis

from helpers import (RawConnection, RestartableServer, aof_on, command,
                     read_reply, request, wait_until)

pytestmark = pytest.mark.stage(6)

CHAPTER = 6
THREADS = 4
BATCH = 100


def why(problem, hint):
    return "%s\n    hint: %s\n    Read workshop.md chapter %d." % (problem, hint, CHAPTER)


def threaded(suite):
    """Our server with several threads; redis-server as it is."""
    return ("--threads", str(THREADS)) if suite.own_binary else ()


@pytest.fixture
def busy(server_factory, suite):
    return server_factory.start(*threaded(suite))


def client_of(server):
    return redis.Redis(host=server.host, port=server.port, socket_timeout=60)


def run_all(workers):
    """Start the threads, wait for them, re-raise the first failure."""
    errors = []

    def guard(fn):
        def run():
            try:
                fn()
            except Exception as exc:   # reported by the test, not lost in a thread
                errors.append(exc)
        return run

    threads = [threading.Thread(target=guard(w)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads), "a client thread did not finish in 300 s"
    if errors:
        raise errors[0]


@pytest.mark.step("6i")
@pytest.mark.project_only
def test_the_server_serves_from_the_threads_it_was_given(busy):
    line = "Serving clients from %d threads" % THREADS
    # The port accepts connections (queued) a moment before the log line.
    assert wait_until(lambda: line in busy.log_since_start(), timeout=10), why(
        "the log does not say the server serves from %d threads." % THREADS,
        "--threads N starts N reactor threads; log how many at start")


@pytest.mark.step("6i")
@pytest.mark.project_only
def test_config_get_threads_says_how_many(busy):
    got = client_of(busy).config_get("threads")
    assert got == {"threads": str(THREADS)}, why(
        "CONFIG GET threads replied %r with --threads %d." % (got, THREADS),
        "threads is a read-only parameter: the --threads the server started with")


@pytest.mark.step("6i")
@pytest.mark.project_only
@pytest.mark.parametrize("value", ["0", "-1", "many", "257"])
def test_a_bad_thread_count_is_refused_at_start(server_factory, value):
    status, output = server_factory.run_until_exit("--threads", value)
    assert status == 1 and "--threads" in output, why(
        "--threads %s: exit status %r, output %r." % (value, status, output[-300:]),
        "--threads takes a number from 1 to 256; anything else stops the start")


@pytest.mark.step("6i")
def test_a_concurrent_mget_sees_an_mset_whole_or_not_at_all(busy):
    keys = ["mset:%d" % i for i in range(10)]
    client_of(busy).mset({k: "start" for k in keys})
    stop = threading.Event()
    torn = []

    def writer(name):
        def run():
            c = client_of(busy)
            for round_ in range(20):
                pipe = c.pipeline(transaction=False)
                for i in range(BATCH):
                    pipe.mset({k: "%s-%d-%d" % (name, round_, i) for k in keys})
                pipe.execute()
        return run

    def reader():
        c = client_of(busy)
        while not stop.is_set():
            pipe = c.pipeline(transaction=False)
            for _ in range(BATCH):
                pipe.mget(keys)
            for values in pipe.execute():
                if len(set(values)) != 1:
                    torn.append(values)
                    return

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        run_all([writer("a"), writer("b")])
    finally:
        stop.set()
        for t in readers:
            t.join(60)
    assert not torn, why(
        "an MGET of 10 keys that every MSET writes together saw different "
        "values: %r." % (torn[0],),
        "a command runs whole under the server lock: another thread's "
        "command must not run in the middle of it")


@pytest.mark.step("6i")
def test_incr_from_8_clients_10000_times_each_ends_at_80000(busy):
    replies = []

    def incr():
        c = client_of(busy)
        mine = []
        for _ in range(10000 // BATCH):
            pipe = c.pipeline(transaction=False)
            for _ in range(BATCH):
                pipe.incr("counter")
            mine.extend(pipe.execute())
        replies.append(mine)

    run_all([incr] * 8)
    total = int(client_of(busy).get("counter"))
    assert total == 80000, why(
        "8 clients sent INCR counter 10,000 times each, and counter is %d." % total,
        "two threads must never read the same old value: run commands one "
        "at a time (the server lock)")
    seen = sorted(n for mine in replies for n in mine)
    assert seen == list(range(1, 80001)), why(
        "the 80,000 INCR replies are not 1..80000, each once.",
        "every INCR must see the effect of all INCRs before it")
    for mine in replies:
        assert mine == sorted(mine), why(
            "one client's INCR replies went down: %r ..." % mine[:10],
            "a client's commands run in the order it sent them")


@pytest.mark.step("6i")
def test_pushes_and_pops_from_many_clients_lose_and_duplicate_nothing(busy):
    pushers, per_pusher = 4, 2500
    popped = []
    done_pushing = threading.Event()

    def pusher(n):
        def run():
            c = client_of(busy)
            for start in range(0, per_pusher, BATCH):
                pipe = c.pipeline(transaction=False)
                for i in range(start, start + BATCH):
                    (pipe.lpush if i % 2 else pipe.rpush)("queue", "%d:%d" % (n, i))
                pipe.execute()
        return run

    def popper(side):
        def run():
            c = client_of(busy)
            mine = []
            while True:
                finished = done_pushing.is_set()
                pipe = c.pipeline(transaction=False)
                for _ in range(BATCH // 10):
                    (pipe.lpop if side == "left" else pipe.rpop)("queue", 10)
                got = [v for batch in pipe.execute() if batch for v in batch]
                mine.extend(got)
                if finished and not got:
                    break
            popped.append(mine)
        return run

    poppers = [threading.Thread(target=popper(side)) for side in ("left", "right", "left")]
    for t in poppers:
        t.start()
    try:
        run_all([pusher(n) for n in range(pushers)])
    finally:
        done_pushing.set()
        for t in poppers:
            t.join(120)
    left = client_of(busy).lrange("queue", 0, -1)
    everything = [v for mine in popped for v in mine] + left
    pushed = {b"%d:%d" % (n, i) for n in range(pushers) for i in range(per_pusher)}
    assert len(everything) == len(set(everything)), why(
        "%d values were popped twice." % (len(everything) - len(set(everything))),
        "LPOP/RPOP of one list from several threads must each take "
        "different elements")
    assert set(everything) == pushed, why(
        "%d pushed values were never popped nor left in the list."
        % len(pushed - set(everything)),
        "a push on one thread and a pop on another must not lose an element")


@pytest.mark.step("6i")
def test_client_kill_closes_a_client_served_by_another_thread(busy):
    admin = RawConnection(busy.host, busy.port)
    victims = [RawConnection(busy.host, busy.port) for _ in range(THREADS)]
    try:
        ids = []
        for v in victims:
            reply, _ = request(v, "CLIENT", "ID")
            ids.append(reply)
        for n, victim_id in enumerate(ids):
            reply, _ = request(admin, "CLIENT", "KILL", "ID", str(victim_id))
            assert reply == 1, why(
                "CLIENT KILL ID %d replied %r, not 1." % (victim_id, reply),
                "CLIENT KILL finds clients of every thread")
            listed, _ = request(admin, "CLIENT", "LIST")
            assert b"id=%d " % victim_id not in bytes(listed), why(
                "CLIENT LIST still shows client %d after CLIENT KILL." % victim_id,
                "a killed client leaves the list at once, even if its own "
                "thread frees it a moment later")
            victims[n].wait_closed(timeout=10)
        reply, _ = request(admin, "INFO", "clients")
        assert b"connected_clients:1\r\n" in bytes(reply), why(
            "after killing the other clients INFO says:\n%s" % bytes(reply).decode(),
            "a killed client no longer counts as connected")
    finally:
        admin.close()
        for v in victims:
            v.close()


@pytest.mark.step("6i")
def test_idle_clients_of_every_thread_are_closed_by_the_timeout(server_factory, suite):
    server = server_factory.start("--timeout", "1", *threaded(suite))
    idle = [RawConnection(server.host, server.port) for _ in range(THREADS)]
    try:
        for conn in idle:
            reply, _ = request(conn, "PING")
            assert reply == b"PONG"
        for conn in idle:
            conn.wait_closed(timeout=15)
    finally:
        for conn in idle:
            conn.close()


class ListWriter(threading.Thread):
    """RPUSH list:<n> 0, 1, 2 ... one at a time; `acked` counts the replies."""

    def __init__(self, server, n):
        super().__init__(daemon=True)
        self.server, self.n = server, n
        self.acked = 0
        self.error = None

    def run(self):
        try:
            sock = socket.create_connection((self.server.host, self.server.port), timeout=30)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            self.error = "could not connect: %s" % exc
            return
        try:
            while True:
                sock.sendall(command("RPUSH", "list:%d" % self.n, str(self.acked)))
                reply = b""
                while not reply.endswith(b"\r\n"):
                    chunk = sock.recv(64)
                    if not chunk:
                        return      # the server was killed
                    reply += chunk
                if not reply.startswith(b":"):
                    self.error = "RPUSH got %r" % reply
                    return
                self.acked += 1
        except OSError:
            return
        finally:
            sock.close()


@pytest.mark.step("6i")
def test_sigkill_keeps_every_write_acknowledged_on_any_thread(server_factory, suite):
    server = RestartableServer(server_factory, *aof_on(suite.own_binary, "always"), *threaded(suite))
    rng = random.Random(6)
    for round_ in range(3):
        writers = [ListWriter(server.process, n) for n in range(THREADS)]
        for w in writers:
            w.start()
        assert wait_until(lambda: all(w.acked > 20 for w in writers), timeout=30), \
            "the writers did not get 20 writes each acknowledged in 30 s"
        time.sleep(rng.uniform(0.0, 0.2))
        server.stop("kill")
        for w in writers:
            w.join(30)
            assert w.error is None, w.error
        c = server.start()
        for w in writers:
            elements = c.lrange("list:%d" % w.n, 0, -1)
            assert len(elements) >= w.acked, why(
                "round %d: writer %d had %d RPUSHes acknowledged, the list "
                "holds %d after SIGKILL and restart." % (round_, w.n, w.acked, len(elements)),
                "with appendfsync always, each thread's replies wait for "
                "the fsync that covers their records")
            assert elements == [b"%d" % i for i in range(len(elements))], why(
                "round %d: list:%d is not 0, 1, 2 ... in order." % (round_, w.n),
                "records are appended under the server lock, in the order "
                "the commands ran")
            c.delete("list:%d" % w.n)
