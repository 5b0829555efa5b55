/* reply: reply helpers over the client's reply buffer (stage 1).
 *
 * Stage 6 adds RESP3, which a client asks for with HELLO 3: the same
 * replies, but with real types where RESP2 had to make do. A missing
 * value is `_` instead of `$-1` or `*-1`, name/value pairs are a map `%`
 * instead of a flat array, and a text meant for humans (INFO) is a
 * verbatim string `=` that says it is plain text. Commands call the
 * same functions either way; only these choose the bytes. */
#include "server/reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"

void reply_ok(client *c)
{
    buf_append(&c->reply, "+OK\r\n", 5);
}

void reply_simple(client *c, const char *text)
{
    resp_add_simple(&c->reply, text);
}

void reply_int(client *c, long long value)
{
    resp_add_int(&c->reply, value);
}

void reply_bulk(client *c, const char *bytes, size_t len)
{
    resp_add_bulk(&c->reply, bytes, len);
}

void reply_null(client *c)
{
    if (c->resp == 3)
        buf_append(&c->reply, "_\r\n", 3);
    else
        resp_add_null(&c->reply);
}

void reply_null_array(client *c)
{
    if (c->resp == 3)
        buf_append(&c->reply, "_\r\n", 3);
    else
        resp_add_null_array(&c->reply);
}

void reply_map(client *c, long long pairs)
{
    if (c->resp == 3) {
        char header[32];
        int n = snprintf(header, sizeof(header), "%%%lld\r\n", pairs);
        buf_append(&c->reply, header, (size_t)n);
    } else {
        resp_add_array(&c->reply, pairs * 2);
    }
}

void reply_verbatim(client *c, const char *text, size_t len)
{
    if (c->resp != 3) {
        resp_add_bulk(&c->reply, text, len);
        return;
    }
    char header[32];
    int n = snprintf(header, sizeof(header), "=%zu\r\ntxt:", len + 4);
    buf_append(&c->reply, header, (size_t)n);
    buf_append(&c->reply, text, len);
    buf_append(&c->reply, "\r\n", 2);
}

void reply_array(client *c, long long count)
{
    resp_add_array(&c->reply, count);
}

void reply_error(client *c, const char *text)
{
    resp_add_error(&c->reply, text, strlen(text));
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
    resp_add_error(&c->reply, text, (size_t)n);
    mem_free(text);
}

void reply_error_arity(client *c, const char *command_name)
{
    reply_error_format(c, "ERR wrong number of arguments for '%s' command", command_name);
}

/* Redis shows at most 128 bytes of what it did not understand. */
void reply_error_unknown_subcommand(client *c, const char *container)
{
    int shown = (int)(c->argvlen[1] > 128 ? 128 : c->argvlen[1]);
    reply_error_format(c, "ERR unknown subcommand '%.*s'. Try %s HELP.", shown, c->argv[1], container);
}
