"""Stage 6: one configuration table serves CONFIG GET, the command line,
the config file and --help (workshop.md chapter 6, "the complete server").

Every parameter is one row of one table, so whatever CONFIG GET * reports
can be given back to a new server, as `--name value` on the command line or
as a `name value` line of a config file, and the new server reports the
same value. A list value (bind `127.0.0.1 -::1`) is given back as several
words, an empty one as an empty argument ('' on the command line, "" in the
file). The file's words are written as redis.conf allows: in double quotes,
with backslash escapes (\\" \\\\ \\n \\xHH). Two values depend on the server
by nature: port (the suite gives each server its own --port, after the
file, so the new server must report its own port) and dir (each server runs
in its own temporary directory: the old directory is given back and must be
reported). These round trips, and --help naming every parameter, are about
our binary (project_only).

Memory values take Redis's units, in any case: b, k (1000), kb (1024),
m, mb, g, gb; `2mb` is 2097152 and `2m` 2000000, `64000k` is 64000000 and
`64000kb` 65536000. (The rule is that 64k is 64000 and 64kb 65536, but
Redis refuses less than 1mb for client-query-buffer-limit and
proto-max-bulk-len, so the tests use larger values.) These run against
redis-server too.

A bad value is refused the same way on the command line and in a config
file: exit status 1 and a message naming the parameter and the value (not
one saying the parameter is unknown), as Redis does
(it turns its command-line options into config lines and reads both with
one parser). These run against redis-server too.

The wrong servers these tests catch, step by step:
  6h  a parameter CONFIG GET * reports that the command line or a config
      file does not take back unchanged, alone or all at once (ours); a
      value with quotes, backslashes or odd bytes mangled on the way in;
      memory units read wrong (k and kb, m and mb, g and gb mixed up, or
      case-sensitive); a bad value accepted, refused with another exit
      status than 1, called an unknown parameter, or refused differently
      on the command line and in a file; --help missing a parameter, or
      stage 2's --help naming those of later stages (ours); INFO's
      config_file not the full path; a CONFIG SET naming one parameter
      twice that is accepted, or refused under the first spelling.
"""

import re
import subprocess

import pytest
import redis

from helpers import RawConnection, command, error, expect_reply

pytestmark = pytest.mark.stage(6)

CHAPTER = 6

# Parameters whose value is a list of words, given back as several words.
LIST_PARAMETERS = frozenset({"bind", "save"})

# Parameters stage 2 must not know (they come with stages 5 and 6).
LATER_THAN_STAGE_2 = ("appendfilename", "appendfsync", "dir",
                      "databases", "loglevel", "maxclients", "protected-mode",
                      "requirepass", "threads", "timeout")

# (parameter, value as given, what CONFIG GET must report)
MEMORY_VALUES = [
    ("client-query-buffer-limit", "2mb", "2097152"),
    ("client-query-buffer-limit", "2MB", "2097152"),
    ("client-query-buffer-limit", "2m", "2000000"),
    ("client-query-buffer-limit", "64000k", "64000000"),
    ("client-query-buffer-limit", "64000kb", "65536000"),
    ("client-query-buffer-limit", "64000Kb", "65536000"),
    ("client-query-buffer-limit", "3000000b", "3000000"),
    ("client-query-buffer-limit", "2097152", "2097152"),
    ("proto-max-bulk-len", "1gb", "1073741824"),
    ("proto-max-bulk-len", "1G", "1000000000"),
    ("proto-max-bulk-len", "2mB", "2097152"),
]

# (parameter, a value it refuses)
BAD_VALUES = [
    ("maxclients", "0"),
    ("appendfsync", "sometimes"),
    ("protected-mode", "maybe"),
    ("client-query-buffer-limit", "12xb"),
    ("proto-max-bulk-len", "1.5mb"),
    ("databases", "0"),
    ("timeout", "-1"),
    ("appendonly", "maybe"),
]

