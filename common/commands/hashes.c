/* Hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS
 * HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN (Part II,
 * hashes; HSCAN reads its arguments with commands/scan.c).
 *
 * A hash is a small map under one key: field -> value, both binary
 * strings. The rules are the lists' (stage 4): a hash command on a key of
 * another type answers WRONGTYPE, a hash is created by the first write to
 * it, and a hash left empty is deleted. Whether it is packed or a table
 * (data/hash.c) is invisible here but for OBJECT ENCODING; the two limits
 * that decide it are read from the configuration at each write, so a
 * CONFIG SET takes effect on the next one. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "commands/commands.h"
#include "commands/scan.h"
#include "base/buf.h"
#include "base/mem.h"
#include "base/num.h"
#include "io/resp.h"
#include "server/config.h"
#include "server/notify.h"
#include "server/reply.h"

/* HRANDFIELD with a negative count draws this many pairs at a time, so a
 * huge count never needs a huge array (Redis's limit too). */
#define HASHES_RANDOM_CHUNK 1000

/* The hash at argv[i] in *h, NULL when the key is missing. False, with a
 * WRONGTYPE reply already sent, when the key holds something else. */
static bool hashes_lookup(client *c, int i, hash_map **h)
{
    *h = NULL;
    db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
    if (v == NULL)
        return true;
    if (!command_check_type(c, v, DB_TYPE_HASH))
        return false;
    *h = db_hash_of(v);
    return true;
}

/* The hash at argv[1], created empty when missing (h from hashes_lookup). */
static hash_map *hashes_or_create(client *c, hash_map *h)
{
    if (h != NULL)
        return h;
    db_value *v = db_hash_new();
    db_set(c->db, c->argv[1], c->argvlen[1], v);
    return db_hash_of(v);
}

/* The encoding limits as configured now. */
static hash_limits hashes_limits(void)
{
    return (hash_limits){(size_t)config.hash_max_listpack_entries, (size_t)config.hash_max_listpack_value};
}

/* The keyspace event of argv[1] (Part II, keyspace notifications): one
 * per command that changed the hash, named after the command ("hset" for
 * HMSET and HSETNX too). */
static void hashes_notify(client *c, int type, const char *event)
{
    notify_keyspace_event(type, event, c->argv[1], c->argvlen[1], c->db->id);
}

/* A write changed the hash at argv[1]: count it, and delete the key if
 * the hash is now empty (a "del" event, after the command's own). */
static void hashes_changed(client *c, hash_map *h)
{
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    if (hash_length(h) == 0 && db_delete(c->db, c->argv[1], c->argvlen[1]))
        hashes_notify(c, NOTIFY_GENERIC, "del");
}

static void hashes_reply_str(client *c, const hash_str *s)
{
    reply_bulk(c, s->bytes, s->len);
}

/* ---------------- Setting ---------------- */

/* HSET key field value [field value ...] and HMSET: the same but for the
 * reply, the number of new fields or OK. */
static void hset_generic(client *c, const char *name, bool reply_ok_only)
{
    if (c->argc % 2 == 1) {
        reply_error_arity(c, name);
        return;
    }
    hash_map *h;
    if (!hashes_lookup(c, 1, &h))
        return;
    h = hashes_or_create(c, h);
    hash_limits lim = hashes_limits();
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2)
        created += hash_set(h, c->argv[i], c->argvlen[i], c->argv[i + 1], c->argvlen[i + 1], &lim);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    hashes_notify(c, NOTIFY_HASH, "hset");
    if (reply_ok_only)
        reply_ok(c);
    else
        reply_int(c, created);
}

/* HSET key field value [field value ...] */
static void cmd_hset(client *c)
{
    hset_generic(c, "hset", false);
}

/* HMSET key field value [field value ...] (deprecated: HSET takes pairs too) */
static void cmd_hmset(client *c)
{
    hset_generic(c, "hmset", true);
}

/* HSETNX key field value */
static void cmd_hsetnx(client *c)
{
    hash_map *h;
    hash_str old;
    if (!hashes_lookup(c, 1, &h))
        return;
    if (h != NULL && hash_get(h, c->argv[2], c->argvlen[2], &old)) {
        reply_int(c, 0);
        return;
    }
    h = hashes_or_create(c, h);
    hash_limits lim = hashes_limits();
    hash_set(h, c->argv[2], c->argvlen[2], c->argv[3], c->argvlen[3], &lim);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    hashes_notify(c, NOTIFY_HASH, "hset");
    reply_int(c, 1);
}

