/* Unit tests of aof_file: reading a file of RESP commands (stage 5).
 *
 * Most tests hand aof_file_read_bytes() a heap copy of exactly the bytes
 * under test, so that a read one byte past the end is caught by ASan; a
 * few go through aof_file_read() and real files, which live in a
 * directory of their own (tmpdir.h), removed after each test.
 *
 * The records are encoded here by hand rather than with resp.c, and a
 * recording callback encodes again each command it is given: when the
 * reader hands out every argument exactly, the two encodings are equal. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "persist/aof_file.h"
#include "base/buf.h"
#include "tmpdir.h"

/* ---------------- A directory for the files ---------------- */

static void make_dir(void)
{
    cr_assert(tmpdir_make("test_aof_file"), "mkdtemp: %s", strerror(errno));
}

TestSuite(aof_file, .init = make_dir, .fini = tmpdir_remove);

static const char *write_file(const char *name, const char *bytes, size_t len)
{
    const char *path = tmpdir_file(name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s: %s", path, strerror(errno));
    if (len > 0)
        cr_assert_eq(fwrite(bytes, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}

/* The file's bytes into out (cleared first); false if it cannot be read. */
static bool read_file(const char *path, buf *out)
{
    buf_clear(out);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, n);
    fclose(f);
    return true;
}

/* ---------------- Encoding records ---------------- */

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

/* A command of NUL-terminated words. */
static void add_words(buf *out, int argc, const char *const *words)
{
    size_t lens[16];
    cr_assert_leq(argc, 16);
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(words[i]);
    add_command(out, argc, words, lens);
}

#define WORDS(...) (const char *const[]){__VA_ARGS__}
#define NWORDS(...) ((int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))
#define CMD(out, ...) add_words((out), NWORDS(__VA_ARGS__), WORDS(__VA_ARGS__))

/* ---------------- What the callback was given ---------------- */

#define SEEN_MAX 16
#define SEEN_ARGS 8

typedef struct seen {
    int calls;
    int fail_at;                /* answer false on this call (1-based); 0: never */
    const char *fail_text;      /* ... with this error */
    buf resp;                   /* every command seen, encoded again */
    int argc[SEEN_MAX];
    char *argv[SEEN_MAX][SEEN_ARGS];     /* copies of the first calls' arguments */
    size_t argvlen[SEEN_MAX][SEEN_ARGS];
} seen;

static bool record(void *data, int argc, const char **argv, const size_t *argvlen, char *err)
{
    seen *s = data;
    int call = s->calls++;
    cr_expect_gt(argc, 0, "the callback was called with argc %d", argc);
    add_command(&s->resp, argc, argv, argvlen);
    if (call < SEEN_MAX) {
        s->argc[call] = argc;
        for (int i = 0; i < argc && i < SEEN_ARGS; i++) {
            s->argv[call][i] = malloc(argvlen[i] + 1);
            memcpy(s->argv[call][i], argv[i], argvlen[i]);
            s->argvlen[call][i] = argvlen[i];
        }
    }
    if (s->fail_at == call + 1) {
        snprintf(err, AOF_ERR_LEN, "%s", s->fail_text);
        return false;
    }
    return true;
}

static void seen_free(seen *s)
{
    for (int c = 0; c < SEEN_MAX; c++)
        for (int i = 0; i < SEEN_ARGS; i++)
            free(s->argv[c][i]);
    buf_free(&s->resp);
    memset(s, 0, sizeof(*s));
}

static void expect_arg(const seen *s, int call, int i, const char *bytes, size_t len)
{
    cr_assert_lt(i, s->argc[call], "command %d has %d arguments, not %d", call + 1, s->argc[call], i + 1);
    cr_expect_eq(s->argvlen[call][i], len, "command %d, argument %d: %zu bytes instead of %zu", call + 1, i + 1,
                 s->argvlen[call][i], len);
    if (s->argvlen[call][i] == len)
        cr_expect(memcmp(s->argv[call][i], bytes, len) == 0, "command %d, argument %d: other bytes", call + 1, i + 1);
}

/* aof_file_read_bytes() on a heap copy of exactly `len` bytes. */
static aof_read_result read_exact(const char *bytes, size_t len, aof_command_fn *fn, void *data)
{
    char *copy = malloc(len > 0 ? len : 1);
    if (len > 0)
        memcpy(copy, bytes, len);
    aof_read_result r = aof_file_read_bytes(copy, len, fn, data);
    free(copy);
    return r;
}

static const char *status_name(aof_read_status st)
{
    static const char *names[] = {"OK", "MISSING", "TRUNCATED", "BAD", "FAILED"};
    return (unsigned)st < 5 ? names[st] : "?";
}

#define expect_status(r, want) \
    cr_expect_eq((r).status, (want), "status %s instead of %s (error \"%s\")", status_name((r).status), \
                 status_name(want), (r).error)

/* ---------------- Empty and missing files ---------------- */

Test(aof_file, no_bytes_are_an_empty_dataset)
{
    seen s = {0};
    aof_read_result r = aof_file_read_bytes("", 0, record, &s);
    expect_status(r, AOF_READ_OK);
    cr_expect_eq(r.size, 0);
    cr_expect_eq(r.valid_bytes, 0);
    cr_expect_eq(r.commands, 0);
    cr_expect_eq(s.calls, 0);
}

Test(aof_file, an_empty_file_is_ok_with_no_commands)
{
    seen s = {0};
    const char *path = write_file("empty.aof", "", 0);
    aof_read_result r = aof_file_read(path, record, &s);
    expect_status(r, AOF_READ_OK);
    cr_expect_eq(r.size, 0);
    cr_expect_eq(r.valid_bytes, 0);
    cr_expect_eq(r.commands, 0);
    cr_expect_eq(s.calls, 0, "the callback ran for an empty file");
}

Test(aof_file, a_missing_file_is_reported_as_missing)
{
    seen s = {0};
    const char *path = tmpdir_file("nothing-here.aof");
    aof_read_result r = aof_file_read(path, record, &s);
    expect_status(r, AOF_READ_MISSING);
    cr_expect_eq(r.size, 0);
    cr_expect_eq(r.valid_bytes, 0);
    cr_expect_eq(r.commands, 0);
    cr_expect_eq(s.calls, 0);
    cr_expect_not_null(strstr(r.error, "nothing-here.aof"), "the error does not name the file: \"%s\"", r.error);
}

/* ---------------- Well-formed files ---------------- */

#define BIG_ARG (100 * 1024)

/* Six commands: plain words, binary bytes, empty arguments, a 100 KB
 * argument. The big argument is returned for the checks (free it). */
static char *build_sample(buf *out)
{
    CMD(out, "PING");
    CMD(out, "SET", "key", "value");
    CMD(out, "RPUSH", "list", "a", "b", "c");
    const char *binary[] = {"ECHO", "\0\r\n\xff*$\r"};
    size_t binlen[] = {4, 7};
    add_command(out, 2, binary, binlen);
    const char *empty[] = {"SET", "", ""};
    size_t emptylen[] = {3, 0, 0};
    add_command(out, 3, empty, emptylen);
    char *big = malloc(BIG_ARG);
    for (size_t i = 0; i < BIG_ARG; i++)
        big[i] = (char)(i * 7 + i / 251);           /* every byte value, CR and LF included */
    const char *bigcmd[] = {"SET", "big", big};
    size_t biglen[] = {3, 3, BIG_ARG};
    add_command(out, 3, bigcmd, biglen);
    return big;
}

static void expect_sample(const aof_read_result *r, const seen *s, const buf *sample, const char *big)
{
    expect_status(*r, AOF_READ_OK);
    cr_expect_eq(r->size, buf_length(sample));
    cr_expect_eq(r->valid_bytes, buf_length(sample));
    cr_expect_eq(r->commands, 6);
    cr_assert_eq(s->calls, 6, "the callback ran %d times for 6 commands", s->calls);
    cr_expect_eq(buf_length(&s->resp), buf_length(sample), "the commands seen, encoded again, differ in length");
    if (buf_length(&s->resp) == buf_length(sample))
        cr_expect(memcmp(buf_data(&s->resp), buf_data(sample), buf_length(sample)) == 0,
                  "the commands seen, encoded again, are not the file");

    int argc[] = {1, 3, 5, 2, 3, 3};
    for (int i = 0; i < 6; i++)
        cr_expect_eq(s->argc[i], argc[i], "command %d: argc %d instead of %d", i + 1, s->argc[i], argc[i]);
    expect_arg(s, 0, 0, "PING", 4);
    expect_arg(s, 1, 2, "value", 5);
    expect_arg(s, 2, 4, "c", 1);
    expect_arg(s, 3, 1, "\0\r\n\xff*$\r", 7);
    expect_arg(s, 4, 1, "", 0);
    expect_arg(s, 4, 2, "", 0);
    expect_arg(s, 5, 1, "big", 3);
    expect_arg(s, 5, 2, big, BIG_ARG);
}

Test(aof_file, reads_every_command_of_well_formed_bytes_exactly)
{
    buf sample = BUF_INIT;
    char *big = build_sample(&sample);
    seen s = {0};
    aof_read_result r = read_exact(buf_data(&sample), buf_length(&sample), record, &s);
    expect_sample(&r, &s, &sample, big);
    seen_free(&s);
    free(big);
    buf_free(&sample);
}

Test(aof_file, reads_every_command_of_a_well_formed_file_exactly)
{
    buf sample = BUF_INIT;
    char *big = build_sample(&sample);
    const char *path = write_file("sample.aof", buf_data(&sample), buf_length(&sample));
    seen s = {0};
    aof_read_result r = aof_file_read(path, record, &s);
    expect_sample(&r, &s, &sample, big);
    seen_free(&s);
    free(big);
    buf_free(&sample);
}

Test(aof_file, without_a_callback_only_checks_and_counts)
{
    buf sample = BUF_INIT;
    char *big = build_sample(&sample);
    aof_read_result r = read_exact(buf_data(&sample), buf_length(&sample), NULL, NULL);
    expect_status(r, AOF_READ_OK);
    cr_expect_eq(r.commands, 6);
    cr_expect_eq(r.valid_bytes, buf_length(&sample));
    free(big);
    buf_free(&sample);
}

/* ---------------- Empty arrays ----------------
 *
 * "*0\r\n" and "*-1\r\n" parse as requests with no arguments. The reader
 * passes over them without calling the callback (there is no command to
 * run), but they are whole records: they count in `commands` and their
 * bytes are valid. */

Test(aof_file, empty_arrays_are_passed_over_without_a_call_but_counted)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    buf_append(&bytes, "*0\r\n", 4);
    buf_append(&bytes, "*-1\r\n", 5);
    CMD(&bytes, "SET", "b", "2");
    buf_append(&bytes, "*0\r\n", 4);

    buf expected = BUF_INIT;
    CMD(&expected, "SET", "a", "1");
    CMD(&expected, "SET", "b", "2");

    seen s = {0};
    aof_read_result r = read_exact(buf_data(&bytes), buf_length(&bytes), record, &s);
    expect_status(r, AOF_READ_OK);
    cr_expect_eq(r.valid_bytes, buf_length(&bytes), "the empty arrays' bytes are valid");
    cr_expect_eq(r.commands, 5, "%lld commands: the code counts each record, empty ones included", r.commands);
    cr_expect_eq(s.calls, 2, "the callback ran %d times: never for an empty array", s.calls);
    cr_expect_eq(buf_length(&s.resp), buf_length(&expected));
    if (buf_length(&s.resp) == buf_length(&expected))
        cr_expect(memcmp(buf_data(&s.resp), buf_data(&expected), buf_length(&expected)) == 0);
    seen_free(&s);
    buf_free(&bytes);
    buf_free(&expected);
}

Test(aof_file, a_file_of_only_an_empty_array_is_ok)
{
    seen s = {0};
    const char *path = write_file("zero.aof", "*0\r\n", 4);
    aof_read_result r = aof_file_read(path, record, &s);
    expect_status(r, AOF_READ_OK);
    cr_expect_eq(r.valid_bytes, 4);
    cr_expect_eq(r.commands, 1);
    cr_expect_eq(s.calls, 0);

    r = read_exact("*0\r\n", 4, NULL, NULL);
    expect_status(r, AOF_READ_OK);
    cr_expect_eq(r.commands, 1);
}

Test(aof_file, an_empty_array_cut_short_is_truncated)
{
    static const char *cuts[] = {"*", "*0", "*0\r"};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        aof_read_result r = read_exact(cuts[i], strlen(cuts[i]), NULL, NULL);
        cr_expect_eq(r.status, AOF_READ_TRUNCATED, "\"%s\": status %s", cuts[i], status_name(r.status));
        cr_expect_eq(r.valid_bytes, 0);
        cr_expect_eq(r.commands, 0);
    }
}

