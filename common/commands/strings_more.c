/* More string commands: SETNX SETEX PSETEX GETSET GETDEL GETEX MSETNX
 * SETRANGE GETRANGE SUBSTR INCRBYFLOAT LCS (Part II, strings).
 *
 * A Redis string is an array of bytes, up to 512 MB, that commands may
 * read and write by position: GETRANGE reads a slice, SETRANGE writes one
 * and pads the gap with zero bytes, so a string can serve as a small
 * random-access file. The rest are variations on SET and GET that save a
 * round trip (SETNX, GETSET, GETDEL, GETEX), a float counter, and the
 * longest common subsequence of two strings.
 *
 * Three of them are logged to the append-only file as something else, so
 * that a replay lands on the same data (stage 5): a relative time becomes
 * an absolute one (SETEX k 10 v is logged as SET k v PXAT <ms>, GETEX EX
 * as PEXPIREAT), GETSET and GETDEL become SET and DEL, and INCRBYFLOAT
 * becomes a SET of its result, so that a replay on a machine whose long
 * double rounds differently cannot drift. The plain string commands of
 * stage 2 are in strings.c, the expiry options of SET in ttl.c. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "base/mem.h"
#include "base/num.h"
#include "commands/ttl.h"
#include "io/resp.h"
#include "server/notify.h"
#include "server/reply.h"

/* The string at argv[i] in *s, NULL when the key is missing. False, with
 * WRONGTYPE already sent, when it holds another type. */
static bool strmore_lookup(client *c, int i, db_string **s)
{
    *s = NULL;
    db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
    if (v == NULL)
        return true;
    if (!command_check_type(c, v, DB_TYPE_STRING))
        return false;
    *s = db_string_of(v);
    return true;
}

/* The value as a bulk string, or nil for a missing key. */
static void strmore_reply_value(client *c, const db_string *s)
{
    if (s == NULL)
        reply_null(c);
    else
        reply_bulk(c, s->str, s->len);
}

static bool strmore_arg_ll(client *c, int i, long long *out)
{
    if (num_parse_ll(c->argv[i], c->argvlen[i], out))
        return true;
    reply_error(c, REPLY_ERR_NOT_INTEGER);
    return false;
}

/* The keyspace event of argv[1] (Part II, keyspace notifications). GETSET,
 * GETDEL and GETEX read the key as GET does, and a miss is an event
 * ("keymiss"): the dispatcher counts only a read command's lookups, so
 * these three say theirs. */
static void strmore_notify(client *c, int type, const char *event)
{
    notify_keyspace_event(type, event, c->argv[1], c->argvlen[1], c->db->id);
}

/* Log a command of two arguments (DEL k, PERSIST k ...) in place of the
 * one received. */
static void strmore_propagate_key(client *c, const char *name)
{
    const char *argv[] = {name, c->argv[1]};
    size_t argvlen[] = {strlen(name), c->argvlen[1]};
    command_propagate_as(c, 2, argv, argvlen);
}

/* ---------------- SETNX GETSET GETDEL MSETNX ---------------- */

/* SETNX key value */
static void cmd_setnx(client *c)
{
    if (db_get(c->db, c->argv[1], c->argvlen[1]) != NULL) {
        reply_int(c, 0);
        return;
    }
    db_set(c->db, c->argv[1], c->argvlen[1], db_string_new(c->argv[2], c->argvlen[2]));
    strmore_notify(c, NOTIFY_STRING, "set");
    reply_int(c, 1);
}

/* GETSET key value: the old value, and the key loses its TTL as with SET. */
static void cmd_getset(client *c)
{
    db_string *old;
    if (!strmore_lookup(c, 1, &old))
        return;
    if (old == NULL)
        strmore_notify(c, NOTIFY_KEY_MISS, "keymiss");
    strmore_reply_value(c, old);    /* before db_set frees it */
    db_set(c->db, c->argv[1], c->argvlen[1], db_string_new(c->argv[2], c->argvlen[2]));
    strmore_notify(c, NOTIFY_STRING, "set");
    const char *argv[] = {"SET", c->argv[1], c->argv[2]};
    size_t argvlen[] = {3, c->argvlen[1], c->argvlen[2]};
    command_propagate_as(c, 3, argv, argvlen);
}

