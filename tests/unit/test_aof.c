/* Unit tests of aof: the append-only file (stage 5), as far as a test
 * reaches without sockets: records fed and flushed, the file replayed at
 * start, a cut file repaired, a damaged one refused, the fsync policy
 * names, write errors (made with a file size limit, RLIMIT_FSIZE). One
 * test forks a BGREWRITEAOF after a failed write; the rest of the
 * rewrite is left to the integration suite.
 *
 * aof.c knows nothing of commands: at start it hands each command of the
 * file to a replay callback, and it is fed the records of the commands
 * that changed something. Most tests wire it to the dispatcher as the
 * server does (server_replay_aof()): replay.c's fake client replays the
 * file, then command.c propagates to aof_feed() and asks
 * aof_write_refusal() before each write. A few give it a callback of
 * their own, to see exactly what the replay is handed.
 *
 * aof.c and command.c keep their state in globals. Criterion runs each
 * test in a process of its own, which starts from the initial state; each
 * test still stops what it started, so that ASan sees nothing leak. Every
 * test works in a directory of its own (tmpdir.h), since the file name is
 * relative to the working directory. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "persist/aof.h"
#include "base/buf.h"
#include "server/command.h"
#include "commands/commands.h"
#include "data/db.h"
#include "base/log.h"
#include "server/replay.h"
#include "tmpdir.h"

#define AOF_NAME "appendonly.aof"

/* ---------------- A directory to work in ---------------- */

static void enter_dir(void)
{
    cr_assert(tmpdir_make("test_aof"), "mkdtemp: %s", strerror(errno));
    cr_assert(tmpdir_enter(), "chdir %s: %s", tmpdir_path(), strerror(errno));
    log_set_level((enum log_level)(LOG_WARNING + 1));      /* the tests check results, not log lines */
}

static void leave_dir(void)
{
    command_unregister_all();
    tmpdir_remove();
}

TestSuite(aof, .init = enter_dir, .fini = leave_dir);

static void register_commands(void)
{
    command_register(string_commands);
    command_register(key_commands);
    command_register(list_commands);
    command_register(ttl_commands);     /* after string_commands: its SET takes options */
}

/* ---------------- Files ---------------- */

