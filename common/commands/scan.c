/* scan: the cursor and options of SCAN, HSCAN and SSCAN (Part II, keys).
 *
 * Kept apart from the commands so the three parse their arguments one
 * way: the hash and set families call these for HSCAN and SSCAN, and
 * commands/keys_more.c for SCAN itself. */
#include "commands/scan.h"

#include <limits.h>

#include "base/glob.h"
#include "base/num.h"
#include "server/command.h"
#include "server/reply.h"

/* Redis 7.0 reads the cursor with strtoul(s, &end, 10) and accepts it if
 * the first byte is not a space, nothing follows the number and it did
 * not overflow. Spelled out here because the argument is not
 * NUL-terminated. What strtoul allows, so do we: a '+' or '-' (which
 * negates modulo 2^64, so "-1" is the largest cursor), leading zeros, and
 * the empty string (no digits, nothing left over: 0). Like strtoul, the
 * bytes end at a NUL. */
static bool scan_read_cursor(const char *s, size_t len, unsigned long long *out)
{
    size_t i = 0;
    bool negative = false;
    if (len > 0 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
        return false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        negative = s[i++] == '-';
    size_t digits_from = i;
    unsigned long long v = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - digit) / 10)
            return false;       /* ERANGE */
        v = v * 10 + digit;
    }
    if (i == digits_from)       /* no digits: strtoul converts nothing and points at the start */
        return len == 0 || s[0] == '\0';
    if (i < len && s[i] != '\0')
        return false;
    *out = negative ? 0 - v : v;
    return true;
}

bool scan_parse_cursor(client *c, int i, unsigned long long *cursor)
{
    *cursor = 0;
    if (scan_read_cursor(c->argv[i], c->argvlen[i], cursor))
        return true;
    reply_error(c, REPLY_ERR_INVALID_CURSOR);
    return false;
}

/* COUNT must be a whole number of at least 1; Redis answers a COUNT of 0
 * or less with a plain syntax error. */
static bool scan_parse_count(client *c, int i, long long *count)
{
    if (!num_parse_ll(c->argv[i], c->argvlen[i], count)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return false;
    }
    if (*count < 1) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return false;
    }
    return true;
}

bool scan_parse_options(client *c, int first, bool allow_type, scan_options *o)
{
    *o = (scan_options){SCAN_DEFAULT_COUNT, NULL, 0, NULL, 0};
    for (int i = first; i < c->argc; i += 2) {
        bool has_value = i + 1 < c->argc;
        if (has_value && command_arg_is(c, i, "count")) {
            if (!scan_parse_count(c, i + 1, &o->count))
                return false;
        } else if (has_value && command_arg_is(c, i, "match")) {
            o->pattern = c->argv[i + 1];
            o->patlen = c->argvlen[i + 1];
        } else if (has_value && allow_type && command_arg_is(c, i, "type")) {
            o->type = c->argv[i + 1];
            o->typelen = c->argvlen[i + 1];
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

bool scan_matches(const scan_options *o, const char *s, size_t len)
{
    if (o->pattern == NULL || (o->patlen == 1 && o->pattern[0] == '*'))
        return true;
    return glob_match(o->pattern, o->patlen, s, len, false);
}
