/* multi: MULTI's queue of commands, and EXEC running it as one unit
 * (Part II, transactions).
 *
 * Between MULTI and EXEC a client's commands are not run: the dispatcher
 * (command.c) checks each one as usual (name, arity, AUTH, MISCONF), then
 * hands it here, and the client reads +QUEUED. A command refused while
 * queuing marks the transaction, and EXEC then refuses the whole of it
 * (-EXECABORT): a transaction with a typo in it is never half run.
 *
 * EXEC runs the queue in one go under the server lock that every command
 * runs under, so no other client, on any thread, sees the state between
 * two of its commands: that is all the atomicity Redis promises. A
 * command that fails while running (WRONGTYPE, say) does not stop the
 * others; its error is one element of EXEC's array. For the append-only
 * file the queued writes are framed by MULTI ... EXEC (command.c), so
 * that a crash in the middle of writing them is not replayed half.
 *
 *     multi_start(c);                  // MULTI
 *     multi_queue(c, cmd, flags);      // each command: copies c->argv
 *     if (multi_ready(c))              // EXEC (commands/transactions.c)
 *         ... command_call() on each multi_item() ...
 */
#ifndef MULTI_H
#define MULTI_H

#include <stdbool.h>

#include "server/client.h"

struct command;     /* server/command.h, which calls this module */

void multi_start(client *c);
void multi_queue(client *c, const struct command *cmd, int flags);    /* replies +QUEUED */
void multi_discard(client *c);          /* forget the queue and the watched keys; out of MULTI */
/* A client going away, from any thread under the server lock (CLIENT
 * KILL): its queue and watched keys, without touching its flags, which
 * only its own thread may write. */
void multi_forget(client *c);

/* EXEC, before it runs the queue: false (and the reply sent) if it must
 * not, because a command was refused while queuing (-EXECABORT) or a
 * watched key changed (null). True: the watched keys are forgotten, and
 * the queue is ready to run. */
bool multi_ready(client *c);

/* The i-th queued command, with its saved arguments. */
const struct command *multi_item(const client *c, int i, int *argc, const char ***argv, const size_t **argvlen);

/* A command refused while queuing: EXEC will answer -EXECABORT. */
void multi_flag_error(client *c);

/* EXEC itself refused (arity, MISCONF ...): the transaction ends with
 * -EXECABORT Transaction discarded because of: <why>. */
void multi_abort(client *c, const char *why);

/* Flags (COMMAND_WRITE ...) of every queued command together: EXEC is a
 * write when anything it runs is. */
int multi_queued_flags(const client *c);
int multi_queued_count(const client *c);     /* CLIENT LIST's multi=, -1 outside MULTI */

#endif
