/* zset: the sorted set value, packed while small, a skip list once big
 * (Part II, sorted sets). See zset.h for the order and the two encodings.
 *
 * The packed form is a listpack without its header and back-lengths: the
 * count and the byte total live in zset_value, and reverse walks collect
 * the pairs' offsets first (a packed set is small). A pair is
 *
 *     [member][score]
 *
 * where the member is a varint v (7 bits a byte, low bits first): an even
 * v is a string of v / 2 bytes that follow, an odd v a canonical integer
 * ("42", "-7") kept as a number, zig-zag coded in v / 2, since ids are the
 * commonest members and "1234567" takes 4 bytes instead of 8. The score is
 * one tag byte, then what the tag says:
 *
 *     0x00..0xEF   the integer tag - 120 (-120..119), nothing follows
 *     0xF1..0xF8   an integer in the next tag - 0xF0 bytes, little-endian
 *     0xFF         a double in the next 8 bytes
 *
 * A score is stored as an integer whenever Redis's listpack stores it as
 * one (double2ll: an integral value within +-2^62): -0.0 then comes back
 * as 0, in Redis too, while a skip list keeps -0.0.
 *
 * The skip list is William Pugh's, with Redis's additions: each link
 * carries its span (how many members it jumps), so the rank of a node is
 * the sum of the spans walked to reach it, O(log n); each node points
 * back to the one before it, for reverse walks. Its nodes do not hold the
 * member: they point at the member's entry in the table (member -> node),
 * whose key holds the bytes. Entries never move (data/dict.c relinks them
 * when it rehashes), so a member costs one allocation with its entry,
 * where Redis gives it an sds string of its own that both its dict entry
 * and its node point to. */
#include "data/zset.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"

/* As in Redis: 32 levels hold 2^64 members at p = 1/4. */
#define ZSET_MAX_LEVEL 32

/* A packed set never grows past 1 GB (Redis's listpack safety limit): its
 * offsets are 32-bit. */
#define ZSET_PACKED_MAX (1u << 30)

/* Integer members are packed when their zig-zag code, doubled, fits 64
 * bits; a larger one is kept as text (it is rare, and still correct). */
#define ZSET_INT_MEMBER_MAX (INT64_C(1) << 62)

/* The biggest pair header: a 10-byte varint, then a tag and 8 bytes. */
#define ZSET_PAIR_OVERHEAD (10 + 1 + 8)

#define ZSET_SCORE_SMALL_MAX 0xEF
#define ZSET_SCORE_SMALL_BIAS 120
#define ZSET_SCORE_INT 0xF0
#define ZSET_SCORE_DOUBLE 0xFF

struct zset_node {
    double score;
    dict_entry *member;         /* its entry in the table: key = the member's bytes */
    zset_node *backward;        /* the node before, NULL for the first */
    struct zset_link {
        zset_node *forward;     /* the next node on this level, NULL at the end */
        size_t span;            /* members that link jumps (1 to the next node) */
    } level[];
};

struct zset_skiplist {
    dict *table;                /* member -> its node (entry->value) */
    zset_node *header;          /* ZSET_MAX_LEVEL links, no member */
    zset_node *tail;            /* the last node, NULL when empty */
    size_t length;
    int level;                  /* levels in use, at least 1 */
};

/* ---------------- Random numbers ----------------
 *
 * splitmix64, seeded on first use from the dict's keyed hash (secret per
 * process) and the clock, as data/hash.c does: node levels and random
 * members need no better. Commands run under the server lock. */

static uint64_t zset_rng_state;
static bool zset_rng_seeded;

