/* blocking: clients that wait for a key without holding a thread
 * (Part II, blocking commands). See blocking.h.
 *
 * Three structures, all under the server lock:
 *   - per database, a table from a key to its queue of waiters, oldest
 *     first (what "first come, first served" reads);
 *   - per blocked client, its state: a copy of its command, to run again
 *     when a key is ready, and its places in the queues;
 *   - the keys made ready since the last serve, each once.
 * A deadline is a timer on the client's own loop, set and deleted by its
 * own thread only (loops are not shared). */
#include "server/blocking.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "data/dict.h"
#include "io/loop.h"
#include "io/reactor.h"
#include "server/command.h"
#include "server/lock.h"
#include "server/outbox.h"
#include "server/reply.h"

typedef struct waiter {
    client *c;
    int arg;                /* its key is the command's argv[arg] */
    struct key_queue *queue;
    struct waiter *prev, *next;
} waiter;

/* The value of a key's entry in its database's table. */
typedef struct key_queue {
    waiter *head, *tail;
    bool ready;             /* already in the list of ready keys */
} key_queue;

typedef struct blocked_state {
    const command *cmd;
    int argc;
    const char **argv;      /* one allocation: pointers, lengths, bytes */
    size_t *argvlen;
    db *d;
    int key_count;
    waiter *waiters;        /* one per distinct key */
    enum blocking_timeout_reply on_timeout;
    const char *ready_key;  /* set while the command runs again */
    size_t ready_len;
    bool blocked_again;
} blocked_state;

typedef struct ready_key {
    db *d;
    char *key;
    size_t len;
} ready_key;

static dict **blocking_tables;      /* by database number, NULL until used */
static int blocking_table_count;
static size_t blocking_total;       /* blocked clients */
static ready_key *blocking_ready;
static size_t blocking_ready_count, blocking_ready_cap;

size_t blocking_count(void)
{
    return blocking_total;
}

bool blocking_is_blocked(const client *c)
{
    return c->blocked != NULL;
}

const char *blocking_ready_key(const client *c, size_t *len)
{
    if (c->blocked == NULL || c->blocked->ready_key == NULL)
        return NULL;
    *len = c->blocked->ready_len;
    return c->blocked->ready_key;
}

bool blocking_may_block(const client *c)
{
    if (c->blocked != NULL)
        return true;        /* run again: it blocked the first time */
    return !(c->flags & CLIENT_MULTI) && c->loop != NULL;
}

/* Redis reads the timeout as a long double of seconds; what does not fit
 * in a long long of milliseconds is "negative" there, and so here. */
bool blocking_parse_timeout(client *c, const char *arg, size_t len, long long *deadline_ms)
{
    char text[128];
    if (len == 0 || len >= sizeof(text)) {
        reply_error(c, REPLY_ERR_TIMEOUT_NOT_FLOAT);
        return false;
    }
    memcpy(text, arg, len);
    text[len] = '\0';
    char *end;
    errno = 0;
    long double seconds = strtold(text, &end);
    if (*end != '\0' || isspace((unsigned char)text[0]) || errno == ERANGE || isnan(seconds)) {
        reply_error(c, REPLY_ERR_TIMEOUT_NOT_FLOAT);
        return false;
    }
    /* Rounded up, as Redis's ceill(): a part of a millisecond still waits
     * one, and -0.0001 s is 0, which waits for ever. */
    long double ms = seconds * 1000.0L;
    if (ms <= -1.0L || ms >= (long double)LLONG_MAX) {
        reply_error(c, REPLY_ERR_TIMEOUT_NEGATIVE);
        return false;
    }
    long long wait = (long long)ms;
    if ((long double)wait < ms)
        wait++;
    *deadline_ms = wait > 0 ? loop_now_ms() + wait : 0;
    return true;
}

/* ---------------- The queues ---------------- */

static dict *blocking_table(int db_id, bool create)
{
    if (db_id >= blocking_table_count) {
        if (!create)
            return NULL;
        int count = db_id + 1;
        blocking_tables = mem_realloc(blocking_tables, (size_t)count * sizeof(*blocking_tables));
        for (int i = blocking_table_count; i < count; i++)
            blocking_tables[i] = NULL;
        blocking_table_count = count;
    }
    if (blocking_tables[db_id] == NULL && create)
        blocking_tables[db_id] = dict_create();
    return blocking_tables[db_id];
}

static key_queue *blocking_queue(int db_id, const char *key, size_t len)
{
    dict *t = blocking_table(db_id, false);
    if (t == NULL)
        return NULL;
    dict_entry *e = dict_find(t, key, len);
    return e != NULL ? e->value : NULL;
}