static void write_file(const char *name, const char *bytes, size_t len)
{
    FILE *f = fopen(name, "wb");
    cr_assert_not_null(f, "cannot create %s: %s", name, strerror(errno));
    if (len > 0)
        cr_assert_eq(fwrite(bytes, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static bool read_file(const char *name, buf *out)
{
    buf_clear(out);
    FILE *f = fopen(name, "rb");
    if (f == NULL)
        return false;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    fclose(f);
    return true;
}

static bool file_exists(const char *name)
{
    struct stat st;
    return stat(name, &st) == 0;
}

/* The file holds exactly `len` bytes equal to `bytes`; else says where
 * they first differ. */
static void expect_file(const char *what, const char *bytes, size_t len)
{
    buf got = BUF_INIT;
    cr_assert(read_file(AOF_NAME, &got), "%s: cannot read %s: %s", what, AOF_NAME, strerror(errno));
    size_t n = buf_length(&got);
    size_t same = 0;
    while (same < n && same < len && buf_data(&got)[same] == bytes[same])
        same++;
    cr_expect(n == len && same == len, "%s: the file has %zu bytes instead of %zu, the first %zu as expected", what,
              n, len, same);
    buf_free(&got);
}

#define EXPECT_FILE(what, literal) expect_file((what), (literal), sizeof(literal) - 1)

static void expect_file_buf(const char *what, const buf *expected)
{
    expect_file(what, buf_data(expected) ? buf_data(expected) : "", buf_length(expected));
}

/* ---------------- Records ---------------- */

static void add_line(buf *out, char type, long long n)
{
    char line[32];
    int len = snprintf(line, sizeof(line), "%c%lld\r\n", type, n);
    buf_append(out, line, (size_t)len);
}

static void add_command(buf *out, int argc, const char *const *argv, const size_t *argvlen)
{
    add_line(out, '*', argc);
    for (int i = 0; i < argc; i++) {
        add_line(out, '$', (long long)argvlen[i]);
        buf_append(out, argv[i], argvlen[i]);
        buf_append(out, "\r\n", 2);
    }
}

static void words_lengths(int argc, const char *const *words, size_t *lens)
{
    cr_assert_leq(argc, 16);
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(words[i]);
}

/* The RESP of a command of NUL-terminated words, appended to out. */
static void add_words(buf *out, int argc, const char *const *words)
{
    size_t lens[16];
    words_lengths(argc, words, lens);
    add_command(out, argc, words, lens);
}

/* aof_feed() of a command of NUL-terminated words. */
static void feed_words(int argc, const char *const *words)
{
    size_t lens[16];
    words_lengths(argc, words, lens);
    aof_feed(0, argc, (const char **)words, lens);
}

#define NWORDS(...) ((int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))
#define WORDS(...) (const char *const[]){__VA_ARGS__}
#define CMD(out, ...) add_words((out), NWORDS(__VA_ARGS__), WORDS(__VA_ARGS__))
#define FEED(...) feed_words(NWORDS(__VA_ARGS__), WORDS(__VA_ARGS__))

/* ---------------- Commands, through a client without a socket ---------------- */

static char *run_words(db *d, int argc, const char *const *words)
{
    static char out[4096];
    size_t lens[16];
    words_lengths(argc, words, lens);
    client c;
    memset(&c, 0, sizeof(c));
    c.fd = -1;
    c.db = d;
    c.argc = argc;
    c.argv = (const char **)words;
    c.argvlen = lens;
    command_execute(&c);
    size_t n = buf_length(&c.reply);
    cr_assert_lt(n, sizeof(out));
    if (n > 0)
        memcpy(out, buf_data(&c.reply), n);
    out[n] = '\0';
    buf_free(&c.reply);
    return out;
}

#define RUN(d, ...) run_words((d), NWORDS(__VA_ARGS__), WORDS(__VA_ARGS__))

/* ---------------- Starting ---------------- */

/* The module keeps the array of databases it is given: it must outlive
 * the call. */
static db *started_dbs[1];

/* What server_replay_aof() does: the file replayed through the
 * dispatcher, then every write logged, and refused while the file cannot
 * be written. */
static bool start(db *d, bool enabled, enum aof_fsync fsync, char *err)
{
    aof_config config = {enabled, fsync, AOF_NAME};
    err[0] = '\0';
    started_dbs[0] = d;
    replay r;
    replay_init(&r);
    bool started = aof_start(started_dbs, 1, &config, replay_command, &r, err);
    replay_free(&r);
    if (started) {
        command_set_propagate(aof_feed);
        command_set_write_guard(aof_write_refusal);
    }
    return started;
}

#define START(d, enabled, fsync)                                                     \
    do {                                                                             \
        char err_[AOF_ERR_LEN];                                                      \
        cr_assert(start((d), (enabled), (fsync), err_), "aof_start failed: %s", err_); \
    } while (0)

/* ---------------- Fsync policies ---------------- */

Test(aof, is_enabled_follows_start_and_stop)
{
    cr_expect_not(aof_is_enabled(), "on before any start");
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    cr_expect(aof_is_enabled());
    cr_expect(aof_holds_replies(), "replies must wait for the file while it is on");
    cr_expect_eq(aof_fsync_policy(), AOF_FSYNC_NO);
    cr_expect_not_null(d->on_expired, "aof_start did not hook the expiry of keys");
    aof_stop();
    cr_expect_not(aof_is_enabled(), "still on after aof_stop");
    cr_expect_not(aof_holds_replies());
    db_destroy(d);
}

Test(aof, start_creates_a_missing_file_empty)
{
    db *d = db_create();
    cr_assert_not(file_exists(AOF_NAME));
    START(d, true, AOF_FSYNC_EVERYSEC);
    cr_expect(file_exists(AOF_NAME), "no file after aof_start");
    cr_expect_eq(aof_fsync_policy(), AOF_FSYNC_EVERYSEC);
    cr_expect_eq(db_size(d), 0);
    aof_stop();
    expect_file("after stop", "", 0);
    db_destroy(d);
}

Test(aof, with_appendonly_no_the_file_is_neither_read_nor_written)
{
    static const char garbage[] = "not an append-only file";
    write_file(AOF_NAME, garbage, sizeof(garbage) - 1);
    db *d = db_create();
    START(d, false, AOF_FSYNC_ALWAYS);
    cr_expect_not(aof_is_enabled());
    cr_expect_not(aof_holds_replies());
    FEED("SET", "k", "v");
    aof_flush();
    aof_stop();
    expect_file("appendonly no", garbage, sizeof(garbage) - 1);
    cr_expect_eq(db_size(d), 0);
    db_destroy(d);
}

Test(aof, the_file_name_must_not_be_a_path)
{
    db *d = db_create();
    replay r;
    replay_init(&r);
    const char *names[] = {"", "sub/appendonly.aof", "/tmp/appendonly.aof"};
    for (int i = 0; i < 3; i++) {
        aof_config config = {true, AOF_FSYNC_NO, names[i]};
        char err[AOF_ERR_LEN] = "";
        started_dbs[0] = d;
        cr_expect_not(aof_start(started_dbs, 1, &config, replay_command, &r, err), "\"%s\" was accepted", names[i]);
        cr_expect_not_null(strstr(err, "appendfilename"), "\"%s\": error \"%s\"", names[i], err);
        cr_expect_not(aof_is_enabled());
    }
    aof_stop();
    replay_free(&r);
    db_destroy(d);
}

/* ---------------- Writing records ---------------- */

Test(aof, fed_records_are_written_by_flush_as_exact_resp)
{
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    buf expected = BUF_INIT;

    FEED("SET", "key", "value");
    CMD(&expected, "SET", "key", "value");
    FEED("RPUSH", "list", "a", "b", "c");
    CMD(&expected, "RPUSH", "list", "a", "b", "c");
    const char *binary[] = {"SET", "\0bin\r\n", ""};
    size_t binlen[] = {3, 6, 0};
    aof_feed(0, 3, binary, binlen);
    add_command(&expected, 3, binary, binlen);
    expect_file("before aof_flush", "", 0);

    aof_flush();
    expect_file_buf("after the first flush", &expected);
    aof_flush();
    expect_file_buf("after a flush with nothing fed", &expected);

    FEED("DEL", "key");
    CMD(&expected, "DEL", "key");
    aof_flush();
    expect_file_buf("after the second flush", &expected);

    aof_stop();
    expect_file_buf("after stop", &expected);
    buf_free(&expected);
    db_destroy(d);
}

Test(aof, records_fed_but_not_flushed_are_written_by_stop)
{
    db *d = db_create();
    START(d, true, AOF_FSYNC_EVERYSEC);
    FEED("SET", "a", "1");
    FEED("SET", "b", "2");
    buf expected = BUF_INIT;
    CMD(&expected, "SET", "a", "1");
    CMD(&expected, "SET", "b", "2");
    aof_stop();
    expect_file_buf("after stop", &expected);
    buf_free(&expected);
    db_destroy(d);
}

Test(aof, flush_with_fsync_always_writes_the_records)
{
    db *d = db_create();
    START(d, true, AOF_FSYNC_ALWAYS);
    FEED("INCR", "n");
    aof_flush();
    EXPECT_FILE("always", "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
    aof_stop();
    db_destroy(d);
}

Test(aof, a_big_argument_is_written_whole)
{
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    size_t len = 3 * 1024 * 1024 + 17;      /* bigger than the buffer's shrink threshold */
    char *big = malloc(len);
    for (size_t i = 0; i < len; i++)
        big[i] = (char)(i % 253);
    const char *argv[] = {"SET", "big", big};
    size_t argvlen[] = {3, 3, len};
    aof_feed(0, 3, argv, argvlen);
    aof_flush();
    buf expected = BUF_INIT;
    add_command(&expected, 3, argv, argvlen);
    expect_file_buf("a 3 MB argument", &expected);
    aof_stop();
    buf_free(&expected);
    free(big);
    db_destroy(d);
}

Test(aof, info_reports_the_file_as_on_and_its_size)
{
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    FEED("SET", "a", "1");                  /* 27 bytes */
    aof_flush();
    buf info = BUF_INIT;
    aof_info(&info);
    buf_append(&info, "", 1);
    cr_expect_not_null(strstr(buf_data(&info), "aof_enabled:1\r\n"), "%s", buf_data(&info));
    cr_expect_not_null(strstr(buf_data(&info), "aof_current_size:27\r\n"), "%s", buf_data(&info));
    cr_expect_not_null(strstr(buf_data(&info), "aof_last_write_status:ok\r\n"), "%s", buf_data(&info));
    aof_stop();
    buf_clear(&info);
    aof_info(&info);
    buf_append(&info, "", 1);
    cr_expect_not_null(strstr(buf_data(&info), "aof_enabled:0\r\n"), "%s", buf_data(&info));
    cr_expect_null(strstr(buf_data(&info), "aof_current_size"), "%s", buf_data(&info));
    buf_free(&info);
    db_destroy(d);
}

/* ---------------- Propagation from commands ---------------- */

Test(aof, commands_that_change_the_dataset_are_logged_and_others_are_not)
{
    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    buf expected = BUF_INIT;

    cr_expect_str_eq(RUN(d, "SET", "k", "v"), "+OK\r\n");
    CMD(&expected, "SET", "k", "v");
    cr_expect_str_eq(RUN(d, "GET", "k"), "$1\r\nv\r\n");              /* a read */
    cr_expect_str_eq(RUN(d, "INCR", "n"), ":1\r\n");
    CMD(&expected, "INCR", "n");
    cr_expect_str_eq(RUN(d, "DEL", "missing"), ":0\r\n");            /* changed nothing */
    cr_expect_str_eq(RUN(d, "RPUSH", "l", "a", "b"), ":2\r\n");
    CMD(&expected, "RPUSH", "l", "a", "b");
    cr_expect_str_eq(RUN(d, "INCR", "k"), "-ERR value is not an integer or out of range\r\n");   /* failed */
    cr_expect_str_eq(RUN(d, "LPOP", "nothing"), "$-1\r\n");
    cr_expect_str_eq(RUN(d, "NOSUCH", "x"),
                     "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    aof_flush();
    expect_file_buf("after SET GET INCR DEL RPUSH and failures", &expected);

    /* A relative TTL is logged as an absolute time. */
    long long before = db_now_ms();
    cr_expect_str_eq(RUN(d, "SET", "t", "v", "EX", "100"), "+OK\r\n");
    long long after = db_now_ms();
    aof_flush();
    buf got = BUF_INIT;
    cr_assert(read_file(AOF_NAME, &got));
    size_t prefix = buf_length(&expected);
    cr_assert_gt(buf_length(&got), prefix);
    cr_assert(memcmp(buf_data(&got), buf_data(&expected), prefix) == 0, "the earlier records changed");
    buf_append(&got, "", 1);
    const char *rec = buf_data(&got) + prefix;
    static const char head[] = "*5\r\n$3\r\nSET\r\n$1\r\nt\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n";
    cr_assert(strncmp(rec, head, sizeof(head) - 1) == 0, "SET t v EX 100 was logged as \"%s\"", rec);
    long long when = strtoll(rec + sizeof(head) - 1, NULL, 10);
    cr_expect(when >= before + 100000 && when <= after + 100000, "PXAT %lld, for EX 100 between %lld and %lld", when,
              before, after);
    cr_expect_str_eq(rec + sizeof(head) - 1 + 13, "\r\n");

    aof_stop();
    buf_free(&got);
    buf_free(&expected);
    db_destroy(d);
}

Test(aof, an_expired_key_is_logged_as_a_del)
{
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    dict_entry *e = db_set(d, "old", 3, db_string_new("v", 1));
    db_set_expire(d, e, 1000);              /* one second into 1970 */
    cr_expect_null(db_get(d, "old", 3), "a key from 1970 is alive");
    aof_flush();
    EXPECT_FILE("after the lookup that expired it", "*2\r\n$3\r\nDEL\r\n$3\r\nold\r\n");
    aof_stop();
    db_destroy(d);
}

/* aof_stop() leaves the dispatcher's hooks alone (the server unhooks them
 * in server_free()): a write that still reaches aof_feed() after it must
 * be neither written nor kept. */
Test(aof, a_command_still_propagated_after_stop_is_not_logged)
{
    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    RUN(d, "SET", "a", "1");
    aof_stop();
    buf expected = BUF_INIT;
    CMD(&expected, "SET", "a", "1");
    expect_file_buf("after stop", &expected);
    cr_expect_str_eq(RUN(d, "SET", "b", "2"), "+OK\r\n");     /* no file, no crash, no refusal */
    aof_flush();
    expect_file_buf("a command after stop", &expected);
    buf_free(&expected);
    db_destroy(d);
}

/* ---------------- Replay ---------------- */

static void expect_replayed(db *d)
{
    cr_expect_str_eq(RUN(d, "GET", "a"), "$1\r\n1\r\n");
    cr_expect_str_eq(RUN(d, "GET", "b"), "$-1\r\n", "a deleted key came back");
    cr_expect_str_eq(RUN(d, "GET", "n"), "$2\r\n11\r\n");
    cr_expect_str_eq(RUN(d, "LRANGE", "l", "0", "-1"), "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n");
    const char *ttl = RUN(d, "PTTL", "t");
    cr_expect(ttl[0] == ':' && atoll(ttl + 1) > 0, "PTTL t: %s", ttl);
    cr_expect_str_eq(RUN(d, "DBSIZE"), ":4\r\n");
}

Test(aof, a_restart_replays_the_records_into_a_fresh_db)
{
    /* First run: records fed straight to the file, no commands needed. */
    db *first = db_create();
    START(first, true, AOF_FSYNC_NO);
    char when[32];
    snprintf(when, sizeof(when), "%lld", db_now_ms() + 3600 * 1000);
    FEED("SET", "a", "1");
    FEED("SET", "b", "2");
    FEED("SET", "n", "10");
    FEED("RPUSH", "l", "x", "y");
    FEED("DEL", "b");
    aof_flush();
    FEED("INCR", "n");
    FEED("RPUSH", "l", "z");
    FEED("SET", "t", "v");
    FEED("PEXPIREAT", "t", when);
    aof_stop();
    db_destroy(first);
    buf written = BUF_INIT;
    cr_assert(read_file(AOF_NAME, &written));

    /* Second run: a fresh db, the commands, the file replayed. */
    register_commands();
    db *second = db_create();
    START(second, true, AOF_FSYNC_NO);
    expect_replayed(second);
    aof_flush();
    expect_file_buf("the replay logged its own commands again", &written);

    /* And new writes go after the old records. */
    cr_expect_str_eq(RUN(second, "SET", "c", "3"), "+OK\r\n");
    aof_flush();
    CMD(&written, "SET", "c", "3");
    expect_file_buf("after a write following the replay", &written);
    aof_stop();
    buf_free(&written);
    db_destroy(second);
}

Test(aof, replays_a_file_written_by_someone_else)
{
    buf bytes = BUF_INIT;
    char when[32];
    snprintf(when, sizeof(when), "%lld", db_now_ms() + 3600 * 1000);
    CMD(&bytes, "SELECT", "0");             /* Redis 7 starts its files so */
    CMD(&bytes, "set", "a", "1");
    CMD(&bytes, "SET", "b", "2");
    CMD(&bytes, "Set", "n", "11");
    CMD(&bytes, "rpush", "l", "x", "y", "z");
    CMD(&bytes, "del", "b");
    CMD(&bytes, "SET", "t", "v", "PXAT", when);
    write_file(AOF_NAME, buf_data(&bytes), buf_length(&bytes));

    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    expect_replayed(d);
    aof_stop();
    expect_file_buf("a replayed file", &bytes);
    buf_free(&bytes);
    db_destroy(d);
}

Test(aof, an_empty_file_replays_to_an_empty_db)
{
    write_file(AOF_NAME, "", 0);
    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    cr_expect_eq(db_size(d), 0);
    aof_stop();
    expect_file("an empty file", "", 0);
    db_destroy(d);
}

/* ---------------- What the replay callback is handed ---------------- */

/* A replay callback of the test's own: it writes down each command it is
 * handed, encoded again, after the id of the database it was handed with;
 * it refuses the command named fail_on, as the dispatcher refuses an
 * unknown one. */
typedef struct recording {
    buf commands;
    const char *fail_on;
} recording;

static bool record_command(void *data, db *d, int argc, const char **argv, const size_t *argvlen, char *err)
{
    recording *rec = data;
    if (rec->fail_on != NULL && argvlen[0] == strlen(rec->fail_on) && memcmp(argv[0], rec->fail_on, argvlen[0]) == 0) {
        snprintf(err, AOF_ERR_LEN, "the test refuses %s", rec->fail_on);
        return false;
    }
    char line[32];
    int n = snprintf(line, sizeof(line), "db%d ", d->id);
    buf_append(&rec->commands, line, (size_t)n);
    add_command(&rec->commands, argc, argv, argvlen);
    return true;
}

static db *three_dbs[3];

static bool start_recording(recording *rec, char *err)
{
    for (int i = 0; i < 3; i++) {
        three_dbs[i] = db_create();
        three_dbs[i]->id = i;
    }
    aof_config config = {true, AOF_FSYNC_NO, AOF_NAME};
    err[0] = '\0';
    return aof_start(three_dbs, 3, &config, record_command, rec, err);
}

static void destroy_three_dbs(void)
{
    for (int i = 0; i < 3; i++)
        db_destroy(three_dbs[i]);
}

/* SELECT is aof.c's own business: the callback never sees it, only the
 * database each later command is for. */
Test(aof, the_replay_is_handed_each_command_with_the_database_the_file_selected)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    CMD(&bytes, "SELECT", "2");
    CMD(&bytes, "SET", "b", "2");
    CMD(&bytes, "select", "1");
    CMD(&bytes, "RPUSH", "l", "x");
    write_file(AOF_NAME, buf_data(&bytes), buf_length(&bytes));

    recording rec = {BUF_INIT, NULL};
    char err[AOF_ERR_LEN];
    cr_assert(start_recording(&rec, err), "aof_start failed: %s", err);
    buf expected = BUF_INIT;
    buf_append(&expected, "db0 ", 4);
    CMD(&expected, "SET", "a", "1");
    buf_append(&expected, "db2 ", 4);
    CMD(&expected, "SET", "b", "2");
    buf_append(&expected, "db1 ", 4);
    CMD(&expected, "RPUSH", "l", "x");
    cr_expect(buf_length(&rec.commands) == buf_length(&expected) &&
                  memcmp(buf_data(&rec.commands), buf_data(&expected), buf_length(&expected)) == 0,
              "the callback was handed:\n%.*s", (int)buf_length(&rec.commands), buf_data(&rec.commands));

    /* The file ended in database 1: a record for database 0 says so
     * first, the next one for the same database does not. */
    const char *set[] = {"SET", "c", "3"};
    size_t setlen[] = {3, 1, 1};
    aof_feed(0, 3, set, setlen);
    aof_feed(0, 3, set, setlen);
    aof_flush();
    CMD(&bytes, "SELECT", "0");
    CMD(&bytes, "SET", "c", "3");
    CMD(&bytes, "SET", "c", "3");
    expect_file_buf("records after a replay that ended in database 1", &bytes);
    aof_stop();
    buf_free(&expected);
    buf_free(&rec.commands);
    buf_free(&bytes);
    destroy_three_dbs();
}

Test(aof, a_command_the_replay_refuses_stops_the_start_with_its_reason)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");           /* 27 bytes */
    CMD(&bytes, "RPUSH", "l", "x");
    CMD(&bytes, "SET", "c", "3");
    write_file(AOF_NAME, buf_data(&bytes), buf_length(&bytes));

    recording rec = {BUF_INIT, "RPUSH"};
    char err[AOF_ERR_LEN];
    cr_expect_not(start_recording(&rec, err), "a refused command was let through");
    cr_expect_not_null(strstr(err, "the test refuses RPUSH"), "the callback's reason is lost: \"%s\"", err);
    cr_expect_not_null(strstr(err, "byte offset 27"), "the error does not say where: \"%s\"", err);
    cr_expect_not_null(strstr(err, AOF_NAME), "the error does not name the file: \"%s\"", err);
    cr_expect_not(aof_is_enabled());
    buf expected = BUF_INIT;
    buf_append(&expected, "db0 ", 4);
    CMD(&expected, "SET", "a", "1");
    cr_expect(buf_length(&rec.commands) == buf_length(&expected) &&
                  memcmp(buf_data(&rec.commands), buf_data(&expected), buf_length(&expected)) == 0,
              "the replay went on after the refusal:\n%.*s", (int)buf_length(&rec.commands),
              buf_data(&rec.commands));
    aof_stop();
    expect_file_buf("after the refused start", &bytes);
    buf_free(&expected);
    buf_free(&rec.commands);
    buf_free(&bytes);
    destroy_three_dbs();
}

/* ---------------- Cut and damaged files ---------------- */

Test(aof, a_file_cut_inside_its_last_command_is_truncated_back_and_replayed)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    CMD(&bytes, "RPUSH", "l", "x");
    buf whole = BUF_INIT;
    buf_append(&whole, buf_data(&bytes), buf_length(&bytes));
    buf_append(&bytes, "*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$5\r\nval", 30);
    write_file(AOF_NAME, buf_data(&bytes), buf_length(&bytes));

    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    expect_file_buf("after the repair", &whole);
    cr_expect_str_eq(RUN(d, "GET", "a"), "$1\r\n1\r\n");
    cr_expect_str_eq(RUN(d, "LRANGE", "l", "0", "-1"), "*1\r\n$1\r\nx\r\n");
    cr_expect_str_eq(RUN(d, "GET", "lost"), "$-1\r\n");
    cr_expect_eq(db_size(d), 2);

    RUN(d, "SET", "b", "2");
    aof_flush();
    CMD(&whole, "SET", "b", "2");
    expect_file_buf("a write after the repair follows the last whole command", &whole);
    aof_stop();
    buf_free(&bytes);
    buf_free(&whole);
    db_destroy(d);
}

Test(aof, a_file_of_only_a_cut_command_is_truncated_to_nothing)
{
    write_file(AOF_NAME, "*2\r\n$3\r\nGET", 11);
    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_NO);
    expect_file("after the repair", "", 0);
    cr_expect_eq(db_size(d), 0);
    aof_stop();
    db_destroy(d);
}

/* aof_start refuses a file damaged before its end: the error names the
 * byte offset of the damage, and the file is left as it was. */
static void expect_refused(const buf *bytes, size_t offset, const char *words)
{
    write_file(AOF_NAME, buf_data(bytes), buf_length(bytes));
    register_commands();
    db *d = db_create();
    char err[AOF_ERR_LEN];
    bool started = start(d, true, AOF_FSYNC_NO, err);
    cr_expect_not(started, "a damaged file was accepted");
    if (!started) {
        char at[64];
        snprintf(at, sizeof(at), "byte offset %zu", offset);
        cr_expect_not_null(strstr(err, at), "the error does not say \"%s\": \"%s\"", at, err);
        cr_expect_not_null(strstr(err, AOF_NAME), "the error does not name the file: \"%s\"", err);
        cr_expect_not_null(strstr(err, words), "the error does not say \"%s\": \"%s\"", words, err);
        cr_expect_not(aof_is_enabled());
    }
    expect_file_buf("after the refused start", bytes);
    aof_stop();                             /* what the server does next */
    expect_file_buf("after aof_stop", bytes);
    db_destroy(d);
}

Test(aof, damage_in_the_middle_stops_the_start_and_leaves_the_file_alone)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    CMD(&bytes, "SET", "b", "2");
    size_t offset = buf_length(&bytes);
    buf_append(&bytes, "garbage\r\n", 9);
    CMD(&bytes, "SET", "c", "3");
    expect_refused(&bytes, offset, "Bad file format");
    buf_free(&bytes);
}

