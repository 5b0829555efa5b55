/* seed_echo: the seed's echo modes, TCP and UDP, on the event loop (stage 6).
 *
 * Stage 6 brings back the first workshop server's echo: every byte a TCP
 * client sends comes back to it (-p 8888), each UDP datagram goes back to
 * its sender (-l udp), and with -x true what arrives is also written to
 * the log as a hexdump -C. With no keyspace and no commands, it is stage
 * 1's ideas in their smallest form: every socket is non-blocking and the
 * loop serves every client at once; a client that sends faster than it
 * reads is paused, never buffered without bound.
 *
 * A TCP client here is also what the exec mode (seed_exec.c) serves: the
 * same reading and writing, but what it reads is command lines to run
 * rather than bytes to send back. */
#include "seed_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hexdump.h"
#include "base/log.h"
#include "base/mem.h"

#define SEED_OUT_HIGH (256 * 1024)  /* echo not yet written back: stop reading that client */
#define SEED_UDP_BATCH 64           /* datagrams per event: one sender cannot hog a turn */
#define SEED_MAX_ACCEPTS 100        /* connections accepted per event */

/* ---------------- -x true: hexdump -C to the log ---------------- */

static void seed_log_line(const char *line, void *data)
{
    (void)data;
    log_write(LOG_NOTICE, "%s", line);
}

static void seed_log_hexdump(const char *from, int port, const void *bytes, size_t len)
{
    log_write(LOG_NOTICE, "Received %zu bytes from %s on port %d:", len, from, port);
    hexdump_lines(bytes, len, seed_log_line, NULL);
}

/* ---------------- TCP clients ---------------- */

static void seed_client_watch(seed_client *c, int mask);

void seed_client_free(seed_client *c)
{
    if (c->job != NULL)
        seed_job_abandon(c->job);
    seed_client_watch(c, 0);
    close(c->fd);
    buf_free(&c->in);
    buf_free(&c->out);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        seed.clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    seed.client_count--;
    log_write(LOG_VERBOSE, "Client closed connection %s", c->peer);
    mem_free(c);
}

/* Done: nothing more to read, run or write. */
static bool seed_client_done(const seed_client *c)
{
    return c->eof && c->job == NULL && buf_length(&c->in) == 0 && buf_length(&c->out) == 0;
}

/* Read until told to stop (eof), while the echo is not too far behind
 * and while few command lines wait: a client that sends but never reads
 * is held back by TCP instead of filling our memory. Reading on while a
 * command runs is what lets a client that aborts (a reset) be noticed at
 * once, and its command killed. A plain close can't be told from a
 * client that closed only its sending side and waits for the output, so
 * that one shows at the next write, or at the time limit. */
static int seed_client_wanted_mask(const seed_client *c)
{
    int mask = 0;
    if (!c->eof && buf_length(&c->out) < SEED_OUT_HIGH && buf_length(&c->in) < SEED_IN_HIGH)
        mask |= LOOP_READABLE;
    if (buf_length(&c->out) > 0)
        mask |= LOOP_WRITABLE;
    return mask;
}

static void seed_client_on_event(loop *l, int fd, void *data, int ready);

/* Watch for exactly `mask`. With nothing to wait for the fd leaves epoll
 * altogether: registered with no events it would still report a hang-up,
 * level-triggered, on every turn. */
static void seed_client_watch(seed_client *c, int mask)
{
    if (mask == c->mask)
        return;
    if (mask == 0)
        loop_unwatch(seed.loop, c->fd);
    else if (c->mask == 0)
        loop_watch(seed.loop, c->fd, mask, seed_client_on_event, c);
    else
        loop_set_mask(seed.loop, c->fd, mask);
    c->mask = mask;
}

/* Write what the socket takes now, the rest when it is writable again.
 * Returns -1 if the client was freed (done, or the connection broke). */
int seed_client_flush(seed_client *c)
{
    while (buf_length(&c->out) > 0) {
        ssize_t n = write(c->fd, buf_data(&c->out), buf_length(&c->out));
        if (n > 0) {
            buf_consume(&c->out, (size_t)n);
        } else if (n == -1 && errno == EINTR) {
            continue;
        } else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            log_write(LOG_VERBOSE, "Error writing to client %s: %s", c->peer, strerror(errno));
            seed_client_free(c);
            return -1;
        }
    }
    if (seed_client_done(c)) {
        seed_client_free(c);
        return -1;
    }
    buf_shrink(&c->out, 0);     /* an idle client holds no buffer */
    buf_shrink(&c->in, 0);
    seed_client_watch(c, seed_client_wanted_mask(c));
    return 0;
}

