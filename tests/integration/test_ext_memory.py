"""Part II, memory limit: maxmemory, maxmemory-policy and eviction.

With `maxmemory` set, the server checks before every command whether it
uses more memory than that. If it does, it deletes keys chosen by the
policy until it fits (allkeys-lru, volatile-ttl ...), or, under
noeviction (the default), refuses the commands that could use more memory
with

    -OOM command not allowed when used memory > 'maxmemory'.

while reads and deletions still work. Inside MULTI every queued command is
refused that way, so EXEC then answers EXECABORT. An eviction is a deletion
like any other: WATCH sees it, INFO counts it in evicted_keys, and the AOF
logs it as DEL.

The module's server is shared: every test puts the limit back to 0 and
the policy back to noeviction when it ends (the `limit` fixture).

The wrong servers these tests catch, step by step:
  13a parameters with other defaults, maxmemory without Redis's units
      (64mb, 1gb), bad values refused with another text or accepted; INFO
      without maxmemory, maxmemory_human, maxmemory_policy, evicted_keys
      or the CPU seconds; keyspace_misses that count a write's lookup;
  13b SET not flagged denyoom in COMMAND INFO (or GET flagged); a server
      over the limit that refuses every command (GET, DEL and EXPIRE must
      be served) or none; MULTI queuing commands over the limit, so that
      EXEC runs instead of answering EXECABORT;
  13c under allkeys-random, a limit checked but not enforced (used_memory
      more than 5% over it after 8 MB of writes), or enforced by deleting
      everything, or evictions not counted in evicted_keys;
  13d the same under allkeys-lru; an LRU that evicts the keys read a
      moment ago rather than those idle for two seconds;
  13e the same under allkeys-lfu; an LFU that is an LRU or random eviction
      in disguise (the keys read 60 times must outlive those read once,
      more recently);
  13f the same under each volatile-* policy; one that evicts keys without
      a TTL (volatile-lru, -lfu, -random), or accepts a write when no key
      has a TTL; a volatile-ttl that ignores deadlines;
  13g an eviction that a WATCH does not see; (ours) an eviction not logged
      as DEL, which a restart would undo; eviction with four reactor
      threads writing at once that lets memory run over the limit.
"""

import threading
import time

import pytest
import redis

from helpers import aof_on, command, error, expect_reply

pytestmark = [pytest.mark.stage(6), pytest.mark.extension("memory")]

CHAPTER = 13
OOM = error("OOM command not allowed when used memory > 'maxmemory'.")


def used_memory(r):
    return int(r.info("memory")["used_memory"])


@pytest.fixture
def limit(r):
    """limit(bytes, policy): set maxmemory and the policy; undone after."""
    def _set(maxmemory, policy="noeviction", samples=None):
        r.config_set("maxmemory-policy", policy)
        if samples is not None:
            r.config_set("maxmemory-samples", samples)
        r.config_set("maxmemory", maxmemory)
    yield _set
    r.config_set("maxmemory", 0)
    r.config_set("maxmemory-policy", "noeviction")
    r.config_set("maxmemory-samples", 5)


def fill(r, prefix, count, size, ex=None, batch=100):
    value = b"v" * size
    for start in range(0, count, batch):
        pipe = r.pipeline(transaction=False)
        for i in range(start, min(count, start + batch)):
            pipe.set("%s:%d" % (prefix, i), value, ex=ex)
        pipe.execute()


def why(problem, hint):
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (problem, hint,
                                                              CHAPTER)


# ---------------------------------------------------------------------------
# The parameters and INFO
# ---------------------------------------------------------------------------

@pytest.mark.step("13a")
def test_defaults(r):
    got = {name: r.config_get(name)[name] for name in
           ("maxmemory", "maxmemory-policy", "maxmemory-samples",
            "lfu-log-factor", "lfu-decay-time")}
    assert got == {"maxmemory": "0", "maxmemory-policy": "noeviction",
                   "maxmemory-samples": "5", "lfu-log-factor": "10",
                   "lfu-decay-time": "1"}


@pytest.mark.step("13a")
def test_maxmemory_takes_redis_units(r, limit):
    limit("64mb")
    assert r.config_get("maxmemory")["maxmemory"] == str(64 * 1024 * 1024)
    limit("1gb")
    assert r.config_get("maxmemory")["maxmemory"] == str(1 << 30)


