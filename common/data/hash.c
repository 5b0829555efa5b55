/* hash: a field -> value map, packed while small, a dict once big (Part
 * II, hashes). See hash.h for the two encodings and when one becomes the
 * other.
 *
 * The packed form holds no header and no back-lengths, unlike Redis's
 * listpack: the count and the byte total live in struct hash, which had
 * the room, and nothing here walks the bytes backwards. So an element
 * costs one byte of overhead where a listpack entry costs two, and a
 * small hash costs one allocation of exactly its bytes. The price is that
 * every change reallocates that allocation (as a listpack does), which is
 * cheap at a few hundred bytes and the reason for the limits. */
#include "data/hash.h"

#include <string.h>
#include <time.h>

#include "base/mem.h"

/* A packed hash never grows past 1 GB (Redis's listpack safety limit):
 * its lengths are 32-bit, and a walk over more would be no use anyway. */
#define HASH_PACKED_MAX (1u << 30)

/* A value of a table hash: one allocation, its length in front, or, for
 * a value of up to 7 bytes (a count, a flag, a small number: the common
 * case), no allocation at all. Such a value lives in the entry's value
 * pointer itself, tagged by its lowest bit, which a real pointer from
 * malloc never has (they are 16-byte aligned): the low byte holds
 * (length << 1) | 1, the next seven the bytes. That saves the smallest
 * allocation glibc makes, 24 bytes plus its header, per field. */
typedef struct hash_value {
    uint32_t len;
    char bytes[];
} hash_value;

#define HASH_INLINE_MAX 7

typedef union hash_inline {
    void *pointer;
    unsigned char bytes[sizeof(void *)];
} hash_inline;

static bool hash_value_is_inline(const void *v)
{
    return ((uintptr_t)v & 1) != 0;
}

static void *hash_value_new(const char *bytes, size_t len)
{
    if (len <= HASH_INLINE_MAX && sizeof(void *) == 8) {
        hash_inline in = {NULL};
        in.bytes[0] = (unsigned char)(len << 1 | 1);
        memcpy(in.bytes + 1, bytes, len);
        return in.pointer;
    }
    hash_value *v = mem_alloc(sizeof(*v) + len);
    v->len = (uint32_t)len;
    memcpy(v->bytes, bytes, len);
    return v;
}

static void hash_value_free(void *v)
{
    if (!hash_value_is_inline(v))
        mem_free(v);
}

/* The bytes of an inline value are read where they are, in the entry, so
 * they stay valid as long as the entry does (a rehash relinks entries,
 * never moves them). This relies on a little-endian machine, as dict.c's
 * hash does: the tag is the pointer's lowest byte, stored first. */
static hash_pair hash_pair_of(const dict_entry *e)
{
    hash_str field = {e->key, e->keylen};
    if (hash_value_is_inline(e->value)) {
        const unsigned char *at = (const unsigned char *)&e->value;
        return (hash_pair){field, {(const char *)at + 1, at[0] >> 1}};
    }
    const hash_value *v = e->value;
    return (hash_pair){field, {v->bytes, v->len}};
}

/* ---------------- The packed bytes ----------------
 *
 * An element is its length as a varint (7 bits a byte, low bits first,
 * the top bit set on every byte but the last), then its bytes. Fields
 * and values alternate, a field first. */

static size_t hash_varint_size(size_t len)
{
    size_t n = 1;
    while (len >= 0x80) {
        len >>= 7;
        n++;
    }
    return n;
}

static size_t hash_varint_write(unsigned char *p, size_t len)
{
    size_t n = 0;
    while (len >= 0x80) {
        p[n++] = (unsigned char)(len | 0x80);
        len >>= 7;
    }
    p[n++] = (unsigned char)len;
    return n;
}

/* The element at p into *out; returns the bytes it takes. */
static size_t hash_element_read(const unsigned char *p, hash_str *out)
{
    size_t len = 0, n = 0;
    int shift = 0;
    do {
        len |= (size_t)(p[n] & 0x7f) << shift;
        shift += 7;
    } while (p[n++] & 0x80);
    out->bytes = (const char *)p + n;
    out->len = len;
    return n + len;
}

