/* dict: a chained hash table with incremental rehashing (stage 2).
 *
 * Growing a table means moving every entry to a new bucket array. Doing it
 * at once would freeze the server for as long as the move takes (seconds
 * at a hundred million keys), so, like Redis's dict.c, this table keeps two
 * arrays while it grows: new keys go to the bigger one, lookups try both,
 * and every operation moves one more bucket from the old to the new. The
 * cost of the move is spread over the operations that follow it.
 *
 * The hash is SipHash-1-3 keyed with a secret chosen at start, so a client
 * who picks keys cannot force them all into one bucket (hash flooding). */
#include "data/dict.h"

#include <string.h>

#include "base/mem.h"

#define DICT_INITIAL_SIZE 4
#define DICT_EMPTY_VISITS 10    /* empty buckets one step may skip over */

/* ---------------- The hash: SipHash-1-3 ----------------
 *
 * One compression round per 8-byte word and three at the end: the variant
 * Redis uses, a good deal faster than SipHash-2-4 and still keyed. */

static uint64_t dict_key0, dict_key1;
static uint64_t dict_rng_state = 0x853c49e6748fea9bULL;     /* for random entries (Part II, keys) */

void dict_seed(const uint8_t key[16])
{
    memcpy(&dict_key0, key, 8);
    memcpy(&dict_key1, key + 8, 8);
    dict_rng_state ^= dict_key0 ^ (dict_key1 * 0x9e3779b97f4a7c15ULL);   /* Part II, keys */
}

static inline uint64_t dict_rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static inline void dict_sip_round(sip_state *s)
{
    s->v0 += s->v1; s->v1 = dict_rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = dict_rotl(s->v0, 32);
    s->v2 += s->v3; s->v3 = dict_rotl(s->v3, 16); s->v3 ^= s->v2;
    s->v0 += s->v3; s->v3 = dict_rotl(s->v3, 21); s->v3 ^= s->v0;
    s->v2 += s->v1; s->v1 = dict_rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = dict_rotl(s->v2, 32);
}

static inline void dict_sip_word(sip_state *s, uint64_t m)
{
    s->v3 ^= m;
    dict_sip_round(s);
    s->v0 ^= m;
}

uint64_t dict_hash(const char *key, size_t len)
{
    sip_state s = {
        dict_key0 ^ 0x736f6d6570736575ULL, dict_key1 ^ 0x646f72616e646f6dULL,
        dict_key0 ^ 0x6c7967656e657261ULL, dict_key1 ^ 0x7465646279746573ULL,
    };
    const unsigned char *p = (const unsigned char *)key;
    size_t words = len / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t m;
        memcpy(&m, p + 8 * i, 8);   /* little-endian machines only, like x86 and arm64 */
        dict_sip_word(&s, m);
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t i = 0; i < len % 8; i++)
        last |= (uint64_t)p[8 * words + i] << (8 * i);
    dict_sip_word(&s, last);
    s.v2 ^= 0xff;
    for (int i = 0; i < 3; i++)
        dict_sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* ---------------- Tables ---------------- */

dict *dict_create(void)
{
    dict *d = mem_calloc(1, sizeof(*d));
    d->rehash_index = -1;
    return d;
}

static void dict_table_clear(dict_table *t, dict_free_fn *free_value)
{
    for (size_t i = 0; i < t->size; i++) {
        dict_entry *e = t->buckets[i];
        while (e != NULL) {
            dict_entry *next = e->next;
            if (free_value != NULL)
                free_value(e->value);
            mem_free(e);
            e = next;
        }
    }
    mem_free(t->buckets);
    *t = (dict_table){NULL, 0, 0};
}

void dict_clear(dict *d, dict_free_fn *free_value)
{
    dict_table_clear(&d->tables[0], free_value);
    dict_table_clear(&d->tables[1], free_value);
    d->rehash_index = -1;
}

void dict_destroy(dict *d, dict_free_fn *free_value)
{
    if (d == NULL)
        return;
    dict_clear(d, free_value);
    mem_free(d);
}