# How a server says a parameter does not exist (ours, then Redis): a bad
# value must not be reported that way.
UNKNOWN_PARAMETER = ("unknown option", "bad directive")

HOW = ["command-line", "config-file"]


def why(problem, hint):
    """An assertion message: what went wrong, what to do, where to read."""
    return "%s\n  hint: %s\n  Read workshop.md chapter %d." % (
        problem, hint, CHAPTER)


def config_get(process, pattern):
    """CONFIG GET pattern on a server process, as a dict of str -> str."""
    client = redis.Redis(host=process.host, port=process.port,
                         socket_timeout=10, decode_responses=True)
    try:
        reply = client.execute_command("CONFIG", "GET", pattern)
    finally:
        client.connection_pool.disconnect()
    if isinstance(reply, dict):
        return dict(reply)
    return dict(zip(reply[0::2], reply[1::2]))


def words_of(name, value):
    """The words that give `value` back: a list parameter's value is split
    on spaces, any other value is one word (maybe empty)."""
    if name in LIST_PARAMETERS and value:
        return value.split(" ")
    return [value]


def conf_quote(word):
    """`word` in double quotes, escaped as redis.conf reads it."""
    out = []
    for ch in word:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif not (" " <= ch <= "~"):
            out.extend("\\x%02x" % b for b in ch.encode())
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def conf_line(name, words):
    return " ".join([name] + [conf_quote(w) for w in words])


def write_config(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


def shown(args):
    """A command line as a shell would show it."""
    return " ".join("''" if a == "" else a for a in args)


def start_or_none(server_factory, *args, config_file=None):
    """(process, None) if the server started, else (None, why not)."""
    try:
        return server_factory.start(*args, config_file=config_file), None
    except pytest.fail.Exception as exc:
        return None, str(exc)


def run_for_output(argv, cwd, timeout):
    """Run argv to completion: (exit status, stdout and stderr merged)."""
    done = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)
    text = done.stdout.decode(errors="replace")
    lines = [line for line in text.splitlines()
             if not re.match(r"^(==|--)\d+(==|--)", line)]  # valgrind's
    return done.returncode, "\n".join(lines)


def names_option(text, name):
    """True if `text` (a --help output) shows the option --name."""
    return re.search(r"--%s(?![\w-])" % re.escape(name), text) is not None


def indent(text):
    return "\n".join("      " + line for line in
                     (text.strip() or "(nothing)").splitlines())


@pytest.fixture
def reported(server):
    """CONFIG GET * of a stage-6 server started the suite's usual way."""
    return config_get(server, "*")


# ---------------------------------------------------------------------------
# Round trip: every reported parameter can be given back
# ---------------------------------------------------------------------------

def check_round_trip(server_factory, name, value, args, config_file, sent):
    """Start a server with `args` / `config_file` and compare CONFIG GET
    name with `value` (the new server's own port for port). Returns a
    problem (str) or None."""
    fresh, failure = start_or_none(server_factory, *args,
                                   config_file=config_file)
    if fresh is None:
        return ("%s: sent %s; the server did not start:\n%s"
                % (name, sent, indent(failure)))
    try:
        expected = str(fresh.port) if name == "port" else value
        got = config_get(fresh, name)
    finally:
        fresh.stop()
    if got.get(name) != expected:
        return ("%s: sent %s; CONFIG GET %s replied %r, expected %r"
                % (name, sent, name, got, {name: expected}))
    retire(server_factory, fresh)
    return None


def retire(server_factory, process):
    """Check a stopped server that did its job now and forget it, so that
    a failure report shows the logs of the servers that went wrong only."""
    process.check_stopped_cleanly()
    server_factory.servers.remove(process)