/* GETDEL key */
static void cmd_getdel(client *c)
{
    db_string *s;
    if (!strmore_lookup(c, 1, &s))
        return;
    strmore_reply_value(c, s);
    if (s == NULL) {
        strmore_notify(c, NOTIFY_KEY_MISS, "keymiss");
        return;
    }
    db_delete(c->db, c->argv[1], c->argvlen[1]);
    strmore_propagate_key(c, "DEL");
    strmore_notify(c, NOTIFY_GENERIC, "del");
}

/* MSETNX key value [key value ...]: all of them, or none if any key
 * exists, whatever its type. */
static void cmd_msetnx(client *c)
{
    if (c->argc % 2 == 0) {
        reply_error_arity(c, "msetnx");
        return;
    }
    for (int i = 1; i < c->argc; i += 2) {
        if (db_get(c->db, c->argv[i], c->argvlen[i]) != NULL) {
            reply_int(c, 0);
            return;
        }
    }
    for (int i = 1; i < c->argc; i += 2) {
        db_set(c->db, c->argv[i], c->argvlen[i], db_string_new(c->argv[i + 1], c->argvlen[i + 1]));
        notify_keyspace_event(NOTIFY_STRING, "set", c->argv[i], c->argvlen[i], c->db->id);
    }
    reply_int(c, 1);
}

/* ---------------- SETEX PSETEX GETEX: times to live ---------------- */

/* The options GETEX takes, and the unit SETEX and PSETEX imply. */
#define STRMORE_EX 1
#define STRMORE_PX 2
#define STRMORE_EXAT 4
#define STRMORE_PXAT 8
#define STRMORE_PERSIST 16
#define STRMORE_ANY_EXPIRE (STRMORE_EX | STRMORE_PX | STRMORE_EXAT | STRMORE_PXAT)

/* argv[i] as the time of option `flag`: ttl.c's rules, as SET's. */
static bool strmore_expire_when(client *c, int i, int flag, const char *name, long long *when)
{
    return ttl_absolute_time(c, i, flag & (STRMORE_EX | STRMORE_EXAT), flag & (STRMORE_EX | STRMORE_PX), name, when);
}

/* SETEX key seconds value and PSETEX key milliseconds value: SET with EX
 * or PX, logged as SET key value PXAT <when>. */
static void strmore_setex_generic(client *c, int flag, const char *name)
{
    long long when;
    if (!strmore_expire_when(c, 2, flag, name, &when))
        return;
    dict_entry *e = db_set(c->db, c->argv[1], c->argvlen[1], db_string_new(c->argv[3], c->argvlen[3]));
    strmore_notify(c, NOTIFY_STRING, "set");
    db_set_expire(c->db, e, when);
    strmore_notify(c, NOTIFY_GENERIC, "expire");
    char ms[NUM_LL_MAX];
    const char *argv[] = {"SET", c->argv[1], c->argv[3], "PXAT", ms};
    size_t argvlen[] = {3, c->argvlen[1], c->argvlen[3], 4, num_format_ll(ms, when)};
    command_propagate_as(c, 5, argv, argvlen);
    reply_ok(c);
}

/* SETEX key seconds value */
static void cmd_setex(client *c)
{
    strmore_setex_generic(c, STRMORE_EX, "setex");
}

/* PSETEX key milliseconds value */
static void cmd_psetex(client *c)
{
    strmore_setex_generic(c, STRMORE_PX, "psetex");
}

