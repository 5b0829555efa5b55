"""Part II, blocking commands: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN
BZPOPMAX BZMPOP, and CLIENT UNBLOCK.

A blocking pop first does what its non-blocking twin does. When every key
it names is empty, the client is parked on those keys: no reply, none of
its pipelined commands read, its thread free for the other clients. It is
answered when a key becomes ready (another client's push), when its
timeout passes, or by CLIENT UNBLOCK. These tests use two connections, one
that waits and one that pushes, short timeouts, and socket timeouts, so
that a server that never answers fails instead of hanging. A waiter is
known to be parked when INFO clients says blocked_clients went up.

Every exact reply was taken from redis-server 7.0.15. In particular:
- the timeout is seconds, fractions allowed, rounded UP to a millisecond
  (1e-9 times out after 1 ms, -0.0001 rounds to 0: waits for ever); errors
  "ERR timeout is not a float or out of range" and "ERR timeout is
  negative", the latter also for a value whose milliseconds do not fit in
  64 bits (inf, 1e20: Redis's conversion overflows to a negative number);
  the timeout is read before any key (BLMOVE reads its LEFT/RIGHT first,
  BLMPOP and BZMPOP numkeys, the direction and COUNT first);
- a timed-out waiter gets a null array, *-1 (RESP3 _), BLMOVE and
  BRPOPLPUSH included; inside MULTI nothing blocks: BLPOP BRPOP BLMPOP and
  the zset ones answer *-1, but BLMOVE and BRPOPLPUSH a null BULK $-1;
- a waiter is served right after the command that made its key ready,
  before the next command of any client: LPUSH q a; LLEN q pipelined by
  the pusher answers :1 then :0;
- waiters of one key are served first come first served, one element
  each; a waiter on several keys gets the key made ready FIRST (in an EXEC
  that pushes c then b, a waiter on a b c gets c), and only once;
- EXEC, RENAME, MOVE, SWAPDB, COPY, LMOVE and RPOPLPUSH make keys ready like
  a push, served after the whole command with its final state (LPUSH a,
  LPUSH b, LPUSH c in one EXEC: BLPOP gets c, BRPOP gets a); a key pushed
  and popped in one EXEC, or set to a string, leaves its waiters waiting;
- a list waiter is not served by a sorted set at its key, nor a sorted set
  waiter by a list: it keeps waiting, and the other kind is served;
- BLMOVE/BRPOPLPUSH wait on the source whatever the destination holds;
  served while the destination holds another type, the waiter gets
  WRONGTYPE, the element stays in the source and the next waiter gets it;
- CLIENT UNBLOCK id [TIMEOUT|ERROR] checks the reason before the id,
  answers :1 and gives the waiter its timeout reply or "-UNBLOCKED client
  unblocked via CLIENT UNBLOCK", :0 for a client that does not wait;
  CLIENT KILL of a waiter closes it without a reply;
- a waiter shows flags=b cmd=blpop in CLIENT LIST and counts in INFO's
  blocked_clients;
- the AOF logs a pop as what it did: LPOP/RPOP key (BLMPOP: key count,
  the count capped at what was there), LMOVE, RPOPLPUSH, ZPOPMIN/ZPOPMAX
  key [count], after the push that served it; never the blocking command.

The wrong servers these tests catch, step by step:
  15a a timeout read as an integer (0.5 refused) or leniently (" 1", "1s",
      "nan" accepted), a negative one accepted, an overflowing one (inf,
      1e20) not refused as negative; a timeout read after popping; a pop
      from the wrong end or from a later key; a key of another type met
      before a non-empty list not refused, or refused when the list comes
      first; an emptied list left behind; wrong arity texts;
  15b a server that answers at once on empty keys (an empty array, a null
      bulk), times out early, never, or answers $-1 or *0; a timeout of
      1e-9 rounded down to 0 (waiting for ever); a parked client whose
      pipelined commands run before it is answered; blocked_clients not
      counted or not decremented; CLIENT LIST without flags=b cmd=blpop;
  15c a push that does not wake the waiter, wakes it with the wrong end,
      or leaves the element in the list as well; LMOVE or RPOPLPUSH into
      the key not waking it; a waiter served after the pusher's next
      command (LLEN sees 1); timeout 0 treated as "at once"; -0.0001
      refused; a served waiter that later also gets a timeout reply; a
      push in another database waking it; CLIENT REPLY SKIP before a
      blocking command that silences the next command instead of the
      blocked one's eventual answer; (ours, --threads 4) a waiter on
      one reactor never woken by a push on another;
  15d waiters served last come first, or all woken for one element; a
      waiter on several keys served by the first key it named rather than
      the first made ready, or served twice; the same key named twice
      counted as two waiters or served twice; (ours, --threads 4) a job
      lost or popped twice among 8 consumers looping BRPOP;
  15e a BLPOP inside MULTI that blocks the EXEC, or a timeout error not
      reported in EXEC's array; an EXEC whose waiters are served in the
      middle (BLPOP gets a, not c) or with a key pushed and popped in it;
      RENAME, MOVE (from another db), SWAPDB, COPY (to another db) not
      waking waiters; a waiter woken by SET (an error, a null) instead of
      waiting until its timeout or a real push;
  15f CLIENT UNBLOCK that does not answer :1/:0, gives the wrong reply
      (RESP2 or RESP3), leaves the client parked or its pipeline stuck,
      checks the id before the reason, or has the wrong arity texts; a
      killed or closed waiter that still takes an element, or stays in
      blocked_clients;
  15g BRPOPLPUSH/BLMOVE pushed to the wrong end or not at all; a syntax
      error reported after the timeout's; a destination of another type
      refused before waiting, or, when served, the element lost (or given
      to nobody) instead of WRONGTYPE for that waiter and the element to
      the next; $-1 instead of *-1 at the timeout, or *-1 instead of $-1
      in MULTI; a served BLMOVE whose push does not serve the destination's
      own waiter; a rotation onto the same key served wrongly;
  15h BLMPOP's numkeys, direction and COUNT read in the wrong order or
      with other texts; COUNT not applied or not capped, or not applied to
      a served waiter; the AOF logging BLPOP/BLMOVE/BLMPOP themselves, a
      pop before the push that served it, a count larger than what was
      popped, or a pop refused with WRONGTYPE; lists that differ after a
      restart;
  15i BZPOPMIN/BZPOPMAX that pop the wrong end, answer the score as an
      integer where Redis sends a double (RESP3 ",1.5", RESP2 "$19
      0.10000000000000001"), BZMPOP's nesting or COUNT wrong; a list waiter
      served by ZADD, a zset waiter by RPUSH, or the one of the right kind
      skipped; ZPOPMIN/ZPOPMAX missing from the AOF.
Every command's arity, WRONGTYPE and timeout replies are checked in its
own step.
"""

import glob
import os
import threading
import time

import pytest
import redis

from helpers import (RawConnection, RestartableServer, aof_commands, aof_on,
                     arity_error, array, bulk, command, error, expect_reply,
                     hint_message, integer, read_reply, request, wait_until)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("blocking")]

CHAPTER = 15    # Part II: blocking commands
THREADS = 4
OK = b"+OK\r\n"
QUEUED = b"+QUEUED\r\n"
NULL_ARRAY = b"*-1\r\n"
NULL_BULK = b"$-1\r\n"
RESP3_NULL = b"_\r\n"
WRONGTYPE = error("WRONGTYPE Operation against a key holding the wrong kind "
                  "of value")
NOT_A_FLOAT = error("ERR timeout is not a float or out of range")
NEGATIVE = error("ERR timeout is negative")
SYNTAX = error("ERR syntax error")
NUMKEYS = error("ERR numkeys should be greater than 0")
COUNT = error("ERR count should be greater than 0")
UNBLOCKED = error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
BLOCKING_POPS = (b"BLPOP", b"BRPOP", b"BRPOPLPUSH", b"BLMOVE", b"BLMPOP",
                 b"BZPOPMIN", b"BZPOPMAX", b"BZMPOP")


def why(problem, hint):
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def bulks(*items):
    return array(*[bulk(item) for item in items])


def popped(key, *elements):
    """BLMPOP's reply: [key, [element ...]]."""
    return array(bulk(key), bulks(*elements))


def scored(key, *pairs):
    """BZMPOP's reply: [key, [[member, score] ...]]; scores as bytes."""
    return array(bulk(key), array(*[array(bulk(m), s) for m, s in pairs]))


def dbl(text):
    """A RESP3 double."""
    return b"," + text.encode() + b"\r\n"


def expect(conn, args, reply, hint=None):
    __tracebackhide__ = True
    return expect_reply(conn, command(*args), reply, CHAPTER,
                        hint=hint or "see the blocking chapter (workshop.md "
                                     "Part II)")


def served(conn, reply, hint=None, timeout=3.0):
    """Read the reply a parked client gets (nothing is sent)."""
    __tracebackhide__ = True
    return expect_reply(conn, b"", reply, CHAPTER, timeout=timeout,
                        hint=hint or "the waiter is answered right after the "
                                     "command that made its key ready")


def blocked_clients(client):
    return int(client.info("clients")["blocked_clients"])


def park(client, conn, *args, hint=None):
    """Send a blocking command on empty keys and wait until INFO clients
    (asked through `client`) counts one more blocked client."""
    __tracebackhide__ = True
    before = blocked_clients(client)
    sent = command(*args)
    conn.send(sent)
    deadline = time.monotonic() + 3
    while True:
        got = conn.read_available(0.005)
        if got or conn.closed:
            raise AssertionError(hint_message(
                sent, got, b"(nothing: the client waits)", CHAPTER,
                "The server answered a blocking command whose keys are all "
                "empty instead of parking the client.", hint or
                "park the client on its keys; answer it when a key is "
                "ready, its timeout passes or CLIENT UNBLOCK"))
        if blocked_clients(client) >= before + 1:
            return conn
        if time.monotonic() > deadline:
            raise AssertionError(why(
                "Sent %r: no reply (good), but INFO clients never said "
                "blocked_clients:%d (it says %d)."
                % (sent, before + 1, blocked_clients(client)),
                "count the parked clients in INFO clients blocked_clients"))


