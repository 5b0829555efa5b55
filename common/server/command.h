/* command: the command table and dispatch (stage 1).
 *
 * A command is a function taking the client, plus what the dispatcher
 * checks before calling it: the arity. Positive arity is the exact number
 * of arguments, the command name included (GET key: 2); negative means
 * "at least" (DEL key [key ...]: -2). Families of commands live in
 * the files of commands/, each exporting a table; a stage registers the tables it
 * serves, which is how stage N's main.c says what stage N adds.
 *
 * The checks, in Redis's order: the name, the arity, then (stage 6) that
 * the client has authenticated, then (stage 5) that writes are not
 * refused because the append-only file cannot be written. Inside MULTI
 * (Part II) a command that passes them is queued instead of run.
 *
 *     command_register(connection_commands);
 *     command_execute(c);         // looks up c->argv[0], checks arity, runs it
 */
#ifndef COMMAND_H
#define COMMAND_H

#include <stdbool.h>

#include "server/client.h"

#define COMMAND_WRITE 1         /* may change the dataset (stage 5 logs these) */
#define COMMAND_READONLY 2
#define COMMAND_FAST 4          /* O(1) or O(log N) */
#define COMMAND_NO_AUTH 8       /* allowed before AUTH (stage 6) */
#define COMMAND_NO_QUEUE 16     /* runs at once inside MULTI: MULTI EXEC DISCARD WATCH QUIT (Part II) */
#define COMMAND_RUNS_QUEUE 32   /* EXEC: refusing it ends the transaction (Part II) */
#define COMMAND_DENYOOM 64      /* may use more memory: refused over maxmemory (Part II) */
#define COMMAND_SUBSCRIBED_OK 128   /* allowed in RESP2's subscribed mode (Part II, pub/sub) */

typedef void command_fn(client *c);

typedef struct command {
    const char *name;       /* lower case: Redis names commands so in errors */
    command_fn *fn;
    int arity;              /* exact argc, or -N for at least N */
    int flags;              /* COMMAND_* */
    /* Where its keys are: argv[first_key], then every key_step-th up to
     * last_key (-1: the last argument); 0 when it takes no key. COMMAND
     * INFO reports them (stage 6); proxies and cluster clients route by them. */
    int first_key, last_key, key_step;
    const char *group;      /* for COMMAND DOCS: string, list, generic ... */
    const char *summary;
    /* For a container (CONFIG, CLIENT, COMMAND): its subcommands, named
     * "config|get" ..., for COMMAND INFO; ends with a {NULL} entry. They
     * are run by the container's own function. */
    const struct command *subcommands;
} command;

/* Where the commands that changed the dataset go (stage 5: the AOF). */
typedef void command_propagate_fn(int db_id, int argc, const char **argv, const size_t *argvlen);

void command_register(const command *table);    /* ends with a {NULL} entry */
const command *command_lookup(const char *name, size_t len);
void command_execute(client *c);
/* Run cmd on c->argv, checks done, and log it if it changed the dataset:
 * what command_execute does last, and what EXEC does for each command it
 * runs (Part II). */
void command_call(client *c, const command *cmd);
/* Around EXEC's queue: the writes logged in between are framed by MULTI
 * and EXEC in the log (Part II, transactions). */
void command_frame_begin(void);
void command_frame_end(void);
void command_unregister_all(void);
/* Call fn for every registered command (COMMAND, stage 6). */
void command_each(void (*fn)(const command *cmd, void *data), void *data);
size_t command_count(void);
long long command_calls(void);          /* commands run: INFO's total_commands_processed */
void command_reset_stats(void);

/* A write command that changed the dataset is passed on as received,
 * unless it names what to log instead: SET k v EX 10 is logged as
 * SET k v PXAT <absolute time>, so replaying the log later does not give
 * the key ten fresh seconds. */
void command_set_propagate(command_propagate_fn *fn);
/* Asked before each write command: an error text refuses it (stage 5:
 * MISCONF while the AOF cannot be written), NULL lets it run. */
typedef const char *command_guard_fn(void);
void command_set_write_guard(command_guard_fn *fn);
/* Asked before every command when set (Part II, memory limit): it evicts
 * what it must, and an error text refuses a COMMAND_DENYOOM command. */
void command_set_memory_guard(command_guard_fn *fn);
/* Asked before every command when set (Part II, pub/sub): false refuses
 * it in this client's context, with Redis's error for a RESP2 subscriber. */
typedef bool command_context_fn(const client *c, const command *cmd);
void command_set_context_check(command_context_fn *fn);
/* Run after each command a client sent, EXEC as a whole (Part II,
 * blocking commands: serve the clients waiting for the keys it filled). */
typedef void command_after_fn(void);
void command_set_after_hook(command_after_fn *fn);
/* A record the server writes itself, not a client's command: eviction's
 * DEL (Part II). */
void command_log(int db_id, int argc, const char **argv, const size_t *argvlen);
void command_propagate_as(client *c, int argc, const char **argv, const size_t *argvlen);
bool command_arg_is(const client *c, int i, const char *word);   /* case-insensitive */
/* True if v holds `type` (enum db_type); else replies WRONGTYPE (stage 4). */
bool command_check_type(client *c, const db_value *v, int type);

#endif
