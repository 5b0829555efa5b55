/* Sorted set commands: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK
 * ZREVRANK ZCOUNT ZLEXCOUNT ZRANGE ZRANGESTORE ZREVRANGE ZRANGEBYSCORE
 * ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREMRANGEBYRANK
 * ZREMRANGEBYSCORE ZREMRANGEBYLEX ZPOPMIN ZPOPMAX ZMPOP BZPOPMIN BZPOPMAX
 * BZMPOP ZRANDMEMBER ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE
 * ZINTERCARD ZSCAN (Part II, sorted sets).
 *
 * The rules are the other containers': check the type first, create the
 * key on the first ZADD, delete it when a command empties it. The sorted
 * set and its two encodings are data/zset.c's; here are the commands,
 * which mostly turn their arguments into ranks: every range (by rank,
 * score or member) becomes "so many members from this rank, up or down",
 * which data/zset.c walks. Each follows Redis 7.0 case by case, since
 * clients see the differences: the order in which arguments are checked,
 * a LIMIT with a negative count meaning "all", scores printed with 17
 * digits, RESP3 pairs.
 *
 * Replies: a score is a double (RESP3 `,`, a bulk string in RESP2); with
 * WITHSCORES, RESP2 flattens member, score, member, score ... and RESP3
 * nests [member, score] pairs, as Redis 7.0 does. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/scan.h"
#include "base/mem.h"
#include "base/num.h"
#include "io/resp.h"
#include "server/blocking.h"
#include "server/config.h"
#include "server/notify.h"
#include "server/reply.h"

/* ---------------- Looking sorted sets up ---------------- */

/* The sorted set at argv[i] in *z, NULL when the key is missing. False,
 * with a WRONGTYPE reply already sent, when the key holds something else. */
static bool zsets_lookup(client *c, int i, zset_value **z)
{
    *z = NULL;
    db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
    if (v == NULL)
        return true;
    if (!command_check_type(c, v, DB_TYPE_ZSET))
        return false;
    *z = db_zset_of(v);
    return true;
}

/* zset-max-listpack-entries and -value, as data/zset.c takes them: read
 * at each command, so CONFIG SET applies to the next one. */
static zset_limits zsets_limits(void)
{
    return (zset_limits){(size_t)config.zset_max_listpack_entries, (size_t)config.zset_max_listpack_value};
}

/* Limits under which every member makes a skip list: what Redis's
 * createZsetObject gives, for a result built as a skip list. */
static const zset_limits zsets_skiplist_limits = {0, 0};

static void zsets_notify(client *c, int i, const char *event)
{
    notify_keyspace_event(NOTIFY_ZSET, event, c->argv[i], c->argvlen[i], c->db->id);
}

/* A command that changed the set at argv[i] says so once, and deletes
 * the key if it left the set empty (announcing "del" after its own
 * event, as Redis does). */
static void zsets_changed(client *c, int i, zset_value *z, const char *event)
{
    db_key_changed(c->db, c->argv[i], c->argvlen[i]);
    zsets_notify(c, i, event);
    if (zset_length(z) == 0) {
        db_delete(c->db, c->argv[i], c->argvlen[i]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[i], c->argvlen[i], c->db->id);
    }
}

/* ---------------- Numbers as Redis reads them ----------------
 *
 * Arguments are not NUL-terminated and strtod wants a C string, so each
 * is copied first; a NUL inside the argument then ends the number, as it
 * ends Redis's sds for strtod. */

typedef struct zsets_text {
    char small[64];
    char *text;
} zsets_text;

static const char *zsets_text_of(zsets_text *t, const char *bytes, size_t len)
{
    t->text = len < sizeof(t->small) ? t->small : mem_alloc(len + 1);
    memcpy(t->text, bytes, len);
    t->text[len] = '\0';
    return t->text;
}

static void zsets_text_free(zsets_text *t)
{
    if (t->text != t->small)
        mem_free(t->text);
}

/* A score, strictly (Redis's string2d): all the bytes, no leading space,
 * no NaN, no overflow to infinity or underflow to zero ("inf" itself is
 * fine, and so is "0x10", as strtod reads hex). */
static bool zsets_read_double(const char *bytes, size_t len, double *out)
{
    zsets_text t;
    const char *text = zsets_text_of(&t, bytes, len);
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    bool ok = len > 0 && !isspace((unsigned char)text[0]) && (size_t)(end - text) == len &&
              !(errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) && !isnan(v);
    zsets_text_free(&t);
    *out = v;
    return ok;
}

static bool zsets_parse_double(client *c, int i, double *out, const char *error)
{
    if (zsets_read_double(c->argv[i], c->argvlen[i], out))
        return true;
    reply_error(c, error);
    return false;
}

/* One end of a score range, as Redis's zslParseRange reads it: a '(' for
 * an open end, then whatever strtod takes up to the end of the C string
 * (so "" is 0, a leading space is fine and "1e999" is inf), but no NaN. */
static bool zsets_read_range_end(const char *bytes, size_t len, double *value, bool *open)
{
    zsets_text t;
    const char *text = zsets_text_of(&t, bytes, len);
    *open = text[0] == '(';
    char *end;
    *value = strtod(text + *open, &end);
    bool ok = *end == '\0' && !isnan(*value);
    zsets_text_free(&t);
    return ok;
}

static bool zsets_parse_score_range(client *c, int min, int max, zset_score_range *r)
{
    if (zsets_read_range_end(c->argv[min], c->argvlen[min], &r->min, &r->min_open) &&
        zsets_read_range_end(c->argv[max], c->argvlen[max], &r->max, &r->max_open))
        return true;
    reply_error(c, REPLY_ERR_ZSET_RANGE_NOT_FLOAT);
    return false;
}

/* One end of a member range: "[a" or "(a", "-" or "+" alone. Like Redis,
 * which looks at C strings, "+" followed by a NUL byte is "+". */
static bool zsets_read_lex_end(const char *bytes, size_t len, zset_lex_bound *b)
{
    if (len == 0)
        return false;
    b->bytes = bytes + 1;
    b->len = len - 1;
    switch (bytes[0]) {
    case '+':
    case '-':
        b->kind = bytes[0] == '+' ? ZSET_LEX_PLUS : ZSET_LEX_MINUS;
        return len == 1 || bytes[1] == '\0';
    case '(':
        b->kind = ZSET_LEX_OPEN;
        return true;
    case '[':
        b->kind = ZSET_LEX_CLOSED;
        return true;
    default:
        return false;
    }
}

static bool zsets_parse_lex_range(client *c, int min, int max, zset_lex_range *r)
{
    if (zsets_read_lex_end(c->argv[min], c->argvlen[min], &r->min) &&
        zsets_read_lex_end(c->argv[max], c->argvlen[max], &r->max))
        return true;
    reply_error(c, REPLY_ERR_ZSET_RANGE_NOT_LEX);
    return false;
}

/* An integer argument: Redis's getLongFromObjectOrReply, whose own text
 * (`error`, or the usual one when NULL) covers both "not an integer" and
 * "out of range". */
static bool zsets_parse_long(client *c, int i, long long min, long long max, long long *out, const char *error)
{
    if (num_parse_ll(c->argv[i], c->argvlen[i], out) && *out >= min && *out <= max)
        return true;
    reply_error(c, error != NULL ? error : REPLY_ERR_NOT_INTEGER);
    return false;
}

/* ---------------- Replies ---------------- */

/* A member, with its score when asked: RESP3 nests the pair. */
static void zsets_reply_member(client *c, const zset_member *m, bool withscores)
{
    if (withscores && c->resp == 3)
        reply_array(c, 2);
    reply_bulk(c, m->bytes, m->len);
    if (withscores)
        reply_double(c, m->score);
}

