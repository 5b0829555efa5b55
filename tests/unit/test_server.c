/* Unit tests of server: reading redis-server style options (stage 1). */
#include <criterion/criterion.h>
#include <string.h>

#include "server/server.h"

static enum server_args_result parse(server_config *config, int argc, char **argv, char *err)
{
    server_config_init(config, "stage-test");
    return server_config_from_args(config, argc, argv, err);
}

Test(server, defaults_to_port_6379_on_loopback)
{
    server_config config;
    char err[SERVER_ERR_LEN];
    char *argv[] = {"prog"};
    cr_assert_eq(parse(&config, 1, argv, err), SERVER_ARGS_OK);
    cr_expect_eq(config.port, 6379);
    cr_assert_eq(config.bind_count, 2);
    cr_expect_str_eq(config.bind[0], "127.0.0.1");
    cr_expect_str_eq(config.bind[1], "-::1");
    server_config_free(&config);
}

Test(server, reads_port_and_several_bind_addresses)
{
    server_config config;
    char err[SERVER_ERR_LEN];
    char *argv[] = {"prog", "--port", "7000", "--bind", "127.0.0.1", "::1"};
    cr_assert_eq(parse(&config, 6, argv, err), SERVER_ARGS_OK);
    cr_expect_eq(config.port, 7000);
    cr_assert_eq(config.bind_count, 2);
    cr_expect_str_eq(config.bind[1], "::1");
    server_config_free(&config);
}

Test(server, rejects_a_port_that_is_not_a_port_number)
{
    const char *bad[] = {"abc", "0", "65536", "-1", "70000", "", "80x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        server_config config;
        char err[SERVER_ERR_LEN] = "";
        char *argv[] = {"prog", "--port", (char *)bad[i]};
        cr_expect_eq(parse(&config, 3, argv, err), SERVER_ARGS_ERROR, "--port '%s' was accepted", bad[i]);
        cr_expect(strstr(err, "--port") != NULL, "the error names the option: %s", err);
        server_config_free(&config);
    }
}

Test(server, rejects_unknown_options_and_missing_values_naming_them)
{
    server_config config;
    char err[SERVER_ERR_LEN];
    char *unknown[] = {"prog", "--nosuch", "1"};
    cr_expect_eq(parse(&config, 3, unknown, err), SERVER_ARGS_ERROR);
    cr_expect(strstr(err, "--nosuch") != NULL, "%s", err);
    server_config_free(&config);

    char *missing[] = {"prog", "--port"};
    cr_expect_eq(parse(&config, 2, missing, err), SERVER_ARGS_ERROR);
    cr_expect(strstr(err, "--port") != NULL, "%s", err);
    server_config_free(&config);

    char *stray[] = {"prog", "7000"};
    cr_expect_eq(parse(&config, 2, stray, err), SERVER_ARGS_ERROR);
    cr_expect(strstr(err, "7000") != NULL, "%s", err);
    server_config_free(&config);
}

/* ---------------- Stage 6: options by stage, new options, the config file ---------------- */

#include <criterion/redirect.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"

/* Each test runs in a process of its own, so the stage a test offers
 * (server_offer_options keeps it in a static) is that test's only. */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/workshop-server-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(void)
{
    DIR *dir = opendir(tmpdir);
    if (dir == NULL)
        return;
    char path[512];
    for (struct dirent *d; (d = readdir(dir)) != NULL;) {
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", tmpdir, d->d_name);
        unlink(path);
    }
    closedir(dir);
    rmdir(tmpdir);
}

/* tmpdir/name, holding `len` bytes of text; the path is static. */
static const char *write_file_len(const char *name, const char *text, size_t len)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *write_file(const char *name, const char *text)
{
    return write_file_len(name, text, strlen(text));
}

