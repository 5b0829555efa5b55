/* serve: the life of a request, from accept to reply (stage 1).
 *
 *   accept -> admission -> a client on one of the loops ->
 *   readable -> client_read() -> the parser cuts requests out of `query`
 *   -> command_execute() each, under the server lock -> the replies,
 *   held until the AOF has them (stage 5) -> client_write()
 *
 * This is the one module that knows both the client's bytes and the
 * commands; the client (client.c), the rules for who may connect
 * (admission.c) and the command table (command.c) each know only their
 * own part.
 *
 *     loop_watch(l, listen_fd, LOOP_READABLE, serve_accept, first_db); */
#ifndef SERVE_H
#define SERVE_H

#include "io/loop.h"

/* A listener's handler; `data` is the database new clients start in. */
void serve_accept(loop *l, int listen_fd, void *data, int ready);

/* Part II: the outbox's wake hook (server/outbox.h). */
struct client;
void serve_on_wake(struct client *c);

#endif
