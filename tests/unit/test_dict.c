/* Unit tests of dict: the chained hash table with incremental rehashing
 * behind the keyspace (stage 2). The values stored here are small
 * integers cast to pointers, so most tests have nothing to free but the
 * dict itself. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dict.h"
#include "base/mem.h"

#define VALUE(i) ((void *)(uintptr_t)((i) + 1))

static size_t key_of(char *out, size_t room, int i)
{
    return (size_t)snprintf(out, room, "key:%d", i);
}

static dict_entry *add(dict *d, const char *key, size_t len, void *value)
{
    bool created = false;
    dict_entry *e = dict_add_or_find(d, key, len, &created);
    cr_assert_not_null(e);
    cr_assert(created, "\"%.*s\" was already there", (int)len, key);
    e->value = value;
    return e;
}

static void add_numbered(dict *d, int from, int to)
{
    char key[32];
    for (int i = from; i < to; i++)
        add(d, key, key_of(key, sizeof(key), i), VALUE(i));
}

/* Looks up keys from..to-1; returns how many are missing or wrong, and
 * reports the first. */
static int count_missing(dict *d, int from, int to)
{
    char key[32];
    int missing = 0;
    for (int i = from; i < to; i++) {
        size_t len = key_of(key, sizeof(key), i);
        dict_entry *e = dict_find(d, key, len);
        if (e == NULL || e->value != VALUE(i)) {
            if (missing++ == 0)
                cr_expect_fail("key %d is %s", i, e ? "holding a wrong value" : "missing");
        }
    }
    return missing;
}

/* ---------------- Add, find, delete ---------------- */

Test(dict, adds_finds_and_deletes_a_key)
{
    dict *d = dict_create();
    cr_expect_eq(dict_size(d), 0);
    cr_expect_null(dict_find(d, "k", 1));

    dict_entry *e = add(d, "k", 1, VALUE(7));
    cr_expect_eq(e->keylen, 1);
    cr_expect_eq(e->key[0], 'k');
    cr_expect_eq(dict_size(d), 1);
    cr_expect_eq(dict_find(d, "k", 1), e);

    bool found = false;
    cr_expect_eq(dict_delete(d, "k", 1, &found), VALUE(7), "delete returns the value");
    cr_expect(found);
    cr_expect_eq(dict_size(d), 0);
    cr_expect_null(dict_find(d, "k", 1));

    found = true;
    cr_expect_null(dict_delete(d, "k", 1, &found));
    cr_expect_not(found, "a second delete finds nothing");
    dict_destroy(d, NULL);
}

Test(dict, add_or_find_returns_the_existing_entry_for_a_known_key)
{
    dict *d = dict_create();
    dict_entry *first = add(d, "k", 1, VALUE(1));
    bool created = true;
    dict_entry *again = dict_add_or_find(d, "k", 1, &created);
    cr_expect_not(created);
    cr_expect_eq(again, first);
    cr_expect_eq(again->value, VALUE(1), "the value is left alone");
    again->value = VALUE(2);
    cr_expect_eq(dict_find(d, "k", 1)->value, VALUE(2));
    cr_expect_eq(dict_size(d), 1);
    dict_destroy(d, NULL);
}

Test(dict, a_missing_key_is_not_found_in_an_empty_or_a_full_dict)
{
    dict *d = dict_create();
    bool found = true;
    cr_expect_null(dict_delete(d, "nope", 4, &found));
    cr_expect_not(found);
    add_numbered(d, 0, 1000);
    cr_expect_null(dict_find(d, "nope", 4));
    cr_expect_null(dict_find(d, "key:1000", 8));
    cr_expect_null(dict_find(d, "key:1", 4), "a prefix of a key is another key");
    found = true;
    cr_expect_null(dict_delete(d, "key:", 4, &found));
    cr_expect_not(found);
    cr_expect_eq(dict_size(d), 1000);
    dict_destroy(d, NULL);
}

typedef struct binary_key {
    const char *bytes;
    size_t len;
} binary_key;

Test(dict, keys_are_binary_strings_compared_by_length_and_bytes)
{
    const binary_key keys[] = {
        {"", 0}, {"\0", 1}, {"\0\0", 2}, {"a", 1}, {"a\0", 2}, {"a\0b", 3}, {"a\0c", 3},
        {"ab", 2}, {"abc", 3}, {"\xff\xfe", 2}, {"\r\n", 2}, {"0123456789abcdef", 16},
        {"0123456789abcdeg", 16},
    };
    size_t n = sizeof(keys) / sizeof(keys[0]);
    dict *d = dict_create();
    for (size_t i = 0; i < n; i++)
        add(d, keys[i].bytes, keys[i].len, VALUE(i));
    cr_expect_eq(dict_size(d), n);
    for (size_t i = 0; i < n; i++) {
        dict_entry *e = dict_find(d, keys[i].bytes, keys[i].len);
        cr_assert_not_null(e, "key %zu is missing", i);
        cr_expect_eq(e->value, VALUE(i), "key %zu finds the entry of another key", i);
        cr_expect_eq(e->keylen, keys[i].len);
        if (keys[i].len > 0)
            cr_expect_arr_eq(e->key, keys[i].bytes, keys[i].len);
    }
    for (size_t i = 0; i < n; i += 2) {
        bool found = false;
        cr_expect_eq(dict_delete(d, keys[i].bytes, keys[i].len, &found), VALUE(i));
        cr_expect(found);
    }
    for (size_t i = 0; i < n; i++) {
        dict_entry *e = dict_find(d, keys[i].bytes, keys[i].len);
        if (i % 2 == 0)
            cr_expect_null(e, "deleted key %zu is still there", i);
        else
            cr_expect(e != NULL && e->value == VALUE(i), "key %zu was lost", i);
    }
    dict_destroy(d, NULL);
}

Test(dict, stores_a_long_key_inside_its_entry)
{
    size_t len = 100000;
    char *key = malloc(len);
    cr_assert_not_null(key);
    for (size_t i = 0; i < len; i++)
        key[i] = (char)(i * 7);
    dict *d = dict_create();
    add(d, key, len, VALUE(1));
    key[len - 1] ^= 1;
    cr_expect_null(dict_find(d, key, len), "the dict kept a pointer instead of a copy");
    key[len - 1] ^= 1;
    dict_entry *e = dict_find(d, key, len);
    cr_assert_not_null(e);
    cr_expect_arr_eq(e->key, key, len);
    free(key);
    dict_destroy(d, NULL);
}

