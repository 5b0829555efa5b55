/* Unit tests of hash: the field -> value map behind the hash type, packed
 * while small and a dict once big (Part II, hashes). Both encodings, the
 * conversion between them, the random pairs, and a long run of random
 * operations checked against a plain array of pairs as reference. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/hash.h"
#include "base/mem.h"

static const hash_limits small = {8, 16};       /* converts early, to test both sides */
static const hash_limits redis_default = {512, 64};

static void set_ok(hash_map *h, const char *f, const char *v, const hash_limits *lim, bool expect_new)
{
    bool created = hash_set(h, f, strlen(f), v, strlen(v), lim);
    cr_assert_eq(created, expect_new, "hash_set(%s) said new=%d", f, created);
    cr_assert(hash_check(h), "hash_check failed after setting %s", f);
}

static void expect_value(hash_map *h, const char *f, const char *v)
{
    hash_str got;
    bool found = hash_get(h, f, strlen(f), &got);
    if (v == NULL) {
        cr_expect_not(found, "%s should be missing", f);
        return;
    }
    cr_assert(found, "%s is missing", f);
    cr_expect_eq(got.len, strlen(v), "%s: length %zu, expected %zu", f, got.len, strlen(v));
    cr_expect(got.len == strlen(v) && memcmp(got.bytes, v, got.len) == 0, "%s: wrong value", f);
}

Test(hash, a_new_hash_is_empty_and_packed)
{
    hash_map h;
    hash_init(&h);
    cr_expect_eq(hash_length(&h), 0);
    cr_expect(hash_is_packed(&h));
    expect_value(&h, "x", NULL);
    cr_expect_not(hash_delete(&h, "x", 1));
    cr_expect(hash_check(&h));
    hash_clear(&h);
}

Test(hash, set_get_overwrite_and_delete_in_the_packed_encoding)
{
    hash_map h;
    hash_init(&h);
    set_ok(&h, "name", "ada", &redis_default, true);
    set_ok(&h, "age", "36", &redis_default, true);
    set_ok(&h, "", "empty field", &redis_default, true);
    set_ok(&h, "blank", "", &redis_default, true);
    cr_expect_eq(hash_length(&h), 4);
    expect_value(&h, "name", "ada");
    expect_value(&h, "", "empty field");
    expect_value(&h, "blank", "");
    set_ok(&h, "name", "augusta ada king", &redis_default, false);    /* longer value */
    expect_value(&h, "name", "augusta ada king");
    expect_value(&h, "age", "36");
    set_ok(&h, "name", "a", &redis_default, false);                   /* shorter value */
    expect_value(&h, "name", "a");
    cr_expect_eq(hash_length(&h), 4);
    cr_expect(hash_delete(&h, "age", 3));
    cr_expect_not(hash_delete(&h, "age", 3));
    expect_value(&h, "age", NULL);
    expect_value(&h, "blank", "");
    cr_expect(hash_is_packed(&h));
    cr_expect(hash_check(&h));
    hash_clear(&h);
}

Test(hash, binary_fields_and_values_are_kept_exactly)
{
    hash_map h;
    hash_init(&h);
    const char f[] = {'a', '\0', '\r', '\n'}, v[] = {'\0', '\xff', 'z'};
    cr_expect(hash_set(&h, f, sizeof(f), v, sizeof(v), &redis_default));
    hash_str got;
    cr_assert(hash_get(&h, f, sizeof(f), &got));
    cr_expect(got.len == sizeof(v) && memcmp(got.bytes, v, sizeof(v)) == 0);
    cr_expect_not(hash_get(&h, f, 1, &got), "a prefix of a field is another field");
    hash_clear(&h);
}

Test(hash, more_entries_than_the_limit_convert_to_a_table)
{
    hash_map h;
    hash_init(&h);
    char f[32], v[16];
    for (int i = 0; i < 8; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        snprintf(v, sizeof(v), "v%d", i);
        set_ok(&h, f, v, &small, true);
    }
    cr_expect(hash_is_packed(&h), "8 entries with a limit of 8 stay packed");
    set_ok(&h, "f8", "v8", &small, true);
    cr_expect_not(hash_is_packed(&h), "the 9th entry converts");
    cr_expect_eq(hash_length(&h), 9);
    for (int i = 0; i < 9; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        snprintf(v, sizeof(v), "v%d", i);
        expect_value(&h, f, v);
    }
    for (int i = 0; i < 9; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        cr_expect(hash_delete(&h, f, strlen(f)));
    }
    cr_expect_eq(hash_length(&h), 0);
    cr_expect_not(hash_is_packed(&h), "a table never converts back");
    hash_clear(&h);
    cr_expect(hash_is_packed(&h), "a cleared hash starts packed again");
}

