/* Unit tests of db: the keyspace, which owns its string values (stage 2).
 * Values are freed by db_set (the old one), db_delete, db_flush and
 * db_destroy; mem_used() checks that nothing is left behind. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"

static db_value *str(const char *text)
{
    return db_string_new(text, strlen(text));
}

static void expect_value(db *d, const char *key, size_t klen, const char *bytes, size_t len)
{
    db_value *v = db_get(d, key, klen);
    cr_assert_not_null(v, "\"%.*s\" is missing", (int)klen, key);
    cr_expect_eq(v->type, DB_TYPE_STRING);
    cr_expect_eq(db_string_of(v)->len, len, "\"%.*s\" holds %u bytes, expected %zu", (int)klen, key, db_string_of(v)->len, len);
    if (db_string_of(v)->len == len && len > 0)
        cr_expect_arr_eq(db_string_of(v)->str, bytes, len);
}

#define EXPECT_VALUE(d, k, v) expect_value((d), (k), strlen(k), (v), sizeof(v) - 1)

Test(db, sets_gets_and_deletes_keys)
{
    db *d = db_create();
    cr_expect_eq(db_size(d), 0);
    cr_expect_null(db_get(d, "k", 1));
    db_set(d, "k", 1, str("v"));
    db_set(d, "other", 5, str("w"));
    cr_expect_eq(db_size(d), 2);
    EXPECT_VALUE(d, "k", "v");
    EXPECT_VALUE(d, "other", "w");
    cr_expect(db_delete(d, "k", 1));
    cr_expect_not(db_delete(d, "k", 1), "a second delete finds nothing");
    cr_expect_null(db_get(d, "k", 1));
    cr_expect_eq(db_size(d), 1);
    db_destroy(d);
}

Test(db, set_replaces_the_value_of_an_existing_key)
{
    size_t before = mem_used();
    db *d = db_create();
    db_set(d, "k", 1, str("first"));
    db_set(d, "k", 1, str("second, longer"));
    cr_expect_eq(db_size(d), 1);
    EXPECT_VALUE(d, "k", "second, longer");
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "the replaced value leaked");
}

Test(db, keys_and_values_are_binary)
{
    db *d = db_create();
    db_set(d, "a\0b", 3, db_string_new("x\0y\r\n", 5));
    db_set(d, "a\0c", 3, db_string_new("", 0));
    db_set(d, "", 0, db_string_new("empty key", 9));
    cr_expect_eq(db_size(d), 3);
    expect_value(d, "a\0b", 3, "x\0y\r\n", 5);
    expect_value(d, "a\0c", 3, "", 0);
    expect_value(d, "", 0, "empty key", 9);
    cr_expect_null(db_get(d, "a", 1));
    db_destroy(d);
}

Test(db, flush_empties_the_keyspace_and_frees_every_value)
{
    size_t before = mem_used();
    db *d = db_create();
    char key[32];
    for (int i = 0; i < 3000; i++)
        db_set(d, key, (size_t)snprintf(key, sizeof(key), "k%d", i), str("some value"));
    cr_expect_eq(db_size(d), 3000);
    db_flush(d);
    cr_expect_eq(db_size(d), 0);
    cr_expect_null(db_get(d, "k1", 2));
    db_set(d, "after", 5, str("flush"));
    EXPECT_VALUE(d, "after", "flush");
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
    db_destroy(NULL);                   /* a no-op */
}

Test(db, keeps_every_key_through_growth_and_explicit_rehash_steps)
{
    db *d = db_create();
    char key[32], val[32];
    for (int i = 0; i < 20000; i++) {
        size_t klen = (size_t)snprintf(key, sizeof(key), "key:%d", i);
        size_t vlen = (size_t)snprintf(val, sizeof(val), "value:%d", i);
        db_set(d, key, klen, db_string_new(val, vlen));
        if (i % 100 == 0)
            db_rehash_steps(d, 10);
    }
    db_rehash_steps(d, 100000);
    cr_expect_not(dict_is_rehashing(d->keys));
    int wrong = 0;
    for (int i = 0; i < 20000; i++) {
        size_t klen = (size_t)snprintf(key, sizeof(key), "key:%d", i);
        size_t vlen = (size_t)snprintf(val, sizeof(val), "value:%d", i);
        db_value *v = db_get(d, key, klen);
        wrong += v == NULL || db_string_of(v)->len != vlen || memcmp(db_string_of(v)->str, val, vlen) != 0;
    }
    cr_expect_eq(wrong, 0);
    cr_expect_eq(db_size(d), 20000);
    db_destroy(d);
}

/* ---------------- String values ---------------- */

