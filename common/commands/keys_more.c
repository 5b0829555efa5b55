/* More keyspace commands: UNLINK RENAME RENAMENX COPY MOVE RANDOMKEY TOUCH
 * EXPIRETIME PEXPIRETIME OBJECT SCAN (Part II, keys).
 *
 * These act on keys whatever their values hold, like DEL and KEYS in
 * keys.c. Three ideas are new here. A value can change its name or its
 * database without being copied: RENAME and MOVE take it out of the
 * table (db_take) and put the same pointer back under the new name,
 * carrying its time to live. A random key must be drawn fairly from a
 * hash table that cannot be indexed (dict_random_entry). And SCAN walks
 * the keyspace a few buckets per call, with a cursor that survives the
 * table growing or shrinking in between (dict_scan, commands/scan.c).
 *
 * What is simplified: UNLINK is DEL. Redis frees a big value on a
 * background thread so the command returns at once; here the value is
 * freed before the reply, under the server lock. OBJECT IDLETIME and FREQ
 * read the access clock every value carries for eviction (data/access.c):
 * the idle time under an LRU policy or none, the frequency under LFU. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands/commands.h"
#include "commands/scan.h"
#include "base/mem.h"
#include "base/num.h"
#include "data/access.h"
#include "server/notify.h"
#include "server/reply.h"
#include "server/server.h"

/* Redis shares the string objects of the integers 0..9999 between all
 * keys (OBJ_SHARED_INTEGERS), and OBJECT REFCOUNT shows a shared object's
 * count as INT_MAX. */
#define KEYSMORE_SHARED_INTEGERS 10000
#define KEYSMORE_SHARED_REFCOUNT 2147483647

static bool keysmore_same_key(const client *c, int a, int b)
{
    return c->argvlen[a] == c->argvlen[b] && memcmp(c->argv[a], c->argv[b], c->argvlen[a]) == 0;
}

/* argv[i] as a database number, the database in *out. The errors are
 * Redis's: not a number, not a 32-bit number, no such database. */
static bool keysmore_db_arg(client *c, int i, db **out)
{
    long long id;
    if (!num_parse_ll(c->argv[i], c->argvlen[i], &id)) {
        reply_error(c, REPLY_ERR_NOT_INTEGER);
        return false;
    }
    if (id < INT_MIN || id > INT_MAX) {
        reply_error(c, REPLY_ERR_NOT_INT32);
        return false;
    }
    if (id < 0 || id >= server.db_count) {
        reply_error(c, REPLY_ERR_DB_INDEX);
        return false;
    }
    *out = server.dbs[id];
    return true;
}

/* Put a value taken from somewhere else under key in d, with its time to
 * live. db_set frees what the key held and drops its TTL: the old value
 * at the destination is replaced, not merged. */
static void keysmore_put(db *d, const char *key, size_t len, db_value *v, long long expire)
{
    dict_entry *e = db_set(d, key, len, v);
    if (expire != DB_NO_EXPIRE)
        db_set_expire(d, e, expire);
}

/* ---------------- Deleting, touching ---------------- */

/* UNLINK key [key ...]
 * DEL under another name: see the opening comment. */
static void cmd_unlink(client *c)
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

/* TOUCH key [key ...]
 * The keys that exist (an expired one is deleted, and not counted). It
 * would also reset their access clocks, which come with eviction. */
static void cmd_touch(client *c)
{
    long long found = 0;
    for (int i = 1; i < c->argc; i++)
        found += db_get(c->db, c->argv[i], c->argvlen[i]) != NULL;
    reply_int(c, found);
}

/* ---------------- Renaming, copying, moving ---------------- */

/* RENAME key newkey and RENAMENX key newkey
 * The value moves, TTL and all; whatever newkey held is deleted (RENAME)
 * or wins (RENAMENX answers 0). Renaming a key to itself changes nothing,
 * but a missing key is still an error. Deleting newkey first makes it a
 * new key, as in Redis: its events are "new", then "rename_from" on key
 * and "rename_to" on newkey. */
static void keysmore_rename(client *c, bool nx)
{
    if (db_find(c->db, c->argv[1], c->argvlen[1]) == NULL) {
        reply_error(c, REPLY_ERR_NO_SUCH_KEY);
        return;
    }
    if (keysmore_same_key(c, 1, 2)) {
        if (nx)
            reply_int(c, 0);
        else
            reply_ok(c);
        return;
    }
    if (nx && db_find(c->db, c->argv[2], c->argvlen[2]) != NULL) {
        reply_int(c, 0);
        return;
    }
    long long expire;
    db_delete(c->db, c->argv[2], c->argvlen[2]);
    db_value *v = db_take(c->db, c->argv[1], c->argvlen[1], &expire);
    keysmore_put(c->db, c->argv[2], c->argvlen[2], v, expire);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_from", c->argv[1], c->argvlen[1], c->db->id);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_to", c->argv[2], c->argvlen[2], c->db->id);
    if (nx)
        reply_int(c, 1);
    else
        reply_ok(c);
}