static void blocking_enqueue(waiter *w, int db_id, const char *key, size_t len)
{
    bool created;
    dict_entry *e = dict_add_or_find(blocking_table(db_id, true), key, len, &created);
    if (created)
        e->value = mem_calloc(1, sizeof(key_queue));
    key_queue *q = e->value;
    w->queue = q;
    w->prev = q->tail;
    w->next = NULL;
    if (q->tail != NULL)
        q->tail->next = w;
    else
        q->head = w;
    q->tail = w;
}

/* The last waiter gone, the key leaves the table. */
static void blocking_dequeue(waiter *w, int db_id, const char *key, size_t len)
{
    key_queue *q = w->queue;
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        q->head = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    else
        q->tail = w->prev;
    if (q->head == NULL) {
        bool found;
        dict_delete(blocking_table(db_id, false), key, len, &found);
        mem_free(q);
    }
}

/* ---------------- Blocking and unblocking ---------------- */

/* The command's arguments outlive the query buffer they were read from. */
static void blocking_copy_argv(blocked_state *b, const client *c)
{
    size_t bytes = 0;
    for (int i = 0; i < c->argc; i++)
        bytes += c->argvlen[i];
    size_t head = (size_t)c->argc * (sizeof(char *) + sizeof(size_t));
    char *block = mem_alloc(head + bytes + 1);
    b->argv = (const char **)block;
    b->argvlen = (size_t *)(block + (size_t)c->argc * sizeof(char *));
    char *p = block + head;
    for (int i = 0; i < c->argc; i++) {
        memcpy(p, c->argv[i], c->argvlen[i]);
        b->argv[i] = p;
        b->argvlen[i] = c->argvlen[i];
        p += c->argvlen[i];
    }
    b->argc = c->argc;
}

/* True if argv[first .. i-1] already names the key at argv[i]. */
static bool blocking_named_before(const blocked_state *b, int first, int i)
{
    for (int j = first; j < i; j++) {
        if (b->argvlen[j] == b->argvlen[i] && memcmp(b->argv[j], b->argv[i], b->argvlen[i]) == 0)
            return true;
    }
    return false;
}

static long long blocking_on_deadline(loop *l, long long id, void *data);

void blocking_block(client *c, int first_key, int key_count, long long deadline_ms,
                    enum blocking_timeout_reply on_timeout)
{
    if (c->blocked != NULL) {           /* run again for a key that was no use */
        c->blocked->blocked_again = true;
        return;
    }
    blocked_state *b = mem_calloc(1, sizeof(*b));
    b->cmd = command_lookup(c->argv[0], c->argvlen[0]);
    b->d = c->db;
    b->on_timeout = on_timeout;
    blocking_copy_argv(b, c);
    b->waiters = mem_calloc((size_t)key_count, sizeof(waiter));
    for (int i = first_key; i < first_key + key_count; i++) {
        if (blocking_named_before(b, first_key, i))
            continue;       /* BLPOP k k 0 waits once on k, as in Redis */
        waiter *w = &b->waiters[b->key_count++];
        w->c = c;
        w->arg = i;
        blocking_enqueue(w, b->d->id, b->argv[i], b->argvlen[i]);
    }
    c->blocked = b;
    blocking_total++;
    if (c->timer_id != 0) {             /* an earlier wait's, served before it could go */
        loop_del_timer(c->loop, c->timer_id);
        c->timer_id = 0;
    }
    if (deadline_ms > 0) {
        long long wait = deadline_ms - loop_now_ms();
        c->timer_id = loop_add_timer(c->loop, wait > 0 ? wait : 0, blocking_on_deadline, c);
    }
}

/* Out of every queue, its state freed; no reply. */
static void blocking_release(client *c)
{
    blocked_state *b = c->blocked;
    for (int i = 0; i < b->key_count; i++) {
        waiter *w = &b->waiters[i];
        blocking_dequeue(w, b->d->id, b->argv[w->arg], b->argvlen[w->arg]);
    }
    mem_free(b->waiters);
    mem_free((void *)b->argv);
    mem_free(b);
    c->blocked = NULL;
    blocking_total--;
}

void blocking_forget(client *c)
{
    if (c->blocked != NULL)
        blocking_release(c);
}

/* A reply for a blocked client goes through its outbox, whatever thread
 * gives it, and wakes its thread, which then runs what it pipelined. */
static void blocking_end(client *c, void (*reply)(client *c, const void *arg), const void *arg)
{
    c->to_outbox = true;
    reply(c, arg);
    c->to_outbox = false;
    blocking_release(c);
    outbox_wake(c);
}

