/* Unit tests of seed: the first workshop server's command line, kept by
 * stage 6. What is tested here is pure: which command lines are the
 * seed's, how its options and port ranges are read, how an exec line is
 * split into words (no shell meaning anything), the allowlist, which
 * addresses count as loopback, and the exact layout of `hexdump -C`. The
 * expected dumps were printed by hexdump itself (util-linux 2.38). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "hexdump.h"
#include "seed.h"

/* ---------------- Which command lines are the seed's ---------------- */

static bool is_seed(int argc, const char **argv)
{
    return seed_is_command_line(argc, (char **)argv);
}

Test(seed, short_options_first_make_a_seed_command_line)
{
    const char *echo[] = {"stage6", "-p", "8888"};
    const char *udp[] = {"stage6", "-l", "udp", "-p", "8889"};
    const char *redis[] = {"stage6", "-i", "I", "-p", "8001"};
    const char *exec[] = {"stage6", "--exec-allow", "date", "-e", "true"};
    cr_expect(is_seed(3, echo));
    cr_expect(is_seed(5, udp));
    cr_expect(is_seed(5, redis));
    cr_expect(is_seed(5, exec));
}

Test(seed, redis_server_style_command_lines_are_left_to_the_redis_server)
{
    const char *none[] = {"stage6"};
    const char *port[] = {"stage6", "--port", "7000"};
    const char *conf[] = {"stage6", "redis.conf", "--port", "7000"};
    const char *later[] = {"stage6", "--port", "7000", "-p", "8888"};
    cr_expect_not(is_seed(1, none));
    cr_expect_not(is_seed(3, port));
    cr_expect_not(is_seed(4, conf));
    cr_expect_not(is_seed(5, later), "only the first argument decides");
}

Test(seed, help_anywhere_is_the_seeds_too_so_it_can_print_its_part)
{
    const char *help[] = {"stage6", "--help"};
    const char *h[] = {"stage6", "--port", "7000", "-h"};
    cr_expect(is_seed(2, help));
    cr_expect(is_seed(4, h));
}

/* ---------------- Port ranges ---------------- */

typedef struct ports_case {
    char text[24];
    int ok;
    int first, last;
} ports_case;

