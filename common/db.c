/* db: the keyspace (stage 2). A thin layer over dict that owns the values.
 *
 * Keeping the keyspace behind its own small API, rather than letting
 * commands touch the dict, is what lets stage 3 add expiry and stage 6 add
 * shards without rewriting a single command. */
#include "db.h"

#include <string.h>

#include "mem.h"

db *db_create(void)
{
    db *d = mem_alloc(sizeof(*d));
    d->keys = dict_create();
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
    mem_free(d);
}

db_value *db_get(db *d, const char *key, size_t len)
{
    dict_entry *e = db_find(d, key, len);
    return e ? e->value : NULL;
}

/* The entry holding a key, or NULL when the key is missing. Commands that
 * grow a value (APPEND) or rewrite it (INCR) store the new value pointer in
 * e->value, which keeps the key where it is and costs no second lookup. */
dict_entry *db_find(db *d, const char *key, size_t len)
{
    return dict_find(d->keys, key, len);
}

void db_set(db *d, const char *key, size_t len, db_value *value)
{
    bool created;
    dict_entry *e = dict_add_or_find(d->keys, key, len, &created);
    if (!created)
        db_value_free(e->value);
    e->value = value;
}

bool db_delete(db *d, const char *key, size_t len)
{
    bool found;
    db_value *v = dict_delete(d->keys, key, len, &found);
    if (found)
        db_value_free(v);
    return found;
}

size_t db_size(const db *d)
{
    return dict_size(d->keys);
}

void db_flush(db *d)
{
    dict_clear(d->keys, db_free_value);
}

void db_rehash_steps(db *d, int steps)
{
    dict_rehash_steps(d->keys, steps);
}

/* ---------------- String values ---------------- */

db_value *db_string_new(const char *bytes, size_t len)
{
    db_value *v = mem_alloc(sizeof(*v) + len);
    v->type = DB_TYPE_STRING;
    v->len = v->cap = (uint32_t)len;
    memcpy(v->str, bytes, len);
    return v;
}

/* Grow like Redis's sds: double while small, then 1 MB at a time, so a
 * loop of APPENDs costs amortised O(1) per byte without wasting more than
 * a megabyte on a big string. */
db_value *db_string_append(db_value *v, const char *bytes, size_t len)
{
    size_t need = (size_t)v->len + len;
    if (need > v->cap) {
        size_t cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
        v = mem_realloc(v, sizeof(*v) + cap);
        v->cap = (uint32_t)cap;
    }
    memcpy(v->str + v->len, bytes, len);
    v->len = (uint32_t)need;
    return v;
}

void db_value_free(db_value *v)
{
    mem_free(v);
}
