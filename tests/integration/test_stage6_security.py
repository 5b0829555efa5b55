"""Stage 6: who may connect and for how long: requirepass and AUTH,
maxclients, timeout, protected mode; and the config file these come from.

With --requirepass PASS a connection must authenticate before anything
else. Until it does, every command but AUTH, HELLO and QUIT is refused with
`-NOAUTH Authentication required.`, after the server checked that the
command exists and has the right number of arguments (those errors come
first). HELLO without AUTH is refused with its own long NOAUTH text (below).
AUTH PASS and AUTH default PASS authenticate; a wrong password, or another
user, is `-WRONGPASS invalid username-password pair or user is disabled.`
and a failed AUTH does not undo an earlier successful one.

--maxclients N: the connection beyond N gets
`-ERR max number of clients reached` and is closed. --timeout S closes a
connection idle for more than S seconds (Redis checks in its cron, with a
resolution of a second: an idle client goes after S to S+1 seconds).

Protected mode (on by default) applies when no password is set: a client
connecting from an address other than the loopback gets the -DENIED error
below and is closed. The test needs a non-loopback address of this machine
and is skipped without one.

A config file is the server's first argument (redis-server FILE --port N):
one directive per line, `name value...`, # comments and blank lines ignored,
values may be quoted ("a b"). Options on the command line come after the
file and win. A bad line stops the server with a non-zero status and a
message naming the line: Redis prints

    *** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
    Reading the configuration file, at line 4
    >>> 'nosuchdirective 1'
    Bad directive or wrong number of arguments

The wrong servers these tests catch, step by step:
  6e  a command run before AUTH (a SET that sets, a SELECT that selects),
      a NOAUTH worded otherwise, or given before the unknown-command and
      arity errors; a QUIT refused before AUTH; AUTH default <password>
      refused; a wrong password, a wrong user, or a password that is a
      prefix, an extension or another case of the right one accepted; a
      failed AUTH that logs an authenticated connection out; AUTH with
      three arguments not a syntax error; one connection's AUTH letting
      another in; HELLO allowed before AUTH, or refused with the short
      NOAUTH; a HELLO 3 AUTH that does not authenticate, switch and name,
      or a failed one that switches the protocol; CONFIG GET requirepass
      not reporting the password; redis-py, with a password or a user and
      a password, unable to work, or without one unable to tell why;
  6f  COMMAND COUNT or COMMAND DOCS answered before AUTH;
  6g  a client beyond --maxclients served, or refused without the error,
      a place not freed when a client leaves; a --timeout that closes an
      active client, closes an idle or a silent one early (under 0.9 s),
      late (after 4 s), or with a reply; protected mode that lets an
      outside client in without a password, refuses the loopback, or
      still applies with a password or with protected-mode no (these
      need a non-loopback address and are skipped without one);
  6h  config file settings (requirepass, databases) ignored; a file that
      wins over the command line; quoted values and extra spaces not
      read as redis.conf reads them; an unknown directive, a bad value or
      a missing value that does not stop the start with a non-zero status
      and the line's number; a missing file that does not stop it.
"""

import os
import socket
import time

import pytest
import redis

from helpers import (RawConnection, RespMap, arity_error, bulk, command,
                     error, expect_reply, request, wait_until)

pytestmark = pytest.mark.stage(6)

CHAPTER = 6
OK = b"+OK\r\n"
PONG = b"+PONG\r\n"
NOAUTH = error("NOAUTH Authentication required.")
NOAUTH_HELLO = error(
    "NOAUTH HELLO must be called with the client already authenticated, "
    "otherwise the HELLO AUTH <user> <pass> option can be used to "
    "authenticate the client and select the RESP protocol version at the "
    "same time")
WRONGPASS = error("WRONGPASS invalid username-password pair or user is "
                  "disabled.")
MAX_CLIENTS = error("ERR max number of clients reached")
DENIED = error(
    "DENIED Redis is running in protected mode because protected mode is "
    "enabled and no password is set for the default user. In this mode "
    "connections are only accepted from the loopback interface. If you want "
    "to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by "
    "connecting to Redis from the same host the server is running, however "
    "MAKE SURE Redis is not publicly accessible from internet if you do so. "
    "Use CONFIG REWRITE to make this change permanent. 2) Alternatively you "
    "can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then "
    "restarting the server. 3) If you started the server manually just for "
    "testing, restart it with the '--protected-mode no' option. 4) Setup a "
    "an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start "
    "accepting connections from the outside.")
