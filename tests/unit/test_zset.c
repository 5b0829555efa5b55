/* Unit tests of zset: the sorted set value, packed while small, a skip
 * list with a table once big (Part II, sorted sets). Every test that is
 * about the order runs on both encodings: the packed one with large
 * limits, the skip list forced by a limit of 0 entries. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "data/zset.h"

static const zset_limits PACKED = {1000000, 1000000};    /* stays packed */
static const zset_limits LISTED = {0, 0};                /* a skip list from the first member */
static const zset_limits DEFAULT = {128, 64};            /* Redis's defaults */

static int add(zset_value *z, const char *m, double score, const zset_limits *lim)
{
    double now;
    return zset_add(z, m, strlen(m), score, 0, &now, lim);
}

static bool same(const zset_member *m, const char *text)
{
    return m->len == strlen(text) && memcmp(m->bytes, text, m->len) == 0;
}

/* The members from rank `rank`, `count` of them, as "a b c". */
static void listing(zset_value *z, size_t rank, size_t count, bool reverse, char *out, size_t size)
{
    zset_iter it;
    zset_member m;
    size_t n = 0;
    out[0] = '\0';
    zset_iter_start(&it, z, rank, count, reverse);
    while (zset_iter_next(&it, &m))
        n += (size_t)snprintf(out + n, size - n, "%s%.*s", n ? " " : "", (int)m.len, m.bytes);
    zset_iter_end(&it);
}

static void expect_listing(zset_value *z, size_t rank, size_t count, bool reverse, const char *want)
{
    char got[512];
    listing(z, rank, count, reverse, got, sizeof(got));
    cr_expect_str_eq(got, want, "from rank %zu, %zu %s: got \"%s\", want \"%s\"", rank, count,
                     reverse ? "down" : "up", got, want);
}

/* Both encodings, for the tests of the order. */
typedef struct encoding_case {
    int listed;
} encoding_case;

static const zset_limits *limits_of(const encoding_case *e)
{
    return e->listed ? &LISTED : &PACKED;
}

static const char *name_of(const encoding_case *e)
{
    return e->listed ? "skiplist" : "listpack";
}

#define BOTH_ENCODINGS(name)                                                          \
    ParameterizedTestParameters(zset, name)                                           \
    {                                                                                 \
        static encoding_case cases[] = {{0}, {1}};                                    \
        return cr_make_param_array(encoding_case, cases, 2);                          \
    }

/* Five members, in order: e (-inf), b (1), a and c (2: the bytes decide),
 * d (3.5). */
static void five(zset_value *z, const zset_limits *lim)
{
    zset_init(z);
    add(z, "d", 3.5, lim);
    add(z, "c", 2, lim);
    add(z, "b", 1, lim);
    add(z, "a", 2, lim);
    add(z, "e", -INFINITY, lim);
}

/* ---------------- Encodings ---------------- */

Test(zset, a_new_set_is_empty_packed_and_holds_no_memory)
{
    size_t before = mem_used();
    zset_value z;
    zset_init(&z);
    cr_expect_eq(zset_length(&z), 0);
    cr_expect_str_eq(zset_encoding_name(&z), "listpack");
    double score;
    cr_expect_not(zset_score(&z, "a", 1, &score));
    cr_expect_not(zset_delete(&z, "a", 1));
    cr_expect_eq(mem_used(), before);
    zset_clear(&z);
}

Test(zset, one_member_past_the_entries_limit_converts_and_not_before)
{
    zset_value z;
    zset_init(&z);
    zset_limits lim = {4, 64};
    char text[16];
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof(text), "m%d", i);
        cr_expect_eq(add(&z, text, i, &lim), ZSET_ADDED);
    }
    cr_expect_str_eq(zset_encoding_name(&z), "listpack");
    cr_expect_eq(add(&z, "m1", 10, &lim), ZSET_UPDATED, "an update adds no member");
    cr_expect_str_eq(zset_encoding_name(&z), "listpack");
    cr_expect_eq(add(&z, "m9", 9, &lim), ZSET_ADDED);
    cr_expect_str_eq(zset_encoding_name(&z), "skiplist");
    cr_expect(zset_check(&z));
    expect_listing(&z, 0, 5, false, "m0 m2 m3 m9 m1");
    zset_clear(&z);
}

