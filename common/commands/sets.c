/* Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
 * SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
 * SDIFFSTORE SSCAN (Part II, sets).
 *
 * The rules are the list commands' (stage 4): check the type first, create
 * the key on the first add, delete it when a command empties it. The set
 * itself, and its two encodings, are data/set.c's; here are the commands,
 * the set algebra, and the random picks, each following Redis 7.0 case by
 * case, since clients see the differences (SPOP with a count as large as
 * the set deletes the key and is logged as DEL; a negative SRANDMEMBER
 * count allows repeats).
 *
 * Replies: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count answer a
 * set (RESP3's `~`, an array in RESP2), SRANDMEMBER an array, as Redis 7.0
 * does. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands/commands.h"
#include "commands/scan.h"
#include "base/mem.h"
#include "base/num.h"
#include "io/resp.h"
#include "server/config.h"
#include "server/notify.h"
#include "server/reply.h"

/* ---------------- Looking sets up ---------------- */

/* The set at argv[i] in *s, NULL when the key is missing. False, with a
 * WRONGTYPE reply already sent, when the key holds something else. */
static bool sets_lookup(client *c, int i, set_value **s)
{
    *s = NULL;
    db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
    if (v == NULL)
        return true;
    if (!command_check_type(c, v, DB_TYPE_SET))
        return false;
    *s = db_setval_of(v);
    return true;
}

/* The set at argv[i], created empty when missing. */
static set_value *sets_lookup_or_create(client *c, int i)
{
    db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
    if (v == NULL) {
        v = db_setval_new();
        db_set(c->db, c->argv[i], c->argvlen[i], v);
    }
    return db_setval_of(v);
}

/* The keyspace event of the key at argv[i] (Part II, keyspace
 * notifications): the command's own after the change, then the "del" of
 * a set it emptied, as Redis sends them. */
static void sets_notify(client *c, int i, int type, const char *event)
{
    notify_keyspace_event(type, event, c->argv[i], c->argvlen[i], c->db->id);
}

/* A set left empty by a command disappears. */
static void sets_delete_if_empty(client *c, int i, set_value *s)
{
    if (set_size(s) == 0 && db_delete(c->db, c->argv[i], c->argvlen[i]))
        sets_notify(c, i, NOTIFY_GENERIC, "del");
}

/* set-max-intset-entries, as data/set.c takes it. */
static size_t sets_max_intset(void)
{
    return (size_t)config.set_max_intset_entries;
}

static void sets_reply_member(client *c, const set_member *m)
{
    reply_bulk(c, m->bytes, m->len);
}

/* The whole set as a set reply (`~` in RESP3). */
static void sets_reply_all(client *c, set_value *s)
{
    reply_set(c, (long long)set_size(s));
    set_iter it;
    set_member m;
    set_iter_start(&it, s);
    while (set_iter_next(&it, &m))
        sets_reply_member(c, &m);
    set_iter_end(&it);
}

/* ---------------- Adding, removing, asking ---------------- */

/* SADD key member [member ...] */
static void cmd_sadd(client *c)
{
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    if (s == NULL)
        s = sets_lookup_or_create(c, 1);
    long long added = 0;
    for (int i = 2; i < c->argc; i++)
        added += set_add(s, c->argv[i], c->argvlen[i], sets_max_intset());
    if (added > 0) {
        db_key_changed(c->db, c->argv[1], c->argvlen[1]);
        sets_notify(c, 1, NOTIFY_SET, "sadd");
    }
    reply_int(c, added);
}

/* SREM key member [member ...] */
static void cmd_srem(client *c)
{
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    long long removed = 0;
    for (int i = 2; s != NULL && i < c->argc && set_size(s) > 0; i++)
        removed += set_remove(s, c->argv[i], c->argvlen[i]);
    if (removed > 0) {
        db_key_changed(c->db, c->argv[1], c->argvlen[1]);
        sets_notify(c, 1, NOTIFY_SET, "srem");
        sets_delete_if_empty(c, 1, s);
    }
    reply_int(c, removed);
}

