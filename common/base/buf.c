/* buf: growable byte buffer (stage 1). See buf.h for how clients use it.
 *
 * Growth doubles the capacity, so appending n bytes one at a time costs
 * O(n) in total. Before growing, space already consumed at the front is
 * reclaimed: a query buffer that is read and parsed in step never grows
 * beyond one read plus one unfinished command. */
#include "base/buf.h"

#include <string.h>

#include "base/mem.h"

void buf_free(buf *b)
{
    mem_free(b->data);
    *b = (buf)BUF_INIT;
}

void buf_compact(buf *b)
{
    if (b->pos == 0)
        return;
    size_t left = b->len - b->pos;
    if (left > 0)
        memmove(b->data, b->data + b->pos, left);
    b->pos = 0;
    b->len = left;
}

char *buf_reserve(buf *b, size_t extra)
{
    if (b->data != NULL && b->cap - b->len >= extra)
        return b->data + b->len;
    /* Reclaim the consumed front first when that alone makes room. */
    if (b->pos > 0 && b->cap - (b->len - b->pos) >= extra) {
        buf_compact(b);
        return b->data + b->len;
    }
    buf_compact(b);
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = mem_realloc(b->data, cap);
    b->cap = cap;
    return b->data + b->len;
}

void buf_commit(buf *b, size_t n)
{
    b->len += n;
}

void buf_append(buf *b, const void *bytes, size_t n)
{
    if (n == 0)
        return;
    memcpy(buf_reserve(b, n), bytes, n);
    b->len += n;
}

void buf_consume(buf *b, size_t n)
{
    b->pos += n;
    if (b->pos >= b->len)
        b->pos = b->len = 0;    /* empty again: the next append starts at 0 */
}

void buf_clear(buf *b)
{
    b->pos = b->len = 0;
}

void buf_shrink(buf *b, size_t keep)
{
    if (b->pos == b->len && b->cap > keep)
        buf_free(b);
}