Test(zset, a_member_longer_than_the_value_limit_converts_but_one_at_the_limit_does_not)
{
    zset_value z;
    zset_init(&z);
    zset_limits lim = {128, 8};
    add(&z, "12345678", 1, &lim);
    cr_expect_str_eq(zset_encoding_name(&z), "listpack");
    add(&z, "123456789", 2, &lim);
    cr_expect_str_eq(zset_encoding_name(&z), "skiplist");
    zset_delete(&z, "123456789", 9);
    cr_expect_str_eq(zset_encoding_name(&z), "skiplist", "a skip list never goes back by itself");
    zset_clear(&z);
}

Test(zset, pack_if_small_packs_only_what_fits_both_limits)
{
    zset_value z;
    zset_init(&z);
    add(&z, "a", 1, &LISTED);
    add(&z, "bb", 2, &LISTED);
    zset_limits too_few = {1, 64}, too_short = {128, 1}, fits = {2, 2};
    zset_pack_if_small(&z, &too_few);
    cr_expect_str_eq(zset_encoding_name(&z), "skiplist");
    zset_pack_if_small(&z, &too_short);
    cr_expect_str_eq(zset_encoding_name(&z), "skiplist");
    zset_pack_if_small(&z, &fits);
    cr_expect_str_eq(zset_encoding_name(&z), "listpack");
    cr_expect(zset_check(&z));
    expect_listing(&z, 0, 2, false, "a bb");
    zset_clear(&z);
}

/* A score is stored as an integer when Redis's listpack stores one: -0.0
 * then reads back as 0, while the skip list keeps the sign (as Redis). */
Test(zset, minus_zero_is_zero_when_packed_and_keeps_its_sign_in_a_skip_list)
{
    zset_value z;
    double score;
    zset_init(&z);
    add(&z, "a", -0.0, &PACKED);
    zset_score(&z, "a", 1, &score);
    cr_expect(score == 0 && !signbit(score));
    zset_clear(&z);
    add(&z, "a", -0.0, &LISTED);
    zset_score(&z, "a", 1, &score);
    cr_expect(score == 0 && signbit(score));
    zset_clear(&z);
}

/* Every kind of score and member the packed form codes differently reads
 * back exactly. */
Test(zset, packed_scores_and_members_read_back_exactly)
{
    const double scores[] = {0, 1, -1, 119, -120, 120, -121, 255, 65536, -65537, 1e15, -4611686018427387904.0,
                             4611686018427387904.0, 1e19, 0.1, -2.5, 1e-310, INFINITY, -INFINITY, 3.0e300};
    const char *members[] = {"0", "-1", "42", "007", "+1", "-0", "4611686018427387903", "4611686018427387904",
                             "-4611686018427387904", "-4611686018427387905", "9223372036854775807", "", "a",
                             "x y", "1.5", "123456789012345678901"};
    size_t ns = sizeof(scores) / sizeof(scores[0]), nm = sizeof(members) / sizeof(members[0]);
    zset_value z;
    zset_init(&z);
    for (size_t i = 0; i < nm; i++)
        add(&z, members[i], scores[i % ns], &PACKED);
    cr_assert(zset_check(&z));
    for (size_t i = 0; i < nm; i++) {
        double score;
        cr_expect(zset_score(&z, members[i], strlen(members[i]), &score), "\"%s\" is found", members[i]);
        cr_expect(score == scores[i % ns], "\"%s\": %.17g, want %.17g", members[i], score, scores[i % ns]);
    }
    zset_iter it;
    zset_member m;
    size_t seen = 0;
    zset_iter_start(&it, &z, 0, nm, false);
    while (zset_iter_next(&it, &m)) {
        for (size_t i = 0; i < nm; i++)
            seen += same(&m, members[i]);
    }
    zset_iter_end(&it);
    cr_expect_eq(seen, nm, "every member comes back byte for byte");
    zset_clear(&z);
}

/* ---------------- Order, rank, ranges ---------------- */

BOTH_ENCODINGS(members_are_ordered_by_score_then_bytes)
ParameterizedTest(encoding_case *e, zset, members_are_ordered_by_score_then_bytes)
{
    zset_value z;
    five(&z, limits_of(e));
    cr_expect_str_eq(zset_encoding_name(&z), name_of(e));
    cr_assert(zset_check(&z));
    expect_listing(&z, 0, 5, false, "e b a c d");
    expect_listing(&z, 4, 5, true, "d c a b e");
    expect_listing(&z, 2, 2, false, "a c");
    expect_listing(&z, 2, 3, true, "a b e");
    const char *order[] = {"e", "b", "a", "c", "d"};
    for (size_t i = 0; i < 5; i++) {
        size_t rank;
        cr_expect(zset_rank(&z, order[i], 1, &rank));
        cr_expect_eq(rank, i, "rank of %s", order[i]);
    }
    size_t rank;
    cr_expect_not(zset_rank(&z, "zz", 2, &rank));
    zset_clear(&z);
}

