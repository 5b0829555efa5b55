/* Unit tests of command: lookup, arity checks and the unknown-command
 * error (stage 1), driven through a client that has no socket: its
 * arguments are set by hand and its reply buffer is read back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "server/command.h"
#include "commands/commands.h"
#include "data/dict.h"
#include "base/mem.h"

static void setup(void)
{
    uint8_t seed[16] = {0};
    dict_seed(seed);
    command_register(connection_commands);
    command_register(string_commands);
    command_register(key_commands);
}

static void teardown(void)
{
    command_unregister_all();
}

TestSuite(command, .init = setup, .fini = teardown);

/* Run one command given as NUL-terminated words; return its reply. */
static char *run(db *keys, int argc, const char **words)
{
    static char out[4096];
    size_t lens[16];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(words[i]);
    db *own = keys ? NULL : db_create();    /* commands that never touch one still get one */
    client c;
    memset(&c, 0, sizeof(c));
    c.db = keys ? keys : own;
    c.argc = argc;
    c.argv = words;
    c.argvlen = lens;
    command_execute(&c);
    size_t n = buf_length(&c.reply);
    cr_assert_lt(n, sizeof(out));
    if (n > 0) /* an empty buffer may have no storage at all */
        memcpy(out, buf_data(&c.reply), n);
    out[n] = '\0';
    buf_free(&c.reply);
    db_destroy(own);
    return out;
}

#define RUN(keys, ...) run((keys), sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *), \
                           (const char *[]){__VA_ARGS__})

Test(command, finds_commands_whatever_the_case_of_their_name)
{
    cr_expect_not_null(command_lookup("PING", 4));
    cr_expect_not_null(command_lookup("pInG", 4));
    cr_expect_null(command_lookup("pin", 3));
    cr_expect_null(command_lookup("pingg", 5));
    cr_expect_str_eq(RUN(NULL, "EcHo", "hi"), "$2\r\nhi\r\n");
}

Test(command, rejects_a_wrong_argument_count_with_the_lower_case_name)
{
    cr_expect_str_eq(RUN(NULL, "ECHO"), "-ERR wrong number of arguments for 'echo' command\r\n");
    cr_expect_str_eq(RUN(NULL, "Get", "a", "b"), "-ERR wrong number of arguments for 'get' command\r\n");
    cr_expect_str_eq(RUN(NULL, "del"), "-ERR wrong number of arguments for 'del' command\r\n");
}

