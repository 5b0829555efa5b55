/* pubsub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB
 * SSUBSCRIBE SUNSUBSCRIBE SPUBLISH (Part II, pub/sub).
 *
 * The commands are thin: who listens to what, and the delivery of a
 * message to subscribers on any thread, live in server/pubsub.c. Each
 * (un)subscription is confirmed by a message of its own, [kind, name,
 * how many subscriptions the client has left], which RESP3 sends as a
 * push like the messages themselves. A RESP2 client with a subscription
 * is in the subscribed mode: the dispatcher (server/command.c) then
 * refuses every command but these, PING and QUIT. */
#include <string.h>

#include "commands/commands.h"
#include "server/pubsub.h"
#include "server/reply.h"

/* The count a confirmation carries: channels and patterns together, or
 * the sharded channels on their own, as in Redis. */
static long long pubsub_count_for(const client *c, enum pubsub_kind kind)
{
    if (kind == PUBSUB_SHARD)
        return (long long)pubsub_client_count(c, PUBSUB_SHARD);
    return (long long)pubsub_subscriptions(c);
}

static void pubsub_confirm(client *c, enum pubsub_kind kind, const char *what, const char *name, size_t len)
{
    bool was_pushing = c->pushing;
    c->pushing = true;          /* sent even after CLIENT REPLY OFF, as by Redis */
    reply_push(c, 3);
    reply_bulk(c, what, strlen(what));
    if (name != NULL)
        reply_bulk(c, name, len);
    else
        reply_null(c);
    reply_int(c, pubsub_count_for(c, kind));
    c->pushing = was_pushing;
}

static void pubsub_subscribe_all(client *c, enum pubsub_kind kind, const char *what)
{
    for (int i = 1; i < c->argc; i++) {
        pubsub_subscribe(c, kind, c->argv[i], c->argvlen[i]);
        pubsub_confirm(c, kind, what, c->argv[i], c->argvlen[i]);
    }
}

/* With names, each of them (confirmed even if c was not subscribed);
 * without, everything c has of this kind, or one confirmation with a
 * null name if it has nothing. */
static void pubsub_unsubscribe_all(client *c, enum pubsub_kind kind, const char *what)
{
    if (c->argc > 1) {
        for (int i = 1; i < c->argc; i++) {
            pubsub_unsubscribe(c, kind, c->argv[i], c->argvlen[i]);
            pubsub_confirm(c, kind, what, c->argv[i], c->argvlen[i]);
        }
        return;
    }
    if (pubsub_unsubscribe_every(c, kind, what, pubsub_confirm) == 0)
        pubsub_confirm(c, kind, what, NULL, 0);
}

static void cmd_subscribe(client *c)
{
    pubsub_subscribe_all(c, PUBSUB_CHANNEL, "subscribe");
}

static void cmd_unsubscribe(client *c)
{
    pubsub_unsubscribe_all(c, PUBSUB_CHANNEL, "unsubscribe");
}

static void cmd_psubscribe(client *c)
{
    pubsub_subscribe_all(c, PUBSUB_PATTERN, "psubscribe");
}

static void cmd_punsubscribe(client *c)
{
    pubsub_unsubscribe_all(c, PUBSUB_PATTERN, "punsubscribe");
}

static void cmd_ssubscribe(client *c)
{
    pubsub_subscribe_all(c, PUBSUB_SHARD, "ssubscribe");
}

static void cmd_sunsubscribe(client *c)
{
    pubsub_unsubscribe_all(c, PUBSUB_SHARD, "sunsubscribe");
}

/* PUBLISH channel message: how many clients received it. */
static void cmd_publish(client *c)
{
    reply_int(c, pubsub_publish(PUBSUB_CHANNEL, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2]));
}

static void cmd_spublish(client *c)
{
    reply_int(c, pubsub_publish(PUBSUB_SHARD, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2]));
}

/* ---------------- PUBSUB ---------------- */

static void pubsub_reply_names(client *c, enum pubsub_kind kind)
{
    buf names = BUF_INIT;
    size_t n = c->argc == 3 ? pubsub_names(kind, c->argv[2], c->argvlen[2], &names)
                            : pubsub_names(kind, NULL, 0, &names);
    reply_array(c, (long long)n);
    reply_raw(c, buf_data(&names), buf_length(&names));
    buf_free(&names);
}

static void pubsub_reply_numsub(client *c, enum pubsub_kind kind)
{
    reply_array(c, (long long)(c->argc - 2) * 2);
    for (int i = 2; i < c->argc; i++) {
        reply_bulk(c, c->argv[i], c->argvlen[i]);
        reply_int(c, (long long)pubsub_subscribers(kind, c->argv[i], c->argvlen[i]));
    }
}

