"""Part II, pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH
PUBSUB SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, RESP3 pushes and the pubsub class
of client-output-buffer-limit.

PUBLISH hands a message to the clients subscribed at that moment, to the
channel by name (SUBSCRIBE) or to a glob pattern matching it (PSUBSCRIBE),
and forgets it; its reply is how many deliveries it made. Every exact byte
below was taken from redis-server 7.0.15. In particular:
- (P)SUBSCRIBE and (P)UNSUBSCRIBE answer once per name, also for a name
  repeated or not subscribed, with the client's count of channels plus
  patterns (sharded channels are counted apart); UNSUBSCRIBE without a
  name drops every channel (in no promised order) or, with none, answers
  `*3 $11 unsubscribe $-1 :0`;
- a client subscribed to a channel and to a pattern matching it gets both
  the message and the pmessage, the message first, and PUBLISH counts 2;
- patterns use KEYS's glob, but no pattern matches the empty channel name:
  Redis's matcher stops as soon as the name is used up (KEYS * is a special
  case that lists everything without matching);
- a RESP2 client with any subscription (channels, patterns or sharded) may
  only run (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET; others
  get "-ERR Can't execute '<name>': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE /
  PING / QUIT / RESET are allowed in this context", <name> being the
  command's lower-case full name ('client|list'), after the unknown-command
  and arity checks; PING there answers `*2 $4 pong <msg or $0>`;
- after HELLO 3 confirmations and messages are pushes (`>3`, `>4`, a null
  is `_`), every command is allowed and PING answers +PONG; a client that
  PUBLISHes to its own channel gets the push before the `:N` reply;
- PUBSUB NUMPAT counts distinct patterns, not subscriptions; NUMSUB leaves
  pattern subscribers out; CLIENT LIST shows flags=P and sub= psub= ssub=;
  INFO stats pubsub_channels, pubsub_patterns, pubsubshard_channels;
- SPUBLISH reaches only SSUBSCRIBE's subscribers (smessage), never a
  pattern, and PUBLISH never reaches them;
- client-output-buffer-limit defaults to "normal 0 0 0 slave 268435456
  67108864 60 pubsub 33554432 8388608 60"; a subscriber (RESP2 or RESP3)
  whose unsent output passes the pubsub hard limit, or stays past the soft
  limit longer than its seconds, is closed, and PUBLISH stops counting it.

The wrong servers these tests catch, step by step:
  16a a SUBSCRIBE that answers once for several channels, counts a repeated
      channel twice or leaves the connection in a state where the next
      reply is lost; a PUBLISH that counts subscribers instead of
      deliveries, stores messages for later subscribers, cuts binary
      channels or payloads at a NUL or CRLF, reorders or loses messages
      (1,000 pipelined), or keeps delivering to (and counting) a client
      that closed its connection;
  16b an UNSUBSCRIBE that answers once for several channels, forgets to
      answer for a channel it was not subscribed to, answers nothing (or
      an empty array) when there is nothing to unsubscribe, or keeps
      delivering; a subscribed RESP2 client that may still GET, SET,
      PUBLISH, MULTI or HELLO, or gets another error text, or loses its
      subscriptions to the error; PING answered +PONG in the mode, or the
      mode not left after the last UNSUBSCRIBE; QUIT refused;
  16c a pattern that does not match like KEYS (?, *, [a-c], [c-a], [^e],
      escapes, an unterminated '[', case), or that matches the empty
      channel; a pmessage without the pattern; a client subscribed twice
      (channel and pattern, or two patterns) that gets one message or is
      counted once; PUNSUBSCRIBE answers like UNSUBSCRIBE's wrong ones; an
      UNSUBSCRIBE that drops patterns too, or a mode left while a pattern
      remains;
  16d PUBSUB CHANNELS listing patterns, channels nobody listens to any
      more, or ignoring its pattern; NUMSUB counting pattern subscribers
      or answering a map; NUMPAT counting subscriptions instead of
      patterns; wrong PUBSUB error texts or HELP; CLIENT LIST without
      flags=P or with stale sub= psub= counts; INFO without the pubsub
      lines; the tables not cleaned when a subscriber disconnects;
  16e after HELLO 3: confirmations or messages sent as arrays, nulls as
      $-1, commands refused while subscribed, PING answered [pong, ""], a
      push cut into a reply (or a reply into a push) when messages arrive
      while the client runs commands, its own PUBLISH answered before the
      push; a client back to RESP2 (HELLO 2) not restricted; CLIENT REPLY
      OFF or SKIP that answers, silences too many commands or too few
      (an empty request counts), keeps what it silenced in memory, or
      silences confirmations and messages too;
  16f sharded channels sharing the table of channels or patterns (SPUBLISH
      reaching SUBSCRIBE or PSUBSCRIBE, PUBLISH reaching SSUBSCRIBE);
      ssubscribe counts that include channels; SUNSUBSCRIBE's replies
      wrong; the mode left while a sharded subscription remains; PUBSUB
      SHARDCHANNELS or SHARDNUMSUB missing, INFO pubsubshard_channels or
      CLIENT LIST ssub= wrong;
  16g a wrong default or normalised client-output-buffer-limit, a CONFIG
      SET that accepts a bad class, count, number or negative size, or
      error texts not Redis's; a subscriber that never reads making the
      server's memory grow without end (not closed past the hard limit,
      RESP2 or RESP3, or past the soft limit after its seconds); one closed
      by the soft limit at once; a slow reader under the limits that loses
      messages or blocks the publisher; a normal client limited by default;
  16h (ours, --threads 4) subscribers on other reactors that miss messages,
      get one publisher's messages out of order, or block the publishers.
"""

import threading
import time

import pytest
import redis

from helpers import (RawConnection, arity_error, array, bulk, command, error,
                     expect_reply, integer, read_reply, show_bytes,
                     wait_until)

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("pubsub")]

CHAPTER = 16    # Part II: pub/sub
NIL = b"$-1\r\n"
PONG = b"+PONG\r\n"
OK = b"+OK\r\n"
DEFAULT_OBUF = ("normal 0 0 0 slave 268435456 67108864 60 "
                "pubsub 33554432 8388608 60")