/* ---------------- Truncated files ---------------- */

/* Every cut from `boundary` (the start of the last command) to the end:
 * at the boundary and at the end, a whole file; in between, a truncated
 * one, valid up to the boundary, whose earlier commands all ran. */
static void expect_every_cut(const buf *bytes, size_t boundary, long long before)
{
    size_t size = buf_length(bytes);
    for (size_t cut = boundary; cut <= size; cut++) {
        seen s = {0};
        aof_read_result r = read_exact(buf_data(bytes), cut, record, &s);
        bool whole = cut == boundary || cut == size;
        aof_read_status want = whole ? AOF_READ_OK : AOF_READ_TRUNCATED;
        long long commands = cut == size ? before + 1 : before;
        cr_expect_eq(r.status, want, "cut at %zu of %zu: %s instead of %s (\"%s\")", cut, size,
                     status_name(r.status), status_name(want), r.error);
        cr_expect_eq(r.size, cut);
        cr_expect_eq(r.valid_bytes, whole ? cut : boundary, "cut at %zu: valid_bytes %zu", cut, r.valid_bytes);
        cr_expect_eq(r.commands, commands, "cut at %zu: %lld commands instead of %lld", cut, r.commands, commands);
        cr_expect_eq(s.calls, commands, "cut at %zu: the callback ran %d times", cut, s.calls);
        if (!whole)
            cr_expect_neq(r.error[0], '\0', "cut at %zu: no error text", cut);
        seen_free(&s);
    }
}

