/* Unit tests of reply: the RESP3 variants of stage 6. A client that has
 * asked for RESP3 (HELLO 3, client->resp == 3) gets `_` for a missing
 * value, `%N` maps and `=` verbatim strings; any other client (resp 2, or
 * 0 in a client nobody set up) gets the RESP2 bytes: `$-1`, `*-1`, a flat
 * array of 2N items and a bulk string. The other replies are the same
 * bytes in both protocols. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "base/mem.h"
#include "server/reply.h"

static client make_client(int resp)
{
    client c;
    memset(&c, 0, sizeof(c));
    c.resp = resp;
    return c;
}

/* The reply bytes so far, as a NUL-terminated copy (replies here hold no
 * NUL unless a test puts one in, and those compare with expect_bytes). */
static const char *reply_of(client *c)
{
    static char out[4096];
    size_t n = buf_length(&c->reply);
    cr_assert_lt(n, sizeof(out));
    if (n > 0)
        memcpy(out, buf_data(&c->reply), n);
    out[n] = '\0';
    return out;
}

static void expect_bytes(client *c, const char *expected, size_t len)
{
    cr_assert_eq(buf_length(&c->reply), len, "the reply is %zu bytes, expected %zu: %.*s",
                 buf_length(&c->reply), len, (int)buf_length(&c->reply), buf_data(&c->reply));
    cr_expect_arr_eq(buf_data(&c->reply), expected, len);
}

static void reset(client *c)
{
    buf_free(&c->reply);
    memset(&c->reply, 0, sizeof(c->reply));
}

/* ---------------- Nulls ---------------- */

Test(reply, null_is_a_null_bulk_string_in_resp2)
{
    client c = make_client(2);
    reply_null(&c);
    cr_expect_str_eq(reply_of(&c), "$-1\r\n");
    reset(&c);
}

Test(reply, null_is_the_resp3_null_type)
{
    client c = make_client(3);
    reply_null(&c);
    cr_expect_str_eq(reply_of(&c), "_\r\n");
    reset(&c);
}

Test(reply, null_array_is_a_null_array_in_resp2)
{
    client c = make_client(2);
    reply_null_array(&c);
    cr_expect_str_eq(reply_of(&c), "*-1\r\n");
    reset(&c);
}

Test(reply, null_array_is_the_same_resp3_null)
{
    client c = make_client(3);
    reply_null_array(&c);
    cr_expect_str_eq(reply_of(&c), "_\r\n");
    reset(&c);
}

Test(reply, a_client_that_never_chose_a_protocol_gets_resp2)
{
    /* resp is 0 in a zeroed client: only 3 means RESP3. */
    client c = make_client(0);
    reply_null(&c);
    reply_null_array(&c);
    reply_map(&c, 1);
    reply_verbatim(&c, "x", 1);
    cr_expect_str_eq(reply_of(&c), "$-1\r\n*-1\r\n*2\r\n$1\r\nx\r\n");
    reset(&c);
}

Test(reply, the_protocol_is_read_at_each_reply)
{
    /* HELLO 3 switches mid-connection: the next reply is RESP3. */
    client c = make_client(2);
    reply_null(&c);
    c.resp = 3;
    reply_null(&c);
    c.resp = 2;
    reply_null(&c);
    cr_expect_str_eq(reply_of(&c), "$-1\r\n_\r\n$-1\r\n");
    reset(&c);
}

/* ---------------- Maps ---------------- */

