"""Stage 2: the keyspace as a whole: DEL EXISTS DBSIZE KEYS FLUSHALL FLUSHDB.

KEYS matches every key against a glob pattern with Redis's rules
(stringmatchlen): `*` any run of bytes, `?` one byte, `[abc]` a set,
`[^a]` its complement, `[a-c]` a range, and a backslash to take the next
character literally.

The wrong servers these tests catch, step by step:
  2a  one whose FLUSHALL replies +OK and keeps the keys;
  2c  one whose DEL counts a key named twice twice (or a missing key),
      whose EXISTS counts a key named twice once, whose DBSIZE counts an
      overwritten key again, whose hash table loses keys while it grows to
      5000 or is half emptied, whose FLUSHALL or FLUSHDB leave keys behind,
      or that cannot set a key again after FLUSHALL;
  2f  one whose KEYS answers an empty database with anything but an empty
      array, gets a glob rule wrong (sets, [^...], ranges either way round,
      escapes, case), replies only the first 1,000 keys (or the first 1,000
      matches), recurses without bound on a pattern of 100,000 stars, or
      does not give up past 1000 nested stars as Redis does; or whose DEL,
      EXISTS, DBSIZE or KEYS run with a wrong number of arguments.
"""

import pytest

from helpers import arity_error, array, bulk, command, expect_reply

pytestmark = pytest.mark.stage(2)


@pytest.mark.step("2c")
def test_del_replies_how_many_keys_it_removed(r, connect):
    r.mset({b"a": b"1", b"b": b"2"})
    expect_reply(connect(), command("DEL", "a", "b", "missing"), b":2\r\n",
                 chapter=2)
    assert r.exists(b"a", b"b") == 0


@pytest.mark.step("2c")
def test_del_counts_a_key_named_twice_once(r):
    r.set(b"a", b"1")
    assert r.delete(b"a", b"a") == 1


@pytest.mark.step("2c")
def test_del_of_a_missing_key_replies_zero(r):
    assert r.delete(b"missing") == 0


@pytest.mark.step("2c")
def test_exists_counts_each_argument_that_exists(r, connect):
    r.set(b"a", b"1")
    expect_reply(connect(), command("EXISTS", "a", "a", "missing"),
                 b":2\r\n", chapter=2,
                 hint="EXISTS counts arguments, not keys: a key named twice "
                      "counts twice")


@pytest.mark.step("2c")
def test_exists_of_a_missing_key_replies_zero(r):
    assert r.exists(b"missing") == 0


@pytest.mark.step("2c")
def test_dbsize_counts_the_keys(r, connect):
    conn = connect()
    expect_reply(conn, command("DBSIZE"), b":0\r\n", chapter=2)
    r.mset({b"a": b"1", b"b": b"2", b"c": b"3"})
    r.set(b"a", b"overwritten")
    expect_reply(conn, command("DBSIZE"), b":3\r\n", chapter=2,
                 hint="overwriting a key does not add one")
    r.delete(b"b")
    expect_reply(conn, command("DBSIZE"), b":2\r\n", chapter=2)


@pytest.mark.step("2c")
def test_many_keys_are_all_kept(r):
    # Enough keys to make a hash table grow several times.
    pipe = r.pipeline(transaction=False)
    for i in range(5000):
        pipe.set(b"key:%d" % i, b"%d" % i)
    pipe.execute()
    assert r.dbsize() == 5000
    assert r.mget([b"key:%d" % i for i in range(0, 5000, 7)]) == [
        b"%d" % i for i in range(0, 5000, 7)]
    assert r.delete(*[b"key:%d" % i for i in range(0, 5000, 2)]) == 2500
    assert r.dbsize() == 2500
    assert r.get(b"key:4999") == b"4999"


@pytest.mark.step("2a")
def test_flushall_replies_ok_and_the_keys_are_gone(r, connect):
    # Only SET and GET besides FLUSHALL: the first step a learner takes, and
    # the suite relies on FLUSHALL to start every test from an empty server.
    conn = connect()
    expect_reply(conn, command("SET", "a", "1"), b"+OK\r\n", chapter=2)
    expect_reply(conn, command("SET", "b", "2"), b"+OK\r\n", chapter=2)
    expect_reply(conn, command("FLUSHALL"), b"+OK\r\n", chapter=2,
                 hint="FLUSHALL replies +OK once the keyspace is empty")
    for key in ("a", "b"):
        expect_reply(conn, command("GET", key), b"$-1\r\n", chapter=2,
                     hint="FLUSHALL must remove every key, not only reply "
                          "+OK: the suite sends it before each test to start "
                          "from an empty server")


@pytest.mark.step("2c")
def test_flushall_removes_every_key_and_replies_ok(r, connect):
    r.mset({b"a": b"1", b"b": b"2"})
    expect_reply(connect(), command("FLUSHALL"), b"+OK\r\n", chapter=2)
    assert r.dbsize() == 0
    assert r.get(b"a") is None


@pytest.mark.step("2c")
def test_flushdb_removes_every_key_and_replies_ok(r, connect):
    r.mset({b"a": b"1", b"b": b"2"})
    expect_reply(connect(), command("FLUSHDB"), b"+OK\r\n", chapter=2)
    assert r.dbsize() == 0


@pytest.mark.step("2c")
def test_keys_can_be_set_again_after_flushall(r):
    r.set(b"a", b"1")
    r.flushall()
    r.set(b"a", b"2")
    assert r.get(b"a") == b"2"
    assert r.dbsize() == 1