Test(db, a_new_string_holds_a_copy_of_its_bytes)
{
    char bytes[] = "hello";
    db_value *v = db_string_new(bytes, 5);
    bytes[0] = 'j';
    cr_expect_eq(v->type, DB_TYPE_STRING);
    cr_expect_eq(db_string_of(v)->len, 5);
    cr_expect_geq(db_string_of(v)->cap, 5);
    cr_expect_arr_eq(db_string_of(v)->str, "hello", 5);
    db_value_free(v);
}

Test(db, append_keeps_the_old_bytes_and_adds_the_new)
{
    db_value *v = db_string_new("abc", 3);
    v = db_string_append(v, "de\0f", 4);
    cr_expect_eq(db_string_of(v)->len, 7);
    cr_expect_arr_eq(db_string_of(v)->str, "abcde\0f", 7);
    v = db_string_append(v, "", 0);
    cr_expect_eq(db_string_of(v)->len, 7);
    cr_expect_arr_eq(db_string_of(v)->str, "abcde\0f", 7);
    db_value_free(v);
}

Test(db, append_leaves_room_so_small_appends_do_not_move_the_value)
{
    db_value *v = db_string_new("0123456789", 10);
    v = db_string_append(v, "a", 1);
    cr_expect_eq(db_string_of(v)->len, 11);
    cr_expect_geq(db_string_of(v)->cap, 22, "the capacity grew only to %u", db_string_of(v)->cap);
    db_value *same = db_string_append(v, "bcdefghijk", 10);
    cr_expect_eq(same, v, "an append that fits moved the value");
    cr_expect_eq(db_string_of(same)->len, 21);
    cr_expect_arr_eq(db_string_of(same)->str, "0123456789abcdefghijk", 21);
    db_value_free(same);
}

Test(db, growing_a_string_by_many_appends_keeps_every_byte)
{
    db_value *v = db_string_new("", 0);
    char expected[50000];
    size_t len = 0;
    int moves = 0;
    for (int i = 0; len < sizeof(expected) - 16; i++) {
        char piece[16];
        size_t n = (size_t)(i % 13) + 1;
        for (size_t k = 0; k < n; k++)
            piece[k] = (char)(i * 13 + (int)k);
        memcpy(expected + len, piece, n);
        len += n;
        db_value *next = db_string_append(v, piece, n);
        moves += next != v;
        v = next;
        cr_assert_leq(db_string_of(v)->len, db_string_of(v)->cap);
    }
    cr_expect_eq(db_string_of(v)->len, len);
    cr_expect_arr_eq(db_string_of(v)->str, expected, len);
    cr_expect_lt(moves, 40, "%d reallocations for %zu bytes", moves, len);
    db_value_free(v);
}

Test(db, a_string_of_a_megabyte_or_more_grows_by_one_megabyte)
{
    size_t mb = 1024 * 1024;
    char *bytes = malloc(mb);
    cr_assert_not_null(bytes);
    memset(bytes, 'x', mb);
    db_value *v = db_string_new(bytes, mb);
    free(bytes);
    cr_assert_eq(db_string_of(v)->cap, mb);
    v = db_string_append(v, "y", 1);
    cr_expect_eq(db_string_of(v)->len, mb + 1);
    cr_expect_eq(db_string_of(v)->cap, mb + 1 + mb, "capacity %u", db_string_of(v)->cap);
    cr_expect_eq(db_string_of(v)->str[mb], 'y');
    cr_expect_eq(db_string_of(v)->str[0], 'x');
    cr_expect_eq(db_string_of(v)->str[mb - 1], 'x');
    db_value_free(v);
}

/* ---------------- Replacing a value in place ---------------- */

Test(db, find_gives_the_entry_whose_value_can_be_replaced_in_place)
{
    size_t before = mem_used();
    db *d = db_create();
    db_set(d, "k", 1, str("abc"));
    cr_expect_null(db_find(d, "missing", 7));

    dict_entry *e = db_find(d, "k", 1);
    cr_assert_not_null(e);
    cr_expect_eq(e->value, db_get(d, "k", 1));
    cr_expect_eq(e->keylen, 1);
    cr_expect_eq(e->key[0], 'k');

    /* What APPEND does: grow the value, store the pointer it comes back as. */
    char big[5000];
    memset(big, 'z', sizeof(big));
    e->value = db_string_append(e->value, big, sizeof(big));
    db_value *v = db_get(d, "k", 1);
    cr_assert_not_null(v);
    cr_expect_eq(db_string_of(v)->len, 3 + sizeof(big));
    cr_expect_arr_eq(db_string_of(v)->str, "abc", 3);
    cr_expect_arr_eq(db_string_of(v)->str + 3, big, sizeof(big));

    /* What INCR does: a fresh value in place of the old one. */
    e = db_find(d, "k", 1);
    db_value_free(e->value);
    e->value = str("42");
    EXPECT_VALUE(d, "k", "42");
    cr_expect_eq(db_size(d), 1);

    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}