Test(command, names_an_unknown_command_and_quotes_its_first_arguments)
{
    cr_expect_str_eq(RUN(NULL, "foo"), "-ERR unknown command 'foo', with args beginning with: \r\n");
    cr_expect_str_eq(RUN(NULL, "FOO", "a", "b"),
                     "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
}

Test(command, quotes_at_most_128_bytes_of_arguments_in_an_unknown_command_error)
{
    char a[101], b[101];
    memset(a, 'a', 100), a[100] = '\0';
    memset(b, 'b', 100), b[100] = '\0';
    const char *reply = RUN(NULL, "foo", a, b, "c");
    /* 'a'x100 plus quote and space is 103 bytes; 25 more of b fit. */
    char expected[400];
    snprintf(expected, sizeof(expected),
             "-ERR unknown command 'foo', with args beginning with: '%s' '%.25s' \r\n", a, b);
    cr_expect_str_eq(reply, expected);
}

Test(command, turns_line_breaks_in_an_error_into_spaces)
{
    cr_expect_str_eq(RUN(NULL, "a\r\nb"), "-ERR unknown command 'a  b', with args beginning with: \r\n");
}

Test(command, runs_a_command_against_the_keyspace)
{
    db *keys = db_create();
    cr_expect_str_eq(RUN(keys, "SET", "n", "41"), "+OK\r\n");
    cr_expect_str_eq(RUN(keys, "INCR", "n"), ":42\r\n");
    cr_expect_str_eq(RUN(keys, "GET", "n"), "$2\r\n42\r\n");
    cr_expect_str_eq(RUN(keys, "DEL", "n", "n"), ":1\r\n");
    cr_expect_str_eq(RUN(keys, "GET", "n"), "$-1\r\n");
    db_destroy(keys);
}

/* ---------------- Stage 6: NOAUTH, statistics, last_cmd, the write guard ---------------- */

#include "server/reply.h"

/* Commands of the tests' own, to see whether the dispatcher ran them. */
static int probe_runs, guard_asked;
static const char *guard_answer;

static void cmd_probe(client *c)
{
    probe_runs++;
    reply_ok(c);
}

static void cmd_probe_write(client *c)
{
    probe_runs++;
    db_changed(c->db);
    reply_ok(c);
}

static const command probe_commands[] = {
    {"probe", cmd_probe, -1, COMMAND_NO_AUTH | COMMAND_FAST, 0, 0, 0, "connection", "Runs before AUTH.", NULL},
    {"probewrite", cmd_probe_write, 2, COMMAND_WRITE | COMMAND_NO_AUTH, 1, 1, 1, "generic",
     "A write allowed before AUTH.", NULL},
    {"probeauth", cmd_probe, 1, COMMAND_FAST, 0, 0, 0, "connection", "Needs AUTH.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};

static const char *guard(void)
{
    guard_asked++;
    return guard_answer;
}

/* Like run(), with a client the test keeps (for auth_required, last_cmd). */
static char *run_as(client *c, int argc, const char **words)
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
    if (n > 0)
        memcpy(out, buf_data(&c->reply), n);
    out[n] = '\0';
    buf_free(&c->reply);
    memset(&c->reply, 0, sizeof(c->reply));
    c->argc = 0;
    c->argv = NULL;
    c->argvlen = NULL;
    return out;
}

#define RUN_AS(c, ...) run_as((c), sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *), \
                              (const char *[]){__VA_ARGS__})

static client new_client(db *keys, bool auth_required)
{
    client c;
    memset(&c, 0, sizeof(c));
    c.db = keys;
    c.resp = 2;
    c.auth_required = auth_required;
    return c;
}

#define NOAUTH "-NOAUTH Authentication required.\r\n"

Test(command, refuses_commands_with_noauth_until_authenticated)
{
    db *keys = db_create();
    client c = new_client(keys, true);
    cr_expect_str_eq(RUN_AS(&c, "PING"), NOAUTH);
    cr_expect_str_eq(RUN_AS(&c, "get", "k"), NOAUTH);
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), NOAUTH);
    cr_expect_str_eq(RUN_AS(&c, "DEL", "k"), NOAUTH);
    c.auth_required = false;            /* what a successful AUTH does */
    cr_expect_str_eq(RUN_AS(&c, "PING"), "+PONG\r\n");
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), "+OK\r\n");
    db_destroy(keys);
}

Test(command, a_command_refused_with_noauth_does_not_run)
{
    command_register(probe_commands);
    db *keys = db_create();
    client c = new_client(keys, true);
    long long changes = db_changes(), calls = command_calls();
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), NOAUTH);
    cr_expect_str_eq(RUN_AS(&c, "probeauth"), NOAUTH);
    cr_expect_eq(probe_runs, 0, "a command refused with NOAUTH ran");
    cr_expect_eq(db_size(keys), 0);
    cr_expect_eq(db_changes(), changes);
    cr_expect_eq(command_calls(), calls, "refused commands were counted as run");
    db_destroy(keys);
}

Test(command, commands_flagged_no_auth_run_before_authentication)
{
    command_register(probe_commands);
    db *keys = db_create();
    client c = new_client(keys, true);
    cr_expect_str_eq(RUN_AS(&c, "PROBE"), "+OK\r\n");
    cr_expect_str_eq(RUN_AS(&c, "probe", "with", "args"), "+OK\r\n");
    cr_expect_str_eq(RUN_AS(&c, "probewrite", "k"), "+OK\r\n");
    cr_expect_eq(probe_runs, 3);
    cr_expect(c.auth_required, "running a NO_AUTH command does not authenticate");
    cr_expect_str_eq(RUN_AS(&c, "probeauth"), NOAUTH);
    db_destroy(keys);
}

Test(command, unknown_commands_and_arity_errors_come_before_noauth)
{
    command_register(probe_commands);
    db *keys = db_create();
    client c = new_client(keys, true);
    cr_expect_str_eq(RUN_AS(&c, "nosuch", "a"), "-ERR unknown command 'nosuch', with args beginning with: 'a' \r\n");
    cr_expect_str_eq(RUN_AS(&c, "GET"), "-ERR wrong number of arguments for 'get' command\r\n");
    cr_expect_str_eq(RUN_AS(&c, "get", "a", "b"), "-ERR wrong number of arguments for 'get' command\r\n");
    cr_expect_str_eq(RUN_AS(&c, "probeauth", "extra"), "-ERR wrong number of arguments for 'probeauth' command\r\n");
    /* A NO_AUTH command's arity is checked all the same. */
    cr_expect_str_eq(RUN_AS(&c, "probewrite"), "-ERR wrong number of arguments for 'probewrite' command\r\n");
    cr_expect_eq(probe_runs, 0);
    db_destroy(keys);
}