def still_waiting(conn, what, wait=0.1):
    __tracebackhide__ = True
    got = conn.read_available(wait)
    assert not got and not conn.closed, why(
        "The waiter should still be waiting (%s), but it got %r%s."
        % (what, got, " and the connection closed" if conn.closed else ""),
        "a waiter is answered only when one of its keys holds its type with "
        "data, its timeout passes, or CLIENT UNBLOCK")


def resp3(conn):
    value, raw = request(conn, "HELLO", "3")
    assert isinstance(value, list) or raw.startswith(b"%"), raw


def client_id(conn):
    value, raw = request(conn, "CLIENT", "ID")
    assert isinstance(value, int), raw
    return value


def timed(conn, args, reply, at_least, hint=None):
    """Send args, expect `reply`, no sooner than `at_least` seconds later
    (and not more than 2 s after that)."""
    __tracebackhide__ = True
    start = time.monotonic()
    expect_reply(conn, command(*args), reply, CHAPTER,
                 timeout=at_least + 2.0, hint=hint or
                 "at the deadline, answer the waiter a null array")
    took = time.monotonic() - start
    assert took >= at_least - 0.01, why(
        "%s answered %r after %.3f s, before its %.3f s timeout."
        % (" ".join(args), reply, took, at_least),
        "the timeout is in seconds, with fractions: 0.1 is 100 ms")
    return took


def threaded(suite):
    """Our server with several reactors; redis-server as it is."""
    return ("--threads", str(THREADS)) if suite.own_binary else ()


class Raws:
    """Raw connections to a server_factory server, closed at the end."""

    def __init__(self, srv):
        self.srv = srv
        self.opened = []

    def __call__(self):
        conn = RawConnection(self.srv.host, self.srv.port)
        self.opened.append(conn)
        return conn

    def close(self):
        for conn in self.opened:
            conn.close()


@pytest.fixture(autouse=True)
def no_waiter_left(r):
    """Each test starts with no parked client: a waiter an earlier test
    closed must be gone, or it would take the elements of this one."""
    __tracebackhide__ = True
    assert wait_until(lambda: blocked_clients(r) == 0, 3), why(
        "INFO clients says blocked_clients:%d before this test: a waiter "
        "of an earlier test, whose connection was closed, still counts."
        % blocked_clients(r),
        "a closed client leaves every key it waited on and the count")


def arg_id(value):
    """A test id for a command's arguments (a list of str)."""
    if isinstance(value, list) and all(isinstance(a, str) for a in value):
        return " ".join(value)
    return None


# ---------------------------------------------------------------------------
# 15a: the timeout argument, and BLPOP BRPOP that find data
# ---------------------------------------------------------------------------

@pytest.mark.step("15a")
def test_blpop_and_brpop_pop_from_the_first_non_empty_key(r, connect):
    conn = connect()
    r.rpush("l", "a", "b", "c")
    expect(conn, ["BLPOP", "missing", "l", "0"], bulks("l", "a"),
           "a missing key is skipped; the first non-empty list is popped "
           "like LPOP, and the reply is [key, element]")
    expect(conn, ["BRPOP", "missing", "l", "0"], bulks("l", "c"),
           "BRPOP pops the tail, like RPOP")
    expect(conn, ["BLPOP", "l", "missing", "5"], bulks("l", "b"))
    expect(conn, ["EXISTS", "l"], integer(0),
           "the pop that takes the last element deletes the key")


@pytest.mark.step("15a")
def test_a_non_empty_list_before_a_key_of_another_type_is_popped(r, connect):
    conn = connect()
    r.rpush("l", "a", "b")
    r.set("s", "x")
    expect(conn, ["BLPOP", "l", "s", "0"], bulks("l", "a"),
           "the keys are looked at in order and the first non-empty list "
           "wins: the string after it is never looked at")
    expect(conn, ["BLPOP", "missing", "s", "l", "0"], WRONGTYPE,
           "a key of another type met before any non-empty list is "
           "WRONGTYPE")
    expect(conn, ["BRPOP", "s", "0"], WRONGTYPE)
    expect(conn, ["LRANGE", "l", "0", "-1"], bulks("b"),
           "a WRONGTYPE reply pops nothing")


@pytest.mark.step("15a")
def test_resp3_replies_of_blpop_and_brpop_with_data(r, connect):
    conn = connect()
    resp3(conn)
    r.rpush("l", "a", "b")
    expect(conn, ["BLPOP", "l", "0"], bulks("l", "a"),
           "with data, the reply is the same two-element array in RESP3")
    expect(conn, ["BRPOP", "l", "0"], bulks("l", "b"))


@pytest.mark.step("15a")
@pytest.mark.parametrize("args", [["BLPOP"], ["BLPOP", "k"], ["BRPOP"],
                                  ["BRPOP", "k"]],
                         ids=arg_id)
def test_arity_of_blpop_and_brpop(connect, args):
    expect(connect(), args, arity_error(args[0].lower()),
           "at least one key and the timeout")


@pytest.mark.step("15a")
@pytest.mark.parametrize("name", ["BLPOP", "BRPOP"])
@pytest.mark.parametrize("timeout, reply", [
    ("abc", NOT_A_FLOAT), ("", NOT_A_FLOAT), (" 1", NOT_A_FLOAT),
    ("1 ", NOT_A_FLOAT), ("1s", NOT_A_FLOAT), ("nan", NOT_A_FLOAT),
    ("0,5", NOT_A_FLOAT),
    ("-1", NEGATIVE), ("-0.5", NEGATIVE), ("-inf", NEGATIVE),
    ("inf", NEGATIVE), ("1e20", NEGATIVE),
])
def test_a_bad_timeout_is_refused_before_anything_is_popped(r, connect, name,
                                                             timeout, reply):
    r.rpush("k", "a")
    conn = connect()
    expect(conn, [name, "k", timeout], reply,
           "read the timeout first, as a long double, and refuse it before "
           "looking at any key; seconds * 1000, rounded up, must be a "
           "non-negative 64-bit number of ms (inf and 1e20 overflow: Redis "
           "says 'timeout is negative')")
    expect(conn, ["LLEN", "k"], integer(1), "a refused command pops nothing")


@pytest.mark.step("15a")
@pytest.mark.parametrize("timeout", ["0", "1", "0.5", ".5", "1e-3", "1E2",
                                     "+1", "00.10", "-0", "1.5e1"])
def test_timeouts_with_fractions_and_exponents_are_accepted(r, connect,
                                                            timeout):
    r.rpush("k", "a")
    expect(connect(), ["BLPOP", "k", timeout], bulks("k", "a"),
           "the timeout is a float: fractions, exponents and a sign are "
           "fine")


@pytest.mark.step("15a")
def test_the_timeout_is_read_before_a_key_of_another_type(r, connect):
    r.set("s", "x")
    expect(connect(), ["BLPOP", "s", "x"], NOT_A_FLOAT,
           "the timeout is checked before the keys")


# ---------------------------------------------------------------------------
# 15b: parking a client, and its time running out
# ---------------------------------------------------------------------------

@pytest.mark.step("15b")
@pytest.mark.parametrize("name", ["BLPOP", "BRPOP"])
def test_an_empty_key_waits_for_the_timeout_then_a_null_array(r, connect,
                                                              name):
    conn = connect()
    timed(conn, [name, "nothing", "other", "0.1"], NULL_ARRAY, 0.1,
          "with every key empty, answer nothing; after 0.1 s, a null array "
          "(*-1), not a null bulk or an empty array")
    expect(conn, ["PING"], b"+PONG\r\n",
           "after its timeout the client runs commands again")


@pytest.mark.step("15b")
@pytest.mark.parametrize("name", ["BLPOP", "BRPOP"])
def test_the_timeout_reply_in_resp3_is_null(r, connect, name):
    conn = connect()
    resp3(conn)
    timed(conn, [name, "nothing", "0.05"], RESP3_NULL, 0.05,
          "in RESP3 the null array is _")


@pytest.mark.step("15b")
@pytest.mark.parametrize("timeout", ["1e-9", "0.0001", "0.001"])
def test_a_tiny_timeout_is_rounded_up_to_one_millisecond(r, connect,
                                                         timeout):
    timed(connect(), ["BLPOP", "nothing", timeout], NULL_ARRAY, 0.0,
          "seconds * 1000 rounded UP: a tiny timeout is 1 ms, not 0 (which "
          "would wait for ever)")


@pytest.mark.step("15b")
def test_a_parked_client_runs_none_of_its_pipeline_until_answered(r, connect):
    conn = connect()
    conn.send(command("BLPOP", "k", "0.2") + command("PING") +
              command("RPUSH", "k", "own"))
    still_waiting(conn, "its BLPOP waits 0.2 s; the PING and RPUSH behind it "
                  "must wait too")
    assert r.llen("k") == 0, why(
        "LLEN k is %d while the client that sent BLPOP k; PING; RPUSH k own "
        "still waits: its RPUSH ran before its BLPOP was answered."
        % r.llen("k"),
        "a parked client's later commands are not read until it is "
        "answered")
    served(conn, NULL_ARRAY + b"+PONG\r\n" + integer(1),
           "at the timeout: *-1, then the pipelined PING and RPUSH run")
    assert r.lrange("k", 0, -1) == [b"own"]