/* ---------------- Growing and shrinking ---------------- */

/* Inserts 100000 keys one by one. After every insert the new key and a
 * sample of older ones are looked up; while the dict is small, and at
 * every start and end of a rehash, all of them are. */
Test(dict, grows_through_rehashes_while_every_key_stays_findable)
{
    int total = 100000;
    dict *d = dict_create();
    int rehashes_seen = 0, missing = 0;
    bool was_rehashing = false;
    for (int i = 0; i < total && missing == 0; i++) {
        add_numbered(d, i, i + 1);
        bool rehashing = dict_is_rehashing(d);
        if (rehashing && !was_rehashing)
            rehashes_seen++;
        if (i < 2048 || rehashing != was_rehashing || i % 4096 == 0) {
            missing += count_missing(d, 0, i + 1);
        } else {
            missing += count_missing(d, i, i + 1);
            for (int k = 0; k < 8; k++) {
                unsigned mix = (unsigned)i * 2654435761u + (unsigned)k * 40503u;
                int old = (int)(mix % (unsigned)(i + 1));
                missing += count_missing(d, old, old + 1);
            }
        }
        was_rehashing = rehashing;
    }
    cr_expect_eq(missing, 0);
    cr_expect_geq(rehashes_seen, 10, "saw %d rehashes start", rehashes_seen);
    cr_expect_eq(dict_size(d), (size_t)total);
    cr_expect_eq(count_missing(d, 0, total), 0);
    dict_destroy(d, NULL);
}

/* While an iterator is open a lookup moves nothing, so each explicit step
 * can be followed by a check of every key at exactly that point. */
Test(dict, finds_every_key_at_every_step_of_a_rehash)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1024);
    cr_assert_not(dict_is_rehashing(d), "1024 keys fit 1024 buckets");
    add_numbered(d, 1024, 1025);
    cr_assert(dict_is_rehashing(d), "the 1025th key starts a rehash");
    int steps = 0, missing = 0;
    bool more = true;
    while (more && missing == 0) {
        dict_iter freeze;
        dict_iter_start(&freeze, d);
        missing += count_missing(d, 0, 1025);
        dict_iter_end(&freeze);
        more = dict_rehash_steps(d, 1);
        steps++;
    }
    cr_expect_eq(missing, 0, "keys went missing after step %d", steps);
    cr_expect_gt(steps, 100, "the rehash took only %d steps", steps);
    cr_expect_not(dict_is_rehashing(d));
    cr_expect_eq(d->tables[0].size, 2048);
    cr_expect_eq(count_missing(d, 0, 1025), 0);
    dict_destroy(d, NULL);
}

Test(dict, a_lookup_or_insert_during_a_rehash_moves_it_forward)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    cr_assert(dict_is_rehashing(d));
    long before = d->rehash_index;
    dict_find(d, "key:0", 5);
    cr_expect_gt(d->rehash_index, before);
    before = d->rehash_index;
    add_numbered(d, 1025, 1026);
    cr_expect_gt(d->rehash_index, before);
    while (dict_rehash_steps(d, 100))
        ;
    cr_expect_eq(count_missing(d, 0, 1026), 0);
    dict_destroy(d, NULL);
}

/* A delete checks for shrinking only when no rehash is running, so a mass
 * delete shrinks in stages: 4096 buckets to 512 at 409 keys, and further
 * on the first delete after that rehash is done. */
Test(dict, shrinks_after_most_keys_are_deleted)
{
    dict *d = dict_create();
    add_numbered(d, 0, 4096);
    while (dict_rehash_steps(d, 1000))
        ;
    cr_assert_eq(d->tables[0].size, 4096);
    char key[32];
    for (int i = 10; i < 4096; i++) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
        cr_assert(found, "key %d", i);
    }
    cr_expect_eq(dict_size(d), 10);
    while (dict_rehash_steps(d, 1000))
        ;
    cr_expect_lt(d->tables[0].size, 4096, "no bucket was given back");
    cr_expect_eq(count_missing(d, 0, 10), 0);

    bool found = false;
    dict_delete(d, "key:9", 5, &found);
    cr_expect(found);
    while (dict_rehash_steps(d, 1000))
        ;
    cr_expect_eq(d->tables[0].size, 16, "9 keys in %zu buckets", d->tables[0].size);
    cr_expect_eq(count_missing(d, 0, 9), 0);

    for (int i = 0; i < 9; i++) {
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
        cr_expect(found);
    }
    cr_expect_eq(dict_size(d), 0);
    add_numbered(d, 0, 100);                /* and it grows again */
    cr_expect_eq(count_missing(d, 0, 100), 0);
    dict_destroy(d, NULL);
}

Test(dict, deleting_keys_while_a_rehash_runs_loses_nothing_else)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    cr_assert(dict_is_rehashing(d));
    char key[32];
    for (int i = 0; i < 1025; i += 3) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
        cr_expect(found, "key %d", i);
    }
    int missing = 0, ghosts = 0;
    for (int i = 0; i < 1025; i++) {
        if (i % 3 == 0)
            ghosts += dict_find(d, key, key_of(key, sizeof(key), i)) != NULL;
        else
            missing += count_missing(d, i, i + 1);
    }
    cr_expect_eq(missing, 0);
    cr_expect_eq(ghosts, 0);
    cr_expect_eq(dict_size(d), 1025 - 342);
    dict_destroy(d, NULL);
}

/* ---------------- Iteration ---------------- */

/* Iterates over d, which holds the keys 0..n-1, counting visits per key. */
static void expect_each_key_once(dict *d, int n, bool delete_each)
{
    unsigned char *visits = calloc((size_t)n, 1);
    cr_assert_not_null(visits);
    int total = 0, strangers = 0;
    dict_iter it;
    dict_iter_start(&it, d);
    for (dict_entry *e; (e = dict_iter_next(&it)) != NULL;) {
        uintptr_t i = (uintptr_t)e->value - 1;
        char key[32];
        size_t len = key_of(key, sizeof(key), (int)i);
        if (i >= (uintptr_t)n || e->keylen != len || memcmp(e->key, key, len) != 0) {
            strangers++;
            continue;
        }
        visits[i]++;
        total++;
        if (delete_each) {
            bool found = false;
            dict_delete(d, key, len, &found);
            cr_expect(found);
        }
    }
    dict_iter_end(&it);
    int never = 0, twice = 0;
    for (int i = 0; i < n; i++) {
        never += visits[i] == 0;
        twice += visits[i] > 1;
    }
    cr_expect_eq(strangers, 0);
    cr_expect_eq(never, 0, "%d keys were never visited", never);
    cr_expect_eq(twice, 0, "%d keys were visited more than once", twice);
    cr_expect_eq(total, n);
    free(visits);
}