static void cmd_rename(client *c)
{
    keysmore_rename(c, false);
}

static void cmd_renamenx(client *c)
{
    keysmore_rename(c, true);
}

/* COPY source destination [DB destination-db] [REPLACE]
 * A deep copy (db_value_copy), with the source's TTL or none: changing
 * one key later must not change the other. The options are read first,
 * in any order, a later DB winning. REPLACE deletes destination first,
 * which makes it a new key ("new", then "copy_to"), as in Redis; the
 * source is read as GET reads, so its miss is a "keymiss". */
static void cmd_copy(client *c)
{
    db *dst = c->db;
    bool replace = false;
    for (int i = 3; i < c->argc; i++) {
        if (command_arg_is(c, i, "replace")) {
            replace = true;
        } else if (command_arg_is(c, i, "db") && i + 1 < c->argc) {
            if (!keysmore_db_arg(c, ++i, &dst))
                return;
        } else {
            reply_error(c, REPLY_ERR_SYNTAX);
            return;
        }
    }
    if (dst == c->db && keysmore_same_key(c, 1, 2)) {
        reply_error(c, REPLY_ERR_SAME_OBJECT);
        return;
    }
    dict_entry *src = db_find(c->db, c->argv[1], c->argvlen[1]);
    if (src == NULL) {
        notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", c->argv[1], c->argvlen[1], c->db->id);
        reply_int(c, 0);
        return;
    }
    long long expire = db_get_expire(c->db, src);
    db_value *copy = db_value_copy(src->value);
    if (db_find(dst, c->argv[2], c->argvlen[2]) != NULL) {
        if (!replace) {
            db_value_free(copy);
            reply_int(c, 0);
            return;
        }
        db_delete(dst, c->argv[2], c->argvlen[2]);
    }
    keysmore_put(dst, c->argv[2], c->argvlen[2], copy, expire);
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", c->argv[2], c->argvlen[2], dst->id);
    reply_int(c, 1);
}

/* MOVE key db
 * The value goes to the other database under the same name, TTL and all,
 * unless that name is taken there (0). */
static void cmd_move(client *c)
{
    db *dst;
    if (!keysmore_db_arg(c, 2, &dst))
        return;
    if (dst == c->db) {
        reply_error(c, REPLY_ERR_SAME_OBJECT);
        return;
    }
    if (db_find(c->db, c->argv[1], c->argvlen[1]) == NULL ||
        db_find(dst, c->argv[1], c->argvlen[1]) != NULL) {
        reply_int(c, 0);
        return;
    }
    long long expire;
    db_value *v = db_take(c->db, c->argv[1], c->argvlen[1], &expire);
    keysmore_put(dst, c->argv[1], c->argvlen[1], v, expire);
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", c->argv[1], c->argvlen[1], c->db->id);
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", c->argv[1], c->argvlen[1], dst->id);
    reply_int(c, 1);
}

/* ---------------- Random keys ---------------- */

/* RANDOMKEY
 * A key drawn fairly (dict_random_entry explains how). One that turns
 * out to be past its time is deleted and another drawn, as in Redis; the
 * loop ends, since each round either answers or deletes a key. */
static void cmd_randomkey(client *c)
{
    long long now = db_now_ms();
    for (;;) {
        dict_entry *e = dict_random_entry(c->db->keys);
        if (e == NULL) {
            reply_null(c);
            return;
        }
        if (!db_is_expired(c->db, e, now)) {
            reply_bulk(c, e->key, e->keylen);
            return;
        }
        db_delete_expired(c->db, e->key, e->keylen);
    }
}

/* ---------------- Expiry times ---------------- */

/* EXPIRETIME key and PEXPIRETIME key
 * The absolute Unix time of death: -2 for a missing key, -1 for one that
 * lives forever. Seconds are rounded to the nearest, as Redis does. */
static void keysmore_expiretime(client *c, bool in_ms)
{
    dict_entry *e = db_find_notouch(c->db, c->argv[1], c->argvlen[1]);    /* not a use, as TTL */
    if (e == NULL) {
        reply_int(c, -2);
        return;
    }
    long long when = db_get_expire(c->db, e);
    if (when == DB_NO_EXPIRE)
        reply_int(c, -1);
    else
        reply_int(c, in_ms ? when : (when + 500) / 1000);
}

static void cmd_expiretime(client *c)
{
    keysmore_expiretime(c, false);
}