static char *read_whole(const char *path)
{
    static char text[65536];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define EXPECT_ERR_HAS(err, part) cr_expect(strstr((err), (part)) != NULL, "'%s' is not in the error: %s", (part), (err))

TestSuite(server_file, .init = make_tmpdir, .fini = remove_tmpdir);

/* ---------------- Options by stage ---------------- */

Test(server, an_option_of_a_later_stage_is_an_unknown_option)
{
    server_offer_options(5);
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    char *argv[] = {"prog", "--databases", "4"};
    cr_expect_eq(parse(&config, 3, argv, err), SERVER_ARGS_ERROR);
    cr_expect_str_eq(err, "unknown option '--databases' (try --help)");
    server_config_free(&config);

    server_offer_options(6);
    cr_expect_eq(parse(&config, 3, argv, err), SERVER_ARGS_OK, "%s", err);
    cr_expect_eq(config.databases, 4);
    server_config_free(&config);
}

Test(server, stage_5_options_are_unknown_before_stage_5)
{
    const char *options[][2] = {
        {"--dir", "/tmp"}, {"--appendonly", "yes"}, {"--appendfsync", "always"}, {"--appendfilename", "x.aof"},
    };
    for (int stage = 1; stage <= 6; stage++) {
        server_offer_options(stage);
        for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
            server_config config;
            char err[SERVER_ERR_LEN] = "";
            char *argv[] = {"prog", (char *)options[i][0], (char *)options[i][1]};
            enum server_args_result got = parse(&config, 3, argv, err);
            if (stage < 5) {
                cr_expect_eq(got, SERVER_ARGS_ERROR, "stage %d took %s", stage, options[i][0]);
                cr_expect(strstr(err, "unknown option") != NULL && strstr(err, options[i][0]) != NULL,
                          "stage %d: %s", stage, err);
            } else {
                cr_expect_eq(got, SERVER_ARGS_OK, "stage %d refused %s: %s", stage, options[i][0], err);
            }
            server_config_free(&config);
        }
    }
}

Test(server_file, stage_6_options_are_unknown_before_stage_6)
{
    char logpath[128];
    snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
    const char *options[][2] = {
        {"--databases", "4"}, {"--requirepass", "pw"}, {"--maxclients", "50"}, {"--timeout", "10"},
        {"--protected-mode", "no"}, {"--loglevel", "warning"}, {"--logfile", logpath},
    };
    for (int stage = 1; stage <= 6; stage++) {
        server_offer_options(stage);
        for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
            server_config config;
            char err[SERVER_ERR_LEN] = "";
            char *argv[] = {"prog", (char *)options[i][0], (char *)options[i][1]};
            enum server_args_result got = parse(&config, 3, argv, err);
            if (stage < 6) {
                cr_expect_eq(got, SERVER_ARGS_ERROR, "stage %d took %s", stage, options[i][0]);
                cr_expect(strstr(err, "unknown option") != NULL && strstr(err, options[i][0]) != NULL,
                          "stage %d: %s", stage, err);
            } else {
                cr_expect_eq(got, SERVER_ARGS_OK, "stage 6 refused %s: %s", options[i][0], err);
            }
            server_config_free(&config);
        }
    }
    log_set_file("");
}

Test(server, stage_6_logs_to_the_append_only_file_by_default)
{
    server_config config;
    server_offer_options(5);
    server_config_init(&config, "stage5");
    cr_expect_not(config.aof.enabled);
    server_config_free(&config);
    server_offer_options(6);
    server_config_init(&config, "stage6");
    cr_expect(config.aof.enabled);
    server_config_free(&config);
}

static const char *help_text(int stage)
{
    server_offer_options(stage);
    server_config config;
    char err[SERVER_ERR_LEN];
    char *argv[] = {"prog", "--help"};
    cr_expect_eq(parse(&config, 2, argv, err), SERVER_ARGS_EXIT);
    server_config_free(&config);
    fflush(stdout);
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, cr_get_redirected_stdout());
    text[n] = '\0';
    return text;
}

Test(server, help_at_stage_5_leaves_out_the_options_of_stage_6, .init = cr_redirect_stdout)
{
    const char *text = help_text(5);
    cr_expect(strstr(text, "--appendonly") != NULL, "%s", text);
    cr_expect(strstr(text, "--databases") == NULL, "%s", text);
    cr_expect(strstr(text, "--requirepass") == NULL, "%s", text);
    cr_expect(strstr(text, "--logfile") == NULL, "%s", text);
}