Test(aof_file, a_single_command_cut_at_every_byte_is_truncated_at_zero)
{
    buf bytes = BUF_INIT;
    const char *argv[] = {"RPUSH", "list", "", "a\r\n*1\r\n$4\r\n", "0123456789abc"};
    size_t argvlen[] = {5, 4, 0, 11, 13};
    add_command(&bytes, 5, argv, argvlen);
    expect_every_cut(&bytes, 0, 0);
    buf_free(&bytes);
}

Test(aof_file, a_file_cut_at_every_byte_of_its_last_command_is_truncated_at_its_start)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    CMD(&bytes, "RPUSH", "l", "x", "y");
    CMD(&bytes, "PING");
    size_t boundary = buf_length(&bytes);
    const char *argv[] = {"SET", "key", "value with \r\n inside", ""};
    size_t argvlen[] = {3, 3, 20, 0};
    add_command(&bytes, 4, argv, argvlen);
    expect_every_cut(&bytes, boundary, 3);
    buf_free(&bytes);
}

Test(aof_file, a_cut_exactly_between_commands_is_a_whole_file)
{
    buf bytes = BUF_INIT;
    size_t ends[4];
    CMD(&bytes, "SET", "a", "1");
    ends[0] = buf_length(&bytes);
    CMD(&bytes, "SET", "b", "2");
    ends[1] = buf_length(&bytes);
    CMD(&bytes, "DEL", "a");
    ends[2] = buf_length(&bytes);
    CMD(&bytes, "PING");
    ends[3] = buf_length(&bytes);
    for (int i = 0; i < 4; i++) {
        aof_read_result r = read_exact(buf_data(&bytes), ends[i], NULL, NULL);
        cr_expect_eq(r.status, AOF_READ_OK, "cut after command %d: %s", i + 1, status_name(r.status));
        cr_expect_eq(r.valid_bytes, ends[i]);
        cr_expect_eq(r.commands, i + 1);
    }
    buf_free(&bytes);
}

