"""Part II, keyspace notifications: notify-keyspace-events, and the events
published on __keyspace@<db>__:<key> and __keyevent@<db>__:<event>.

With the classes of `notify-keyspace-events` on, each change to a key is
published as an ordinary pub/sub message: the event's name on the channel
__keyspace@<db>__:<key> (flag K) and the key's name on the channel
__keyevent@<db>__:<event> (flag E), in that order. The tests listen with
PSUBSCRIBE __key*__:* on a RESP2 connection, run a command on another one,
then PUBLISH on a channel of their own: when that message arrives, every
event of the command has arrived before it.

Every event list below was recorded from redis-server 7.0.15. In
particular:
- one event per command and key, named after the command family, not the
  command: INCR, DECR and DECRBY publish incrby; HMSET and HSETNX hset;
  SETEX set then expire; GETDEL del; LMOVE and RPOPLPUSH the push on the
  destination BEFORE the pop on the source; SMOVE srem (and del) on the
  source, then sadd on the destination; RENAME rename_from then rename_to;
  COPY only copy_to; MOVE move_from in the source database, move_to in the
  target one; ZINCRBY and ZADD INCR zincr;
- a command that changes nothing publishes nothing: SETNX on an existing
  key, SADD of a member already there, SETRANGE with an empty string, LREM
  that removes nothing, GETEX without option or PERSIST without a TTL,
  SMOVE onto the same set, RENAME a a, SWAPDB, FLUSHALL, FLUSHDB, TOUCH,
  commands that fail; but HSET of the same value, INCRBY 0 and APPEND ""
  still publish (they write);
- a command that empties a container publishes its own event, then del; a
  STORE command whose result is empty publishes only del, and only if the
  destination existed; EXPIRE with a deadline in the past publishes del;
- x: expired, when a key is found dead, by a command (before that
  command's own events) or by the active cycle; e: evicted, when
  maxmemory removes a key;
- n: new, when a key is added to a database, before the command's event
  (RENAME and MOVE: before rename_from and move_from); CONFIG GET prints
  "A" for g$lshzxetd and then leaves n out: KEAn reads back as AKE;
- m: keymiss, when a read (GET, MGET per key, EXISTS, TTL, TYPE, HGET ...)
  finds no key; writes (SET, DEL, LPOP, INCR ...) never publish it; A does
  not include m;
- in RESP3, a client subscribed to its own key gets SET's push before +OK
  (Redis's list pushes publish after their reply: that order is not
  tested).

The wrong servers these tests catch, step by step:
  17a a default other than "", flags printed as given instead of Redis's
      order (AKE, xK, g$lshzxeE, Km), "A" not printed for g$lshzxetd, an
      unknown letter accepted or another error text, a refused value that
      changes the setting anyway;
  17b events published with the flags off or without K or E, on one
      channel only, with the channels swapped, the event and key swapped,
      database 0 for a key of database 3, the wrong class filter (a $
      event sent for g), events sent while a MULTI is queued instead of at
      EXEC, or for a command of the transaction that failed; a RESP3
      client's own event sent after its reply;
  17c a del for a key that did not exist, a del for UNLINK other than del,
      EXPIRE in the past sent as expire or expired, events for RENAME a a,
      a refused RENAMENX or COPY, SWAPDB or FLUSHALL; rename_to before
      rename_from; COPY or MOVE events on the wrong key or database;
  17d a per-type event named after the command (decr, hmset, getdel,
      rpoplpush); an event for a command that changed nothing, or that
      failed; the pop before the push of LMOVE; a missing del when a
      container is emptied; a STORE that publishes on an empty result;
  17e no expired event when a command finds a key dead, or only when the
      active cycle does (or the reverse); expired sent after the command's
      own event, or as del; no evicted event, or one sent as del, or
      only at the command after CONFIG SET lowered maxmemory;
  17f new sent for an existing key, after the command's event, or in the
      wrong database; keymiss sent for writes, or not for reads, or
      included in A.
"""

import contextlib
import time

import pytest
import redis

from helpers import (RawConnection, array, bulk, command, error, expect_reply,
                     read_reply, request, show_bytes)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("notifications")]

CHAPTER = 17    # Part II: keyspace notifications
PATTERN = b"__key*__:*"
SENTINEL = b"notifications-test-sentinel"


def as_bytes(value):
    return value if isinstance(value, bytes) else str(value).encode()


def expand(events):
    """Compact events [(event, key[, db])] -> the (channel, message) pairs
    Redis publishes with K and E on: keyspace first, then keyevent."""
    out = []
    for item in events:
        event, key = as_bytes(item[0]), as_bytes(item[1])
        db = item[2] if len(item) > 2 else 0
        out.append((b"__keyspace@%d__:%s" % (db, key), event))
        out.append((b"__keyevent@%d__:%s" % (db, event), key))
    return out


class Listener:
    """A RESP2 subscriber of __key*__:* and a connection to change keys.

    events() publishes on SENTINEL through the second connection and
    returns every (channel, message) received before the sentinel came
    back: all the events of the commands run so far.
    """

    def __init__(self, sub, pub, flags, pattern=PATTERN):
        self.sub, self.pub = sub, pub
        self.pattern = pattern
        sub.send(command("PSUBSCRIBE", pattern) +
                 command("SUBSCRIBE", SENTINEL))
        for _ in range(2):
            read_reply(sub)
        self.set_flags(flags)

    def set_flags(self, flags):
        value, raw = request(self.pub, "CONFIG", "SET",
                             "notify-keyspace-events", flags)
        assert raw == b"+OK\r\n", (
            "CONFIG SET notify-keyspace-events %r answered %s"
            % (flags, show_bytes(raw)))

    def run(self, *args):
        value, raw = request(self.pub, *args)
        return value

    def events(self, via=None):
        """`via`: a redis-py client to publish the sentinel with, for when
        the second connection is inside MULTI."""
        if via is None:
            self.run("PUBLISH", SENTINEL, "done")
        else:
            via.publish(SENTINEL, "done")
        out = []
        while True:
            value, raw = read_reply(self.sub)
            assert isinstance(value, list) and value, (
                "the subscriber received %s, not a message" % show_bytes(raw))
            if value[0] == b"message" and value[1] == SENTINEL:
                return out
            assert value[0] == b"pmessage" and value[1] == self.pattern, (
                "the subscriber of %r received %s"
                % (self.pattern, show_bytes(raw)))
            out.append((value[2], value[3]))