/* Which STRMORE_* option argv[i] names, 0 if none. */
static int strmore_getex_flag(client *c, int i)
{
    static const struct {
        const char *word;
        int flag;
    } options[] = {
        {"ex", STRMORE_EX}, {"px", STRMORE_PX}, {"exat", STRMORE_EXAT},
        {"pxat", STRMORE_PXAT}, {"persist", STRMORE_PERSIST},
    };
    for (size_t k = 0; k < sizeof(options) / sizeof(options[0]); k++)
        if (command_arg_is(c, i, options[k].word))
            return options[k].flag;
    return 0;
}

/* GETEX's options: one kind of expiry or PERSIST, each may be repeated
 * (the last time given wins, as with SET). *time_arg is the argv index
 * of the time, 0 if none. */
static bool strmore_getex_parse(client *c, int *flags, int *time_arg)
{
    *flags = 0;
    *time_arg = 0;
    for (int i = 2; i < c->argc; i++) {
        int f = strmore_getex_flag(c, i);
        if (f == STRMORE_PERSIST && !(*flags & STRMORE_ANY_EXPIRE)) {
            *flags |= f;
        } else if ((f & STRMORE_ANY_EXPIRE) && !(*flags & (STRMORE_PERSIST | (STRMORE_ANY_EXPIRE & ~f))) &&
                   i + 1 < c->argc) {
            *flags |= f;
            *time_arg = ++i;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

/* GETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST]
 * The time is checked only once the key is found to be a string: GETEX
 * on a missing key answers nil whatever the time says, as in Redis. */
static void cmd_getex(client *c)
{
    int flags, time_arg;
    long long when = 0;
    if (!strmore_getex_parse(c, &flags, &time_arg))
        return;
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    if (e == NULL) {
        strmore_notify(c, NOTIFY_KEY_MISS, "keymiss");
        reply_null(c);
        return;
    }
    if (!command_check_type(c, e->value, DB_TYPE_STRING))
        return;
    if (time_arg != 0 && !strmore_expire_when(c, time_arg, flags & STRMORE_ANY_EXPIRE, "getex", &when))
        return;
    reply_bulk(c, db_string_of(e->value)->str, db_string_of(e->value)->len);
    if ((flags & (STRMORE_EXAT | STRMORE_PXAT)) && when <= db_now_ms() && !c->db->loading) {
        db_delete(c->db, c->argv[1], c->argvlen[1]);    /* a time in the past: dead now */
        strmore_propagate_key(c, "DEL");
        strmore_notify(c, NOTIFY_GENERIC, "del");
    } else if (time_arg != 0) {
        db_set_expire(c->db, e, when);
        char ms[NUM_LL_MAX];
        const char *argv[] = {"PEXPIREAT", c->argv[1], ms};
        size_t argvlen[] = {9, c->argvlen[1], num_format_ll(ms, when)};
        command_propagate_as(c, 3, argv, argvlen);
        strmore_notify(c, NOTIFY_GENERIC, "expire");
    } else if ((flags & STRMORE_PERSIST) && db_persist(c->db, e)) {
        strmore_propagate_key(c, "PERSIST");
        strmore_notify(c, NOTIFY_GENERIC, "persist");
    }
}

/* ---------------- SETRANGE GETRANGE SUBSTR ---------------- */

/* SETRANGE key offset value: writes value at byte offset, zero bytes
 * filling any gap. An empty value changes nothing and creates nothing. */
static void cmd_setrange(client *c)
{
    long long offset;
    size_t vlen = c->argvlen[3];
    if (!strmore_arg_ll(c, 2, &offset))
        return;
    if (offset < 0) {
        reply_error(c, REPLY_ERR_OFFSET_RANGE);
        return;
    }
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    if (e != NULL && !command_check_type(c, e->value, DB_TYPE_STRING))
        return;
    if (vlen == 0) {
        reply_int(c, e != NULL ? db_string_of(e->value)->len : 0);
        return;
    }
    if (offset > resp_max_bulk() - (long long)vlen) {
        reply_error(c, REPLY_ERR_TOO_BIG);
        return;
    }
    size_t need = (size_t)offset + vlen;
    if (e == NULL) {
        db_value *v = db_string_grow_zero(db_string_new("", 0), need);
        memcpy(db_string_of(v)->str + offset, c->argv[3], vlen);
        db_set(c->db, c->argv[1], c->argvlen[1], v);
        strmore_notify(c, NOTIFY_STRING, "setrange");
        reply_int(c, (long long)need);
        return;
    }
    e->value = db_string_grow_zero(e->value, need);     /* keeps the TTL */
    memcpy(db_string_of(e->value)->str + offset, c->argv[3], vlen);
    db_key_changed(c->db, e->key, e->keylen);
    strmore_notify(c, NOTIFY_STRING, "setrange");
    reply_int(c, db_string_of(e->value)->len);
}

/* GETRANGE key start end: both ends inclusive, negative ones counted from
 * the end, clamped to the string; a missing key reads as "". */
static void cmd_getrange(client *c)
{
    long long start, end;
    db_string *s;
    if (!strmore_arg_ll(c, 2, &start) || !strmore_arg_ll(c, 3, &end) || !strmore_lookup(c, 1, &s))
        return;
    long long len = s != NULL ? s->len : 0;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(c, "", 0);
        return;
    }
    if (start < 0)
        start += len;
    if (end < 0)
        end += len;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= len)
        end = len - 1;
    if (start > end || len == 0)
        reply_bulk(c, "", 0);
    else
        reply_bulk(c, s->str + start, (size_t)(end - start + 1));
}

/* ---------------- INCRBYFLOAT ---------------- */

/* INCRBYFLOAT key increment: logged as SET key <result> KEEPTTL. */
static void cmd_incrbyfloat(client *c)
{
    long double value = 0, incr;
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    if (e != NULL && !command_check_type(c, e->value, DB_TYPE_STRING))
        return;
    if ((e != NULL && !num_parse_ld(db_string_of(e->value)->str, db_string_of(e->value)->len, &value)) ||
        !num_parse_ld(c->argv[2], c->argvlen[2], &incr)) {
        reply_error(c, REPLY_ERR_NOT_FLOAT);
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, REPLY_ERR_INCR_NAN);
        return;
    }
    char text[NUM_LD_MAX];
    size_t len = num_format_ld(text, value);
    if (e != NULL)
        db_overwrite(c->db, e, db_string_new(text, len));      /* keeps the TTL */
    else
        db_set(c->db, c->argv[1], c->argvlen[1], db_string_new(text, len));
    strmore_notify(c, NOTIFY_STRING, "incrbyfloat");
    reply_bulk(c, text, len);
    const char *argv[] = {"SET", c->argv[1], text, "KEEPTTL"};
    size_t argvlen[] = {3, c->argvlen[1], len, 7};
    command_propagate_as(c, 4, argv, argvlen);
}

