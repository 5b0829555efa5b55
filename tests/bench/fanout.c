/* fanout: the pub/sub fan-out client of tests/bench/bench_ext2.py (part 5,
 * chapter 16's figures). One thread and one epoll loop drive SUBSCRIBERS
 * connections subscribed to bench:fanout and one publisher that sends
 * MESSAGES PUBLISHes, BATCH commands a write, with at most WINDOW batches
 * unanswered. Every byte a subscriber receives is compared with the exact
 * RESP2 stream of every message in order, and every PUBLISH reply with
 * ":SUBSCRIBERS", so nothing lost, duplicated or reordered goes unseen.
 *
 * It is C because the client must not be what sets the rate: a Python
 * reader of 40 sockets tops out near 3 M deliveries a second, which is
 * below what either server sends on this machine.
 *
 *     fanout PORT SUBSCRIBERS MESSAGES SIZE BATCH WINDOW
 *
 * Once every subscriber is confirmed it prints "ready" and waits for a line
 * on stdin (so the caller can read the server's CPU time first), then runs
 * and prints "ok WALL_S PUBLISH_S": seconds from the first PUBLISH sent to
 * the last subscriber complete, and to the last PUBLISH reply. On any
 * failure it prints "error WHY" and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHANNEL "bench:fanout"
#define STALL_MS 10000          /* this long without an event: give up */
#define AFTER_MS 100            /* how long to watch for bytes past the end */
#define READ_CHUNK 65536

typedef struct text {
    char *bytes;
    size_t len, cap;
} text;

typedef struct subscriber {
    int fd;
    size_t matched;             /* bytes received, all equal to the stream so far */
    bool done;
} subscriber;

typedef struct publisher {
    int fd;
    size_t sent;                /* bytes of the commands written */
    size_t replies;             /* complete replies received */
    size_t reply_pos;           /* bytes into the current reply */
    bool wants_out;             /* registered for EPOLLOUT */
} publisher;

static struct {
    int port;
    long subscribers, messages, size, batch, window;
} opt;

static text stream;             /* what each subscriber must receive */
static text commands;           /* every PUBLISH, in order */
static size_t *batch_end;       /* offset in commands after batch i */
static size_t batches;
static char reply[32];          /* one PUBLISH's reply: ":SUBSCRIBERS\r\n" */
static size_t reply_len;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------- The bytes both sides expect ---------------- */

static void text_append(text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->bytes + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            fail("formatting failed");
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap > 0 ? 2 * t->cap + (size_t)n : 4096 + (size_t)n;
        t->bytes = realloc(t->bytes, t->cap);
        if (t->bytes == NULL)
            fail("out of memory");
    }
}

/* The payload is the sequence number in ten digits, padded with dots to
 * SIZE bytes: the same bytes bench_ext2.py's message_payload() makes. */
static void payload(long seq, char *out)
{
    char digits[24];
    snprintf(digits, sizeof(digits), "%010ld", seq % 10000000000L);
    memcpy(out, digits, 10);
    memset(out + 10, '.', (size_t)(opt.size - 10));
    out[opt.size] = '\0';
}

static void build_expectations(void)
{
    char *p = malloc((size_t)opt.size + 1);
    batches = (size_t)((opt.messages + opt.batch - 1) / opt.batch);
    batch_end = malloc(batches * sizeof(*batch_end));
    if (p == NULL || batch_end == NULL)
        fail("out of memory");
    for (long seq = 0; seq < opt.messages; seq++) {
        payload(seq, p);
        text_append(&stream, "*3\r\n$7\r\nmessage\r\n$%zu\r\n%s\r\n$%ld\r\n%s\r\n", strlen(CHANNEL), CHANNEL,
                    opt.size, p);
        text_append(&commands, "*3\r\n$7\r\nPUBLISH\r\n$%zu\r\n%s\r\n$%ld\r\n%s\r\n", strlen(CHANNEL), CHANNEL,
                    opt.size, p);
        if ((seq + 1) % opt.batch == 0 || seq + 1 == opt.messages)
            batch_end[seq / opt.batch] = commands.len;
    }
    reply_len = (size_t)snprintf(reply, sizeof(reply), ":%ld\r\n", opt.subscribers);
    free(p);
}