static uint64_t zset_random(void)
{
    if (!zset_rng_seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        zset_rng_state = dict_hash("zset", 4) ^ ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
        zset_rng_seeded = true;
    }
    uint64_t z = (zset_rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t zset_random_below(size_t n)
{
    return (size_t)(zset_random() % n);
}

/* ---------------- The order ---------------- */

static int zset_compare_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* Whether (score, member) a comes before b. */
static bool zset_before(double ascore, const char *a, size_t alen, double bscore, const char *b, size_t blen)
{
    if (ascore != bscore)
        return ascore < bscore;
    return zset_compare_bytes(a, alen, b, blen) < 0;
}

static bool zset_score_gte_min(const zset_score_range *r, double score)
{
    return r->min_open ? score > r->min : score >= r->min;
}

static bool zset_score_lte_max(const zset_score_range *r, double score)
{
    return r->max_open ? score < r->max : score <= r->max;
}

static bool zset_lex_gte_min(const zset_lex_range *r, const char *m, size_t len)
{
    switch (r->min.kind) {
    case ZSET_LEX_MINUS:
        return true;
    case ZSET_LEX_PLUS:
        return false;
    case ZSET_LEX_OPEN:
        return zset_compare_bytes(m, len, r->min.bytes, r->min.len) > 0;
    default:
        return zset_compare_bytes(m, len, r->min.bytes, r->min.len) >= 0;
    }
}

static bool zset_lex_lte_max(const zset_lex_range *r, const char *m, size_t len)
{
    switch (r->max.kind) {
    case ZSET_LEX_MINUS:
        return false;
    case ZSET_LEX_PLUS:
        return true;
    case ZSET_LEX_OPEN:
        return zset_compare_bytes(m, len, r->max.bytes, r->max.len) < 0;
    default:
        return zset_compare_bytes(m, len, r->max.bytes, r->max.len) <= 0;
    }
}

/* ---------------- Packed pairs: encoding ---------------- */

/* A member as the packed form keeps it: an integer when its text is the
 * canonical form of a number in range. */
static bool zset_member_as_int(const char *bytes, size_t len, int64_t *v)
{
    long long parsed;
    if (len > 20 || !num_parse_ll(bytes, len, &parsed))
        return false;
    if (parsed >= ZSET_INT_MEMBER_MAX || parsed < -ZSET_INT_MEMBER_MAX)
        return false;
    *v = parsed;
    return true;
}

/* Redis's double2ll: is the score an integer its listpack would store as
 * one? -0.0 is (as 0). */
static bool zset_score_as_int(double score, int64_t *v)
{
    if (score < (double)(-INT64_MAX / 2) || score > (double)(INT64_MAX / 2))
        return false;
    long long ll = (long long)score;
    if ((double)ll != score)
        return false;
    *v = ll;
    return true;
}

static size_t zset_varint_write(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static size_t zset_varint_read(const unsigned char *p, uint64_t *v)
{
    uint64_t value = 0;
    size_t n = 0;
    int shift = 0;
    do {
        value |= (uint64_t)(p[n] & 0x7f) << shift;
        shift += 7;
    } while (p[n++] & 0x80);
    *v = value;
    return n;
}

static uint64_t zset_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t zset_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* The smallest k such that v fits k bytes, sign included. */
static size_t zset_int_bytes(int64_t v)
{
    size_t k = 1;
    while (k < 8 && (v < -(INT64_C(1) << (8 * k - 1)) || v >= (INT64_C(1) << (8 * k - 1))))
        k++;
    return k;
}

static size_t zset_score_write(unsigned char *p, double score)
{
    int64_t v;
    if (!zset_score_as_int(score, &v)) {
        p[0] = ZSET_SCORE_DOUBLE;
        memcpy(p + 1, &score, 8);
        return 9;
    }
    if (v >= -ZSET_SCORE_SMALL_BIAS && v <= ZSET_SCORE_SMALL_MAX - ZSET_SCORE_SMALL_BIAS) {
        p[0] = (unsigned char)(v + ZSET_SCORE_SMALL_BIAS);
        return 1;
    }
    size_t k = zset_int_bytes(v);
    p[0] = (unsigned char)(ZSET_SCORE_INT + k);
    uint64_t u = (uint64_t)v;
    for (size_t i = 0; i < k; i++)
        p[1 + i] = (unsigned char)(u >> (8 * i));
    return 1 + k;
}

static size_t zset_score_read(const unsigned char *p, double *score)
{
    unsigned tag = p[0];
    if (tag <= ZSET_SCORE_SMALL_MAX) {
        *score = (double)((int)tag - ZSET_SCORE_SMALL_BIAS);
        return 1;
    }
    if (tag == ZSET_SCORE_DOUBLE) {
        memcpy(score, p + 1, 8);
        return 9;
    }
    size_t k = tag - ZSET_SCORE_INT;
    uint64_t u = 0;
    for (size_t i = 0; i < k; i++)
        u |= (uint64_t)p[1 + i] << (8 * i);
    if (k < 8 && (u >> (8 * k - 1)) & 1)
        u |= ~UINT64_C(0) << (8 * k);       /* sign-extend */
    *score = (double)(int64_t)u;
    return 1 + k;
}

/* A pair, encoded into p (at least ZSET_PAIR_OVERHEAD + len bytes). */
static size_t zset_pair_write(unsigned char *p, const char *member, size_t len, double score)
{
    int64_t v;
    size_t n;
    if (zset_member_as_int(member, len, &v)) {
        n = zset_varint_write(p, zset_zigzag(v) << 1 | 1);
    } else {
        n = zset_varint_write(p, (uint64_t)len << 1);
        memcpy(p + n, member, len);
        n += len;
    }
    return n + zset_score_write(p + n, score);
}

/* ---------------- Packed pairs: reading ---------------- */

typedef struct zset_pair {
    uint32_t start, next;       /* where it begins, where the next one does */
    bool is_int;
    int64_t integer;            /* the member, when is_int */
    const char *bytes;          /* the member, when not */
    size_t len;
    double score;
} zset_pair;

static uint32_t zset_pair_read(const zset_value *z, uint32_t offset, zset_pair *p)
{
    const unsigned char *at = z->packed + offset;
    uint64_t v;
    size_t n = zset_varint_read(at, &v);
    p->start = offset;
    p->is_int = (v & 1) != 0;
    if (p->is_int) {
        p->integer = zset_unzigzag(v >> 1);
    } else {
        p->bytes = (const char *)at + n;
        p->len = (size_t)(v >> 1);
        n += p->len;
    }
    n += zset_score_read(at + n, &p->score);
    p->next = offset + (uint32_t)n;
    return p->next;
}

/* The member's text: its bytes, or its number written into buf. */
static const char *zset_pair_text(const zset_pair *p, char *buf, size_t *len)
{
    if (!p->is_int) {
        *len = p->len;
        return p->bytes;
    }
    *len = num_format_ll(buf, p->integer);
    return buf;
}

static void zset_member_of_pair(zset_member *out, const zset_pair *p)
{
    if (p->is_int) {
        out->len = num_format_ll(out->digits, p->integer);
        out->bytes = out->digits;
    } else {
        out->bytes = p->bytes;
        out->len = p->len;
    }
    out->score = p->score;
}

static bool zset_pair_is(const zset_pair *p, const char *member, size_t len, bool query_is_int, int64_t v)
{
    if (p->is_int)
        return query_is_int && p->integer == v;
    return !query_is_int && p->len == len && memcmp(p->bytes, member, len) == 0;
}

/* Whether the pair comes after (score, member) in the order. */
static bool zset_pair_after(const zset_pair *p, double score, const char *member, size_t len)
{
    char digits[NUM_LL_MAX];
    size_t plen;
    const char *text = zset_pair_text(p, digits, &plen);
    return zset_before(score, member, len, p->score, text, plen);
}

static bool zset_packed_find(const zset_value *z, const char *member, size_t len, zset_pair *p)
{
    int64_t v = 0;
    bool query_is_int = zset_member_as_int(member, len, &v);
    uint32_t offset = 0;
    while (offset < z->bytes) {
        offset = zset_pair_read(z, offset, p);
        if (zset_pair_is(p, member, len, query_is_int, v))
            return true;
    }
    return false;
}

/* Where the pair of a rank starts (or z->bytes for rank == count). */
static uint32_t zset_packed_offset(const zset_value *z, size_t rank)
{
    uint32_t offset = 0;
    zset_pair p;
    while (rank-- > 0)
        offset = zset_pair_read(z, offset, &p);
    return offset;
}

/* Make [from, from + old) of the packed bytes `fresh` bytes long, moving
 * what follows; grows before the move and shrinks after it. */
static void zset_packed_resize(zset_value *z, uint32_t from, uint32_t old, uint32_t fresh)
{
    uint32_t tail = z->bytes - from - old;
    uint32_t total = z->bytes - old + fresh;
    if (fresh > old)
        z->packed = mem_realloc(z->packed, total);
    memmove(z->packed + from + fresh, z->packed + from + old, tail);
    if (fresh < old) {
        if (total == 0) {
            mem_free(z->packed);
            z->packed = NULL;
        } else {
            z->packed = mem_realloc(z->packed, total);
        }
    }
    z->bytes = total;
}

/* Insert a pair where the order puts it (the member is not there yet). */
static void zset_packed_insert(zset_value *z, const char *member, size_t len, double score)
{
    uint32_t at = 0;
    zset_pair p;
    while (at < z->bytes) {
        zset_pair_read(z, at, &p);
        if (zset_pair_after(&p, score, member, len))
            break;
        at = p.next;
    }
    unsigned char small[ZSET_PAIR_OVERHEAD + 64];
    unsigned char *encoded = len <= 64 ? small : mem_alloc(ZSET_PAIR_OVERHEAD + len);
    uint32_t size = (uint32_t)zset_pair_write(encoded, member, len, score);
    zset_packed_resize(z, at, 0, size);
    memcpy(z->packed + at, encoded, size);
    if (encoded != small)
        mem_free(encoded);
    z->count++;
}

static void zset_packed_append(zset_value *z, const char *member, size_t len, double score)
{
    unsigned char small[ZSET_PAIR_OVERHEAD + 64];
    unsigned char *encoded = len <= 64 ? small : mem_alloc(ZSET_PAIR_OVERHEAD + len);
    uint32_t size = (uint32_t)zset_pair_write(encoded, member, len, score);
    uint32_t at = z->bytes;
    zset_packed_resize(z, at, 0, size);
    memcpy(z->packed + at, encoded, size);
    if (encoded != small)
        mem_free(encoded);
    z->count++;
}

/* The offsets of the pairs of ranks 0..n-1, in a new array. */
static uint32_t *zset_packed_offsets(const zset_value *z, size_t n)
{
    uint32_t *offsets = mem_alloc(sizeof(*offsets) * (n > 0 ? n : 1));
    uint32_t offset = 0;
    zset_pair p;
    for (size_t i = 0; i < n; i++) {
        offsets[i] = offset;
        offset = zset_pair_read(z, offset, &p);
    }
    return offsets;
}

/* ---------------- The skip list ---------------- */

static zset_node *zset_node_new(int level, double score, dict_entry *member)
{
    zset_node *x = mem_alloc(sizeof(*x) + (size_t)level * sizeof(x->level[0]));
    x->score = score;
    x->member = member;
    x->backward = NULL;
    return x;
}

/* 1 with probability 3/4, 2 with 3/16 ...: 1.33 links a node on average. */
static int zset_random_level(void)
{
    int level = 1;
    while (level < ZSET_MAX_LEVEL && (zset_random() & 3) == 0)
        level++;
    return level;
}

static zset_skiplist *zset_list_new(void)
{
    zset_skiplist *sl = mem_alloc(sizeof(*sl));
    sl->table = dict_create();
    sl->header = zset_node_new(ZSET_MAX_LEVEL, 0, NULL);
    for (int i = 0; i < ZSET_MAX_LEVEL; i++) {
        sl->header->level[i].forward = NULL;
        sl->header->level[i].span = 0;
    }
    sl->tail = NULL;
    sl->length = 0;
    sl->level = 1;
    return sl;
}

static void zset_list_free(zset_skiplist *sl)
{
    zset_node *x = sl->header->level[0].forward;
    while (x != NULL) {
        zset_node *next = x->level[0].forward;
        mem_free(x);
        x = next;
    }
    mem_free(sl->header);
    dict_destroy(sl->table, NULL);
    mem_free(sl);
}

/* Whether node x comes before (score, member) in the order. */
static bool zset_node_before(const zset_node *x, double score, const char *member, size_t len)
{
    return zset_before(x->score, x->member->key, x->member->keylen, score, member, len);
}

/* The last node of each level before (score, member), and its rank (the
 * members up to and including it), into update[] and rank[]. */
static void zset_list_path(zset_skiplist *sl, double score, const char *member, size_t len,
                           zset_node **update, size_t *rank)
{
    zset_node *x = sl->header;
    for (int i = sl->level - 1; i >= 0; i--) {
        rank[i] = i == sl->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward != NULL && zset_node_before(x->level[i].forward, score, member, len)) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
}

/* Link node x, `level` links high, where its score and member put it. */
static void zset_list_link(zset_skiplist *sl, zset_node *x, int level)
{
    zset_node *update[ZSET_MAX_LEVEL];
    size_t rank[ZSET_MAX_LEVEL];
    zset_list_path(sl, x->score, x->member->key, x->member->keylen, update, rank);
    if (level > sl->level) {
        for (int i = sl->level; i < level; i++) {
            rank[i] = 0;
            update[i] = sl->header;
            update[i]->level[i].span = sl->length;
        }
        sl->level = level;
    }
    for (int i = 0; i < level; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        /* rank[0] - rank[i]: the members between update[i] and x. */
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = rank[0] - rank[i] + 1;
    }
    for (int i = level; i < sl->level; i++)
        update[i]->level[i].span++;
    x->backward = update[0] == sl->header ? NULL : update[0];
    if (x->level[0].forward != NULL)
        x->level[0].forward->backward = x;
    else
        sl->tail = x;
    sl->length++;
}

/* Take x out of the list (update[]: the path to it); returns how many
 * levels it had, so it can be linked again as high. */
static int zset_list_unlink(zset_skiplist *sl, zset_node *x, zset_node **update)
{
    int level = 0;
    for (int i = 0; i < sl->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
            level = i + 1;
        } else {
            update[i]->level[i].span--;
        }
    }
    if (x->level[0].forward != NULL)
        x->level[0].forward->backward = x->backward;
    else
        sl->tail = x->backward;
    while (sl->level > 1 && sl->header->level[sl->level - 1].forward == NULL)
        sl->level--;
    sl->length--;
    return level;
}

/* A new member: its entry in the table, then its node. The table takes
 * one more rehash step than a lookup pays while it grows, so the old
 * bucket array goes back soon after a burst of adds (as data/set.c). */
static void zset_list_insert(zset_skiplist *sl, const char *member, size_t len, double score)
{
    bool created;
    dict_entry *e = dict_add_or_find(sl->table, member, len, &created);
    if (dict_is_rehashing(sl->table))
        dict_rehash_steps(sl->table, 1);
    int level = zset_random_level();
    zset_node *x = zset_node_new(level, score, e);
    e->value = x;
    zset_list_link(sl, x, level);
}

/* Take a node out of both the list and the table, and free it. */
static void zset_list_remove(zset_skiplist *sl, zset_node *x, zset_node **update)
{
    zset_list_unlink(sl, x, update);
    dict_entry *e = dict_unlink(sl->table, x->member->key, x->member->keylen);
    dict_free_unlinked(e);
    mem_free(x);
}

static bool zset_list_delete(zset_skiplist *sl, const char *member, size_t len)
{
    dict_entry *e = dict_find(sl->table, member, len);
    if (e == NULL)
        return false;
    zset_node *x = e->value;
    zset_node *update[ZSET_MAX_LEVEL];
    size_t rank[ZSET_MAX_LEVEL];
    zset_list_path(sl, x->score, e->key, e->keylen, update, rank);
    zset_list_remove(sl, x, update);
    return true;
}

/* A new score for node x. When it keeps its place (strictly between its
 * neighbours' scores) only the score changes; otherwise the node is
 * unlinked and linked again where it now belongs, as high as it was, so
 * the table's entry keeps pointing at it. */
static void zset_list_rescore(zset_skiplist *sl, zset_node *x, double score)
{
    zset_node *next = x->level[0].forward;
    if ((x->backward == NULL || x->backward->score < score) && (next == NULL || next->score > score)) {
        x->score = score;
        return;
    }
    zset_node *update[ZSET_MAX_LEVEL];
    size_t rank[ZSET_MAX_LEVEL];
    zset_list_path(sl, x->score, x->member->key, x->member->keylen, update, rank);
    int level = zset_list_unlink(sl, x, update);
    x->score = score;
    zset_list_link(sl, x, level);
}

/* The node of a rank (0-based, < length), by the spans: O(log n). */
static zset_node *zset_list_at(const zset_skiplist *sl, size_t rank)
{
    zset_node *x = sl->header;
    size_t traversed = 0, want = rank + 1;
    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && traversed + x->level[i].span <= want) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == want)
            return x;
    }
    return NULL;
}