Test(aof_file, a_truncated_file_on_disk_is_reported_with_its_sizes)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    CMD(&bytes, "SET", "b", "2");
    size_t boundary = buf_length(&bytes);
    CMD(&bytes, "SET", "c", "3");
    size_t size = buf_length(&bytes);
    size_t cuts[] = {boundary + 1, boundary + 4, boundary + 9, size - 1};
    for (size_t i = 0; i < 4; i++) {
        const char *path = write_file("cut.aof", buf_data(&bytes), cuts[i]);
        seen s = {0};
        aof_read_result r = aof_file_read(path, record, &s);
        cr_expect_eq(r.status, AOF_READ_TRUNCATED, "cut at %zu: %s", cuts[i], status_name(r.status));
        cr_expect_eq(r.size, cuts[i]);
        cr_expect_eq(r.valid_bytes, boundary);
        cr_expect_eq(r.commands, 2);
        cr_expect_eq(s.calls, 2);
        seen_free(&s);
    }
    buf_free(&bytes);
}

/* ---------------- Damage ---------------- */

/* Reads good + damaged + good and expects BAD at the start of `damaged`,
 * the first command having run. */
static void expect_bad_after_one(const char *what, const char *damaged, size_t len)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "first", "1");
    size_t at = buf_length(&bytes);
    buf_append(&bytes, damaged, len);
    CMD(&bytes, "SET", "last", "3");
    seen s = {0};
    aof_read_result r = read_exact(buf_data(&bytes), buf_length(&bytes), record, &s);
    cr_expect_eq(r.status, AOF_READ_BAD, "%s: %s instead of BAD (\"%s\")", what, status_name(r.status), r.error);
    cr_expect_eq(r.valid_bytes, at, "%s: valid_bytes %zu instead of %zu", what, r.valid_bytes, at);
    cr_expect_eq(r.commands, 1, "%s: %lld commands", what, r.commands);
    cr_expect_eq(s.calls, 1, "%s: the callback ran %d times", what, s.calls);
    cr_expect_neq(r.error[0], '\0', "%s: no error text", what);
    seen_free(&s);
    buf_free(&bytes);
}