static void cmd_pexpiretime(client *c)
{
    keysmore_expiretime(c, true);
}

/* ---------------- OBJECT ---------------- */

static const char *const keysmore_object_help[] = {
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
};

/* Redis shares one object for each integer 0..9999 stored as a string;
 * this server has no sharing, but answers as Redis would. */
static long long keysmore_refcount(const db_value *v)
{
    if (v->type != DB_TYPE_STRING)
        return 1;
    const db_string *s = (const db_string *)v;
    long long n;
    if (strcmp(db_value_encoding(v), "int") == 0 && num_parse_ll(s->str, s->len, &n) &&
        n >= 0 && n < KEYSMORE_SHARED_INTEGERS)
        return KEYSMORE_SHARED_REFCOUNT;
    return 1;
}

/* OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key: a missing key is nil.
 * Looking is not using: the lookup leaves the access clock alone, or
 * IDLETIME would always answer 0; nor is a miss a "keymiss" event, as in
 * Redis. The clock holds one thing at a time, so IDLETIME is refused
 * under an LFU policy and FREQ under any other. */
static void keysmore_object_of_key(client *c)
{
    dict_entry *e = db_lookup(c->db, c->argv[2], c->argvlen[2], DB_LOOKUP_NOTOUCH | DB_LOOKUP_NONOTIFY);
    if (e == NULL) {
        reply_null(c);
        return;
    }
    db_value *v = e->value;
    if (command_arg_is(c, 1, "encoding")) {
        const char *name = db_value_encoding(v);
        reply_bulk(c, name, strlen(name));
    } else if (command_arg_is(c, 1, "refcount")) {
        reply_int(c, keysmore_refcount(v));
    } else if (command_arg_is(c, 1, "idletime")) {
        if (access_is_lfu())
            reply_error(c, REPLY_ERR_LFU_SELECTED);
        else
            reply_int(c, (long long)(access_idle_ms(v->access) / 1000));
    } else if (access_is_lfu()) {       /* FREQ */
        reply_int(c, access_frequency(v->access));
    } else {
        reply_error(c, REPLY_ERR_LFU_NOT_SELECTED);
    }
}

/* OBJECT subcommand [key] */
static void cmd_object(client *c)
{
    static const char *const with_key[][2] = {
        {"encoding", "object|encoding"},
        {"freq", "object|freq"},
        {"idletime", "object|idletime"},
        {"refcount", "object|refcount"},
    };
    if (command_arg_is(c, 1, "help")) {
        if (c->argc != 2) {
            reply_error_arity(c, "object|help");
            return;
        }
        size_t lines = sizeof(keysmore_object_help) / sizeof(keysmore_object_help[0]);
        reply_array(c, (long long)lines);
        for (size_t i = 0; i < lines; i++)
            reply_simple(c, keysmore_object_help[i]);
        return;
    }
    for (size_t i = 0; i < sizeof(with_key) / sizeof(with_key[0]); i++) {
        if (!command_arg_is(c, 1, with_key[i][0]))
            continue;
        if (c->argc != 3)
            reply_error_arity(c, with_key[i][1]);
        else
            keysmore_object_of_key(c);
        return;
    }
    reply_error_unknown_subcommand(c, "OBJECT");
}

/* ---------------- SCAN ---------------- */

/* The entries one SCAN call collected, before filtering. Pointers into
 * the table stay valid while some of them are deleted: deleting frees only
 * the entry deleted, and a rehash moves entries without reallocating. */
typedef struct keysmore_batch {
    dict_entry **entries;
    size_t count, cap;
} keysmore_batch;

static void keysmore_collect(void *data, dict_entry *e)
{
    keysmore_batch *b = data;
    if (b->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->entries = mem_realloc(b->entries, b->cap * sizeof(*b->entries));
    }
    b->entries[b->count++] = e;
}

/* A dead key SCAN finds is deleted. With TYPE, Redis reads the type
 * with a lookup, so the key is then also a "keymiss", after its
 * "expired"; its bytes go with it, hence the copy. */
static void keysmore_scan_expire(client *c, const scan_options *o, dict_entry *e)
{
    if (o->type == NULL) {
        db_delete_expired(c->db, e->key, e->keylen);
        return;
    }
    size_t len = e->keylen;
    char *key = mem_strndup(e->key, len);
    db_delete_expired(c->db, key, len);
    notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", key, len, c->db->id);
    mem_free(key);
}

/* Whether a collected key goes into the reply: it matches MATCH, is not
 * past its time (then it is deleted, as Redis's SCAN does) and has the
 * TYPE asked for (compared without case, as Redis does). */