BOTH_ENCODINGS(a_shorter_member_comes_first_on_a_common_prefix)
ParameterizedTest(encoding_case *e, zset, a_shorter_member_comes_first_on_a_common_prefix)
{
    zset_value z;
    zset_init(&z);
    add(&z, "ab", 0, limits_of(e));
    add(&z, "a", 0, limits_of(e));
    add(&z, "a\xff", 0, limits_of(e));
    add(&z, "10", 0, limits_of(e));
    add(&z, "9", 0, limits_of(e));
    expect_listing(&z, 0, 5, false, "10 9 a ab a\xff");
    zset_clear(&z);
}

static size_t count_in(zset_value *z, double min, bool min_open, double max, bool max_open, size_t *first)
{
    zset_score_range r = {min, max, min_open, max_open};
    size_t last;
    if (!zset_score_range_ranks(z, &r, first, &last))
        return 0;
    return last - *first + 1;
}

BOTH_ENCODINGS(score_ranges_give_their_first_and_last_ranks)
ParameterizedTest(encoding_case *e, zset, score_ranges_give_their_first_and_last_ranks)
{
    zset_value z;
    five(&z, limits_of(e));     /* e:-inf b:1 a:2 c:2 d:3.5 */
    size_t first;
    cr_expect_eq(count_in(&z, -INFINITY, false, INFINITY, false, &first), 5);
    cr_expect_eq(first, 0);
    cr_expect_eq(count_in(&z, 2, false, 2, false, &first), 2);
    cr_expect_eq(first, 2);
    cr_expect_eq(count_in(&z, 1, true, 3.5, false, &first), 3);
    cr_expect_eq(first, 2);
    cr_expect_eq(count_in(&z, 1, false, 3.5, true, &first), 3);
    cr_expect_eq(first, 1);
    cr_expect_eq(count_in(&z, -INFINITY, true, 1, false, &first), 1, "(-inf leaves -inf out");
    cr_expect_eq(first, 1);
    cr_expect_eq(count_in(&z, 2, true, 2, false, &first), 0);
    cr_expect_eq(count_in(&z, 3, false, 2, false, &first), 0, "min above max is empty");
    cr_expect_eq(count_in(&z, 4, false, 10, false, &first), 0);
    cr_expect_eq(count_in(&z, 1.5, false, 1.9, false, &first), 0, "a gap between members");
    zset_clear(&z);
}

static size_t lex_count(zset_value *z, const char *min, const char *max, size_t *first)
{
    zset_lex_range r;
    zset_lex_bound *b[2] = {&r.min, &r.max};
    const char *text[2] = {min, max};
    for (int i = 0; i < 2; i++) {
        b[i]->kind = text[i][0] == '-' ? ZSET_LEX_MINUS : text[i][0] == '+' ? ZSET_LEX_PLUS
                   : text[i][0] == '(' ? ZSET_LEX_OPEN : ZSET_LEX_CLOSED;
        b[i]->bytes = text[i] + 1;
        b[i]->len = strlen(text[i] + 1);
    }
    size_t last;
    if (!zset_lex_range_ranks(z, &r, first, &last))
        return 0;
    return last - *first + 1;
}