Test(dict, iteration_visits_every_key_exactly_once)
{
    dict *d = dict_create();
    add_numbered(d, 0, 3000);
    while (dict_rehash_steps(d, 1000))
        ;
    expect_each_key_once(d, 3000, false);
    dict_destroy(d, NULL);
}

Test(dict, iteration_visits_every_key_exactly_once_while_rehashing)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    cr_assert_gt(d->tables[0].used, 0, "some keys are still in the old table");
    cr_assert_gt(d->tables[1].used, 0, "some keys are already in the new table");
    expect_each_key_once(d, 1025, false);
    cr_expect(dict_is_rehashing(d), "iterating does not move keys");
    dict_destroy(d, NULL);
}

Test(dict, iteration_over_an_empty_dict_returns_nothing)
{
    dict *d = dict_create();
    dict_iter it;
    dict_iter_start(&it, d);
    cr_expect_null(dict_iter_next(&it));
    dict_iter_end(&it);
    add_numbered(d, 0, 1);
    bool found;
    dict_delete(d, "key:0", 5, &found);
    dict_iter_start(&it, d);
    cr_expect_null(dict_iter_next(&it));
    dict_iter_end(&it);
    dict_destroy(d, NULL);
}

Test(dict, deleting_the_current_entry_during_iteration_is_safe)
{
    dict *d = dict_create();
    add_numbered(d, 0, 3000);
    while (dict_rehash_steps(d, 1000))
        ;
    expect_each_key_once(d, 3000, true);
    cr_expect_eq(dict_size(d), 0);
    add_numbered(d, 0, 10);
    cr_expect_eq(count_missing(d, 0, 10), 0);
    dict_destroy(d, NULL);
}

Test(dict, deleting_the_current_entry_while_rehashing_is_safe)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    expect_each_key_once(d, 1025, true);
    cr_expect_eq(dict_size(d), 0);
    dict_destroy(d, NULL);
}

Test(dict, deleting_only_some_entries_during_iteration_keeps_the_others)
{
    dict *d = dict_create();
    add_numbered(d, 0, 2000);
    dict_iter it;
    dict_iter_start(&it, d);
    int seen = 0;
    for (dict_entry *e; (e = dict_iter_next(&it)) != NULL;) {
        uintptr_t i = (uintptr_t)e->value - 1;
        if (i % 2 == 0) {
            char key[32];
            bool found = false;
            dict_delete(d, key, key_of(key, sizeof(key), (int)i), &found);
            cr_expect(found);
        }
        seen++;
    }
    dict_iter_end(&it);
    cr_expect_eq(seen, 2000);
    cr_expect_eq(dict_size(d), 1000);
    int missing = 0;
    for (int i = 1; i < 2000; i += 2)
        missing += count_missing(d, i, i + 1);
    cr_expect_eq(missing, 0);
    dict_destroy(d, NULL);
}

/* ---------------- The hash ---------------- */

