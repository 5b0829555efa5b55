/* Unit tests of command: lookup, arity checks and the unknown-command
 * error (stage 1), driven through a client that has no socket: its
 * arguments are set by hand and its reply buffer is read back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "commands/commands.h"
#include "dict.h"
#include "mem.h"

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
