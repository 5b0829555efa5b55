/* Unit tests of bits: integers of any width at any bit offset, overflow
 * in BITFIELD's three modes, and counting and finding bits in a range
 * (Part II, strings). The expected values are Redis 7.0's, as BITFIELD,
 * BITCOUNT and BITPOS answer them. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <string.h>

#include "commands/bits.h"

Test(bits, bit_zero_is_the_most_significant_bit_of_byte_zero)
{
    unsigned char p[2] = {0, 0};
    bits_set(p, 0, 1, 1);
    cr_expect_eq(p[0], 0x80);
    bits_set(p, 15, 1, 1);
    cr_expect_eq(p[1], 0x01);
    cr_expect_eq(bits_get_unsigned(p, 0, 1), 1);
    cr_expect_eq(bits_get_unsigned(p, 1, 1), 0);
}

Test(bits, an_unaligned_field_straddles_two_bytes)
{
    /* Redis's own example: 23 in 5 bits at offset 7 is 00000001 01110000. */
    unsigned char p[2] = {0, 0};
    bits_set(p, 7, 5, 23);
    cr_expect_eq(p[0], 0x01, "byte 0 is 0x%02x", p[0]);
    cr_expect_eq(p[1], 0x70, "byte 1 is 0x%02x", p[1]);
    cr_expect_eq(bits_get_unsigned(p, 7, 5), 23);
}

Test(bits, setting_a_field_leaves_its_neighbours_alone)
{
    unsigned char p[3] = {0xff, 0xff, 0xff};
    bits_set(p, 4, 12, 0);
    cr_expect_eq(p[0], 0xf0);
    cr_expect_eq(p[1], 0x00);
    cr_expect_eq(p[2], 0xff);
}

Test(bits, signed_fields_extend_their_sign)
{
    unsigned char p[9] = {0};
    bits_set(p, 3, 8, (uint64_t)-56);
    cr_expect_eq(bits_get_signed(p, 3, 8), -56);
    cr_expect_eq(bits_get_unsigned(p, 3, 8), 200);
    bits_set(p, 0, 1, 1);
    cr_expect_eq(bits_get_signed(p, 0, 1), -1, "an i1 holds 0 or -1");
    bits_set(p, 5, 64, (uint64_t)INT64_MIN);
    cr_expect_eq(bits_get_signed(p, 5, 64), INT64_MIN);
    cr_expect_eq(bits_get_unsigned(p, 5, 63), 1ULL << 62);
}

/* One overflow check: value + incr in `width` bits under `mode`. */
typedef struct overflow_case {
    int is_signed, width, mode;
    int64_t value, incr;
    int overflows;
    int64_t result;     /* what WRAP or SAT stores when it overflows */
} overflow_case;

