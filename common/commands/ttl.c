/* Expiry commands: SET with its options, EXPIRE PEXPIRE EXPIREAT PEXPIREAT,
 * TTL PTTL PERSIST (stage 3).
 *
 * Every TTL is turned into one thing as early as possible: the absolute
 * Unix time in milliseconds at which the key dies. EX 10, PX 10000 and
 * EXAT/PXAT all end up as that number, which the keyspace stores and
 * compares with the clock (db.c). Stage 3 registers its SET over stage 2's
 * plain one. */
#include <limits.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/ttl.h"
#include "base/num.h"
#include "server/notify.h"
#include "server/reply.h"

#define SET_NX 1
#define SET_XX 2
#define SET_GET 4
#define SET_KEEPTTL 8
#define SET_EX 16
#define SET_PX 32
#define SET_EXAT 64
#define SET_PXAT 128
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

/* The options of one SET, as parsed. */
typedef struct set_args {
    int flags;
    int expire_arg;         /* argv index of the time, 0 if none */
} set_args;

/* Which SET_* an expire option names, 0 if it is not one. */
static int set_expire_flag(client *c, int i)
{
    if (command_arg_is(c, i, "ex"))
        return SET_EX;
    if (command_arg_is(c, i, "px"))
        return SET_PX;
    if (command_arg_is(c, i, "exat"))
        return SET_EXAT;
    if (command_arg_is(c, i, "pxat"))
        return SET_PXAT;
    return 0;
}

/* SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL]
 * Two different expiry options are a syntax error, but, as in Redis, any
 * option may be repeated: the last EX given wins, and only its time is
 * ever parsed. */
static bool set_parse(client *c, set_args *args)
{
    args->flags = 0;
    args->expire_arg = 0;
    for (int i = 3; i < c->argc; i++) {
        int f = set_expire_flag(c, i);
        if (command_arg_is(c, i, "nx") && !(args->flags & SET_XX)) {
            args->flags |= SET_NX;
        } else if (command_arg_is(c, i, "xx") && !(args->flags & SET_NX)) {
            args->flags |= SET_XX;
        } else if (command_arg_is(c, i, "get")) {
            args->flags |= SET_GET;
        } else if (command_arg_is(c, i, "keepttl") && !(args->flags & SET_ANY_EXPIRE)) {
            args->flags |= SET_KEEPTTL;
        } else if (f != 0 && !(args->flags & ((SET_ANY_EXPIRE & ~f) | SET_KEEPTTL)) && i + 1 < c->argc) {
            args->flags |= f;
            args->expire_arg = ++i;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return false;
        }
    }
    return true;
}

bool ttl_absolute_time(client *c, int i, bool seconds, bool relative, const char *name, long long *when)
{
    long long t;
    if (!num_parse_ll(c->argv[i], c->argvlen[i], &t)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return false;
    }
    if (t <= 0 || (seconds && t > LLONG_MAX / 1000)) {
        reply_error_expire_time(c, name);
        return false;
    }
    if (seconds)
        t *= 1000;
    if (relative) {
        long long now = db_now_ms();
        if (t > LLONG_MAX - now) {
            reply_error_expire_time(c, name);
            return false;
        }
        t += now;
    }
    *when = t;
    return true;
}

/* The absolute expiry time SET's option asks for. */
static bool set_expire_time(client *c, const set_args *args, long long *when)
{
    return ttl_absolute_time(c, args->expire_arg, args->flags & (SET_EX | SET_EXAT), args->flags & (SET_EX | SET_PX),
                             "set", when);
}

/* Log SET key value PXAT <when>: the absolute time, whatever the client
 * sent, so a replay of the log (stage 5) gives the key no extra life. */
static void set_propagate_absolute(client *c, long long when)
{
    char ms[NUM_LL_MAX];
    const char *argv[] = {"SET", c->argv[1], c->argv[2], "PXAT", ms};
    size_t argvlen[] = {3, c->argvlen[1], c->argvlen[2], 4, num_format_ll(ms, when)};
    command_propagate_as(c, 5, argv, argvlen);
}