static size_t hash_element_size(size_t len)
{
    return hash_varint_size(len) + len;
}

static size_t hash_element_write(unsigned char *p, const char *bytes, size_t len)
{
    size_t n = hash_varint_write(p, len);
    memcpy(p + n, bytes, len);
    return n + len;
}

/* The pair starting at offset into *out; returns the offset of the next. */
static uint32_t hash_packed_pair(const hash_map *h, uint32_t offset, hash_pair *out)
{
    offset += (uint32_t)hash_element_read(h->packed + offset, &out->field);
    offset += (uint32_t)hash_element_read(h->packed + offset, &out->value);
    return offset;
}

/* Where field's pair starts, and where its value starts and ends: a
 * linear walk, comparing lengths first. False if it is not there. */
typedef struct hash_found {
    uint32_t pair, value, end;
} hash_found;

static bool hash_packed_find(const hash_map *h, const char *field, size_t flen, hash_found *at)
{
    uint32_t offset = 0;
    while (offset < h->bytes) {
        hash_str f, v;
        uint32_t value = offset + (uint32_t)hash_element_read(h->packed + offset, &f);
        uint32_t end = value + (uint32_t)hash_element_read(h->packed + value, &v);
        if (f.len == flen && memcmp(f.bytes, field, flen) == 0) {
            *at = (hash_found){offset, value, end};
            return true;
        }
        offset = end;
    }
    return false;
}

/* Make [from, from + old) of the packed bytes `fresh` bytes long, moving
 * what follows. Grows before the move and shrinks after it, so nothing
 * past the allocation is ever touched. */
static void hash_packed_resize(hash_map *h, uint32_t from, uint32_t old, uint32_t fresh)
{
    uint32_t tail = h->bytes - from - old;
    uint32_t total = h->bytes - old + fresh;
    if (fresh > old)
        h->packed = mem_realloc(h->packed, total);
    memmove(h->packed + from + fresh, h->packed + from + old, tail);
    if (fresh < old) {
        if (total == 0) {
            mem_free(h->packed);
            h->packed = NULL;
        } else {
            h->packed = mem_realloc(h->packed, total);
        }
    }
    h->bytes = total;
}

static void hash_packed_replace_value(hash_map *h, const hash_found *at, const char *value, size_t vlen)
{
    uint32_t size = (uint32_t)hash_element_size(vlen);
    hash_packed_resize(h, at->value, at->end - at->value, size);
    hash_element_write(h->packed + at->value, value, vlen);
}

static void hash_packed_append(hash_map *h, const char *field, size_t flen, const char *value, size_t vlen)
{
    uint32_t at = h->bytes;
    uint32_t size = (uint32_t)(hash_element_size(flen) + hash_element_size(vlen));
    hash_packed_resize(h, at, 0, size);
    at += (uint32_t)hash_element_write(h->packed + at, field, flen);
    hash_element_write(h->packed + at, value, vlen);
    h->count++;
}

/* ---------------- Conversion ---------------- */

/* Packed to table, for good: Redis never converts back either, since a
 * hash that grew once is likely to grow again. */
static void hash_convert(hash_map *h)
{
    dict *table = dict_create();
    uint32_t offset = 0;
    while (offset < h->bytes) {
        hash_pair p;
        offset = hash_packed_pair(h, offset, &p);
        bool created;
        dict_entry *e = dict_add_or_find(table, p.field.bytes, p.field.len, &created);
        e->value = hash_value_new(p.value.bytes, p.value.len);
    }
    mem_free(h->packed);
    h->table = table;
    h->is_table = 1;
    h->count = 0;
    h->bytes = 0;
}

/* Would the packed form still do with this pair in it? */
static bool hash_packed_fits(const hash_map *h, size_t flen, size_t vlen, const hash_limits *lim)
{
    if (flen > lim->max_value || vlen > lim->max_value)
        return false;
    return (size_t)h->bytes + hash_element_size(flen) + hash_element_size(vlen) <= HASH_PACKED_MAX;
}

/* ---------------- The API ---------------- */

