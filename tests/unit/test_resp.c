/* Unit tests of resp: the incremental RESP2 request parser and the reply
 * encoders (stage 1). Expected error texts and inline quoting results are
 * Redis's own (checked against redis-server 7.0.15).
 *
 * Every parse gets a heap copy of exactly the bytes it is given, so that
 * AddressSanitizer (make asan) catches a read past the end. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/resp.h"

typedef struct arg {
    const char *bytes;
    size_t len;
} arg;

#define ARG(s) {(s), sizeof(s) - 1}
#define BYTES(s) (s), sizeof(s) - 1

static char *copy_of(const char *bytes, size_t len)
{
    char *copy = malloc(len ? len : 1);
    cr_assert_not_null(copy);
    if (len > 0)
        memcpy(copy, bytes, len);
    return copy;
}

/* True when the parsed request is exactly `want`; reports what differs. */
static bool expect_args(const resp_parser *p, const arg *want, int argc, const char *what)
{
    if (p->argc != argc) {
        cr_expect_eq(p->argc, argc, "%s: argc is %d, expected %d", what, p->argc, argc);
        return false;
    }
    for (int i = 0; i < argc; i++) {
        if (p->argvlen[i] != want[i].len ||
            (want[i].len > 0 && memcmp(p->argv[i], want[i].bytes, want[i].len) != 0)) {
            cr_expect_fail("%s: argument %d is \"%.*s\" (%zu bytes), expected \"%.*s\" (%zu bytes)",
                           what, i, (int)p->argvlen[i], p->argv[i], p->argvlen[i],
                           (int)want[i].len, want[i].bytes, want[i].len);
            return false;
        }
    }
    return true;
}

/* Parses a heap copy of exactly `len` bytes, which the caller frees once
 * it is done with argv. */
static resp_status parse_once(resp_parser *p, const char *bytes, size_t len, char **copy)
{
    *copy = copy_of(bytes, len);
    return resp_parse(p, *copy, len);
}

/* ---------------- Whole requests ---------------- */

Test(resp, parses_a_multibulk_command)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    const char req[] = "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
    cr_assert_eq(parse_once(&p, BYTES(req), &data), RESP_DONE);
    cr_expect_eq(p.consumed, sizeof(req) - 1);
    const arg want[] = {ARG("ECHO"), ARG("hi")};
    expect_args(&p, want, 2, "ECHO hi");
    free(data);
    resp_parser_free(&p);
}

Test(resp, parses_inline_commands_ending_in_crlf_or_lf)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    cr_assert_eq(parse_once(&p, BYTES("PING\r\n"), &data), RESP_DONE);
    cr_expect_eq(p.consumed, 6);
    const arg ping[] = {ARG("PING")};
    expect_args(&p, ping, 1, "PING\\r\\n");
    free(data);

    cr_assert_eq(parse_once(&p, BYTES("  SET \t k   v  \n"), &data), RESP_DONE);
    cr_expect_eq(p.consumed, 16);
    const arg set[] = {ARG("SET"), ARG("k"), ARG("v")};
    expect_args(&p, set, 3, "SET k v\\n");
    free(data);
    resp_parser_free(&p);
}

Test(resp, parses_empty_and_binary_bulk_arguments)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    const char req[] = "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\n\r\n\0\n\r\n";
    cr_assert_eq(parse_once(&p, BYTES(req), &data), RESP_DONE);
    cr_expect_eq(p.consumed, sizeof(req) - 1);
    const arg want[] = {ARG("SET"), ARG(""), ARG("\r\n\0\n")};
    expect_args(&p, want, 3, "SET '' <binary>");
    free(data);
    resp_parser_free(&p);
}

typedef struct bytes_case {
    const char *bytes;
    size_t len;
} bytes_case;

Test(resp, star_zero_star_minus_one_and_blank_lines_are_empty_requests)
{
    const bytes_case cases[] = {
        {BYTES("*0\r\n")},
        {BYTES("*-1\r\n")},
        {BYTES("*-5\r\n")},
        {BYTES("\r\n")},
        {BYTES("\n")},
        {BYTES("   \t \r\n")},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resp_parser p;
        resp_parser_init(&p);
        char *data;
        resp_status s = parse_once(&p, cases[i].bytes, cases[i].len, &data);
        cr_expect_eq(s, RESP_DONE, "case %zu: status %d", i, s);
        cr_expect_eq(p.argc, 0, "case %zu: argc %d", i, p.argc);
        cr_expect_eq(p.consumed, cases[i].len, "case %zu: consumed %zu", i, p.consumed);
        free(data);
        resp_parser_free(&p);
    }
}

