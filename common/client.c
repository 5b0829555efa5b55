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
 * sixteen of each. */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aof.h"
#include "command.h"
#include "log.h"
#include "mem.h"
#include "reply.h"
#include "server.h"

#define CLIENT_READ_LEN (16 * 1024)          /* Redis's PROTO_IOBUF_LEN */
#define CLIENT_QUERY_MAX (1024LL * 1024 * 1024) /* client-query-buffer-limit */
#define CLIENT_BUF_KEEP (64 * 1024)          /* larger idle buffers are freed */
#define CLIENT_MAX_ACCEPTS 1000              /* per readable event, like Redis */

static client *client_list;
static size_t client_total;
static client *client_pending;      /* clients whose replies wait for the AOF */
static long long client_accepted, client_rejected;

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

static client *client_create(int fd, const char *ip, int port)
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
    c->created_ms = c->last_ms = loop_now_ms();
    if (net_local_addr(fd, c->local_ip, sizeof(c->local_ip), &c->local_port) == -1)
        c->local_ip[0] = '\0';
    c->next = client_list;
    if (client_list != NULL)
        client_list->prev = c;
    client_list = c;
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

void client_free(client *c)
{
    client_unpend(c);
    loop_unwatch(server.loop, c->fd);
    close(c->fd);
    buf_free(&c->query);
    buf_free(&c->reply);
    resp_parser_free(&c->parser);
    mem_free(c->name);
    mem_free(c->lib_name);
    mem_free(c->lib_ver);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        client_list = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    client_total--;
    mem_free(c);
}

void client_free_all(void)
{
    while (client_list != NULL)
        client_free(client_list);
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

void client_accept(loop *l, int listen_fd, void *data, int ready)
{
    (void)data, (void)ready;
    for (int i = 0; i < CLIENT_MAX_ACCEPTS; i++) {
        char ip[NET_IP_LEN], err[NET_ERR_LEN];
        int port;
        int fd = net_accept(listen_fd, ip, sizeof(ip), &port, err);
        if (fd == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_write(LOG_WARNING, "Accepting client connection: %s", err);
            return;
        }
        if (client_total >= server.max_clients) {
            static const char full[] = "-ERR max number of clients reached\r\n";
            client_refuse(fd, full, sizeof(full) - 1);    /* rather than leave it hanging */
            client_rejected++;
            continue;
        }
        if (server.config.protected_mode && server.config.requirepass == NULL && !client_is_local(ip)) {
            /* Redis counts it as a connection received, not a rejected one. */
            client_refuse(fd, CLIENT_DENIED, sizeof(CLIENT_DENIED) - 1);
            client_accepted++;
            continue;
        }
        client_accepted++;
        client *c = client_create(fd, ip, port);
        if (loop_watch(l, fd, LOOP_READABLE, client_on_event, c) == -1) {
            log_write(LOG_WARNING, "Error registering fd event for the new client: %s", strerror(errno));
            client_free(c);
        }
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
        loop_set_mask(server.loop, c->fd, mask);
        return 0;
    }
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
        client_free(c);
        return -1;
    }
    buf_shrink(&c->reply, CLIENT_BUF_KEEP);
    loop_set_mask(server.loop, c->fd, LOOP_READABLE);
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
 * a forgotten connection should not hold a slot of maxclients forever. */
void client_close_idle(long long timeout_ms)
{
    long long now = loop_now_ms();
    client *next;
    for (client *c = client_list; c != NULL; c = next) {
        next = c->next;
        if (now - c->last_ms > timeout_ms && !(c->flags & CLIENT_PENDING_WRITE)) {
            log_write(LOG_VERBOSE, "Closing idle client id=%llu", (unsigned long long)c->id);
            client_free(c);
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
    client_process_input(c);
    buf_shrink(&c->query, CLIENT_BUF_KEEP);
    if (aof_holds_replies()) {
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