Test(dict, the_hash_depends_on_the_seed)
{
    uint8_t seed_a[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint8_t seed_b[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17};
    const char *keys[] = {"", "a", "key:1", "a longer key of more than eight bytes"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        size_t len = strlen(keys[i]);
        dict_seed(seed_a);
        uint64_t a = dict_hash(keys[i], len);
        cr_expect_eq(dict_hash(keys[i], len), a, "the same seed gives the same hash");
        dict_seed(seed_b);
        uint64_t b = dict_hash(keys[i], len);
        cr_expect_neq(a, b, "\"%s\" hashes the same under two seeds", keys[i]);
        dict_seed(seed_a);
        cr_expect_eq(dict_hash(keys[i], len), a, "going back to a seed gives its hash back");
    }
}

Test(dict, the_hash_tells_apart_keys_that_differ_in_one_byte_or_in_length)
{
    uint8_t seed[16] = {42};
    dict_seed(seed);
    char zeros[17] = {0};
    uint64_t seen[17];
    for (size_t len = 0; len <= 16; len++) {
        seen[len] = dict_hash(zeros, len);
        for (size_t shorter = 0; shorter < len; shorter++)
            cr_expect_neq(seen[len], seen[shorter], "%zu and %zu NUL bytes collide", len, shorter);
    }
    cr_expect_neq(dict_hash("key:1", 5), dict_hash("key:2", 5));
    cr_expect_neq(dict_hash("abcdefgh1", 9), dict_hash("abcdefgh2", 9));
}

Test(dict, works_the_same_under_any_seed)
{
    uint8_t seed[16];
    for (int i = 0; i < 16; i++)
        seed[i] = (uint8_t)(0xa5 ^ (i * 29));
    dict_seed(seed);
    dict *d = dict_create();
    add_numbered(d, 0, 5000);
    cr_expect_eq(count_missing(d, 0, 5000), 0);
    dict_destroy(d, NULL);
}

/* ---------------- Clearing and freeing ---------------- */

static int freed_values;

static void count_and_free(void *value)
{
    freed_values++;
    mem_free(value);
}

Test(dict, clear_and_destroy_free_every_value_and_every_byte)
{
    size_t before = mem_used();
    dict *d = dict_create();
    char key[32];
    for (int i = 0; i < 1500; i++)      /* 1500: a rehash is running */
        add(d, key, key_of(key, sizeof(key), i), mem_strdup("value"));
    cr_assert(dict_is_rehashing(d));
    freed_values = 0;
    dict_clear(d, count_and_free);
    cr_expect_eq(freed_values, 1500);
    cr_expect_eq(dict_size(d), 0);
    cr_expect_not(dict_is_rehashing(d));
    cr_expect_null(dict_find(d, "key:1", 5));

    for (int i = 0; i < 700; i++)
        add(d, key, key_of(key, sizeof(key), i), mem_strdup("again"));
    cr_expect_eq(dict_size(d), 700);
    freed_values = 0;
    dict_destroy(d, count_and_free);
    cr_expect_eq(freed_values, 700);
    cr_expect_eq(mem_used(), before, "%zu bytes were not given back", mem_used() - before);
    dict_destroy(NULL, count_and_free);     /* a no-op */
}

/* ---------------- Scanning (stage 3) ----------------
 *
 * A scan is a walk of many dict_scan calls, and the table may change
 * between any two of them. What it promises: a key present for the whole
 * walk is visited at least once; if nothing changes, exactly once. These
 * tests count visits per key, and change the table between calls. */

#define SCAN_CALL_LIMIT (1u << 22)      /* far more calls than any walk here needs */

/* What a walk saw, for keys numbered 0..room-1. */
typedef struct scan_tally {
    dict *d;
    int room;                   /* keys numbered this or more are strangers */
    unsigned char *visits;      /* per key number, saturating at 255 */
    int strangers;              /* entries that are not key:i holding VALUE(i) */
    int delete_every;           /* the callback deletes key i when i % this == 0; 0: never */
    int failed_deletes;         /* deletes by the callback that found nothing */
    long long calls;            /* entries handed to the callback */
} scan_tally;

static void tally_start(scan_tally *t, dict *d, int room)
{
    *t = (scan_tally){.d = d, .room = room};
    t->visits = calloc((size_t)room, 1);
    cr_assert_not_null(t->visits);
}

static void tally_visit(void *data, dict_entry *e)
{
    scan_tally *t = data;
    t->calls++;
    uintptr_t i = (uintptr_t)e->value - 1;
    if (i >= (uintptr_t)t->room) {
        t->strangers++;
        return;
    }
    char key[32];
    size_t len = key_of(key, sizeof(key), (int)i);
    if (e->keylen != len || memcmp(e->key, key, len) != 0) {
        t->strangers++;
        return;
    }
    if (t->visits[i] < 255)
        t->visits[i]++;
    if (t->delete_every > 0 && i % (uintptr_t)t->delete_every == 0) {
        bool found = false;
        dict_delete(t->d, key, len, &found);     /* the entry we were given */
        t->failed_deletes += !found;
    }
}

/* Expects every key in from..to-1 to have been visited between least and
 * most times. */
static void tally_expect(const scan_tally *t, int from, int to, int least, int most)
{
    int too_few = 0, too_many = 0, first_few = -1, first_many = -1;
    for (int i = from; i < to; i++) {
        if (t->visits[i] < least && too_few++ == 0)
            first_few = i;
        if (t->visits[i] > most && too_many++ == 0)
            first_many = i;
    }
    cr_expect_eq(too_few, 0, "%d keys visited fewer than %d times, the first key:%d (%d visits)",
                 too_few, least, first_few, first_few < 0 ? 0 : t->visits[first_few]);
    cr_expect_eq(too_many, 0, "%d keys visited more than %d times, the first key:%d (%d visits)",
                 too_many, most, first_many, first_many < 0 ? 0 : t->visits[first_many]);
    cr_expect_eq(t->strangers, 0, "the callback was given %d unknown entries", t->strangers);
}

static void tally_end(scan_tally *t)
{
    free(t->visits);
    t->visits = NULL;
}

static void finish_rehash(dict *d)
{
    while (dict_rehash_steps(d, 1000))
        ;
}

/* One whole walk with nothing changing in between; returns the calls made. */
static size_t scan_all(dict *d, scan_tally *t)
{
    size_t cursor = 0, calls = 0;
    do {
        cursor = dict_scan(d, cursor, tally_visit, t);
        calls++;
    } while (cursor != 0 && calls < SCAN_CALL_LIMIT);
    cr_assert_eq(cursor, 0, "the walk did not end after %zu calls", calls);
    return calls;
}

static void count_scan_calls(void *data, dict_entry *e)
{
    (void)e;
    (*(int *)data)++;
}

Test(dict, scan_of_an_empty_dict_returns_0_and_visits_nothing)
{
    dict *d = dict_create();
    int visited = 0;
    cr_expect_eq(dict_scan(d, 0, count_scan_calls, &visited), 0);
    cr_expect_eq(dict_scan(d, 12345, count_scan_calls, &visited), 0, "a stale cursor ends the walk too");

    add_numbered(d, 0, 100);                /* buckets allocated, then emptied */
    char key[32];
    for (int i = 0; i < 100; i++) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
        cr_assert(found);
    }
    cr_assert_eq(dict_size(d), 0);
    cr_expect_eq(dict_scan(d, 0, count_scan_calls, &visited), 0);
    cr_expect_eq(dict_scan(d, 7, count_scan_calls, &visited), 0);
    cr_expect_eq(visited, 0, "the callback ran %d times", visited);
    dict_destroy(d, NULL);
}

Test(dict, scan_of_one_key_visits_it_once_and_ends)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1);
    scan_tally t;
    tally_start(&t, d, 1);
    size_t calls = scan_all(d, &t);
    cr_expect_leq(calls, 4, "one bucket per call in a table of 4 buckets, took %zu calls", calls);
    tally_expect(&t, 0, 1, 1, 1);
    tally_end(&t);
    dict_destroy(d, NULL);
}

Test(dict, scan_visits_every_key_exactly_once_when_nothing_changes)
{
    dict *d = dict_create();
    add_numbered(d, 0, 3000);
    finish_rehash(d);
    size_t buckets = d->tables[0].size;
    scan_tally t;
    tally_start(&t, d, 3000);
    size_t calls = scan_all(d, &t);
    cr_expect_eq(calls, buckets, "a walk of %zu buckets took %zu calls", buckets, calls);
    tally_expect(&t, 0, 3000, 1, 1);
    cr_expect_eq(t.calls, 3000);
    cr_expect_eq(dict_size(d), 3000, "scanning changes nothing");
    tally_end(&t);
    dict_destroy(d, NULL);
}

/* Between calls, 40 new keys at a time take the table from 1024 buckets to
 * 32768, through five rehashes that the inserts themselves move along. */
Test(dict, scan_visits_every_key_present_at_the_start_while_the_table_grows)
{
    int start = 1000, total = 30000;
    dict *d = dict_create();
    add_numbered(d, 0, start);
    finish_rehash(d);
    size_t first_size = d->tables[0].size;
    scan_tally t;
    tally_start(&t, d, total);
    size_t cursor = 0, calls = 0, calls_while_rehashing = 0;
    int next = start;
    do {
        cursor = dict_scan(d, cursor, tally_visit, &t);
        calls++;
        calls_while_rehashing += dict_is_rehashing(d);
        int upto = next + 40 < total ? next + 40 : total;
        add_numbered(d, next, upto);
        next = upto;
    } while (cursor != 0 && calls < SCAN_CALL_LIMIT);
    cr_assert_eq(cursor, 0, "the walk did not end after %zu calls", calls);
    cr_expect_gt(d->tables[0].size, first_size * 8, "the table only grew from %zu to %zu buckets",
                 first_size, d->tables[0].size);
    cr_expect_gt(calls_while_rehashing, 0, "no call was made during a rehash");
    tally_expect(&t, 0, start, 1, 255);
    cr_expect_eq(count_missing(d, 0, next), 0);
    tally_end(&t);
    dict_destroy(d, NULL);
}

