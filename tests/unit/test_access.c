/* Unit tests of access: the LRU time and LFU counter in each value's
 * header (Part II, memory limit). The clock is set by hand. */
#include <criterion/criterion.h>

#include "data/access.h"

#define T0 1700000000000LL     /* some Unix time in ms */

static void lru(void)
{
    access_use_lfu(false, 10, 1);
    access_set_clock(T0);
}

static void lfu(void)
{
    access_use_lfu(true, 10, 1);
    access_set_clock(T0);
}

Test(access, lru_idle_time_grows_with_the_clock_and_a_use_resets_it, .init = lru)
{
    uint32_t a = access_new();
    cr_expect_eq(access_idle_ms(a), 0);
    access_set_clock(T0 + 7500);
    cr_expect_eq(access_idle_ms(a), 7000, "seconds resolution: 7.5 s idle reads 7 s");
    a = access_used(a);
    cr_expect_eq(access_idle_ms(a), 0);
    cr_expect_eq(access_idle_score(a), 0);
}

Test(access, lru_idle_time_survives_the_24_bit_wrap, .init = lru)
{
    access_set_clock(((1LL << 24) - 2) * 1000);     /* two seconds before the wrap */
    uint32_t a = access_new();
    access_set_clock(((1LL << 24) + 3) * 1000);
    cr_expect_eq(access_idle_ms(a), 4000, "idle across the wrap: %llu ms", access_idle_ms(a));
}

Test(access, lfu_starts_at_five_and_grows_logarithmically, .init = lfu)
{
    uint32_t a = access_new();
    cr_expect_eq(access_frequency(a), ACCESS_LFU_INIT);
    for (int i = 0; i < 100; i++)
        a = access_used(a);
    int after_100 = access_frequency(a);
    for (int i = 0; i < 100000; i++)
        a = access_used(a);
    int after_100k = access_frequency(a);
    /* With factor 10, counter c needs about 10 * (c - 5) hits to grow:
     * 100 hits reach about 9, 100,000 hits about 145. */
    cr_expect(after_100 >= 7 && after_100 <= 12, "after 100 uses: %d", after_100);
    cr_expect(after_100k >= 120 && after_100k <= 170, "after 100,000 uses: %d", after_100k);
    cr_expect_eq(access_idle_score(a), (unsigned long long)(255 - after_100k));
}

Test(access, lfu_loses_a_point_per_decay_period, .init = lfu)
{
    uint32_t a = access_new();
    for (int i = 0; i < 200; i++)
        a = access_used(a);
    int before = access_frequency(a);
    access_set_clock(T0 + 3 * 60000);
    cr_expect_eq(access_frequency(a), before - 3, "3 minutes idle: %d, was %d", access_frequency(a), before);
    access_set_clock(T0 + 1000 * 60000LL);
    cr_expect_eq(access_frequency(a), 0, "long idle: the counter floors at 0");
}

Test(access, lfu_without_decay_keeps_its_counter, .init = lfu)
{
    access_use_lfu(true, 10, 0);
    uint32_t a = access_new();
    access_set_clock(T0 + 100 * 60000LL);
    cr_expect_eq(access_frequency(a), ACCESS_LFU_INIT);
}
