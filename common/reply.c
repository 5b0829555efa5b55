/* reply: reply helpers over the client's reply buffer (stage 1). */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

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
    resp_add_null(&c->reply);
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
