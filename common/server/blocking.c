/* blocking: clients that wait for a key without holding a thread
 * (Part II, blocking commands). See blocking.h.
 *
 * Three structures, all under the server lock:
 *   - per database, a table from a key to its queue of waiters, oldest
 *     first (what "first come, first served" reads);
 *   - per blocked client, its state: a copy of its command, to run again
 *     when a key is ready, and its places in the queues;
 *   - the keys made ready since the last serve, each once.
 *   - per reactor, its blocked clients that have a deadline, earliest
 *     first (a binary heap), and one timer on its loop for the earliest:
 *     thousands of waiters with a timeout cost the loop one timer, not
 *     thousands. Only the reactor's own thread touches its loop's timers;
 *     another thread may take a client out of the heap, and the timer,
 *     when it fires, finds nothing to do or re-arms for what is left. */
#include "server/blocking.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
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
    client *c;
    long long deadline;     /* Unix ms, 0: none */
    int reactor;            /* whose heap it is in, -1 if none */
    size_t heap_at;         /* its place there */
    const char *ready_key;  /* set while the command runs again */
    size_t ready_len;
    bool blocked_again;
} blocked_state;

typedef struct ready_key {
    db *d;
    char *key;
    size_t len;
} ready_key;

/* Looking at a key for its waiters is no read of a client's: no stats,
 * no keymiss event, no LRU touch, as in Redis. */
#define BLOCKING_LOOKUP (DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOSTATS | DB_LOOKUP_NONOTIFY)

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

/* ---------------- Deadlines ---------------- */

typedef struct deadline_heap {
    blocked_state **items;
    size_t count, cap;
    long long timer_id;     /* armed on the reactor's loop, 0 if none */
    long long armed_for;    /* the deadline it fires at */
} deadline_heap;

static deadline_heap blocking_deadlines[REACTOR_MAX];

static void heap_place(deadline_heap *h, size_t i, blocked_state *b)
{
    h->items[i] = b;
    b->heap_at = i;
}

static void heap_sift_up(deadline_heap *h, size_t i)
{
    blocked_state *b = h->items[i];
    while (i > 0 && h->items[(i - 1) / 2]->deadline > b->deadline) {
        heap_place(h, i, h->items[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_place(h, i, b);
}

static void heap_sift_down(deadline_heap *h, size_t i)
{
    blocked_state *b = h->items[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->count)
            break;
        if (child + 1 < h->count && h->items[child + 1]->deadline < h->items[child]->deadline)
            child++;
        if (h->items[child]->deadline >= b->deadline)
            break;
        heap_place(h, i, h->items[child]);
        i = child;
    }
    heap_place(h, i, b);
}

static void heap_push(deadline_heap *h, blocked_state *b)
{
    if (h->count == h->cap) {
        h->cap = h->cap > 0 ? 2 * h->cap : 16;
        h->items = mem_realloc(h->items, h->cap * sizeof(*h->items));
    }
    heap_place(h, h->count++, b);
    heap_sift_up(h, h->count - 1);
}

static void heap_remove(deadline_heap *h, blocked_state *b)
{
    size_t i = b->heap_at;
    blocked_state *last = h->items[--h->count];
    if (i == h->count)
        return;
    heap_place(h, i, last);
    heap_sift_up(h, i);
    heap_sift_down(h, last->heap_at);
}

static void blocking_end(client *c, void (*reply)(client *c, const void *arg), const void *arg);
static void blocking_reply_timeout(client *c, const void *arg);

/* The reactor's timer, on its thread: every client whose time is up gets
 * its timeout reply; then it fires again at the next deadline, if any. */
static long long blocking_on_deadlines(loop *l, long long id, void *data)
{
    (void)l, (void)id;
    deadline_heap *h = &blocking_deadlines[(intptr_t)data];
    lock_acquire();
    long long now = loop_now_ms();
    while (h->count > 0 && h->items[0]->deadline <= now)
        blocking_end(h->items[0]->c, blocking_reply_timeout, NULL);
    long long next = LOOP_TIMER_DONE;
    if (h->count > 0) {
        next = h->items[0]->deadline - now;
        h->armed_for = h->items[0]->deadline;
    } else {
        h->timer_id = 0;
    }
    lock_release();
    return next;
}

/* On the client's own thread: into its reactor's heap, and the timer
 * brought forward if this deadline is the earliest. */
static void blocking_add_deadline(client *c, blocked_state *b)
{
    int r = reactor_index_of(c->loop);
    if (r < 0)
        return;
    deadline_heap *h = &blocking_deadlines[r];
    b->reactor = r;
    heap_push(h, b);
    if (h->timer_id != 0 && h->armed_for <= b->deadline)
        return;
    if (h->timer_id != 0)
        loop_del_timer(c->loop, h->timer_id);
    long long wait = b->deadline - loop_now_ms();
    h->timer_id = loop_add_timer(c->loop, wait > 0 ? wait : 0, blocking_on_deadlines, (void *)(intptr_t)r);
    h->armed_for = b->deadline;
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

void blocking_block(client *c, int first_key, int key_count, long long deadline_ms,
                    enum blocking_timeout_reply on_timeout)
{
    if (c->blocked != NULL) {           /* run again for a key that was no use */
        c->blocked->blocked_again = true;
        return;
    }
    blocked_state *b = mem_calloc(1, sizeof(*b));
    b->cmd = command_lookup(c->argv[0], c->argvlen[0]);
    b->c = c;
    b->d = c->db;
    b->reactor = -1;
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
    b->deadline = deadline_ms;
    if (deadline_ms > 0)
        blocking_add_deadline(c, b);
}

/* Out of every queue, its state freed; no reply. */
static void blocking_release(client *c)
{
    blocked_state *b = c->blocked;
    if (b->reactor >= 0)
        heap_remove(&blocking_deadlines[b->reactor], b);
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
    reply_command_done(c);
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
            if (db_lookup(both[i], e->key, e->keylen, BLOCKING_LOOKUP) != NULL)
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
    reply_command_done(c);
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
    while (w != NULL && db_lookup(d, key, len, BLOCKING_LOOKUP) != NULL) {
        waiter *next = w->next;
        if (!w->c->closing)         /* going: it must not take an element with it */
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
