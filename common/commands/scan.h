/* scan: what SCAN, HSCAN and SSCAN share (Part II, keys).
 *
 * The three commands walk a hash table a few buckets per call, handing
 * the client a cursor to continue from (dict_scan in data/dict.c explains
 * the cursor). They read their arguments the same way: a cursor, then
 * MATCH pattern, COUNT n and, for SCAN only, TYPE name, in any order, the
 * last of each winning. These helpers parse them exactly as Redis 7.0
 * does and send its error replies.
 *
 *     unsigned long long cursor;
 *     scan_options o;
 *     if (!scan_parse_cursor(c, 2, &cursor) || !scan_parse_options(c, 3, false, &o))
 *         return;                          // the error is already sent
 *     ... dict_scan(d, cursor, ...), keeping what scan_matches(&o, key, len) accepts
 */
#ifndef SCAN_H
#define SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "server/client.h"

#define SCAN_DEFAULT_COUNT 10   /* buckets' worth of elements a call aims for, as in Redis */

typedef struct scan_options {
    long long count;        /* COUNT: how much work a call may do (>= 1); 10 without it */
    const char *pattern;    /* MATCH's glob, NULL without MATCH; points into argv */
    size_t patlen;
    const char *type;       /* TYPE's name (SCAN only), NULL without TYPE; points into argv */
    size_t typelen;
} scan_options;

/* argv[i] as a cursor. Redis reads it with strtoul: a sign is allowed
 * ("-1" is the largest cursor), an empty string is 0, a leading space or
 * a trailing non-digit is not. Replies "ERR invalid cursor" and returns
 * false when it is not a cursor. */
bool scan_parse_cursor(client *c, int i, unsigned long long *cursor);

/* MATCH, COUNT and (when allow_type) TYPE from argv[first] on. Replies
 * Redis's error (a syntax error, or a COUNT that is not an integer) and
 * returns false on bad options. */
bool scan_parse_options(client *c, int first, bool allow_type, scan_options *o);

/* Whether a key or element passes MATCH (always, without MATCH). */
bool scan_matches(const scan_options *o, const char *s, size_t len);

#endif
