/* outbox: bytes for a client that another thread serves (Part II,
 * blocking commands and pub/sub).
 *
 * A client's reply buffer belongs to its own thread, which writes it to
 * the socket without the server lock. So when a command on one thread
 * has something for a client of another (a message PUBLISH sends, the
 * element a push hands to a blocked BLPOP), the bytes go to that
 * client's `outbox` instead, under the lock, and the client is put on
 * its reactor's wake list. The first client on an empty list posts one
 * job to that reactor's inbox (io/reactor.h); the job, on the right
 * thread, moves each listed client's outbox into its reply and lets the
 * server look at it again (a client no longer blocked runs the commands
 * it pipelined meanwhile). The replies go out before the loop sleeps,
 * after the append-only file has the records they depend on.
 *
 *     outbox_send(subscriber, bytes, len);   // under the lock, any thread
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stddef.h>

#include "server/client.h"

/* On the client's own thread, under the lock, once its outbox has been
 * moved into its reply. It may close the client (client_close_soon). */
typedef void outbox_wake_fn(client *c);
void outbox_set_wake_hook(outbox_wake_fn *fn);

/* Under the lock: bytes for c, from any thread. On its own thread they
 * go straight to where its replies go now. */
void outbox_send(client *c, const char *bytes, size_t len);
/* Under the lock: have c's own thread look at it soon (its outbox has
 * bytes, or it was unblocked). */
void outbox_wake(client *c);
/* On c's own thread, under the lock, before it runs commands: what is
 * waiting for it goes first (the wake hook runs too). */
void outbox_collect(client *c);
/* Under the lock, when c goes: off its wake list. */
void outbox_forget(client *c);
/* Under the lock: bytes waiting in outboxes for their threads to take
 * them, which the memory limit leaves out, as it does the AOF's buffers
 * (server/evict.c). */
size_t outbox_pending_bytes(void);

#endif
