"""Stage 6: what real clients send when they connect: HELLO and RESP3,
CLIENT ID / SETNAME / GETNAME / LIST / INFO / KILL / SETINFO, QUIT, TIME.

HELLO [protover [AUTH user pass] [SETNAME name]] switches the connection to
RESP2 or RESP3 and replies a description of the server: in RESP2 an array of
14 items, in RESP3 a map (`%7`) of the same 7 pairs, server, version, proto,
id (the CLIENT ID), mode, role and modules. redis-server 7.0.15 sends for
HELLO 3 (version and id vary):

    %7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n
    $5\r\nproto\r\n:3\r\n$2\r\nid\r\n:6\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n
    $4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n

and for HELLO 2 or a bare HELLO the same with `*14` in place of `%7` and
`:2`. A bare HELLO replies in the current protocol and changes nothing.
Errors: HELLO 4 (or 1, 0, -1) `-NOPROTO unsupported protocol version`,
HELLO abc (or 03, 3.0) `-ERR Protocol version is not an integer or out of
range`, HELLO 3 foo `-ERR Syntax error in HELLO option 'foo'` (also for
SETNAME or AUTH missing their values). A failed HELLO leaves the protocol
as it was.

In RESP3 the null is `_\r\n` (GET, LPOP, LPOP key count, LINDEX, MGET's
missing elements, CLIENT GETNAME, COMMAND INFO of an unknown command), CONFIG
GET replies a map, INFO and CLIENT LIST / CLIENT INFO a verbatim string
`=<len>\r\ntxt:<text>\r\n` (the length counts the 4 bytes of "txt:"). Simple
strings, errors, integers, bulk strings and arrays do not change.

CLIENT LIST replies one line per client, each ended by "\n" (not CRLF), as a
bulk string; Redis 7.0's line:

    id=7 addr=127.0.0.1:56216 laddr=127.0.0.1:51517 fd=8 name= age=3 idle=0
    flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448
    argv-mem=10 multi-mem=0 rbs=1024 rbp=145 obl=0 oll=0 omem=0 tot-mem=22298
    events=r cmd=client|list user=default redir=-1 resp=2

(one line, fields separated by single spaces). The tests need id, addr,
laddr, name, db, cmd and resp, right for the connection.

CLIENT SETINFO LIB-NAME/LIB-VER came with Redis 7.2 (7.0.15 replies
`-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.`); redis-py 5 and
other clients send it on connect and ignore an error. Ours replies +OK, as
7.2 does (project_only test).

The wrong servers these tests catch, step by step:
  6c  a QUIT that closes without its +OK, or runs what was pipelined after
      it; a TIME in milliseconds, as integers or zero-padded; CLIENT IDs
      that repeat, shrink or change on one connection; a CLIENT SETNAME
      that takes a space, a newline, a tab, a non-ASCII byte or DEL, or a
      SETNAME "" that keeps the old name; arity errors not named as Redis
      names them (client|id, client|setname, client|getname); a CLIENT
      LIST line without the connection's own id, addr, laddr, name, db,
      cmd (client|list) or resp, lines ended by CRLF, or only the caller's
      line; a CLIENT INFO that lists everyone; a CLIENT KILL that replies
      to the killed connection or leaves it open, kills the caller through
      the ID filter, answers an error rather than :0 when nobody matches
      (or :0 for the old ip:port form), or takes ID 0, -1 or abc; a
      CLIENT SETINFO that closes the connection or sends nothing;
  6d  a HELLO reply with other pairs, in another order, or with a wrong
      proto, id or version (not INFO's redis_version); a bare HELLO after
      HELLO 3 that answers in RESP2; NOPROTO, "not an integer" and "Syntax
      error in HELLO option" errors worded otherwise, or a refused HELLO
      (bad version, bad option, bad SETNAME name) that switches the
      protocol anyway; HELLO options that are case-sensitive, or a first
      SETNAME that wins; a RESP3 that keeps $-1 or *-1 for a null (GET,
      LPOP, LPOP with a count, LINDEX, LPOS, LMOVE, SET ... GET, CLIENT
      GETNAME, MGET's elements), turns *0 into a null, changes simple
      strings, integers, errors or arrays, or sends INFO and CLIENT LIST as
      bulk strings instead of verbatim ones (=<len> counting "txt:"); a
      protocol switched for every connection instead of the one that sent
      HELLO 3;
  6e  an AUTH <password> without a configured password that replies OK
      or words its error otherwise; AUTH default <any> or HELLO 3 AUTH
      default <any> refused when no password is set, or a user other than
      default accepted;
  6f  COMMAND INFO of an unknown command that stays $-1 in RESP3;
  6h  a CONFIG GET that stays a flat array in RESP3, or sends a map per
      parameter.
"""

import re
import time

import pytest

from helpers import (ErrorReply, RespMap, SimpleString, Verbatim,
                     arity_error, bulk, command, error, expect_reply,
                     integer, request)

