/* resp: incremental RESP2 request parser and reply encoder (stage 1).
 *
 * The parser follows redis-server's networking.c closely enough to send
 * the same bytes back for every malformed input, quirks included:
 *
 * - Lines are searched the way Redis searches its NUL-terminated query
 *   buffer with strchr(): a NUL byte before the line end hides the end, so
 *   the request just looks incomplete (until it is too big).
 * - After a length line's '\r', the next byte is not checked to be '\n';
 *   after a bulk argument, the two bytes are skipped unchecked.
 * - Every limit is Redis's: 64 KB for an inline request or an unfinished
 *   length line, INT_MAX arguments, 512 MB per argument.
 *
 * Matching these matters more than it seems: a client library that works
 * against Redis must see the same answers here, errors included. */
#include "io/resp.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "base/num.h"

enum { RESP_KIND_UNKNOWN, RESP_KIND_INLINE, RESP_KIND_MULTIBULK };

static long long resp_bulk_max = 512LL * 1024 * 1024;

void resp_set_max_bulk(long long max)
{
    resp_bulk_max = max;
}

long long resp_max_bulk(void)
{
    return resp_bulk_max;
}

void resp_parser_init(resp_parser *p)
{
    memset(p, 0, sizeof(*p));
    p->bulk_len = -1;
}

void resp_parser_free(resp_parser *p)
{
    mem_free(p->argoff);
    mem_free(p->argv);
    mem_free(p->argvlen);
    buf_free(&p->inline_args);
    resp_parser_init(p);
}

/* Ready the parser for the next request, keeping its arrays. */
static void resp_reset(resp_parser *p)
{
    p->kind = RESP_KIND_UNKNOWN;
    p->args_left = 0;
    p->bulk_len = -1;
    p->scan = 0;
    p->argc = 0;
    p->consumed = 0;
    buf_clear(&p->inline_args);
}

static void resp_make_room(resp_parser *p, int count)
{
    if (count <= p->argcap)
        return;
    int cap = p->argcap ? p->argcap : 8;
    while (cap < count)
        cap = cap > INT_MAX / 2 ? INT_MAX : cap * 2;
    p->argoff = mem_realloc(p->argoff, sizeof(*p->argoff) * (size_t)cap);
    p->argv = mem_realloc(p->argv, sizeof(*p->argv) * (size_t)cap);
    p->argvlen = mem_realloc(p->argvlen, sizeof(*p->argvlen) * (size_t)cap);
    p->argcap = cap;
}

static resp_status resp_fail(resp_parser *p, const char *text)
{
    snprintf(p->error, sizeof(p->error), "%s", text);
    return RESP_ERROR;
}

/* Index of the first `c` at or after `from`, or -1 if it is missing or a
 * NUL byte comes first (see the strchr() note at the top). */
static long resp_find(const char *data, size_t from, size_t len, char c)
{
    for (size_t i = from; i < len; i++) {
        if (data[i] == c)
            return (long)i;
        if (data[i] == '\0')
            return -1;
    }
    return -1;
}

/* ---------------- Inline requests ---------------- */

static bool resp_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int resp_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The escapes Redis knows inside double quotes; others stand for themselves. */
static char resp_unescape(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
    }
}

/* Reads one token starting at *i, appending its bytes to out. Returns
 * false on unbalanced quotes. A quote may open mid-token (a"b c" is one
 * token, `ab c`), but a closing quote must end the token. */
static bool resp_inline_token(const char *line, size_t n, size_t *i, buf *out)
{
    enum { PLAIN, DOUBLE, SINGLE } mode = PLAIN;
    size_t j = *i;
    for (;; j++) {
        char c = j < n ? line[j] : '\0';
        char next = j + 1 < n ? line[j + 1] : '\0';
        if (mode == PLAIN) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0')
                break;
            if (c == '"')
                mode = DOUBLE;
            else if (c == '\'')
                mode = SINGLE;
            else
                buf_append(out, &c, 1);
            continue;
        }
        if (c == '\0')
            return false;                       /* the line ended inside quotes */
        if (mode == DOUBLE && c == '\\' && next == 'x' && j + 3 < n &&
            resp_hex_value(line[j + 2]) >= 0 && resp_hex_value(line[j + 3]) >= 0) {
            char byte = (char)(resp_hex_value(line[j + 2]) * 16 + resp_hex_value(line[j + 3]));
            buf_append(out, &byte, 1);
            j += 3;
        } else if (mode == DOUBLE && c == '\\' && next != '\0') {
            char byte = resp_unescape(next);
            buf_append(out, &byte, 1);
            j++;
        } else if (mode == SINGLE && c == '\\' && next == '\'') {
            buf_append(out, "'", 1);
            j++;
        } else if ((mode == DOUBLE && c == '"') || (mode == SINGLE && c == '\'')) {
            if (next != '\0' && !resp_is_space(next))
                return false;                   /* "a"b: quote closed mid-token */
            j++;
            break;
        } else {
            buf_append(out, &c, 1);
        }
    }
    *i = j;
    return true;
}

