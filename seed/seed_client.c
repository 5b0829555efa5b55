/* seed_client: one TCP connection of the seed's modes (stage 6).
 *
 * Stage 6's echo and exec modes both serve TCP clients, and this is the
 * part they share: every socket is non-blocking and the loop serves every
 * client at once; a client that sends faster than it reads is paused,
 * never buffered without bound. What the bytes read become is the
 * client's mode's business (seed_client.h). */
#include "seed_client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "hexdump.h"
#include "io/loop.h"
#include "seed_state.h"

#define SEED_OUT_HIGH (256 * 1024)  /* echo not yet written back: stop reading that client */

/* ---------------- -x true: hexdump -C to the log ---------------- */

static void seed_log_line(const char *line, void *data)
{
    (void)data;
    log_write(LOG_NOTICE, "%s", line);
}

void seed_log_hexdump(const char *from, int port, const void *bytes, size_t len)
{
    log_write(LOG_NOTICE, "Received %zu bytes from %s on port %d:", len, from, port);
    hexdump_lines(bytes, len, seed_log_line, NULL);
}

/* ---------------- A client's life ---------------- */

static void seed_client_watch(seed_client *c, int mask);

void seed_client_free(seed_client *c)
{
    if (c->mode->on_free != NULL)
        c->mode->on_free(c);    /* -e: a command still running is killed */
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

/* The read goes to one shared chunk, and the mode keeps what it needs
 * (echo in the reply buffer, exec in the line buffer), so only bytes
 * still waiting take memory: an idle client has no buffer at all.
 * Returns -1 if the client was freed. */
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
    if (n == 0)
        c->eof = true;  /* it sent everything: finish its echo or commands, then close */
    else if (seed.opts.hexdump)
        seed_log_hexdump(c->peer, c->port, chunk, (size_t)n);
    return c->mode->on_input(c, chunk, (size_t)n);
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

seed_client *seed_client_new(int fd, int local_port, const char *ip, int port, const seed_mode *mode)
{
    seed_client *c = mem_calloc(1, sizeof(*c));
    c->fd = fd;
    c->port = local_port;
    snprintf(c->peer, sizeof(c->peer), "%s:%d", ip, port);
    c->in = (buf)BUF_INIT;
    c->out = (buf)BUF_INIT;
    c->mode = mode;
    c->next = seed.clients;
    if (seed.clients != NULL)
        seed.clients->prev = c;
    seed.clients = c;
    seed.client_count++;
    seed_client_watch(c, LOOP_READABLE);
    return c;
}