@pytest.mark.step("15b")
def test_info_counts_the_blocked_clients(r, connect):
    assert blocked_clients(r) == 0
    first, second = connect(), connect()
    park(r, first, "BLPOP", "a", "0.3")
    park(r, second, "BRPOP", "b", "c", "0.3")
    assert blocked_clients(r) == 2
    served(first, NULL_ARRAY)
    served(second, NULL_ARRAY)
    assert wait_until(lambda: blocked_clients(r) == 0, 2), why(
        "INFO clients still says blocked_clients:%d after both waiters "
        "timed out." % blocked_clients(r),
        "decrement the count when a waiter is answered")


@pytest.mark.step("15b")
def test_client_list_shows_a_waiter_with_flags_b_and_its_command(r, connect):
    waiter = connect()
    wid = client_id(waiter)
    park(r, waiter, "BLPOP", "k", "0.3")
    line = [ln for ln in r.execute_command("CLIENT", "LIST").decode()
            .splitlines() if ln.startswith("id=%d " % wid)]
    assert line, "CLIENT LIST has no line for id=%d" % wid
    fields = dict(f.split("=", 1) for f in line[0].split(" ") if "=" in f)
    assert fields.get("flags") == "b" and fields.get("cmd") == "blpop", why(
        "CLIENT LIST shows the waiter as flags=%s cmd=%s; Redis shows "
        "flags=b cmd=blpop." % (fields.get("flags"), fields.get("cmd")),
        "a parked client has the b flag, and its last command is the "
        "blocking one")
    served(waiter, NULL_ARRAY)


# ---------------------------------------------------------------------------
# 15c: waking it: a push serves the waiter
# ---------------------------------------------------------------------------

@pytest.mark.step("15c")
@pytest.mark.parametrize("wait, push, element, left", [
    ("BLPOP", ["RPUSH", "k", "a", "b"], "a", [b"b"]),
    ("BLPOP", ["LPUSH", "k", "a", "b"], "b", [b"a"]),
    ("BRPOP", ["RPUSH", "k", "a", "b"], "b", [b"a"]),
    ("BRPOP", ["LPUSH", "k", "a", "b"], "a", [b"b"]),
    ("BLPOP", ["RPUSH", "k", "only"], "only", []),
], ids=arg_id)
def test_a_push_wakes_the_waiter_with_its_end_of_the_list(r, connect, wait,
                                                          push, element,
                                                          left):
    waiter, pusher = connect(), connect()
    park(r, waiter, wait, "k", "0")
    expect(pusher, push, integer(len(push) - 2),
           "the push answers the length it made, before the waiter pops")
    served(waiter, bulks("k", element),
           "after the push, pop for the waiter from its end, as if it had "
           "just sent %s again" % wait)
    assert r.lrange("k", 0, -1) == left
    assert r.exists("k") == (1 if left else 0)


@pytest.mark.step("15c")
@pytest.mark.parametrize("move", [["LMOVE", "f", "t", "LEFT", "RIGHT"],
                                  ["RPOPLPUSH", "f", "t"]],
                         ids=lambda a: a[0])
def test_a_move_into_the_key_wakes_the_waiter(r, connect, move):
    waiter, mover = connect(), connect()
    park(r, waiter, "BLPOP", "t", "0")
    r.rpush("f", "moved")
    expect(mover, move, bulk("moved"))
    served(waiter, bulks("t", "moved"),
           "a list created at the key by %s makes it ready" % move[0])
    assert r.exists("t", "f") == 0


@pytest.mark.step("15c")
def test_client_reply_skip_silences_the_blocked_commands_answer(r, connect):
    waiter, pusher = connect(), connect()
    waiter.send(command("CLIENT", "REPLY", "SKIP"))
    park(r, waiter, "BLPOP", "q", "0")
    expect(pusher, ["RPUSH", "q", "job"], integer(1))
    expect(waiter, ["PING"], b"+PONG\r\n",
           "CLIENT REPLY SKIP silences the next command's reply, and a "
           "blocking command's reply comes when it is served: the pop happens "
           "(the job is gone), but nothing is sent for it, and PING is answered")
    assert r.exists("q") == 0
    waiter.send(command("CLIENT", "REPLY", "SKIP") + command("BLPOP", "q", "0.05"))
    time.sleep(0.2)
    expect(waiter, ["PING"], b"+PONG\r\n",
           "a timeout's null is that command's reply too: skipped")


@pytest.mark.step("15c")
def test_the_waiter_is_served_before_the_pushers_next_command(r, connect):
    waiter, pusher = connect(), connect()
    park(r, waiter, "BLPOP", "q", "0")
    expect_reply(pusher, command("LPUSH", "q", "a") + command("LLEN", "q"),
                 integer(1) + integer(0), CHAPTER,
                 hint="LPUSH answers 1, then the waiter pops before any other "
                      "command runs, even the pusher's own pipelined LLEN")
    served(waiter, bulks("q", "a"))


@pytest.mark.step("15c")
def test_timeout_0_waits_until_a_push(r, connect):
    waiter = connect()
    park(r, waiter, "BRPOP", "late", "0")
    still_waiting(waiter, "timeout 0 is for ever", wait=0.3)
    r.rpush("late", "a", "b")
    served(waiter, bulks("late", "b"))


@pytest.mark.step("15c")
def test_a_timeout_just_below_zero_rounds_to_zero_and_waits(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "k", "-0.0001",
         hint="-0.0001 s is -0.1 ms, rounded up to 0: not negative, and "
              "0 means for ever")
    still_waiting(waiter, "its timeout rounded to 0", wait=0.2)
    r.rpush("k", "v")
    served(waiter, bulks("k", "v"))


@pytest.mark.step("15c")
def test_a_served_waiter_gets_no_timeout_reply_later(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "k", "0.2")
    r.rpush("k", "x")
    served(waiter, bulks("k", "x"))
    late = waiter.read_available(0.4)
    assert not late, why(
        "After being served, the waiter also got %r when its 0.2 s "
        "timeout passed." % late,
        "serving a waiter forgets its deadline")


@pytest.mark.step("15c")
def test_a_push_in_another_database_does_not_wake_the_waiter(r, connect):
    waiter = connect()
    expect(waiter, ["SELECT", "1"], OK)
    park(r, waiter, "BLPOP", "k", "0.3")
    r.rpush("k", "db0")
    served(waiter, NULL_ARRAY,
           "the waiter waits on k of database 1; a push to k of database 0 "
           "is another key")
    assert r.lrange("k", 0, -1) == [b"db0"]


@pytest.mark.step("15c")
def test_a_push_on_one_reactor_wakes_waiters_on_the_others(server_factory,
                                                           suite):
    """(ours, --threads 4) 8 connections dealt out to 4 reactors: waiter i
    is woken by a push from a connection of another reactor."""
    srv = server_factory.start(*threaded(suite))
    info = redis.Redis(host=srv.host, port=srv.port, socket_timeout=10)
    raws = Raws(srv)
    try:
        conns = [raws() for _ in range(2 * THREADS)]
        waiters, pushers = conns[:THREADS], conns[THREADS:]
        for i, waiter in enumerate(waiters):
            park(info, waiter, "BLPOP", "w:%d" % i, "10")
        for i, waiter in enumerate(waiters):
            # conns i and i + THREADS share a reactor: push from the next one
            pusher = pushers[(i + 1) % THREADS]
            expect(pusher, ["RPUSH", "w:%d" % i, "v%d" % i], integer(1))
            served(waiter, bulks("w:%d" % i, "v%d" % i),
                   "a waiter served by another reactor's command gets its "
                   "reply through its own reactor (its outbox), at once",
                   timeout=2.0)
        for waiter in waiters:
            park(info, waiter, "BLPOP", "shared", "10")
        expect(pushers[0], ["RPUSH", "shared", "1", "2", "3", "4"], integer(4))
        got = sorted(read_reply(waiter, 2.0)[0][1] for waiter in waiters)
        assert got == [b"1", b"2", b"3", b"4"], why(
            "4 waiters on 4 reactors, one push of 4 elements: they got %r."
            % got, "each waiter of the key gets one element, whatever its "
                   "reactor")
        assert info.exists("shared") == 0
    finally:
        raws.close()
        info.close()


# ---------------------------------------------------------------------------
# 15d: first come first served, and several keys
# ---------------------------------------------------------------------------

@pytest.mark.step("15d")
def test_waiters_are_served_in_the_order_they_blocked(r, connect):
    waiters = [connect() for _ in range(3)]
    for waiter in waiters:
        park(r, waiter, "BLPOP", "k", "0")
    r.rpush("k", "x", "y")
    served(waiters[0], bulks("k", "x"), "the first to block is served first")
    served(waiters[1], bulks("k", "y"), "one element per waiter")
    still_waiting(waiters[2], "two elements for three waiters")
    assert r.exists("k") == 0
    r.rpush("k", "z")
    served(waiters[2], bulks("k", "z"))


@pytest.mark.step("15d")
def test_a_push_of_more_elements_than_waiters_leaves_the_rest(r, connect):
    waiters = [connect() for _ in range(2)]
    for waiter in waiters:
        park(r, waiter, "BRPOP", "k", "0")
    r.rpush("k", "1", "2", "3", "4", "5")
    served(waiters[0], bulks("k", "5"))
    served(waiters[1], bulks("k", "4"))
    assert r.lrange("k", 0, -1) == [b"1", b"2", b"3"]
    assert blocked_clients(r) == 0


@pytest.mark.step("15d")
def test_a_waiter_on_several_keys_gets_the_key_pushed(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "a", "b", "c", "0")
    r.rpush("c", "1")
    served(waiter, bulks("c", "1"), "any of its keys made ready serves it")