/* ---------------- LCS ----------------
 *
 * The longest common subsequence of a and b by the textbook dynamic
 * programme: a table whose cell (i, j) holds the length of the LCS of
 * a's first i bytes and b's first j. Each cell takes O(1) from three
 * neighbours, so filling it costs O(|a| x |b|) time and, as in Redis,
 * as much memory, 4 bytes a cell: two strings of 12,000 bytes would need
 * 576 MB, which is refused (over proto-max-bulk-len) before anything is
 * allocated. Walking back from the corner recovers the subsequence and
 * the ranges where both strings match. */

typedef struct strmore_lcs {
    const char *a, *b;
    uint32_t alen, blen;
    uint32_t *table;        /* (alen + 1) rows of (blen + 1) cells */
} strmore_lcs;

#define STRMORE_CELL(l, i, j) ((l)->table[(size_t)(i) * ((l)->blen + 1) + (j)])

/* One range where a[a_start..a_end] equals b[b_start..b_end]. */
typedef struct strmore_match {
    uint32_t a_start, a_end, b_start, b_end;
} strmore_match;

typedef struct strmore_matches {
    strmore_match *items;
    size_t count, cap;
} strmore_matches;

static void strmore_lcs_fill(strmore_lcs *l)
{
    for (uint32_t i = 0; i <= l->alen; i++) {
        for (uint32_t j = 0; j <= l->blen; j++) {
            if (i == 0 || j == 0) {
                STRMORE_CELL(l, i, j) = 0;
            } else if (l->a[i - 1] == l->b[j - 1]) {
                STRMORE_CELL(l, i, j) = STRMORE_CELL(l, i - 1, j - 1) + 1;
            } else {
                uint32_t up = STRMORE_CELL(l, i - 1, j), left = STRMORE_CELL(l, i, j - 1);
                STRMORE_CELL(l, i, j) = up > left ? up : left;
            }
        }
    }
}