void hash_init(hash_map *h)
{
    memset(h, 0, sizeof(*h));
}

void hash_clear(hash_map *h)
{
    if (h->is_table)
        dict_destroy(h->table, hash_value_free);
    else
        mem_free(h->packed);
    hash_init(h);
}

size_t hash_length(const hash_map *h)
{
    return h->is_table ? dict_size(h->table) : h->count;
}

void hash_copy(hash_map *to, hash_map *from)
{
    hash_init(to);
    if (!from->is_table) {
        if (from->bytes > 0) {
            to->packed = mem_alloc(from->bytes);
            memcpy(to->packed, from->packed, from->bytes);
        }
        to->count = from->count;
        to->bytes = from->bytes;
        return;
    }
    to->table = dict_create();
    to->is_table = 1;
    dict_iter it;
    dict_iter_start(&it, from->table);
    for (dict_entry *e; (e = dict_iter_next(&it)) != NULL;) {
        bool created;
        hash_pair p = hash_pair_of(e);
        dict_add_or_find(to->table, e->key, e->keylen, &created)->value = hash_value_new(p.value.bytes, p.value.len);
    }
    dict_iter_end(&it);
}

bool hash_get(hash_map *h, const char *field, size_t flen, hash_str *value)
{
    if (h->is_table) {
        dict_entry *e = dict_find(h->table, field, flen);
        if (e == NULL)
            return false;
        *value = hash_pair_of(e).value;
        return true;
    }
    hash_found at;
    if (!hash_packed_find(h, field, flen, &at))
        return false;
    hash_element_read(h->packed + at.value, value);
    return true;
}

bool hash_set(hash_map *h, const char *field, size_t flen, const char *value, size_t vlen,
              const hash_limits *lim)
{
    if (!h->is_table && !hash_packed_fits(h, flen, vlen, lim))
        hash_convert(h);
    if (h->is_table) {
        bool created;
        dict_entry *e = dict_add_or_find(h->table, field, flen, &created);
        if (!created)
            hash_value_free(e->value);
        e->value = hash_value_new(value, vlen);
        return created;
    }
    hash_found at;
    if (hash_packed_find(h, field, flen, &at)) {
        hash_packed_replace_value(h, &at, value, vlen);
        return false;
    }
    hash_packed_append(h, field, flen, value, vlen);
    if (h->count > lim->max_entries)
        hash_convert(h);
    return true;
}

bool hash_delete(hash_map *h, const char *field, size_t flen)
{
    if (h->is_table) {
        bool found;
        hash_value_free(dict_delete(h->table, field, flen, &found));    /* shrinks too */
        return found;
    }
    hash_found at;
    if (!hash_packed_find(h, field, flen, &at))
        return false;
    hash_packed_resize(h, at.pair, at.end - at.pair, 0);
    h->count--;
    return true;
}

/* ---------------- Iteration and scanning ---------------- */

void hash_iter_start(hash_iter *it, hash_map *h)
{
    it->h = h;
    it->offset = 0;
    if (h->is_table)
        dict_iter_start(&it->table, h->table);
}

bool hash_iter_next(hash_iter *it, hash_pair *out)
{
    if (it->h->is_table) {
        dict_entry *e = dict_iter_next(&it->table);
        if (e == NULL)
            return false;
        *out = hash_pair_of(e);
        return true;
    }
    if (it->offset >= it->h->bytes)
        return false;
    it->offset = hash_packed_pair(it->h, it->offset, out);
    return true;
}

void hash_iter_end(hash_iter *it)
{
    if (it->h->is_table)
        dict_iter_end(&it->table);
}

typedef struct hash_scan_state {
    hash_scan_fn *fn;
    void *data;
} hash_scan_state;

static void hash_scan_entry(void *data, dict_entry *e)
{
    hash_scan_state *s = data;
    hash_pair p = hash_pair_of(e);
    s->fn(s->data, &p);
}

size_t hash_scan(hash_map *h, size_t cursor, hash_scan_fn *fn, void *data)
{
    if (h->is_table) {
        hash_scan_state s = {fn, data};
        return dict_scan(h->table, cursor, hash_scan_entry, &s);
    }
    hash_iter it;
    hash_pair p;
    hash_iter_start(&it, h);
    while (hash_iter_next(&it, &p))
        fn(data, &p);
    hash_iter_end(&it);
    return 0;
}

