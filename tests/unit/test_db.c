/* Unit tests of db: the keyspace, which owns its string values (stage 2).
 * Values are freed by db_set (the old one), db_delete, db_flush and
 * db_destroy; mem_used() checks that nothing is left behind. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/db.h"
#include "base/mem.h"

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

/* ---------------- Stage 6: SWAPDB, the change counter, statistics ---------------- */

/* A key with a TTL `ms` from now (negative: already past). */
static dict_entry *set_with_ttl(db *d, const char *key, const char *value, long long ms)
{
    dict_entry *e = db_set(d, key, strlen(key), str(value));
    db_set_expire(d, e, db_now_ms() + ms);
    return e;
}

static int expired_db_ids[8], expired_count;

static void record_expired(int db_id, const char *key, size_t len)
{
    (void)key, (void)len;
    if (expired_count < 8)
        expired_db_ids[expired_count] = db_id;
    expired_count++;
}

Test(db, swap_trades_the_contents_of_two_databases)
{
    db *a = db_create(), *b = db_create();
    b->id = 1;
    db_set(a, "only-in-a", 9, str("A"));
    db_set(a, "both", 4, str("from a"));
    db_set(b, "only-in-b", 9, str("B"));
    db_set(b, "both", 4, str("from b"));
    db_set(b, "third", 5, str("3"));
    db_swap(a, b);
    cr_expect_eq(db_size(a), 3);
    cr_expect_eq(db_size(b), 2);
    EXPECT_VALUE(a, "only-in-b", "B");
    EXPECT_VALUE(a, "both", "from b");
    EXPECT_VALUE(a, "third", "3");
    cr_expect_null(db_get(a, "only-in-a", 9));
    EXPECT_VALUE(b, "only-in-a", "A");
    EXPECT_VALUE(b, "both", "from a");
    cr_expect_null(db_get(b, "third", 5));
    cr_expect_eq(a->id, 0, "the database keeps its number");
    cr_expect_eq(b->id, 1, "the database keeps its number");
    db_swap(a, b);                      /* and back */
    EXPECT_VALUE(a, "only-in-a", "A");
    EXPECT_VALUE(b, "third", "3");
    db_destroy(a);
    db_destroy(b);
}

Test(db, swap_takes_the_ttls_along)
{
    db *a = db_create(), *b = db_create();
    b->id = 1;
    long long when = db_now_ms() + 100000;
    dict_entry *e = db_set(a, "ttl", 3, str("v"));
    db_set_expire(a, e, when);
    db_set(a, "forever", 7, str("w"));
    db_set(b, "plain", 5, str("x"));
    db_swap(a, b);
    cr_expect_eq(db_expires_size(a), 0);
    cr_expect_eq(db_expires_size(b), 1);
    e = db_find(b, "ttl", 3);
    cr_assert_not_null(e);
    cr_expect_eq(db_get_expire(b, e), when);
    e = db_find(b, "forever", 7);
    cr_assert_not_null(e);
    cr_expect_eq(db_get_expire(b, e), DB_NO_EXPIRE);
    e = db_find(a, "plain", 5);
    cr_assert_not_null(e);
    cr_expect_eq(db_get_expire(a, e), DB_NO_EXPIRE);
    cr_expect(db_persist(b, db_find(b, "ttl", 3)));
    cr_expect_eq(db_expires_size(b), 0);
    db_destroy(a);
    db_destroy(b);
}

Test(db, a_key_swapped_past_its_time_expires_in_its_new_database)
{
    db *a = db_create(), *b = db_create();
    b->id = 7;
    a->on_expired = b->on_expired = record_expired;
    set_with_ttl(a, "dead", "v", -1000);
    set_with_ttl(a, "alive", "v", 100000);
    db_swap(a, b);
    cr_expect_null(db_get(b, "dead", 4));
    cr_expect_not_null(db_get(b, "alive", 5));
    cr_expect_eq(db_size(b), 1);
    cr_expect_eq(db_expires_size(b), 1);
    cr_assert_eq(expired_count, 1);
    cr_expect_eq(expired_db_ids[0], 7, "the expired key was reported in database %d", expired_db_ids[0]);
    cr_expect_eq(db_size(a), 0);
    db_destroy(a);
    db_destroy(b);
}

Test(db, swap_moves_the_change_counter)
{
    db *a = db_create(), *b = db_create();
    long long before = db_changes();
    db_swap(a, b);
    cr_expect_gt(db_changes(), before, "SWAPDB must be logged: it changed the dataset");
    before = db_changes();
    db_set(a, "k", 1, str("v"));
    db_swap(a, b);
    cr_expect_gt(db_changes(), before + 1);
    db_destroy(a);
    db_destroy(b);
}