PASSWORD = "secret"


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


@pytest.fixture
def protected(server_factory):
    """A fresh server started with --requirepass secret."""
    return server_factory.start("--requirepass", PASSWORD)


def wait_for_listener(host, port, timeout=10.0):
    """The suite knows a server is up once 127.0.0.1 answers; a second
    address is bound a moment later (much later under valgrind)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=1.0).close()
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


@pytest.fixture
def raw(request):
    """raw(server) opens a RawConnection to it; all are closed after."""
    opened = []

    def _open(server, host=None):
        if host is not None:
            wait_for_listener(host, server.port)
        conn = RawConnection(host or server.host, server.port)
        opened.append(conn)
        return conn
    yield _open
    for conn in opened:
        conn.close()


# ---------------------------------------------------------------------------
# requirepass and AUTH
# ---------------------------------------------------------------------------

@pytest.mark.step("6e")
@pytest.mark.parametrize("args", [
    ("PING",), ("GET", "k"), ("SET", "k", "v"), ("SELECT", "1"),
    ("DBSIZE",), ("KEYS", "*"), ("FLUSHALL",), ("ECHO", "hi"), ("TIME",),
    ("INFO",), ("CONFIG", "GET", "*"), ("CLIENT", "ID"),
    ("CLIENT", "SETNAME", "x"), ("SWAPDB", "0", "1"), ("LPUSH", "l", "a"),
], ids=lambda args: "-".join(args).lower().replace("*", "star"))
def test_commands_before_auth_are_refused_with_noauth(protected, raw, args):
    conn = raw(protected)
    expect_reply(conn, command(*args), NOAUTH, chapter=CHAPTER,
                 hint="with requirepass set, a connection that has not "
                      "authenticated may only send AUTH, HELLO and QUIT")


# COMMAND comes after AUTH (a step of its own): redis-cli sends COMMAND DOCS
# as it starts, and it must not give the command table away either.
@pytest.mark.step("6f")
@pytest.mark.parametrize("args", [("COMMAND", "COUNT"), ("COMMAND", "DOCS")],
                         ids=["command-count", "command-docs"])
def test_command_before_auth_is_refused_with_noauth(protected, raw, args):
    expect_reply(raw(protected), command(*args), NOAUTH, chapter=CHAPTER,
                 hint="COMMAND is no exception: before AUTH only AUTH, HELLO "
                      "and QUIT run")


@pytest.mark.step("6e")
def test_nothing_refused_with_noauth_was_run(protected, raw):
    conn = raw(protected)
    expect_reply(conn, command("SET", "k", "v"), NOAUTH, chapter=CHAPTER)
    expect_reply(conn, command("SELECT", "1"), NOAUTH, chapter=CHAPTER)
    expect_reply(conn, command("AUTH", PASSWORD), OK, chapter=CHAPTER)
    expect_reply(conn, command("GET", "k"), b"$-1\r\n", chapter=CHAPTER,
                 hint="a command refused with NOAUTH must not run")
    expect_reply(conn, command("DBSIZE"), b":0\r\n", chapter=CHAPTER,
                 hint="the refused SELECT 1 must not have changed the "
                      "database either")


@pytest.mark.step("6e")
def test_unknown_commands_and_arity_errors_come_before_noauth(protected,
                                                              raw):
    conn = raw(protected)
    expect_reply(conn, command("NOSUCHCMD"),
                 error("ERR unknown command 'NOSUCHCMD', with args beginning "
                       "with: "), chapter=CHAPTER,
                 hint="Redis looks the command up and checks its arity "
                      "before it checks authentication")
    expect_reply(conn, command("GET"), arity_error("get"), chapter=CHAPTER)


@pytest.mark.step("6e")
def test_quit_before_auth_replies_ok_and_closes(protected, raw):
    expect_reply(raw(protected), command("QUIT"), OK, chapter=CHAPTER,
                 close_after=True, hint="QUIT needs no authentication")


@pytest.mark.step("6e")
def test_auth_with_the_password_lets_commands_through(protected, raw):
    conn = raw(protected)
    expect_reply(conn, command("AUTH", PASSWORD), OK, chapter=CHAPTER)
    expect_reply(conn, command("PING"), PONG, chapter=CHAPTER)
    expect_reply(conn, command("SET", "k", "v"), OK, chapter=CHAPTER)
    expect_reply(conn, command("GET", "k"), bulk("v"), chapter=CHAPTER)


@pytest.mark.step("6e")
def test_auth_as_the_default_user_lets_commands_through(protected, raw):
    conn = raw(protected)
    expect_reply(conn, command("AUTH", "default", PASSWORD), OK,
                 chapter=CHAPTER,
                 hint="AUTH user password: requirepass is the password of "
                      "the user named 'default'")
    expect_reply(conn, command("PING"), PONG, chapter=CHAPTER)


@pytest.mark.step("6e")
@pytest.mark.parametrize("args", [("wrong",), ("default", "wrong"),
                                  ("nouser", PASSWORD)],
                         ids=["wrong-password", "default-wrong-password",
                              "unknown-user"])
def test_auth_with_wrong_credentials_is_wrongpass(protected, raw, args):
    conn = raw(protected)
    expect_reply(conn, command("AUTH", *args), WRONGPASS, chapter=CHAPTER)
    expect_reply(conn, command("PING"), NOAUTH, chapter=CHAPTER,
                 hint="after a failed AUTH the connection is still not "
                      "authenticated")


@pytest.mark.step("6e")
@pytest.mark.parametrize("password", ["secre", "secretx", "SECRET", ""],
                         ids=["prefix", "longer", "other-case", "empty"])
def test_auth_with_a_password_close_to_the_right_one_is_wrongpass(
        protected, raw, password):
    # strncmp(given, password, strlen(given)) accepts a prefix, and
    # strncmp(given, password, strlen(password)) a longer password.
    conn = raw(protected)
    for args in (("AUTH", password), ("AUTH", "default", password)):
        expect_reply(conn, command(*args), WRONGPASS, chapter=CHAPTER,
                     hint="the password matches only if it has the same "
                          "length and the same bytes: compare the lengths, "
                          "then every byte")
    expect_reply(conn, command("PING"), NOAUTH, chapter=CHAPTER)


@pytest.mark.step("6e")
def test_a_failed_auth_keeps_an_earlier_successful_one(protected, raw):
    conn = raw(protected)
    expect_reply(conn, command("AUTH", PASSWORD), OK, chapter=CHAPTER)
    expect_reply(conn, command("AUTH", "wrong"), WRONGPASS, chapter=CHAPTER)
    expect_reply(conn, command("PING"), PONG, chapter=CHAPTER,
                 hint="Redis 7 does not log a client out when a later AUTH "
                      "fails")


@pytest.mark.step("6e")
def test_auth_errors(protected, raw):
    conn = raw(protected)
    expect_reply(conn, command("AUTH"), arity_error("auth"), chapter=CHAPTER)
    expect_reply(conn, command("AUTH", "a", "b", "c"),
                 error("ERR syntax error"), chapter=CHAPTER,
                 hint="AUTH takes a password, or a user and a password")


@pytest.mark.step("6e")
def test_each_connection_authenticates_on_its_own(protected, raw):
    first, second = raw(protected), raw(protected)
    expect_reply(first, command("AUTH", PASSWORD), OK, chapter=CHAPTER)
    expect_reply(second, command("PING"), NOAUTH, chapter=CHAPTER,
                 hint="authentication belongs to the connection")


@pytest.mark.step("6e")
def test_hello_without_auth_is_refused(protected, raw):
    conn = raw(protected)
    for args in (("HELLO",), ("HELLO", "3")):
        expect_reply(conn, command(*args), NOAUTH_HELLO, chapter=CHAPTER,
                     hint="HELLO is allowed before AUTH only with its AUTH "
                          "option; this is its own NOAUTH text")
    expect_reply(conn, command("GET", "k"), NOAUTH, chapter=CHAPTER)


@pytest.mark.step("6e")
def test_hello_3_with_auth_authenticates_and_switches(protected, raw):
    conn = raw(protected)
    value, got = request(conn, "HELLO", "3", "AUTH", "default", PASSWORD,
                         "SETNAME", "named")
    assert isinstance(value, RespMap) and value.get(b"proto") == 3, why(
        "HELLO 3 AUTH default <password> SETNAME named replied %r." % got,
        "check the credentials, then switch to RESP3 and reply the map")
    expect_reply(conn, command("GET", "k"), b"_\r\n", chapter=CHAPTER,
                 hint="authenticated, and in RESP3")
    expect_reply(conn, command("CLIENT", "GETNAME"), bulk("named"),
                 chapter=CHAPTER)


@pytest.mark.step("6e")
def test_hello_with_wrong_auth_is_wrongpass_and_changes_nothing(protected,
                                                                raw):
    conn = raw(protected)
    expect_reply(conn, command("HELLO", "3", "AUTH", "default", "wrong"),
                 WRONGPASS, chapter=CHAPTER)
    expect_reply(conn, command("AUTH", PASSWORD), OK, chapter=CHAPTER)
    expect_reply(conn, command("GET", "k"), b"$-1\r\n", chapter=CHAPTER,
                 hint="a HELLO that failed to authenticate must not switch "
                      "the protocol")


@pytest.mark.step("6e")
def test_config_get_requirepass_reports_the_password(protected, raw):
    conn = raw(protected)
    expect_reply(conn, command("AUTH", PASSWORD), OK, chapter=CHAPTER)
    expect_reply(conn, command("CONFIG", "GET", "requirepass"),
                 b"*2\r\n$11\r\nrequirepass\r\n$6\r\nsecret\r\n",
                 chapter=CHAPTER)


@pytest.mark.step("6e")
def test_redis_py_with_a_password(protected):
    for kwargs in ({"password": PASSWORD},
                   {"username": "default", "password": PASSWORD}):
        client = redis.Redis(host=protected.host, port=protected.port,
                             socket_timeout=10, **kwargs)
        try:
            assert client.ping() is True, why(
                "redis-py %r could not PING." % kwargs,
                "redis-py sends AUTH [user] password when it connects")
            client.set("k", "v")
            assert client.get("k") == b"v", why(
                "redis-py %r: GET after SET failed." % kwargs,
                "an authenticated connection runs every command")
        finally:
            client.connection_pool.disconnect()


@pytest.mark.step("6e")
def test_redis_py_without_or_with_a_wrong_password_fails(protected):
    # redis-py drops the NOAUTH code from the message, keeps WRONGPASS.
    for kwargs, code in (({}, "Authentication required."),
                         ({"password": "wrong"},
                          "invalid username-password pair")):
        client = redis.Redis(host=protected.host, port=protected.port,
                             socket_timeout=10, **kwargs)
        try:
            with pytest.raises(redis.exceptions.RedisError) as failure:
                client.ping()
            assert code in str(failure.value), why(
                "redis-py %r got %r." % (kwargs, str(failure.value)),
                "the error says %r" % code)
        finally:
            client.connection_pool.disconnect()


# ---------------------------------------------------------------------------
# maxclients
# ---------------------------------------------------------------------------

def connected_clients(conn):
    value, got = request(conn, "INFO", "clients")
    for line in bytes(value).decode().split("\r\n"):
        if line.startswith("connected_clients:"):
            return int(line.split(":", 1)[1])
    raise AssertionError(why("INFO clients has no connected_clients: %r"
                             % got, "INFO clients counts the connections"))


@pytest.mark.step("6g")
def test_a_connection_beyond_maxclients_is_refused(server_factory, raw):
    fresh = server_factory.start("--maxclients", "3")
    first = raw(fresh)
    # The suite's start-up probe may still count: wait until it is gone.
    assert wait_until(lambda: connected_clients(first) == 1, 3.0), why(
        "connected_clients stays %d with one client." %
        connected_clients(first), "count the clients connected now")
    others = [raw(fresh), raw(fresh)]
    for conn in others:
        expect_reply(conn, command("PING"), PONG, chapter=CHAPTER,
                     hint="with --maxclients 3 three clients may connect")
    extra = raw(fresh)
    expect_reply(extra, b"", MAX_CLIENTS, chapter=CHAPTER, close_after=True,
                 hint="the client beyond maxclients gets this error as soon "
                      "as it is accepted, then the server closes it")
    expect_reply(first, command("CONFIG", "GET", "maxclients"),
                 b"*2\r\n$10\r\nmaxclients\r\n$1\r\n3\r\n", chapter=CHAPTER)
    others[0].close()
    assert wait_until(lambda: connected_clients(first) == 2, 3.0), why(
        "connected_clients:%d after one of three clients left."
        % connected_clients(first),
        "a closed connection frees its place")
    again = raw(fresh)
    expect_reply(again, command("PING"), PONG, chapter=CHAPTER,
                 hint="once a client left, a new one may connect")


# ---------------------------------------------------------------------------
# timeout
# ---------------------------------------------------------------------------

@pytest.mark.step("6g")
def test_idle_clients_are_closed_after_timeout(server_factory, raw):
    fresh = server_factory.start("--timeout", "1")
    idle = raw(fresh)
    silent = raw(fresh)           # never sends anything
    active = raw(fresh)
    expect_reply(idle, command("PING"), PONG, chapter=CHAPTER)
    start = time.monotonic()
    closed_at = {}
    deadline = start + 4.0
    while time.monotonic() < deadline and len(closed_at) < 2:
        expect_reply(active, command("PING"), PONG, chapter=CHAPTER,
                     hint="a client that sends a command at least every "
                          "second is never idle long enough to be closed")
        for name, conn in (("idle", idle), ("silent", silent)):
            if name not in closed_at:
                extra = conn.read_available(0.1)
                if conn.closed:
                    closed_at[name] = time.monotonic() - start
                    assert extra == b"", why(
                        "The server sent %r to the %s client before closing "
                        "it." % (extra, name),
                        "a timed-out client is closed without a reply")
    assert set(closed_at) == {"idle", "silent"}, why(
        "With --timeout 1, after 4 s these clients are still open: %s."
        % ", ".join(sorted({"idle", "silent"} - set(closed_at))),
        "in the cron, close every normal client whose last interaction is "
        "more than `timeout` seconds ago")
    early = {name: t for name, t in closed_at.items() if t < 0.9}
    assert not early, why(
        "Clients closed too early with --timeout 1: %r." % early,
        "close a client idle for more than the timeout, not before")
    expect_reply(active, command("PING"), PONG, chapter=CHAPTER)
    expect_reply(active, command("CONFIG", "GET", "timeout"),
                 b"*2\r\n$7\r\ntimeout\r\n$1\r\n1\r\n", chapter=CHAPTER)


# ---------------------------------------------------------------------------
# Protected mode
# ---------------------------------------------------------------------------

def non_loopback_address():
    """An IPv4 address of this machine outside 127/8, or None.

    Connecting a UDP socket sends nothing; it only makes the kernel pick the
    source address it would route through.
    """
    candidates = []
    for target in ("192.0.2.1", "10.255.255.255", "8.8.8.8"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((target, 9))
                candidates.append(s.getsockname()[0])
        except OSError:
            pass
    try:
        candidates += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    for address in candidates:
        if address.startswith("127.") or address == "0.0.0.0":
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind((address, 0))
        except OSError:
            continue
        return address
    return None


@pytest.fixture(scope="module")
def outside_address():
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to "
                    "connect from")
    return address


@pytest.mark.step("6g")
def test_protected_mode_denies_clients_from_outside(server_factory, raw,
                                                    outside_address):
    fresh = server_factory.start("--bind", "127.0.0.1", outside_address,
                                 "--protected-mode", "yes")
    conn = raw(fresh, host=outside_address)
    expect_reply(conn, b"", DENIED, chapter=CHAPTER, close_after=True,
                 hint="protected mode, no password, and a client whose "
                      "address is not the loopback: send this error as soon "
                      "as it is accepted, then close it")
    local = raw(fresh)
    expect_reply(local, command("PING"), PONG, chapter=CHAPTER,
                 hint="clients from 127.0.0.1 are always accepted")


@pytest.mark.step("6g")
def test_protected_mode_lets_outside_clients_in_with_a_password(
        server_factory, raw, outside_address):
    fresh = server_factory.start("--bind", "127.0.0.1", outside_address,
                                 "--protected-mode", "yes",
                                 "--requirepass", PASSWORD)
    conn = raw(fresh, host=outside_address)
    expect_reply(conn, command("PING"), NOAUTH, chapter=CHAPTER,
                 hint="with a password set, protected mode does not apply: "
                      "the client must only authenticate")
    expect_reply(conn, command("AUTH", PASSWORD), OK, chapter=CHAPTER)


@pytest.mark.step("6g")
def test_protected_mode_no_lets_outside_clients_in(server_factory, raw,
                                                   outside_address):
    fresh = server_factory.start("--bind", "127.0.0.1", outside_address,
                                 "--protected-mode", "no")
    expect_reply(raw(fresh, host=outside_address), command("PING"), PONG,
                 chapter=CHAPTER)


# ---------------------------------------------------------------------------
# The config file
# ---------------------------------------------------------------------------

def write_config(tmp_path, text, name="redis.conf"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.step("6h")
def test_config_file_settings_apply(server_factory, raw, tmp_path):
    conf = write_config(tmp_path, "# stage 6 settings\n\ndatabases 4\n"
                                  "requirepass x\ntimeout 0\n")
    fresh = server_factory.start(config_file=conf)
    conn = raw(fresh)
    expect_reply(conn, command("PING"), NOAUTH, chapter=CHAPTER,
                 hint="requirepass x in the config file sets the password")
    expect_reply(conn, command("AUTH", "x"), OK, chapter=CHAPTER)
    expect_reply(conn, command("SELECT", "3"), OK, chapter=CHAPTER)
    expect_reply(conn, command("SELECT", "4"),
                 error("ERR DB index is out of range"), chapter=CHAPTER,
                 hint="databases 4 in the config file: db 0 to 3")
    expect_reply(conn, command("CONFIG", "GET", "databases"),
                 b"*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n", chapter=CHAPTER)


@pytest.mark.step("6h")
def test_command_line_options_override_the_config_file(server_factory, raw,
                                                       tmp_path):
    conf = write_config(tmp_path, "databases 4\nrequirepass x\n")
    fresh = server_factory.start("--databases", "8", "--requirepass", "y",
                                 config_file=conf)
    conn = raw(fresh)
    expect_reply(conn, command("AUTH", "x"), WRONGPASS, chapter=CHAPTER,
                 hint="options on the command line are applied after the "
                      "file's lines: --requirepass y wins")
    expect_reply(conn, command("AUTH", "y"), OK, chapter=CHAPTER)
    expect_reply(conn, command("SELECT", "7"), OK, chapter=CHAPTER)
    expect_reply(conn, command("SELECT", "8"),
                 error("ERR DB index is out of range"), chapter=CHAPTER)


@pytest.mark.step("6h")
def test_config_file_with_quotes_and_extra_spaces(server_factory, raw,
                                                  tmp_path):
    conf = write_config(tmp_path, '  maxclients   5  \n'
                                  'requirepass "a b"\n')
    fresh = server_factory.start(config_file=conf)
    conn = raw(fresh)
    expect_reply(conn, command("AUTH", "a b"), OK, chapter=CHAPTER,
                 hint="a quoted value may hold spaces: split the line into "
                      "arguments as redis-cli does (sdssplitargs)")
    expect_reply(conn, command("CONFIG", "GET", "maxclients"),
                 b"*2\r\n$10\r\nmaxclients\r\n$1\r\n5\r\n", chapter=CHAPTER,
                 hint="spaces around and between the words do not matter")


@pytest.mark.step("6h")
@pytest.mark.parametrize("text, line, word", [
    ("# comment\n\nport 7777\nnosuchdirective 1\n", 4, "nosuchdirective"),
    ("databases abc\n", 1, "databases"),
    ("timeout\n", 1, "timeout"),
], ids=["unknown-directive", "bad-value", "missing-value"])
def test_a_bad_config_file_line_stops_the_server(server_factory, tmp_path,
                                                 text, line, word):
    conf = write_config(tmp_path, text)
    code, output = server_factory.run_until_exit(config_file=conf)
    assert code is not None, why(
        "The server kept running with a bad config file line %r."
        % text.splitlines()[line - 1],
        "refuse to start: exit with a non-zero status")
    assert code != 0, why("The server exited with status 0 on a bad config "
                          "file line.", "exit with a non-zero status")
    assert ("line %d" % line) in output and word in output, why(
        "For the bad line %d %r the server printed:\n%s"
        % (line, text.splitlines()[line - 1], output.strip() or "(nothing)"),
        "name the line ('at line %d') and show it, as Redis does" % line)


@pytest.mark.step("6h")
def test_a_missing_config_file_stops_the_server(server_factory, tmp_path):
    missing = tmp_path / "nosuchfile.conf"
    code, output = server_factory.run_until_exit(config_file=missing)
    assert code not in (None, 0), why(
        "The server started (status %r) with a config file that does not "
        "exist." % code, "exit with a non-zero status")
    assert os.path.basename(str(missing)) in output, why(
        "The server printed %r." % output.strip(),
        "name the file it could not open")
