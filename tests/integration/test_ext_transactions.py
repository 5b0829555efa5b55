"""Part II, transactions: MULTI EXEC DISCARD WATCH UNWATCH.

Between MULTI and EXEC a client's commands are checked and queued, each
answered +QUEUED; EXEC runs them all at once, no other client's command in
between, and answers an array of their replies. As in Redis 7.0.15:

- a command refused while queuing (unknown, wrong arity, NOAUTH ...) makes
  EXEC refuse the whole transaction with -EXECABORT; a command that fails
  while EXEC runs (WRONGTYPE) is one error in the array, and the others run;
- nested MULTI and WATCH inside MULTI are errors that do not abort it;
- EXEC answers a null array (RESP3: `_`) if any WATCHed key was changed
  after WATCH, by anyone and in any way (a write, expiry, FLUSHDB, SWAPDB),
  and then forgets the watched keys, whatever the outcome.

The wrong servers these tests catch, step by step:
  8a  one that runs commands as they arrive instead of queuing them
      (another client sees them before EXEC); one whose EXEC stops at the
      first command that fails (Redis has no rollback); one that queues
      pointers into the read buffer instead of copies (50 queued SETs of
      100 KB); one that forgets a SELECT run inside EXEC, or whose CLIENT
      LIST does not show flags=x multi=<queued>;
  8b  one that accepts EXEC or DISCARD outside MULTI; one whose nested
      MULTI ends or empties the transaction; a DISCARD that leaves the
      queue to run later; one that queues QUIT instead of closing;
  8c  one that runs the good commands of a transaction with an unknown
      command or a wrong arity in it, or ends MULTI at the refused command;
      an EXEC with arguments that leaves the transaction open; a DISCARD
      with arguments that does not mark the transaction;
  8d  (ours, --threads 4) one whose reactor threads run another client's
      command between two commands of an EXEC;
  8e  a WATCH that EXEC never checks; one that remembers the value and
      compares it at EXEC (a SET of the same value is a change); one that
      aborts on any write, to another key or in another database; one that
      ignores the watching client's own write; watched keys that outlive
      EXEC (run or null), UNWATCH or DISCARD; a closed client left in the
      table of watchers; WATCH allowed inside MULTI; RESP2's null array
      after HELLO 3; a lost update among four redis-py clients retrying
      with transaction();
  8f  a WATCH that notices SET but not DEL, INCR, APPEND, EXPIRE, PERSIST,
      FLUSHDB, FLUSHALL, an in-place list change (LPUSH, LPOP, LSET,
      RPUSHX) or SWAPDB from either side; one that counts a DEL that
      deleted nothing, or a FLUSHALL when the watched key did not exist;
  8g  one that misses a watched key expiring between WATCH and EXEC
      without anyone deleting it; one that counts a key already dead at
      WATCH as changed when it is finally deleted;
  8h  (ours) a transaction's writes not framed by MULTI ... EXEC in the
      AOF; a read-only transaction that writes to it; a file ending inside
      a transaction replayed half, or not cut back to before its MULTI; a
      SIGKILL under appendfsync always that loses an acknowledged EXEC or
      brings half of one back.
"""

import threading
import time

import pytest
import redis

from helpers import (RawConnection, aof_on, arity_error, array, bulk, command,
                     error, expect_reply, integer, wait_until)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("transactions")]

CHAPTER = 8
OK = b"+OK\r\n"
QUEUED = b"+QUEUED\r\n"
NULL_ARRAY = b"*-1\r\n"
EXECABORT = error("EXECABORT Transaction discarded because of previous "
                  "errors.")


def send(conn, *args):
    return command(*args)


def expect(conn, args, expected, hint=None):
    __tracebackhide__ = True
    return expect_reply(conn, command(*args), expected, CHAPTER, hint=hint)


def other_client(server):
    return redis.Redis(host=server.host, port=server.port, socket_timeout=10)


