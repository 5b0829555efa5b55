/* Unit tests of intset: the sorted array of 16-, 32- or 64-bit integers
 * that holds small sets of integers (Part II, sets). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "data/intset.h"

static intset *add(intset *is, int64_t v, bool expect_added)
{
    bool added;
    is = intset_add(is, v, &added);
    cr_assert_eq(added, expect_added, "adding %lld: added is %d", (long long)v, added);
    return is;
}

/* Every element in order, strictly ascending, and equal to want[]. */
static void expect_elements(const intset *is, const int64_t *want, size_t n)
{
    cr_assert_eq(intset_length(is), n, "length %u, expected %zu", intset_length(is), n);
    for (uint32_t i = 0; i < n; i++)
        cr_expect_eq(intset_get(is, i), want[i], "element %u is %lld, expected %lld", i,
                     (long long)intset_get(is, i), (long long)want[i]);
}

/* ---------------- Width ---------------- */

Test(intset, starts_empty_and_sixteen_bits_wide)
{
    intset *is = intset_new();
    cr_expect_eq(intset_length(is), 0);
    cr_expect_eq(intset_width(is), 2);
    cr_expect_not(intset_contains(is, 0));
    intset_free(is);
}

Test(intset, keeps_its_elements_sorted_whatever_the_order_they_come_in)
{
    intset *is = intset_new();
    int64_t in[] = {5, -3, 100, 0, 7, -300};
    for (size_t i = 0; i < 6; i++)
        is = add(is, in[i], true);
    int64_t want[] = {-300, -3, 0, 5, 7, 100};
    expect_elements(is, want, 6);
    intset_free(is);
}

Test(intset, stays_sixteen_bits_up_to_int16_max_and_min)
{
    intset *is = intset_new();
    is = add(is, INT16_MAX, true);
    is = add(is, INT16_MIN, true);
    cr_expect_eq(intset_width(is), 2);
    cr_expect_eq(intset_bytes(is), sizeof(intset) + 2 * 2);
    intset_free(is);
}

Test(intset, widens_to_32_bits_appending_a_large_positive)
{
    intset *is = intset_new();
    is = add(is, -1, true);
    is = add(is, 1, true);
    is = add(is, INT16_MAX + 1, true);
    cr_expect_eq(intset_width(is), 4);
    int64_t want[] = {-1, 1, INT16_MAX + 1};
    expect_elements(is, want, 3);
    intset_free(is);
}

Test(intset, widens_to_64_bits_prepending_a_large_negative)
{
    intset *is = intset_new();
    is = add(is, 10, true);
    is = add(is, 70000, true);          /* 32 bits */
    is = add(is, (int64_t)INT32_MIN - 1, true);
    cr_expect_eq(intset_width(is), 8);
    int64_t want[] = {(int64_t)INT32_MIN - 1, 10, 70000};
    expect_elements(is, want, 3);
    cr_expect_eq(intset_bytes(is), sizeof(intset) + 3 * 8);
    intset_free(is);
}

Test(intset, widens_straight_from_16_to_64_bits)
{
    intset *is = intset_new();
    for (int64_t v = -5; v <= 5; v++)
        is = add(is, v, true);
    is = add(is, INT64_MAX, true);
    is = add(is, INT64_MIN, true);
    cr_expect_eq(intset_width(is), 8);
    cr_expect_eq(intset_get(is, 0), INT64_MIN);
    cr_expect_eq(intset_get(is, 12), INT64_MAX);
    for (int64_t v = -5; v <= 5; v++)
        cr_expect_eq(intset_get(is, (uint32_t)(v + 6)), v);
    intset_free(is);
}

Test(intset, never_narrows_again_after_the_wide_value_goes)
{
    intset *is = intset_new();
    is = add(is, 1, true);
    is = add(is, 1LL << 40, true);
    bool removed;
    is = intset_remove(is, 1LL << 40, &removed);
    cr_expect(removed);
    cr_expect_eq(intset_width(is), 8);
    int64_t want[] = {1};
    expect_elements(is, want, 1);
    intset_free(is);
}

/* ---------------- Search ---------------- */

Test(intset, adding_a_value_twice_adds_it_once)
{
    intset *is = intset_new();
    is = add(is, 42, true);
    is = add(is, 42, false);
    cr_expect_eq(intset_length(is), 1);
    intset_free(is);
}