/* Split a line into arguments, Redis's sdssplitargs() rules. */
static bool resp_split_inline(resp_parser *p, const char *line, size_t n)
{
    size_t i = 0, argc = 0;
    /* Unquoted arguments are never longer than the line: one reservation
     * up front, and argv can point into a buffer that exists. */
    buf_reserve(&p->inline_args, n + 1);
    for (;;) {
        while (i < n && resp_is_space(line[i]))
            i++;
        if (i >= n)
            break;
        resp_make_room(p, (int)argc + 1);
        p->argoff[argc] = p->inline_args.len;
        if (!resp_inline_token(line, n, &i, &p->inline_args))
            return false;
        p->argvlen[argc] = p->inline_args.len - p->argoff[argc];
        argc++;
    }
    p->argc = (int)argc;
    for (size_t k = 0; k < argc; k++)
        p->argv[k] = p->inline_args.data + p->argoff[k];
    return true;
}

bool resp_split_words(resp_parser *p, const char *line, size_t len)
{
    resp_reset(p);
    return resp_split_inline(p, line, len);
}

/* The search for the line's end resumes where the last call stopped: a
 * line arriving a few bytes per read would otherwise be scanned again from
 * its start on every read, which is quadratic up to RESP_INLINE_MAX. A NUL
 * stops the search for good (see resp_find), so it stays the stop. */
static resp_status resp_parse_inline(resp_parser *p, const char *data, size_t len)
{
    size_t i = p->scan;
    while (i < len && data[i] != '\n' && data[i] != '\0')
        i++;
    p->scan = i;
    if (i == len || data[i] == '\0') {
        if (len > RESP_INLINE_MAX)
            return resp_fail(p, "ERR Protocol error: too big inline request");
        return RESP_INCOMPLETE;
    }
    size_t newline = i, end = i;
    if (end > 0 && data[end - 1] == '\r')
        end--;
    if (!resp_split_inline(p, data, end))
        return resp_fail(p, "ERR Protocol error: unbalanced quotes in request");
    p->consumed = newline + 1;
    return RESP_DONE;
}

/* ---------------- Multibulk requests ---------------- */

/* Find a complete "<prefix><number>\r?" line at p->scan. Returns 1 with
 * the number's text span, 0 when more bytes are needed, -1 when the
 * unfinished line is already too long. */
static int resp_length_line(resp_parser *p, const char *data, size_t len, size_t *cr)
{
    long at = resp_find(data, p->scan, len, '\r');
    if (at < 0)
        return len - p->scan > RESP_INLINE_MAX ? -1 : 0;
    if ((size_t)at + 2 > len)
        return 0;       /* the byte after '\r' has not arrived yet */
    *cr = (size_t)at;
    return 1;
}

static resp_status resp_parse_count(resp_parser *p, const char *data, size_t len)
{
    size_t cr;
    int found = resp_length_line(p, data, len, &cr);
    if (found < 0)
        return resp_fail(p, "ERR Protocol error: too big mbulk count string");
    if (found == 0)
        return RESP_INCOMPLETE;
    long long count;
    if (!num_parse_ll(data + 1, cr - 1, &count) || count > INT_MAX)
        return resp_fail(p, "ERR Protocol error: invalid multibulk length");
    if (p->unauthenticated && count > RESP_UNAUTH_ARGS)
        return resp_fail(p, "ERR Protocol error: unauthenticated multibulk length");
    p->scan = cr + 2;
    p->args_left = count > 0 ? count : 0;   /* *0 and *-1 are empty requests */
    /* Reserve at most 1024 slots up front: a client announcing a billion
     * arguments must send them before it costs memory. */
    resp_make_room(p, count > 1024 ? 1024 : (int)(count > 0 ? count : 1));
    return RESP_DONE;
}