Test(db, swap_with_an_empty_database_and_with_itself)
{
    db *a = db_create(), *b = db_create();
    char key[32];
    for (int i = 0; i < 500; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        set_with_ttl(a, key, "v", 100000);
    }
    db_swap(a, b);
    cr_expect_eq(db_size(a), 0);
    cr_expect_eq(db_expires_size(a), 0);
    cr_expect_eq(db_size(b), 500);
    cr_expect_eq(db_expires_size(b), 500);
    db_swap(b, b);                      /* SWAPDB 0 0 */
    cr_expect_eq(db_size(b), 500);
    cr_expect_eq(db_expires_size(b), 500);
    EXPECT_VALUE(b, "k499", "v");
    db_destroy(a);
    db_destroy(b);
}

Test(db, swap_in_the_middle_of_a_rehash_keeps_every_key)
{
    db *a = db_create(), *b = db_create();
    char key[32];
    int split = -1;
    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t)snprintf(key, sizeof(key), "a%d", i);
        db_set(a, key, n, str("A"));
        n = (size_t)snprintf(key, sizeof(key), "b%d", i);
        db_set(b, key, n, str("B"));
        if (split == -1 && db_is_rehashing(a) && db_is_rehashing(b)) {
            db_swap(a, b);
            split = i;
            cr_expect(db_is_rehashing(a) && db_is_rehashing(b));
        }
    }
    cr_assert_neq(split, -1, "the tables never rehashed");
    /* Keys a0..a<split> went to b, the later ones were added to a. */
    int wrong = 0;
    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t)snprintf(key, sizeof(key), "a%d", i);
        wrong += db_get(i <= split ? b : a, key, n) == NULL;
        n = (size_t)snprintf(key, sizeof(key), "b%d", i);
        wrong += db_get(i <= split ? a : b, key, n) == NULL;
    }
    cr_expect_eq(wrong, 0, "%d keys lost (swapped after key %d)", wrong, split);
    cr_expect_eq(db_size(a) + db_size(b), 6000);
    db_rehash_steps(a, 100000);
    db_rehash_steps(b, 100000);
    cr_expect_eq(db_size(a) + db_size(b), 6000);
    db_destroy(a);
    db_destroy(b);
}

Test(db, swap_leaks_nothing)
{
    size_t before = mem_used();
    db *a = db_create(), *b = db_create();
    set_with_ttl(a, "x", "1", 1000);
    db_set(b, "y", 1, str("2"));
    db_swap(a, b);
    db_flush(a);
    db_destroy(a);
    db_destroy(b);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}

Test(db, the_change_counter_is_shared_by_all_databases)
{
    db *a = db_create(), *b = db_create();
    b->id = 1;
    long long c0 = db_changes();
    db_set(a, "k", 1, str("v"));
    cr_expect_eq(db_changes(), c0 + 1);
    db_set(b, "k", 1, str("v"));
    cr_expect_eq(db_changes(), c0 + 2, "a change in another database counts too");
    db_changed(b);
    cr_expect_eq(db_changes(), c0 + 3);
    dict_entry *e = db_find(a, "k", 1);
    db_overwrite(a, e, str("w"));
    cr_expect_eq(db_changes(), c0 + 4);
    db_set_expire(a, e, db_now_ms() + 10000);
    cr_expect_eq(db_changes(), c0 + 5);
    cr_expect(db_persist(a, e));
    cr_expect_eq(db_changes(), c0 + 6);
    cr_expect_not(db_persist(a, e));
    cr_expect_eq(db_changes(), c0 + 6, "PERSIST of a key without a TTL changes nothing");
    cr_expect(db_delete(b, "k", 1));
    cr_expect_eq(db_changes(), c0 + 7);
    db_flush(a);
    cr_expect_eq(db_changes(), c0 + 8);
    db_destroy(a);
    db_destroy(b);
}

Test(db, reads_and_misses_do_not_move_the_change_counter)
{
    db *d = db_create();
    db_set(d, "k", 1, str("v"));
    long long c0 = db_changes();
    db_get(d, "k", 1);
    db_get(d, "nope", 4);
    db_find(d, "k", 1);
    cr_expect_not(db_delete(d, "nope", 4));
    db_size(d);
    db_reset_stats();
    cr_expect_eq(db_changes(), c0);
    db_destroy(d);
}