@pytest.fixture
def notify(r):
    """notify(flags): CONFIG SET notify-keyspace-events `flags`, set back
    to "" after the test."""
    def set_flags(flags):
        r.config_set("notify-keyspace-events", flags)
    yield set_flags
    try:
        r.config_set("notify-keyspace-events", "")
    except redis.ResponseError:
        pass    # a server without the option: the test said so already


@pytest.fixture
def listen(notify, connect):
    """listen(flags): a Listener on the module's server, with
    notify-keyspace-events set to `flags` (and "" again after the test)."""
    def make(flags, pattern=PATTERN):
        return Listener(connect(), connect(), flags, pattern)
    return make


def words(line):
    """'SET k v' -> ['SET', 'k', 'v']; "" stands for an empty argument."""
    return ["" if w == '""' else w for w in line.split()]


def compact(text):
    """'set k, move_to a@1' -> [('set', 'k'), ('move_to', 'a', 1)]."""
    if not text:
        return []
    out = []
    for part in text.split(", "):
        event, key = part.split(" ")
        if "@" in key:
            key, db = key.split("@")
            out.append((event, key, int(db)))
        else:
            out.append((event, key))
    return out


def show(pairs):
    return "[%s]" % ", ".join("(%s, %s)" % (c.decode(errors="replace"),
                                           m.decode(errors="replace"))
                              for c, m in pairs)


def check_events(got, want, what, hint):
    __tracebackhide__ = True
    assert got == want, (
        "%s, the subscriber of its events received:\n    %s\n  Redis "
        "publishes:\n    %s\n  hint: %s\n  Read workshop.md chapter %d."
        % (what, show(got), show(want), hint, CHAPTER))


# ---------------------------------------------------------------------------
# 17a the flags
# ---------------------------------------------------------------------------

@pytest.mark.step("17a")
def test_notify_keyspace_events_is_empty_by_default(r, connect):
    expect_reply(connect(), command("CONFIG", "GET", "notify-keyspace-events"),
                 array(bulk("notify-keyspace-events"), bulk("")), CHAPTER,
                 hint="notifications are off until asked for")


# (what is set, what CONFIG GET answers): Redis 7.0.15.
FLAGS = [
    ("KEA", "AKE"), ("AKE", "AKE"), ("EKA", "AKE"), ("A", "A"), ("KA", "AK"),
    ("Eg$lshzxe", "g$lshzxeE"), ("g$lshzxetd", "A"), ("KEg$lshzxetd", "AKE"),
    ("Kx", "xK"), ("mK", "Km"), ("KEm", "KEm"), ("nK", "nK"), ("Ag", "A"),
    ("K", "K"), ("E", "E"), ("", ""), ("KEAn", "AKE"), ("mnA", "Am"),
    ("KKK", "K"), ("t", "t"), ("d", "d"), ("Ee", "eE"), ("hlsz", "lshz"),
]


@pytest.mark.step("17a")
@pytest.mark.parametrize("flags,shown", FLAGS, ids=[f or '""' for f, _ in FLAGS])
def test_flags_are_printed_in_redis_order(r, notify, flags, shown):
    notify(flags)
    got = r.config_get("notify-keyspace-events")["notify-keyspace-events"]
    assert got == shown, (
        "CONFIG SET notify-keyspace-events %r, then CONFIG GET answered %r; "
        "Redis answers %r.\n  hint: keep bits, not the text; print 'A' when "
        "all of g$lshzxetd are on (and then no n), else each class in the "
        "order g$lshzxetdn, then K, E, m\n  Read workshop.md chapter %d."
        % (flags, got, shown, CHAPTER))


@pytest.mark.step("17a")
@pytest.mark.parametrize("flags", ["KEAX", "a", "KE,g", " K", "k"])
def test_unknown_letters_are_refused(r, notify, connect, flags):
    notify("Kx")
    expect_reply(connect(), command("CONFIG", "SET", "notify-keyspace-events",
                                    flags),
                 error("ERR CONFIG SET failed (possibly related to argument "
                       "'notify-keyspace-events') - Invalid event class "
                       "character. Use 'Ag$lshzxeKEtmdn'."), CHAPTER)
    got = r.config_get("notify-keyspace-events")["notify-keyspace-events"]
    assert got == "xK", "a refused value changed the setting to %r" % got


@pytest.mark.step("17a")
def test_the_flags_on_the_command_line(server_factory):
    srv = server_factory.start("--notify-keyspace-events", "KEx")
    client = redis.Redis(host=srv.host, port=srv.port, socket_timeout=10)
    got = client.config_get("notify-keyspace-events")
    client.close()
    assert got == {"notify-keyspace-events": "xKE"}, (
        "started with --notify-keyspace-events KEx, CONFIG GET says %r; "
        "Redis says xKE: the option is read like any other, and printed in "
        "Redis's order" % got)


# ---------------------------------------------------------------------------
# 17b publish an event on two channels
# ---------------------------------------------------------------------------

