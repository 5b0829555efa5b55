"""Stage 6: what a server says about itself: COMMAND, INFO, CONFIG GET and
CONFIG RESETSTAT.

COMMAND INFO name... replies one entry per name, nil ($-1, RESP3 `_`) for an
unknown command. An entry has the 10 items of Redis 7:

    1 name (lower case)        6 step between keys
    2 arity (-N: at least N)   7 ACL categories (simple strings, "@read")
    3 flags (simple strings)   8 tips (bulk strings)
    4 first key position       9 key specifications
    5 last key (-1: the last)  10 subcommands (entries of the same shape)

redis-server 7.0.15 for GET: `*1 *10 $3 get :2 *2 +readonly +fast :1 :1 :1
*3 +@read +@string +@fast *0 *1 <key spec> *0`. The tests check the name,
arity, first/last/step, the write/readonly flag and the shape; not the key
specs. COMMAND COUNT is the number of commands (no subcommands), COMMAND
LIST their names and their subcommands' ("config|get"), COMMAND (no
argument) every command's entry. COMMAND DOCS name... replies pairs name,
docs (summary, since, group, complexity, arguments ...); redis-cli asks for
it when it starts. Our server has fewer commands than Redis: the tests check
what holds for both.

INFO [section ...] replies a bulk string of "# Section" headers and
"field:value" lines, each ended by CRLF, sections separated by an empty
line; an unknown section gives an empty string ($0). The tests read: server
(redis_version, process_id, tcp_port, uptime_in_seconds), clients
(connected_clients, maxclients), memory (used_memory), persistence
(loading, aof_enabled), stats (total_connections_received,
total_commands_processed, keyspace_hits, keyspace_misses, expired_keys) and
keyspace. CONFIG RESETSTAT zeroes the stats counters.

The wrong servers these tests catch, step by step:
  6f  a COMMAND COUNT that disagrees with COMMAND LIST or counts
      subcommands; a COMMAND LIST missing a command, naming one twice, or
      in upper case; a COMMAND without arguments missing entries; an entry
      that is not Redis 7's 10 items, or has a wrong arity, first, last or
      step (MSET's step 2, LMOVE's last key 2, KEYS's 0 0 0) or no
      write/readonly flag; a COMMAND INFO that leaves an unknown name out
      instead of sending nil in its place; CONFIG without its subcommands
      (config|get, arity -3); COMMAND DOCS without a summary, with entries
      for unknown names, or not for every command; COMMAND's arity and
      unknown-subcommand errors worded otherwise; an INFO that does not
      start with # Server, has a bare \n, misses a default section or
      sends them out of order, ignores "all", several names or the case of
      a name, sends sections not asked for, or answers an unknown section
      with an error; a wrong process_id, tcp_port or uptime; a
      connected_clients that counts closed connections; a used_memory that
      does not follow a 1 MB value set and deleted; loading or aof_enabled
      missing; total_connections_received or total_commands_processed
      miscounted, counting an unknown command or an arity error, or not
      counting a command that ran and failed; keyspace hits, misses or
      expired_keys miscounted; a CONFIG RESETSTAT that leaves a counter, or
      takes an argument; INFO lines redis-py cannot parse;
  6g  INFO's maxclients disagreeing with CONFIG GET maxclients, or no
      positive maxclients;
  6h  CONFIG GET of databases, timeout, requirepass or protected-mode
      reporting another default, or not answering several names at once.
"""

import re
import time

import pytest

from helpers import (RawConnection, SimpleString, arity_error,
                     command, error, expect_reply, request, wait_until)

pytestmark = pytest.mark.stage(6)

CHAPTER = 6
OK = b"+OK\r\n"