/* Between calls, 25 keys at a time are deleted from a table of 32768
 * buckets until 100 are left; the deletes shrink it, in stages, while the
 * walk goes on. The 100 that stay must all be visited. */
Test(dict, scan_visits_every_key_that_stays_while_the_table_shrinks)
{
    int total = 20000, kept = 100;
    dict *d = dict_create();
    add_numbered(d, 0, total);
    finish_rehash(d);
    size_t first_size = d->tables[0].size;
    cr_assert_eq(first_size, 32768);
    scan_tally t;
    tally_start(&t, d, total);
    size_t cursor = 0, calls = 0, calls_while_shrinking = 0;
    int next_victim = kept;
    char key[32];
    do {
        cursor = dict_scan(d, cursor, tally_visit, &t);
        calls++;
        for (int n = 0; n < 25 && next_victim < total; n++, next_victim++) {
            bool found = false;
            dict_delete(d, key, key_of(key, sizeof(key), next_victim), &found);
            cr_assert(found, "key %d", next_victim);
        }
        dict_maybe_shrink(d);
        if (dict_is_rehashing(d) && d->tables[1].size < d->tables[0].size)
            calls_while_shrinking++;
        if (calls % 3 == 0)
            dict_rehash_steps(d, 1);
    } while (cursor != 0 && calls < SCAN_CALL_LIMIT);
    cr_assert_eq(cursor, 0, "the walk did not end after %zu calls", calls);
    cr_expect_eq(next_victim, total, "the walk ended after %zu calls, before the deletes did", calls);
    cr_expect_gt(calls_while_shrinking, 0, "no call was made during a shrink");
    finish_rehash(d);
    cr_expect_leq(d->tables[0].size, 1024, "still %zu buckets for %d keys", d->tables[0].size, kept);
    tally_expect(&t, 0, kept, 1, 255);
    cr_expect_eq(count_missing(d, 0, kept), 0);
    tally_end(&t);
    dict_destroy(d, NULL);
}

Test(dict, scan_visits_every_key_exactly_once_in_a_paused_growing_rehash)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    cr_assert_gt(d->tables[0].used, 0);
    cr_assert_gt(d->tables[1].used, 0);
    long index = d->rehash_index;
    scan_tally t;
    tally_start(&t, d, 1025);
    scan_all(d, &t);
    tally_expect(&t, 0, 1025, 1, 1);
    cr_expect_eq(d->rehash_index, index, "a scan moved the rehash along");
    tally_end(&t);
    dict_destroy(d, NULL);
}

/* The shrinking case is the mirror image: the small table is the new one,
 * tables[1]. */
Test(dict, scan_visits_every_key_exactly_once_in_a_paused_shrinking_rehash)
{
    dict *d = dict_create();
    add_numbered(d, 0, 4096);
    finish_rehash(d);
    dict_iter hold;                         /* no shrink while deleting */
    dict_iter_start(&hold, d);
    char key[32];
    for (int i = 300; i < 4096; i++) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
        cr_assert(found);
    }
    dict_iter_end(&hold);
    dict_maybe_shrink(d);
    cr_assert(dict_is_rehashing(d));
    dict_rehash_steps(d, 150);
    cr_assert(dict_is_rehashing(d));
    cr_assert_lt(d->tables[1].size, d->tables[0].size);
    cr_assert_gt(d->tables[0].used, 0);
    cr_assert_gt(d->tables[1].used, 0);
    scan_tally t;
    tally_start(&t, d, 300);
    scan_all(d, &t);
    tally_expect(&t, 0, 300, 1, 1);
    tally_end(&t);
    dict_destroy(d, NULL);
}

Test(dict, scan_visits_every_key_while_rehash_steps_run_between_calls)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    cr_assert(dict_is_rehashing(d));
    scan_tally t;
    tally_start(&t, d, 1025);
    size_t cursor = 0, calls = 0;
    bool finished_during_walk = false;
    do {
        cursor = dict_scan(d, cursor, tally_visit, &t);
        calls++;
        if (dict_is_rehashing(d) && !dict_rehash_steps(d, 1))
            finished_during_walk = true;
    } while (cursor != 0 && calls < SCAN_CALL_LIMIT);
    cr_assert_eq(cursor, 0);
    cr_expect(finished_during_walk, "the rehash did not finish during a walk of %zu calls", calls);
    tally_expect(&t, 0, 1025, 1, 255);
    tally_end(&t);
    dict_destroy(d, NULL);
}

Test(dict, scan_callback_may_delete_the_entry_it_is_given)
{
    dict *d = dict_create();
    add_numbered(d, 0, 3000);
    finish_rehash(d);
    size_t buckets = d->tables[0].size;
    scan_tally t;
    tally_start(&t, d, 3000);
    t.delete_every = 1;
    scan_all(d, &t);
    tally_expect(&t, 0, 3000, 1, 1);
    cr_expect_eq(t.failed_deletes, 0);
    cr_expect_eq(dict_size(d), 0);
    cr_expect_eq(d->tables[0].size, buckets, "the table shrank in the middle of a scan call");
    cr_expect_eq(d->safe_iterators, 0, "a scan left the table frozen");
    add_numbered(d, 0, 10);
    cr_expect_eq(count_missing(d, 0, 10), 0);
    tally_end(&t);
    dict_destroy(d, NULL);
}

Test(dict, scan_callback_may_delete_entries_while_a_rehash_is_paused)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    scan_tally t;
    tally_start(&t, d, 1025);
    t.delete_every = 2;
    scan_all(d, &t);
    tally_expect(&t, 0, 1025, 1, 1);
    cr_expect_eq(t.failed_deletes, 0);
    cr_expect_eq(dict_size(d), 512);
    int missing = 0, ghosts = 0;
    char key[32];
    for (int i = 0; i < 1025; i++) {
        if (i % 2 == 0)
            ghosts += dict_find(d, key, key_of(key, sizeof(key), i)) != NULL;
        else
            missing += count_missing(d, i, i + 1);
    }
    cr_expect_eq(missing, 0);
    cr_expect_eq(ghosts, 0);
    finish_rehash(d);
    cr_expect_eq(count_missing(d, 1, 2), 0);
    tally_end(&t);
    dict_destroy(d, NULL);
}