/* ---------------- Requests split anywhere ---------------- */

typedef struct request {
    const char *name;
    const char *bytes;
    size_t len;
    int argc;
    arg argv[4];
} request;

static const request split_requests[] = {
    {"multibulk", BYTES("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"), 2, {ARG("ECHO"), ARG("hi")}},
    {"binary bulk data", BYTES("*3\r\n$3\r\nSET\r\n$5\r\na\0b\r\n\r\n$9\r\n\r\n$3\r\n\0\0\r\r\n"),
     3, {ARG("SET"), ARG("a\0b\r\n"), ARG("\r\n$3\r\n\0\0\r")}},
    {"empty bulk", BYTES("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"), 2, {ARG("GET"), ARG("")}},
    {"bulk that looks like a header", BYTES("*1\r\n$4\r\n*1\r\n\r\n"), 1, {ARG("*1\r\n")}},
    {"two-digit lengths", BYTES("*1\r\n$12\r\nhello world!\r\n"), 1, {ARG("hello world!")}},
    {"inline with quotes", BYTES("SET \"a b\" 'c\\'d' \"\\x00\\r\"\r\n"),
     4, {ARG("SET"), ARG("a b"), ARG("c'd"), ARG("\0\r")}},
    {"inline ending in LF", BYTES("PING\n"), 1, {ARG("PING")}},
    {"star zero", BYTES("*0\r\n"), 0, {{NULL, 0}}},
    {"blank inline", BYTES("  \r\n"), 0, {{NULL, 0}}},
};

#define SPLIT_REQUESTS (sizeof(split_requests) / sizeof(split_requests[0]))

Test(resp, parses_a_request_split_at_every_byte_boundary)
{
    for (size_t r = 0; r < SPLIT_REQUESTS; r++) {
        const request *req = &split_requests[r];
        char *whole = copy_of(req->bytes, req->len);
        for (size_t k = 0; k < req->len; k++) {
            resp_parser p;
            resp_parser_init(&p);
            char *part = copy_of(req->bytes, k);
            resp_status first = resp_parse(&p, part, k);
            free(part);
            resp_status second = resp_parse(&p, whole, req->len);
            char what[96];
            snprintf(what, sizeof(what), "%s split after %zu bytes", req->name, k);
            bool ok = first == RESP_INCOMPLETE && second == RESP_DONE;
            cr_expect(ok, "%s: statuses %d then %d", what, first, second);
            if (ok) {
                cr_expect_eq(p.consumed, req->len, "%s: consumed %zu", what, p.consumed);
                ok = expect_args(&p, req->argv, req->argc, what) && p.consumed == req->len;
            }
            resp_parser_free(&p);
            if (!ok)
                break;                  /* one report per request is enough */
        }
        free(whole);
    }
}

Test(resp, parses_a_request_arriving_one_byte_at_a_time)
{
    for (size_t r = 0; r < SPLIT_REQUESTS; r++) {
        const request *req = &split_requests[r];
        resp_parser p;
        resp_parser_init(&p);
        resp_status s = RESP_INCOMPLETE;
        size_t k;
        for (k = 1; k <= req->len && s == RESP_INCOMPLETE; k++) {
            char *part = copy_of(req->bytes, k);
            s = resp_parse(&p, part, k);
            if (s == RESP_DONE)
                expect_args(&p, req->argv, req->argc, req->name);
            free(part);
        }
        cr_expect_eq(s, RESP_DONE, "%s: status %d", req->name, s);
        cr_expect_eq(k - 1, req->len, "%s: done after %zu of %zu bytes",
                     req->name, k - 1, req->len);
        cr_expect_eq(p.consumed, req->len, "%s: consumed %zu", req->name, p.consumed);
        resp_parser_free(&p);
    }
}

/* A 100 KB argument whose bytes include CR, LF and NUL, fed in uneven
 * chunks, then 3000 one-byte arguments: more than the parser reserves up
 * front. */