/* The array header for n members: RESP2 counts scores as elements. */
static void zsets_reply_members_header(client *c, long long n, bool withscores)
{
    reply_array(c, withscores && c->resp != 3 ? n * 2 : n);
}

/* `count` members from rank `rank`, up or down. */
static void zsets_reply_walk(client *c, zset_value *z, size_t rank, size_t count, bool reverse, bool withscores)
{
    zsets_reply_members_header(c, (long long)count, withscores);
    zset_iter it;
    zset_member m;
    zset_iter_start(&it, z, rank, count, reverse);
    while (zset_iter_next(&it, &m))
        zsets_reply_member(c, &m, withscores);
    zset_iter_end(&it);
}

/* ---------------- ZADD and ZINCRBY ---------------- */

typedef struct zadd_options {
    int flags;                  /* ZSET_NX ... ZSET_INCR */
    bool ch;                    /* count changed members, not only new ones */
    int first_pair;             /* argv index of the first score */
    int pairs;
} zadd_options;

/* The options before the first score, in any order, then the checks in
 * Redis's order. False with the error sent. */
static bool zadd_parse(client *c, int flags, zadd_options *o)
{
    o->flags = flags;
    o->ch = false;
    int i = 2;
    for (; i < c->argc; i++) {
        if (command_arg_is(c, i, "nx"))
            o->flags |= ZSET_NX;
        else if (command_arg_is(c, i, "xx"))
            o->flags |= ZSET_XX;
        else if (command_arg_is(c, i, "ch"))
            o->ch = true;
        else if (command_arg_is(c, i, "incr"))
            o->flags |= ZSET_INCR;
        else if (command_arg_is(c, i, "gt"))
            o->flags |= ZSET_GT;
        else if (command_arg_is(c, i, "lt"))
            o->flags |= ZSET_LT;
        else
            break;
    }
    o->first_pair = i;
    int args = c->argc - i;
    o->pairs = args / 2;
    const char *error = NULL;
    int f = o->flags;
    if (args % 2 != 0 || args == 0)
        error = REPLY_ERR_SYNTAX;
    else if ((f & ZSET_NX) && (f & ZSET_XX))
        error = REPLY_ERR_ZADD_XX_AND_NX;
    else if (((f & ZSET_GT) && (f & ZSET_NX)) || ((f & ZSET_LT) && (f & ZSET_NX)) ||
             ((f & ZSET_GT) && (f & ZSET_LT)))
        error = REPLY_ERR_ZADD_GT_LT_NX;
    else if ((f & ZSET_INCR) && o->pairs > 1)
        error = REPLY_ERR_ZADD_INCR_PAIRS;
    if (error != NULL)
        reply_error(c, error);
    return error == NULL;
}

/* ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
 * ZINCRBY key increment member
 * Every score is read before anything changes: the command adds all its
 * pairs or none. A missing key is created unless XX says only update. */
static void zsets_zadd(client *c, int flags)
{
    zadd_options o;
    if (!zadd_parse(c, flags, &o))
        return;
    double *scores = mem_alloc(sizeof(double) * (size_t)o.pairs);
    for (int j = 0; j < o.pairs; j++) {
        if (!zsets_parse_double(c, o.first_pair + 2 * j, &scores[j], REPLY_ERR_NOT_FLOAT)) {
            mem_free(scores);
            return;
        }
    }
    zset_value *z;
    if (!zsets_lookup(c, 1, &z)) {
        mem_free(scores);
        return;
    }
    bool incr = (o.flags & ZSET_INCR) != 0;
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    if (z == NULL && !(o.flags & ZSET_XX)) {
        db_value *v = db_zset_new();
        db_set(c->db, c->argv[1], c->argvlen[1], v);
        z = db_zset_of(v);
    }
    zset_limits lim = zsets_limits();
    bool refused = false;
    for (int j = 0; z != NULL && j < o.pairs; j++) {
        int at = o.first_pair + 2 * j + 1;
        int out = zset_add(z, c->argv[at], c->argvlen[at], scores[j], o.flags, &score, &lim);
        if (out & ZSET_NAN) {
            refused = true;
            break;
        }
        added += (out & ZSET_ADDED) != 0;
        updated += (out & ZSET_UPDATED) != 0;
        processed += (out & ZSET_NOP) == 0;
    }
    mem_free(scores);
    if (refused)
        reply_error(c, REPLY_ERR_ZSET_NAN);
    else if (incr && processed > 0)
        reply_double(c, score);
    else if (incr)
        reply_null(c);
    else
        reply_int(c, o.ch ? added + updated : added);
    if (added + updated > 0) {
        db_key_changed(c->db, c->argv[1], c->argvlen[1]);
        zsets_notify(c, 1, incr ? "zincr" : "zadd");
    }
}

static void cmd_zadd(client *c)
{
    zsets_zadd(c, 0);
}

/* ZINCRBY key increment member: ZADD key INCR increment member. */
static void cmd_zincrby(client *c)
{
    zsets_zadd(c, ZSET_INCR);
}

/* ---------------- Removing and asking ---------------- */

/* ZREM key member [member ...] */
static void cmd_zrem(client *c)
{
    zset_value *z;
    if (!zsets_lookup(c, 1, &z))
        return;
    long long removed = 0;
    for (int i = 2; z != NULL && i < c->argc && zset_length(z) > 0; i++)
        removed += zset_delete(z, c->argv[i], c->argvlen[i]);
    if (removed > 0)
        zsets_changed(c, 1, z, "zrem");
    reply_int(c, removed);
}

/* ZCARD key */
static void cmd_zcard(client *c)
{
    zset_value *z;
    if (zsets_lookup(c, 1, &z))
        reply_int(c, z != NULL ? (long long)zset_length(z) : 0);
}

/* ZSCORE key member */
static void cmd_zscore(client *c)
{
    zset_value *z;
    double score;
    if (!zsets_lookup(c, 1, &z))
        return;
    if (z != NULL && zset_score(z, c->argv[2], c->argvlen[2], &score))
        reply_double(c, score);
    else
        reply_null(c);
}

/* ZMSCORE key member [member ...]: a missing key is an empty set. */
static void cmd_zmscore(client *c)
{
    zset_value *z;
    if (!zsets_lookup(c, 1, &z))
        return;
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        double score;
        if (z != NULL && zset_score(z, c->argv[i], c->argvlen[i], &score))
            reply_double(c, score);
        else
            reply_null(c);
    }
}

/* ZRANK key member, ZREVRANK key member */
static void zsets_rank(client *c, bool reverse)
{
    zset_value *z;
    size_t rank;
    if (!zsets_lookup(c, 1, &z))
        return;
    if (z == NULL || !zset_rank(z, c->argv[2], c->argvlen[2], &rank))
        reply_null(c);
    else
        reply_int(c, (long long)(reverse ? zset_length(z) - 1 - rank : rank));
}

static void cmd_zrank(client *c)
{
    zsets_rank(c, false);
}

static void cmd_zrevrank(client *c)
{
    zsets_rank(c, true);
}

/* ZCOUNT key min max: the range is read before the key is looked up. */
static void cmd_zcount(client *c)
{
    zset_score_range r;
    zset_value *z;
    size_t first, last;
    if (!zsets_parse_score_range(c, 2, 3, &r) || !zsets_lookup(c, 1, &z))
        return;
    bool any = z != NULL && zset_score_range_ranks(z, &r, &first, &last);
    reply_int(c, any ? (long long)(last - first + 1) : 0);
}