/* The events, as Redis sends them: "set", then "expire" for a TTL. */
static void set_store(client *c, const set_args *args, dict_entry *e, long long when)
{
    db_value *v = db_string_new(c->argv[2], c->argvlen[2]);
    if (e != NULL && (args->flags & SET_KEEPTTL)) {
        db_overwrite(c->db, e, v);
        notify_keyspace_event(NOTIFY_STRING, "set", c->argv[1], c->argvlen[1], c->db->id);
        return;
    }
    e = db_set(c->db, c->argv[1], c->argvlen[1], v);
    notify_keyspace_event(NOTIFY_STRING, "set", c->argv[1], c->argvlen[1], c->db->id);
    if (args->expire_arg != 0) {
        db_set_expire(c->db, e, when);
        set_propagate_absolute(c, when);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", c->argv[1], c->argvlen[1], c->db->id);
    }
}

static void cmd_set(client *c)
{
    set_args args;
    long long when = 0;
    if (!set_parse(c, &args))
        return;
    if (args.expire_arg != 0 && !set_expire_time(c, &args, &when))
        return;
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    if (args.flags & SET_GET) {
        if (e != NULL && !command_check_type(c, e->value, DB_TYPE_STRING))
            return;
        /* GET is a read, whose miss Redis reports; the lookup of a write
         * command is not counted as one (server/command.c), so say it. */
        if (e == NULL) {
            notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", c->argv[1], c->argvlen[1], c->db->id);
            reply_null(c);
        } else {
            reply_bulk(c, db_string_of(e->value)->str, db_string_of(e->value)->len);
        }
    }
    if ((args.flags & SET_NX && e != NULL) || (args.flags & SET_XX && e == NULL)) {
        if (!(args.flags & SET_GET))
            reply_null(c);
        return;
    }
    set_store(c, &args, e, when);
    if (!(args.flags & SET_GET))
        reply_ok(c);
}

/* ---------------- EXPIRE and friends ---------------- */

#define EXPIRE_NX 1
#define EXPIRE_XX 2
#define EXPIRE_GT 4
#define EXPIRE_LT 8

/* The NX XX GT LT options after the time. */
static bool ttl_parse_flags(client *c, int *flags)
{
    *flags = 0;
    for (int i = 3; i < c->argc; i++) {
        if (command_arg_is(c, i, "nx"))
            *flags |= EXPIRE_NX;
        else if (command_arg_is(c, i, "xx"))
            *flags |= EXPIRE_XX;
        else if (command_arg_is(c, i, "gt"))
            *flags |= EXPIRE_GT;
        else if (command_arg_is(c, i, "lt"))
            *flags |= EXPIRE_LT;
        else {
            /* Redis prints the option as a C string: it stops at a NUL. */
            reply_error_format(c, REPLY_ERR_EXPIRE_OPTION_FMT, (int)strnlen(c->argv[i], c->argvlen[i]), c->argv[i]);
            return false;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(c, REPLY_ERR_EXPIRE_NX_AND_OTHERS);
        return false;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        reply_error(c, REPLY_ERR_EXPIRE_GT_AND_LT);
        return false;
    }
    return true;
}

/* Whether NX XX GT LT allow replacing `current` (DB_NO_EXPIRE: none) by
 * `when`. No TTL counts as an infinite one. */
static bool ttl_allowed(int flags, long long current, long long when)
{
    bool has = current != DB_NO_EXPIRE;
    if ((flags & EXPIRE_NX) && has)
        return false;
    if ((flags & EXPIRE_XX) && !has)
        return false;
    if ((flags & EXPIRE_GT) && (!has || when <= current))
        return false;
    if ((flags & EXPIRE_LT) && has && when >= current)
        return false;
    return true;
}

/* The absolute time in ms for the argument, or an error reply. Negative
 * times are allowed (they delete the key); overflow is not. */
static bool ttl_when(client *c, long long base, bool seconds, const char *name, long long *when)
{
    long long t;
    if (!num_parse_ll(c->argv[2], c->argvlen[2], &t)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return false;
    }
    if (seconds) {
        if (t > LLONG_MAX / 1000 || t < LLONG_MIN / 1000)
            goto overflow;
        t *= 1000;
    }
    if (t > LLONG_MAX - base)
        goto overflow;
    *when = t + base;
    return true;
overflow:
    reply_error_expire_time(c, name);
    return false;
}

static void ttl_expire_generic(client *c, long long base, bool seconds, const char *name)
{
    int flags;
    long long when;
    if (!ttl_parse_flags(c, &flags) || !ttl_when(c, base, seconds, name, &when))
        return;
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    if (e == NULL || !ttl_allowed(flags, db_get_expire(c->db, e), when)) {
        reply_int(c, 0);
        return;
    }
    if (when <= db_now_ms() && !c->db->loading) {
        db_delete(c->db, c->argv[1], c->argvlen[1]);    /* a time in the past: dead now */
        const char *argv[] = {"DEL", c->argv[1]};
        size_t argvlen[] = {3, c->argvlen[1]};
        command_propagate_as(c, 2, argv, argvlen);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->argvlen[1], c->db->id);
    } else {
        db_set_expire(c->db, e, when);
        char ms[NUM_LL_MAX];
        const char *argv[] = {"PEXPIREAT", c->argv[1], ms};
        size_t argvlen[] = {9, c->argvlen[1], num_format_ll(ms, when)};
        command_propagate_as(c, 3, argv, argvlen);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", c->argv[1], c->argvlen[1], c->db->id);
    }
    reply_int(c, 1);
}

