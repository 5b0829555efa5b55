/* Unit tests of buf: the growable byte buffer behind every client's query
 * and reply (stage 1). Appends go at the end, consumes only move `pos`,
 * and the consumed front is reclaimed lazily. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/buf.h"

static void expect_contents(const buf *b, const char *bytes, size_t n)
{
    cr_expect_eq(buf_length(b), n, "length %zu, expected %zu", buf_length(b), n);
    if (buf_length(b) == n && n > 0)
        cr_expect_arr_eq(buf_data(b), bytes, n);
}

Test(buf, starts_empty_without_memory)
{
    buf b = BUF_INIT;
    cr_expect_eq(buf_length(&b), 0);
    cr_expect_null(b.data);
    cr_expect_null(buf_data(&b));
    cr_expect_eq(b.cap, 0);
    buf_free(&b);                      /* freeing a buffer never used is fine */
    cr_expect_null(b.data);
}

Test(buf, appends_bytes_back_to_back_binary_included)
{
    buf b = BUF_INIT;
    buf_append(&b, "+OK\r\n", 5);
    buf_append(&b, "a\0b", 3);
    buf_append(&b, "", 0);
    expect_contents(&b, "+OK\r\na\0b", 8);
    buf_free(&b);
}

Test(buf, appending_nothing_to_an_empty_buffer_allocates_nothing)
{
    buf b = BUF_INIT;
    buf_append(&b, "", 0);
    cr_expect_null(b.data);
    cr_expect_eq(buf_length(&b), 0);
    buf_free(&b);
}

Test(buf, consume_drops_bytes_from_the_front_without_moving_the_rest)
{
    buf b = BUF_INIT;
    buf_append(&b, "hello world", 11);
    char *start = b.data;
    buf_consume(&b, 6);
    cr_expect_eq(b.pos, 6);
    cr_expect_eq(b.data, start);
    cr_expect_eq(buf_data(&b), start + 6);
    expect_contents(&b, "world", 5);
    buf_free(&b);
}

Test(buf, consuming_everything_starts_the_next_append_at_offset_zero)
{
    buf b = BUF_INIT;
    buf_append(&b, "abcdef", 6);
    size_t cap = b.cap;
    buf_consume(&b, 3);
    buf_consume(&b, 3);
    cr_expect_eq(b.pos, 0);
    cr_expect_eq(b.len, 0);
    cr_expect_eq(b.cap, cap, "the memory is kept for the next append");
    buf_append(&b, "xy", 2);
    cr_expect_eq(buf_data(&b), b.data);
    expect_contents(&b, "xy", 2);
    buf_free(&b);
}

Test(buf, consuming_more_than_the_length_leaves_it_empty)
{
    buf b = BUF_INIT;
    buf_append(&b, "abc", 3);
    buf_consume(&b, 10);
    cr_expect_eq(buf_length(&b), 0);
    cr_expect_eq(b.pos, 0);
    buf_free(&b);
}

Test(buf, compact_moves_the_unconsumed_bytes_to_the_start)
{
    buf b = BUF_INIT;
    buf_append(&b, "0123456789", 10);
    buf_consume(&b, 4);
    buf_compact(&b);
    cr_expect_eq(b.pos, 0);
    cr_expect_eq(b.len, 6);
    cr_expect_arr_eq(b.data, "456789", 6);
    buf_compact(&b);                    /* nothing consumed: no change */
    cr_expect_eq(b.pos, 0);
    expect_contents(&b, "456789", 6);
    buf_free(&b);
}

Test(buf, reserve_gives_room_at_the_end_that_commit_makes_visible)
{
    buf b = BUF_INIT;
    buf_append(&b, "abc", 3);
    char *room = buf_reserve(&b, 100);
    cr_assert_not_null(room);
    cr_expect_eq(room, b.data + b.len);
    cr_expect_geq(b.cap - b.len, 100);
    expect_contents(&b, "abc", 3);      /* reserving alone adds nothing */
    memcpy(room, "defg", 4);
    buf_commit(&b, 4);
    expect_contents(&b, "abcdefg", 7);
    buf_free(&b);
}

Test(buf, reserve_of_zero_on_an_empty_buffer_still_gives_a_pointer)
{
    buf b = BUF_INIT;
    cr_expect_not_null(buf_reserve(&b, 0));
    cr_expect_eq(buf_length(&b), 0);
    buf_free(&b);
}

Test(buf, grows_from_64_bytes_by_doubling)
{
    buf b = BUF_INIT;
    buf_append(&b, "x", 1);
    cr_expect_eq(b.cap, 64);
    char block[64];
    memset(block, 'y', sizeof(block));
    buf_append(&b, block, 64);          /* 65 bytes */
    cr_expect_eq(b.cap, 128);
    buf_reserve(&b, 1000);              /* 1065 bytes needed */
    cr_expect_eq(b.cap, 2048);
    buf_free(&b);
}

