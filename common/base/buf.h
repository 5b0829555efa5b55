/* buf: a growable byte buffer with a read position (stage 1).
 *
 * Every client owns two: the query buffer (bytes read from the socket and
 * not yet parsed) and the reply buffer (bytes produced by commands and not
 * yet written). Both are used the same way: append at the end, consume
 * from the front. Consuming only moves `pos`; the bytes are moved back to
 * the start lazily, so a pipeline of many small commands costs no memmove
 * per command.
 *
 *     buf b = BUF_INIT;
 *     buf_append(&b, "+OK\r\n", 5);
 *     ssize_t n = write(fd, buf_data(&b), buf_length(&b));
 *     if (n > 0) buf_consume(&b, n);
 *     buf_free(&b);
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

typedef struct buf {
    char *data;     /* the bytes; NULL until the first append */
    size_t pos;     /* first byte not yet consumed */
    size_t len;     /* end of the bytes written so far */
    size_t cap;     /* bytes allocated at data */
} buf;

#define BUF_INIT {NULL, 0, 0, 0}

void buf_free(buf *b);
char *buf_reserve(buf *b, size_t extra);     /* room for `extra` bytes at the end */
void buf_commit(buf *b, size_t n);           /* n bytes were written at the end */
void buf_append(buf *b, const void *bytes, size_t n);
void buf_consume(buf *b, size_t n);          /* drop n bytes from the front */
void buf_compact(buf *b);                    /* move unconsumed bytes to the start */
void buf_clear(buf *b);
void buf_shrink(buf *b, size_t keep);        /* free the memory if empty and cap > keep */

/* NULL for a buffer that never held anything (adding 0 to NULL is undefined). */
static inline char *buf_data(const buf *b) { return b->data ? b->data + b->pos : NULL; }
static inline size_t buf_length(const buf *b) { return b->len - b->pos; }

#endif
