/* List commands: LPUSH RPUSH LPUSHX RPUSHX LLEN LRANGE LINDEX LSET LPOP
 * RPOP LTRIM LREM LINSERT LPOS LMOVE, and TYPE (stage 4).
 *
 * With a second type of value, every command must first check what a key
 * holds: a list command on a string key, or GET on a list, answers
 * WRONGTYPE and changes nothing. Two rules shape the rest, as in Redis: a
 * list is created by the first push, and a list that becomes empty is
 * deleted, so there is never an empty list in the keyspace (EXISTS says 0,
 * TYPE says none). Indexes count from 0 at the head and from -1 at the
 * tail. The list structure itself is in list.c. */
#include <limits.h>
#include <string.h>

#include "commands/commands.h"
#include "base/mem.h"
#include "base/num.h"
#include "server/notify.h"
#include "server/reply.h"

/* The list at argv[i] in *l, NULL when the key is missing. False, with a
 * WRONGTYPE reply already sent, when the key holds something else. */
static bool lists_lookup(client *c, int i, list **l)
{
    *l = NULL;
    db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
    if (v == NULL)
        return true;
    if (!command_check_type(c, v, DB_TYPE_LIST))
        return false;
    *l = db_list_of(v);
    return true;
}

/* The list at argv[i], created empty when missing. */
static list *lists_lookup_or_create(client *c, int i)
{
    db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
    if (v == NULL) {
        v = db_list_new();
        db_set(c->db, c->argv[i], c->argvlen[i], v);
    }
    return db_list_of(v);
}

/* The keyspace event of the key at argv[i] (Part II, keyspace
 * notifications): a command sends its own after the change, and the
 * "del" of an emptied list after that, as Redis does. */
static void lists_notify(client *c, int i, int type, const char *event)
{
    notify_keyspace_event(type, event, c->argv[i], c->argvlen[i], c->db->id);
}

static const char *lists_pop_event(enum list_where where)
{
    return where == LIST_HEAD ? "lpop" : "rpop";
}

static const char *lists_push_event(enum list_where where)
{
    return where == LIST_HEAD ? "lpush" : "rpush";
}

/* A list left empty by a command disappears. */
static void lists_delete_if_empty(client *c, int i, list *l)
{
    if (list_length(l) == 0 && db_delete(c->db, c->argv[i], c->argvlen[i]))
        lists_notify(c, i, NOTIFY_GENERIC, "del");
}

/* argv[i] as an integer, or an error reply. */
static bool lists_arg_ll(client *c, int i, long long *out)
{
    if (num_parse_ll(c->argv[i], c->argvlen[i], out))
        return true;
    reply_error(c, REPLY_ERR_NOT_INTEGER);
    return false;
}

static void lists_reply_entry(client *c, const list_entry *e)
{
    reply_bulk(c, e->bytes, e->len);
}

/* LEFT or RIGHT, as LMOVE spells the ends. */
static bool lists_arg_where(client *c, int i, enum list_where *where)
{
    if (command_arg_is(c, i, "left"))
        *where = LIST_HEAD;
    else if (command_arg_is(c, i, "right"))
        *where = LIST_TAIL;
    else
        return false;
    return true;
}

/* ---------------- Pushing ---------------- */

static void push_generic(client *c, enum list_where where, bool only_if_exists)
{
    list *l;
    if (!lists_lookup(c, 1, &l))
        return;
    if (l == NULL) {
        if (only_if_exists) {
            reply_int(c, 0);
            return;
        }
        l = lists_lookup_or_create(c, 1);
    }
    for (int i = 2; i < c->argc; i++)
        list_push(l, where, c->argv[i], c->argvlen[i]);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    lists_notify(c, 1, NOTIFY_LIST, lists_push_event(where));
    reply_int(c, (long long)list_length(l));
}

/* LPUSH key element [element ...] */
static void cmd_lpush(client *c)
{
    push_generic(c, LIST_HEAD, false);
}

/* RPUSH key element [element ...] */
static void cmd_rpush(client *c)
{
    push_generic(c, LIST_TAIL, false);
}

/* LPUSHX key element [element ...] */
static void cmd_lpushx(client *c)
{
    push_generic(c, LIST_HEAD, true);
}

/* RPUSHX key element [element ...] */
static void cmd_rpushx(client *c)
{
    push_generic(c, LIST_TAIL, true);
}

/* ---------------- Reading ---------------- */

/* LLEN key */
static void cmd_llen(client *c)
{
    list *l;
    if (lists_lookup(c, 1, &l))
        reply_int(c, l ? (long long)list_length(l) : 0);
}

/* Clamp [start, end] (negative: from the tail) to the list's length.
 * False when the range holds nothing. */
