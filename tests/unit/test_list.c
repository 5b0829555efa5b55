/* Unit tests of list: the list type, a linked list of packed nodes
 * (stage 4). Most tests build a list, change it, and compare it with what
 * it should hold, read three ways: by iterating forwards, backwards, and
 * by index. list_check() vouches for the nodes' insides after each change,
 * and a randomized test replays thousands of operations against a plain
 * array of strings. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/list.h"
#include "base/mem.h"

static void push(list *l, enum list_where where, const char *text)
{
    list_push(l, where, text, strlen(text));
}

/* Pushes "e<from>" .. "e<to-1>" at the tail. */
static void push_numbered(list *l, int from, int to)
{
    char text[32];
    for (int i = from; i < to; i++)
        list_push(l, LIST_TAIL, text, (size_t)snprintf(text, sizeof(text), "e%d", i));
}

static bool entry_is(list_entry e, const char *bytes, size_t len)
{
    return e.len == len && (len == 0 || memcmp(e.bytes, bytes, len) == 0);
}

static void expect_index(list *l, long long index, const char *text)
{
    list_entry e;
    cr_assert(list_index(l, index, &e), "index %lld is missing", index);
    cr_expect(entry_is(e, text, strlen(text)), "index %lld holds \"%.*s\", expected \"%s\"",
              index, (int)e.len, e.bytes, text);
}

/* `len` bytes that depend on `seed` and the position, so a misplaced or
 * truncated copy shows. The caller frees. */
static char *pattern(size_t len, unsigned seed)
{
    char *p = malloc(len ? len : 1);
    cr_assert_not_null(p);
    for (size_t i = 0; i < len; i++)
        p[i] = (char)('a' + (seed * 31 + i * 7 + i / 251) % 26);
    return p;
}

/* A list's expected contents, as parallel arrays. */
typedef struct expected {
    const char **bytes;
    const size_t *lens;
    size_t count;
} expected;

/* Compares l with `want` forwards, backwards and by index; returns the
 * number of mismatches after reporting the first. */
static int compare(list *l, expected want)
{
    int bad = 0;
    cr_expect(list_check(l), "the nodes are inconsistent");
    if (list_length(l) != want.count) {
        cr_expect_fail("the list holds %zu elements, expected %zu", list_length(l), want.count);
        return 1;
    }
    list_iter it;
    list_entry e;
    size_t i = 0;
    list_iter_start(&it, l, 0, true);
    for (; list_iter_next(&it, &e); i++)
        if (i >= want.count || !entry_is(e, want.bytes[i], want.lens[i]))
            if (bad++ == 0)
                cr_expect_fail("forwards, element %zu differs", i);
    if (i != want.count && bad++ == 0)
        cr_expect_fail("forwards, iterated %zu elements of %zu", i, want.count);
    i = want.count;
    list_iter_start(&it, l, -1, false);
    for (; list_iter_next(&it, &e); i--)
        if (i == 0 || !entry_is(e, want.bytes[i - 1], want.lens[i - 1]))
            if (bad++ == 0)
                cr_expect_fail("backwards, element %zu differs", i - 1);
    if (i != 0 && bad++ == 0)
        cr_expect_fail("backwards, %zu elements were not reached", i);
    for (i = 0; i < want.count; i++) {
        if (!list_index(l, (long long)i, &e) || !entry_is(e, want.bytes[i], want.lens[i]))
            if (bad++ == 0)
                cr_expect_fail("list_index(%zu) differs", i);
    }
    return bad;
}

/* Compares with a list of C strings. */
static void expect_strings(list *l, const char *const *texts, size_t count)
{
    size_t *lens = malloc((count ? count : 1) * sizeof(*lens));
    cr_assert_not_null(lens);
    for (size_t i = 0; i < count; i++)
        lens[i] = strlen(texts[i]);
    cr_expect_eq(compare(l, (expected){(const char **)texts, lens, count}), 0);
    free(lens);
}

#define EXPECT_STRINGS(l, ...) do { \
        const char *want_[] = {__VA_ARGS__}; \
        expect_strings((l), want_, sizeof(want_) / sizeof(want_[0])); \
    } while (0)

/* Checks that l holds "e<from>" .. "e<to-1>" except where `skip` says so. */
static void expect_numbered(list *l, int from, int to, bool (*skip)(int))
{
    size_t n = 0;
    const char **texts = malloc(sizeof(*texts) * (size_t)(to - from + 1));
    cr_assert_not_null(texts);
    for (int i = from; i < to; i++) {
        if (skip != NULL && skip(i))
            continue;
        char *text = malloc(16);
        cr_assert_not_null(text);
        snprintf(text, 16, "e%d", i);
        texts[n++] = text;
    }
    expect_strings(l, texts, n);
    for (size_t i = 0; i < n; i++)
        free((char *)texts[i]);
    free(texts);
}

