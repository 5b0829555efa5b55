/* hash: the hash type, a map of fields to values under one key (Part II,
 * hashes).
 *
 * Most hashes are small (a user's name, email and age), and a hash table
 * costs a bucket, an entry and a value allocation per field: some 60
 * bytes of overhead to store "age" -> "42". So a small hash is kept
 * packed instead, as Redis keeps it in a listpack: one allocation holding
 * every field and value one after the other,
 *
 *     [len]field[len]value[len]field[len]value ...
 *
 * where each len is a varint (one byte up to 127), and a lookup walks it
 * from the start. That is O(n), but n is small and the walk stays in one
 * or two cache lines, so it is as fast as hashing in practice. Once the
 * hash holds more than `max_entries` pairs, or a field or value longer
 * than `max_value` bytes, it is converted, once and for all, to a dict
 * (data/dict.h) of field -> value, each value one allocation (none for a
 * value of up to 7 bytes, kept in the entry's pointer). The two
 * limits are the caller's (hash-max-listpack-entries and -value, 128 and
 * 64 in Redis): this module knows nothing of the configuration.
 *
 *     hash_map h;
 *     hash_limits lim = {128, 64};
 *     hash_init(&h);
 *     hash_set(&h, "name", 4, "ada", 3, &lim);     // true: a new field
 *     hash_str v;
 *     if (hash_get(&h, "name", 4, &v)) ...        // v.bytes, v.len
 *     hash_delete(&h, "name", 4);
 *     hash_clear(&h);
 */
#ifndef HASH_H
#define HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/dict.h"

typedef struct hash_limits {
    size_t max_entries;         /* pairs a packed hash may hold (hash-max-listpack-entries) */
    size_t max_value;           /* the longest field or value it may hold (hash-max-listpack-value) */
} hash_limits;

/* 16 bytes: the encoding and the packed sizes share one word, so the
 * value header that holds a hash (db_hash, data/db.h) stays at the
 * allocator's smallest size. */
typedef struct hash_map {
    uint32_t is_table : 1;      /* 0: packed bytes; 1: a dict, for good */
    uint32_t count : 31;        /* pairs, while packed */
    uint32_t bytes;             /* bytes of packed in use, while packed */
    union {
        unsigned char *packed;  /* the pairs; NULL when empty */
        dict *table;            /* field -> value, once converted */
    };
} hash_map;

/* A field or a value as stored: valid until the hash is next changed. */
typedef struct hash_str {
    const char *bytes;
    size_t len;
} hash_str;

typedef struct hash_pair {
    hash_str field, value;
} hash_pair;

typedef struct hash_iter {
    hash_map *h;
    uint32_t offset;            /* packed: where the next pair starts */
    dict_iter table;            /* table: the dict's own iterator */
} hash_iter;

void hash_init(hash_map *h);
void hash_clear(hash_map *h);               /* frees everything; h is empty and packed after */
size_t hash_length(const hash_map *h);
static inline bool hash_is_packed(const hash_map *h) { return !h->is_table; }
void hash_copy(hash_map *to, hash_map *from);   /* to: uninitialised; same encoding as from */

bool hash_get(hash_map *h, const char *field, size_t flen, hash_str *value);    /* false if missing */
/* Sets field to value; true if the field is new. Converts to a table
 * when lim says the packed form is too small. Neither field nor value
 * may point into h itself. */
bool hash_set(hash_map *h, const char *field, size_t flen, const char *value, size_t vlen,
              const hash_limits *lim);
bool hash_delete(hash_map *h, const char *field, size_t flen);      /* false if missing */

/* Every pair once, in the packed order or the table's. Nothing may change
 * h before hash_iter_end.
 *
 *     hash_iter it;
 *     hash_pair p;
 *     hash_iter_start(&it, h);
 *     while (hash_iter_next(&it, &p))
 *         ... p.field.bytes, p.value.len ...
 *     hash_iter_end(&it);
 */
void hash_iter_start(hash_iter *it, hash_map *h);
bool hash_iter_next(hash_iter *it, hash_pair *out);
void hash_iter_end(hash_iter *it);

/* HSCAN: a packed hash gives all its pairs at once and returns 0; a table
 * gives one bucket's and returns the next cursor (dict_scan's rules). */
typedef void hash_scan_fn(void *data, const hash_pair *p);
size_t hash_scan(hash_map *h, size_t cursor, hash_scan_fn *fn, void *data);

/* HRANDFIELD. Every pair has the same chance. The pairs point into h.
 * hash_random_pair: one pair (h not empty). hash_random_pairs: n pairs,
 * drawn independently (repeats allowed). hash_random_distinct: n distinct
 * pairs, n < hash_length(h), in random order. */
void hash_random_pair(hash_map *h, hash_pair *out);
void hash_random_pairs(hash_map *h, size_t n, hash_pair *out);
void hash_random_distinct(hash_map *h, size_t n, hash_pair *out);

/* For the unit tests: walks the packed bytes and says whether the count,
 * the lengths and the byte total agree. */
bool hash_check(const hash_map *h);

#endif