/* ---------------- Unlinking (stage 3) ---------------- */

Test(dict, unlink_takes_an_entry_out_and_leaves_it_readable_until_freed)
{
    size_t before = mem_used();
    dict *d = dict_create();
    add_numbered(d, 0, 50);
    add(d, "a\0k", 3, VALUE(99));
    dict_entry *e = dict_unlink(d, "a\0k", 3);
    cr_assert_not_null(e);
    cr_expect_eq(e->keylen, 3);
    cr_expect_arr_eq(e->key, "a\0k", 3);
    cr_expect_eq(e->value, VALUE(99));
    cr_expect_eq(dict_size(d), 50);
    cr_expect_null(dict_find(d, "a\0k", 3));
    cr_expect_null(dict_unlink(d, "a\0k", 3), "a second unlink finds nothing");
    dict_free_unlinked(e);
    cr_expect_eq(count_missing(d, 0, 50), 0);
    dict_destroy(d, NULL);
    cr_expect_eq(mem_used(), before, "%zu bytes were not given back", mem_used() - before);
}

Test(dict, unlink_of_a_missing_key_returns_null)
{
    dict *d = dict_create();
    cr_expect_null(dict_unlink(d, "k", 1), "an empty dict");
    add_numbered(d, 0, 10);
    cr_expect_null(dict_unlink(d, "k", 1));
    cr_expect_null(dict_unlink(d, "key:", 4));
    cr_expect_eq(dict_size(d), 10);
    dict_destroy(d, NULL);
}

Test(dict, unlink_finds_keys_in_both_tables_during_a_rehash)
{
    size_t before = mem_used();
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    char key[32];
    int wrong = 0;
    for (int i = 0; i < 1025; i++) {
        size_t len = key_of(key, sizeof(key), i);
        dict_entry *e = dict_unlink(d, key, len);
        if (e == NULL || e->keylen != len || memcmp(e->key, key, len) != 0 || e->value != VALUE(i))
            wrong++;
        if (e != NULL)
            dict_free_unlinked(e);
    }
    cr_expect_eq(wrong, 0);
    cr_expect_eq(dict_size(d), 0);
    dict_destroy(d, NULL);
    cr_expect_eq(mem_used(), before, "%zu bytes were not given back", mem_used() - before);
}

/* ---------------- Shrinking on demand (stage 3) ---------------- */

/* Deletes keys from..to-1 while an iterator holds the table, so the
 * deletes themselves cannot start a shrink. */
static void delete_held(dict *d, int from, int to)
{
    dict_iter hold;
    dict_iter_start(&hold, d);
    char key[32];
    for (int i = from; i < to; i++) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
        cr_assert(found, "key %d", i);
    }
    dict_iter_end(&hold);
}

Test(dict, maybe_shrink_shrinks_a_table_under_25_percent_full)
{
    dict *d = dict_create();
    add_numbered(d, 0, 4096);
    finish_rehash(d);
    cr_assert_eq(d->tables[0].size, 4096);

    delete_held(d, 1024, 4096);             /* 1024 keys: 25% */
    cr_assert_not(dict_is_rehashing(d));
    dict_maybe_shrink(d);
    cr_expect_not(dict_is_rehashing(d), "1024 keys in 4096 buckets are not under 25%%");
    cr_expect_eq(d->tables[0].size, 4096);

    delete_held(d, 1023, 1024);             /* 1023 keys: 24.98% */
    dict_maybe_shrink(d);
    cr_expect(dict_is_rehashing(d), "1023 keys in 4096 buckets did not start a shrink");
    finish_rehash(d);
    cr_expect_eq(d->tables[0].size, 1024, "1023 keys in %zu buckets", d->tables[0].size);
    cr_expect_eq(d->tables[1].size, 0);
    cr_expect_eq(count_missing(d, 0, 1023), 0);
    dict_destroy(d, NULL);
}

Test(dict, maybe_shrink_does_nothing_while_a_safe_iterator_is_open)
{
    dict *d = dict_create();
    add_numbered(d, 0, 4096);
    finish_rehash(d);
    delete_held(d, 100, 4096);
    dict_iter it;
    dict_iter_start(&it, d);
    dict_maybe_shrink(d);
    cr_expect_not(dict_is_rehashing(d), "a shrink started under an open iterator");
    cr_expect_eq(d->tables[0].size, 4096);
    int seen = 0;
    while (dict_iter_next(&it) != NULL)
        seen++;
    dict_iter_end(&it);
    cr_expect_eq(seen, 100);

    dict_maybe_shrink(d);
    cr_expect(dict_is_rehashing(d), "once the iterator is closed it shrinks");
    finish_rehash(d);
    cr_expect_eq(d->tables[0].size, 128, "100 keys in %zu buckets", d->tables[0].size);
    cr_expect_eq(count_missing(d, 0, 100), 0);
    dict_destroy(d, NULL);
}

Test(dict, maybe_shrink_leaves_small_tables_and_running_rehashes_alone)
{
    dict *d = dict_create();
    dict_maybe_shrink(d);                   /* no table at all */
    cr_expect_eq(d->tables[0].size, 0);
    add_numbered(d, 0, 1);
    dict_maybe_shrink(d);
    cr_expect_not(dict_is_rehashing(d), "a table of 4 buckets is already the smallest");
    cr_expect_eq(d->tables[0].size, 4);

    add_numbered(d, 1, 1025);
    cr_assert(dict_is_rehashing(d));
    size_t target = d->tables[1].size;
    dict_maybe_shrink(d);
    cr_expect_eq(d->tables[1].size, target, "a running rehash was replaced");
    finish_rehash(d);
    cr_expect_eq(count_missing(d, 0, 1025), 0);
    dict_destroy(d, NULL);
}

/* ---------------- Numbers as values (stage 3) ---------------- */