/* ---------------- Both ends ---------------- */

Test(list, starts_empty_with_nothing_to_peek_index_or_iterate)
{
    list l;
    list_init(&l);
    list_entry e;
    cr_expect_eq(list_length(&l), 0);
    cr_expect_not(list_peek(&l, LIST_HEAD, &e));
    cr_expect_not(list_peek(&l, LIST_TAIL, &e));
    cr_expect_not(list_index(&l, 0, &e));
    cr_expect_not(list_index(&l, -1, &e));
    list_iter it;
    cr_expect_not(list_iter_start(&it, &l, 0, true));
    cr_expect_not(list_iter_next(&it, &e));
    cr_expect(list_check(&l));
    list_clear(&l);
}

Test(list, pushes_at_both_ends_keep_their_order)
{
    list l;
    list_init(&l);
    push(&l, LIST_TAIL, "b");
    push(&l, LIST_TAIL, "c");
    push(&l, LIST_HEAD, "a");
    push(&l, LIST_TAIL, "d");
    push(&l, LIST_HEAD, "z");
    EXPECT_STRINGS(&l, "z", "a", "b", "c", "d");
    list_entry e;
    cr_assert(list_peek(&l, LIST_HEAD, &e));
    cr_expect(entry_is(e, "z", 1));
    cr_assert(list_peek(&l, LIST_TAIL, &e));
    cr_expect(entry_is(e, "d", 1));
    list_clear(&l);
}

Test(list, pops_at_both_ends_until_the_list_is_empty)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 5);
    list_entry e;
    list_pop(&l, LIST_HEAD);
    list_pop(&l, LIST_TAIL);
    EXPECT_STRINGS(&l, "e1", "e2", "e3");
    list_pop(&l, LIST_TAIL);
    list_pop(&l, LIST_HEAD);
    cr_assert(list_peek(&l, LIST_HEAD, &e));
    cr_expect(entry_is(e, "e2", 2));
    cr_assert(list_peek(&l, LIST_TAIL, &e));
    cr_expect(entry_is(e, "e2", 2), "head and tail are the same single element");
    list_pop(&l, LIST_HEAD);
    cr_expect_eq(list_length(&l), 0);
    cr_expect_eq(l.nodes, 0, "the emptied node was freed");
    cr_expect_not(list_peek(&l, LIST_TAIL, &e));
    push(&l, LIST_TAIL, "again");
    EXPECT_STRINGS(&l, "again");
    list_clear(&l);
}

Test(list, stores_empty_and_binary_elements)
{
    list l;
    list_init(&l);
    list_push(&l, LIST_TAIL, NULL, 0);
    list_push(&l, LIST_TAIL, "\0\x80\xff", 3);
    list_push(&l, LIST_HEAD, "", 0);
    list_entry e;
    cr_assert(list_index(&l, 0, &e));
    cr_expect_eq(e.len, 0);
    cr_assert(list_index(&l, 1, &e));
    cr_expect_eq(e.len, 0);
    cr_assert(list_index(&l, 2, &e));
    cr_expect(entry_is(e, "\0\x80\xff", 3));
    cr_expect(list_check(&l));
    list_clear(&l);
}

/* Pushing at the head of a one-node list the entry read from its tail:
 * the node moves under the bytes being copied. */
Test(list, pushes_an_entry_of_the_same_list_as_lmove_does_when_rotating)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 3);
    for (int round = 0; round < 40; round++) {
        list_entry e;
        cr_assert(list_peek(&l, LIST_TAIL, &e));
        list_push(&l, LIST_HEAD, e.bytes, e.len);
        list_pop(&l, LIST_TAIL);
    }
    EXPECT_STRINGS(&l, "e2", "e0", "e1");    /* 40 rotations of 3 = 1 rotation */
    char *big = pattern(3000, 1);
    list_push(&l, LIST_TAIL, big, 3000);
    list_entry e;
    cr_assert(list_peek(&l, LIST_TAIL, &e));
    list_push(&l, LIST_HEAD, e.bytes, e.len);
    cr_assert(list_peek(&l, LIST_HEAD, &e));
    cr_expect(entry_is(e, big, 3000), "a big entry copied onto the same node");
    cr_expect(list_check(&l));
    free(big);
    list_clear(&l);
}

/* ---------------- By index ---------------- */

