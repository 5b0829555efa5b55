/* serve: accept, read, run, reply (stage 1). See serve.h. */
#include "server/serve.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "io/net.h"
#include "io/reactor.h"
#include "persist/aof.h"
#include "server/admission.h"
#include "server/blocking.h"
#include "server/client.h"
#include "server/command.h"
#include "server/config.h"
#include "server/lock.h"
#include "server/outbox.h"
#include "server/pubsub.h"
#include "server/reply.h"

#define SERVE_MAX_ACCEPTS 1000      /* per readable event, like Redis */

static void serve_on_event(loop *l, int fd, void *data, int ready);

/* ---------------- Accepting ---------------- */

/* Answer and hang up: the reply fits any socket buffer, so the write
 * cannot block. */
static void serve_refuse(int fd, const char *reply)
{
    ssize_t ignored = write(fd, reply, strlen(reply));
    (void)ignored;
    close(fd);
}

/* On the client's own thread: from now on its loop serves it. */
static void serve_adopt(void *data)
{
    client *c = data;
    if (loop_watch(c->loop, c->fd, LOOP_READABLE, serve_on_event, c) == -1) {
        log_write(LOG_WARNING, "Error registering fd event for the new client: %s", strerror(errno));
        client_free(c);
    }
}

/* Connections are accepted by the main loop and dealt out to the
 * reactors in turn (stage 6; with one thread, they all stay here). */
void serve_accept(loop *l, int listen_fd, void *data, int ready)
{
    (void)l, (void)ready;
    db *first_db = data;
    for (int i = 0; i < SERVE_MAX_ACCEPTS; i++) {
        char ip[NET_IP_LEN], err[NET_ERR_LEN];
        int port;
        int fd = net_accept(listen_fd, ip, sizeof(ip), &port, err);
        if (fd == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_write(LOG_WARNING, "Accepting client connection: %s", err);
            return;
        }
        int target = reactor_pick();
        client *c = NULL;
        lock_acquire();         /* CONFIG SET may change what is read here */
        bool has_password = config.requirepass.len > 0;
        const char *refusal = admission_refusal(ip, client_count(), (size_t)config.maxclients,
                                                config.protected_mode, has_password);
        if (refusal == NULL)
            c = client_create(fd, ip, port, reactor_loop(target), first_db, has_password);
        lock_release();
        if (refusal != NULL) {
            serve_refuse(fd, refusal);
            continue;
        }
        if (c->loop == reactor_current())
            serve_adopt(c);
        else
            reactor_post(target, serve_adopt, c);
    }
}

/* ---------------- Running the requests of a read ---------------- */

static void serve_protocol_error(client *c)
{
    reply_error(c, c->parser.error);
    log_write(LOG_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s:%d",
              c->parser.error, (unsigned long long)c->id, c->ip, c->port);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    buf_clear(&c->query);
}

/* Under the server lock: every complete request in the query buffer,
 * until one blocks the client (Part II): the rest waits until it is
 * served. */
static void serve_run_requests(client *c)
{
    while (!(c->flags & CLIENT_CLOSE_AFTER_REPLY) && !c->killed && !c->closing && !blocking_is_blocked(c) &&
           buf_length(&c->query) > 0) {
        c->parser.unauthenticated = c->auth_required;
        resp_status status = resp_parse(&c->parser, buf_data(&c->query), buf_length(&c->query));
        if (status == RESP_INCOMPLETE)
            break;
        if (status == RESP_ERROR) {
            serve_protocol_error(c);
            break;
        }
        if (c->parser.argc > 0) {
            c->argc = c->parser.argc;
            c->argv = c->parser.argv;
            c->argvlen = c->parser.argvlen;
            command_execute(c);
        } else {
            reply_command_done(c);  /* an empty request uses up CLIENT REPLY SKIP, as in Redis */
        }
        buf_consume(&c->query, c->parser.consumed);
    }
}

/* The commands, one thread at a time; the read before and the write
 * after run in parallel with other threads. Returns -1 if c was freed. */
static int serve_run(client *c)
{
    lock_acquire();
    if (c->killed || c->closing) {
        lock_release();
        client_free(c);
        return -1;
    }
    outbox_collect(c);          /* Part II: what other threads sent it comes first */
    serve_run_requests(c);
    pubsub_check_output_limit(c);
    c->shown_qbuf = buf_length(&c->query);
    c->shown_rbs = c->reply.cap;
    bool hold = aof_holds_replies();
    lock_release();

    client_shrink_query(c);
    if (hold) {
        client_hold_reply(c);
        return 0;
    }
    return client_write(c);
}

/* Part II: on c's own thread, under the lock, once what other threads
 * had for it is in its reply: unblocked, it runs what it pipelined. */
void serve_on_wake(client *c)
{
    if (pubsub_check_output_limit(c))
        return;
    serve_run_requests(c);
    c->shown_qbuf = buf_length(&c->query);
    c->shown_rbs = c->reply.cap;
}

/* A client that sends without reading its replies would make us buffer
 * without end: past client-query-buffer-limit it is closed, as by Redis. */
static bool serve_query_too_big(client *c)
{
    if ((long long)buf_length(&c->query) <= config.client_query_buffer_limit)
        return false;
    log_write(LOG_WARNING, "Closing client that reached max query buffer length: id=%llu addr=%s:%d",
              (unsigned long long)c->id, c->ip, c->port);
    client_free(c);
    return true;
}

static void serve_on_event(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)fd;
    client *c = data;
    if ((ready & LOOP_WRITABLE) && client_write(c) == -1)
        return;
    if (!(ready & LOOP_READABLE) || (c->flags & CLIENT_CLOSE_AFTER_REPLY))
        return;
    if (client_read(c) <= 0 || serve_query_too_big(c))
        return;
    serve_run(c);
}
