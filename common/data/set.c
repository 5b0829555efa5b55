/* set: the set value in its two encodings (Part II, sets). See set.h.
 *
 * Every function is a switch on the encoding. The only subtle one is
 * set_add, where an intset may turn into a hash table: when a member is
 * not a canonical integer, or when one more integer would pass the limit.
 * Conversion rewrites each integer as text into the table, O(n) once in
 * the set's life. */
#include "data/set.h"

void set_init(set_value *s)
{
    s->encoding = SET_INTSET;
    s->ints = NULL;
}

void set_clear(set_value *s)
{
    if (s->encoding == SET_INTSET)
        intset_free(s->ints);
    else
        dict_destroy(s->table, NULL);
    set_init(s);
}

size_t set_size(const set_value *s)
{
    if (s->encoding == SET_HASHTABLE)
        return dict_size(s->table);
    return s->ints != NULL ? intset_length(s->ints) : 0;
}

const char *set_encoding_name(const set_value *s)
{
    return s->encoding == SET_INTSET ? "intset" : "hashtable";
}

/* ---------------- Members as text or as integers ---------------- */

static void set_member_of_int(set_member *m, int64_t v)
{
    m->len = num_format_ll(m->digits, v);
    m->bytes = m->digits;
    m->is_int = true;
    m->integer = v;
}

static void set_member_of_entry(set_member *m, const dict_entry *e)
{
    m->bytes = e->key;
    m->len = e->keylen;
    m->is_int = false;      /* perhaps an integer, but nobody parsed it */
}

/* A member as an intset would hold it: false if it is not a canonical
 * integer, which no intset can contain. */
static bool set_as_int(const char *bytes, size_t len, int64_t *v)
{
    long long parsed;
    if (!num_parse_ll(bytes, len, &parsed))
        return false;
    *v = parsed;
    return true;
}

/* ---------------- Adding, and the one-way conversion ---------------- */

static void set_table_add(dict *table, const char *bytes, size_t len, bool *created)
{
    dict_add_or_find(table, bytes, len, created);
    /* One more rehash step than a lookup pays: a table that just doubled
     * gives its old bucket array back within half the adds that filled
     * it, instead of keeping it until the set is next touched (a set of
     * 8 members built by one SADD would otherwise carry 40 dead bytes). */
    if (*created && dict_is_rehashing(table))
        dict_rehash_steps(table, 1);
}

static void set_convert(set_value *s)
{
    dict *table = dict_create();
    intset *ints = s->ints;
    for (uint32_t i = 0; ints != NULL && i < intset_length(ints); i++) {
        set_member m;
        bool created;
        set_member_of_int(&m, intset_get(ints, i));
        set_table_add(table, m.bytes, m.len, &created);
    }
    intset_free(ints);
    s->encoding = SET_HASHTABLE;
    s->table = table;
}

bool set_add(set_value *s, const char *bytes, size_t len, size_t max_intset)
{
    if (s->encoding == SET_INTSET) {
        int64_t v;
        if (set_as_int(bytes, len, &v)) {
            bool added;
            s->ints = intset_add(s->ints != NULL ? s->ints : intset_new(), v, &added);
            size_t limit = max_intset < SET_INTSET_HARD_MAX ? max_intset : SET_INTSET_HARD_MAX;
            if (added && intset_length(s->ints) > limit)
                set_convert(s);
            return added;
        }
        set_convert(s);
    }
    bool created;
    set_table_add(s->table, bytes, len, &created);
    return created;
}

bool set_remove(set_value *s, const char *bytes, size_t len)
{
    if (s->encoding == SET_HASHTABLE) {
        bool found;
        /* The delete also shrinks a table left under a quarter full, which
         * a set drained by SPOP needs (data/dict.c says why). */
        dict_delete(s->table, bytes, len, &found);
        return found;
    }
    int64_t v;
    bool removed = false;
    if (s->ints != NULL && set_as_int(bytes, len, &v))
        s->ints = intset_remove(s->ints, v, &removed);
    if (s->ints != NULL && intset_length(s->ints) == 0)
        set_clear(s);
    return removed;
}