static void blocking_reply_timeout(client *c, const void *arg)
{
    (void)arg;
    if (c->blocked->on_timeout == BLOCKING_TIMEOUT_NULL_BULK)
        reply_null(c);
    else
        reply_null_array(c);
}

static void blocking_reply_error(client *c, const void *arg)
{
    reply_error(c, arg);
}

static long long blocking_on_deadline(loop *l, long long id, void *data)
{
    (void)l;
    client *c = data;
    lock_acquire();
    if (id != c->timer_id) {            /* not the current wait's */
        lock_release();
        return LOOP_TIMER_DONE;
    }
    c->timer_id = 0;
    if (c->blocked != NULL)
        blocking_end(c, blocking_reply_timeout, NULL);
    lock_release();
    return LOOP_TIMER_DONE;
}

bool blocking_unblock(client *c, bool with_error)
{
    if (c->blocked == NULL)
        return false;
    if (with_error)
        blocking_end(c, blocking_reply_error, REPLY_ERR_UNBLOCKED);
    else
        blocking_end(c, blocking_reply_timeout, NULL);
    return true;
}

/* On the client's own thread, once woken: a deadline no longer needed. */
void blocking_after_wake(client *c)
{
    if (c->blocked == NULL && c->timer_id != 0) {
        loop_del_timer(c->loop, c->timer_id);
        c->timer_id = 0;
    }
}

/* ---------------- Ready keys ---------------- */

/* Told by the keyspace of every value put at a key (db.c's hook). */
void blocking_key_added(db *d, const char *key, size_t len)
{
    if (blocking_total == 0)
        return;
    key_queue *q = blocking_queue(d->id, key, len);
    if (q == NULL || q->ready)
        return;
    q->ready = true;
    if (blocking_ready_count == blocking_ready_cap) {
        blocking_ready_cap = blocking_ready_cap > 0 ? 2 * blocking_ready_cap : 8;
        blocking_ready = mem_realloc(blocking_ready, blocking_ready_cap * sizeof(*blocking_ready));
    }
    ready_key *r = &blocking_ready[blocking_ready_count++];
    r->d = d;
    r->len = len;
    r->key = mem_alloc(len > 0 ? len : 1);
    memcpy(r->key, key, len);
}

/* SWAPDB: the keys that exist in either database after the swap are
 * ready for whoever waits on them there. */
void blocking_db_swapped(db *a, db *b)
{
    db *both[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        dict *t = blocking_table(both[i]->id, false);
        if (t == NULL)
            continue;
        dict_iter it;
        dict_entry *e;
        dict_iter_start(&it, t);
        while ((e = dict_iter_next(&it)) != NULL) {
            if (db_find_notouch(both[i], e->key, e->keylen) != NULL)
                blocking_key_added(both[i], e->key, e->keylen);
        }
        dict_iter_end(&it);
    }
}

/* Run the waiter's command again, told which key is ready. Its reply
 * goes to its outbox; if it did not block again, it is done waiting. */
static void blocking_run_again(client *c, const char *key, size_t len)
{
    blocked_state *b = c->blocked;
    db *own = c->db;
    c->db = b->d;
    c->argc = b->argc;
    c->argv = b->argv;
    c->argvlen = b->argvlen;
    b->ready_key = key;
    b->ready_len = len;
    b->blocked_again = false;
    c->to_outbox = true;
    command_call(c, b->cmd);
    c->to_outbox = false;
    c->db = own;
    b->ready_key = NULL;
    if (b->blocked_again)
        return;
    blocking_release(c);
    c->argc = 0;
    c->argv = NULL;
    c->argvlen = NULL;
    outbox_wake(c);
}

/* The waiters of one key, oldest first, while the key holds a value.
 * Each one served leaves the queue (and the last frees it); one that
 * blocks again keeps its place. */
static void blocking_serve_key(db *d, const char *key, size_t len)
{
    key_queue *q = blocking_queue(d->id, key, len);
    if (q == NULL)
        return;
    q->ready = false;
    waiter *w = q->head;
    while (w != NULL && db_find_notouch(d, key, len) != NULL) {
        waiter *next = w->next;
        blocking_run_again(w->c, key, len);
        w = next;
    }
}

void blocking_serve_ready(void)
{
    while (blocking_ready_count > 0) {
        ready_key *batch = blocking_ready;
        size_t count = blocking_ready_count;
        blocking_ready = NULL;
        blocking_ready_count = blocking_ready_cap = 0;
        for (size_t i = 0; i < count; i++) {
            blocking_serve_key(batch[i].d, batch[i].key, batch[i].len);
            mem_free(batch[i].key);
        }
        mem_free(batch);
    }
}
