"""Failures that explain themselves, whichever way the test talked.

A test that compares raw bytes (helpers.expect_reply) says what it sent,
what came back and what Redis replies. A test that goes through redis-py
only has `assert 2 == 1`. So every connection a test opens, redis-py's and
raw ones alike, writes what it sends and receives into the test's
Transcript, and when the test fails, explanation() turns the last exchange
into the same picture: the command as a redis-cli line and as bytes, what
came back, what the real redis-server sends for the same commands (replayed
on a fresh one when redis-server is installed), the step's hint and the
section of workshop.md to read.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import redis

import steps
from helpers import BadReply, IncompleteReply, parse_reply, show_bytes

SHOW_LIMIT = 300        # characters of a redis-cli line shown
EXCHANGES_SHOWN = 3     # the last exchanges of a failing test
REPLAY_TIMEOUT = 5.0    # seconds the oracle may take per reply
REPLAY_MAX_WAIT = 10.0  # seconds of the test's own pauses a replay repeats


class Transcript:
    """What one test sent and received, in order, on every connection."""

    def __init__(self):
        # (connection number, "sent" | "got", bytes, time.monotonic())
        self.events = []
        self.connections = 0
        self.lock = threading.Lock()    # tests may talk from threads

    def new_connection(self):
        with self.lock:
            self.connections += 1
            return self.connections

    def record(self, conn, kind, data):
        if data:
            with self.lock:
                self.events.append((conn, kind, bytes(data), time.monotonic()))

    def exchanges(self):
        """[(connection, bytes sent, bytes received after it, when sent)],
        in order."""
        result = []
        last_of = {}
        for conn, kind, data, when in self.events:
            if kind == "sent":
                last_of[conn] = len(result)
                result.append([conn, data, b"", when])
            elif conn in last_of:
                result[last_of[conn]][2] += data
        return [tuple(x) for x in result]


# ---------------------------------------------------------------------------
# Recording redis-py's connections
# ---------------------------------------------------------------------------

class RecordingSocket:
    """A socket that copies what passes through it into a Transcript."""

    def __init__(self, sock, transcript):
        self._sock = sock
        self._transcript = transcript
        self._number = transcript.new_connection()

    def sendall(self, data, *args):
        self._transcript.record(self._number, "sent", data)
        return self._sock.sendall(data, *args)

    def recv(self, size, *args):
        data = self._sock.recv(size, *args)
        self._transcript.record(self._number, "got", data)
        return data

    def recv_into(self, buffer, *args):     # redis-py's hiredis parser
        n = self._sock.recv_into(buffer, *args)
        self._transcript.record(self._number, "got", memoryview(buffer)[:n])
        return n

    def __getattr__(self, name):
        return getattr(self._sock, name)


class RecordingConnection(redis.Connection):
    """redis-py's connection, over a RecordingSocket."""

    def __init__(self, transcript=None, **kwargs):
        self.transcript = transcript
        super().__init__(**kwargs)

    def _connect(self):
        sock = super()._connect()
        if self.transcript is None:
            return sock
        return RecordingSocket(sock, self.transcript)


def recording_client(host, port, transcript, **kwargs):
    """A redis.Redis whose every connection records into `transcript`."""
    pool = redis.ConnectionPool(connection_class=RecordingConnection,
                                host=host, port=port, transcript=transcript,
                                **kwargs)
    return redis.Redis(connection_pool=pool)


# ---------------------------------------------------------------------------
# Showing commands and replies
# ---------------------------------------------------------------------------

def split_commands(data):
    """The commands (lists of bytes) in `data`, or None if it is not a
    sequence of whole RESP arrays (an inline command, a half command)."""
    commands, pos = [], 0
    while pos < len(data):
        if data[pos:pos + 1] != b"*":
            return None
        try:
            value, pos = parse_reply(data, pos)
        except (IncompleteReply, BadReply, ValueError, RecursionError):
            return None
        if not isinstance(value, list) or not all(
                isinstance(v, bytes) for v in value):
            return None
        commands.append(value)
    return commands


def cli_word(arg):
    """An argument as redis-cli shows and accepts it."""
    text = arg.decode("latin-1")
    plain = text and all(33 <= ord(c) < 127 and c not in "\"'\\" for c in text)
    if plain:
        return text
    out = []
    for c in text:
        if c in "\"\\":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif 32 <= ord(c) < 127:
            out.append(c)
        else:
            out.append("\\x%02x" % ord(c))
    return '"' + "".join(out) + '"'


def cli_line(command):
    line = " ".join(cli_word(arg) for arg in command)
    if len(line) > SHOW_LIMIT:
        line = line[:SHOW_LIMIT] + " ... (%d arguments)" % len(command)
    return line


def unknown_command(reply):
    """The name in an "unknown command 'X'" error reply, or None."""
    marker = b"-ERR unknown command '"
    start = reply.find(marker)
    if start < 0:
        return None
    start += len(marker)
    end = reply.find(b"'", start)
    return reply[start:end].decode("latin-1").upper() if end > start else None


