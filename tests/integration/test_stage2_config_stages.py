"""Stage 2: each stage knows the configuration parameters of its own stage
and of the earlier ones, and no others (workshop.md chapter 2, "set/get").

Every stage binary is built from the same configuration table, one row per
parameter, each row saying which stage brings it. A stage-2 server must not
know requirepass: `CONFIG SET requirepass x` used to answer +OK there, and
every later connection got -NOAUTH with no way to authenticate (stage 2 has
no AUTH). Below the stage that brings a parameter, the parameter is unknown
everywhere, as redis-server treats a name it has never heard of:

- CONFIG SET answers
  `-ERR Unknown option or number of arguments for CONFIG SET - 'NAME'`
  and changes nothing: PING still answers +PONG, on any connection;
- CONFIG GET NAME replies an empty array, and CONFIG GET * leaves it out;
- `--NAME VALUE` on the command line stops the binary with exit status 1
  and `unknown option '--NAME'` on stderr.

EXPECTED_PARAMETERS below is the table: what CONFIG GET * lists at each
stage. Stages 2 to 5 list exactly these; stage 6 lists at least its row
(it may report more parameters of its own).

The checks of what a stage does NOT know are about our binaries (marked
project_only: redis-server knows every parameter); a test about a stage-6
parameter skips itself from stage 6 on, one about a stage-5 parameter from
stage 5 on.

The wrong servers these tests catch, step by step:
  2h  one whose CONFIG GET * leaves out a parameter of its stage; and, of
      our own binaries only (project_only, so a learner's server runs just
      the first test): one whose CONFIG GET * names a later stage's
      parameter, whose CONFIG GET or CONFIG SET knows one (CONFIG SET
      requirepass answering +OK, and every later client then locked out
      with -NOAUTH on a stage with no AUTH), whose command line accepts a
      later stage's --option, or whose CONFIG SET appendonly yes below stage
      5 does not say which stage brings the file.
"""

import socket
import subprocess

import pytest

from helpers import RawConnection, error, request

pytestmark = pytest.mark.stage(2)

CHAPTER = 2
PONG = b"+PONG\r\n"

# The parameters each stage brings (stages 3 and 4 bring none). appendonly
# is reported from stage 2 on, as "no", because clients ask for it
# (redis-benchmark warns when it cannot read it); only stage 5 lets it be
# turned on.
INTRODUCED = {
    2: ("appendonly", "bind", "client-query-buffer-limit", "port",
        "proto-max-bulk-len", "save"),
    5: ("appendfilename", "appendfsync", "dir"),
    6: ("databases", "loglevel", "maxclients", "protected-mode",
        "requirepass", "threads", "timeout"),
}

# What CONFIG GET * lists at each stage: the parameters of that stage and
# of the earlier ones. From stage 6 on this is a lower bound only.
EXPECTED_PARAMETERS = {
    stage: frozenset(name for introduced, names in INTRODUCED.items()
                     if introduced <= stage for name in names)
    for stage in range(2, 7)
}
LAST_EXACT_STAGE = 5

# Parameters of ours that redis-server does not have (it has io-threads).
NOT_IN_REDIS = frozenset({"threads"})

# A value each later-stage parameter accepts in the stage that brings it,
# so that only "unknown parameter" can explain a refusal below that stage.
# dir's value is the test's own temporary directory (None here).
LATER_PARAMETERS = [
    # (name, stage that brings it, a valid value)
    ("requirepass", 6, "x"),
    ("maxclients", 6, "5"),
    ("timeout", 6, "1"),
    ("protected-mode", 6, "no"),
    ("databases", 6, "4"),
    ("threads", 6, "2"),
    ("loglevel", 6, "notice"),
    ("appendfsync", 5, "always"),
    ("appendfilename", 5, "x.aof"),
    ("dir", 5, None),
]
assert {name for name, _, _ in LATER_PARAMETERS} == (
    EXPECTED_PARAMETERS[6] - EXPECTED_PARAMETERS[4]), \
    "LATER_PARAMETERS must cover every parameter of stages 5 and 6"


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def skip_unless_later(suite, name, introduced):
    """Skip when the stage under test already knows the parameter."""
    if suite.stage >= introduced:
        pytest.skip("%s is a stage-%d parameter and this is stage %d, which "
                    "knows it" % (name, introduced, suite.stage))


def value_for(value, tmp_path):
    return str(tmp_path) if value is None else value