Test(aof, a_replaced_crlf_in_the_middle_stops_the_start)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    size_t offset = buf_length(&bytes);
    buf_append(&bytes, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2XX", 27);
    CMD(&bytes, "SET", "c", "3");
    expect_refused(&bytes, offset, "Bad file format");
    buf_free(&bytes);
}

Test(aof, an_unknown_command_in_the_file_stops_the_start)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    size_t offset = buf_length(&bytes);
    CMD(&bytes, "NOSUCH", "x");
    CMD(&bytes, "SET", "c", "3");
    expect_refused(&bytes, offset, "Unknown command 'NOSUCH'");
    buf_free(&bytes);
}

Test(aof, a_select_of_another_database_stops_the_start)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    size_t offset = buf_length(&bytes);
    CMD(&bytes, "SELECT", "1");
    CMD(&bytes, "SET", "c", "3");
    expect_refused(&bytes, offset, "database");
    buf_free(&bytes);
}

/* A NUL byte zeroing a digit of a length line in the middle is damage:
 * the commands after it are whole, and cutting the file back to the
 * damage would lose them all. */
Test(aof, a_nul_byte_in_a_length_line_in_the_middle_is_not_repaired_away)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    size_t offset = buf_length(&bytes);
    buf_append(&bytes, "*3\r\n$\0\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n", 27);
    for (int i = 0; i < 20; i++)
        CMD(&bytes, "INCR", "counter");
    expect_refused(&bytes, offset, "Bad file format");
    buf_free(&bytes);
}