size_t dict_size(const dict *d)
{
    return d->tables[0].used + d->tables[1].used;
}

bool dict_is_rehashing(const dict *d)
{
    return d->rehash_index != -1;
}

static size_t dict_bucket(const dict_table *t, uint64_t hash)
{
    return (size_t)(hash & (t->size - 1));
}

/* Start moving to a table of `size` buckets. The first table ever is
 * simply installed: there is nothing to move. */
static void dict_resize(dict *d, size_t size)
{
    dict_table fresh = {mem_calloc(size, sizeof(dict_entry *)), size, 0};
    if (d->tables[0].size == 0) {
        d->tables[0] = fresh;
        return;
    }
    d->tables[1] = fresh;
    d->rehash_index = 0;
}

static size_t dict_power_at_least(size_t n)
{
    size_t size = DICT_INITIAL_SIZE;
    while (size < n)
        size *= 2;
    return size;
}

/* Grow at a load factor of 1: chains stay about one entry long. */
static void dict_maybe_grow(dict *d)
{
    if (dict_is_rehashing(d))
        return;
    dict_table *t = &d->tables[0];
    if (t->size == 0)
        dict_resize(d, DICT_INITIAL_SIZE);
    else if (t->used >= t->size)
        dict_resize(d, dict_power_at_least(t->used * 2));
}

/* Shrink when under a quarter full, so a table emptied by deletes gives
 * its bucket array back. Redis waits until 10%; but a random pick (SPOP,
 * RANDOMKEY, eviction's samples) probes buckets at random, about 1 / fill
 * probes per entry found, and SPOP empties a table at the rate it picks:
 * shrinking at a quarter cut SPOP's CPU per pop by a sixth. The table then
 * holds 1/2 to 1 entry per bucket again, far enough from the next growth
 * (at 1) that growing and shrinking cannot take turns. Not during
 * iteration: that would move entries. Every delete checks, and so does the
 * server's cron, since the last deletes may come while a resize is still
 * in progress. */
void dict_maybe_shrink(dict *d)
{
    dict_table *t = &d->tables[0];
    if (dict_is_rehashing(d) || d->safe_iterators > 0 || t->size <= DICT_INITIAL_SIZE)
        return;
    if (t->used * 4 < t->size)
        dict_resize(d, dict_power_at_least(t->used));
}

/* Move one bucket of the old table into the new one. Empty buckets are
 * skipped, but at most DICT_EMPTY_VISITS of them, so one step is bounded
 * even in a sparse table. */
static void dict_rehash_one(dict *d)
{
    dict_table *from = &d->tables[0], *to = &d->tables[1];
    int empty_visits = DICT_EMPTY_VISITS;
    while (from->buckets[d->rehash_index] == NULL) {
        d->rehash_index++;
        if (--empty_visits == 0)
            return;
    }
    dict_entry *e = from->buckets[d->rehash_index];
    while (e != NULL) {
        dict_entry *next = e->next;
        size_t b = dict_bucket(to, dict_hash(e->key, e->keylen));
        e->next = to->buckets[b];
        to->buckets[b] = e;
        from->used--;
        to->used++;
        e = next;
    }
    from->buckets[d->rehash_index] = NULL;
    d->rehash_index++;
}

bool dict_rehash_steps(dict *d, int steps)
{
    if (d->safe_iterators > 0)
        return dict_is_rehashing(d);    /* moving entries would confuse the iterator */
    while (steps-- > 0 && dict_is_rehashing(d)) {
        if (d->tables[0].used == 0) {
            mem_free(d->tables[0].buckets);
            d->tables[0] = d->tables[1];
            d->tables[1] = (dict_table){NULL, 0, 0};
            d->rehash_index = -1;
            break;
        }
        dict_rehash_one(d);
    }
    return dict_is_rehashing(d);
}