@pytest.mark.step("17b")
def test_set_publishes_on_the_keyspace_and_keyevent_channels(r, connect,
                                                             notify):
    sub = connect()
    sub.send(command("PSUBSCRIBE", PATTERN))
    read_reply(sub)
    notify("KE$")
    r.set("mykey", "v")
    expect_reply(sub, b"",
                 array(bulk("pmessage"), bulk(PATTERN),
                       bulk("__keyspace@0__:mykey"), bulk("set")) +
                 array(bulk("pmessage"), bulk(PATTERN),
                       bulk("__keyevent@0__:set"), bulk("mykey")),
                 CHAPTER, hint="K: the event on __keyspace@<db>__:<key>; "
                 "E: the key on __keyevent@<db>__:<event>; keyspace "
                 "first")


@pytest.mark.step("17b")
def test_events_are_ordinary_messages(r, connect, notify):
    space = connect()
    space.send(command("SUBSCRIBE", "__keyspace@0__:k"))
    event = connect()
    event.send(command("SUBSCRIBE", "__keyevent@0__:del"))
    read_reply(space)
    read_reply(event)
    r.set("k", "v")
    r.set("j", "v")
    notify("KEA")
    assert r.delete("k", "missing", "j") == 2
    expect_reply(space, b"", array(bulk("message"),
                                   bulk("__keyspace@0__:k"), bulk("del")),
                 CHAPTER, hint="an event is a PUBLISH: SUBSCRIBE to the "
                 "exact channel gets a plain message")
    expect_reply(event, b"",
                 array(bulk("message"), bulk("__keyevent@0__:del"),
                       bulk("k")) +
                 array(bulk("message"), bulk("__keyevent@0__:del"),
                       bulk("j")),
                 CHAPTER, hint="DEL publishes one del per key it "
                 "deleted, in the order of its arguments")


@pytest.mark.step("17b")
def test_nothing_is_published_with_the_flags_off(r, listen):
    ev = listen("")
    ev.run("SET", "k", "v")
    ev.run("DEL", "k")
    ev.run("RPUSH", "l", "a")
    check_events(ev.events(), [], "notify-keyspace-events is \"\"",
                 "test the flags first: nothing to publish when they are off")
    ev.set_flags("A")
    ev.run("SET", "k", "v")
    check_events(ev.events(), [], "notify-keyspace-events is A (no K, no E)",
                 "without K or E there is no channel to publish on")


# (flags, setup, command, what is published): Redis 7.0.15.
FILTERS = [
    ("K$", "SET k v EX 100", [(b"__keyspace@0__:k", b"set")]),
    ("E$", "SET k v EX 100", [(b"__keyevent@0__:set", b"k")]),
    ("Kg", "SET k v EX 100", [(b"__keyspace@0__:k", b"expire")]),
    ("Eg", "SET k v EX 100", [(b"__keyevent@0__:expire", b"k")]),
    ("KEl", "RPUSH l a", expand([("rpush", "l")])),
    ("KEs", "RPUSH l a", []),
    ("Kl", "LPOP l", [(b"__keyspace@0__:l", b"lpop")]),
    ("Eg", "LPOP l", [(b"__keyevent@0__:del", b"l")]),
    ("KEh", "HSET h f v", expand([("hset", "h")])),
    ("KE$lsz", "HSET h f v", []),
    ("Ks", "SADD s m", [(b"__keyspace@0__:s", b"sadd")]),
    ("Kz", "ZADD z 1 m", [(b"__keyspace@0__:z", b"zadd")]),
    ("KEg", "ZADD z 1 m", []),
    ("Ex", "SET k v EX 100", []),
]


@pytest.mark.step("17b")
@pytest.mark.parametrize("flags,line,want", FILTERS,
                         ids=["%s: %s" % (f, l) for f, l, _ in FILTERS])
def test_the_class_flags_filter_events(r, listen, flags, line, want):
    if line.startswith("LPOP"):
        r.rpush("l", "a")
    ev = listen(flags)
    ev.run(*words(line))
    check_events(ev.events(), want,
                 "With notify-keyspace-events %s, %s" % (flags, line),
                 "each event has one class: $ strings, g generic (del, "
                 "expire, rename ...), l lists, s sets, h hashes, z sorted "
                 "sets, x expired; K and E choose the channels")


@pytest.mark.step("17b")
def test_events_name_the_database(r, listen):
    ev = listen("KEA")
    ev.run("SELECT", "3")
    ev.run("SET", "k", "v")
    ev.run("DEL", "k")
    check_events(ev.events(), expand([("set", "k", 3), ("del", "k", 3)]),
                 "SELECT 3, SET k v, DEL k",
                 "the channel names the database of the key: "
                 "__keyspace@3__:k, __keyevent@3__:set")


@pytest.mark.step("17b")
def test_a_pattern_can_pick_one_database(r, listen):
    ev = listen("KEA", pattern=b"__keyspace@3__:*")
    ev.run("SET", "k", "v")
    ev.run("SELECT", "3")
    ev.run("SET", "k3", "v")
    check_events(ev.events(), [(b"__keyspace@3__:k3", b"set")],
                 "PSUBSCRIBE __keyspace@3__:*, then SET in databases 0 and 3",
                 "the database number is part of the channel name")