@pytest.mark.step("2f")
def test_keys_of_an_empty_database_is_an_empty_array(r, connect):
    expect_reply(connect(), command("KEYS", "*"), b"*0\r\n", chapter=2)


@pytest.mark.step("2f")
def test_keys_reply_is_an_array_of_bulk_strings(r, connect):
    r.set(b"only", b"1")
    expect_reply(connect(), command("KEYS", "*"), array(bulk("only")),
                 chapter=2)


KEYSPACE = [b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"a", b"b",
            b"c", b"d", b"ab", b"abc", b"a*b", b"a?b", b"a[b", b"a\\b",
            b"x-y", b"foo:bar:baz", b"foo:baz", b"Hello"]

GLOBS = [
    (b"*", KEYSPACE),
    (b"?", [b"a", b"b", b"c", b"d"]),
    (b"h?llo", [b"hallo", b"hello", b"hxllo"]),
    (b"h*llo", [b"hallo", b"heeeello", b"hello", b"hllo", b"hxllo"]),
    (b"h[ae]llo", [b"hallo", b"hello"]),
    (b"h[^e]llo", [b"hallo", b"hxllo"]),
    (b"h[a-b]llo", [b"hallo"]),
    (b"h[b-a]llo", [b"hallo"]),
    (b"[abc]", [b"a", b"b", b"c"]),
    (b"[^a]", [b"b", b"c", b"d"]),
    (b"[a-c]", [b"a", b"b", b"c"]),
    (b"a\\*b", [b"a*b"]),
    (b"a\\?b", [b"a?b"]),
    (b"a\\[b", [b"a[b"]),
    (b"a\\\\b", [b"a\\b"]),
    (b"x\\-y", [b"x-y"]),
    (b"a*", [b"a", b"a*b", b"a?b", b"a[b", b"a\\b", b"ab", b"abc"]),
    (b"*b", [b"a*b", b"a?b", b"a[b", b"a\\b", b"ab", b"b"]),
    (b"*a*b*", [b"a*b", b"a?b", b"a[b", b"a\\b", b"ab", b"abc",
                b"foo:bar:baz"]),
    (b"foo:*", [b"foo:bar:baz", b"foo:baz"]),
    (b"foo:*:baz", [b"foo:bar:baz"]),
    (b"*:*:*", [b"foo:bar:baz"]),
    (b"H*", [b"Hello"]),
    (b"hello", [b"hello"]),
    (b"nomatch*", []),
]


@pytest.mark.step("2f")
@pytest.mark.parametrize("pattern, matches", GLOBS,
                         ids=[p.decode() for p, _ in GLOBS])
def test_keys_matches_glob_patterns_like_redis(r, pattern, matches):
    r.mset({key: b"1" for key in KEYSPACE})
    got = sorted(r.keys(pattern))
    assert got == sorted(matches), (
        "KEYS %r matched %r, Redis matches %r. Hint: * ? [set] [^set] [a-z] "
        "and \\ escapes, matching is case-sensitive, a reversed range [z-a] "
        "works like [a-z]. Read workshop.md chapter 2."
        % (pattern, got, sorted(matches)))


@pytest.mark.step("2f")
def test_keys_replies_every_key_not_only_the_first_thousand(r):
    # A reply built in a fixed array, or a walk that stops after a round
    # number of keys, passes every small KEYS test above.
    wanted = [b"key:%d" % i for i in range(2500)]
    others = [b"other:%d" % i for i in range(1500)]
    pipe = r.pipeline(transaction=False)
    for key in wanted + others:
        pipe.set(key, b"v")
    pipe.execute()
    everything = r.keys(b"*")
    assert len(everything) == 4000 and set(everything) == set(
        wanted + others), (
        "KEYS * replied %d keys (%d distinct) for a keyspace of 4000. Hint: "
        "walk the whole table and reply every key, however many: no fixed "
        "limit on the reply's array. Read workshop.md chapter 2."
        % (len(everything), len(set(everything))))
    matched = r.keys(b"key:*")
    assert len(matched) == 2500 and set(matched) == set(wanted), (
        "KEYS key:* replied %d keys (%d distinct), 2500 of the 4000 match. "
        "Hint: every key the pattern matches is in the reply, however many. "
        "Read workshop.md chapter 2." % (len(matched), len(set(matched))))


ARITY = [("DEL",), ("EXISTS",), ("DBSIZE", "x"), ("KEYS",),
         ("KEYS", "a", "b")]


@pytest.mark.step("2f")
@pytest.mark.parametrize("args", ARITY, ids=[" ".join(a) for a in ARITY])
def test_keyspace_commands_check_their_arity(r, connect, args):
    expect_reply(connect(), command(*args), arity_error(args[0].lower()),
                 chapter=2)


@pytest.mark.step("2f")
def test_keys_gives_up_on_a_pattern_nested_more_than_1000_stars_deep(r):
    # Redis bounds the matcher's recursion: 1000 nested stars still match,
    # 1001 answer "no match" instead of risking the server's stack.
    key = b"a" * 1002
    r.set(key, b"v")
    assert r.keys(b"a*" * 1000 + b"a") == [key]
    assert r.keys(b"a*" * 1001 + b"a") == []


@pytest.mark.step("2f")
def test_keys_with_a_hostile_pattern_of_many_stars_does_not_crash_the_server(r):
    key = b"a" * 100_000
    r.set(key, b"v")
    assert r.keys(b"a*" * 100_000 + b"a") == []
    assert r.ping()
