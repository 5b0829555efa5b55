/* glob: Redis-compatible glob matching (stage 2). See glob.h for the rules.
 *
 * A star tries every split of the rest of the string, which is exponential
 * for patterns like "a*a*a*a*b" if done naively. The `give_up` flag is the
 * way out Redis also takes: when the rest of the pattern after a star
 * matches nowhere in the rest of the string, no earlier star can help by
 * swallowing more bytes, so the whole match fails at once. That keeps the
 * cost polynomial. Each star is also one level of recursion, so like Redis
 * the matcher answers "no match" past 1000 nested stars instead of
 * overflowing the stack on a hostile pattern.
 *
 * Byte comparisons use plain `char`, signed on x86, because Redis does:
 * it decides which bytes >= 0x80 fall inside a range like [a-\xff]. */
#include "base/glob.h"

#include <ctype.h>

#define GLOB_MAX_DEPTH 1000

typedef struct glob_cursor {
    const char *p;      /* pattern left to match */
    size_t plen;
    const char *s;      /* string left to match */
    size_t slen;
    bool nocase;
    int depth;          /* stars entered so far: Redis gives up past 1000 */
} glob_cursor;

static bool glob_same(char a, char b, bool nocase)
{
    if (nocase)
        return tolower((unsigned char)a) == tolower((unsigned char)b);
    return a == b;
}

/* The pattern byte at i, or NUL past the end: Redis reads the terminator
 * of its NUL-terminated pattern there, and an unclosed '[' relies on it. */
static char glob_at(const glob_cursor *g, size_t i)
{
    return i < g->plen ? g->p[i] : '\0';
}

/* Match one [...] class against the string's first byte. On return the
 * pattern points at the closing ']' (or the last byte if there is none). */
static bool glob_class(glob_cursor *g)
{
    char c = g->s[0];
    g->p++, g->plen--;                           /* skip '[' */
    bool negate = glob_at(g, 0) == '^';
    if (negate)
        g->p++, g->plen--;
    bool match = false;
    for (;;) {
        if (glob_at(g, 0) == '\\' && g->plen >= 2) {
            g->p++, g->plen--;
            if (g->p[0] == c)
                match = true;
        } else if (glob_at(g, 0) == ']') {
            break;
        } else if (g->plen == 0) {
            g->p--, g->plen++;                   /* unclosed: stay on the last byte */
            break;
        } else if (g->plen >= 3 && g->p[1] == '-') {
            int lo = g->p[0], hi = g->p[2], ch = c;
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            if (g->nocase) {
                lo = tolower(lo), hi = tolower(hi), ch = tolower(ch);
            }
            if (ch >= lo && ch <= hi)
                match = true;
            g->p += 2, g->plen -= 2;
        } else if (glob_same(g->p[0], c, g->nocase)) {
            match = true;
        }
        g->p++, g->plen--;
    }
    return negate ? !match : match;
}

static bool glob_run(glob_cursor g, bool *give_up);

static bool glob_star(glob_cursor g, bool *give_up)
{
    while (g.plen > 1 && g.p[1] == '*')
        g.p++, g.plen--;
    if (g.plen == 1)
        return true;                             /* a trailing star matches anything */
    glob_cursor rest = g;
    rest.p++, rest.plen--;
    rest.depth++;
    for (; rest.slen > 0; rest.s++, rest.slen--) {
        if (glob_run(rest, give_up))
            return true;
        if (*give_up)
            return false;
    }
    *give_up = true;
    return false;
}

static bool glob_run(glob_cursor g, bool *give_up)
{
    if (g.depth > GLOB_MAX_DEPTH)
        return false;
    while (g.plen > 0 && g.slen > 0) {
        switch (g.p[0]) {
        case '*':
            return glob_star(g, give_up);
        case '?':
            break;
        case '[':
            if (!glob_class(&g))
                return false;
            break;
        case '\\':
            if (g.plen >= 2)
                g.p++, g.plen--;
            /* The escaped byte is compared literally, below. */
            __attribute__((fallthrough));
        default:
            if (!glob_same(g.p[0], g.s[0], g.nocase))
                return false;
            break;
        }
        g.s++, g.slen--;
        g.p++, g.plen--;
        if (g.slen == 0) {
            while (g.plen > 0 && g.p[0] == '*')
                g.p++, g.plen--;
            break;
        }
    }
    return g.plen == 0 && g.slen == 0;
}

bool glob_match(const char *pattern, size_t plen, const char *str, size_t slen, bool nocase)
{
    glob_cursor g = {pattern, plen, str, slen, nocase, 0};
    bool give_up = false;
    return glob_run(g, &give_up);
}