# name, arity, first key, last key, step, flag: from redis-server 7.0.15.
COMMAND_TABLE = [
    ("get", 2, 1, 1, 1, "readonly"),
    ("set", -3, 1, 1, 1, "write"),
    ("mget", -2, 1, -1, 1, "readonly"),
    ("mset", -3, 1, -1, 2, "write"),
    ("del", -2, 1, -1, 1, "write"),
    ("exists", -2, 1, -1, 1, "readonly"),
    ("incr", 2, 1, 1, 1, "write"),
    ("lpush", -3, 1, 1, 1, "write"),
    ("lrange", 4, 1, 1, 1, "readonly"),
    ("lmove", 5, 1, 2, 1, "write"),
    ("expire", -3, 1, 1, 1, "write"),
    ("ttl", 2, 1, 1, 1, "readonly"),
    ("keys", 2, 0, 0, 0, "readonly"),
    ("dbsize", 1, 0, 0, 0, "readonly"),
    ("flushall", -1, 0, 0, 0, "write"),
    ("swapdb", 3, 0, 0, 0, "write"),
    ("select", 2, 0, 0, 0, None),
    ("ping", -1, 0, 0, 0, None),
    ("echo", 2, 0, 0, 0, None),
    ("time", 1, 0, 0, 0, None),
    ("hello", -1, 0, 0, 0, None),
    ("auth", -2, 0, 0, 0, None),
    ("quit", -1, 0, 0, 0, None),
    ("info", -1, 0, 0, 0, None),
]

REQUIRED_COMMANDS = [
    "get", "set", "mget", "mset", "del", "exists", "incr", "lpush", "rpush",
    "lrange", "lpop", "expire", "ttl", "select", "swapdb", "flushdb",
    "flushall", "dbsize", "ping", "echo", "hello", "auth", "quit", "time",
    "client", "command", "info", "config",
]


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def command_count(conn):
    value, raw = request(conn, "COMMAND", "COUNT")
    assert isinstance(value, int) and value > 0, why(
        "COMMAND COUNT replied %r." % raw,
        "COMMAND COUNT replies an integer: how many commands there are")
    return value


def command_list(conn):
    value, raw = request(conn, "COMMAND", "LIST")
    assert isinstance(value, list) and all(type(v) is bytes for v in value), (
        why("COMMAND LIST replied %r." % raw[:200],
            "an array of bulk strings, the command names"))
    return [v.decode() for v in value]


def check_entry_shape(entry, name):
    """Assert `entry` has the 10 items of a Redis 7 COMMAND INFO entry."""
    __tracebackhide__ = True
    assert isinstance(entry, list) and len(entry) == 10, why(
        "The COMMAND INFO entry of %s is %r." % (name, entry),
        "10 items: name, arity, flags, first key, last key, step, ACL "
        "categories, tips, key specs, subcommands")
    (got_name, arity, flags, first, last, step, categories, tips, specs,
     subcommands) = entry
    assert type(got_name) is bytes and got_name == name.encode(), why(
        "The entry's name is %r, expected %r." % (got_name, name),
        "the name as a bulk string, in lower case")
    assert all(isinstance(v, int) for v in (arity, first, last, step)), why(
        "arity/first/last/step of %s are %r." % (name,
                                                 (arity, first, last, step)),
        "integers")
    for what, items in (("flags", flags), ("ACL categories", categories)):
        assert isinstance(items, list) and all(
            isinstance(item, SimpleString) for item in items), why(
            "The %s of %s are %r." % (what, name, items),
            "an array of simple strings (+readonly, +@read)")
    assert all(item.startswith(b"@") for item in categories), why(
        "The ACL categories of %s are %r." % (name, categories),
        "each category starts with '@'")
    for what, items in (("tips", tips), ("key specs", specs),
                        ("subcommands", subcommands)):
        assert isinstance(items, list), why(
            "The %s of %s are %r." % (what, name, items), "an array")


# ---------------------------------------------------------------------------
# COMMAND COUNT, LIST, INFO, DOCS
# ---------------------------------------------------------------------------

@pytest.mark.step("6f")
def test_command_count_is_the_number_of_commands_in_command_list(r,
                                                                 connect):
    conn = connect()
    count = command_count(conn)
    names = command_list(conn)
    top = [name for name in names if "|" not in name]
    assert len(set(names)) == len(names), why(
        "COMMAND LIST names some commands twice.", "each name once")
    assert count == len(top), why(
        "COMMAND COUNT says %d, COMMAND LIST has %d commands (besides "
        "subcommands 'container|sub')." % (count, len(top)),
        "both come from the same command table")