/* Every lookup pays for one step of an ongoing rehash. */
static void dict_step(dict *d)
{
    if (dict_is_rehashing(d))
        dict_rehash_steps(d, 1);
}

/* ---------------- Lookup, insert, delete ---------------- */

static bool dict_key_equals(const dict_entry *e, const char *key, size_t len)
{
    return e->keylen == len && memcmp(e->key, key, len) == 0;
}

/* Find the link pointing at the entry for key (to read it or unlink it),
 * and, when table_of is not NULL, which of the two tables holds it. */
static dict_entry **dict_find_link(dict *d, const char *key, size_t len, uint64_t hash, int *table_of)
{
    for (int t = 0; t <= 1; t++) {
        dict_table *table = &d->tables[t];
        if (table->size == 0)
            continue;
        dict_entry **link = &table->buckets[dict_bucket(table, hash)];
        for (; *link != NULL; link = &(*link)->next) {
            if (dict_key_equals(*link, key, len)) {
                if (table_of != NULL)
                    *table_of = t;
                return link;
            }
        }
        if (!dict_is_rehashing(d))
            break;
    }
    return NULL;
}

dict_entry *dict_find(dict *d, const char *key, size_t len)
{
    if (dict_size(d) == 0)
        return NULL;
    dict_step(d);
    dict_entry **link = dict_find_link(d, key, len, dict_hash(key, len), NULL);
    return link ? *link : NULL;
}

dict_entry *dict_add_or_find(dict *d, const char *key, size_t len, bool *created)
{
    dict_step(d);
    uint64_t hash = dict_hash(key, len);
    dict_entry **link = dict_find_link(d, key, len, hash, NULL);
    if (link != NULL) {
        *created = false;
        return *link;
    }
    dict_maybe_grow(d);
    dict_table *table = &d->tables[dict_is_rehashing(d) ? 1 : 0];
    dict_entry *e = mem_alloc(sizeof(*e) + len);
    memcpy(e->key, key, len);
    e->keylen = (uint32_t)len;
    e->value = NULL;
    size_t b = dict_bucket(table, hash);
    e->next = table->buckets[b];
    table->buckets[b] = e;
    table->used++;
    *created = true;
    return e;
}

/* Take the entry out of the table without freeing it, so the caller can
 * still read its key (to delete the same key from another table) before
 * dict_free_unlinked(). */
dict_entry *dict_unlink(dict *d, const char *key, size_t len)
{
    return dict_unlink_hashed(d, key, len, dict_hash(key, len));
}

/* Every dict shares one hash function, so a key removed from two tables
 * (the keyspace and its TTLs) needs hashing only once. */
dict_entry *dict_unlink_hashed(dict *d, const char *key, size_t len, uint64_t hash)
{
    if (dict_size(d) == 0)
        return NULL;
    dict_step(d);
    int t;
    dict_entry **link = dict_find_link(d, key, len, hash, &t);
    if (link == NULL)
        return NULL;
    dict_entry *e = *link;
    *link = e->next;
    d->tables[t].used--;
    dict_maybe_shrink(d);
    return e;
}

void dict_free_unlinked(dict_entry *e)
{
    mem_free(e);
}

void *dict_delete(dict *d, const char *key, size_t len, bool *found)
{
    dict_entry *e = dict_unlink(d, key, len);
    *found = e != NULL;
    if (e == NULL)
        return NULL;
    void *value = e->value;
    dict_free_unlinked(e);
    return value;
}

/* ---------------- Iteration ---------------- */

void dict_iter_start(dict_iter *it, dict *d)
{
    it->d = d;
    it->table = 0;
    it->bucket = 0;
    it->next = NULL;
    d->safe_iterators++;
}

dict_entry *dict_iter_next(dict_iter *it)
{
    while (it->next == NULL) {
        dict_table *t = &it->d->tables[it->table];
        if (it->bucket >= t->size) {
            if (it->table == 1 || !dict_is_rehashing(it->d))
                return NULL;
            it->table = 1;
            it->bucket = 0;
            continue;
        }
        it->next = t->buckets[it->bucket++];
    }
    dict_entry *e = it->next;
    it->next = e->next;
    return e;
}