# ---------------------------------------------------------------------------
# Queuing and EXEC
# ---------------------------------------------------------------------------

@pytest.mark.step("8a")
def test_queued_commands_run_at_exec_and_answer_in_one_array(r, connect):
    """Catches: running commands at once instead of queuing them."""
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SET", "a", "1"], QUEUED)
    expect(conn, ["INCR", "a"], QUEUED,
           hint="inside MULTI every accepted command answers +QUEUED")
    assert r.get(b"a") is None, (
        "Another client sees a=%r before EXEC: queued commands must not run "
        "until EXEC. Read workshop.md chapter %d." % (r.get(b"a"), CHAPTER))
    expect(conn, ["EXEC"], array(b"+OK\r\n", integer(2)))
    assert r.get(b"a") == b"2"


@pytest.mark.step("8a")
def test_empty_transaction_answers_an_empty_array(connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["EXEC"], b"*0\r\n")


@pytest.mark.step("8a")
def test_a_failing_command_does_not_stop_the_others(r, connect):
    """Catches: stopping EXEC at the first error (Redis has no rollback)."""
    conn = connect()
    r.rpush("list", "x")
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SET", "b", "x"], QUEUED)
    expect(conn, ["INCR", "b"], QUEUED)
    expect(conn, ["GET", "list"], QUEUED)
    expect(conn, ["SET", "c", "3"], QUEUED)
    expect(conn, ["EXEC"], array(
        OK, error("ERR value is not an integer or out of range"),
        error("WRONGTYPE Operation against a key holding the wrong kind of "
              "value"), OK),
        hint="each command's own reply, errors included, in order")
    assert r.get(b"c") == b"3"


@pytest.mark.step("8b")
def test_exec_and_discard_without_multi(connect):
    conn = connect()
    expect(conn, ["EXEC"], error("ERR EXEC without MULTI"))
    expect(conn, ["DISCARD"], error("ERR DISCARD without MULTI"))


@pytest.mark.step("8b")
def test_nested_multi_is_an_error_that_keeps_the_transaction(r, connect):
    """Catches: aborting the transaction on a nested MULTI."""
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["MULTI"], error("ERR MULTI calls can not be nested"))
    expect(conn, ["SET", "k", "v"], QUEUED)
    expect(conn, ["EXEC"], array(OK))


@pytest.mark.step("8e")
def test_watch_inside_multi_is_an_error_that_keeps_the_transaction(connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["WATCH", "k"], error("ERR WATCH inside MULTI is not allowed"))
    expect(conn, ["PING"], QUEUED)
    expect(conn, ["EXEC"], array(b"+PONG\r\n"))


@pytest.mark.step("8c")
@pytest.mark.parametrize("bad", [["NOSUCHCOMMAND", "x"], ["GET"],
                                 ["SET", "k"]])
def test_a_command_refused_while_queuing_aborts_exec(r, connect, bad):
    """Catches: running the good commands of a transaction with a typo."""
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SET", "kept", "no"], QUEUED)
    conn.send(command(*bad))
    got = conn.read_available(timeout=1.0)
    assert got.startswith(b"-ERR "), (
        "%r inside MULTI answered %r: it is refused as outside MULTI. Read "
        "workshop.md chapter %d." % (bad, got, CHAPTER))
    expect(conn, ["SET", "also", "no"], QUEUED,
           hint="a refused command does not end MULTI: later ones queue")
    expect(conn, ["EXEC"], EXECABORT)
    assert r.exists("kept", "also") == 0, "nothing of an aborted "\
        "transaction may run"
    expect(conn, ["EXEC"], error("ERR EXEC without MULTI"),
           hint="EXECABORT ends the transaction")