@pytest.mark.step("6f")
def test_command_list_names_the_commands_in_lower_case(r, connect):
    names = command_list(connect())
    missing = [name for name in REQUIRED_COMMANDS if name not in names]
    assert not missing, why(
        "COMMAND LIST lacks %r." % missing,
        "list every command of the table, in lower case")
    upper = [name for name in names if name != name.lower()]
    assert not upper, why("COMMAND LIST has %r." % upper[:5],
                          "names are lower case")


@pytest.mark.step("6f")
def test_command_without_argument_replies_every_entry(r, connect):
    conn = connect()
    count = command_count(conn)
    top = sorted(name for name in command_list(conn) if "|" not in name)
    value, raw = request(conn, "COMMAND")
    assert isinstance(value, list) and len(value) == count, why(
        "COMMAND replied %s entries, COMMAND COUNT says %d."
        % (len(value) if isinstance(value, list) else repr(raw[:80]), count),
        "COMMAND replies the COMMAND INFO entry of every command")
    for entry in value:
        name = entry[0].decode() if isinstance(entry, list) and entry else "?"
        check_entry_shape(entry, name)
    assert sorted(entry[0].decode() for entry in value) == top, why(
        "COMMAND's entries do not name the commands of COMMAND LIST.",
        "one entry per command")


@pytest.mark.step("6f")
@pytest.mark.parametrize("name, arity, first, last, step, flag",
                         COMMAND_TABLE, ids=[row[0] for row in COMMAND_TABLE])
def test_command_info_entry(r, connect, name, arity, first, last, step,
                            flag):
    value, raw = request(connect(), "COMMAND", "INFO", name.upper())
    assert isinstance(value, list) and len(value) == 1, why(
        "COMMAND INFO %s replied %r." % (name.upper(), raw[:200]),
        "an array with one entry per name asked (names are "
        "case-insensitive)")
    entry = value[0]
    check_entry_shape(entry, name)
    got = tuple(entry[1:2] + entry[3:6])
    assert got == (arity, first, last, step), why(
        "COMMAND INFO %s: arity, first, last, step = %r; Redis has %r."
        % (name, got, (arity, first, last, step)),
        "arity counts the command name; -N means at least N. first/last "
        "are key positions (last -1: up to the last argument), step the "
        "distance between keys (MSET: 2); 0 0 0 for no keys")
    if flag is not None:
        assert flag.encode() in entry[2], why(
            "COMMAND INFO %s has the flags %r." % (name, entry[2]),
            "%s is a %s command: clients use that flag to route it"
            % (name, flag))


@pytest.mark.step("6f")
def test_command_info_of_several_commands_with_an_unknown_one(r, connect):
    value, raw = request(connect(), "COMMAND", "INFO", "get", "nosuchcommand",
                         "Set")
    assert isinstance(value, list) and len(value) == 3, why(
        "COMMAND INFO get nosuchcommand Set replied %r." % raw[:200],
        "one entry per name, in order")
    check_entry_shape(value[0], "get")
    assert value[1] is None, why(
        "The entry of an unknown command is %r." % (value[1],),
        "a null bulk string ($-1) in its place")
    check_entry_shape(value[2], "set")


@pytest.mark.step("6f")
def test_command_info_of_an_unknown_command_is_a_nil_entry(r, connect):
    expect_reply(connect(), command("COMMAND", "INFO", "nosuchcommand"),
                 b"*1\r\n$-1\r\n", chapter=CHAPTER,
                 hint="an array of one null bulk string")


@pytest.mark.step("6f")
def test_command_info_of_config_lists_its_subcommands(r, connect):
    value, raw = request(connect(), "COMMAND", "INFO", "config")
    entry = value[0]
    check_entry_shape(entry, "config")
    assert entry[1] == -2, why("config's arity is %r." % entry[1],
                               "-2: CONFIG needs a subcommand")
    subs = {sub[0]: sub for sub in entry[9] if isinstance(sub, list) and sub}
    assert b"config|get" in subs, why(
        "config's subcommands are %r." % sorted(subs),
        "item 10 lists the subcommands, each an entry named "
        "'config|get' ...")
    check_entry_shape(subs[b"config|get"], "config|get")
    assert subs[b"config|get"][1] == -3, why(
        "config|get's arity is %r." % subs[b"config|get"][1],
        "-3: CONFIG GET pattern [pattern ...]")


