"""Starter kit, stage 0 — ping: a server from raw sockets, in Python.

The start of your own Redis server for the workshop. As it is, it runs but
does nothing yet: it reads --port N, says what is missing, and exits with
status 1, so the grader stops at step 0a. Standard library only (Python 3).

Fill in the TODOs in the order of their step ids; each one is a step of
workshop.md chapter 0 (read "Build it yourself, step by step"):

  0a  bind and accept on 127.0.0.1 at --port N     listen_on(), main()
  0b  answer PING                                  request_length(), serve_client()
  0c  many PINGs on one connection                 serve_client()
  0d  one client after another                     serve_client()
  0e  other commands get an error                  is_ping(), serve_client()

After each step, grade it from the repository's root (see README.md):

  make grade SERVER='python3 starter/python/server.py --port {port}' STAGE=0
"""

import argparse
import socket
import sys


def listen_on(port):
    """Listen on 127.0.0.1:port; return the listening socket, or None."""
    # TODO 0a: make a listening socket (workshop.md chapter 0, step 0a).
    #   return socket.create_server(("127.0.0.1", port), backlog=511)
    # does socket(), SO_REUSEADDR, bind() and listen() in one call (Python
    # 3.8 and later). If it raises OSError, print it and return None.
    # Then delete the two lines below.
    print("TODO: listen on port %d (workshop.md chapter 0, step 0a)" % port,
          file=sys.stderr)
    return None


def request_length(buf):
    """The length of the first whole request at the start of buf (bytes),
    or 0 if it has not all arrived yet."""
    # TODO 0b: find where the first request ends (workshop.md chapter 0, step 0b).
    #   inline (buf does not start with b"*"): one line; whole once there
    #     is a b"\n" (buf.find(b"\n")), and its length includes that b"\n";
    #   array (b"*1\r\n$4\r\nPING\r\n"): b"*<count>\r\n", then for each
    #     element b"$<n>\r\n", n bytes of data and b"\r\n". The length n
    #     says where the data ends: do not look for b"\r\n" inside it.
    # Whatever has not arrived yet: return 0.
    return 0


def is_ping(request):
    """Whether the whole request (bytes) is a PING."""
    # TODO 0e: tell PING from the other commands (workshop.md chapter 0, step 0e).
    #   inline: the first word of the line is PING, in any case
    #     (request.split()[0].upper()), and not just its start: PINGPING
    #     is not PING;
    #   array: the first bulk string is the 4 bytes PING, in any case.
    # Until then, every request counts as a PING.
    return True


def serve_client(client):
    """Serve one client (a connected socket) until it hangs up."""
    # TODO 0b: answer PING (workshop.md chapter 0, step 0b).
    #   buf = client.recv(65536)
    #   if request_length(buf) > 0, a whole request is there:
    #   client.sendall(b"+PONG\r\n").
    #
    # TODO 0c: many PINGs on one connection (step 0c).
    #   Put the recv() in a loop, so the client can send more, adding what
    #   it brings to buf. After each recv(), answer EVERY whole request in
    #   buf, not only the first (one recv() may bring several), and keep
    #   what is left (the start of the next request): buf = buf[n:].
    #
    # TODO 0d: one client after another (step 0d).
    #   When recv() returns b"" (the client hung up) or raises OSError,
    #   return: main() closes the socket and accepts the next client.
    #
    # TODO 0e: other commands get an error (step 0e).
    #   Answer a request that is not a PING (is_ping() is False) with an
    #   error reply, b"-ERR unknown command\r\n", and keep the connection
    #   open.
    pass


def parse_args(argv):
    """Read --port N (and accept --dir D, which stage 0 does not need)."""
    parser = argparse.ArgumentParser(prog="server.py")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", help="the grader starts the server in "
                                      "that directory already")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    listener = listen_on(args.port)
    if listener is None:
        return 1

    # TODO 0a: accept clients (workshop.md chapter 0, step 0a), forever:
    #   while True:
    #       client, _ = listener.accept()
    #       serve_client(client)
    #       client.close()
    # The grader stops the server with SIGTERM, which ends the process.
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