Test(server, help_at_stage_6_lists_the_new_options, .init = cr_redirect_stdout)
{
    const char *text = help_text(6);
    const char *names[] = {"--databases", "--requirepass", "--maxclients", "--timeout",
                           "--protected-mode", "--loglevel", "--logfile", "--appendonly", "--port"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        cr_expect(strstr(text, names[i]) != NULL, "%s is not in the help:\n%s", names[i], text);
}

/* ---------------- The options of stage 6 ---------------- */

Test(server, stage_6_defaults)
{
    server_offer_options(6);
    server_config config;
    char err[SERVER_ERR_LEN];
    char *argv[] = {"prog"};
    cr_assert_eq(parse(&config, 1, argv, err), SERVER_ARGS_OK);
    cr_expect_eq(config.databases, 16);
    cr_expect_null(config.requirepass);
    cr_expect_eq(config.maxclients, 10000);
    cr_expect_eq(config.timeout, 0);
    cr_expect(config.protected_mode);
    cr_expect_null(config.config_file);
    server_config_free(&config);
}

/* The option must be refused, with an error naming it. */
static void expect_refused(const char *option, const char *value)
{
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    char *argv[] = {"prog", (char *)option, (char *)value};
    cr_expect_eq(parse(&config, 3, argv, err), SERVER_ARGS_ERROR, "%s '%s' was accepted", option, value);
    cr_expect(strstr(err, option) != NULL, "the error for %s '%s' does not name it: %s", option, value, err);
    server_config_free(&config);
}

static server_config parsed(int argc, char **argv)
{
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    cr_assert_eq(parse(&config, argc, argv, err), SERVER_ARGS_OK, "%s", err);
    return config;
}

Test(server, databases_takes_a_number_from_1)
{
    server_offer_options(6);
    const char *good[][2] = {{"1", "1"}, {"4", "4"}, {"100", "100"}};
    for (size_t i = 0; i < 3; i++) {
        char *argv[] = {"prog", "--databases", (char *)good[i][0]};
        server_config config = parsed(3, argv);
        cr_expect_eq(config.databases, atoi(good[i][1]));
        server_config_free(&config);
    }
    const char *bad[] = {"0", "-1", "abc", "", "4x", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused("--databases", bad[i]);
}

Test(server, requirepass_sets_a_password_and_an_empty_one_means_none)
{
    server_offer_options(6);
    char *set[] = {"prog", "--requirepass", "s3cret"};
    server_config config = parsed(3, set);
    cr_assert_not_null(config.requirepass);
    cr_expect_str_eq(config.requirepass, "s3cret");
    server_config_free(&config);
    cr_expect_null(config.requirepass, "server_config_free leaves a dangling pointer");

    char *empty[] = {"prog", "--requirepass", ""};
    config = parsed(3, empty);
    cr_expect_null(config.requirepass, "--requirepass \"\" is no password");
    server_config_free(&config);

    char *twice[] = {"prog", "--requirepass", "first", "--requirepass", "second"};
    config = parsed(5, twice);
    cr_expect_str_eq(config.requirepass, "second");
    server_config_free(&config);

    char *unset[] = {"prog", "--requirepass", "first", "--requirepass", ""};
    config = parsed(5, unset);
    cr_expect_null(config.requirepass);
    server_config_free(&config);

    char *spaced[] = {"prog", "--requirepass", "with space"};
    config = parsed(3, spaced);
    cr_expect_str_eq(config.requirepass, "with space");
    server_config_free(&config);

    char *none[] = {"prog", "--requirepass"};
    char err[SERVER_ERR_LEN] = "";
    cr_expect_eq(parse(&config, 2, none, err), SERVER_ARGS_ERROR);
    EXPECT_ERR_HAS(err, "--requirepass");
    server_config_free(&config);
}

Test(server, maxclients_and_timeout_take_numbers)
{
    server_offer_options(6);
    char *argv[] = {"prog", "--maxclients", "1", "--timeout", "300"};
    server_config config = parsed(5, argv);
    cr_expect_eq(config.maxclients, 1);
    cr_expect_eq(config.timeout, 300);
    server_config_free(&config);

    char *zero[] = {"prog", "--timeout", "0", "--maxclients", "50000"};
    config = parsed(5, zero);
    cr_expect_eq(config.timeout, 0, "timeout 0 means never");
    cr_expect_eq(config.maxclients, 50000);
    server_config_free(&config);

    const char *bad_clients[] = {"0", "-5", "many", ""};
    for (size_t i = 0; i < sizeof(bad_clients) / sizeof(bad_clients[0]); i++)
        expect_refused("--maxclients", bad_clients[i]);
    const char *bad_timeout[] = {"-1", "1s", "soon", ""};
    for (size_t i = 0; i < sizeof(bad_timeout) / sizeof(bad_timeout[0]); i++)
        expect_refused("--timeout", bad_timeout[i]);
}

Test(server, protected_mode_takes_yes_or_no)
{
    server_offer_options(6);
    char *no[] = {"prog", "--protected-mode", "no"};
    server_config config = parsed(3, no);
    cr_expect_not(config.protected_mode);
    server_config_free(&config);
    char *yes[] = {"prog", "--protected-mode", "no", "--protected-mode", "YES"};
    config = parsed(5, yes);
    cr_expect(config.protected_mode);
    server_config_free(&config);
    const char *bad[] = {"maybe", "1", "true", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused("--protected-mode", bad[i]);
}

Test(server, loglevel_takes_the_four_redis_levels)
{
    server_offer_options(6);
    const char *good[] = {"debug", "verbose", "notice", "warning", "WARNING", "Notice"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char *argv[] = {"prog", "--loglevel", (char *)good[i]};
        server_config config = parsed(3, argv);
        server_config_free(&config);
    }
    const char *bad[] = {"loud", "nothing", "3", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused("--loglevel", bad[i]);
}

/* pid:M 25 Nov 2026 07:47:00.123 <mark> <message> */
static void expect_log_line(const char *line, char mark, const char *message)
{
    char pattern[256];
    snprintf(pattern, sizeof(pattern),
             "^%d:M [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} \\%c %s$",
             (int)getpid(), mark, message);
    regex_t re;
    cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0, "%s", pattern);
    cr_expect_eq(regexec(&re, line, 0, NULL, 0), 0, "the log line '%s' does not match %s", line, pattern);
    regfree(&re);
}

Test(server_file, logfile_sends_the_log_to_a_file_and_loglevel_filters_it)
{
    server_offer_options(6);
    char path[512];
    snprintf(path, sizeof(path), "%s/server.log", tmpdir);
    char *argv[] = {"prog", "--logfile", path, "--loglevel", "warning"};
    server_config config = parsed(5, argv);
    log_write(LOG_NOTICE, "a notice, filtered out");
    log_write(LOG_WARNING, "a warning %d", 42);
    char *text = read_whole(path);
    cr_expect(strstr(text, "filtered") == NULL, "%s", text);
    char *newline = strchr(text, '\n');
    cr_assert_not_null(newline, "no log line: '%s'", text);
    *newline = '\0';
    expect_log_line(text, '#', "a warning 42");
    cr_expect_str_eq(newline + 1, "", "one line only");
    server_config_free(&config);
    cr_expect_eq(log_set_file(""), 0);
    log_set_level(LOG_NOTICE);
}

Test(server_file, logfile_appends_to_what_the_file_holds)
{
    const char *path = write_file("old.log", "an earlier line\n");
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    cr_assert_eq(log_set_file(copy), 0);
    log_write(LOG_NOTICE, "first");
    log_write(LOG_NOTICE, "second");
    char *text = read_whole(copy);
    cr_expect_eq(strncmp(text, "an earlier line\n", 16), 0, "the file was truncated: %s", text);
    char *first = strstr(text, "* first\n"), *second = strstr(text, "* second\n");
    cr_expect(first != NULL && second != NULL && first < second, "%s", text);
    cr_expect_eq(log_set_file(""), 0);
}

Test(server_file, logfile_empty_goes_back_to_stderr)
{
    cr_redirect_stderr();
    char path[512];
    snprintf(path, sizeof(path), "%s/a.log", tmpdir);
    cr_assert_eq(log_set_file(path), 0);
    log_write(LOG_WARNING, "to the file");
    cr_assert_eq(log_set_file(""), 0);
    log_write(LOG_WARNING, "to stderr");
    char *text = read_whole(path);
    cr_expect(strstr(text, "to the file") != NULL, "%s", text);
    cr_expect(strstr(text, "to stderr") == NULL, "%s", text);
    fflush(stderr);
    char got[4096];
    size_t n = fread(got, 1, sizeof(got) - 1, cr_get_redirected_stderr());
    got[n] = '\0';
    cr_expect(strstr(got, "# to stderr\n") != NULL, "stderr holds: '%s'", got);
    cr_expect(strstr(got, "to the file") == NULL, "stderr holds: '%s'", got);
}

static int open_fds(void)
{
    int n = 0;
    DIR *dir = opendir("/proc/self/fd");
    cr_assert_not_null(dir);
    for (struct dirent *d; (d = readdir(dir)) != NULL;)
        n += d->d_name[0] != '.';
    closedir(dir);
    return n;
}

Test(server_file, switching_log_files_closes_the_previous_one)
{
    char a[512], b[512];
    snprintf(a, sizeof(a), "%s/a.log", tmpdir);
    snprintf(b, sizeof(b), "%s/b.log", tmpdir);
    int before = open_fds();
    cr_assert_eq(log_set_file(a), 0);
    cr_expect_eq(open_fds(), before + 1);
    cr_assert_eq(log_set_file(b), 0);
    cr_expect_eq(open_fds(), before + 1, "a.log was left open");
    log_write(LOG_WARNING, "in b");
    cr_expect(strstr(read_whole(b), "in b") != NULL);
    cr_expect(strstr(read_whole(a), "in b") == NULL);
    cr_assert_eq(log_set_file(""), 0);
    cr_expect_eq(open_fds(), before, "b.log was left open");
    cr_assert_eq(log_set_file(""), 0);  /* stderr again: nothing to close */
    cr_expect_eq(open_fds(), before);
    cr_expect_neq(fcntl(STDERR_FILENO, F_GETFD), -1, "stderr was closed");
}

Test(server_file, a_log_file_that_cannot_be_opened_is_refused_and_the_old_one_kept)
{
    char good[512], bad[512];
    snprintf(good, sizeof(good), "%s/good.log", tmpdir);
    snprintf(bad, sizeof(bad), "%s/no/such/dir.log", tmpdir);
    cr_assert_eq(log_set_file(good), 0);
    cr_expect_eq(log_set_file(bad), -1);
    log_write(LOG_WARNING, "still here");
    cr_expect(strstr(read_whole(good), "still here") != NULL);
    cr_expect_eq(log_set_file(""), 0);

    server_offer_options(6);
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    char *argv[] = {"prog", "--logfile", bad};
    cr_expect_eq(parse(&config, 3, argv, err), SERVER_ARGS_ERROR);
    EXPECT_ERR_HAS(err, bad);
    EXPECT_ERR_HAS(err, "No such file or directory");
    server_config_free(&config);
}

/* ---------------- The config file ---------------- */

Test(server_file, reads_a_config_file_given_first)
{
    server_offer_options(6);
    const char *path = write_file("redis.conf",
                                  "port 7001\n"
                                  "bind 127.0.0.1 ::1\n"
                                  "databases 4\n"
                                  "requirepass secret\n"
                                  "maxclients 100\n"
                                  "timeout 30\n"
                                  "protected-mode no\n"
                                  "appendonly no\n"
                                  "appendfsync always\n"
                                  "appendfilename \"mine.aof\"\n"
                                  "dir /tmp\n");
    char *argv[] = {"prog", (char *)path};
    server_config config = parsed(2, argv);
    cr_expect_eq(config.port, 7001);
    cr_assert_eq(config.bind_count, 2);
    cr_expect_str_eq(config.bind[0], "127.0.0.1");
    cr_expect_str_eq(config.bind[1], "::1");
    cr_expect_eq(config.databases, 4);
    cr_expect_str_eq(config.requirepass, "secret");
    cr_expect_eq(config.maxclients, 100);
    cr_expect_eq(config.timeout, 30);
    cr_expect_not(config.protected_mode);
    cr_expect_not(config.aof.enabled);
    cr_expect_eq(config.aof.fsync, AOF_FSYNC_ALWAYS);
    cr_expect_str_eq(config.aof.filename, "mine.aof");
    cr_expect_str_eq(config.dir, "/tmp");
    cr_assert_not_null(config.config_file);
    cr_expect_str_eq(config.config_file, path);
    server_config_free(&config);
}

Test(server_file, applies_directives_in_order)
{
    server_offer_options(6);
    const char *path = write_file("order.conf",
                                  "port 7001\n"
                                  "requirepass first\n"
                                  "port 7002\n"
                                  "bind 10.0.0.1 10.0.0.2 10.0.0.3\n"
                                  "bind 127.0.0.1\n"
                                  "requirepass \"\"\n");
    char *argv[] = {"prog", (char *)path};
    server_config config = parsed(2, argv);
    cr_expect_eq(config.port, 7002);
    cr_assert_eq(config.bind_count, 1);
    cr_expect_str_eq(config.bind[0], "127.0.0.1");
    cr_expect_null(config.requirepass, "requirepass \"\" in the file means no password");
    server_config_free(&config);
}

Test(server_file, skips_comments_and_blank_lines_and_reads_crlf_and_indented_lines)
{
    server_offer_options(6);
    const char *path = write_file("comments.conf",
                                  "# a comment\n"
                                  "\n"
                                  "   \n"
                                  "\t\n"
                                  "    # an indented comment: port 1\n"
                                  "#port 2\n"
                                  "port 7003\r\n"
                                  "\r\n"
                                  "  \tdatabases   8  \n"
                                  "\tTIMEOUT 5\n"
                                  "Protected-Mode no\n"
                                  "maxclients 77");        /* no final newline */
    char *argv[] = {"prog", (char *)path};
    server_config config = parsed(2, argv);
    cr_expect_eq(config.port, 7003);
    cr_expect_eq(config.databases, 8);
    cr_expect_eq(config.timeout, 5, "directive names are case-insensitive");
    cr_expect_not(config.protected_mode);
    cr_expect_eq(config.maxclients, 77, "the last line had no newline");
    server_config_free(&config);
}

Test(server_file, an_empty_file_or_one_of_comments_changes_nothing)
{
    server_offer_options(6);
    const char *texts[] = {"", "\n\n", "# only\n# comments\n"};
    for (size_t i = 0; i < 3; i++) {
        const char *path = write_file("empty.conf", texts[i]);
        char *argv[] = {"prog", (char *)path};
        server_config config = parsed(2, argv);
        cr_expect_eq(config.port, 6379);
        cr_expect_eq(config.databases, 16);
        cr_expect_not_null(config.config_file);
        server_config_free(&config);
    }
}

Test(server_file, values_may_be_quoted)
{
    server_offer_options(6);
    const char *path = write_file("quotes.conf",
                                  "requirepass \"a b \\\"c\\\"\"\n"
                                  "dir 'with space'\n"
                                  "appendfilename \"x\\x41.aof\"\n"
                                  "\"port\" '7004'\n");
    char *argv[] = {"prog", (char *)path};
    server_config config = parsed(2, argv);
    cr_expect_str_eq(config.requirepass, "a b \"c\"");
    cr_expect_str_eq(config.dir, "with space");
    cr_expect_str_eq(config.aof.filename, "xA.aof");
    cr_expect_eq(config.port, 7004);
    server_config_free(&config);
}

Test(server_file, options_on_the_command_line_override_the_file)
{
    server_offer_options(6);
    const char *path = write_file("base.conf",
                                  "port 7001\n"
                                  "requirepass secret\n"
                                  "databases 4\n"
                                  "timeout 9\n");
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    char *argv[] = {"prog", copy, "--port", "7005", "--requirepass", "", "--timeout", "0"};
    server_config config = parsed(ARGC(argv), argv);
    cr_expect_eq(config.port, 7005);
    cr_expect_null(config.requirepass, "--requirepass \"\" after the file clears its password");
    cr_expect_eq(config.databases, 4, "what the command line does not name stays as the file says");
    cr_expect_eq(config.timeout, 0);
    cr_expect_str_eq(config.config_file, copy);
    server_config_free(&config);
}

Test(server_file, a_bad_directive_names_its_line_number_and_the_line)
{
    server_offer_options(6);
    const char *path = write_file("bad.conf",
                                  "# settings\n"
                                  "port 7001\n"
                                  "\n"
                                  "nosuchdirective 1\n"
                                  "port 7002\n");
    char *argv[] = {"prog", (char *)path};
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    cr_expect_eq(parse(&config, 2, argv, err), SERVER_ARGS_ERROR);
    EXPECT_ERR_HAS(err, "FATAL CONFIG FILE ERROR");
    EXPECT_ERR_HAS(err, "at line 4\n");
    EXPECT_ERR_HAS(err, ">>> 'nosuchdirective 1'");
    EXPECT_ERR_HAS(err, "Bad directive or wrong number of arguments");
    cr_expect_null(config.config_file, "a file that failed is not the config file");
    server_config_free(&config);
}

Test(server_file, bad_lines_of_every_kind_are_errors)
{
    server_offer_options(6);
    struct {
        const char *line, *why;
    } cases[] = {
        {"port", "Bad directive or wrong number of arguments"},
        {"port 1 2", "Bad directive or wrong number of arguments"},
        {"port 99999", "invalid value '99999' for --port"},
        {"databases 0", "--databases"},
        {"protected-mode maybe", "--protected-mode"},
        {"loglevel loud", "--loglevel"},
        {"appendfilename a/b", "appendfilename can't be a path"},
        {"requirepass \"unbalanced", "nbalanced quotes"},
        {"requirepass 'unbalanced", "nbalanced quotes"},
        {"--port 7000", "Bad directive"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "port 7001\n%s\n", cases[i].line);
        const char *path = write_file("bad.conf", text);
        char *argv[] = {"prog", (char *)path};
        server_config config;
        char err[SERVER_ERR_LEN] = "";
        cr_expect_eq(parse(&config, 2, argv, err), SERVER_ARGS_ERROR, "'%s' was accepted", cases[i].line);
        char quoted[300];
        snprintf(quoted, sizeof(quoted), ">>> '%s'", cases[i].line);
        EXPECT_ERR_HAS(err, "at line 2\n");
        EXPECT_ERR_HAS(err, quoted);
        EXPECT_ERR_HAS(err, cases[i].why);
        server_config_free(&config);
    }
}

Test(server_file, a_missing_config_file_is_an_error_naming_it)
{
    server_offer_options(6);
    char path[512];
    snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
    char *argv[] = {"prog", path, "--port", "7000"};
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    cr_expect_eq(parse(&config, 4, argv, err), SERVER_ARGS_ERROR);
    EXPECT_ERR_HAS(err, path);
    EXPECT_ERR_HAS(err, "No such file or directory");
    server_config_free(&config);
}

Test(server_file, before_stage_6_a_file_name_is_an_unexpected_argument)
{
    const char *path = write_file("redis.conf", "port 7001\n");
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    for (int stage = 1; stage <= 5; stage++) {
        server_offer_options(stage);
        char *argv[] = {"prog", copy};
        server_config config;
        char err[SERVER_ERR_LEN] = "";
        cr_expect_eq(parse(&config, 2, argv, err), SERVER_ARGS_ERROR, "stage %d read a config file", stage);
        EXPECT_ERR_HAS(err, "unexpected argument");
        cr_expect_eq(config.port, 6379);
        server_config_free(&config);
    }
}

Test(server_file, only_the_first_argument_can_be_the_file)
{
    server_offer_options(6);
    const char *path = write_file("redis.conf", "port 7001\n");
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    char *after[] = {"prog", "--port", "7000", copy};
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    /* "--port 7000 file" gives --port two values. */
    cr_expect_eq(parse(&config, 4, after, err), SERVER_ARGS_ERROR);
    server_config_free(&config);
    char *two[] = {"prog", copy, copy};
    cr_expect_eq(parse(&config, 3, two, err), SERVER_ARGS_ERROR);
    EXPECT_ERR_HAS(err, "unexpected argument");
    server_config_free(&config);
}

Test(server_file, the_file_and_options_leak_nothing)
{
    server_offer_options(6);
    const char *path = write_file("leak.conf",
                                  "requirepass a\nrequirepass b\ndir /x\ndir /y\nbind 1.2.3.4 5.6.7.8\n"
                                  "appendfilename a.aof\nappendfilename b.aof\n");
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    size_t before = mem_used();
    char *argv[] = {"prog", copy, "--requirepass", "c", "--dir", "/z", "--bind", "::1"};
    server_config config = parsed(ARGC(argv), argv);
    server_config_free(&config);
    cr_expect_eq(mem_used(), before, "%zd bytes leaked", (ssize_t)(mem_used() - before));

    const char *bad = write_file("bad.conf", "requirepass a\ndir /x\nnosuch\n");
    snprintf(copy, sizeof(copy), "%s", bad);
    char *argv2[] = {"prog", copy};
    char err[SERVER_ERR_LEN];
    before = mem_used();
    cr_expect_eq(parse(&config, 2, argv2, err), SERVER_ARGS_ERROR);
    server_config_free(&config);
    cr_expect_eq(mem_used(), before, "%zd bytes leaked after an error", (ssize_t)(mem_used() - before));
}

Test(server_file, reads_as_many_bind_addresses_as_the_command_line)
{
    server_offer_options(6);
    char line[1024] = "bind";
    for (int i = 1; i <= SERVER_MAX_BIND; i++)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), " 127.0.0.%d", i);
    strcat(line, "\n");
    const char *path = write_file("bind.conf", line);
    char *argv[] = {"prog", (char *)path};
    server_config config = parsed(2, argv);
    cr_expect_eq(config.bind_count, SERVER_MAX_BIND);
    cr_expect_str_eq(config.bind[SERVER_MAX_BIND - 1], "127.0.0.16");
    server_config_free(&config);
}

/* The command line refuses a 17th bind address ("wrong number of values");
 * Redis refuses it in a file too ("Too many bind addresses specified"). */
Test(server_file, too_many_bind_addresses_in_a_file_are_an_error_not_dropped)
{
    server_offer_options(6);
    char line[1024] = "bind";
    for (int i = 1; i <= SERVER_MAX_BIND + 1; i++)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), " 127.0.0.%d", i);
    strcat(line, "\n");
    const char *path = write_file("bind.conf", line);
    char *argv[] = {"prog", (char *)path};
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    enum server_args_result got = parse(&config, 2, argv, err);
    cr_expect_eq(got, SERVER_ARGS_ERROR, "17 bind addresses were accepted, and %d kept (last: %s)",
                 config.bind_count, config.bind_count > 0 ? config.bind[config.bind_count - 1] : "none");
    server_config_free(&config);

    char *cli[2 + SERVER_MAX_BIND + 1];
    char addrs[SERVER_MAX_BIND + 1][32];
    cli[0] = "prog";
    cli[1] = "--bind";
    for (int i = 0; i <= SERVER_MAX_BIND; i++) {
        snprintf(addrs[i], sizeof(addrs[i]), "127.0.0.%d", i + 1);
        cli[2 + i] = addrs[i];
    }
    cr_expect_eq(parse(&config, ARGC(cli), cli, err), SERVER_ARGS_ERROR, "the command line for comparison");
    server_config_free(&config);
}

