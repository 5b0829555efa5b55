"""Byte-level helpers for the integration suite.

redis-py hides the wire: it parses replies, strips the "ERR " prefix from
errors and never shows what was actually sent. The tests that care about
exact bytes (every protocol error, the exact text of an error reply, the
framing of a bulk or integer reply) use the raw socket helpers below instead.

`expect_reply` is the one to reach for. When the reply differs it fails with
a message a learner can act on: what the test sent, what came back, what the
real Redis sends, and which workshop.md chapter explains it.
"""

import signal
import socket
import threading
import time

DEFAULT_TIMEOUT = 3.0  # seconds to wait for a reply the oracle sends at once


# ---------------------------------------------------------------------------
# Encoding: the bytes a client puts on the wire
# ---------------------------------------------------------------------------

def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, int):
        return str(value).encode()
    return value.encode()


def command(*args):
    """A request in RESP multibulk form: command("SET", "k", b"v")."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        arg = _as_bytes(arg)
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


def bulk(value):
    """The bulk string reply Redis sends for `value` ($-1 for None)."""
    if value is None:
        return b"$-1\r\n"
    value = _as_bytes(value)
    return b"$%d\r\n%s\r\n" % (len(value), value)


def integer(n):
    """The integer reply Redis sends for `n`."""
    return b":%d\r\n" % n


def array(*items):
    """An array reply; each item is already encoded (bulk(), integer() ...)."""
    return b"*%d\r\n" % len(items) + b"".join(items)


def error(text):
    """An error reply: error("ERR syntax error")."""
    return b"-" + _as_bytes(text) + b"\r\n"


def arity_error(name):
    """The arity error Redis 7 sends for command `name` (lower case)."""
    return error("ERR wrong number of arguments for '%s' command" % name)


# ---------------------------------------------------------------------------
# A raw connection
# ---------------------------------------------------------------------------

class RawConnection:
    """A plain TCP client: send bytes, read bytes, notice the server closing.

    Reads never raise on a timeout or a reset: they return what arrived so
    far, and `closed` says whether the server ended the connection, so the
    tests can report what happened instead of a bare socket exception.
    """

    def __init__(self, host, port, timeout=DEFAULT_TIMEOUT, nodelay=True):
        self.host, self.port = host, port
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        if nodelay:
            # Without TCP_NODELAY the kernel may glue small writes together,
            # and the tests that split a command across writes want each
            # piece to leave on its own.
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.closed = False  # the server closed (EOF) or reset the connection

    def send(self, data):
        self.sock.sendall(data)

    def read_exactly(self, n, timeout=None):
        """Read until `n` bytes arrived, the server closed, or the timeout.

        Returns the bytes read, which may be fewer than `n`.
        """
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        chunks, got = [], 0
        while got < n and not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(min(n - got, 1 << 20))
            except socket.timeout:
                break
            except (ConnectionResetError, BrokenPipeError):
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def read_line(self, timeout=None):
        """Read up to and including the first \\n (fewer bytes if the server
        closed or nothing more came within the timeout)."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            piece = self.read_exactly(1, left) if left > 0 else b""
            if not piece:
                break
            line += piece
        return line

    def read_available(self, timeout=0.05):
        """Whatever arrives within `timeout` seconds (b"" if nothing)."""
        deadline = time.monotonic() + timeout
        chunks = []
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, BrokenPipeError):
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def wait_closed(self, timeout=None):
        """Read until the server closes; returns any bytes that came first."""
        timeout = self.timeout if timeout is None else timeout
        return self.read_available(timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------
# Assertions with a hint
# ---------------------------------------------------------------------------

def show_bytes(data, limit=300):
    """repr() of bytes, shortened in the middle when it is long."""
    if len(data) <= limit:
        return repr(data)
    half = limit // 2
    return "%r ... (%d bytes) ... %r" % (data[:half], len(data), data[-half:])


def hint_message(sent, got, expected, chapter, problem, hint=None):
    lines = [
        problem,
        "  sent:          %s" % show_bytes(sent),
        "  received:      %s" % show_bytes(got),
        "  Redis replies: %s" % show_bytes(expected),
    ]
    if hint:
        lines.append("  hint: " + hint)
    lines.append("  Read workshop.md chapter %d." % chapter)
    return "\n".join(lines)


def expect_reply(conn, sent, expected, chapter, close_after=False, hint=None,
                 timeout=None):
    """Send `sent` and assert the server answers exactly `expected`.

    With close_after=True the server must also close the connection right
    after that reply (what Redis does after a protocol error). `sent` may be
    b"" to only read, e.g. the rest of a pipelined answer.
    """
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    if sent:
        try:
            conn.send(sent)
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise AssertionError(hint_message(
                sent, b"", expected, chapter,
                "The server closed the connection while the test was "
                "still sending (%s)." % exc, hint)) from None
    got = conn.read_exactly(len(expected), timeout)
    if got != expected:
        if conn.closed:
            problem = "The server closed the connection instead of replying."
            if got:
                problem = "Wrong reply, then the server closed the connection."
        elif len(got) < len(expected) and expected.startswith(got):
            problem = ("The reply is incomplete: nothing more arrived within "
                       "%.1f s." % (timeout or conn.timeout))
        else:
            problem = "Wrong reply."
        raise AssertionError(hint_message(sent, got, expected, chapter,
                                          problem, hint))
    if close_after:
        extra = conn.wait_closed(timeout)
        if not conn.closed or extra:
            problem = ("The reply was right, but Redis then closes the "
                       "connection, and this server ")
            if extra:
                problem += "sent more bytes: %s" % show_bytes(extra)
            else:
                problem += "kept it open."
            raise AssertionError(hint_message(sent, got + extra, expected,
                                              chapter, problem, hint))
    return got


def expect_no_reply_yet(conn, sent, chapter, wait=0.05, hint=None):
    """Assert that nothing comes back (yet) after sending `sent`."""
    __tracebackhide__ = True
    if sent:
        conn.send(sent)
    got = conn.read_available(wait)
    if got or conn.closed:
        problem = ("The server answered (or closed) before the command was "
                   "complete: a command may arrive over several reads.")
        raise AssertionError(hint_message(sent, got, b"(nothing yet)",
                                          chapter, problem, hint))


# ---------------------------------------------------------------------------
# Waiting for something the server does on its own (expiry, stage 3)
# ---------------------------------------------------------------------------

def wait_until(predicate, timeout, interval=0.01):
    """Call predicate() until it returns a true value or `timeout` s pass.

    Returns the last result: true if the condition came in time, else the
    last false one. For what the server does in its own time (the active
    expiry cycle), polled with a deadline instead of one long fixed sleep.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def sleep_until(when):
    """Sleep until time.monotonic() reaches `when` (no-op if it has)."""
    left = when - time.monotonic()
    if left > 0:
        time.sleep(left)


# ---------------------------------------------------------------------------
# Stage 5: the append-only file
# ---------------------------------------------------------------------------

class AofError(Exception):
    """An append-only file that is not a clean sequence of RESP commands.

    `offset` is where the bad or unfinished record starts, `records` the
    complete records before it; `truncated` is True when the file merely
    ends inside its last record (what a crash mid-write leaves).
    """

    def __init__(self, message, offset, records, truncated):
        super().__init__("%s (record at byte %d)" % (message, offset))
        self.offset = offset
        self.records = records
        self.truncated = truncated


def aof_records(data):
    """Split an append-only file into its commands.

    Returns a list of (start, end, args): the byte range of each record and
    its arguments as bytes. Raises AofError if the file is not a sequence of
    RESP arrays of bulk strings (truncated=True if it only stops short).
    """
    records = []
    pos, size = 0, len(data)

    def line(at, start):
        end = data.find(b"\r\n", at)
        if end < 0:
            raise AofError("the file ends inside a length line", start,
                           records, True)
        return end

    def number(at, end, start):
        text = data[at:end]
        if not text.isdigit():
            raise AofError("bad length %r at byte %d" % (text, at), start,
                           records, False)
        return int(text)

    while pos < size:
        start = pos
        if data[pos:pos + 1] != b"*":
            raise AofError("expected '*' at byte %d, found %r"
                           % (pos, data[pos:pos + 1]), start, records, False)
        end = line(pos, start)
        count = number(pos + 1, end, start)
        pos = end + 2
        args = []
        for _ in range(count):
            if pos >= size:
                raise AofError("the file ends inside a record", start,
                               records, True)
            if data[pos:pos + 1] != b"$":
                raise AofError("expected '$' at byte %d, found %r"
                               % (pos, data[pos:pos + 1]), start, records,
                               False)
            end = line(pos, start)
            length = number(pos + 1, end, start)
            pos = end + 2
            if pos + length + 2 > size:
                tail = data[pos + length:size]
                if tail != b"\r\n"[:len(tail)]:
                    raise AofError("no CRLF after the argument at byte %d"
                                   % pos, start, records, False)
                raise AofError("the file ends inside an argument", start,
                               records, True)
            if data[pos + length:pos + length + 2] != b"\r\n":
                raise AofError("no CRLF after the argument at byte %d" % pos,
                               start, records, False)
            args.append(data[pos:pos + length])
            pos += length + 2
        records.append((start, pos, args))
    return records


def aof_commands(data):
    """The commands of an append-only file, names upper-cased, SELECT left
    out (Redis starts its files with SELECT 0)."""
    out = []
    for _, _, args in aof_records(data):
        if args and args[0].upper() != b"SELECT":
            out.append([args[0].upper()] + args[1:])
    return out


def wait_rewrite_done(client, timeout=10.0):
    """Poll INFO persistence until no AOF rewrite runs or waits to run.

    Returns the last INFO persistence dict. aof_rewrite_scheduled is Redis's
    (a rewrite queued behind another child); a server without it counts as 0.
    """
    def done():
        info = client.info("persistence")
        busy = (int(info.get("aof_rewrite_in_progress", 1)) or
                int(info.get("aof_rewrite_scheduled", 0)))
        return None if busy else info
    info = wait_until(done, timeout, interval=0.02)
    if info is None:
        info = client.info("persistence")
        raise AssertionError(
            "The AOF rewrite did not finish within %.0f s: INFO persistence "
            "still says aof_rewrite_in_progress:%s. Hint: the server must "
            "reap the rewrite child (waitpid with WNOHANG in the cron), "
            "rename its file into place and reset the flag.\n  Read "
            "workshop.md chapter 5."
            % (timeout, info.get("aof_rewrite_in_progress")))
    return info


def aof_on(own_binary, fsync="everysec"):
    """The options that start a server with the append-only file on.

    Redis 7 starts its AOF with an RDB snapshot as the base by default;
    --aof-use-rdb-preamble no makes it write commands only, like ours (the
    option is Redis's alone: our binary does not take it). Options later on
    the command line override the --appendonly no of the oracle run.
    """
    args = ["--appendonly", "yes", "--appendfsync", fsync]
    if not own_binary:
        args += ["--aof-use-rdb-preamble", "no"]
    return args


class RestartableServer:
    """A server that a test stops and starts again on the same directory.

    `args` are the extra options of every start (aof_on() ...). stop("term")
    sends SIGTERM, a clean shutdown; stop("kill") SIGKILL, a crash: nothing
    runs after it, whatever the server had not written to its file is lost.
    """

    def __init__(self, factory, *args, dir=None):
        self.factory = factory
        self.args = list(args)
        self.process = factory.start(*self.args, dir=dir)
        self.dir = self.process.workdir
        self._clients = []
        self._wait_loaded()

    def client(self):
        import redis
        client = redis.Redis(host=self.process.host, port=self.process.port,
                             socket_timeout=10)
        self._clients.append(client)
        return client

    def _close_clients(self):
        for client in self._clients:
            client.connection_pool.disconnect()
        self._clients = []

    def stop(self, how="term"):
        """Stop the server; returns its exit status."""
        self._close_clients()
        if self.process.alive():
            self.process.signal(signal.SIGKILL if how == "kill"
                                else signal.SIGTERM)
        return self.process.wait()

    def start(self, *args):
        """Start again on the same directory (with other options if given).

        Returns a client once the server answers PING. Redis accepts
        connections while it loads its files and answers -LOADING until it is
        done; ours loads before it listens, so the first PING answers.
        """
        if args:
            self.args = list(args)
        self.process = self.factory.start(*self.args, dir=self.dir)
        return self._wait_loaded()

    def _wait_loaded(self, timeout=30):
        import redis
        client = self.client()
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return client
            except redis.exceptions.BusyLoadingError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def restart(self, how="term"):
        """stop(how), then start(); returns a client of the new process."""
        self.stop(how)
        return self.start()


class AckedWriter(threading.Thread):
    """Writes until stopped or cut off, recording every acknowledged write.

    Write k is step i = k // 3 of SET key:<i> <i>, INCR counter, RPUSH list
    <i>, sent one at a time on a raw socket. acked[k] is the monotonic time
    write k's reply arrived; in_flight is True when the last write was sent
    but its reply never came (the server died); error is an unexpected reply.
    """

    def __init__(self, host, port, timeout=10.0):
        super().__init__(daemon=True)
        self.host, self.port, self.timeout = host, port, timeout
        self.stop_event = threading.Event()
        self.acked = []
        self.in_flight = False
        self.error = None

    @staticmethod
    def request(k):
        i = k // 3
        if k % 3 == 0:
            return command("SET", "key:%d" % i, str(i))
        if k % 3 == 1:
            return command("INCR", "counter")
        return command("RPUSH", "list", str(i))

    def run(self):
        try:
            sock = socket.create_connection((self.host, self.port),
                                            timeout=self.timeout)
        except OSError as exc:
            self.error = "could not connect: %s" % exc
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b""
        try:
            while not self.stop_event.is_set():
                k = len(self.acked)
                self.in_flight = True
                sock.sendall(self.request(k))
                while b"\r\n" not in pending:
                    chunk = sock.recv(4096)
                    if not chunk:
                        return  # the server is gone: in_flight stays True
                    pending += chunk
                line, pending = pending.split(b"\r\n", 1)
                if line[:1] not in (b"+", b":"):
                    self.error = "write %d (%r) got %r" % (
                        k, self.request(k), line)
                    return
                self.acked.append(time.monotonic())
                self.in_flight = False
        except OSError:
            return  # reset by the dying server: in_flight stays True
        finally:
            sock.close()

    def finish(self, timeout=10.0):
        self.stop_event.set()
        self.join(timeout)


def surviving_writes(client, steps):
    """How many of an AckedWriter's writes a server holds: p, meaning writes
    0..p-1 are all there and none after them.

    `steps` bounds the SET keys looked at (the writer's step count + 1).
    Raises AssertionError when the data is no such prefix: a write is missing
    while a later one is there, or a value is wrong.
    """
    __tracebackhide__ = True
    counter = int(client.get(b"counter") or 0)
    elements = client.lrange(b"list", 0, -1)
    names = [b"key:%d" % i for i in range(steps + 2)]
    values = []
    for at in range(0, len(names), 1000):
        values.extend(client.mget(names[at:at + 1000]))
    sets = 0
    while sets < len(values) and values[sets] is not None:
        sets += 1
    problems = []
    wrong = [i for i in range(sets) if values[i] != b"%d" % i]
    if wrong:
        problems.append("key:%d holds %r instead of %d"
                        % (wrong[0], values[wrong[0]], wrong[0]))
    later = [i for i in range(sets, len(values)) if values[i] is not None]
    if later:
        problems.append("key:%d is missing but key:%d is there"
                        % (sets, later[0]))
    if elements != [b"%d" % i for i in range(len(elements))]:
        problems.append("list is not 0, 1, 2 ... in order: %r"
                        % elements[:20])
    p = sets + counter + len(elements)
    if not problems and (sets, counter, len(elements)) != (
            (p + 2) // 3, (p + 1) // 3, p // 3):
        problems.append("SET key:i, INCR counter and RPUSH list were sent "
                        "in turn, but %d keys, counter=%d and %d list "
                        "elements are no prefix of that sequence"
                        % (sets, counter, len(elements)))
    if problems:
        raise AssertionError(
            "After the restart the data is not the writes in the order they "
            "were acknowledged: %s.\n  hint: append each write to the file "
            "in execution order, and on start replay the whole file in "
            "order; a write must never be logged before an earlier one.\n"
            "  Read workshop.md chapter 5." % "; ".join(problems))
    return p


# ---------------------------------------------------------------------------
# Stage 6: reading whole replies, RESP2 and RESP3
# ---------------------------------------------------------------------------
#
# The stage 6 tests check replies whose exact bytes vary (an id, a version,
# the addr= of a CLIENT LIST line), so they parse them. read_reply() reads
# exactly one reply and returns it parsed, along with its raw bytes. The
# parsed value keeps the RESP type in its Python type: a bulk string is
# bytes, a simple string SimpleString (a bytes subclass), an error
# ErrorReply, an integer int, a null None (`$-1`, `*-1` or RESP3 `_`), an
# array a list, a RESP3 map RespMap (a list of (key, value) pairs), a set
# RespSet (a list), a verbatim string Verbatim (bytes, with .format).


class SimpleString(bytes):
    """A +simple string reply."""


class ErrorReply(bytes):
    """A -error reply, without the '-' and the CRLF."""


class Verbatim(bytes):
    """A RESP3 =verbatim string: the text, with .format (b"txt")."""

    def __new__(cls, value, format):
        obj = super().__new__(cls, value)
        obj.format = format
        return obj


class RespMap(list):
    """A RESP3 %map: a list of (key, value) pairs, in the order sent."""

    def names(self):
        """The keys, in order (not keys(): dict(RespMap) must see pairs)."""
        return [key for key, _ in self]

    def get(self, key, default=None):
        for k, v in self:
            if k == key:
                return v
        return default


class RespSet(list):
    """A RESP3 ~set."""


class IncompleteReply(Exception):
    """The bytes so far are the beginning of a reply, not all of it."""


class BadReply(Exception):
    """The bytes are no RESP reply."""


def parse_reply(data, pos=0):
    """Parse one RESP2/RESP3 reply at data[pos:]; returns (value, end).

    Raises IncompleteReply if the reply goes past the end of `data`, and
    BadReply if the bytes are not RESP.
    """
    end = data.find(b"\r\n", pos)
    if end < 0:
        raise IncompleteReply()
    kind, line = data[pos:pos + 1], data[pos + 1:end]
    after = end + 2

    def number():
        try:
            return int(line)
        except ValueError:
            raise BadReply("bad number %r after %r at byte %d"
                           % (line, kind, pos)) from None

    if kind == b"+":
        return SimpleString(line), after
    if kind == b"-":
        return ErrorReply(line), after
    if kind == b":":
        return number(), after
    if kind == b"_":
        return None, after
    if kind == b",":
        return float(line), after
    if kind == b"#":
        return line == b"t", after
    if kind == b"(":
        return number(), after
    if kind in (b"$", b"=", b"!"):
        n = number()
        if n < 0:
            return None, after
        if len(data) < after + n + 2:
            raise IncompleteReply()
        if data[after + n:after + n + 2] != b"\r\n":
            raise BadReply("no CRLF after the %d-byte string at byte %d"
                           % (n, pos))
        body = data[after:after + n]
        if kind == b"=":
            if body[3:4] != b":":
                raise BadReply("verbatim string without a 'fmt:' prefix: "
                               "%r" % body[:20])
            return Verbatim(body[4:], body[:3]), after + n + 2
        if kind == b"!":
            return ErrorReply(body), after + n + 2
        return body, after + n + 2
    if kind in (b"*", b"~", b">", b"%", b"|"):
        n = number()
        if n < 0:
            return None, after
        items = []
        count = n * 2 if kind in (b"%", b"|") else n
        for _ in range(count):
            item, after = parse_reply(data, after)
            items.append(item)
        if kind in (b"%", b"|"):
            return RespMap(zip(items[0::2], items[1::2])), after
        if kind == b"~":
            return RespSet(items), after
        return items, after
    raise BadReply("unknown reply type %r at byte %d" % (kind, pos))


def read_reply(conn, timeout=None):
    """Read one whole reply from a RawConnection: returns (value, raw bytes).

    Bytes past the reply (a pipelined answer) are kept for the next call.
    Raises AssertionError, showing what arrived, if the reply does not come
    complete within `timeout` or is no RESP.
    """
    __tracebackhide__ = True
    timeout = conn.timeout if timeout is None else timeout
    data = getattr(conn, "_pending_reply_bytes", b"")
    conn._pending_reply_bytes = b""
    deadline = time.monotonic() + timeout
    while True:
        if data:
            try:
                value, end = parse_reply(data)
            except IncompleteReply:
                pass
            except BadReply as exc:
                raise AssertionError("The reply is not valid RESP (%s): %s"
                                     % (exc, show_bytes(data))) from None
            else:
                conn._pending_reply_bytes = data[end:]
                return value, data[:end]
        left = deadline - time.monotonic()
        if conn.closed or left <= 0:
            raise AssertionError(
                "No complete reply within %.1f s%s; received: %s"
                % (timeout, " (the server closed the connection)"
                   if conn.closed else "", show_bytes(data)))
        conn.sock.settimeout(left)
        try:
            chunk = conn.sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            conn.closed = True
            continue
        if not chunk:
            conn.closed = True
        data += chunk


def request(conn, *args, timeout=None):
    """Send command(*args) and return (parsed reply, raw bytes)."""
    __tracebackhide__ = True
    conn.send(command(*args))
    return read_reply(conn, timeout)