ParameterizedTestParameters(seed, port_ranges)
{
    static ports_case cases[] = {
        {"8888", 1, 8888, 8888},
        {"8888-9000", 1, 8888, 9000},
        {"1", 1, 1, 1},
        {"65535", 1, 65535, 65535},
        {"7-7", 1, 7, 7},
        {"1-1024", 1, 1, 1024},
        {"0", 0, 0, 0},
        {"65536", 0, 0, 0},
        {"123456", 0, 0, 0},
        {"", 0, 0, 0},
        {"abc", 0, 0, 0},
        {"88a", 0, 0, 0},
        {"+80", 0, 0, 0},
        {" 80", 0, 0, 0},
        {"-80", 0, 0, 0},
        {"8888-", 0, 0, 0},
        {"8888-9000-9001", 0, 0, 0},
        {"9000-8888", 0, 0, 0},
        {"1-1025", 0, 0, 0},
    };
    return cr_make_param_array(ports_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(ports_case *c, seed, port_ranges)
{
    int first = -1, last = -1;
    char err[SEED_ERR_LEN] = "";
    int rc = seed_parse_ports(c->text, &first, &last, err);
    if (c->ok) {
        cr_assert_eq(rc, 0, "'%s' should parse: %s", c->text, err);
        cr_expect_eq(first, c->first, "'%s': first %d, expected %d", c->text, first, c->first);
        cr_expect_eq(last, c->last, "'%s': last %d, expected %d", c->text, last, c->last);
    } else {
        cr_expect_eq(rc, -1, "'%s' should be refused", c->text);
        cr_expect(strstr(err, "-p") != NULL, "the error names -p: %s", err);
    }
}

/* ---------------- Options ---------------- */

static char *redis_room[32];

static int parse(seed_options *o, char *err, int argc, const char **argv)
{
    o->redis_argv = redis_room;
    return seed_parse_options(argc, (char **)argv, o, err);
}

Test(seed, defaults_are_the_seeds_port_and_a_small_allowlist)
{
    const char *argv[] = {"stage6", "-x", "true"};
    seed_options o;
    char err[SEED_ERR_LEN];
    cr_assert_eq(parse(&o, err, 3, argv), 0, "%s", err);
    cr_expect_eq(o.first_port, 8001);
    cr_expect_eq(o.last_port, 8001);
    cr_expect(o.hexdump);
    cr_expect_not(o.udp || o.exec || o.redis);
    cr_expect_str_eq(o.exec_allow, "date,echo,uname,whoami,ls");
    cr_expect_gt(o.exec_time_limit_ms, 0);
    cr_expect_gt(o.exec_max_output, 0);
}

Test(seed, every_seed_option_is_read)
{
    const char *argv[] = {"stage6", "-p", "8891", "-e", "true", "--exec-allow", "sleep,echo",
                          "--exec-time-limit", "250", "--exec-max-output", "100", "-x", "yes"};
    seed_options o;
    char err[SEED_ERR_LEN];
    cr_assert_eq(parse(&o, err, 13, argv), 0, "%s", err);
    cr_expect_eq(o.first_port, 8891);
    cr_expect(o.exec);
    cr_expect(o.hexdump);
    cr_expect_str_eq(o.exec_allow, "sleep,echo");
    cr_expect_eq(o.exec_time_limit_ms, 250);
    cr_expect_eq(o.exec_max_output, 100);
}

Test(seed, udp_is_chosen_with_dash_l_in_any_case)
{
    const char *argv[] = {"stage6", "-l", "UDP", "-p", "8889"};
    seed_options o;
    char err[SEED_ERR_LEN];
    cr_assert_eq(parse(&o, err, 5, argv), 0, "%s", err);
    cr_expect(o.udp);
}

Test(seed, a_false_word_turns_an_option_off)
{
    const char *argv[] = {"stage6", "-p", "8890", "-x", "false", "-e", "no"};
    seed_options o;
    char err[SEED_ERR_LEN];
    cr_assert_eq(parse(&o, err, 7, argv), 0, "%s", err);
    cr_expect_not(o.hexdump);
    cr_expect_not(o.exec);
}

Test(seed, dash_i_keeps_the_redis_server_options_that_come_along)
{
    const char *argv[] = {"stage6", "-p", "8001", "--appendonly", "no", "-i", "I", "--bind", "127.0.0.1", "-::1"};
    seed_options o;
    char err[SEED_ERR_LEN];
    cr_assert_eq(parse(&o, err, 10, argv), 0, "%s", err);
    cr_expect(o.redis);
    cr_expect_eq(o.first_port, 8001);
    cr_assert_eq(o.redis_argc, 5);
    cr_expect_str_eq(o.redis_argv[0], "--appendonly");
    cr_expect_str_eq(o.redis_argv[1], "no");
    cr_expect_str_eq(o.redis_argv[2], "--bind");
    cr_expect_str_eq(o.redis_argv[4], "-::1", "a value starting with '-' is still a value");
}

/* Arrays, not pointers: Criterion copies each case into the process that
 * runs it. */
typedef struct refusal_case {
    char argv[8][24];
    int argc;
    char named[32];     /* what the error must mention */
} refusal_case;

ParameterizedTestParameters(seed, nonsense_combinations_are_refused)
{
    static refusal_case cases[] = {
        {{"stage6", "-p"}, 2, "-p"},
        {{"stage6", "-l", "sctp"}, 3, "-l"},
        {{"stage6", "-x", "maybe"}, 3, "-x"},
        {{"stage6", "-e", "maybe"}, 3, "-e"},
        {{"stage6", "-p", "8888", "extra"}, 4, "extra"},
        {{"stage6", "-p", "8888", "--appendonly", "no"}, 5, "--appendonly"},
        {{"stage6", "-p", "8001", "-i", "I", "-l", "udp"}, 7, "-i"},
        {{"stage6", "-p", "8001", "-i", "I", "-e", "true"}, 7, "-i"},
        {{"stage6", "-p", "8001-8002", "-i", "I"}, 5, "range"},
        {{"stage6", "-l", "udp", "-e", "true"}, 5, "udp"},
        {{"stage6", "-p", "8891", "--exec-allow", "sleep"}, 5, "-e true"},
        {{"stage6", "-e", "true", "--exec-allow", "/bin/sh"}, 5, "--exec-allow"},
        {{"stage6", "-e", "true", "--exec-allow", "date,,ls"}, 5, "--exec-allow"},
        {{"stage6", "-e", "true", "--exec-allow", ".."}, 5, "--exec-allow"},
        {{"stage6", "-e", "true", "--exec-time-limit", "0"}, 5, "--exec-time-limit"},
        {{"stage6", "-e", "true", "--exec-max-output", "-1"}, 5, "--exec-max-output"},
        {{"stage6", "-e", "true", "--exec-everything", "yes"}, 5, "--exec-everything"},
    };
    return cr_make_param_array(refusal_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(refusal_case *c, seed, nonsense_combinations_are_refused)
{
    const char *argv[8];
    for (int i = 0; i < c->argc; i++)
        argv[i] = c->argv[i];
    seed_options o;
    char err[SEED_ERR_LEN] = "";
    cr_expect_eq(parse(&o, err, c->argc, argv), -1, "argument %s should be refused", argv[c->argc - 1]);
    cr_expect(strstr(err, c->named) != NULL, "the error should name '%s': %s", c->named, err);
}

/* ---------------- Splitting an exec line into words ---------------- */

#define MAX_WORDS 8

static int split(const char *text, char *line, char **words, char *err)
{
    strcpy(line, text);
    return seed_split_line(line, words, MAX_WORDS, err);
}

Test(seed, a_line_splits_on_blanks_and_tabs)
{
    char line[128], *words[MAX_WORDS], err[SEED_ERR_LEN];
    cr_assert_eq(split("  uname \t -a  -r ", line, words, err), 3);
    cr_expect_str_eq(words[0], "uname");
    cr_expect_str_eq(words[1], "-a");
    cr_expect_str_eq(words[2], "-r");
}

Test(seed, shell_syntax_stays_literal_text)
{
    char line[128], *words[MAX_WORDS], err[SEED_ERR_LEN];
    cr_assert_eq(split("echo $HOME; ls | >/tmp/x `id` * &", line, words, err), 8);
    cr_expect_str_eq(words[1], "$HOME;");
    cr_expect_str_eq(words[2], "ls");
    cr_expect_str_eq(words[3], "|");
    cr_expect_str_eq(words[4], ">/tmp/x");
    cr_expect_str_eq(words[5], "`id`");
    cr_expect_str_eq(words[6], "*");
    cr_expect_str_eq(words[7], "&");
}

Test(seed, quotes_keep_blanks_inside_one_word)
{
    char line[128], *words[MAX_WORDS], err[SEED_ERR_LEN];
    cr_assert_eq(split("echo 'a  b' \"c 'd'\" x'y z'w '' \"$HOME\"", line, words, err), 6);
    cr_expect_str_eq(words[1], "a  b");
    cr_expect_str_eq(words[2], "c 'd'");
    cr_expect_str_eq(words[3], "xy zw");
    cr_expect_str_eq(words[4], "");
    cr_expect_str_eq(words[5], "$HOME", "no expansion inside double quotes either");
}

Test(seed, backslashes_are_ordinary_characters)
{
    char line[128], *words[MAX_WORDS], err[SEED_ERR_LEN];
    cr_assert_eq(split("echo a\\ b \\n", line, words, err), 4);
    cr_expect_str_eq(words[1], "a\\");
    cr_expect_str_eq(words[3], "\\n");
}

Test(seed, a_blank_line_has_no_words)
{
    char line[128], *words[MAX_WORDS], err[SEED_ERR_LEN];
    cr_expect_eq(split("", line, words, err), 0);
    cr_expect_eq(split(" \t ", line, words, err), 0);
}

Test(seed, an_unclosed_quote_is_an_error)
{
    char line[128], *words[MAX_WORDS], err[SEED_ERR_LEN];
    cr_expect_eq(split("echo 'oops", line, words, err), -1);
    cr_expect(strstr(err, "single quote") != NULL, "%s", err);
    cr_expect_eq(split("echo \"oops", line, words, err), -1);
    cr_expect(strstr(err, "double quote") != NULL, "%s", err);
}

Test(seed, too_many_words_are_an_error)
{
    char line[128], *words[MAX_WORDS], err[SEED_ERR_LEN];
    cr_expect_eq(split("1 2 3 4 5 6 7 8", line, words, err), 8);
    cr_expect_eq(split("1 2 3 4 5 6 7 8 9", line, words, err), -1);
    cr_expect(strstr(err, "at most 8") != NULL, "%s", err);
}

/* ---------------- The allowlist ---------------- */

Test(seed, only_exact_names_of_the_allowlist_are_allowed)
{
    const char *list = "date,echo,uname,whoami,ls";
    cr_expect(seed_is_allowed("date", list));
    cr_expect(seed_is_allowed("ls", list));
    cr_expect(seed_is_allowed("echo", list));
    cr_expect_not(seed_is_allowed("ech", list));
    cr_expect_not(seed_is_allowed("echo2", list));
    cr_expect_not(seed_is_allowed("l", list));
    cr_expect_not(seed_is_allowed("", list));
    cr_expect_not(seed_is_allowed("/bin/ls", list));
    cr_expect_not(seed_is_allowed("date,echo", list));
    cr_expect_not(seed_is_allowed("sh", list));
    cr_expect(seed_is_allowed("sleep", "sleep"));
}

/* ---------------- Loopback addresses ---------------- */

Test(seed, loopback_addresses_are_told_from_the_rest)
{
    cr_expect(seed_is_loopback("127.0.0.1"));
    cr_expect(seed_is_loopback("127.1.2.3"));
    cr_expect(seed_is_loopback("::1"));
    cr_expect(seed_is_loopback("::ffff:127.0.0.1"));
    cr_expect_not(seed_is_loopback("0.0.0.0"));
    cr_expect_not(seed_is_loopback("::"));
    cr_expect_not(seed_is_loopback("10.0.0.1"));
    cr_expect_not(seed_is_loopback("128.0.0.1"));
    cr_expect_not(seed_is_loopback("::ffff:10.0.0.1"));
    cr_expect_not(seed_is_loopback("localhost"), "names are refused: they could resolve anywhere");
    cr_expect_not(seed_is_loopback(""));
}

/* ---------------- hexdump -C ---------------- */

Test(seed, a_full_hexdump_line_matches_hexdump_c)
{
    char line[HEXDUMP_LINE_LEN];
    size_t n = hexdump_line(line, 0, (const unsigned char *)"0123456789abcdef", 16);
    cr_expect_str_eq(line, "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|");
    cr_expect_eq(n, strlen(line));
}

Test(seed, a_short_line_is_padded_so_the_ascii_column_stays_put)
{
    char line[HEXDUMP_LINE_LEN];
    hexdump_line(line, 0, (const unsigned char *)"Hello, World!\n", 14);
    cr_expect_str_eq(line, "00000000  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 21 0a        |Hello, World!.|");
    hexdump_line(line, 0, (const unsigned char *)"ABCDEFGH", 8);
    cr_expect_str_eq(line, "00000000  41 42 43 44 45 46 47 48                           |ABCDEFGH|");
    hexdump_line(line, 0x60, (const unsigned char *)"C", 1);
    cr_expect_str_eq(line, "00000060  43                                                |C|");
    cr_expect_eq(strchr(line, '|') - line, 60);
}

Test(seed, unprintable_bytes_show_as_dots)
{
    char line[HEXDUMP_LINE_LEN];
    hexdump_line(line, 0, (const unsigned char *)"\x00\x01\x7f\x80\xff\x20\x7e\x1f\x41", 9);
    cr_expect_str_eq(line, "00000000  00 01 7f 80 ff 20 7e 1f  41                       |..... ~.A|");
}

typedef struct collected {
    char text[2048];
    int lines;
} collected;

static void collect(const char *line, void *data)
{
    collected *c = data;
    strcat(c->text, line);
    strcat(c->text, "\n");
    c->lines++;
}

Test(seed, a_hexdump_ends_with_the_total_length)
{
    collected out = {"", 0};
    hexdump_lines((const unsigned char *)"Hello, World!\n", 14, collect, &out);
    cr_expect_str_eq(out.text,
                     "00000000  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 21 0a        |Hello, World!.|\n"
                     "0000000e\n");
}

Test(seed, repeated_lines_fold_into_one_star_as_hexdump_c_does)
{
    unsigned char bytes[97];
    memset(bytes, 'A', 16);
    memset(bytes + 16, 'B', 48);
    memset(bytes + 64, 'A', 32);
    bytes[96] = 'C';
    collected out = {"", 0};
    hexdump_lines(bytes, sizeof(bytes), collect, &out);
    cr_expect_str_eq(out.text,
                     "00000000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|\n"
                     "00000010  42 42 42 42 42 42 42 42  42 42 42 42 42 42 42 42  |BBBBBBBBBBBBBBBB|\n"
                     "*\n"
                     "00000040  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|\n"
                     "*\n"
                     "00000060  43                                                |C|\n"
                     "00000061\n");
}

Test(seed, a_repeat_at_the_very_end_leaves_a_star_before_the_length)
{
    unsigned char bytes[32];
    memset(bytes, 'A', sizeof(bytes));
    collected out = {"", 0};
    hexdump_lines(bytes, sizeof(bytes), collect, &out);
    cr_expect_str_eq(out.text,
                     "00000000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|\n"
                     "*\n"
                     "00000020\n");
}

Test(seed, nothing_is_dumped_for_no_bytes)
{
    collected out = {"", 0};
    hexdump_lines((const unsigned char *)"", 0, collect, &out);
    cr_expect_eq(out.lines, 0);
}