/* The rank (0-based) of a node of the list. */
static size_t zset_list_rank(const zset_skiplist *sl, const zset_node *node)
{
    const char *member = node->member->key;
    size_t len = node->member->keylen;
    zset_node *x = sl->header;
    size_t traversed = 0;
    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && x->level[i].forward != node &&
               zset_node_before(x->level[i].forward, node->score, member, len)) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x->level[i].forward == node)
            return traversed + x->level[i].span - 1;
    }
    return traversed;       /* not reached: node is in the list */
}

/* The first and last ranks in a range, by two descents: the first goes
 * right while a node is below the range, the second while it is not
 * above it. in_min and in_max are the range's two tests. */
typedef bool zset_range_test(const void *range, const zset_node *x);

static bool zset_list_range(const zset_skiplist *sl, const void *range, zset_range_test *in_min,
                            zset_range_test *in_max, size_t *first, size_t *last)
{
    zset_node *x = sl->header;
    size_t traversed = 0;
    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && !in_min(range, x->level[i].forward)) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
    }
    x = x->level[0].forward;
    if (x == NULL || !in_max(range, x))
        return false;
    *first = traversed;
    x = sl->header;
    traversed = 0;
    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && in_max(range, x->level[i].forward)) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
    }
    if (x == sl->header || !in_min(range, x) || traversed - 1 < *first)
        return false;
    *last = traversed - 1;
    return true;
}