pytestmark = pytest.mark.stage(6)

CHAPTER = 6
OK = b"+OK\r\n"
NIL2 = b"$-1\r\n"
NIL3 = b"_\r\n"
NOPROTO = error("NOPROTO unsupported protocol version")
BAD_PROTOVER = error("ERR Protocol version is not an integer or out of range")
BAD_NAME = error("ERR Client names cannot contain spaces, newlines or special "
                 "characters.")
NO_SUCH_CLIENT = error("ERR No such client")
BAD_CLIENT_ID = error("ERR client-id should be greater than 0")
NO_PASSWORD = error("ERR AUTH <password> called without any password "
                    "configured for the default user. Are you sure your "
                    "configuration is correct?")
WRONGPASS = error("WRONGPASS invalid username-password pair or user is "
                  "disabled.")


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def hello_option_error(option):
    return error("ERR Syntax error in HELLO option '%s'" % option)


def client_id(conn):
    value, raw = request(conn, "CLIENT", "ID")
    assert isinstance(value, int) and value > 0, why(
        "CLIENT ID replied %r." % raw,
        "CLIENT ID replies the connection's id, an integer > 0")
    return value


def server_version(conn):
    """redis_version from INFO server (the HELLO reply must agree)."""
    value, raw = request(conn, "INFO", "server")
    text = bytes(value).decode(errors="replace")
    m = re.search(r"^redis_version:(\S+)\r?$", text, re.M)
    assert m, why("INFO server has no redis_version line: %r" % raw[:300],
                  "INFO server starts with redis_version:<x.y.z>")
    return m.group(1).encode()


def hello_reply(proto, version, client):
    """The exact bytes of the HELLO reply, RESP2 (2) or RESP3 (3)."""
    head = b"%7\r\n" if proto == 3 else b"*14\r\n"
    return (head + bulk("server") + bulk("redis") + bulk("version") +
            bulk(version) + bulk("proto") + integer(proto) + bulk("id") +
            integer(client) + bulk("mode") + bulk("standalone") +
            bulk("role") + bulk("master") + bulk("modules") + b"*0\r\n")


def client_fields(line):
    """A CLIENT LIST line as a dict (field -> value, as text)."""
    fields = {}
    for part in line.split(" "):
        name, sep, value = part.partition("=")
        if sep:
            fields[name] = value
    return fields


def client_lines(text):
    """CLIENT LIST's text as lines; checks each ends with a newline."""
    assert text.endswith("\n"), why(
        "CLIENT LIST's text does not end with a newline: %r" % text[-80:],
        "every line of CLIENT LIST, the last one too, ends with '\\n'")
    return text[:-1].split("\n")


def local_addr(conn):
    host, port = conn.sock.getsockname()[:2]
    return "%s:%d" % (host, port)


# ---------------------------------------------------------------------------
# QUIT and TIME
# ---------------------------------------------------------------------------

@pytest.mark.step("6c")
def test_quit_replies_ok_then_closes(r, connect):
    expect_reply(connect(), command("QUIT"), OK, chapter=CHAPTER,
                 close_after=True,
                 hint="QUIT: reply +OK, write it out, then close the "
                      "connection")


@pytest.mark.step("6c")
def test_quit_as_an_inline_command_closes_too(r, connect):
    expect_reply(connect(), b"QUIT\r\n", OK, chapter=CHAPTER,
                 close_after=True)


@pytest.mark.step("6c")
def test_commands_pipelined_after_quit_are_not_run(r, connect):
    conn = connect()
    expect_reply(conn, command("SET", "before", "1") + command("QUIT") +
                 command("SET", "after", "1"), OK + OK, chapter=CHAPTER,
                 close_after=True,
                 hint="after QUIT nothing more is read or run: only the "
                      "replies of the commands before it are sent")
    assert r.get("before") == b"1", why(
        "A SET acknowledged before QUIT did not happen.",
        "run the commands before QUIT as usual")
    assert r.get("after") is None, why(
        "A SET pipelined after QUIT was run.",
        "stop processing the input buffer once QUIT marked the client to "
        "be closed after its reply")


@pytest.mark.step("6c")
def test_time_replies_seconds_and_microseconds_as_bulk_strings(r, connect):
    conn = connect()
    before = time.time()
    value, raw = request(conn, "TIME")
    after = time.time()
    assert (isinstance(value, list) and len(value) == 2 and
            all(type(item) is bytes for item in value)), why(
        "TIME replied %r." % raw,
        "TIME replies an array of two bulk strings: unix time in seconds, "
        "and the microseconds within that second")
    seconds, micros = value
    assert re.fullmatch(rb"[1-9]\d*", seconds) and re.fullmatch(
        rb"0|[1-9]\d{0,5}", micros), why(
        "TIME replied %r: the numbers should be plain decimal (no sign, no "
        "padding with zeros)." % raw, "format them with %lld / %ld")
    now = int(seconds) + int(micros) / 1e6
    assert before - 1 <= now <= after + 1, why(
        "TIME says %.6f, the test's clock %.6f..%.6f." % (now, before, after),
        "use gettimeofday() or clock_gettime(CLOCK_REALTIME)")