@pytest.mark.step("17b")
def test_a_transaction_publishes_at_exec(r, listen):
    r.set("str", "x")
    ev = listen("KEA")
    ev.run("MULTI")
    ev.run("SET", "a", "1")
    ev.run("LPUSH", "str", "x")
    ev.run("RPUSH", "l", "x")
    ev.run("INCR", "a")
    check_events(ev.events(via=r), [], "MULTI and four queued commands",
                 "queued commands have not run: nothing to publish yet")
    got = ev.run("EXEC")
    assert got[0] == b"OK" and got[1].startswith(b"WRONGTYPE"), got
    check_events(ev.events(),
                 expand([("set", "a"), ("rpush", "l"), ("incrby", "a")]),
                 "EXEC of SET a 1, LPUSH str x (WRONGTYPE), RPUSH l x, INCR a",
                 "EXEC runs each command as usual, and each publishes its "
                 "events; the one that failed publishes nothing")


@pytest.mark.step("17b")
def test_a_resp3_client_gets_its_own_event_before_the_reply(r, connect,
                                                            notify):
    conn = connect()
    conn.send(command("HELLO", "3"))
    read_reply(conn)
    notify("KA")
    expect_reply(conn, command("SUBSCRIBE", "__keyspace@0__:k"),
                 b">3\r\n" + bulk("subscribe") + bulk("__keyspace@0__:k") +
                 b":1\r\n", CHAPTER)
    expect_reply(conn, command("SET", "k", "v"),
                 b">3\r\n" + bulk("message") + bulk("__keyspace@0__:k") +
                 bulk("set") + b"+OK\r\n", CHAPTER,
                 hint="SET publishes while it runs, before its reply "
                 "is added")


# ---------------------------------------------------------------------------
# The tables: (setup, command, events) recorded from Redis 7.0.15 with
# notify-keyspace-events KEA ("event key@db", database 0 when not said).
# ---------------------------------------------------------------------------

GENERIC = {"DEL", "UNLINK", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT",
           "PERSIST", "RENAME", "RENAMENX", "COPY", "MOVE", "SWAPDB",
           "FLUSHALL", "FLUSHDB", "TOUCH", "SELECT"}