Test(reply, map_is_a_flat_array_of_twice_the_pairs_in_resp2)
{
    client c = make_client(2);
    reply_map(&c, 2);
    reply_bulk(&c, "a", 1);
    reply_int(&c, 1);
    reply_bulk(&c, "b", 1);
    reply_int(&c, 2);
    cr_expect_str_eq(reply_of(&c), "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
    reset(&c);
}

Test(reply, map_has_its_own_header_in_resp3)
{
    client c = make_client(3);
    reply_map(&c, 2);
    reply_bulk(&c, "a", 1);
    reply_int(&c, 1);
    reply_bulk(&c, "b", 1);
    reply_int(&c, 2);
    cr_expect_str_eq(reply_of(&c), "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n");
    reset(&c);
}

Test(reply, an_empty_map)
{
    client c2 = make_client(2), c3 = make_client(3);
    reply_map(&c2, 0);
    reply_map(&c3, 0);
    cr_expect_str_eq(reply_of(&c2), "*0\r\n");
    cr_expect_str_eq(reply_of(&c3), "%0\r\n");
    reset(&c2);
    reset(&c3);
}

Test(reply, a_map_header_with_a_large_count)
{
    client c2 = make_client(2), c3 = make_client(3);
    reply_map(&c2, 123456789012LL);
    reply_map(&c3, 123456789012LL);
    cr_expect_str_eq(reply_of(&c2), "*246913578024\r\n");
    cr_expect_str_eq(reply_of(&c3), "%123456789012\r\n");
    reset(&c2);
    reset(&c3);
}

Test(reply, nested_maps)
{
    /* HELLO's reply holds a map inside; CLIENT INFO-like replies too. */
    client c = make_client(3);
    reply_map(&c, 1);
    reply_bulk(&c, "m", 1);
    reply_map(&c, 1);
    reply_bulk(&c, "k", 1);
    reply_null(&c);
    cr_expect_str_eq(reply_of(&c), "%1\r\n$1\r\nm\r\n%1\r\n$1\r\nk\r\n_\r\n");
    reset(&c);
    c.resp = 2;
    reply_map(&c, 1);
    reply_bulk(&c, "m", 1);
    reply_map(&c, 1);
    reply_bulk(&c, "k", 1);
    reply_null(&c);
    cr_expect_str_eq(reply_of(&c), "*2\r\n$1\r\nm\r\n*2\r\n$1\r\nk\r\n$-1\r\n");
    reset(&c);
}

/* ---------------- Verbatim strings ---------------- */

Test(reply, verbatim_is_a_bulk_string_in_resp2)
{
    client c = make_client(2);
    reply_verbatim(&c, "# Server\r\nx:1\r\n", 15);
    cr_expect_str_eq(reply_of(&c), "$15\r\n# Server\r\nx:1\r\n\r\n");
    reset(&c);
}

Test(reply, verbatim_in_resp3_counts_the_format_prefix_in_its_length)
{
    client c = make_client(3);
    reply_verbatim(&c, "# Server\r\nx:1\r\n", 15);
    /* 15 bytes of text plus "txt:" */
    cr_expect_str_eq(reply_of(&c), "=19\r\ntxt:# Server\r\nx:1\r\n\r\n");
    reset(&c);
}

Test(reply, an_empty_verbatim_string)
{
    client c2 = make_client(2), c3 = make_client(3);
    reply_verbatim(&c2, "", 0);
    reply_verbatim(&c3, "", 0);
    cr_expect_str_eq(reply_of(&c2), "$0\r\n\r\n");
    cr_expect_str_eq(reply_of(&c3), "=4\r\ntxt:\r\n");
    reset(&c2);
    reset(&c3);
}

Test(reply, verbatim_text_is_binary_and_only_len_bytes_are_sent)
{
    const char text[] = "a\0b\r\nc-and-more-not-sent";
    client c3 = make_client(3);
    reply_verbatim(&c3, text, 6);
    expect_bytes(&c3, "=10\r\ntxt:a\0b\r\nc\r\n", 17);
    reset(&c3);
    client c2 = make_client(2);
    reply_verbatim(&c2, text, 6);
    expect_bytes(&c2, "$6\r\na\0b\r\nc\r\n", 12);
    reset(&c2);
}

Test(reply, a_long_verbatim_string)
{
    size_t len = 100000;
    char *text = mem_alloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)('a' + i % 26);
    client c = make_client(3);
    reply_verbatim(&c, text, len);
    const char *header = "=100004\r\ntxt:";
    size_t hlen = strlen(header);
    cr_assert_eq(buf_length(&c.reply), hlen + len + 2);
    cr_expect_arr_eq(buf_data(&c.reply), header, hlen);
    cr_expect_arr_eq(buf_data(&c.reply) + hlen, text, len);
    cr_expect_arr_eq(buf_data(&c.reply) + hlen + len, "\r\n", 2);
    reset(&c);
    mem_free(text);
}

/* ---------------- The rest is the same in both ---------------- */

Test(reply, other_replies_are_the_same_bytes_in_resp2_and_resp3)
{
    const char *expected = "+OK\r\n+PONG\r\n:-7\r\n$2\r\nhi\r\n*3\r\n-ERR boom\r\n"
                           "-ERR n=5\r\n-ERR wrong number of arguments for 'get' command\r\n";
    for (int resp = 2; resp <= 3; resp++) {
        client c = make_client(resp);
        reply_ok(&c);
        reply_simple(&c, "PONG");
        reply_int(&c, -7);
        reply_bulk(&c, "hi", 2);
        reply_array(&c, 3);
        reply_error(&c, "ERR boom");
        reply_error_format(&c, "ERR n=%d", 5);
        reply_error_arity(&c, "get");
        cr_expect_str_eq(reply_of(&c), expected, "RESP%d", resp);
        reset(&c);
    }
}

Test(reply, replies_leave_no_memory_behind)
{
    size_t before = mem_used();
    for (int resp = 2; resp <= 3; resp++) {
        client c = make_client(resp);
        reply_null(&c);
        reply_null_array(&c);
        reply_map(&c, 3);
        reply_verbatim(&c, "text", 4);
        reply_error_format(&c, "ERR %s", "formatted");
        reset(&c);
    }
    cr_expect_eq(mem_used(), before, "%zd bytes left", (ssize_t)(mem_used() - before));
}
