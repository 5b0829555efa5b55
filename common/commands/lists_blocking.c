/* The blocking list commands: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP
 * (Part II, blocking commands).
 *
 * Each is its non-blocking twin (LPOP, RPOP, RPOPLPUSH, LMOVE, LMPOP)
 * plus a timeout: when every key it names is empty, the client waits
 * (server/blocking.c) instead of getting a null. When a key it waits on
 * gets a value, the same function runs again, told which key is ready,
 * and looks at that key only; a key of another type there is no use,
 * and the client goes on waiting, as in Redis 7.0.
 *
 * What is logged to the append-only file is the twin, with what was
 * really popped: a replay must not wait for anything. */
#include <string.h>

#include "commands/commands.h"
#include "commands/lists_more.h"
#include "base/mem.h"
#include "server/blocking.h"
#include "server/notify.h"
#include "server/reply.h"

/* On a run for a ready key, only that key is looked at. */
static bool listsblocking_skip(client *c, int k)
{
    size_t len;
    const char *ready = blocking_ready_key(c, &len);
    return ready != NULL && (len != c->argvlen[k] || memcmp(ready, c->argv[k], len) != 0);
}

static bool listsblocking_is_rerun(const client *c)
{
    size_t len;
    return blocking_ready_key(c, &len) != NULL;
}

/* The list at argv[k]: NULL when missing, or when of another type (after
 * a WRONGTYPE reply on the first run: *wrong says so). */
static list *listsblocking_lookup(client *c, int k, bool *wrong)
{
    *wrong = false;
    db_value *v = db_get(c->db, c->argv[k], c->argvlen[k]);
    if (v == NULL)
        return NULL;
    if (v->type != DB_TYPE_LIST) {
        if (!listsblocking_is_rerun(c)) {
            command_check_type(c, v, DB_TYPE_LIST);
            *wrong = true;
        }
        return NULL;
    }
    return db_list_of(v);
}

static void listsblocking_pop_from(client *c, int k, list *l, enum list_where where)
{
    list_entry e;
    list_peek(l, where, &e);
    reply_array(c, 2);
    reply_bulk(c, c->argv[k], c->argvlen[k]);
    reply_bulk(c, e.bytes, e.len);
    list_pop(l, where);
    db_key_changed(c->db, c->argv[k], c->argvlen[k]);
    const char *event = where == LIST_HEAD ? "lpop" : "rpop";
    const char *argv[] = {where == LIST_HEAD ? "LPOP" : "RPOP", c->argv[k]};
    size_t argvlen[] = {4, c->argvlen[k]};
    command_propagate_as(c, 2, argv, argvlen);
    notify_keyspace_event(NOTIFY_LIST, event, c->argv[k], c->argvlen[k], c->db->id);
    if (list_length(l) == 0) {
        db_delete(c->db, c->argv[k], c->argvlen[k]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[k], c->argvlen[k], c->db->id);
    }
}

/* BLPOP key [key ...] timeout, BRPOP key [key ...] timeout
 * [key, element] from the first key that holds a list. */
static void listsblocking_pop(client *c, enum list_where where)
{
    long long deadline;
    if (!blocking_parse_timeout(c, c->argv[c->argc - 1], c->argvlen[c->argc - 1], &deadline))
        return;
    for (int k = 1; k < c->argc - 1; k++) {
        bool wrong;
        if (listsblocking_skip(c, k))
            continue;
        list *l = listsblocking_lookup(c, k, &wrong);
        if (wrong)
            return;
        if (l != NULL) {
            listsblocking_pop_from(c, k, l, where);
            return;
        }
    }
    if (!blocking_may_block(c)) {
        reply_null_array(c);
        return;
    }
    blocking_block(c, 1, c->argc - 2, deadline, BLOCKING_TIMEOUT_NULL_ARRAY);
}

static void cmd_blpop(client *c)
{
    listsblocking_pop(c, LIST_HEAD);
}

static void cmd_brpop(client *c)
{
    listsblocking_pop(c, LIST_TAIL);
}

/* The move itself, once source is known to hold a list: nothing is
 * popped if destination holds another type (false, WRONGTYPE sent). */