@pytest.mark.step("15d")
def test_a_waiter_on_several_keys_gets_the_first_key_made_ready(r, connect):
    waiter, pusher = connect(), connect()
    park(r, waiter, "BLPOP", "a", "b", "c", "0")
    expect_reply(pusher, command("MULTI") + command("RPUSH", "c", "3") +
                 command("RPUSH", "b", "2") + command("EXEC"),
                 OK + QUEUED + QUEUED + array(integer(1), integer(1)), CHAPTER)
    served(waiter, bulks("c", "3"),
           "keys are served in the order they became ready (c was pushed "
           "first), not in the order the waiter named them")
    assert r.lrange("b", 0, -1) == [b"2"], (
        "the waiter was served once; b keeps its element")
    assert r.exists("c") == 0


@pytest.mark.step("15d")
def test_a_waiter_served_by_one_key_leaves_the_other_to_others(r, connect):
    both, only_b, pusher = connect(), connect(), connect()
    park(r, both, "BLPOP", "a", "b", "0")
    park(r, only_b, "BLPOP", "b", "0")
    expect_reply(pusher, command("MULTI") + command("RPUSH", "a", "1") +
                 command("RPUSH", "b", "2") + command("EXEC"),
                 OK + QUEUED + QUEUED + array(integer(1), integer(1)), CHAPTER)
    served(both, bulks("a", "1"))
    served(only_b, bulks("b", "2"),
           "once served by a, the first waiter is no longer a waiter of b")
    assert r.exists("a", "b") == 0


@pytest.mark.step("15d")
def test_the_same_key_named_twice_is_one_wait(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "s", "s", "0")
    assert blocked_clients(r) == 1
    r.rpush("s", "v", "w")
    served(waiter, bulks("s", "v"))
    extra = waiter.read_available(0.1)
    assert not extra, why("The waiter on s s got a second reply %r." % extra,
                          "a key named twice is waited on once")
    assert r.lrange("s", 0, -1) == [b"w"]


@pytest.mark.step("15d")
def test_each_job_is_popped_exactly_once_among_8_consumers(server_factory,
                                                           suite):
    """(ours, --threads 4) 8 consumers loop BRPOP while a producer pushes
    2,000 jobs: each job is popped once, none lost, none twice."""
    srv = server_factory.start(*threaded(suite))
    jobs = 2000
    done = threading.Event()
    results, errors = [], []

    def consumer():
        c = redis.Redis(host=srv.host, port=srv.port, socket_timeout=10)
        mine = []
        try:
            while True:
                finished = done.is_set()
                got = c.execute_command("BRPOP", "jobs", "0.2")
                if got is None:
                    if finished:
                        break
                    continue
                assert got[0] == b"jobs", got
                mine.append(got[1])
        except Exception as exc:    # reported below, not lost in a thread
            errors.append(exc)
        finally:
            results.append(mine)
            c.close()

    threads = [threading.Thread(target=consumer) for _ in range(8)]
    for t in threads:
        t.start()
    producer = redis.Redis(host=srv.host, port=srv.port, socket_timeout=10)
    try:
        for start in range(0, jobs, 50):
            pipe = producer.pipeline(transaction=False)
            for i in range(start, start + 50):
                pipe.lpush("jobs", "job:%d" % i)
            pipe.execute()
    finally:
        done.set()
        for t in threads:
            t.join(60)
    assert not any(t.is_alive() for t in threads), why(
        "A consumer still waits 60 s after the last job.",
        "every BRPOP must be answered: by a job or by its 0.2 s timeout")
    assert not errors, errors[0]
    got = [job for mine in results for job in mine]
    left = producer.lrange("jobs", 0, -1)
    producer.close()
    assert len(got) == len(set(got)), why(
        "%d jobs were popped twice." % (len(got) - len(set(got))),
        "a ready key's waiters are served under the server lock, one "
        "element each")
    assert set(got) | set(left) == {b"job:%d" % i for i in range(jobs)}, why(
        "%d jobs were lost." % (jobs - len(set(got) | set(left))),
        "an element handed to a waiter must reach it")
    assert not left, why("%d jobs were left in the list with 8 consumers "
                         "waiting." % len(left),
                         "a push must serve the waiters of its key")


# ---------------------------------------------------------------------------
# 15e: inside MULTI, and keys made ready by EXEC, RENAME, MOVE ...
# ---------------------------------------------------------------------------

@pytest.mark.step("15e")
def test_inside_multi_blpop_and_brpop_answer_a_null_array(r, connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    for args in (["BLPOP", "k", "0"], ["BRPOP", "k", "0"],
                 ["BLPOP", "k", "x"], ["RPUSH", "k", "a"],
                 ["BLPOP", "k", "0"]):
        expect(conn, args, QUEUED)
    expect(conn, ["EXEC"], array(NULL_ARRAY, NULL_ARRAY, NOT_A_FLOAT,
                                 integer(1), bulks("k", "a")),
           "inside EXEC nothing may block: on empty keys answer as if the "
           "time were up (even timeout 0); a bad timeout is an error in "
           "EXEC's array; with data, pop")


@pytest.mark.step("15e")
def test_inside_multi_in_resp3_the_null_is_resp3s(r, connect):
    conn = connect()
    resp3(conn)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["BLPOP", "k", "0"], QUEUED)
    expect(conn, ["BRPOP", "k", "0"], QUEUED)
    expect(conn, ["EXEC"], array(RESP3_NULL, RESP3_NULL))


@pytest.mark.step("15e")
def test_exec_serves_its_waiters_with_its_final_state(r, connect):
    left, right, pusher = connect(), connect(), connect()
    park(r, left, "BLPOP", "m", "0")
    park(r, right, "BRPOP", "m", "0")
    expect_reply(pusher, command("MULTI") + command("LPUSH", "m", "a") +
                 command("LPUSH", "m", "b") + command("LPUSH", "m", "c") +
                 command("EXEC"),
                 OK + QUEUED * 3 + array(integer(1), integer(2), integer(3)),
                 CHAPTER, hint="the waiters are served after EXEC, not in "
                               "its middle: the pushes answer 1, 2, 3")
    served(left, bulks("m", "c"),
           "after the whole EXEC the list is c b a: BLPOP gets c")
    served(right, bulks("m", "a"), "and BRPOP gets a")
    assert r.lrange("m", 0, -1) == [b"b"]


@pytest.mark.step("15e")
def test_a_key_pushed_and_popped_in_one_exec_keeps_its_waiter(r, connect):
    waiter, pusher = connect(), connect()
    park(r, waiter, "BLPOP", "m", "0")
    expect_reply(pusher, command("MULTI") + command("LPUSH", "m", "a") +
                 command("LPOP", "m") + command("EXEC"),
                 OK + QUEUED + QUEUED + array(integer(1), bulk("a")), CHAPTER)
    still_waiting(waiter, "the EXEC left m empty")
    r.rpush("m", "later")
    served(waiter, bulks("m", "later"))


@pytest.mark.step("15e")
def test_rename_onto_the_key_wakes_the_waiter(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "dst", "0")
    r.rpush("src", "r1", "r2")
    r.rename("src", "dst")
    served(waiter, bulks("dst", "r1"), "RENAME puts a list at dst: ready")
    assert r.lrange("dst", 0, -1) == [b"r2"]


@pytest.mark.step("15e")
def test_rename_over_a_string_the_waiter_ignored_wakes_it(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "dst", "0")
    r.set("dst", "str")
    still_waiting(waiter, "dst holds a string")
    r.rpush("src", "r3")
    r.rename("src", "dst")
    served(waiter, bulks("dst", "r3"))
    assert r.exists("dst") == 0


@pytest.mark.step("15e")
def test_move_from_another_database_wakes_the_waiter(r, connect, server):
    waiter = connect()
    expect(waiter, ["SELECT", "1"], OK)
    park(r, waiter, "BLPOP", "mv", "0")
    r.rpush("mv", "m1")
    assert r.move("mv", 1)
    served(waiter, bulks("mv", "m1"),
           "MOVE adds the key to database 1, where the client waits")
    db1 = redis.Redis(host=server.host, port=server.port, db=1,
                      socket_timeout=10)
    assert db1.exists("mv") == 0
    db1.close()


@pytest.mark.step("15e")
def test_swapdb_wakes_the_waiters_of_the_keys_it_brings(r, connect, server):
    waiter = connect()
    park(r, waiter, "BLPOP", "sw", "0")
    other = redis.Redis(host=server.host, port=server.port, db=1,
                        socket_timeout=10)
    other.rpush("sw", "s1", "s2")
    other.close()
    r.swapdb(0, 1)
    served(waiter, bulks("sw", "s1"),
           "after SWAPDB the waiter's database has a list at its key")
    assert r.lrange("sw", 0, -1) == [b"s2"]


@pytest.mark.step("15e")
def test_copy_wakes_the_waiter_in_the_same_or_another_database(r, connect):
    here, there = connect(), connect()
    expect(there, ["SELECT", "2"], OK)
    park(r, here, "BLPOP", "cp", "0")
    park(r, there, "BLPOP", "orig", "0")
    r.rpush("orig", "o1")
    assert r.copy("orig", "cp")
    served(here, bulks("cp", "o1"), "COPY creates the list at cp: ready")
    assert r.execute_command("COPY", "orig", "orig", "DB", "2") == 1
    served(there, bulks("orig", "o1"),
           "COPY ... DB 2 creates the list in database 2")
    assert r.lrange("orig", 0, -1) == [b"o1"]