Test(list, index_counts_from_the_head_or_from_the_tail_when_negative)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 4);
    expect_index(&l, 0, "e0");
    expect_index(&l, 3, "e3");
    expect_index(&l, -1, "e3");
    expect_index(&l, -4, "e0");
    expect_index(&l, -2, "e2");
    list_entry e;
    cr_expect_not(list_index(&l, 4, &e));
    cr_expect_not(list_index(&l, -5, &e));
    cr_expect_not(list_index(&l, LLONG_MAX, &e));
    cr_expect_not(list_index(&l, LLONG_MIN, &e));
    list_clear(&l);
}

Test(list, finds_every_index_of_a_list_spread_over_many_nodes)
{
    list l;
    list_init(&l);
    int total = 100000;
    push_numbered(&l, 0, total);
    cr_expect_eq(list_length(&l), (size_t)total);
    cr_expect_gt(l.nodes, 50, "100000 elements fit in %zu nodes?", l.nodes);
    cr_expect(list_check(&l));
    char text[32];
    int bad = 0;
    for (int i = 0; i < total && bad < 5; i++) {
        list_entry e;
        snprintf(text, sizeof(text), "e%d", i);
        if (!list_index(&l, i, &e) || !entry_is(e, text, strlen(text))) {
            cr_expect_fail("index %d is wrong", i);
            bad++;
        }
        if (!list_index(&l, i - total, &e) || !entry_is(e, text, strlen(text))) {
            cr_expect_fail("index %d is wrong", i - total);
            bad++;
        }
    }
    list_entry e;
    cr_expect_not(list_index(&l, total, &e));
    cr_expect_not(list_index(&l, -total - 1, &e));
    list_clear(&l);
}

/* ---------------- Element sizes ---------------- */

/* 127 is the longest length with a 1-byte encoding; 128 takes five. */
Test(list, elements_round_trip_at_every_length_encoding_boundary)
{
    static const size_t lens[] = {0, 1, 126, 127, 128, 129, 255, 256, 8180, 8192, 65535, 65536, 300000};
    size_t n = sizeof(lens) / sizeof(lens[0]);
    const char *bytes[2 * sizeof(lens) / sizeof(lens[0])];
    size_t want_lens[2 * sizeof(lens) / sizeof(lens[0])];
    list l;
    list_init(&l);
    for (size_t i = 0; i < n; i++) {
        /* Each length pushed at both ends: the head ones end up reversed. */
        char *p = pattern(lens[i], (unsigned)i);
        list_push(&l, LIST_TAIL, p, lens[i]);
        list_push(&l, LIST_HEAD, p, lens[i]);
        bytes[n - 1 - i] = bytes[n + i] = p;
        want_lens[n - 1 - i] = want_lens[n + i] = lens[i];
    }
    cr_expect_eq(compare(&l, (expected){bytes, want_lens, 2 * n}), 0);
    for (size_t i = 0; i < n; i++) {
        list_entry e;
        cr_assert(list_peek(&l, LIST_TAIL, &e));
        cr_expect(entry_is(e, bytes[2 * n - 1 - i], lens[n - 1 - i]), "tail of length %zu", lens[n - 1 - i]);
        list_pop(&l, LIST_TAIL);
        cr_assert(list_peek(&l, LIST_HEAD, &e));
        cr_expect(entry_is(e, bytes[i], lens[n - 1 - i]), "head of length %zu", lens[n - 1 - i]);
        list_pop(&l, LIST_HEAD);
    }
    cr_expect_eq(list_length(&l), 0);
    for (size_t i = 0; i < n; i++)
        free((char *)bytes[n + i]);
    list_clear(&l);
}

Test(list, an_element_bigger_than_a_node_gets_a_node_of_its_own)
{
    list l;
    list_init(&l);
    char *big = pattern(20000, 3);
    push(&l, LIST_TAIL, "before");
    list_push(&l, LIST_TAIL, big, 20000);
    push(&l, LIST_TAIL, "after");
    cr_expect_eq(l.nodes, 3);
    push(&l, LIST_HEAD, "first");
    cr_expect_eq(l.nodes, 3, "small elements still share nodes");
    list_entry e;
    cr_assert(list_index(&l, 2, &e));
    cr_expect(entry_is(e, big, 20000));
    cr_expect(list_check(&l));
    list_pop(&l, LIST_TAIL);
    list_pop(&l, LIST_TAIL);
    cr_expect_eq(l.nodes, 1, "the big element's node went with it");
    EXPECT_STRINGS(&l, "first", "before");
    free(big);
    list_clear(&l);
}

Test(list, starts_a_new_node_when_the_end_node_is_full)
{
    list l;
    list_init(&l);
    char *p = pattern(100, 5);              /* 102 bytes each: 80 fit in a node */
    for (int i = 0; i < 1000; i++)
        list_push(&l, i % 2 ? LIST_HEAD : LIST_TAIL, p, 100);
    cr_expect(list_check(&l), "some node exceeds LIST_NODE_MAX");
    cr_expect_geq(l.nodes, (size_t)(1000 * 102 / LIST_NODE_MAX + 1));
    cr_expect_leq(l.nodes, 14, "%zu nodes for 102 KB: nodes are not filled", l.nodes);
    free(p);
    list_clear(&l);
}