BOTH_ENCODINGS(lex_ranges_read_members_of_equal_scores)
ParameterizedTest(encoding_case *e, zset, lex_ranges_read_members_of_equal_scores)
{
    zset_value z;
    zset_init(&z);
    const char *members[] = {"a", "b", "c", "d", "e", "f", "g", "10", "2"};
    for (size_t i = 0; i < 9; i++)
        add(&z, members[i], 0, limits_of(e));
    size_t first;
    cr_expect_eq(lex_count(&z, "-", "+", &first), 9);
    cr_expect_eq(first, 0);
    cr_expect_eq(lex_count(&z, "[a", "[c", &first), 3);
    cr_expect_eq(first, 2);
    cr_expect_eq(lex_count(&z, "(a", "(c", &first), 1);
    cr_expect_eq(first, 3);
    cr_expect_eq(lex_count(&z, "-", "(2", &first), 1, "integer members compare as text: \"10\" < \"2\"");
    cr_expect_eq(lex_count(&z, "[aa", "[b", &first), 1);
    cr_expect_eq(lex_count(&z, "+", "-", &first), 0);
    cr_expect_eq(lex_count(&z, "+", "+", &first), 0);
    cr_expect_eq(lex_count(&z, "-", "-", &first), 0);
    cr_expect_eq(lex_count(&z, "[c", "[a", &first), 0);
    cr_expect_eq(lex_count(&z, "(c", "[c", &first), 0);
    cr_expect_eq(lex_count(&z, "[g", "+", &first), 1);
    cr_expect_eq(first, 8);
    zset_clear(&z);
}

/* ---------------- Changes ---------------- */

BOTH_ENCODINGS(an_update_moves_the_member_to_its_new_place)
ParameterizedTest(encoding_case *e, zset, an_update_moves_the_member_to_its_new_place)
{
    zset_value z;
    five(&z, limits_of(e));
    double now;
    cr_expect_eq(zset_add(&z, "e", 1, 10, 0, &now, limits_of(e)), ZSET_UPDATED);
    cr_expect(now == 10);
    expect_listing(&z, 0, 5, false, "b a c d e");
    cr_expect_eq(zset_add(&z, "c", 1, 1.5, 0, &now, limits_of(e)), ZSET_UPDATED, "a move that keeps its place");
    expect_listing(&z, 0, 5, false, "b c a d e");
    cr_expect_eq(zset_add(&z, "d", 1, 1, 0, &now, limits_of(e)), ZSET_UPDATED, "a tie: the member decides");
    expect_listing(&z, 0, 5, false, "b d c a e");
    cr_expect_eq(zset_add(&z, "d", 1, 1, 0, &now, limits_of(e)), 0, "the same score: no change, no NOP");
    cr_expect(zset_check(&z));
    zset_clear(&z);
}

BOTH_ENCODINGS(zadd_flags_follow_redis)
ParameterizedTest(encoding_case *e, zset, zadd_flags_follow_redis)
{
    const zset_limits *lim = limits_of(e);
    zset_value z;
    zset_init(&z);
    double now = 0;
    cr_expect_eq(zset_add(&z, "a", 1, 5, ZSET_XX, &now, lim), ZSET_NOP, "XX adds nothing");
    cr_expect_eq(zset_length(&z), 0);
    cr_expect_eq(zset_add(&z, "a", 1, 5, ZSET_NX, &now, lim), ZSET_ADDED);
    cr_expect_eq(zset_add(&z, "a", 1, 6, ZSET_NX, &now, lim), ZSET_NOP, "NX updates nothing");
    cr_expect_eq(zset_add(&z, "a", 1, 4, ZSET_GT, &now, lim), ZSET_NOP);
    cr_expect_eq(zset_add(&z, "a", 1, 5, ZSET_GT, &now, lim), ZSET_NOP, "GT needs strictly greater");
    cr_expect_eq(zset_add(&z, "a", 1, 7, ZSET_GT | ZSET_XX, &now, lim), ZSET_UPDATED);
    cr_expect_eq(zset_add(&z, "a", 1, 8, ZSET_LT, &now, lim), ZSET_NOP);
    cr_expect_eq(zset_add(&z, "b", 1, 8, ZSET_LT, &now, lim), ZSET_ADDED, "GT and LT still add new members");
    cr_expect_eq(zset_add(&z, "a", 1, 2, ZSET_INCR, &now, lim), ZSET_UPDATED);
    cr_expect(now == 9);
    cr_expect_eq(zset_add(&z, "a", 1, -1, ZSET_INCR | ZSET_GT, &now, lim), ZSET_NOP, "GT reads the sum");
    cr_expect_eq(zset_add(&z, "c", 1, 3, ZSET_INCR, &now, lim), ZSET_ADDED, "INCR of a new member starts at 0");
    cr_expect(now == 3);
    cr_expect_eq(zset_add(&z, "d", 1, NAN, 0, &now, lim), ZSET_NAN);
    zset_add(&z, "d", 1, INFINITY, 0, &now, lim);
    cr_expect_eq(zset_add(&z, "d", 1, -INFINITY, ZSET_INCR, &now, lim), ZSET_NAN, "inf + -inf");
    double score;
    zset_score(&z, "d", 1, &score);
    cr_expect(isinf(score) && score > 0, "a refused increment changes nothing");
    cr_expect(zset_check(&z));
    zset_clear(&z);
}