@pytest.mark.step("15e")
def test_a_key_set_to_a_string_keeps_its_waiter_waiting(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "st", "0")
    r.set("st", "x")
    still_waiting(waiter, "a string at the key serves no list waiter; "
                  "Redis 7.0 neither answers WRONGTYPE nor forgets it")
    assert blocked_clients(r) == 1
    r.delete("st")
    r.rpush("st", "e")
    served(waiter, bulks("st", "e"))


@pytest.mark.step("15e")
def test_a_waiter_whose_key_became_a_string_times_out(r, connect):
    waiter = connect()
    park(r, waiter, "BLPOP", "st", "0.2")
    r.set("st", "x")
    served(waiter, NULL_ARRAY, "it just waits until its timeout")
    assert r.get("st") == b"x"


@pytest.mark.step("15e")
def test_an_exec_that_leaves_a_string_keeps_the_waiter_waiting(r, connect):
    waiter, pusher = connect(), connect()
    park(r, waiter, "BLPOP", "ds", "0.3")
    expect_reply(pusher, command("MULTI") + command("RPUSH", "ds", "a") +
                 command("DEL", "ds") + command("SET", "ds", "s") +
                 command("EXEC"),
                 OK + QUEUED * 3 + array(integer(1), integer(1), OK), CHAPTER)
    served(waiter, NULL_ARRAY, "after the EXEC ds is a string: the waiter "
           "waits on until its timeout")


# ---------------------------------------------------------------------------
# 15f: CLIENT UNBLOCK and CLIENT KILL
# ---------------------------------------------------------------------------

@pytest.mark.step("15f")
@pytest.mark.parametrize("reason", [[], ["TIMEOUT"], ["timeout"]],
                         ids=["none", "TIMEOUT", "timeout"])
def test_client_unblock_gives_the_waiter_its_timeout_reply(r, connect,
                                                           reason):
    waiter, admin = connect(), connect()
    wid = client_id(waiter)
    park(r, waiter, "BLPOP", "u", "0")
    expect(admin, ["CLIENT", "UNBLOCK", str(wid)] + reason, integer(1),
           "CLIENT UNBLOCK answers :1 when it unblocked a waiter")
    served(waiter, NULL_ARRAY, "unblocked with TIMEOUT (the default), the "
           "waiter gets what its timeout would give")
    expect(admin, ["CLIENT", "UNBLOCK", str(wid)], integer(0),
           "a client that no longer waits: :0")
    assert blocked_clients(r) == 0
    r.rpush("u", "x")
    assert r.llen("u") == 1, "the unblocked client must not take elements"


@pytest.mark.step("15f")
def test_client_unblock_error_gives_the_waiter_an_unblocked_error(r, connect):
    waiter, admin = connect(), connect()
    wid = client_id(waiter)
    park(r, waiter, "BLPOP", "u", "0")
    expect(admin, ["CLIENT", "UNBLOCK", str(wid), "error"], integer(1))
    served(waiter, UNBLOCKED, "ERROR sends -UNBLOCKED client unblocked via "
           "CLIENT UNBLOCK")


@pytest.mark.step("15f")
def test_client_unblock_in_resp3(r, connect):
    waiter, admin = connect(), connect()
    wid = client_id(waiter)
    resp3(waiter)
    park(r, waiter, "BLPOP", "u", "0")
    expect(admin, ["CLIENT", "UNBLOCK", str(wid)], integer(1))
    served(waiter, RESP3_NULL)
    park(r, waiter, "BLPOP", "u", "0")
    expect(admin, ["CLIENT", "UNBLOCK", str(wid), "ERROR"], integer(1))
    served(waiter, UNBLOCKED)


@pytest.mark.step("15f")
def test_an_unblocked_client_runs_its_pipeline(r, connect):
    waiter, admin = connect(), connect()
    wid = client_id(waiter)
    waiter.send(command("BLPOP", "u", "0") + command("PING"))
    assert wait_until(lambda: blocked_clients(r) == 1, 3)
    still_waiting(waiter, "BLPOP u 0 with u empty")
    expect(admin, ["CLIENT", "UNBLOCK", str(wid)], integer(1))
    served(waiter, NULL_ARRAY + b"+PONG\r\n",
           "after CLIENT UNBLOCK the client reads its next commands")


@pytest.mark.step("15f")
@pytest.mark.parametrize("args, reply", [
    (["CLIENT", "UNBLOCK", "1", "foo"],
     error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
    (["CLIENT", "UNBLOCK", "abc", "foo"],
     error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
    (["CLIENT", "UNBLOCK", "abc"],
     error("ERR value is not an integer or out of range")),
    (["CLIENT", "UNBLOCK", "999999"], integer(0)),
    (["CLIENT", "UNBLOCK", "-1"], integer(0)),
    (["CLIENT", "UNBLOCK"],
     error("ERR wrong number of arguments for 'client|unblock' command")),
    (["CLIENT", "UnBlock", "1", "timeout", "x"],
     error("ERR unknown subcommand or wrong number of arguments for "
           "'UnBlock'. Try CLIENT HELP.")),
], ids=arg_id)
def test_client_unblock_arguments(connect, args, reply):
    expect(connect(), args, reply,
           "CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before "
           "the id; an id that is no waiter answers :0")


@pytest.mark.step("15f")
def test_client_unblock_of_a_client_that_does_not_wait(r, connect):
    conn = connect()
    expect(conn, ["CLIENT", "UNBLOCK", str(client_id(conn))], integer(0))


@pytest.mark.step("15f")
def test_client_kill_of_a_waiter_closes_it_and_forgets_it(r, connect):
    waiter, admin = connect(), connect()
    wid = client_id(waiter)
    park(r, waiter, "BLPOP", "kl", "0")
    expect(admin, ["CLIENT", "KILL", "ID", str(wid)], integer(1))
    got = waiter.wait_closed(2)
    assert waiter.closed and not got, why(
        "The killed waiter %s." % ("got %r" % got if got else
                                   "was not closed"),
        "CLIENT KILL closes a waiter without a reply")
    assert wait_until(lambda: blocked_clients(r) == 0, 2)
    r.rpush("kl", "stay")
    assert r.lrange("kl", 0, -1) == [b"stay"], why(
        "A push after the waiter was killed did not stay in the list.",
        "a closed client leaves the waiting lists of all its keys")


@pytest.mark.step("15f")
def test_a_waiter_that_disconnects_leaves_all_its_keys(r, connect):
    gone, next_one = connect(), connect()
    park(r, gone, "BLPOP", "a", "b", "c", "0")
    park(r, next_one, "BLPOP", "b", "0")
    gone.close()
    assert wait_until(lambda: blocked_clients(r) == 1, 2), why(
        "INFO clients says blocked_clients:%d after a waiter closed its "
        "connection; 1 still waits." % blocked_clients(r),
        "a closed client is no longer blocked")
    r.rpush("a", "1")
    r.rpush("c", "3")
    r.rpush("b", "2")
    served(next_one, bulks("b", "2"),
           "the closed client was ahead in b's queue: it must be gone from "
           "it")
    assert (r.lrange("a", 0, -1), r.lrange("c", 0, -1)) == ([b"1"], [b"3"]), \
        why("an element pushed after the waiter closed went nowhere.",
            "forget a closed waiter on every key it named")


# ---------------------------------------------------------------------------
# 15g: BRPOPLPUSH and BLMOVE
# ---------------------------------------------------------------------------

@pytest.mark.step("15g")
def test_brpoplpush_and_blmove_with_data_move_at_once(r, connect):
    conn = connect()
    r.rpush("l", "a", "b", "c")
    expect(conn, ["BRPOPLPUSH", "l", "d", "0"], bulk("c"),
           "with data, BRPOPLPUSH is RPOPLPUSH: the element as a bulk")
    expect(conn, ["BLMOVE", "l", "d", "LEFT", "RIGHT", "0"], bulk("a"))
    expect(conn, ["BLMOVE", "l", "l", "right", "left", "0"], bulk("b"),
           "the directions are case-insensitive; a move onto the same key "
           "rotates it")
    assert r.lrange("d", 0, -1) == [b"c", b"a"]
    assert r.lrange("l", 0, -1) == [b"b"]
    resp3(conn)
    expect(conn, ["BLMOVE", "l", "d", "LEFT", "LEFT", "0"], bulk("b"))
    assert r.exists("l") == 0


@pytest.mark.step("15g")
@pytest.mark.parametrize("args", [["BRPOPLPUSH", "a", "b"],
                                  ["BRPOPLPUSH", "a"],
                                  ["BLMOVE", "a", "b", "LEFT", "RIGHT"],
                                  ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0",
                                   "x"]],
                         ids=arg_id)
def test_arity_of_brpoplpush_and_blmove(connect, args):
    expect(connect(), args, arity_error(args[0].lower()))


@pytest.mark.step("15g")
@pytest.mark.parametrize("args, reply", [
    (["BLMOVE", "a", "b", "UP", "RIGHT", "x"], SYNTAX),
    (["BLMOVE", "a", "b", "LEFT", "DOWN", "x"], SYNTAX),
    (["BLMOVE", "a", "b", "left", "right", "x"], NOT_A_FLOAT),
    (["BLMOVE", "a", "b", "LEFT", "LEFT", "-1"], NEGATIVE),
    (["BRPOPLPUSH", "a", "b", "x"], NOT_A_FLOAT),
    (["BRPOPLPUSH", "a", "b", "-1"], NEGATIVE),
], ids=arg_id)
def test_blmove_reads_its_directions_then_the_timeout(r, connect, args,
                                                      reply):
    r.rpush("a", "1")
    expect(connect(), args, reply,
           "BLMOVE reads LEFT|RIGHT twice (syntax error), then the timeout")
    assert r.llen("a") == 1


@pytest.mark.step("15g")
def test_wrongtype_of_brpoplpush_and_blmove(r, connect):
    conn = connect()
    r.set("s", "x")
    r.rpush("l", "z")
    expect(conn, ["BRPOPLPUSH", "s", "d", "0"], WRONGTYPE)
    expect(conn, ["BLMOVE", "s", "d", "LEFT", "LEFT", "0"], WRONGTYPE)
    expect(conn, ["BRPOPLPUSH", "l", "s", "0"], WRONGTYPE,
           "with data in the source, the destination's type is checked as "
           "LMOVE does")
    expect(conn, ["BLMOVE", "l", "s", "LEFT", "LEFT", "0"], WRONGTYPE)
    assert r.lrange("l", 0, -1) == [b"z"]


@pytest.mark.step("15g")
@pytest.mark.parametrize("args", [
    ["BRPOPLPUSH", "missing", "s", "0.1"],
    ["BLMOVE", "missing", "s", "LEFT", "RIGHT", "0.1"]],
    ids=lambda a: a[0])
def test_an_empty_source_waits_whatever_the_destination(r, connect, args):
    r.set("s", "x")
    timed(connect(), args, NULL_ARRAY, 0.1,
          "with the source empty the client waits on the source alone; the "
          "destination is looked at only when it is served")


@pytest.mark.step("15g")
@pytest.mark.parametrize("args", [
    ["BRPOPLPUSH", "nothing", "x", "0.05"],
    ["BLMOVE", "nothing", "x", "LEFT", "LEFT", "0.05"]],
    ids=lambda a: a[0])
def test_brpoplpush_and_blmove_time_out_with_a_null_array(r, connect, args):
    conn = connect()
    timed(conn, args, NULL_ARRAY, 0.05,
          "Redis 7.0 answers a timed-out BLMOVE or BRPOPLPUSH with a null "
          "ARRAY (*-1), although its reply with data is a bulk")
    resp3(conn)
    timed(conn, args, RESP3_NULL, 0.05)


@pytest.mark.step("15g")
def test_inside_multi_brpoplpush_and_blmove_answer_a_null_bulk(r, connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["BRPOPLPUSH", "k", "d", "0"], QUEUED)
    expect(conn, ["BLMOVE", "k", "d", "LEFT", "LEFT", "0"], QUEUED)
    expect(conn, ["EXEC"], array(NULL_BULK, NULL_BULK),
           "inside MULTI an empty source answers as LMOVE does: a null "
           "bulk ($-1), unlike the timeout's *-1")
    resp3(conn)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["BLMOVE", "k", "d", "LEFT", "LEFT", "0"], QUEUED)
    expect(conn, ["EXEC"], array(RESP3_NULL))