Test(command, counts_the_commands_run)
{
    command_reset_stats();
    cr_expect_eq(command_calls(), 0);
    db *keys = db_create();
    client c = new_client(keys, false);
    RUN_AS(&c, "PING");
    RUN_AS(&c, "SET", "k", "v");
    RUN_AS(&c, "GET", "k");
    cr_expect_eq(command_calls(), 3);
    RUN_AS(&c, "INCR", "k");            /* an error reply is still a command run */
    cr_expect_eq(command_calls(), 4);
    RUN_AS(&c, "nosuch");
    RUN_AS(&c, "GET");
    cr_expect_eq(command_calls(), 4, "an unknown command or an arity error is not a command run");
    RUN(keys, "PING");                  /* every client counts */
    cr_expect_eq(command_calls(), 5);
    command_reset_stats();
    cr_expect_eq(command_calls(), 0);
    RUN_AS(&c, "PING");
    cr_expect_eq(command_calls(), 1);
    db_destroy(keys);
}

Test(command, resetting_the_statistics_keeps_the_commands)
{
    size_t count = command_count();
    RUN(NULL, "PING");
    command_reset_stats();
    cr_expect_eq(command_count(), count);
    cr_expect_str_eq(RUN(NULL, "PING"), "+PONG\r\n");
}

Test(command, remembers_the_last_command_by_its_lower_case_name)
{
    db *keys = db_create();
    client c = new_client(keys, false);
    cr_expect_null(c.last_cmd);
    RUN_AS(&c, "SeT", "k", "v");
    cr_assert_not_null(c.last_cmd);
    cr_expect_str_eq(c.last_cmd, "set");
    RUN_AS(&c, "GET", "k");
    cr_expect_str_eq(c.last_cmd, "get");
    cr_expect_eq(c.last_cmd, command_lookup("get", 3)->name, "last_cmd is the table's own name");
    RUN_AS(&c, "INCR", "k");            /* failed, but ran */
    cr_expect_str_eq(c.last_cmd, "incr");
    db_destroy(keys);
}

static void collect(const command *cmd, void *data)
{
    char *names = data;
    strcat(names, cmd->name);
    strcat(names, " ");
}

static void count_each(const command *cmd, void *data)
{
    (void)cmd;
    (*(size_t *)data)++;
}

Test(command, each_visits_every_registered_command_once)
{
    size_t expected = 0;
    for (const command *tables[] = {connection_commands, string_commands, key_commands}, **t = tables;
         t < tables + 3; t++)
        for (const command *cmd = *t; cmd->name != NULL; cmd++)
            expected++;
    cr_expect_eq(command_count(), expected);
    size_t seen = 0;
    command_each(count_each, &seen);
    cr_expect_eq(seen, expected);

    static char names[8192];
    names[0] = '\0';
    command_each(collect, names);
    const char *some[] = {" ping ", " echo ", " get ", " set ", " del ", " incr "};
    char padded[8200];
    snprintf(padded, sizeof(padded), " %s", names);
    for (size_t i = 0; i < sizeof(some) / sizeof(some[0]); i++) {
        const char *first = strstr(padded, some[i]);
        cr_expect_not_null(first, "%s was not visited: %s", some[i], names);
        if (first != NULL)
            cr_expect_null(strstr(first + 1, some[i]), "%s was visited twice: %s", some[i], names);
    }
}

