/* pubsub: channels, patterns, and who listens to them (Part II, pub/sub).
 * See pubsub.h. */
#include "server/pubsub.h"

#include <stdio.h>
#include <string.h>

#include "base/glob.h"
#include "base/log.h"
#include "base/mem.h"
#include "data/dict.h"
#include "io/loop.h"
#include "io/reactor.h"
#include "io/resp.h"
#include "server/outbox.h"

/* Subscribers of one name, in the order they came. */
typedef struct pubsub_list {
    client **items;
    size_t count, cap;
} pubsub_list;

/* A client's own subscriptions, one table per kind (values unused). */
typedef struct pubsub_state {
    dict *names[3];
} pubsub_state;

static dict *pubsub_tables[3];      /* name -> pubsub_list*, by enum pubsub_kind */

static dict *pubsub_table(enum pubsub_kind kind)
{
    if (pubsub_tables[kind] == NULL)
        pubsub_tables[kind] = dict_create();
    return pubsub_tables[kind];
}

static void pubsub_list_add(pubsub_list *l, client *c)
{
    if (l->count == l->cap) {
        l->cap = l->cap > 0 ? 2 * l->cap : 4;
        l->items = mem_realloc(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->count++] = c;
}

/* Keeps the others in order: who came first is served first. */
static void pubsub_list_remove(pubsub_list *l, const client *c)
{
    for (size_t i = 0; i < l->count; i++) {
        if (l->items[i] == c) {
            memmove(&l->items[i], &l->items[i + 1], (l->count - i - 1) * sizeof(*l->items));
            l->count--;
            return;
        }
    }
}

bool pubsub_subscribe(client *c, enum pubsub_kind kind, const char *name, size_t len)
{
    if (c->pubsub == NULL)
        c->pubsub = mem_calloc(1, sizeof(pubsub_state));
    dict **mine = &c->pubsub->names[kind];
    if (*mine == NULL)
        *mine = dict_create();
    bool created;
    dict_add_or_find(*mine, name, len, &created);
    if (!created)
        return false;
    dict_entry *e = dict_add_or_find(pubsub_table(kind), name, len, &created);
    if (created)
        e->value = mem_calloc(1, sizeof(pubsub_list));
    pubsub_list_add(e->value, c);
    return true;
}

/* c out of the name's list; the last subscriber gone, the name goes. */
static void pubsub_leave(client *c, enum pubsub_kind kind, const char *name, size_t len)
{
    dict_entry *e = dict_find(pubsub_table(kind), name, len);
    pubsub_list *l = e->value;
    pubsub_list_remove(l, c);
    if (l->count == 0) {
        bool found;
        mem_free(l->items);
        mem_free(l);
        dict_delete(pubsub_table(kind), name, len, &found);
    }
}

bool pubsub_unsubscribe(client *c, enum pubsub_kind kind, const char *name, size_t len)
{
    if (c->pubsub == NULL || c->pubsub->names[kind] == NULL ||
        dict_find(c->pubsub->names[kind], name, len) == NULL)
        return false;
    pubsub_leave(c, kind, name, len);
    bool found;
    dict_delete(c->pubsub->names[kind], name, len, &found);
    return true;
}

size_t pubsub_client_count(const client *c, enum pubsub_kind kind)
{
    if (c->pubsub == NULL || c->pubsub->names[kind] == NULL)
        return 0;
    return dict_size(c->pubsub->names[kind]);
}

bool pubsub_subscribed(const client *c)
{
    return c->pubsub != NULL && pubsub_subscriptions(c) + pubsub_client_count(c, PUBSUB_SHARD) > 0;
}

size_t pubsub_subscriptions(const client *c)
{
    return pubsub_client_count(c, PUBSUB_CHANNEL) + pubsub_client_count(c, PUBSUB_PATTERN);
}

size_t pubsub_unsubscribe_every(client *c, enum pubsub_kind kind, const char *what, pubsub_each_fn *fn)
{
    if (pubsub_client_count(c, kind) == 0)
        return 0;
    size_t n = 0;
    dict_iter it;
    dict_entry *e;
    dict_iter_start(&it, c->pubsub->names[kind]);
    while ((e = dict_iter_next(&it)) != NULL) {
        /* The entry is freed by the unsubscribe: its name is copied. */
        char small[128];
        size_t len = e->keylen;
        char *name = len <= sizeof(small) ? small : mem_alloc(len);
        memcpy(name, e->key, len);
        pubsub_unsubscribe(c, kind, name, len);
        fn(c, kind, what, name, len);
        if (name != small)
            mem_free(name);
        n++;
    }
    dict_iter_end(&it);
    return n;
}

void pubsub_forget(client *c)
{
    if (c->pubsub == NULL)
        return;
    for (int kind = 0; kind < 3; kind++) {
        dict *mine = c->pubsub->names[kind];
        if (mine == NULL)
            continue;
        dict_iter it;
        dict_entry *e;
        dict_iter_start(&it, mine);
        while ((e = dict_iter_next(&it)) != NULL)
            pubsub_leave(c, (enum pubsub_kind)kind, e->key, e->keylen);
        dict_iter_end(&it);
        dict_destroy(mine, NULL);
    }
    mem_free(c->pubsub);
    c->pubsub = NULL;
}

/* ---------------- Publishing ---------------- */

/* One message, encoded once per protocol and shared by every subscriber
 * that speaks it: RESP2's array or RESP3's push. */
typedef struct pubsub_message {
    const char *kind;               /* "message", "pmessage", "smessage" */
    const char *pattern;            /* for pmessage */
    size_t plen;
    const char *channel, *payload;
    size_t clen, mlen;
    buf bytes[2];                   /* [0] RESP2, [1] RESP3, built when first needed */
} pubsub_message;

static const buf *pubsub_encode(pubsub_message *m, int resp)
{
    buf *b = &m->bytes[resp == 3];
    if (buf_length(b) > 0)
        return b;
    long long parts = m->pattern != NULL ? 4 : 3;
    if (resp == 3) {
        char header[32];
        int n = snprintf(header, sizeof(header), ">%lld\r\n", parts);
        buf_append(b, header, (size_t)n);
    } else {
        resp_add_array(b, parts);
    }
    resp_add_bulk(b, m->kind, strlen(m->kind));
    if (m->pattern != NULL)
        resp_add_bulk(b, m->pattern, m->plen);
    resp_add_bulk(b, m->channel, m->clen);
    resp_add_bulk(b, m->payload, m->mlen);
    return b;
}

/* Clients found over their limit while a message goes out; marked for
 * closing once it has gone to everyone (a victim still gets the pattern
 * messages of this PUBLISH that come after the one that put it over). */
typedef struct pubsub_victims {
    client **items;
    size_t count, cap;
} pubsub_victims;

static bool pubsub_over_hard_limit(const client *c, size_t pending);

/* On the subscriber's own thread, all it has pending is seen here; from
 * another, only its outbox, which is enough for the hard limit. Its own
 * thread checks both limits whenever it takes its outbox. */
static void pubsub_deliver(client *c, pubsub_message *m, pubsub_victims *v)
{
    if (c->closing)
        return;         /* going: counted, as by Redis, but sent nothing */
    const buf *b = pubsub_encode(m, c->resp);
    outbox_send(c, buf_data(b), buf_length(b));
    bool over;
    if (c->loop == reactor_current())
        over = pubsub_output_over_limit(c, buf_length(&c->reply) + buf_length(&c->outbox));
    else
        over = pubsub_over_hard_limit(c, buf_length(&c->outbox));
    if (over) {
        if (v->count == v->cap) {
            v->cap = v->cap > 0 ? 2 * v->cap : 4;
            v->items = mem_realloc(v->items, v->cap * sizeof(*v->items));
        }
        v->items[v->count++] = c;
    }
}

static void pubsub_close_victims(pubsub_victims *v)
{
    for (size_t i = 0; i < v->count; i++) {
        client *c = v->items[i];
        if (c->killed || c->closing)
            continue;
        log_write(LOG_WARNING, "Client id=%llu addr=%s:%d scheduled to be closed ASAP for overcoming of output buffer limits.",
                  (unsigned long long)c->id, c->ip, c->port);
        client_close_soon(c);
    }
    mem_free(v->items);
}

long long pubsub_publish(enum pubsub_kind kind, const char *channel, size_t len, const char *message,
                         size_t mlen)
{
    long long receivers = 0;
    pubsub_victims victims = {NULL, 0, 0};
    pubsub_message m = {kind == PUBSUB_SHARD ? "smessage" : "message", NULL, 0, channel, message, len, mlen,
                        {BUF_INIT, BUF_INIT}};
    dict_entry *e = pubsub_tables[kind] != NULL ? dict_find(pubsub_tables[kind], channel, len) : NULL;
    if (e != NULL) {
        pubsub_list *l = e->value;
        for (size_t i = 0; i < l->count; i++)
            pubsub_deliver(l->items[i], &m, &victims);
        receivers += (long long)l->count;
    }
    if (kind == PUBSUB_CHANNEL && pubsub_tables[PUBSUB_PATTERN] != NULL &&
        dict_size(pubsub_tables[PUBSUB_PATTERN]) > 0) {
        pubsub_message pm = {"pmessage", NULL, 0, channel, message, len, mlen, {BUF_INIT, BUF_INIT}};
        dict_iter it;
        dict_iter_start(&it, pubsub_tables[PUBSUB_PATTERN]);
        while ((e = dict_iter_next(&it)) != NULL) {
            if (!glob_match(e->key, e->keylen, channel, len, false))
                continue;
            pubsub_list *l = e->value;
            pm.pattern = e->key;
            pm.plen = e->keylen;
            buf_clear(&pm.bytes[0]);
            buf_clear(&pm.bytes[1]);
            for (size_t i = 0; i < l->count; i++)
                pubsub_deliver(l->items[i], &pm, &victims);
            receivers += (long long)l->count;
        }
        dict_iter_end(&it);
        buf_free(&pm.bytes[0]);
        buf_free(&pm.bytes[1]);
    }
    buf_free(&m.bytes[0]);
    buf_free(&m.bytes[1]);
    pubsub_close_victims(&victims);
    return receivers;
}

/* ---------------- PUBSUB and INFO ---------------- */

size_t pubsub_names(enum pubsub_kind kind, const char *pattern, size_t plen, buf *out)
{
    if (pubsub_tables[kind] == NULL)
        return 0;
    size_t n = 0;
    dict_iter it;
    dict_entry *e;
    dict_iter_start(&it, pubsub_tables[kind]);
    while ((e = dict_iter_next(&it)) != NULL) {
        if (pattern != NULL && !glob_match(pattern, plen, e->key, e->keylen, false))
            continue;
        resp_add_bulk(out, e->key, e->keylen);
        n++;
    }
    dict_iter_end(&it);
    return n;
}

size_t pubsub_subscribers(enum pubsub_kind kind, const char *name, size_t len)
{
    dict_entry *e = pubsub_tables[kind] != NULL ? dict_find(pubsub_tables[kind], name, len) : NULL;
    return e != NULL ? ((pubsub_list *)e->value)->count : 0;
}

size_t pubsub_total(enum pubsub_kind kind)
{
    return pubsub_tables[kind] != NULL ? dict_size(pubsub_tables[kind]) : 0;
}

/* ---------------- Output-buffer limits ---------------- */

/* A client with any subscription is of the pubsub class, in RESP3 too,
 * as in Redis 7.0. */
static pubsub_limit pubsub_limits[2];      /* normal, pubsub: set by config.c */

void pubsub_set_output_limits(pubsub_limit normal, pubsub_limit subscriber)
{
    pubsub_limits[0] = normal;
    pubsub_limits[1] = subscriber;
}

static const pubsub_limit *pubsub_limit_of(const client *c)
{
    return &pubsub_limits[pubsub_subscribed(c) ? 1 : 0];
}

static bool pubsub_over_hard_limit(const client *c, size_t pending)
{
    const pubsub_limit *limit = pubsub_limit_of(c);
    return limit->hard > 0 && (long long)pending >= limit->hard;
}

/* Over the hard limit at once, or over the soft one for longer than its
 * seconds. The time over the soft limit is remembered, and forgotten as
 * soon as the client is back under it. */
bool pubsub_output_over_limit(client *c, size_t pending)
{
    const pubsub_limit *limit = pubsub_limit_of(c);
    if (pubsub_over_hard_limit(c, pending))
        return true;
    if (limit->soft == 0 || (long long)pending < limit->soft) {
        c->out_soft_since_ms = 0;
        return false;
    }
    long long now = loop_now_ms();
    if (c->out_soft_since_ms == 0) {
        c->out_soft_since_ms = now;
        return false;
    }
    return now - c->out_soft_since_ms > limit->soft_seconds * 1000;
}

bool pubsub_check_output_limit(client *c)
{
    if (!pubsub_output_over_limit(c, buf_length(&c->reply) + buf_length(&c->outbox)))
        return false;
    log_write(LOG_WARNING, "Client id=%llu addr=%s:%d closed for overcoming of output buffer limits.",
              (unsigned long long)c->id, c->ip, c->port);
    client_close_soon(c);
    return true;
}