/* SISMEMBER key member */
static void cmd_sismember(client *c)
{
    set_value *s;
    if (sets_lookup(c, 1, &s))
        reply_int(c, s != NULL && set_contains(s, c->argv[2], c->argvlen[2]));
}

/* SMISMEMBER key member [member ...]: a missing key is an empty set. */
static void cmd_smismember(client *c)
{
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    reply_array(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        reply_int(c, s != NULL && set_contains(s, c->argv[i], c->argvlen[i]));
}

/* SCARD key */
static void cmd_scard(client *c)
{
    set_value *s;
    if (sets_lookup(c, 1, &s))
        reply_int(c, s != NULL ? (long long)set_size(s) : 0);
}

/* SMOVE source destination member
 * As in Redis, a missing source answers 0 before the destination's type
 * is looked at; a move onto the same set changes nothing. The events:
 * "srem" (and "del") on source, then "sadd" on destination unless it
 * held the member already. */
static void cmd_smove(client *c)
{
    db_value *from = db_get(c->db, c->argv[1], c->argvlen[1]);
    if (from == NULL) {
        reply_int(c, 0);
        return;
    }
    db_value *to = db_get(c->db, c->argv[2], c->argvlen[2]);
    if (!command_check_type(c, from, DB_TYPE_SET) || (to != NULL && !command_check_type(c, to, DB_TYPE_SET)))
        return;
    set_value *src = db_setval_of(from);
    if (from == to) {
        reply_int(c, set_contains(src, c->argv[3], c->argvlen[3]));
        return;
    }
    if (!set_remove(src, c->argv[3], c->argvlen[3])) {
        reply_int(c, 0);
        return;
    }
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    sets_notify(c, 1, NOTIFY_SET, "srem");
    sets_delete_if_empty(c, 1, src);
    set_value *dst = sets_lookup_or_create(c, 2);
    if (set_add(dst, c->argv[3], c->argvlen[3], sets_max_intset())) {
        db_key_changed(c->db, c->argv[2], c->argvlen[2]);
        sets_notify(c, 2, NOTIFY_SET, "sadd");
    }
    reply_int(c, 1);
}

/* ---------------- Random members: SRANDMEMBER ---------------- */

/* SRANDMEMBER key count, following Redis's four cases:
 *   1. count < 0 (repeats allowed) or count == 1: |count| independent picks;
 *   2. count >= the set's size: the whole set;
 *   3. count > size / 3: copy the set and drop random members down to count;
 *   4. otherwise: pick random members into a new set until it has count.
 * Cases 3 and 4 keep each pick fair while the work stays O(count) or
 * O(size): case 4 alone would spin on repeats when count nears the size. */
static void srandmember_with_count(client *c)
{
    long long n;
    if (!num_parse_ll(c->argv[2], c->argvlen[2], &n)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return;
    }
    if (n == LLONG_MIN) {
        reply_error(c, REPLY_ERR_SRANDMEMBER_RANGE);
        return;
    }
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    if (s == NULL || n == 0) {
        reply_array(c, 0);
        return;
    }
    unsigned long long count = n < 0 ? (unsigned long long)-n : (unsigned long long)n, size = set_size(s);
    set_member m;
    if (n < 0 || count == 1) {
        reply_array(c, (long long)count);
        while (count-- > 0) {
            set_random(s, &m);
            sets_reply_member(c, &m);
        }
        return;
    }
    if (count >= size) {
        reply_array(c, (long long)size);
        set_iter it;
        set_iter_start(&it, s);
        while (set_iter_next(&it, &m))
            sets_reply_member(c, &m);
        set_iter_end(&it);
        return;
    }
    set_value picked;
    if (count * 3 > size) {
        set_copy(&picked, s);
        while (set_size(&picked) > count) {
            set_random(&picked, &m);
            set_remove(&picked, m.bytes, m.len);
        }
    } else {
        set_init(&picked);
        while (set_size(&picked) < count) {
            set_random(s, &m);
            set_add(&picked, m.bytes, m.len, sets_max_intset());
        }
    }
    reply_array(c, (long long)count);
    set_iter it;
    set_iter_start(&it, &picked);
    while (set_iter_next(&it, &m))
        sets_reply_member(c, &m);
    set_iter_end(&it);
    set_clear(&picked);
}

/* SRANDMEMBER key [count] */
static void cmd_srandmember(client *c)
{
    if (c->argc > 3) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    if (c->argc == 3) {
        srandmember_with_count(c);
        return;
    }
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    if (s == NULL) {
        reply_null(c);
        return;
    }
    set_member m;
    set_random(s, &m);
    sets_reply_member(c, &m);
}

/* ---------------- Popping: SPOP, logged as SREM ---------------- */

/* A random pop cannot be replayed as SPOP: the replay would pick other
 * members. So SPOP is logged as SREM of what it popped, in commands of up
 * to SPOP_LOG_BATCH members, each member copied before the set frees it. */
#define SPOP_LOG_BATCH 1024

typedef struct spop_log {
    client *c;
    buf members;                    /* the members popped since the last SREM, back to back */
    size_t lens[SPOP_LOG_BATCH];
    int count;
} spop_log;

static void spop_log_flush(spop_log *log)
{
    if (log->count == 0)
        return;
    client *c = log->c;
    const char **argv = mem_alloc(sizeof(*argv) * (size_t)(log->count + 2));
    size_t *argvlen = mem_alloc(sizeof(*argvlen) * (size_t)(log->count + 2));
    argv[0] = "SREM";
    argvlen[0] = 4;
    argv[1] = c->argv[1];
    argvlen[1] = c->argvlen[1];
    const char *at = buf_data(&log->members);
    for (int i = 0; i < log->count; i++) {
        argv[i + 2] = at;
        argvlen[i + 2] = log->lens[i];
        at += log->lens[i];
    }
    command_propagate_as(c, log->count + 2, argv, argvlen);
    mem_free(argv);
    mem_free(argvlen);
    buf_clear(&log->members);
    log->count = 0;
}

static void spop_log_add(spop_log *log, const set_member *m)
{
    buf_append(&log->members, m->bytes, m->len);
    log->lens[log->count++] = m->len;
    if (log->count == SPOP_LOG_BATCH)
        spop_log_flush(log);
}

/* Reply with one member, log it, then remove it (its bytes die with it). */
static void spop_one(client *c, set_value *s, const set_member *m, spop_log *log)
{
    sets_reply_member(c, m);
    spop_log_add(log, m);
    set_remove(s, m->bytes, m->len);
}

/* Popping count of size members (count < size), as Redis does: when few
 * remain afterwards (remaining * 5 <= count), pick the ones that remain
 * into a new set and pop everything else in order, rather than draw ever
 * more random picks from a set being emptied. */
static void spop_some(client *c, set_value *s, unsigned long long count, spop_log *log)
{
    unsigned long long remaining = set_size(s) - count;
    set_member m;
    reply_set(c, (long long)count);
    if (remaining * 5 > count) {
        while (count-- > 0) {
            set_random(s, &m);
            spop_one(c, s, &m, log);
        }
        return;
    }
    set_value kept;
    set_init(&kept);
    while (remaining-- > 0) {
        set_random(s, &m);
        set_add(&kept, m.bytes, m.len, sets_max_intset());
        set_remove(s, m.bytes, m.len);
    }
    set_iter it;
    set_iter_start(&it, s);
    while (set_iter_next(&it, &m)) {
        sets_reply_member(c, &m);
        spop_log_add(log, &m);
    }
    set_iter_end(&it);
    set_clear(s);
    *s = kept;          /* the value now holds the members kept */
}

/* SPOP key count */
static void spop_with_count(client *c)
{
    long long n;
    if (!num_parse_ll(c->argv[2], c->argvlen[2], &n) || n < 0) {
        reply_error(c, REPLY_ERR_NOT_POSITIVE);
        return;
    }
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    if (s == NULL || n == 0) {
        reply_set(c, 0);
        return;
    }
    if ((unsigned long long)n >= set_size(s)) {
        /* All of it: the key goes, and the log says DEL. */
        const char *argv[] = {"DEL", c->argv[1]};
        size_t argvlen[] = {3, c->argvlen[1]};
        sets_reply_all(c, s);
        command_propagate_as(c, 2, argv, argvlen);
        sets_notify(c, 1, NOTIFY_SET, "spop");
        db_delete(c->db, c->argv[1], c->argvlen[1]);
        sets_notify(c, 1, NOTIFY_GENERIC, "del");
        return;
    }
    spop_log log = {.c = c, .members = BUF_INIT, .count = 0};
    spop_some(c, s, (unsigned long long)n, &log);
    spop_log_flush(&log);
    buf_free(&log.members);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    sets_notify(c, 1, NOTIFY_SET, "spop");
}

/* SPOP key [count] */
static void cmd_spop(client *c)
{
    if (c->argc > 3) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    if (c->argc == 3) {
        spop_with_count(c);
        return;
    }
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    if (s == NULL) {
        reply_null(c);
        return;
    }
    spop_log log = {.c = c, .members = BUF_INIT, .count = 0};
    set_member m;
    set_random(s, &m);
    spop_one(c, s, &m, &log);
    spop_log_flush(&log);
    buf_free(&log.members);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    sets_notify(c, 1, NOTIFY_SET, "spop");
    sets_delete_if_empty(c, 1, s);
}

/* ---------------- Set algebra ---------------- */

/* The sets named by argv[first .. first+n-1] into sets[], NULL for a
 * missing key. False, with WRONGTYPE sent, if any key holds another type:
 * as in Redis, that error wins over a missing key anywhere in the list.
 * A STORE form (store) is a write command, whose lookups the dispatcher
 * does not count as reads: Redis reads the sources all the same, so their
 * misses are said here ("keymiss"). */
static bool sets_collect(client *c, int first, int n, set_value **sets, int *missing, bool store)
{
    *missing = 0;
    for (int i = 0; i < n; i++) {
        if (!sets_lookup(c, first + i, &sets[i]))
            return false;
        if (sets[i] == NULL && store)
            sets_notify(c, first + i, NOTIFY_KEY_MISS, "keymiss");
        *missing += sets[i] == NULL;
    }
    return true;
}

/* Where a STORE form puts its result: the new set under argv[dst] (the
 * event named after the command, "sinterstore" ...), or, when the result
 * is empty, no key at all (an existing one is deleted: "del"). */
static void sets_store(client *c, int dst, set_value *result, const char *event)
{
    long long size = (long long)set_size(result);
    if (size > 0) {
        db_value *v = db_setval_new();
        *db_setval_of(v) = *result;
        db_set(c->db, c->argv[dst], c->argvlen[dst], v);
        sets_notify(c, dst, NOTIFY_SET, event);
    } else {
        set_clear(result);
        if (db_delete(c->db, c->argv[dst], c->argvlen[dst]))
            sets_notify(c, dst, NOTIFY_GENERIC, "del");
    }
    reply_int(c, size);
}

static int sets_by_size(const void *a, const void *b)
{
    size_t x = set_size(*(set_value *const *)a), y = set_size(*(set_value *const *)b);
    return x < y ? -1 : x > y;
}

enum sets_inter_mode { INTER_REPLY, INTER_STORE, INTER_CARD };

/* SINTER, SINTERSTORE, SINTERCARD (and SMEMBERS, SINTER of one key).
 * A missing key is an empty set, so the answer is empty at once.
 * Otherwise walk the smallest set and keep each member every other set
 * holds: O(smallest * number of sets) lookups, whatever the big sets'
 * sizes. `limit` (SINTERCARD, 0: none) stops the count early. */
static void sets_inter(client *c, int first, int n, int dst, enum sets_inter_mode mode, long long limit)
{
    set_value **sets = mem_alloc(sizeof(*sets) * (size_t)n);
    int missing;
    if (!sets_collect(c, first, n, sets, &missing, mode == INTER_STORE)) {
        mem_free(sets);
        return;
    }
    set_value result;
    set_init(&result);
    long long found = 0;
    buf replies = BUF_INIT;
    if (missing == 0) {
        qsort(sets, (size_t)n, sizeof(*sets), sets_by_size);
        set_iter it;
        set_member m;
        set_iter_start(&it, sets[0]);
        while (set_iter_next(&it, &m)) {
            int j = 1;
            while (j < n && (sets[j] == sets[0] || set_contains_member(sets[j], &m)))
                j++;
            if (j < n)
                continue;
            found++;
            if (mode == INTER_STORE)
                set_add(&result, m.bytes, m.len, sets_max_intset());
            else if (mode == INTER_REPLY)
                resp_add_bulk(&replies, m.bytes, m.len);
            else if (limit > 0 && found >= limit)
                break;
        }
        set_iter_end(&it);
    }
    mem_free(sets);
    if (mode == INTER_STORE) {
        sets_store(c, dst, &result, "sinterstore");
    } else if (mode == INTER_CARD) {
        reply_int(c, found);
    } else {
        reply_set(c, found);
        reply_raw(c, buf_data(&replies), buf_length(&replies));
    }
    buf_free(&replies);
}

/* SMEMBERS key: Redis runs it as SINTER of one key. */
static void cmd_smembers(client *c)
{
    sets_inter(c, 1, 1, 0, INTER_REPLY, 0);
}

/* SINTER key [key ...] */
static void cmd_sinter(client *c)
{
    sets_inter(c, 1, c->argc - 1, 0, INTER_REPLY, 0);
}

/* SINTERSTORE destination key [key ...] */
static void cmd_sinterstore(client *c)
{
    sets_inter(c, 2, c->argc - 2, 1, INTER_STORE, 0);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
static void cmd_sintercard(client *c)
{
    long long numkeys, limit = 0;
    if (!num_parse_ll(c->argv[1], c->argvlen[1], &numkeys) || numkeys < 1) {
        reply_error(c, REPLY_ERR_SINTERCARD_NUMKEYS);
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(c, REPLY_ERR_SINTERCARD_TOO_MANY_KEYS);
        return;
    }
    for (int i = 2 + (int)numkeys; i < c->argc; i++) {
        if (command_arg_is(c, i, "limit") && i + 1 < c->argc) {
            i++;
            if (!num_parse_ll(c->argv[i], c->argvlen[i], &limit) || limit < 0) {
                reply_error(c, REPLY_ERR_SINTERCARD_LIMIT);
                return;
            }
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return;
        }
    }
    sets_inter(c, 2, (int)numkeys, 0, INTER_CARD, limit);
}

/* The members of the first set that no other set holds, walking the
 * first set (Redis's "algorithm 1"): the other sets largest first, since
 * a big set is the likeliest to hold the member and end the checks. */
static void sets_diff_walk(set_value **sets, int n, set_value *result)
{
    set_iter it;
    set_member m;
    set_iter_start(&it, sets[0]);
    while (set_iter_next(&it, &m)) {
        int j = n - 1;      /* sets[1..n-1] are sorted smallest first: go down */
        while (j >= 1 && (sets[j] == NULL || !set_contains_member(sets[j], &m)))
            j--;
        if (j < 1)
            set_add(result, m.bytes, m.len, sets_max_intset());
    }
    set_iter_end(&it);
}

/* The same by copying the first set and removing every other set's
 * members from it ("algorithm 2"), stopping once nothing is left. */
static void sets_diff_remove(set_value **sets, int n, set_value *result)
{
    set_iter it;
    set_member m;
    for (int j = 0; j < n; j++) {
        if (sets[j] == NULL)
            continue;
        set_iter_start(&it, sets[j]);
        while (set_iter_next(&it, &m)) {
            if (j == 0)
                set_add(result, m.bytes, m.len, sets_max_intset());
            else
                set_remove(result, m.bytes, m.len);
        }
        set_iter_end(&it);
        if (set_size(result) == 0)
            break;
    }
}

static int sets_by_size_missing_first(const void *a, const void *b)
{
    const set_value *x = *(set_value *const *)a, *y = *(set_value *const *)b;
    size_t sx = x ? set_size(x) : 0, sy = y ? set_size(y) : 0;
    return sx < sy ? -1 : sx > sy;
}

/* SDIFF: Redis picks between the two walks by their work. Walking the
 * first set costs a lookup in each other set per member, n * |first|;
 * removing costs one operation per member of every set, sum |set|. The
 * walk is cheaper per step and stops at the first set holding the member,
 * so it gets a factor 2 head start. Either gives the same set. */
static void sets_diff(set_value **sets, int n, set_value *result)
{
    if (sets[0] == NULL)
        return;
    for (int j = 1; j < n; j++) {
        if (sets[j] == sets[0])
            return;         /* the first set minus itself */
    }
    unsigned long long walk = 0, remove = 0;
    for (int j = 0; j < n; j++) {
        if (sets[j] != NULL) {
            walk += set_size(sets[0]);
            remove += set_size(sets[j]);
        }
    }
    if (walk / 2 <= remove) {
        qsort(sets + 1, (size_t)(n - 1), sizeof(*sets), sets_by_size_missing_first);
        sets_diff_walk(sets, n, result);
    } else {
        sets_diff_remove(sets, n, result);
    }
}

static void sets_union(set_value **sets, int n, set_value *result)
{
    set_iter it;
    set_member m;
    for (int j = 0; j < n; j++) {
        if (sets[j] == NULL)
            continue;
        set_iter_start(&it, sets[j]);
        while (set_iter_next(&it, &m))
            set_add(result, m.bytes, m.len, sets_max_intset());
        set_iter_end(&it);
    }
}

/* SUNION, SDIFF and their STORE forms (dst > 0): the result is built as a
 * set of its own, which removes repeats and lets the destination be one
 * of the sources. */
static void sets_union_or_diff(client *c, int first, int dst, bool diff)
{
    int n = c->argc - first, missing;
    set_value **sets = mem_alloc(sizeof(*sets) * (size_t)n);
    if (!sets_collect(c, first, n, sets, &missing, dst > 0)) {
        mem_free(sets);
        return;
    }
    set_value result;
    set_init(&result);
    if (diff)
        sets_diff(sets, n, &result);
    else
        sets_union(sets, n, &result);
    mem_free(sets);
    if (dst > 0) {
        sets_store(c, dst, &result, diff ? "sdiffstore" : "sunionstore");
        return;
    }
    sets_reply_all(c, &result);
    set_clear(&result);
}

/* SUNION key [key ...] */
static void cmd_sunion(client *c)
{
    sets_union_or_diff(c, 1, 0, false);
}

/* SUNIONSTORE destination key [key ...] */
static void cmd_sunionstore(client *c)
{
    sets_union_or_diff(c, 2, 1, false);
}

/* SDIFF key [key ...] */
static void cmd_sdiff(client *c)
{
    sets_union_or_diff(c, 1, 0, true);
}

/* SDIFFSTORE destination key [key ...] */
static void cmd_sdiffstore(client *c)
{
    sets_union_or_diff(c, 2, 1, true);
}

/* ---------------- SSCAN ---------------- */

typedef struct sscan_found {
    const scan_options *options;
    buf replies;                /* the members that pass MATCH, as bulk replies */
    long long count;            /* how many */
    long long seen;             /* members visited, matching or not: what COUNT bounds */
} sscan_found;

static void sscan_take(void *data, const char *bytes, size_t len)
{
    sscan_found *found = data;
    found->seen++;
    if (!scan_matches(found->options, bytes, len))
        return;
    resp_add_bulk(&found->replies, bytes, len);
    found->count++;
}

/* SSCAN key cursor [MATCH pattern] [COUNT count]
 * As in Redis, the cursor is read first, then the key (a missing one
 * answers an empty scan before the options are read). An intset answers
 * whole, cursor 0; a hash table a few buckets per call, at most
 * COUNT * 10 of them, until about COUNT members were seen. */
static void cmd_sscan(client *c)
{
    unsigned long long cursor;
    if (!scan_parse_cursor(c, 2, &cursor))
        return;
    set_value *s;
    if (!sets_lookup(c, 1, &s))
        return;
    if (s == NULL) {
        reply_array(c, 2);
        reply_bulk(c, "0", 1);
        reply_array(c, 0);
        return;
    }
    scan_options options;
    if (!scan_parse_options(c, 3, false, &options))
        return;
    sscan_found found = {&options, BUF_INIT, 0, 0};
    if (s->encoding == SET_INTSET) {
        cursor = set_scan(s, 0, sscan_take, &found);
    } else {
        long long budget = options.count > LLONG_MAX / 10 ? LLONG_MAX : options.count * 10;
        do
            cursor = set_scan(s, (size_t)cursor, sscan_take, &found);
        while (cursor != 0 && --budget > 0 && found.seen < options.count);
    }
    char digits[NUM_LL_MAX + 1];
    int len = snprintf(digits, sizeof(digits), "%llu", cursor);
    reply_array(c, 2);
    reply_bulk(c, digits, (size_t)len);
    reply_array(c, found.count);
    reply_raw(c, buf_data(&found.replies), buf_length(&found.replies));
    buf_free(&found.replies);
}

const command set_commands[] = {
    {"sadd", cmd_sadd, -3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "set",
     "Adds one or more members to a set. Creates the key if it doesn't exist.", NULL},
    {"srem", cmd_srem, -3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "set",
     "Removes one or more members from a set. Deletes the set if the last member was removed.", NULL},
    {"smembers", cmd_smembers, 2, COMMAND_READONLY, 1, 1, 1, "set",
     "Returns all members of a set.", NULL},
    {"sismember", cmd_sismember, 3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "set",
     "Determines whether a member belongs to a set.", NULL},
    {"smismember", cmd_smismember, -3, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "set",
     "Determines whether multiple members belong to a set.", NULL},
    {"scard", cmd_scard, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "set",
     "Returns the number of members in a set.", NULL},
    {"spop", cmd_spop, -2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "set",
     "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.", NULL},
    {"srandmember", cmd_srandmember, -2, COMMAND_READONLY, 1, 1, 1, "set",
     "Get one or multiple random members from a set", NULL},
    {"smove", cmd_smove, 4, COMMAND_WRITE | COMMAND_FAST, 1, 2, 1, "set",
     "Moves a member from one set to another.", NULL},
    {"sinter", cmd_sinter, -2, COMMAND_READONLY, 1, -1, 1, "set",
     "Returns the intersect of multiple sets.", NULL},
    {"sintercard", cmd_sintercard, -3, COMMAND_READONLY, 0, 0, 0, "set",
     "Returns the number of members of the intersect of multiple sets.", NULL},
    {"sinterstore", cmd_sinterstore, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, -1, 1, "set",
     "Stores the intersect of multiple sets in a key.", NULL},
    {"sunion", cmd_sunion, -2, COMMAND_READONLY, 1, -1, 1, "set",
     "Returns the union of multiple sets.", NULL},
    {"sunionstore", cmd_sunionstore, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, -1, 1, "set",
     "Stores the union of multiple sets in a key.", NULL},
    {"sdiff", cmd_sdiff, -2, COMMAND_READONLY, 1, -1, 1, "set",
     "Returns the difference of multiple sets.", NULL},
    {"sdiffstore", cmd_sdiffstore, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, -1, 1, "set",
     "Stores the difference of multiple sets in a key.", NULL},
    {"sscan", cmd_sscan, -3, COMMAND_READONLY, 1, 1, 1, "set",
     "Iterates over members of a set.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
