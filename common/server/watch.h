/* watch: the keys clients WATCH, and who touched them (Part II,
 * transactions).
 *
 * WATCH is optimistic locking. A client watches keys, reads them, and
 * queues writes in MULTI; EXEC then runs the writes only if no watched key
 * was changed in between, by anyone, in any way: a write from another
 * client, expiry, eviction, FLUSHDB, SWAPDB. Nobody waits for a lock;
 * the loser of a race just sees EXEC answer null and tries again.
 *
 * Every database has a table from each watched key to the list of its
 * watchers, so that a change costs one lookup: db.c calls watch_touch()
 * through its touch hook for every key it changes (when nobody watches
 * anything, that is one comparison), and watch_touch_all() before it
 * empties or swaps a whole database. Each client also keeps the list of
 * its own watched keys, to unwatch them all at EXEC, DISCARD or when it
 * goes away. Everything here runs under the server lock.
 *
 *     watch_key(c, "k", 1);          // WATCH k
 *     ... another client: SET k 1 -> watch_touch() flags c ...
 *     if (c->dirty_cas) ...                  // EXEC answers null
 *     watch_unwatch_all(c);
 */
#ifndef WATCH_H
#define WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "data/db.h"
#include "server/client.h"

void watch_key(client *c, const char *key, size_t len);   /* in c->db; twice is once */
void watch_unwatch_all(client *c);

/* The hook db.c calls for every changed key: its watchers become dirty. */
void watch_touch(db *d, const char *key, size_t len);

/* Before FLUSHDB/FLUSHALL empties d, and before SWAPDB trades the
 * contents of d and other (other NULL for a flush): a watched key is
 * touched if it exists on either side. */
void watch_touch_all(db *d, db *other);

/* At EXEC: a watched key that has expired since WATCH is a change too,
 * even if nothing has deleted it yet. */
bool watch_any_expired(client *c);

size_t watch_count(const client *c);        /* CLIENT LIST's watch= */

#endif
