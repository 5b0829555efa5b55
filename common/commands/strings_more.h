/* strings_more: the long double arithmetic of INCRBYFLOAT, exposed for its
 * unit tests (Part II, strings).
 *
 * Redis reads a float with strtold and writes the sum back as text with
 * 17 digits after the point, trailing zeros cut, never in exponent form:
 * 10.5 + 0.1 is "10.6", 5.0e3 + 200 is "5200", and 3e300 is written out
 * in all its 301 digits. The commands themselves are the table
 * string_more_commands (commands.h).
 *
 *     long double v;
 *     char text[STRMORE_LD_MAX];
 *     if (strmore_parse_long_double("5.0e3", 5, &v))
 *         strmore_format_long_double(text, v + 200);     // "5200"
 */
#ifndef STRINGS_MORE_H
#define STRINGS_MORE_H

#include <stdbool.h>
#include <stddef.h>

/* Redis's MAX_LONG_DOUBLE_CHARS: a longer text is not a float, and the
 * largest long double, written out, fits. */
#define STRMORE_LD_MAX (5 * 1024)

/* All of the bytes as one number; no spaces, no NaN; an overflow to
 * infinity or an underflow to zero is refused, "inf" itself is not. */
bool strmore_parse_long_double(const char *s, size_t len, long double *value);
/* Writes the text (NUL-terminated) into out, STRMORE_LD_MAX bytes, and
 * returns its length. */
size_t strmore_format_long_double(char *out, long double value);

#endif
