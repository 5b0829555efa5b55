/* command: command table lookup and dispatch (stage 1).
 *
 * Names are matched without regard to case (GET, get and gEt are one
 * command), through a dict keyed by the lower-case name: one hash and one
 * compare per request, whatever the number of commands. */
#include "server/command.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "data/dict.h"
#include "server/multi.h"
#include "server/reply.h"

#define COMMAND_NAME_MAX 64         /* longer names cannot be commands */

static dict *command_table;
static command_propagate_fn *command_propagate;
static command_guard_fn *command_write_guard;
static command_guard_fn *command_memory_guard;
static long long command_calls_total;

static void command_emit(int db_id, int argc, const char **argv, const size_t *argvlen);

long long command_calls(void)
{
    return command_calls_total;
}

void command_reset_stats(void)
{
    command_calls_total = 0;
}

void command_register(const command *table)
{
    if (command_table == NULL)
        command_table = dict_create();
    for (const command *cmd = table; cmd->name != NULL; cmd++) {
        bool created;
        dict_entry *e = dict_add_or_find(command_table, cmd->name, strlen(cmd->name), &created);
        e->value = (void *)cmd;
    }
}

void command_each(void (*fn)(const command *cmd, void *data), void *data)
{
    if (command_table == NULL)
        return;
    dict_iter it;
    dict_iter_start(&it, command_table);
    for (dict_entry *e; (e = dict_iter_next(&it)) != NULL;)
        fn(e->value, data);
    dict_iter_end(&it);
}

size_t command_count(void)
{
    return command_table ? dict_size(command_table) : 0;
}

void command_unregister_all(void)
{
    dict_destroy(command_table, NULL);
    command_table = NULL;
}