/* Redis reads the whole file and splits it into lines: a line is not
 * limited in length (a long requirepass is fine). */
Test(server_file, a_long_line_is_read_whole)
{
    server_offer_options(6);
    size_t plen = 5000;
    char *text = mem_alloc(plen + 64);
    size_t n = (size_t)sprintf(text, "requirepass ");
    memset(text + n, 'p', plen);
    n += plen;
    n += (size_t)sprintf(text + n, "\nport 7006\n");
    const char *path = write_file_len("long.conf", text, n);
    mem_free(text);
    char *argv[] = {"prog", (char *)path};
    server_config config;
    char err[SERVER_ERR_LEN] = "";
    enum server_args_result got = parse(&config, 2, argv, err);
    cr_expect_eq(got, SERVER_ARGS_OK, "a 5012-byte line was refused: %s", err);
    if (got == SERVER_ARGS_OK) {
        cr_assert_not_null(config.requirepass);
        cr_expect_eq(strlen(config.requirepass), plen, "the password was cut to %zu bytes",
                     strlen(config.requirepass));
        cr_expect_eq(config.port, 7006);
    }
    server_config_free(&config);
}

Test(server, the_workshops_redis_conf_loads_at_stage_6)
{
    char path[1024];
    const char *file = __FILE__;    /* tests/unit/test_server.c, relative to where make ran */
    const char *cut = strstr(file, "tests/unit/test_server.c");
    cr_assert_not_null(cut);
    snprintf(path, sizeof(path), "%.*sredis.conf", (int)(cut - file), file);
    if (access(path, R_OK) != 0)
        cr_skip_test("%s is not reachable from here", path);
    server_offer_options(6);
    char *argv[] = {"prog", path};
    server_config config = parsed(2, argv);
    cr_expect_eq(config.port, 6379);
    cr_expect_eq(config.databases, 16);
    cr_expect_null(config.requirepass);
    cr_expect(config.aof.enabled);
    server_config_free(&config);
    log_set_file("");
}

/* ---------------- mem_strndup, which reads the file's words ---------------- */

Test(server, mem_strndup_copies_len_bytes_and_ends_them)
{
    size_t before = mem_used();
    char *s = mem_strndup("hello world", 5);
    cr_expect_str_eq(s, "hello");
    mem_free(s);
    s = mem_strndup("", 0);
    cr_expect_str_eq(s, "");
    mem_free(s);
    s = mem_strndup("xyz", 0);
    cr_expect_str_eq(s, "", "zero bytes of a longer string");
    mem_free(s);
    s = mem_strndup("a\0b", 3);             /* len bytes, NULs included */
    cr_expect_arr_eq(s, "a\0b\0", 4);
    mem_free(s);
    char src[3] = {'x', 'y', 'z'};          /* not NUL-terminated */
    s = mem_strndup(src, 3);
    cr_expect_str_eq(s, "xyz");
    cr_expect_neq(s, src);
    mem_free(s);
    cr_expect_eq(mem_used(), before, "%zd bytes left", (ssize_t)(mem_used() - before));
}