/* ---------------- list_set ---------------- */

Test(list, set_replaces_with_elements_of_the_same_a_bigger_and_a_smaller_size)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 4);
    cr_expect(list_set(&l, 1, "E1", 2));
    EXPECT_STRINGS(&l, "e0", "E1", "e2", "e3");
    cr_expect(list_set(&l, -1, "a longer one", 12));
    EXPECT_STRINGS(&l, "e0", "E1", "e2", "a longer one");
    cr_expect(list_set(&l, 0, "", 0));
    EXPECT_STRINGS(&l, "", "E1", "e2", "a longer one");
    char *p = pattern(200, 9);              /* a 5-byte length replacing a 1-byte one */
    cr_expect(list_set(&l, 2, p, 200));
    list_entry e;
    cr_assert(list_index(&l, 2, &e));
    cr_expect(entry_is(e, p, 200));
    cr_expect(list_set(&l, 2, "x", 1));     /* and back */
    EXPECT_STRINGS(&l, "", "E1", "x", "a longer one");
    free(p);
    list_clear(&l);
}

Test(list, set_out_of_range_changes_nothing)
{
    list l;
    list_init(&l);
    cr_expect_not(list_set(&l, 0, "x", 1));
    push_numbered(&l, 0, 2);
    cr_expect_not(list_set(&l, 2, "x", 1));
    cr_expect_not(list_set(&l, -3, "x", 1));
    EXPECT_STRINGS(&l, "e0", "e1");
    list_clear(&l);
}

/* In full nodes of 102-byte entries, growing one element to 5000 bytes
 * cannot happen in place: at a node's start, middle and end it has to go
 * to a neighbour, a new node, or split its node. */
Test(list, set_moves_an_element_that_outgrows_its_full_node)
{
    int total = 400;
    char *small = pattern(100, 1), *big = pattern(5000, 2), *huge = pattern(9000, 3);
    const char **bytes = malloc(sizeof(*bytes) * (size_t)total);
    size_t *lens = malloc(sizeof(*lens) * (size_t)total);
    cr_assert(bytes != NULL && lens != NULL);
    list l;
    list_init(&l);
    for (int i = 0; i < total; i++) {
        list_push(&l, LIST_TAIL, small, 100);
        bytes[i] = small;
        lens[i] = 100;
    }
    int targets[] = {0, 79, 80, 81, 150, 200, 239, 240, 399};
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        int i = targets[t];
        const char *with = t % 3 == 2 ? huge : big;
        size_t len = t % 3 == 2 ? 9000 : 5000;
        cr_expect(list_set(&l, i, with, len));
        bytes[i] = with;
        lens[i] = len;
        cr_assert_eq(compare(&l, (expected){bytes, lens, (size_t)total}), 0, "after setting %d", i);
    }
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        int i = targets[t];
        cr_expect(list_set(&l, i, "s", 1));
        bytes[i] = "s";
        lens[i] = 1;
    }
    cr_expect_eq(compare(&l, (expected){bytes, lens, (size_t)total}), 0, "after shrinking back");
    free(bytes);
    free(lens);
    free(small);
    free(big);
    free(huge);
    list_clear(&l);
}

/* ---------------- list_trim ---------------- */

Test(list, trim_drops_elements_from_the_front_and_the_back)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 6);
    list_trim(&l, 0, 0);
    expect_numbered(&l, 0, 6, NULL);
    list_trim(&l, 1, 0);
    expect_numbered(&l, 1, 6, NULL);
    list_trim(&l, 0, 2);
    expect_numbered(&l, 1, 4, NULL);
    list_trim(&l, 1, 1);
    expect_numbered(&l, 2, 3, NULL);
    list_clear(&l);
}

Test(list, trim_of_everything_or_more_leaves_an_empty_list)
{
    size_t cuts[][2] = {{5, 0}, {0, 5}, {3, 2}, {4, 4}, {SIZE_MAX, 0}, {0, SIZE_MAX}, {SIZE_MAX, SIZE_MAX}, {2, SIZE_MAX - 1}};
    for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
        list l;
        list_init(&l);
        push_numbered(&l, 0, 5);
        list_trim(&l, cuts[c][0], cuts[c][1]);
        cr_expect_eq(list_length(&l), 0, "trim %zu %zu", cuts[c][0], cuts[c][1]);
        cr_expect_eq(l.nodes, 0);
        cr_expect(list_check(&l));
        list_clear(&l);
    }
}

