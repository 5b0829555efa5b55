/* client: one connected client, from accept to close (stage 1).
 *
 * A client is a socket plus two buffers and a parser. Bytes read go into
 * `query`; the parser cuts requests out of it; each request runs as a
 * command whose reply is appended to `reply` (serve.c does those two);
 * `reply` is written back as far as the socket takes it, and the rest
 * waits for the socket to be writable again. Nothing here ever blocks, so
 * one slow client cannot hold up the others.
 *
 * Stage 6 serves clients from several threads (reactor.c). A client
 * belongs to one loop, `loop`, for its whole life: only that loop's thread
 * reads, writes or frees it, so its buffers need no lock. What other
 * threads may see of it (CLIENT LIST, CLIENT KILL, INFO) they see under
 * the server lock, which its own thread also holds while it runs the
 * client's commands. */
#ifndef CLIENT_H
#define CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "data/db.h"
#include "io/loop.h"
#include "io/net.h"
#include "io/resp.h"

#define CLIENT_CLOSE_AFTER_REPLY 1     /* flush the reply, then hang up */
#define CLIENT_PENDING_WRITE 4         /* its reply waits for the AOF write (stage 5) */
#define CLIENT_MULTI 8                 /* between MULTI and EXEC: commands are queued (Part II) */
#define CLIENT_DIRTY_EXEC 16           /* a command was refused while queuing: EXEC aborts */

#define CLIENT_BUF_KEEP (64 * 1024)    /* an emptied buffer larger than this is freed */

/* CLIENT REPLY (Part II, pub/sub): whether replies are sent. SKIP_NEXT
 * becomes SKIP when the command that asked for it ends, and SKIP ends
 * with the next one. */
enum client_reply_mode { CLIENT_REPLY_ON, CLIENT_REPLY_OFF, CLIENT_REPLY_SKIP_NEXT, CLIENT_REPLY_SKIP };

typedef struct client {
    int fd;
    uint64_t id;                /* unique, increasing: CLIENT ID in stage 6 */
    char ip[NET_IP_LEN];        /* peer address, for the log */
    int port;
    char local_ip[NET_IP_LEN];  /* the address it connected to (CLIENT LIST laddr) */
    int local_port;
    char *name;                 /* CLIENT SETNAME, NULL if none (stage 6) */
    char *lib_name, *lib_ver;   /* CLIENT SETINFO (stage 6) */
    bool auth_required;         /* requirepass is set and AUTH has not succeeded yet */
    long long created_ms;       /* for CLIENT LIST's age= and idle= */
    /* Last command or write: idle= and the timeout option. Atomic, as its
     * thread updates it after a write without the server lock. */
    _Atomic long long last_ms;
    const char *last_cmd;       /* its name, for CLIENT LIST's cmd= */
    int flags;                  /* CLIENT_* */
    int resp;                   /* protocol version of replies: 2, or 3 after HELLO 3 (stage 6) */
    buf query;                  /* bytes read and not yet parsed */
    buf reply;                  /* bytes produced and not yet written */
    /* Replies go to `outbox` instead while another thread's command
     * serves this client (Part II, blocking commands). */
    bool to_outbox;
    /* Bytes produced for it by other threads, under the server lock; its
     * own thread moves them to `reply` (Part II, server/outbox.c). */
    buf outbox;
    /* CLIENT REPLY OFF or SKIP: replies are built into `muted` and
     * dropped, except pushes (`pushing`: pub/sub's messages and
     * confirmations), which Redis sends whatever the client asked. */
    enum client_reply_mode reply_mode;
    bool pushing;
    buf muted;
    struct client *wake_prev, *wake_next;   /* on its reactor's wake list (outbox.c) */
    bool wake_listed;
    long long out_soft_since_ms;    /* over the soft output limit since, or 0 (Part II, pub/sub) */
    bool closing;               /* client_close_soon(): its thread frees it next (Part II) */
    struct blocked_state *blocked;  /* what it waits for, NULL if not blocked (server/blocking.c) */
    struct pubsub_state *pubsub;    /* its subscriptions, NULL if none (server/pubsub.c) */
    size_t shown_qbuf, shown_rbs;   /* their sizes after its last commands, for CLIENT LIST */
    resp_parser parser;
    db *db;                     /* the keyspace commands act on */
    loop *loop;                 /* the loop, and so the thread, that serves it (stage 6) */
    bool killed;                /* CLIENT KILL from another thread: its own frees it */
    struct multi_state *multi;  /* MULTI's queue, NULL outside MULTI (Part II, server/multi.c) */
    struct watched *watched;    /* its WATCHed keys (Part II, server/watch.c) */
    /* A watched key changed: EXEC answers null. Not in `flags`: other
     * clients' commands set it, from their threads, under the server
     * lock, while this client's thread reads `flags` without it. */
    bool dirty_cas;
    /* The command logged its own record (stage 5). Not in `flags` either:
     * a blocked client's command may run again on another thread (Part II). */
    bool propagated;

    /* The command being executed; points into query or the parser. */
    int argc;
    const char **argv;
    const size_t *argvlen;

    struct client *prev, *next; /* all clients (or the killed ones), under the server lock */
    struct client *pending_prev, *pending_next;     /* replies held for the AOF (stage 5) */
} client;

/* Under the server lock: a new client of loop `l`, starting in database d. */
client *client_create(int fd, const char *ip, int port, loop *l, db *d, bool auth_required);

/* Without the server lock, from the client's own thread. The read and the
 * write return -1 if the client was freed (it hung up, or an error). */
int client_read(client *c);         /* one chunk into c->query: 1, or 0 if none came */
int client_write(client *c);        /* c->reply, as far as the socket takes it */
void client_hold_reply(client *c);  /* written by client_write_pending() instead (stage 5) */
void client_shrink_query(client *c);
void client_free(client *c);
void client_free_all(void);         /* at shutdown, once the other threads are gone */
/* What else must go with a client, under the server lock: its
 * transaction's queue and watched keys (Part II: server.c sets
 * multi_forget). This module knows nothing of transactions. */
typedef void client_forget_fn(client *c);
void client_set_forget_hook(client_forget_fn *fn);
void client_write_pending(void);    /* this thread's replies held while the AOF was written */

/* With the server lock held: */
void client_kill(client *c);        /* closed now, or soon by its own thread */
void client_close_soon(client *c);  /* closed by its own thread, never at once (Part II) */
size_t client_count(void);
client *client_all(void);           /* the first client; c->next leads to the others */
client *client_by_id(uint64_t id);
void client_close_idle(long long timeout_ms);   /* this thread's idle clients: the timeout option (stage 6) */

#endif