static void strmore_matches_add(strmore_matches *m, strmore_match match)
{
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->items = mem_realloc(m->items, m->cap * sizeof(*m->items));
    }
    m->items[m->count++] = match;
}

/* Walk back from the corner of the table: a byte both strings share at
 * (i, j) belongs to the LCS, else step towards the larger neighbour
 * (up when it is strictly larger, as Redis does, so ties give Redis's
 * answer). Writes the LCS into out (when not NULL) from its end, and
 * adds each maximal matching range of at least min_len bytes to m (when
 * not NULL), last range first, as Redis reports them. */
static void strmore_lcs_walk(const strmore_lcs *l, char *out, strmore_matches *m, long long min_len)
{
    uint32_t i = l->alen, j = l->blen, k = STRMORE_CELL(l, i, j);
    bool open = false;
    strmore_match range = {0, 0, 0, 0};
    while (i > 0 && j > 0) {
        bool close;
        if (l->a[i - 1] == l->b[j - 1]) {
            if (out != NULL)
                out[--k] = l->a[i - 1];
            if (!open) {
                range = (strmore_match){i - 1, i - 1, j - 1, j - 1};
                open = true;
            } else {    /* along the diagonal: the range grows to the left */
                range.a_start--;
                range.b_start--;
            }
            close = range.a_start == 0 || range.b_start == 0;
            i--;
            j--;
        } else {
            if (STRMORE_CELL(l, i - 1, j) > STRMORE_CELL(l, i, j - 1))
                i--;
            else
                j--;
            close = open;
        }
        if (close) {
            if (m != NULL && (range.a_end - range.a_start + 1 >= (unsigned long long)min_len))
                strmore_matches_add(m, range);
            open = false;
        }
    }
}

static void strmore_reply_matches(client *c, const strmore_matches *m, bool with_len, uint32_t total)
{
    reply_map(c, 2);
    reply_bulk(c, "matches", 7);
    reply_array(c, (long long)m->count);
    for (size_t k = 0; k < m->count; k++) {
        const strmore_match *r = &m->items[k];
        reply_array(c, with_len ? 3 : 2);
        reply_array(c, 2);
        reply_int(c, r->a_start);
        reply_int(c, r->a_end);
        reply_array(c, 2);
        reply_int(c, r->b_start);
        reply_int(c, r->b_end);
        if (with_len)
            reply_int(c, r->a_end - r->a_start + 1);
    }
    reply_bulk(c, "len", 3);
    reply_int(c, total);
}

/* LCS's options, as parsed. */
typedef struct strmore_lcs_args {
    bool len, idx, with_len;
    long long min_len;
} strmore_lcs_args;