@pytest.mark.step("6f")
def test_command_docs_describes_a_command(r, connect):
    value, raw = request(connect(), "COMMAND", "DOCS", "get")
    assert (isinstance(value, list) and len(value) == 2 and
            value[0] == b"get"), why(
        "COMMAND DOCS get replied %r." % raw[:200],
        "RESP2: a flat array of name, docs pairs")
    docs = value[1]
    assert isinstance(docs, list) and len(docs) % 2 == 0, why(
        "The docs of get are %r." % (docs,),
        "a flat array of field, value pairs")
    fields = dict(zip(docs[0::2], docs[1::2]))
    summary = fields.get(b"summary")
    assert type(summary) is bytes and summary, why(
        "The docs of get have no summary: %r." % (docs,),
        "summary is a one-line description (redis-cli shows it)")


@pytest.mark.step("6f")
def test_command_docs_of_an_unknown_command_is_an_empty_array(r, connect):
    expect_reply(connect(), command("COMMAND", "DOCS", "nosuchcommand"),
                 b"*0\r\n", chapter=CHAPTER,
                 hint="unknown names are left out of the reply")


@pytest.mark.step("6f")
def test_command_docs_without_argument_documents_every_command(r, connect):
    # redis-cli sends this when it starts, to learn the commands' arguments.
    conn = connect()
    value, raw = request(conn, "COMMAND", "DOCS")
    assert isinstance(value, list) and len(value) % 2 == 0, why(
        "COMMAND DOCS replied %r." % raw[:200], "name, docs pairs")
    names = value[0::2]
    assert b"get" in names and b"set" in names, why(
        "COMMAND DOCS documents %r." % names[:20],
        "every command of the table")