Test(resp, parses_big_and_many_arguments_fed_in_chunks)
{
    size_t big = 100000;
    buf req = BUF_INIT;
    char header[64];
    int n = snprintf(header, sizeof(header), "*2\r\n$3\r\nSET\r\n$%zu\r\n", big);
    buf_append(&req, header, (size_t)n);
    size_t big_at = buf_length(&req);
    for (size_t i = 0; i < big; i++) {
        char c = "\r\n\0xy"[i % 5];
        buf_append(&req, &c, 1);
    }
    buf_append(&req, "\r\n", 2);

    int many = 3000;
    size_t many_at = buf_length(&req);
    n = snprintf(header, sizeof(header), "*%d\r\n", many);
    buf_append(&req, header, (size_t)n);
    for (int i = 0; i < many; i++) {
        char one[8] = "$1\r\nA\r\n";
        one[4] = (char)('A' + i % 26);
        buf_append(&req, one, 7);
    }

    const char *all = buf_data(&req);
    size_t total = buf_length(&req);
    resp_parser p;
    resp_parser_init(&p);
    size_t start = 0, fed = 0, step = 1;
    int done = 0;
    char *chunk = NULL;
    while (start < total) {
        fed = fed + step < total ? fed + step : total;
        step = 1 + (step * 7919 + 13) % 4093;   /* 1 to 4093 bytes more each time */
        free(chunk);
        chunk = copy_of(all + start, fed - start);
        resp_status s = resp_parse(&p, chunk, fed - start);
        cr_assert_neq(s, RESP_ERROR, "error after %zu bytes: %s", fed, p.error);
        if (s == RESP_INCOMPLETE) {
            cr_assert_lt(fed, total, "still incomplete with every byte fed");
            continue;
        }
        if (done == 0) {
            cr_expect_eq(start + p.consumed, many_at);
            cr_assert_eq(p.argc, 2);
            cr_expect_arr_eq(p.argv[0], "SET", 3);
            cr_assert_eq(p.argvlen[1], big);
            cr_expect_arr_eq(p.argv[1], all + big_at, big);
        } else {
            cr_expect_eq(start + p.consumed, total);
            cr_assert_eq(p.argc, many);
            int wrong = 0;
            for (int i = 0; i < many; i++)
                wrong += p.argvlen[i] != 1 || p.argv[i][0] != (char)('A' + i % 26);
            cr_expect_eq(wrong, 0, "%d of %d arguments are wrong", wrong, many);
        }
        start += p.consumed;
        step = 1;
        done++;
    }
    cr_expect_eq(done, 2);
    free(chunk);
    resp_parser_free(&p);
    buf_free(&req);
}

/* ---------------- Pipelines ---------------- */

Test(resp, parses_pipelined_requests_one_after_another)
{
    const char stream[] =
        "*1\r\n$4\r\nPING\r\n"
        "ECHO \"x y\"\r\n"
        "\r\n"
        "*0\r\n"
        "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
        "SET a b\n"
        "*1\r\n$4\r\nPI";                /* the start of one more */
    const arg ping[] = {ARG("PING")};
    const arg echo[] = {ARG("ECHO"), ARG("x y")};
    const arg get[] = {ARG("GET"), ARG("k")};
    const arg set[] = {ARG("SET"), ARG("a"), ARG("b")};
    const struct {
        const arg *argv;
        int argc;
        size_t len;
    } want[] = {
        {ping, 1, 14}, {echo, 2, 12}, {NULL, 0, 2}, {NULL, 0, 4}, {get, 2, 20}, {set, 3, 8},
    };
    char *data = copy_of(BYTES(stream));
    size_t len = sizeof(stream) - 1, at = 0;
    resp_parser p;
    resp_parser_init(&p);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        resp_status s = resp_parse(&p, data + at, len - at);
        cr_assert_eq(s, RESP_DONE, "request %zu: status %d", i, s);
        cr_expect_eq(p.consumed, want[i].len, "request %zu: consumed %zu", i, p.consumed);
        char what[32];
        snprintf(what, sizeof(what), "request %zu", i);
        expect_args(&p, want[i].argv, want[i].argc, what);
        at += p.consumed;
    }
    cr_expect_eq(resp_parse(&p, data + at, len - at), RESP_INCOMPLETE);
    cr_expect_eq(len - at, 10);
    free(data);
    resp_parser_free(&p);
}

Test(resp, parses_a_thousand_pipelined_commands_in_one_buffer)
{
    buf stream = BUF_INIT;
    for (int i = 0; i < 1000; i++) {
        if (i % 2)
            buf_append(&stream, "*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n", 23);
        else
            buf_append(&stream, "INCR ctr\r\n", 10);
    }
    resp_parser p;
    resp_parser_init(&p);
    const char *data = buf_data(&stream);
    size_t len = buf_length(&stream);
    int parsed = 0, wrong = 0;
    while (resp_parse(&p, data, len) == RESP_DONE) {
        wrong += p.argc != 2 || p.argvlen[0] != 4 || memcmp(p.argv[0], "INCR", 4) != 0 ||
                 p.argvlen[1] != 3 || memcmp(p.argv[1], "ctr", 3) != 0;
        data += p.consumed, len -= p.consumed;
        parsed++;
    }
    cr_expect_eq(parsed, 1000);
    cr_expect_eq(wrong, 0);
    cr_expect_eq(len, 0);
    resp_parser_free(&p);
    buf_free(&stream);
}