@pytest.mark.step("6h")
@pytest.mark.project_only
def test_every_reported_parameter_given_back_on_the_command_line_is_reported_unchanged(
        server_factory, reported):
    problems = []
    for name, value in sorted(reported.items()):
        # The suite gives every server its own --port already.
        args = [] if name == "port" else ["--" + name] + words_of(name, value)
        sent = "`%s` (after the suite's own --port)" % shown(args)
        problem = check_round_trip(server_factory, name, value, args, None,
                                   sent)
        if problem:
            problems.append(problem)
    assert not problems, why(
        "CONFIG GET * of a stage-6 server reported %d parameters; given "
        "back on a new server's command line, %d did not come back the "
        "same:\n  %s" % (len(reported), len(problems),
                         "\n  ".join(problems)),
        "read the command line with the configuration table: every row "
        "CONFIG GET reports takes --name and the words it reports")


@pytest.mark.step("6h")
@pytest.mark.project_only
def test_every_reported_parameter_given_back_in_a_config_file_is_reported_unchanged(
        server_factory, reported, tmp_path):
    problems = []
    for name, value in sorted(reported.items()):
        line = conf_line(name, words_of(name, value))
        conf = write_config(tmp_path / ("%s.conf" % name), [line])
        sent = "the config file line %r" % line
        if name == "port":
            sent += " (the suite's --port comes after it and wins)"
        problem = check_round_trip(server_factory, name, value, [], conf,
                                   sent)
        if problem:
            problems.append(problem)
    assert not problems, why(
        "CONFIG GET * of a stage-6 server reported %d parameters; written "
        "back as config file lines, %d did not come back the same:\n  %s"
        % (len(reported), len(problems), "\n  ".join(problems)),
        "read the config file with the same table as the command line: "
        "each line is a name and the words of its value, quoted or not")


@pytest.mark.step("6h")
@pytest.mark.project_only
def test_a_config_file_of_every_reported_parameter_gives_the_same_configuration(
        server_factory, reported, tmp_path):
    lines = [conf_line(name, words_of(name, value))
             for name, value in sorted(reported.items())]
    conf = write_config(tmp_path / "all.conf", lines)
    fresh, failure = start_or_none(server_factory, config_file=conf)
    assert fresh is not None, why(
        "Sent a config file of all %d parameters CONFIG GET * reported:\n"
        "%s\n  the server did not start:\n%s"
        % (len(lines), indent("\n".join(lines)), indent(failure)),
        "every parameter CONFIG GET reports is a valid config file line")
    got = config_get(fresh, "*")
    expected = dict(reported, port=str(fresh.port))
    differ = {name: (got.get(name), value)
              for name, value in sorted(expected.items())
              if got.get(name) != value}
    assert not differ, why(
        "Sent a config file of all %d parameters CONFIG GET * reported:\n"
        "%s\n  these came back different, name: (received, expected): %r"
        % (len(lines), indent("\n".join(lines)), differ),
        "the file written from CONFIG GET * must give the same "
        "configuration (port excepted: the suite's --port wins)")


@pytest.mark.step("6h")
@pytest.mark.parametrize("how", HOW)
def test_a_value_with_quotes_backslashes_and_odd_bytes_comes_back_whole(
        server_factory, tmp_path, how):
    password = 'p "q" \\ r\x01\u00e9 s'
    if how == "command-line":
        args, conf = ["--requirepass", password], None
        sent = "`--requirepass %r` on the command line" % password
    else:
        line = conf_line("requirepass", [password])
        args, conf = [], write_config(tmp_path / "quoted.conf", [line])
        sent = "the config file line %r" % line
    fresh, failure = start_or_none(server_factory, *args, config_file=conf)
    assert fresh is not None, why(
        "Sent %s; the server did not start:\n%s" % (sent, indent(failure)),
        "a config file word may be double-quoted, with \\\" \\\\ "
        "\\xHH escapes (sdssplitargs)")
    client = redis.Redis(host=fresh.host, port=fresh.port, socket_timeout=10,
                         password=password, decode_responses=True)
    try:
        got = client.execute_command("CONFIG", "GET", "requirepass")
    except redis.exceptions.RedisError as exc:
        got = "an error to AUTH %r: %s" % (password, exc)
    finally:
        client.connection_pool.disconnect()
    if isinstance(got, list):
        got = dict(zip(got[0::2], got[1::2]))
    assert got == {"requirepass": password}, why(
        "Sent %s; CONFIG GET requirepass (after AUTH) replied %r, expected "
        "%r" % (sent, got, {"requirepass": password}),
        "unquote the word as redis.conf does: \\\" is a quote, \\\\ "
        "a backslash, \\xHH a byte; the command line's words are taken "
        "as they are")