/* Echo mode appends what it read to the reply buffer (what came in is
 * what goes out), exec mode to the line buffer. The read itself goes to
 * one shared chunk, so only bytes still waiting take memory: an idle
 * client has no buffer at all. Returns -1 if the client was freed. */
static int seed_client_read(seed_client *c)
{
    static char chunk[SEED_READ_CHUNK];     /* one thread: one buffer will do */
    ssize_t n = read(c->fd, chunk, sizeof(chunk));
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n == -1) {
        log_write(LOG_VERBOSE, "Error reading from client %s: %s", c->peer, strerror(errno));
        seed_client_free(c);
        return -1;
    }
    if (n == 0) {
        c->eof = true;  /* it sent everything: finish its echo or commands, then close */
    } else {
        if (seed.opts.hexdump)
            seed_log_hexdump(c->peer, c->port, chunk, (size_t)n);
        buf_append(seed.opts.exec ? &c->in : &c->out, chunk, (size_t)n);
    }
    return seed.opts.exec ? seed_exec_continue(c) : seed_client_flush(c);
}

static void seed_client_on_event(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)fd;
    seed_client *c = data;
    if ((ready & LOOP_READABLE) && seed_client_read(c) == -1)
        return;
    if (ready & LOOP_WRITABLE)
        seed_client_flush(c);
}

/* A new client at the front of the list, watched for reading. */
static seed_client *seed_client_new(int fd, int local_port, const char *ip, int port)
{
    seed_client *c = mem_calloc(1, sizeof(*c));
    c->fd = fd;
    c->port = local_port;
    snprintf(c->peer, sizeof(c->peer), "%s:%d", ip, port);
    c->in = (buf)BUF_INIT;
    c->out = (buf)BUF_INIT;
    c->next = seed.clients;
    if (seed.clients != NULL)
        seed.clients->prev = c;
    seed.clients = c;
    seed.client_count++;
    seed_client_watch(c, LOOP_READABLE);
    return c;
}

void seed_on_accept(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    seed_listener *ln = data;
    for (int i = 0; i < SEED_MAX_ACCEPTS; i++) {
        char ip[NET_IP_LEN], err[NET_ERR_LEN];
        int port;
        int cfd = net_accept(fd, ip, sizeof(ip), &port, err);
        if (cfd == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_write(LOG_WARNING, "Accepting client connection: %s", err);
            return;
        }
        /* Past the open-files limit accept() would fail and leave the
         * listener readable forever: refuse before getting there. */
        if (seed.client_count >= seed.max_clients) {
            log_write(LOG_WARNING, "Refused %s:%d: max number of clients reached", ip, port);
            close(cfd);
            continue;
        }
        seed_client *c = seed_client_new(cfd, ln->port, ip, port);
        log_write(LOG_VERBOSE, "Accepted %s on port %d", c->peer, ln->port);
    }
}

/* ---------------- UDP echo ----------------
 *
 * One socket, no connections: each datagram is read with its sender's
 * address and sent straight back. If the kernel has no room to send, the
 * reply is dropped: UDP promises no delivery, and queueing replies would
 * let a flood of datagrams grow our memory. */

/* "ip:port" of a datagram's sender, for the log ("?:0" if not IP). */
static void seed_format_sender(const struct sockaddr_storage *from, char *peer, size_t size)
{
    char ip[NET_IP_LEN] = "?";
    int port = 0;
    if (from->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)from;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
    } else if (from->ss_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)from;
        inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
        port = ntohs(in4->sin_port);
    }
    snprintf(peer, size, "%s:%d", ip, port);
}

void seed_on_datagram(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    seed_listener *ln = data;
    for (int i = 0; i < SEED_UDP_BATCH; i++) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof(from);
        ssize_t n = recvfrom(fd, seed.udp_buf, SEED_UDP_MAX, 0, (struct sockaddr *)&from, &from_len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log_write(LOG_VERBOSE, "Error receiving on port %d/udp: %s", ln->port, strerror(errno));
            return;
        }
        if (seed.opts.hexdump) {
            char peer[NET_IP_LEN + 8];
            seed_format_sender(&from, peer, sizeof(peer));
            seed_log_hexdump(peer, ln->port, seed.udp_buf, (size_t)n);
        }
        if (sendto(fd, seed.udp_buf, (size_t)n, 0, (struct sockaddr *)&from, from_len) == -1)
            log_write(LOG_VERBOSE, "Dropped a reply on port %d/udp: %s", ln->port, strerror(errno));
    }
}
