/* String commands: SET GET MSET MGET APPEND STRLEN and the INCR family
 * (stage 2).
 *
 * Redis has no integer type: INCR parses the string, adds, and stores the
 * decimal text back. The parse is strict (see num.h) and the addition is
 * checked for overflow before it happens, as signed overflow in C is
 * undefined behaviour, not a wrap-around. */
#include <limits.h>

#include "commands/commands.h"
#include "base/num.h"
#include "server/notify.h"
#include "server/reply.h"
#include "io/resp.h"

/* SET key value */
static void cmd_set(client *c)
{
    if (c->argc != 3) {
        reply_error(c, REPLY_ERR_SYNTAX);      /* options arrive in stage 3 */
        return;
    }
    db_set(c->db, c->argv[1], c->argvlen[1], db_string_new(c->argv[2], c->argvlen[2]));
    notify_keyspace_event(NOTIFY_STRING, "set", c->argv[1], c->argvlen[1], c->db->id);
    reply_ok(c);
}

/* GET key */
static void cmd_get(client *c)
{
    db_value *v = db_get(c->db, c->argv[1], c->argvlen[1]);
    if (v == NULL)
        reply_null(c);
    else if (command_check_type(c, v, DB_TYPE_STRING))
        reply_bulk(c, db_string_of(v)->str, db_string_of(v)->len);
}

/* MSET key value [key value ...] */
static void cmd_mset(client *c)
{
    if (c->argc % 2 == 0) {
        reply_error_arity(c, "mset");
        return;
    }
    for (int i = 1; i < c->argc; i += 2) {
        db_set(c->db, c->argv[i], c->argvlen[i], db_string_new(c->argv[i + 1], c->argvlen[i + 1]));
        notify_keyspace_event(NOTIFY_STRING, "set", c->argv[i], c->argvlen[i], c->db->id);
    }
    reply_ok(c);
}

/* MGET key [key ...]  (a key holding another type reads as nil) */
static void cmd_mget(client *c)
{
    reply_array(c, c->argc - 1);
    for (int i = 1; i < c->argc; i++) {
        db_value *v = db_get(c->db, c->argv[i], c->argvlen[i]);
        if (v == NULL || v->type != DB_TYPE_STRING)
            reply_null(c);
        else
            reply_bulk(c, db_string_of(v)->str, db_string_of(v)->len);
    }
}

/* APPEND key value */
static void cmd_append(client *c)
{
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    if (e == NULL) {
        db_set(c->db, c->argv[1], c->argvlen[1], db_string_new(c->argv[2], c->argvlen[2]));
        notify_keyspace_event(NOTIFY_STRING, "append", c->argv[1], c->argvlen[1], c->db->id);
        reply_int(c, (long long)c->argvlen[2]);
        return;
    }
    if (!command_check_type(c, e->value, DB_TYPE_STRING))
        return;
    if ((long long)db_string_of(e->value)->len + (long long)c->argvlen[2] > resp_max_bulk()) {
        reply_error(c, REPLY_ERR_TOO_BIG);
        return;
    }
    e->value = db_string_append(e->value, c->argv[2], c->argvlen[2]);    /* keeps the TTL */
    db_key_changed(c->db, e->key, e->keylen);
    notify_keyspace_event(NOTIFY_STRING, "append", c->argv[1], c->argvlen[1], c->db->id);
    reply_int(c, db_string_of(e->value)->len);
}

/* STRLEN key */
static void cmd_strlen(client *c)
{
    db_value *v = db_get(c->db, c->argv[1], c->argvlen[1]);
    if (v == NULL)
        reply_int(c, 0);
    else if (command_check_type(c, v, DB_TYPE_STRING))
        reply_int(c, db_string_of(v)->len);
}

/* ---------------- INCR and friends ---------------- */

static bool incr_would_overflow(long long value, long long by)
{
    return (by > 0 && value > LLONG_MAX - by) || (by < 0 && value < LLONG_MIN - by);
}

/* The body shared by INCR DECR INCRBY DECRBY: add `by` to the integer
 * stored at key (0 when missing) and reply with the result. */
static void incr_generic(client *c, long long by)
{
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    long long value = 0;
    if (e != NULL) {
        if (!command_check_type(c, e->value, DB_TYPE_STRING))
            return;
        db_string *s = db_string_of(e->value);
        if (!num_parse_ll(s->str, s->len, &value)) {
            reply_error(c, REPLY_ERR_NOT_INTEGER);
            return;
        }
    }
    if (incr_would_overflow(value, by)) {
        reply_error(c, REPLY_ERR_OVERFLOW);
        return;
    }
    value += by;
    char text[NUM_LL_MAX];
    size_t len = num_format_ll(text, value);
    if (e != NULL) {
        db_overwrite(c->db, e, db_string_new(text, len));     /* keeps the TTL, as in Redis */
    } else {
        db_set(c->db, c->argv[1], c->argvlen[1], db_string_new(text, len));
    }
    /* One event for the four commands, as in Redis: DECR is an "incrby". */
    notify_keyspace_event(NOTIFY_STRING, "incrby", c->argv[1], c->argvlen[1], c->db->id);
    reply_int(c, value);
}

/* Parse argv[i] as the increment, or reply with the error. */
static bool incr_argument(client *c, int i, long long *by)
{
    if (num_parse_ll(c->argv[i], c->argvlen[i], by))
        return true;
    reply_error(c, REPLY_ERR_NOT_INTEGER);
    return false;
}

/* INCR key */
static void cmd_incr(client *c)
{
    incr_generic(c, 1);
}

/* DECR key */
static void cmd_decr(client *c)
{
    incr_generic(c, -1);
}

/* INCRBY key increment */
static void cmd_incrby(client *c)
{
    long long by;
    if (incr_argument(c, 2, &by))
        incr_generic(c, by);
}

/* DECRBY key decrement */
static void cmd_decrby(client *c)
{
    long long by;
    if (!incr_argument(c, 2, &by))
        return;
    if (by == LLONG_MIN) {
        reply_error(c, REPLY_ERR_DECR_OVERFLOW);    /* -LLONG_MIN does not fit */
        return;
    }
    incr_generic(c, -by);
}

const command string_commands[] = {
    {"set", cmd_set, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", NULL},
    {"get", cmd_get, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "string",
     "Returns the string value of a key.", NULL},
    {"mset", cmd_mset, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, -1, 2, "string",
     "Atomically creates or modifies the string values of one or more keys.", NULL},
    {"mget", cmd_mget, -2, COMMAND_READONLY | COMMAND_FAST, 1, -1, 1, "string",
     "Atomically returns the string values of one or more keys.", NULL},
    {"append", cmd_append, 3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Appends a string to the value of a key. Creates the key if it doesn't exist.", NULL},
    {"strlen", cmd_strlen, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "string",
     "Returns the length of a string value.", NULL},
    {"incr", cmd_incr, 2, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", NULL},
    {"decr", cmd_decr, 2, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", NULL},
    {"incrby", cmd_incrby, 3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", NULL},
    {"decrby", cmd_decrby, 3, COMMAND_WRITE | COMMAND_FAST | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