@pytest.mark.step("6f")
def test_command_errors(r, connect):
    conn = connect()
    expect_reply(conn, command("COMMAND", "COUNT", "x"),
                 arity_error("command|count"), chapter=CHAPTER)
    expect_reply(conn, command("COMMAND", "FOO"),
                 error("ERR unknown subcommand 'FOO'. Try COMMAND HELP."),
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# INFO
# ---------------------------------------------------------------------------

def info_text(conn, *sections):
    value, raw = request(conn, "INFO", *sections)
    assert type(value) is bytes, why(
        "INFO %s replied %r." % (" ".join(sections), raw[:200]),
        "in RESP2 INFO replies a bulk string")
    return value.decode()


def info_fields(conn, *sections):
    """INFO's field:value lines as a dict of strings."""
    fields = {}
    for line in info_text(conn, *sections).split("\r\n"):
        if line and not line.startswith("#"):
            name, sep, value = line.partition(":")
            assert sep, why("INFO has the line %r." % line,
                            "every line but the headers is field:value")
            fields[name] = value
    return fields


def int_field(fields, name, section):
    __tracebackhide__ = True
    value = fields.get(name)
    assert value is not None and re.fullmatch(r"-?\d+", value), why(
        "INFO %s has %s:%r." % (section, name, value),
        "the field must be there, an integer")
    return int(value)


@pytest.mark.step("6f")
def test_info_format_headers_fields_and_blank_lines(r, connect):
    text = info_text(connect())
    assert text.startswith("# Server\r\n") and text.endswith("\r\n"), why(
        "INFO starts %r and ends %r." % (text[:20], text[-20:]),
        "'# Server' first; every line ends with CRLF")
    assert "\n" not in text.replace("\r\n", ""), why(
        "INFO has a bare newline.", "lines end with CRLF")
    for block in text[:-2].split("\r\n\r\n"):
        lines = block.split("\r\n")
        assert lines[0].startswith("# ") and all(
            ":" in line for line in lines[1:]), why(
            "An INFO section reads %r." % lines[:5],
            "sections are '# Name' then field:value lines, separated by an "
            "empty line")


@pytest.mark.step("6f")
def test_info_default_sections_in_order(r, connect):
    text = info_text(connect())
    headers = [line[2:] for line in text.split("\r\n")
               if line.startswith("# ")]
    wanted = ["Server", "Clients", "Memory", "Persistence", "Stats",
              "Keyspace"]
    found = [h for h in headers if h in wanted]
    assert found == wanted, why(
        "INFO has the sections %r." % headers,
        "INFO without argument has at least %s, in that order"
        % ", ".join(wanted))


@pytest.mark.step("6f")
def test_info_all_has_the_sections_too(r, connect):
    headers = [line for line in info_text(connect(), "all").split("\r\n")
               if line.startswith("# ")]
    assert "# Server" in headers and "# Keyspace" in headers, why(
        "INFO all has the sections %r." % headers,
        "all is every section")


@pytest.mark.step("6f")
def test_info_section_names_are_case_insensitive(r, connect):
    conn = connect()
    assert info_text(conn, "SERVER").startswith("# Server\r\n"), why(
        "INFO SERVER does not start with '# Server'.",
        "compare section names case-insensitively")


@pytest.mark.step("6f")
def test_info_with_several_sections(r, connect):
    fields = info_fields(connect(), "server", "clients")
    assert "redis_version" in fields and "connected_clients" in fields, why(
        "INFO server clients has the fields %r." % sorted(fields)[:20],
        "Redis 7 takes several section names")
    assert "used_memory" not in fields, why(
        "INFO server clients has the memory section.", "only those asked")


@pytest.mark.step("6f")
def test_info_of_an_unknown_section_is_an_empty_string(r, connect):
    expect_reply(connect(), command("INFO", "nosuchsection"), b"$0\r\n\r\n",
                 chapter=CHAPTER,
                 hint="an unknown section is not an error: nothing to show")


@pytest.mark.step("6f")
def test_info_server(r, connect, server):
    fields = info_fields(connect(), "server")
    assert re.fullmatch(r"\d+\.\d+\.\d+", fields.get("redis_version", "")), (
        why("INFO server has redis_version:%r." % fields.get("redis_version"),
            "a version x.y.z (clients compare it to decide what to send)"))
    assert int_field(fields, "process_id", "server") == server.pid, why(
        "process_id:%s, the server's pid is %d." % (fields.get("process_id"),
                                                    server.pid),
        "getpid()")
    assert int_field(fields, "tcp_port", "server") == server.port, why(
        "tcp_port:%s, the server listens on %d." % (fields.get("tcp_port"),
                                                    server.port),
        "the --port in use")
    uptime = int_field(fields, "uptime_in_seconds", "server")
    assert 0 <= uptime <= 600, why(
        "uptime_in_seconds:%d for a server started moments ago." % uptime,
        "seconds since the server started")


@pytest.mark.step("6f")
def test_info_clients_counts_connections(server_factory):
    fresh = server_factory.start()
    conn = RawConnection(fresh.host, fresh.port)
    try:
        def clients():
            return int_field(info_fields(conn, "clients"),
                             "connected_clients", "clients")
        # The suite's start-up probe connected and left: wait until the
        # server has noticed.
        assert wait_until(lambda: clients() == 1, 3.0), why(
            "INFO clients says connected_clients:%d with one client."
            % clients(), "count the connected clients, this one included")
        other = RawConnection(fresh.host, fresh.port)
        try:
            expect_reply(other, command("PING"), b"+PONG\r\n",
                         chapter=CHAPTER)
            assert clients() == 2, why(
                "connected_clients:%d with two clients." % clients(),
                "count every connection accepted")
        finally:
            other.close()
        assert wait_until(lambda: clients() == 1, 3.0), why(
            "connected_clients:%d after one of two clients left."
            % clients(), "a closed connection no longer counts")
    finally:
        conn.close()


@pytest.mark.step("6g")
def test_info_clients_reports_maxclients(r, connect):
    conn = connect()
    fields = info_fields(conn, "clients")
    maxclients = int_field(fields, "maxclients", "clients")
    value, raw = request(conn, "CONFIG", "GET", "maxclients")
    assert value == [b"maxclients", str(maxclients).encode()], why(
        "INFO clients says maxclients:%d, CONFIG GET maxclients replies %r."
        % (maxclients, raw), "both report the same setting")


@pytest.mark.step("6f")
def test_info_memory_used_memory_follows_the_data(r, connect):
    conn = connect()
    before = int_field(info_fields(conn, "memory"), "used_memory", "memory")
    assert before > 0, why("used_memory:%d." % before,
                           "the bytes allocated: never 0 in a running "
                           "server")
    r.set("big", b"x" * 1000000)
    during = int_field(info_fields(conn, "memory"), "used_memory", "memory")
    r.delete("big")
    after = int_field(info_fields(conn, "memory"), "used_memory", "memory")
    assert during - before >= 900000 and during - after >= 900000, why(
        "used_memory went %d -> %d -> %d around a 1 MB value set then "
        "deleted." % (before, during, after),
        "used_memory is the bytes the server has allocated: count every "
        "allocation and free")


@pytest.mark.step("6f")
def test_info_persistence(r, connect):
    fields = info_fields(connect(), "persistence")
    got = (fields.get("loading"), fields.get("aof_enabled"))
    assert got == ("0", "0"), why(
        "INFO persistence says loading:%s aof_enabled:%s." % got,
        "loading is 1 only while the append-only file is replayed; the "
        "suite's servers run with --appendonly no")


def stats(conn):
    fields = info_fields(conn, "stats")
    return {name: int_field(fields, name, "stats") for name in (
        "total_connections_received", "total_commands_processed",
        "keyspace_hits", "keyspace_misses", "expired_keys")}


@pytest.mark.step("6f")
def test_info_stats_counts_connections_and_commands(r, connect):
    conn = connect()
    before = stats(conn)
    for _ in range(5):
        expect_reply(conn, command("PING"), b"+PONG\r\n", chapter=CHAPTER)
    other = connect()
    expect_reply(other, command("PING"), b"+PONG\r\n", chapter=CHAPTER)
    after = stats(conn)
    got = (after["total_connections_received"] -
           before["total_connections_received"],
           after["total_commands_processed"] -
           before["total_commands_processed"])
    assert got == (1, 7), why(
        "Between two INFO stats, 1 new connection and 6 commands (5 PING, "
        "1 PING on the other) plus the first INFO: the counters moved by "
        "%r, expected (1, 7)." % (got,),
        "count every accepted connection, and every command run")


@pytest.mark.step("6f")
def test_info_stats_counts_the_commands_that_ran_not_the_refused_ones(
        r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "s", "abc"), OK, chapter=CHAPTER)
    before = stats(conn)["total_commands_processed"]
    expect_reply(conn, command("NOSUCHCOMMAND"),
                 error("ERR unknown command 'NOSUCHCOMMAND', with args "
                       "beginning with: "), chapter=CHAPTER)
    expect_reply(conn, command("GET"), arity_error("get"), chapter=CHAPTER)
    expect_reply(conn, command("INCR", "s"),
                 error("ERR value is not an integer or out of range"),
                 chapter=CHAPTER)
    after = stats(conn)["total_commands_processed"]
    assert after - before == 2, why(
        "Between two INFO stats, an unknown command, a GET without its key "
        "and an INCR of a string that holds no number: "
        "total_commands_processed moved by %d, expected 2 (the INCR, which "
        "ran and failed, and the first INFO)." % (after - before),
        "count a command when it runs, whatever it replies; an unknown "
        "command or a wrong number of arguments is refused before it runs "
        "and does not count")