Test(list, trim_frees_whole_nodes_and_cuts_the_ones_at_the_edges)
{
    list l;
    list_init(&l);
    int total = 100000;
    push_numbered(&l, 0, total);
    size_t nodes = l.nodes;
    list_trim(&l, 30000, 50001);
    cr_expect_lt(l.nodes, nodes / 3, "%zu of %zu nodes left", l.nodes, nodes);
    cr_expect_eq(list_length(&l), 19999);
    expect_index(&l, 0, "e30000");
    expect_index(&l, -1, "e49998");
    expect_numbered(&l, 30000, 49999, NULL);
    list_trim(&l, 19997, 1);                /* within one node at each end */
    EXPECT_STRINGS(&l, "e49997");
    cr_expect_eq(l.nodes, 1);
    list_clear(&l);
}

/* ---------------- Iterators ---------------- */

Test(list, iterates_forwards_and_backwards_from_any_index)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 3000);
    long long starts[] = {0, 1, 1500, 2999, -1, -3000, -1234};
    char text[32];
    for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
        long long first = starts[s] < 0 ? 3000 + starts[s] : starts[s];
        for (int forward = 0; forward < 2; forward++) {
            list_iter it;
            cr_assert(list_iter_start(&it, &l, starts[s], forward));
            list_entry e;
            long long i = first, seen = 0;
            while (list_iter_next(&it, &e)) {
                snprintf(text, sizeof(text), "e%lld", i);
                cr_assert(entry_is(e, text, strlen(text)), "from %lld %s: got \"%.*s\", expected %s",
                          starts[s], forward ? "forwards" : "backwards", (int)e.len, e.bytes, text);
                i += forward ? 1 : -1;
                seen++;
            }
            cr_expect_eq(seen, forward ? 3000 - first : first + 1);
        }
    }
    list_clear(&l);
}

Test(list, iter_start_out_of_range_gives_nothing)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 3);
    list_iter it;
    list_entry e;
    cr_expect_not(list_iter_start(&it, &l, 3, true));
    cr_expect_not(list_iter_next(&it, &e));
    cr_expect_not(list_iter_start(&it, &l, -4, false));
    cr_expect_not(list_iter_next(&it, &e));
    list_iter_delete(&it);                  /* nothing returned: a no-op */
    list_iter_insert(&it, true, "x", 1);
    expect_numbered(&l, 0, 3, NULL);
    list_clear(&l);
}

static bool is_even(int i)
{
    return i % 2 == 0;
}

static bool is_odd(int i)
{
    return i % 2 != 0;
}

/* Deletes the entries at even indexes while iterating, the LREM pattern. */
static void delete_even_indexes(list *l, bool forward)
{
    list_iter it;
    list_entry e;
    long long start = forward ? 0 : -1;
    size_t n = list_length(l), i = forward ? 0 : n - 1;
    list_iter_start(&it, l, start, forward);
    while (list_iter_next(&it, &e)) {
        if (i % 2 == 0)
            list_iter_delete(&it);
        i += forward ? 1 : (size_t)-1;
    }
}

Test(list, deletes_every_other_element_while_iterating_forwards_across_nodes)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 10000);
    delete_even_indexes(&l, true);
    expect_numbered(&l, 0, 10000, is_even);
    list_clear(&l);
}

Test(list, deletes_every_other_element_while_iterating_backwards_across_nodes)
{
    list l;
    list_init(&l);
    push_numbered(&l, 0, 10001);
    delete_even_indexes(&l, false);
    expect_numbered(&l, 0, 10001, is_even);
    list_clear(&l);
    push_numbered(&l, 0, 10000);
    delete_even_indexes(&l, false);         /* now the last one survives */
    expect_numbered(&l, 0, 10000, is_even);
    list_clear(&l);
}

Test(list, deletes_every_element_while_iterating_in_either_direction)
{
    for (int forward = 0; forward < 2; forward++) {
        list l;
        list_init(&l);
        push_numbered(&l, 0, 5000);
        list_iter it;
        list_entry e;
        int seen = 0;
        list_iter_start(&it, &l, forward ? 0 : -1, forward);
        while (list_iter_next(&it, &e)) {
            list_iter_delete(&it);
            list_iter_delete(&it);          /* a second delete is a no-op */
            seen++;
        }
        cr_expect_eq(seen, 5000, "%s", forward ? "forwards" : "backwards");
        cr_expect_eq(list_length(&l), 0);
        cr_expect_eq(l.nodes, 0, "every emptied node was freed");
        cr_expect(list_check(&l));
        list_clear(&l);
    }
}

/* Big elements alternate with small ones, so deleting a big one frees its
 * node and the walk must carry on in the neighbour. */
