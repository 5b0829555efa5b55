/* db: the keyspace (stage 2), with expiry times (stage 3). A thin layer
 * over dict that owns the values.
 *
 * Keeping the keyspace behind its own small API, rather than letting
 * commands touch the dict, is what lets stage 3 add expiry and stage 6 add
 * shards without rewriting a single command: lookups here are where
 * expired keys disappear ("lazy expiry"). */
#include "data/db.h"

#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "base/num.h"
#include "data/access.h"

/* Changes made to any database so far. A command that moved it changed
 * the dataset, which is what stage 5 logs; one counter for all databases
 * also covers commands that touch several (FLUSHALL, SWAPDB). */
static long long db_dirty;

long long db_changes(void)
{
    return db_dirty;
}

static db_stats db_counters;
static bool db_counting = true;

void db_count_lookups(bool on)
{
    db_counting = on;
}

db_stats db_get_stats(void)
{
    return db_counters;
}

void db_reset_stats(void)
{
    db_counters = (db_stats){0, 0, 0};
}

void db_changed(db *d)
{
    (void)d;
    db_dirty++;
}

static db_touch_fn *db_touch_hook;
static db_touch_all_fn *db_touch_all_hook;

static db_added_fn *db_added_hook;

void db_set_added_hook(db_added_fn *fn)
{
    db_added_hook = fn;
}

/* Part II, keyspace notifications. */
static db_added_fn *db_created_hook;
static db_added_fn *db_missed_hook;

void db_set_notify_hooks(db_added_fn *created, db_added_fn *missed)
{
    db_created_hook = created;
    db_missed_hook = missed;
}

void db_set_touch_hooks(db_touch_fn *key, db_touch_all_fn *all)
{
    db_touch_hook = key;
    db_touch_all_hook = all;
}

static void db_touch(db *d, const char *key, size_t len)
{
    if (db_touch_hook != NULL)
        db_touch_hook(d, key, len);
}

void db_key_changed(db *d, const char *key, size_t len)
{
    db_dirty++;
    db_touch(d, key, len);
}

db *db_create(void)
{
    db *d = mem_calloc(1, sizeof(*d));
    d->keys = dict_create();
    d->expires = dict_create();
    return d;
}

static void db_free_value(void *value)
{
    db_value_free(value);
}

void db_destroy(db *d)
{
    if (d == NULL)
        return;
    dict_destroy(d->keys, db_free_value);
    dict_destroy(d->expires, NULL);
    mem_free(d);
}

db_value *db_get(db *d, const char *key, size_t len)
{
    dict_entry *e = db_find(d, key, len);
    return e ? e->value : NULL;
}

/* OBJECT, TYPE, EXISTS and the TTL commands look without it counting as a
 * use (Part II), as Redis's LOOKUP_NOTOUCH: the access time is left as it
 * was; hits, misses and expiry as db_find. */
dict_entry *db_find_notouch(db *d, const char *key, size_t len)
{
    return db_lookup(d, key, len, DB_LOOKUP_NOTOUCH);
}

/* What eviction reads (Part II): the time of this use, or one more to
 * the LFU counter. */
static void db_value_used(db_value *v)
{
    v->access = access_used(v->access);
}

/* Every lookup comes here: a key past its time is deleted first (lazy
 * expiry); a read counts a hit or a miss for INFO, and a miss is also a
 * keyspace event, as in Redis's lookupKey (Part II: the flags). */
dict_entry *db_lookup(db *d, const char *key, size_t len, int flags)
{
    dict_entry *e = dict_find(d->keys, key, len);
    if (e != NULL && dict_size(d->expires) > 0 && !d->loading && db_expire_if_due(d, e, db_now_ms()))
        e = NULL;
    if (e != NULL && !(flags & DB_LOOKUP_NOTOUCH))
        db_value_used(e->value);
    if (!db_counting)
        return e;
    if (!(flags & DB_LOOKUP_NOSTATS)) {
        if (e != NULL)
            db_counters.hits++;
        else
            db_counters.misses++;
    }
    if (e == NULL && !(flags & DB_LOOKUP_NONOTIFY) && db_missed_hook != NULL)
        db_missed_hook(d, key, len);
    return e;
}

/* The entry holding a key, or NULL when the key is missing or has just
 * expired. A command that rewrites a value (INCR) stores the new one with
 * db_overwrite, and one that grows it in place (APPEND) stores it in
 * e->value and calls db_key_changed: either way the key and its TTL stay
 * where they are, at no second lookup. */