#define EXPECT_BAD(what, literal) expect_bad_after_one((what), (literal), sizeof(literal) - 1)

Test(aof_file, an_inline_command_is_damage)
{
    seen s = {0};
    aof_read_result r = read_exact("PING\r\n", 6, record, &s);
    expect_status(r, AOF_READ_BAD);
    cr_expect_eq(r.valid_bytes, 0);
    cr_expect_eq(r.commands, 0);
    cr_expect_eq(s.calls, 0);
    cr_expect_not_null(strstr(r.error, "expected '*'"), "error: \"%s\"", r.error);
    seen_free(&s);

    EXPECT_BAD("SET x y inline", "SET x y\r\n");
}

Test(aof_file, any_byte_but_a_star_at_a_command_start_is_damage)
{
    for (int c = 0; c < 256; c++) {
        if (c == '*')
            continue;
        char what[32], damaged[] = "?1\r\n$4\r\nPING\r\n";
        snprintf(what, sizeof(what), "byte 0x%02x", c);
        damaged[0] = (char)c;
        expect_bad_after_one(what, damaged, sizeof(damaged) - 1);

        /* At the very start too, with the byte named in the error. */
        aof_read_result r = read_exact(damaged, sizeof(damaged) - 1, NULL, NULL);
        cr_expect_eq(r.status, AOF_READ_BAD, "%s first: %s", what, status_name(r.status));
        cr_expect_eq(r.valid_bytes, 0);
        char hex[8];
        snprintf(hex, sizeof(hex), "0x%02x", c);
        cr_expect_not_null(strstr(r.error, hex), "%s first: error \"%s\"", what, r.error);
    }
}

Test(aof_file, a_bad_bulk_length_is_damage)
{
    EXPECT_BAD("not a number", "*1\r\n$x\r\nPING\r\n");
    EXPECT_BAD("no digits", "*1\r\n$\r\nPING\r\n");
    EXPECT_BAD("trailing junk", "*1\r\n$4x\r\nPING\r\n");
    EXPECT_BAD("leading zero", "*1\r\n$04\r\nPING\r\n");
    EXPECT_BAD("plus sign", "*1\r\n$+4\r\nPING\r\n");
    EXPECT_BAD("space", "*1\r\n$ 4\r\nPING\r\n");
    EXPECT_BAD("negative", "*1\r\n$-4\r\nPING\r\n");
    EXPECT_BAD("null bulk", "*1\r\n$-1\r\nPING\r\n");
    EXPECT_BAD("over 512 MB", "*1\r\n$536870913\r\nPING\r\n");
    EXPECT_BAD("overflows", "*1\r\n$99999999999999999999\r\nPING\r\n");
    EXPECT_BAD("no dollar", "*1\r\n4\r\nPING\r\n");
    EXPECT_BAD("another type", "*1\r\n:4\r\nPING\r\n");
    EXPECT_BAD("one short", "*1\r\n$3\r\nPING\r\n");
    EXPECT_BAD("one long", "*1\r\n$5\r\nPING\r\n");
}