/* ---------------- Connections ---------------- */

static int connect_local(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)opt.port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd == -1 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
        fail("connect to 127.0.0.1:%d: %s", opt.port, strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    /* The handshake reads block: not for ever on a server that never answers. */
    struct timeval stall = {.tv_sec = STALL_MS / 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &stall, sizeof(stall));
    return fd;
}

static void write_all(int fd, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("write: %s", strerror(errno));
        bytes += n;
        len -= (size_t)n;
    }
}

static void read_exactly(int fd, char *out, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, out + got, len - got);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
            fail("no reply within %d s (%zu of %zu bytes)", STALL_MS / 1000, got, len);
        if (n <= 0)
            fail("connection closed after %zu of %zu bytes", got, len);
        got += (size_t)n;
    }
}

static void subscribe(subscriber *s)
{
    static const char cmd[] = "*2\r\n$9\r\nSUBSCRIBE\r\n$12\r\n" CHANNEL "\r\n";
    static const char confirm[] = "*3\r\n$9\r\nsubscribe\r\n$12\r\n" CHANNEL "\r\n:1\r\n";
    char got[sizeof(confirm)];
    s->fd = connect_local();
    write_all(s->fd, cmd, sizeof(cmd) - 1);
    read_exactly(s->fd, got, sizeof(confirm) - 1);
    if (memcmp(got, confirm, sizeof(confirm) - 1) != 0)
        fail("SUBSCRIBE was answered with something else");
    fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
}

static void watch(int ep, int fd, unsigned events, void *owner)
{
    struct epoll_event ev = {.events = events, .data.ptr = owner};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
        fail("epoll_ctl: %s", strerror(errno));
}

/* ---------------- The run ---------------- */

/* A subscriber's bytes must continue the stream exactly; one that has all
 * of it leaves the loop, and anything more is looked for at the end. */
static bool subscriber_read(int ep, subscriber *s, long index)
{
    static char chunk[READ_CHUNK];
    ssize_t n = read(s->fd, chunk, sizeof(chunk));
    if (n == -1 && (errno == EAGAIN || errno == EINTR))
        return false;
    if (n <= 0)
        fail("subscriber %ld: connection closed after %zu of %zu bytes", index, s->matched, stream.len);
    if ((size_t)n > stream.len - s->matched)
        fail("subscriber %ld: %zu bytes past the end of the stream", index, (size_t)n - (stream.len - s->matched));
    if (memcmp(chunk, stream.bytes + s->matched, (size_t)n) != 0)
        fail("subscriber %ld: the stream differs within bytes %zu-%zu (lost, duplicated or reordered messages)",
             index, s->matched, s->matched + (size_t)n);
    s->matched += (size_t)n;
    if (s->matched < stream.len)
        return false;
    s->done = true;
    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
    return true;
}

/* The batches the window allows, as far as the socket takes them. */
static void publisher_send(int ep, publisher *p)
{
    size_t answered = p->replies / (size_t)opt.batch;
    size_t allowed = answered + (size_t)opt.window;
    size_t limit = batch_end[(allowed < batches ? allowed : batches) - 1];
    while (p->sent < limit) {
        ssize_t n = write(p->fd, commands.bytes + p->sent, limit - p->sent);
        if (n > 0) {
            p->sent += (size_t)n;
            continue;
        }
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            break;
        fail("publisher: write: %s", strerror(errno));
    }
    bool wants_out = p->sent < limit;
    if (wants_out != p->wants_out) {
        struct epoll_event ev = {.events = EPOLLIN | (wants_out ? EPOLLOUT : 0), .data.ptr = p};
        epoll_ctl(ep, EPOLL_CTL_MOD, p->fd, &ev);
        p->wants_out = wants_out;
    }
}

