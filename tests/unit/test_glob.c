/* Unit tests of glob: Redis's pattern matching for KEYS and CONFIG GET
 * (stage 2). Every expectation in the table below is what Redis's
 * stringmatchlen() answers, quirks included (reversed ranges, an unclosed
 * '[', a trailing backslash). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/glob.h"

typedef struct glob_case {
    char pattern[24];
    size_t plen;
    char str[24];
    size_t slen;
    bool nocase;
    bool match;
} glob_case;

#define MATCH(p, s) {(p), sizeof(p) - 1, (s), sizeof(s) - 1, false, true}
#define NO_MATCH(p, s) {(p), sizeof(p) - 1, (s), sizeof(s) - 1, false, false}
#define MATCH_NOCASE(p, s) {(p), sizeof(p) - 1, (s), sizeof(s) - 1, true, true}
#define NO_MATCH_NOCASE(p, s) {(p), sizeof(p) - 1, (s), sizeof(s) - 1, true, false}

ParameterizedTestParameters(glob, follows_redis_matching_rules)
{
    static glob_case cases[] = {
        /* Literals and empties. */
        MATCH("", ""),
        NO_MATCH("", "a"),
        NO_MATCH("a", ""),
        MATCH("hello", "hello"),
        NO_MATCH("hello", "hell"),
        NO_MATCH("hell", "hello"),
        NO_MATCH("hello", "Hello"),
        /* '*': any run, also empty. */
        NO_MATCH("*", ""),               /* stringmatchlen() needs a byte to start; */
        NO_MATCH("**", ""),              /* KEYS * has its own shortcut for that */
        MATCH("*", "anything"),
        MATCH("a*", "a"),
        MATCH("a**", "a"),
        MATCH("*a", "ba"),
        NO_MATCH("*a", "ab"),
        MATCH("h*llo", "hllo"),
        MATCH("h*llo", "heeeello"),
        MATCH("a*b", "ab"),
        MATCH("a*b", "acb"),
        NO_MATCH("a*b", "acbd"),
        MATCH("a*b*c", "aXbYc"),
        MATCH("a*b*c", "abbbc"),
        NO_MATCH("a*b*c", "acb"),
        MATCH("*.txt", "notes.txt"),
        NO_MATCH("*.txt", "notes.txt.bak"),
        MATCH("user:*:name", "user:42:name"),
        NO_MATCH("user:*:name", "user:42:mail"),
        /* '?': exactly one byte. */
        MATCH("h?llo", "hello"),
        MATCH("h?llo", "hallo"),
        NO_MATCH("h?llo", "hllo"),
        NO_MATCH("?", ""),
        NO_MATCH("??", "a"),
        MATCH("?*", "a"),
        NO_MATCH("?*", ""),
        /* Sets, negated sets, ranges. */
        MATCH("h[ae]llo", "hello"),
        MATCH("h[ae]llo", "hallo"),
        NO_MATCH("h[ae]llo", "hillo"),
        NO_MATCH("h[ae]llo", "hllo"),
        MATCH("h[^e]llo", "hallo"),
        NO_MATCH("h[^e]llo", "hello"),
        NO_MATCH("h[^e]llo", "hllo"),
        MATCH("h[a-c]llo", "hallo"),
        MATCH("h[a-c]llo", "hbllo"),
        MATCH("h[a-c]llo", "hcllo"),
        NO_MATCH("h[a-c]llo", "hdllo"),
        MATCH("[c-a]", "a"),             /* a reversed range is swapped */
        MATCH("[c-a]", "b"),
        MATCH("[c-a]", "c"),
        NO_MATCH("[c-a]", "d"),
        MATCH("[^a-c]", "d"),
        NO_MATCH("[^a-c]", "b"),
        MATCH("[a-cx]", "x"),
        MATCH("[xa-c]", "b"),
        MATCH("[a-]", "a"),              /* the range 'a'-']' (reversed: 0x5d-0x61), */
        MATCH("[a-]", "^"),              /* not 'a' or '-'; the set is left open */
        NO_MATCH("[a-]", "-"),
        MATCH("[-a]", "-"),
        NO_MATCH("[]", "]"),             /* an empty set matches nothing */
        MATCH("[\\]]", "]"),             /* '\' escapes inside a set */
        MATCH("[\\-]", "-"),
        NO_MATCH("[\\-]", "\\"),
        /* Escapes. */
        MATCH("\\*", "*"),
        NO_MATCH("\\*", "a"),
        NO_MATCH("\\*", ""),
        MATCH("\\?", "?"),
        NO_MATCH("\\?", "x"),
        MATCH("\\[a]", "[a]"),
        MATCH("\\a", "a"),
        MATCH("*\\*", "abc*"),
        NO_MATCH("*\\*", "abc"),
        MATCH("a\\", "a\\"),             /* a trailing backslash is itself */
        NO_MATCH("a\\", "a"),
        MATCH("\\", "\\"),
        /* An unclosed '[' runs to the end of the pattern. */
        MATCH("[abc", "a"),
        MATCH("[abc", "c"),
        NO_MATCH("[abc", "d"),
        NO_MATCH("[abc", "ab"),
        MATCH("x[^abc", "xd"),
        NO_MATCH("[", "["),
        NO_MATCH("[", ""),
        /* Binary patterns and strings. */
        MATCH("a\0*", "a\0bc"),
        MATCH("a?c", "a\0c"),
        NO_MATCH("a\0", "a"),
        MATCH("[\x01-\x03]", "\x02"),
        /* nocase folds ASCII letters, in literals, sets and ranges. */
        MATCH_NOCASE("HELLO", "hello"),
        MATCH_NOCASE("hello", "HeLLo"),
        MATCH_NOCASE("h[AE]llo", "hello"),
        MATCH_NOCASE("[A-C]", "b"),
        NO_MATCH("[A-C]", "b"),
        MATCH_NOCASE("[a-c]", "B"),
        NO_MATCH_NOCASE("h[^E]llo", "hello"),
        MATCH_NOCASE("MAX*", "maxmemory"),
        NO_MATCH_NOCASE("max?", "max"),
    };
    return cr_make_param_array(glob_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(glob_case *c, glob, follows_redis_matching_rules)
{
    bool got = glob_match(c->pattern, c->plen, c->str, c->slen, c->nocase);
    cr_expect_eq(got, c->match, "pattern \"%.*s\" against \"%.*s\"%s: got %s",
                 (int)c->plen, c->pattern, (int)c->slen, c->str, c->nocase ? " (nocase)" : "",
                 got ? "match" : "no match");
}

Test(glob, reads_only_the_given_lengths)
{
    cr_expect(glob_match("abXXX", 2, "abYYY", 2, false));
    cr_expect(glob_match("a*", 2, "abc", 1, false));
    cr_expect_not(glob_match("abc", 3, "abc", 2, false));
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

Test(glob, gives_up_quickly_on_a_pathological_pattern)
{
    char as[200];
    memset(as, 'a', sizeof(as));
    const char *pattern = "a*a*a*a*a*a*a*a*a*a*b";
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cr_expect_not(glob_match(pattern, strlen(pattern), as, 30, false));
    cr_expect_not(glob_match(pattern, strlen(pattern), as, sizeof(as), false));
    const char *worse = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c";
    cr_expect_not(glob_match(worse, strlen(worse), as, sizeof(as), false));
    cr_expect(glob_match(worse, strlen(worse) - 1, as, sizeof(as), false),
              "without the final 'c' the same pattern matches");
    double elapsed = seconds_since(&start);
    cr_expect_lt(elapsed, 0.5, "took %.3f s: the give-up shortcut is not working", elapsed);
}

Test(glob, matches_long_strings_in_linear_time)
{
    size_t n = 1 << 20;
    char *s = malloc(n);
    cr_assert_not_null(s);
    memset(s, 'x', n);
    s[n - 1] = 'y';
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    cr_expect(glob_match("*y", 2, s, n, false));
    cr_expect_not(glob_match("*z", 2, s, n, false));
    cr_expect(glob_match("x*x*y", 5, s, n, false));
    double elapsed = seconds_since(&start);
    cr_expect_lt(elapsed, 1.0, "took %.3f s", elapsed);
    free(s);
}

/* Builds ("a*" x stars) + "a" and a string of stars + 1 'a's: a match
 * that needs one level of recursion per star. */
static bool match_nested_stars(size_t stars)
{
    size_t plen = 2 * stars + 1, slen = stars + 1;
    char *pattern = malloc(plen), *str = malloc(slen);
    cr_assert(pattern != NULL && str != NULL);
    for (size_t i = 0; i < stars; i++)
        pattern[2 * i] = 'a', pattern[2 * i + 1] = '*';
    pattern[plen - 1] = 'a';
    memset(str, 'a', slen);
    bool match = glob_match(pattern, plen, str, slen, false);
    free(pattern);
    free(str);
    return match;
}

/* BUG (common/glob.c): Redis's stringmatchlen_impl() starts with
 * `if (nesting > 1000) return 0;`, so past 1000 nested stars it answers
 * "no match" (checked against redis-server 7.0.15: KEYS with 1001 stars
 * finds nothing, with 1000 it finds the key). glob.c has no such limit:
 * it answers "match" for 1001 stars, and the recursion depth is only
 * bounded by the pattern's length. This test fails until it is fixed. */
Test(glob, gives_up_beyond_1000_nested_stars_as_redis_does)
{
    cr_expect(match_nested_stars(1000));
    cr_expect_not(match_nested_stars(1001));
}

/* BUG (common/glob.c), same cause: each star costs a stack frame, so a
 * 200 KB pattern against a 100 KB key (KEYS on a key set with SET; both
 * are far below the 512 MB argument limit) overflows the stack and kills
 * the server. Redis stops at depth 1000 and answers "no match". This test
 * crashes until it is fixed. */
Test(glob, survives_a_pattern_with_a_hundred_thousand_nested_stars)
{
    cr_expect_not(match_nested_stars(100000));
}
