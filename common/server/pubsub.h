/* pubsub: channels, patterns, and who listens to them (Part II, pub/sub).
 *
 * A message is not stored: PUBLISH hands it to the clients subscribed at
 * that moment, to a channel by its exact name or to a glob pattern that
 * matches it, and forgets it. Three tables, under the server lock, each
 * from a name to its subscribers in the order they came: channels,
 * patterns, and the sharded channels of SSUBSCRIBE (one shard here: the
 * same as channels, but a namespace of their own, as in Redis). Each
 * client keeps its own side too, to count its subscriptions and drop them
 * all when it goes.
 *
 * A subscriber may be served by another thread than the publisher's:
 * the message goes through server/outbox.c. One that does not read what
 * it is sent is closed past `client-output-buffer-limit` (Redis's pubsub
 * class: 32 MB at once, or 8 MB for 60 seconds) instead of making the
 * server's memory grow without end. */
#ifndef PUBSUB_H
#define PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "server/client.h"

enum pubsub_kind {
    PUBSUB_CHANNEL,
    PUBSUB_PATTERN,
    PUBSUB_SHARD,
};

/* Under the server lock. Subscribing twice, or unsubscribing from what c
 * never subscribed to, changes nothing and returns false. */
bool pubsub_subscribe(client *c, enum pubsub_kind kind, const char *name, size_t len);
bool pubsub_unsubscribe(client *c, enum pubsub_kind kind, const char *name, size_t len);
/* UNSUBSCRIBE without arguments: drop each of c's subscriptions of one
 * kind, calling fn(c, kind, what, name, len) after each; returns how
 * many there were. */
typedef void pubsub_each_fn(client *c, enum pubsub_kind kind, const char *what, const char *name, size_t len);
size_t pubsub_unsubscribe_every(client *c, enum pubsub_kind kind, const char *what, pubsub_each_fn *fn);
size_t pubsub_client_count(const client *c, enum pubsub_kind kind);
/* Channels plus patterns: what (UN)SUBSCRIBE's replies count. */
size_t pubsub_subscriptions(const client *c);
/* Any subscription at all, sharded ones included: what makes a client of
 * the pubsub class, and a RESP2 one in the subscribed mode. */
bool pubsub_subscribed(const client *c);
void pubsub_forget(client *c);      /* c goes: all its subscriptions */

/* The number of clients that received it. */
long long pubsub_publish(enum pubsub_kind kind, const char *channel, size_t len, const char *message,
                         size_t mlen);

/* PUBSUB: the names with at least one subscriber (matching `pattern`,
 * NULL for all), each appended with resp_add_bulk; returns how many. */
size_t pubsub_names(enum pubsub_kind kind, const char *pattern, size_t plen, buf *out);
size_t pubsub_subscribers(enum pubsub_kind kind, const char *name, size_t len);
size_t pubsub_total(enum pubsub_kind kind);     /* INFO and PUBSUB NUMPAT */

/* client-output-buffer-limit's classes this server has: normal clients,
 * and clients with a subscription. Bytes; 0 for no limit. */
typedef struct pubsub_limit {
    long long hard, soft, soft_seconds;
} pubsub_limit;
void pubsub_set_output_limits(pubsub_limit normal, pubsub_limit subscriber);

/* True if `pending` bytes put c over its class's hard limit, or over its
 * soft limit for longer than its seconds (the time it first went over is
 * kept in c, and forgotten once it is back under). */
bool pubsub_output_over_limit(client *c, size_t pending);
/* On the client's own thread: close it if its replies are over its
 * output-buffer limit (its class: pubsub for a subscriber, normal
 * otherwise). True if it was closed. */
bool pubsub_check_output_limit(client *c);

#endif
