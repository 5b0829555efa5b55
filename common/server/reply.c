/* reply: reply helpers over the client's reply buffer (stage 1).
 *
 * Stage 6 adds RESP3, which a client asks for with HELLO 3: the same
 * replies, but with real types where RESP2 had to make do. A missing
 * value is `_` instead of `$-1` or `*-1`, name/value pairs are a map `%`
 * instead of a flat array, and a text meant for humans (INFO) is a
 * verbatim string `=` that says it is plain text. Commands call the
 * same functions either way; only these choose the bytes. */
#include "server/reply.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "base/num.h"

/* Where a reply goes: the client's reply buffer, or its outbox while
 * another thread's command serves it (Part II, blocking commands). */
static buf *reply_target(client *c)
{
    if ((c->reply_mode == CLIENT_REPLY_OFF || c->reply_mode == CLIENT_REPLY_SKIP) && !c->pushing) {
        buf_clear(&c->muted);       /* CLIENT REPLY: built, never sent */
        return &c->muted;
    }
    return c->to_outbox ? &c->outbox : &c->reply;
}

void reply_command_done(client *c)
{
    buf_clear(&c->muted);
    buf_shrink(&c->muted, CLIENT_BUF_KEEP);   /* a big silenced reply is not kept */
    if (c->reply_mode == CLIENT_REPLY_SKIP)
        c->reply_mode = CLIENT_REPLY_ON;
    else if (c->reply_mode == CLIENT_REPLY_SKIP_NEXT)
        c->reply_mode = CLIENT_REPLY_SKIP;
}

/* Bytes already in RESP, built apart (KEYS, CONFIG GET ...). */
void reply_raw(client *c, const char *bytes, size_t len)
{
    buf_append(reply_target(c), bytes, len);
}

void reply_ok(client *c)
{
    buf_append(reply_target(c), "+OK\r\n", 5);
}

void reply_simple(client *c, const char *text)
{
    resp_add_simple(reply_target(c), text);
}

void reply_int(client *c, long long value)
{
    resp_add_int(reply_target(c), value);
}

void reply_bulk(client *c, const char *bytes, size_t len)
{
    resp_add_bulk(reply_target(c), bytes, len);
}

void reply_null(client *c)
{
    if (c->resp == 3)
        buf_append(reply_target(c), "_\r\n", 3);
    else
        resp_add_null(reply_target(c));
}

void reply_null_array(client *c)
{
    if (c->resp == 3)
        buf_append(reply_target(c), "_\r\n", 3);
    else
        resp_add_null_array(reply_target(c));
}

void reply_map(client *c, long long pairs)
{
    if (c->resp == 3) {
        char header[32];
        int n = snprintf(header, sizeof(header), "%%%lld\r\n", pairs);
        buf_append(reply_target(c), header, (size_t)n);
    } else {
        resp_add_array(reply_target(c), pairs * 2);
    }
}

void reply_verbatim(client *c, const char *text, size_t len)
{
    if (c->resp != 3) {
        resp_add_bulk(reply_target(c), text, len);
        return;
    }
    char header[32];
    int n = snprintf(header, sizeof(header), "=%zu\r\ntxt:", len + 4);
    buf_append(reply_target(c), header, (size_t)n);
    buf_append(reply_target(c), text, len);
    buf_append(reply_target(c), "\r\n", 2);
}

void reply_array(client *c, long long count)
{
    resp_add_array(reply_target(c), count);
}

/* Part II, sets: RESP3 says "no order, no repeats" with its own type. */
void reply_set(client *c, long long count)
{
    if (c->resp != 3) {
        resp_add_array(reply_target(c), count);
        return;
    }
    char header[32];
    int n = snprintf(header, sizeof(header), "~%lld\r\n", count);
    buf_append(reply_target(c), header, (size_t)n);
}

/* Part II, pub/sub: what the server sends unasked (a message, and the
 * confirmations of SUBSCRIBE) is a push in RESP3, so that a client can
 * tell it from the reply to a command it sent. */
void reply_push(client *c, long long count)
{
    if (c->resp != 3) {
        resp_add_array(reply_target(c), count);
        return;
    }
    char header[32];
    int n = snprintf(header, sizeof(header), ">%lld\r\n", count);
    buf_append(reply_target(c), header, (size_t)n);
}

/* Part II, sorted sets: a score as Redis 7.0 sends it, with 17
 * significant digits (1.1 is 1.1000000000000001), "inf" and "-inf" spelt
 * out whatever the C library would print. RESP3 has a type for it. */
void reply_double(client *c, double value)
{
    char text[NUM_DOUBLE_MAX];
    size_t n = num_format_double(text, value);
    if (c->resp != 3) {
        resp_add_bulk(reply_target(c), text, (size_t)n);
        return;
    }
    buf_append(reply_target(c), ",", 1);
    buf_append(reply_target(c), text, (size_t)n);
    buf_append(reply_target(c), "\r\n", 2);
}

void reply_error(client *c, const char *text)
{
    resp_add_error(reply_target(c), text, strlen(text));
}

void reply_error_format(client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = mem_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    resp_add_error(reply_target(c), text, (size_t)n);
    mem_free(text);
}

void reply_error_arity(client *c, const char *command_name)
{
    reply_error_format(c, REPLY_ERR_ARITY_FMT, command_name);
}

/* Redis shows at most 128 bytes of a name it did not understand, and of
 * the arguments that came with it. */
#define REPLY_SHOWN_MAX 128

/* How much of an argument "%.*s" shows: at most `max` bytes, and, as in
 * Redis, whose arguments are C strings, nothing from a NUL byte on. */
static int reply_shown(const char *arg, size_t len, size_t max)
{
    return (int)strnlen(arg, len < max ? len : max);
}

/* Each argument after the name in quotes, as Redis's loop adds them:
 * while fewer than 128 bytes are written, the next one, cut to what is
 * left of the 128. The quotes count, so the text may end a little past. */
void reply_error_unknown_command(client *c)
{
    buf args = BUF_INIT;
    for (int i = 1; i < c->argc && buf_length(&args) < REPLY_SHOWN_MAX; i++) {
        int shown = reply_shown(c->argv[i], c->argvlen[i], REPLY_SHOWN_MAX - buf_length(&args));
        buf_append(&args, "'", 1);
        buf_append(&args, c->argv[i], (size_t)shown);
        buf_append(&args, "' ", 2);
    }
    buf_append(&args, "", 1);      /* the NUL that %s needs */
    reply_error_format(c, REPLY_ERR_UNKNOWN_COMMAND_FMT, reply_shown(c->argv[0], c->argvlen[0], REPLY_SHOWN_MAX),
                       c->argv[0], buf_data(&args));
    buf_free(&args);
}

void reply_error_unknown_subcommand(client *c, const char *container)
{
    reply_error_format(c, REPLY_ERR_UNKNOWN_SUBCOMMAND_FMT, reply_shown(c->argv[1], c->argvlen[1], REPLY_SHOWN_MAX),
                       c->argv[1], container);
}

void reply_error_expire_time(client *c, const char *command_name)
{
    reply_error_format(c, REPLY_ERR_EXPIRE_TIME_FMT, command_name);
}