/* ---------------- Protocol errors ---------------- */

typedef struct error_case {
    char input[48];
    size_t len;
    char error[64];
} error_case;

#define FAILS(in, err) {(in), sizeof(in) - 1, (err)}
#define BAD_MBULK "ERR Protocol error: invalid multibulk length"
#define BAD_BULK "ERR Protocol error: invalid bulk length"
#define UNBALANCED "ERR Protocol error: unbalanced quotes in request"

ParameterizedTestParameters(resp, rejects_malformed_requests_with_redis_error_text)
{
    static error_case cases[] = {
        FAILS("*abc\r\n", BAD_MBULK),
        FAILS("*\r\n", BAD_MBULK),
        FAILS("*01\r\n", BAD_MBULK),
        FAILS("*+1\r\n", BAD_MBULK),
        FAILS("* 1\r\n", BAD_MBULK),
        FAILS("*1x\r\n", BAD_MBULK),
        FAILS("*2147483648\r\n", BAD_MBULK),
        FAILS("*9223372036854775808\r\n", BAD_MBULK),
        FAILS("*1\r\n$-1\r\n", BAD_BULK),
        FAILS("*1\r\n$abc\r\n", BAD_BULK),
        FAILS("*1\r\n$\r\n", BAD_BULK),
        FAILS("*1\r\n$01\r\n", BAD_BULK),
        FAILS("*1\r\n$-0\r\n", BAD_BULK),
        FAILS("*1\r\n$+3\r\n", BAD_BULK),
        FAILS("*1\r\n$536870913\r\n", BAD_BULK),
        FAILS("*1\r\nx3\r\n", "ERR Protocol error: expected '$', got 'x'"),
        FAILS("*1\r\n:3\r\n", "ERR Protocol error: expected '$', got ':'"),
        FAILS("*1\r\n\r\n", "ERR Protocol error: expected '$', got '\r'"),
        FAILS("*2\r\n$3\r\nGET\r\nk\r\n", "ERR Protocol error: expected '$', got 'k'"),
        FAILS("SET \"k v\r\n", UNBALANCED),
        FAILS("SET 'k v\r\n", UNBALANCED),
        FAILS("SET \"a\"b\r\n", UNBALANCED),
        FAILS("SET 'a'b\r\n", UNBALANCED),
        FAILS("ECHO a\"b c\"d\r\n", UNBALANCED),
        FAILS("ECHO \"a\\\"\r\n", UNBALANCED),    /* the closing quote is escaped */
        FAILS("ECHO \"a\\\r\n", UNBALANCED),
        FAILS("ECHO 'a\\'\r\n", UNBALANCED),
        FAILS("ECHO '\\\\'\r\n", UNBALANCED),     /* only \' escapes in single quotes */
        FAILS("\"\n", UNBALANCED),
    };
    return cr_make_param_array(error_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(error_case *c, resp, rejects_malformed_requests_with_redis_error_text)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    resp_status s = parse_once(&p, c->input, c->len, &data);
    cr_expect_eq(s, RESP_ERROR, "\"%s\": status %d", c->input, s);
    cr_expect_str_eq(p.error, c->error, "\"%s\"", c->input);
    free(data);
    resp_parser_free(&p);
}

/* `len` bytes: `prefix`, then `fill` up to the end. */
static char *filled(const char *prefix, char fill, size_t len)
{
    char *data = malloc(len);
    cr_assert_not_null(data);
    memset(data, fill, len);
    memcpy(data, prefix, strlen(prefix));
    return data;
}

static void expect_too_big_after(const char *prefix, size_t limit, const char *error)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data = filled(prefix, '1', limit + 1);
    cr_expect_eq(resp_parse(&p, data, limit), RESP_INCOMPLETE,
                 "%zu bytes starting \"%s\" are still acceptable", limit, prefix);
    cr_expect_eq(resp_parse(&p, data, limit + 1), RESP_ERROR,
                 "%zu bytes starting \"%s\" are too many", limit + 1, prefix);
    cr_expect_str_eq(p.error, error);
    free(data);
    resp_parser_free(&p);
}

