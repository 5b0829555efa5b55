/* num: parse and format 64-bit integers the way Redis does (stage 2). */
#include "base/num.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

bool num_parse_ll(const char *s, size_t len, long long *value)
{
    if (len == 0 || len >= NUM_LL_MAX)
        return false;
    if (len == 1 && s[0] == '0') {
        *value = 0;
        return true;
    }
    size_t i = 0;
    bool negative = s[0] == '-';
    if (negative && ++i == len)
        return false;
    /* The first digit may not be 0: that keeps "007" and "-0" out. */
    if (s[i] < '1' || s[i] > '9')
        return false;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return false;
        /* Negate in unsigned arithmetic: -(LLONG_MIN) does not fit. */
        *value = (long long)(0 - v);
    } else {
        if (v > LLONG_MAX)
            return false;
        *value = (long long)v;
    }
    return true;
}

/* Integral scores are the common case (redis-benchmark's are all 0), and
 * below 10^17 "%.17g" writes them as their plain digits, which the
 * integer path writes several times faster; -0 keeps its sign there. */
size_t num_format_double(char *out, double value)
{
    if (isinf(value)) {
        const char *text = value > 0 ? "inf" : "-inf";
        size_t n = strlen(text);
        memcpy(out, text, n + 1);
        return n;
    }
    if (value > -1e17 && value < 1e17 && value == (double)(long long)value && !(value == 0 && signbit(value))) {
        size_t n = num_format_ll(out, (long long)value);
        out[n] = '\0';
        return n;
    }
    return (size_t)snprintf(out, NUM_DOUBLE_MAX, "%.17g", value);
}

size_t num_format_ll(char *out, long long value)
{
    char digits[NUM_LL_MAX];
    size_t n = 0;
    unsigned long long v = value < 0 ? 0 - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    size_t len = 0;
    if (value < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = digits[--n];
    return len;
}

/* ---------------- Long doubles (Part II) ---------------- */

bool num_parse_ld(const char *s, size_t len, long double *value)
{
    char text[NUM_LD_MAX];
    if (len == 0 || len >= sizeof(text))
        return false;
    memcpy(text, s, len);
    text[len] = '\0';
    char *end;
    errno = 0;
    long double v = strtold(text, &end);
    /* A NUL inside the bytes stops strtold short of the end: refused. */
    if (isspace((unsigned char)text[0]) || end != text + len || isnan(v))
        return false;
    if (errno == ERANGE && (isinf(v) || v == 0))
        return false;
    *value = v;
    return true;
}

size_t num_format_ld(char *out, long double value)
{
    if (isinf(value)) {     /* spelled here: C libraries disagree */
        strcpy(out, value > 0 ? "inf" : "-inf");
        return strlen(out);
    }
    /* Fixed point, never an exponent: 17 digits after the point are
     * enough for a long double to print 0.1 + 0.2 as 0.3. */
    size_t len = (size_t)snprintf(out, NUM_LD_MAX, "%.17Lf", value);
    if (memchr(out, '.', len) != NULL) {
        while (out[len - 1] == '0')
            len--;
        if (out[len - 1] == '.')
            len--;
    }
    if (len == 2 && out[0] == '-' && out[1] == '0') {   /* -0.00...01 rounds to "-0" */
        out[0] = '0';
        len = 1;
    }
    out[len] = '\0';
    return len;
}