/* ZLEXCOUNT key min max */
static void cmd_zlexcount(client *c)
{
    zset_lex_range r;
    zset_value *z;
    size_t first, last;
    if (!zsets_parse_lex_range(c, 2, 3, &r) || !zsets_lookup(c, 1, &z))
        return;
    bool any = z != NULL && zset_lex_range_ranks(z, &r, &first, &last);
    reply_int(c, any ? (long long)(last - first + 1) : 0);
}

/* ---------------- Ranges: ZRANGE and its older forms ----------------
 *
 * ZRANGE reads a range by rank (the default), BYSCORE or BYLEX, up or
 * REV, with LIMIT offset count for the last two. The older commands are
 * ZRANGE with the kind and the direction fixed: ZREVRANGE is REV,
 * ZRANGEBYSCORE is BYSCORE ... and fixing one makes its keyword a
 * syntax error. */

enum zrange_by { ZRANGE_BY_AUTO, ZRANGE_BY_RANK, ZRANGE_BY_SCORE, ZRANGE_BY_LEX };
enum zrange_direction { ZRANGE_DIR_AUTO, ZRANGE_DIR_UP, ZRANGE_DIR_DOWN };

typedef struct zrange_request {
    int by;                     /* enum zrange_by */
    int direction;              /* enum zrange_direction */
    bool withscores;
    long long offset, limit;    /* LIMIT; limit -1 (or any negative): no limit */
    long long start, stop;      /* by rank */
    zset_score_range score;
    zset_lex_range lex;
} zrange_request;

/* The options after `src min max`, then the checks and the range, in
 * Redis's order. False with the error sent. */
