/* Unit tests of num: parsing and formatting 64-bit integers the way Redis
 * does (stage 2). The parser must be exactly as strict as Redis's
 * string2ll(), since INCR on "007" or " 5" has to fail the same way. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/num.h"

/* The texts are arrays, not pointers: Criterion copies each case into
 * the process that runs it. */
typedef struct num_case {
    char text[32];
    size_t len;
    long long value;
} num_case;

#define ACCEPT(s, v) {(s), sizeof(s) - 1, (v)}
#define REJECT(s) {(s), sizeof(s) - 1, 0}

ParameterizedTestParameters(num, parses_canonical_integers)
{
    static num_case cases[] = {
        ACCEPT("0", 0),
        ACCEPT("1", 1),
        ACCEPT("-1", -1),
        ACCEPT("9", 9),
        ACCEPT("10", 10),
        ACCEPT("-10", -10),
        ACCEPT("42", 42),
        ACCEPT("1000000", 1000000),
        ACCEPT("2147483648", 2147483648LL),
        ACCEPT("9223372036854775807", LLONG_MAX),
        ACCEPT("-9223372036854775807", -LLONG_MAX),
        ACCEPT("-9223372036854775808", LLONG_MIN),
        ACCEPT("9223372036854775806", LLONG_MAX - 1),
    };
    return cr_make_param_array(num_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(num_case *c, num, parses_canonical_integers)
{
    long long value = 12345;
    cr_assert(num_parse_ll(c->text, c->len, &value), "\"%s\" should parse", c->text);
    cr_expect_eq(value, c->value, "\"%s\" parsed as %lld, expected %lld", c->text, value, c->value);
}

ParameterizedTestParameters(num, rejects_anything_that_would_not_round_trip)
{
    static num_case cases[] = {
        REJECT(""),
        REJECT("-"),
        REJECT("-0"),
        REJECT("00"),
        REJECT("007"),
        REJECT("-07"),
        REJECT(" 5"),
        REJECT("5 "),
        REJECT("+5"),
        REJECT("--5"),
        REJECT("5-"),
        REJECT("1a"),
        REJECT("a1"),
        REJECT("0x10"),
        REJECT("1.0"),
        REJECT("1e3"),
        REJECT("9223372036854775808"),
        REJECT("-9223372036854775809"),
        REJECT("9999999999999999999"),
        REJECT("18446744073709551615"),
        REJECT("18446744073709551616"),
        REJECT("99999999999999999999"),
        REJECT("-99999999999999999999"),
        REJECT("123456789012345678901"),    /* 21 characters */
        REJECT("-12345678901234567890"),    /* 21 characters */
        REJECT("-000000000000000000001"),
        REJECT("1\0"),
        REJECT("1\0" "2"),
    };
    return cr_make_param_array(num_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(num_case *c, num, rejects_anything_that_would_not_round_trip)
{
    long long value = 0;
    cr_expect_not(num_parse_ll(c->text, c->len, &value),
                  "\"%.*s\" (%zu bytes) should be rejected, parsed as %lld",
                  (int)c->len, c->text, c->len, value);
}

Test(num, reads_only_the_given_length_of_the_text)
{
    long long value = 0;
    cr_assert(num_parse_ll("12345", 2, &value));
    cr_expect_eq(value, 12);
    cr_assert(num_parse_ll("-9x", 2, &value));
    cr_expect_eq(value, -9);
    cr_expect_not(num_parse_ll("-9", 1, &value));
}

/* Formats into a buffer filled with '#', to see that nothing is written
 * past the returned length (no NUL either). */
static size_t format(long long value, char *out, size_t room)
{
    memset(out, '#', room);
    size_t n = num_format_ll(out, value);
    cr_assert_leq(n, (size_t)NUM_LL_MAX);
    cr_expect_eq(out[n], '#', "num_format_ll(%lld) wrote past its length", value);
    return n;
}

typedef struct format_case {
    long long value;
    char text[24];
} format_case;

ParameterizedTestParameters(num, formats_integers_as_redis_writes_them)
{
    static format_case cases[] = {
        {0, "0"},
        {1, "1"},
        {-1, "-1"},
        {9, "9"},
        {10, "10"},
        {-10, "-10"},
        {1234567890, "1234567890"},
        {LLONG_MAX, "9223372036854775807"},
        {LLONG_MIN, "-9223372036854775808"},
        {LLONG_MIN + 1, "-9223372036854775807"},
    };
    return cr_make_param_array(format_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(format_case *c, num, formats_integers_as_redis_writes_them)
{
    char out[NUM_LL_MAX + 8];
    size_t n = format(c->value, out, sizeof(out));
    cr_expect_eq(n, strlen(c->text), "%lld formatted in %zu bytes", c->value, n);
    cr_expect_arr_eq(out, c->text, strlen(c->text), "%lld formatted as \"%.*s\"",
                     c->value, (int)n, out);
}

static void expect_round_trip(long long value)
{
    char out[NUM_LL_MAX + 8];
    size_t n = format(value, out, sizeof(out));
    long long back = 0;
    cr_expect(num_parse_ll(out, n, &back), "\"%.*s\" from %lld does not parse", (int)n, out, value);
    cr_expect_eq(back, value, "%lld came back as %lld", value, back);
}

Test(num, round_trips_the_extremes_and_every_power_of_two_and_ten)
{
    expect_round_trip(LLONG_MIN);
    expect_round_trip(LLONG_MAX);
    expect_round_trip(0);
    for (int bit = 0; bit < 63; bit++) {
        long long p = 1LL << bit;
        expect_round_trip(p);
        expect_round_trip(p - 1);
        expect_round_trip(-p);
        expect_round_trip(-p + 1);
        expect_round_trip(-p - 1);
    }
    long long ten = 1;
    for (int digits = 1; digits <= 18; digits++) {
        ten *= 10;
        expect_round_trip(ten);
        expect_round_trip(ten - 1);
        expect_round_trip(ten + 1);
        expect_round_trip(-ten);
        expect_round_trip(-ten + 1);
        expect_round_trip(-ten - 1);
    }
}

Test(num, round_trips_a_spread_of_pseudo_random_values)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;    /* xorshift64 */
        expect_round_trip((long long)x);
        expect_round_trip((long long)(x >> (x % 64)));  /* short ones too */
    }
}

/* Part II, sorted sets: scores print as Redis 7.0's "%.17g", an integral
 * one through the integer path, which must give the same bytes. */
Test(num, doubles_print_as_redis_prints_a_score)
{
    char out[NUM_DOUBLE_MAX];
    const struct {
        double value;
        const char *text;
    } cases[] = {
        {0, "0"}, {-0.0, "-0"}, {1, "1"}, {-42, "-42"}, {1.5, "1.5"}, {0.1, "0.10000000000000001"},
        {99999999999999984.0, "99999999999999984"}, {1e17, "1e+17"}, {-1e17, "-1e+17"},
        {9007199254740993.0, "9007199254740992"}, {1.0 / 0.0, "inf"}, {-1.0 / 0.0, "-inf"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char expect[NUM_DOUBLE_MAX];
        size_t n = num_format_double(out, cases[i].value);
        cr_expect_str_eq(out, cases[i].text);
        cr_expect_eq(n, strlen(cases[i].text));
        if (!isinf(cases[i].value)) {
            snprintf(expect, sizeof(expect), "%.17g", cases[i].value);
            cr_expect_str_eq(out, expect, "the same bytes as %%.17g");
        }
    }
}