Test(db, stats_count_hits_and_misses_over_all_databases)
{
    db_reset_stats();
    db_stats s = db_get_stats();
    cr_expect_eq(s.hits, 0);
    cr_expect_eq(s.misses, 0);
    cr_expect_eq(s.expired, 0);
    db *a = db_create(), *b = db_create();
    b->id = 1;
    db_set(a, "k", 1, str("v"));
    db_set(b, "j", 1, str("v"));
    s = db_get_stats();
    cr_expect_eq(s.hits + s.misses, 0, "SET is no lookup");
    db_get(a, "k", 1);
    db_get(b, "j", 1);
    db_find(a, "k", 1);
    db_get(a, "j", 1);
    db_get(b, "missing", 7);
    s = db_get_stats();
    cr_expect_eq(s.hits, 3);
    cr_expect_eq(s.misses, 2);
    cr_expect_eq(s.expired, 0);
    db_reset_stats();
    s = db_get_stats();
    cr_expect_eq(s.hits, 0);
    cr_expect_eq(s.misses, 0);
    db_get(a, "k", 1);
    cr_expect_eq(db_get_stats().hits, 1);
    db_destroy(a);
    db_destroy(b);
}

Test(db, a_lookup_of_an_expired_key_is_a_miss_and_counts_it_expired)
{
    db *d = db_create();
    set_with_ttl(d, "dead", "v", -1);
    set_with_ttl(d, "alive", "v", 100000);
    db_reset_stats();
    cr_expect_null(db_get(d, "dead", 4));
    db_stats s = db_get_stats();
    cr_expect_eq(s.misses, 1);
    cr_expect_eq(s.hits, 0);
    cr_expect_eq(s.expired, 1);
    cr_expect_null(db_get(d, "dead", 4));
    s = db_get_stats();
    cr_expect_eq(s.misses, 2);
    cr_expect_eq(s.expired, 1, "a key expires once");
    cr_expect_not_null(db_get(d, "alive", 5));
    cr_expect_eq(db_get_stats().hits, 1);
    db_destroy(d);
}

Test(db, deleting_an_expired_key_counts_it_expired_not_deleted)
{
    db *d = db_create();
    d->on_expired = record_expired;
    set_with_ttl(d, "dead", "v", -1);
    db_reset_stats();
    long long c0 = db_changes();
    cr_expect_not(db_delete(d, "dead", 4), "DEL of an expired key deletes nothing");
    cr_expect_eq(db_get_stats().expired, 1);
    cr_expect_eq(db_get_stats().hits + db_get_stats().misses, 0);
    cr_expect_eq(db_changes(), c0);
    cr_expect_eq(expired_count, 1);
    cr_expect_eq(db_size(d), 0);
    db_destroy(d);
}

Test(db, the_expiry_cycle_path_counts_expired_keys_too)
{
    db *d = db_create();
    set_with_ttl(d, "a", "v", -1);
    set_with_ttl(d, "b", "v", -1);
    set_with_ttl(d, "c", "v", 100000);
    db_reset_stats();
    db_delete_expired(d, "a", 1);
    dict_entry *e = dict_find(d->keys, "b", 1);
    cr_assert_not_null(e);
    cr_expect(db_expire_if_due(d, e, db_now_ms()));
    e = dict_find(d->keys, "c", 1);
    cr_assert_not_null(e);
    cr_expect_not(db_expire_if_due(d, e, db_now_ms()));
    db_stats s = db_get_stats();
    cr_expect_eq(s.expired, 2);
    cr_expect_eq(s.hits + s.misses, 0, "the expiry cycle is no lookup");
    cr_expect_eq(db_size(d), 1);
    db_destroy(d);
}

Test(db, nothing_expires_while_loading)
{
    db *d = db_create();
    set_with_ttl(d, "dead", "v", -1);
    d->loading = true;
    db_reset_stats();
    cr_expect_not_null(db_get(d, "dead", 4), "the AOF replay sees every key");
    cr_expect_eq(db_get_stats().expired, 0);
    d->loading = false;
    cr_expect_null(db_get(d, "dead", 4));
    cr_expect_eq(db_get_stats().expired, 1);
    db_destroy(d);
}

Test(db, resetting_the_stats_keeps_the_keys)
{
    db *d = db_create();
    db_set(d, "k", 1, str("v"));
    db_get(d, "k", 1);
    db_reset_stats();
    EXPECT_VALUE(d, "k", "v");
    cr_expect_eq(db_size(d), 1);
    db_destroy(d);
}
