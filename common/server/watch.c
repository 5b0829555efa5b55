/* watch: watched keys and their watchers (Part II, transactions). See
 * watch.h. */
#include "server/watch.h"

#include <string.h>

#include "base/mem.h"
#include "data/dict.h"

/* One key watched by one client. It sits in two lists at once: its
 * client's (next_of_client) and its key's watchers (prev/next_watcher),
 * so that either side can find and drop it. */
typedef struct watched {
    client *c;
    db *d;
    /* The key was already past its time at WATCH: its deletion by expiry
     * is then no change, as in Redis. */
    bool expired;
    struct watched *next_of_client;
    struct watched *prev_watcher, *next_watcher;
    size_t len;
    char key[];
} watched;

/* Watched keys by database number: table[id] maps a key to its first
 * watcher. Grown when a client first watches in a database. */
static dict **watch_tables;
static int watch_table_count;
static size_t watch_total;          /* watched entries, all clients */

static dict *watch_table(const db *d, bool create)
{
    if (d->id >= watch_table_count) {
        if (!create)
            return NULL;
        int count = d->id + 1;
        watch_tables = mem_realloc(watch_tables, sizeof(*watch_tables) * (size_t)count);
        for (int i = watch_table_count; i < count; i++)
            watch_tables[i] = NULL;
        watch_table_count = count;
    }
    if (watch_tables[d->id] == NULL && create)
        watch_tables[d->id] = dict_create();
    return watch_tables[d->id];
}

/* Looked up without expiring it: WATCH and the touch hook only look. */
static dict_entry *watch_lookup_raw(db *d, const char *key, size_t len)
{
    return dict_find(d->keys, key, len);
}

static bool watch_is_expired(db *d, const char *key, size_t len)
{
    dict_entry *e = watch_lookup_raw(d, key, len);
    return e != NULL && db_is_expired(d, e, db_now_ms());
}

static bool watch_has(const client *c, const db *d, const char *key, size_t len)
{
    for (const watched *w = c->watched; w != NULL; w = w->next_of_client)
        if (w->d == d && w->len == len && memcmp(w->key, key, len) == 0)
            return true;
    return false;
}

void watch_key(client *c, const char *key, size_t len)
{
    if (watch_has(c, c->db, key, len))
        return;
    watched *w = mem_alloc(sizeof(*w) + len);
    w->c = c;
    w->d = c->db;
    w->expired = watch_is_expired(c->db, key, len);
    w->len = len;
    memcpy(w->key, key, len);
    w->next_of_client = c->watched;
    c->watched = w;

    bool created;
    dict_entry *e = dict_add_or_find(watch_table(c->db, true), key, len, &created);
    w->prev_watcher = NULL;
    w->next_watcher = created ? NULL : e->value;
    if (w->next_watcher != NULL)
        w->next_watcher->prev_watcher = w;
    e->value = w;
    watch_total++;
}

/* Out of its key's list of watchers; the key leaves the table with its
 * last watcher. */
static void watch_unlink(watched *w)
{
    if (w->next_watcher != NULL)
        w->next_watcher->prev_watcher = w->prev_watcher;
    if (w->prev_watcher != NULL) {
        w->prev_watcher->next_watcher = w->next_watcher;
        return;
    }
    dict *t = watch_table(w->d, false);
    if (w->next_watcher != NULL) {
        dict_find(t, w->key, w->len)->value = w->next_watcher;
    } else {
        bool found;
        dict_delete(t, w->key, w->len, &found);
    }
}

void watch_unwatch_all(client *c)
{
    watched *w = c->watched;
    while (w != NULL) {
        watched *next = w->next_of_client;
        watch_unlink(w);
        mem_free(w);
        watch_total--;
        w = next;
    }
    c->watched = NULL;
}

static watched *watch_first(db *d, const char *key, size_t len)
{
    if (watch_total == 0)
        return NULL;
    dict *t = watch_table(d, false);
    if (t == NULL)
        return NULL;
    dict_entry *e = dict_find(t, key, len);
    return e != NULL ? e->value : NULL;
}

void watch_touch(db *d, const char *key, size_t len)
{
    for (watched *w = watch_first(d, key, len); w != NULL; w = w->next_watcher) {
        if (w->expired && watch_lookup_raw(d, key, len) == NULL) {
            w->expired = false;     /* the dead key was deleted: no change */
            continue;
        }
        w->c->dirty_cas = true;
    }
}

/* One watcher of a key in a database about to be emptied (other NULL)
 * or swapped with other: was that a change for it? Following Redis 7.0:
 * a key absent from both sides did not change, and neither did one that
 * was dead on both sides. */
static void watch_touch_swapped(watched *w, bool in_d, db *other)
{
    bool in_other = other != NULL && watch_lookup_raw(other, w->key, w->len) != NULL;
    if (w->expired) {
        if (!in_other) {
            w->expired = false;     /* a dead key goes away: no change */
            return;
        }
        if (watch_is_expired(other, w->key, w->len))
            return;                 /* dead before, dead after */
    } else if (!in_d && watch_is_expired(other, w->key, w->len)) {
        w->expired = true;          /* nothing becomes a dead key: no change yet */
        return;
    }
    w->c->dirty_cas = true;
}

void watch_touch_all(db *d, db *other)
{
    dict *t = watch_total > 0 ? watch_table(d, false) : NULL;
    if (t == NULL)
        return;
    dict_iter it;
    dict_iter_start(&it, t);
    for (dict_entry *e; (e = dict_iter_next(&it)) != NULL;) {
        bool in_d = watch_lookup_raw(d, e->key, e->keylen) != NULL;
        bool in_other = other != NULL && watch_lookup_raw(other, e->key, e->keylen) != NULL;
        if (!in_d && !in_other)
            continue;
        for (watched *w = e->value; w != NULL; w = w->next_watcher)
            watch_touch_swapped(w, in_d, other);
    }
    dict_iter_end(&it);
}

bool watch_any_expired(client *c)
{
    for (watched *w = c->watched; w != NULL; w = w->next_of_client)
        if (!w->expired && watch_is_expired(w->d, w->key, w->len))
            return true;
    return false;
}

size_t watch_count(const client *c)
{
    size_t n = 0;
    for (const watched *w = c->watched; w != NULL; w = w->next_of_client)
        n++;
    return n;
}