Test(buf, reserve_reclaims_the_consumed_front_before_growing)
{
    buf b = BUF_INIT;
    char block[60];
    for (size_t i = 0; i < sizeof(block); i++)
        block[i] = (char)('A' + i % 26);
    buf_append(&b, block, 60);
    cr_assert_eq(b.cap, 64);
    buf_consume(&b, 50);
    char *room = buf_reserve(&b, 40);   /* 10 left + 40 fits in 64 once compacted */
    cr_expect_eq(b.cap, 64, "the buffer grew to %zu instead of reusing its front", b.cap);
    cr_expect_eq(b.pos, 0);
    cr_expect_eq(room, b.data + 10);
    expect_contents(&b, block + 50, 10);
    buf_free(&b);
}

Test(buf, growing_keeps_the_unconsumed_bytes_and_drops_the_consumed_ones)
{
    buf b = BUF_INIT;
    buf_append(&b, "consumed|kept", 13);
    buf_consume(&b, 9);
    char big[300];
    memset(big, 'z', sizeof(big));
    buf_append(&b, big, sizeof(big));
    cr_expect_eq(b.pos, 0);
    cr_expect_eq(buf_length(&b), 4 + sizeof(big));
    cr_expect_arr_eq(buf_data(&b), "kept", 4);
    cr_expect_arr_eq(buf_data(&b) + 4, big, sizeof(big));
    buf_free(&b);
}

Test(buf, many_small_appends_and_consumes_keep_every_byte_in_order)
{
    buf b = BUF_INIT;
    unsigned char next_in = 0, next_out = 0;
    size_t mismatches = 0;
    for (int round = 0; round < 20000; round++) {
        unsigned char chunk[7];
        size_t n = (size_t)(round % 7) + 1;
        for (size_t i = 0; i < n; i++)
            chunk[i] = next_in++;
        buf_append(&b, chunk, n);
        size_t take = (size_t)(round % 5);      /* consume a little less than comes in */
        if (take > buf_length(&b))
            take = buf_length(&b);
        for (size_t i = 0; i < take; i++)
            mismatches += (unsigned char)buf_data(&b)[i] != next_out++;
        buf_consume(&b, take);
    }
    for (size_t i = 0; i < buf_length(&b); i++)
        mismatches += (unsigned char)buf_data(&b)[i] != next_out++;
    cr_expect_eq(mismatches, 0);
    cr_expect_eq(next_out, next_in);
    buf_free(&b);
}

Test(buf, clear_empties_but_keeps_the_memory)
{
    buf b = BUF_INIT;
    buf_append(&b, "abc", 3);
    buf_consume(&b, 1);
    char *data = b.data;
    buf_clear(&b);
    cr_expect_eq(buf_length(&b), 0);
    cr_expect_eq(b.pos, 0);
    cr_expect_eq(b.data, data);
    cr_expect_eq(b.cap, 64);
    buf_free(&b);
}

Test(buf, shrink_frees_only_an_empty_buffer_bigger_than_keep)
{
    buf b = BUF_INIT;
    char big[1000] = {0};
    buf_append(&b, big, sizeof(big));
    cr_assert_eq(b.cap, 1024);

    buf_shrink(&b, 64);                 /* not empty: kept */
    cr_expect_not_null(b.data);
    cr_expect_eq(buf_length(&b), 1000);

    buf_consume(&b, 999);
    buf_shrink(&b, 64);                 /* one byte left: kept */
    cr_expect_not_null(b.data);
    cr_expect_eq(buf_length(&b), 1);

    buf_consume(&b, 1);
    buf_shrink(&b, 1024);               /* empty, but not bigger than keep */
    cr_expect_not_null(b.data);
    cr_expect_eq(b.cap, 1024);

    buf_shrink(&b, 1023);               /* empty and bigger: freed */
    cr_expect_null(b.data);
    cr_expect_eq(b.cap, 0);
    cr_expect_eq(buf_length(&b), 0);

    buf_append(&b, "again", 5);         /* and usable again */
    expect_contents(&b, "again", 5);
    buf_free(&b);
}

Test(buf, free_leaves_an_empty_buffer_ready_for_reuse)
{
    buf b = BUF_INIT;
    buf_append(&b, "abc", 3);
    buf_free(&b);
    cr_expect_null(b.data);
    cr_expect_eq(b.pos, 0);
    cr_expect_eq(b.len, 0);
    cr_expect_eq(b.cap, 0);
    buf_append(&b, "de", 2);
    expect_contents(&b, "de", 2);
    buf_free(&b);
}