@pytest.mark.step("8c")
def test_exec_with_arguments_aborts_the_transaction(r, connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SET", "k", "v"], QUEUED)
    expect(conn, ["EXEC", "now"], error(
        "EXECABORT Transaction discarded because of: wrong number of "
        "arguments for 'exec' command"))
    expect(conn, ["DISCARD"], error("ERR DISCARD without MULTI"))
    assert r.exists("k") == 0


@pytest.mark.step("8c")
def test_discard_with_arguments_flags_the_transaction(connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["DISCARD", "x"], arity_error("discard"))
    expect(conn, ["EXEC"], EXECABORT)


@pytest.mark.step("8b")
def test_discard_drops_the_queue(r, connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SET", "k", "v"], QUEUED)
    expect(conn, ["DISCARD"], OK)
    expect(conn, ["EXEC"], error("ERR EXEC without MULTI"))
    assert r.exists("k") == 0


@pytest.mark.step("8b")
def test_quit_inside_multi_is_not_queued(connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect_reply(conn, command("QUIT"), OK, CHAPTER, close_after=True)


@pytest.mark.step("8a")
def test_select_inside_exec_stays_selected(r, connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SELECT", "1"], QUEUED)
    expect(conn, ["SET", "k", "in-db-1"], QUEUED)
    expect(conn, ["EXEC"], array(OK, OK))
    expect(conn, ["GET", "k"], bulk("in-db-1"))
    assert r.get("k") is None


@pytest.mark.step("8a")
def test_arguments_survive_until_exec(r, connect):
    """Catches: queuing pointers into the read buffer instead of copies."""
    conn = connect()
    expect(conn, ["MULTI"], OK)
    big = "v" * 100000
    for i in range(50):
        expect(conn, ["SET", "k%d" % i, "%s%d" % (big, i)], QUEUED)
    conn.send(command("EXEC"))
    reply = conn.read_exactly(5 + 5 * 50, timeout=10)
    assert reply == array(*[OK] * 50)
    for i in range(50):
        assert r.get("k%d" % i) == ("%s%d" % (big, i)).encode()


@pytest.mark.step("8a")
def test_client_list_shows_the_transaction(r, connect):
    conn = connect()
    expect(conn, ["CLIENT", "SETNAME", "tx"], OK)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["PING"], QUEUED)
    expect(conn, ["PING"], QUEUED)
    line = [c for c in r.client_list() if c["name"] == "tx"][0]
    assert (line["flags"], line["multi"]) == ("x", "2"), (
        "CLIENT LIST of a client inside MULTI with two queued commands: "
        "flags=%s multi=%s, Redis says flags=x multi=2" % (line["flags"],
                                                        line["multi"]))


# ---------------------------------------------------------------------------
# WATCH
# ---------------------------------------------------------------------------

def watch_then(conn, key, change, r, expected, hint):
    """WATCH key, change(r) from another client, then MULTI/SET/EXEC."""
    __tracebackhide__ = True
    expect(conn, ["WATCH", key], OK)
    change(r)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SET", "out", "ran"], QUEUED)
    expect(conn, ["EXEC"], expected, hint=hint)


def watched_change(step, name, setup, change):
    return pytest.param(name, setup, change, id=name,
                        marks=pytest.mark.step(step))


@pytest.mark.parametrize("name,setup,change", [
    watched_change("8e", "SET", None, lambda r: r.set("w", "2")),
    watched_change("8e", "SET to the same value", "1",
                   lambda r: r.set("w", "1")),
    watched_change("8f", "DEL", "1", lambda r: r.delete("w")),
    watched_change("8f", "INCR", "1", lambda r: r.incr("w")),
    watched_change("8f", "APPEND (in place)", "1",
                   lambda r: r.append("w", "x")),
    watched_change("8f", "EXPIRE", "1", lambda r: r.expire("w", 100)),
    watched_change("8f", "PERSIST", "ttl", lambda r: r.persist("w")),
    watched_change("8f", "FLUSHDB", "1", lambda r: r.flushdb()),
    watched_change("8f", "FLUSHALL", "1", lambda r: r.flushall()),
])
def test_a_change_to_a_watched_key_makes_exec_answer_null(r, connect, name,
                                                          setup, change):
    """Catches: a WATCH that only notices some kinds of change, and one
    that remembers the value at WATCH and compares it at EXEC (a SET of
    the same value is a change for Redis too)."""
    if setup == "ttl":
        r.set("w", "1", ex=100)
    elif setup is not None:
        r.set("w", setup)
    conn = connect()
    watch_then(conn, "w", change, r, NULL_ARRAY,
               "%s of the watched key by another client is a change: EXEC "
               "answers a null array and runs nothing" % name)
    assert r.get("out") is None


@pytest.mark.step("8f")
@pytest.mark.parametrize("name,change", [
    ("LPUSH", lambda r: r.lpush("w", "a")),
    ("LPOP", lambda r: r.lpop("w")),
    ("LSET", lambda r: r.lset("w", 0, "z")),
    ("RPUSHX", lambda r: r.rpushx("w", "b")),
])
def test_in_place_list_changes_touch_a_watched_list(r, connect, name,
                                                    change):
    r.rpush("w", "x", "y")
    conn = connect()
    watch_then(conn, "w", change, r, NULL_ARRAY,
               "%s changes the list in place: a change for WATCH" % name)


@pytest.mark.step("8e")
def test_an_unchanged_watched_key_lets_exec_run(r, connect):
    r.set("w", "1")
    conn = connect()
    watch_then(conn, "w", lambda r: r.get("w"), r, array(OK),
               "reading a watched key is no change")
    assert r.get("out") == b"ran"


@pytest.mark.step("8e")
def test_changes_to_other_keys_and_databases_do_not_count(r, connect):
    """Catches: a WATCH that aborts on any write at all."""
    r.set("w", "1")
    conn = connect()

    def change(client):
        client.set("unwatched", "1")
        other = redis.Redis(host=client.connection_pool.connection_kwargs[
            "host"], port=client.connection_pool.connection_kwargs["port"],
            db=1)
        other.set("w", "in another db")
        other.close()
    watch_then(conn, "w", change, r, array(OK),
               "only the watched key, in the database it was watched in")


@pytest.mark.step("8f")
def test_a_failed_noop_write_is_no_change(r, connect):
    r.set("w", "1")
    conn = connect()
    watch_then(conn, "w", lambda r: r.delete("other"), r, array(OK),
               "DEL of a missing key changed nothing")


@pytest.mark.step("8e")
def test_the_watching_client_own_write_counts(r, connect):
    conn = connect()
    expect(conn, ["WATCH", "w"], OK)
    expect(conn, ["SET", "w", "mine"], OK)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["GET", "w"], QUEUED)
    expect(conn, ["EXEC"], NULL_ARRAY,
           hint="Redis does not tell who changed the key: its own write too")


@pytest.mark.step("8e")
def test_exec_forgets_the_watched_keys(r, connect):
    """Catches: watched keys that outlive EXEC and abort the next one."""
    conn = connect()
    expect(conn, ["WATCH", "w"], OK)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["EXEC"], b"*0\r\n")
    r.set("w", "changed after EXEC")
    expect(conn, ["MULTI"], OK)
    expect(conn, ["PING"], QUEUED)
    expect(conn, ["EXEC"], array(b"+PONG\r\n"))


@pytest.mark.step("8e")
def test_a_null_exec_also_forgets_the_watched_keys(r, connect):
    conn = connect()
    watch_then(conn, "w", lambda r: r.set("w", "x"), r, NULL_ARRAY, None)
    r.set("w", "y")
    expect(conn, ["MULTI"], OK)
    expect(conn, ["EXEC"], b"*0\r\n")


@pytest.mark.step("8e")
def test_unwatch_and_discard_forget_the_watched_keys(r, connect):
    conn = connect()
    expect(conn, ["WATCH", "w"], OK)
    expect(conn, ["UNWATCH"], OK)
    r.set("w", "x")
    expect(conn, ["MULTI"], OK)
    expect(conn, ["EXEC"], b"*0\r\n")
    expect(conn, ["WATCH", "w"], OK)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["DISCARD"], OK)
    r.set("w", "y")
    expect(conn, ["MULTI"], OK)
    expect(conn, ["EXEC"], b"*0\r\n")