static const char *const pubsub_help[] = {
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
};

static void pubsub_reply_help(client *c)
{
    size_t n = sizeof(pubsub_help) / sizeof(pubsub_help[0]);
    reply_array(c, (long long)n);
    for (size_t i = 0; i < n; i++)
        reply_simple(c, pubsub_help[i]);
}

/* PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB|HELP ... */
static void cmd_pubsub(client *c)
{
    if (command_arg_is(c, 1, "channels") || command_arg_is(c, 1, "shardchannels")) {
        bool shard = command_arg_is(c, 1, "shardchannels");
        if (c->argc > 3) {
            reply_error_format(c, REPLY_ERR_SUBCOMMAND_SYNTAX_FMT, (int)c->argvlen[1], c->argv[1], "PUBSUB");
            return;
        }
        pubsub_reply_names(c, shard ? PUBSUB_SHARD : PUBSUB_CHANNEL);
    } else if (command_arg_is(c, 1, "numsub")) {
        pubsub_reply_numsub(c, PUBSUB_CHANNEL);
    } else if (command_arg_is(c, 1, "shardnumsub")) {
        pubsub_reply_numsub(c, PUBSUB_SHARD);
    } else if (command_arg_is(c, 1, "numpat")) {
        if (c->argc != 2) {
            reply_error_arity(c, "pubsub|numpat");
            return;
        }
        reply_int(c, (long long)pubsub_total(PUBSUB_PATTERN));
    } else if (command_arg_is(c, 1, "help")) {
        if (c->argc != 2) {
            reply_error_arity(c, "pubsub|help");
            return;
        }
        pubsub_reply_help(c);
    } else {
        reply_error_unknown_subcommand(c, "PUBSUB");
    }
}

static const command pubsub_subcommands[] = {
    {"pubsub|channels", NULL, -2, 0, 0, 0, 0, "pubsub", "Returns the active channels.", NULL},
    {"pubsub|numpat", NULL, 2, 0, 0, 0, 0, "pubsub", "Returns a count of unique pattern subscriptions.", NULL},
    {"pubsub|numsub", NULL, -2, 0, 0, 0, 0, "pubsub", "Returns a count of subscribers to channels.", NULL},
    {"pubsub|shardchannels", NULL, -2, 0, 0, 0, 0, "pubsub", "Returns the active shard channels.", NULL},
    {"pubsub|shardnumsub", NULL, -2, 0, 0, 0, 0, "pubsub", "Returns the count of subscribers of shard channels.", NULL},
    {"pubsub|help", NULL, 2, 0, 0, 0, 0, "pubsub", "Returns helpful text about the different subcommands.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

const command pubsub_commands[] = {
    {"subscribe", cmd_subscribe, -2, COMMAND_SUBSCRIBED_OK, 0, 0, 0, "pubsub",
     "Listens for messages published to channels.", NULL},
    {"unsubscribe", cmd_unsubscribe, -1, COMMAND_SUBSCRIBED_OK, 0, 0, 0, "pubsub",
     "Stops listening to messages posted to channels.", NULL},
    {"psubscribe", cmd_psubscribe, -2, COMMAND_SUBSCRIBED_OK, 0, 0, 0, "pubsub",
     "Listens for messages published to channels that match one or more patterns.", NULL},
    {"punsubscribe", cmd_punsubscribe, -1, COMMAND_SUBSCRIBED_OK, 0, 0, 0, "pubsub",
     "Stops listening to messages published to channels that match one or more patterns.", NULL},
    {"ssubscribe", cmd_ssubscribe, -2, COMMAND_SUBSCRIBED_OK, 1, -1, 1, "pubsub",
     "Listens for messages published to shard channels.", NULL},
    {"sunsubscribe", cmd_sunsubscribe, -1, COMMAND_SUBSCRIBED_OK, 1, -1, 1, "pubsub",
     "Stops listening to messages posted to shard channels.", NULL},
    {"publish", cmd_publish, 3, COMMAND_FAST, 0, 0, 0, "pubsub",
     "Posts a message to a channel.", NULL},
    {"spublish", cmd_spublish, 3, COMMAND_FAST, 1, 1, 1, "pubsub",
     "Post a message to a shard channel", NULL},
    {"pubsub", cmd_pubsub, -2, 0, 0, 0, 0, "pubsub",
     "A container for Pub/Sub commands.", pubsub_subcommands},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