@pytest.mark.step("6f")
def test_info_stats_counts_keyspace_hits_and_misses(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "k", "v"), OK, chapter=CHAPTER)
    before = stats(conn)
    expect_reply(conn, command("GET", "k"), b"$1\r\nv\r\n", chapter=CHAPTER)
    middle = stats(conn)
    expect_reply(conn, command("GET", "missing"), b"$-1\r\n",
                 chapter=CHAPTER)
    after = stats(conn)
    got = ((middle["keyspace_hits"] - before["keyspace_hits"],
            middle["keyspace_misses"] - before["keyspace_misses"]),
           (after["keyspace_hits"] - middle["keyspace_hits"],
            after["keyspace_misses"] - middle["keyspace_misses"]))
    assert got == ((1, 0), (0, 1)), why(
        "(hits, misses) moved by %r for a GET of an existing key, then %r "
        "for a GET of a missing one." % got,
        "each read lookup of a key counts a hit if the key exists, else a "
        "miss")


@pytest.mark.step("6f")
def test_info_stats_counts_expired_keys(r, connect):
    conn = connect()
    before = stats(conn)["expired_keys"]
    expect_reply(conn, command("SET", "k", "v", "PX", 30), OK,
                 chapter=CHAPTER)
    time.sleep(0.06)
    expect_reply(conn, command("GET", "k"), b"$-1\r\n", chapter=CHAPTER)
    after = stats(conn)["expired_keys"]
    assert after - before == 1, why(
        "expired_keys moved by %d for one key that expired." % (after -
                                                                before),
        "count a key when it is deleted because it expired, whether a read "
        "or the expiry cycle found it")


