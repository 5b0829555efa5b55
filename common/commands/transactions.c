/* transactions: MULTI EXEC DISCARD WATCH UNWATCH (Part II, transactions).
 *
 * The commands are thin: the queue and EXEC live in server/multi.c, the
 * watched keys in server/watch.c, and the dispatcher (server/command.c)
 * queues a client's commands while it is inside MULTI. Read workshop.md
 * Part II, "Transactions". */
#include "commands/commands.h"
#include "server/multi.h"
#include "server/reply.h"
#include "server/watch.h"

/* MULTI */
static void cmd_multi(client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, REPLY_ERR_MULTI_NESTED);
        return;
    }
    multi_start(c);
    reply_ok(c);
}

/* Run every queued command as if it had just arrived, each reply one
 * element of EXEC's array. The client's own argv (EXEC's) is put back
 * after, for the dispatcher and CLIENT LIST. */
static void transactions_run(client *c)
{
    int argc = c->argc;
    const char **argv = c->argv;
    const size_t *argvlen = c->argvlen;
    int count = multi_queued_count(c);
    reply_array(c, count);
    command_frame_begin();
    for (int i = 0; i < count; i++) {
        const command *cmd = multi_item(c, i, &c->argc, &c->argv, &c->argvlen);
        command_call(c, cmd);
    }
    command_frame_end();
    c->argc = argc;
    c->argv = argv;
    c->argvlen = argvlen;
}

/* EXEC: the queued commands' replies as one array; null if a watched key
 * changed; -EXECABORT if one was refused while queuing. */
static void cmd_exec(client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, REPLY_ERR_EXEC_WITHOUT_MULTI);
        return;
    }
    if (!multi_ready(c))
        return;
    transactions_run(c);
    multi_discard(c);
    c->propagated = true;       /* its commands were logged, not EXEC */
}

/* DISCARD */
static void cmd_discard(client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, REPLY_ERR_DISCARD_WITHOUT_MULTI);
        return;
    }
    multi_discard(c);
    reply_ok(c);
}

/* WATCH key [key ...] */
static void cmd_watch(client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, REPLY_ERR_WATCH_IN_MULTI);
        return;
    }
    for (int i = 1; i < c->argc; i++)
        watch_key(c, c->argv[i], c->argvlen[i]);
    reply_ok(c);
}

/* UNWATCH: queued like any command inside MULTI, as in Redis. */
static void cmd_unwatch(client *c)
{
    watch_unwatch_all(c);
    c->dirty_cas = false;
    reply_ok(c);
}

const command transaction_commands[] = {
    {"multi", cmd_multi, 1, COMMAND_FAST | COMMAND_NO_QUEUE, 0, 0, 0, "transactions",
     "Starts a transaction.", NULL},
    {"exec", cmd_exec, 1, COMMAND_NO_QUEUE | COMMAND_RUNS_QUEUE, 0, 0, 0, "transactions",
     "Executes all commands in a transaction.", NULL},
    {"discard", cmd_discard, 1, COMMAND_FAST | COMMAND_NO_QUEUE, 0, 0, 0, "transactions",
     "Discards a transaction.", NULL},
    {"watch", cmd_watch, -2, COMMAND_FAST | COMMAND_NO_QUEUE, 1, -1, 1, "transactions",
     "Monitors changes to keys to determine the execution of a transaction.", NULL},
    {"unwatch", cmd_unwatch, 1, COMMAND_FAST, 0, 0, 0, "transactions",
     "Forgets about watched keys of a transaction.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