dict_entry *db_find(db *d, const char *key, size_t len)
{
    return db_lookup(d, key, len, 0);
}

/* Part II, keyspace notifications: a key db_set finds past its time
 * (`when`) was dead: it expires here, as Redis's setKey expires it with
 * its lookup (MSET, RENAME's destination ...), and the value set makes a
 * new key. */
static bool db_was_dead(db *d, const dict_entry *e, long long when)
{
    if (d->loading || db_now_ms() <= when)
        return false;
    db_counters.expired++;
    if (d->on_expired != NULL)
        d->on_expired(d->id, e->key, e->keylen);
    return true;
}

dict_entry *db_set(db *d, const char *key, size_t len, db_value *value)
{
    bool created, had_ttl;
    dict_entry *e = dict_add_or_find(d->keys, key, len, &created);
    if (!created) {
        long long when = db_get_expire(d, e);
        if (when != DB_NO_EXPIRE) {
            created = db_was_dead(d, e, when);
            dict_delete(d->expires, key, len, &had_ttl);
        }
        db_value_free(e->value);
    }
    e->value = value;
    value->access = access_new();
    if (created && db_created_hook != NULL)
        db_created_hook(d, e->key, e->keylen);
    db_key_changed(d, e->key, e->keylen);
    if (db_added_hook != NULL)
        db_added_hook(d, e->key, e->keylen);
    return e;
}

void db_overwrite(db *d, dict_entry *e, db_value *value)
{
    db_value_free(e->value);
    e->value = value;
    value->access = access_new();
    db_key_changed(d, e->key, e->keylen);
    if (db_added_hook != NULL)
        db_added_hook(d, e->key, e->keylen);
}

/* Take the key out of both tables, then free both entries: `key` may be
 * the bytes of one of them (the expiry paths pass those). Returns false
 * when the key is missing. A key past its time (or known_dead, when the
 * caller checked) was already dead: *expired says so, and on_expired hears of it while `key` is still
 * valid. */
static bool db_remove(db *d, const char *key, size_t len, bool known_dead, bool *expired)
{
    uint64_t hashed = dict_hash(key, len);
    dict_entry *e = dict_unlink_hashed(d->keys, key, len, hashed);
    if (e == NULL)
        return false;
    dict_entry *x = dict_size(d->expires) > 0 ? dict_unlink_hashed(d->expires, key, len, hashed) : NULL;
    *expired = known_dead || (x != NULL && db_now_ms() > x->integer);
    db_counters.expired += *expired;
    if (*expired && d->on_expired != NULL)
        d->on_expired(d->id, key, len);
    db_touch(d, key, len);
    db_value_free(e->value);
    dict_free_unlinked(e);
    if (x != NULL)
        dict_free_unlinked(x);
    return true;
}

/* True if a live key was deleted: deleting a key past its time counts as
 * expiring it, as any other lookup of it would. */
bool db_delete(db *d, const char *key, size_t len)
{
    bool expired;
    if (!db_remove(d, key, len, false, &expired) || expired)
        return false;
    db_dirty++;
    return true;
}

/* Part II, keys: the value moves, never copied, so RENAME of a list of a
 * million elements costs what RENAME of a string does. The change is
 * announced while `key` is valid: it may be the bytes of the entry freed
 * here. */
db_value *db_take(db *d, const char *key, size_t len, long long *expire)
{
    uint64_t hashed = dict_hash(key, len);
    dict_entry *e = dict_unlink_hashed(d->keys, key, len, hashed);
    if (e == NULL)
        return NULL;
    dict_entry *x = dict_size(d->expires) > 0 ? dict_unlink_hashed(d->expires, key, len, hashed) : NULL;
    *expire = x != NULL ? x->integer : DB_NO_EXPIRE;
    db_value *v = e->value;
    db_key_changed(d, key, len);
    dict_free_unlinked(e);
    if (x != NULL)
        dict_free_unlinked(x);
    return v;
}

size_t db_size(const db *d)
{
    return dict_size(d->keys);
}

void db_flush(db *d)
{
    if (db_touch_all_hook != NULL)
        db_touch_all_hook(d, NULL);
    dict_clear(d->keys, db_free_value);
    dict_clear(d->expires, NULL);
    d->expire_cursor = 0;
    db_dirty++;
}