BOTH_ENCODINGS(deleting_members_and_rank_ranges)
ParameterizedTest(encoding_case *e, zset, deleting_members_and_rank_ranges)
{
    zset_value z;
    five(&z, limits_of(e));     /* e b a c d */
    cr_expect(zset_delete(&z, "a", 1));
    cr_expect_not(zset_delete(&z, "a", 1));
    expect_listing(&z, 0, 4, false, "e b c d");
    cr_expect_eq(zset_delete_rank_range(&z, 1, 2), 2);
    expect_listing(&z, 0, 2, false, "e d");
    cr_expect(zset_check(&z));
    cr_expect_eq(zset_delete_rank_range(&z, 0, 1), 2);
    cr_expect_eq(zset_length(&z), 0);
    cr_expect(zset_check(&z));
    zset_clear(&z);
}

BOTH_ENCODINGS(a_copy_has_the_same_members_and_encoding)
ParameterizedTest(encoding_case *e, zset, a_copy_has_the_same_members_and_encoding)
{
    zset_value z, copy;
    five(&z, limits_of(e));
    zset_copy(&copy, &z);
    cr_expect_str_eq(zset_encoding_name(&copy), name_of(e));
    zset_clear(&z);
    expect_listing(&copy, 0, 5, false, "e b a c d");
    cr_expect(zset_check(&copy));
    zset_clear(&copy);
}

BOTH_ENCODINGS(clearing_frees_all_the_memory)
ParameterizedTest(encoding_case *e, zset, clearing_frees_all_the_memory)
{
    size_t before = mem_used();
    zset_value z;
    zset_init(&z);
    char text[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(text, sizeof(text), "member:%d", i);
        add(&z, text, i % 7, limits_of(e));
    }
    zset_clear(&z);
    cr_expect_eq(mem_used(), before);
}

/* ---------------- Scanning and random members ---------------- */

/* The number in a member "m:17" (members are not NUL-terminated). */
static int member_number(const zset_member *m)
{
    char text[32];
    snprintf(text, sizeof(text), "%.*s", (int)m->len, m->bytes);
    return atoi(text + 2);
}

static void count_scanned(void *data, const zset_member *m)
{
    int *seen = data;
    int i = member_number(m);
    seen[i]++;
    cr_expect(m->score == i, "m:%d has score %g", i, m->score);
}

BOTH_ENCODINGS(scan_sees_every_member_with_its_score)
ParameterizedTest(encoding_case *e, zset, scan_sees_every_member_with_its_score)
{
    zset_value z;
    zset_init(&z);
    char text[16];
    int seen[300] = {0};
    for (int i = 0; i < 300; i++) {
        snprintf(text, sizeof(text), "m:%d", i);
        add(&z, text, i, limits_of(e));
    }
    size_t cursor = 0, calls = 0;
    do {
        cursor = zset_scan(&z, cursor, count_scanned, seen);
        calls++;
    } while (cursor != 0);
    for (int i = 0; i < 300; i++)
        cr_expect_geq(seen[i], 1, "m:%d was scanned", i);
    cr_expect_eq(calls > 1, e->listed, "a skip list is scanned bucket by bucket, a packed set at once");
    zset_clear(&z);
}

BOTH_ENCODINGS(random_members_are_uniform)
ParameterizedTest(encoding_case *e, zset, random_members_are_uniform)
{
    zset_value z;
    zset_init(&z);
    char text[16];
    for (int i = 0; i < 10; i++) {
        snprintf(text, sizeof(text), "m:%d", i);
        add(&z, text, i, limits_of(e));
    }
    int seen[10] = {0};
    zset_member picks[1000];
    for (int round = 0; round < 20; round++) {
        zset_random_members(&z, 1000, picks);
        for (int i = 0; i < 1000; i++) {
            int n = member_number(&picks[i]);
            seen[n]++;
            cr_expect(picks[i].score == n);
        }
    }
    for (int i = 0; i < 10; i++)
        cr_expect(seen[i] > 1700 && seen[i] < 2300, "m:%d picked %d times of 20000", i, seen[i]);
    zset_clear(&z);
}

/* Both of Redis's strategies: n > length / 3 shuffles, a smaller n
 * draws and drops repeats (only a skip list does that). */
