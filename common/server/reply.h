/* reply: what commands use to answer a client (stage 1).
 *
 * Commands never write protocol bytes themselves; they call these, and
 * every error text lives here once, exactly as Redis 7 spells it. */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

#include "server/client.h"

/* Shared error texts (without the leading '-' and trailing CRLF). */
#define REPLY_ERR_SYNTAX "ERR syntax error"
#define REPLY_ERR_NOT_INTEGER "ERR value is not an integer or out of range"
#define REPLY_ERR_OVERFLOW "ERR increment or decrement would overflow"
#define REPLY_ERR_DECR_OVERFLOW "ERR decrement would overflow"
#define REPLY_ERR_WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define REPLY_ERR_TOO_BIG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
#define REPLY_ERR_NOAUTH "NOAUTH Authentication required."
/* printf formats, for reply_error_format(): */
#define REPLY_ERR_CONFIG_UNKNOWN "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'"
#define REPLY_ERR_CONFIG_SET "ERR CONFIG SET failed (possibly related to argument '%s') - %s"

void reply_ok(client *c);
void reply_simple(client *c, const char *text);
void reply_int(client *c, long long value);
void reply_bulk(client *c, const char *bytes, size_t len);
void reply_null(client *c);
void reply_null_array(client *c);     /* LPOP key count on a missing key */
void reply_map(client *c, long long pairs);     /* then 2 * pairs replies */
void reply_verbatim(client *c, const char *text, size_t len);   /* INFO, CLIENT LIST */
void reply_array(client *c, long long count);
void reply_error(client *c, const char *text);
void reply_error_format(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_error_arity(client *c, const char *command_name);
/* "ERR unknown subcommand 'x'. Try CLIENT HELP." for c->argv[1]. */
void reply_error_unknown_subcommand(client *c, const char *container);

#endif