/* EXPIRE key seconds [NX|XX|GT|LT] */
static void cmd_expire(client *c)
{
    ttl_expire_generic(c, db_now_ms(), true, "expire");
}

/* PEXPIRE key milliseconds [NX|XX|GT|LT] */
static void cmd_pexpire(client *c)
{
    ttl_expire_generic(c, db_now_ms(), false, "pexpire");
}

/* EXPIREAT key unix-time-seconds [NX|XX|GT|LT] */
static void cmd_expireat(client *c)
{
    ttl_expire_generic(c, 0, true, "expireat");
}

/* PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT] */
static void cmd_pexpireat(client *c)
{
    ttl_expire_generic(c, 0, false, "pexpireat");
}

/* TTL and PTTL: -2 for a missing key, -1 for one without a TTL. TTL rounds
 * to the nearest second. */
static void ttl_generic(client *c, bool in_ms)
{
    /* Asking how long a key lives is not a use of it (for LRU and LFU). */
    dict_entry *e = db_find_notouch(c->db, c->argv[1], c->argvlen[1]);
    if (e == NULL) {
        reply_int(c, -2);
        return;
    }
    long long when = db_get_expire(c->db, e);
    if (when == DB_NO_EXPIRE) {
        reply_int(c, -1);
        return;
    }
    long long ttl = when - db_now_ms();
    if (ttl < 0)
        ttl = 0;
    reply_int(c, in_ms ? ttl : (ttl + 500) / 1000);
}

/* TTL key */
static void cmd_ttl(client *c)
{
    ttl_generic(c, false);
}

/* PTTL key */
static void cmd_pttl(client *c)
{
    ttl_generic(c, true);
}

/* PERSIST key */
static void cmd_persist(client *c)
{
    dict_entry *e = db_find(c->db, c->argv[1], c->argvlen[1]);
    bool persisted = e != NULL && db_persist(c->db, e);
    if (persisted)
        notify_keyspace_event(NOTIFY_GENERIC, "persist", c->argv[1], c->argvlen[1], c->db->id);
    reply_int(c, persisted);
}

const command ttl_commands[] = {
    {"set", cmd_set, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, 1, 1, "string",
     "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", NULL},
    {"expire", cmd_expire, -3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "generic",
     "Sets the expiration time of a key in seconds.", NULL},
    {"pexpire", cmd_pexpire, -3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "generic",
     "Sets the expiration time of a key in milliseconds.", NULL},
    {"expireat", cmd_expireat, -3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "generic",
     "Sets the expiration time of a key to a Unix timestamp.", NULL},
    {"pexpireat", cmd_pexpireat, -3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "generic",
     "Sets the expiration time of a key to a Unix milliseconds timestamp.", NULL},
    {"ttl", cmd_ttl, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "generic",
     "Returns the expiration time in seconds of a key.", NULL},
    {"pttl", cmd_pttl, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "generic",
     "Returns the expiration time in milliseconds of a key.", NULL},
    {"persist", cmd_persist, 2, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "generic",
     "Removes the expiration time of a key.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
