/* Unit tests of blocking (Part II, blocking commands): the timeout
 * argument, clients parked on keys, and who is served, in which order,
 * when a command gives a key a value. The clients have no socket: a
 * served waiter's reply is read from its outbox. */
#include <criterion/criterion.h>
#include <string.h>

#include "commands/commands.h"
#include "data/dict.h"
#include "server/blocking.h"
#include "server/command.h"
#include "server/config.h"

static db *keys;

static void setup(void)
{
    uint8_t seed[16] = {0};
    dict_seed(seed);
    config_init();
    command_register(string_commands);
    command_register(key_commands);
    command_register(list_commands);
    command_register(list_blocking_commands);
    keys = db_create();
    db_set_added_hook(blocking_key_added);
    command_set_after_hook(blocking_serve_ready);    /* what server.c does */
}

static void teardown(void)
{
    db_set_added_hook(NULL);
    command_set_after_hook(NULL);
    db_destroy(keys);
    command_unregister_all();
    config_free();
}

TestSuite(blocking, .init = setup, .fini = teardown);

static client new_client(void)
{
    client c;
    memset(&c, 0, sizeof(c));
    c.db = keys;
    c.resp = 2;
    return c;
}

/* Run a command given as words; return its reply. */
static char *run(client *c, int argc, const char **words)
{
    static char out[4096];
    size_t lens[16];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(words[i]);
    c->argc = argc;
    c->argv = words;
    c->argvlen = lens;
    command_execute(c);
    size_t n = buf_length(&c->reply);
    cr_assert_lt(n, sizeof(out));
    if (n > 0) /* an empty buffer may have no storage at all */
        memcpy(out, buf_data(&c->reply), n);
    out[n] = '\0';
    buf_clear(&c->reply);
    c->argc = 0;
    return out;
}

#define RUN(c, ...) run((c), sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *), \
                        (const char *[]){__VA_ARGS__})

/* What a BLPOP that found nothing does, as its own thread would. */
static void park(client *c, int argc, const char **words)
{
    size_t lens[16];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(words[i]);
    c->argc = argc;
    c->argv = words;
    c->argvlen = lens;
    blocking_block(c, 1, argc - 2, 0, BLOCKING_TIMEOUT_NULL_ARRAY);
    c->argc = 0;
}

#define PARK(c, ...) park((c), sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *), \
                          (const char *[]){__VA_ARGS__})

static char *take_outbox(client *c)
{
    static char out[4096];
    size_t n = buf_length(&c->outbox);
    cr_assert_lt(n, sizeof(out));
    if (n > 0) /* an empty buffer may have no storage at all */
        memcpy(out, buf_data(&c->outbox), n);
    out[n] = '\0';
    buf_clear(&c->outbox);
    return out;
}

static void drop(client *c)
{
    blocking_forget(c);
    buf_free(&c->reply);
    buf_free(&c->outbox);
}