Test(dict, an_entry_holds_a_long_long_through_rehashes_and_unlinks)
{
    const long long numbers[] = {0, 1, -1, LLONG_MAX, LLONG_MIN, 1700000000123LL, -1700000000123LL};
    size_t n = sizeof(numbers) / sizeof(numbers[0]);
    dict *d = dict_create();
    char key[32];
    for (int i = 0; i < 2000; i++) {
        bool created = false;
        dict_entry *e = dict_add_or_find(d, key, key_of(key, sizeof(key), i), &created);
        cr_assert(created);
        e->integer = numbers[(size_t)i % n] ^ i;
    }
    finish_rehash(d);
    int wrong = 0;
    for (int i = 0; i < 2000; i++) {
        dict_entry *e = dict_find(d, key, key_of(key, sizeof(key), i));
        wrong += e == NULL || e->integer != (numbers[(size_t)i % n] ^ i);
    }
    cr_expect_eq(wrong, 0, "%d numbers came back wrong", wrong);
    for (size_t k = 0; k < n; k++) {
        dict_entry *e = dict_unlink(d, key, key_of(key, sizeof(key), (int)k));
        cr_assert_not_null(e);
        cr_expect_eq(e->integer, numbers[k] ^ (long long)k);
        dict_free_unlinked(e);
    }
    dict_destroy(d, NULL);                  /* no free function: numbers are not pointers */
}

/* ---------------- Scanning through a growth and a shrink (Part II, keys) ----------------
 *
 * SCAN's promise, in one walk: the table first grows from 1024 buckets
 * to 32768 as keys pour in between calls, then shrinks back as they are
 * deleted again. The 1000 keys there from start to end must each be
 * visited at least once. */

Test(dict, scan_visits_every_key_present_throughout_a_growth_then_a_shrink)
{
    int start = 1000, peak = 20000;
    dict *d = dict_create();
    add_numbered(d, 0, start);
    finish_rehash(d);
    scan_tally t;
    tally_start(&t, d, peak);
    size_t cursor = 0, calls = 0, calls_growing = 0, calls_shrinking = 0, largest = 0;
    int next = start, next_victim = start;
    char key[32];
    do {
        cursor = dict_scan(d, cursor, tally_visit, &t);
        calls++;
        if (next < peak) {
            int upto = next + 400 < peak ? next + 400 : peak;
            add_numbered(d, next, upto);
            next = upto;
        } else {
            for (int n = 0; n < 400 && next_victim < peak; n++, next_victim++) {
                bool found = false;
                dict_delete(d, key, key_of(key, sizeof(key), next_victim), &found);
                cr_assert(found, "key %d", next_victim);
            }
            dict_maybe_shrink(d);
        }
        if (dict_is_rehashing(d) && d->tables[1].size > d->tables[0].size)
            calls_growing++;
        if (dict_is_rehashing(d) && d->tables[1].size < d->tables[0].size)
            calls_shrinking++;
        if (d->tables[0].size > largest)
            largest = d->tables[0].size;
        dict_rehash_steps(d, 2);
    } while (cursor != 0 && calls < SCAN_CALL_LIMIT);
    cr_assert_eq(cursor, 0, "the walk did not end after %zu calls", calls);
    cr_expect_geq(largest, 16384, "the table only grew to %zu buckets", largest);
    cr_expect_gt(calls_growing, 0, "no call was made during a growth");
    cr_expect_gt(calls_shrinking, 0, "no call was made during a shrink (the walk took %zu calls)", calls);
    tally_expect(&t, 0, start, 1, 255);
    cr_expect_eq(count_missing(d, 0, start), 0);
    tally_end(&t);
    dict_destroy(d, NULL);
}

/* ---------------- Random entries (Part II, keys) ----------------
 *
 * RANDOMKEY's fairness: every entry should come up about equally often,
 * whether it is alone in its bucket or in a chain. The bounds are loose
 * (five standard deviations and more), so the tests do not flake, yet a
 * pick that favours short chains, as Redis's dictGetRandomKey does, falls
 * far outside them. */

/* The number of the key an entry holds (values are VALUE(i)). */
static int number_of(const dict_entry *e)
{
    return (int)((uintptr_t)e->value - 1);
}

/* Draw per_key * keys random entries; counts[i] is how often key i came. */
static void draw_many(dict *d, int keys, int per_key, int *counts)
{
    memset(counts, 0, (size_t)keys * sizeof(int));
    for (long n = 0; n < (long)keys * per_key; n++) {
        dict_entry *e = dict_random_entry(d);
        cr_assert_not_null(e, "a random entry of a non-empty dict was NULL");
        int i = number_of(e);
        cr_assert(i >= 0 && i < keys, "a random entry held an unknown value");
        counts[i]++;
    }
}

static void expect_counts_within(const int *counts, int keys, int low, int high)
{
    int out = 0, first = -1;
    for (int i = 0; i < keys; i++) {
        if ((counts[i] < low || counts[i] > high) && out++ == 0)
            first = i;
    }
    cr_expect_eq(out, 0, "%d keys came up outside %d..%d times, the first key:%d (%d times)",
                 out, low, high, first, first < 0 ? 0 : counts[first]);
}

/* The length of the chain holding key i, in whichever table holds it. */
static size_t chain_length_of(dict *d, int i)
{
    char key[32];
    size_t len = key_of(key, sizeof(key), i);
    for (int t = 0; t <= 1; t++) {
        dict_table *table = &d->tables[t];
        for (size_t b = 0; b < table->size; b++) {
            size_t n = 0;
            bool here = false;
            for (dict_entry *e = table->buckets[b]; e != NULL; e = e->next) {
                n++;
                here |= e->keylen == len && memcmp(e->key, key, len) == 0;
            }
            if (here)
                return n;
        }
    }
    return 0;
}

Test(dict, random_entry_of_an_empty_dict_is_null)
{
    dict *d = dict_create();
    cr_expect_null(dict_random_entry(d));
    add_numbered(d, 0, 50);
    char key[32];
    for (int i = 0; i < 50; i++) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
    }
    cr_expect_null(dict_random_entry(d), "emptied by deletes");
    dict_destroy(d, NULL);
}

Test(dict, random_entry_of_a_single_key_is_that_key)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1);
    for (int n = 0; n < 100; n++)
        cr_assert_eq(number_of(dict_random_entry(d)), 0);
    dict_destroy(d, NULL);
}

Test(dict, random_entry_gives_every_key_the_same_chance_whatever_its_chain)
{
    int keys = 1000, per_key = 400;
    dict *d = dict_create();
    add_numbered(d, 0, keys);
    finish_rehash(d);
    int *counts = calloc((size_t)keys, sizeof(int));
    draw_many(d, keys, per_key, counts);
    expect_counts_within(counts, keys, per_key - 100, per_key + 100);

    /* Alone in a bucket, or one of three or more: the same chance. */
    double alone = 0, crowded = 0;
    int n_alone = 0, n_crowded = 0;
    for (int i = 0; i < keys; i++) {
        size_t chain = chain_length_of(d, i);
        if (chain == 1) {
            alone += counts[i];
            n_alone++;
        } else if (chain >= 3) {
            crowded += counts[i];
            n_crowded++;
        }
    }
    cr_assert_gt(n_alone, 50);
    cr_assert_gt(n_crowded, 50);
    alone /= n_alone;
    crowded /= n_crowded;
    cr_expect_lt(alone / crowded, 1.1, "keys alone in a bucket came %.0f times on average, "
                 "keys in chains of 3+ %.0f: short chains are favoured", alone, crowded);
    cr_expect_gt(alone / crowded, 0.9, "alone %.0f, crowded %.0f", alone, crowded);
    free(counts);
    dict_destroy(d, NULL);
}

