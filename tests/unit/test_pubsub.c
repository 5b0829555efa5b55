/* Unit tests of pubsub (Part II, pub/sub): who is subscribed to what,
 * what PUBLISH delivers and counts, and the output-buffer limits, with
 * clients that have no socket: a message lands in the reply buffer. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/mem.h"
#include "data/dict.h"
#include "server/pubsub.h"

static void setup(void)
{
    uint8_t seed[16] = {0};
    dict_seed(seed);
}

static void teardown(void)
{
    pubsub_set_output_limits((pubsub_limit){0, 0, 0}, (pubsub_limit){0, 0, 0});
}

TestSuite(pubsub, .init = setup, .fini = teardown);

static client new_client(int resp)
{
    client c;
    memset(&c, 0, sizeof(c));
    c.resp = resp;
    return c;
}

static char *take_reply(client *c)
{
    static char out[4096];
    size_t n = buf_length(&c->reply);
    cr_assert_lt(n, sizeof(out));
    if (n > 0) /* an empty buffer may have no storage at all */
        memcpy(out, buf_data(&c->reply), n);
    out[n] = '\0';
    buf_clear(&c->reply);
    return out;
}

static void drop(client *c)
{
    pubsub_forget(c);
    buf_free(&c->reply);
}

Test(pubsub, subscribing_twice_counts_once)
{
    client a = new_client(2);
    cr_expect(pubsub_subscribe(&a, PUBSUB_CHANNEL, "news", 4));
    cr_expect_not(pubsub_subscribe(&a, PUBSUB_CHANNEL, "news", 4));
    cr_expect(pubsub_subscribe(&a, PUBSUB_PATTERN, "n*", 2));
    cr_expect_eq(pubsub_subscriptions(&a), 2);
    cr_expect_eq(pubsub_subscribers(PUBSUB_CHANNEL, "news", 4), 1);
    cr_expect_eq(pubsub_total(PUBSUB_PATTERN), 1);
    cr_expect(pubsub_subscribed(&a));
    drop(&a);
    cr_expect_eq(pubsub_total(PUBSUB_CHANNEL), 0, "a client that goes takes its channels with it");
    cr_expect_eq(pubsub_total(PUBSUB_PATTERN), 0);
}

Test(pubsub, publish_reaches_channel_then_pattern_subscribers)
{
    client a = new_client(2), b = new_client(3);
    pubsub_subscribe(&a, PUBSUB_CHANNEL, "ch", 2);
    pubsub_subscribe(&a, PUBSUB_PATTERN, "c*", 2);
    pubsub_subscribe(&b, PUBSUB_PATTERN, "x*", 2);
    cr_expect_eq(pubsub_publish(PUBSUB_CHANNEL, "ch", 2, "hi", 2), 2);
    cr_expect_str_eq(take_reply(&a), "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
                                     "*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n");
    cr_expect_str_eq(take_reply(&b), "", "x* does not match ch");
    cr_expect_eq(pubsub_publish(PUBSUB_CHANNEL, "xy", 2, "m", 1), 1);
    cr_expect_str_eq(take_reply(&b), ">4\r\n$8\r\npmessage\r\n$2\r\nx*\r\n$2\r\nxy\r\n$1\r\nm\r\n",
                     "RESP3 gets a push");
    drop(&a);
    drop(&b);
}

Test(pubsub, sharded_channels_are_a_namespace_of_their_own)
{
    client a = new_client(2);
    pubsub_subscribe(&a, PUBSUB_SHARD, "s", 1);
    cr_expect_eq(pubsub_publish(PUBSUB_CHANNEL, "s", 1, "m", 1), 0);
    cr_expect_eq(pubsub_subscriptions(&a), 0, "channels and patterns only");
    cr_expect(pubsub_subscribed(&a), "a sharded channel is a subscription too");
    cr_expect_eq(pubsub_publish(PUBSUB_SHARD, "s", 1, "m", 1), 1);
    cr_expect_str_eq(take_reply(&a), "*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n");
    drop(&a);
}

Test(pubsub, subscribers_are_served_in_the_order_they_came)
{
    client c[3] = {new_client(2), new_client(2), new_client(2)};
    for (int i = 0; i < 3; i++)
        pubsub_subscribe(&c[i], PUBSUB_CHANNEL, "q", 1);
    pubsub_unsubscribe(&c[0], PUBSUB_CHANNEL, "q", 1);
    cr_expect_not(pubsub_unsubscribe(&c[0], PUBSUB_CHANNEL, "q", 1));
    cr_expect_eq(pubsub_subscribers(PUBSUB_CHANNEL, "q", 1), 2);
    cr_expect_eq(pubsub_publish(PUBSUB_CHANNEL, "q", 1, "m", 1), 2);
    cr_expect_str_eq(take_reply(&c[0]), "");
    cr_expect_neq(buf_length(&c[1].reply), 0);
    cr_expect_neq(buf_length(&c[2].reply), 0);
    for (int i = 0; i < 3; i++)
        drop(&c[i]);
}

static void count_each(client *c, enum pubsub_kind kind, const char *what, const char *name, size_t len)
{
    (void)kind, (void)what, (void)name, (void)len;
    c->argc++;
}

Test(pubsub, unsubscribe_every_drops_all_of_one_kind)
{
    client a = new_client(2);
    pubsub_subscribe(&a, PUBSUB_CHANNEL, "a", 1);
    pubsub_subscribe(&a, PUBSUB_CHANNEL, "b", 1);
    pubsub_subscribe(&a, PUBSUB_PATTERN, "p*", 2);
    cr_expect_eq(pubsub_unsubscribe_every(&a, PUBSUB_CHANNEL, "unsubscribe", count_each), 2);
    cr_expect_eq(a.argc, 2);
    cr_expect_eq(pubsub_subscriptions(&a), 1, "the pattern stays");
    cr_expect_eq(pubsub_total(PUBSUB_CHANNEL), 0);
    drop(&a);
}

Test(pubsub, the_hard_limit_is_at_once_the_soft_one_after_its_seconds)
{
    pubsub_set_output_limits((pubsub_limit){0, 0, 0}, (pubsub_limit){1000, 100, 0});
    client a = new_client(2), n = new_client(2);
    pubsub_subscribe(&a, PUBSUB_CHANNEL, "c", 1);
    cr_expect(pubsub_output_over_limit(&a, 1000), "at the hard limit");
    cr_expect_not(pubsub_output_over_limit(&a, 99));
    cr_expect_not(pubsub_output_over_limit(&a, 500), "over the soft limit: not yet");
    cr_expect_neq(a.out_soft_since_ms, 0);
    cr_expect_not(pubsub_output_over_limit(&a, 50), "back under");
    cr_expect_eq(a.out_soft_since_ms, 0, "the time over is forgotten");
    cr_expect_not(pubsub_output_over_limit(&n, 1 << 30), "a normal client: no limit by default");
    drop(&a);
}
