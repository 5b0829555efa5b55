/* dict: the hash table behind the keyspace (stage 2).
 *
 * Keys are binary strings stored inside the entry (one allocation per key);
 * values are opaque pointers the caller owns. Collisions chain. When the
 * table fills up it grows by doubling, but never in one go: a second table
 * is allocated and every later operation moves one bucket across
 * ("incremental rehashing"), so a table of ten million keys grows without
 * a pause a client could notice.
 *
 *     dict *d = dict_create();
 *     dict_entry *e = dict_add_or_find(d, "k", 1, &created);
 *     e->value = my_value;
 *     e = dict_find(d, "k", 1);
 *     void *old = dict_delete(d, "k", 1, &found);   // the value, for the caller to free
 *     dict_destroy(d, free_fn);
 */
#ifndef DICT_H
#define DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dict_entry {
    struct dict_entry *next;    /* next entry in the same bucket */
    union {
        void *value;            /* owned by the caller */
        long long integer;      /* or a number, for tables of numbers (expiry times) */
    };
    uint32_t keylen;            /* keys are at most 512 MB, like Redis's */
    char key[];                 /* the key's bytes, not NUL-terminated */
} dict_entry;

typedef struct dict_table {
    dict_entry **buckets;
    size_t size;                /* number of buckets: 0 or a power of two */
    size_t used;                /* entries in this table */
} dict_table;

typedef struct dict {
    dict_table tables[2];       /* [1] is the table being grown into */
    long rehash_index;          /* next bucket of [0] to move, -1 when idle */
    int safe_iterators;         /* running iterators that forbid rehash steps */
} dict;

typedef struct dict_iter {
    dict *d;
    int table;
    size_t bucket;
    dict_entry *next;           /* read ahead, so the current one may be deleted */
} dict_iter;

typedef void dict_free_fn(void *value);
typedef void dict_scan_fn(void *data, dict_entry *e);

void dict_seed(const uint8_t key[16]);      /* once at start: the hash's secret */
uint64_t dict_hash(const char *key, size_t len);

dict *dict_create(void);
void dict_destroy(dict *d, dict_free_fn *free_value);
void dict_clear(dict *d, dict_free_fn *free_value);
size_t dict_size(const dict *d);

dict_entry *dict_find(dict *d, const char *key, size_t len);
dict_entry *dict_add_or_find(dict *d, const char *key, size_t len, bool *created);
void *dict_delete(dict *d, const char *key, size_t len, bool *found);
dict_entry *dict_unlink(dict *d, const char *key, size_t len);     /* NULL if missing */
dict_entry *dict_unlink_hashed(dict *d, const char *key, size_t len, uint64_t hash);
void dict_free_unlinked(dict_entry *e);

bool dict_is_rehashing(const dict *d);
void dict_maybe_shrink(dict *d);            /* start shrinking if under 25% full */
bool dict_rehash_steps(dict *d, int steps);   /* false once nothing is left to move; no-op while iterating */

/* Iteration visits every entry once. While an iterator is open the table
 * does no rehash steps, so deleting the entry just returned is safe. */
void dict_iter_start(dict_iter *it, dict *d);
dict_entry *dict_iter_next(dict_iter *it);
void dict_iter_end(dict_iter *it);

/* Visit the entries of one bucket and return the cursor of the next; 0
 * when the walk is complete. Start with cursor 0. A walk that spans many
 * calls visits every entry present from its start to its end at least
 * once, even if the table grows or shrinks in between (entries may be
 * visited twice). fn may delete the entry it is given. */
size_t dict_scan(dict *d, size_t cursor, dict_scan_fn *fn, void *data);

/* Part II, keys: random entries.
 *
 * dict_random_entry gives one entry, every entry with (almost exactly)
 * the same chance, in O(1) expected time: RANDOMKEY. NULL when empty.
 * dict_sample gives up to n distinct entries from one random place in the
 * table, cheaply but not uniformly: enough for eviction, which only needs
 * a few candidates (Redis's dictGetSomeKeys). Neither moves entries, so
 * the pointers stay valid until the next change to the table.
 *
 *     dict_entry *e = dict_random_entry(d);
 *     dict_entry *some[5];
 *     size_t got = dict_sample(d, some, 5);
 */
dict_entry *dict_random_entry(dict *d);
size_t dict_sample(dict *d, dict_entry **out, size_t n);

#endif
