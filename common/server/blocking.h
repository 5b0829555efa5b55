/* blocking: clients that wait for a key without holding a thread
 * (Part II, blocking commands).
 *
 * BLPOP, BLMOVE, BZPOPMIN ... first try what their non-blocking twin
 * does. When every key they name is empty they call blocking_block(): the
 * client is parked on those keys, stops running the rest of its pipeline,
 * and its thread goes back to serving its other clients. Nothing sleeps.
 *
 * A key becomes ready when a value is put at it (the keyspace tells this
 * module through a hook, whatever command did it: a push, RENAME, MOVE,
 * the commands of an EXEC). Right after the command that made it ready,
 * still under the server lock and before any other command runs,
 * blocking_serve_ready() runs the waiters' own commands again, first
 * come first served, each told which key is ready (blocking_ready_key).
 * A waiter served by another thread's command gets its reply through
 * its reactor's inbox (server/outbox.c), which wakes its thread.
 *
 * So a blocking command is written as:
 *
 *     static void cmd_blpop(client *c) {
 *         long long deadline;
 *         if (!blocking_parse_timeout(c, c->argv[c->argc - 1], c->argvlen[c->argc - 1], &deadline))
 *             return;
 *         ... pop from the first non-empty key (only the ready key when
 *             blocking_ready_key(c) is not NULL), reply, return ...
 *         if (!blocking_may_block(c)) { reply_null_array(c); return; }   // inside MULTI
 *         blocking_block(c, 1, c->argc - 2, deadline, BLOCKING_TIMEOUT_NULL_ARRAY);
 *     }
 */
#ifndef BLOCKING_H
#define BLOCKING_H

#include <stdbool.h>
#include <stddef.h>

#include "server/client.h"

/* What a waiter gets when its time is up (Redis 7.0: a null array for
 * every blocking command, BLMOVE and BRPOPLPUSH included). */
enum blocking_timeout_reply {
    BLOCKING_TIMEOUT_NULL_ARRAY,
    BLOCKING_TIMEOUT_NULL_BULK,
};

/* A timeout argument: seconds, fractions allowed, 0 for ever. Sets
 * *deadline_ms to the absolute Unix time in ms (0: none). On a bad one,
 * replies Redis's error and returns false. */
bool blocking_parse_timeout(client *c, const char *arg, size_t len, long long *deadline_ms);

/* False where a command must not block (inside MULTI/EXEC): it then
 * answers as if its time were up. */
bool blocking_may_block(const client *c);

/* Park c on argv[first_key .. first_key + key_count - 1] of its current
 * database until one of them is ready, the deadline passes, or CLIENT
 * UNBLOCK. No reply now. Called again while its command is re-run for a
 * ready key that turned out useless (a key of another type, emptied), it
 * leaves c waiting as it was. */
void blocking_block(client *c, int first_key, int key_count, long long deadline_ms,
                    enum blocking_timeout_reply on_timeout);

/* While c's command is re-run because a key it waits on is ready: that
 * key (its length in *len); NULL on the command's first run. */
const char *blocking_ready_key(const client *c, size_t *len);

bool blocking_is_blocked(const client *c);
size_t blocking_count(void);        /* INFO blocked_clients */

/* Under the server lock, after each command (and after EXEC as a whole):
 * serve the waiters of the keys that became ready. */
void blocking_serve_ready(void);

/* The keyspace's hook: a value was put at this key (db_set_added_hook). */
void blocking_key_added(db *d, const char *key, size_t len);
/* SWAPDB: keys that now exist are ready for their waiters. */
void blocking_db_swapped(db *a, db *b);

/* CLIENT UNBLOCK: as if its time were up, or with -UNBLOCKED. False if
 * c was not blocked. */
bool blocking_unblock(client *c, bool with_error);
/* When c goes (the client's forget hook): out of every queue. */
void blocking_forget(client *c);

#endif