@pytest.mark.step("6f")
def test_config_resetstat_zeroes_the_counters(r, connect):
    conn = connect()
    for _ in range(20):
        expect_reply(conn, command("GET", "missing"), b"$-1\r\n",
                     chapter=CHAPTER)
    assert stats(conn)["total_commands_processed"] >= 20, why(
        "total_commands_processed is below the 20 GETs just sent.",
        "count every command run")
    expect_reply(conn, command("CONFIG", "RESETSTAT"), OK, chapter=CHAPTER)
    got = stats(conn)
    assert got["total_commands_processed"] <= 2 and all(
        got[name] == 0 for name in ("total_connections_received",
                                    "keyspace_hits", "keyspace_misses",
                                    "expired_keys")), why(
        "After CONFIG RESETSTAT, INFO stats says %r." % got,
        "RESETSTAT sets the counters back to 0 (INFO then counts "
        "RESETSTAT itself, maybe INFO too)")


@pytest.mark.step("6f")
def test_config_resetstat_with_an_argument_is_an_arity_error(r, connect):
    expect_reply(connect(), command("CONFIG", "RESETSTAT", "x"),
                 arity_error("config|resetstat"), chapter=CHAPTER)


# ---------------------------------------------------------------------------
# CONFIG GET of the stage 6 settings
# ---------------------------------------------------------------------------

@pytest.mark.step("6h")
@pytest.mark.parametrize("name, value", [
    ("databases", "16"), ("timeout", "0"), ("requirepass", ""),
    ("protected-mode", "yes"),
])
def test_config_get_default_setting(r, name, value):
    got = r.config_get(name)
    assert got == {name: value}, why(
        "CONFIG GET %s replied %r; Redis replies %r." % (name, got,
                                                         {name: value}),
        "report the setting in use, as its config-file text")


@pytest.mark.step("6g")
def test_config_get_maxclients_is_a_positive_number(r):
    got = r.config_get("maxclients").get("maxclients", "")
    assert re.fullmatch(r"[1-9]\d*", got), why(
        "CONFIG GET maxclients replied %r." % got,
        "10000 by default (Redis lowers it if the open-files limit is too "
        "low)")


@pytest.mark.step("6h")
def test_config_get_of_several_stage_6_settings_at_once(r):
    got = r.execute_command("CONFIG GET", "databases", "timeout",
                            "requirepass")
    assert got == {"databases": "16", "timeout": "0", "requirepass": ""}, (
        why("CONFIG GET databases timeout requirepass replied %r." % got,
            "one name/value pair per parameter matched"))


@pytest.mark.step("6f")
def test_redis_py_info_parses_the_reply(r, server):
    # redis-py turns INFO into a dict: a malformed line breaks it.
    info = r.info()
    got = (info.get("tcp_port"), type(info.get("connected_clients")))
    assert got == (server.port, int), why(
        "redis-py's INFO dict has tcp_port=%r, connected_clients=%r."
        % (info.get("tcp_port"), info.get("connected_clients")),
        "field:value lines with CRLF: redis-py turns numbers into ints")