static bool zset_node_score_gte_min(const void *range, const zset_node *x)
{
    return zset_score_gte_min(range, x->score);
}

static bool zset_node_score_lte_max(const void *range, const zset_node *x)
{
    return zset_score_lte_max(range, x->score);
}

static bool zset_node_lex_gte_min(const void *range, const zset_node *x)
{
    return zset_lex_gte_min(range, x->member->key, x->member->keylen);
}

static bool zset_node_lex_lte_max(const void *range, const zset_node *x)
{
    return zset_lex_lte_max(range, x->member->key, x->member->keylen);
}

/* Remove ranks first..last in one walk: the path to the first is also
 * the path to every node after it that goes, since they go in order. */
static size_t zset_list_delete_ranks(zset_skiplist *sl, size_t first, size_t last)
{
    zset_node *update[ZSET_MAX_LEVEL];
    zset_node *x = sl->header;
    size_t traversed = 0;
    for (int i = sl->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && traversed + x->level[i].span <= first) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    size_t removed = 0;
    x = x->level[0].forward;
    while (x != NULL && removed < last - first + 1) {
        zset_node *next = x->level[0].forward;
        zset_list_remove(sl, x, update);
        removed++;
        x = next;
    }
    return removed;
}

static void zset_member_of_node(zset_member *out, const zset_node *x)
{
    out->bytes = x->member->key;
    out->len = x->member->keylen;
    out->score = x->score;
}