static bool listsblocking_move(client *c, list *src, enum list_where from, enum list_where to)
{
    db_value *dv = db_get(c->db, c->argv[2], c->argvlen[2]);
    if (dv != NULL && !command_check_type(c, dv, DB_TYPE_LIST))
        return false;
    list_entry e;
    list_peek(src, from, &e);
    size_t len = e.len;
    char *moved = mem_alloc(len > 0 ? len : 1);    /* it must outlive its pop */
    memcpy(moved, e.bytes, len);
    list_pop(src, from);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    if (dv == NULL) {
        dv = db_list_new();
        db_set(c->db, c->argv[2], c->argvlen[2], dv);
    }
    list_push(db_list_of(dv), to, moved, len);
    db_key_changed(c->db, c->argv[2], c->argvlen[2]);
    /* Redis tells of the push before the pop. */
    notify_keyspace_event(NOTIFY_LIST, to == LIST_HEAD ? "lpush" : "rpush", c->argv[2], c->argvlen[2], c->db->id);
    notify_keyspace_event(NOTIFY_LIST, from == LIST_HEAD ? "lpop" : "rpop", c->argv[1], c->argvlen[1], c->db->id);
    if (list_length(src) == 0) {
        db_delete(c->db, c->argv[1], c->argvlen[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->argvlen[1], c->db->id);
    }
    reply_bulk(c, moved, len);
    mem_free(moved);
    return true;
}

/* What BLMOVE and BRPOPLPUSH share; the timeout is argv[timeout_at]. */
static void listsblocking_move_or_wait(client *c, enum list_where from, enum list_where to, int timeout_at)
{
    long long deadline;
    if (!blocking_parse_timeout(c, c->argv[timeout_at], c->argvlen[timeout_at], &deadline))
        return;
    bool wrong;
    list *src = listsblocking_lookup(c, 1, &wrong);
    if (wrong)
        return;
    if (src != NULL) {
        if (!listsblocking_move(c, src, from, to))
            return;
        const char *twin = from == LIST_TAIL && to == LIST_HEAD && timeout_at == 3 ? "RPOPLPUSH" : "LMOVE";
        const char *argv[] = {twin, c->argv[1], c->argv[2], from == LIST_HEAD ? "LEFT" : "RIGHT",
                              to == LIST_HEAD ? "LEFT" : "RIGHT"};
        size_t argvlen[] = {strlen(twin), c->argvlen[1], c->argvlen[2], strlen(argv[3]), strlen(argv[4])};
        command_propagate_as(c, timeout_at == 3 ? 3 : 5, argv, argvlen);
        return;
    }
    if (!blocking_may_block(c)) {
        reply_null(c);
        return;
    }
    blocking_block(c, 1, 1, deadline, BLOCKING_TIMEOUT_NULL_ARRAY);
}

/* BRPOPLPUSH source destination timeout */
static void cmd_brpoplpush(client *c)
{
    listsblocking_move_or_wait(c, LIST_TAIL, LIST_HEAD, 3);
}

static bool listsblocking_where(client *c, int i, enum list_where *where)
{
    if (command_arg_is(c, i, "left"))
        *where = LIST_HEAD;
    else if (command_arg_is(c, i, "right"))
        *where = LIST_TAIL;
    else
        return false;
    return true;
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
static void cmd_blmove(client *c)
{
    enum list_where from, to;
    if (!listsblocking_where(c, 3, &from) || !listsblocking_where(c, 4, &to)) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return;
    }
    listsblocking_move_or_wait(c, from, to, 5);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
 * The timeout is read last, after everything LMPOP reads, as in Redis. */
static void cmd_blmpop(client *c)
{
    listsmore_mpop a;
    if (!listsmore_mpop_parse(c, 2, &a))
        return;
    long long deadline;
    if (!blocking_parse_timeout(c, c->argv[1], c->argvlen[1], &deadline))
        return;
    for (int k = a.first_key; k < a.first_key + a.keys; k++) {
        bool wrong;
        if (listsblocking_skip(c, k))
            continue;
        list *l = listsblocking_lookup(c, k, &wrong);
        if (wrong)
            return;
        if (l != NULL) {
            listsmore_mpop_from(c, k, l, &a);
            return;
        }
    }
    if (!blocking_may_block(c)) {
        reply_null_array(c);
        return;
    }
    blocking_block(c, a.first_key, a.keys, deadline, BLOCKING_TIMEOUT_NULL_ARRAY);
}

const command list_blocking_commands[] = {
    {"blpop", cmd_blpop, -3, COMMAND_WRITE, 1, -2, 1, "list",
     "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", NULL},
    {"brpop", cmd_brpop, -3, COMMAND_WRITE, 1, -2, 1, "list",
     "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", NULL},
    {"brpoplpush", cmd_brpoplpush, 4, COMMAND_WRITE | COMMAND_DENYOOM, 1, 2, 1, "list",
     "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.", NULL},
    {"blmove", cmd_blmove, 6, COMMAND_WRITE | COMMAND_DENYOOM, 1, 2, 1, "list",
     "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.", NULL},
    {"blmpop", cmd_blmpop, -5, COMMAND_WRITE, 0, 0, 0, "list",   /* keys counted by numkeys */
     "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