ParameterizedTestParameters(bits, overflow_wraps_saturates_or_fails_like_redis)
{
    static overflow_case cases[] = {
        /* unsigned */
        {0, 8, BITS_WRAP, 100, 100, 0, 0},
        {0, 8, BITS_WRAP, 100, 200, 1, 44},
        {0, 8, BITS_SAT, 100, 200, 1, 255},
        {0, 8, BITS_WRAP, 200, -300, 1, 156},
        {0, 8, BITS_SAT, 200, -300, 1, 0},
        {0, 8, BITS_FAIL, 255, 1, 1, 0},
        {0, 8, BITS_WRAP, 0, 0, 0, 0},
        {0, 8, BITS_WRAP, 256, 0, 1, 0},                     /* SET u8 256 */
        {0, 8, BITS_SAT, -1, 0, 1, 255},                     /* SET u8 -1: over, not under */
        {0, 63, BITS_WRAP, INT64_MAX, 1, 1, 0},
        {0, 63, BITS_SAT, INT64_MAX, 1, 1, INT64_MAX},
        {0, 1, BITS_WRAP, 5, 0, 1, 1},
        {0, 8, BITS_WRAP, 10, INT64_MIN, 1, 10},
        /* signed */
        {1, 8, BITS_WRAP, 100, 27, 0, 0},
        {1, 8, BITS_WRAP, 100, 100, 1, -56},
        {1, 8, BITS_SAT, 100, 100, 1, 127},
        {1, 8, BITS_SAT, -56, -300, 1, -128},
        {1, 8, BITS_WRAP, 200, 0, 1, -56},                  /* SET i8 200 */
        {1, 8, BITS_SAT, -300, 0, 1, -128},
        {1, 8, BITS_SAT, INT64_MIN, 0, 1, 127},              /* Redis 7.0's quirk */
        {1, 8, BITS_SAT, -9223372036854775000LL, 0, 1, -128},
        {1, 64, BITS_WRAP, INT64_MAX, 1, 1, INT64_MIN},
        {1, 64, BITS_SAT, INT64_MAX, 1, 1, INT64_MAX},
        {1, 64, BITS_WRAP, INT64_MIN, -1, 1, INT64_MAX},
        {1, 64, BITS_SAT, INT64_MIN, -1, 1, INT64_MIN},
        {1, 64, BITS_WRAP, -5, INT64_MAX, 0, 0},
        {1, 1, BITS_WRAP, 1, 0, 1, -1},
        {1, 1, BITS_WRAP, -2, 0, 1, 0},
    };
    return cr_make_param_array(overflow_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(overflow_case *c, bits, overflow_wraps_saturates_or_fails_like_redis)
{
    bool over;
    int64_t result = 12345;
    if (c->is_signed) {
        over = bits_overflow_signed(c->value, c->incr, c->width, (enum bits_overflow)c->mode, &result);
    } else {
        uint64_t u = 12345;
        over = bits_overflow_unsigned((uint64_t)c->value, c->incr, c->width, (enum bits_overflow)c->mode, &u);
        result = (int64_t)u;
    }
    cr_assert_eq(over, c->overflows, "%c%d: %lld + %lld overflow=%d, expected %d", c->is_signed ? 'i' : 'u',
                 c->width, (long long)c->value, (long long)c->incr, over, c->overflows);
    if (over && c->mode != BITS_FAIL)
        cr_expect_eq(result, c->result, "%c%d mode %d: %lld + %lld stores %lld, expected %lld",
                     c->is_signed ? 'i' : 'u', c->width, c->mode, (long long)c->value, (long long)c->incr,
                     (long long)result, (long long)c->result);
}

Test(bits, count_takes_only_the_bits_of_its_range)
{
    const unsigned char *p = (const unsigned char *)"foobar";
    cr_expect_eq(bits_count(p, 0, 47), 26);
    cr_expect_eq(bits_count(p, 0, 7), 4);
    cr_expect_eq(bits_count(p, 5, 30), 17);
    cr_expect_eq(bits_count(p, 9, 9), 1);
    cr_expect_eq(bits_count(p, 3, 3), 0);
}

Test(bits, count_handles_long_unaligned_strings)
{
    unsigned char p[100];
    memset(p, 0x55, sizeof(p));
    cr_expect_eq(bits_count(p + 1, 0, 98 * 8 + 7), 99 * 4);
    cr_expect_eq(bits_count(p, 1, 799), 400);
}

Test(bits, find_looks_only_inside_its_range)
{
    const unsigned char p[] = {0xff, 0xf0, 0x00};
    cr_expect_eq(bits_find(p, 0, 23, 0), 12);
    cr_expect_eq(bits_find(p, 0, 23, 1), 0);
    cr_expect_eq(bits_find(p, 7, 15, 1), 7);
    cr_expect_eq(bits_find(p, 7, 11, 0), -1);
    cr_expect_eq(bits_find(p, 12, 23, 1), -1);
    cr_expect_eq(bits_find(p, 4, 4, 1), 4);
}

Test(bits, find_skips_long_runs)
{
    unsigned char p[1001];
    memset(p, 0, sizeof(p));
    p[1000] = 0x10;
    cr_expect_eq(bits_find(p, 0, 8007, 1), 8003);
    cr_expect_eq(bits_find(p, 3, 8002, 1), -1);
    memset(p, 0xff, sizeof(p));
    p[997] = 0xfe;
    cr_expect_eq(bits_find(p, 9, 8007, 0), 997 * 8 + 7);
}