void db_swap(db *a, db *b)
{
    if (db_touch_all_hook != NULL) {
        db_touch_all_hook(a, b);
        db_touch_all_hook(b, a);
    }
    dict *keys = a->keys, *expires = a->expires;
    size_t cursor = a->expire_cursor;
    a->keys = b->keys;
    a->expires = b->expires;
    a->expire_cursor = b->expire_cursor;
    b->keys = keys;
    b->expires = expires;
    b->expire_cursor = cursor;
    db_dirty++;
}

void db_maybe_shrink(db *d)
{
    dict_maybe_shrink(d->keys);
    dict_maybe_shrink(d->expires);
}

bool db_is_rehashing(const db *d)
{
    return dict_is_rehashing(d->keys) || dict_is_rehashing(d->expires);
}

void db_rehash_steps(db *d, int steps)
{
    dict_rehash_steps(d->keys, steps);
    dict_rehash_steps(d->expires, steps);
}

/* ---------------- Expiry ---------------- */

/* Wall-clock time, not monotonic: TTLs are stored as absolute Unix times
 * (EXPIREAT takes one), which is also what lets stage 5 write them to a
 * file and a restarted server read them back. */
long long db_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_set_expire(db *d, const dict_entry *e, long long when)
{
    bool created;
    dict_entry *x = dict_add_or_find(d->expires, e->key, e->keylen, &created);
    x->integer = when;
    db_key_changed(d, e->key, e->keylen);
}

long long db_get_expire(db *d, const dict_entry *e)
{
    if (dict_size(d->expires) == 0)
        return DB_NO_EXPIRE;
    dict_entry *x = dict_find(d->expires, e->key, e->keylen);
    return x ? x->integer : DB_NO_EXPIRE;
}

bool db_persist(db *d, const dict_entry *e)
{
    bool had_ttl;
    dict_delete(d->expires, e->key, e->keylen, &had_ttl);
    if (had_ttl)
        db_key_changed(d, e->key, e->keylen);
    return had_ttl;
}

/* A key is dead once its time is past, as in Redis: at exactly `when` it
 * still lives. */
bool db_expire_if_due(db *d, const dict_entry *e, long long now)
{
    if (!db_is_expired(d, e, now))
        return false;
    db_delete_expired(d, e->key, e->keylen);
    return true;
}

/* The caller knows the key is past its time (the active cycle, a
 * lookup); db_remove tells on_expired. */
void db_delete_expired(db *d, const char *key, size_t len)
{
    bool expired;
    db_remove(d, key, len, true, &expired);
}

bool db_is_expired(db *d, const dict_entry *e, long long now)
{
    long long when = db_get_expire(d, e);
    return when != DB_NO_EXPIRE && now > when;
}

size_t db_expires_size(const db *d)
{
    return dict_size(d->expires);
}

/* ---------------- String values ---------------- */

db_value *db_string_new(const char *bytes, size_t len)
{
    db_string *s = mem_alloc(sizeof(*s) + len);
    s->head.type = DB_TYPE_STRING;
    s->len = (uint32_t)len;
    s->cap = (uint32_t)len;
    s->raw = 0;
    memcpy(s->str, bytes, len);
    return &s->head;
}

/* Grow like Redis's sds: double while small, then 1 MB at a time, so a
 * loop of APPENDs costs amortised O(1) per byte without wasting more than
 * a megabyte on a big string. */
db_value *db_string_append(db_value *v, const char *bytes, size_t len)
{
    db_string *s = db_string_of(v);
    size_t need = (size_t)s->len + len;
    if (need > s->cap) {
        size_t cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
        s = mem_realloc(s, sizeof(*s) + cap);
        s->cap = (uint32_t)cap;
    }
    memcpy(s->str + s->len, bytes, len);
    s->len = (uint32_t)need;
    s->raw = 1;
    return &s->head;
}

/* Part II, strings: SETRANGE and SETBIT address bytes past the end, and
 * the gap reads as zero bytes, as in Redis's sdsgrowzero. A string that
 * already holds bytes grows the way db_string_append grows it; an empty
 * one (a key SETBIT is creating) gets exactly len bytes, as Redis's
 * sdsnewlen gives it: a 1 MB bitmap costs 1 MB, not 2. A string already
 * `len` long is left alone. */
db_value *db_string_grow_zero(db_value *v, size_t len)
{
    db_string *s = db_string_of(v);
    s->raw = 1;             /* the caller writes into it */
    if (len <= s->len)
        return v;
    if (len > s->cap) {
        size_t cap = s->len == 0 ? len : len < 1024 * 1024 ? len * 2 : len + 1024 * 1024;
        s = mem_realloc(s, sizeof(*s) + cap);
        s->cap = (uint32_t)cap;
    }
    memset(s->str + s->len, 0, len - s->len);
    s->len = (uint32_t)len;
    return &s->head;
}