EVENTS = [
    # strings
    ("", "SET k v", "set k"),
    ("", "SET k v EX 100", "set k, expire k"),
    ("", "SET k v PX 100000", "set k, expire k"),
    ("SET k v", "SET k w NX", ""),
    ("SET k v", "SET k w XX GET", "set k"),
    ("SET k v EX 100", "SET k w KEEPTTL", "set k"),
    ("SET k v EX 100", "SET k w", "set k"),
    ("SET k v", "SET k v EX 0", ""),
    ("", "SETEX k 100 v", "set k, expire k"),
    ("SET k v", "SETEX k 0 v", ""),
    ("", "PSETEX k 100000 v", "set k, expire k"),
    ("", "SETNX k v", "set k"),
    ("SET k v", "SETNX k v", ""),
    ("", "MSET a 1 b 2", "set a, set b"),
    ("", "MSETNX a 1 b 2", "set a, set b"),
    ("SET b 1", "MSETNX a 1 b 2", ""),
    ("SET k v", "APPEND k x", "append k"),
    ("", "APPEND k x", "append k"),
    ("SET k abc", 'APPEND k ""', "append k"),
    ("", "INCR n", "incrby n"),
    ("", "INCRBY n 5", "incrby n"),
    ("SET n 1", "INCRBY n 0", "incrby n"),
    ("", "DECR n", "incrby n"),
    ("", "DECRBY n 5", "incrby n"),
    ("SET k abc", "INCR k", ""),
    ("", "INCRBYFLOAT n 1.5", "incrbyfloat n"),
    ("SET k abc", "SETRANGE k 1 X", "setrange k"),
    ("", 'SETRANGE k 0 ""', ""),
    ("SET k abc", 'SETRANGE k 1 ""', ""),
    ("SET k v", "GETDEL k", "del k"),
    ("", "GETDEL k", ""),
    ("SET k v", "GETEX k EX 100", "expire k"),
    ("SET k v", "GETEX k PX 100000", "expire k"),
    ("SET k v EX 100", "GETEX k PERSIST", "persist k"),
    ("SET k v", "GETEX k PERSIST", ""),
    ("SET k v", "GETEX k", ""),
    ("SET k v", "GETEX k EX 0", ""),
    ("SET k v", "GETSET k w", "set k"),
    ("", "SETBIT k 7 1", "setbit k"),
    ("", "SETBIT k 7 0", "setbit k"),
    ("SET a x", "BITOP NOT d a", "set d"),
    ("", "BITFIELD k SET u8 0 255", "setbit k"),
    ("", "BITFIELD k GET u8 0", ""),
    ("SET k v", "GET k", ""),
    # keys
    ("SET a 1; SET b 2", "DEL a b c", "del a, del b"),
    ("SET a 1; SET b 2", "DEL b a", "del b, del a"),
    ("SET a 1; SET b 2", "UNLINK a b c", "del a, del b"),
    ("SET k v", "EXPIRE k 100", "expire k"),
    ("SET k v", "PEXPIRE k 100000", "expire k"),
    ("SET k v", "EXPIREAT k 4000000000", "expire k"),
    ("SET k v", "PEXPIREAT k 4000000000000", "expire k"),
    ("SET k v", "EXPIRE k -1", "del k"),
    ("SET k v", "EXPIRE k 0", "del k"),
    ("SET k v", "PEXPIRE k -5", "del k"),
    ("SET k v", "EXPIREAT k 1", "del k"),
    ("", "EXPIRE k 100", ""),
    ("SET k v", "EXPIRE k 100 XX", ""),
    ("SET k v", "EXPIRE k 100 NX", "expire k"),
    ("SET k v EX 100", "EXPIRE k 50 GT", ""),
    ("SET k v EX 100", "EXPIRE k 200 GT", "expire k"),
    ("SET k v", "EXPIRE k 99999999999999999", ""),
    ("SET k v EX 100", "PERSIST k", "persist k"),
    ("SET k v", "PERSIST k", ""),
    ("SET a 1", "RENAME a b", "rename_from a, rename_to b"),
    ("SET a 1; SET b 2", "RENAME a b", "rename_from a, rename_to b"),
    ("SET a 1 EX 100", "RENAME a b", "rename_from a, rename_to b"),
    ("SET a 1", "RENAME a a", ""),
    ("", "RENAME a b", ""),
    ("SET a 1", "RENAMENX a b", "rename_from a, rename_to b"),
    ("SET a 1; SET b 2", "RENAMENX a b", ""),
    ("SET a 1", "COPY a b", "copy_to b"),
    ("SET a 1 EX 100", "COPY a b", "copy_to b"),
    ("SET a 1; SET b 2", "COPY a b REPLACE", "copy_to b"),
    ("SET a 1; SET b 2", "COPY a b", ""),
    ("SET a 1", "COPY a b DB 2", "copy_to b@2"),
    ("SET a 1", "COPY a a", ""),
    ("SET a 1", "MOVE a 1", "move_from a, move_to a@1"),
    ("SET a 1 EX 100", "MOVE a 3", "move_from a, move_to a@3"),
    ("SET a 1", "MOVE a 0", ""),
    ("SET a 1", "SWAPDB 0 1", ""),
    ("SET a 1", "FLUSHALL", ""),
    ("SET a 1", "FLUSHDB", ""),
    ("SET a 1", "TOUCH a", ""),
    ("SET a 1", "SELECT 3", ""),
    # lists
    ("", "LPUSH l a b", "lpush l"),
    ("RPUSH l a", "LPUSH l b c d", "lpush l"),
    ("", "RPUSH l a b", "rpush l"),
    ("RPUSH l a", "LPUSHX l b", "lpush l"),
    ("RPUSH l a", "RPUSHX l b", "rpush l"),
    ("", "LPUSHX l b", ""),
    ("SET k v", "LPUSH k a", ""),
    ("RPUSH l a b", "LPOP l", "lpop l"),
    ("RPUSH l a", "LPOP l", "lpop l, del l"),
    ("RPUSH l a b", "RPOP l", "rpop l"),
    ("RPUSH l a", "RPOP l", "rpop l, del l"),
    ("RPUSH l a b c", "LPOP l 2", "lpop l"),
    ("RPUSH l a b", "LPOP l 5", "lpop l, del l"),
    ("RPUSH l a b", "LPOP l 0", ""),
    ("", "LPOP l", ""),
    ("RPUSH l a b", "LINSERT l BEFORE b x", "linsert l"),
    ("RPUSH l a", "LINSERT l AFTER a b", "linsert l"),
    ("RPUSH l a b", "LINSERT l BEFORE z x", ""),
    ("RPUSH l a b", "LSET l 0 x", "lset l"),
    ("RPUSH l a", "LSET l 5 x", ""),
    ("RPUSH l a b c", "LTRIM l 0 1", "ltrim l"),
    ("RPUSH l a b c", "LTRIM l 0 -1", "ltrim l"),
    ("RPUSH l a b c", "LTRIM l 5 6", "ltrim l, del l"),
    ("RPUSH l a b a", "LREM l 0 a", "lrem l"),
    ("RPUSH l a a", "LREM l 0 a", "lrem l, del l"),
    ("RPUSH l a b", "LREM l 0 z", ""),
    ("RPUSH s a b", "LMOVE s d LEFT RIGHT", "rpush d, lpop s"),
    ("RPUSH s a", "LMOVE s d RIGHT LEFT", "lpush d, rpop s, del s"),
    ("RPUSH s a b", "LMOVE s s LEFT RIGHT", "rpush s, lpop s"),
    ("RPUSH s a b", "RPOPLPUSH s d", "lpush d, rpop s"),
    ("RPUSH s a", "RPOPLPUSH s s", "lpush s, rpop s"),
    ("RPUSH l a b", "LMPOP 1 l LEFT", "lpop l"),
    ("RPUSH l a b", "LMPOP 2 x l RIGHT COUNT 5", "rpop l, del l"),
    ("", "LMPOP 1 l LEFT", ""),
    # hashes
    ("", "HSET h f v g w", "hset h"),
    ("HSET h f v", "HSET h f v", "hset h"),
    ("", "HSETNX h f v", "hset h"),
    ("HSET h f v", "HSETNX h f v", ""),
    ("", "HMSET h f v", "hset h"),
    ("HSET h f v g w", "HDEL h f x", "hdel h"),
    ("HSET h f v g w", "HDEL h f g", "hdel h, del h"),
    ("HSET h f v", "HDEL h x", ""),
    ("", "HINCRBY h f 2", "hincrby h"),
    ("HSET h f x", "HINCRBY h f 1", ""),
    ("", "HINCRBYFLOAT h f 2.5", "hincrbyfloat h"),
    ("HSET h f 1", "HINCRBYFLOAT h f 0", "hincrbyfloat h"),
    # sets
    ("", "SADD s a b", "sadd s"),
    ("SADD s a", "SADD s a", ""),
    ("SADD s a b c", "SREM s a b z", "srem s"),
    ("SADD s a", "SREM s a", "srem s, del s"),
    ("SADD s a b", "SPOP s", "spop s"),
    ("SADD s a", "SPOP s", "spop s, del s"),
    ("SADD s a b c", "SPOP s 2", "spop s"),
    ("SADD s a b", "SPOP s 5", "spop s, del s"),
    ("SADD s a", "SPOP s 0", ""),
    ("SADD s a b", "SMOVE s d a", "srem s, sadd d"),
    ("SADD s a", "SMOVE s d a", "srem s, del s, sadd d"),
    ("SADD s a; SADD d a", "SMOVE s d a", "srem s, del s"),
    ("SADD s a b", "SMOVE s s a", ""),
    ("SADD s a", "SMOVE s d z", ""),
    ("SADD a 1 2; SADD b 2", "SINTERSTORE d a b", "sinterstore d"),
    ("SADD a 1; SADD d 9", "SINTERSTORE d a", "sinterstore d"),
    ("SADD a 1; SADD b 2; SET d x", "SINTERSTORE d a b", "del d"),
    ("SADD a 1; SADD b 2", "SINTERSTORE d a b", ""),
    ("SADD a 1; SADD b 2", "SUNIONSTORE d a b", "sunionstore d"),
    ("SADD a 1", "SUNIONSTORE a a b", "sunionstore a"),
    ("SADD a 1; SADD b 2", "SDIFFSTORE d a b", "sdiffstore d"),
    ("SADD a 1; SET d x", "SDIFFSTORE d a a", "del d"),
    # sorted sets
    ("", "ZADD z 1 a 2 b", "zadd z"),
    ("ZADD z 1 a", "ZADD z 1 a", ""),
    ("ZADD z 1 a", "ZADD z 2 a", "zadd z"),
    ("ZADD z 1 a", "ZADD z XX 2 b", ""),
    ("ZADD z 1 a", "ZADD z INCR 2 a", "zincr z"),
    ("", "ZINCRBY z 1 a", "zincr z"),
    ("ZADD z 1 a", "ZINCRBY z 0 a", ""),
    ("ZADD z 1 a 2 b", "ZREM z a", "zrem z"),
    ("ZADD z 1 a", "ZREM z a", "zrem z, del z"),
    ("ZADD z 1 a", "ZREM z b", ""),
    ("ZADD z 1 a 2 b", "ZPOPMIN z", "zpopmin z"),
    ("ZADD z 1 a 2 b", "ZPOPMAX z 5", "zpopmax z, del z"),
    ("ZADD z 1 a 2 b", "ZMPOP 1 z MIN", "zpopmin z"),
    ("ZADD z 1 a 2 b", "ZREMRANGEBYSCORE z 0 1", "zremrangebyscore z"),
    ("ZADD z 1 a", "ZREMRANGEBYSCORE z 5 6", ""),
    ("ZADD z 1 a 2 b", "ZREMRANGEBYRANK z 0 -1", "zremrangebyrank z, del z"),
    ("ZADD z 0 a 0 b", "ZREMRANGEBYLEX z [a [a", "zremrangebylex z"),
    ("ZADD a 1 x; ZADD b 2 y", "ZUNIONSTORE d 2 a b", "zunionstore d"),
    ("ZADD a 1 x; ZADD b 2 y", "ZINTERSTORE d 2 a b", ""),
    ("ZADD a 1 x; ZADD b 2 y; SET d x", "ZINTERSTORE d 2 a b", "del d"),
    ("ZADD a 1 x; ZADD b 2 y", "ZDIFFSTORE d 2 a b", "zdiffstore d"),
    ("ZADD a 1 x 2 y", "ZRANGESTORE d a 0 0", "zrangestore d"),
    ("ZADD a 1 x 2 y", "ZRANGESTORE d a 5 6", ""),
]