Test(hash, a_long_field_or_value_converts_but_one_at_the_limit_does_not)
{
    const char *at_limit = "0123456789abcdef";          /* 16 bytes: small.max_value */
    const char *over = "0123456789abcdefg";             /* 17 */
    hash_map a, b, c;
    hash_init(&a);
    hash_init(&b);
    hash_init(&c);
    set_ok(&a, at_limit, at_limit, &small, true);
    cr_expect(hash_is_packed(&a));
    set_ok(&b, "f", over, &small, true);
    cr_expect_not(hash_is_packed(&b), "a long value converts");
    set_ok(&c, over, "v", &small, true);
    cr_expect_not(hash_is_packed(&c), "a long field converts");
    expect_value(&b, "f", over);
    expect_value(&c, over, "v");
    hash_clear(&a);
    hash_clear(&b);
    hash_clear(&c);
}

Test(hash, a_limit_of_zero_entries_converts_on_the_first_set)
{
    hash_limits none = {0, 64};
    hash_map h;
    hash_init(&h);
    set_ok(&h, "f", "v", &none, true);
    cr_expect_not(hash_is_packed(&h));
    hash_clear(&h);
}

Test(hash, values_longer_than_127_bytes_take_a_longer_length_prefix)
{
    hash_limits roomy = {512, 100000};
    hash_map h;
    hash_init(&h);
    char *big = malloc(20000);
    memset(big, 'x', 20000);
    for (size_t len = 120; len <= 20000; len = len * 3 / 2 + 1) {
        cr_expect(hash_set(&h, "k", 1, big, len, &roomy) == (len == 120));
        cr_assert(hash_check(&h), "length %zu", len);
        hash_str got;
        cr_assert(hash_get(&h, "k", 1, &got));
        cr_expect_eq(got.len, len);
    }
    cr_expect(hash_is_packed(&h));
    free(big);
    hash_clear(&h);
}

Test(hash, short_and_long_values_in_a_table_read_back_exactly_through_overwrites)
{
    hash_map h;
    hash_init(&h);
    hash_limits none = {0, 64};
    const char *values[] = {"", "1", "1234567", "12345678", "a\0b\r\n\xff!", "0123456789abcdefghij", "x"};
    size_t lens[] = {0, 1, 7, 8, 7, 20, 1};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        hash_set(&h, "f", 1, values[i], lens[i], &none);
        hash_set(&h, values[i], lens[i], values[i], lens[i], &none);   /* a field of its own too */
        hash_str got;
        cr_assert(hash_get(&h, "f", 1, &got));
        cr_expect(got.len == lens[i] && memcmp(got.bytes, values[i], lens[i]) == 0, "value %zu", i);
    }
    cr_expect_not(hash_is_packed(&h));
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        hash_str got;
        cr_assert(hash_get(&h, values[i], lens[i], &got), "field %zu", i);
        cr_expect(got.len == lens[i] && memcmp(got.bytes, values[i], lens[i]) == 0, "field %zu", i);
    }
    hash_map copy;
    hash_copy(&copy, &h);
    hash_clear(&h);
    hash_str got;
    cr_assert(hash_get(&copy, "f", 1, &got));
    cr_expect(got.len == 1 && got.bytes[0] == 'x');
    hash_clear(&copy);
}

/* ---------------- Iteration, copy, scan ---------------- */

static size_t count_pairs(hash_map *h)
{
    hash_iter it;
    hash_pair p;
    size_t n = 0;
    hash_iter_start(&it, h);
    while (hash_iter_next(&it, &p)) {
        hash_str v;
        cr_assert(hash_get(h, p.field.bytes, p.field.len, &v));
        cr_assert(v.len == p.value.len && memcmp(v.bytes, p.value.bytes, v.len) == 0);
        n++;
    }
    hash_iter_end(&it);
    return n;
}

