/* set: the set value, an intset while it can be, a hash table after
 * (Part II, sets).
 *
 * A set is unordered and holds each member once. Most sets in practice
 * are small, and many hold only integers (ids), so Redis keeps two
 * encodings and so does this module:
 *
 *   - an intset (data/intset.h), a sorted array of integers, while every
 *     member is an integer written the canonical way ("42", not "042" or
 *     "+42": the text must come back byte for byte) and there are at most
 *     `max_intset` members (the set-max-intset-entries parameter, 512 by
 *     default; the caller passes it, this layer knows no configuration);
 *   - a hash table (data/dict.h), whose keys are the members and whose
 *     values are unused, for everything else.
 *
 * The change is one way: a set that became a hash table stays one, even
 * if it shrinks back to three small integers, as in Redis. An empty set
 * holds no memory at all (an intset not yet allocated).
 *
 *     set_value s;
 *     set_init(&s);
 *     set_add(&s, "42", 2, 512);          // true: intset
 *     set_add(&s, "a", 1, 512);           // true: now a hash table
 *     set_contains(&s, "42", 2);          // true
 *     set_iter it;
 *     set_member m;
 *     set_iter_start(&it, &s);
 *     while (set_iter_next(&it, &m)) ... m.bytes, m.len ...
 *     set_iter_end(&it);
 *     set_clear(&s);
 */
#ifndef SET_H
#define SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/num.h"
#include "data/dict.h"
#include "data/intset.h"

/* Redis caps set-max-intset-entries here, whatever the parameter says:
 * past a billion elements an intset's moves would be absurd. */
#define SET_INTSET_HARD_MAX (1u << 30)

enum set_encoding { SET_INTSET, SET_HASHTABLE };

/* "set_value", not "set": db.h includes this header nearly everywhere, and
 * a type named `set` would be shadowed by every local variable of that name. */
typedef struct set_value {
    uint8_t encoding;           /* enum set_encoding */
    union {
        intset *ints;           /* SET_INTSET; NULL while empty */
        dict *table;            /* SET_HASHTABLE: members are the keys, values unused */
    };
} set_value;

/* A member as read from a set. bytes stays valid until the set changes;
 * for an intset's member it points at `digits`, the number as text. */
typedef struct set_member {
    const char *bytes;
    size_t len;
    bool is_int;                /* read from an intset, so `integer` holds it (a hash
                                   table's member may be an integer too: false, unparsed) */
    int64_t integer;
    char digits[NUM_LL_MAX];    /* the intset member's text */
} set_member;

typedef struct set_iter {
    set_value *s;
    uint32_t index;             /* SET_INTSET: the next element */
    dict_iter table_iter;       /* SET_HASHTABLE */
} set_iter;

void set_init(set_value *s);            /* empty, holding no memory */
void set_clear(set_value *s);           /* frees every member; s is empty and reusable */
void set_copy(set_value *dst, const set_value *src);   /* dst (uninitialised) gets the same members and encoding */
size_t set_size(const set_value *s);
const char *set_encoding_name(const set_value *s);    /* OBJECT ENCODING: "intset" or "hashtable" */

/* Each returns true if it changed the set. set_add copies the bytes in,
 * and turns an intset into a hash table when the member is not an
 * integer or would make more than max_intset members. */
bool set_add(set_value *s, const char *bytes, size_t len, size_t max_intset);
bool set_remove(set_value *s, const char *bytes, size_t len);
bool set_contains(set_value *s, const char *bytes, size_t len);
/* The same question for a member read from another set: no parsing when
 * both are integers. */
bool set_contains_member(set_value *s, const set_member *m);

/* Every member once, in the encoding's order (an intset: ascending). The
 * set must not change meanwhile. */
void set_iter_start(set_iter *it, set_value *s);
bool set_iter_next(set_iter *it, set_member *m);
void set_iter_end(set_iter *it);

/* A member picked uniformly at random; s must not be empty. */
void set_random(set_value *s, set_member *m);

/* SSCAN: visit some members and return the cursor of the next call, 0
 * when done (start with 0). An intset is visited whole in one call. A
 * hash table follows dict_scan()'s guarantee: every member present for the
 * whole walk is visited at least once. */
typedef void set_scan_fn(void *data, const char *bytes, size_t len);
size_t set_scan(set_value *s, size_t cursor, set_scan_fn *fn, void *data);

#endif