def missing_command_advice(name):
    """What to say when the server under test does not know `name`."""
    step = steps.step_for_command(name)
    if step is None:
        return "implement %s first" % name
    return ("implement %s first (step %s, %s; %s)"
            % (name, step.id, step.title, step.where_to_read()))


# ---------------------------------------------------------------------------
# Asking the real Redis
# ---------------------------------------------------------------------------

def oracle_available(suite):
    """A redis-server to ask, unless it is the server under test."""
    if shutil.which("redis-server") is None:
        return False
    return not (suite.server_cmd and "redis-server" in suite.server_cmd)


def replay_on_redis(exchanges):
    """Send the same bytes, connection by connection, in the same order and
    with the same pauses (expiry tests wait), to a fresh redis-server;
    returns its reply to each exchange (None where none came), or a string
    saying why it could not be replayed."""
    pauses = [b[3] - a[3] for a, b in zip(exchanges, exchanges[1:])]
    if sum(pauses) > REPLAY_MAX_WAIT:
        return "the test waits %.0f s between its requests" % sum(pauses)
    with tempfile.TemporaryDirectory() as workdir:
        # A Unix socket of its own: the replay can reach no other server.
        path = os.path.join(workdir, "redis.sock")
        try:
            proc = subprocess.Popen(
                ["redis-server", "--port", "0", "--unixsocket", path,
                 "--save", "", "--appendonly", "no", "--dir", workdir],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            return "could not start redis-server (%s)" % exc
        try:
            return _replay(proc, path, exchanges, [0.0] + pauses)
        except OSError as exc:
            return "could not talk to redis-server (%s)" % exc
        finally:
            proc.kill()
            proc.wait()


def _connect_when_up(proc, path):
    deadline = time.monotonic() + 5
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _replay(proc, path, exchanges, pauses):
    socks, replies = {}, []
    try:
        for (conn, sent, _, _), pause in zip(exchanges, pauses):
            commands = split_commands(sent)
            if commands is None:
                return "a request is not a sequence of whole commands"
            if conn not in socks:
                socks[conn] = _connect_when_up(proc, path)
            time.sleep(max(0.0, pause))
            sock = socks[conn]
            sock.sendall(sent)
            replies.append(_read_replies(sock, len(commands)))
    finally:
        for sock in socks.values():
            sock.close()
    return replies


def _read_replies(sock, count):
    """`count` whole replies as raw bytes, or None if they do not come."""
    data, pos, got = b"", 0, 0
    sock.settimeout(REPLAY_TIMEOUT)
    while got < count:
        try:
            _, pos = parse_reply(data, pos)
            got += 1
            continue
        except IncompleteReply:
            pass
        except BadReply:
            return None
        try:
            chunk = sock.recv(65536)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


# ---------------------------------------------------------------------------
# The explanation of a failure
# ---------------------------------------------------------------------------

def explanation(transcript, step, suite):
    """The lines explaining a failed test from what it sent and received."""
    exchanges = transcript.exchanges()
    lines = []
    if exchanges:
        shown = exchanges[-EXCHANGES_SHOWN:]
        redis_replies = None
        if oracle_available(suite):
            redis_replies = replay_on_redis(exchanges)
        if isinstance(redis_replies, list):
            redis_replies = redis_replies[-len(shown):]
        lines.append("The last %s the test sent (of %d), oldest first:"
                     % ("request" if len(shown) == 1 else
                        "%d requests" % len(shown), len(exchanges)))
        for i, (conn, sent, got, _) in enumerate(shown):
            lines.extend(_describe_exchange(conn, sent, got,
                                            redis_replies, i))
        missing = unknown_command(exchanges[-1][2])
        if missing:
            lines.append("  The server does not know %s: %s."
                         % (missing, missing_command_advice(missing)))
    if step is not None:
        lines.append("Step %s (%s): %s" % (step.id, step.title, step.hint))
        lines.append("Read %s." % step.where_to_read())
    return "\n".join(lines)


def _describe_exchange(conn, sent, got, redis_replies, index):
    commands = split_commands(sent)
    lines = []
    if commands is not None and len(commands) <= 3:
        for command in commands:
            lines.append("  command:       %s" % cli_line(command))
    elif commands is not None:
        lines.append("  commands:      %d pipelined, the last: %s"
                     % (len(commands), cli_line(commands[-1])))
    lines.append("  sent:          %s  (connection %d)" % (show_bytes(sent), conn))
    lines.append("  received:      %s" % (show_bytes(got) if got else "nothing"))
    if isinstance(redis_replies, str):
        if index == 0:
            lines.append("  Redis replies: (not replayed: %s)" % redis_replies)
    elif redis_replies is not None:
        reply = redis_replies[index]
        lines.append("  Redis replies: %s" % (
            "(no reply within %.0f s)" % REPLAY_TIMEOUT if reply is None
            else show_bytes(reply) + ("" if reply != got else "  (the same)")))
    return lines
