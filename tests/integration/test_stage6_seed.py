"""Stage 6: the first workshop server's command line (seed/seed.c; workshop.md, Appendix A).

The Python server the workshop grew from took short options, and stage 6
keeps them: `-p 8888` is a TCP echo server, `-p 8888-9000` one on every
port of the range, `-l udp` echoes datagrams, `-x true` writes a
`hexdump -C` of every chunk received to the log, `-e true` runs the
command line a client sends (a remote shell, fenced in: loopback only, no
shell, an allowlist, a time limit, an output cap), and `-p 8001 -i I` is
the Redis server.

redis-server has none of these modes, so the whole module is project_only.
These servers are not the suite's usual ones (those always get --port), so
the module starts and stops its own: free ports, a temporary directory,
stopped by PID with SIGTERM and expected to exit 0 (which is how valgrind
and the sanitizers report what they found), killed if they do not.

The wrong servers these tests catch, step by step:
  6j  a TCP echo that serves one client at a time, changes or loses bytes
      of a 1 MB send, or closes a half-closed client before echoing all it
      sent; a port range that gives up on a taken port (or does not log
      it), or a single taken port that does not stop the start; a UDP
      echo that answers from another port or to another sender, or
      drops an empty or a 60 KB datagram; a dump that differs from
      `hexdump -C` of each chunk, or none for UDP; an exec mode that runs
      a program off the allowlist (or by a path), goes through a shell
      ($HOME, ;, `, |, >), passes its environment on, lets a command run
      past the time limit or its output past the cap, keeps the command
      of a client that aborted, takes a line over 4096 bytes, stops
      serving others while a command runs, runs anything without -e true,
      answers beyond the loopback, does not warn when run as root, or
      starts with unsafe or unclear options; a -p N -i I that is not the
      Redis server, or drops the options after it; a --help without both
      sets of options; a SIGINT or SIGTERM that does not stop the exec or
      echo mode cleanly, killing the running commands.
"""

import os
import random
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

import pytest

pytestmark = [pytest.mark.stage(6), pytest.mark.project_only,
              pytest.mark.step("6j")]

REDIS_DEFAULT_PORT = 6379
LOG_LINE = re.compile(r"^\d+:M \d{2} [A-Z][a-z]{2} \d{4} "
                      r"\d{2}:\d{2}:\d{2}\.\d{3} ([.\-*#]) (.*)$")
HINT = "  Read workshop.md, Appendix A (the seed workshop's modes), and seed/seed.c."


# ---------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------

def port_is_free(port, udp=False):
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count, udp=False):
    """The first of `count` consecutive ports free right now (never 6379)."""
    for _ in range(500):
        first = random.randint(20000, 60000 - count)
        ports = range(first, first + count)
        if REDIS_DEFAULT_PORT in ports:
            continue
        if all(port_is_free(p, udp) and port_is_free(p, not udp) for p in ports):
            return first
    pytest.fail("found no %d consecutive free ports" % count)


# ---------------------------------------------------------------------------
# Starting and stopping seed servers
# ---------------------------------------------------------------------------