/* ---------------- Conversion ---------------- */

/* Packed to skip list, for good: Redis never converts back either, since
 * a set that grew once is likely to grow again. */
static void zset_convert(zset_value *z)
{
    zset_skiplist *sl = zset_list_new();
    uint32_t offset = 0;
    while (offset < z->bytes) {
        zset_pair p;
        char digits[NUM_LL_MAX];
        size_t len;
        offset = zset_pair_read(z, offset, &p);
        const char *text = zset_pair_text(&p, digits, &len);
        zset_list_insert(sl, text, len, p.score);
    }
    mem_free(z->packed);
    z->list = sl;
    z->is_skiplist = 1;
    z->count = 0;
    z->bytes = 0;
}

void zset_pack_if_small(zset_value *z, const zset_limits *lim)
{
    if (!z->is_skiplist || z->list->length > lim->max_entries)
        return;
    size_t total = 0;
    for (zset_node *x = z->list->header->level[0].forward; x != NULL; x = x->level[0].forward) {
        if (x->member->keylen > lim->max_value)
            return;
        total += x->member->keylen + ZSET_PAIR_OVERHEAD;
    }
    if (total > ZSET_PACKED_MAX)
        return;
    zset_skiplist *sl = z->list;
    z->is_skiplist = 0;
    z->packed = NULL;
    z->count = 0;
    z->bytes = 0;
    for (zset_node *x = sl->header->level[0].forward; x != NULL; x = x->level[0].forward)
        zset_packed_append(z, x->member->key, x->member->keylen, x->score);
    zset_list_free(sl);
}

/* Would the packed form still do with one more member of len bytes? */
static bool zset_packed_fits(const zset_value *z, size_t len, const zset_limits *lim)
{
    if ((size_t)z->count + 1 > lim->max_entries || len > lim->max_value)
        return false;
    return (size_t)z->bytes + ZSET_PAIR_OVERHEAD + len <= ZSET_PACKED_MAX;
}