const command *command_lookup(const char *name, size_t len)
{
    if (command_table == NULL || len > COMMAND_NAME_MAX)
        return NULL;
    char lower[COMMAND_NAME_MAX];
    for (size_t i = 0; i < len; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    dict_entry *e = dict_find(command_table, lower, len);
    return e ? e->value : NULL;
}

/* Arguments are not NUL-terminated (they point into the query buffer),
 * so comparing one with a keyword needs its length. */
bool command_arg_is(const client *c, int i, const char *word)
{
    size_t len = strlen(word);
    return c->argvlen[i] == len && strncasecmp(c->argv[i], word, len) == 0;
}

bool command_check_type(client *c, const db_value *v, int type)
{
    if (v->type == type)
        return true;
    reply_error(c, REPLY_ERR_WRONGTYPE);
    return false;
}

static bool command_arity_ok(const command *cmd, int argc)
{
    return cmd->arity >= 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

/* A command refused before it ran. Inside MULTI the refusal also marks
 * the transaction, so that EXEC refuses all of it; EXEC refused itself
 * ends the transaction there and then. */
static void command_refuse(client *c, const command *cmd, const char *why)
{
    if ((c->flags & CLIENT_MULTI) && cmd != NULL && (cmd->flags & COMMAND_RUNS_QUEUE)) {
        multi_abort(c, why);
        return;
    }
    multi_flag_error(c);
    reply_error(c, why);
}

/* EXEC writes if anything it runs does: MISCONF refuses it as a whole. */
static int command_flags_of(const client *c, const command *cmd)
{
    if (cmd->flags & COMMAND_RUNS_QUEUE)
        return cmd->flags | multi_queued_flags(c);
    return cmd->flags;
}

/* Over maxmemory (Part II), Redis refuses what could use more: commands
 * flagged so, and anything queued inside MULTI, whose queue grows. */
static bool command_needs_memory(const client *c, const command *cmd)
{
    if ((c->flags & CLIENT_MULTI) && !(cmd->flags & COMMAND_NO_QUEUE))
        return true;
    return command_flags_of(c, cmd) & COMMAND_DENYOOM;
}

static command_context_fn *command_context_check;
static command_after_fn *command_after;

/* A container's command is named with its subcommand ("client|list"),
 * as Redis names it in errors. */
static const char *command_full_name(const client *c, const command *cmd)
{
    if (cmd->subcommands == NULL || c->argc < 2)
        return cmd->name;
    size_t base = strlen(cmd->name);
    for (const command *sub = cmd->subcommands; sub->name != NULL; sub++) {
        const char *word = sub->name + base + 1;
        if (strlen(word) == c->argvlen[1] && strncasecmp(word, c->argv[1], c->argvlen[1]) == 0)
            return sub->name;
    }
    return cmd->name;
}

static void command_dispatch(client *c)
{
    const command *cmd = command_lookup(c->argv[0], c->argvlen[0]);
    if (cmd == NULL) {
        multi_flag_error(c);
        reply_error_unknown_command(c);
        return;
    }
    c->last_cmd = cmd->name;        /* CLIENT LIST shows it even if refused, as Redis does */
    if (!command_arity_ok(cmd, c->argc)) {
        char why[COMMAND_NAME_MAX + 64];
        snprintf(why, sizeof(why), REPLY_ERR_ARITY_FMT, cmd->name);
        command_refuse(c, cmd, why);
        return;
    }
    if (c->auth_required && !(cmd->flags & COMMAND_NO_AUTH)) {
        command_refuse(c, cmd, REPLY_ERR_NOAUTH);
        return;
    }
    const char *refusal;
    if (command_memory_guard != NULL && (refusal = command_memory_guard()) != NULL && command_needs_memory(c, cmd)) {
        command_refuse(c, cmd, refusal);
        return;
    }
    if ((command_flags_of(c, cmd) & COMMAND_WRITE) && command_write_guard != NULL &&
        (refusal = command_write_guard()) != NULL) {
        command_refuse(c, cmd, refusal);
        return;
    }
    if (command_context_check != NULL && !command_context_check(c, cmd)) {
        /* Part II, pub/sub: a RESP2 subscriber may run only a few commands. */
        char why[2 * COMMAND_NAME_MAX + 160];
        snprintf(why, sizeof(why), REPLY_ERR_SUBSCRIBED_FMT, command_full_name(c, cmd));
        command_refuse(c, cmd, why);
        return;
    }
    if ((c->flags & CLIENT_MULTI) && !(cmd->flags & COMMAND_NO_QUEUE)) {
        multi_queue(c, cmd, cmd->flags);
        return;
    }
    command_call(c, cmd);
    /* Part II, blocking commands: the keys this command gave a value go
     * to the clients waiting for them, before any other command runs. */
    if (command_after != NULL)
        command_after();
}

void command_execute(client *c)
{
    command_dispatch(c);
    /* Part II: CLIENT REPLY SKIP lasts one command; one that blocks ends
     * when it is answered (server/blocking.c). */
    if (c->blocked == NULL)
        reply_command_done(c);
}

void command_set_context_check(command_context_fn *fn)
{
    command_context_check = fn;
}

void command_set_after_hook(command_after_fn *fn)
{
    command_after = fn;
}

void command_call(client *c, const command *cmd)
{
    long long changes = db_changes();
    c->propagated = false;
    db_count_lookups(!(cmd->flags & COMMAND_WRITE));     /* keyspace_hits/misses: reads only */
    cmd->fn(c);
    db_count_lookups(true);
    command_calls_total++;      /* after: an INFO does not count itself, as in Redis */
    if (command_propagate != NULL && db_changes() != changes && !c->propagated)
        command_emit(c->db->id, c->argc, c->argv, c->argvlen);
}

/* ---------------- Framing a transaction for the log ---------------- */

/* While EXEC runs its queue, the first write logged is preceded by
 * MULTI and the last followed by EXEC, so that the file holds the
 * transaction as one unit: a reader that finds MULTI without its EXEC
 * (a crash while writing) drops it whole. A queue without writes logs
 * nothing at all. */
static struct {
    bool active;
    bool opened;        /* MULTI written */
    int db_id;          /* of the last record */
} command_frame;

void command_frame_begin(void)
{
    command_frame.active = true;
    command_frame.opened = false;
}

void command_frame_end(void)
{
    if (command_frame.opened) {
        const char *argv[] = {"EXEC"};
        size_t argvlen[] = {4};
        command_propagate(command_frame.db_id, 1, argv, argvlen);
    }
    command_frame.active = false;
}

static void command_emit(int db_id, int argc, const char **argv, const size_t *argvlen)
{
    if (command_frame.active && !command_frame.opened) {
        const char *multi[] = {"MULTI"};
        size_t multilen[] = {5};
        command_propagate(db_id, 1, multi, multilen);
        command_frame.opened = true;
    }
    command_frame.db_id = db_id;
    command_propagate(db_id, argc, argv, argvlen);
}

void command_set_propagate(command_propagate_fn *fn)
{
    command_propagate = fn;
}

void command_set_write_guard(command_guard_fn *fn)
{
    command_write_guard = fn;
}

void command_set_memory_guard(command_guard_fn *fn)
{
    command_memory_guard = fn;
}

void command_log(int db_id, int argc, const char **argv, const size_t *argvlen)
{
    if (command_propagate != NULL)
        command_emit(db_id, argc, argv, argvlen);
}

void command_propagate_as(client *c, int argc, const char **argv, const size_t *argvlen)
{
    c->propagated = true;
    if (command_propagate != NULL)
        command_emit(c->db->id, argc, argv, argvlen);
}
