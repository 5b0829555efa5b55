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

/* A double as Redis 7.0 prints a score: "%.17g", "inf" or "-inf";
 * NUL-terminated, at most NUM_DOUBLE_MAX bytes (Part II, sorted sets). */
#define NUM_DOUBLE_MAX 32
size_t num_format_double(char *out, double value);

/* Long doubles, as INCRBYFLOAT and HINCRBYFLOAT read and write them (Part
 * II). Redis reads with strtold and writes with 17 digits after the point,
 * trailing zeros cut, never in exponent form: 10.5 + 0.1 is "10.6", and
 * 3e300 is written out in all its 301 digits. NUM_LD_MAX is Redis's
 * MAX_LONG_DOUBLE_CHARS: a longer text is not a float, and the largest
 * long double, written out, fits.
 *
 *     long double v;
 *     char text[NUM_LD_MAX];
 *     if (num_parse_ld("5.0e3", 5, &v))
 *         num_format_ld(text, v + 200);     // "5200"
 */
#define NUM_LD_MAX (5 * 1024)

/* All of the bytes as one number; no spaces, no NaN; an overflow to
 * infinity or an underflow to zero is refused, "inf" itself is not. */
bool num_parse_ld(const char *s, size_t len, long double *value);
size_t num_format_ld(char *out, long double value);    /* NUL-terminated; NUM_LD_MAX bytes */

#endif