@pytest.mark.step("13a")
@pytest.mark.parametrize("name,value,reason", [
    ("maxmemory-policy", "lru",
     "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
     "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
     "allkeys-random, noeviction"),
    ("maxmemory-samples", "0",
     "argument must be between 1 and 2147483647 inclusive"),
    ("lfu-log-factor", "-1",
     "argument must be between 0 and 2147483647 inclusive"),
])
def test_bad_values_are_refused_like_redis(connect, name, value, reason):
    conn = connect()
    expect_reply(conn, command("CONFIG", "SET", name, value), error(
        "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
        % (name, reason)), CHAPTER)


@pytest.mark.step("13a")
def test_info_reports_the_limit_the_policy_and_evictions(r, limit):
    limit("100mb", "allkeys-lfu")
    memory = r.info("memory")
    assert (memory["maxmemory"], memory["maxmemory_human"],
            memory["maxmemory_policy"]) == (100 * 1024 * 1024, "100.00M",
                                            "allkeys-lfu")
    stats = r.info("stats")
    assert "evicted_keys" in stats
    for _ in range(2000):
        r.ping()
    cpu = r.info("cpu")
    assert cpu["used_cpu_sys"] + cpu["used_cpu_user"] > 0, (
        "INFO cpu: used_cpu_sys and used_cpu_user, the process's CPU "
        "seconds (getrusage); got %r" % cpu)


@pytest.mark.step("13a")
def test_keyspace_hits_and_misses_count_reads_only(r):
    """Catches: a write's own lookup counted as a miss, which makes a
    cache's hit ratio (hits / (hits + misses)) look far worse than it is."""
    r.config_resetstat()
    r.set("a", "b")
    r.hset("h", "f", "v")
    r.sadd("s", "x")
    r.incr("n")
    r.get("a")
    r.hget("h", "f")
    r.get("missing")
    stats = r.info("stats")
    assert (stats["keyspace_hits"], stats["keyspace_misses"]) == (2, 1), why(
        "After SET, HSET, SADD, INCR, then GET a, HGET h f and GET missing: "
        "keyspace_hits=%d keyspace_misses=%d" % (stats["keyspace_hits"],
                                                 stats["keyspace_misses"]),
        "Redis counts the lookups of read commands only (lookupKeyRead); "
        "a write looking for its key is no miss")


@pytest.mark.step("13b")
def test_command_info_flags_denyoom(r):
    info = r.execute_command("COMMAND", "INFO", "set", "get")
    flags = {name: entry["flags"] for name, entry in info.items()}
    assert "denyoom" in flags["set"] and "denyoom" not in flags["get"], (
        "COMMAND INFO flags: %r; Redis flags SET denyoom (refused over "
        "maxmemory), GET not" % flags)


# ---------------------------------------------------------------------------
# noeviction: refuse what would use more
# ---------------------------------------------------------------------------

@pytest.mark.step("13b")
def test_noeviction_refuses_writes_and_serves_the_rest(r, connect, limit):
    """Catches: refusing every command over the limit, or none."""
    r.set("k", "v")
    limit(1)
    conn = connect()
    expect_reply(conn, command("SET", "x", "1"), OOM, CHAPTER,
                 hint="over maxmemory with noeviction, SET is refused")
    expect_reply(conn, command("RPUSH", "l", "a"), OOM, CHAPTER)
    expect_reply(conn, command("GET", "k"), b"$1\r\nv\r\n", CHAPTER,
                 hint="reads use no memory: they are served")
    expect_reply(conn, command("DEL", "k"), b":1\r\n", CHAPTER,
                 hint="deleting frees memory: it is served")
    expect_reply(conn, command("EXPIRE", "nothing", "10"), b":0\r\n",
                 CHAPTER, hint="only commands flagged denyoom are refused")


@pytest.mark.step("13b")
def test_a_transaction_over_the_limit_is_aborted(r, connect, limit):
    conn = connect()
    expect_reply(conn, command("MULTI"), b"+OK\r\n", CHAPTER)
    limit(1)
    expect_reply(conn, command("GET", "k"), OOM, CHAPTER,
                 hint="inside MULTI every queued command is refused over "
                      "the limit: the queue itself uses memory")
    r.config_set("maxmemory", 0)
    expect_reply(conn, command("EXEC"), error(
        "EXECABORT Transaction discarded because of previous errors."),
        CHAPTER)