# ---------------------------------------------------------------------------
# Memory values: Redis's units
# ---------------------------------------------------------------------------

@pytest.mark.step("6h")
@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("name, given, expected", MEMORY_VALUES,
                         ids=["%s-%s" % (n, g) for n, g, _ in MEMORY_VALUES])
def test_a_memory_value_with_a_unit_is_read_as_redis_reads_it(
        server_factory, tmp_path, how, name, given, expected):
    if how == "command-line":
        args, conf = ["--" + name, given], None
        sent = "`--%s %s` on the command line" % (name, given)
    else:
        line = conf_line(name, [given])
        args, conf = [], write_config(tmp_path / "units.conf", [line])
        sent = "the config file line %r" % line
    fresh, failure = start_or_none(server_factory, *args, config_file=conf)
    assert fresh is not None, why(
        "Sent %s; the server did not start:\n%s\n  expected: it starts and "
        "CONFIG GET %s replies %s" % (sent, indent(failure), name, expected),
        "a memory value is a number and an optional unit, in any case: b, "
        "k=1000, kb=1024, m=1000^2, mb=1024^2, g=1000^3, gb=1024^3")
    got = config_get(fresh, name)
    assert got == {name: expected}, why(
        "Sent %s; CONFIG GET %s replied %r, expected %r"
        % (sent, name, got, {name: expected}),
        "k, m, g are powers of 1000, kb, mb, gb powers of 1024; CONFIG GET "
        "reports the number of bytes")


# ---------------------------------------------------------------------------
# A bad value is refused the same way on the command line and in a file
# ---------------------------------------------------------------------------

@pytest.mark.step("6h")
@pytest.mark.parametrize("name, value", BAD_VALUES,
                         ids=["%s-%s" % row for row in BAD_VALUES])
def test_a_bad_value_is_refused_the_same_way_on_the_command_line_and_in_a_config_file(
        server_factory, tmp_path, name, value):
    line = conf_line(name, [value])
    conf = write_config(tmp_path / "bad.conf", [line])
    ways = {
        "`--%s %s` on the command line" % (name, value):
            server_factory.run_until_exit("--" + name, value),
        "the config file line %r" % line:
            server_factory.run_until_exit(config_file=conf),
    }
    problems = []
    for sent, (code, output) in ways.items():
        unknown = [words for words in UNKNOWN_PARAMETER
                   if words in output.lower()]
        if code != 1 or name not in output or value not in output or unknown:
            problems.append(
                "sent %s: %s; output:\n%s"
                % (sent, "the server kept running" if code is None
                   else "exit status %d" % code, indent(output)))
    assert not problems, why(
        "A bad value for %s, %r, must stop the server with exit status 1 "
        "and a message naming %s and the value (not calling the parameter "
        "unknown: %s), however it is given:\n  %s"
        % (name, value, name, " / ".join(UNKNOWN_PARAMETER),
           "\n  ".join(problems)),
        "check the value with the row's own parser, the same for the "
        "command line, the config file and CONFIG SET; print the "
        "parameter and the value, exit(1)")


# ---------------------------------------------------------------------------
# --help is written from the table too
# ---------------------------------------------------------------------------

