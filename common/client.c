/* client: accept, read, parse, execute, reply, close (stage 1).
 *
 * The life of a request:
 *
 *   readable -> read at most 16 KB into `query` -> cut requests out with
 *   the parser -> run each (replies accumulate in `reply`) -> write `reply`
 *   -> if the socket took only part, wait until it is writable.
 *
 * All replies of one read go out in one write(2). Under pipelining this is
 * what makes a server fast: 16 commands cost one read and one write, not
 * sixteen of each.
 *
 * With several threads (stage 6), reading and writing happen on the
 * client's own thread without any lock; its requests are parsed and run
 * under the server lock (server_lock()), so commands see and change the
 * keyspace one at a time, as in single-threaded Redis. The list of
 * clients and the connection counters are under that lock too. */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aof.h"
#include "command.h"
#include "log.h"
#include "mem.h"
#include "reactor.h"
#include "reply.h"
#include "server.h"

#define CLIENT_READ_LEN (16 * 1024)          /* Redis's PROTO_IOBUF_LEN */
#define CLIENT_QUERY_MAX (1024LL * 1024 * 1024) /* client-query-buffer-limit */
#define CLIENT_BUF_KEEP (64 * 1024)          /* larger idle buffers are freed */
#define CLIENT_MAX_ACCEPTS 1000              /* per readable event, like Redis */

/* Under the server lock: */
static client *client_list;
static client *client_killed;       /* killed by another thread, not yet freed by their own */
static size_t client_total;
static long long client_accepted, client_rejected;

/* Each thread's clients whose replies wait for the AOF (no lock: only
 * that thread touches its list). */
static _Thread_local client *client_pending;

static void client_on_event(loop *l, int fd, void *data, int ready);

size_t client_count(void)
{
    return client_total;
}


long long client_connections(void)
{
    return client_accepted;
}

long long client_rejections(void)
{
    return client_rejected;
}