@pytest.mark.step("13f")
def test_volatile_policy_without_volatile_keys_refuses(r, connect, limit):
    fill(r, "forever", 50, 1000)
    limit(used_memory(r) - 20000, "volatile-lru")
    conn = connect()
    expect_reply(conn, command("SET", "x", "1"), OOM, CHAPTER,
                 hint="volatile-* evicts only keys with a TTL; there are "
                      "none, so nothing can go")
    assert r.dbsize() == 50


# ---------------------------------------------------------------------------
# The policies
# ---------------------------------------------------------------------------

POLICY_STEPS = [("allkeys-lru", "13d"), ("allkeys-lfu", "13e"),
                ("allkeys-random", "13c"), ("volatile-lru", "13f"),
                ("volatile-lfu", "13f"), ("volatile-random", "13f"),
                ("volatile-ttl", "13f")]


@pytest.mark.parametrize("policy", [
    pytest.param(policy, id=policy, marks=pytest.mark.step(step))
    for policy, step in POLICY_STEPS])
def test_eviction_keeps_memory_under_the_limit(r, limit, policy):
    """Catches: a limit checked but not enforced, or enforced by deleting
    everything."""
    fill(r, "base", 100, 100, ex=3600 if policy.startswith("volatile")
         else None)
    cap = used_memory(r) + 2 * 1024 * 1024
    limit(cap, policy)
    fill(r, "more", 8000, 1000,
         ex=3600 if policy.startswith("volatile") else None)
    used = used_memory(r)
    evicted = r.info("stats")["evicted_keys"]
    assert used <= cap * 1.05, why(
        "With maxmemory %d and %s, writing 8 MB left used_memory at %d."
        % (cap, policy, used), "evict before each command while over")
    assert evicted > 0 and r.dbsize() > 100, why(
        "evicted_keys=%d, %d keys left" % (evicted, r.dbsize()),
        "evict only until memory fits again")


@pytest.mark.step("13f")
@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu",
                                    "volatile-random"])
def test_volatile_policies_spare_keys_without_a_ttl(r, limit, policy):
    """Catches: a volatile-* policy that samples every key, as the
    allkeys-* one does."""
    fill(r, "keep", 200, 500)
    limit(used_memory(r) + 1024 * 1024, policy)
    fill(r, "cache", 5000, 500, ex=3600)
    assert r.info("stats")["evicted_keys"] > 0
    kept = sum(r.exists("keep:%d" % i) for i in range(200))
    assert kept == 200, why("%d of 200 keys without a TTL were evicted "
                            "under %s" % (200 - kept, policy),
                            "%s samples from the keys that have a TTL (the "
                            "expires table) only" % policy)


@pytest.mark.step("13f")
def test_volatile_ttl_evicts_the_nearest_deadlines_first(r, limit):
    limit(0, "volatile-ttl")
    for start in range(0, 2000, 100):
        pipe = r.pipeline(transaction=False)
        for i in range(start, start + 100):
            pipe.set("soon:%d" % i, "v" * 500, ex=1000)
            pipe.set("late:%d" % i, "v" * 500, ex=1000000)
        pipe.execute()
    r.config_set("maxmemory", used_memory(r) - 600 * 1000)
    r.ping()
    soon = sum(r.exists("soon:%d" % i) for i in range(2000))
    late = sum(r.exists("late:%d" % i) for i in range(2000))
    assert late - soon > 300, why(
        "After evicting about 1000 of 4000 keys, %d keys with the near TTL "
        "and %d with the far one remain" % (soon, late),
        "volatile-ttl ranks sampled keys by their deadline")


@pytest.mark.step("13d")
def test_allkeys_lru_keeps_recently_used_keys(r, limit):
    """Keys read after the old ones were written survive; with LRU's one
    second resolution, the old ones must be a second older."""
    limit(0, "allkeys-lru", samples=10)
    fill(r, "old", 2000, 500)
    time.sleep(2.1)
    for i in range(2000):
        if i % 2 == 0:
            r.get("old:%d" % i)
    r.config_set("maxmemory", used_memory(r) - 300 * 1000)
    r.ping()
    evicted = r.info("stats")["evicted_keys"]
    used = sum(r.exists("old:%d" % i) for i in range(0, 2000, 2))
    assert evicted > 100 and used == 1000, why(
        "%d keys evicted; %d of the 1000 keys read just before survived"
        % (evicted, used),
        "allkeys-lru evicts the longest idle of the sampled keys: keys "
        "idle for two seconds go before keys read a moment ago")