@pytest.mark.step("6h")
@pytest.mark.project_only
def test_help_names_every_parameter_config_get_reports(suite, reported,
                                                       tmp_path):
    argv = suite.wrapper + [str(suite.binary), "--help"]
    code, text = run_for_output(argv, tmp_path, suite.stop_timeout)
    missing = sorted(name for name in reported
                     if not names_option(text, name))
    assert code == 0 and not missing, why(
        "Ran `%s --help`: exit status %d; it does not name %s, which "
        "CONFIG GET * reports.\n  output:\n%s\n  expected: exit status 0 "
        "and --NAME for each of %s"
        % (suite.binary.name, code, ", ".join(missing) or "(all named)",
           indent(text), ", ".join(sorted(reported))),
        "print --help from the configuration table, one line per row")


@pytest.mark.step("6h")
@pytest.mark.project_only
def test_stage2_help_does_not_mention_parameters_of_later_stages(suite,
                                                                 tmp_path):
    binary = suite.build_dir / "stage2"
    if not binary.is_file():
        pytest.skip("%s is not built" % binary)
    argv = suite.wrapper + [str(binary), "--help"]
    code, text = run_for_output(argv, tmp_path, suite.stop_timeout)
    named = [name for name in LATER_THAN_STAGE_2 if names_option(text, name)]
    named += [word for word in ("requirepass", "appendfsync")
              if word in text and word not in named]
    assert code == 0 and not named, why(
        "Ran `stage2 --help`: exit status %d; it mentions %s.\n  output:\n"
        "%s\n  expected: exit status 0 and none of %s"
        % (code, ", ".join(named) or "nothing of later stages",
           indent(text), ", ".join(LATER_THAN_STAGE_2)),
        "a stage's --help lists the rows of its own stage and earlier ones "
        "only")


@pytest.mark.step("6h")
def test_info_names_the_config_file_by_its_full_path(server_factory,
                                                     tmp_path):
    conf = write_config(tmp_path / "shown.conf", ["timeout 0"])
    fresh, failure = start_or_none(server_factory, config_file=conf)
    assert fresh is not None, why(
        "Started with the config file %s; the server did not start:\n%s"
        % (conf, indent(failure)), "a file of known directives must load")
    client = redis.Redis(host=fresh.host, port=fresh.port, socket_timeout=10)
    try:
        got = client.info("server").get("config_file")
    finally:
        client.connection_pool.disconnect()
    expected = str(conf.resolve())
    assert got == expected, why(
        "INFO server's config_file is %r, expected %r" % (got, expected),
        "INFO shows the file the configuration came from, as a full path "
        "(realpath), as redis-server does")


@pytest.mark.step("6h")
def test_config_set_of_one_parameter_twice_is_refused_under_the_second_spelling(
        server_factory):
    fresh = server_factory.start()
    conn = RawConnection(fresh.host, fresh.port)
    try:
        expect_reply(conn, command("CONFIG", "SET", "timeout", "1", "TIMEOUT", "2"),
                     error("ERR CONFIG SET failed (possibly related to argument "
                           "'TIMEOUT') - duplicate parameter"), chapter=6,
                     hint="all or nothing: a parameter named twice refuses the "
                          "whole CONFIG SET, and Redis names it as it was sent "
                          "the second time")
        expect_reply(conn, command("CONFIG", "GET", "timeout"),
                     b"*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n", chapter=6,
                     hint="a refused CONFIG SET changes nothing")
    finally:
        conn.close()


@pytest.mark.step("6h")
def test_config_set_save_to_nothing_is_accepted(r, connect):
    conn = connect()
    expect_reply(conn, command("CONFIG", "SET", "save", ""), b"+OK\r\n",
                 chapter=6,
                 hint="CONFIG SET save \"\" (no snapshots) is how operators and "
                      "test suites turn RDB off at run time; a server that "
                      "takes none already accepts it")
    expect_reply(conn, command("CONFIG", "GET", "save"),
                 b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n", chapter=6)
