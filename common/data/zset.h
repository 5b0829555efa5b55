/* zset: the sorted set value, members ordered by score (Part II, sorted
 * sets).
 *
 * A sorted set holds each member once, with a score (a double), and keeps
 * them ordered by (score, member): equal scores fall back to the members'
 * bytes, compared as memcmp does, the shorter first on a tie. That order
 * is what every range command reads: by rank (the index in that order),
 * by score, or, when all scores are equal, by member ("lex").
 *
 * Two encodings, as in Redis:
 *
 *   - packed, while the set is small: one allocation holding the pairs in
 *     order, one after the other, the way Redis's listpack holds them. A
 *     lookup walks it, O(n), but n is at most zset-max-listpack-entries
 *     (128) and the walk stays in a few cache lines;
 *   - a skip list with spans plus a hash table (data/dict.h) from member to
 *     node, once the set has more than `max_entries` members or a member
 *     longer than `max_value` bytes: the table answers ZSCORE in O(1), the
 *     skip list answers ranks and ranges in O(log n).
 *
 * The change is one way for the commands that add members: a set that
 * grew stays a skip list even if it shrinks. Only the STORE commands build
 * a fresh set and pack it when it is small (zset_pack_if_small), as Redis
 * does. The limits are the caller's (zset_limits): this layer reads no
 * configuration.
 *
 *     zset_value z;
 *     zset_limits lim = {128, 64};
 *     zset_init(&z);
 *     double now;
 *     zset_add(&z, "ada", 3, 1.5, 0, &now, &lim);     // ZSET_ADDED
 *     size_t rank;
 *     zset_rank(&z, "ada", 3, &rank);                   // true, rank 0
 *     zset_iter it;
 *     zset_member m;
 *     zset_iter_start(&it, &z, 0, false);
 *     while (zset_iter_next(&it, &m)) ... m.bytes, m.len, m.score ...
 *     zset_iter_end(&it);
 *     zset_clear(&z);
 */
#ifndef ZSET_H
#define ZSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/num.h"
#include "data/dict.h"

typedef struct zset_limits {
    size_t max_entries;         /* members a packed set may hold (zset-max-listpack-entries) */
    size_t max_value;           /* the longest member it may hold (zset-max-listpack-value) */
} zset_limits;

typedef struct zset_skiplist zset_skiplist;     /* zset.c's */
typedef struct zset_node zset_node;

/* 16 bytes, as hash_map: the encoding and the packed sizes share a word. */
typedef struct zset_value {
    uint32_t is_skiplist : 1;   /* 0: packed bytes; 1: skip list and table, for good */
    uint32_t count : 31;        /* members, while packed */
    uint32_t bytes;             /* bytes of packed in use, while packed */
    union {
        unsigned char *packed;  /* the pairs in order; NULL when empty */
        zset_skiplist *list;    /* once converted */
    };
} zset_value;

/* A member as read from a set: bytes stay valid until the set changes. A
 * packed set keeps a canonical integer member ("42") as a number, so its
 * text is written into `digits` and bytes points there: copy a zset_member
 * with zset_member_copy, never with `=`. */
typedef struct zset_member {
    const char *bytes;
    size_t len;
    double score;
    char digits[NUM_LL_MAX];
} zset_member;

/* A range of scores: min <= score <= max, or < with the *_open flags
 * (ZRANGEBYSCORE's "(1.5"). -inf and +inf are ordinary doubles here. */
typedef struct zset_score_range {
    double min, max;
    bool min_open, max_open;
} zset_score_range;

/* One end of a range of members (ZRANGEBYLEX): "[a" takes a, "(a" leaves
 * it out, "-" is before every member and "+" after every member. */
enum zset_lex_kind { ZSET_LEX_CLOSED, ZSET_LEX_OPEN, ZSET_LEX_MINUS, ZSET_LEX_PLUS };

typedef struct zset_lex_bound {
    const char *bytes;          /* without the '[' or '(' */
    size_t len;
    int kind;                   /* enum zset_lex_kind */
} zset_lex_bound;

typedef struct zset_lex_range {
    zset_lex_bound min, max;
} zset_lex_range;

/* Reading in order from a rank, up (forward) or down (reverse). */
typedef struct zset_iter {
    zset_value *z;
    bool reverse;
    size_t left;                /* members still to give */
    uint32_t offset;            /* packed, forward: where the next pair starts */
    uint32_t *offsets;          /* packed, reverse: where each pair starts */
    size_t index;               /* packed, reverse: the next pair's index */
    zset_node *node;            /* skip list: the next node */
} zset_iter;

