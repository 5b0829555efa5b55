/* reply: what commands use to answer a client (stage 1).
 *
 * Commands never write protocol bytes themselves; they call these, and
 * every error text lives here once, exactly as Redis 7 spells it. */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

#include "server/client.h"

/* Error texts, without the leading '-' and trailing CRLF, grouped by the
 * commands that send them. A text used in one place only still lives here:
 * a reader comparing us with Redis finds every error in one list. */

/* Any command */
#define REPLY_ERR_SYNTAX "ERR syntax error"
#define REPLY_ERR_NOT_INTEGER "ERR value is not an integer or out of range"
#define REPLY_ERR_NOT_POSITIVE "ERR value is out of range, must be positive"
#define REPLY_ERR_NOT_INT32 "ERR value is out of range, value must between -2147483648 and 2147483647"
#define REPLY_ERR_WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"
#define REPLY_ERR_NOAUTH "NOAUTH Authentication required."

/* Strings: SET APPEND INCR DECR ... */
#define REPLY_ERR_OVERFLOW "ERR increment or decrement would overflow"
#define REPLY_ERR_DECR_OVERFLOW "ERR decrement would overflow"
#define REPLY_ERR_TOO_BIG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

/* Strings: INCRBYFLOAT SETRANGE LCS (Part II, strings; HINCRBYFLOAT shares the first two) */
#define REPLY_ERR_NOT_FLOAT "ERR value is not a valid float"
#define REPLY_ERR_INCR_NAN "ERR increment would produce NaN or Infinity"
#define REPLY_ERR_OFFSET_RANGE "ERR offset is out of range"
#define REPLY_ERR_LCS_NOT_STRINGS "ERR The specified keys must contain string values"
#define REPLY_ERR_LCS_LEN_AND_IDX "ERR If you want both the length and indexes, please just use IDX."
#define REPLY_ERR_LCS_TOO_BIG "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"

/* Bits: SETBIT GETBIT BITPOS BITOP BITFIELD (Part II, strings) */
#define REPLY_ERR_BIT_OFFSET "ERR bit offset is not an integer or out of range"
#define REPLY_ERR_BIT_VALUE "ERR bit is not an integer or out of range"
#define REPLY_ERR_BITPOS_BIT "ERR The bit argument must be 1 or 0."
#define REPLY_ERR_BITOP_NOT "ERR BITOP NOT must be called with a single source key."
#define REPLY_ERR_BITFIELD_TYPE \
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
#define REPLY_ERR_BITFIELD_OVERFLOW "ERR Invalid OVERFLOW type specified"
#define REPLY_ERR_BITFIELD_RO "ERR BITFIELD_RO only supports the GET subcommand"

/* Expiry: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (the time itself: reply_error_expire_time) */
#define REPLY_ERR_EXPIRE_NX_AND_OTHERS "ERR NX and XX, GT or LT options at the same time are not compatible"
#define REPLY_ERR_EXPIRE_GT_AND_LT "ERR GT and LT options at the same time are not compatible"

/* Lists: LSET LPOS */
#define REPLY_ERR_NO_SUCH_KEY "ERR no such key"
#define REPLY_ERR_INDEX_OUT_OF_RANGE "ERR index out of range"
#define REPLY_ERR_LPOS_RANK_ZERO                                                                    \
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use " \
    "negative to start from the end of the list"
#define REPLY_ERR_LPOS_COUNT_NEGATIVE "ERR COUNT can't be negative"
#define REPLY_ERR_LPOS_MAXLEN_NEGATIVE "ERR MAXLEN can't be negative"

/* Hashes: HINCRBY HINCRBYFLOAT HRANDFIELD (Part II) */
#define REPLY_ERR_HASH_NOT_INTEGER "ERR hash value is not an integer"
#define REPLY_ERR_HASH_NOT_FLOAT "ERR hash value is not a float"
#define REPLY_ERR_HASH_INCR_NAN "ERR value is NaN or Infinity"
#define REPLY_ERR_HASH_COUNT_RANGE "ERR value is out of range"
#define REPLY_ERR_HASH_COUNT_RANGE_FMT "ERR value is out of range, value must between %lld and %lld"