static bool strmore_lcs_parse(client *c, strmore_lcs_args *args)
{
    *args = (strmore_lcs_args){false, false, false, 0};
    for (int i = 3; i < c->argc; i++) {
        if (command_arg_is(c, i, "idx")) {
            args->idx = true;
        } else if (command_arg_is(c, i, "len")) {
            args->len = true;
        } else if (command_arg_is(c, i, "withmatchlen")) {
            args->with_len = true;
        } else if (command_arg_is(c, i, "minmatchlen") && i + 1 < c->argc) {
            if (!strmore_arg_ll(c, ++i, &args->min_len))
                return false;
            if (args->min_len < 0)
                args->min_len = 0;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    if (args->len && args->idx) {
        reply_error(c, REPLY_ERR_LCS_LEN_AND_IDX);
        return false;
    }
    return true;
}

/* The bytes of a string value, "" for a missing key (NULL). */
static void strmore_lcs_input(db_value *v, const char **bytes, uint32_t *len)
{
    *bytes = v != NULL ? db_string_of(v)->str : "";
    *len = v != NULL ? db_string_of(v)->len : 0;
}

/* LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] */
static void cmd_lcs(client *c)
{
    db_value *va = db_get(c->db, c->argv[1], c->argvlen[1]);
    db_value *vb = db_get(c->db, c->argv[2], c->argvlen[2]);
    if ((va != NULL && va->type != DB_TYPE_STRING) || (vb != NULL && vb->type != DB_TYPE_STRING)) {
        reply_error(c, REPLY_ERR_LCS_NOT_STRINGS);
        return;
    }
    strmore_lcs_args args;
    if (!strmore_lcs_parse(c, &args))
        return;
    strmore_lcs l;
    strmore_lcs_input(va, &l.a, &l.alen);
    strmore_lcs_input(vb, &l.b, &l.blen);
    unsigned long long cells = (unsigned long long)(l.alen + 1ULL) * (l.blen + 1ULL);
    if (cells * sizeof(uint32_t) > (unsigned long long)resp_max_bulk()) {
        reply_error(c, REPLY_ERR_LCS_TOO_BIG);
        return;
    }
    l.table = mem_alloc(cells * sizeof(uint32_t));
    strmore_lcs_fill(&l);
    uint32_t total = STRMORE_CELL(&l, l.alen, l.blen);
    if (args.idx) {
        strmore_matches m = {NULL, 0, 0};
        strmore_lcs_walk(&l, NULL, &m, args.min_len);
        strmore_reply_matches(c, &m, args.with_len, total);
        mem_free(m.items);
    } else if (args.len) {
        reply_int(c, total);
    } else {
        char *out = mem_alloc(total + 1);
        strmore_lcs_walk(&l, out, NULL, 0);
        reply_bulk(c, out, total);
        mem_free(out);
    }
    mem_free(l.table);
}

const command string_more_commands[] = {
    {"setnx", cmd_setnx, 3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Set the string value of a key only when the key doesn't exist.", NULL},
    {"setex", cmd_setex, 4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", NULL},
    {"psetex", cmd_psetex, 4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.",
     NULL},
    {"getset", cmd_getset, 3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Returns the previous string value of a key after setting it to a new value.", NULL},
    {"getdel", cmd_getdel, 2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "string",
     "Returns the string value of a key after deleting the key.", NULL},
    {"getex", cmd_getex, -2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "string",
     "Returns the string value of a key after setting its expiration time.", NULL},
    {"msetnx", cmd_msetnx, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, -1, 2, "string",
     "Atomically modifies the string values of one or more keys only when all keys don't exist.", NULL},
    {"setrange", cmd_setrange, 4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", NULL},
    {"getrange", cmd_getrange, 4, COMMAND_READONLY, 1, 1, 1, "string",
     "Returns a substring of the string stored at a key.", NULL},
    {"substr", cmd_getrange, 4, COMMAND_READONLY, 1, 1, 1, "string",
     "Returns a substring from a string value.", NULL},
    {"incrbyfloat", cmd_incrbyfloat, 3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.",
     NULL},
    {"lcs", cmd_lcs, -3, COMMAND_READONLY, 1, 2, 1, "string",
     "Finds the longest common substring.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
