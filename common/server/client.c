/* client: one connected client's socket, buffers and lists (stage 1).
 *
 * This module keeps the client itself: it creates and frees it, reads
 * bytes into `query`, writes `reply` back as far as the socket takes it,
 * and keeps the list of all clients (for CLIENT LIST, CLIENT KILL and the
 * idle timeout). What those bytes mean is not its business: serve.c cuts
 * them into requests and runs them, and admission.c decides who may
 * connect at all.
 *
 * All replies of one read go out in one write(2). Under pipelining this is
 * what makes a server fast: 16 commands cost one read and one write, not
 * sixteen of each.
 *
 * With several threads (stage 6), reading and writing happen on the
 * client's own thread without any lock; the list of clients is under the
 * server lock (lock.h). */
#include "server/client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "io/reactor.h"
#include "server/lock.h"

#define CLIENT_READ_LEN (16 * 1024)          /* Redis's PROTO_IOBUF_LEN */

/* Under the server lock: */
static client *client_list;
static client *client_killed;       /* killed by another thread, not yet freed by their own */
static size_t client_total;

/* Each thread's clients whose replies wait for the AOF (no lock: only
 * that thread touches its list). */
static _Thread_local client *client_pending;

size_t client_count(void)
{
    return client_total;
}

client *client_all(void)
{
    return client_list;
}

client *client_by_id(uint64_t id)
{
    for (client *c = client_list; c != NULL; c = c->next) {
        if (c->id == id)
            return c;
    }
    return NULL;
}

static void client_link(client **head, client *c)
{
    c->prev = NULL;
    c->next = *head;
    if (*head != NULL)
        (*head)->prev = c;
    *head = c;
}

static void client_unlink(client **head, client *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        *head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

client *client_create(int fd, const char *ip, int port, loop *l, db *d, bool auth_required)
{
    static uint64_t next_id;
    client *c = mem_calloc(1, sizeof(*c));
    c->fd = fd;
    c->id = ++next_id;
    snprintf(c->ip, sizeof(c->ip), "%s", ip);
    c->port = port;
    c->query = (buf)BUF_INIT;
    c->reply = (buf)BUF_INIT;
    c->outbox = (buf)BUF_INIT;
    resp_parser_init(&c->parser);
    c->db = d;
    c->resp = 2;
    c->auth_required = auth_required;
    c->created_ms = loop_now_ms();
    c->last_ms = c->created_ms;
    if (net_local_addr(fd, c->local_ip, sizeof(c->local_ip), &c->local_port) == -1)
        c->local_ip[0] = '\0';
    c->loop = l;
    client_link(&client_list, c);
    client_total++;
    return c;
}

static void client_unpend(client *c)
{
    if (!(c->flags & CLIENT_PENDING_WRITE))
        return;
    if (c->pending_prev != NULL)
        c->pending_prev->pending_next = c->pending_next;
    else
        client_pending = c->pending_next;
    if (c->pending_next != NULL)
        c->pending_next->pending_prev = c->pending_prev;
    c->pending_prev = c->pending_next = NULL;
    c->flags &= ~CLIENT_PENDING_WRITE;
}

/* Off the lists, under the server lock. A killed client was counted out
 * when it was killed. */
static client_forget_fn *client_on_forget;

void client_set_forget_hook(client_forget_fn *fn)
{
    client_on_forget = fn;
}

static void client_forget(client *c)
{
    if (client_on_forget != NULL)
        client_on_forget(c);        /* its transaction state (Part II) */
    if (c->killed) {
        client_unlink(&client_killed, c);
    } else {
        client_unlink(&client_list, c);
        client_total--;
    }
}

/* What only the client's own thread may do: its socket and buffers. */
static void client_release(client *c)
{
    client_unpend(c);
    loop_unwatch(c->loop, c->fd);
    close(c->fd);
    buf_free(&c->query);
    buf_free(&c->reply);
    buf_free(&c->outbox);
    buf_free(&c->muted);
    resp_parser_free(&c->parser);
    mem_free(c->name);
    mem_free(c->lib_name);
    mem_free(c->lib_ver);
    mem_free(c);
}

void client_free(client *c)
{
    lock_acquire();
    client_forget(c);
    lock_release();
    client_release(c);
}

/* A client of this thread is closed at once. One served by another
 * thread may be in the middle of a read or a write there, so it is only
 * marked and moved out of sight; shutdown(2) makes its socket report an
 * end of file, and its own thread frees it when it wakes up. */
void client_kill(client *c)
{
    if (c->loop == reactor_current()) {
        client_forget(c);
        client_release(c);
        return;
    }
    if (c->killed)
        return;
    client_forget(c);
    c->killed = true;
    client_link(&client_killed, c);
    shutdown(c->fd, SHUT_RDWR);
}

/* Part II, pub/sub: a client over its output limit is found while a
 * command is going through lists it is on (the subscribers of a channel,
 * the waiters of a key) or is the client running it. So it is only
 * marked: nothing more runs for it or is sent to it, and its own thread,
 * woken by the shutdown, frees it and takes it off those lists then. */
void client_close_soon(client *c)
{
    if (c->killed || c->closing)
        return;
    c->closing = true;
    shutdown(c->fd, SHUT_RDWR);
}

/* At shutdown every thread but this one is gone, and their lists of held
 * replies with them. */
void client_free_all(void)
{
    client_pending = NULL;
    while (client_list != NULL || client_killed != NULL) {
        client *c = client_list != NULL ? client_list : client_killed;
        c->flags &= ~CLIENT_PENDING_WRITE;
        client_free(c);
    }
}

/* ---------------- Writing ---------------- */

int client_write(client *c)
{
    while (buf_length(&c->reply) > 0) {
        ssize_t n = write(c->fd, buf_data(&c->reply), buf_length(&c->reply));
        if (n > 0) {
            buf_consume(&c->reply, (size_t)n);
            c->last_ms = loop_now_ms();     /* a client reading a big reply is not idle */
            continue;
        }
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        log_write(LOG_VERBOSE, "Error writing to client: %s", strerror(errno));
        client_free(c);
        return -1;
    }
    if (buf_length(&c->reply) > 0) {
        /* The kernel's buffer is full: wait to be told there is room. A
         * client being hung up on no longer needs to be read. */
        int mask = LOOP_WRITABLE;
        if (!(c->flags & CLIENT_CLOSE_AFTER_REPLY))
            mask |= LOOP_READABLE;
        loop_set_mask(c->loop, c->fd, mask);
        return 0;
    }
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
        client_free(c);
        return -1;
    }
    buf_shrink(&c->reply, CLIENT_BUF_KEEP);
    loop_set_mask(c->loop, c->fd, LOOP_READABLE);
    return 0;
}

