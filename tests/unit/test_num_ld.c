/* Unit tests of num's long doubles (base/num.c): INCRBYFLOAT reads
 * floats as Redis's string2ld does and prints them as its ld2string in
 * "human" mode: 17 decimals, trailing zeros cut, never an exponent
 * (Part II, strings). The expected texts are Redis 7.0's. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "base/num.h"

typedef struct format_case {
    char text[48];          /* parsed, then printed */
    char expected[48];
} format_case;

ParameterizedTestParameters(strings_more, prints_floats_as_redis_does)
{
    static format_case cases[] = {
        {"10.6", "10.6"},
        {"5.0e3", "5000"},
        {"0.1", "0.1"},
        {"-5", "-5"},
        {"1e-20", "0"},
        {"-1e-20", "0"},
        {"-0", "0"},
        {"0x10", "16"},
        {"1.5e-5", "0.000015"},
        {"0.00000000000000001", "0.00000000000000001"},
        {"123456789012345678901234567890", "123456789012345678899921813504"},
        {"100.000000000000000001", "100"},
        {"3.14159", "3.14159"},
    };
    return cr_make_param_array(format_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(format_case *c, strings_more, prints_floats_as_redis_does)
{
    long double v;
    char out[NUM_LD_MAX];
    cr_assert(num_parse_ld(c->text, strlen(c->text), &v), "\"%s\" should parse", c->text);
    size_t len = num_format_ld(out, v);
    cr_expect_str_eq(out, c->expected, "\"%s\" printed as \"%s\", Redis prints \"%s\"", c->text, out, c->expected);
    cr_expect_eq(len, strlen(c->expected));
}

Test(strings_more, sums_keep_long_double_precision)
{
    long double a, b;
    char out[NUM_LD_MAX];
    cr_assert(num_parse_ld("0.1", 3, &a) && num_parse_ld("0.2", 3, &b));
    num_format_ld(out, a + b);
    cr_expect_str_eq(out, "0.3", "0.1 + 0.2 with a double would print 0.30000000000000004");
}

Test(strings_more, writes_big_numbers_out_in_full)
{
    long double v;
    char out[NUM_LD_MAX];
    cr_assert(num_parse_ld("3e300", 5, &v));
    size_t len = num_format_ld(out, v);
    cr_expect_eq(len, 301, "3e300 has 301 digits and no point; got %zu characters", len);
    cr_expect(strncmp(out, "30000000000000000000996", 23) == 0, "got %.40s...", out);
    cr_assert(num_parse_ld("1.18e4932", 9, &v), "near the largest long double");
    cr_expect_eq(num_format_ld(out, v), 4933);
}

Test(strings_more, infinity_is_spelled_out)
{
    char out[NUM_LD_MAX];
    cr_expect_eq(num_format_ld(out, 1.0L / 0.0L), 3);
    cr_expect_str_eq(out, "inf");
    num_format_ld(out, -1.0L / 0.0L);
    cr_expect_str_eq(out, "-inf");
}

typedef struct parse_case {
    char text[16];
    size_t len;
} parse_case;

ParameterizedTestParameters(strings_more, refuses_what_redis_refuses)
{
    static parse_case cases[] = {
        {"", 0}, {" 1", 2}, {"1 ", 2}, {"abc", 3}, {"nan", 3}, {"1e5000", 6},
        {"-1e5000", 7}, {"1e-5000", 7}, {"1\0" "2", 3}, {"12abc", 5}, {"\t1", 2},
    };
    return cr_make_param_array(parse_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(parse_case *c, strings_more, refuses_what_redis_refuses)
{
    long double v;
    cr_expect_not(num_parse_ld(c->text, c->len, &v), "\"%.*s\" should be refused", (int)c->len, c->text);
}

Test(strings_more, accepts_infinity_itself_and_refuses_overlong_text)
{
    long double v;
    cr_expect(num_parse_ld("inf", 3, &v), "Redis reads \"inf\"; the sum is refused later");
    static char longtext[NUM_LD_MAX + 1];
    memset(longtext, '1', sizeof(longtext));
    cr_expect_not(num_parse_ld(longtext, NUM_LD_MAX, &v));
    cr_expect(num_parse_ld(longtext, 300, &v));
}