@pytest.mark.step("8e")
def test_exec_own_writes_to_watched_keys_do_not_abort_it(r, connect):
    conn = connect()
    expect(conn, ["WATCH", "w"], OK)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["SET", "w", "1"], QUEUED)
    expect(conn, ["INCR", "w"], QUEUED)
    expect(conn, ["EXEC"], array(OK, integer(2)))


@pytest.mark.step("8g")
def test_a_watched_key_that_expires_makes_exec_answer_null(r, connect):
    """Catches: missing a key that died on its own between WATCH and EXEC
    (nobody deleted it yet: EXEC must look at its time)."""
    r.set("w", "1", px=200)
    conn = connect()
    expect(conn, ["WATCH", "w"], OK)
    time.sleep(0.3)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["PING"], QUEUED)
    expect(conn, ["EXEC"], NULL_ARRAY,
           hint="the key expired after WATCH: that is a change")


@pytest.mark.step("8g")
def test_watching_an_already_expired_key_is_no_change_when_it_goes(r,
                                                                   connect):
    r.set("w", "1", px=50)
    time.sleep(0.15)
    conn = connect()
    expect(conn, ["WATCH", "w"], OK)
    assert r.get("w") is None       # deletes it, lazily
    expect(conn, ["MULTI"], OK)
    expect(conn, ["PING"], QUEUED)
    expect(conn, ["EXEC"], array(b"+PONG\r\n"),
           hint="a key already dead at WATCH did not change by going away")