def table_params(rows, generic_step, type_step):
    params = []
    for setup, line, events in rows:
        name = line.split()[0].upper()
        step = generic_step if name in GENERIC else type_step
        ident = line if not setup else "%s | %s" % (setup, line)
        params.append(pytest.param(setup, line, events, id=ident,
                                   marks=pytest.mark.step(step)))
    return params


def run_setup(r, setup):
    for line in filter(None, (s.strip() for s in setup.split(";"))):
        r.execute_command(*words(line))


@pytest.mark.parametrize("setup,line,events",
                         table_params(EVENTS, "17c", "17d"))
def test_each_command_publishes_redis_events(r, listen, setup, line, events):
    run_setup(r, setup)
    ev = listen("KEA")
    ev.run(*words(line))
    check_events(ev.events(), expand(compact(events)),
                 "After %s, the command %s" % (setup or "nothing", line),
                 "publish once per key the command changed, after the "
                 "change, with the event Redis names (the chapter's "
                 "table); nothing when nothing changed")


# ---------------------------------------------------------------------------
# 17e expired and evicted
# ---------------------------------------------------------------------------

def on_a_dead_key(ev, line):
    """SET k v PX 30, 40 ms later run `line`; returns (its reply, the events
    it published). Tries again when the active expiry cycle deleted k
    first, so that it is `line` that finds the key dead."""
    __tracebackhide__ = True
    deadline = time.monotonic() + 5
    while True:
        ev.run("SET", "k", "v", "PX", "30")
        ev.events()
        time.sleep(0.04)
        if not ev.events():
            break
        assert time.monotonic() < deadline, (
            "for 5 s, every key with a 30 ms TTL was deleted by the server "
            "on its own within 40 ms, before a command could find it dead")
    reply = ev.run(*words(line))
    return reply, ev.events()


@pytest.mark.step("17e")
def test_a_key_found_dead_publishes_expired(r, listen):
    ev = listen("KEA")
    reply, got = on_a_dead_key(ev, "GET k")
    assert reply is None, "GET of a dead key answered %r" % reply
    check_events(got, expand([("expired", "k")]),
                 "SET k v PX 30, 40 ms later GET k",
                 "a key found dead is deleted with an 'expired' event (class "
                 "x), not 'del'")