static bool keysmore_scan_keeps(client *c, const scan_options *o, dict_entry *e, long long now)
{
    if (!scan_matches(o, e->key, e->keylen))
        return false;
    if (db_is_expired(c->db, e, now)) {
        keysmore_scan_expire(c, o, e);
        return false;
    }
    if (o->type == NULL)
        return true;
    const char *name = db_type_name(e->value);
    return strlen(name) == o->typelen && strncasecmp(name, o->type, o->typelen) == 0;
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
 * One call visits buckets until COUNT keys are collected, the walk ends,
 * or 10 * COUNT buckets were visited (so a sparse table still answers
 * quickly); the filters apply after, so a call may answer fewer keys than
 * COUNT, or none, with a cursor that is not 0 yet. */
static void cmd_scan(client *c)
{
    unsigned long long cursor;
    scan_options o;
    if (!scan_parse_cursor(c, 1, &cursor) || !scan_parse_options(c, 2, true, &o))
        return;
    keysmore_batch b = {NULL, 0, 0};
    long long visits = o.count > LLONG_MAX / 10 ? LLONG_MAX : o.count * 10;
    do {
        cursor = dict_scan(c->db->keys, (size_t)cursor, keysmore_collect, &b);
    } while (cursor != 0 && visits-- > 0 && (long long)b.count < o.count);

    long long now = db_now_ms(), kept = 0;
    for (size_t i = 0; i < b.count; i++) {
        if (keysmore_scan_keeps(c, &o, b.entries[i], now))
            b.entries[kept++] = b.entries[i];
    }
    char text[32];
    int len = snprintf(text, sizeof(text), "%llu", cursor);
    reply_array(c, 2);
    reply_bulk(c, text, (size_t)len);
    reply_array(c, kept);
    for (long long i = 0; i < kept; i++)
        reply_bulk(c, b.entries[i]->key, b.entries[i]->keylen);
    mem_free(b.entries);
}

static const command keysmore_object_subcommands[] = {
    {"object|encoding", NULL, 3, COMMAND_READONLY, 2, 2, 1, "generic",
     "Returns the internal encoding of a Redis object.", NULL},
    {"object|freq", NULL, 3, COMMAND_READONLY, 2, 2, 1, "generic",
     "Returns the logarithmic access frequency counter of a Redis object.", NULL},
    {"object|help", NULL, 2, 0, 0, 0, 0, "generic",
     "Returns helpful text about the different subcommands.", NULL},
    {"object|idletime", NULL, 3, COMMAND_READONLY, 2, 2, 1, "generic",
     "Returns the time since the last access to a Redis object.", NULL},
    {"object|refcount", NULL, 3, COMMAND_READONLY, 2, 2, 1, "generic",
     "Returns the reference count of a value of a key.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

const command key_more_commands[] = {
    {"unlink", cmd_unlink, -2, COMMAND_WRITE | COMMAND_FAST, 1, -1, 1, "generic",
     "Asynchronously deletes one or more keys.", NULL},
    {"rename", cmd_rename, 3, COMMAND_WRITE, 1, 2, 1, "generic",
     "Renames a key and overwrites the destination.", NULL},
    {"renamenx", cmd_renamenx, 3, COMMAND_WRITE | COMMAND_FAST, 1, 2, 1, "generic",
     "Renames a key only when the target key name doesn't exist.", NULL},
    {"copy", cmd_copy, -3, COMMAND_WRITE | COMMAND_DENYOOM, 1, 2, 1, "generic",
     "Copies the value of a key to a new key.", NULL},
    {"move", cmd_move, 3, COMMAND_WRITE | COMMAND_FAST, 1, 1, 1, "generic",
     "Moves a key to another database.", NULL},
    {"randomkey", cmd_randomkey, 1, COMMAND_READONLY, 0, 0, 0, "generic",
     "Returns a random key name from the database.", NULL},
    {"touch", cmd_touch, -2, COMMAND_READONLY | COMMAND_FAST, 1, -1, 1, "generic",
     "Returns the number of existing keys out of those specified after updating the time they were last accessed.", NULL},
    {"expiretime", cmd_expiretime, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "generic",
     "Returns the expiration time of a key as a Unix timestamp.", NULL},
    {"pexpiretime", cmd_pexpiretime, 2, COMMAND_READONLY | COMMAND_FAST, 1, 1, 1, "generic",
     "Returns the expiration time of a key as a Unix milliseconds timestamp.", NULL},
    {"object", cmd_object, -2, 0, 0, 0, 0, "generic",
     "A container for object introspection commands.", keysmore_object_subcommands},
    {"scan", cmd_scan, -2, COMMAND_READONLY, 0, 0, 0, "generic",
     "Iterates over the key names in the database.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
