/* Unit tests of set: the set value, an intset while every member is a
 * canonical integer and there are few, a hash table otherwise (Part II,
 * sets). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "data/set.h"

#define LIMIT 512       /* set-max-intset-entries' default */

static bool add(set_value *s, const char *m)
{
    return set_add(s, m, strlen(m), LIMIT);
}

static bool has(set_value *s, const char *m)
{
    return set_contains(s, m, strlen(m));
}

static void expect_encoding(const set_value *s, const char *want)
{
    cr_expect_str_eq(set_encoding_name(s), want);
}

/* The number in a member "17" or "m:17" (members are not NUL-terminated). */
static int member_number(const char *bytes, size_t len)
{
    char text[32];
    snprintf(text, sizeof(text), "%.*s", (int)len, bytes);
    return atoi(text + (text[0] == 'm' ? 2 : 0));
}

/* ---------------- Encodings ---------------- */

Test(set, an_empty_set_is_an_intset_holding_no_memory)
{
    size_t before = mem_used();
    set_value s;
    set_init(&s);
    cr_expect_eq(set_size(&s), 0);
    expect_encoding(&s, "intset");
    cr_expect_not(has(&s, "1"));
    cr_expect_not(set_remove(&s, "1", 1));
    cr_expect_eq(mem_used(), before);
    set_clear(&s);
}

Test(set, canonical_integers_stay_an_intset)
{
    set_value s;
    set_init(&s);
    const char *members[] = {"0", "-1", "42", "9223372036854775807", "-9223372036854775808"};
    for (size_t i = 0; i < 5; i++)
        cr_expect(add(&s, members[i]), "%s", members[i]);
    expect_encoding(&s, "intset");
    for (size_t i = 0; i < 5; i++)
        cr_expect(has(&s, members[i]), "%s", members[i]);
    cr_expect_not(add(&s, "42"));
    cr_expect_eq(set_size(&s), 5);
    set_clear(&s);
}

/* "007" must come back as "007", which an intset cannot do. The texts
 * are arrays, not pointers: Criterion copies each case into the process
 * that runs it. */
typedef struct text_case {
    char text[24];
} text_case;

ParameterizedTestParameters(set, a_non_canonical_number_makes_a_hash_table)
{
    static text_case cases[] = {{"007"}, {"+1"}, {"-0"}, {" 1"}, {"1 "}, {"1.0"}, {"0x10"}, {"9223372036854775808"},
                                {"a"}, {""}};
    return cr_make_param_array(text_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(text_case *c, set, a_non_canonical_number_makes_a_hash_table)
{
    const char *text = c->text;
    size_t len = strlen(text);
    set_value s;
    set_init(&s);
    add(&s, "1");
    cr_expect(set_add(&s, text, len, LIMIT), "adding \"%s\"", text);
    expect_encoding(&s, "hashtable");
    cr_expect(set_contains(&s, text, len), "\"%s\" is a member", text);
    cr_expect(has(&s, "1"), "the integer is still there, as text");
    cr_expect_eq(set_size(&s), 2);
    set_iter it;
    set_member m;
    bool seen = false;
    set_iter_start(&it, &s);
    while (set_iter_next(&it, &m))
        seen |= m.len == len && memcmp(m.bytes, text, len) == 0;
    set_iter_end(&it);
    cr_expect(seen, "iteration gives \"%s\" back byte for byte", text);
    set_clear(&s);
}

Test(set, one_integer_past_the_limit_converts_and_not_before)
{
    set_value s;
    set_init(&s);
    char text[16];
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof(text), "%d", i * 7);
        set_add(&s, text, strlen(text), 4);
    }
    expect_encoding(&s, "intset");
    cr_expect_not(set_add(&s, "7", 1, 4), "re-adding a member changes nothing");
    expect_encoding(&s, "intset");
    cr_expect(set_add(&s, "100", 3, 4));
    expect_encoding(&s, "hashtable");
    cr_expect_eq(set_size(&s), 5);
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof(text), "%d", i * 7);
        cr_expect(has(&s, text), "%s survived the conversion", text);
    }
    set_clear(&s);
}

Test(set, a_limit_of_zero_makes_even_one_integer_a_hash_table)
{
    set_value s;
    set_init(&s);
    cr_expect(set_add(&s, "1", 1, 0));
    expect_encoding(&s, "hashtable");
    set_clear(&s);
}

