"""Chapter 1 (stage 1): the protocol, a command table and an event loop."""

from steps import Step

CHAPTER = 1
STAGE = 1
TITLE = "echo: the protocol and an event loop"

STEPS = [
    Step("1a", "ECHO, and PING with a message", commands=("PING", "ECHO"),
         hint="look the command up in a table, case-insensitively; reply "
              "with a bulk string: $<length>\\r\\n<bytes>\\r\\n"),
    Step("1b", "many clients at once",
         hint="non-blocking sockets and one readiness loop (epoll, select, "
              "...): no client may wait for another"),
    Step("1c", "a command split across reads",
         hint="keep what arrived in the client's query buffer and parse "
              "again when more comes; a bulk's length says where it ends"),
    Step("1d", "pipelining",
         hint="parse and run every whole command in the buffer, and send "
              "the replies in order"),
    Step("1e", "inline commands",
         hint="a line not starting with '*' is split into words as "
              "redis-cli does: quotes, escapes, blank lines ignored"),
    Step("1f", "protocol errors",
         hint="malformed input gets Redis's exact '-ERR Protocol error: "
              "...' and the connection is closed after it"),
    Step("1g", "unknown commands and wrong arity",
         hint="check the arity before running a command; unknown commands "
              "get Redis's text, arguments quoted and cut at 128 bytes"),
    Step("1h", "the command line: --bind, --help, signals, logs",
         hint="--bind ADDR, --help exits 0, a bad option exits 1 with one "
              "line, SIGTERM and SIGINT exit cleanly, logs in Redis's format"),
]