void dict_iter_end(dict_iter *it)
{
    it->d->safe_iterators--;
}

/* ---------------- Scanning ----------------
 *
 * A cursor that survives resizes. The trick (Redis's dictScan) is to count
 * through bucket numbers with their bits reversed: increment the high bit
 * first. Bucket b of a table of size n becomes buckets b and b+n when the
 * table doubles, and those two are next to each other in reversed order,
 * so a walk that is halfway through when the table grows or shrinks never
 * skips a bucket it has not covered yet. */

static size_t dict_reverse_bits(size_t v)
{
    size_t r = 0;
    for (size_t i = 0; i < sizeof(v) * 8; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

/* The next cursor: add one to the bits under mask, counted from the top. */
static size_t dict_next_cursor(size_t cursor, size_t mask)
{
    cursor |= ~mask;
    cursor = dict_reverse_bits(cursor);
    cursor++;
    return dict_reverse_bits(cursor);
}

static void dict_scan_bucket(dict_table *t, size_t index, dict_scan_fn *fn, void *data)
{
    dict_entry *e = t->buckets[index];
    while (e != NULL) {
        dict_entry *next = e->next;     /* fn may delete e */
        fn(data, e);
        e = next;
    }
}

size_t dict_scan(dict *d, size_t cursor, dict_scan_fn *fn, void *data)
{
    if (dict_size(d) == 0)
        return 0;
    d->safe_iterators++;        /* no rehash step or shrink while fn deletes */
    if (!dict_is_rehashing(d)) {
        dict_table *t = &d->tables[0];
        dict_scan_bucket(t, cursor & (t->size - 1), fn, data);
        cursor = dict_next_cursor(cursor, t->size - 1);
    } else {
        /* Visit the bucket in the small table, then every bucket of the
         * large table that it expands to. */
        dict_table *small = &d->tables[0], *large = &d->tables[1];
        if (small->size > large->size) {
            dict_table *swap = small;
            small = large;
            large = swap;
        }
        size_t small_mask = small->size - 1, large_mask = large->size - 1;
        dict_scan_bucket(small, cursor & small_mask, fn, data);
        do {
            dict_scan_bucket(large, cursor & large_mask, fn, data);
            cursor = dict_next_cursor(cursor, large_mask);
        } while (cursor & (small_mask ^ large_mask));
    }
    d->safe_iterators--;
    return cursor;
}

/* ---------------- Random entries (Part II, keys) ----------------
 *
 * RANDOMKEY wants every key with the same chance; eviction wants a few
 * candidates cheaply. A table can give neither by index, since entries
 * sit in chains of varying length in buckets of which many are empty.
 *
 * The numbers come from splitmix64, seeded with the hash's secret: small,
 * fast, good enough to pick buckets, and not worth a dependency. Nothing
 * here needs to be unpredictable to a client. */

static uint64_t dict_random(void)
{
    uint64_t z = (dict_rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1 for n > 0. The modulo's bias is below n / 2^64:
 * nothing a table of buckets could show. */
static size_t dict_random_below(size_t n)
{
    return (size_t)(dict_random() % n);
}

/* The buckets that can hold entries, numbered as one range ("slots"):
 * during a rehash the old table's buckets below rehash_index have been
 * moved and are empty, so the range is the old table's rest, then the
 * new table. */
static size_t dict_slot_count(const dict *d)
{
    if (!dict_is_rehashing(d))
        return d->tables[0].size;
    return d->tables[0].size - (size_t)d->rehash_index + d->tables[1].size;
}

static dict_entry *dict_slot(const dict *d, size_t slot)
{
    if (!dict_is_rehashing(d))
        return d->tables[0].buckets[slot];
    size_t old = d->tables[0].size - (size_t)d->rehash_index;
    if (slot < old)
        return d->tables[0].buckets[(size_t)d->rehash_index + slot];
    return d->tables[1].buckets[slot - old];
}

/* Rehash steps a random pick does first, when a resize is under way. */
#define DICT_RANDOM_REHASH_STEPS 8

/* Chains up to this long are sampled exactly fairly; see below. */
#define DICT_FAIR_CHAIN 8

/* Picking a random non-empty bucket, then a random entry of its chain
 * (Redis's dictGetRandomKey) favours entries alone in their bucket: at a
 * load of 1 an entry alone is picked three times as often as one of a
 * chain of three. Redis's dictGetFairRandomKey softens that by sampling
 * some entries and picking among them, which is fairer but not fair.
 *
 * Here the bias is removed by rejection: pick a non-empty bucket, then a
 * number k in 0..DICT_FAIR_CHAIN-1, and take the chain's k-th entry if
 * there is one, else start again. Each entry of a chain of length
 * L <= DICT_FAIR_CHAIN then has the chance (1 / non-empty buckets) *
 * (1 / DICT_FAIR_CHAIN) per attempt, the same for all. The cost: about
 * DICT_FAIR_CHAIN / (average chain length) attempts, some 5 at a load of
 * 1, each one bucket probe (more in a sparse table, as for Redis) and a
 * walk of a short chain. A chain longer than DICT_FAIR_CHAIN (about one
 * bucket in a million at a load of 1, with a keyed hash no client can aim)
 * is always accepted, so its entries are slightly under-picked. */
dict_entry *dict_random_entry(dict *d)
{
    if (dict_size(d) == 0)
        return NULL;
    /* A shrink leaves the old, sparse table to be emptied step by step,
     * and probes there mostly find empty buckets: help it along. */
    if (dict_is_rehashing(d))
        dict_rehash_steps(d, DICT_RANDOM_REHASH_STEPS);
    size_t slots = dict_slot_count(d);
    for (;;) {
        dict_entry *head;
        do
            head = dict_slot(d, dict_random_below(slots));
        while (head == NULL);
        size_t len = 0;
        for (dict_entry *e = head; e != NULL; e = e->next)
            len++;
        size_t k = dict_random_below(len > DICT_FAIR_CHAIN ? len : DICT_FAIR_CHAIN);
        if (k >= len)
            continue;
        while (k-- > 0)
            head = head->next;
        return head;
    }
}

/* Walk consecutive buckets from a random one, taking whole chains, for at
 * most 10 buckets per entry wanted (as Redis's dictGetSomeKeys), and on
 * past that only until one entry is found, so a non-empty table always
 * gives at least one. The walk never comes back to a bucket, so the
 * entries are distinct. Entries that share a neighbourhood are picked
 * together, which eviction does not mind: it only needs candidates. */
/* Up to `room` entries of one chain. A chain longer than the room left is
 * entered at a random place and walked round, or its last entries could
 * never be sampled at all. */
static size_t dict_take_chain(dict_entry *head, dict_entry **out, size_t room)
{
    size_t len = 0;
    for (dict_entry *e = head; e != NULL; e = e->next)
        len++;
    size_t skip = len > room ? dict_random_below(len) : 0, got = 0;
    dict_entry *e = head;
    while (skip-- > 0)
        e = e->next;
    while (got < room && got < len) {
        out[got++] = e;
        e = e->next != NULL ? e->next : head;
    }
    return got;
}

size_t dict_sample(dict *d, dict_entry **out, size_t n)
{
    if (n == 0 || dict_size(d) == 0)
        return 0;
    size_t slots = dict_slot_count(d);
    size_t budget = n <= slots / 10 ? n * 10 : slots;
    size_t slot = dict_random_below(slots), got = 0;
    for (size_t step = 0; step < slots && got < n && (step < budget || got == 0); step++) {
        dict_entry *head = dict_slot(d, slot);
        if (head != NULL)
            got += dict_take_chain(head, out + got, n - got);
        slot = slot + 1 == slots ? 0 : slot + 1;
    }
    return got;
}