Test(resp, rejects_an_inline_request_over_64_kb_without_a_newline)
{
    expect_too_big_after("SET k ", RESP_INLINE_MAX, "ERR Protocol error: too big inline request");
}

Test(resp, rejects_a_multibulk_count_line_over_64_kb)
{
    expect_too_big_after("*", RESP_INLINE_MAX, "ERR Protocol error: too big mbulk count string");
}

Test(resp, rejects_a_bulk_length_line_over_64_kb)
{
    /* The limit counts from the start of the length line, after "*1\r\n". */
    expect_too_big_after("*1\r\n$", RESP_INLINE_MAX + 4,
                         "ERR Protocol error: too big bulk count string");
}

/* ---------------- Limits ---------------- */

Test(resp, accepts_a_count_of_int_max_as_a_header_without_reserving_for_it)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    cr_expect_eq(parse_once(&p, BYTES("*2147483647\r\n"), &data), RESP_INCOMPLETE);
    cr_expect_str_eq(p.error, "");
    cr_expect_leq(p.argcap, 1024, "reserved %d argument slots up front", p.argcap);
    free(data);
    resp_parser_free(&p);
}

Test(resp, accepts_a_bulk_of_512_mb_and_asks_for_all_of_it)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    const char req[] = "*1\r\n$536870912\r\n";
    cr_expect_eq(parse_once(&p, BYTES(req), &data), RESP_INCOMPLETE);
    cr_expect_str_eq(p.error, "");
    cr_expect_eq(resp_bytes_wanted(&p, sizeof(req) - 1), 536870912 + 2);
    free(data);
    resp_parser_free(&p);
}

Test(resp, bytes_wanted_reports_what_a_big_argument_still_lacks)
{
    resp_parser p;
    resp_parser_init(&p);
    const char head[] = "*2\r\n$3\r\nSET\r\n$100000\r\n";
    size_t head_len = sizeof(head) - 1, total = head_len + 100000 + 2;
    char *data = filled(head, 'v', total);
    memcpy(data + total - 2, "\r\n", 2);

    cr_expect_eq(resp_parse(&p, data, 13), RESP_INCOMPLETE);     /* up to SET */
    cr_expect_eq(resp_bytes_wanted(&p, 13), 0, "the big length is not known yet");
    cr_expect_eq(resp_parse(&p, data, head_len - 3), RESP_INCOMPLETE);
    cr_expect_eq(resp_bytes_wanted(&p, head_len - 3), 0, "the length line is unfinished");
    cr_expect_eq(resp_parse(&p, data, head_len), RESP_INCOMPLETE);
    cr_expect_eq(resp_bytes_wanted(&p, head_len), 100002);
    cr_expect_eq(resp_parse(&p, data, head_len + 500), RESP_INCOMPLETE);
    cr_expect_eq(resp_bytes_wanted(&p, head_len + 500), 100002 - 500);
    cr_expect_eq(resp_parse(&p, data, total - 1), RESP_INCOMPLETE);
    cr_expect_eq(resp_bytes_wanted(&p, total - 1), 1);
    cr_assert_eq(resp_parse(&p, data, total), RESP_DONE);
    cr_expect_eq(p.argvlen[1], 100000);
    cr_expect_eq(resp_bytes_wanted(&p, total), 0);
    free(data);
    resp_parser_free(&p);
}

Test(resp, bytes_wanted_ignores_small_arguments_and_inline_requests)
{
    resp_parser p;
    char *data;
    char below[32];
    int n = snprintf(below, sizeof(below), "*1\r\n$%d\r\n", RESP_BIG_ARG - 1);
    resp_parser_init(&p);
    cr_expect_eq(parse_once(&p, below, (size_t)n, &data), RESP_INCOMPLETE);
    cr_expect_eq(resp_bytes_wanted(&p, (size_t)n), 0);
    free(data);
    resp_parser_free(&p);

    char at[32];
    n = snprintf(at, sizeof(at), "*1\r\n$%d\r\n", RESP_BIG_ARG);
    resp_parser_init(&p);
    cr_expect_eq(parse_once(&p, at, (size_t)n, &data), RESP_INCOMPLETE);
    cr_expect_eq(resp_bytes_wanted(&p, (size_t)n), (size_t)RESP_BIG_ARG + 2);
    free(data);
    resp_parser_free(&p);

    resp_parser_init(&p);
    cr_expect_eq(parse_once(&p, BYTES("SET k 1234"), &data), RESP_INCOMPLETE);
    cr_expect_eq(resp_bytes_wanted(&p, 10), 0);
    free(data);
    resp_parser_free(&p);
}