static resp_status resp_parse_bulk_len(resp_parser *p, const char *data, size_t len)
{
    size_t cr;
    int found = resp_length_line(p, data, len, &cr);
    if (found < 0)
        return resp_fail(p, "ERR Protocol error: too big bulk count string");
    if (found == 0)
        return RESP_INCOMPLETE;
    if (data[p->scan] != '$') {
        char text[48];
        snprintf(text, sizeof(text), "ERR Protocol error: expected '$', got '%c'", data[p->scan]);
        return resp_fail(p, text);
    }
    long long n;
    if (!num_parse_ll(data + p->scan + 1, cr - p->scan - 1, &n) || n < 0 || n > resp_bulk_max)
        return resp_fail(p, "ERR Protocol error: invalid bulk length");
    if (p->unauthenticated && n > RESP_UNAUTH_BULK)
        return resp_fail(p, "ERR Protocol error: unauthenticated bulk length");
    p->scan = cr + 2;
    p->bulk_len = n;
    return RESP_DONE;
}

static resp_status resp_parse_multibulk(resp_parser *p, const char *data, size_t len)
{
    if (p->scan == 0) {
        resp_status s = resp_parse_count(p, data, len);
        if (s != RESP_DONE)
            return s;
    }
    while (p->args_left > 0) {
        if (p->bulk_len < 0) {
            resp_status s = resp_parse_bulk_len(p, data, len);
            if (s != RESP_DONE)
                return s;
        }
        if (len - p->scan < (size_t)p->bulk_len + 2)
            return RESP_INCOMPLETE;
        resp_make_room(p, p->argc + 1);
        p->argoff[p->argc] = p->scan;
        p->argvlen[p->argc] = (size_t)p->bulk_len;
        p->argc++;
        p->scan += (size_t)p->bulk_len + 2;
        p->bulk_len = -1;
        p->args_left--;
    }
    for (int i = 0; i < p->argc; i++)
        p->argv[i] = data + p->argoff[i];
    p->consumed = p->scan;
    return RESP_DONE;
}

resp_status resp_parse(resp_parser *p, const char *data, size_t len)
{
    if (p->kind == RESP_KIND_UNKNOWN || p->consumed > 0)
        resp_reset(p);
    if (len == 0)
        return RESP_INCOMPLETE;
    if (p->kind == RESP_KIND_UNKNOWN)
        p->kind = data[0] == '*' ? RESP_KIND_MULTIBULK : RESP_KIND_INLINE;
    if (p->kind == RESP_KIND_INLINE)
        return resp_parse_inline(p, data, len);
    return resp_parse_multibulk(p, data, len);
}

size_t resp_bytes_wanted(const resp_parser *p, size_t len)
{
    if (p->kind != RESP_KIND_MULTIBULK || p->bulk_len < RESP_BIG_ARG)
        return 0;
    size_t need = p->scan + (size_t)p->bulk_len + 2;
    return need > len ? need - len : 0;
}

/* ---------------- Replies ---------------- */

void resp_add_simple(buf *b, const char *text)
{
    size_t n = strlen(text);
    char *out = buf_reserve(b, n + 3);
    out[0] = '+';
    memcpy(out + 1, text, n);
    memcpy(out + 1 + n, "\r\n", 2);
    buf_commit(b, n + 3);
}

/* An error text must stay on one line, or the client would read the rest
 * as the next reply; Redis turns CR and LF into spaces, and so do we. */
void resp_add_error(buf *b, const char *text, size_t len)
{
    char *out = buf_reserve(b, len + 3);
    out[0] = '-';
    for (size_t i = 0; i < len; i++)
        out[1 + i] = (text[i] == '\r' || text[i] == '\n') ? ' ' : text[i];
    memcpy(out + 1 + len, "\r\n", 2);
    buf_commit(b, len + 3);
}

/* "<type><number>\r\n", the shape of integers and of length headers. */
static void resp_add_number_line(buf *b, char type, long long value)
{
    char *out = buf_reserve(b, NUM_LL_MAX + 3);
    out[0] = type;
    size_t n = 1 + num_format_ll(out + 1, value);
    memcpy(out + n, "\r\n", 2);
    buf_commit(b, n + 2);
}

void resp_add_int(buf *b, long long value)
{
    resp_add_number_line(b, ':', value);
}

void resp_add_bulk(buf *b, const char *bytes, size_t len)
{
    char *out = buf_reserve(b, len + NUM_LL_MAX + 5);
    out[0] = '$';
    size_t n = 1 + num_format_ll(out + 1, (long long)len);
    memcpy(out + n, "\r\n", 2);
    n += 2;
    if (len > 0)
        memcpy(out + n, bytes, len);        /* an empty value may have no bytes at all */
    n += len;
    memcpy(out + n, "\r\n", 2);
    buf_commit(b, n + 2);
}

void resp_add_null(buf *b)
{
    buf_append(b, "$-1\r\n", 5);
}

void resp_add_null_array(buf *b)
{
    buf_append(b, "*-1\r\n", 5);
}

void resp_add_array(buf *b, long long count)
{
    resp_add_number_line(b, '*', count);
}
