/* More list commands: RPOPLPUSH and LMPOP (Part II, keys).
 *
 * The rest of Redis's non-blocking list commands, on top of lists.c's
 * rules: a list popped empty is deleted, and the WRONGTYPE check comes
 * before any change. RPOPLPUSH is the older spelling of LMOVE source
 * destination RIGHT LEFT. LMPOP pops from the first non-empty list of
 * several, which is what the blocking BLMPOP waits on (lists_blocking.c).
 *
 * LMPOP goes to the append-only file as the LPOP or RPOP that has the
 * same effect, with the count actually popped, as Redis logs it: a replay
 * then does not depend on which of the keys happened to be non-empty. */
#include <string.h>

#include "commands/commands.h"
#include "commands/lists_more.h"
#include "base/mem.h"
#include "base/num.h"
#include "server/notify.h"
#include "server/reply.h"

/* The list at argv[i] in *l, NULL when the key is missing. False, with a
 * WRONGTYPE reply already sent, when the key holds something else. */
static bool listsmore_lookup(client *c, int i, list **l)
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

/* RPOPLPUSH source destination
 * The tail of source onto the head of destination, in one step: nothing
 * is popped when destination holds another type. The same key for both
 * rotates the list. The events are LMOVE's: "lpush", "rpop", then
 * source's "del" if it was emptied. */
static void cmd_rpoplpush(client *c)
{
    list *src, *dst;
    list_entry e;
    if (!listsmore_lookup(c, 1, &src))
        return;
    if (src == NULL || !list_peek(src, LIST_TAIL, &e)) {
        reply_null(c);
        return;
    }
    if (!listsmore_lookup(c, 2, &dst))
        return;
    size_t len = e.len;
    char *moved = mem_alloc(len > 0 ? len : 1);     /* it must outlive its pop */
    memcpy(moved, e.bytes, len);
    list_pop(src, LIST_TAIL);
    if (dst == NULL) {
        db_value *v = db_list_new();
        db_set(c->db, c->argv[2], c->argvlen[2], v);
        dst = db_list_of(v);
    }
    list_push(dst, LIST_HEAD, moved, len);
    db_key_changed(c->db, c->argv[1], c->argvlen[1]);
    db_key_changed(c->db, c->argv[2], c->argvlen[2]);
    notify_keyspace_event(NOTIFY_LIST, "lpush", c->argv[2], c->argvlen[2], c->db->id);
    notify_keyspace_event(NOTIFY_LIST, "rpop", c->argv[1], c->argvlen[1], c->db->id);
    if (list_length(src) == 0 && db_delete(c->db, c->argv[1], c->argvlen[1]))
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->argvlen[1], c->db->id);
    reply_bulk(c, moved, len);
    mem_free(moved);
}

/* A number in 1..LLONG_MAX, or `error` (Redis's getRangeLongFromObjectOrReply). */
static bool listsmore_positive(client *c, int i, const char *error, long long *out)
{
    if (num_parse_ll(c->argv[i], c->argvlen[i], out) && *out >= 1)
        return true;
    reply_error(c, error);
    return false;
}

/* numkeys key [key ...] LEFT|RIGHT [COUNT count], in Redis's order of
 * checks: numkeys, that LEFT|RIGHT is where numkeys says, the word, then
 * one COUNT at most and nothing else. */
bool listsmore_mpop_parse(client *c, int numkeys_at, listsmore_mpop *a)
{
    long long numkeys;
    if (!listsmore_positive(c, numkeys_at, REPLY_ERR_NUMKEYS_POSITIVE, &numkeys))
        return false;
    if (numkeys >= c->argc - numkeys_at - 1) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return false;
    }
    a->first_key = numkeys_at + 1;
    a->keys = (int)numkeys;
    a->count = -1;
    int where = a->first_key + a->keys;
    if (command_arg_is(c, where, "left"))
        a->where = LIST_HEAD;
    else if (command_arg_is(c, where, "right"))
        a->where = LIST_TAIL;
    else {
        reply_error(c, REPLY_ERR_SYNTAX);
        return false;
    }
    for (int i = where + 1; i < c->argc; i++) {
        if (a->count == -1 && command_arg_is(c, i, "count") && i + 1 < c->argc) {
            if (!listsmore_positive(c, ++i, REPLY_ERR_COUNT_POSITIVE, &a->count))
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

/* Pop up to count elements of the list at argv[k], reply [key, [elements]]
 * and log it as LPOP/RPOP key n. Its events are LPOP's: one "lpop" (or
 * "rpop") whatever the count, then "del" if the list is gone; BLMPOP
 * sends them through here too. */
void listsmore_mpop_from(client *c, int k, list *l, const listsmore_mpop *a)
{
    long long n = a->count < (long long)list_length(l) ? a->count : (long long)list_length(l);
    reply_array(c, 2);
    reply_bulk(c, c->argv[k], c->argvlen[k]);
    reply_array(c, n);
    list_entry e;
    for (long long i = 0; i < n && list_peek(l, a->where, &e); i++) {
        reply_bulk(c, e.bytes, e.len);
        list_pop(l, a->where);
    }
    db_key_changed(c->db, c->argv[k], c->argvlen[k]);
    char count[NUM_LL_MAX];
    const char *argv[] = {a->where == LIST_HEAD ? "LPOP" : "RPOP", c->argv[k], count};
    size_t argvlen[] = {4, c->argvlen[k], num_format_ll(count, n)};
    command_propagate_as(c, 3, argv, argvlen);
    const char *event = a->where == LIST_HEAD ? "lpop" : "rpop";
    notify_keyspace_event(NOTIFY_LIST, event, c->argv[k], c->argvlen[k], c->db->id);
    if (list_length(l) == 0 && db_delete(c->db, c->argv[k], c->argvlen[k]))
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[k], c->argvlen[k], c->db->id);
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
 * From the first key that holds a list: [key, [elements]]; a null array
 * when none does. A key of another type on the way is WRONGTYPE. */
static void cmd_lmpop(client *c)
{
    listsmore_mpop a;
    if (!listsmore_mpop_parse(c, 1, &a))
        return;
    for (int k = a.first_key; k < a.first_key + a.keys; k++) {
        list *l;
        if (!listsmore_lookup(c, k, &l))
            return;
        if (l != NULL && list_length(l) > 0) {
            listsmore_mpop_from(c, k, l, &a);
            return;
        }
    }
    reply_null_array(c);
}

const command list_more_commands[] = {
    {"rpoplpush", cmd_rpoplpush, 3, COMMAND_WRITE | COMMAND_DENYOOM, 1, 2, 1, "list",
     "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.", NULL},
    {"lmpop", cmd_lmpop, -4, COMMAND_WRITE, 0, 0, 0, "list",   /* keys counted by numkeys: Redis reports 0 0 0 (movablekeys) */
     "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