@pytest.mark.step("15g")
@pytest.mark.parametrize("wait, element, src_left, dst", [
    (["BLMOVE", "w", "dd", "RIGHT", "LEFT", "0"], "n", [b"m"], [b"n", b"0"]),
    (["BLMOVE", "w", "dd", "LEFT", "RIGHT", "0"], "m", [b"n"], [b"0", b"m"]),
    (["BRPOPLPUSH", "w", "dd", "0"], "n", [b"m"], [b"n", b"0"]),
], ids=arg_id)
def test_a_push_serves_a_waiting_blmove(r, connect, wait, element, src_left,
                                        dst):
    waiter = connect()
    r.rpush("dd", "0")
    park(r, waiter, *wait)
    r.rpush("w", "m", "n")
    served(waiter, bulk(element),
           "served, the waiter moves one element and gets it as a bulk")
    assert r.lrange("w", 0, -1) == src_left
    assert r.lrange("dd", 0, -1) == dst


@pytest.mark.step("15g")
@pytest.mark.parametrize("wait", [["BLMOVE", "u", "v", "LEFT", "LEFT", "0"],
                                  ["BRPOPLPUSH", "u", "v", "0"]],
                         ids=lambda a: a[0])
def test_client_unblock_of_a_waiting_blmove(r, connect, wait):
    waiter, admin = connect(), connect()
    wid = client_id(waiter)
    park(r, waiter, *wait)
    expect(admin, ["CLIENT", "UNBLOCK", str(wid)], integer(1))
    served(waiter, NULL_ARRAY, "its timeout reply: a null array too")
    park(r, waiter, *wait)
    expect(admin, ["CLIENT", "UNBLOCK", str(wid), "ERROR"], integer(1))
    served(waiter, UNBLOCKED)


@pytest.mark.step("15g")
def test_a_served_blmove_to_a_string_is_wrongtype_and_the_next_waiter_gets_it(
        r, connect):
    mover, popper = connect(), connect()
    r.set("dstr", "x")
    park(r, mover, "BLMOVE", "srcw", "dstr", "LEFT", "LEFT", "0")
    park(r, popper, "BLPOP", "srcw", "0")
    r.rpush("srcw", "e1")
    served(mover, WRONGTYPE,
           "served, the waiter's destination holds a string: it gets "
           "WRONGTYPE and stops waiting")
    served(popper, bulks("srcw", "e1"),
           "the element stays in the source, so the next waiter gets it")
    assert blocked_clients(r) == 0
    waiter = connect()
    park(r, waiter, "BRPOPLPUSH", "srcw2", "dstr", "0")
    r.rpush("srcw2", "e2")
    served(waiter, WRONGTYPE)
    assert r.lrange("srcw2", 0, -1) == [b"e2"], (
        "a waiter refused with WRONGTYPE moves nothing")
    assert r.get("dstr") == b"x"


@pytest.mark.step("15g")
def test_a_served_blmove_serves_the_waiter_of_its_destination(r, connect):
    mover, popper = connect(), connect()
    park(r, mover, "BLMOVE", "c1", "c2", "LEFT", "RIGHT", "0")
    park(r, popper, "BLPOP", "c2", "0")
    r.rpush("c1", "chain")
    served(mover, bulk("chain"))
    served(popper, bulks("c2", "chain"),
           "the push half of a served BLMOVE makes its destination ready: "
           "serve again until no key is ready")
    assert r.exists("c1", "c2") == 0


@pytest.mark.step("15g")
def test_a_waiting_blmove_onto_its_own_key(r, connect):
    waiter = connect()
    park(r, waiter, "BLMOVE", "self", "self", "LEFT", "RIGHT", "0")
    r.rpush("self", "1", "2")
    served(waiter, bulk("1"))
    assert r.lrange("self", 0, -1) == [b"2", b"1"]


# ---------------------------------------------------------------------------
# 15h: BLMPOP, and the AOF
# ---------------------------------------------------------------------------

@pytest.mark.step("15h")
def test_blmpop_with_data_pops_up_to_count(r, connect):
    conn = connect()
    r.rpush("m", "1", "2", "3", "4")
    expect(conn, ["BLMPOP", "0", "2", "missing", "m", "LEFT", "COUNT", "3"],
           popped("m", "1", "2", "3"),
           "[key, [elements]] from the first non-empty key")
    expect(conn, ["BLMPOP", "0", "1", "m", "RIGHT"], popped("m", "4"),
           "COUNT defaults to 1, still as an array")
    assert r.exists("m") == 0
    r.rpush("m", "5", "6")
    resp3(conn)
    expect(conn, ["BLMPOP", "0", "1", "m", "right", "count", "10"],
           popped("m", "6", "5"), "a COUNT beyond the length pops them all")
    assert r.exists("m") == 0


@pytest.mark.step("15h")
def test_blmpop_wrongtype(r, connect):
    r.set("s", "x")
    r.rpush("l", "a")
    conn = connect()
    expect(conn, ["BLMPOP", "0", "3", "missing", "s", "l", "LEFT"], WRONGTYPE)
    expect(conn, ["BLMPOP", "0", "2", "l", "s", "LEFT"], popped("l", "a"))


@pytest.mark.step("15h")
@pytest.mark.parametrize("args", [["BLMPOP", "0"], ["BLMPOP", "0", "1"],
                                  ["BLMPOP", "0", "1", "k"]],
                         ids=arg_id)
def test_arity_of_blmpop(connect, args):
    expect(connect(), args, arity_error("blmpop"))


@pytest.mark.step("15h")
@pytest.mark.parametrize("args, reply", [
    (["x", "1", "k", "LEFT"], NOT_A_FLOAT),
    (["-1", "1", "k", "LEFT"], NEGATIVE),
    (["x", "0", "k", "LEFT"], NUMKEYS),
    (["x", "1", "k", "UP"], SYNTAX),
    (["x", "1", "k", "LEFT", "COUNT", "0"], COUNT),
    (["0", "0", "k", "LEFT"], NUMKEYS),
    (["0", "-1", "k", "LEFT"], NUMKEYS),
    (["0", "x", "k", "LEFT"], NUMKEYS),
    (["0", "99999999999999999999", "k", "LEFT"], NUMKEYS),
    (["0", "2", "k", "LEFT"], SYNTAX),
    (["0", "5", "k", "LEFT"], SYNTAX),
    (["0", "1", "k", "UP"], SYNTAX),
    (["0", "1", "k", "LEFT", "COUNT"], SYNTAX),
    (["0", "1", "k", "LEFT", "COUNT", "0"], COUNT),
    (["0", "1", "k", "LEFT", "COUNT", "-1"], COUNT),
    (["0", "1", "k", "LEFT", "COUNT", "x"], COUNT),
    (["0", "1", "k", "LEFT", "COUNT", "99999999999999999999"], COUNT),
    (["0", "1", "k", "LEFT", "COUNT", "1", "COUNT", "2"], SYNTAX),
    (["0", "1", "k", "LEFT", "foo"], SYNTAX),
], ids=arg_id)
def test_blmpop_reads_numkeys_direction_and_count_before_the_timeout(
        r, connect, args, reply):
    r.rpush("k", "a")
    expect(connect(), ["BLMPOP"] + args, reply,
           "numkeys (> 0, keys that fit), LEFT|RIGHT, an optional COUNT "
           "(> 0, once), and only then the timeout")
    assert r.llen("k") == 1