/* ---------------- List values ---------------- */

db_value *db_list_new(void)
{
    db_list *l = mem_alloc(sizeof(*l));
    l->head.type = DB_TYPE_LIST;
    list_init(&l->items);
    return &l->head;
}

/* Part II, hashes */
db_value *db_hash_new(void)
{
    db_hash *h = mem_alloc(sizeof(*h));
    h->head.type = DB_TYPE_HASH;
    hash_init(&h->fields);
    return &h->head;
}

/* Part II, sets */
db_value *db_setval_new(void)
{
    db_setval *s = mem_alloc(sizeof(*s));
    s->head.type = DB_TYPE_SET;
    set_init(&s->members);
    return &s->head;
}

/* Part II, sorted sets */
db_value *db_zset_new(void)
{
    db_zset *z = mem_alloc(sizeof(*z));
    z->head.type = DB_TYPE_ZSET;
    zset_init(&z->members);
    return &z->head;
}

void db_value_free(db_value *v)
{
    switch ((enum db_type)v->type) {
    case DB_TYPE_STRING:
        break;
    case DB_TYPE_LIST:
        list_clear(db_list_of(v));
        break;
    case DB_TYPE_SET:
        set_clear(db_setval_of(v));
        break;
    case DB_TYPE_HASH:
        hash_clear(db_hash_of(v));
        break;
    case DB_TYPE_ZSET:
        zset_clear(db_zset_of(v));
        break;
    }
    mem_free(v);
}

/* ---------------- What every type answers ---------------- */

const char *db_type_name(const db_value *v)
{
    switch ((enum db_type)v->type) {
    case DB_TYPE_STRING:
        return "string";
    case DB_TYPE_LIST:
        return "list";
    case DB_TYPE_HASH:
        return "hash";
    case DB_TYPE_SET:
        return "set";
    case DB_TYPE_ZSET:
        return "zset";
    }
    return "none";
}

/* Redis keeps a number that fits a long as "int", a string of up to 44
 * bytes in the same allocation as its header ("embstr"), a longer one
 * apart ("raw"). This server stores every string one way, but answers as
 * Redis would, since clients and tests read the name. */
static const char *db_string_encoding(const db_string *s)
{
    long long n;
    if (s->raw)
        return "raw";
    if (s->len <= 20 && num_parse_ll(s->str, s->len, &n))
        return "int";
    return s->len <= 44 ? "embstr" : "raw";
}

const char *db_value_encoding(const db_value *v)
{
    switch ((enum db_type)v->type) {
    case DB_TYPE_STRING:
        return db_string_encoding((const db_string *)v);
    case DB_TYPE_LIST:
        return "quicklist";     /* Redis 7.0 has no other list encoding */
    case DB_TYPE_SET:
        return set_encoding_name(db_setval_of((db_value *)v));
    case DB_TYPE_HASH:
        return hash_is_packed(db_hash_of((db_value *)v)) ? "listpack" : "hashtable";
    case DB_TYPE_ZSET:
        return zset_encoding_name(db_zset_of((db_value *)v));
    }
    return "unknown";
}

static db_value *db_list_copy(const db_value *v)
{
    db_value *copy = db_list_new();
    list_iter it;
    list_entry item;
    list_iter_start(&it, db_list_of((db_value *)v), 0, true);
    while (list_iter_next(&it, &item))
        list_push(db_list_of(copy), LIST_TAIL, item.bytes, item.len);
    return copy;
}

db_value *db_value_copy(const db_value *v)
{
    switch ((enum db_type)v->type) {
    case DB_TYPE_STRING: {
        const db_string *s = (const db_string *)v;
        db_value *copy = db_string_new(s->str, s->len);
        db_string_of(copy)->raw = s->raw;
        return copy;
    }
    case DB_TYPE_LIST:
        return db_list_copy(v);
    case DB_TYPE_SET: {
        db_value *copy = db_setval_new();
        set_copy(db_setval_of(copy), db_setval_of((db_value *)v));
        return copy;
    }
    case DB_TYPE_HASH: {
        db_value *copy = db_hash_new();
        hash_copy(db_hash_of(copy), db_hash_of((db_value *)v));
        return copy;
    }
    case DB_TYPE_ZSET: {
        db_value *copy = db_zset_new();
        zset_copy(db_zset_of(copy), db_zset_of((db_value *)v));
        return copy;
    }
    }
    return NULL;
}