Test(aof_file, a_bad_argument_count_is_damage)
{
    EXPECT_BAD("not a number", "*x\r\n$4\r\nPING\r\n");
    EXPECT_BAD("no digits", "*\r\n$4\r\nPING\r\n");
    EXPECT_BAD("trailing junk", "*1x\r\n$4\r\nPING\r\n");
    EXPECT_BAD("leading zero", "*01\r\n$4\r\nPING\r\n");
    EXPECT_BAD("plus sign", "*+1\r\n$4\r\nPING\r\n");
    EXPECT_BAD("space", "* 1\r\n$4\r\nPING\r\n");
    EXPECT_BAD("over INT_MAX", "*2147483648\r\n$4\r\nPING\r\n");
    EXPECT_BAD("overflows", "*99999999999999999999\r\n$4\r\nPING\r\n");
    /* One too many: the next command's "*" line is read as a "$" line. */
    EXPECT_BAD("one too many", "*2\r\n$4\r\nPING\r\n");
}

Test(aof_file, a_replaced_crlf_after_any_argument_is_damage)
{
    static const char good[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n";
    const size_t crlf[] = {11, 18, 26};     /* where each argument's CRLF is */
    const char *replacements[] = {"X\n", "\rX", "\n\r", "\0\n", "  "};
    for (int a = 0; a < 3; a++) {
        cr_assert(good[crlf[a]] == '\r' && good[crlf[a] + 1] == '\n', "the test's offsets are wrong");
        for (int k = 0; k < 5; k++) {
            char damaged[sizeof(good)], what[64];
            memcpy(damaged, good, sizeof(good));
            memcpy(damaged + crlf[a], replacements[k], 2);
            snprintf(what, sizeof(what), "argument %d, replacement %d", a + 1, k);
            expect_bad_after_one(what, damaged, sizeof(good) - 1);

            /* As the last command of the file: still damage, not a cut. */
            buf bytes = BUF_INIT;
            CMD(&bytes, "SET", "first", "1");
            size_t at = buf_length(&bytes);
            buf_append(&bytes, damaged, sizeof(good) - 1);
            aof_read_result r = read_exact(buf_data(&bytes), buf_length(&bytes), NULL, NULL);
            cr_expect_eq(r.status, AOF_READ_BAD, "%s, at the end: %s", what, status_name(r.status));
            cr_expect_eq(r.valid_bytes, at);
            cr_expect_not_null(strstr(r.error, "\\r\\n"), "%s: error \"%s\"", what, r.error);
            buf_free(&bytes);
        }
    }
}

/* A NUL byte where a length line should be is damage like any other:
 * the bytes after it are there, so nothing was cut. (The client parser
 * treats a NUL as hiding the line end, as Redis's strchr() does, and
 * answers "incomplete" until 64 KB have arrived.) */
Test(aof_file, a_nul_byte_in_a_length_line_is_damage_not_a_cut)
{
    EXPECT_BAD("NUL for the count", "*\0\r\n$4\r\nPING\r\n");
    EXPECT_BAD("NUL for the CR of the count", "*1\0\n$4\r\nPING\r\n");
    EXPECT_BAD("NUL for the bulk length", "*1\r\n$\0\r\nPING\r\n");
    EXPECT_BAD("NUL for the CR of the bulk length", "*1\r\n$4\0\nPING\r\n");
}

Test(aof_file, damage_on_disk_is_reported_at_its_offset)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    CMD(&bytes, "SET", "b", "2");
    size_t at = buf_length(&bytes);
    buf_append(&bytes, "garbage\r\n", 9);
    CMD(&bytes, "SET", "c", "3");
    const char *path = write_file("bad.aof", buf_data(&bytes), buf_length(&bytes));
    seen s = {0};
    aof_read_result r = aof_file_read(path, record, &s);
    expect_status(r, AOF_READ_BAD);
    cr_expect_eq(r.size, buf_length(&bytes));
    cr_expect_eq(r.valid_bytes, at);
    cr_expect_eq(r.commands, 2);
    cr_expect_eq(s.calls, 2);
    seen_free(&s);
    buf_free(&bytes);
}