bool set_contains(set_value *s, const char *bytes, size_t len)
{
    if (s->encoding == SET_HASHTABLE)
        return dict_find(s->table, bytes, len) != NULL;
    int64_t v;
    return s->ints != NULL && set_as_int(bytes, len, &v) && intset_contains(s->ints, v);
}

bool set_contains_member(set_value *s, const set_member *m)
{
    if (s->encoding == SET_INTSET && m->is_int)
        return s->ints != NULL && intset_contains(s->ints, m->integer);
    return set_contains(s, m->bytes, m->len);
}

void set_copy(set_value *dst, const set_value *src)
{
    set_init(dst);
    if (src->encoding == SET_INTSET) {
        dst->ints = src->ints != NULL ? intset_copy(src->ints) : NULL;
        return;
    }
    dst->encoding = SET_HASHTABLE;
    dst->table = dict_create();
    set_iter it;
    set_member m;
    set_iter_start(&it, (set_value *)src);
    while (set_iter_next(&it, &m)) {
        bool created;
        set_table_add(dst->table, m.bytes, m.len, &created);
    }
    set_iter_end(&it);
}

/* ---------------- Iterating ---------------- */

void set_iter_start(set_iter *it, set_value *s)
{
    it->s = s;
    it->index = 0;
    if (s->encoding == SET_HASHTABLE)
        dict_iter_start(&it->table_iter, s->table);
}

bool set_iter_next(set_iter *it, set_member *m)
{
    set_value *s = it->s;
    if (s->encoding == SET_HASHTABLE) {
        dict_entry *e = dict_iter_next(&it->table_iter);
        if (e == NULL)
            return false;
        set_member_of_entry(m, e);
        return true;
    }
    if (s->ints == NULL || it->index >= intset_length(s->ints))
        return false;
    set_member_of_int(m, intset_get(s->ints, it->index++));
    return true;
}

void set_iter_end(set_iter *it)
{
    if (it->s->encoding == SET_HASHTABLE)
        dict_iter_end(&it->table_iter);
}

/* ---------------- Random members ---------------- */

/* splitmix64, seeded on first use from the hash's secret (dict_seed, at
 * start), so two servers do not pick the same sequence. Nothing here needs
 * to be unpredictable to a client; it only needs to be uniform. */
static uint64_t set_rng_state;
static bool set_rng_seeded;

static uint64_t set_rng_next(void)
{
    if (!set_rng_seeded) {
        set_rng_state = dict_hash("set-rng", 7);
        set_rng_seeded = true;
    }
    uint64_t z = (set_rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* An intset's member is an index away: uniform up to the modulo's bias,
 * below n / 2^64. A hash table's is dict_random_entry()'s, uniform by
 * rejection (see dict.c). */
void set_random(set_value *s, set_member *m)
{
    if (s->encoding == SET_HASHTABLE) {
        set_member_of_entry(m, dict_random_entry(s->table));
        return;
    }
    uint32_t index = (uint32_t)(set_rng_next() % intset_length(s->ints));
    set_member_of_int(m, intset_get(s->ints, index));
}

/* ---------------- Scanning ---------------- */

typedef struct set_scan_call {
    set_scan_fn *fn;
    void *data;
} set_scan_call;

static void set_scan_entry(void *data, dict_entry *e)
{
    set_scan_call *call = data;
    call->fn(call->data, e->key, e->keylen);
}

size_t set_scan(set_value *s, size_t cursor, set_scan_fn *fn, void *data)
{
    if (s->encoding == SET_HASHTABLE) {
        set_scan_call call = {fn, data};
        return dict_scan(s->table, cursor, set_scan_entry, &call);
    }
    set_iter it;
    set_member m;
    set_iter_start(&it, s);
    while (set_iter_next(&it, &m))
        fn(data, m.bytes, m.len);
    set_iter_end(&it);
    return 0;
}