@pytest.mark.step("17e")
@pytest.mark.parametrize("line,events", [
    ("SET k w", "expired k, set k"),
    ("LPUSH k w", "expired k, lpush k"),
    ("DEL k", "expired k"),
])
def test_a_command_on_a_dead_key_publishes_expired_first(r, listen, line,
                                                         events):
    ev = listen("KEA")
    reply, got = on_a_dead_key(ev, line)
    check_events(got, expand(compact(events)),
                 "SET k v PX 30, 40 ms later %s" % line,
                 "the command's lookup finds the key dead and deletes it "
                 "('expired') before the command runs on a missing key")


@pytest.mark.step("17e")
def test_the_active_cycle_publishes_expired(r, listen):
    ev = listen("Ex")
    ev.run("SET", "k", "v", "PX", "30")
    ev.run("SET", "j", "v", "PX", "30")
    check_events(ev.events(), [], "notify-keyspace-events Ex: SET with PX",
                 "x is the expired class only: set and expire are not in it")
    got = []
    deadline = time.monotonic() + 3
    while len(got) < 2 and time.monotonic() < deadline:
        value, raw = read_reply(ev.sub, timeout=deadline - time.monotonic())
        got.append((value[2], value[3]))
    assert sorted(got) == [(b"__keyevent@0__:expired", b"j"),
                           (b"__keyevent@0__:expired", b"k")], (
        "two keys with a 30 ms TTL, never touched: the subscriber received "
        "%s within 3 s; Redis's active expiry deletes them and publishes "
        "'expired' for each.\n  Read workshop.md chapter %d."
        % (show(got), CHAPTER))


@contextlib.contextmanager
def fresh_listener(server_factory, flags):
    """A server of its own (its memory limit is set back at the end), a
    redis-py client of it and a Listener with `flags`."""
    srv = server_factory.start()
    client = redis.Redis(host=srv.host, port=srv.port, socket_timeout=10)
    ev = Listener(RawConnection(srv.host, srv.port),
                  RawConnection(srv.host, srv.port), flags)
    try:
        yield client, ev
    finally:
        client.config_set("maxmemory", 0)
        client.close()
        ev.sub.close()
        ev.pub.close()


@pytest.mark.step("17e")
def test_eviction_publishes_evicted(server_factory):
    with fresh_listener(server_factory, "KEA") as (client, ev):
        ev.run("SET", "big", "x" * 300000)
        check_events(ev.events(), expand([("set", "big")]), "SET big", "")
        used = client.info("memory")["used_memory"]
        ev.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        ev.run("CONFIG", "SET", "maxmemory", str(used - 150000))
        ev.run("GET", "other")
        check_events(ev.events(), expand([("evicted", "big")]),
                     "SET big (300 KB), then maxmemory 150 KB below "
                     "used_memory with allkeys-lru",
                     "each key the memory limit removes publishes "
                     "'evicted' (class e), not 'del'")
        assert client.exists("big") == 0


@pytest.mark.step("17e")
def test_a_lower_maxmemory_evicts_at_once(server_factory):
    with fresh_listener(server_factory, "Ee") as (client, ev):
        ev.run("SET", "big", "x" * 300000)
        used = client.info("memory")["used_memory"]
        ev.run("CONFIG", "SET", "maxmemory", str(used - 150000),
               "maxmemory-policy", "allkeys-lru")
        value, raw = read_reply(ev.sub, timeout=3)
        assert value == [b"pmessage", PATTERN,
                         b"__keyevent@0__:evicted", b"big"], (
            "after CONFIG SET maxmemory 150 KB below used_memory "
            "maxmemory-policy allkeys-lru, and no other command, the "
            "subscriber received %s; Redis evicts as soon as the limit is "
            "lowered (a server that waits for the next command may wait for "
            "ever), once every pair of the CONFIG SET is set (the policy "
            "after the limit still counts).\n  Read workshop.md chapter %d."
            % (show_bytes(raw), CHAPTER))


@pytest.mark.step("17e")
def test_evicted_events_do_not_make_eviction_go_on(server_factory, suite):
    # One thread, as Redis: with several, the events of one pass may still
    # wait in another thread's client buffers when the next command looks
    # at the memory, and that command evicts again (workshop.md chapter 13).
    srv = server_factory.start(*(["--threads", "1"] if suite.own_binary else []))
    client = redis.Redis(host=srv.host, port=srv.port, socket_timeout=10)
    subs = [RawConnection(srv.host, srv.port) for _ in range(5)]
    try:
        pipe = client.pipeline(transaction=False)
        for i in range(20000):
            pipe.set("key:%d" % i, "v" * 100)
        pipe.execute()
        client.config_set("notify-keyspace-events", "Ee")
        for sub in subs:
            sub.send(command("SUBSCRIBE", "__keyevent@0__:evicted"))
            read_reply(sub)
        used = client.info("memory")["used_memory"]
        client.config_set("maxmemory-policy", "allkeys-lru")
        client.config_set("maxmemory", used - 1000000)
        left = client.dbsize()
        assert 10000 <= left < 20000, (
            "20,000 keys of 100 bytes, 5 subscribers of 'evicted', then "
            "maxmemory 1 MB below used_memory: %d keys are left. Freeing 1 MB "
            "takes some 6,000 keys (Redis leaves about 14,300); a server that "
            "measures its memory again after each key also counts the "
            "'evicted' messages waiting for the subscribers, and evicts on "
            "and on.\n  Read workshop.md chapter 13." % left)
    finally:
        client.config_set("maxmemory", 0)
        client.close()
        for sub in subs:
            sub.close()


# ---------------------------------------------------------------------------
# 17f new keys and key misses
# ---------------------------------------------------------------------------

