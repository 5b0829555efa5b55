/* Keyspace commands: DEL EXISTS KEYS DBSIZE FLUSHALL FLUSHDB (stage 2).
 *
 * These act on keys whatever their values hold. KEYS walks the whole
 * keyspace, O(N) with the server doing nothing else meanwhile: fine for a
 * learner's terminal, dangerous on a big production dataset, which is why
 * Redis added SCAN. */
#include "commands/commands.h"
#include "base/glob.h"
#include "server/notify.h"
#include "server/reply.h"
#include "server/server.h"

/* DEL key [key ...] */
static void cmd_del(client *c)
{
    long long deleted = 0;
    for (int i = 1; i < c->argc; i++) {
        if (!db_delete(c->db, c->argv[i], c->argvlen[i]))
            continue;
        deleted++;
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[i], c->argvlen[i], c->db->id);
    }
    reply_int(c, deleted);
}

/* EXISTS key [key ...]  (a key named twice counts twice, as in Redis;
 * looking is not a use of the key, for LRU and LFU) */
static void cmd_exists(client *c)
{
    long long found = 0;
    for (int i = 1; i < c->argc; i++)
        found += db_find_notouch(c->db, c->argv[i], c->argvlen[i]) != NULL;
    reply_int(c, found);
}

/* KEYS pattern
 * The count is known only at the end, so matches are encoded into a side
 * buffer first and the array header goes out before it. */
static void cmd_keys(client *c)
{
    const char *pattern = c->argv[1];
    size_t plen = c->argvlen[1];
    bool all = plen == 1 && pattern[0] == '*';
    buf matches = BUF_INIT;
    long long count = 0, now = db_now_ms();
    dict_iter it;
    dict_iter_start(&it, c->db->keys);
    for (dict_entry *e; (e = dict_iter_next(&it)) != NULL;) {
        if (db_is_expired(c->db, e, now))
            continue;       /* dead: skipped, like Redis, not deleted mid-walk */
        if (all || glob_match(pattern, plen, e->key, e->keylen, false)) {
            resp_add_bulk(&matches, e->key, e->keylen);
            count++;
        }
    }
    dict_iter_end(&it);
    reply_array(c, count);
    reply_raw(c, buf_data(&matches), buf_length(&matches));
    buf_free(&matches);
}

/* DBSIZE */
static void cmd_dbsize(client *c)
{
    reply_int(c, (long long)db_size(c->db));
}

static bool flush_args_ok(client *c)
{
    if (c->argc > 2 ||
        (c->argc == 2 && !command_arg_is(c, 1, "sync") && !command_arg_is(c, 1, "async"))) {
        reply_error(c, REPLY_ERR_SYNTAX);
        return false;
    }
    return true;
}

/* FLUSHDB [ASYNC|SYNC]: the client's database.
 * It flushes synchronously: ASYNC is accepted for compatibility. */
static void cmd_flushdb(client *c)
{
    if (flush_args_ok(c)) {
        db_flush(c->db);
        reply_ok(c);
    }
}

/* FLUSHALL [ASYNC|SYNC]: every database. Until stage 6 adds SELECT,
 * only database 0 can hold keys, so it does what FLUSHDB does. */
static void cmd_flushall(client *c)
{
    if (!flush_args_ok(c))
        return;
    for (int i = 0; i < server.db_count; i++)
        db_flush(server.dbs[i]);
    reply_ok(c);
}

const command key_commands[] = {
    {"del", cmd_del, -2, COMMAND_WRITE, 1, -1, 1, "generic",
     "Deletes one or more keys.", NULL},
    {"exists", cmd_exists, -2, COMMAND_READONLY | COMMAND_FAST, 1, -1, 1, "generic",
     "Determines whether one or more keys exist.", NULL},
    {"keys", cmd_keys, 2, COMMAND_READONLY, 0, 0, 0, "generic",
     "Returns all key names that match a pattern.", NULL},
    {"dbsize", cmd_dbsize, 1, COMMAND_READONLY | COMMAND_FAST, 0, 0, 0, "server",
     "Returns the number of keys in the database.", NULL},
    {"flushall", cmd_flushall, -1, COMMAND_WRITE, 0, 0, 0, "server",
     "Removes all keys from all databases.", NULL},
    {"flushdb", cmd_flushdb, -1, COMMAND_WRITE, 0, 0, 0, "server",
     "Remove all keys from the current database.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