def config_get_all(client):
    """CONFIG GET * as a dict of str -> str."""
    flat = client.execute_command("CONFIG", "GET", "*")
    if isinstance(flat, dict):
        items = flat.items()
    else:
        items = zip(flat[0::2], flat[1::2])
    return {(k.decode() if isinstance(k, bytes) else k):
            (v.decode() if isinstance(v, bytes) else v) for k, v in items}


def expect_whole_reply(conn, args, expected, hint):
    """Send the command `args` and assert its whole reply is `expected`;
    the message shows the whole reply that came instead."""
    __tracebackhide__ = True
    sent = " ".join(repr(a) if (" " in a or not a) else a for a in args)
    try:
        _, raw = request(conn, *args)
    except AssertionError as exc:
        raise AssertionError(why("Sent %s, expected %r, but: %s"
                                 % (sent, expected, exc), hint)) from None
    assert raw == expected, why(
        "Sent %s\n  received: %r\n  expected: %r" % (sent, raw, expected),
        hint)


def unknown_option(name):
    return error("ERR Unknown option or number of arguments for CONFIG SET "
                 "- '%s'" % name)


def free_port():
    """A TCP port nobody listens on now (never 6379)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 6379:
            return port


def run_own_binary(suite, workdir, *args, timeout=None):
    """Run our binary with `args` and a free port; it should refuse to
    start. Returns (exit status or None if it kept running, stdout,
    stderr)."""
    argv = (suite.wrapper + [str(suite.binary), "--port", str(free_port())]
            + list(args))
    try:
        done = subprocess.run(argv, cwd=workdir, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout or suite.stop_timeout)
    except subprocess.TimeoutExpired as exc:
        return (None, (exc.stdout or b"").decode(errors="replace"),
                (exc.stderr or b"").decode(errors="replace"))
    return (done.returncode, done.stdout.decode(errors="replace"),
            done.stderr.decode(errors="replace"))


# ---------------------------------------------------------------------------
# CONFIG GET *: the parameters of this stage and the earlier ones
# ---------------------------------------------------------------------------

@pytest.mark.step("2h")
def test_config_get_star_lists_every_parameter_of_this_stage_and_earlier(
        r, suite):
    expected = EXPECTED_PARAMETERS[min(suite.stage, 6)]
    if not suite.own_binary:
        expected = expected - NOT_IN_REDIS
    got = config_get_all(r)
    missing = sorted(expected - set(got))
    assert not missing, why(
        "Sent CONFIG GET * to a stage-%d server: the reply lacks %s.\n"
        "  received names: %s\n  expected at least: %s"
        % (suite.stage, ", ".join(missing), ", ".join(sorted(got)),
           ", ".join(sorted(expected))),
        "every parameter of stages 2..%d is a row of the configuration "
        "table that CONFIG GET walks" % suite.stage)


@pytest.mark.step("2h")
@pytest.mark.project_only
def test_config_get_star_lists_no_parameter_of_a_later_stage(r, suite):
    if suite.stage > LAST_EXACT_STAGE:
        pytest.skip("stage %d may report parameters beyond the table; the "
                    "test above checks it lists the table's"
                    % suite.stage)
    expected = EXPECTED_PARAMETERS[suite.stage]
    got = config_get_all(r)
    extra = sorted(set(got) - expected)
    assert not extra, why(
        "Sent CONFIG GET * to a stage-%d server: the reply also names %s.\n"
        "  received names: %s\n  expected exactly: %s"
        % (suite.stage, ", ".join(extra), ", ".join(sorted(got)),
           ", ".join(sorted(expected))),
        "a stage knows only the rows of its own stage and earlier ones: "
        "give each row of the table the stage that brings it")


@pytest.mark.step("2h")
@pytest.mark.project_only
@pytest.mark.parametrize("name, introduced, value", LATER_PARAMETERS,
                         ids=[row[0] for row in LATER_PARAMETERS])
def test_config_get_of_a_later_stage_parameter_is_an_empty_array(
        suite, connect, name, introduced, value):
    skip_unless_later(suite, name, introduced)
    expect_whole_reply(connect(), ("CONFIG", "GET", name), b"*0\r\n",
                       hint="%s belongs to stage %d: stage %d does not know "
                            "it, and an unknown name matches nothing"
                            % (name, introduced, suite.stage))


# ---------------------------------------------------------------------------
# CONFIG SET: a later stage's parameter is an unknown option
# ---------------------------------------------------------------------------

@pytest.mark.step("2h")
@pytest.mark.project_only
@pytest.mark.parametrize("name, introduced, value", LATER_PARAMETERS,
                         ids=[row[0] for row in LATER_PARAMETERS])
def test_config_set_of_a_later_stage_parameter_is_unknown_and_changes_nothing(
        server_factory, suite, tmp_path, name, introduced, value):
    skip_unless_later(suite, name, introduced)
    value = value_for(value, tmp_path)
    fresh = server_factory.start()      # CONFIG SET may break it: our own
    conn = RawConnection(fresh.host, fresh.port)
    try:
        expect_whole_reply(conn, ("CONFIG", "SET", name, value),
                           unknown_option(name),
                           hint="%s is a stage-%d parameter: a stage-%d "
                                "server answers as Redis does for a name it "
                                "does not know, and changes nothing"
                                % (name, introduced, suite.stage))
        expect_whole_reply(conn, ("PING",), PONG,
                           hint="after the refused CONFIG SET %s %s the "
                                "same connection still works"
                                % (name, value))
    finally:
        conn.close()
    # requirepass used to lock every later connection out with -NOAUTH.
    other = RawConnection(fresh.host, fresh.port)
    try:
        expect_whole_reply(other, ("PING",), PONG,
                           hint="after the refused CONFIG SET %s %s a new "
                                "connection works too: a stage without AUTH "
                                "must never ask for a password"
                                % (name, value))
    finally:
        other.close()


@pytest.mark.step("2h")
@pytest.mark.project_only
def test_config_set_requirepass_below_stage_6_never_locks_clients_out(
        server_factory, suite):
    skip_unless_later(suite, "requirepass", 6)
    fresh = server_factory.start()
    conn = RawConnection(fresh.host, fresh.port)
    try:
        _, answer = request(conn, "CONFIG", "SET", "requirepass", "x")
    finally:
        conn.close()
    # Whatever CONFIG SET answered, a stage with no AUTH command must let
    # every new connection in: it has no way to authenticate.
    for attempt in ("second", "third"):
        other = RawConnection(fresh.host, fresh.port)
        try:
            expect_whole_reply(
                other, ("PING",), PONG,
                hint="CONFIG SET requirepass x answered %r; stage %d has no "
                     "AUTH, so a password would lock out every client for "
                     "good (this PING is on the %s connection)"
                     % (answer, suite.stage, attempt))
        finally:
            other.close()


# ---------------------------------------------------------------------------
# The command line: a later stage's option is an unknown option
# ---------------------------------------------------------------------------

@pytest.mark.step("2h")
@pytest.mark.project_only
@pytest.mark.parametrize("name, introduced, value", LATER_PARAMETERS,
                         ids=[row[0] for row in LATER_PARAMETERS])
def test_a_later_stage_option_on_the_command_line_stops_the_binary(
        suite, tmp_path, name, introduced, value):
    skip_unless_later(suite, name, introduced)
    args = ["--" + name, value_for(value, tmp_path)]
    code, out, err = run_own_binary(suite, tmp_path, *args)
    sent = "%s %s" % (suite.binary.name, " ".join(args))
    expected = "unknown option '--%s'" % name
    assert code == 1 and expected in err, why(
        "Ran `%s` (with a free --port): exit status %s, stderr %r, stdout "
        "%r.\n  expected: exit status 1 and %r on stderr"
        % (sent, "none, it kept running" if code is None else code,
           err.strip(), out.strip(), expected),
        "the command line is read with the same table as CONFIG: a row of "
        "a later stage is not there, so its option is unknown")


@pytest.mark.step("2h")
@pytest.mark.project_only
def test_config_set_appendonly_yes_below_stage_5_says_which_stage_brings_the_file(suite, server):
    if suite.stage >= 5:
        pytest.skip("stage %d has the append-only file" % suite.stage)
    conn = RawConnection(server.host, server.port)
    try:
        expect_whole_reply(
            conn, ["CONFIG", "SET", "appendonly", "yes"],
            error("ERR CONFIG SET failed (possibly related to argument "
                  "'appendonly') - this stage has no append-only file "
                  "(stage 5 brings it)"),
            "below stage 5 appendonly is a fact, 'no': refuse 'yes' and say "
            "which stage brings the file")
        expect_whole_reply(conn, ["CONFIG", "GET", "appendonly"],
                           b"*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
                           "a refused CONFIG SET changes nothing")
    finally:
        conn.close()
