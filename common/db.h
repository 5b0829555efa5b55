/* db: the keyspace, the map from keys to values (stage 2).
 *
 * A value is a small tagged object. Stage 2 has only strings; stage 4 adds
 * lists and makes every command check the tag (WRONGTYPE). Keys live inside
 * the dict's entries; a value is its own allocation, so replacing a value
 * never moves its key.
 *
 *     db *keys = db_create();
 *     db_set(keys, "k", 1, db_string_new("v", 1));
 *     db_value *v = db_get(keys, "k", 1);      // NULL when missing
 *     db_delete(keys, "k", 1);
 */
#ifndef DB_H
#define DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dict.h"

enum db_type {
    DB_TYPE_STRING,
};

typedef struct db_value {
    uint8_t type;           /* enum db_type */
    uint32_t len;           /* string: bytes in str */
    uint32_t cap;           /* string: bytes allocated for str (APPEND grows in place) */
    char str[];             /* string: the bytes, not NUL-terminated */
} db_value;

typedef struct db {
    dict *keys;             /* key -> db_value* */
} db;

db *db_create(void);
void db_destroy(db *d);

db_value *db_get(db *d, const char *key, size_t len);
dict_entry *db_find(db *d, const char *key, size_t len);   /* to replace e->value in place */
void db_set(db *d, const char *key, size_t len, db_value *value);   /* takes value */
bool db_delete(db *d, const char *key, size_t len);
size_t db_size(const db *d);
void db_flush(db *d);
void db_rehash_steps(db *d, int steps);

/* Strings: values up to 512 MB, like Redis's proto-max-bulk-len. */
db_value *db_string_new(const char *bytes, size_t len);
db_value *db_string_append(db_value *v, const char *bytes, size_t len);   /* may move v */
void db_value_free(db_value *v);

#endif