/* ---------------- The API ---------------- */

void zset_init(zset_value *z)
{
    memset(z, 0, sizeof(*z));
}

void zset_clear(zset_value *z)
{
    if (z->is_skiplist)
        zset_list_free(z->list);
    else
        mem_free(z->packed);
    zset_init(z);
}

size_t zset_length(const zset_value *z)
{
    return z->is_skiplist ? z->list->length : z->count;
}

const char *zset_encoding_name(const zset_value *z)
{
    return z->is_skiplist ? "skiplist" : "listpack";
}

void zset_copy(zset_value *to, zset_value *from)
{
    zset_init(to);
    if (!from->is_skiplist) {
        if (from->bytes > 0) {
            to->packed = mem_alloc(from->bytes);
            memcpy(to->packed, from->packed, from->bytes);
        }
        to->count = from->count;
        to->bytes = from->bytes;
        return;
    }
    to->list = zset_list_new();
    to->is_skiplist = 1;
    for (zset_node *x = from->list->header->level[0].forward; x != NULL; x = x->level[0].forward)
        zset_list_insert(to->list, x->member->key, x->member->keylen, x->score);
}

void zset_member_copy(zset_member *to, const zset_member *from)
{
    *to = *from;
    if (from->bytes == from->digits)
        to->bytes = to->digits;
}

bool zset_score(zset_value *z, const char *member, size_t len, double *score)
{
    if (z->is_skiplist) {
        dict_entry *e = dict_find(z->list->table, member, len);
        if (e == NULL)
            return false;
        *score = ((zset_node *)e->value)->score;
        return true;
    }
    zset_pair p;
    if (!zset_packed_find(z, member, len, &p))
        return false;
    *score = p.score;
    return true;
}

/* ZADD's decision for a member already there, at score `current`: the
 * flags it returns, and the score to set in *score. */
static int zset_update_rule(int flags, double current, double *score)
{
    if (flags & ZSET_NX)
        return ZSET_NOP;
    if (flags & ZSET_INCR) {
        *score += current;
        if (isnan(*score))
            return ZSET_NAN;
    }
    if (((flags & ZSET_LT) && *score >= current) || ((flags & ZSET_GT) && *score <= current))
        return ZSET_NOP;
    return *score != current ? ZSET_UPDATED : 0;
}

/* A member found in the packed form at pair p: an update moves it to
 * where its new score puts it. */
static int zset_update_packed(zset_value *z, const zset_pair *p, const char *member, size_t len, double score,
                              int flags, double *score_now)
{
    int out = zset_update_rule(flags, p->score, &score);
    if (out & (ZSET_NOP | ZSET_NAN))
        return out;
    *score_now = score;
    if (out & ZSET_UPDATED) {
        zset_packed_resize(z, p->start, p->next - p->start, 0);
        z->count--;
        zset_packed_insert(z, member, len, score);
    }
    return out;
}

static int zset_add_list(zset_skiplist *sl, const char *member, size_t len, double score, int flags,
                         double *score_now)
{
    dict_entry *e = dict_find(sl->table, member, len);
    if (e != NULL) {
        zset_node *x = e->value;
        int out = zset_update_rule(flags, x->score, &score);
        if (out & (ZSET_NOP | ZSET_NAN))
            return out;
        *score_now = score;
        if (out & ZSET_UPDATED)
            zset_list_rescore(sl, x, score);
        return out;
    }
    if (flags & ZSET_XX)
        return ZSET_NOP;
    zset_list_insert(sl, member, len, score);
    *score_now = score;
    return ZSET_ADDED;
}

int zset_add(zset_value *z, const char *member, size_t len, double score, int flags, double *score_now,
             const zset_limits *lim)
{
    if (isnan(score))
        return ZSET_NAN;
    if (!z->is_skiplist) {
        zset_pair p;
        if (zset_packed_find(z, member, len, &p))
            return zset_update_packed(z, &p, member, len, score, flags, score_now);
        if (flags & ZSET_XX)
            return ZSET_NOP;
        if (zset_packed_fits(z, len, lim)) {
            zset_packed_insert(z, member, len, score);
            *score_now = score;
            return ZSET_ADDED;
        }
        zset_convert(z);
    }
    return zset_add_list(z->list, member, len, score, flags, score_now);
}

bool zset_delete(zset_value *z, const char *member, size_t len)
{
    if (z->is_skiplist)
        return zset_list_delete(z->list, member, len);
    zset_pair p;
    if (!zset_packed_find(z, member, len, &p))
        return false;
    zset_packed_resize(z, p.start, p.next - p.start, 0);
    z->count--;
    return true;
}

bool zset_rank(zset_value *z, const char *member, size_t len, size_t *rank)
{
    if (z->is_skiplist) {
        dict_entry *e = dict_find(z->list->table, member, len);
        if (e == NULL)
            return false;
        *rank = zset_list_rank(z->list, e->value);
        return true;
    }
    int64_t v = 0;
    bool query_is_int = zset_member_as_int(member, len, &v);
    uint32_t offset = 0;
    for (size_t i = 0; offset < z->bytes; i++) {
        zset_pair p;
        offset = zset_pair_read(z, offset, &p);
        if (zset_pair_is(&p, member, len, query_is_int, v)) {
            *rank = i;
            return true;
        }
    }
    return false;
}

