/* Connection commands: PING and ECHO (stage 1).
 *
 * The first commands a server needs: clients use PING to check the
 * connection is alive, and ECHO shows a bulk string making the round trip. */
#include "commands/commands.h"
#include "server/pubsub.h"
#include "server/reply.h"

/* PING [message]
 * Part II, pub/sub: a RESP2 subscriber gets ["pong", message] instead,
 * in the shape of the messages it is reading. */
static void cmd_ping(client *c)
{
    if (c->argc > 2) {
        reply_error_arity(c, "ping");
        return;
    }
    if (c->resp == 2 && pubsub_subscribed(c)) {
        reply_array(c, 2);
        reply_bulk(c, "pong", 4);
        reply_bulk(c, c->argc == 2 ? c->argv[1] : "", c->argc == 2 ? c->argvlen[1] : 0);
        return;
    }
    if (c->argc == 2)
        reply_bulk(c, c->argv[1], c->argvlen[1]);
    else
        reply_simple(c, "PONG");
}

/* ECHO message */
static void cmd_echo(client *c)
{
    reply_bulk(c, c->argv[1], c->argvlen[1]);
}

const command connection_commands[] = {
    {"ping", cmd_ping, -1, COMMAND_FAST | COMMAND_SUBSCRIBED_OK, 0, 0, 0, "connection",
     "Returns the server's liveliness response.", NULL},
    {"echo", cmd_echo, 2, COMMAND_FAST, 0, 0, 0, "connection",
     "Returns the given string.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