/* HDEL key field [field ...] */
static void cmd_hdel(client *c)
{
    hash_map *h;
    if (!hashes_lookup(c, 1, &h))
        return;
    long long deleted = 0;
    for (int i = 2; h != NULL && i < c->argc && hash_length(h) > 0; i++)
        deleted += hash_delete(h, c->argv[i], c->argvlen[i]);
    if (deleted > 0) {
        hashes_notify(c, NOTIFY_HASH, "hdel");
        hashes_changed(c, h);
    }
    reply_int(c, deleted);
}

/* ---------------- Reading ---------------- */

/* HGET key field */
static void cmd_hget(client *c)
{
    hash_map *h;
    hash_str v;
    if (!hashes_lookup(c, 1, &h))
        return;
    if (h != NULL && hash_get(h, c->argv[2], c->argvlen[2], &v))
        hashes_reply_str(c, &v);
    else
        reply_null(c);
}

/* HMGET key field [field ...]: a missing key is an empty hash. */
static void cmd_hmget(client *c)
{
    hash_map *h;
    if (!hashes_lookup(c, 1, &h))
        return;
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        hash_str v;
        if (h != NULL && hash_get(h, c->argv[i], c->argvlen[i], &v))
            hashes_reply_str(c, &v);
        else
            reply_null(c);
    }
}

/* HLEN key */
static void cmd_hlen(client *c)
{
    hash_map *h;
    if (hashes_lookup(c, 1, &h))
        reply_int(c, h ? (long long)hash_length(h) : 0);
}

/* HSTRLEN key field */
static void cmd_hstrlen(client *c)
{
    hash_map *h;
    hash_str v;
    if (!hashes_lookup(c, 1, &h))
        return;
    reply_int(c, h != NULL && hash_get(h, c->argv[2], c->argvlen[2], &v) ? (long long)v.len : 0);
}

/* HEXISTS key field */
static void cmd_hexists(client *c)
{
    hash_map *h;
    hash_str v;
    if (hashes_lookup(c, 1, &h))
        reply_int(c, h != NULL && hash_get(h, c->argv[2], c->argvlen[2], &v));
}

enum hashes_part { HASHES_FIELDS = 1, HASHES_VALUES = 2, HASHES_BOTH = 3 };

/* HKEYS, HVALS and HGETALL: every pair, or half of each. Fields and
 * values together are a map in RESP3; one half is a plain array. */
static void hgetall_generic(client *c, enum hashes_part part)
{
    hash_map *h;
    if (!hashes_lookup(c, 1, &h))
        return;
    long long length = h ? (long long)hash_length(h) : 0;
    if (part == HASHES_BOTH)
        reply_map(c, length);
    else
        reply_array(c, length);
    if (h == NULL)
        return;
    hash_iter it;
    hash_pair p;
    hash_iter_start(&it, h);
    while (hash_iter_next(&it, &p)) {
        if (part & HASHES_FIELDS)
            hashes_reply_str(c, &p.field);
        if (part & HASHES_VALUES)
            hashes_reply_str(c, &p.value);
    }
    hash_iter_end(&it);
}

/* HKEYS key */
static void cmd_hkeys(client *c)
{
    hgetall_generic(c, HASHES_FIELDS);
}

/* HVALS key */
static void cmd_hvals(client *c)
{
    hgetall_generic(c, HASHES_VALUES);
}

/* HGETALL key */
static void cmd_hgetall(client *c)
{
    hgetall_generic(c, HASHES_BOTH);
}

/* ---------------- Counters ---------------- */

/* HINCRBY key field increment */
static void cmd_hincrby(client *c)
{
    long long incr, value = 0;
    if (!num_parse_ll(c->argv[3], c->argvlen[3], &incr)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return;
    }
    hash_map *h;
    hash_str old;
    if (!hashes_lookup(c, 1, &h))
        return;
    if (h != NULL && hash_get(h, c->argv[2], c->argvlen[2], &old) && !num_parse_ll(old.bytes, old.len, &value)) {
        reply_error(c, REPLY_ERR_HASH_NOT_INTEGER);
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(c, REPLY_ERR_OVERFLOW);
        return;
    }
    value += incr;
    char text[NUM_LL_MAX];
    size_t len = num_format_ll(text, value);
    h = hashes_or_create(c, h);
    hash_limits lim = hashes_limits();
    hash_set(h, c->argv[2], c->argvlen[2], text, len, &lim);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    hashes_notify(c, NOTIFY_HASH, "hincrby");
    reply_int(c, value);
}

/* HINCRBYFLOAT key field increment. Logged as HSET key field <result>,
 * as Redis does, so a replay does not depend on how floats round. */