/* The packed form's ranges: one walk, the first member in the range, then
 * on to the last one not above it. */
typedef bool zset_pair_test(const void *range, const zset_pair *p);

static bool zset_packed_range(const zset_value *z, const void *range, zset_pair_test *in_min,
                              zset_pair_test *in_max, size_t *first, size_t *last)
{
    uint32_t offset = 0;
    size_t i = 0;
    zset_pair p;
    bool found = false;
    while (offset < z->bytes) {
        offset = zset_pair_read(z, offset, &p);
        if (!found) {
            if (in_min(range, &p)) {
                if (!in_max(range, &p))
                    return false;
                found = true;
                *first = *last = i;
            }
        } else if (in_max(range, &p)) {
            *last = i;
        } else {
            break;
        }
        i++;
    }
    return found;
}

static bool zset_pair_score_gte_min(const void *range, const zset_pair *p)
{
    return zset_score_gte_min(range, p->score);
}

static bool zset_pair_score_lte_max(const void *range, const zset_pair *p)
{
    return zset_score_lte_max(range, p->score);
}

static bool zset_pair_lex_gte_min(const void *range, const zset_pair *p)
{
    char digits[NUM_LL_MAX];
    size_t len;
    const char *text = zset_pair_text(p, digits, &len);
    return zset_lex_gte_min(range, text, len);
}

static bool zset_pair_lex_lte_max(const void *range, const zset_pair *p)
{
    char digits[NUM_LL_MAX];
    size_t len;
    const char *text = zset_pair_text(p, digits, &len);
    return zset_lex_lte_max(range, text, len);
}

bool zset_score_range_ranks(zset_value *z, const zset_score_range *r, size_t *first, size_t *last)
{
    if (z->is_skiplist)
        return zset_list_range(z->list, r, zset_node_score_gte_min, zset_node_score_lte_max, first, last);
    return zset_packed_range(z, r, zset_pair_score_gte_min, zset_pair_score_lte_max, first, last);
}

bool zset_lex_range_ranks(zset_value *z, const zset_lex_range *r, size_t *first, size_t *last)
{
    if (z->is_skiplist)
        return zset_list_range(z->list, r, zset_node_lex_gte_min, zset_node_lex_lte_max, first, last);
    return zset_packed_range(z, r, zset_pair_lex_gte_min, zset_pair_lex_lte_max, first, last);
}

size_t zset_delete_rank_range(zset_value *z, size_t first, size_t last)
{
    if (z->is_skiplist)
        return zset_list_delete_ranks(z->list, first, last);
    uint32_t from = zset_packed_offset(z, first);
    uint32_t to = from;
    zset_pair p;
    for (size_t i = first; i <= last; i++)
        to = zset_pair_read(z, to, &p);
    zset_packed_resize(z, from, to - from, 0);
    z->count -= (uint32_t)(last - first + 1);
    return last - first + 1;
}

/* ---------------- Iteration ---------------- */

void zset_iter_start(zset_iter *it, zset_value *z, size_t rank, size_t count, bool reverse)
{
    memset(it, 0, sizeof(*it));
    it->z = z;
    it->reverse = reverse;
    it->left = count;
    if (count == 0)
        return;
    if (z->is_skiplist) {
        zset_skiplist *sl = z->list;
        if (rank == 0)
            it->node = sl->header->level[0].forward;
        else if (rank == sl->length - 1)
            it->node = sl->tail;
        else
            it->node = zset_list_at(sl, rank);
    } else if (reverse) {
        it->offsets = zset_packed_offsets(z, rank + 1);
        it->index = rank;
    } else {
        it->offset = zset_packed_offset(z, rank);
    }
}

bool zset_iter_next(zset_iter *it, zset_member *out)
{
    if (it->left == 0)
        return false;
    it->left--;
    if (it->z->is_skiplist) {
        zset_member_of_node(out, it->node);
        it->node = it->reverse ? it->node->backward : it->node->level[0].forward;
        return true;
    }
    zset_pair p;
    if (it->reverse) {
        zset_pair_read(it->z, it->offsets[it->index], &p);
        it->index--;
    } else {
        it->offset = zset_pair_read(it->z, it->offset, &p);
    }
    zset_member_of_pair(out, &p);
    return true;
}

void zset_iter_end(zset_iter *it)
{
    mem_free(it->offsets);
    it->offsets = NULL;
}

/* ---------------- Scanning ---------------- */

typedef struct zset_scan_state {
    zset_scan_fn *fn;
    void *data;
} zset_scan_state;

static void zset_scan_entry(void *data, dict_entry *e)
{
    zset_scan_state *s = data;
    zset_member m;
    zset_member_of_node(&m, e->value);
    s->fn(s->data, &m);
}

size_t zset_scan(zset_value *z, size_t cursor, zset_scan_fn *fn, void *data)
{
    if (z->is_skiplist) {
        zset_scan_state s = {fn, data};
        return dict_scan(z->list->table, cursor, zset_scan_entry, &s);
    }
    zset_iter it;
    zset_member m;
    zset_iter_start(&it, z, 0, z->count, false);
    while (zset_iter_next(&it, &m))
        fn(data, &m);
    zset_iter_end(&it);
    return 0;
}