@pytest.mark.step("8f")
def test_flush_of_a_missing_watched_key_is_no_change(r, connect):
    conn = connect()
    watch_then(conn, "w", lambda r: r.flushall(), r, array(OK),
               "FLUSHALL touches only watched keys that existed")


@pytest.mark.step("8f")
@pytest.mark.parametrize("where", ["watched db", "other db", "neither"])
def test_swapdb_touches_watched_keys_on_either_side(r, connect, where):
    conn = connect()
    if where == "watched db":
        r.set("w", "here")
    elif where == "other db":
        other = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                            port=r.connection_pool.connection_kwargs["port"],
                            db=1)
        other.set("w", "there")
        other.close()
    expected = array(OK) if where == "neither" else NULL_ARRAY
    watch_then(conn, "w", lambda r: r.swapdb(0, 1), r, expected,
               "SWAPDB changes a watched key that exists on either side")


@pytest.mark.step("8e")
def test_watch_several_keys_any_of_them(r, connect):
    conn = connect()
    expect(conn, ["WATCH", "a", "b", "c"], OK)
    r.set("c", "1")
    expect(conn, ["MULTI"], OK)
    expect(conn, ["EXEC"], NULL_ARRAY)


@pytest.mark.step("8e")
def test_watch_without_keys_and_unwatch_with_arguments(connect):
    conn = connect()
    expect(conn, ["WATCH"], arity_error("watch"))
    expect(conn, ["UNWATCH", "x"], arity_error("unwatch"))


@pytest.mark.step("8e")
def test_a_client_that_goes_away_while_watching_leaves_no_trace(server, r):
    """Catches: a freed client left in the table of watchers."""
    for _ in range(20):
        conn = RawConnection(server.host, server.port)
        conn.send(command("WATCH", "w", "v") + command("MULTI"))
        conn.read_exactly(10)
        conn.close()
    time.sleep(0.1)
    for i in range(50):
        r.set("w", str(i))
        r.set("v", str(i))
    assert r.ping()