Test(dict, random_entry_is_fair_across_both_tables_in_a_paused_growth)
{
    int keys = 1025, per_key = 400;
    dict *d = dict_create();
    add_numbered(d, 0, keys);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    cr_assert_gt(d->tables[0].used, 100);
    cr_assert_gt(d->tables[1].used, 100);
    int *counts = calloc((size_t)keys, sizeof(int));
    size_t old_used = d->tables[0].used;
    /* Drawing helps a rehash along; a safe iterator holds it where it is. */
    dict_iter hold;
    dict_iter_start(&hold, d);
    draw_many(d, keys, per_key, counts);
    cr_expect_eq(d->tables[0].used, old_used, "drawing moved the rehash along");
    dict_iter_end(&hold);
    expect_counts_within(counts, keys, per_key - 100, per_key + 100);
    free(counts);
    dict_destroy(d, NULL);
}

Test(dict, random_entry_helps_a_rehash_along)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    size_t old_used = d->tables[0].used;
    cr_assert_not_null(dict_random_entry(d));
    cr_expect_lt(d->tables[0].used, old_used, "a draw during a rehash moved no bucket");
    for (int i = 0; i < 2000 && dict_is_rehashing(d); i++)
        cr_assert_not_null(dict_random_entry(d));
    cr_expect_not(dict_is_rehashing(d), "2,000 draws did not finish the rehash");
    cr_expect_eq(count_missing(d, 0, 1025), 0);
    dict_destroy(d, NULL);
}

Test(dict, random_entry_finds_the_few_keys_left_in_a_shrinking_sparse_table)
{
    int total = 20000, kept = 5;
    dict *d = dict_create();
    add_numbered(d, 0, total);
    finish_rehash(d);
    char key[32];
    for (int i = kept; i < total; i++) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
    }
    cr_assert_eq(dict_size(d), (size_t)kept);
    int counts[5];
    draw_many(d, kept, 600, counts);
    expect_counts_within(counts, kept, 450, 750);
    dict_destroy(d, NULL);
}

/* ---------------- Sampling (Part II, keys) ---------------- */

/* Expects out[0..got-1] to be distinct live entries of d. */
static void expect_distinct_members(dict *d, dict_entry **out, size_t got)
{
    for (size_t i = 0; i < got; i++) {
        cr_assert_not_null(out[i]);
        cr_expect_eq(dict_find(d, out[i]->key, out[i]->keylen), out[i], "a sampled entry is not in the dict");
        for (size_t j = 0; j < i; j++)
            cr_expect_neq(out[i], out[j], "entry %zu was sampled twice", i);
    }
}

Test(dict, sample_of_an_empty_dict_or_of_nothing_gives_nothing)
{
    dict *d = dict_create();
    dict_entry *out[4];
    cr_expect_eq(dict_sample(d, out, 4), 0);
    add_numbered(d, 0, 10);
    cr_expect_eq(dict_sample(d, out, 0), 0);
    dict_destroy(d, NULL);
}

Test(dict, sample_of_a_small_dict_gives_all_of_it)
{
    dict *d = dict_create();
    add_numbered(d, 0, 3);
    dict_entry *out[10];
    for (int n = 0; n < 50; n++) {
        size_t got = dict_sample(d, out, 10);
        cr_assert_eq(got, 3, "%zu of 3 entries", got);
        expect_distinct_members(d, out, got);
    }
    dict_destroy(d, NULL);
}

Test(dict, sample_gives_up_to_n_distinct_entries_and_reaches_every_key)
{
    int keys = 1000;
    dict *d = dict_create();
    add_numbered(d, 0, keys);
    finish_rehash(d);
    int *seen = calloc((size_t)keys, sizeof(int));
    dict_entry *out[5];
    size_t total = 0;
    for (int n = 0; n < 5000; n++) {
        size_t got = dict_sample(d, out, 5);
        cr_assert(got >= 1 && got <= 5, "%zu entries", got);
        expect_distinct_members(d, out, got);
        for (size_t i = 0; i < got; i++)
            seen[number_of(out[i])]++;
        total += got;
    }
    cr_expect_gt(total, 5000 * 4, "only %zu entries in 5000 samples of 5 at a load of 1", total);
    int never = 0;
    for (int i = 0; i < keys; i++)
        never += seen[i] == 0;
    cr_expect_eq(never, 0, "%d keys were never sampled", never);
    free(seen);
    dict_destroy(d, NULL);
}

Test(dict, sample_works_in_a_paused_growth_and_in_a_sparse_table)
{
    dict *d = dict_create();
    add_numbered(d, 0, 1025);
    dict_rehash_steps(d, 200);
    cr_assert(dict_is_rehashing(d));
    dict_entry *out[16];
    bool old_table = false, new_table = false;
    for (int n = 0; n < 500; n++) {
        size_t got = dict_sample(d, out, 16);
        cr_assert(got >= 1 && got <= 16);
        expect_distinct_members(d, out, got);
        for (size_t i = 0; i < got; i++) {
            char key[32];
            size_t len = key_of(key, sizeof(key), number_of(out[i]));
            uint64_t h = dict_hash(key, len);
            dict_entry *e = d->tables[0].buckets[h & (d->tables[0].size - 1)];
            bool in_old = false;
            for (; e != NULL; e = e->next)
                in_old |= e == out[i];
            old_table |= in_old;
            new_table |= !in_old;
        }
    }
    cr_expect(old_table && new_table, "samples came from one table only");

    char key[32];
    for (int i = 1; i < 1025; i++) {
        bool found = false;
        dict_delete(d, key, key_of(key, sizeof(key), i), &found);
    }
    for (int n = 0; n < 50; n++) {
        size_t got = dict_sample(d, out, 3);
        cr_assert_eq(got, 1, "one key left in %zu buckets, %zu sampled", d->tables[0].size, got);
        cr_expect_eq(number_of(out[0]), 0);
    }
    dict_destroy(d, NULL);
}