/* ---------------- Random members ---------------- */

/* A skip list asks its table, whose dict_random_entry is fair; a packed
 * set is listed once (its offsets), then indexed. */
void zset_random_members(zset_value *z, size_t n, zset_member *out)
{
    if (z->is_skiplist) {
        for (size_t i = 0; i < n; i++) {
            dict_entry *e = dict_random_entry(z->list->table);
            zset_member_of_node(&out[i], e->value);
        }
        return;
    }
    uint32_t *offsets = zset_packed_offsets(z, z->count);
    for (size_t i = 0; i < n; i++) {
        zset_pair p;
        zset_pair_read(z, offsets[zset_random_below(z->count)], &p);
        zset_member_of_pair(&out[i], &p);
    }
    mem_free(offsets);
}

/* Redis's two strategies (ZRANDMEMBER's CASE 3 and CASE 4). When n is a
 * good part of the set (or the set is packed, so small), shuffle the
 * first n of all the members into place (a partial Fisher-Yates, over
 * offsets or node pointers): each n-subset equally likely, in O(length).
 * When n is small against a big set, draw fair random members and drop
 * repeats, remembered in a scratch dict: since n <= length / 3, fewer
 * than 1.5 n draws on average. */
void zset_random_distinct(zset_value *z, size_t n, zset_member *out)
{
    size_t length = zset_length(z);
    if (!z->is_skiplist) {
        uint32_t *offsets = zset_packed_offsets(z, length);
        for (size_t i = 0; i < n; i++) {
            size_t j = i + zset_random_below(length - i);
            uint32_t swap = offsets[i];
            offsets[i] = offsets[j];
            offsets[j] = swap;
            zset_pair p;
            zset_pair_read(z, offsets[i], &p);
            zset_member_of_pair(&out[i], &p);
        }
        mem_free(offsets);
        return;
    }
    if (n * 3 > length) {
        zset_node **all = mem_alloc(sizeof(*all) * length);
        size_t k = 0;
        for (zset_node *x = z->list->header->level[0].forward; x != NULL; x = x->level[0].forward)
            all[k++] = x;
        for (size_t i = 0; i < n; i++) {
            size_t j = i + zset_random_below(length - i);
            zset_node *swap = all[i];
            all[i] = all[j];
            all[j] = swap;
            zset_member_of_node(&out[i], all[i]);
        }
        mem_free(all);
        return;
    }
    dict *seen = dict_create();
    size_t got = 0;
    while (got < n) {
        dict_entry *e = dict_random_entry(z->list->table);
        bool created;
        dict_add_or_find(seen, e->key, e->keylen, &created);
        if (created)
            zset_member_of_node(&out[got++], e->value);
    }
    dict_destroy(seen, NULL);
}

/* ---------------- Scores as text ---------------- */

size_t zset_format_score(char *out, double score)
{
    return num_format_double(out, score);
}

size_t zset_format_packed_score(char *out, double score)
{
    int64_t v;
    if (!zset_score_as_int(score, &v))
        return zset_format_score(out, score);
    size_t n = num_format_ll(out, v);
    out[n] = '\0';
    return n;
}

/* ---------------- Checks ---------------- */

static bool zset_check_packed(const zset_value *z)
{
    if ((z->bytes == 0) != (z->packed == NULL) || (z->bytes == 0) != (z->count == 0))
        return false;
    uint32_t offset = 0, pairs = 0;
    zset_pair p, prev;
    while (offset < z->bytes) {
        offset = zset_pair_read(z, offset, &p);
        if (pairs > 0) {
            char digits[NUM_LL_MAX];
            size_t len;
            const char *text = zset_pair_text(&prev, digits, &len);
            if (!zset_pair_after(&p, prev.score, text, len))
                return false;
        }
        prev = p;
        pairs++;
    }
    return offset == z->bytes && pairs == z->count;
}

static bool zset_check_list(const zset_skiplist *sl)
{
    if (dict_size(sl->table) != sl->length)
        return false;
    size_t n = 0;
    zset_node *prev = NULL;
    for (zset_node *x = sl->header->level[0].forward; x != NULL; x = x->level[0].forward) {
        if (x->backward != prev || x->member->value != x || (x->level[0].forward != NULL && x->level[0].span != 1))
            return false;
        if (prev != NULL && !zset_node_before(prev, x->score, x->member->key, x->member->keylen))
            return false;
        prev = x;
        n++;
    }
    if (n != sl->length || sl->tail != prev)
        return false;
    /* On every level the spans add up to the ranks of the nodes reached. */
    for (int i = 0; i < sl->level; i++) {
        size_t rank = 0;
        for (zset_node *x = sl->header; x->level[i].forward != NULL; x = x->level[i].forward) {
            rank += x->level[i].span;
            if (zset_list_at(sl, rank - 1) != x->level[i].forward)
                return false;
        }
    }
    return true;
}

bool zset_check(const zset_value *z)
{
    return z->is_skiplist ? zset_check_list(z->list) : zset_check_packed(z);
}