/* ---------------- Random pairs ----------------
 *
 * splitmix64, seeded on first use from the dict's keyed hash (secret per
 * process) and the clock: small and good enough to pick pairs; nothing
 * here must be unpredictable. Commands run under the server lock, so one
 * state serves every thread. */

static uint64_t hash_rng_state;
static bool hash_rng_seeded;

static uint64_t hash_random(void)
{
    if (!hash_rng_seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        hash_rng_state = dict_hash("hash", 4) ^ ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
        hash_rng_seeded = true;
    }
    uint64_t z = (hash_rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1, n > 0 (a modulo bias under n / 2^64). */
static size_t hash_random_below(size_t n)
{
    return (size_t)(hash_random() % n);
}

/* Every pair, in order, into a new array of hash_length(h). */
static hash_pair *hash_all_pairs(hash_map *h)
{
    hash_pair *all = mem_alloc(sizeof(*all) * (hash_length(h) ? hash_length(h) : 1));
    hash_iter it;
    size_t n = 0;
    hash_iter_start(&it, h);
    while (hash_iter_next(&it, &all[n]))
        n++;
    hash_iter_end(&it);
    return all;
}

/* A packed hash is walked to a random index; a table asks the dict,
 * whose dict_random_entry is fair (data/dict.c says how). */
void hash_random_pair(hash_map *h, hash_pair *out)
{
    if (h->is_table) {
        *out = hash_pair_of(dict_random_entry(h->table));
        return;
    }
    size_t index = hash_random_below(h->count);
    uint32_t offset = 0;
    do
        offset = hash_packed_pair(h, offset, out);
    while (index-- > 0);
}

/* A packed hash is listed once, then indexed: n walks would cost
 * O(n * length). */
void hash_random_pairs(hash_map *h, size_t n, hash_pair *out)
{
    if (h->is_table) {
        for (size_t i = 0; i < n; i++)
            hash_random_pair(h, &out[i]);
        return;
    }
    hash_pair *all = hash_all_pairs(h);
    for (size_t i = 0; i < n; i++)
        out[i] = all[hash_random_below(h->count)];
    mem_free(all);
}

/* Redis's two strategies (HRANDFIELD's CASE 3 and CASE 4). When n is a
 * good part of the hash (or the hash is packed, so small), list every
 * pair and shuffle the first n into place (a partial Fisher-Yates): each
 * n-subset equally likely, in O(length). When n is small against a big
 * table, draw fair random entries and drop repeats, remembered in a
 * scratch dict: about n draws, never more than 1.5 n on average since
 * n <= length / 3. */
void hash_random_distinct(hash_map *h, size_t n, hash_pair *out)
{
    size_t length = hash_length(h);
    if (!h->is_table || n * 3 > length) {
        hash_pair *all = hash_all_pairs(h);
        for (size_t i = 0; i < n; i++) {
            size_t j = i + hash_random_below(length - i);
            hash_pair swap = all[i];
            all[i] = all[j];
            all[j] = swap;
            out[i] = all[i];
        }
        mem_free(all);
        return;
    }
    dict *seen = dict_create();
    size_t got = 0;
    while (got < n) {
        hash_pair p = hash_pair_of(dict_random_entry(h->table));
        bool created;
        dict_add_or_find(seen, p.field.bytes, p.field.len, &created);
        if (created)
            out[got++] = p;
    }
    dict_destroy(seen, NULL);
}

/* ---------------- Checks ---------------- */

bool hash_check(const hash_map *h)
{
    if (h->is_table)
        return h->table != NULL;
    if ((h->bytes == 0) != (h->packed == NULL) || (h->bytes == 0) != (h->count == 0))
        return false;
    uint32_t offset = 0, pairs = 0;
    while (offset < h->bytes) {
        hash_pair p;
        offset = hash_packed_pair(h, offset, &p);
        pairs++;
    }
    return offset == h->bytes && pairs == h->count;
}