Test(list, deletes_elements_alone_in_their_node_while_iterating)
{
    char *big = pattern(10000, 4);
    for (int forward = 0; forward < 2; forward++) {
        list l;
        list_init(&l);
        char text[16];
        for (int i = 0; i < 20; i++) {
            if (i % 2)
                list_push(&l, LIST_TAIL, big, 10000);
            else
                list_push(&l, LIST_TAIL, text, (size_t)snprintf(text, sizeof(text), "e%d", i));
        }
        list_iter it;
        list_entry e;
        int seen = 0;
        list_iter_start(&it, &l, forward ? 0 : -1, forward);
        while (list_iter_next(&it, &e)) {
            if (e.len == 10000)
                list_iter_delete(&it);
            seen++;
        }
        cr_expect_eq(seen, 20);
        expect_numbered(&l, 0, 20, is_odd);
        list_clear(&l);
    }
    free(big);
}

Test(list, inserts_before_and_after_the_first_the_last_and_a_middle_element)
{
    static const struct {
        long long at;
        bool after;
        const char *want[4];
    } cases[] = {
        {0, false, {"x", "a", "b", "c"}},
        {0, true, {"a", "x", "b", "c"}},
        {1, false, {"a", "x", "b", "c"}},
        {1, true, {"a", "b", "x", "c"}},
        {-1, false, {"a", "b", "x", "c"}},
        {-1, true, {"a", "b", "c", "x"}},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (int forward = 0; forward < 2; forward++) {
            list l;
            list_init(&l);
            push(&l, LIST_TAIL, "a");
            push(&l, LIST_TAIL, "b");
            push(&l, LIST_TAIL, "c");
            list_iter it;
            list_entry e;
            cr_assert(list_iter_start(&it, &l, cases[c].at, forward));
            cr_assert(list_iter_next(&it, &e));
            list_iter_insert(&it, cases[c].after, "x", 1);
            cr_expect_not(list_iter_next(&it, &e), "the iteration is over after an insert");
            expect_strings(&l, cases[c].want, 4);
            list_clear(&l);
        }
    }
}

/* 102-byte entries fill nodes; inserting next to a node's first, last or
 * middle entry makes the list use a neighbour, a new node or a split. */
Test(list, inserts_into_full_nodes_at_their_edges_and_middles)
{
    int total = 400, extra = 0;
    const char **bytes = malloc(sizeof(*bytes) * 800);
    size_t *lens = malloc(sizeof(*lens) * 800);
    char *small = pattern(100, 1), *big = pattern(9000, 2);
    cr_assert(bytes != NULL && lens != NULL);
    list l;
    list_init(&l);
    for (int i = 0; i < total; i++) {
        list_push(&l, LIST_TAIL, small, 100);
        bytes[i] = small;
        lens[i] = 100;
    }
    int targets[] = {0, 40, 79, 80, 81, 160, 250, 399};
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        for (int k = 0; k < 4; k++) {
            bool after = k % 2, use_big = k >= 2;
            int i = targets[t] + (targets[t] > 0 ? extra : 0);
            list_iter it;
            list_entry e;
            cr_assert(list_iter_start(&it, &l, i, true));
            cr_assert(list_iter_next(&it, &e));
            list_iter_insert(&it, after, use_big ? big : "s", use_big ? 9000 : 1);
            int at = i + after, count = total + extra;
            memmove(bytes + at + 1, bytes + at, sizeof(*bytes) * (size_t)(count - at));
            memmove(lens + at + 1, lens + at, sizeof(*lens) * (size_t)(count - at));
            bytes[at] = use_big ? big : "s";
            lens[at] = use_big ? 9000 : 1;
            extra++;
            cr_assert_eq(compare(&l, (expected){bytes, lens, (size_t)(total + extra)}), 0,
                         "after inserting %s %d", after ? "after" : "before", i);
        }
    }
    free(bytes);
    free(lens);
    free(small);
    free(big);
    list_clear(&l);
}

/* ---------------- Memory ---------------- */

Test(list, clear_gives_back_every_byte_and_leaves_a_reusable_list)
{
    size_t start = mem_used();
    list l;
    list_init(&l);
    push_numbered(&l, 0, 50000);
    char *big = pattern(100000, 1);
    list_push(&l, LIST_HEAD, big, 100000);
    free(big);
    cr_expect_gt(mem_used(), start);
    list_clear(&l);
    cr_expect_eq(mem_used(), start, "%zu bytes left after clear", mem_used() - start);
    cr_expect_eq(list_length(&l), 0);
    cr_expect_eq(l.nodes, 0);
    push(&l, LIST_TAIL, "again");
    EXPECT_STRINGS(&l, "again");
    list_clear(&l);
    cr_expect_eq(mem_used(), start);
}