void client_reset_stats(void)
{
    client_accepted = client_rejected = 0;
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

/* Under the server lock; `l` is the loop that will serve it. */
static client *client_create(int fd, const char *ip, int port, loop *l)
{
    client *c = mem_calloc(1, sizeof(*c));
    c->fd = fd;
    c->id = ++server.next_client_id;
    snprintf(c->ip, sizeof(c->ip), "%s", ip);
    c->port = port;
    c->query = (buf)BUF_INIT;
    c->reply = (buf)BUF_INIT;
    resp_parser_init(&c->parser);
    c->db = server.dbs[0];
    c->resp = 2;
    c->auth_required = server.config.requirepass != NULL;
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
static void client_forget(client *c)
{
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
    resp_parser_free(&c->parser);
    mem_free(c->name);
    mem_free(c->lib_name);
    mem_free(c->lib_ver);
    mem_free(c);
}

void client_free(client *c)
{
    server_lock();
    client_forget(c);
    server_unlock();
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

/* Redis's protected mode: with no password set, a server that was made
 * to listen beyond loopback still answers only local clients, so that a
 * careless --bind 0.0.0.0 does not open the data to the world. */
#define CLIENT_DENIED "-DENIED Redis is running in protected mode because protected mode is enabled and no " \
    "password is set for the default user. In this mode connections are only accepted from the loopback " \
    "interface. If you want to connect from external computers to Redis you may adopt one of the following " \
    "solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the " \
    "loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE " \
    "Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change " \
    "permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration " \
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started " \
    "the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an " \
    "authentication password for the default user. NOTE: You only need to do one of the above things in order " \
    "for the server to start accepting connections from the outside.\r\n"

static bool client_is_local(const char *ip)
{
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 || strncmp(ip, "::ffff:127.", 11) == 0;
}

/* Answer and hang up: the reply fits any socket buffer, so the write
 * cannot block. */
static void client_refuse(int fd, const char *reply, size_t len)
{
    ssize_t ignored = write(fd, reply, len);
    (void)ignored;
    close(fd);
}

/* Under the server lock: the new client, or NULL if it was refused. */
static client *client_admit(int fd, const char *ip, int port, loop *l)
{
    if (client_total >= server.max_clients) {
        static const char full[] = "-ERR max number of clients reached\r\n";
        client_refuse(fd, full, sizeof(full) - 1);    /* rather than leave it hanging */
        client_rejected++;
        return NULL;
    }
    client_accepted++;      /* a protected-mode refusal too, as Redis counts it */
    if (server.config.protected_mode && server.config.requirepass == NULL && !client_is_local(ip)) {
        client_refuse(fd, CLIENT_DENIED, sizeof(CLIENT_DENIED) - 1);
        return NULL;
    }
    return client_create(fd, ip, port, l);
}

/* On the client's own thread: from now on its loop serves it. */
static void client_adopt(void *data)
{
    client *c = data;
    if (loop_watch(c->loop, c->fd, LOOP_READABLE, client_on_event, c) == -1) {
        log_write(LOG_WARNING, "Error registering fd event for the new client: %s", strerror(errno));
        client_free(c);
    }
}

/* Connections are accepted by the main loop and dealt out to the
 * reactors in turn (stage 6; with one thread, they all stay here). */
void client_accept(loop *l, int listen_fd, void *data, int ready)
{
    (void)l, (void)data, (void)ready;
    for (int i = 0; i < CLIENT_MAX_ACCEPTS; i++) {
        char ip[NET_IP_LEN], err[NET_ERR_LEN];
        int port;
        int fd = net_accept(listen_fd, ip, sizeof(ip), &port, err);
        if (fd == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_write(LOG_WARNING, "Accepting client connection: %s", err);
            return;
        }
        int target = reactor_pick();
        server_lock();
        client *c = client_admit(fd, ip, port, reactor_loop(target));
        server_unlock();
        if (c == NULL)
            continue;
        if (c->loop == reactor_current())
            client_adopt(c);
        else
            reactor_post(target, client_adopt, c);
    }
}

/* ---------------- Writing ---------------- */

/* Write what the socket takes. Returns -1 if the client was freed. */
static int client_write(client *c)
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
 * that the loop empties before it sleeps (server.c), right after writing
 * the file. */
static void client_hold_reply(client *c)
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

/* ---------------- Reading and running commands ---------------- */

static void client_protocol_error(client *c)
{
    reply_error(c, c->parser.error);
    log_write(LOG_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s:%d",
              c->parser.error, (unsigned long long)c->id, c->ip, c->port);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    buf_clear(&c->query);
}

/* Run every complete request in the query buffer. */
static void client_process_input(client *c)
{
    while (!(c->flags & CLIENT_CLOSE_AFTER_REPLY) && buf_length(&c->query) > 0) {
        c->parser.unauthenticated = c->auth_required;
        resp_status status = resp_parse(&c->parser, buf_data(&c->query), buf_length(&c->query));
        if (status == RESP_INCOMPLETE)
            break;
        if (status == RESP_ERROR) {
            client_protocol_error(c);
            break;
        }
        if (c->parser.argc > 0) {
            c->argc = c->parser.argc;
            c->argv = c->parser.argv;
            c->argvlen = c->parser.argvlen;
            command_execute(c);
        }
        buf_consume(&c->query, c->parser.consumed);
    }
}

/* Read one chunk. Returns -1 if the client was freed. A big argument is
 * read in one go, sized to what it still lacks, as Redis does. */
static int client_read(client *c)
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
    if ((long long)buf_length(&c->query) > CLIENT_QUERY_MAX) {
        log_write(LOG_WARNING, "Closing client that reached max query buffer length: id=%llu addr=%s:%d",
                  (unsigned long long)c->id, c->ip, c->port);
        client_free(c);
        return -1;
    }

    /* The commands, one thread at a time; the read above and the write
     * below run in parallel with other threads. */
    server_lock();
    if (c->killed) {
        server_unlock();
        client_free(c);
        return -1;
    }
    client_process_input(c);
    c->shown_qbuf = buf_length(&c->query);
    c->shown_rbs = c->reply.cap;
    bool hold = aof_holds_replies();
    server_unlock();

    buf_shrink(&c->query, CLIENT_BUF_KEEP);
    if (hold) {
        client_hold_reply(c);
        return 0;
    }
    return client_write(c);
}

static void client_on_event(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)fd;
    client *c = data;
    if ((ready & LOOP_WRITABLE) && client_write(c) == -1)
        return;
    if ((ready & LOOP_READABLE) && !(c->flags & CLIENT_CLOSE_AFTER_REPLY))
        client_read(c);
}