static void fill(hash_map *h, int n, const hash_limits *lim)
{
    char f[32], v[16];
    for (int i = 0; i < n; i++) {
        snprintf(f, sizeof(f), "field:%d", i);
        snprintf(v, sizeof(v), "%d", i * 7);
        hash_set(h, f, strlen(f), v, strlen(v), lim);
    }
}

Test(hash, iteration_and_copy_see_every_pair_in_both_encodings)
{
    for (int n = 0; n <= 600; n += 300) {
        hash_map h, copy;
        hash_init(&h);
        fill(&h, n, &redis_default);
        cr_expect_eq(count_pairs(&h), (size_t)n);
        hash_copy(&copy, &h);
        cr_expect_eq(hash_is_packed(&copy), hash_is_packed(&h));
        cr_expect_eq(count_pairs(&copy), (size_t)n);
        hash_clear(&h);
        cr_expect_eq(count_pairs(&copy), (size_t)n, "the copy owns its own memory");
        hash_clear(&copy);
    }
}

static void count_scanned(void *data, const hash_pair *p)
{
    (void)p;
    (*(size_t *)data)++;
}

Test(hash, scan_gives_a_packed_hash_at_once_and_a_table_bucket_by_bucket)
{
    hash_map h;
    hash_init(&h);
    fill(&h, 100, &redis_default);
    size_t seen = 0;
    cr_expect_eq(hash_scan(&h, 0, count_scanned, &seen), 0);
    cr_expect_eq(seen, 100);
    fill(&h, 1000, &redis_default);
    cr_assert_not(hash_is_packed(&h));
    seen = 0;
    size_t cursor = 0, calls = 0;
    do {
        cursor = hash_scan(&h, cursor, count_scanned, &seen);
        calls++;
    } while (cursor != 0);
    cr_expect_eq(seen, 1000, "a walk without changes sees each entry once");
    cr_expect_gt(calls, 1);
    hash_clear(&h);
}

/* ---------------- Random pairs ---------------- */

/* "field:<i>" -> i; the bytes are not NUL-terminated. */
static int index_of(const hash_pair *p)
{
    char text[32];
    size_t skip = strlen("field:");
    cr_assert(p->field.len > skip && p->field.len < sizeof(text));
    memcpy(text, p->field.bytes + skip, p->field.len - skip);
    text[p->field.len - skip] = '\0';
    return atoi(text);
}

/* Draw many times and check every pair comes up about as often: each
 * count within 25% of the mean (the chance of a false alarm at these
 * sizes is far below one in a million). */
static void expect_uniform(hash_map *h, int n, int draws_per_pair)
{
    int *hits = calloc((size_t)n, sizeof(int));
    hash_pair *out = malloc(sizeof(*out) * 1000);
    int total = n * draws_per_pair;
    for (int done = 0; done < total; done += 1000) {
        hash_random_pairs(h, 1000, out);
        for (int i = 0; i < 1000; i++) {
            int at = index_of(&out[i]);
            cr_assert(at >= 0 && at < n);
            hits[at]++;
        }
    }
    for (int i = 0; i < n; i++)
        cr_expect(hits[i] > draws_per_pair * 3 / 4 && hits[i] < draws_per_pair * 5 / 4,
                  "pair %d drawn %d times, mean %d", i, hits[i], draws_per_pair);
    free(hits);
    free(out);
}

Test(hash, random_pairs_are_uniform_when_packed)
{
    hash_map h;
    hash_init(&h);
    fill(&h, 50, &redis_default);
    cr_assert(hash_is_packed(&h));
    expect_uniform(&h, 50, 4000);
    hash_pair p;
    hash_random_pair(&h, &p);
    cr_expect(index_of(&p) >= 0 && index_of(&p) < 50);
    hash_clear(&h);
}

Test(hash, random_pairs_are_uniform_in_a_table)
{
    hash_map h;
    hash_init(&h);
    fill(&h, 700, &redis_default);
    cr_assert_not(hash_is_packed(&h));
    expect_uniform(&h, 700, 4000);
    hash_clear(&h);
}