/* ---------------- Inline quoting ---------------- */

typedef struct inline_case {
    const char *line;
    size_t len;
    int argc;
    arg argv[4];
} inline_case;

Test(resp, unquotes_inline_arguments_like_redis_sdssplitargs)
{
    const inline_case cases[] = {
        {BYTES("SET \"hello world\"\r\n"), 2, {ARG("SET"), ARG("hello world")}},
        {BYTES("ECHO \"\\x41\\x62c\"\r\n"), 2, {ARG("ECHO"), ARG("Abc")}},
        {BYTES("ECHO \"\\xfF\\x00\"\r\n"), 2, {ARG("ECHO"), ARG("\xff\0")}},
        {BYTES("ECHO \"a\\nb\"\r\n"), 2, {ARG("ECHO"), ARG("a\nb")}},
        {BYTES("ECHO \"\\r\\t\\b\\a\"\r\n"), 2, {ARG("ECHO"), ARG("\r\t\b\a")}},
        {BYTES("ECHO \"\\q\\\"\\\\\"\r\n"), 2, {ARG("ECHO"), ARG("q\"\\")}},
        {BYTES("ECHO \"\\x4\"\r\n"), 2, {ARG("ECHO"), ARG("x4")}},      /* not two hex digits */
        {BYTES("ECHO \"\\xZZ\"\r\n"), 2, {ARG("ECHO"), ARG("xZZ")}},
        {BYTES("ECHO \"\\X41\"\r\n"), 2, {ARG("ECHO"), ARG("X41")}},
        {BYTES("ECHO 'it\\'s'\r\n"), 2, {ARG("ECHO"), ARG("it's")}},
        {BYTES("ECHO 'a\\nb'\r\n"), 2, {ARG("ECHO"), ARG("a\\nb")}},   /* no escapes in '' */
        {BYTES("ECHO 'a\"b' \"a'b\"\r\n"), 3, {ARG("ECHO"), ARG("a\"b"), ARG("a'b")}},
        {BYTES("ECHO a\"b c\"\r\n"), 2, {ARG("ECHO"), ARG("ab c")}},    /* opened mid-token */
        {BYTES("ECHO x'y z'\r\n"), 2, {ARG("ECHO"), ARG("xy z")}},
        {BYTES("ECHO \"\" ''\r\n"), 3, {ARG("ECHO"), ARG(""), ARG("")}},
        {BYTES("ECHO \"a\"\tb\r\n"), 3, {ARG("ECHO"), ARG("a"), ARG("b")}},
        {BYTES("ECHO \"a\"\vb\r\n"), 3, {ARG("ECHO"), ARG("a"), ARG("b")}},
        {BYTES("ECHO \"a\"\r\n"), 2, {ARG("ECHO"), ARG("a")}},
        /* \v is skipped between tokens but does not end one. */
        {BYTES("\vECHO\va \t b\r\n"), 2, {ARG("ECHO\va"), ARG("b")}},
        {BYTES("GET k\r\r\n"), 2, {ARG("GET"), ARG("k")}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resp_parser p;
        resp_parser_init(&p);
        char *data;
        resp_status s = parse_once(&p, cases[i].line, cases[i].len, &data);
        char what[80];
        snprintf(what, sizeof(what), "case %zu: %.*s", i, (int)cases[i].len - 2, cases[i].line);
        cr_expect_eq(s, RESP_DONE, "%s: status %d (%s)", what, s, p.error);
        if (s == RESP_DONE) {
            cr_expect_eq(p.consumed, cases[i].len, "%s: consumed %zu", what, p.consumed);
            expect_args(&p, cases[i].argv, cases[i].argc, what);
        }
        free(data);
        resp_parser_free(&p);
    }
}

/* ---------------- Redis's quirks ---------------- */

Test(resp, a_nul_byte_before_the_line_end_makes_the_request_look_incomplete)
{
    const bytes_case cases[] = {
        {BYTES("GET a\0b\r\n")},
        {BYTES("*1\0\r\n$4\r\nPING\r\n")},
        {BYTES("*1\r\n$4\0\r\nPING\r\n")},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resp_parser p;
        resp_parser_init(&p);
        char *data;
        resp_status s = parse_once(&p, cases[i].bytes, cases[i].len, &data);
        cr_expect_eq(s, RESP_INCOMPLETE, "case %zu: status %d", i, s);
        free(data);
        resp_parser_free(&p);
    }
}

Test(resp, a_nul_byte_hides_the_newline_until_the_request_is_too_big)
{
    size_t len = RESP_INLINE_MAX + 100;
    char *data = filled("GET a", 'x', len);
    data[5] = '\0';
    data[len - 1] = '\n';
    resp_parser p;
    resp_parser_init(&p);
    cr_expect_eq(resp_parse(&p, data, len), RESP_ERROR);
    cr_expect_str_eq(p.error, "ERR Protocol error: too big inline request");
    free(data);
    resp_parser_free(&p);
}

/* The search for an inline line's end resumes where the last call
 * stopped; a NUL met on the way must stop every later search too, however
 * many bytes come after it, newlines included. */
Test(resp, a_nul_byte_keeps_hiding_the_newline_as_the_line_grows)
{
    const char line[] = "GET a\0b c\r\nPING\r\n";
    size_t len = sizeof(line) - 1;
    resp_parser p;
    resp_parser_init(&p);
    for (size_t k = 1; k <= len; k++) {
        char *part = copy_of(line, k);
        cr_expect_eq(resp_parse(&p, part, k), RESP_INCOMPLETE, "after %zu bytes", k);
        free(part);
    }
    resp_parser_free(&p);
}

Test(resp, an_inline_line_parsed_in_pieces_is_the_same_as_in_one_read)
{
    const char line[] = "SET \"a b\" 'c\\'d' e\r\n";
    size_t len = sizeof(line) - 1;
    resp_parser p;
    resp_parser_init(&p);
    resp_status s = RESP_INCOMPLETE;
    for (size_t n = 3; s == RESP_INCOMPLETE; n = n + 3 < len ? n + 3 : len) {
        char *part = copy_of(line, n);
        s = resp_parse(&p, part, n);
        cr_assert(s == RESP_DONE || n < len, "incomplete with the whole line");
        if (s == RESP_DONE) {
            cr_expect_eq(p.argc, 4);
            cr_expect_eq(p.argvlen[1], 3);
            cr_expect_eq(memcmp(p.argv[1], "a b", 3), 0);
            cr_expect_eq(p.argvlen[2], 3);
            cr_expect_eq(memcmp(p.argv[2], "c'd", 3), 0);
            cr_expect_eq(p.consumed, len);
        }
        free(part);
    }
    cr_expect_eq(s, RESP_DONE);
    resp_parser_free(&p);
}

Test(resp, a_nul_byte_after_the_line_end_belongs_to_the_next_request)
{
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    cr_assert_eq(parse_once(&p, BYTES("PING\r\n\0"), &data), RESP_DONE);
    cr_expect_eq(p.consumed, 6);
    free(data);
    resp_parser_free(&p);
}

Test(resp, does_not_check_the_bytes_after_a_length_line_cr_or_after_a_bulk)
{
    const arg ping[] = {ARG("PING")};
    resp_parser p;
    resp_parser_init(&p);
    char *data;
    cr_assert_eq(parse_once(&p, BYTES("*1\rX$4\r\nPING\r\n"), &data), RESP_DONE);
    cr_expect_eq(p.consumed, 14);
    expect_args(&p, ping, 1, "CR then X");
    free(data);
    cr_assert_eq(parse_once(&p, BYTES("*1\r\n$4\r\nPINGxx"), &data), RESP_DONE);
    cr_expect_eq(p.consumed, 14);
    expect_args(&p, ping, 1, "PING then xx");
    free(data);
    resp_parser_free(&p);
}

/* ---------------- Parser lifecycle ---------------- */

Test(resp, a_parser_can_be_freed_unused_and_reused_after_free)
{
    resp_parser p;
    resp_parser_init(&p);
    resp_parser_free(&p);
    char *data;
    cr_assert_eq(parse_once(&p, BYTES("*1\r\n$4\r\nPING\r\n"), &data), RESP_DONE);
    free(data);
    resp_parser_free(&p);
    cr_assert_eq(parse_once(&p, BYTES("PING \"x\"\r\n"), &data), RESP_DONE);
    cr_expect_eq(p.argc, 2);
    free(data);
    resp_parser_free(&p);
}

Test(resp, an_empty_call_is_incomplete_and_changes_nothing)
{
    resp_parser p;
    resp_parser_init(&p);
    cr_expect_eq(resp_parse(&p, "", 0), RESP_INCOMPLETE);
    char *data;
    cr_assert_eq(parse_once(&p, BYTES("*1\r\n$4\r\nPING\r\n"), &data), RESP_DONE);
    cr_expect_eq(p.argc, 1);
    free(data);
    resp_parser_free(&p);
}

/* ---------------- Replies ---------------- */

static void expect_reply(buf *b, const char *bytes, size_t len)
{
    cr_expect_eq(buf_length(b), len, "reply of %zu bytes, expected %zu", buf_length(b), len);
    if (buf_length(b) == len)
        cr_expect_arr_eq(buf_data(b), bytes, len, "reply \"%.*s\"", (int)len, buf_data(b));
    buf_clear(b);
}

#define EXPECT_REPLY(b, s) expect_reply((b), (s), sizeof(s) - 1)

Test(resp, encodes_simple_strings_and_errors)
{
    buf b = BUF_INIT;
    resp_add_simple(&b, "OK");
    EXPECT_REPLY(&b, "+OK\r\n");
    resp_add_simple(&b, "");
    EXPECT_REPLY(&b, "+\r\n");
    resp_add_error(&b, "ERR unknown command", 19);
    EXPECT_REPLY(&b, "-ERR unknown command\r\n");
    resp_add_error(&b, "ERR two\r\nlines\n", 15);
    EXPECT_REPLY(&b, "-ERR two  lines \r\n");
    resp_add_error(&b, "ERR cut here", 7);
    EXPECT_REPLY(&b, "-ERR cut\r\n");
    buf_free(&b);
}

typedef struct int_case {
    long long value;
    char reply[32];
} int_case;

Test(resp, encodes_integers_including_the_extremes)
{
    const int_case cases[] = {
        {0, ":0\r\n"},
        {1, ":1\r\n"},
        {-1, ":-1\r\n"},
        {1000, ":1000\r\n"},
        {LLONG_MAX, ":9223372036854775807\r\n"},
        {LLONG_MIN, ":-9223372036854775808\r\n"},
    };
    buf b = BUF_INIT;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resp_add_int(&b, cases[i].value);
        expect_reply(&b, cases[i].reply, strlen(cases[i].reply));
    }
    buf_free(&b);
}