class SeedServer:
    """One `build/stage6 <seed options>` process, its log and its exit."""

    def __init__(self, suite, workdir, args):
        self.suite = suite
        self.argv = suite.wrapper + [str(suite.binary)] + [str(a) for a in args]
        self.log_path = workdir / "seed.log"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, cwd=workdir,
                                         stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        self.code = None
        self.killed = False

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def messages(self):
        """The log's messages without the "pid:M date level " prefix."""
        out = []
        for line in self.log().splitlines():
            m = LOG_LINE.match(line)
            if m:
                out.append(m.group(2))
        return out

    def log_tail(self, lines=40):
        return "\n".join(self.log().splitlines()[-lines:]) or "(empty log)"

    def wait_for_log(self, text, timeout=None):
        timeout = self.suite.startup_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.proc.poll() is not None:
                return False
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def wait_ready(self):
        if not self.wait_for_log("Ready to accept connections"):
            self.stop()
            pytest.fail("The seed server did not get ready (%s).\n  command: "
                        "%s\nLog:\n%s" % ("exit code %s" % self.code
                                          if self.code is not None else
                                          "timed out", shlex.join(self.argv),
                                          self.log_tail()), pytrace=False)
        return self

    def stop(self, signum=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            self.code = self.proc.wait(timeout=self.suite.stop_timeout)
        except subprocess.TimeoutExpired:
            self.killed = True
            self.proc.kill()
            self.code = self.proc.wait()
        return self.code


@pytest.fixture
def seed_server(suite, tmp_path):
    """seed_server(*args): a started seed server, stopped after the test.

    Every server must exit with status 0 after SIGTERM: under valgrind or
    a sanitizer a memory error or a leak shows as another status.
    """
    started = []

    def _start(*args, ready=True):
        server = SeedServer(suite, tmp_path, args)
        started.append(server)
        return server.wait_ready() if ready else server

    yield _start
    problems = []
    for server in started:
        already = server.proc.poll() is not None
        code = server.stop()
        if already and server.code is None:
            problems.append("pid %d exited during the test with %d:\n%s"
                            % (server.pid, server.proc.returncode,
                               server.log_tail(80)))
        elif server.killed:
            problems.append("pid %d ignored SIGTERM and was killed" % server.pid)
        elif not already and code != 0:
            problems.append("pid %d exited with %d after SIGTERM (memory "
                            "errors or leaks under a wrapper/sanitizer?)\n%s"
                            % (server.pid, code, server.log_tail(80)))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def run_to_exit(suite, tmp_path, *args):
    """Run the binary with seed options that should refuse to start."""
    argv = suite.wrapper + [str(suite.binary)] + [str(a) for a in args]
    done = subprocess.run(argv, cwd=tmp_path, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=suite.stop_timeout)
    text = done.stdout.decode(errors="replace")
    lines = [l for l in text.splitlines()
             if l.strip() and not re.match(r"^(==|--)\d+(==|--)", l)]
    return done.returncode, lines


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------

def connect(port, timeout=10):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def recv_exactly(sock, count):
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(min(65536, count - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def recv_all(sock):
    data = bytearray()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return bytes(data)
        data += chunk


def exec_lines(port, payload, timeout=10):
    """Send command lines, close our side, read everything until the
    server closes: exactly the output of those commands."""
    with connect(port, timeout) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        return recv_all(sock)


def hexdump_c(data):
    """`hexdump -C` of data, as a list of lines, computed here so the test
    needs no hexdump tool: offset, two groups of 8 bytes, |ascii|, "*" for
    repeated lines, and the length last."""
    lines, previous, folded = [], None, False
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        if len(chunk) == 16 and chunk == previous:
            if not folded:
                lines.append("*")
            folded = True
            continue
        folded = False
        previous = chunk
        hexes = ["%02x" % b for b in chunk]
        text = "".join(chr(b) if 0x20 <= b < 0x7f else "." for b in chunk)
        lines.append("%08x  %-23s  %-23s  |%s|" % (
            off, " ".join(hexes[:8]), " ".join(hexes[8:]), text))
    if data:
        lines.append("%08x" % len(data))
    return lines


def dumps_in_log(server):
    """[(byte count, dump lines)] for each "Received N bytes" in the log."""
    dumps, current = [], None
    for message in server.messages():
        m = re.match(r"Received (\d+) bytes from \S+ on port \d+:$", message)
        if m:
            current = (int(m.group(1)), [])
            dumps.append(current)
        elif current is not None and re.match(r"^([0-9a-f]{8}(  .*)?|\*)$",
                                              message):
            current[1].append(message)
        else:
            current = None
    return dumps


def process_alive(pid):
    """True while pid runs (a zombie, exited but not reaped, counts too)."""
    return os.path.exists("/proc/%d" % pid)


def pid_in_log(server, command):
    m = re.search(r"runs: %s \(pid (\d+)\)" % re.escape(command), server.log())
    assert m, "the log should say which pid runs %r:\n%s" % (
        command, server.log_tail())
    return int(m.group(1))


def wait_gone(pid, timeout=5.0):
    deadline = time.monotonic() + timeout
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not process_alive(pid)


# ---------------------------------------------------------------------------
# TCP echo: -p PORT, -p FIRST-LAST
# ---------------------------------------------------------------------------

def test_tcp_echo_sends_every_byte_back_to_several_clients_at_once(
        seed_server):
    port = free_ports(1)
    seed_server("-p", port)
    payloads = [bytes(range(256)) * 4 + bytes([i]) * 100 + b"\r\n\x00end"
                for i in range(6)]
    socks = [connect(port) for _ in payloads]
    try:
        # Every client is connected and has sent before any reads: the
        # server must serve them all at once, not one after the other.
        for sock, payload in zip(socks, payloads):
            sock.sendall(payload)
        for i, (sock, payload) in enumerate(zip(socks, payloads)):
            got = recv_exactly(sock, len(payload))
            assert got == payload, (
                "client %d sent %d bytes and got back %d, not the same "
                "bytes.%s" % (i, len(payload), len(got), HINT))
    finally:
        for sock in socks:
            sock.close()


def test_tcp_echo_returns_a_1mb_send_in_full(seed_server):
    port = free_ports(1)
    seed_server("-p", port)
    payload = os.urandom(1024 * 1024)
    with connect(port, timeout=30) as sock:
        # Send from a thread while reading here: a client that sends 1 MB
        # before reading anything would deadlock against any echo server
        # once both sides' socket buffers are full.
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        sender.start()
        got = recv_exactly(sock, len(payload))
        sender.join(30)
    assert len(got) == len(payload), (
        "1 MB sent, %d bytes echoed back.%s" % (len(got), HINT))
    assert got == payload, "1 MB echoed back, but not the same bytes"


def test_tcp_echo_finishes_the_echo_before_closing_a_half_closed_client(
        seed_server):
    port = free_ports(1)
    seed_server("-p", port)
    payload = os.urandom(200 * 1024)
    with connect(port, timeout=30) as sock:
        sender = threading.Thread(
            target=lambda: (sock.sendall(payload),
                            sock.shutdown(socket.SHUT_WR)))
        sender.start()
        got = recv_all(sock)
        sender.join(30)
    assert got == payload, (
        "after the client closed its side, the server should still echo "
        "everything it received (%d of %d bytes came back) and then "
        "close.%s" % (len(got), len(payload), HINT))


def test_port_range_echoes_on_every_port_and_skips_a_taken_one(
        seed_server):
    first = free_ports(5)
    last = first + 4
    taken = first + 2
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", taken))
    holder.listen(1)
    try:
        server = seed_server("-p", "%d-%d" % (first, last))
        assert "Port %d is already in use: skipped" % taken in \
            server.messages(), (
                "a port of the range that is taken should be logged and "
                "skipped:\n%s" % server.log_tail())
        assert any("4 of 5" in m for m in server.messages()), (
            "the log should say 4 of the 5 ports listen:\n%s"
            % server.log_tail())
        for port in range(first, last + 1):
            if port == taken:
                continue
            with connect(port) as sock:
                line = b"port %d\n" % port
                sock.sendall(line)
                assert recv_exactly(sock, len(line)) == line, (
                    "port %d of the range should echo" % port)
    finally:
        holder.close()


def test_a_single_taken_port_means_nothing_to_listen_on(suite, tmp_path):
    port = free_ports(1)
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", port))
    holder.listen(1)
    try:
        code, lines = run_to_exit(suite, tmp_path, "-p", port)
    finally:
        holder.close()
    text = "\n".join(lines)
    assert code == 1, "expected exit 1, got %d:\n%s" % (code, text)
    assert "already in use" in text and "No port to listen on" in text, text


# ---------------------------------------------------------------------------
# UDP echo: -l udp
# ---------------------------------------------------------------------------

def test_udp_echo_sends_each_datagram_back_to_its_sender(seed_server):
    port = free_ports(1, udp=True)
    seed_server("-l", "udp", "-p", port)
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for sock in (a, b):
            sock.settimeout(5)
        big = os.urandom(60000)
        a.sendto(b"from a\x00\xff", ("127.0.0.1", port))
        b.sendto(b"from b", ("127.0.0.1", port))
        a.sendto(big, ("127.0.0.1", port))
        a.sendto(b"", ("127.0.0.1", port))
        got_a = [a.recvfrom(65536) for _ in range(3)]
        got_b = b.recvfrom(65536)
    finally:
        a.close()
        b.close()
    assert [d for d, _ in got_a] == [b"from a\x00\xff", big, b""], (
        "each datagram should come back whole, in order, to its own "
        "sender.%s" % HINT)
    assert got_b[0] == b"from b"
    assert got_b[1] == ("127.0.0.1", port), "the reply comes from the port"


# ---------------------------------------------------------------------------
# -x true: hexdump -C to the log
# ---------------------------------------------------------------------------

def test_python_hexdump_matches_the_real_tool_when_installed():
    """The expected dumps below come from hexdump_c(); check it once
    against the real hexdump -C where that tool exists."""
    tool = shutil.which("hexdump")
    if tool is None:
        pytest.skip("hexdump is not installed")
    data = (b"Hello, World!\n" + bytes(range(256)) + b"A" * 64 + b"end"
            + b"B" * 32)
    out = subprocess.run([tool, "-C"], input=data, stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    assert out.splitlines() == hexdump_c(data)


def test_hexdump_of_every_chunk_is_logged_exactly_as_hexdump_c(seed_server):
    port = free_ports(1)
    server = seed_server("-p", port, "-x", "true")
    payload = b"Hello, World!\n" + bytes(range(256)) + b"A" * 64 + b"end"
    with connect(port) as sock:
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload, "-x still echoes"
    deadline = time.monotonic() + 5
    while sum(n for n, _ in dumps_in_log(server)) < len(payload):
        assert time.monotonic() < deadline, (
            "the log should hold a dump of the %d bytes received:\n%s"
            % (len(payload), server.log_tail()))
        time.sleep(0.02)
    # TCP may deliver the bytes in more than one chunk; each chunk is
    # dumped on its own, from offset 0, like hexdump -C of those bytes.
    at = 0
    for count, lines in dumps_in_log(server):
        expected = hexdump_c(payload[at:at + count])
        assert lines == expected, (
            "the dump of bytes %d-%d differs from hexdump -C.\n  got:\n%s\n"
            "  expected:\n%s\n%s" % (at, at + count, "\n".join(lines),
                                     "\n".join(expected), HINT))
        at += count
    assert at == len(payload)


def test_hexdump_works_for_udp_datagrams_too(seed_server):
    port = free_ports(1, udp=True)
    server = seed_server("-l", "udp", "-p", port, "-x", "true")
    payload = b"\x00\x01datagram\xfe\xff" * 3
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(payload, ("127.0.0.1", port))
        assert sock.recvfrom(65536)[0] == payload
    assert server.wait_for_log("%08x" % len(payload), timeout=5)
    assert dumps_in_log(server) == [(len(payload), hexdump_c(payload))]


# ---------------------------------------------------------------------------
# -e true: running a client's command, safely
# ---------------------------------------------------------------------------

EXEC_LIMIT_MS = 1000


@pytest.fixture
def exec_server(seed_server):
    """An exec server allowing a few more programs, with a short time
    limit and a small output cap."""
    port = free_ports(1)
    server = seed_server("-p", port, "-e", "true",
                         "--exec-allow", "echo,sleep,seq,uname,env",
                         "--exec-time-limit", EXEC_LIMIT_MS,
                         "--exec-max-output", 1000)
    server.port = port
    return server


def test_exec_runs_an_allowed_command_and_returns_its_output(exec_server):
    port = exec_server.port
    assert exec_lines(port, b"echo hi\n") == b"hi\n", HINT
    assert exec_lines(port, b"uname -s\r\n") == b"Linux\n", \
        "a CRLF line ending is fine too"
    assert exec_lines(port, b"echo one\necho two\n\necho three") == \
        b"one\ntwo\nthree\n", (
            "lines run one after the other; a blank line does nothing; a "
            "last line without newline runs when the client closes")


def test_exec_runs_the_default_allowlist_and_nothing_else(seed_server):
    port = free_ports(1)
    seed_server("-p", port, "-e", "true")
    assert exec_lines(port, b"echo hi\n") == b"hi\n"
    who = exec_lines(port, b"whoami\n")
    assert who.strip() and not who.startswith(b"ERR"), who
    out = exec_lines(port, b"sleep 1\n")
    assert out.startswith(b"ERR 'sleep' is not allowed"), (
        "sleep is not on the default allowlist (date,echo,uname,whoami,"
        "ls), got %r" % out)


@pytest.mark.parametrize("line, program", [
    (b"rm -rf /tmp/nothing\n", "rm"),
    (b"sh -c id\n", "sh"),
    (b"bash\n", "bash"),
    (b"/bin/echo hi\n", "/bin/echo"),
    (b"./echo hi\n", "./echo"),
    (b"ech hi\n", "ech"),
], ids=["rm", "sh", "bash", "absolute-path", "relative-path", "prefix"])
def test_exec_refuses_a_command_off_the_allowlist_with_an_error_line(
        exec_server, line, program):
    out = exec_lines(exec_server.port, line)
    expected = b"ERR '%s' is not allowed: this server runs only " \
        b"echo,sleep,seq,uname,env (--exec-allow)\n" % program.encode()
    assert out == expected, (
        "a program off the allowlist must be refused with one ERR line, "
        "got %r.%s" % (out, HINT))
    assert "Exec for 127.0.0.1" in exec_server.log() and \
        "'%s' is not allowed" % program in exec_server.log()


def test_exec_hands_nothing_to_a_shell(exec_server, tmp_path):
    port = exec_server.port
    assert exec_lines(port, b"echo $HOME; ls\n") == b"$HOME; ls\n", (
        "the line must be split into words and run without a shell: "
        "$HOME and ; are plain text.%s" % HINT)
    target = tmp_path / "made-by-redirect"
    line = b"echo `id` $(id) | cat > %s &\n" % str(target).encode()
    assert exec_lines(port, line) == line[5:], "no substitution, no pipe"
    assert not target.exists(), "a > redirection must not create a file"
    assert exec_lines(port, b"echo 'a  b' \"c d\"\n") == b"a  b c d\n", (
        "quotes group words, and only that")
    out = exec_lines(port, b"echo 'unclosed\n")
    assert out.startswith(b"ERR unclosed single quote"), out


def test_exec_gives_commands_an_environment_of_path_only(exec_server):
    assert exec_lines(exec_server.port, b"env\n") == \
        b"PATH=/usr/local/bin:/usr/bin:/bin\n", (
            "the server's environment must not reach the commands")


def test_exec_kills_a_command_past_the_time_limit(exec_server):
    port = exec_server.port
    start = time.monotonic()
    out = exec_lines(port, b"sleep 5\necho after\n")
    elapsed = time.monotonic() - start
    assert out == (b"ERR 'sleep' was killed: it ran past the time limit of "
                   b"%d ms (--exec-time-limit)\nafter\n" % EXEC_LIMIT_MS), (
        "sleep 5 should be killed at the %d ms limit with an ERR line, then "
        "the next line runs; got %r.%s" % (EXEC_LIMIT_MS, out, HINT))
    assert elapsed < 4, "sleep 5 ran for %.1f s" % elapsed
    pid = pid_in_log(exec_server, "sleep 5")
    assert wait_gone(pid), "the killed sleep (pid %d) is still there" % pid


def test_exec_cuts_the_output_at_the_cap_and_kills_the_command(exec_server):
    out = exec_lines(exec_server.port, b"seq 1000000\n")
    numbers = "".join("%d\n" % i for i in range(1, 1000)).encode()
    assert out[:1000] == numbers[:1000], "the first 1000 bytes are seq's"
    # A newline ends the last line first if the cap cut it in the middle
    # (here byte 1000 happens to be a newline: "...466\n").
    ending = b"" if numbers[999:1000] == b"\n" else b"\n"
    assert out[1000:] == ending + (b"ERR 'seq' was killed: its output "
                                   b"reached the cap of 1000 bytes "
                                   b"(--exec-max-output)\n"), (
        "after the cap, one ERR line; got %r.%s" % (out[1000:], HINT))
    pid = pid_in_log(exec_server, "seq 1000000")
    assert wait_gone(pid), "the cut seq (pid %d) is still there" % pid


def test_exec_kills_the_command_of_a_client_that_aborts(exec_server):
    with connect(exec_server.port) as sock:
        sock.sendall(b"sleep 30\n")
        assert exec_server.wait_for_log("runs: sleep 30", timeout=5)
        # Linger 0: close() sends a reset, which says "gone" unlike a plain
        # close (that could be a client waiting for the output).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    pid = pid_in_log(exec_server, "sleep 30")
    assert exec_server.wait_for_log("its client 127.0.0.1", timeout=5), (
        "the log should say sleep 30 was killed because its client has "
        "gone, before the %d ms time limit:\n%s"
        % (EXEC_LIMIT_MS, exec_server.log_tail()))
    assert "past the time limit" not in exec_server.log()
    assert wait_gone(pid), "sleep 30 (pid %d) is still there" % pid


def test_exec_refuses_a_line_longer_than_4096_bytes(exec_server):
    out = exec_lines(exec_server.port, b"echo " + b"x" * 5000 + b"\n")
    assert out == b"ERR command line longer than 4096 bytes: closing the " \
        b"connection\n", out


def test_exec_serves_other_clients_while_a_command_runs(seed_server):
    port = free_ports(1)
    server = seed_server("-p", port, "-e", "true", "--exec-allow",
                         "sleep,echo", "--exec-time-limit", 20000)
    with connect(port) as slow:
        slow.sendall(b"sleep 5\n")
        assert server.wait_for_log("runs: sleep 5", timeout=5)
        start = time.monotonic()
        outputs = [exec_lines(port, b"echo %d\n" % i) for i in range(5)]
        elapsed = time.monotonic() - start
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))    # abort: sleep is killed
    assert outputs == [b"%d\n" % i for i in range(5)]
    assert elapsed < 3, (
        "while one client's sleep 5 runs, others must be served at once "
        "(%.2f s for five echos): the loop must never wait for a child"
        % elapsed)


def test_exec_runs_commands_of_several_clients_at_once(exec_server):
    port = exec_server.port
    socks = [connect(port) for _ in range(5)]
    try:
        for i, sock in enumerate(socks):
            sock.sendall(b"echo client %d\n" % i)
            sock.shutdown(socket.SHUT_WR)
        outs = [recv_all(sock) for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    assert outs == [b"client %d\n" % i for i in range(5)]


def test_exec_is_off_without_dash_e(seed_server):
    port = free_ports(1)
    server = seed_server("-p", port)
    assert exec_lines(port, b"echo hi\n") == b"echo hi\n", (
        "without -e true the line is echoed, never run")
    assert "runs:" not in server.log()


def test_exec_listens_on_loopback_only(exec_server):
    """The seed bound every interface and had no address option; the exec
    mode must not be reachable from another machine. Try this host's own
    non-loopback address: nothing may answer there."""
    addr = None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))     # no packet is sent
            addr = probe.getsockname()[0]
        except OSError:
            pass
    if not addr or addr.startswith("127."):
        pytest.skip("this host has no non-loopback IPv4 address")
    with pytest.raises(OSError):
        socket.create_connection((addr, exec_server.port), timeout=2).close()


def test_exec_warns_in_the_log_when_running_as_root(exec_server):
    warned = any(m.startswith("WARNING: running as root") for m in
                 exec_server.messages())
    if os.geteuid() == 0:
        assert warned, ("run as root, -e must say so in the log:\n%s"
                        % exec_server.log_tail())
        assert re.search(r"^\d+:M .* # WARNING: running as root",
                         exec_server.log(), re.M), "at warning level (#)"
    else:
        assert not warned


@pytest.mark.parametrize("args, named", [
    (("-l", "udp", "-e", "true"), "-e runs commands for TCP clients only"),
    (("-e", "true", "--exec-allow", "/bin/sh"), "no paths"),
    (("-e", "true", "--exec-allow", "echo,,ls"), "--exec-allow"),
    (("--exec-allow", "sleep"), "need -e true"),
    (("-e", "true", "--exec-time-limit", "0"), "--exec-time-limit"),
    (("-e", "maybe"), "expected true or false"),
], ids=["udp", "path-in-allowlist", "empty-name", "exec-option-without-e",
        "zero-time-limit", "not-a-boolean"])
def test_exec_refuses_to_start_when_unsafe_or_unclear(suite, tmp_path,
                                                      args, named):
    port = free_ports(1)
    code, lines = run_to_exit(suite, tmp_path, "-p", port, *args)
    text = "\n".join(lines)
    assert code == 1, "%s should exit 1, got %d:\n%s" % (
        " ".join(args), code, text)
    assert len(lines) == 1 and named in lines[0], (
        "expected one line saying %r, got:\n%s" % (named, text))


# ---------------------------------------------------------------------------
# -i I: the Redis server; --help; stopping
# ---------------------------------------------------------------------------

def test_dash_i_serves_redis_on_the_given_port(seed_server):
    port = free_ports(1)
    seed_server("-p", port, "-i", "I")
    with connect(port) as sock:
        sock.sendall(b"PING\r\n")
        assert recv_exactly(sock, 7) == b"+PONG\r\n", (
            "-p N -i I should be the Redis server on port N.%s" % HINT)
        sock.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
                     b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        assert recv_exactly(sock, 12) == b"+OK\r\n$1\r\nv\r\n"


def test_dash_i_hands_redis_server_options_on(seed_server, tmp_path):
    port = free_ports(1)
    seed_server("-p", port, "-i", "I", "--appendonly", "no")
    with connect(port) as sock:
        sock.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        assert recv_exactly(sock, 5) == b"+OK\r\n"
    assert not (tmp_path / "appendonly.aof").exists(), (
        "--appendonly no after -i I should reach the Redis server")


def test_help_lists_the_seeds_options_and_the_redis_servers(suite, tmp_path):
    code, lines = run_to_exit(suite, tmp_path, "--help")
    text = "\n".join(lines)
    assert code == 0, text
    for needle in ("-p PORT", "-l tcp|udp", "-x true", "-e true",
                   "--exec-allow", "-i I", "--port N"):
        assert needle in text, "--help should mention %r:\n%s" % (needle,
                                                                 text)
    assert text.index("-p PORT") < text.index("--port N")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM],
                         ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_exec_mode_cleanly_and_kills_running_commands(
        exec_server, signum):
    with connect(exec_server.port) as sock:
        sock.sendall(b"sleep 30\n")
        assert exec_server.wait_for_log("runs: sleep 30", timeout=5)
        pid = pid_in_log(exec_server, "sleep 30")
        code = exec_server.stop(signum)
    assert code == 0 and not exec_server.killed, (
        "after %s the server should exit 0, got %s:\n%s"
        % (signum.name, code, exec_server.log_tail()))
    assert "bye bye" in exec_server.log()
    assert "killed: the server is stopping" in exec_server.log()
    assert wait_gone(pid), "the running sleep (pid %d) outlived the " \
        "server" % pid


def test_a_signal_stops_the_echo_mode_with_clients_connected(seed_server):
    port = free_ports(3)
    server = seed_server("-p", "%d-%d" % (port, port + 2))
    socks = [connect(p) for p in range(port, port + 3)]
    try:
        socks[0].sendall(b"unfinished")
        code = server.stop(signal.SIGINT)
    finally:
        for sock in socks:
            sock.close()
    assert code == 0 and not server.killed, server.log_tail()
    assert "Received SIGINT" in server.log()