@pytest.mark.step("15h")
def test_blmpop_times_out_with_a_null_array_and_does_not_block_in_multi(
        r, connect):
    conn = connect()
    timed(conn, ["BLMPOP", "0.05", "1", "nothing", "LEFT"], NULL_ARRAY, 0.05)
    expect(conn, ["MULTI"], OK)
    expect(conn, ["BLMPOP", "0", "1", "nothing", "LEFT", "COUNT", "2"], QUEUED)
    expect(conn, ["EXEC"], array(NULL_ARRAY))
    resp3(conn)
    timed(conn, ["BLMPOP", "0.05", "1", "nothing", "RIGHT"], RESP3_NULL, 0.05)


@pytest.mark.step("15h")
def test_a_push_serves_waiting_blmpops_their_counts(r, connect):
    two, five = connect(), connect()
    park(r, two, "BLMPOP", "0", "2", "ba", "bb", "RIGHT", "COUNT", "2")
    park(r, five, "BLMPOP", "0", "1", "bb", "LEFT", "COUNT", "5")
    r.rpush("bb", "1", "2", "3", "4", "5")
    served(two, popped("bb", "5", "4"),
           "served, a BLMPOP pops up to its COUNT from its side")
    served(five, popped("bb", "1", "2", "3"),
           "the next waiter gets what is left, fewer than its COUNT")
    assert r.exists("bb") == 0


def aof_commands_of(workdir):
    """The commands of the server's AOF: ours is DIR/appendonly.aof, Redis 7
    keeps DIR/appendonlydir/*.aof (a base and an incremental file)."""
    paths = [os.path.join(workdir, "appendonly.aof")]
    if not os.path.exists(paths[0]):
        base = os.path.join(workdir, "appendonlydir")
        paths = sorted(glob.glob(os.path.join(base, "*.base.aof")))
        paths += sorted(glob.glob(os.path.join(base, "*.incr.aof")))
    records = []
    for path in paths:
        with open(path, "rb") as f:
            records += aof_commands(f.read())
    return [[rec[0]] + [a.upper() if a.upper() in (b"LEFT", b"RIGHT") else a
                        for a in rec[1:]] for rec in records]


def find_record(records, wanted, after=-1):
    """Index of the first record after `after` that `wanted` accepts."""
    for i in range(after + 1, len(records)):
        if wanted(records[i]):
            return i
    return None


def pop_of(name, key, count):
    """A pop record: NAME key, or NAME key n with n what was popped."""
    name, key = name.encode(), key.encode()

    def wanted(rec):
        if rec[:2] != [name, key]:
            return False
        if len(rec) == 2:
            return count == 1
        return len(rec) == 3 and rec[2] == b"%d" % count
    wanted.text = "%s %s%s" % (name.decode(), key.decode(),
                               "" if count == 1 else " %d" % count)
    return wanted


def exactly(*args):
    want = [a.encode() for a in args]

    def wanted(rec):
        return rec == want
    wanted.text = " ".join(args)
    return wanted


def check_logged(records, expectations):
    """Each (push, pop) pair: the pop is logged, after the push if any."""
    __tracebackhide__ = True
    names = sorted({rec[0] for rec in records} & set(BLOCKING_POPS))
    assert not names, why(
        "The append-only file holds %s: replayed, a blocking command pops "
        "whatever is there then, or blocks the loading." % b", ".join(names),
        "log what the command did: LPOP/RPOP key [count], LMOVE, "
        "RPOPLPUSH, ZPOPMIN/ZPOPMAX key [count]")
    for push, pop in expectations:
        start = -1
        if push is not None:
            start = find_record(records, push)
            assert start is not None, "the file lacks %s" % push.text
        at = find_record(records, pop, start)
        assert at is not None, why(
            "The append-only file has no %s%s.\n  Its records: %s"
            % (pop.text, "" if push is None else " after " + push.text,
               [b" ".join(rec).decode(errors="replace") for rec in records]),
            "log a served waiter's pop right after the command that served "
            "it, with the count actually popped")


@pytest.fixture
def aof_server(server_factory, suite):
    return RestartableServer(server_factory,
                             *aof_on(suite.own_binary, "always"))


def lists_of(c):
    """Every key: a list's elements, a string's value."""
    return {k: c.lrange(k, 0, -1) if c.type(k) == b"list" else c.get(k)
            for k in c.keys()}