@pytest.mark.step("8e")
def test_resp3_null_exec(r, connect):
    conn = connect()
    conn.send(command("HELLO", "3"))
    conn.read_available(timeout=0.5)
    expect(conn, ["WATCH", "w"], OK)
    r.set("w", "1")
    expect(conn, ["MULTI"], OK)
    expect(conn, ["EXEC"], b"_\r\n",
           hint="RESP3 has its own null: _\\r\\n")


# ---------------------------------------------------------------------------
# Through redis-py's own API
# ---------------------------------------------------------------------------

@pytest.mark.step("8a")
def test_redis_py_default_pipeline_is_a_transaction(r):
    pipe = r.pipeline()
    pipe.set("a", "1").incr("a").get("a")
    assert pipe.execute() == [True, 2, b"2"]


@pytest.mark.step("8e")
def test_redis_py_watch_retries_until_it_wins(r, server):
    r.set("counter", "0")
    errors = []

    def incr_with_watch():
        client = other_client(server)
        try:
            for _ in range(30):
                def work(pipe):
                    value = int(pipe.get("counter"))
                    pipe.multi()
                    pipe.set("counter", value + 1)
                client.transaction(work, "counter")
        except Exception as exc:           # reported below
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=incr_with_watch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert r.get("counter") == b"120", (
        "4 clients each added 1 thirty times with WATCH/MULTI/EXEC and got "
        "counter=%r: a lost update means EXEC ran although a watched key "
        "had changed. Read workshop.md chapter %d." % (r.get("counter"),
                                                      CHAPTER))


@pytest.mark.step("8e")
def test_redis_py_watch_error(r, server):
    client = other_client(server)
    pipe = client.pipeline()
    pipe.watch("w")
    r.set("w", "changed")
    pipe.multi()
    pipe.set("w", "mine")
    with pytest.raises(redis.WatchError):
        pipe.execute()
    assert r.get("w") == b"changed"
    client.close()


# ---------------------------------------------------------------------------
# Threads and the append-only file (our binary's options)
# ---------------------------------------------------------------------------

@pytest.mark.step("8d")
@pytest.mark.project_only
def test_exec_is_atomic_across_reactors(server_factory):
    """With --threads 4, transfers between two keys from many clients keep
    the total: no command of another client runs inside an EXEC."""
    srv = server_factory.start("--threads", "4")
    setup = redis.Redis(host=srv.host, port=srv.port)
    setup.mset({"x": 1000, "y": 1000})
    stop = threading.Event()
    seen = []

    def transfer():
        client = redis.Redis(host=srv.host, port=srv.port)
        while not stop.is_set():
            pipe = client.pipeline()
            pipe.decrby("x", 3).incrby("y", 3)
            pipe.execute()
        client.close()

    def audit():
        client = redis.Redis(host=srv.host, port=srv.port)
        while not stop.is_set():
            pipe = client.pipeline()
            pipe.get("x").get("y")
            x, y = pipe.execute()
            seen.append(int(x) + int(y))
        client.close()

    threads = [threading.Thread(target=transfer) for _ in range(4)]
    threads.append(threading.Thread(target=audit))
    for t in threads:
        t.start()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(30)
    assert seen and set(seen) == {2000}, (
        "An auditor reading x and y in one MULTI/EXEC saw totals %r: "
        "another client's command ran in the middle of a transaction."
        % sorted(set(seen))[:5])
    setup.close()


@pytest.mark.step("8h")
@pytest.mark.project_only
def test_the_aof_frames_a_transaction_and_replays_it(server_factory):
    srv = server_factory.start(*aof_on(True, "always"))
    client = redis.Redis(host=srv.host, port=srv.port)
    pipe = client.pipeline()
    pipe.set("a", "1").incr("a").get("a").rpush("l", "x")
    pipe.execute()
    text = (srv.workdir / "appendonly.aof").read_bytes()
    assert b"*1\r\n$5\r\nMULTI\r\n" in text and text.endswith(
        b"*1\r\n$4\r\nEXEC\r\n"), (
        "The AOF after one transaction of writes: %r. It must hold MULTI, "
        "the writes, then EXEC, so that a crash in the middle is not "
        "replayed half." % text[-200:])
    client.close()
    srv.stop()
    again = server_factory.start(*aof_on(True, "always"), dir=srv.workdir)
    client = redis.Redis(host=again.host, port=again.port)
    assert client.get("a") == b"2" and client.lrange("l", 0, -1) == [b"x"]
    client.close()