static void publisher_read(publisher *p)
{
    static char chunk[READ_CHUNK];
    ssize_t n = read(p->fd, chunk, sizeof(chunk));
    if (n == -1 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0)
        fail("publisher: connection closed after %zu replies", p->replies);
    for (ssize_t i = 0; i < n; i++) {
        if (chunk[i] != reply[p->reply_pos])
            fail("publisher: reply %zu is not %.*s (a subscriber missing?)", p->replies + 1, (int)reply_len - 2,
                 reply);
        if (++p->reply_pos == reply_len) {
            p->reply_pos = 0;
            if (++p->replies > (size_t)opt.messages)
                fail("publisher: more replies than PUBLISHes");
        }
    }
}

/* By now every message has reached every subscriber and every reply the
 * publisher: anything more within AFTER_MS is a message or a reply sent
 * twice, and a closed connection a subscriber dropped. */
static void check_nothing_more(const subscriber *subs, const publisher *p)
{
    size_t n = (size_t)opt.subscribers + 1;
    struct pollfd *fds = calloc(n, sizeof(*fds));
    if (fds == NULL)
        fail("out of memory");
    for (size_t i = 0; i + 1 < n; i++)
        fds[i] = (struct pollfd){.fd = subs[i].fd, .events = POLLIN};
    fds[n - 1] = (struct pollfd){.fd = p->fd, .events = POLLIN};
    if (poll(fds, (nfds_t)n, AFTER_MS) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (fds[i].revents == 0)
                continue;
            const char *who = i + 1 < n ? "a subscriber" : "the publisher";
            char c;
            if (recv(fds[i].fd, &c, 1, MSG_DONTWAIT) > 0)
                fail("%s received bytes past the end of its stream", who);
            fail("%s's connection was closed by the server", who);
        }
    }
    free(fds);
}

static void run(subscriber *subs, publisher *p)
{
    int ep = epoll_create1(0);
    if (ep == -1)
        fail("epoll_create1: %s", strerror(errno));
    for (long i = 0; i < opt.subscribers; i++)
        watch(ep, subs[i].fd, EPOLLIN, &subs[i]);
    watch(ep, p->fd, EPOLLIN, p);

    long pending = opt.subscribers;
    double t0 = now_s(), t_pub = 0, t_end = 0;
    publisher_send(ep, p);
    while (pending > 0 || p->replies < (size_t)opt.messages) {
        struct epoll_event events[64];
        int n = epoll_wait(ep, events, 64, STALL_MS);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("nothing for %d s: %ld subscribers incomplete, %zu of %ld replies", STALL_MS / 1000, pending,
                 p->replies, opt.messages);
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == p) {
                if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    publisher_read(p);
                publisher_send(ep, p);
                if (p->replies == (size_t)opt.messages && t_pub == 0)
                    t_pub = now_s();
                continue;
            }
            subscriber *s = events[i].data.ptr;
            if (!s->done && subscriber_read(ep, s, (long)(s - subs)) && --pending == 0)
                t_end = now_s();
        }
    }
    close(ep);
    check_nothing_more(subs, p);
    printf("ok %.6f %.6f\n", t_end - t0, t_pub - t0);
}

static long number(const char *arg, long min)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v < min)
        fail("not a number >= %ld: %s", min, arg);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT SUBSCRIBERS MESSAGES SIZE BATCH WINDOW\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    opt.port = (int)number(argv[1], 1);
    opt.subscribers = number(argv[2], 1);
    opt.messages = number(argv[3], 1);
    opt.size = number(argv[4], 10);
    opt.batch = number(argv[5], 1);
    opt.window = number(argv[6], 1);
    build_expectations();

    subscriber *subs = calloc((size_t)opt.subscribers, sizeof(*subs));
    if (subs == NULL)
        fail("out of memory");
    for (long i = 0; i < opt.subscribers; i++)
        subscribe(&subs[i]);
    publisher p = {.fd = connect_local()};
    fcntl(p.fd, F_SETFL, fcntl(p.fd, F_GETFL) | O_NONBLOCK);

    puts("ready");
    char line[16];
    if (fgets(line, sizeof(line), stdin) == NULL)
        return 1;               /* the caller went away: nothing to measure */
    run(subs, &p);

    for (long i = 0; i < opt.subscribers; i++)
        close(subs[i].fd);
    close(p.fd);
    free(subs);
    free(batch_end);
    free(stream.bytes);
    free(commands.bytes);
    return 0;
}