static bool lists_clamp_range(long long len, long long *start, long long *end)
{
    if (*start < 0)
        *start += len;
    if (*end < 0)
        *end += len;
    if (*start < 0)
        *start = 0;
    if (*start > *end || *start >= len)
        return false;
    if (*end >= len)
        *end = len - 1;
    return true;
}

/* The arguments of LRANGE and LTRIM, key start stop: the two indexes and
 * the list (NULL when the key is missing). False when an error reply has
 * been sent; as in Redis, the indexes are read first, so a bad one is
 * reported even on a key of another type. */
static bool lists_range_args(client *c, list **l, long long *start, long long *end)
{
    if (!lists_arg_ll(c, 2, start) || !lists_arg_ll(c, 3, end))
        return false;
    return lists_lookup(c, 1, l);
}

/* LRANGE key start stop */
static void cmd_lrange(client *c)
{
    list *l;
    long long start, end;
    if (!lists_range_args(c, &l, &start, &end))
        return;
    if (l == NULL || !lists_clamp_range((long long)list_length(l), &start, &end)) {
        reply_array(c, 0);
        return;
    }
    reply_array(c, end - start + 1);
    list_iter it;
    list_entry e;
    list_iter_start(&it, l, start, true);
    for (long long n = end - start + 1; n > 0 && list_iter_next(&it, &e); n--)
        lists_reply_entry(c, &e);
}