/* ---------------- Starting again ---------------- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1)
        ;
}

/* If aof_stop() hangs, Criterion's timeout kills the process and .fini
 * never runs: remove the directory a little before (unlink and rmdir are
 * safe in a signal handler), and let the timeout report the failure. */
static void clean_up_before_the_timeout(int sig)
{
    (void)sig;
    static const char note[] = "aof_stop() still waiting after 5 s; removing the test directory\n";
    char path[TMPDIR_PATH_LEN + sizeof(AOF_NAME) + 1];
    size_t n = strlen(tmpdir_path());
    memcpy(path, tmpdir_path(), n);
    path[n] = '/';
    memcpy(path + n + 1, AOF_NAME, sizeof(AOF_NAME));
    unlink(path);
    rmdir(tmpdir_path());
    ssize_t ignored = write(STDERR_FILENO, note, sizeof(note) - 1);
    (void)ignored;
}

/* aof_stop() stops the everysec fsync thread; a later aof_start() makes
 * a new one, which must serve fsync requests as the first did, or the
 * next aof_stop() waits for an fsync nobody will do. */
Test(aof, everysec_works_after_a_stop_and_a_new_start, .timeout = 10)
{
    signal(SIGALRM, clean_up_before_the_timeout);
    alarm(5);
    db *d = db_create();
    START(d, true, AOF_FSYNC_EVERYSEC);
    aof_stop();
    START(d, true, AOF_FSYNC_EVERYSEC);
    FEED("SET", "a", "1");
    sleep_ms(1100);                         /* past the second: this flush asks for an fsync */
    aof_flush();
    aof_stop();                             /* waits for that fsync */
    alarm(0);
    EXPECT_FILE("after the second run", "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
    db_destroy(d);
}

/* ---------------- Write errors ----------------
 *
 * A file size limit (RLIMIT_FSIZE) makes the disk "full" at a chosen
 * byte: a write that crosses it writes up to it, the next one fails with
 * EFBIG. SIGXFSZ, which would kill the process, is ignored. The limit is
 * set in the test's own process (Criterion runs each test in a process of
 * its own) and is raised again by the test; the hard limit is never
 * touched, so that raising works without privileges. While it is low,
 * it applies to every regular file the process writes, stderr included
 * if it was redirected to one: send the output to a pipe or a terminal to
 * be sure of seeing a sanitizer's report from these tests. */

static struct rlimit fsize_before;

static void limit_file_size(rlim_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &fsize_before), 0, "getrlimit: %s", strerror(errno));
    cr_assert(fsize_before.rlim_cur == RLIM_INFINITY || fsize_before.rlim_cur > 4 * 1024 * 1024,
              "the file size limit is already %llu bytes", (unsigned long long)fsize_before.rlim_cur);
    struct rlimit low = {bytes, fsize_before.rlim_max};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &low), 0, "setrlimit: %s", strerror(errno));
}