/* ZADD's flags, in and out (Redis's ZADD_IN_* and ZADD_OUT_*). */
#define ZSET_NX 1               /* only add new members */
#define ZSET_XX 2               /* only update existing ones */
#define ZSET_GT 4               /* only update to a greater score */
#define ZSET_LT 8               /* only update to a lesser score */
#define ZSET_INCR 16            /* add the score to the current one */

#define ZSET_ADDED 1            /* the member is new */
#define ZSET_UPDATED 2          /* its score changed */
#define ZSET_NOP 4              /* nothing done, as a flag asked */
#define ZSET_NAN 8              /* refused: the score is (or would become) NaN */

void zset_init(zset_value *z);              /* empty and packed, holding no memory */
void zset_clear(zset_value *z);             /* frees everything; z is empty and packed after */
size_t zset_length(const zset_value *z);
static inline bool zset_is_packed(const zset_value *z) { return !z->is_skiplist; }
const char *zset_encoding_name(const zset_value *z);    /* "listpack" or "skiplist", as OBJECT ENCODING */
void zset_copy(zset_value *to, zset_value *from);   /* to: uninitialised; same encoding */
void zset_member_copy(zset_member *to, const zset_member *from);

/* Add or update one member with ZADD's rules and flags; returns the
 * ZSET_ADDED / UPDATED / NOP / NAN flags and, unless NOP or NAN, the
 * member's score now in *score_now. Converts to a skip list when a new
 * member would pass lim. The member's bytes may not point into z. */
int zset_add(zset_value *z, const char *member, size_t len, double score, int flags, double *score_now,
             const zset_limits *lim);
bool zset_delete(zset_value *z, const char *member, size_t len);    /* false if missing */
bool zset_score(zset_value *z, const char *member, size_t len, double *score);   /* false if missing */
bool zset_rank(zset_value *z, const char *member, size_t len, size_t *rank);     /* 0 = lowest score */

/* The ranks of the first and last members in a range; false when none is
 * in it. ZCOUNT is last - first + 1, ZRANGEBYSCORE reads from first. */
bool zset_score_range_ranks(zset_value *z, const zset_score_range *r, size_t *first, size_t *last);
bool zset_lex_range_ranks(zset_value *z, const zset_lex_range *r, size_t *first, size_t *last);

/* Remove the members of ranks first..last (both in, first <= last <
 * length); returns how many went. ZPOPMIN is rank 0..0. */
size_t zset_delete_rank_range(zset_value *z, size_t first, size_t last);

/* `count` members from rank `rank` on, going up, or down when reverse
 * (rank 0 down gives one member). Nothing may change z before
 * zset_iter_end. The ranks must exist. */
void zset_iter_start(zset_iter *it, zset_value *z, size_t rank, size_t count, bool reverse);
bool zset_iter_next(zset_iter *it, zset_member *out);
void zset_iter_end(zset_iter *it);

/* ZSCAN: a packed set gives all its members at once and returns 0; a skip
 * list gives one bucket of its table's and returns the next cursor
 * (dict_scan's rules). */
typedef void zset_scan_fn(void *data, const zset_member *m);
size_t zset_scan(zset_value *z, size_t cursor, zset_scan_fn *fn, void *data);

/* ZRANDMEMBER: every member has the same chance. zset_random_members: n
 * independent picks (repeats allowed); zset_random_distinct: n distinct
 * members, n < zset_length(z), in random order. z must not be empty. */
void zset_random_members(zset_value *z, size_t n, zset_member *out);
void zset_random_distinct(zset_value *z, size_t n, zset_member *out);

/* The STORE commands' last step: a skip list of at most max_entries
 * members, none longer than max_value, becomes packed (Redis's
 * zsetConvertToListpackIfNeeded). */
void zset_pack_if_small(zset_value *z, const zset_limits *lim);

/* A score as Redis 7.0 writes it in replies and in its AOF: "%.17g"
 * (1.1 is "1.1000000000000001"), "inf" and "-inf". NUL-terminated;
 * returns the length. */
#define ZSET_SCORE_TEXT_MAX 32
size_t zset_format_score(char *out, double score);
/* The same as a packed set holds it: an integral score (within +-2^62)
 * as an integer ("100000000000000000" where the other says "1e+17"), which
 * is how ZSCAN of a listpack shows it in Redis. */
size_t zset_format_packed_score(char *out, double score);

/* For the unit tests: the packed bytes walk to their count and size, the
 * skip list's order, spans, back links and table agree. */
bool zset_check(const zset_value *z);

#endif