typedef struct distinct_case {
    int listed;
    int n;
} distinct_case;

ParameterizedTestParameters(zset, distinct_random_members_never_repeat)
{
    static distinct_case cases[] = {{0, 1}, {0, 99}, {1, 5}, {1, 33}, {1, 34}, {1, 99}};
    return cr_make_param_array(distinct_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(distinct_case *c, zset, distinct_random_members_never_repeat)
{
    zset_value z;
    zset_init(&z);
    char text[16];
    for (int i = 0; i < 100; i++) {
        snprintf(text, sizeof(text), "%d", i);     /* integer members: digits in each zset_member */
        add(&z, text, -i, c->listed ? &LISTED : &PACKED);
    }
    zset_member picks[100];
    for (int round = 0; round < 50; round++) {
        zset_random_distinct(&z, (size_t)c->n, picks);
        bool seen[100] = {false};
        for (int i = 0; i < c->n; i++) {
            char copy[32];
            snprintf(copy, sizeof(copy), "%.*s", (int)picks[i].len, picks[i].bytes);
            int n = atoi(copy);
            cr_assert(n >= 0 && n < 100);
            cr_expect_not(seen[n], "%d picked twice", n);
            seen[n] = true;
            cr_expect(picks[i].score == -n);
        }
    }
    zset_clear(&z);
}

/* ---------------- Against a reference ---------------- */

/* A sorted array of (member, score), the obvious way. */
typedef struct ref_item {
    char member[8];
    double score;
} ref_item;

typedef struct reference {
    ref_item items[512];
    size_t n;
} reference;

static int ref_compare(const void *a, const void *b)
{
    const ref_item *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    size_t lx = strlen(x->member), ly = strlen(y->member), n = lx < ly ? lx : ly;
    int c = memcmp(x->member, y->member, n);
    return c != 0 ? c : (lx < ly ? -1 : lx > ly);
}

static ref_item *ref_find(reference *r, const char *m)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->items[i].member, m) == 0)
            return &r->items[i];
    }
    return NULL;
}

static void ref_sort(reference *r)
{
    qsort(r->items, r->n, sizeof(r->items[0]), ref_compare);
}

static void ref_remove(reference *r, size_t first, size_t last)
{
    memmove(&r->items[first], &r->items[last + 1], (r->n - last - 1) * sizeof(r->items[0]));
    r->n -= last - first + 1;
}

static void expect_same(zset_value *z, reference *r, int step)
{
    cr_assert_eq(zset_length(z), r->n, "step %d: length", step);
    cr_assert(zset_check(z), "step %d: the structure is inconsistent", step);
    zset_iter it;
    zset_member m;
    size_t i = 0;
    zset_iter_start(&it, z, 0, r->n, false);
    while (zset_iter_next(&it, &m)) {
        cr_assert(same(&m, r->items[i].member) && m.score == r->items[i].score,
                  "step %d, rank %zu: %.*s %g, want %s %g", step, i, (int)m.len, m.bytes, m.score,
                  r->items[i].member, r->items[i].score);
        i++;
    }
    zset_iter_end(&it);
}

/* A random score: few distinct values, so ties (and the member order) are
 * common; some fractions and infinities. */
static double random_score(void)
{
    int k = rand() % 20;
    if (k == 0)
        return INFINITY;
    if (k == 1)
        return -INFINITY;
    if (k < 5)
        return (rand() % 100) / 8.0 - 6;
    return rand() % 12 - 3;
}

static void random_member(char *out)
{
    int k = rand() % 3;
    if (k == 0)
        snprintf(out, 8, "%d", rand() % 300 - 100);     /* integer members */
    else
        snprintf(out, 8, "%c%d", 'a' + rand() % 3, rand() % 100);
}

