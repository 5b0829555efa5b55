/* Starter kit, stage 0 — ping: a server from raw sockets, in C.
 *
 * The start of your own Redis server for the workshop. As it is, it
 * compiles and runs but does nothing yet: it reads --port N, says what is
 * missing, and exits with status 1, so the grader stops at step 0a.
 *
 * Fill in the TODOs in the order of their step ids; each one is a step of
 * workshop.md chapter 0 (read "Build it yourself, step by step"):
 *
 *   0a  bind and accept on 127.0.0.1 at --port N     listen_on(), main()
 *   0b  answer PING                                  request_length(), serve_client()
 *   0c  many PINGs on one connection                 serve_client()
 *   0d  one client after another                     serve_client()
 *   0e  other commands get an error                  is_ping(), serve_client()
 *
 * After each step, grade it from the repository's root (see README.md):
 *
 *   make -C starter/c && make grade SERVER='starter/c/server --port {port}' STAGE=0
 */
#define _POSIX_C_SOURCE 200809L   /* the POSIX calls, with -std=c11 */

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_SIZE (64 * 1024)   /* room for a client's unanswered bytes */

/* Listen on 127.0.0.1:port; return the listening socket, or -1. */
int listen_on(int port)
{
    /* TODO 0a: make a listening socket (workshop.md chapter 0, step 0a).
     *   int fd = socket(AF_INET, SOCK_STREAM, 0);
     *   set SO_REUSEADDR to 1 with setsockopt(), so a restart can reuse the port;
     *   struct sockaddr_in addr = {.sin_family = AF_INET,
     *                              .sin_port = htons((uint16_t)port)};
     *   inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
     *   bind(fd, (struct sockaddr *)&addr, sizeof(addr)), then listen(fd, 511);
     *   if a call returns -1, print strerror(errno) and return -1.
     * Then delete the two lines below. */
    fprintf(stderr, "TODO: listen on port %d (workshop.md chapter 0, step 0a)\n", port);
    return -1;
}

/* The length of the first whole request at the start of buf, or 0 if it
 * has not all arrived yet. */
size_t request_length(const char *buf, size_t len)
{
    /* TODO 0b: find where the first request ends (workshop.md chapter 0, step 0b).
     *   inline (buf[0] is not '*'): one line; whole once there is a '\n'
     *     (memchr(buf, '\n', len)), and its length includes that '\n';
     *   array ("*1\r\n$4\r\nPING\r\n"): "*<count>\r\n", then for each
     *     element "$<n>\r\n", n bytes of data and "\r\n". The length n
     *     says where the data ends: do not look for "\r\n" inside it.
     * Whatever has not arrived yet: return 0. */
    (void)buf;   /* delete these two lines once you use buf and len */
    (void)len;
    return 0;
}

/* Whether the whole request of `len` bytes at `request` is a PING. */
int is_ping(const char *request, size_t len)
{
    /* TODO 0e: tell PING from the other commands (workshop.md chapter 0, step 0e).
     *   inline: the first word of the line is PING, in any case
     *     (strncasecmp), and not just its start: PINGPING is not PING;
     *   array: the first bulk string is the 4 bytes PING, in any case.
     * Until then, every request counts as a PING. */
    (void)request;   /* delete these two lines once you use request and len */
    (void)len;
    return 1;
}

/* Write all of data: write() may send only part of it. -1 if the client
 * has gone. */
int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Serve one client until it hangs up. */
void serve_client(int client)
{
    /* TODO 0b: answer PING (workshop.md chapter 0, step 0b).
     *   static char buf[BUFFER_SIZE]; size_t used = 0;
     *   ssize_t n = read(client, buf + used, BUFFER_SIZE - used);
     *   used += n; if request_length(buf, used) is > 0, a whole request
     *   is there: write_all(client, "+PONG\r\n", 7).
     *
     * TODO 0c: many PINGs on one connection (step 0c).
     *   Put the read() in a loop, so the client can send more. After each
     *   read(), answer EVERY whole request in buf, not only the first
     *   (one read() may bring several), then move what is left (the start
     *   of the next request) to the front of buf with memmove().
     *
     * TODO 0d: one client after another (step 0d).
     *   When read() returns 0 (the client hung up) or -1, return: main()
     *   closes the socket and accept()s the next client.
     *
     * TODO 0e: other commands get an error (step 0e).
     *   Answer a request that is not a PING (is_ping() is 0) with an error
     *   reply, "-ERR unknown command\r\n", and keep the connection open. */
    (void)client;   /* delete this line once you use client */
}

/* Read --port N (and accept --dir D, which stage 0 does not need). */
int parse_args(int argc, char **argv, int *port)
{
    *port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end;
            long p = strtol(argv[++i], &end, 10);
            if (*end != '\0' || p < 1 || p > 65535) {
                fprintf(stderr, "server: --port %s: expected a number from 1 to 65535\n", argv[i]);
                return -1;
            }
            *port = (int)p;
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            i++;   /* the grader starts the server in that directory already */
        } else {
            fprintf(stderr, "server: unknown option '%s'\n", argv[i]);
            return -1;
        }
    }
    if (*port == 0) {
        fprintf(stderr, "usage: server --port N [--dir D]\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int port;
    if (parse_args(argc, argv, &port) == -1)
        return 2;
    signal(SIGPIPE, SIG_IGN);   /* a write to a client that has gone fails instead of killing us */

    int listener = listen_on(port);
    if (listener == -1)
        return 1;

    /* TODO 0a: accept clients (workshop.md chapter 0, step 0a), forever:
     *   for (;;) {
     *       int client = accept(listener, NULL, NULL);
     *       if (client == -1)
     *           continue;
     *       serve_client(client);
     *       close(client);
     *   }
     * The grader stops the server with SIGTERM, which ends the process. */
    close(listener);
    return 0;
}