def not_allowed(name):
    """The error a subscribed RESP2 client gets for command `name`."""
    return error("ERR Can't execute '%s': only (P|S)SUBSCRIBE / "
                 "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                 "this context" % name)


# --- RESP2 frames -----------------------------------------------------------

def confirm(kind, name, count):
    """[subscribe|unsubscribe|psubscribe|..., name or nil, count]."""
    return array(bulk(kind), NIL if name is None else bulk(name),
                 integer(count))


def message(channel, payload):
    return array(bulk("message"), bulk(channel), bulk(payload))


def pmessage(pattern, channel, payload):
    return array(bulk("pmessage"), bulk(pattern), bulk(channel),
                 bulk(payload))


def smessage(channel, payload):
    return array(bulk("smessage"), bulk(channel), bulk(payload))


def pong(text=""):
    return array(bulk("pong"), bulk(text))


# --- RESP3 frames -----------------------------------------------------------

def push(*items):
    return b">%d\r\n" % len(items) + b"".join(items)


def push_confirm(kind, name, count):
    return push(bulk(kind), b"_\r\n" if name is None else bulk(name),
                integer(count))


def push_message(channel, payload):
    return push(bulk("message"), bulk(channel), bulk(payload))


def push_pmessage(pattern, channel, payload):
    return push(bulk("pmessage"), bulk(pattern), bulk(channel), bulk(payload))


# --- talking ------------------------------------------------------------------

def expect(conn, args, reply, hint=None):
    """Send args (or nothing for []) and expect exactly `reply` back."""
    __tracebackhide__ = True
    expect_reply(conn, command(*args) if args else b"", reply, CHAPTER,
                 hint=hint or "see the pub/sub chapter (workshop.md Part II)")


def expect_silence(conn, what, wait=0.1):
    """Nothing more arrives on conn within `wait` seconds."""
    __tracebackhide__ = True
    extra = conn.read_available(wait)
    assert not extra, (
        "%s, but this connection then received %s.\n  hint: a message goes "
        "only to the clients subscribed to its channel (or a matching "
        "pattern) when it is published, once each.\n  Read workshop.md "
        "chapter %d." % (what, show_bytes(extra), CHAPTER))


def subscriber(connect, *channels, kind="SUBSCRIBE", resp3=False):
    """A connection subscribed to `channels`, its confirmations read."""
    conn = connect()
    if resp3:
        hello(conn)
    expect(conn, [kind] + list(channels),
           b"".join((push_confirm if resp3 else confirm)(
               kind.lower(), ch, i + 1) for i, ch in enumerate(channels)))
    return conn


def hello(conn):
    """HELLO 3 on a raw connection; its map reply is read and dropped."""
    conn.send(command("HELLO", "3"))
    value, raw = read_reply(conn)
    assert raw.startswith(b"%"), "HELLO 3 answered %s" % show_bytes(raw)
    assert not getattr(conn, "_pending_reply_bytes", b"")


def publish(r, channel, payload, receivers, hint=None):
    __tracebackhide__ = True
    got = r.publish(channel, payload)
    assert got == receivers, (
        "PUBLISH %r %r answered %r; Redis answers %d here.\n  hint: %s\n"
        "  Read workshop.md chapter %d."
        % (channel, payload[:40], got, receivers,
           hint or "PUBLISH answers how many deliveries it made: one per "
           "subscriber of the channel, plus one per matching pattern of "
           "each pattern subscriber", CHAPTER))


def poll(predicate, what, hint, timeout=3.0):
    """Wait until predicate() is true, else fail saying `what`."""
    __tracebackhide__ = True
    if not wait_until(predicate, timeout, interval=0.01):
        raise AssertionError("%s (waited %.1f s).\n  hint: %s\n  Read "
                             "workshop.md chapter %d."
                             % (what, timeout, hint, CHAPTER))


def client_id(conn):
    conn.send(command("CLIENT", "ID"))
    value, _ = read_reply(conn)
    return value


def client_entry(r, cid):
    for entry in r.client_list():
        if int(entry["id"]) == cid:
            return entry
    raise AssertionError("CLIENT LIST has no client id=%d" % cid)


# ---------------------------------------------------------------------------
# 16a SUBSCRIBE and PUBLISH
# ---------------------------------------------------------------------------

@pytest.mark.step("16a")
def test_subscribe_confirms_each_channel_with_the_running_count(r, connect):
    conn = connect()
    expect(conn, ["SUBSCRIBE", "a", "b", "a"],
           confirm("subscribe", "a", 1) + confirm("subscribe", "b", 2) +
           confirm("subscribe", "a", 2),
           "one [subscribe, channel, count] per argument, in order; a "
           "channel subscribed again is confirmed again without counting "
           "twice")
    expect(conn, ["SUBSCRIBE", "c"], confirm("subscribe", "c", 3))
    expect_silence(conn, "SUBSCRIBE was confirmed")


@pytest.mark.step("16a")
def test_publish_delivers_to_every_subscriber_and_counts_them(r, connect):
    one = subscriber(connect, "news")
    two = subscriber(connect, "news", "other")
    publish(r, "news", "hello", 2)
    expect(one, [], message("news", "hello"))
    expect(two, [], message("news", "hello"))
    publish(r, "other", "x", 1)
    expect(two, [], message("other", "x"))
    publish(r, "nobody", "lost", 0,
            "a channel nobody subscribed to gets the message nowhere")
    expect_silence(one, "PUBLISH other and PUBLISH nobody")
    expect_silence(two, "PUBLISH nobody")


@pytest.mark.step("16a")
def test_a_message_is_not_kept_for_later_subscribers(r, connect):
    publish(r, "ch", "early", 0)
    conn = subscriber(connect, "ch")
    expect_silence(conn, "the message was published before SUBSCRIBE")
    publish(r, "ch", "late", 1)
    expect(conn, [], message("ch", "late"))


@pytest.mark.step("16a")
def test_the_publisher_gets_an_integer_reply(r, connect):
    sub = subscriber(connect, "ch")
    pub = connect()
    expect(pub, ["PUBLISH", "ch", "m"], integer(1))
    expect(pub, ["PUBLISH", "ch", ""], integer(1),
           "an empty message is a message")
    expect(sub, [], message("ch", "m") + message("ch", ""))
    expect(pub, ["publish", "missing", "m"], integer(0))


@pytest.mark.step("16a")
def test_binary_channels_and_payloads_arrive_byte_for_byte(r, connect):
    channel = b"ch\x00\r\n$3\r\n\xff"
    sub = subscriber(connect, channel, b"")
    payloads = [b"\x00", b"a\r\nb", b"*1\r\n$-1\r\n", bytes(range(256)),
                b"x" * (1 << 20)]
    pub = connect()
    for payload in payloads:
        expect(pub, ["PUBLISH", channel, payload], integer(1))
    expect(pub, ["PUBLISH", b"", b"empty channel"], integer(1),
           "the empty string is a channel name like any other")
    expect(sub, [], b"".join(message(channel, p) for p in payloads) +
           message(b"", b"empty channel"),
           "channel names and payloads are binary-safe: a length, then "
           "the bytes, whatever they are")


@pytest.mark.step("16a")
def test_a_thousand_pipelined_messages_arrive_in_order(r, connect):
    sub = subscriber(connect, "seq")
    pub = connect()
    pub.send(b"".join(command("PUBLISH", "seq", "m%d" % i)
                      for i in range(1000)))
    expect(pub, [], integer(1) * 1000)
    expect(sub, [], b"".join(message("seq", "m%d" % i) for i in range(1000)),
           "messages go out in the order they were published, none lost")


@pytest.mark.step("16a")
def test_a_closed_subscriber_is_no_longer_counted(r, connect):
    sub = subscriber(connect, "ch")
    stay = subscriber(connect, "ch")
    sub.close()
    poll(lambda: r.publish("ch", "x") == 1,
         "A subscriber closed its connection, but PUBLISH still counts it",
         "when a client goes, drop it from every channel it subscribed to")
    expect(stay, [], message("ch", "x"))


@pytest.mark.step("16a")
@pytest.mark.parametrize("args", [["SUBSCRIBE"], ["PUBLISH"], ["PUBLISH", "c"],
                                  ["PUBLISH", "c", "m", "extra"]],
                         ids=lambda a: " ".join(a))
def test_subscribe_and_publish_check_their_arity(r, connect, args):
    expect(connect(), args, arity_error(args[0].lower()))


# ---------------------------------------------------------------------------
# 16b UNSUBSCRIBE and the subscribed mode
# ---------------------------------------------------------------------------

@pytest.mark.step("16b")
def test_unsubscribe_answers_each_channel_with_the_count_left(r, connect):
    conn = subscriber(connect, "a", "b", "c")
    expect(conn, ["UNSUBSCRIBE", "b", "zz", "b"],
           confirm("unsubscribe", "b", 2) + confirm("unsubscribe", "zz", 2) +
           confirm("unsubscribe", "b", 2),
           "one [unsubscribe, channel, count] per argument, also for a "
           "channel the client was not subscribed to")
    publish(r, "b", "x", 0, "an unsubscribed channel reaches nobody")
    publish(r, "a", "y", 1)
    expect(conn, [], message("a", "y"))


@pytest.mark.step("16b")
def test_unsubscribe_without_arguments_drops_every_channel(r, connect):
    channels = ["c%d" % i for i in range(5)]
    conn = subscriber(connect, *channels)
    conn.send(command("UNSUBSCRIBE"))
    got = []
    for _ in channels:
        value, raw = read_reply(conn)
        got.append(value)
    seen = sorted(v[1] for v in got)
    counts = [v[2] for v in got]
    assert [v[0] for v in got] == [b"unsubscribe"] * 5 and \
        seen == sorted(c.encode() for c in channels) and \
        counts == [4, 3, 2, 1, 0], (
            "UNSUBSCRIBE with no argument answered %r; Redis answers one "
            "[unsubscribe, channel, count] per channel the client had (in "
            "any order), the counts going down to 0.\n  Read workshop.md "
            "chapter %d." % (got, CHAPTER))
    assert not conn._pending_reply_bytes and not conn.read_available(0.1)
    for ch in channels:
        publish(r, ch, "x", 0)


@pytest.mark.step("16b")
def test_unsubscribe_with_nothing_to_drop_answers_a_nil_channel(r, connect):
    conn = connect()
    expect(conn, ["UNSUBSCRIBE"], confirm("unsubscribe", None, 0),
           "with no subscription, UNSUBSCRIBE still answers once: "
           "[unsubscribe, nil, 0]")
    expect(conn, ["GET", "k"], NIL,
           "UNSUBSCRIBE does not put a client in the subscribed mode")
    expect(conn, ["SUBSCRIBE", "a"], confirm("subscribe", "a", 1))
    expect(conn, ["UNSUBSCRIBE"], confirm("unsubscribe", "a", 0))
    expect(conn, ["UNSUBSCRIBE"], confirm("unsubscribe", None, 0))
    expect(conn, ["UNSUBSCRIBE", "x"], confirm("unsubscribe", "x", 0))


@pytest.mark.step("16b")
@pytest.mark.parametrize("args,name", [
    (["GET", "k"], "get"), (["SET", "k", "v"], "set"),
    (["PUBLISH", "ch", "m"], "publish"), (["CLIENT", "LIST"], "client|list"),
    (["MULTI"], "multi"), (["HELLO", "3"], "hello"), (["ECHO", "x"], "echo"),
    (["pubsub", "numpat"], "pubsub|numpat"), (["SELECT", "1"], "select"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_a_subscribed_resp2_client_may_only_run_pubsub_commands(r, connect,
                                                                 args, name):
    conn = subscriber(connect, "ch")
    expect(conn, args, not_allowed(name),
           "in RESP2 a subscribed connection carries messages: any other "
           "command is refused, named by its lower-case full name")
    assert r.get("k") is None
    publish(r, "ch", "still", 1, "the refused command leaves the "
            "subscriptions as they were")
    expect(conn, [], message("ch", "still"))


@pytest.mark.step("16b")
def test_unknown_commands_and_arity_are_checked_before_the_mode(r, connect):
    conn = subscriber(connect, "ch")
    expect(conn, ["NOSUCH", "a"],
           error("ERR unknown command 'NOSUCH', with args beginning with: "
                 "'a' "))
    expect(conn, ["GET"], arity_error("get"),
           "the dispatcher's own checks (unknown command, arity) come before "
           "the subscribed-mode check")
    expect(conn, ["PING", "a", "b"], arity_error("ping"))


@pytest.mark.step("16b")
def test_ping_in_the_subscribed_mode_answers_an_array(r, connect):
    conn = subscriber(connect, "ch")
    expect(conn, ["PING"], pong(),
           "a subscribed RESP2 client gets [pong, \"\"], so that a client "
           "reading messages can tell it from one")
    expect(conn, ["PING", "hi"], pong("hi"))
    expect(conn, ["ping", ""], pong(""))


@pytest.mark.step("16b")
def test_the_last_unsubscribe_leaves_the_subscribed_mode(r, connect):
    conn = subscriber(connect, "a", "b")
    expect(conn, ["UNSUBSCRIBE", "a"], confirm("unsubscribe", "a", 1))
    expect(conn, ["GET", "k"], not_allowed("get"))
    expect(conn, ["UNSUBSCRIBE", "b"], confirm("unsubscribe", "b", 0))
    expect(conn, ["PING"], PONG,
           "with no subscription left the client is a normal one again")
    expect(conn, ["SET", "k", "v"], OK)
    expect(conn, ["GET", "k"], bulk("v"))


@pytest.mark.step("16b")
def test_quit_is_allowed_in_the_subscribed_mode(r, connect):
    conn = subscriber(connect, "ch")
    expect_reply(conn, command("QUIT"), OK, CHAPTER, close_after=True,
                 hint="QUIT answers +OK and closes, subscribed or not")
    poll(lambda: r.pubsub_numsub("ch") == [(b"ch", 0)],
         "The client that QUIT is still counted by PUBSUB NUMSUB",
         "a client that goes drops its subscriptions")


# ---------------------------------------------------------------------------
# 16c patterns
# ---------------------------------------------------------------------------

@pytest.mark.step("16c")
def test_psubscribe_confirms_each_pattern_counting_channels_too(r, connect):
    conn = subscriber(connect, "a")
    expect(conn, ["PSUBSCRIBE", "n.*", "x?", "n.*"],
           confirm("psubscribe", "n.*", 2) + confirm("psubscribe", "x?", 3) +
           confirm("psubscribe", "n.*", 3),
           "the count is the client's channels plus patterns; a pattern "
           "subscribed again counts once")
    expect_silence(conn, "PSUBSCRIBE was confirmed")


@pytest.mark.step("16c")
def test_a_pattern_subscriber_gets_a_pmessage_with_the_pattern(r, connect):
    conn = subscriber(connect, "news.*", kind="PSUBSCRIBE")
    publish(r, "news.tech", "hello", 1)
    expect(conn, [], pmessage("news.*", "news.tech", "hello"),
           "[pmessage, pattern, channel, payload]")
    publish(r, "news", "no", 0)
    publish(r, "weather.news.x", "no", 0)
    expect_silence(conn, "PUBLISH to channels the pattern does not match")


@pytest.mark.step("16c")
def test_channel_and_pattern_subscriptions_each_get_the_message(r, connect):
    conn = subscriber(connect, "ch1")
    expect(conn, ["PSUBSCRIBE", "ch*"], confirm("psubscribe", "ch*", 2))
    other = subscriber(connect, "?h1", kind="PSUBSCRIBE")
    publish(r, "ch1", "x", 3, "a client subscribed to the channel and to a "
            "matching pattern is counted twice, and so is each pattern")
    expect(conn, [], message("ch1", "x") + pmessage("ch*", "ch1", "x"),
           "the subscribers of the channel get their message first, then "
           "the matching patterns their pmessage")
    expect(other, [], pmessage("?h1", "ch1", "x"))
    expect_silence(conn, "PUBLISH ch1 x")


@pytest.mark.step("16c")
def test_two_matching_patterns_give_two_pmessages(r, connect):
    conn = subscriber(connect, "a*", "*b", "zz", kind="PSUBSCRIBE")
    publish(r, "ab", "m", 2)
    got = {read_reply(conn)[1] for _ in range(2)}
    assert got == {pmessage("a*", "ab", "m"), pmessage("*b", "ab", "m")}, (
        "PUBLISH ab m to a client with the patterns a* and *b (and zz) "
        "delivered %r; Redis sends one pmessage per matching pattern.\n  "
        "Read workshop.md chapter %d." % (sorted(got), CHAPTER))
    assert not conn._pending_reply_bytes and not conn.read_available(0.1)


# (pattern, channel, matches): Redis 7.0.15's answers; KEYS agrees with each.
GLOB = [
    ("h?llo", "hello", True), ("h?llo", "hllo", False),
    ("h?llo", "heello", False), ("h*llo", "hllo", True),
    ("h*llo", "heeeello", True), ("h*llo", "hellox", False),
    ("h[ae]llo", "hallo", True), ("h[ae]llo", "hillo", False),
    ("h[^e]llo", "hallo", True), ("h[^e]llo", "hello", False),
    ("h[a-c]llo", "hbllo", True), ("h[a-c]llo", "hdllo", False),
    ("h[c-a]llo", "hbllo", True), ("h\\*llo", "h*llo", True),
    ("h\\*llo", "hallo", False), ("h[\\]]llo", "h]llo", True),
    ("[abc", "a", True), ("[abc", "[abc", False), ("x\\", "x\\", True),
    ("a*b*c", "a_b_c", True), ("a*b*c", "acb", False),
    ("Ch*", "ch1", False), ("*", "anything", True), ("?", "", False),
    ("*", "", False), ("**", "", False), ("", "", True), ("", "a", False),
    ("news.*", "news.", True), ("news.*", "news", False),
    ("*\x00*", "a\x00b", True),
]


@pytest.mark.step("16c")
@pytest.mark.parametrize("pattern,channel,matches", GLOB,
                         ids=["%r~%r" % (p, c) for p, c, _ in GLOB])
def test_patterns_match_like_keys(r, connect, pattern, channel, matches):
    conn = subscriber(connect, pattern, kind="PSUBSCRIBE")
    got = r.publish(channel, "m")
    assert got == (1 if matches else 0), (
        "PSUBSCRIBE %r, then PUBLISH %r m answered %d: Redis's glob %s.\n  "
        "hint: match with the glob of KEYS (stage 2); note that no pattern, "
        "not even *, matches the empty channel name\n  Read workshop.md "
        "chapter %d." % (pattern, channel, got,
                         "matches it" if matches else "does not match it",
                         CHAPTER))
    if matches:
        expect(conn, [], pmessage(pattern, channel, "m"))


@pytest.mark.step("16c")
def test_punsubscribe_answers_like_unsubscribe(r, connect):
    conn = subscriber(connect, "p1", "p2", "p3", kind="PSUBSCRIBE")
    expect(conn, ["PUNSUBSCRIBE", "p2", "nope"],
           confirm("punsubscribe", "p2", 2) +
           confirm("punsubscribe", "nope", 2))
    conn.send(command("PUNSUBSCRIBE"))
    got = [read_reply(conn)[0] for _ in range(2)]
    assert sorted(v[1] for v in got) == [b"p1", b"p3"] and \
        [v[2] for v in got] == [1, 0] and \
        all(v[0] == b"punsubscribe" for v in got), (
            "PUNSUBSCRIBE with no argument answered %r; Redis answers one "
            "[punsubscribe, pattern, count] per pattern left.\n  Read "
            "workshop.md chapter %d." % (got, CHAPTER))
    assert not conn._pending_reply_bytes
    expect(conn, ["PUNSUBSCRIBE"], confirm("punsubscribe", None, 0))
    expect(conn, ["PING"], PONG)
    publish(r, "p1", "x", 0)


@pytest.mark.step("16c")
def test_unsubscribe_keeps_the_patterns_and_the_mode(r, connect):
    conn = subscriber(connect, "a")
    expect(conn, ["PSUBSCRIBE", "p*"], confirm("psubscribe", "p*", 2))
    expect(conn, ["UNSUBSCRIBE"], confirm("unsubscribe", "a", 1),
           "UNSUBSCRIBE drops channels only; the count still has the "
           "pattern")
    expect(conn, ["GET", "k"], not_allowed("get"),
           "a pattern subscription alone keeps the subscribed mode")
    publish(r, "pq", "m", 1)
    expect(conn, [], pmessage("p*", "pq", "m"))
    expect(conn, ["PUNSUBSCRIBE", "p*"], confirm("punsubscribe", "p*", 0))
    expect(conn, ["GET", "k"], NIL)


@pytest.mark.step("16c")
def test_psubscribe_and_punsubscribe_arity(r, connect):
    conn = connect()
    expect(conn, ["PSUBSCRIBE"], arity_error("psubscribe"))
    expect(conn, ["PUNSUBSCRIBE"], confirm("punsubscribe", None, 0),
           "PUNSUBSCRIBE takes no argument as 'all patterns'")


# ---------------------------------------------------------------------------
# 16d PUBSUB, CLIENT LIST and INFO
# ---------------------------------------------------------------------------

def as_set(items):
    return sorted(items)


@pytest.mark.step("16d")
def test_pubsub_channels_lists_the_channels_with_subscribers(r, connect):
    conn = connect()
    expect(conn, ["PUBSUB", "CHANNELS"], b"*0\r\n")
    one = subscriber(connect, "news.tech", "news.art", "weather")
    subscriber(connect, "news.tech", "sport")
    subscriber(connect, "news.*", kind="PSUBSCRIBE")
    got = as_set(r.pubsub_channels())
    assert got == [b"news.art", b"news.tech", b"sport", b"weather"], (
        "PUBSUB CHANNELS answered %r; Redis lists each channel with at least "
        "one subscriber once, and no pattern." % got)
    got = as_set(r.pubsub_channels("news.*"))
    assert got == [b"news.art", b"news.tech"], (
        "PUBSUB CHANNELS news.* answered %r: the argument is a glob over "
        "the channel names." % got)
    expect(conn, ["PUBSUB", "CHANNELS", "nomatch*"], b"*0\r\n")
    expect(one, ["UNSUBSCRIBE", "weather", "news.art"],
           confirm("unsubscribe", "weather", 2) +
           confirm("unsubscribe", "news.art", 1))
    got = as_set(r.pubsub_channels())
    assert got == [b"news.tech", b"sport"], (
        "after the last subscribers of weather and news.art left, PUBSUB "
        "CHANNELS answered %r: a channel without subscribers is gone." % got)


@pytest.mark.step("16d")
def test_pubsub_numsub_counts_channel_subscribers_only(r, connect):
    subscriber(connect, "a", "b")
    subscriber(connect, "a")
    subscriber(connect, "a", "*", kind="PSUBSCRIBE")
    conn = connect()
    expect(conn, ["PUBSUB", "NUMSUB", "a", "b", "c", "a"],
           array(bulk("a"), integer(2), bulk("b"), integer(1), bulk("c"),
                 integer(0), bulk("a"), integer(2)),
           "a flat array of channel, count pairs in the order asked, "
           "pattern subscribers left out")
    expect(conn, ["PUBSUB", "NUMSUB"], b"*0\r\n")


@pytest.mark.step("16d")
def test_pubsub_numpat_counts_distinct_patterns(r, connect):
    conn = connect()
    expect(conn, ["PUBSUB", "NUMPAT"], integer(0))
    subscriber(connect, "p*", "q*", kind="PSUBSCRIBE")
    subscriber(connect, "p*", kind="PSUBSCRIBE")
    subscriber(connect, "p*")
    expect(conn, ["PUBSUB", "NUMPAT"], integer(2),
           "NUMPAT counts the patterns somebody subscribed to (p* and q*), "
           "not the subscriptions, and no channel")


@pytest.mark.step("16d")
@pytest.mark.parametrize("args,reply", [
    (["PUBSUB"], arity_error("pubsub")),
    (["PUBSUB", "foo"], error("ERR unknown subcommand 'foo'. Try PUBSUB "
                              "HELP.")),
    (["PUBSUB", "CHANNELS", "a", "b"],
     error("ERR unknown subcommand or wrong number of arguments for "
           "'CHANNELS'. Try PUBSUB HELP.")),
    (["pubsub", "channels", "a", "b"],
     error("ERR unknown subcommand or wrong number of arguments for "
           "'channels'. Try PUBSUB HELP.")),
    (["PUBSUB", "SHARDCHANNELS", "a", "b"],
     error("ERR unknown subcommand or wrong number of arguments for "
           "'SHARDCHANNELS'. Try PUBSUB HELP.")),
    (["PUBSUB", "NUMPAT", "x"], arity_error("pubsub|numpat")),
    (["PUBSUB", "HELP", "x"], arity_error("pubsub|help")),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_pubsub_errors(r, connect, args, reply):
    expect(connect(), args, reply)


PUBSUB_HELP = [
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> "
    "(default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, "
    "excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a "
    "<pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level "
    "channel(s)",
    "HELP",
    "    Prints this help.",
]


@pytest.mark.step("16d")
def test_pubsub_help(r, connect):
    expect(connect(), ["PUBSUB", "HELP"],
           b"*%d\r\n" % len(PUBSUB_HELP) +
           b"".join(b"+%s\r\n" % line.encode() for line in PUBSUB_HELP))


@pytest.mark.step("16d")
def test_client_list_shows_the_subscriptions(r, connect):
    conn = connect()
    cid = client_id(conn)
    entry = client_entry(r, cid)
    got = (entry["flags"], entry["sub"], entry["psub"], entry.get("ssub"))
    assert got == ("N", "0", "0", "0"), (
        "CLIENT LIST shows a new client with flags=%s sub=%s psub=%s ssub=%s;"
        " Redis shows flags=N sub=0 psub=0 ssub=0." % got)
    expect(conn, ["SUBSCRIBE", "a", "b"],
           confirm("subscribe", "a", 1) + confirm("subscribe", "b", 2))
    expect(conn, ["PSUBSCRIBE", "p*"], confirm("psubscribe", "p*", 3))
    entry = client_entry(r, cid)
    got = (entry["flags"], entry["sub"], entry["psub"], entry.get("ssub"))
    assert got == ("P", "2", "1", "0"), (
        "CLIENT LIST shows the subscriber with flags=%s sub=%s psub=%s "
        "ssub=%s; Redis shows flags=P sub=2 psub=1 ssub=0.\n  Read "
        "workshop.md chapter %d." % (got + (CHAPTER,)))
    conn.send(command("UNSUBSCRIBE") + command("PUNSUBSCRIBE"))
    for _ in range(3):
        read_reply(conn)
    entry = client_entry(r, cid)
    got = (entry["flags"], entry["sub"], entry["psub"])
    assert got == ("N", "0", "0"), (
        "after UNSUBSCRIBE and PUNSUBSCRIBE, CLIENT LIST shows flags=%s "
        "sub=%s psub=%s; Redis shows flags=N sub=0 psub=0." % got)


@pytest.mark.step("16d")
def test_info_stats_counts_channels_and_patterns(r, connect):
    def counts():
        info = r.info("stats")
        return (info.get("pubsub_channels"), info.get("pubsub_patterns"))
    assert counts() == (0, 0)
    subscriber(connect, "a", "b")
    subscriber(connect, "a")
    subscriber(connect, "p*", "q*", kind="PSUBSCRIBE")
    subscriber(connect, "p*", kind="PSUBSCRIBE")
    assert counts() == (2, 2), (
        "INFO stats says pubsub_channels:%s pubsub_patterns:%s; Redis says "
        "2 and 2: the channels and the distinct patterns with a subscriber."
        % counts())


@pytest.mark.step("16d")
def test_a_disconnected_subscriber_leaves_no_trace(r, connect):
    conn = subscriber(connect, "a", "b")
    expect(conn, ["PSUBSCRIBE", "p*"], confirm("psubscribe", "p*", 3))
    conn.close()
    poll(lambda: (r.pubsub_numsub("a", "b") == [(b"a", 0), (b"b", 0)] and
                  r.pubsub_numpat() == 0 and r.pubsub_channels() == []),
         "A subscriber closed its connection, but PUBSUB NUMSUB a b says %r, "
         "NUMPAT %r, CHANNELS %r" % (r.pubsub_numsub("a", "b"),
                                     r.pubsub_numpat(), r.pubsub_channels()),
         "when a client goes, remove it from the tables of channels and "
         "patterns, and drop the names nobody listens to any more")


# ---------------------------------------------------------------------------
# 16e RESP3 pushes
# ---------------------------------------------------------------------------

@pytest.mark.step("16e")
def test_resp3_confirmations_and_messages_are_pushes(r, connect):
    conn = connect()
    hello(conn)
    expect(conn, ["SUBSCRIBE", "ch"], push_confirm("subscribe", "ch", 1),
           "after HELLO 3 a confirmation is a push frame, '>3'")
    expect(conn, ["PSUBSCRIBE", "c*"], push_confirm("psubscribe", "c*", 2))
    publish(r, "ch", "hi", 2)
    expect(conn, [], push_message("ch", "hi") +
           push_pmessage("c*", "ch", "hi"))
    expect(conn, ["UNSUBSCRIBE"], push_confirm("unsubscribe", "ch", 1))
    expect(conn, ["PUNSUBSCRIBE"], push_confirm("punsubscribe", "c*", 0))
    expect(conn, ["UNSUBSCRIBE"], push_confirm("unsubscribe", None, 0),
           "RESP3's null is '_', also inside a push")


@pytest.mark.step("16e")
def test_resp3_subscribers_may_run_any_command(r, connect):
    conn = subscriber(connect, "ch", resp3=True)
    expect(conn, ["SET", "k", "v"], OK,
           "in RESP3 pushes and replies cannot be confused: no command is "
           "refused while subscribed")
    expect(conn, ["GET", "k"], bulk("v"))
    expect(conn, ["PING"], PONG, "a RESP3 subscriber's PING is a plain PING")
    expect(conn, ["PING", "m"], bulk("m"))
    expect(conn, ["PUBSUB", "NUMSUB", "ch"], array(bulk("ch"), integer(1)))


@pytest.mark.step("16e")
def test_resp3_pushes_and_replies_interleave_in_order(r, connect):
    r.set("k", "v")
    conn = connect()
    hello(conn)
    conn.send(command("SUBSCRIBE", "q") + command("GET", "k") +
              command("PUBLISH", "q", "z") + command("PING"))
    expect(conn, [], push_confirm("subscribe", "q", 1) + bulk("v") +
           push_message("q", "z") + integer(1) + PONG,
           "a client publishing to its own channel gets the push first, "
           "then PUBLISH's reply")


@pytest.mark.step("16e")
def test_resp3_publishing_to_its_own_channel_and_pattern(r, connect):
    conn = subscriber(connect, "ch", resp3=True)
    expect(conn, ["PSUBSCRIBE", "c*"], push_confirm("psubscribe", "c*", 2))
    expect(conn, ["PUBLISH", "ch", "self"],
           push_message("ch", "self") + push_pmessage("c*", "ch", "self") +
           integer(2),
           "the deliveries happen while PUBLISH runs, its reply comes after")


@pytest.mark.step("16e")
def test_resp3_messages_never_cut_into_replies(r, connect):
    value = b"v" * 20000
    r.set("big", value)
    conn = subscriber(connect, "ch", resp3=True)
    done = threading.Event()

    def publisher():
        client = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                             port=r.connection_pool.connection_kwargs["port"],
                             socket_timeout=10)
        try:
            for i in range(300):
                client.publish("ch", "m%d" % i)
        finally:
            client.close()
            done.set()

    worker = threading.Thread(target=publisher)
    worker.start()
    replies, pushes = [], []
    for batch in range(6):
        conn.send(command("GET", "big") * 50)
        while len(replies) < 50 * (batch + 1):
            value_, raw = read_reply(conn, timeout=10)
            (pushes if raw.startswith(b">") else replies).append(value_)
    worker.join(10)
    assert done.is_set()
    while len(pushes) < 300:
        value_, raw = read_reply(conn, timeout=10)
        assert raw.startswith(b">"), "unexpected reply %s" % show_bytes(raw)
        pushes.append(value_)
    assert all(v == value for v in replies), (
        "a GET reply came back changed while messages were pushed: replies "
        "and pushes must each go out whole")
    assert pushes == [[b"message", b"ch", b"m%d" % i] for i in range(300)], (
        "the 300 pushes arrived as %r ..., not in order and whole"
        % pushes[:5])


@pytest.mark.step("16e")
def test_client_list_of_a_resp3_subscriber(r, connect):
    conn = connect()
    hello(conn)
    cid = client_id(conn)
    expect(conn, ["SUBSCRIBE", "a"], push_confirm("subscribe", "a", 1))
    entry = client_entry(r, cid)
    got = (entry["flags"], entry["sub"], entry["resp"])
    assert got == ("P", "1", "3"), (
        "CLIENT LIST shows a RESP3 subscriber with flags=%s sub=%s resp=%s; "
        "Redis shows flags=P sub=1 resp=3." % got)


@pytest.mark.step("16e")
def test_back_to_resp2_the_mode_applies_again(r, connect):
    conn = subscriber(connect, "ch", resp3=True)
    conn.send(command("HELLO", "2"))
    value, raw = read_reply(conn)
    assert raw.startswith(b"*14\r\n"), "HELLO 2 answered %s" % show_bytes(raw)
    expect(conn, ["GET", "k"], not_allowed("get"),
           "the restriction is RESP2's: it holds again after HELLO 2")
    expect(conn, ["PING"], pong())


# ---------------------------------------------------------------------------
# 16f sharded channels
# ---------------------------------------------------------------------------

@pytest.mark.step("16e")
def test_client_reply_off_and_skip_silence_replies(r, connect):
    conn = connect()
    conn.send(command("CLIENT", "REPLY", "OFF") + command("SET", "k", "v") +
              command("PING") + command("CLIENT", "REPLY", "ON"))
    expect(conn, [], OK,
           "CLIENT REPLY OFF answers nothing, nor do the commands after it; "
           "CLIENT REPLY ON answers +OK")
    assert r.get("k") == b"v", "a silenced command still runs"
    conn.send(command("CLIENT", "REPLY", "SKIP") + command("GET", "k") +
              command("GET", "k"))
    expect(conn, [], bulk("v"),
           "SKIP answers nothing and silences the next command only")
    conn.send(command("CLIENT", "REPLY", "OFF") + command("CLIENT", "REPLY", "SKIP") +
              command("GET", "k") + command("CLIENT", "REPLY", "ON") + command("GET", "k"))
    expect(conn, [], OK + bulk("v"),
           "SKIP changes nothing while replies are off")
    expect(conn, ["CLIENT", "REPLY", "maybe"], error("ERR syntax error"))
    expect(conn, ["CLIENT", "REPLY"], arity_error("client|reply"))
    conn.send(command("CLIENT", "REPLY", "SKIP") + b"*0\r\n" + command("PING"))
    expect(conn, [], PONG, "an empty request (*0) uses up the SKIP, as in Redis")


@pytest.mark.step("16e")
def test_silenced_replies_do_not_stay_in_memory(r, connect):
    r.set("big", "x" * 10000000)
    before = r.info("memory")["used_memory"]
    conns = [connect() for _ in range(3)]
    for conn in conns:
        conn.send(command("CLIENT", "REPLY", "OFF") + command("GET", "big") +
                  command("CLIENT", "REPLY", "ON"))
        expect(conn, [], OK)
    grown = r.info("memory")["used_memory"] - before
    assert grown < 5000000, (
        "three clients each read a 10 MB value with replies off, and "
        "used_memory grew by %d bytes: a reply that is never sent must not "
        "be kept (Redis grows by some 100 KB)" % grown)


@pytest.mark.step("16e")
@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_client_reply_off_still_delivers_pubsub(r, connect, resp3):
    conn = connect()
    if resp3:
        hello(conn)
    conf, msg = (push_confirm, push_message) if resp3 else (confirm, message)
    conn.send(command("CLIENT", "REPLY", "OFF") + command("SUBSCRIBE", "ch"))
    expect(conn, [], conf("subscribe", "ch", 1),
           "confirmations are pushes: sent even with replies off")
    publish(r, "ch", "hi", 1)
    expect(conn, [], msg("ch", "hi"), "so are messages")
    if resp3:
        conn.send(command("GET", "k") + command("UNSUBSCRIBE", "ch"))
        expect(conn, [], conf("unsubscribe", "ch", 0),
               "GET's reply is dropped, the push is not")
    else:
        conn.send(command("PING") + command("UNSUBSCRIBE", "ch"))
        expect(conn, [], conf("unsubscribe", "ch", 0),
               "a subscriber's PING reply is a reply, dropped; the push is not")


@pytest.mark.step("16f")
def test_ssubscribe_and_spublish(r, connect):
    conn = subscriber(connect, "s1", "s2", kind="SSUBSCRIBE")
    expect(conn, ["SUBSCRIBE", "c"], confirm("subscribe", "c", 1),
           "SUBSCRIBE's count leaves sharded channels out")
    expect(conn, ["SSUBSCRIBE", "s3", "s1"],
           confirm("ssubscribe", "s3", 3) + confirm("ssubscribe", "s1", 3),
           "SSUBSCRIBE's count is of sharded channels only")
    pub = connect()
    expect(pub, ["SPUBLISH", "s1", "hi"], integer(1))
    expect(conn, [], smessage("s1", "hi"), "[smessage, channel, payload]")
    expect(pub, ["SPUBLISH", "nobody", "x"], integer(0))


@pytest.mark.step("16f")
def test_sharded_channels_are_a_namespace_of_their_own(r, connect):
    shard = subscriber(connect, "x", kind="SSUBSCRIBE")
    plain = subscriber(connect, "x")
    pattern = subscriber(connect, "*", kind="PSUBSCRIBE")
    pub = connect()
    expect(pub, ["SPUBLISH", "x", "1"], integer(1),
           "SPUBLISH reaches SSUBSCRIBE's subscribers only, never a pattern")
    expect(pub, ["PUBLISH", "x", "2"], integer(2),
           "PUBLISH never reaches a sharded subscriber")
    expect(shard, [], smessage("x", "1"))
    expect(plain, [], message("x", "2"))
    expect(pattern, [], pmessage("*", "x", "2"))
    expect_silence(shard, "SPUBLISH x 1 and PUBLISH x 2")
    expect_silence(plain, "SPUBLISH x 1 and PUBLISH x 2")
    expect_silence(pattern, "SPUBLISH x 1 and PUBLISH x 2")


@pytest.mark.step("16f")
def test_sunsubscribe_answers_like_unsubscribe(r, connect):
    conn = subscriber(connect, "a", "b", kind="SSUBSCRIBE")
    expect(conn, ["SUNSUBSCRIBE", "a", "zz"],
           confirm("sunsubscribe", "a", 1) + confirm("sunsubscribe", "zz", 1))
    expect(conn, ["SUNSUBSCRIBE"], confirm("sunsubscribe", "b", 0))
    expect(conn, ["SUNSUBSCRIBE"], confirm("sunsubscribe", None, 0))
    expect(conn, ["GET", "k"], NIL, "no subscription left: a normal client")


@pytest.mark.step("16f")
def test_a_sharded_subscription_keeps_the_subscribed_mode(r, connect):
    conn = subscriber(connect, "c")
    expect(conn, ["SSUBSCRIBE", "s"], confirm("ssubscribe", "s", 1))
    expect(conn, ["UNSUBSCRIBE"], confirm("unsubscribe", "c", 0))
    expect(conn, ["PUNSUBSCRIBE"], confirm("punsubscribe", None, 0))
    expect(conn, ["GET", "k"], not_allowed("get"),
           "the count says 0, but a sharded channel is left: still "
           "subscribed")
    expect(conn, ["SUNSUBSCRIBE", "s"], confirm("sunsubscribe", "s", 0))
    expect(conn, ["GET", "k"], NIL)


@pytest.mark.step("16f")
def test_pubsub_shardchannels_and_shardnumsub(r, connect):
    one = subscriber(connect, "s.a", "s.b", "t", kind="SSUBSCRIBE")
    subscriber(connect, "s.a", kind="SSUBSCRIBE")
    subscriber(connect, "plain")
    cid_conn = connect()
    cid = client_id(cid_conn)
    expect(cid_conn, ["SSUBSCRIBE", "u"], confirm("ssubscribe", "u", 1))
    got = as_set(r.execute_command("PUBSUB", "SHARDCHANNELS"))
    assert got == [b"s.a", b"s.b", b"t", b"u"], (
        "PUBSUB SHARDCHANNELS answered %r; Redis lists the sharded channels "
        "with a subscriber (s.a s.b t u), not the plain ones" % got)
    got = as_set(r.execute_command("PUBSUB", "SHARDCHANNELS", "s.*"))
    assert got == [b"s.a", b"s.b"], (
        "PUBSUB SHARDCHANNELS s.* answered %r: the argument is a glob" % got)
    assert r.pubsub_channels() == [b"plain"], (
        "PUBSUB CHANNELS lists sharded channels: %r" % r.pubsub_channels())
    conn = connect()
    expect(conn, ["PUBSUB", "SHARDNUMSUB", "s.a", "t", "plain"],
           array(bulk("s.a"), integer(2), bulk("t"), integer(1),
                 bulk("plain"), integer(0)))
    expect(conn, ["PUBSUB", "SHARDNUMSUB"], b"*0\r\n")
    expect(conn, ["PUBSUB", "NUMSUB", "s.a"], array(bulk("s.a"), integer(0)))
    info = r.info("stats")
    got = (info.get("pubsub_channels"), info.get("pubsubshard_channels"))
    assert got == (1, 4), (
        "INFO stats says pubsub_channels:%s pubsubshard_channels:%s; Redis "
        "says 1 and 4: sharded channels are counted apart" % got)
    entry = client_entry(r, cid)
    got = (entry["flags"], entry["sub"], entry.get("ssub"))
    assert got == ("P", "0", "1"), (
        "CLIENT LIST shows a client with one sharded channel as flags=%s "
        "sub=%s ssub=%s; Redis shows flags=P sub=0 ssub=1." % got)
    one.close()
    poll(lambda: as_set(r.execute_command("PUBSUB", "SHARDCHANNELS")) ==
         [b"s.a", b"u"],
         "a closed sharded subscriber is still listed by PUBSUB "
         "SHARDCHANNELS", "a client that goes drops its sharded channels too")


@pytest.mark.step("16f")
def test_sharded_resp3_pushes(r, connect):
    conn = subscriber(connect, "s", kind="SSUBSCRIBE", resp3=True)
    publisher = connect()
    expect(publisher, ["SPUBLISH", "s", "m"], integer(1))
    expect(conn, [], push(bulk("smessage"), bulk("s"), bulk("m")))
    expect(conn, ["SUNSUBSCRIBE"], push_confirm("sunsubscribe", "s", 0))


@pytest.mark.step("16f")
@pytest.mark.parametrize("args", [["SSUBSCRIBE"], ["SPUBLISH"],
                                  ["SPUBLISH", "c"],
                                  ["SPUBLISH", "c", "m", "x"]],
                         ids=lambda a: " ".join(a))
def test_sharded_commands_check_their_arity(r, connect, args):
    expect(connect(), args, arity_error(args[0].lower()))


# ---------------------------------------------------------------------------
# 16g client-output-buffer-limit
# ---------------------------------------------------------------------------

@pytest.fixture
def obuf(r):
    """set(value): CONFIG SET client-output-buffer-limit, restored after."""
    def set_limit(value):
        r.config_set("client-output-buffer-limit", value)
    yield set_limit
    try:
        r.config_set("client-output-buffer-limit", DEFAULT_OBUF)
    except redis.ResponseError:
        pass    # a server without the option: the test said so already


def obuf_config(r):
    reply = r.execute_command("CONFIG", "GET", "client-output-buffer-limit")
    return dict(zip(reply[::2], reply[1::2])).get(
        b"client-output-buffer-limit", b"").decode()


@pytest.mark.step("16g")
def test_client_output_buffer_limit_default(r, connect):
    expect(connect(), ["CONFIG", "GET", "client-output-buffer-limit"],
           array(bulk("client-output-buffer-limit"), bulk(DEFAULT_OBUF)),
           "three classes, each 'class hard soft seconds' in bytes")


@pytest.mark.step("16g")
@pytest.mark.parametrize("value,shown", [
    ("pubsub 1mb 0 0", "pubsub 1048576 0 0"),
    ("pubsub 1MB 512kb 5", "pubsub 1048576 524288 5"),
    ("pubsub 1gb 0 0", "pubsub 1073741824 0 0"),
    ("normal 0 0 0 pubsub 100 200 3", "pubsub 100 200 3"),
])
def test_config_set_the_pubsub_class(r, obuf, value, shown):
    obuf(value)
    want = DEFAULT_OBUF.replace("pubsub 33554432 8388608 60", shown)
    got = obuf_config(r)
    assert got == want, (
        "CONFIG SET client-output-buffer-limit %r, then CONFIG GET answered "
        "%r; Redis answers %r: only the classes named change, sizes in "
        "bytes.\n  Read workshop.md chapter %d." % (value, got, want, CHAPTER))


@pytest.mark.step("16g")
@pytest.mark.parametrize("value,problem", [
    ("pubsub 1mb 0", "Wrong number of arguments in buffer limit "
                     "configuration."),
    ("foo 1 2 3", "Invalid client class specified in buffer limit "
                  "configuration."),
    ("master 1 2 3", "Invalid client class specified in buffer limit "
                     "configuration."),
    ("pubsub x 0 0", "Error in hard, soft or soft_seconds setting in buffer "
                     "limit configuration."),
    ("pubsub -1 0 0", "Error in hard, soft or soft_seconds setting in buffer "
                      "limit configuration."),
])
def test_config_set_client_output_buffer_limit_errors(r, connect, obuf,
                                                      value, problem):
    expect(connect(), ["CONFIG", "SET", "client-output-buffer-limit", value],
           error("ERR CONFIG SET failed (possibly related to argument "
                 "'client-output-buffer-limit') - " + problem))
    assert obuf_config(r) == DEFAULT_OBUF


def flood(r, channel, size, most):
    """PUBLISH up to `most` messages of `size` bytes until one reaches
    nobody; returns the counts PUBLISH answered."""
    client = redis.Redis(host=r.connection_pool.connection_kwargs["host"],
                         port=r.connection_pool.connection_kwargs["port"],
                         socket_timeout=30)
    payload = b"x" * size
    counts = []
    try:
        while len(counts) < most:
            counts.append(client.publish(channel, payload))
            if counts[-1] == 0:
                break
    finally:
        client.close()
    return counts


def check_closed_past_the_limit(r, sub, counts, frame, limit_text):
    __tracebackhide__ = True
    assert counts[-1] == 0, (
        "A subscriber that never reads was sent %d messages of 100 KB "
        "(%d MB) with client-output-buffer-limit '%s', and PUBLISH still "
        "counted it.\n  hint: after adding to a subscriber's output, check "
        "its unsent bytes against its class's hard limit and close it "
        "past it\n  Read workshop.md chapter %d."
        % (len(counts), len(counts) // 10, limit_text, CHAPTER))
    assert r.pubsub_numsub("big") == [(b"big", 0)]
    got = sub.wait_closed(5.0)
    assert sub.closed, "the subscriber's connection was never closed"
    stream = b"".join(frame for _ in range(len(counts)))
    assert stream.startswith(got), (
        "before it was closed, the subscriber received %s, which is not "
        "the start of its messages" % show_bytes(got))


@pytest.mark.step("16g")
def test_a_subscriber_that_does_not_read_is_closed_past_the_hard_limit(
        r, connect, obuf):
    obuf("pubsub 1mb 0 0")
    sub = subscriber(connect, "big")
    counts = flood(r, "big", 100000, 400)
    check_closed_past_the_limit(r, sub, counts,
                                message("big", b"x" * 100000),
                                "pubsub 1mb 0 0")


@pytest.mark.step("16g")
def test_a_resp3_subscriber_is_in_the_pubsub_class_too(r, connect, obuf):
    obuf("pubsub 1mb 0 0")
    sub = subscriber(connect, "big", resp3=True)
    counts = flood(r, "big", 100000, 400)
    check_closed_past_the_limit(r, sub, counts,
                                push_message("big", b"x" * 100000),
                                "pubsub 1mb 0 0, a RESP3 subscriber")


@pytest.mark.step("16g")
def test_the_soft_limit_closes_only_after_its_seconds(r, connect, obuf):
    obuf("pubsub 0 512kb 1")
    sub = subscriber(connect, "big")
    counts = flood(r, "big", 100000, 80)
    assert counts == [1] * 80, (
        "with client-output-buffer-limit 'pubsub 0 512kb 1', a subscriber "
        "was closed during a burst of 8 MB: the soft limit closes only a "
        "client that stays over it for more than its seconds (counts %r)"
        % counts[-5:])
    poll(lambda: r.publish("big", "x") == 0,
         "the subscriber stayed over the soft limit, but was not closed",
         "remember when a client first went over the soft limit; close it "
         "at a later write once more than soft-seconds have passed, forget "
         "the time when it drops below", timeout=5.0)
    sub.wait_closed(5.0)
    assert sub.closed, "the subscriber's connection was never closed"


@pytest.mark.step("16g")
def test_a_slow_reader_under_the_limits_loses_nothing(r, connect):
    sub = subscriber(connect, "big")
    payloads = [(b"%04d" % i) * 12500 for i in range(100)]
    pub = connect()
    pub.send(b"".join(command("PUBLISH", "big", p) for p in payloads))
    expect(pub, [], integer(1) * 100,
           "the publisher never waits for a subscriber: its messages are "
           "queued")
    time.sleep(0.2)
    expect(sub, [], b"".join(message("big", p) for p in payloads),
           "5 MB queued for a subscriber that reads late must all arrive, "
           "in order", )


@pytest.mark.step("16g")
def test_normal_clients_have_no_limit_by_default(r, connect):
    value = b"n" * (1 << 20)
    r.set("v", value)
    conn = connect()
    conn.send(command("GET", "v") * 30)
    time.sleep(0.3)
    expect(conn, [], bulk(value) * 30,
           "'normal 0 0 0': a client that reads its 30 MB of replies late "
           "is not closed")


# ---------------------------------------------------------------------------
# 16h subscribers on other threads (ours)
# ---------------------------------------------------------------------------

PUBLISHERS = 2
PER_PUBLISHER = 500


@pytest.mark.step("16h")
@pytest.mark.project_only
def test_subscribers_on_every_thread_get_every_message_in_order(
        server_factory):
    srv = server_factory.start("--threads", "4")
    subs = []
    for i in range(8):
        conn = RawConnection(srv.host, srv.port, timeout=10)
        if i < 6:
            conn.send(command("SUBSCRIBE", "ch"))
            want = confirm("subscribe", "ch", 1)
        else:
            conn.send(command("PSUBSCRIBE", "c?"))
            want = confirm("psubscribe", "c?", 1)
        got = conn.read_exactly(len(want))
        assert got == want, "SUBSCRIBE answered %s" % show_bytes(got)
        subs.append(conn)
    errors = []

    def publish_all(p):
        try:
            conn = RawConnection(srv.host, srv.port, timeout=30)
            for start in range(0, PER_PUBLISHER, 100):
                conn.send(b"".join(command("PUBLISH", "ch", "%d:%d" % (p, i))
                                   for i in range(start, start + 100)))
                want = integer(8) * 100
                got = conn.read_exactly(len(want), timeout=30)
                if got != want:
                    errors.append("publisher %d got %s" % (p, show_bytes(got)))
                    return
            conn.close()
        except Exception as exc:    # reported below, not lost in a thread
            errors.append(repr(exc))

    workers = [threading.Thread(target=publish_all, args=(p,))
               for p in range(PUBLISHERS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors, errors
    for n, conn in enumerate(subs):
        seen = {p: [] for p in range(PUBLISHERS)}
        for _ in range(PUBLISHERS * PER_PUBLISHER):
            value, raw = read_reply(conn, timeout=10)
            payload = value[-1]
            assert value[:-1] in ([b"message", b"ch"],
                                  [b"pmessage", b"c?", b"ch"]), raw
            p, i = payload.split(b":")
            seen[int(p)].append(int(i))
        for p in range(PUBLISHERS):
            assert seen[p] == list(range(PER_PUBLISHER)), (
                "subscriber %d got publisher %d's messages as %r...: each "
                "publisher's messages must arrive whole and in order, on "
                "every thread" % (n, p, seen[p][:10]))
        conn.close()


@pytest.mark.step("16h")
@pytest.mark.project_only
def test_subscribers_leaving_on_other_threads_are_forgotten(server_factory):
    srv = server_factory.start("--threads", "4")
    client = redis.Redis(host=srv.host, port=srv.port, socket_timeout=10)
    subs = []
    for _ in range(8):
        conn = RawConnection(srv.host, srv.port, timeout=10)
        conn.send(command("SUBSCRIBE", "ch"))
        conn.read_exactly(len(confirm("subscribe", "ch", 1)))
        subs.append(conn)
    assert client.publish("ch", "x") == 8
    for conn in subs[:5]:
        conn.close()
    assert wait_until(lambda: client.publish("ch", "y") == 3, 5.0), (
        "5 of 8 subscribers, served by several threads, closed their "
        "connections, but PUBLISH still counts %d" % client.publish("ch", "z"))
    assert client.pubsub_numsub("ch") == [(b"ch", 3)]
    client.close()