/* ---------------- A failing callback ---------------- */

Test(aof_file, a_callback_returning_false_stops_the_read_at_its_command)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    size_t at = buf_length(&bytes);
    CMD(&bytes, "NOSUCH", "x");
    CMD(&bytes, "SET", "b", "2");
    seen s = {.fail_at = 2, .fail_text = "Unknown command 'NOSUCH'"};
    aof_read_result r = read_exact(buf_data(&bytes), buf_length(&bytes), record, &s);
    expect_status(r, AOF_READ_FAILED);
    cr_expect_eq(r.valid_bytes, at, "valid_bytes %zu instead of %zu", r.valid_bytes, at);
    cr_expect_eq(r.commands, 1, "the failed command is not counted: %lld", r.commands);
    cr_expect_eq(s.calls, 2, "the callback ran %d times: nothing after the failure", s.calls);
    cr_expect_str_eq(r.error, "Unknown command 'NOSUCH'");
    seen_free(&s);
    buf_free(&bytes);
}

Test(aof_file, a_callback_failing_on_the_first_command_leaves_nothing_valid)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SELECT", "1");
    CMD(&bytes, "SET", "b", "2");
    const char *path = write_file("fail.aof", buf_data(&bytes), buf_length(&bytes));
    seen s = {.fail_at = 1, .fail_text = "no database 1"};
    aof_read_result r = aof_file_read(path, record, &s);
    expect_status(r, AOF_READ_FAILED);
    cr_expect_eq(r.size, buf_length(&bytes));
    cr_expect_eq(r.valid_bytes, 0);
    cr_expect_eq(r.commands, 0);
    cr_expect_eq(s.calls, 1);
    cr_expect_str_eq(r.error, "no database 1");
    seen_free(&s);
    buf_free(&bytes);
}

/* ---------------- Truncating ---------------- */

Test(aof_file, truncate_cuts_a_file_to_the_given_size)
{
    char bytes[100];
    for (int i = 0; i < 100; i++)
        bytes[i] = (char)('0' + i % 10);
    const char *path = write_file("cut-me.aof", bytes, sizeof(bytes));
    char err[AOF_ERR_LEN] = "";
    cr_assert(aof_file_truncate(path, 37, err), "error: %s", err);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_size, 37);
    buf back = BUF_INIT;
    cr_assert(read_file(path, &back));
    cr_assert_eq(buf_length(&back), 37);
    cr_expect(memcmp(buf_data(&back), bytes, 37) == 0, "the bytes kept changed");

    cr_assert(aof_file_truncate(path, 37, err), "the same size again: %s", err);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_size, 37);

    cr_assert(aof_file_truncate(path, 0, err), "error: %s", err);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_size, 0);
    buf_free(&back);
}

Test(aof_file, truncating_a_missing_file_fails_with_its_name)
{
    char err[AOF_ERR_LEN] = "";
    const char *path = tmpdir_file("absent.aof");
    cr_expect_not(aof_file_truncate(path, 0, err));
    cr_expect_not_null(strstr(err, "absent.aof"), "error: \"%s\"", err);
    struct stat st;
    cr_expect_neq(stat(path, &st), 0, "the file was created");
}

/* The repair the header describes: read, truncate, read again. */
Test(aof_file, truncating_at_valid_bytes_repairs_a_cut_file)
{
    buf bytes = BUF_INIT;
    CMD(&bytes, "SET", "a", "1");
    CMD(&bytes, "SET", "b", "2");
    size_t boundary = buf_length(&bytes);
    buf_append(&bytes, "*3\r\n$3\r\nSET\r\n$1\r\nc", 18);
    const char *path = write_file("repair.aof", buf_data(&bytes), buf_length(&bytes));
    aof_read_result r = aof_file_read(path, NULL, NULL);
    cr_assert_eq(r.status, AOF_READ_TRUNCATED, "%s", status_name(r.status));
    char err[AOF_ERR_LEN] = "";
    cr_assert(aof_file_truncate(path, r.valid_bytes, err), "error: %s", err);
    r = aof_file_read(path, NULL, NULL);
    expect_status(r, AOF_READ_OK);
    cr_expect_eq(r.size, boundary);
    cr_expect_eq(r.commands, 2);
    buf_free(&bytes);
}