static void unlimit_file_size(void)
{
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &fsize_before), 0, "setrlimit: %s", strerror(errno));
}

static long long file_size(void)
{
    struct stat st;
    cr_assert_eq(stat(AOF_NAME, &st), 0, "stat %s: %s", AOF_NAME, strerror(errno));
    return (long long)st.st_size;
}

/* The INFO text holds `line` (with its \r\n). */
static void expect_info(const char *what, const char *line)
{
    buf info = BUF_INIT;
    aof_info(&info);
    buf_append(&info, "", 1);
    cr_expect_not_null(strstr(buf_data(&info), line), "%s: no \"%s\" in INFO:\n%s", what, line, buf_data(&info));
    buf_free(&info);
}

static void expect_info_size(const char *what)
{
    char line[64];
    snprintf(line, sizeof(line), "aof_current_size:%lld\r\n", file_size());
    expect_info(what, line);
}

/* aof_file_read() callback: each command of the file, encoded again. */
static bool collect_command(void *data, int argc, const char **argv, const size_t *argvlen, char *err)
{
    (void)err;
    add_command(data, argc, argv, argvlen);
    return true;
}

/* The file is a valid AOF (whole commands, to the last byte) and its
 * commands are exactly `expected`, in order. */
static void expect_valid_file(const char *what, const buf *expected, long long commands)
{
    buf got = BUF_INIT;
    aof_read_result r = aof_file_read(AOF_NAME, collect_command, &got);
    cr_expect_eq(r.status, AOF_READ_OK, "%s: aof_file_read says %d, valid up to byte %zu of %zu: %s", what,
                 (int)r.status, r.valid_bytes, r.size, r.error);
    cr_expect_eq(r.commands, commands, "%s: %lld commands in the file instead of %lld", what, r.commands, commands);
    size_t n = buf_length(&got), len = buf_length(expected);
    size_t same = 0;
    while (same < n && same < len && buf_data(&got)[same] == buf_data(expected)[same])
        same++;
    cr_expect(n == len && same == len, "%s: the commands read are %zu bytes instead of %zu, the first %zu as fed",
              what, n, len, same);
    buf_free(&got);
}