/* Connection: AUTH HELLO */
#define REPLY_ERR_WRONGPASS "WRONGPASS invalid username-password pair or user is disabled."
#define REPLY_ERR_AUTH_NO_PASSWORD                                                               \
    "ERR AUTH <password> called without any password configured for the default user. Are you " \
    "sure your configuration is correct?"
#define REPLY_ERR_HELLO_PROTOVER "ERR Protocol version is not an integer or out of range"
#define REPLY_ERR_NOPROTO "NOPROTO unsupported protocol version"
#define REPLY_ERR_HELLO_NOAUTH                                                                    \
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH " \
    "<user> <pass> option can be used to authenticate the client and select the RESP protocol "   \
    "version at the same time"

/* Transactions: MULTI EXEC DISCARD WATCH (Part II) */
#define REPLY_ERR_EXECABORT "EXECABORT Transaction discarded because of previous errors."
#define REPLY_ERR_EXECABORT_BECAUSE_FMT "EXECABORT Transaction discarded because of: %s"
#define REPLY_ERR_MULTI_NESTED "ERR MULTI calls can not be nested"
#define REPLY_ERR_WATCH_IN_MULTI "ERR WATCH inside MULTI is not allowed"
#define REPLY_ERR_EXEC_WITHOUT_MULTI "ERR EXEC without MULTI"
#define REPLY_ERR_DISCARD_WITHOUT_MULTI "ERR DISCARD without MULTI"

/* Sets: SRANDMEMBER SINTERCARD (Part II) */
#define REPLY_ERR_SRANDMEMBER_RANGE \
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
#define REPLY_ERR_SINTERCARD_NUMKEYS "ERR numkeys should be greater than 0"
#define REPLY_ERR_SINTERCARD_TOO_MANY_KEYS "ERR Number of keys can't be greater than number of args"
#define REPLY_ERR_SINTERCARD_LIMIT "ERR LIMIT can't be negative"

/* Sorted sets: ZADD ZRANGE ZUNION ... (Part II; ZINTERCARD's LIMIT and
 * ZRANDMEMBER's count share the sets' and hashes' texts) */
#define REPLY_ERR_ZADD_XX_AND_NX "ERR XX and NX options at the same time are not compatible"
#define REPLY_ERR_ZADD_GT_LT_NX "ERR GT, LT, and/or NX options at the same time are not compatible"
#define REPLY_ERR_ZADD_INCR_PAIRS "ERR INCR option supports a single increment-element pair"
#define REPLY_ERR_ZSET_NAN "ERR resulting score is not a number (NaN)"
#define REPLY_ERR_ZSET_RANGE_NOT_FLOAT "ERR min or max is not a float"
#define REPLY_ERR_ZSET_RANGE_NOT_LEX "ERR min or max not valid string range item"
#define REPLY_ERR_ZSET_WEIGHT_NOT_FLOAT "ERR weight value is not a float"
#define REPLY_ERR_ZRANGE_LIMIT_BY_RANK \
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
#define REPLY_ERR_ZRANGE_WITHSCORES_BYLEX "ERR syntax error, WITHSCORES not supported in combination with BYLEX"

/* Memory limit (Part II) */
#define REPLY_ERR_OOM "OOM command not allowed when used memory > 'maxmemory'."

/* Databases: SELECT SWAPDB */
#define REPLY_ERR_DB_INDEX "ERR DB index is out of range"
#define REPLY_ERR_DB_FIRST_INDEX "ERR invalid first DB index"
#define REPLY_ERR_DB_SECOND_INDEX "ERR invalid second DB index"

/* Keys (Part II, keys): RENAME COPY MOVE OBJECT SCAN LMPOP */
#define REPLY_ERR_SAME_OBJECT "ERR source and destination objects are the same"
#define REPLY_ERR_INVALID_CURSOR "ERR invalid cursor"
#define REPLY_ERR_LFU_NOT_SELECTED                                                            \
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note " \
    "that when switching between policies at runtime LRU and LFU data will take some time "  \
    "to adjust."
#define REPLY_ERR_LFU_SELECTED                                                                 \
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when " \
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
#define REPLY_ERR_NUMKEYS_POSITIVE "ERR numkeys should be greater than 0"
#define REPLY_ERR_COUNT_POSITIVE "ERR count should be greater than 0"