static void cmd_hincrbyfloat(client *c)
{
    long double incr, value = 0;
    if (!num_parse_ld(c->argv[3], c->argvlen[3], &incr)) {
        reply_error(c, REPLY_ERR_NOT_FLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, REPLY_ERR_HASH_INCR_NAN);
        return;
    }
    hash_map *h;
    hash_str old;
    if (!hashes_lookup(c, 1, &h))
        return;
    if (h != NULL && hash_get(h, c->argv[2], c->argvlen[2], &old) && !num_parse_ld(old.bytes, old.len, &value)) {
        reply_error(c, REPLY_ERR_HASH_NOT_FLOAT);
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, REPLY_ERR_INCR_NAN);
        return;
    }
    char *text = mem_alloc(NUM_LD_MAX);
    size_t len = num_format_ld(text, value);
    h = hashes_or_create(c, h);
    hash_limits lim = hashes_limits();
    hash_set(h, c->argv[2], c->argvlen[2], text, len, &lim);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    hashes_notify(c, NOTIFY_HASH, "hincrbyfloat");
    reply_bulk(c, text, len);
    const char *argv[] = {"HSET", c->argv[1], c->argv[2], text};
    size_t argvlen[] = {4, c->argvlen[1], c->argvlen[2], len};
    command_propagate_as(c, 4, argv, argvlen);
    mem_free(text);
}

/* ---------------- HRANDFIELD ---------------- */

/* One random pair as HRANDFIELD answers it: the field alone, or with its
 * value (two bulks in RESP2, an array of two in RESP3). */
static void hrandfield_reply_pair(client *c, const hash_pair *p, bool withvalues)
{
    if (withvalues && c->resp == 3)
        reply_array(c, 2);
    hashes_reply_str(c, &p->field);
    if (withvalues)
        hashes_reply_str(c, &p->value);
}

/* The reply's header for `pairs` pairs: flat in RESP2, nested in RESP3. */
static void hrandfield_reply_header(client *c, long long pairs, bool withvalues)
{
    reply_array(c, withvalues && c->resp != 3 ? pairs * 2 : pairs);
}

/* A negative count: that many independent draws, repeats allowed. */
static void hrandfield_with_repeats(client *c, hash_map *h, unsigned long long count, bool withvalues)
{
    hrandfield_reply_header(c, (long long)count, withvalues);
    hash_pair *pairs = mem_alloc(sizeof(*pairs) * HASHES_RANDOM_CHUNK);
    while (count > 0) {
        size_t n = count < HASHES_RANDOM_CHUNK ? (size_t)count : HASHES_RANDOM_CHUNK;
        hash_random_pairs(h, n, pairs);
        for (size_t i = 0; i < n; i++)
            hrandfield_reply_pair(c, &pairs[i], withvalues);
        count -= n;
    }
    mem_free(pairs);
}

/* A positive count: that many distinct pairs, or the whole hash. */
static void hrandfield_distinct(client *c, hash_map *h, unsigned long long count, bool withvalues)
{
    size_t size = hash_length(h);
    if (count >= size) {
        hrandfield_reply_header(c, (long long)size, withvalues);
        hash_iter it;
        hash_pair p;
        hash_iter_start(&it, h);
        while (hash_iter_next(&it, &p))
            hrandfield_reply_pair(c, &p, withvalues);
        hash_iter_end(&it);
        return;
    }
    hash_pair *pairs = mem_alloc(sizeof(*pairs) * (size_t)count);
    hash_random_distinct(h, (size_t)count, pairs);
    hrandfield_reply_header(c, (long long)count, withvalues);
    for (size_t i = 0; i < (size_t)count; i++)
        hrandfield_reply_pair(c, &pairs[i], withvalues);
    mem_free(pairs);
}

/* HRANDFIELD key [count [WITHVALUES]]. As in Redis the count is checked
 * before the key, and with WITHVALUES it must leave room to double it. */
static void cmd_hrandfield(client *c)
{
    hash_map *h;
    if (c->argc == 2) {
        if (!hashes_lookup(c, 1, &h))
            return;
        if (h == NULL) {
            reply_null(c);
            return;
        }
        hash_pair p;
        hash_random_pair(h, &p);
        hashes_reply_str(c, &p.field);
        return;
    }
    long long count;
    if (!num_parse_ll(c->argv[2], c->argvlen[2], &count)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return;
    }
    if (count < -LLONG_MAX) {
        reply_error_format(c, REPLY_ERR_HASH_COUNT_RANGE_FMT, -LLONG_MAX, LLONG_MAX);
        return;
    }
    bool withvalues = c->argc == 4;
    if (c->argc > 4 || (withvalues && !command_arg_is(c, 3, "withvalues"))) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    if (withvalues && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
        reply_error(c, REPLY_ERR_HASH_COUNT_RANGE);
        return;
    }
    if (!hashes_lookup(c, 1, &h))
        return;
    if (h == NULL || count == 0) {
        reply_array(c, 0);
        return;
    }
    if (count < 0 || count == 1)
        hrandfield_with_repeats(c, h, count < 0 ? (unsigned long long)-count : 1, withvalues);
    else
        hrandfield_distinct(c, h, (unsigned long long)count, withvalues);
}

