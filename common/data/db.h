/* db: the keyspace, keys to values and their expiry times (stage 2; expiry
 * in stage 3, lists in stage 4).
 *
 * A value is a small tagged object: every kind of value begins with the
 * same header, db_value, whose `type` says which struct it really is (the
 * way CPython's objects all begin with PyObject_HEAD). A pointer to a
 * db_string can be used as a pointer to its header and, once the type is
 * checked, converted back.
 *
 * Keys live inside the dict's entries; a value is its own allocation, so
 * replacing a value never moves its key. Keys with a time to live are also
 * in a second table, `expires`, mapping the key to the Unix time in
 * milliseconds at which it dies, as in Redis. Every lookup checks that
 * table first (when it is not empty), so an expired key is never seen.
 *
 *     db *keys = db_create();
 *     db_set(keys, "k", 1, db_string_new("v", 1));
 *     db_value *v = db_get(keys, "k", 1);      // NULL when missing or expired
 *     db_delete(keys, "k", 1);
 */
#ifndef DB_H
#define DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/dict.h"
#include "data/hash.h"      /* Part II: hashes */
#include "data/list.h"
#include "data/set.h"      /* Part II: sets */
#include "data/zset.h"     /* Part II: sorted sets */

enum db_type {
    DB_TYPE_STRING,
    DB_TYPE_LIST,           /* stage 4 */
    DB_TYPE_HASH,           /* Part II: hashes */
    DB_TYPE_SET,            /* Part II: sets */
    DB_TYPE_ZSET,           /* Part II: sorted sets */
};

/* The header every value begins with: 4 bytes, as Redis's. */
typedef struct db_value {
    uint32_t type : 8;      /* enum db_type */
    uint32_t access : 24;   /* LRU time or LFU counter (Part II, data/access.h) */
} db_value;

typedef struct db_string {
    db_value head;
    uint32_t len;           /* bytes in str */
    uint32_t cap : 31;      /* bytes allocated for str (APPEND grows in place) */
    /* Changed in place (APPEND, SETRANGE, SETBIT) or built by BITOP: what
     * Redis keeps in its "raw" encoding, which OBJECT ENCODING reports
     * (Part II). Strings are at most 512 MB, so cap needs 31 bits. */
    uint32_t raw : 1;
    char str[];             /* the bytes, not NUL-terminated */
} db_string;

typedef struct db_list {
    db_value head;
    list items;
} db_list;

/* Called for each key that expires, as it is deleted: the key's bytes are
 * valid during the call (stage 5 logs a DEL for it, so a replay of the
 * log deletes it too). */
typedef void db_expired_fn(int db_id, const char *key, size_t len);

typedef struct db {
    int id;                 /* its number, for SELECT (stage 6) */
    dict *keys;             /* key -> db_value* */
    dict *expires;          /* key -> Unix time in ms (entry->integer) */
    size_t expire_cursor;   /* where the active expiry cycle goes on */
    db_expired_fn *on_expired;
    bool loading;           /* replaying the AOF: nothing expires (stage 5) */
} db;

#define DB_NO_EXPIRE -1     /* db_get_expire of a key that lives forever */

db *db_create(void);                        /* database 0; set id for others */
void db_destroy(db *d);

db_value *db_get(db *d, const char *key, size_t len);
dict_entry *db_find(db *d, const char *key, size_t len);   /* to replace e->value in place */
dict_entry *db_find_notouch(db *d, const char *key, size_t len);   /* not a use: OBJECT, TYPE, EXISTS, TTL (Part II) */
dict_entry *db_set(db *d, const char *key, size_t len, db_value *value);   /* takes value; drops any TTL */
void db_overwrite(db *d, dict_entry *e, db_value *value);    /* takes value; keeps the TTL */
/* Changes so far, in all databases: stage 5 logs a command that made any.
 * The db functions count their own; a command that changed a value in
 * place (APPEND, LPUSH ...) says so with db_key_changed(). */
long long db_changes(void);
/* INFO's keyspace_hits, keyspace_misses and expired_keys, over all databases. */
typedef struct db_stats {
    long long hits, misses, expired;
} db_stats;
db_stats db_get_stats(void);
void db_reset_stats(void);
/* Redis counts the lookups of reads only: a SET that finds no key is no
 * miss. The dispatcher turns counting off while a write command runs. */
void db_count_lookups(bool on);
void db_changed(db *d);
/* A command that changed the value of a key in place (APPEND, LPUSH,
 * HSET ...) calls this: it counts the change and tells the touch hook. */
void db_key_changed(db *d, const char *key, size_t len);

/* Part II, transactions: told of every change to a key, whatever made it
 * (a command, expiry, eviction), so that WATCH can tell that a key it
 * watches was touched. db_set, db_overwrite, db_delete, the expiry paths,
 * db_set_expire, db_persist and db_key_changed call `key`; db_flush and
 * db_swap call `all` before they empty or trade a database's contents
 * (with other NULL for a flush; twice for a swap, once from each side). */