/* A 10-byte element takes 12 bytes packed; nodes add about 50 bytes per
 * 8 KB. Redis's listpacks need about the same. */
Test(list, small_elements_cost_little_more_than_their_packed_size)
{
    size_t start = mem_used();
    list l;
    list_init(&l);
    int total = 100000;
    for (int i = 0; i < total; i++)
        list_push(&l, i % 2 ? LIST_HEAD : LIST_TAIL, "0123456789", 10);
    double per = (double)(mem_used() - start) / total;
    cr_expect_leq(per, 12.5, "%.2f bytes per 10-byte element", per);
    list_clear(&l);
}

Test(list, popping_gives_memory_back_as_nodes_empty_and_shrink)
{
    size_t start = mem_used();
    list l;
    list_init(&l);
    push_numbered(&l, 0, 20000);
    for (int i = 0; i < 19999; i++)
        list_pop(&l, i % 3 ? LIST_HEAD : LIST_TAIL);
    cr_expect_eq(l.nodes, 1);
    cr_expect_leq(mem_used() - start, 128, "%zu bytes held for one element", mem_used() - start);
    list_clear(&l);
}

/* ---------------- Against a model ----------------
 *
 * The model is an array of malloc'd strings; every operation is done to
 * both, with the list checked after each one and compared in full every
 * so often. Element sizes mix tiny ones, ones around the 127/128 length
 * boundary, medium ones that fill nodes quickly, and a few bigger than a
 * node. */

typedef struct model {
    char **bytes;
    size_t *lens;
    size_t count, cap;
} model;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

static size_t random_len(void)
{
    size_t r = rng_below(100);
    if (r < 60)
        return rng_below(12);
    if (r < 80)
        return 120 + rng_below(16);
    if (r < 98)
        return 200 + rng_below(1800);
    return 8000 + rng_below(12000);
}

static void model_insert(model *m, size_t at, char *bytes, size_t len)
{
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->bytes = realloc(m->bytes, m->cap * sizeof(*m->bytes));
        m->lens = realloc(m->lens, m->cap * sizeof(*m->lens));
        cr_assert(m->bytes != NULL && m->lens != NULL);
    }
    memmove(m->bytes + at + 1, m->bytes + at, (m->count - at) * sizeof(*m->bytes));
    memmove(m->lens + at + 1, m->lens + at, (m->count - at) * sizeof(*m->lens));
    m->bytes[at] = bytes;
    m->lens[at] = len;
    m->count++;
}

static void model_delete(model *m, size_t at, size_t n)
{
    for (size_t i = at; i < at + n; i++)
        free(m->bytes[i]);
    memmove(m->bytes + at, m->bytes + at + n, (m->count - at - n) * sizeof(*m->bytes));
    memmove(m->lens + at, m->lens + at + n, (m->count - at - n) * sizeof(*m->lens));
    m->count -= n;
}

static long long random_index(const model *m, bool allow_outside)
{
    long long n = (long long)m->count;
    long long i = (long long)rng_below(m->count + (allow_outside ? 2 : 0));
    return rng() % 2 ? i : i - n;           /* same element counted from the tail */
}

static size_t normalised(const model *m, long long index)
{
    return index < 0 ? (size_t)((long long)m->count + index) : (size_t)index;
}

static bool in_range(const model *m, long long index)
{
    long long n = (long long)m->count;
    return index < n && index >= -n;
}

static void random_push(list *l, model *m, unsigned op)
{
    size_t len = random_len();
    char *p = pattern(len, op);
    bool head = rng() % 2;
    list_push(l, head ? LIST_HEAD : LIST_TAIL, p, len);
    model_insert(m, head ? 0 : m->count, p, len);
}

static void random_pop(list *l, model *m)
{
    if (m->count == 0)
        return;
    bool head = rng() % 2;
    size_t at = head ? 0 : m->count - 1;
    list_entry e;
    cr_assert(list_peek(l, head ? LIST_HEAD : LIST_TAIL, &e));
    cr_assert(entry_is(e, m->bytes[at], m->lens[at]), "peek at the %s", head ? "head" : "tail");
    list_pop(l, head ? LIST_HEAD : LIST_TAIL);
    model_delete(m, at, 1);
}

static void random_index_op(list *l, model *m)
{
    long long index = random_index(m, true);
    list_entry e;
    bool found = list_index(l, index, &e);
    cr_assert_eq(found, in_range(m, index), "index %lld of %zu", index, m->count);
    if (found) {
        size_t at = normalised(m, index);
        cr_assert(entry_is(e, m->bytes[at], m->lens[at]), "index %lld", index);
    }
}