#define MISCONF_PREFIX "MISCONF Errors writing to the AOF file: "

/* Records flushed past the limit leave the file cut at the limit, inside
 * a record; writes are refused with MISCONF, reads still served. Once
 * the limit is gone, the next flush (or the cron's retry) writes the rest
 * of what was pending, once: the file is whole again. */
static void write_error_then_recovery(bool by_cron)
{
    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_EVERYSEC);
    buf expected = BUF_INIT;
    long long commands = 0;

    cr_expect_str_eq(RUN(d, "SET", "k0", "v0"), "+OK\r\n");        /* 29 bytes each */
    cr_expect_str_eq(RUN(d, "SET", "k1", "v1"), "+OK\r\n");
    CMD(&expected, "SET", "k0", "v0");
    CMD(&expected, "SET", "k1", "v1");
    commands += 2;
    aof_flush();
    cr_assert_eq(file_size(), 58);

    limit_file_size(100);                   /* inside the 4th record, which ends at byte 116 */
    cr_expect_str_eq(RUN(d, "SET", "k2", "v2"), "+OK\r\n");        /* everysec: the replies go out */
    cr_expect_str_eq(RUN(d, "SET", "k3", "v3"), "+OK\r\n");
    cr_expect_str_eq(RUN(d, "SET", "k4", "v4"), "+OK\r\n");
    CMD(&expected, "SET", "k2", "v2");
    CMD(&expected, "SET", "k3", "v3");
    CMD(&expected, "SET", "k4", "v4");
    commands += 3;
    cr_expect_null(aof_write_refusal(), "writes refused before the failed write");
    aof_flush();
    cr_expect_eq(file_size(), 100, "the file is not cut at the limit");
    expect_file("at the limit", buf_data(&expected), 100);

    const char *refusal = aof_write_refusal();
    cr_assert_not_null(refusal, "no refusal after a failed write");
    cr_expect(strncmp(refusal, MISCONF_PREFIX, sizeof(MISCONF_PREFIX) - 1) == 0, "the refusal: \"%s\"", refusal);
    cr_expect_str_eq(strerror(EFBIG), "File too large");
    char want[256];
    snprintf(want, sizeof(want), "-" MISCONF_PREFIX "%s\r\n", strerror(EFBIG));
    cr_expect_str_eq(RUN(d, "SET", "k5", "v5"), want);
    cr_expect_str_eq(RUN(d, "SET", "k5", "v5"), "-MISCONF Errors writing to the AOF file: File too large\r\n");
    cr_expect_str_eq(RUN(d, "DEL", "k0"), want);
    cr_expect_str_eq(RUN(d, "RPUSH", "l", "x"), want);
    cr_expect_str_eq(RUN(d, "GET", "k4"), "$2\r\nv4\r\n", "a read while writes fail");
    cr_expect_str_eq(RUN(d, "GET", "k0"), "$2\r\nv0\r\n", "a refused DEL ran");
    cr_expect_str_eq(RUN(d, "GET", "k5"), "$-1\r\n", "a refused SET ran");
    cr_expect_str_eq(RUN(d, "DBSIZE"), ":5\r\n");
    expect_info("while writes fail", "aof_last_write_status:err\r\n");
    expect_info("while writes fail", "aof_current_size:100\r\n");

    /* Retries while the limit holds write nothing more. */
    aof_flush();
    aof_cron();
    aof_flush();
    cr_expect_eq(file_size(), 100, "a failed retry changed the file");
    cr_expect_not_null(aof_write_refusal(), "the refusal went away while writes still fail");

    /* A key found expired meanwhile is logged as a DEL (no client asked
     * for it, so no refusal): it waits behind the rest of the cut record. */
    dict_entry *e = db_set(d, "old", 3, db_string_new("v", 1));
    db_set_expire(d, e, 1000);              /* one second into 1970 */
    cr_expect_null(db_get(d, "old", 3), "a key from 1970 is alive");
    CMD(&expected, "DEL", "old");
    commands++;

    unlimit_file_size();
    if (by_cron)
        aof_cron();
    else
        aof_flush();
    expect_file_buf("after the retry without a limit", &expected);
    expect_valid_file("after the retry without a limit", &expected, commands);
    cr_expect_null(aof_write_refusal(), "writes still refused after a write that worked");
    expect_info("after the retry", "aof_last_write_status:ok\r\n");
    expect_info_size("after the retry");

    /* Writes are served again, and go after the records of before. */
    aof_flush();
    aof_cron();
    expect_file_buf("more retries write nothing twice", &expected);
    cr_expect_str_eq(RUN(d, "SET", "k5", "v5"), "+OK\r\n");
    CMD(&expected, "SET", "k5", "v5");
    commands++;
    aof_flush();
    aof_stop();
    expect_file_buf("after stop", &expected);
    expect_valid_file("after stop", &expected, commands);
    buf_free(&expected);
    db_destroy(d);
}