typedef void db_touch_fn(db *d, const char *key, size_t len);
typedef void db_touch_all_fn(db *d, db *other);
void db_set_touch_hooks(db_touch_fn *key, db_touch_all_fn *all);
/* Part II, blocking commands: told of every value put at a key (db_set,
 * db_overwrite), so that clients waiting for that key can be served. */
typedef void db_added_fn(db *d, const char *key, size_t len);
void db_set_added_hook(db_added_fn *fn);
/* Part II, keyspace notifications: told of every key a database gains
 * (db_set of a key that was missing or dead: Redis's "new" event), and of
 * every read that finds no key (a counted miss: Redis's "keymiss"). */
void db_set_notify_hooks(db_added_fn *created, db_added_fn *missed);
/* Part II, keyspace notifications: a lookup with Redis's flags, for the
 * few that differ. db_find is db_lookup(d, key, len, 0), db_find_notouch
 * the same with DB_LOOKUP_NOTOUCH. */
#define DB_LOOKUP_NOTOUCH 1     /* not a use: the access clock stays */
#define DB_LOOKUP_NONOTIFY 2    /* a miss is no "keymiss" (OBJECT) */
#define DB_LOOKUP_NOSTATS 4     /* neither a hit nor a miss in INFO (with NONOTIFY: a waiter's check) */
dict_entry *db_lookup(db *d, const char *key, size_t len, int flags);
bool db_delete(db *d, const char *key, size_t len);     /* false if missing or expired */
/* Part II, keys: take a live key out of d without freeing its value, for
 * RENAME and MOVE to put it back under another name or in another
 * database: the value and, in *expire, its time (DB_NO_EXPIRE if none).
 * Counts as a change to the key. Look it up first (db_find): this does
 * not check whether it has expired. NULL when missing. */
db_value *db_take(db *d, const char *key, size_t len, long long *expire);
size_t db_size(const db *d);
void db_flush(db *d);
void db_swap(db *a, db *b);                     /* SWAPDB: the contents trade places */
void db_maybe_shrink(db *d);                 /* tables under 10% full start shrinking */
bool db_is_rehashing(const db *d);
void db_rehash_steps(db *d, int steps);

/* Expiry (stage 3). Times are absolute Unix times in milliseconds. */
long long db_now_ms(void);
void db_set_expire(db *d, const dict_entry *e, long long when);
long long db_get_expire(db *d, const dict_entry *e);       /* or DB_NO_EXPIRE */
bool db_persist(db *d, const dict_entry *e);                /* false if it had no TTL */
bool db_is_expired(db *d, const dict_entry *e, long long now);     /* KEYS skips these */
bool db_expire_if_due(db *d, const dict_entry *e, long long now);   /* true if it was deleted */
void db_delete_expired(db *d, const char *key, size_t len);     /* a key whose time is past */
size_t db_expires_size(const db *d);

/* Strings: values up to 512 MB, like Redis's proto-max-bulk-len. */
db_value *db_string_new(const char *bytes, size_t len);
db_value *db_string_append(db_value *v, const char *bytes, size_t len);   /* may move v */
db_value *db_string_grow_zero(db_value *v, size_t len);    /* zero bytes up to len; may move v (Part II, strings) */
static inline db_string *db_string_of(db_value *v) { return (db_string *)v; }   /* check the type first */

/* Lists (stage 4): a new value holds an empty list; commands push into it
 * and delete the key when it is empty again. */
db_value *db_list_new(void);
static inline list *db_list_of(db_value *v) { return &((db_list *)v)->items; }

/* Part II, hashes: a new value holds an empty hash (data/hash.h). */
typedef struct db_hash {
    db_value head;
    hash_map fields;
} db_hash;
db_value *db_hash_new(void);
static inline hash_map *db_hash_of(db_value *v) { return &((db_hash *)v)->fields; }

/* Part II, sets: a new value holds an empty set (an intset); SADD adds to
 * it, and a command that empties it deletes the key. */
typedef struct db_setval {
    db_value head;
    set_value members;
} db_setval;
db_value *db_setval_new(void);
static inline set_value *db_setval_of(db_value *v) { return &((db_setval *)v)->members; }

/* Part II, sorted sets: a new value holds an empty sorted set (packed);
 * ZADD adds to it, and a command that empties it deletes the key. */
typedef struct db_zset {
    db_value head;
    zset_value members;
} db_zset;
db_value *db_zset_new(void);
static inline zset_value *db_zset_of(db_value *v) { return &((db_zset *)v)->members; }

void db_value_free(db_value *v);

/* What every type answers, by a switch on v->type: TYPE's name ("string",
 * "list" ...), OBJECT ENCODING's ("embstr", "quicklist", "listpack" ...),
 * and a deep copy for COPY. */
const char *db_type_name(const db_value *v);
const char *db_value_encoding(const db_value *v);
db_value *db_value_copy(const db_value *v);

#endif