static void random_set(list *l, model *m, unsigned op)
{
    long long index = random_index(m, true);
    size_t len = random_len();
    char *p = pattern(len, op);
    bool done = list_set(l, index, p, len);
    cr_assert_eq(done, in_range(m, index), "set %lld of %zu", index, m->count);
    if (!done) {
        free(p);
        return;
    }
    size_t at = normalised(m, index);
    free(m->bytes[at]);
    m->bytes[at] = p;
    m->lens[at] = len;
}

static void random_trim(list *l, model *m)
{
    size_t head = rng_below(m->count / 4 + 2), tail = rng_below(m->count / 4 + 2);
    list_trim(l, head, tail);
    if (head + tail >= m->count) {
        model_delete(m, 0, m->count);
    } else {
        model_delete(m, 0, head);
        model_delete(m, m->count - tail, tail);
    }
}

/* LRANGE-like: iterate a stretch in either direction and compare. */
static void random_range(list *l, model *m)
{
    long long index = random_index(m, true);
    bool forward = rng() % 2;
    list_iter it;
    bool started = list_iter_start(&it, l, index, forward);
    cr_assert_eq(started, in_range(m, index));
    if (!started)
        return;
    size_t at = normalised(m, index), steps = rng_below(200);
    list_entry e;
    for (size_t k = 0; k < steps && list_iter_next(&it, &e); k++) {
        cr_assert(entry_is(e, m->bytes[at], m->lens[at]), "iterating from %lld, element %zu", index, at);
        if (forward ? ++at == m->count : at-- == 0)
            break;
    }
}

/* LREM-like: walk from a random place, deleting elements of one length
 * class, up to a random number of them. */
static void random_remove(list *l, model *m)
{
    if (m->count == 0)
        return;
    long long index = random_index(m, false);
    bool forward = rng() % 2;
    size_t mod = 1 + rng_below(3), limit = rng_below(50);
    size_t at = normalised(m, index), removed = 0;
    list_iter it;
    list_entry e;
    cr_assert(list_iter_start(&it, l, index, forward));
    while (removed < limit && list_iter_next(&it, &e)) {
        cr_assert(entry_is(e, m->bytes[at], m->lens[at]), "removing walk at %zu", at);
        bool remove = e.len % mod == 0;
        if (remove) {
            list_iter_delete(&it);
            model_delete(m, at, 1);
            removed++;
        }
        if (forward) {
            if (!remove)
                at++;
        } else if (at-- == 0) {
            break;
        }
    }
}

/* LINSERT-like: walk a few steps and insert before or after. */
static void random_insert(list *l, model *m, unsigned op)
{
    if (m->count == 0)
        return;
    long long index = random_index(m, false);
    bool forward = rng() % 2, after = rng() % 2;
    size_t at = normalised(m, index), steps = rng_below(5);
    list_iter it;
    list_entry e;
    cr_assert(list_iter_start(&it, l, index, forward));
    cr_assert(list_iter_next(&it, &e));
    for (size_t k = 0; k < steps; k++) {
        if (forward ? at + 1 == m->count : at == 0)
            break;
        cr_assert(list_iter_next(&it, &e));
        at += forward ? 1 : (size_t)-1;
    }
    cr_assert(entry_is(e, m->bytes[at], m->lens[at]));
    size_t len = random_len();
    char *p = pattern(len, op);
    list_iter_insert(&it, after, p, len);
    model_insert(m, at + after, p, len);
}

Test(list, matches_a_simple_array_over_many_random_operations)
{
    size_t start = mem_used();
    list l;
    list_init(&l);
    model m = {0};
    for (unsigned op = 0; op < 30000; op++) {
        size_t r = rng_below(100);
        /* Bias towards pushing while short, so the list spans many nodes. */
        if (r < 30 || (m.count < 50 && r < 60))
            random_push(&l, &m, op);
        else if (r < 45)
            random_pop(&l, &m);
        else if (r < 55)
            random_index_op(&l, &m);
        else if (r < 67)
            random_set(&l, &m, op);
        else if (r < 69)
            random_trim(&l, &m);
        else if (r < 79)
            random_range(&l, &m);
        else if (r < 89)
            random_remove(&l, &m);
        else
            random_insert(&l, &m, op);
        cr_assert(list_check(&l), "inconsistent after op %u", op);
        cr_assert_eq(list_length(&l), m.count, "length after op %u", op);
        if (op % 500 == 0)
            cr_assert_eq(compare(&l, (expected){(const char **)m.bytes, m.lens, m.count}), 0,
                         "contents after op %u", op);
    }
    cr_expect_eq(compare(&l, (expected){(const char **)m.bytes, m.lens, m.count}), 0);
    list_clear(&l);
    cr_expect_eq(mem_used(), start);
    model_delete(&m, 0, m.count);
    free(m.bytes);
    free(m.lens);
}