Test(aof, a_write_past_a_full_disk_refuses_writes_until_a_flush_writes_the_rest_once)
{
    write_error_then_recovery(false);
}

Test(aof, a_write_past_a_full_disk_is_retried_by_the_cron)
{
    write_error_then_recovery(true);
}

static bool contains(const buf *b, const char *what)
{
    return buf_length(b) > 0 && memmem(buf_data(b), buf_length(b), what, strlen(what)) != NULL;
}

/* A write cut inside a record, then a BGREWRITEAOF that installs a new
 * file while the old one still cannot be written: what was pending for
 * the old file must not be written to the new one, whose snapshot has
 * those records already (review finding: the rest of the cut record used
 * to follow the rewritten content, and the file could not be replayed). */
Test(aof, a_rewrite_after_a_failed_write_leaves_no_fragment_in_the_new_file, .timeout = 20)
{
    register_commands();
    db *d = db_create();
    START(d, true, AOF_FSYNC_EVERYSEC);
    cr_expect_str_eq(RUN(d, "SET", "a", "1"), "+OK\r\n");          /* 27 bytes each */
    cr_expect_str_eq(RUN(d, "SET", "b", "2"), "+OK\r\n");
    aof_flush();
    cr_assert_eq(file_size(), 54);

    /* One turn of the loop: a big SET and a DEL of it, so that the record
     * is cut in the middle while the dataset (and the rewrite) stays small. */
    limit_file_size(1024);
    size_t big_len = 4000;
    char *big = malloc(big_len + 1);
    cr_assert_not_null(big);
    memset(big, 'x', big_len);
    big[big_len] = '\0';
    cr_expect_str_eq(RUN(d, "SET", "big", big), "+OK\r\n");
    cr_expect_str_eq(RUN(d, "DEL", "big"), ":1\r\n");
    aof_flush();
    cr_expect_eq(file_size(), 1024, "the file is not cut at the limit");
    cr_assert_not_null(aof_write_refusal(), "no refusal after a failed write");

    /* BGREWRITEAOF: the child (which has the same limit) writes 54 bytes. */
    char err[AOF_ERR_LEN] = "";
    cr_assert(aof_rewrite_start(err), "aof_rewrite_start: %s", err);
    long long deadline = db_now_ms() + 5000;
    bool done = false;
    while (!done && db_now_ms() < deadline) {
        sleep_ms(5);
        aof_cron();
        buf info = BUF_INIT;
        aof_info(&info);
        buf_append(&info, "", 1);
        done = strstr(buf_data(&info), "aof_rewrite_in_progress:0\r\n") != NULL;
        buf_free(&info);
    }
    cr_assert(done, "the rewrite is not done after 5 s");
    expect_info("after the rewrite", "aof_last_bgrewrite_status:ok\r\n");

    /* Still under the limit: the new file is small and can be written. */
    cr_expect_null(aof_write_refusal(), "writes refused after the rewrite installed a new file: \"%s\"",
                   aof_write_refusal());
    expect_info("after the rewrite", "aof_last_write_status:ok\r\n");
    expect_info_size("after the rewrite");
    cr_expect_str_eq(RUN(d, "SET", "c", "3"), "+OK\r\n");
    aof_flush();
    aof_cron();
    unlimit_file_size();
    aof_flush();
    aof_stop();

    buf bytes = BUF_INIT;
    cr_assert(read_file(AOF_NAME, &bytes));
    cr_expect_not(contains(&bytes, "xxxxxxxx"), "the file holds part of the big value");
    cr_expect_not(contains(&bytes, "big"), "the file holds a record of the key big");
    aof_read_result r = aof_file_read(AOF_NAME, NULL, NULL);
    cr_expect_eq(r.status, AOF_READ_OK, "aof_file_read says %d, valid up to byte %zu of %zu: %s", (int)r.status,
                 r.valid_bytes, r.size, r.error);
    /* SET a, SET b from the rewrite, then SELECT 0 (a new file makes the
     * next record say its database again) and SET c. */
    cr_expect_eq(r.commands, 4, "%lld commands in the file", r.commands);
    cr_expect(contains(&bytes, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nc"),
              "SET c is not preceded by SELECT 0");

    /* A restart replays it to the dataset as it was. */
    db *second = db_create();
    START(second, true, AOF_FSYNC_NO);
    cr_expect_str_eq(RUN(second, "GET", "a"), "$1\r\n1\r\n");
    cr_expect_str_eq(RUN(second, "GET", "b"), "$1\r\n2\r\n");
    cr_expect_str_eq(RUN(second, "GET", "c"), "$1\r\n3\r\n");
    cr_expect_str_eq(RUN(second, "EXISTS", "big"), ":0\r\n");
    cr_expect_str_eq(RUN(second, "DBSIZE"), ":3\r\n");
    aof_stop();
    buf got = BUF_INIT;
    cr_assert(read_file(AOF_NAME, &got));
    cr_expect(buf_length(&got) == buf_length(&bytes) && memcmp(buf_data(&got), buf_data(&bytes), buf_length(&got)) == 0,
              "the replay changed the file");
    buf_free(&got);
    buf_free(&bytes);
    free(big);
    db_destroy(second);
    db_destroy(d);
}

/* With appendfsync always, a client may only hear OK for what is on disk:
 * a write that fails ends the process (exit code 1), as in Redis. _exit()
 * skips .fini, so the directory is removed before the write; the open
 * file lives on, unlinked, and the limit applies to it all the same. */
Test(aof, with_fsync_always_a_failed_write_exits_the_process, .exit_code = 1)
{
    db *d = db_create();
    START(d, true, AOF_FSYNC_ALWAYS);
    FEED("SET", "a", "1");
    aof_flush();
    cr_assert_eq(file_size(), 27);
    leave_dir();
    limit_file_size(40);
    FEED("SET", "b", "2");
    aof_flush();                            /* must not return */
    unlimit_file_size();
    aof_stop();
    db_destroy(d);
    cr_assert_fail("aof_flush() returned after a failed write with appendfsync always");
}