Test(set, a_hash_table_never_turns_back_into_an_intset)
{
    set_value s;
    set_init(&s);
    add(&s, "1");
    add(&s, "x");
    cr_expect(set_remove(&s, "x", 1));
    expect_encoding(&s, "hashtable");
    cr_expect(add(&s, "2"));
    expect_encoding(&s, "hashtable");
    set_clear(&s);
}

Test(set, integers_as_text_are_found_in_either_encoding)
{
    set_value s;
    set_init(&s);
    add(&s, "12");
    set_member m = {.bytes = "12", .len = 2, .is_int = false};
    cr_expect(set_contains_member(&s, &m));
    add(&s, "z");
    cr_expect(set_contains_member(&s, &m));
    m.is_int = true;
    m.integer = 12;
    cr_expect(set_contains_member(&s, &m));
    set_clear(&s);
}

Test(set, an_intset_is_iterated_in_ascending_order)
{
    set_value s;
    set_init(&s);
    const char *in[] = {"5", "-20", "300000", "0"};
    for (size_t i = 0; i < 4; i++)
        add(&s, in[i]);
    const char *want[] = {"-20", "0", "5", "300000"};
    set_iter it;
    set_member m;
    size_t n = 0;
    set_iter_start(&it, &s);
    while (set_iter_next(&it, &m)) {
        cr_assert_lt(n, 4);
        cr_expect_eq(m.len, strlen(want[n]));
        cr_expect(memcmp(m.bytes, want[n], m.len) == 0, "member %zu is %.*s", n, (int)m.len, m.bytes);
        n++;
    }
    set_iter_end(&it);
    cr_expect_eq(n, 4);
    set_clear(&s);
}

Test(set, removing_the_last_integer_frees_the_intset)
{
    size_t before = mem_used();
    set_value s;
    set_init(&s);
    add(&s, "1");
    cr_expect_gt(mem_used(), before);
    cr_expect(set_remove(&s, "1", 1));
    cr_expect_eq(set_size(&s), 0);
    cr_expect_eq(mem_used(), before);
    set_clear(&s);
}

Test(set, a_copy_has_the_same_members_and_encoding)
{
    set_value s, intcopy, tablecopy;
    set_init(&s);
    add(&s, "1");
    add(&s, "2");
    set_copy(&intcopy, &s);
    expect_encoding(&intcopy, "intset");
    add(&s, "b");
    set_copy(&tablecopy, &s);
    expect_encoding(&tablecopy, "hashtable");
    cr_expect_eq(set_size(&intcopy), 2);
    cr_expect_eq(set_size(&tablecopy), 3);
    cr_expect(has(&tablecopy, "b") && has(&tablecopy, "1") && has(&intcopy, "2"));
    set_clear(&s);
    cr_expect(has(&tablecopy, "b"), "the copy does not share the original's memory");
    set_clear(&intcopy);
    set_clear(&tablecopy);
}

Test(set, gives_back_all_its_memory)
{
    size_t before = mem_used();
    set_value s;
    set_init(&s);
    char text[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(text, sizeof(text), i % 2 ? "%d" : "m:%d", i);
        add(&s, text);
    }
    set_clear(&s);
    cr_expect_eq(mem_used(), before);
}

/* ---------------- Scanning ---------------- */

typedef struct scan_seen {
    int counts[1000];
} scan_seen;

static void count_member(void *data, const char *bytes, size_t len)
{
    scan_seen *seen = data;
    int i = member_number(bytes, len);
    cr_assert(i >= 0 && i < 1000);
    seen->counts[i]++;
}

Test(set, an_intset_is_scanned_whole_in_one_call)
{
    set_value s;
    set_init(&s);
    char text[16];
    for (int i = 0; i < 100; i++) {
        snprintf(text, sizeof(text), "%d", i);
        add(&s, text);
    }
    scan_seen seen = {{0}};
    cr_expect_eq(set_scan(&s, 0, count_member, &seen), 0);
    for (int i = 0; i < 100; i++)
        cr_expect_eq(seen.counts[i], 1, "member %d seen %d times", i, seen.counts[i]);
    set_clear(&s);
}

Test(set, a_hash_table_scan_visits_every_member)
{
    set_value s;
    set_init(&s);
    char text[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(text, sizeof(text), "m:%d", i);
        add(&s, text);
    }
    scan_seen seen = {{0}};
    size_t cursor = 0;
    int calls = 0;
    do {
        cursor = set_scan(&s, cursor, count_member, &seen);
        calls++;
    } while (cursor != 0);
    cr_expect_gt(calls, 1, "a table is scanned a bucket at a time");
    for (int i = 0; i < 1000; i++)
        cr_expect_geq(seen.counts[i], 1, "member m:%d never seen", i);
    set_clear(&s);
}

