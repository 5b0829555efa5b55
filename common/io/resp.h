/* resp: the Redis protocol, RESP2 (stage 1).
 *
 * Requests come in two shapes. Clients send arrays of bulk strings:
 *
 *     *2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n
 *
 * and a human with telnet sends an inline command, one line split on
 * spaces with shell-like quoting:  ECHO "hi there"\r\n
 *
 * TCP delivers bytes, not messages: one read may hold half a request or a
 * hundred of them. So the parser is incremental. It is handed everything
 * not yet consumed, and answers RESP_INCOMPLETE (read more and call again;
 * the work already done is kept), RESP_DONE (a whole request: argc/argv
 * are set, `consumed` bytes belong to it) or RESP_ERROR (the bytes can
 * never become a request: `error` holds Redis's exact text, and the
 * connection is to be closed once that error is sent).
 *
 * Multibulk arguments are not copied: argv points into the bytes passed to
 * the last call, so they stay valid only until the caller consumes them.
 *
 *     resp_parser p;
 *     resp_parser_init(&p);
 *     while (resp_parse(&p, data, len) == RESP_DONE) {
 *         run(p.argc, p.argv, p.argvlen);
 *         data += p.consumed, len -= p.consumed;
 *     }
 *
 * The second half of the module writes replies into a buf.
 */
#ifndef RESP_H
#define RESP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define RESP_INLINE_MAX (64 * 1024)            /* Redis's PROTO_INLINE_MAX_SIZE */
#define RESP_BIG_ARG (32 * 1024)               /* read big arguments in one go */
/* A client that has not authenticated yet may send only small requests,
 * as in Redis 7: it must not make the server hold a gigabyte for it. */
#define RESP_UNAUTH_ARGS 10
#define RESP_UNAUTH_BULK 16384

/* proto-max-bulk-len: the longest argument a request may carry (512 MB
 * by default, as Redis). Set once at start, before any thread reads it. */
void resp_set_max_bulk(long long max);
long long resp_max_bulk(void);

typedef enum resp_status {
    RESP_INCOMPLETE,
    RESP_DONE,
    RESP_ERROR,
} resp_status;

typedef struct resp_parser {
    int kind;               /* 0 until the first byte tells inline from multibulk */
    bool unauthenticated;   /* apply RESP_UNAUTH_* (set by the caller, stage 6) */
    long long args_left;    /* multibulk: arguments still to come */
    long long bulk_len;     /* multibulk: length of the argument being read, -1 before its $ line */
    size_t scan;            /* bytes of this request parsed so far */
    size_t *argoff;         /* multibulk: where each argument starts, from the request start */
    int argcap;             /* room in argoff, argv and argvlen */
    buf inline_args;        /* inline: the arguments once unquoted, back to back */

    /* The request, valid after RESP_DONE. */
    int argc;               /* 0 for an empty request, which is simply skipped */
    const char **argv;      /* argument bytes, not NUL-terminated */
    size_t *argvlen;        /* argument lengths */
    size_t consumed;        /* bytes the request took */
    char error[64];         /* after RESP_ERROR: the error reply, without "-" and CRLF */
} resp_parser;

void resp_parser_init(resp_parser *p);
void resp_parser_free(resp_parser *p);
resp_status resp_parse(resp_parser *p, const char *data, size_t len);
/* One whole line (no CRLF) split into p->argc words as an inline request
 * is, quotes and escapes included, whatever its first byte: the config
 * file's lines (stage 6). False on unbalanced quotes. */
bool resp_split_words(resp_parser *p, const char *line, size_t len);
size_t resp_bytes_wanted(const resp_parser *p, size_t len);  /* a big argument's missing bytes, or 0 */

/* Replies. Error texts start with their code ("ERR ...", "WRONGTYPE ..."). */
void resp_add_simple(buf *b, const char *text);
void resp_add_error(buf *b, const char *text, size_t len);
void resp_add_int(buf *b, long long value);
void resp_add_bulk(buf *b, const char *bytes, size_t len);
void resp_add_null(buf *b);
void resp_add_null_array(buf *b);              /* *-1: LPOP key count on a missing key */
void resp_add_array(buf *b, long long count);

#endif
