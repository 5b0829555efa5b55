/* Unit tests of notify (Part II, keyspace notifications): the flags of
 * notify-keyspace-events as Redis 7.0 reads and prints them, and the two
 * channels an event is published on. */
#include <criterion/criterion.h>
#include <string.h>

#include "data/dict.h"
#include "server/notify.h"
#include "server/pubsub.h"

static void setup(void)
{
    uint8_t seed[16] = {0};
    dict_seed(seed);
}

static void teardown(void)
{
    notify_set_flags(0);
}

TestSuite(notify, .init = setup, .fini = teardown);

static const char *canonical(const char *letters)
{
    static char out[32];
    int flags = notify_flags_parse(letters, strlen(letters));
    cr_assert_geq(flags, 0, "%s", letters);
    notify_flags_format(flags, out, sizeof(out));
    return out;
}

Test(notify, flags_print_in_redis_order)
{
    cr_expect_str_eq(canonical(""), "");
    cr_expect_str_eq(canonical("KEA"), "AKE");
    cr_expect_str_eq(canonical("Kx"), "xK");
    cr_expect_str_eq(canonical("mK"), "Km");
    cr_expect_str_eq(canonical("Eg$lshzxe"), "g$lshzxeE");
    cr_expect_str_eq(canonical("g$lshzxetd"), "A", "every class of A is A");
    cr_expect_str_eq(canonical("KEAn"), "AKE", "Redis 7.0 drops n after A when it prints");
    cr_expect_str_eq(canonical("Kmn"), "nKm");
}

Test(notify, an_unknown_letter_is_refused)
{
    cr_expect_lt(notify_flags_parse("KEq", 3), 0);
    cr_expect_lt(notify_flags_parse("a", 1), 0, "letters are case-sensitive: a is not A");
}

static client new_client(void)
{
    client c;
    memset(&c, 0, sizeof(c));
    c.resp = 2;
    return c;
}

static char *take_reply(client *c)
{
    static char out[1024];
    size_t n = buf_length(&c->reply);
    cr_assert_lt(n, sizeof(out));
    if (n > 0) /* an empty buffer may have no storage at all */
        memcpy(out, buf_data(&c->reply), n);
    out[n] = '\0';
    buf_clear(&c->reply);
    return out;
}

Test(notify, an_event_goes_to_keyspace_then_keyevent)
{
    client sub = new_client();
    pubsub_subscribe(&sub, PUBSUB_PATTERN, "__key*__:*", 10);
    notify_set_flags(notify_flags_parse("KEl", 3));
    notify_keyspace_event(NOTIFY_LIST, "lpush", "q", 1, 3);
    cr_expect_str_eq(take_reply(&sub),
                     "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@3__:q\r\n$5\r\nlpush\r\n"
                     "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$20\r\n__keyevent@3__:lpush\r\n$1\r\nq\r\n");
    notify_keyspace_event(NOTIFY_STRING, "set", "k", 1, 0);
    cr_expect_str_eq(take_reply(&sub), "", "strings ($) are not asked for");
    notify_set_flags(notify_flags_parse("l", 1));
    notify_keyspace_event(NOTIFY_LIST, "lpush", "q", 1, 0);
    cr_expect_str_eq(take_reply(&sub), "", "a class without K or E publishes nothing");
    pubsub_forget(&sub);
    buf_free(&sub.reply);
}