Test(intset, finds_every_element_and_nothing_between_them)
{
    intset *is = intset_new();
    for (int64_t v = 0; v < 1000; v += 3)
        is = add(is, v, true);
    for (int64_t v = -2; v < 1003; v++)
        cr_expect_eq(intset_contains(is, v), v >= 0 && v < 1000 && v % 3 == 0, "contains(%lld)", (long long)v);
    intset_free(is);
}

Test(intset, a_value_wider_than_the_array_is_not_there)
{
    intset *is = intset_new();
    is = add(is, 0, true);
    cr_expect_not(intset_contains(is, 1LL << 16));
    cr_expect_not(intset_contains(is, INT64_MIN));
    bool removed = true;
    is = intset_remove(is, 1LL << 33, &removed);
    cr_expect_not(removed);
    cr_expect_eq(intset_length(is), 1);
    intset_free(is);
}

Test(intset, removes_from_the_front_middle_and_back)
{
    intset *is = intset_new();
    for (int64_t v = 1; v <= 5; v++)
        is = add(is, v, true);
    bool removed;
    is = intset_remove(is, 1, &removed);
    cr_expect(removed);
    is = intset_remove(is, 3, &removed);
    cr_expect(removed);
    is = intset_remove(is, 5, &removed);
    cr_expect(removed);
    is = intset_remove(is, 3, &removed);
    cr_expect_not(removed);
    int64_t want[] = {2, 4};
    expect_elements(is, want, 2);
    cr_expect_eq(intset_bytes(is), sizeof(intset) + 2 * 2);
    intset_free(is);
}

Test(intset, a_copy_is_equal_and_independent)
{
    intset *is = intset_new();
    is = add(is, 3, true);
    is = add(is, 1LL << 35, true);
    intset *copy = intset_copy(is);
    is = add(is, 4, true);
    int64_t want[] = {3, 1LL << 35};
    expect_elements(copy, want, 2);
    cr_expect_eq(intset_width(copy), 8);
    intset_free(copy);
    intset_free(is);
}

Test(intset, gives_back_all_its_memory)
{
    size_t before = mem_used();
    intset *is = intset_new();
    for (int64_t v = 0; v < 300; v++)
        is = add(is, v * 1000003, true);
    intset_free(is);
    cr_expect_eq(mem_used(), before);
}

/* ---------------- Against a reference ---------------- */

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* A value from a mix of ranges, so the array widens along the way and
 * values repeat often enough for adds of existing ones and removes. */
static int64_t random_value(unsigned *seed, int round)
{
    int64_t small = (int64_t)(rand_r(seed) % 200) - 100;
    if (round < 3000 || rand_r(seed) % 4 != 0)
        return small;
    if (rand_r(seed) % 2)
        return small * 100000;          /* 32 bits */
    return small * 100000000000LL;      /* 64 bits */
}

Test(intset, random_adds_and_removes_agree_with_a_sorted_array)
{
    unsigned seed = 12345;
    int64_t ref[1000];
    size_t n = 0;
    intset *is = intset_new();
    for (int round = 0; round < 20000; round++) {
        int64_t v = random_value(&seed, round);
        int64_t *hit = bsearch(&v, ref, n, sizeof(int64_t), compare_i64);
        bool changed, adding = rand_r(&seed) % 3 != 0;
        if (adding) {
            is = intset_add(is, v, &changed);
            cr_assert_eq(changed, hit == NULL, "round %d: add %lld", round, (long long)v);
            if (hit == NULL) {
                ref[n++] = v;
                qsort(ref, n, sizeof(int64_t), compare_i64);
            }
        } else {
            is = intset_remove(is, v, &changed);
            cr_assert_eq(changed, hit != NULL, "round %d: remove %lld", round, (long long)v);
            if (hit != NULL) {
                memmove(hit, hit + 1, (size_t)(ref + n - hit - 1) * sizeof(int64_t));
                n--;
            }
        }
        cr_assert_eq(intset_contains(is, v), adding, "round %d: after %s %lld", round, adding ? "adding" : "removing",
                     (long long)v);
    }
    expect_elements(is, ref, n);
    cr_expect_eq(intset_width(is), 8, "64-bit values were added: the array is 64 bits wide");
    intset_free(is);
}
