/* Unit tests of log: log lines in Redis's format (stage 1), the level that
 * filters them and the file they go to (stage 6's loglevel and logfile).
 *
 * The parameters themselves are read by config.c (test_config.c); the
 * server hands them to log_set_level() and log_set_file() at start, which
 * is what these tests call. The files live in a directory of their own
 * (tmpdir.h); stderr is read back through Criterion's redirection. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "tmpdir.h"

static void make_dir(void)
{
    cr_assert(tmpdir_make("test_log"), "mkdtemp: %s", strerror(errno));
}

/* Back to stderr before the directory goes, so no file is left open. */
static void remove_dir(void)
{
    log_set_file("");
    tmpdir_remove();
}

TestSuite(log, .init = make_dir, .fini = remove_dir);

static const char *write_file(const char *name, const char *text)
{
    const char *path = tmpdir_file(name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
    return path;
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

static char *redirected_stderr(void)
{
    static char text[4096];
    fflush(stderr);
    size_t n = fread(text, 1, sizeof(text) - 1, cr_get_redirected_stderr());
    text[n] = '\0';
    return text;
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

/* ---------------- Lines and levels ---------------- */

Test(log, each_level_has_redis_s_mark_and_the_level_filters_what_is_below_it)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", tmpdir_file("levels.log"));
    cr_assert_eq(log_set_file(path), 0);
    log_set_level(LOG_DEBUG);
    log_write(LOG_DEBUG, "d");
    log_write(LOG_VERBOSE, "v");
    log_write(LOG_NOTICE, "n");
    log_write(LOG_WARNING, "w");
    log_set_level(LOG_WARNING);
    log_write(LOG_NOTICE, "filtered out");
    log_write(LOG_WARNING, "kept");
    char *text = read_whole(path);
    const struct { char mark; const char *message; } lines[] = {
        {'.', "d"}, {'-', "v"}, {'*', "n"}, {'#', "w"}, {'#', "kept"},
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        char *newline = strchr(text, '\n');
        cr_assert_not_null(newline, "line %zu is missing", i + 1);
        *newline = '\0';
        expect_log_line(text, lines[i].mark, lines[i].message);
        text = newline + 1;
    }
    cr_expect_str_eq(text, "", "more lines than written");
    log_set_level(LOG_NOTICE);
}

/* One line is one write(2) from a 1 KB buffer, so that threads never
 * interleave their lines: a longer message is cut to 1022 bytes and its
 * newline, still a whole line. */
Test(log, a_message_longer_than_a_line_is_cut_and_still_ends_the_line)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", tmpdir_file("long.log"));
    cr_assert_eq(log_set_file(path), 0);
    char message[3000];
    memset(message, 'x', sizeof(message) - 1);
    message[sizeof(message) - 1] = '\0';
    log_write(LOG_WARNING, "%s", message);
    log_write(LOG_WARNING, "next");
    char *text = read_whole(path);
    char *newline = strchr(text, '\n');
    cr_assert_not_null(newline);
    cr_expect_eq(newline - text, 1022, "the first line has %td bytes", newline - text);
    cr_expect_not_null(strstr(newline + 1, "# next\n"), "the next line: %s", newline + 1);
}

/* ---------------- The log file ---------------- */

Test(log, logfile_sends_the_log_to_a_file_in_redis_s_format)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", tmpdir_file("server.log"));
    cr_assert_eq(log_set_file(path), 0);
    log_write(LOG_WARNING, "a warning %d", 42);
    char *text = read_whole(path);
    char *newline = strchr(text, '\n');
    cr_assert_not_null(newline, "no log line: '%s'", text);
    *newline = '\0';
    expect_log_line(text, '#', "a warning 42");
    cr_expect_str_eq(newline + 1, "", "one line only");
}

Test(log, logfile_appends_to_what_the_file_holds)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", write_file("old.log", "an earlier line\n"));
    cr_assert_eq(log_set_file(path), 0);
    log_write(LOG_NOTICE, "first");
    log_write(LOG_NOTICE, "second");
    char *text = read_whole(path);
    cr_expect_eq(strncmp(text, "an earlier line\n", 16), 0, "the file was truncated: %s", text);
    char *first = strstr(text, "* first\n"), *second = strstr(text, "* second\n");
    cr_expect(first != NULL && second != NULL && first < second, "%s", text);
}

Test(log, logfile_empty_goes_back_to_stderr, .init = cr_redirect_stderr)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", tmpdir_file("a.log"));
    cr_assert_eq(log_set_file(path), 0);
    log_write(LOG_WARNING, "to the file");
    cr_assert_eq(log_set_file(""), 0);
    log_write(LOG_WARNING, "to stderr");
    char *text = read_whole(path);
    cr_expect(strstr(text, "to the file") != NULL, "%s", text);
    cr_expect(strstr(text, "to stderr") == NULL, "%s", text);
    char *got = redirected_stderr();
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

Test(log, switching_log_files_closes_the_previous_one)
{
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof(a), "%s", tmpdir_file("a.log"));
    snprintf(b, sizeof(b), "%s", tmpdir_file("b.log"));
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

Test(log, a_log_file_that_cannot_be_opened_is_refused_and_the_old_one_kept)
{
    char good[PATH_MAX], bad[PATH_MAX];
    snprintf(good, sizeof(good), "%s", tmpdir_file("good.log"));
    snprintf(bad, sizeof(bad), "%s", tmpdir_file("no/such/dir.log"));
    cr_assert_eq(log_set_file(good), 0);
    cr_expect_eq(log_set_file(bad), -1);
    cr_expect_eq(errno, ENOENT, "errno says %s, for the server's message", strerror(errno));
    log_write(LOG_WARNING, "still here");
    cr_expect(strstr(read_whole(good), "still here") != NULL);
}