static bool zrange_parse(client *c, int src, bool store, zrange_request *q)
{
    q->withscores = false;
    q->offset = 0;
    q->limit = -1;
    for (int j = src + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (!store && command_arg_is(c, j, "withscores")) {
            q->withscores = true;
        } else if (command_arg_is(c, j, "limit") && left >= 2) {
            if (!zsets_parse_long(c, j + 1, LLONG_MIN, LLONG_MAX, &q->offset, NULL) ||
                !zsets_parse_long(c, j + 2, LLONG_MIN, LLONG_MAX, &q->limit, NULL))
                return false;
            j += 2;
        } else if (q->direction == ZRANGE_DIR_AUTO && command_arg_is(c, j, "rev")) {
            q->direction = ZRANGE_DIR_DOWN;
        } else if (q->by == ZRANGE_BY_AUTO && command_arg_is(c, j, "bylex")) {
            q->by = ZRANGE_BY_LEX;
        } else if (q->by == ZRANGE_BY_AUTO && command_arg_is(c, j, "byscore")) {
            q->by = ZRANGE_BY_SCORE;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    if (q->direction == ZRANGE_DIR_AUTO)
        q->direction = ZRANGE_DIR_UP;
    if (q->by == ZRANGE_BY_AUTO)
        q->by = ZRANGE_BY_RANK;
    /* Redis tests the limit, not the keyword: "LIMIT 0 -1" passes. */
    if (q->limit != -1 && q->by == ZRANGE_BY_RANK) {
        reply_error(c, REPLY_ERR_ZRANGE_LIMIT_BY_RANK);
        return false;
    }
    if (q->withscores && q->by == ZRANGE_BY_LEX) {
        reply_error(c, REPLY_ERR_ZRANGE_WITHSCORES_BYLEX);
        return false;
    }
    int min = src + 1, max = src + 2;
    if (q->direction == ZRANGE_DIR_DOWN && q->by != ZRANGE_BY_RANK) {
        min = src + 2;          /* given as max, min */
        max = src + 1;
    }
    if (q->by == ZRANGE_BY_RANK)
        return zsets_parse_long(c, min, LLONG_MIN, LLONG_MAX, &q->start, NULL) &&
               zsets_parse_long(c, max, LLONG_MIN, LLONG_MAX, &q->stop, NULL);
    if (q->by == ZRANGE_BY_SCORE)
        return zsets_parse_score_range(c, min, max, &q->score);
    return zsets_parse_lex_range(c, min, max, &q->lex);
}

/* The range as a walk: *count members from rank *rank, down when *down.
 * By rank, start and stop count from the end when negative (from the
 * top when REV) and are cut to the set. By score or member, the members
 * in range are ranks first..last; LIMIT skips `offset` of them (a
 * negative offset leaves none, as Redis's walk past the end does) and
 * keeps `limit` (a negative one keeps all). */
static void zrange_walk(zset_value *z, const zrange_request *q, size_t *rank, size_t *count, bool *down)
{
    long long length = (long long)zset_length(z);
    *down = q->direction == ZRANGE_DIR_DOWN;
    *count = 0;
    *rank = 0;
    if (q->by == ZRANGE_BY_RANK) {
        long long start = q->start < 0 ? length + q->start : q->start;
        long long stop = q->stop < 0 ? length + q->stop : q->stop;
        if (start < 0)
            start = 0;
        if (start > stop || start >= length)
            return;
        if (stop >= length)
            stop = length - 1;
        *count = (size_t)(stop - start + 1);
        *rank = (size_t)(*down ? length - 1 - start : start);
        return;
    }
    size_t first, last;
    bool any = q->by == ZRANGE_BY_SCORE ? zset_score_range_ranks(z, &q->score, &first, &last)
                                        : zset_lex_range_ranks(z, &q->lex, &first, &last);
    long long in_range = any ? (long long)(last - first + 1) : 0;
    if (q->offset < 0 || q->offset >= in_range)
        return;
    long long n = in_range - q->offset;
    if (q->limit >= 0 && q->limit < n)
        n = q->limit;
    *count = (size_t)n;
    *rank = *down ? last - (size_t)q->offset : first + (size_t)q->offset;
}

/* ZRANGE and the older forms: src = 1, the kind and direction fixed or
 * AUTO. A missing key is an empty range. */
static void zrange_generic(client *c, int by, int direction)
{
    zrange_request q = {.by = by, .direction = direction};
    zset_value *z;
    if (!zrange_parse(c, 1, false, &q) || !zsets_lookup(c, 1, &z))
        return;
    if (z == NULL) {
        reply_array(c, 0);
        return;
    }
    size_t rank, count;
    bool down;
    zrange_walk(z, &q, &rank, &count, &down);
    zsets_reply_walk(c, z, rank, count, down, q.withscores);
}

/* ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
static void cmd_zrange(client *c)
{
    zrange_generic(c, ZRANGE_BY_AUTO, ZRANGE_DIR_AUTO);
}

/* ZREVRANGE key start stop [WITHSCORES] */
static void cmd_zrevrange(client *c)
{
    zrange_generic(c, ZRANGE_BY_RANK, ZRANGE_DIR_DOWN);
}

/* ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
static void cmd_zrangebyscore(client *c)
{
    zrange_generic(c, ZRANGE_BY_SCORE, ZRANGE_DIR_UP);
}

/* ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
static void cmd_zrevrangebyscore(client *c)
{
    zrange_generic(c, ZRANGE_BY_SCORE, ZRANGE_DIR_DOWN);
}

/* ZRANGEBYLEX key min max [LIMIT offset count] */
static void cmd_zrangebylex(client *c)
{
    zrange_generic(c, ZRANGE_BY_LEX, ZRANGE_DIR_UP);
}

/* ZREVRANGEBYLEX key max min [LIMIT offset count] */
static void cmd_zrevrangebylex(client *c)
{
    zrange_generic(c, ZRANGE_BY_LEX, ZRANGE_DIR_DOWN);
}

/* Where a STORE command puts its result: a new sorted set under
 * argv[dst] (replacing whatever was there, TTL included), or, when the
 * result is empty, no key at all. Replies with the result's size. */
static void zsets_store(client *c, int dst, db_value *result, const char *event)
{
    long long size = (long long)zset_length(db_zset_of(result));
    if (size > 0) {
        db_set(c->db, c->argv[dst], c->argvlen[dst], result);
        reply_int(c, size);
        zsets_notify(c, dst, event);
        return;
    }
    db_value_free(result);
    reply_int(c, 0);
    if (db_delete(c->db, c->argv[dst], c->argvlen[dst]))
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[dst], c->argvlen[dst], c->db->id);
}

/* ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
 * The members are added to a new set as ZADD would add them, so it is
 * packed or not by the same limits; except that, as in Redis, a range by
 * rank longer than zset-max-listpack-entries makes a skip list from the
 * start, where a -0 score stays -0 (a packed set stores it as 0). */
static void cmd_zrangestore(client *c)
{
    zrange_request q = {.by = ZRANGE_BY_AUTO, .direction = ZRANGE_DIR_AUTO};
    zset_value *z;
    if (!zrange_parse(c, 2, true, &q) || !zsets_lookup(c, 2, &z))
        return;
    db_value *result = db_zset_new();
    if (z != NULL) {
        size_t rank, count;
        bool down;
        zrange_walk(z, &q, &rank, &count, &down);
        zset_limits lim = zsets_limits();
        if (q.by == ZRANGE_BY_RANK && count > lim.max_entries)
            lim = zsets_skiplist_limits;
        zset_iter it;
        zset_member m;
        double now;
        zset_iter_start(&it, z, rank, count, down);
        while (zset_iter_next(&it, &m))
            zset_add(db_zset_of(result), m.bytes, m.len, m.score, 0, &now, &lim);
        zset_iter_end(&it);
    }
    zsets_store(c, 1, result, "zrangestore");
}

/* ---------------- ZREMRANGEBYRANK, BYSCORE, BYLEX ---------------- */

/* The ranks a ZREMRANGEBY* command removes: false when none. */
static bool zremrange_ranks(zset_value *z, const zrange_request *q, size_t *first, size_t *last)
{
    if (q->by == ZRANGE_BY_SCORE)
        return zset_score_range_ranks(z, &q->score, first, last);
    if (q->by == ZRANGE_BY_LEX)
        return zset_lex_range_ranks(z, &q->lex, first, last);
    size_t rank, count;
    bool down;
    zrange_walk(z, q, &rank, &count, &down);
    *first = rank;
    *last = rank + count - 1;
    return count > 0;
}

/* ZREMRANGEBYRANK key start stop, ZREMRANGEBYSCORE key min max,
 * ZREMRANGEBYLEX key min max: the range is read first, then the key. */
static void zremrange_generic(client *c, int by, const char *event)
{
    zrange_request q = {.by = by, .direction = ZRANGE_DIR_UP, .limit = -1};
    bool parsed = by == ZRANGE_BY_RANK ? zsets_parse_long(c, 2, LLONG_MIN, LLONG_MAX, &q.start, NULL) &&
                                             zsets_parse_long(c, 3, LLONG_MIN, LLONG_MAX, &q.stop, NULL)
                  : by == ZRANGE_BY_SCORE ? zsets_parse_score_range(c, 2, 3, &q.score)
                                          : zsets_parse_lex_range(c, 2, 3, &q.lex);
    zset_value *z;
    if (!parsed || !zsets_lookup(c, 1, &z))
        return;
    size_t first, last, removed = 0;
    if (z != NULL && zremrange_ranks(z, &q, &first, &last))
        removed = zset_delete_rank_range(z, first, last);
    if (removed > 0)
        zsets_changed(c, 1, z, event);
    reply_int(c, (long long)removed);
}

static void cmd_zremrangebyrank(client *c)
{
    zremrange_generic(c, ZRANGE_BY_RANK, "zremrangebyrank");
}

static void cmd_zremrangebyscore(client *c)
{
    zremrange_generic(c, ZRANGE_BY_SCORE, "zremrangebyscore");
}

static void cmd_zremrangebylex(client *c)
{
    zremrange_generic(c, ZRANGE_BY_LEX, "zremrangebylex");
}

/* ---------------- Popping: ZPOPMIN ZPOPMAX ZMPOP and the blocking ones ----------------
 *
 * Popping the lowest or highest is deterministic, so ZPOPMIN is logged as
 * received; ZMPOP and the blocking commands are logged as the ZPOPMIN or
 * ZPOPMAX they amounted to, with the count really popped, as Redis does:
 * a replay must neither choose among keys nor wait. */

/* How a pop answers (Redis's genericZpopCommand's switches). */
typedef struct zpop_shape {
    bool max;                   /* ZPOPMAX: the highest scores, highest first */
    bool with_key;              /* the key in front: BZPOPMIN, ZMPOP */
    bool nested;                /* [member, score] pairs in arrays: ZMPOP, RESP3 with a count */
    long long count;            /* -1: one, without a count */
} zpop_shape;

/* Pop from the non-empty set at argv[k], reply, log, notify. */
static void zpop_from(client *c, int k, zset_value *z, const zpop_shape *s)
{
    long long count = s->count < 0 ? 1 : s->count;
    size_t length = zset_length(z);
    size_t n = (size_t)count < length ? (size_t)count : length;
    if (!s->nested && !s->with_key) {
        reply_array(c, (long long)n * 2);
    } else if (s->nested && !s->with_key) {
        reply_array(c, (long long)n);
    } else if (!s->nested) {
        reply_array(c, (long long)n * 2 + 1);
        reply_bulk(c, c->argv[k], c->argvlen[k]);
    } else {
        reply_array(c, 2);
        reply_bulk(c, c->argv[k], c->argvlen[k]);
        reply_array(c, (long long)n);
    }
    zset_iter it;
    zset_member m;
    zset_iter_start(&it, z, s->max ? length - 1 : 0, n, s->max);
    while (zset_iter_next(&it, &m)) {
        if (s->nested)
            reply_array(c, 2);
        reply_bulk(c, m.bytes, m.len);
        reply_double(c, m.score);
    }
    zset_iter_end(&it);
    zset_delete_rank_range(z, s->max ? length - n : 0, s->max ? length - 1 : n - 1);
    zsets_changed(c, k, z, s->max ? "zpopmax" : "zpopmin");
}

/* Log the pop as ZPOPMIN/ZPOPMAX key [count]. */
static void zpop_propagate(client *c, int k, bool max, long long count)
{
    char digits[NUM_LL_MAX];
    const char *argv[] = {max ? "ZPOPMAX" : "ZPOPMIN", c->argv[k], digits};
    size_t argvlen[] = {7, c->argvlen[k], count >= 0 ? num_format_ll(digits, count) : 0};
    command_propagate_as(c, count >= 0 ? 3 : 2, argv, argvlen);
}

/* ZPOPMIN key [count], ZPOPMAX key [count]: the count must be positive
 * (a word that is not a number gets the same error); 0 answers an empty
 * array, whatever the key. */
static void zsets_zpop(client *c, bool max)
{
    if (c->argc > 3) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    zpop_shape s = {.max = max, .with_key = false, .count = -1};
    if (c->argc == 3 && !zsets_parse_long(c, 2, 0, LLONG_MAX, &s.count, REPLY_ERR_NOT_POSITIVE))
        return;
    s.nested = c->resp == 3 && s.count != -1;
    zset_value *z;
    if (!zsets_lookup(c, 1, &z))
        return;
    if (z == NULL || s.count == 0) {
        reply_array(c, 0);
        return;
    }
    zpop_from(c, 1, z, &s);
}

static void cmd_zpopmin(client *c)
{
    zsets_zpop(c, false);
}

static void cmd_zpopmax(client *c)
{
    zsets_zpop(c, true);
}

/* What ZMPOP and BZMPOP read after their numkeys: MIN|MAX [COUNT n]. */
typedef struct zmpop_args {
    int first_key;
    long long numkeys;
    bool max;
    long long count;
} zmpop_args;

static bool zmpop_parse(client *c, int numkeys_at, zmpop_args *a)
{
    if (!zsets_parse_long(c, numkeys_at, 1, LLONG_MAX, &a->numkeys, REPLY_ERR_NUMKEYS_POSITIVE))
        return false;
    a->first_key = numkeys_at + 1;
    a->count = -1;
    if (a->numkeys >= c->argc - numkeys_at - 1) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return false;
    }
    int where = numkeys_at + 1 + (int)a->numkeys;
    if (command_arg_is(c, where, "min") || command_arg_is(c, where, "max")) {
        a->max = command_arg_is(c, where, "max");
    } else {
        reply_error(c, REPLY_ERR_SYNTAX);
        return false;
    }
    for (int j = where + 1; j < c->argc; j++) {
        if (a->count == -1 && command_arg_is(c, j, "count") && j + 1 < c->argc) {
            if (!zsets_parse_long(c, ++j, 1, LLONG_MAX, &a->count, REPLY_ERR_COUNT_POSITIVE))
                return false;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    if (a->count == -1)
        a->count = 1;
    return true;
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
 * From the first key that holds a sorted set: [key, [[member, score] ...]];
 * a null array when none does. */
static void cmd_zmpop(client *c)
{
    zmpop_args a;
    if (!zmpop_parse(c, 1, &a))
        return;
    for (int k = a.first_key; k < a.first_key + (int)a.numkeys; k++) {
        zset_value *z;
        if (!zsets_lookup(c, k, &z))
            return;
        if (z == NULL)
            continue;
        long long popped = (long long)zset_length(z) < a.count ? (long long)zset_length(z) : a.count;
        zpop_shape s = {.max = a.max, .with_key = true, .nested = true, .count = a.count};
        zpop_from(c, k, z, &s);
        zpop_propagate(c, k, a.max, popped);
        return;
    }
    reply_null_array(c);
}

/* On a run for a ready key (server/blocking.h), only that key is looked at. */
static bool zsets_not_ready(client *c, int k)
{
    size_t len;
    const char *ready = blocking_ready_key(c, &len);
    return ready != NULL && (len != c->argvlen[k] || memcmp(ready, c->argv[k], len) != 0);
}

/* The sorted set at argv[k] for a blocking pop: NULL when missing, or of
 * another type. On the first run another type is WRONGTYPE (*wrong); on
 * a run for a ready key it is only no use, and the client waits on. */
static zset_value *zsets_blocking_lookup(client *c, int k, bool *wrong)
{
    size_t len;
    *wrong = false;
    db_value *v = db_get(c->db, c->argv[k], c->argvlen[k]);
    if (v == NULL)
        return NULL;
    if (v->type != DB_TYPE_ZSET) {
        if (blocking_ready_key(c, &len) == NULL) {
            command_check_type(c, v, DB_TYPE_ZSET);
            *wrong = true;
        }
        return NULL;
    }
    return db_zset_of(v);
}

/* What BZPOPMIN, BZPOPMAX and BZMPOP share: pop from the first of keys
 * first_key.. that holds a sorted set, or wait for one (a null array
 * inside MULTI, where nothing waits). */
static void zsets_blocking_pop(client *c, int first_key, int key_count, long long deadline, const zpop_shape *s)
{
    for (int k = first_key; k < first_key + key_count; k++) {
        bool wrong;
        if (zsets_not_ready(c, k))
            continue;
        zset_value *z = zsets_blocking_lookup(c, k, &wrong);
        if (wrong)
            return;
        if (z == NULL)
            continue;
        long long length = (long long)zset_length(z);
        zpop_from(c, k, z, s);
        zpop_propagate(c, k, s->max, s->count < 0 ? -1 : (s->count < length ? s->count : length));
        return;
    }
    if (!blocking_may_block(c)) {
        reply_null_array(c);
        return;
    }
    blocking_block(c, first_key, key_count, deadline, BLOCKING_TIMEOUT_NULL_ARRAY);
}

/* BZPOPMIN key [key ...] timeout, BZPOPMAX key [key ...] timeout
 * [key, member, score], flat in RESP3 too. */
static void zsets_bzpop(client *c, bool max)
{
    long long deadline;
    if (!blocking_parse_timeout(c, c->argv[c->argc - 1], c->argvlen[c->argc - 1], &deadline))
        return;
    zpop_shape s = {.max = max, .with_key = true, .nested = false, .count = -1};
    zsets_blocking_pop(c, 1, c->argc - 2, deadline, &s);
}

static void cmd_bzpopmin(client *c)
{
    zsets_bzpop(c, false);
}

static void cmd_bzpopmax(client *c)
{
    zsets_bzpop(c, true);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the
 * arguments after the timeout are checked first, as in Redis. */
static void cmd_bzmpop(client *c)
{
    zmpop_args a;
    long long deadline;
    if (!zmpop_parse(c, 2, &a) || !blocking_parse_timeout(c, c->argv[1], c->argvlen[1], &deadline))
        return;
    zpop_shape s = {.max = a.max, .with_key = true, .nested = true, .count = a.count};
    zsets_blocking_pop(c, a.first_key, (int)a.numkeys, deadline, &s);
}

/* ---------------- ZRANDMEMBER ---------------- */

/* Picks with repeats, in batches: a count of a billion must not ask for
 * a billion zset_members at once. */
#define ZRANDMEMBER_BATCH 1000

/* ZRANDMEMBER key count [WITHSCORES], following Redis's cases:
 *   1. count < 0 (repeats allowed) or count == 1: |count| independent picks;
 *   2. count >= the set's size: the whole set, highest score first (Redis
 *      walks it from the top);
 *   3, 4. otherwise count distinct members (data/zset.c picks the way). */
static void zrandmember_with_count(client *c, long long n, bool withscores)
{
    zset_value *z;
    if (!zsets_lookup(c, 1, &z))
        return;
    if (z == NULL || n == 0) {
        reply_array(c, 0);
        return;
    }
    unsigned long long count = n < 0 ? (unsigned long long)-n : (unsigned long long)n;
    size_t size = zset_length(z);
    if (n < 0 || count == 1) {
        zsets_reply_members_header(c, (long long)count, withscores);
        zset_member *picks = mem_alloc(sizeof(*picks) * ZRANDMEMBER_BATCH);
        while (count > 0) {
            size_t batch = count < ZRANDMEMBER_BATCH ? (size_t)count : ZRANDMEMBER_BATCH;
            zset_random_members(z, batch, picks);
            for (size_t i = 0; i < batch; i++)
                zsets_reply_member(c, &picks[i], withscores);
            count -= batch;
        }
        mem_free(picks);
        return;
    }
    if (count >= size) {
        zsets_reply_walk(c, z, size - 1, size, true, withscores);
        return;
    }
    zset_member *picks = mem_alloc(sizeof(*picks) * (size_t)count);
    zset_random_distinct(z, (size_t)count, picks);
    zsets_reply_members_header(c, (long long)count, withscores);
    for (size_t i = 0; i < count; i++)
        zsets_reply_member(c, &picks[i], withscores);
    mem_free(picks);
}

/* ZRANDMEMBER key [count [WITHSCORES]]: the count is read before the rest
 * is checked; with WITHSCORES it may not pass +-2^62 (the reply would
 * have twice as many elements). */
static void cmd_zrandmember(client *c)
{
    if (c->argc >= 3) {
        long long n;
        if (!num_parse_ll(c->argv[2], c->argvlen[2], &n)) {
            reply_error(c, REPLY_ERR_NOT_INTEGER);
            return;
        }
        if (n == LLONG_MIN) {       /* Redis's range is -LONG_MAX..LONG_MAX: |n| must fit */
            reply_error(c, REPLY_ERR_SRANDMEMBER_RANGE);
            return;
        }
        if (c->argc > 4 || (c->argc == 4 && !command_arg_is(c, 3, "withscores"))) {
            reply_error(c, REPLY_ERR_SYNTAX);
            return;
        }
        if (c->argc == 4 && (n < -LLONG_MAX / 2 || n > LLONG_MAX / 2)) {
            reply_error(c, REPLY_ERR_HASH_COUNT_RANGE);
            return;
        }
        zrandmember_with_count(c, n, c->argc == 4);
        return;
    }
    zset_value *z;
    if (!zsets_lookup(c, 1, &z))
        return;
    if (z == NULL) {
        reply_null(c);
        return;
    }
    zset_member m;
    zset_random_members(z, 1, &m);
    reply_bulk(c, m.bytes, m.len);
}

/* ---------------- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ----------------
 *
 * The inputs may be sets too (their members score 1), and a missing key
 * is an empty input. The result is built as a skip list, as Redis builds
 * it: a -0 score (from a weight) then comes back as -0; the STORE forms
 * pack it at the end when it is small. */

enum zsets_op { ZSETS_UNION, ZSETS_INTER, ZSETS_DIFF };
enum zsets_aggregate { ZSETS_SUM, ZSETS_MIN, ZSETS_MAX };

typedef struct zsets_source {
    db_value *v;                /* a sorted set or a set; NULL for a missing key */
    double weight;
} zsets_source;

static size_t zsets_source_length(const zsets_source *s)
{
    if (s->v == NULL)
        return 0;
    return s->v->type == DB_TYPE_ZSET ? zset_length(db_zset_of(s->v)) : set_size(db_setval_of(s->v));
}

/* The member's score in the source (1 in a set); false if not there. */
static bool zsets_source_score(zsets_source *s, const char *member, size_t len, double *score)
{
    if (s->v == NULL)
        return false;
    if (s->v->type == DB_TYPE_ZSET)
        return zset_score(db_zset_of(s->v), member, len, score);
    *score = 1.0;
    return set_contains(db_setval_of(s->v), member, len);
}

/* Visit every member of a source with its score, until fn says stop. */
typedef bool zsets_visit_fn(void *data, const char *member, size_t len, double score);

static void zsets_source_each(zsets_source *s, zsets_visit_fn *fn, void *data)
{
    if (s->v == NULL)
        return;
    if (s->v->type == DB_TYPE_SET) {
        set_iter it;
        set_member m;
        set_iter_start(&it, db_setval_of(s->v));
        while (set_iter_next(&it, &m) && fn(data, m.bytes, m.len, 1.0))
            ;
        set_iter_end(&it);
        return;
    }
    zset_value *z = db_zset_of(s->v);
    zset_iter it;
    zset_member m;
    zset_iter_start(&it, z, 0, zset_length(z), false);
    while (zset_iter_next(&it, &m) && fn(data, m.bytes, m.len, m.score))
        ;
    zset_iter_end(&it);
}

/* Redis's zunionInterAggregate, comparisons and all: a sum of inf and
 * -inf is 0, and MIN and MAX keep what they have when met with NaN. */
static void zsets_aggregate(double *target, double value, int aggregate)
{
    if (aggregate == ZSETS_SUM) {
        *target = *target + value;
        if (isnan(*target))
            *target = 0.0;
    } else if (aggregate == ZSETS_MIN) {
        *target = value < *target ? value : *target;
    } else {
        *target = value > *target ? value : *target;
    }
}


static void zsets_result_add(db_value *result, const char *member, size_t len, double score)
{
    double now;
    zset_add(db_zset_of(result), member, len, score, 0, &now, &zsets_skiplist_limits);
}

typedef struct zsets_algebra {
    zsets_source *src;
    int n;
    int aggregate;
    db_value *result;
    dict *sums;                 /* union: member -> its score so far (as the entry's bits) */
    int j;                      /* union: the source being added */
    bool count_only;            /* ZINTERCARD */
    long long limit, found;     /* ZINTERCARD's LIMIT (0: none), and the count */
} zsets_algebra;

/* Union: the first time a member is met it gets weight * score (NaN,
 * from 0 * inf, counts as 0); after that the aggregate of both. */
static bool zsets_union_visit(void *data, const char *member, size_t len, double score)
{
    zsets_algebra *a = data;
    double value = a->src[a->j].weight * score;
    if (isnan(value))
        value = 0;
    bool created;
    dict_entry *e = dict_add_or_find(a->sums, member, len, &created);
    double sum = value;
    if (!created) {
        memcpy(&sum, &e->integer, sizeof(sum));
        zsets_aggregate(&sum, value, a->aggregate);
    }
    memcpy(&e->integer, &sum, sizeof(sum));
    return true;
}

static void zsets_union(zsets_algebra *a)
{
    a->sums = dict_create();
    for (a->j = 0; a->j < a->n; a->j++)
        zsets_source_each(&a->src[a->j], zsets_union_visit, a);
    dict_iter it;
    dict_iter_start(&it, a->sums);
    for (dict_entry *e; (e = dict_iter_next(&it)) != NULL;) {
        double sum;
        memcpy(&sum, &e->integer, sizeof(sum));
        zsets_result_add(a->result, e->key, e->keylen, sum);
    }
    dict_iter_end(&it);
    dict_destroy(a->sums, NULL);
}

/* Intersection: a member of the smallest input that every other holds,
 * its score the aggregate of the weighted scores. */
static bool zsets_inter_visit(void *data, const char *member, size_t len, double score)
{
    zsets_algebra *a = data;
    double total = a->src[0].weight * score;
    if (isnan(total))
        total = 0;
    for (int j = 1; j < a->n; j++) {
        double value;
        if (!zsets_source_score(&a->src[j], member, len, &value))
            return true;
        zsets_aggregate(&total, value * a->src[j].weight, a->aggregate);
    }
    if (!a->count_only) {
        zsets_result_add(a->result, member, len, total);
        return true;
    }
    a->found++;
    return a->limit == 0 || a->found < a->limit;
}

/* Difference, walking the first input (Redis's algorithm 1): keep what
 * no other input holds, with its own score. */
static bool zsets_diff_visit(void *data, const char *member, size_t len, double score)
{
    zsets_algebra *a = data;
    double ignored;
    for (int j = 1; j < a->n; j++) {
        if (zsets_source_score(&a->src[j], member, len, &ignored))
            return true;
    }
    zsets_result_add(a->result, member, len, score);
    return true;
}

static bool zsets_copy_visit(void *data, const char *member, size_t len, double score)
{
    zsets_result_add(((zsets_algebra *)data)->result, member, len, score);
    return true;
}

/* Difference by copying the first input and removing the others'
 * members (algorithm 2), stopping once nothing is left. */
static bool zsets_diff_remove_visit(void *data, const char *member, size_t len, double score)
{
    zsets_algebra *a = data;
    (void)score;
    zset_value *z = db_zset_of(a->result);
    zset_delete(z, member, len);
    return zset_length(z) > 0;
}

static int zsets_by_length_down(const zsets_source *x, const zsets_source *y)
{
    size_t lx = zsets_source_length(x), ly = zsets_source_length(y);
    return lx > ly ? -1 : lx < ly;
}

static int zsets_by_length_up(const zsets_source *x, const zsets_source *y)
{
    return -zsets_by_length_down(x, y);
}

/* A stable insertion sort: few inputs, and inputs of equal size keep the
 * order they were given in (which decides the order of a sum). */
static void zsets_sort(zsets_source *src, int n, int (*cmp)(const zsets_source *, const zsets_source *))
{
    for (int i = 1; i < n; i++) {
        zsets_source s = src[i];
        int j = i;
        while (j > 0 && cmp(&src[j - 1], &s) > 0) {
            src[j] = src[j - 1];
            j--;
        }
        src[j] = s;
    }
}

/* Redis picks between the two walks by their work: walking the first
 * input costs a lookup in each other one per member, n * |first|;
 * removing costs one operation per member of every input. The walk gets
 * a factor 2 head start. Either gives the same set. */
static void zsets_diff(zsets_algebra *a)
{
    if (zsets_source_length(&a->src[0]) == 0)
        return;
    unsigned long long walk = 0, remove = 0;
    for (int j = 0; j < a->n; j++) {
        if (j > 0 && a->src[j].v == a->src[0].v)
            return;         /* the first input minus itself */
        walk += zsets_source_length(&a->src[0]);
        remove += zsets_source_length(&a->src[j]);
    }
    if (walk / 2 <= remove) {
        zsets_sort(a->src + 1, a->n - 1, zsets_by_length_down);
        zsets_source_each(&a->src[0], zsets_diff_visit, a);
        return;
    }
    zsets_source_each(&a->src[0], zsets_copy_visit, a);
    for (int j = 1; j < a->n && zset_length(db_zset_of(a->result)) > 0; j++)
        zsets_source_each(&a->src[j], zsets_diff_remove_visit, a);
}

/* The options after the keys: WEIGHTS and AGGREGATE (not for ZDIFF),
 * WITHSCORES (not for the STORE forms), LIMIT (ZINTERCARD only), in any
 * order, as Redis reads them. False with the error sent. */
static bool zsets_algebra_options(client *c, int j, int op, bool store, zsets_algebra *a, bool *withscores)
{
    bool weighted = op != ZSETS_DIFF && !a->count_only;
    while (j < c->argc) {
        int remaining = c->argc - j;
        if (weighted && remaining >= a->n + 1 && command_arg_is(c, j, "weights")) {
            j++;
            for (int i = 0; i < a->n; i++, j++) {
                if (!zsets_parse_double(c, j, &a->src[i].weight, REPLY_ERR_ZSET_WEIGHT_NOT_FLOAT))
                    return false;
            }
        } else if (weighted && remaining >= 2 && command_arg_is(c, j, "aggregate")) {
            j++;
            if (command_arg_is(c, j, "sum")) {
                a->aggregate = ZSETS_SUM;
            } else if (command_arg_is(c, j, "min")) {
                a->aggregate = ZSETS_MIN;
            } else if (command_arg_is(c, j, "max")) {
                a->aggregate = ZSETS_MAX;
            } else {
                reply_error(c, REPLY_ERR_SYNTAX);
                return false;
            }
            j++;
        } else if (!store && !a->count_only && command_arg_is(c, j, "withscores")) {
            j++;
            *withscores = true;
        } else if (a->count_only && remaining >= 2 && command_arg_is(c, j, "limit")) {
            /* The same text as SINTERCARD's, for a word and for a negative number. */
            if (!zsets_parse_long(c, j + 1, 0, LLONG_MAX, &a->limit, REPLY_ERR_SINTERCARD_LIMIT))
                return false;
            j += 2;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

/* The inputs named by the `n` keys after argv[first - 1]: a sorted set
 * or a set each, NULL for a missing key. False with WRONGTYPE sent. */
static bool zsets_collect(client *c, int first, zsets_algebra *a)
{
    for (int i = 0; i < a->n; i++) {
        db_value *v = db_get(c->db, c->argv[first + i], c->argvlen[first + i]);
        if (v != NULL && v->type != DB_TYPE_ZSET && v->type != DB_TYPE_SET) {
            reply_error(c, REPLY_ERR_WRONGTYPE);
            return false;
        }
        a->src[i] = (zsets_source){v, 1.0};
    }
    return true;
}

/* ZUNION ZINTER ZDIFF (dst 0), their STORE forms (dst 1), ZINTERCARD:
 * numkeys at argv[numkeys_at], then the keys, then the options. As in
 * Redis, the keys' types are checked before the options are read. */
static void zsets_algebra_command(client *c, const char *name, int dst, int numkeys_at, int op, bool count_only)
{
    long long numkeys;
    if (!zsets_parse_long(c, numkeys_at, LLONG_MIN, LLONG_MAX, &numkeys, NULL))
        return;
    if (numkeys < 1) {
        reply_error_format(c, REPLY_ERR_ZSET_NUMKEYS_FMT, name);
        return;
    }
    if (numkeys > c->argc - numkeys_at - 1) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    zsets_algebra a = {.n = (int)numkeys, .aggregate = ZSETS_SUM, .count_only = count_only};
    a.src = mem_alloc(sizeof(*a.src) * (size_t)a.n);
    bool withscores = false;
    if (!zsets_collect(c, numkeys_at + 1, &a) ||
        !zsets_algebra_options(c, numkeys_at + 1 + a.n, op, dst > 0, &a, &withscores)) {
        mem_free(a.src);
        return;
    }
    if (op != ZSETS_DIFF)
        zsets_sort(a.src, a.n, zsets_by_length_up);
    a.result = db_zset_new();
    if (op == ZSETS_INTER && zsets_source_length(&a.src[0]) > 0)
        zsets_source_each(&a.src[0], zsets_inter_visit, &a);
    else if (op == ZSETS_UNION)
        zsets_union(&a);
    else if (op == ZSETS_DIFF)
        zsets_diff(&a);
    mem_free(a.src);
    zset_value *z = db_zset_of(a.result);
    if (dst > 0) {
        zset_limits lim = zsets_limits();
        zset_pack_if_small(z, &lim);
        zsets_store(c, dst, a.result, op == ZSETS_UNION ? "zunionstore" : op == ZSETS_INTER ? "zinterstore"
                                                                                                : "zdiffstore");
        return;
    }
    if (count_only)
        reply_int(c, a.found);
    else
        zsets_reply_walk(c, z, 0, zset_length(z), false, withscores);
    db_value_free(a.result);
}

/* ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
static void cmd_zunion(client *c)
{
    zsets_algebra_command(c, "zunion", 0, 1, ZSETS_UNION, false);
}

/* ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
static void cmd_zinter(client *c)
{
    zsets_algebra_command(c, "zinter", 0, 1, ZSETS_INTER, false);
}

/* ZDIFF numkeys key [key ...] [WITHSCORES] */
static void cmd_zdiff(client *c)
{
    zsets_algebra_command(c, "zdiff", 0, 1, ZSETS_DIFF, false);
}

/* ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
static void cmd_zunionstore(client *c)
{
    zsets_algebra_command(c, "zunionstore", 1, 2, ZSETS_UNION, false);
}

/* ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
static void cmd_zinterstore(client *c)
{
    zsets_algebra_command(c, "zinterstore", 1, 2, ZSETS_INTER, false);
}

/* ZDIFFSTORE destination numkeys key [key ...] */
static void cmd_zdiffstore(client *c)
{
    zsets_algebra_command(c, "zdiffstore", 1, 2, ZSETS_DIFF, false);
}

/* ZINTERCARD numkeys key [key ...] [LIMIT limit] */
static void cmd_zintercard(client *c)
{
    zsets_algebra_command(c, "zintercard", 0, 1, ZSETS_INTER, true);
}

/* ---------------- ZSCAN ---------------- */

typedef struct zscan_found {
    const scan_options *options;
    bool packed;                /* scores shown as the packed form holds them */
    buf replies;                /* member, score, ... that pass MATCH, as bulk replies */
    long long items;            /* how many replies */
    long long seen;             /* members visited, matching or not: what COUNT bounds */
} zscan_found;

static void zscan_take(void *data, const zset_member *m)
{
    zscan_found *found = data;
    found->seen++;
    if (!scan_matches(found->options, m->bytes, m->len))
        return;
    char score[ZSET_SCORE_TEXT_MAX];
    size_t len = found->packed ? zset_format_packed_score(score, m->score) : zset_format_score(score, m->score);
    resp_add_bulk(&found->replies, m->bytes, m->len);
    resp_add_bulk(&found->replies, score, len);
    found->items += 2;
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count]
 * As SSCAN and HSCAN: the cursor is read first, then the key (a missing
 * one answers an empty scan before the options are read). A packed set
 * answers whole, cursor 0, with its scores as it holds them (Redis shows
 * an integral score of a listpack as an integer: 1e17 is
 * "100000000000000000" there, "1e+17" from a skip list); a skip list a
 * bucket of its table at a time, until COUNT members were seen or 20 *
 * COUNT buckets visited (Redis doubles COUNT for pairs, then allows ten
 * times that). */
static void cmd_zscan(client *c)
{
    unsigned long long cursor;
    if (!scan_parse_cursor(c, 2, &cursor))
        return;
    zset_value *z;
    if (!zsets_lookup(c, 1, &z))
        return;
    if (z == NULL) {
        reply_array(c, 2);
        reply_bulk(c, "0", 1);
        reply_array(c, 0);
        return;
    }
    scan_options options;
    if (!scan_parse_options(c, 3, false, &options))
        return;
    zscan_found found = {&options, zset_is_packed(z), BUF_INIT, 0, 0};
    if (zset_is_packed(z)) {
        cursor = zset_scan(z, 0, zscan_take, &found);
    } else {
        long long steps = options.count > LLONG_MAX / 20 ? LLONG_MAX : options.count * 20;
        do
            cursor = zset_scan(z, (size_t)cursor, zscan_take, &found);
        while (cursor != 0 && steps-- > 0 && found.seen < options.count);
    }
    char digits[NUM_LL_MAX + 1];
    int len = snprintf(digits, sizeof(digits), "%llu", cursor);
    reply_array(c, 2);
    reply_bulk(c, digits, (size_t)len);
    reply_array(c, found.items);
    reply_raw(c, buf_data(&found.replies), buf_length(&found.replies));
    buf_free(&found.replies);
}

/* ---------------- The table ---------------- */

const command zset_commands[] = {
    {"zadd", cmd_zadd, -4, COMMAND_WRITE | COMMAND_DENYOOM | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
     NULL},
    {"zincrby", cmd_zincrby, 4, COMMAND_WRITE | COMMAND_DENYOOM | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Increments the score of a member in a sorted set.", NULL},
    {"zrem", cmd_zrem, -3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.", NULL},
    {"zcard", cmd_zcard, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the number of members in a sorted set.", NULL},
    {"zscore", cmd_zscore, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the score of a member in a sorted set.", NULL},
    {"zmscore", cmd_zmscore, -3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the score of one or more members in a sorted set.", NULL},
    {"zrank", cmd_zrank, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the index of a member in a sorted set ordered by ascending scores.", NULL},
    {"zrevrank", cmd_zrevrank, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the index of a member in a sorted set ordered by descending scores.", NULL},
    {"zcount", cmd_zcount, 4, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the count of members in a sorted set that have scores within a range.", NULL},
    {"zlexcount", cmd_zlexcount, 4, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the number of members in a sorted set within a lexicographical range.", NULL},
    {"zrange", cmd_zrange, -4, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Returns members in a sorted set within a range of indexes.", NULL},
    {"zrangestore", cmd_zrangestore, -5, COMMAND_WRITE | COMMAND_DENYOOM, 1, 2, 1, "sorted-set",
     "Stores a range of members from sorted set in a key.", NULL},
    {"zrevrange", cmd_zrevrange, -4, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Returns members in a sorted set within a range of indexes in reverse order.", NULL},
    {"zrangebyscore", cmd_zrangebyscore, -4, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Returns members in a sorted set within a range of scores.", NULL},
    {"zrevrangebyscore", cmd_zrevrangebyscore, -4, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Returns members in a sorted set within a range of scores in reverse order.", NULL},
    {"zrangebylex", cmd_zrangebylex, -4, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Returns members in a sorted set within a lexicographical range.", NULL},
    {"zrevrangebylex", cmd_zrevrangebylex, -4, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Returns members in a sorted set within a lexicographical range in reverse order.", NULL},
    {"zremrangebyrank", cmd_zremrangebyrank, 4, COMMAND_WRITE, 1, 1, 1, "sorted-set",
     "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.",
     NULL},
    {"zremrangebyscore", cmd_zremrangebyscore, 4, COMMAND_WRITE, 1, 1, 1, "sorted-set",
     "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.",
     NULL},
    {"zremrangebylex", cmd_zremrangebylex, 4, COMMAND_WRITE, 1, 1, 1, "sorted-set",
     "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were "
     "removed.", NULL},
    {"zpopmin", cmd_zpopmin, -2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last "
     "member was popped.", NULL},
    {"zpopmax", cmd_zpopmax, -2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "sorted-set",
     "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last "
     "member was popped.", NULL},
    {"zmpop", cmd_zmpop, -4, COMMAND_WRITE, 0, 0, 0, "sorted-set",     /* keys counted by numkeys */
     "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the "
     "sorted set if the last member was popped.", NULL},
    {"bzpopmin", cmd_bzpopmin, -3, COMMAND_WRITE | COMMAND_FAST, 1, -2, 1, "sorted-set",
     "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is "
     "available otherwise. Deletes the sorted set if the last element was popped.", NULL},
    {"bzpopmax", cmd_bzpopmax, -3, COMMAND_WRITE | COMMAND_FAST, 1, -2, 1, "sorted-set",
     "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member "
     "available otherwise. Deletes the sorted set if the last element was popped.", NULL},
    {"bzmpop", cmd_bzmpop, -5, COMMAND_WRITE, 0, 0, 0, "sorted-set",     /* keys counted by numkeys */
     "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available "
     "otherwise. Deletes the sorted set if the last element was popped.", NULL},
    {"zrandmember", cmd_zrandmember, -2, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Returns one or more random members from a sorted set.", NULL},
    {"zunion", cmd_zunion, -3, COMMAND_READONLY, 0, 0, 0, "sorted-set",
     "Returns the union of multiple sorted sets.", NULL},
    {"zinter", cmd_zinter, -3, COMMAND_READONLY, 0, 0, 0, "sorted-set",
     "Returns the intersect of multiple sorted sets.", NULL},
    {"zdiff", cmd_zdiff, -3, COMMAND_READONLY, 0, 0, 0, "sorted-set",
     "Returns the difference between multiple sorted sets.", NULL},
    {"zunionstore", cmd_zunionstore, -4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "sorted-set",
     "Stores the union of multiple sorted sets in a key.", NULL},
    {"zinterstore", cmd_zinterstore, -4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "sorted-set",
     "Stores the intersect of multiple sorted sets in a key.", NULL},
    {"zdiffstore", cmd_zdiffstore, -4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "sorted-set",
     "Stores the difference of multiple sorted sets in a key.", NULL},
    {"zintercard", cmd_zintercard, -3, COMMAND_READONLY, 0, 0, 0, "sorted-set",
     "Returns the number of members of the intersect of multiple sorted sets.", NULL},
    {"zscan", cmd_zscan, -3, COMMAND_READONLY, 1, 1, 1, "sorted-set",
     "Iterates over members and scores of a sorted set.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