@pytest.mark.step("13e")
def test_allkeys_lfu_keeps_frequently_used_keys(r, limit):
    """Catches: an LFU that is random or LRU in disguise. The keys read 60
    times, two seconds ago, must survive; the keys read once, just now, go
    first (an LRU would do the opposite). lfu-decay-time 0 stops the decay,
    so that a minute starting during the test changes no counter."""
    limit(0, "allkeys-lfu", samples=10)
    r.config_set("lfu-decay-time", 0)
    try:
        fill(r, "k", 2000, 500)
        pipe = r.pipeline(transaction=False)
        for n in range(60):
            for i in range(0, 2000, 2):
                pipe.get("k:%d" % i)
            if n % 10 == 9:
                pipe.execute()
        time.sleep(2.1)
        for i in range(1, 2000, 2):
            pipe.get("k:%d" % i)
        pipe.execute()
        r.config_set("maxmemory", used_memory(r) - 300 * 1000)
        r.ping()
        evicted = r.info("stats")["evicted_keys"]
        often = sum(r.exists("k:%d" % i) for i in range(0, 2000, 2))
    finally:
        r.config_set("lfu-decay-time", 1)
    # About 4 of the 1000 stay at 6 after 60 reads ((10/11)^59): they may
    # go with the keys read once.
    assert evicted > 100 and often >= 980, why(
        "%d keys evicted; %d of the 1000 keys read 60 times survived"
        % (evicted, often),
        "allkeys-lfu evicts the sampled key with the lowest access counter "
        "(new keys start at 5, each access raises it with probability "
        "1 / ((counter - 5) * lfu-log-factor + 1)), whenever it was used")


@pytest.mark.step("13g")
def test_an_eviction_touches_a_watched_key(r, connect, limit, server):
    r.set("only", "x" * 200000)
    conn = connect()
    expect_reply(conn, command("WATCH", "only"), b"+OK\r\n", CHAPTER)
    limit(used_memory(r) - 100000, "allkeys-random")
    r.ping()
    assert r.exists("only") == 0
    expect_reply(conn, command("MULTI"), b"+OK\r\n", CHAPTER)
    expect_reply(conn, command("EXEC"), b"*-1\r\n", CHAPTER,
                 hint="an evicted key changed: EXEC answers null")


# ---------------------------------------------------------------------------
# Our binary: the AOF and threads
# ---------------------------------------------------------------------------

@pytest.mark.step("13g")
@pytest.mark.project_only
def test_an_eviction_is_logged_as_del(server_factory):
    srv = server_factory.start(*aof_on(True, "always"))
    client = redis.Redis(host=srv.host, port=srv.port)
    client.set("big", "x" * 300000)
    client.set("small", "y")
    client.config_set("maxmemory-policy", "allkeys-lru")
    client.config_set("maxmemory", 1)
    client.ping()
    assert client.dbsize() == 0
    client.config_set("maxmemory", 0)
    text = (srv.workdir / "appendonly.aof").read_bytes()
    for key in (b"big", b"small"):
        record = b"*2\r\n$3\r\nDEL\r\n$%d\r\n%s\r\n" % (len(key), key)
        assert record in text, (
            "The AOF after evicting %r does not log DEL %r: a restart would "
            "bring the key back. Its end: %r" % (key, key, text[-80:]))
    client.close()
    srv.stop()
    again = server_factory.start(*aof_on(True, "always"), dir=srv.workdir)
    client = redis.Redis(host=again.host, port=again.port)
    assert client.dbsize() == 0
    client.close()


@pytest.mark.step("13g")
@pytest.mark.project_only
def test_eviction_under_threads(server_factory):
    srv = server_factory.start("--threads", "4", "--maxmemory", "8mb",
                               "--maxmemory-policy", "allkeys-lru")
    errors = []

    def writer(n):
        client = redis.Redis(host=srv.host, port=srv.port)
        try:
            fill(client, "w%d" % n, 5000, 1000)
        except Exception as exc:          # reported below
            errors.append(exc)
        client.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    client = redis.Redis(host=srv.host, port=srv.port)
    assert not errors, errors
    assert used_memory(client) <= 8 * 1024 * 1024 * 1.05
    assert client.info("stats")["evicted_keys"] > 0
    client.close()