/* ---------------- Against a reference ---------------- */

/* Members from a small pool, integers or not, so adds repeat, removes hit,
 * and the set converts at some point along the way. */
static size_t pool_member(char *out, unsigned *seed)
{
    int i = rand_r(seed) % 300;
    if (rand_r(seed) % 5 == 0)
        return (size_t)snprintf(out, 32, "m:%d", i);
    return (size_t)snprintf(out, 32, "%d", i - 150);
}

static int pool_index(const char *bytes, size_t len)
{
    char text[32];
    snprintf(text, sizeof(text), "%.*s", (int)len, bytes);
    if (text[0] == 'm')
        return 300 + atoi(text + 2);
    return atoi(text) + 150;
}

Test(set, random_operations_agree_with_a_table_of_flags)
{
    unsigned seed = 777;
    bool ref[600] = {false};
    size_t count = 0;
    set_value s;
    set_init(&s);
    for (int round = 0; round < 20000; round++) {
        char text[32];
        size_t len = pool_member(text, &seed);
        int at = pool_index(text, len);
        if (rand_r(&seed) % 3 != 0) {
            cr_assert_eq(set_add(&s, text, len, 64), !ref[at], "round %d: add %s", round, text);
            count += !ref[at];
            ref[at] = true;
        } else {
            cr_assert_eq(set_remove(&s, text, len), ref[at], "round %d: remove %s", round, text);
            count -= ref[at];
            ref[at] = false;
        }
        cr_assert_eq(set_size(&s), count, "round %d", round);
        cr_assert_eq(set_contains(&s, text, len), ref[at], "round %d", round);
    }
    expect_encoding(&s, "hashtable");
    bool seen[600] = {false};
    set_iter it;
    set_member m;
    set_iter_start(&it, &s);
    while (set_iter_next(&it, &m)) {
        int at = pool_index(m.bytes, m.len);
        cr_expect(ref[at] && !seen[at], "%.*s: in the set %d, seen before %d", (int)m.len, m.bytes, ref[at], seen[at]);
        seen[at] = true;
    }
    set_iter_end(&it);
    cr_expect(memcmp(seen, ref, sizeof(ref)) == 0, "iteration gives every member");
    set_clear(&s);
}

/* ---------------- Random members ---------------- */

/* Pearson's chi-square of `picks` draws over n members, n-1 degrees of
 * freedom. The bound passed in is far in the tail (p below one in a
 * billion for a fair pick), so the test never flakes; a pick that always
 * or mostly takes the same member scores in the thousands. */
static double chi_square(set_value *s, int n, int picks)
{
    int counts[64] = {0};
    cr_assert_leq(n, 64);
    for (int k = 0; k < picks; k++) {
        set_member m;
        set_random(s, &m);
        int i = member_number(m.bytes, m.len);
        cr_assert(i >= 0 && i < n, "a member not in the set: %.*s", (int)m.len, m.bytes);
        counts[i]++;
    }
    double expected = (double)picks / n, chi = 0;
    for (int i = 0; i < n; i++)
        chi += (counts[i] - expected) * (counts[i] - expected) / expected;
    return chi;
}

Test(set, random_members_of_an_intset_are_uniform)
{
    set_value s;
    set_init(&s);
    char text[16];
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof(text), "%d", i);
        add(&s, text);
    }
    expect_encoding(&s, "intset");
    double chi = chi_square(&s, 20, 40000);
    cr_expect_lt(chi, 90.0, "chi-square %.1f over 20 members (19 degrees of freedom: about 19 when fair)", chi);
    set_clear(&s);
}

Test(set, random_members_of_a_hash_table_are_uniform)
{
    set_value s;
    set_init(&s);
    char text[16];
    for (int i = 0; i < 50; i++) {
        snprintf(text, sizeof(text), "m:%d", i);
        add(&s, text);
    }
    expect_encoding(&s, "hashtable");
    double chi = chi_square(&s, 50, 100000);
    cr_expect_lt(chi, 150.0, "chi-square %.1f over 50 members (49 degrees of freedom: about 49 when fair)", chi);
    set_clear(&s);
}

Test(set, the_random_member_of_a_set_of_one_is_that_one)
{
    set_value s;
    set_init(&s);
    add(&s, "only");
    set_member m;
    set_random(&s, &m);
    cr_expect(m.len == 4 && memcmp(m.bytes, "only", 4) == 0);
    set_clear(&s);
}