static void expect_distinct(hash_map *h, int n, size_t want)
{
    hash_pair *out = malloc(sizeof(*out) * want);
    char *seen = calloc((size_t)n, 1);
    hash_random_distinct(h, want, out);
    for (size_t i = 0; i < want; i++) {
        int at = index_of(&out[i]);
        cr_assert(at >= 0 && at < n);
        cr_expect_not(seen[at], "pair %d given twice", at);
        seen[at] = 1;
        hash_str v;
        cr_assert(hash_get(h, out[i].field.bytes, out[i].field.len, &v));
        cr_expect(v.len == out[i].value.len && memcmp(v.bytes, out[i].value.bytes, v.len) == 0);
    }
    free(out);
    free(seen);
}

Test(hash, distinct_random_pairs_never_repeat_with_either_strategy)
{
    hash_map packed, table;
    hash_init(&packed);
    hash_init(&table);
    fill(&packed, 100, &redis_default);
    fill(&table, 3000, &redis_default);
    expect_distinct(&packed, 100, 10);
    expect_distinct(&packed, 100, 99);
    expect_distinct(&table, 3000, 20);      /* draws and drops repeats */
    expect_distinct(&table, 3000, 2000);    /* lists and shuffles */
    hash_clear(&packed);
    hash_clear(&table);
}

Test(hash, distinct_random_pairs_are_uniform)
{
    hash_map h;
    hash_init(&h);
    fill(&h, 3000, &redis_default);
    int *hits = calloc(3000, sizeof(int));
    hash_pair out[10];
    for (int round = 0; round < 60000; round++) {
        hash_random_distinct(&h, 10, out);
        for (int i = 0; i < 10; i++)
            hits[index_of(&out[i])]++;
    }
    for (int i = 0; i < 3000; i++)      /* mean 200: within 40% */
        cr_expect(hits[i] > 120 && hits[i] < 280, "pair %d drawn %d times, mean 200", i, hits[i]);
    free(hits);
    hash_clear(&h);
}

/* ---------------- Against a reference ---------------- */

#define REF_FIELDS 300

typedef struct ref {
    bool present[REF_FIELDS];
    char value[REF_FIELDS][80];
    size_t count;
} ref;

/* Random sets, overwrites and deletes on a few hundred fields, with values
 * from empty to 79 bytes, so both the entry and the length limits are
 * crossed; after each step the hash must agree with the plain arrays. */
Test(hash, random_operations_agree_with_a_reference)
{
    srand(12345);
    for (int run = 0; run < 4; run++) {
        hash_limits lim = {(size_t)(run * 40 + 10), (size_t)(run == 3 ? 100 : 64)};
        hash_map h;
        hash_init(&h);
        ref *r = calloc(1, sizeof(*r));
        for (int step = 0; step < 20000; step++) {
            int i = rand() % (run == 0 ? 20 : REF_FIELDS);
            char f[32];
            snprintf(f, sizeof(f), "f%d", i);
            if (rand() % 3 == 0) {
                bool was = hash_delete(&h, f, strlen(f));
                cr_assert_eq(was, r->present[i], "delete %s", f);
                r->count -= r->present[i];
                r->present[i] = false;
            } else {
                size_t len = (size_t)(rand() % 80);
                for (size_t k = 0; k < len; k++)
                    r->value[i][k] = (char)('a' + rand() % 26);
                r->value[i][len] = '\0';
                bool created = hash_set(&h, f, strlen(f), r->value[i], len, &lim);
                cr_assert_eq(created, !r->present[i], "set %s", f);
                r->count += !r->present[i];
                r->present[i] = true;
            }
            cr_assert_eq(hash_length(&h), r->count);
            cr_assert(hash_check(&h));
            if (hash_is_packed(&h)) {
                cr_assert_leq(hash_length(&h), lim.max_entries, "packed past the entry limit");
            }
        }
        for (int i = 0; i < REF_FIELDS; i++) {
            char f[32];
            snprintf(f, sizeof(f), "f%d", i);
            expect_value(&h, f, r->present[i] ? r->value[i] : NULL);
        }
        cr_expect_eq(count_pairs(&h), r->count);
        hash_clear(&h);
        free(r);
    }
}

Test(hash, clearing_frees_all_the_memory)
{
    size_t before = mem_used();
    hash_map h;
    hash_init(&h);
    fill(&h, 100, &redis_default);
    fill(&h, 2000, &redis_default);
    hash_clear(&h);
    fill(&h, 10, &redis_default);
    hash_clear(&h);
    cr_expect_eq(mem_used(), before, "%zu bytes left over", mem_used() - before);
}