Test(resp, encodes_bulk_strings_null_and_array_headers)
{
    buf b = BUF_INIT;
    resp_add_bulk(&b, "hello", 5);
    EXPECT_REPLY(&b, "$5\r\nhello\r\n");
    resp_add_bulk(&b, "", 0);
    EXPECT_REPLY(&b, "$0\r\n\r\n");
    resp_add_bulk(&b, "a\0b\r\n", 5);
    EXPECT_REPLY(&b, "$5\r\na\0b\r\n\r\n");
    resp_add_null(&b);
    EXPECT_REPLY(&b, "$-1\r\n");
    resp_add_array(&b, 0);
    EXPECT_REPLY(&b, "*0\r\n");
    resp_add_array(&b, 3);
    EXPECT_REPLY(&b, "*3\r\n");
    resp_add_array(&b, -1);
    EXPECT_REPLY(&b, "*-1\r\n");
    buf_free(&b);
}

Test(resp, replies_accumulate_after_unsent_bytes)
{
    buf b = BUF_INIT;
    resp_add_simple(&b, "OK");
    buf_consume(&b, 2);                 /* "+O" was written, "K\r\n" was not */
    resp_add_array(&b, 2);
    resp_add_int(&b, 7);
    resp_add_bulk(&b, "x", 1);
    resp_add_null(&b);
    resp_add_error(&b, "ERR e", 5);
    EXPECT_REPLY(&b, "K\r\n*2\r\n:7\r\n$1\r\nx\r\n$-1\r\n-ERR e\r\n");
    buf_free(&b);
}

Test(resp, encodes_a_big_bulk_string_byte_for_byte)
{
    size_t n = 300000;
    char *bytes = malloc(n);
    cr_assert_not_null(bytes);
    for (size_t i = 0; i < n; i++)
        bytes[i] = (char)(i * 31 + 7);
    buf b = BUF_INIT;
    resp_add_bulk(&b, bytes, n);
    const char head[] = "$300000\r\n";
    cr_assert_eq(buf_length(&b), sizeof(head) - 1 + n + 2);
    cr_expect_arr_eq(buf_data(&b), head, sizeof(head) - 1);
    cr_expect_arr_eq(buf_data(&b) + sizeof(head) - 1, bytes, n);
    cr_expect_arr_eq(buf_data(&b) + sizeof(head) - 1 + n, "\r\n", 2);
    free(bytes);
    buf_free(&b);
}