/* Stage 5: with the append-only file on, a reply may go out only once
 * the records of its command are in the file. The client waits in a list
 * that the loop empties before it sleeps (server/server.c), right after writing
 * the file. */
void client_hold_reply(client *c)
{
    if (c->flags & CLIENT_PENDING_WRITE)
        return;
    c->flags |= CLIENT_PENDING_WRITE;
    c->pending_prev = NULL;
    c->pending_next = client_pending;
    if (client_pending != NULL)
        client_pending->pending_prev = c;
    client_pending = c;
}

/* Clients silent for longer than the timeout are closed, as Redis does:
 * a forgotten connection should not hold a slot of maxclients forever.
 * Each thread closes its own. */
void client_close_idle(long long timeout_ms)
{
    long long now = loop_now_ms();
    loop *mine = reactor_current();
    client *next;
    for (client *c = client_list; c != NULL; c = next) {
        next = c->next;
        if (c->loop == mine && now - c->last_ms > timeout_ms && !(c->flags & CLIENT_PENDING_WRITE)) {
            log_write(LOG_VERBOSE, "Closing idle client id=%llu", (unsigned long long)c->id);
            client_kill(c);
        }
    }
}

void client_write_pending(void)
{
    while (client_pending != NULL) {
        client *c = client_pending;
        client_unpend(c);
        client_write(c);        /* may free c, which is off the list already */
    }
}

/* ---------------- Reading ---------------- */

/* Read one chunk: 1 if bytes came, 0 if none yet, -1 if the client was
 * freed. A big argument is read in one go, sized to what it still lacks,
 * as Redis does. */
int client_read(client *c)
{
    size_t want = resp_bytes_wanted(&c->parser, buf_length(&c->query));
    if (want < CLIENT_READ_LEN)
        want = CLIENT_READ_LEN;
    ssize_t n = read(c->fd, buf_reserve(&c->query, want), want);
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n <= 0) {
        if (n == -1)
            log_write(LOG_VERBOSE, "Reading from client: %s", strerror(errno));
        client_free(c);
        return -1;
    }
    buf_commit(&c->query, (size_t)n);
    c->last_ms = loop_now_ms();
    return 1;
}

/* After the commands of a read: idle buffers give their memory back. */
void client_shrink_query(client *c)
{
    buf_shrink(&c->query, CLIENT_BUF_KEEP);
}
