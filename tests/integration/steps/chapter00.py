"""Chapter 0 (stage 0): a server that answers PING, from raw sockets."""

from steps import Step

CHAPTER = 0
STAGE = 0
TITLE = "ping: a server from raw sockets"

STEPS = [
    Step("0a", "bind and accept",
         hint="listen on 127.0.0.1 at the port given as --port N and "
              "accept() the suite's connection"),
    Step("0b", "answer PING", commands=("PING",),
         hint="a request is a line (inline) or an array of bulk strings; "
              "answer each PING with +PONG\\r\\n"),
    Step("0c", "many PINGs on one connection", commands=("PING",),
         hint="keep reading after a reply, and answer every whole request "
              "a read() brought, not only the first"),
    Step("0d", "one client after another",
         hint="when read() returns 0 the client has gone: close its socket "
              "and go back to accept()"),
    Step("0e", "other commands get an error",
         hint="anything but PING is answered with an error reply: '-', "
              "a text, \\r\\n; and the connection stays open"),
]