/* Blocking commands and pub/sub (Part II) */
#define REPLY_ERR_TIMEOUT_NOT_FLOAT "ERR timeout is not a float or out of range"
#define REPLY_ERR_TIMEOUT_NEGATIVE "ERR timeout is negative"
#define REPLY_ERR_UNBLOCKED "UNBLOCKED client unblocked via CLIENT UNBLOCK"
#define REPLY_ERR_UNBLOCK_REASON "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
#define REPLY_ERR_SUBCOMMAND_SYNTAX_FMT \
    "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try %s HELP."
#define REPLY_ERR_SUBSCRIBED_FMT \
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"

/* CLIENT and HELLO SETNAME */
#define REPLY_ERR_CLIENT_NAME "ERR Client names cannot contain spaces, newlines or special characters."
#define REPLY_ERR_CLIENT_ID "ERR Invalid client ID"
#define REPLY_ERR_CLIENT_ID_POSITIVE "ERR client-id should be greater than 0"
#define REPLY_ERR_NO_SUCH_CLIENT "ERR No such client"

/* printf formats, for reply_error_format() only: the _FMT ending says so.
 * An argument shown with
 * %.*s is cut at its first NUL byte, as Redis prints its C strings. */
#define REPLY_ERR_ARITY_FMT "ERR wrong number of arguments for '%s' command"
#define REPLY_ERR_UNKNOWN_COMMAND_FMT "ERR unknown command '%.*s', with args beginning with: %s"
#define REPLY_ERR_UNKNOWN_SUBCOMMAND_FMT "ERR unknown subcommand '%.*s'. Try %s HELP."
#define REPLY_ERR_EXPIRE_TIME_FMT "ERR invalid expire time in '%s' command"
#define REPLY_ERR_EXPIRE_OPTION_FMT "ERR Unsupported option %.*s"
#define REPLY_ERR_HELLO_OPTION_FMT "ERR Syntax error in HELLO option '%.*s'"
#define REPLY_ERR_CLIENT_TYPE_FMT "ERR Unknown client type '%.*s'"
#define REPLY_ERR_SETINFO_OPTION_FMT "ERR Unrecognized option '%.*s'"
#define REPLY_ERR_SETINFO_VALUE_FMT "ERR %s cannot contain spaces, newlines or special characters."
#define REPLY_ERR_ZSET_NUMKEYS_FMT "ERR at least 1 input key is needed for '%s' command"
#define REPLY_ERR_CONFIG_UNKNOWN_FMT "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'"
#define REPLY_ERR_CONFIG_SET_FMT "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
#define REPLY_ERR_CONFIG_SET_NAMED_FMT "ERR CONFIG SET failed (possibly related to argument '%.*s') - %s"

void reply_ok(client *c);
void reply_raw(client *c, const char *bytes, size_t len);     /* already RESP */
void reply_simple(client *c, const char *text);
void reply_int(client *c, long long value);
void reply_bulk(client *c, const char *bytes, size_t len);
void reply_null(client *c);
void reply_null_array(client *c);     /* LPOP key count on a missing key */
void reply_map(client *c, long long pairs);     /* then 2 * pairs replies */
void reply_verbatim(client *c, const char *text, size_t len);   /* INFO, CLIENT LIST */
void reply_array(client *c, long long count);
void reply_set(client *c, long long count);     /* RESP3 '~', else an array: SMEMBERS SINTER ... (Part II: sets) */
void reply_double(client *c, double value);     /* RESP3 ',', else a bulk "%.17g": ZSCORE ... (Part II: sorted sets) */
/* Part II, pub/sub: CLIENT REPLY SKIP silences one command; this ends it. */
void reply_command_done(client *c);
void reply_push(client *c, long long count);    /* RESP3 '>', else an array (Part II: pub/sub) */
void reply_error(client *c, const char *text);
void reply_error_format(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The errors of one shape that several commands send: */
void reply_error_arity(client *c, const char *command_name);
/* "ERR unknown command 'x', with args beginning with: 'a' 'b' " for c->argv. */
void reply_error_unknown_command(client *c);
/* "ERR unknown subcommand 'x'. Try CLIENT HELP." for c->argv[1]. */
void reply_error_unknown_subcommand(client *c, const char *container);
/* "ERR invalid expire time in 'set' command": SET EX and the EXPIRE family. */
void reply_error_expire_time(client *c, const char *command_name);

#endif