/* ---------------- HSCAN ---------------- */

/* The pairs whose field passes MATCH, as bulk replies (RESP2 and RESP3
 * alike: HSCAN answers a flat array). */
typedef struct hscan_found {
    const scan_options *options;
    buf replies;
    long long items;            /* bulks in replies: two per pair kept */
    long long seen;             /* pairs visited, kept or not: what COUNT bounds */
} hscan_found;

static void hscan_take(void *data, const hash_pair *p)
{
    hscan_found *found = data;
    found->seen++;
    if (!scan_matches(found->options, p->field.bytes, p->field.len))
        return;
    resp_add_bulk(&found->replies, p->field.bytes, p->field.len);
    resp_add_bulk(&found->replies, p->value.bytes, p->value.len);
    found->items += 2;
}

/* HSCAN key cursor [MATCH pattern] [COUNT count]
 * As in Redis the cursor is read first, then the key (a missing one
 * answers an empty scan before the options are read). A packed hash
 * answers whole, cursor 0, whatever the cursor; a table a bucket at a
 * time until COUNT pairs were seen or 20 * COUNT more buckets were
 * visited (Redis doubles COUNT for pairs, then allows ten times that). */
static void cmd_hscan(client *c)
{
    unsigned long long cursor;
    if (!scan_parse_cursor(c, 2, &cursor))
        return;
    hash_map *h;
    if (!hashes_lookup(c, 1, &h))
        return;
    if (h == NULL) {
        reply_array(c, 2);
        reply_bulk(c, "0", 1);
        reply_array(c, 0);
        return;
    }
    scan_options options;
    if (!scan_parse_options(c, 3, false, &options))
        return;
    hscan_found found = {&options, BUF_INIT, 0, 0};
    if (hash_is_packed(h)) {
        cursor = hash_scan(h, 0, hscan_take, &found);
    } else {
        long long steps = options.count * 20;
        do
            cursor = hash_scan(h, (size_t)cursor, hscan_take, &found);
        while (cursor != 0 && steps-- > 0 && found.seen < options.count);
    }
    char digits[NUM_LL_MAX];
    int len = snprintf(digits, sizeof(digits), "%llu", cursor);
    reply_array(c, 2);
    reply_bulk(c, digits, (size_t)len);
    reply_array(c, found.items);
    reply_raw(c, buf_data(&found.replies), buf_length(&found.replies));
    buf_free(&found.replies);
}

/* ---------------- The table ---------------- */

const command hash_commands[] = {
    {"hset", cmd_hset, -4, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "hash",
     "Creates or modifies the value of a field in a hash.", NULL},
    {"hsetnx", cmd_hsetnx, 4, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "hash",
     "Sets the value of a field in a hash only when the field doesn't exist.", NULL},
    {"hmset", cmd_hmset, -4, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "hash",
     "Sets the values of multiple fields.", NULL},
    {"hget", cmd_hget, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "hash",
     "Returns the value of a field in a hash.", NULL},
    {"hmget", cmd_hmget, -3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "hash",
     "Returns the values of all fields in a hash.", NULL},
    {"hdel", cmd_hdel, -3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "hash",
     "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", NULL},
    {"hlen", cmd_hlen, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "hash",
     "Returns the number of fields in a hash.", NULL},
    {"hstrlen", cmd_hstrlen, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "hash",
     "Returns the length of the value of a field.", NULL},
    {"hexists", cmd_hexists, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "hash",
     "Determines whether a field exists in a hash.", NULL},
    {"hkeys", cmd_hkeys, 2, COMMAND_READONLY, 1, 1, 1, "hash",
     "Returns all fields in a hash.", NULL},
    {"hvals", cmd_hvals, 2, COMMAND_READONLY, 1, 1, 1, "hash",
     "Returns all values in a hash.", NULL},
    {"hgetall", cmd_hgetall, 2, COMMAND_READONLY, 1, 1, 1, "hash",
     "Returns all fields and values in a hash.", NULL},
    {"hincrby", cmd_hincrby, 4, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "hash",
     "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", NULL},
    {"hincrbyfloat", cmd_hincrbyfloat, 4, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "hash",
     "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", NULL},
    {"hrandfield", cmd_hrandfield, -2, COMMAND_READONLY, 1, 1, 1, "hash",
     "Returns one or more random fields from a hash.", NULL},
    {"hscan", cmd_hscan, -3, COMMAND_READONLY, 1, 1, 1, "hash",
     "Iterates over fields and values of a hash.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