@pytest.mark.step("6c")
def test_time_advances(r, connect):
    conn = connect()
    first = request(conn, "TIME")[0]
    time.sleep(0.02)
    second = request(conn, "TIME")[0]
    t1 = int(first[0]) * 10**6 + int(first[1])
    t2 = int(second[0]) * 10**6 + int(second[1])
    assert t2 - t1 >= 15000, why(
        "Two TIME 20 ms apart replied %r and %r." % (first, second),
        "the second number is microseconds (0..999999), not milliseconds")


@pytest.mark.step("6c")
def test_time_with_an_argument_is_an_arity_error(r, connect):
    expect_reply(connect(), command("TIME", "x"), arity_error("time"),
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# HELLO
# ---------------------------------------------------------------------------

@pytest.mark.step("6d")
def test_hello_3_replies_a_map_describing_the_server(r, connect):
    conn = connect()
    version, cid = server_version(conn), client_id(conn)
    expect_reply(conn, command("HELLO", "3"), hello_reply(3, version, cid),
                 chapter=CHAPTER,
                 hint="a RESP3 map %7 of 7 pairs: server redis, version (as "
                      "INFO's redis_version), proto 3, id (as CLIENT ID), "
                      "mode standalone, role master, modules (empty array)")


@pytest.mark.step("6d")
@pytest.mark.parametrize("args", [("HELLO", "2"), ("HELLO",)],
                         ids=["hello-2", "bare-hello"])
def test_hello_2_replies_a_flat_array(r, connect, args):
    conn = connect()
    version, cid = server_version(conn), client_id(conn)
    expect_reply(conn, command(*args), hello_reply(2, version, cid),
                 chapter=CHAPTER,
                 hint="in RESP2 the same 7 pairs go as a flat array of 14")


@pytest.mark.step("6d")
def test_bare_hello_after_hello_3_replies_in_resp3(r, connect):
    conn = connect()
    version, cid = server_version(conn), client_id(conn)
    expect_reply(conn, command("HELLO", "3"), hello_reply(3, version, cid),
                 chapter=CHAPTER)
    expect_reply(conn, command("HELLO"), hello_reply(3, version, cid),
                 chapter=CHAPTER,
                 hint="HELLO without a version keeps the current protocol")


@pytest.mark.step("6d")
def test_hello_reply_parses_as_a_map_with_the_expected_keys(r, connect):
    conn = connect()
    cid = client_id(conn)
    value, raw = request(conn, "HELLO", "3")
    assert isinstance(value, RespMap), why(
        "HELLO 3 replied %r." % raw, "in RESP3 HELLO replies a map (%)")
    assert value.names() == [b"server", b"version", b"proto", b"id", b"mode",
                            b"role", b"modules"], why(
        "HELLO 3's map has the keys %r." % value.names(),
        "server, version, proto, id, mode, role, modules, in that order")
    assert value.get(b"proto") == 3 and value.get(b"id") == cid, why(
        "HELLO 3 says proto=%r id=%r, CLIENT ID said %d."
        % (value.get(b"proto"), value.get(b"id"), cid),
        "proto is the protocol now in use, id the CLIENT ID")


@pytest.mark.step("6d")
@pytest.mark.parametrize("version", ["4", "1", "0", "-1"])
def test_hello_with_an_unsupported_version_is_noproto(r, connect, version):
    conn = connect()
    expect_reply(conn, command("HELLO", version), NOPROTO, chapter=CHAPTER,
                 hint="only 2 and 3 exist; the error code is NOPROTO")
    expect_reply(conn, command("GET", "missing"), NIL2, chapter=CHAPTER,
                 hint="a refused HELLO leaves the protocol as it was")


@pytest.mark.step("6d")
@pytest.mark.parametrize("version", ["abc", "03", "3.0"])
def test_hello_with_a_version_that_is_no_integer_is_an_error(r, connect,
                                                             version):
    expect_reply(connect(), command("HELLO", version), BAD_PROTOVER,
                 chapter=CHAPTER)


@pytest.mark.step("6d")
@pytest.mark.parametrize("args, option", [
    (("foo",), "foo"),
    (("SETNAME",), "SETNAME"),
    (("AUTH", "default"), "AUTH"),
    (("SETNAME", "my", "name"), "name"),
], ids=["unknown-option", "setname-without-name", "auth-without-password",
        "extra-argument"])
def test_hello_with_a_bad_option_is_a_syntax_error(r, connect, args, option):
    conn = connect()
    expect_reply(conn, command("HELLO", "3", *args),
                 hello_option_error(option), chapter=CHAPTER,
                 hint="an unknown option, or one missing its values, is "
                      "quoted as the client sent it")
    expect_reply(conn, command("GET", "missing"), NIL2, chapter=CHAPTER,
                 hint="a refused HELLO 3 must not switch to RESP3")


@pytest.mark.step("6d")
def test_hello_setname_names_the_connection(r, connect):
    conn = connect()
    value, raw = request(conn, "HELLO", "3", "SETNAME", "myname")
    assert isinstance(value, RespMap), why("HELLO 3 SETNAME replied %r" % raw,
                                           "the usual HELLO map")
    expect_reply(conn, command("CLIENT", "GETNAME"), bulk("myname"),
                 chapter=CHAPTER)


@pytest.mark.step("6d")
def test_hello_options_are_case_insensitive_and_the_last_name_wins(
        r, connect):
    conn = connect()
    value, raw = request(conn, "HELLO", "2", "setname", "first", "SetName",
                         "second")
    assert isinstance(value, list) and len(value) == 14, why(
        "HELLO 2 setname ... replied %r" % raw, "the usual HELLO array")
    expect_reply(conn, command("CLIENT", "GETNAME"), bulk("second"),
                 chapter=CHAPTER)


@pytest.mark.step("6d")
def test_hello_setname_with_a_bad_name_changes_nothing(r, connect):
    conn = connect()
    expect_reply(conn, command("HELLO", "3", "SETNAME", "bad name"), BAD_NAME,
                 chapter=CHAPTER,
                 hint="HELLO checks the name as CLIENT SETNAME does")
    expect_reply(conn, command("GET", "missing"), NIL2, chapter=CHAPTER,
                 hint="the protocol must not change when HELLO fails")
    expect_reply(conn, command("CLIENT", "GETNAME"), NIL2, chapter=CHAPTER)


@pytest.mark.step("6e")
def test_hello_auth_as_default_without_a_password_configured_succeeds(
        r, connect):
    # Without requirepass the default user has no password (nopass): any
    # password is accepted for it. Other users do not exist.
    conn = connect()
    value, raw = request(conn, "HELLO", "3", "AUTH", "default", "anything")
    assert isinstance(value, RespMap), why(
        "HELLO 3 AUTH default anything, on a server without requirepass, "
        "replied %r." % raw,
        "without a password the default user accepts any password")
    expect_reply(conn, command("HELLO", "3", "AUTH", "nouser", "x"),
                 WRONGPASS, chapter=CHAPTER,
                 hint="a user other than 'default' does not exist")


@pytest.mark.step("6d")
def test_hello_3_then_hello_2_goes_back_to_resp2(r, connect):
    conn = connect()
    request(conn, "HELLO", "3")
    expect_reply(conn, command("GET", "missing"), NIL3, chapter=CHAPTER)
    value, raw = request(conn, "HELLO", "2")
    assert isinstance(value, list) and len(value) == 14, why(
        "HELLO 2 replied %r." % raw, "the 14-item array of RESP2")
    expect_reply(conn, command("GET", "missing"), NIL2, chapter=CHAPTER,
                 hint="after HELLO 2 the null is $-1 again")


@pytest.mark.step("6d")
def test_hello_3_switches_only_its_own_connection(r, connect):
    first, second = connect(), connect()
    value, raw = request(first, "HELLO", "3")
    assert isinstance(value, RespMap), why(
        "HELLO 3 replied %r." % raw, "HELLO 3 switches to RESP3")
    expect_reply(second, command("GET", "missing"), NIL2, chapter=CHAPTER,
                 hint="the protocol belongs to the connection: HELLO 3 on "
                      "another one must leave this one in RESP2")
    third = connect()
    expect_reply(third, command("GET", "missing"), NIL2, chapter=CHAPTER,
                 hint="a new connection starts in RESP2, whatever the others "
                      "chose")
    expect_reply(first, command("GET", "missing"), NIL3, chapter=CHAPTER,
                 hint="the connection that sent HELLO 3 stays in RESP3")


# ---------------------------------------------------------------------------
# RESP3 replies
# ---------------------------------------------------------------------------

@pytest.fixture
def resp3(r, connect):
    """A raw connection switched to RESP3."""
    conn = connect()
    value, raw = request(conn, "HELLO", "3")
    assert isinstance(value, RespMap), why(
        "HELLO 3 replied %r." % raw, "HELLO 3 switches to RESP3, and "
                                     "replies a map")
    return conn


@pytest.mark.step("6d")
def test_ping_and_echo_reply_the_same_in_resp3(resp3):
    expect_reply(resp3, command("PING"), b"+PONG\r\n", chapter=CHAPTER)
    expect_reply(resp3, command("PING", "hi"), bulk("hi"), chapter=CHAPTER)
    expect_reply(resp3, command("ECHO", "hi"), bulk("hi"), chapter=CHAPTER)
    expect_reply(resp3, command("ECHO", ""), bulk(""), chapter=CHAPTER)


@pytest.mark.step("6d")
@pytest.mark.parametrize("args", [
    ("GET", "missing"),
    ("LPOP", "missing"),
    ("LPOP", "missing", "2"),
    ("RPOP", "missing", "0"),
    ("LINDEX", "missing", "0"),
    ("LPOS", "missing", "a"),
    ("LMOVE", "missing", "dst", "LEFT", "LEFT"),
    ("SET", "k", "v", "GET"),
    ("CLIENT", "GETNAME"),
], ids=["get", "lpop", "lpop-count", "rpop-count", "lindex", "lpos",
        "lmove", "set-get", "client-getname"])
def test_a_null_reply_is_an_underscore_in_resp3(resp3, args):
    expect_reply(resp3, command(*args), NIL3, chapter=CHAPTER,
                 hint="RESP3 has one null, '_\\r\\n', for both the null "
                      "bulk string ($-1) and the null array (*-1) of RESP2")


@pytest.mark.step("6d")
def test_mget_elements_of_missing_keys_are_resp3_nulls(resp3):
    expect_reply(resp3, command("SET", "a", "1"), OK, chapter=CHAPTER)
    expect_reply(resp3, command("MGET", "a", "missing"),
                 b"*2\r\n$1\r\n1\r\n_\r\n", chapter=CHAPTER)


@pytest.mark.step("6d")
def test_other_replies_do_not_change_in_resp3(resp3):
    expect_reply(resp3, command("SET", "k", "v"), OK, chapter=CHAPTER)
    expect_reply(resp3, command("GET", "k"), bulk("v"), chapter=CHAPTER)
    expect_reply(resp3, command("EXISTS", "k"), b":1\r\n", chapter=CHAPTER)
    expect_reply(resp3, command("TTL", "missing"), b":-2\r\n",
                 chapter=CHAPTER)
    expect_reply(resp3, command("RPUSH", "l", "a", "b"), b":2\r\n",
                 chapter=CHAPTER)
    expect_reply(resp3, command("LRANGE", "l", 0, -1),
                 b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", chapter=CHAPTER)
    expect_reply(resp3, command("LRANGE", "missing", 0, -1), b"*0\r\n",
                 chapter=CHAPTER,
                 hint="an empty array stays an empty array, not a null")
    expect_reply(resp3, command("GET", "l"),
                 error("WRONGTYPE Operation against a key holding the wrong "
                       "kind of value"), chapter=CHAPTER)


@pytest.mark.step("6h")
def test_config_get_replies_a_map_in_resp3(resp3):
    expect_reply(resp3, command("CONFIG", "GET", "timeout"),
                 b"%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n", chapter=CHAPTER,
                 hint="in RESP3 CONFIG GET replies a map: %<pairs>, then "
                      "name and value for each")
    expect_reply(resp3, command("CONFIG", "GET", "nosuchparameter"),
                 b"%0\r\n", chapter=CHAPTER)
    value, raw = request(resp3, "CONFIG", "GET", "timeout", "databases")
    assert isinstance(value, RespMap) and dict(value) == {
        b"timeout": b"0", b"databases": b"16"}, why(
        "CONFIG GET timeout databases replied %r." % raw,
        "one map with a pair per parameter")


@pytest.mark.step("6d")
def test_info_is_a_verbatim_string_in_resp3(resp3):
    expect_reply(resp3, command("INFO", "keyspace"),
                 b"=16\r\ntxt:# Keyspace\r\n\r\n", chapter=CHAPTER,
                 hint="in RESP3 INFO replies a verbatim string: '=' length "
                      "CRLF 'txt:' text CRLF, the length counting 'txt:'")
    value, raw = request(resp3, "INFO")
    assert isinstance(value, Verbatim) and value.format == b"txt", why(
        "INFO in RESP3 replied %r." % raw[:100], "a verbatim string, txt")
    assert value.startswith(b"# Server\r\n"), why(
        "INFO's text starts %r." % value[:40], "the first section is Server")


@pytest.mark.step("6d")
def test_client_list_and_info_are_verbatim_strings_in_resp3(resp3):
    cid = client_id(resp3)
    for sub in ("LIST", "INFO"):
        value, raw = request(resp3, "CLIENT", sub)
        assert isinstance(value, Verbatim) and value.format == b"txt", why(
            "CLIENT %s in RESP3 replied %r." % (sub, raw[:100]),
            "in RESP3 CLIENT LIST and CLIENT INFO reply a verbatim string "
            "(=<len>\\r\\ntxt:...)")
        mine = [client_fields(line) for line in client_lines(value.decode())
                if client_fields(line).get("id") == str(cid)]
        assert mine and mine[0].get("resp") == "3", why(
            "CLIENT %s's line for this connection: %r" % (sub, mine),
            "resp= is the protocol the connection uses, 3 after HELLO 3")


@pytest.mark.step("6f")
def test_command_info_of_an_unknown_command_is_a_null_in_resp3(resp3):
    expect_reply(resp3, command("COMMAND", "INFO", "nosuchcommand"),
                 b"*1\r\n_\r\n", chapter=CHAPTER)


# ---------------------------------------------------------------------------
# CLIENT ID, SETNAME, GETNAME
# ---------------------------------------------------------------------------

@pytest.mark.step("6c")
def test_client_id_is_an_integer_that_grows_with_each_connection(
        r, connect):
    first, second = connect(), connect()
    id1 = client_id(first)
    id2 = client_id(second)
    assert id2 > id1, why(
        "The connection opened first has id %d, the next one %d." % (id1, id2),
        "ids come from a counter incremented for each new connection")
    assert client_id(first) == id1, why(
        "CLIENT ID changed on the same connection.",
        "a connection keeps its id")


@pytest.mark.step("6c")
def test_client_id_with_an_argument_is_an_arity_error(r, connect):
    expect_reply(connect(), command("CLIENT", "ID", "x"),
                 arity_error("client|id"), chapter=CHAPTER,
                 hint="subcommands have their own arity, named "
                      "'client|id'")


@pytest.mark.step("6c")
def test_client_getname_is_nil_until_setname(r, connect):
    conn = connect()
    expect_reply(conn, command("CLIENT", "GETNAME"), NIL2, chapter=CHAPTER,
                 hint="a connection has no name until CLIENT SETNAME")
    expect_reply(conn, command("CLIENT", "SETNAME", "worker-1"), OK,
                 chapter=CHAPTER)
    expect_reply(conn, command("CLIENT", "GETNAME"), bulk("worker-1"),
                 chapter=CHAPTER)
    expect_reply(conn, command("CLIENT", "SETNAME", "worker-2"), OK,
                 chapter=CHAPTER)
    expect_reply(conn, command("CLIENT", "GETNAME"), bulk("worker-2"),
                 chapter=CHAPTER)


@pytest.mark.step("6c")
def test_client_setname_with_an_empty_name_removes_the_name(r, connect):
    conn = connect()
    expect_reply(conn, command("CLIENT", "SETNAME", "x"), OK, chapter=CHAPTER)
    expect_reply(conn, command("CLIENT", "SETNAME", ""), OK, chapter=CHAPTER)
    expect_reply(conn, command("CLIENT", "GETNAME"), NIL2, chapter=CHAPTER,
                 hint="SETNAME '' clears the name: GETNAME is nil again")


@pytest.mark.step("6c")
@pytest.mark.parametrize("name", ["my name", "a\nb", "tab\there",
                                  "caf\u00e9", "del\x7f"],
                         ids=["space", "newline", "tab", "non-ascii", "del"])
def test_client_setname_refuses_spaces_and_special_characters(r, connect,
                                                             name):
    conn = connect()
    expect_reply(conn, command("CLIENT", "SETNAME", name), BAD_NAME,
                 chapter=CHAPTER,
                 hint="a name may only hold the characters '!' to '~' "
                      "(ASCII 33 to 126)")
    expect_reply(conn, command("CLIENT", "GETNAME"), NIL2, chapter=CHAPTER)


@pytest.mark.step("6c")
@pytest.mark.parametrize("args, name", [
    (("SETNAME",), "client|setname"),
    (("SETNAME", "a", "b"), "client|setname"),
    (("GETNAME", "x"), "client|getname"),
    ((), "client"),
])
def test_client_with_a_wrong_number_of_arguments_is_an_arity_error(
        r, connect, args, name):
    expect_reply(connect(), command("CLIENT", *args), arity_error(name),
                 chapter=CHAPTER)


@pytest.mark.step("6c")
def test_client_with_an_unknown_subcommand_is_an_error(r, connect):
    expect_reply(connect(), command("CLIENT", "FOO"),
                 error("ERR unknown subcommand 'FOO'. Try CLIENT HELP."),
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# CLIENT LIST and CLIENT INFO
# ---------------------------------------------------------------------------

def my_line(conn, cid, sub="LIST"):
    value, raw = request(conn, "CLIENT", sub)
    assert type(value) is bytes, why(
        "CLIENT %s replied %r." % (sub, raw[:200]),
        "in RESP2 CLIENT %s replies a bulk string" % sub)
    lines = client_lines(value.decode())
    mine = [client_fields(line) for line in lines
            if client_fields(line).get("id") == str(cid)]
    assert len(mine) == 1, why(
        "CLIENT %s has %d lines with id=%d (CLIENT ID):\n%s"
        % (sub, len(mine), cid, value.decode()),
        "one line per connection, starting with id=<CLIENT ID>")
    return mine[0], lines


@pytest.mark.step("6c")
def test_client_list_describes_this_connection(r, connect, server):
    conn = connect()
    cid = client_id(conn)
    fields, _ = my_line(conn, cid)
    expected = {"id": str(cid), "addr": local_addr(conn),
                "laddr": "%s:%d" % (server.host, server.port), "name": "",
                "db": "0", "cmd": "client|list", "resp": "2"}
    got = {name: fields.get(name) for name in expected}
    assert got == expected, why(
        "CLIENT LIST's line for this connection has %r, expected %r."
        % (got, expected),
        "addr is the client's ip:port (getpeername), laddr the server's "
        "(getsockname), name empty until SETNAME, db the current database, "
        "cmd the last command run (subcommands as 'client|list'), resp the "
        "protocol")


@pytest.mark.step("6c")
def test_client_list_follows_setname_select_and_hello(r, connect):
    conn = connect()
    cid = client_id(conn)
    expect_reply(conn, command("CLIENT", "SETNAME", "lister"), OK,
                 chapter=CHAPTER)
    expect_reply(conn, command("SELECT", "3"), OK, chapter=CHAPTER)
    fields, _ = my_line(conn, cid)
    got = {name: fields.get(name) for name in ("name", "db", "resp")}
    assert got == {"name": "lister", "db": "3", "resp": "2"}, why(
        "After SETNAME lister and SELECT 3, CLIENT LIST says %r." % got,
        "name= and db= show the connection's current state")


@pytest.mark.step("6c")
def test_client_list_has_a_line_per_connection(r, connect):
    a, b = connect(), connect()
    ida, idb = client_id(a), client_id(b)
    expect_reply(b, command("CLIENT", "SETNAME", "other"), OK,
                 chapter=CHAPTER)
    value, raw = request(a, "CLIENT", "LIST")
    lines = client_lines(value.decode())
    by_id = {client_fields(line).get("id"): client_fields(line)
             for line in lines}
    assert str(ida) in by_id and str(idb) in by_id, why(
        "CLIENT LIST has the ids %r; this test's connections are %d and %d."
        % (sorted(by_id), ida, idb), "list every connected client")
    assert by_id[str(idb)].get("name") == "other", why(
        "The other connection's line: %r" % by_id[str(idb)],
        "each line describes its own connection")
    assert by_id[str(idb)].get("addr") == local_addr(b), why(
        "The other connection's addr= is %r, its address is %s."
        % (by_id[str(idb)].get("addr"), local_addr(b)),
        "addr is the client's own ip:port")


@pytest.mark.step("6c")
def test_client_info_is_the_line_of_this_connection(r, connect):
    conn = connect()
    cid = client_id(conn)
    fields, lines = my_line(conn, cid, "INFO")
    assert len(lines) == 1 and fields.get("cmd") == "client|info", why(
        "CLIENT INFO replied %r." % lines,
        "CLIENT INFO replies this connection's CLIENT LIST line only, "
        "ended by a newline")


@pytest.mark.step("6c")
def test_client_list_with_a_bad_option_is_an_error(r, connect):
    conn = connect()
    expect_reply(conn, command("CLIENT", "LIST", "foo"),
                 error("ERR syntax error"), chapter=CHAPTER)
    expect_reply(conn, command("CLIENT", "LIST", "TYPE", "foo"),
                 error("ERR Unknown client type 'foo'"), chapter=CHAPTER)


# ---------------------------------------------------------------------------
# CLIENT KILL
# ---------------------------------------------------------------------------

@pytest.mark.step("6c")
def test_client_kill_id_closes_that_connection(r, connect):
    killer, victim = connect(), connect()
    vid = client_id(victim)
    expect_reply(killer, command("CLIENT", "KILL", "ID", vid), integer(1),
                 chapter=CHAPTER,
                 hint="CLIENT KILL with options replies how many clients it "
                      "killed")
    expect_reply(victim, b"", b"", chapter=CHAPTER, close_after=True,
                 hint="the killed connection is closed without a reply")
    expect_reply(killer, command("PING"), b"+PONG\r\n", chapter=CHAPTER)


@pytest.mark.step("6c")
def test_client_kill_addr_closes_that_connection(r, connect):
    killer, victim = connect(), connect()
    client_id(victim)
    expect_reply(killer, command("CLIENT", "KILL", local_addr(victim)), OK,
                 chapter=CHAPTER,
                 hint="the old form, CLIENT KILL ip:port, replies +OK")
    expect_reply(victim, b"", b"", chapter=CHAPTER, close_after=True)


@pytest.mark.step("6c")
def test_client_kill_addr_option_closes_that_connection(r, connect):
    killer, victim = connect(), connect()
    client_id(victim)
    expect_reply(killer, command("CLIENT", "KILL", "ADDR", local_addr(victim)),
                 integer(1), chapter=CHAPTER)
    expect_reply(victim, b"", b"", chapter=CHAPTER, close_after=True)


@pytest.mark.step("6c")
def test_client_kill_of_no_such_client(r, connect):
    conn = connect()
    expect_reply(conn, command("CLIENT", "KILL", "ID", "999999"), integer(0),
                 chapter=CHAPTER,
                 hint="with the ID option nobody killed is no error: reply 0")
    expect_reply(conn, command("CLIENT", "KILL", "ADDR", "1.2.3.4:5"),
                 integer(0), chapter=CHAPTER)
    expect_reply(conn, command("CLIENT", "KILL", "1.2.3.4:5"), NO_SUCH_CLIENT,
                 chapter=CHAPTER,
                 hint="the old form CLIENT KILL ip:port is an error when no "
                      "client has that address")


@pytest.mark.step("6c")
def test_client_kill_id_of_this_connection_skips_it(r, connect):
    conn = connect()
    cid = client_id(conn)
    expect_reply(conn, command("CLIENT", "KILL", "ID", cid), integer(0),
                 chapter=CHAPTER,
                 hint="the filter form skips the calling client unless "
                      "SKIPME no is given")
    expect_reply(conn, command("PING"), b"+PONG\r\n", chapter=CHAPTER)


@pytest.mark.step("6c")
def test_client_kill_addr_of_this_connection_replies_then_closes(r,
                                                                connect):
    conn = connect()
    client_id(conn)
    expect_reply(conn, command("CLIENT", "KILL", local_addr(conn)), OK,
                 chapter=CHAPTER, close_after=True,
                 hint="the old form kills the caller too, after its +OK")


@pytest.mark.step("6c")
@pytest.mark.parametrize("args, reply", [
    (("ID", "abc"), BAD_CLIENT_ID),
    (("ID", "0"), BAD_CLIENT_ID),
    (("ID", "-1"), BAD_CLIENT_ID),
    (("ID",), NO_SUCH_CLIENT),
    (("FOO", "bar"), error("ERR syntax error")),
    ((), arity_error("client|kill")),
], ids=["id-not-a-number", "id-zero", "id-negative", "id-without-value",
        "unknown-filter", "no-argument"])
def test_client_kill_with_bad_arguments_is_an_error(r, connect, args, reply):
    expect_reply(connect(), command("CLIENT", "KILL", *args), reply,
                 chapter=CHAPTER,
                 hint="a lone argument is the old ip:port form; otherwise "
                      "filter/value pairs")


# ---------------------------------------------------------------------------
# CLIENT SETINFO (Redis 7.2)
# ---------------------------------------------------------------------------

@pytest.mark.step("6c")
def test_client_setinfo_replies_and_leaves_the_connection_usable(r, connect):
    # What clients do on connect: send it, ignore an error (Redis < 7.2).
    conn = connect()
    for attr, value in (("LIB-NAME", "redis-py"), ("LIB-VER", "4.3.4")):
        reply, raw = request(conn, "CLIENT", "SETINFO", attr, value)
        assert isinstance(reply, (SimpleString, ErrorReply)) and (
            reply == b"OK" or isinstance(reply, ErrorReply)), why(
            "CLIENT SETINFO %s %s replied %r." % (attr, value, raw),
            "reply +OK (Redis 7.2) or an error (7.0): never close the "
            "connection or send nothing")
    expect_reply(conn, command("PING"), b"+PONG\r\n", chapter=CHAPTER)


@pytest.mark.step("6c")
@pytest.mark.project_only
def test_client_setinfo_lib_name_and_lib_ver_reply_ok(r, connect):
    conn = connect()
    expect_reply(conn, command("CLIENT", "SETINFO", "LIB-NAME", "redis-py"),
                 OK, chapter=CHAPTER,
                 hint="Redis 7.2 accepts CLIENT SETINFO LIB-NAME / LIB-VER "
                      "and shows them in CLIENT LIST as lib-name= lib-ver=")
    expect_reply(conn, command("CLIENT", "SETINFO", "lib-ver", "4.3.4"), OK,
                 chapter=CHAPTER,
                 hint="the attribute name is case-insensitive")
    expect_reply(conn, command("CLIENT", "GETNAME"), NIL2, chapter=CHAPTER,
                 hint="the library name is not the connection's name")


# ---------------------------------------------------------------------------
# AUTH without a password configured
# ---------------------------------------------------------------------------

@pytest.mark.step("6e")
def test_auth_without_a_password_configured_is_an_error(r, connect):
    expect_reply(connect(), command("AUTH", "x"), NO_PASSWORD,
                 chapter=CHAPTER,
                 hint="without requirepass, AUTH <password> is refused with "
                      "this exact text")


@pytest.mark.step("6e")
def test_auth_default_user_without_a_password_configured_replies_ok(
        r, connect):
    conn = connect()
    expect_reply(conn, command("AUTH", "default", "anything"), OK,
                 chapter=CHAPTER,
                 hint="the two-argument form names a user: the default user "
                      "without a password accepts any password")
    expect_reply(conn, command("AUTH", "nouser", "x"), WRONGPASS,
                 chapter=CHAPTER)