@pytest.mark.step("15h")
def test_the_aof_logs_what_the_list_pops_did_and_a_restart_restores_it(
        aof_server):
    srv = aof_server.process
    c = aof_server.client()
    raws = Raws(srv)
    try:
        c.rpush("l", "a", "b", "c", "d", "e", "f")
        c.execute_command("BLPOP", "l", "0")
        c.execute_command("BRPOP", "l", "0")
        c.execute_command("BRPOPLPUSH", "l", "d", "0")
        c.execute_command("BLMOVE", "l", "d", "LEFT", "RIGHT", "0")
        c.execute_command("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "5")
        waits = [
            (["BLPOP", "w1", "0"], ["RPUSH", "w1", "x", "y"]),
            (["BRPOP", "w2", "0"], ["RPUSH", "w2", "z"]),
            (["BLMOVE", "w3", "dd", "RIGHT", "LEFT", "0"],
             ["RPUSH", "w3", "m"]),
            (["BRPOPLPUSH", "w4", "dd", "0"], ["RPUSH", "w4", "n"]),
            (["BLMPOP", "0", "1", "w5", "RIGHT", "COUNT", "3"],
             ["RPUSH", "w5", "1", "2"]),
            (["BLMPOP", "0", "1", "w6", "RIGHT"], ["RPUSH", "w6", "1", "2"]),
        ]
        for wait, push in waits:
            waiter = raws()
            park(c, waiter, *wait)
            c.execute_command(*push)
            read_reply(waiter)
        c.set("dstr", "x")
        refused = raws()
        park(c, refused, "BLMOVE", "w7", "dstr", "LEFT", "LEFT", "0")
        c.rpush("w7", "kept")
        assert read_reply(refused)[1] == WRONGTYPE
        waiter = raws()
        park(c, waiter, "BLPOP", "w8", "0")
        pipe = c.pipeline(transaction=True)
        pipe.rpush("w8", "a")
        pipe.rpush("w8", "b")
        pipe.execute()
        read_reply(waiter)
        before = lists_of(c)
    finally:
        raws.close()
    aof_server.stop()
    records = aof_commands_of(aof_server.dir)
    check_logged(records, [
        (None, pop_of("LPOP", "l", 1)),
        (None, pop_of("RPOP", "l", 1)),
        (None, exactly("RPOPLPUSH", "l", "d")),
        (None, exactly("LMOVE", "l", "d", "LEFT", "RIGHT")),
        (None, pop_of("LPOP", "l", 2)),
        (exactly("RPUSH", "w1", "x", "y"), pop_of("LPOP", "w1", 1)),
        (exactly("RPUSH", "w2", "z"), pop_of("RPOP", "w2", 1)),
        (exactly("RPUSH", "w3", "m"),
         exactly("LMOVE", "w3", "dd", "RIGHT", "LEFT")),
        (exactly("RPUSH", "w4", "n"), exactly("RPOPLPUSH", "w4", "dd")),
        (exactly("RPUSH", "w5", "1", "2"), pop_of("RPOP", "w5", 2)),
        (exactly("RPUSH", "w6", "1", "2"), pop_of("RPOP", "w6", 1)),
        (exactly("EXEC"), pop_of("LPOP", "w8", 1)),
    ])
    assert not any(rec[0] in (b"LMOVE", b"RPOPLPUSH") and rec[1] == b"w7"
                   for rec in records), why(
        "A BLMOVE refused with WRONGTYPE when served is in the file.",
        "a waiter that moved nothing logs nothing")
    after = lists_of(aof_server.start())
    assert after == before, why(
        "After a restart the lists differ: %s."
        % sorted(k for k in set(before) | set(after)
                 if before.get(k) != after.get(k)),
        "replaying the logged pops must give the same lists")


# ---------------------------------------------------------------------------
# 15i: BZPOPMIN BZPOPMAX BZMPOP
# ---------------------------------------------------------------------------

@pytest.mark.step("15i")
def test_bzpopmin_bzpopmax_bzmpop_with_data(r, connect):
    conn = connect()
    r.zadd("z", {"a": 1, "b": 2, "c": 3.5})
    expect(conn, ["BZPOPMIN", "missing", "z", "0"],
           array(bulk("z"), bulk("a"), bulk("1")),
           "[key, member, score], the score as a bulk string in RESP2")
    expect(conn, ["BZPOPMAX", "z", "0"],
           array(bulk("z"), bulk("c"), bulk("3.5")))
    r.zadd("z", {"a": 1, "c": 3.5})
    expect(conn, ["BZMPOP", "0", "1", "z", "MIN"],
           scored("z", ("a", bulk("1"))),
           "BZMPOP: [key, [[member, score] ...]]")
    expect(conn, ["BZMPOP", "0", "2", "missing", "z", "max", "count", "5"],
           scored("z", ("c", bulk("3.5")), ("b", bulk("2"))))
    assert r.exists("z") == 0


@pytest.mark.step("15i")
def test_zset_blocking_pops_in_resp3_answer_doubles(r, connect):
    conn = connect()
    resp3(conn)
    r.zadd("z", {"a": 1, "b": 2, "m": float("-inf"), "p": float("inf"),
                 "t": 0.1})
    expect(conn, ["BZPOPMIN", "missing", "z", "0"],
           array(bulk("z"), bulk("m"), dbl("-inf")),
           "in RESP3 the score is a double: ,-inf")
    expect(conn, ["BZPOPMAX", "z", "0"], array(bulk("z"), bulk("p"),
                                               dbl("inf")))
    expect(conn, ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"],
           scored("z", ("t", dbl("0.10000000000000001")), ("a", dbl("1"))),
           "a double with 17 significant digits, like ZSCORE")


@pytest.mark.step("15i")
def test_a_score_in_resp2_has_17_significant_digits(r, connect):
    r.zadd("z", {"t": 0.1})
    expect(connect(), ["BZPOPMAX", "z", "0"],
           array(bulk("z"), bulk("t"), bulk("0.10000000000000001")))


@pytest.mark.step("15i")
def test_wrongtype_of_the_zset_blocking_pops(r, connect):
    conn = connect()
    r.set("s", "x")
    r.rpush("l", "q")
    r.zadd("z", {"a": 1})
    expect(conn, ["BZPOPMIN", "s", "0"], WRONGTYPE)
    expect(conn, ["BZPOPMAX", "missing", "l", "z", "0"], WRONGTYPE,
           "a list met before a sorted set is WRONGTYPE")
    expect(conn, ["BZMPOP", "0", "2", "s", "z", "MIN"], WRONGTYPE)
    expect(conn, ["BZPOPMIN", "z", "l", "0"],
           array(bulk("z"), bulk("a"), bulk("1")))


@pytest.mark.step("15i")
@pytest.mark.parametrize("args", [["BZPOPMIN", "k"], ["BZPOPMAX", "k"],
                                  ["BZPOPMIN"], ["BZMPOP", "0", "1", "k"]],
                         ids=arg_id)
def test_arity_of_the_zset_blocking_pops(connect, args):
    expect(connect(), args, arity_error(args[0].lower()))


@pytest.mark.step("15i")
@pytest.mark.parametrize("args, reply", [
    (["BZPOPMIN", "k", "x"], NOT_A_FLOAT),
    (["BZPOPMAX", "k", "-1"], NEGATIVE),
    (["BZMPOP", "x", "1", "k", "MIN"], NOT_A_FLOAT),
    (["BZMPOP", "-1", "1", "k", "MAX"], NEGATIVE),
    (["BZMPOP", "x", "0", "k", "MIN"], NUMKEYS),
    (["BZMPOP", "0", "2", "k", "MIN"], SYNTAX),
    (["BZMPOP", "0", "1", "k", "LEFT"], SYNTAX),
    (["BZMPOP", "x", "1", "k", "LEFT"], SYNTAX),
    (["BZMPOP", "0", "1", "k", "MIN", "COUNT"], SYNTAX),
    (["BZMPOP", "0", "1", "k", "MIN", "COUNT", "0"], COUNT),
    (["BZMPOP", "0", "1", "k", "MIN", "COUNT", "1", "COUNT", "1"], SYNTAX),
], ids=arg_id)
def test_errors_of_the_zset_blocking_pops(r, connect, args, reply):
    r.zadd("k", {"a": 1})
    expect(connect(), args, reply,
           "as BLPOP and BLMPOP: BZMPOP reads numkeys, MIN|MAX and COUNT "
           "before the timeout")
    assert r.zcard("k") == 1


@pytest.mark.step("15i")
@pytest.mark.parametrize("args", [["BZPOPMIN", "nothing", "0.05"],
                                  ["BZPOPMAX", "nothing", "other", "0.05"],
                                  ["BZMPOP", "0.05", "1", "nothing", "MIN"]],
                         ids=lambda a: a[0])
def test_the_zset_blocking_pops_time_out_with_a_null_array(r, connect, args):
    conn = connect()
    timed(conn, args, NULL_ARRAY, 0.05)
    resp3(conn)
    timed(conn, args, RESP3_NULL, 0.05)


@pytest.mark.step("15i")
def test_inside_multi_the_zset_blocking_pops_answer_a_null_array(r, connect):
    conn = connect()
    expect(conn, ["MULTI"], OK)
    expect(conn, ["BZPOPMIN", "k", "0"], QUEUED)
    expect(conn, ["BZPOPMAX", "k", "0"], QUEUED)
    expect(conn, ["BZMPOP", "0", "1", "k", "MIN"], QUEUED)
    expect(conn, ["EXEC"], array(NULL_ARRAY, NULL_ARRAY, NULL_ARRAY))


@pytest.mark.step("15i")
def test_zadd_serves_the_zset_waiters_in_order(r, connect):
    low, high, many = connect(), connect(), connect()
    park(r, low, "BZPOPMIN", "z", "0")
    park(r, high, "BZPOPMAX", "z", "0")
    park(r, many, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "5")
    r.zadd("z", {"c": 3, "a": 1, "b": 2, "d": 4})
    served(low, array(bulk("z"), bulk("a"), bulk("1")))
    served(high, array(bulk("z"), bulk("d"), bulk("4")))
    served(many, scored("z", ("b", bulk("2")), ("c", bulk("3"))),
           "the third waiter gets what is left, up to its COUNT")
    assert r.exists("z") == 0


@pytest.mark.step("15i")
def test_a_served_zset_waiter_in_resp3(r, connect):
    waiter = connect()
    resp3(waiter)
    park(r, waiter, "BZPOPMIN", "r3", "0")
    r.zadd("r3", {"a": 1.5})
    served(waiter, array(bulk("r3"), bulk("a"), dbl("1.5")))
    park(r, waiter, "BZMPOP", "0", "1", "r3", "MAX")
    r.zadd("r3", {"b": 2})
    served(waiter, scored("r3", ("b", dbl("2"))))


@pytest.mark.step("15i")
def test_exec_serves_a_zset_waiter_the_final_minimum(r, connect):
    waiter, pusher = connect(), connect()
    park(r, waiter, "BZPOPMIN", "ez", "0")
    expect_reply(pusher, command("MULTI") + command("ZADD", "ez", "5", "e") +
                 command("ZADD", "ez", "1", "a") + command("EXEC"),
                 OK + QUEUED + QUEUED + array(integer(1), integer(1)),
                 CHAPTER)
    served(waiter, array(bulk("ez"), bulk("a"), bulk("1")))
    assert r.zrange("ez", 0, -1) == [b"e"]


@pytest.mark.step("15i")
def test_a_list_waiter_is_not_served_by_a_sorted_set_nor_the_reverse(
        r, connect):
    list_waiter, zset_waiter = connect(), connect()
    park(r, list_waiter, "BLPOP", "x", "0.3")
    r.zadd("x", {"m": 1})
    park(r, zset_waiter, "BZPOPMIN", "y", "0.3")
    r.rpush("y", "e")
    served(list_waiter, NULL_ARRAY, "a sorted set at its key is not what a "
           "BLPOP waits for: it waits on until its timeout")
    served(zset_waiter, NULL_ARRAY)
    assert r.zcard("x") == 1 and r.llen("y") == 1


@pytest.mark.step("15i")
def test_waiters_of_both_kinds_on_one_key_get_their_own_kind(r, connect):
    list_waiter, zset_waiter = connect(), connect()
    park(r, list_waiter, "BLPOP", "mx", "0")
    park(r, zset_waiter, "BZPOPMIN", "mx", "0")
    r.zadd("mx", {"a": 1})
    served(zset_waiter, array(bulk("mx"), bulk("a"), bulk("1")),
           "the first waiter wants a list: skip it, serve the next")
    still_waiting(list_waiter, "mx held a sorted set")
    r.rpush("mx", "l")
    served(list_waiter, bulks("mx", "l"))


@pytest.mark.step("15i")
def test_the_aof_logs_zpopmin_and_zpopmax_and_a_restart_restores_it(
        aof_server):
    srv = aof_server.process
    c = aof_server.client()
    raws = Raws(srv)
    try:
        c.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
        c.execute_command("BZPOPMIN", "z", "0")
        c.execute_command("BZPOPMAX", "z", "0")
        c.zadd("z2", {"a": 1, "b": 2, "c": 3})
        c.execute_command("BZMPOP", "0", "1", "z2", "MIN", "COUNT", "9")
        for wait, push in [
                (["BZPOPMIN", "w1", "0"], {"a": 1, "b": 2}),
                (["BZMPOP", "0", "1", "w2", "MAX", "COUNT", "7"], {"c": 3}),
                (["BZMPOP", "0", "1", "w3", "MAX"], {"x": 1, "y": 2})]:
            waiter = raws()
            park(c, waiter, *wait)
            c.zadd(wait[1] if wait[0] == "BZPOPMIN" else wait[3], push)
            read_reply(waiter)
        before = {k: c.zrange(k, 0, -1, withscores=True) for k in c.keys()}
    finally:
        raws.close()
    aof_server.stop()
    records = aof_commands_of(aof_server.dir)
    check_logged(records, [
        (None, pop_of("ZPOPMIN", "z", 1)),
        (None, pop_of("ZPOPMAX", "z", 1)),
        (None, pop_of("ZPOPMIN", "z2", 3)),
        (exactly("ZADD", "w1", "1", "a", "2", "b"),
         pop_of("ZPOPMIN", "w1", 1)),
        (exactly("ZADD", "w2", "3", "c"), pop_of("ZPOPMAX", "w2", 1)),
        (exactly("ZADD", "w3", "1", "x", "2", "y"),
         pop_of("ZPOPMAX", "w3", 1)),
    ])
    c = aof_server.start()
    after = {k: c.zrange(k, 0, -1, withscores=True) for k in c.keys()}
    assert after == before, why(
        "After a restart the sorted sets differ: before %r, after %r."
        % (before, after), "replay ZPOPMIN/ZPOPMAX as logged")