Test(command, registering_a_name_again_replaces_it_without_counting_it_twice)
{
    size_t count = command_count();
    command_register(string_commands);      /* the same table again */
    cr_expect_eq(command_count(), count);
    command_register(probe_commands);
    cr_expect_eq(command_count(), count + 3);
    static const command other_ping[] = {
        {"ping", cmd_probe, -1, COMMAND_FAST, 0, 0, 0, "connection", "A replacement.", NULL},
        {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
    };
    command_register(other_ping);
    cr_expect_eq(command_count(), count + 3);
    cr_expect_eq(command_lookup("PING", 4), &other_ping[0]);
    cr_expect_str_eq(RUN(NULL, "PING"), "+OK\r\n");
}

Test(command, count_and_each_with_nothing_registered)
{
    command_unregister_all();
    cr_expect_eq(command_count(), 0);
    size_t seen = 0;
    command_each(count_each, &seen);
    cr_expect_eq(seen, 0);
    command_register(connection_commands);  /* the table comes back */
    cr_expect_gt(command_count(), 0);
}

Test(command, the_write_guard_refuses_write_commands_only)
{
    db *keys = db_create();
    client c = new_client(keys, false);
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), "+OK\r\n");
    guard_answer = "MISCONF Errors writing to the AOF file";
    command_set_write_guard(guard);
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "w"), "-MISCONF Errors writing to the AOF file\r\n");
    cr_expect_str_eq(RUN_AS(&c, "DEL", "k"), "-MISCONF Errors writing to the AOF file\r\n");
    cr_expect_str_eq(RUN_AS(&c, "INCR", "n"), "-MISCONF Errors writing to the AOF file\r\n");
    cr_expect_str_eq(RUN_AS(&c, "GET", "k"), "$1\r\nv\r\n");
    cr_expect_str_eq(RUN_AS(&c, "PING"), "+PONG\r\n");
    cr_expect_str_eq(RUN_AS(&c, "EXISTS", "k"), ":1\r\n");
    cr_expect_eq(guard_asked, 3, "the guard was asked %d times, for the 3 writes only", guard_asked);
    cr_expect_eq(db_size(keys), 1);
    command_set_write_guard(NULL);
    db_destroy(keys);
}

Test(command, a_write_refused_by_the_guard_changes_nothing)
{
    command_register(probe_commands);
    db *keys = db_create();
    client c = new_client(keys, false);
    guard_answer = "MISCONF no";
    command_set_write_guard(guard);
    long long changes = db_changes();
    cr_expect_str_eq(RUN_AS(&c, "probewrite", "k"), "-MISCONF no\r\n");
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), "-MISCONF no\r\n");
    cr_expect_eq(probe_runs, 0);
    cr_expect_eq(db_size(keys), 0);
    cr_expect_eq(db_changes(), changes);
    command_set_write_guard(NULL);
    db_destroy(keys);
}

/* Redis counts total_commands_processed in call(), which a command
 * refused before it runs (MISCONF, like NOAUTH) never reaches; command.h
 * calls command_calls() "commands run". */
Test(command, a_write_refused_by_the_guard_is_not_counted_as_run)
{
    db *keys = db_create();
    client c = new_client(keys, false);
    guard_answer = "MISCONF no";
    command_set_write_guard(guard);
    command_reset_stats();
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), "-MISCONF no\r\n");
    cr_expect_eq(command_calls(), 0, "a write refused by the guard counted as a command run");
    long long calls = command_calls();
    RUN_AS(&c, "GET", "k");
    cr_expect_eq(command_calls(), calls + 1, "a read still runs and counts");
    command_set_write_guard(NULL);
    db_destroy(keys);
}

Test(command, a_guard_that_answers_null_lets_writes_run)
{
    db *keys = db_create();
    client c = new_client(keys, false);
    guard_answer = "MISCONF no";
    command_set_write_guard(guard);
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), "-MISCONF no\r\n");
    guard_answer = NULL;                    /* the disk is writable again */
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), "+OK\r\n");
    cr_expect_eq(guard_asked, 2);
    guard_answer = "MISCONF no";
    command_set_write_guard(NULL);          /* no guard at all */
    cr_expect_str_eq(RUN_AS(&c, "DEL", "k"), ":1\r\n");
    cr_expect_eq(guard_asked, 2);
    db_destroy(keys);
}

Test(command, noauth_comes_before_the_write_guard)
{
    db *keys = db_create();
    client c = new_client(keys, true);
    guard_answer = "MISCONF no";
    command_set_write_guard(guard);
    cr_expect_str_eq(RUN_AS(&c, "SET", "k", "v"), NOAUTH);
    cr_expect_eq(guard_asked, 0);
    command_set_write_guard(NULL);
    db_destroy(keys);
}

Test(command, noauth_errors_are_the_same_in_resp3)
{
    db *keys = db_create();
    client c = new_client(keys, true);
    c.resp = 3;
    cr_expect_str_eq(RUN_AS(&c, "GET", "k"), NOAUTH);
    c.auth_required = false;
    cr_expect_str_eq(RUN_AS(&c, "GET", "k"), "_\r\n", "a missing key is RESP3's null");
    db_destroy(keys);
}
