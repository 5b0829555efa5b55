/* Stage 0 — ping: a server from raw sockets, one client at a time.
 *
 * Everything a network server does, with nothing hidden behind a library:
 *
 *   socket()  make an endpoint          bind()    give it an address
 *   listen()  let clients queue up      accept()  take the next client
 *   read()    get its bytes             write()   send the reply
 *
 * The server answers PING with +PONG, whether PING arrives as an array of
 * bulk strings (what client libraries send: *1\r\n$4\r\nPING\r\n) or as an
 * inline line (what you type into telnet: PING\r\n). Bytes are buffered
 * until a whole request is there, because TCP may cut a request anywhere,
 * and may deliver several at once.
 *
 * Stage 0 keeps the parsing minimal: every request gets +PONG if it is a
 * PING (its argument, if any, is ignored) and an error otherwise, and a
 * malformed request just ends the connection. Stage 1 answers exactly as
 * Redis does, PING with an argument and protocol errors included.
 *
 * The calls block, so while one client is connected the next one waits in
 * the listen queue. Stage 1 replaces this with an event loop that serves
 * many clients at once. Read workshop.md chapter 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE (64 * 1024)     /* a longer request is refused */

static volatile sig_atomic_t stop_signal;

/* One log line in Redis's format: "pid:M date time.ms * message". */
static void log_line(const char *fmt, ...)
{
    char when[64];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", localtime(&tv.tv_sec));
    fprintf(stderr, "%d:M %s.%03d * ", (int)getpid(), when, (int)(tv.tv_usec / 1000));
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* Length of the first complete request in buf, 0 if it is not all there
 * yet, -1 if it is malformed. *is_ping tells whether it was PING. */
static long request_length(const char *buf, size_t len, int *is_ping)
{
    *is_ping = 0;
    const char *end = memchr(buf, '\n', len);
    if (buf[0] != '*') {                          /* inline: one line */
        if (end == NULL)
            return 0;
        size_t word = strspn(buf, " \t");
        *is_ping = strncasecmp(buf + word, "PING", 4) == 0 && strchr(" \t\r\n", buf[word + 4]) != NULL;
        return end - buf + 1;
    }
    if (end == NULL)                              /* array: "*<count>\r\n" then bulks */
        return 0;
    long count = strtol(buf + 1, NULL, 10);
    size_t at = (size_t)(end - buf) + 1;
    for (long i = 0; i < count; i++) {
        const char *line_end = memchr(buf + at, '\n', len - at);
        if (line_end == NULL)
            return 0;
        if (buf[at] != '$')
            return -1;
        long n = strtol(buf + at + 1, NULL, 10);
        if (n < 0 || n > BUFFER_SIZE)
            return -1;
        size_t data = (size_t)(line_end - buf) + 1;
        if (len < data + (size_t)n + 2)
            return 0;
        if (i == 0)
            *is_ping = n == 4 && strncasecmp(buf + data, "PING", 4) == 0 && count <= 2;
        at = data + (size_t)n + 2;
    }
    return (long)at;
}

static int write_all(int fd, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n <= 0)
            return -1;
        bytes += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Serve one client until it hangs up. The replies to everything one read
 * brought are sent in one write: a reply per write would leave small
 * packets waiting on the network's acknowledgements (Nagle's algorithm). */
static void serve_client(int fd)
{
    static char buf[BUFFER_SIZE + 1];   /* + a NUL, so strtol() stops in it */
    static char out[BUFFER_SIZE];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, BUFFER_SIZE - len);
        if (n <= 0)
            return;                               /* hung up, or a signal */
        len += (size_t)n;
        buf[len] = '\0';
        size_t start = 0, out_len = 0;
        long used = 0;
        int is_ping = 0;
        while (start < len && (used = request_length(buf + start, len - start, &is_ping)) > 0) {
            const char *reply = is_ping ? "+PONG\r\n" : "-ERR stage 0 only knows PING\r\n";
            size_t reply_len = strlen(reply);
            if (out_len + reply_len > sizeof(out)) {     /* full: send what we have */
                if (write_all(fd, out, out_len) == -1)
                    return;
                out_len = 0;
            }
            memcpy(out + out_len, reply, reply_len);
            out_len += reply_len;
            start += (size_t)used;
        }
        /* Keep the unfinished request, if any, at the front for the next read. */
        memmove(buf, buf + start, len - start);
        len -= start;
        buf[len] = '\0';
        if (write_all(fd, out, out_len) == -1)
            return;
        if (used == -1 || len == BUFFER_SIZE) {
            write_all(fd, "-ERR Protocol error\r\n", 21);
            return;
        }
    }
}

static int parse_args(int argc, char **argv, int *port, const char **bind_addr)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Usage: stage0 [--port N] [--bind ADDR]\n\n"
                   "Stage 0 of the workshop: answers PING, one client at a time.\n"
                   "  --port N       TCP port (default 6379)\n"
                   "  --bind ADDR    IPv4 address to listen on (default 127.0.0.1)\n");
            exit(0);
        }
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end;
            long p = strtol(argv[++i], &end, 10);
            if (*end != '\0' || p < 1 || p > 65535) {
                fprintf(stderr, "stage0: invalid value '%s' for --port: expected a port number from 1 to 65535\n", argv[i]);
                return -1;
            }
            *port = (int)p;
        } else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
            *bind_addr = argv[++i];
        } else {
            fprintf(stderr, "stage0: unknown option '%s' (try --help)\n", argv[i]);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int port = 6379;
    const char *bind_addr = "127.0.0.1";
    if (parse_args(argc, argv, &port, &bind_addr) == -1)
        return 1;

    /* No SA_RESTART: a signal must interrupt accept() and read(). */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);       /* a client gone mid-write is not fatal */

    /* 1. An endpoint, 2. an address, 3. a queue for clients. */
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, bind_addr, &addr.sin_addr) != 1) {
        fprintf(stderr, "stage0: invalid value '%s' for --bind: expected an IPv4 address\n", bind_addr);
        return 1;
    }
    if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) == -1 || listen(listener, 511) == -1) {
        log_line("Could not listen on %s:%d: %s", bind_addr, port, strerror(errno));
        return 1;
    }
    log_line("Ready to accept connections tcp on port %d", port);

    /* 4. Take clients one after another until SIGINT or SIGTERM. */
    while (!stop_signal) {
        int fd = accept(listener, NULL, NULL);
        if (fd == -1)
            continue;                               /* EINTR: the loop checks stop_signal */
        serve_client(fd);
        close(fd);
    }
    log_line("Received %s scheduling shutdown...", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    close(listener);
    return 0;
}
