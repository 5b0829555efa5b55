/* num: integers inside strings, exactly as Redis reads and writes them
 * (stage 2).
 *
 * Redis stores "42" as a string and INCR parses it on every call. The
 * rules are strict so that a value round-trips byte for byte: an optional
 * '-', then digits with no leading zero ("0" alone is fine), no spaces, no
 * '+', and the result must fit a signed 64-bit integer. "-0", "007",
 * " 5" and "5 " are all rejected.
 *
 *     long long v;
 *     if (num_parse_ll("-12", 3, &v)) ... v == -12
 *     char text[NUM_LL_MAX];
 *     size_t n = num_format_ll(text, v);     // "-12", n == 3
 */
#ifndef NUM_H
#define NUM_H

#include <stdbool.h>
#include <stddef.h>

#define NUM_LL_MAX 21   /* "-9223372036854775808" plus one spare byte */

bool num_parse_ll(const char *s, size_t len, long long *value);
size_t num_format_ll(char *out, long long value);      /* no NUL written */

#endif