static void random_operation(zset_value *z, reference *r, const zset_limits *lim, int step)
{
    char member[8];
    random_member(member);
    size_t len = strlen(member);
    int op = rand() % 10;
    if (op < 5 && r->n < 500) {
        static const int flag_sets[] = {0, 0, 0, ZSET_NX, ZSET_XX, ZSET_GT, ZSET_LT, ZSET_INCR, ZSET_XX | ZSET_GT};
        int flags = flag_sets[rand() % 9];
        double score = random_score(), now = 0;
        ref_item *it = ref_find(r, member);
        int out = zset_add(z, member, len, score, flags, &now, lim);
        if (it == NULL) {
            bool adds = !(flags & ZSET_XX) && !isnan(score);
            cr_assert_eq(out, adds ? ZSET_ADDED : ZSET_NOP, "step %d: add of a new %s", step, member);
            if (adds) {
                snprintf(r->items[r->n].member, 8, "%s", member);
                r->items[r->n++].score = score;
            }
        } else {
            double want = (flags & ZSET_INCR) ? it->score + score : score;
            bool nop = (flags & ZSET_NX) || ((flags & ZSET_GT) && want <= it->score) ||
                       ((flags & ZSET_LT) && want >= it->score);
            if (isnan(want))
                cr_assert_eq(out, ZSET_NAN, "step %d", step);
            else if (nop)
                cr_assert_eq(out, ZSET_NOP, "step %d", step);
            else {
                cr_assert_eq(out, want != it->score ? ZSET_UPDATED : 0, "step %d", step);
                cr_assert(now == want);
                it->score = want;
            }
        }
        ref_sort(r);
    } else if (op < 7) {
        ref_item *it = ref_find(r, member);
        cr_assert_eq(zset_delete(z, member, len), it != NULL, "step %d: delete %s", step, member);
        if (it != NULL)
            ref_remove(r, (size_t)(it - r->items), (size_t)(it - r->items));
    } else if (op == 7 && r->n > 0) {
        size_t first = (size_t)rand() % r->n, last = first + (size_t)rand() % 4;
        if (last >= r->n)
            last = r->n - 1;
        cr_assert_eq(zset_delete_rank_range(z, first, last), last - first + 1);
        ref_remove(r, first, last);
    } else if (op == 8) {
        double a = random_score(), b = random_score();
        zset_score_range range = {a < b ? a : b, a < b ? b : a, rand() % 2, rand() % 2};
        size_t first = 0, last = 0, want_first = 0, want_count = 0;
        for (size_t i = 0; i < r->n; i++) {
            double s = r->items[i].score;
            bool in = (range.min_open ? s > range.min : s >= range.min) &&
                      (range.max_open ? s < range.max : s <= range.max);
            if (in && want_count++ == 0)
                want_first = i;
        }
        bool found = zset_score_range_ranks(z, &range, &first, &last);
        cr_assert_eq(found, want_count > 0, "step %d: range found", step);
        if (found) {
            cr_assert_eq(first, want_first, "step %d: first in range", step);
            cr_assert_eq(last - first + 1, want_count, "step %d: count in range", step);
        }
    } else {
        ref_item *it = ref_find(r, member);
        size_t rank;
        double score;
        cr_assert_eq(zset_rank(z, member, len, &rank), it != NULL);
        cr_assert_eq(zset_score(z, member, len, &score), it != NULL);
        if (it != NULL) {
            cr_assert_eq(rank, (size_t)(it - r->items), "step %d: rank of %s", step, member);
            cr_assert(score == it->score);
        }
        if (r->n > 0) {     /* a walk down from a random rank */
            size_t from = (size_t)rand() % r->n, count = (size_t)rand() % (from + 1) + 1;
            zset_iter iter;
            zset_member m;
            size_t i = from;
            zset_iter_start(&iter, z, from, count, true);
            while (zset_iter_next(&iter, &m)) {
                cr_assert(same(&m, r->items[i].member), "step %d: walking down at %zu", step, i);
                i--;
            }
            zset_iter_end(&iter);
        }
    }
}

typedef struct random_case {
    unsigned seed;
    zset_limits lim;
} random_case;

ParameterizedTestParameters(zset, random_operations_agree_with_a_sorted_array)
{
    static random_case cases[] = {{1, {1000000, 1000000}}, {2, {0, 0}}, {3, {128, 64}}, {4, {16, 2}}};
    return cr_make_param_array(random_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(random_case *c, zset, random_operations_agree_with_a_sorted_array)
{
    srand(c->seed);
    static reference r;
    r.n = 0;
    zset_value z;
    zset_init(&z);
    for (int step = 0; step < 20000; step++) {
        random_operation(&z, &r, &c->lim, step);
        if (step % 50 == 0)
            expect_same(&z, &r, step);
        if (step % 4000 == 3999) {      /* what the STORE commands do */
            zset_pack_if_small(&z, &DEFAULT);
            expect_same(&z, &r, step);
        }
    }
    expect_same(&z, &r, -1);
    zset_clear(&z);
}