/* LINDEX key index */
static void cmd_lindex(client *c)
{
    list *l;
    if (!lists_lookup(c, 1, &l))
        return;
    if (l == NULL) {
        reply_null(c);
        return;
    }
    long long index;
    if (!lists_arg_ll(c, 2, &index))
        return;
    list_entry e;
    if (list_index(l, index, &e))
        lists_reply_entry(c, &e);
    else
        reply_null(c);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
typedef struct lpos_args {
    long long rank;         /* 1: first match; -1: first from the tail */
    long long count;        /* -1: no COUNT (reply a number); 0: all matches */
    long long maxlen;       /* elements to compare at most; 0: all */
} lpos_args;

static bool lpos_positive(client *c, int i, long long *out, const char *error)
{
    if (num_parse_ll(c->argv[i], c->argvlen[i], out) && *out >= 0)
        return true;
    reply_error(c, error);
    return false;
}

static bool lpos_parse(client *c, lpos_args *a)
{
    *a = (lpos_args){1, -1, 0};
    for (int i = 3; i < c->argc; i++) {
        bool more = i + 1 < c->argc;
        if (command_arg_is(c, i, "rank") && more) {
            if (!lists_arg_ll(c, ++i, &a->rank))
                return false;
            if (a->rank == LLONG_MIN)
                a->rank = -1;   /* Redis negates it, which overflows back to negative: the last match */
            if (a->rank == 0) {
                reply_error(c, REPLY_ERR_LPOS_RANK_ZERO);
                return false;
            }
        } else if (command_arg_is(c, i, "count") && more) {
            if (!lpos_positive(c, ++i, &a->count, REPLY_ERR_LPOS_COUNT_NEGATIVE))
                return false;
        } else if (command_arg_is(c, i, "maxlen") && more) {
            if (!lpos_positive(c, ++i, &a->maxlen, REPLY_ERR_LPOS_MAXLEN_NEGATIVE))
                return false;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

/* Walk from the end RANK's sign picks, skip rank-1 matches, collect up to
 * count of the rest (all when 0) into `found`. */
static long long lpos_search(client *c, list *l, const lpos_args *a, buf *found)
{
    bool forward = a->rank > 0;
    long long skip = (forward ? a->rank : -a->rank) - 1;
    long long len = (long long)list_length(l), matches = 0;
    list_iter it;
    list_entry e;
    list_iter_start(&it, l, forward ? 0 : -1, forward);
    for (long long seen = 0; list_iter_next(&it, &e) && (a->maxlen == 0 || seen < a->maxlen); seen++) {
        if (e.len != c->argvlen[2] || memcmp(e.bytes, c->argv[2], e.len) != 0)
            continue;
        if (skip > 0) {
            skip--;
            continue;
        }
        resp_add_int(found, forward ? seen : len - seen - 1);
        if (++matches == a->count || a->count == -1)
            break;
    }
    return matches;
}

static void cmd_lpos(client *c)
{
    lpos_args a;
    if (!lpos_parse(c, &a))
        return;
    list *l;
    if (!lists_lookup(c, 1, &l))
        return;
    buf found = BUF_INIT;
    long long matches = l ? lpos_search(c, l, &a, &found) : 0;
    if (a.count != -1)
        reply_array(c, matches);
    else if (matches == 0)
        reply_null(c);
    reply_raw(c, buf_data(&found), buf_length(&found));
    buf_free(&found);
}

/* ---------------- Changing ---------------- */

/* LSET key index element */
static void cmd_lset(client *c)
{
    list *l;
    if (!lists_lookup(c, 1, &l))
        return;
    if (l == NULL) {
        reply_error(c, REPLY_ERR_NO_SUCH_KEY);
        return;
    }
    long long index;
    if (!lists_arg_ll(c, 2, &index))
        return;
    if (list_set(l, index, c->argv[3], c->argvlen[3])) {
        db_key_changed(c->db, c->argv[1], c->argvlen[1]);
        lists_notify(c, 1, NOTIFY_LIST, "lset");
        reply_ok(c);
    }
    else
        reply_error(c, REPLY_ERR_INDEX_OUT_OF_RANGE);
}

/* LPOP key [count] and RPOP key [count]
 * Without a count: the element or nil. With one: an array of up to count
 * elements, or a null array when the key is missing. */
static void pop_generic(client *c, enum list_where where)
{
    long long count = -1;
    if (c->argc > 3) {
        reply_error_arity(c, where == LIST_HEAD ? "lpop" : "rpop");
        return;
    }
    if (c->argc == 3 && (!num_parse_ll(c->argv[2], c->argvlen[2], &count) || count < 0)) {
        reply_error(c, REPLY_ERR_NOT_POSITIVE);
        return;
    }
    list *l;
    if (!lists_lookup(c, 1, &l))
        return;
    if (l == NULL) {
        if (count == -1)
            reply_null(c);
        else
            reply_null_array(c);
        return;
    }
    if (count != -1)        /* including 0: an empty array */
        reply_array(c, count < (long long)list_length(l) ? count : (long long)list_length(l));
    list_entry e;
    for (long long n = count == -1 ? 1 : count; n > 0 && list_peek(l, where, &e); n--) {
        lists_reply_entry(c, &e);
        list_pop(l, where);
        db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    }
    if (count != 0)         /* LPOP key 0 pops nothing: no event */
        lists_notify(c, 1, NOTIFY_LIST, lists_pop_event(where));
    lists_delete_if_empty(c, 1, l);
}

static void cmd_lpop(client *c)
{
    pop_generic(c, LIST_HEAD);
}

static void cmd_rpop(client *c)
{
    pop_generic(c, LIST_TAIL);
}

/* LTRIM key start stop */
static void cmd_ltrim(client *c)
{
    list *l;
    long long start, end;
    if (!lists_range_args(c, &l, &start, &end))
        return;
    if (l != NULL) {
        long long len = (long long)list_length(l);
        if (lists_clamp_range(len, &start, &end))
            list_trim(l, (size_t)start, (size_t)(len - end - 1));
        else
            list_trim(l, (size_t)len, 0);
        if ((long long)list_length(l) != len)
            db_key_changed(c->db, c->argv[1], c->argvlen[1]);
        lists_notify(c, 1, NOTIFY_LIST, "ltrim");      /* even when nothing went, as in Redis */
        lists_delete_if_empty(c, 1, l);
    }
    reply_ok(c);
}

/* LREM key count element
 * count > 0: the first count matches from the head; < 0: from the tail;
 * 0: all of them. */
static void cmd_lrem(client *c)
{
    long long count;
    if (!lists_arg_ll(c, 2, &count))
        return;
    list *l;
    if (!lists_lookup(c, 1, &l))
        return;
    long long removed = 0;
    if (l != NULL) {
        bool forward = count >= 0;
        unsigned long long limit = count >= 0 ? (unsigned long long)count : 0 - (unsigned long long)count;
        list_iter it;
        list_entry e;
        list_iter_start(&it, l, forward ? 0 : -1, forward);
        while (list_iter_next(&it, &e)) {
            if (e.len == c->argvlen[3] && memcmp(e.bytes, c->argv[3], e.len) == 0) {
                list_iter_delete(&it);
                db_key_changed(c->db, c->argv[1], c->argvlen[1]);
                if (++removed == (long long)limit && limit != 0)
                    break;
            }
        }
        if (removed > 0)
            lists_notify(c, 1, NOTIFY_LIST, "lrem");
        lists_delete_if_empty(c, 1, l);
    }
    reply_int(c, removed);
}

/* LINSERT key BEFORE|AFTER pivot element
 * The new length, -1 when the pivot is not there, 0 when the key is not. */
static void cmd_linsert(client *c)
{
    bool after;
    if (command_arg_is(c, 2, "after"))
        after = true;
    else if (command_arg_is(c, 2, "before"))
        after = false;
    else {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    list *l;
    if (!lists_lookup(c, 1, &l))
        return;
    if (l == NULL) {
        reply_int(c, 0);
        return;
    }
    list_iter it;
    list_entry e;
    list_iter_start(&it, l, 0, true);
    while (list_iter_next(&it, &e)) {
        if (e.len == c->argvlen[3] && memcmp(e.bytes, c->argv[3], e.len) == 0) {
            list_iter_insert(&it, after, c->argv[4], c->argvlen[4]);
            db_key_changed(c->db, c->argv[1], c->argvlen[1]);
            lists_notify(c, 1, NOTIFY_LIST, "linsert");
            reply_int(c, (long long)list_length(l));
            return;
        }
    }
    reply_int(c, -1);
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT
 * Pops from one end of source and pushes onto an end of destination, as
 * one step: nothing is popped if destination holds another type. Source
 * and destination may be the same list (a rotation). Redis's events come
 * in the order of its code: the push, then the pop, then source's "del". */
static void cmd_lmove(client *c)
{
    enum list_where from, to;
    if (!lists_arg_where(c, 3, &from) || !lists_arg_where(c, 4, &to)) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    list *src;
    if (!lists_lookup(c, 1, &src))
        return;
    list_entry e;
    if (src == NULL || !list_peek(src, from, &e)) {
        reply_null(c);
        return;
    }
    list *dst;
    if (!lists_lookup(c, 2, &dst))
        return;
    /* The element must outlive its pop: copy it. */
    size_t len = e.len;
    char *moved = mem_alloc(len > 0 ? len : 1);
    memcpy(moved, e.bytes, len);
    list_pop(src, from);
    if (dst == NULL)
        dst = lists_lookup_or_create(c, 2);
    list_push(dst, to, moved, len);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    db_key_changed(c->db, c->argv[2], c->argvlen[2]);
    lists_notify(c, 2, NOTIFY_LIST, lists_push_event(to));
    lists_notify(c, 1, NOTIFY_LIST, lists_pop_event(from));
    lists_delete_if_empty(c, 1, src);
    reply_bulk(c, moved, len);
    mem_free(moved);
}

/* ---------------- TYPE ---------------- */

/* TYPE key */
static void cmd_type(client *c)
{
    dict_entry *e = db_find_notouch(c->db, c->argv[1], c->argvlen[1]);    /* not a use, as in Redis */
    reply_simple(c, e == NULL ? "none" : db_type_name(e->value));
}

const command list_commands[] = {
    {"lpush", cmd_lpush, -3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "list",
     "Prepends one or more elements to a list. Creates the key if it doesn't exist.", NULL},
    {"rpush", cmd_rpush, -3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "list",
     "Appends one or more elements to a list. Creates the key if it doesn't exist.", NULL},
    {"lpushx", cmd_lpushx, -3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "list",
     "Prepends one or more elements to a list only when the list exists.", NULL},
    {"rpushx", cmd_rpushx, -3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "list",
     "Appends an element to a list only when the list exists.", NULL},
    {"llen", cmd_llen, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "list",
     "Returns the length of a list.", NULL},
    {"lrange", cmd_lrange, 4, COMMAND_READONLY, 1, 1, 1, "list",
     "Returns a range of elements from a list.", NULL},
    {"lindex", cmd_lindex, 3, COMMAND_READONLY, 1, 1, 1, "list",
     "Returns an element from a list by its index.", NULL},
    {"lpos", cmd_lpos, -3, COMMAND_READONLY, 1, 1, 1, "list",
     "Returns the index of matching elements in a list.", NULL},
    {"lset", cmd_lset, 4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "list",
     "Sets the value of an element in a list by its index.", NULL},
    {"lpop", cmd_lpop, -2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "list",
     "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.", NULL},
    {"rpop", cmd_rpop, -2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "list",
     "Returns and removes the last elements of a list. Deletes the list if the last element was popped.", NULL},
    {"ltrim", cmd_ltrim, 4, COMMAND_WRITE, 1, 1, 1, "list",
     "Removes elements from both ends a list. Deletes the list if all elements were trimmed.", NULL},
    {"lrem", cmd_lrem, 4, COMMAND_WRITE, 1, 1, 1, "list",
     "Removes elements from a list. Deletes the list if the last element was removed.", NULL},
    {"linsert", cmd_linsert, 5, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "list",
     "Inserts an element before or after another element in a list.", NULL},
    {"lmove", cmd_lmove, 5, COMMAND_WRITE | COMMAND_DENYOOM, 1, 2, 1, "list",
     "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.", NULL},
    {"type", cmd_type, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "generic",
     "Determines the type of value stored at a key.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