NEW = [
    ("", "SET k v", "new k, set k"),
    ("SET k v", "SET k w", "set k"),
    ("", "SET e v EX 100", "new e, set e, expire e"),
    ("", "LPUSH l a", "new l, lpush l"),
    ("RPUSH l a", "RPUSH l b", "rpush l"),
    ("", "MSET a 1 b 2", "new a, set a, new b, set b"),
    ("SET a 1", "MSET a 1 b 2", "set a, new b, set b"),
    ("", "INCR n", "new n, incrby n"),
    ("", "HSET h f v", "new h, hset h"),
    ("", "SADD s x", "new s, sadd s"),
    ("", "ZADD z 1 a", "new z, zadd z"),
    ("SET k v", "RENAME k k2", "new k2, rename_from k, rename_to k2"),
    ("SET k v", "COPY k k3", "new k3, copy_to k3"),
    ("SET k v", "MOVE k 1", "new k@1, move_from k, move_to k@1"),
    ("SADD s x", "SINTERSTORE d s", "new d, sinterstore d"),
    ("RPUSH l a", "LMOVE l m LEFT LEFT",
     "new m, lpush m, lpop l, del l"),
    ("SADD s x", "SMOVE s t x", "srem s, del s, new t, sadd t"),
    ("", "APPEND ap x", "new ap, append ap"),
    ("", "SETRANGE sr 2 x", "new sr, setrange sr"),
    ("", "SETBIT sb 1 1", "new sb, setbit sb"),
    ("", "SETEX se 10 v", "new se, set se, expire se"),
    ("", "GETSET gs v", "new gs, set gs"),
    ("", "SDIFFSTORE d2 s9", ""),
]


@pytest.mark.parametrize("setup,line,events", table_params(NEW, "17f", "17f"))
def test_new_keys_publish_new_first(r, listen, setup, line, events):
    run_setup(r, setup)
    ev = listen("KEAn")
    ev.run(*words(line))
    check_events(ev.events(), expand(compact(events)),
                 "With notify-keyspace-events KEAn, after %s, the command %s"
                 % (setup or "nothing", line),
                 "n: publish 'new' when a key is added to a database, at "
                 "the moment it is added, before the command's own event")


@pytest.mark.step("17f")
def test_new_alone(r, listen):
    ev = listen("Kn")
    ev.run("SET", "k", "v")
    ev.run("SET", "k", "w")
    ev.run("DEL", "k")
    check_events(ev.events(), [(b"__keyspace@0__:k", b"new")],
                 "With notify-keyspace-events Kn: SET k v, SET k w, DEL k",
                 "n is a class of its own: only 'new' events")


@pytest.mark.step("17f")
def test_a_dead_key_written_again_is_new(r, listen):
    ev = listen("KEAn")
    reply, got = on_a_dead_key(ev, "SET k w")
    check_events(got, expand([("expired", "k"), ("new", "k"), ("set", "k")]),
                 "With KEAn: SET k v PX 30, 40 ms later SET k w",
                 "the dead key is deleted first ('expired'), so the SET adds "
                 "a new key")


# (setup, command, the keys missed): Redis 7.0.15 with KEm.
MISSES = [
    ("", "GET nokey", "nokey"),
    ("SET k v", "GET k", ""),
    ("SET a 1", "MGET a zz yy", "zz yy"),
    ("", "STRLEN nokey", "nokey"),
    ("", "GETRANGE nokey 0 1", "nokey"),
    ("", "GETDEL nokey", "nokey"),
    ("", "GETEX nokey", "nokey"),
    ("", "EXISTS nokey", "nokey"),
    ("", "TTL nokey", "nokey"),
    ("", "TYPE nokey", "nokey"),
    ("", "LRANGE nol 0 -1", "nol"),
    ("", "LLEN nol", "nol"),
    ("", "LINDEX nol 0", "nol"),
    ("", "HGET noh f", "noh"),
    ("", "HGETALL noh", "noh"),
    ("", "HEXISTS noh f", "noh"),
    ("", "SMEMBERS nos", "nos"),
    ("", "SISMEMBER nos x", "nos"),
    ("", "SCARD nos", "nos"),
    ("", "SINTER nos nos2", "nos nos2"),
    ("", "ZSCORE noz a", "noz"),
    ("", "DEL nokey", ""),
    ("", "SET nokey v", ""),
    ("", "INCR nokey", ""),
    ("", "APPEND nokey x", ""),
    ("", "LPOP nol", ""),
    ("", "OBJECT ENCODING nokey", ""),
    ("", "RENAME nokey x", ""),
]


@pytest.mark.parametrize("setup,line,missed", table_params(MISSES, "17f",
                                                           "17f"))
def test_reads_of_missing_keys_publish_keymiss(r, listen, setup, line, missed):
    run_setup(r, setup)
    ev = listen("KEm")
    ev.run(*words(line))
    check_events(ev.events(),
                 expand([("keymiss", key) for key in missed.split()]),
                 "With notify-keyspace-events KEm, after %s, the command %s"
                 % (setup or "nothing", line),
                 "m: a read that finds no key publishes 'keymiss' for it; "
                 "writes and deletions never do")


@pytest.mark.step("17f")
def test_a_is_without_keymiss(r, listen):
    ev = listen("KEA")
    ev.run("GET", "nokey")
    check_events(ev.events(), [], "With KEA, GET nokey",
                 "A is g$lshzxetd: m must be asked for by name")


@pytest.mark.step("17f")
def test_a_dead_key_read_is_expired_then_missed(r, listen):
    ev = listen("KEAm")
    reply, got = on_a_dead_key(ev, "GET k")
    check_events(got, expand([("expired", "k"), ("keymiss", "k")]),
                 "With KEAm: SET k v PX 30, 40 ms later GET k",
                 "the read deletes the dead key ('expired'), then misses it")