Test(blocking, timeouts_are_seconds_with_redis_errors)
{
    client c = new_client();
    long long deadline;
    const struct {
        const char *arg;
        const char *error;
    } bad[] = {
        {"-1", "-ERR timeout is negative\r\n"},
        {"abc", "-ERR timeout is not a float or out of range\r\n"},
        {"", "-ERR timeout is not a float or out of range\r\n"},
        {"1e400", "-ERR timeout is negative\r\n"},
        {"inf", "-ERR timeout is negative\r\n"},
        {"nan", "-ERR timeout is not a float or out of range\r\n"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_not(blocking_parse_timeout(&c, bad[i].arg, strlen(bad[i].arg), &deadline), "%s", bad[i].arg);
        cr_expect_eq(buf_length(&c.reply), strlen(bad[i].error));
        cr_expect(memcmp(buf_data(&c.reply), bad[i].error, strlen(bad[i].error)) == 0, "%s", bad[i].arg);
        buf_clear(&c.reply);
    }
    cr_expect(blocking_parse_timeout(&c, "0", 1, &deadline));
    cr_expect_eq(deadline, 0, "0 waits for ever");
    cr_expect(blocking_parse_timeout(&c, "0.0001", 6, &deadline));
    cr_expect_gt(deadline, 0, "a part of a millisecond still waits");
    drop(&c);
}

Test(blocking, a_push_serves_the_oldest_waiter_first)
{
    client w1 = new_client(), w2 = new_client(), pusher = new_client();
    PARK(&w1, "BLPOP", "q", "0");
    PARK(&w2, "BLPOP", "q", "0");
    cr_expect_eq(blocking_count(), 2);
    cr_expect_str_eq(RUN(&pusher, "RPUSH", "q", "a"), ":1\r\n");
    cr_expect_str_eq(take_outbox(&w1), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    cr_expect_not(blocking_is_blocked(&w1));
    cr_expect(blocking_is_blocked(&w2), "one element serves one waiter");
    cr_expect_str_eq(RUN(&pusher, "EXISTS", "q"), ":0\r\n", "the waiter emptied it");
    cr_expect_str_eq(RUN(&pusher, "RPUSH", "q", "b", "c"), ":2\r\n");
    cr_expect_str_eq(take_outbox(&w2), "*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
    cr_expect_str_eq(RUN(&pusher, "LRANGE", "q", "0", "-1"), "*1\r\n$1\r\nc\r\n");
    cr_expect_eq(blocking_count(), 0);
    drop(&w1);
    drop(&w2);
    drop(&pusher);
}

Test(blocking, a_waiter_on_several_keys_gets_the_ready_one)
{
    client w = new_client(), pusher = new_client();
    PARK(&w, "BRPOP", "a", "b", "a", "0");
    RUN(&pusher, "LPUSH", "b", "x", "y");
    cr_expect_str_eq(take_outbox(&w), "*2\r\n$1\r\nb\r\n$1\r\nx\r\n");
    cr_expect_eq(blocking_count(), 0, "out of every queue, the key named twice too");
    RUN(&pusher, "LPUSH", "a", "z");
    cr_expect_str_eq(RUN(&pusher, "LLEN", "a"), ":1\r\n", "nobody waits on a any more");
    drop(&w);
    drop(&pusher);
}

Test(blocking, a_key_of_another_type_is_no_use_to_a_waiter)
{
    client w = new_client(), other = new_client();
    PARK(&w, "BLPOP", "k", "0");
    RUN(&other, "SET", "k", "v");
    cr_expect(blocking_is_blocked(&w), "Redis 7.0 leaves it waiting");
    cr_expect_str_eq(take_outbox(&w), "");
    RUN(&other, "DEL", "k");
    RUN(&other, "RPUSH", "k", "e");
    cr_expect_str_eq(take_outbox(&w), "*2\r\n$1\r\nk\r\n$1\r\ne\r\n");
    drop(&w);
    drop(&other);
}

Test(blocking, unblock_answers_as_a_timeout_or_an_error)
{
    client w1 = new_client(), w2 = new_client();
    PARK(&w1, "BLPOP", "q", "0");
    PARK(&w2, "BLPOP", "q", "0");
    cr_expect(blocking_unblock(&w1, false));
    cr_expect_str_eq(take_outbox(&w1), "*-1\r\n");
    cr_expect(blocking_unblock(&w2, true));
    cr_expect_str_eq(take_outbox(&w2), "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    cr_expect_not(blocking_unblock(&w2, true), "no longer blocked");
    drop(&w1);
    drop(&w2);
}

Test(blocking, a_client_that_goes_leaves_the_queue)
{
    client w1 = new_client(), w2 = new_client(), pusher = new_client();
    PARK(&w1, "BLPOP", "q", "0");
    PARK(&w2, "BLPOP", "q", "0");
    blocking_forget(&w1);
    RUN(&pusher, "RPUSH", "q", "a");
    cr_expect_str_eq(take_outbox(&w1), "");
    cr_expect_str_eq(take_outbox(&w2), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    drop(&w1);
    drop(&w2);
    drop(&pusher);
}