@pytest.mark.step("8h")
@pytest.mark.project_only
def test_a_read_only_transaction_writes_nothing_to_the_aof(server_factory):
    srv = server_factory.start(*aof_on(True, "always"))
    client = redis.Redis(host=srv.host, port=srv.port)
    client.set("k", "v")
    before = (srv.workdir / "appendonly.aof").read_bytes()
    pipe = client.pipeline()
    pipe.get("k").exists("k")
    pipe.execute()
    assert (srv.workdir / "appendonly.aof").read_bytes() == before
    client.close()


@pytest.mark.step("8h")
@pytest.mark.project_only
def test_a_transaction_cut_off_in_the_file_is_dropped_whole(server_factory,
                                                           tmp_path):
    """A crash while the transaction was being written leaves MULTI and
    some of its commands without EXEC: none of them was acknowledged, so
    none may come back, and the file is cut before the MULTI."""
    good = command("SET", "before", "1")
    cut = command("MULTI") + command("SET", "half", "1") + command(
        "INCR", "before")
    (tmp_path / "appendonly.aof").write_bytes(good + cut)
    srv = server_factory.start(*aof_on(True, "always"), dir=tmp_path)
    client = redis.Redis(host=srv.host, port=srv.port)
    assert client.get("before") == b"1", "the command before MULTI stays"
    assert client.get("half") is None, (
        "A transaction without its EXEC at the end of the file came back: "
        "it must be dropped whole.")
    assert (tmp_path / "appendonly.aof").read_bytes() == good, (
        "The file must be cut back to just before MULTI, so that new "
        "records are not appended inside the broken transaction.")
    client.set("after", "1")
    client.close()
    srv.stop()
    again = server_factory.start(*aof_on(True, "always"), dir=tmp_path)
    client = redis.Redis(host=again.host, port=again.port)
    assert (client.get("after"), client.get("half")) == (b"1", None)
    client.close()


@pytest.mark.step("8h")
@pytest.mark.project_only
def test_sigkill_during_transactions_loses_nothing_acknowledged(
        server_factory):
    """appendfsync always: every EXEC a client heard back from is on disk,
    whole, after a SIGKILL; no transaction comes back half."""
    srv = server_factory.start(*aof_on(True, "always"))
    acked = []
    stop = threading.Event()

    def writer():
        client = redis.Redis(host=srv.host, port=srv.port)
        i = 0
        try:
            while not stop.is_set():
                pipe = client.pipeline()
                pipe.set("a:%d" % i, i).set("b:%d" % i, i).incr("n")
                pipe.execute()
                acked.append(i)
                i += 1
        except redis.ConnectionError:
            pass

    t = threading.Thread(target=writer)
    t.start()
    wait_until(lambda: len(acked) > 200, 20)
    srv.signal(9)
    stop.set()
    t.join(10)
    srv.wait()
    again = server_factory.start(*aof_on(True, "always"), dir=srv.workdir)
    client = redis.Redis(host=again.host, port=again.port)
    n = int(client.get("n") or 0)
    assert n >= len(acked), "acknowledged transactions lost: %d of %d" % (
        len(acked) - n, len(acked))
    for i in range(n):
        assert client.get("a:%d" % i) == client.get("b:%d" % i) == str(
            i).encode(), "transaction %d came back half" % i
    assert client.get("a:%d" % n) is None and client.get("b:%d" % n) is None
    client.close()
