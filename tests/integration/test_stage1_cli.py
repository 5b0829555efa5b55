"""Stage 1: the server's command line, signals and log.

Most of this is behaviour only this project has (our binary's options and
exit codes), so those tests carry `project_only` and are skipped when the
suite runs against another server with --server-cmd.

The wrong servers these tests catch, step by step:
  1h  one that ignores --bind (or only accepts --port first), one whose
      --help exits non-zero or starts serving, one that starts anyway on an
      unknown option or prints a page of usage for it, one killed by
      SIGTERM/SIGINT instead of exiting (a dirty exit code, or a signal
      arriving while it is still starting up), one whose log lines are not
      in Redis's "pid:role date level message" format.
"""

import re
import signal

import pytest

from helpers import RawConnection, expect_reply

pytestmark = pytest.mark.stage(1)

# Redis's log line: "PID:ROLE DD Mon YYYY HH:MM:SS.mmm LEVEL message", e.g.
# "2974:M 25 Nov 2026 09:00:45.934 * Ready to accept connections".
LOG_LINE = re.compile(r"^\d+:[XCSM] \d{2} [A-Z][a-z]{2} \d{4} "
                      r"\d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] \S")


@pytest.mark.step("1h")
def test_server_started_with_bind_answers_on_that_address(server_factory):
    fresh = server_factory.start("--bind", "127.0.0.1")
    conn = RawConnection("127.0.0.1", fresh.port)
    try:
        expect_reply(conn, b"PING\r\n", b"+PONG\r\n", chapter=1)
    finally:
        conn.close()


@pytest.mark.step("1h")
@pytest.mark.project_only
def test_help_option_prints_usage_and_exits_zero(run_binary):
    code, lines = run_binary("--help")
    text = "\n".join(lines)
    assert code == 0, "--help should exit 0, got %d:\n%s" % (code, text)
    assert "usage" in text.lower() and "--port" in text, (
        "--help should print a usage text naming the options "
        "(at least --port):\n%s" % text)


@pytest.mark.step("1h")
@pytest.mark.project_only
@pytest.mark.parametrize("args, named", [
    (("--port", "notanumber"), "--port"),
    (("--port", "70000"), "--port"),
    (("--nosuchoption",), "--nosuchoption"),
], ids=["port-not-a-number", "port-out-of-range", "unknown-option"])
def test_bad_option_exits_1_with_one_line_naming_it(run_binary, args, named):
    code, lines = run_binary(*args)
    shown = "\n".join(lines) or "(no output)"
    assert code == 1, "%s should exit with status 1, got %d:\n%s" % (
        " ".join(args), code, shown)
    assert len(lines) == 1 and named in lines[0], (
        "%s should print one line naming %s, got:\n%s"
        % (" ".join(args), named, shown))


@pytest.mark.step("1h")
@pytest.mark.project_only
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT],
                         ids=["SIGTERM", "SIGINT"])
def test_server_exits_cleanly_on_signal(server_factory, signum):
    fresh = server_factory.start()
    conn = RawConnection(fresh.host, fresh.port)  # a client still connected
    try:
        expect_reply(conn, b"PING\r\n", b"+PONG\r\n", chapter=1)
        fresh.signal(signum)
        code = fresh.wait()
        fresh.exit_checked = True  # asserted below, not again at teardown
    finally:
        conn.close()
    assert not fresh.killed, "the server ignored %s" % signum.name
    assert code == 0, (
        "after %s the server should exit with status 0, got %d. Hint: catch "
        "the signal, let the event loop stop, free everything, return 0 "
        "from main." % (signum.name, code))


@pytest.mark.step("1h")
@pytest.mark.project_only
def test_server_exits_on_sigterm_sent_as_soon_as_it_accepts_connections(
        server_factory):
    # A signal may come before the event loop's first turn, or between its
    # check of the stop flag and epoll_wait(): neither may be lost. (Under
    # valgrind that window is wide enough to hit about half the time.)
    fresh = server_factory.start()
    fresh.signal(signal.SIGTERM)
    code = fresh.wait()
    fresh.exit_checked = True
    assert not fresh.killed, (
        "SIGTERM sent right after start-up was lost: the server was still "
        "running %.0f s later. Hint: do not reset the stop flag when the "
        "loop starts, and wake epoll_wait() up (a timer tick, a self-pipe "
        "or signalfd) so a flag set just before it blocks is seen."
        % fresh.suite.stop_timeout)
    assert code == 0, "exit status %d after SIGTERM" % code


@pytest.mark.step("1h")
@pytest.mark.project_only
def test_log_lines_use_redis_format(server_factory):
    fresh = server_factory.start()
    lines = [line for line in fresh.log_text().splitlines()
             if line.strip() and not line.startswith(("==", "--"))]
    assert lines, "the server logged nothing at startup"
    wrong = [line for line in lines if not LOG_LINE.match(line)]
    assert not wrong, (
        "log lines should look like Redis's "
        "'PID:M DD Mon YYYY HH:MM:SS.mmm * message'; these do not:\n%s"
        % "\n".join(wrong[:10]))
