/* Unit tests of expiry (stage 3): the TTL table in db.c, the lookups that
 * delete a dead key they meet (lazy expiry) and expire_cycle(), which goes
 * looking for dead keys nobody reads (active expiry).
 *
 * The clock cannot be stopped from here, so a key meant to be dead gets a
 * time in 1970 and a key meant to live gets one a year from now; the one
 * boundary that matters, "alive at exactly its time", is tested through
 * db_expire_if_due(), which takes `now` as an argument. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/db.h"
#include "data/dict.h"
#include "data/expire.h"
#include "base/mem.h"

#define LONG_AGO 1000LL                 /* one second into 1970 */
#define GENEROUS_US 1000000             /* a budget no cycle here runs out of */

static long long next_year(void)
{
    return db_now_ms() + 365LL * 24 * 3600 * 1000;
}

static db_value *str(const char *text)
{
    return db_string_new(text, strlen(text));
}

/* The entry of a key, looked up without expiring it. */
static dict_entry *raw_entry(db *d, const char *key, size_t len)
{
    return dict_find(d->keys, key, len);
}

static dict_entry *set_with_ttl(db *d, const char *key, size_t len, const char *value, long long when)
{
    db_set(d, key, len, str(value));
    dict_entry *e = raw_entry(d, key, len);
    cr_assert_not_null(e);
    db_set_expire(d, e, when);
    return e;
}

static size_t key_of(char *out, size_t room, const char *prefix, int i)
{
    return (size_t)snprintf(out, room, "%s:%d", prefix, i);
}

/* Sets prefix:from .. prefix:to-1, each with the TTL `when`, or none when
 * `when` is DB_NO_EXPIRE. */
static void fill(db *d, const char *prefix, int from, int to, long long when)
{
    char key[32];
    for (int i = from; i < to; i++) {
        size_t len = key_of(key, sizeof(key), prefix, i);
        if (when == DB_NO_EXPIRE)
            db_set(d, key, len, str("v"));
        else
            set_with_ttl(d, key, len, "v", when);
    }
}

/* How many of prefix:from .. prefix:to-1 are not in the keyspace at all
 * (looked up raw, so a dead key that was never deleted still counts as
 * present). */
static int count_absent(db *d, const char *prefix, int from, int to)
{
    char key[32];
    int absent = 0;
    for (int i = from; i < to; i++)
        absent += raw_entry(d, key, key_of(key, sizeof(key), prefix, i)) == NULL;
    return absent;
}

/* ---------------- The on_expired hook ----------------
 *
 * It has no argument for the test, so what it records lives in statics
 * (Criterion runs every test in its own process). */

static db *hooked;                  /* the db whose hook runs */
static int hook_calls;
static char hook_last[64];          /* the last key reported, its first 64 bytes */
static size_t hook_last_len;
static unsigned char *hook_dead;    /* visits per N of "dead:N", when counting */
static int hook_room;               /* size of hook_dead */
static int hook_strangers;          /* reports of keys that are not dead:N, N < hook_room */

static void record_expired(int db_id, const char *key, size_t len)
{
    (void)db_id;
    hook_calls++;
    hook_last_len = len;
    memcpy(hook_last, key, len < sizeof(hook_last) ? len : sizeof(hook_last));
    if (hook_dead == NULL)
        return;
    char copy[32];
    int n = -1;
    if (len > 5 && len < sizeof(copy) && memcmp(key, "dead:", 5) == 0) {
        memcpy(copy, key + 5, len - 5);
        copy[len - 5] = '\0';
        char *end;
        long parsed = strtol(copy, &end, 10);
        if (*end == '\0' && parsed >= 0 && parsed < hook_room)
            n = (int)parsed;
    }
    if (n < 0)
        hook_strangers++;
    else if (hook_dead[n] < 255)
        hook_dead[n]++;
}

/* Installs the hook on d; with room > 0 it also counts reports of
 * dead:0 .. dead:room-1 one by one. */
static void hook_start(db *d, int room)
{
    hooked = d;
    d->on_expired = record_expired;
    hook_calls = hook_strangers = 0;
    hook_last_len = 0;
    hook_room = room;
    hook_dead = NULL;
    if (room > 0) {
        hook_dead = calloc((size_t)room, 1);
        cr_assert_not_null(hook_dead);
    }
}

/* Expects each of dead:0 .. dead:room-1 to have been reported exactly once. */
static void hook_expect_each_dead_once(void)
{
    int never = 0, twice = 0, first_never = -1;
    for (int i = 0; i < hook_room; i++) {
        if (hook_dead[i] == 0 && never++ == 0)
            first_never = i;
        twice += hook_dead[i] > 1;
    }
    cr_expect_eq(never, 0, "%d dead keys were never reported, the first dead:%d", never, first_never);
    cr_expect_eq(twice, 0, "%d dead keys were reported more than once", twice);
    cr_expect_eq(hook_strangers, 0, "%d reports of keys that are not dead", hook_strangers);
}

static void hook_end(void)
{
    free(hook_dead);
    hook_dead = NULL;
    hooked = NULL;
}

/* ---------------- Lazy expiry ---------------- */

Test(expire, a_key_whose_time_has_passed_is_gone_for_get)
{
    db *d = db_create();
    set_with_ttl(d, "k", 1, "v", LONG_AGO);
    cr_expect_eq(db_expires_size(d), 1);
    cr_expect_eq(db_size(d), 1, "nothing is deleted before someone looks");
    cr_expect_null(db_get(d, "k", 1));
    cr_expect_eq(db_size(d), 0, "the lookup deleted it");
    cr_expect_eq(db_expires_size(d), 0, "and its TTL");
    cr_expect_null(db_get(d, "k", 1));
    db_destroy(d);
}

Test(expire, a_key_whose_time_has_passed_is_gone_for_find)
{
    db *d = db_create();
    set_with_ttl(d, "k", 1, "v", LONG_AGO);
    db_set(d, "other", 5, str("w"));
    cr_expect_null(db_find(d, "k", 1));
    cr_expect_eq(db_size(d), 1);
    cr_expect_eq(db_expires_size(d), 0);
    cr_expect_not_null(db_find(d, "other", 5), "a key without a TTL is untouched");
    db_destroy(d);
}

Test(expire, a_key_whose_time_is_to_come_stays_with_its_ttl)
{
    db *d = db_create();
    long long when = next_year();
    set_with_ttl(d, "k", 1, "v", when);
    db_value *v = db_get(d, "k", 1);
    cr_assert_not_null(v);
    cr_expect_eq(db_string_of(v)->len, 1);
    cr_expect_eq(db_string_of(v)->str[0], 'v');
    dict_entry *e = db_find(d, "k", 1);
    cr_assert_not_null(e);
    cr_expect_eq(db_get_expire(d, e), when);
    cr_expect_eq(db_expires_size(d), 1);
    db_destroy(d);
}

Test(expire, a_key_lives_at_exactly_its_time_and_dies_one_ms_later)
{
    db *d = db_create();
    long long when = 1700000000000LL;
    dict_entry *e = set_with_ttl(d, "k", 1, "v", when);
    cr_expect_not(db_expire_if_due(d, e, when - 1));
    cr_expect_not(db_expire_if_due(d, e, when), "at exactly its time the key still lives");
    cr_expect_eq(db_size(d), 1);
    cr_expect_eq(db_get_expire(d, e), when);
    cr_expect(db_expire_if_due(d, e, when + 1));
    cr_expect_eq(db_size(d), 0);
    cr_expect_eq(db_expires_size(d), 0);
    db_destroy(d);
}

Test(expire, is_expired_answers_without_deleting)
{
    db *d = db_create();
    long long when = 1700000000000LL;
    dict_entry *e = set_with_ttl(d, "k", 1, "v", when);
    cr_expect_not(db_is_expired(d, e, when));
    cr_expect(db_is_expired(d, e, when + 1));
    cr_expect_eq(db_size(d), 1, "asking deleted the key");
    cr_expect_eq(db_expires_size(d), 1);
    db_set(d, "plain", 5, str("v"));
    cr_expect_not(db_is_expired(d, raw_entry(d, "plain", 5), 1LL << 62));
    db_destroy(d);
}

/* Deleting a key that is already past its time deletes nothing alive:
 * it reports false, as DEL of a missing key does, and the key counts as
 * expired. */
Test(expire, deleting_a_dead_key_reports_it_expired_not_deleted)
{
    db *d = db_create();
    hook_start(d, 0);
    set_with_ttl(d, "dead", 4, "v", LONG_AGO);
    cr_expect_not(db_delete(d, "dead", 4));
    cr_expect_eq(db_size(d), 0);
    cr_expect_eq(db_expires_size(d), 0);
    cr_expect_eq(hook_calls, 1);
    cr_expect_eq(hook_last_len, 4);
    cr_expect_arr_eq(hook_last, "dead", 4);
    cr_expect_not(db_delete(d, "dead", 4));
    cr_expect_eq(hook_calls, 1);
    hook_end();
    db_destroy(d);
}

Test(expire, a_key_without_a_ttl_never_expires)
{
    db *d = db_create();
    db_set(d, "k", 1, str("v"));
    dict_entry *e = db_find(d, "k", 1);
    cr_assert_not_null(e);
    cr_expect_eq(db_get_expire(d, e), DB_NO_EXPIRE, "with no TTL in the db at all");
    set_with_ttl(d, "other", 5, "w", next_year());
    cr_expect_eq(db_get_expire(d, e), DB_NO_EXPIRE, "with the TTL of another key");
    cr_expect_not(db_expire_if_due(d, e, 1LL << 62), "not even in the far future");
    cr_expect_not_null(db_get(d, "k", 1));
    db_destroy(d);
}

Test(expire, setting_a_ttl_again_replaces_the_old_time)
{
    db *d = db_create();
    dict_entry *e = set_with_ttl(d, "k", 1, "v", LONG_AGO);
    long long when = next_year();
    db_set_expire(d, e, when);
    cr_expect_eq(db_expires_size(d), 1);
    cr_expect_eq(db_get_expire(d, e), when);
    cr_expect_not_null(db_get(d, "k", 1), "the new time is the one that counts");
    db_destroy(d);
}

Test(expire, set_drops_the_ttl_of_the_key_it_replaces)
{
    size_t before = mem_used();
    db *d = db_create();
    set_with_ttl(d, "k", 1, "old", next_year());
    db_set(d, "k", 1, str("new"));
    cr_expect_eq(db_expires_size(d), 0);
    dict_entry *e = db_find(d, "k", 1);
    cr_assert_not_null(e);
    cr_expect_eq(db_get_expire(d, e), DB_NO_EXPIRE);
    cr_expect_eq(db_string_of(e->value)->len, 3);
    cr_expect_arr_eq(db_string_of(e->value)->str, "new", 3);

    /* A dead key nobody has looked at yet: the new value gets a fresh life. */
    set_with_ttl(d, "dead", 4, "old", LONG_AGO);
    db_set(d, "dead", 4, str("alive"));
    cr_expect_eq(db_expires_size(d), 0);
    db_value *v = db_get(d, "dead", 4);
    cr_assert_not_null(v, "the new value expired with the old TTL");
    cr_expect_arr_eq(db_string_of(v)->str, "alive", 5);
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}

Test(expire, overwrite_keeps_the_ttl)
{
    size_t before = mem_used();
    db *d = db_create();
    long long when = next_year();
    set_with_ttl(d, "k", 1, "old", when);
    dict_entry *e = db_find(d, "k", 1);
    cr_assert_not_null(e);
    db_overwrite(d, e, str("new value"));
    cr_expect_eq(db_get_expire(d, e), when);
    cr_expect_eq(db_expires_size(d), 1);
    db_value *v = db_get(d, "k", 1);
    cr_assert_not_null(v);
    cr_expect_arr_eq(db_string_of(v)->str, "new value", 9);

    /* So a key overwritten after its time is still dead. */
    e = set_with_ttl(d, "dead", 4, "old", LONG_AGO);
    db_overwrite(d, e, str("new"));
    cr_expect_null(db_get(d, "dead", 4));
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}

Test(expire, persist_removes_a_ttl_once)
{
    db *d = db_create();
    dict_entry *e = set_with_ttl(d, "k", 1, "v", LONG_AGO);
    cr_expect(db_persist(d, e));
    cr_expect_eq(db_expires_size(d), 0);
    cr_expect_eq(db_get_expire(d, e), DB_NO_EXPIRE);
    cr_expect_not(db_persist(d, e), "a second persist finds no TTL");
    cr_expect_not_null(db_get(d, "k", 1), "without its TTL the key lives on");

    db_set(d, "plain", 5, str("v"));
    e = db_find(d, "plain", 5);
    cr_assert_not_null(e);
    cr_expect_not(db_persist(d, e));
    db_destroy(d);
}

Test(expire, delete_removes_the_ttl_with_the_key)
{
    db *d = db_create();
    set_with_ttl(d, "a", 1, "v", next_year());
    set_with_ttl(d, "b", 1, "v", next_year());
    db_set(d, "c", 1, str("v"));
    cr_expect_eq(db_expires_size(d), 2);
    cr_expect(db_delete(d, "a", 1));
    cr_expect_eq(db_expires_size(d), 1);
    cr_expect(db_delete(d, "c", 1), "a key without a TTL");
    cr_expect_eq(db_expires_size(d), 1);

    db_set(d, "a", 1, str("again"));        /* the old TTL does not come back */
    dict_entry *e = db_find(d, "a", 1);
    cr_assert_not_null(e);
    cr_expect_eq(db_get_expire(d, e), DB_NO_EXPIRE);
    db_destroy(d);
}

Test(expire, flush_clears_keys_and_ttls)
{
    size_t before = mem_used();
    db *d = db_create();
    fill(d, "ttl", 0, 1000, next_year());
    fill(d, "plain", 0, 1000, DB_NO_EXPIRE);
    d->expire_cursor = 12345;
    db_flush(d);
    cr_expect_eq(db_size(d), 0);
    cr_expect_eq(db_expires_size(d), 0);
    cr_expect_eq(d->expire_cursor, 0, "a stale cursor survived the flush");

    dict_entry *e = set_with_ttl(d, "ttl:1", 5, "v", next_year());
    cr_expect_eq(db_expires_size(d), 1);
    cr_expect_neq(db_get_expire(d, e), DB_NO_EXPIRE);
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}

Test(expire, destroy_frees_keys_with_ttls)
{
    size_t before = mem_used();
    db *d = db_create();
    fill(d, "dead", 0, 1500, LONG_AGO);
    fill(d, "later", 0, 1500, next_year());
    fill(d, "plain", 0, 1500, DB_NO_EXPIRE);
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}

Test(expire, the_hook_hears_of_a_lazily_expired_key_once_with_its_bytes)
{
    db *d = db_create();
    hook_start(d, 0);
    const char key[] = "bin\0ary\r\nkey";
    size_t len = sizeof(key) - 1;
    set_with_ttl(d, key, len, "v", LONG_AGO);
    set_with_ttl(d, "later", 5, "v", next_year());
    cr_expect_null(db_get(d, key, len));
    cr_expect_eq(hook_calls, 1);
    cr_expect_eq(hook_last_len, len);
    cr_expect_arr_eq(hook_last, key, len);
    cr_expect_null(db_get(d, key, len));
    cr_expect_null(db_find(d, key, len));
    cr_expect_not_null(db_get(d, "later", 5));
    cr_expect_eq(hook_calls, 1, "a key is reported once, not at every lookup");
    hook_end();
    db_destroy(d);
}

Test(expire, the_hook_hears_of_each_of_many_lazily_expired_keys_once)
{
    db *d = db_create();
    hook_start(d, 2000);
    fill(d, "dead", 0, 2000, LONG_AGO);
    fill(d, "later", 0, 2000, next_year());
    char key[32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 2000; i++)
            cr_expect_null(db_get(d, key, key_of(key, sizeof(key), "dead", i)));
    }
    cr_expect_eq(hook_calls, 2000);
    hook_expect_each_dead_once();
    cr_expect_eq(db_size(d), 2000);
    cr_expect_eq(db_expires_size(d), 2000);
    cr_expect_eq(count_absent(d, "later", 0, 2000), 0);
    hook_end();
    db_destroy(d);
}

Test(expire, delete_expired_reports_the_key_then_deletes_it)
{
    db *d = db_create();
    hook_start(d, 0);
    set_with_ttl(d, "k", 1, "v", next_year());
    db_delete_expired(d, "k", 1);
    cr_expect_eq(hook_calls, 1);
    cr_expect_eq(hook_last_len, 1);
    cr_expect_eq(hook_last[0], 'k');
    cr_expect_eq(db_size(d), 0);
    cr_expect_eq(db_expires_size(d), 0);
    hook_end();
    db_destroy(d);
}

/* ---------------- Active expiry ---------------- */

/* Runs expire_cycle until the TTL table holds `left` entries; returns
 * the number of runs, and adds up what they report. */
static int cycle_until(db *d, size_t left, long long budget_us, int limit, expire_stats *total)
{
    int runs = 0;
    while (db_expires_size(d) > left && runs < limit) {
        expire_stats s = expire_cycle(d, budget_us);
        total->sampled += s.sampled;
        total->expired += s.expired;
        runs++;
    }
    cr_expect_eq(db_expires_size(d), left, "%d runs left %zu TTLs", runs, db_expires_size(d));
    return runs;
}

Test(expire, a_cycle_on_a_db_without_ttls_does_nothing)
{
    db *d = db_create();
    expire_stats s = expire_cycle(d, GENEROUS_US);
    cr_expect_eq(s.sampled, 0);
    cr_expect_eq(s.expired, 0);
    cr_expect_not(s.out_of_time);
    fill(d, "plain", 0, 1000, DB_NO_EXPIRE);
    s = expire_cycle(d, GENEROUS_US);
    cr_expect_eq(s.sampled, 0);
    cr_expect_eq(s.expired, 0);
    cr_expect_not(s.out_of_time);
    cr_expect_eq(db_size(d), 1000);
    db_destroy(d);
}

Test(expire, a_cycle_leaves_keys_whose_time_has_not_come)
{
    db *d = db_create();
    hook_start(d, 0);
    fill(d, "later", 0, 1000, next_year());
    long long sampled = 0;
    for (int i = 0; i < 100; i++) {
        expire_stats s = expire_cycle(d, GENEROUS_US);
        sampled += s.sampled;
        cr_expect_eq(s.expired, 0);
        cr_expect_not(s.out_of_time, "no dead keys, yet run %d ran out of time", i);
    }
    /* About 20 keys a run; a run that reaches the end of a pass stops there. */
    cr_expect_geq(sampled, 1000, "100 runs looked at only %lld keys", sampled);
    cr_expect_eq(hook_calls, 0);
    cr_expect_eq(db_size(d), 1000);
    cr_expect_eq(db_expires_size(d), 1000);
    hook_end();
    db_destroy(d);
}

Test(expire, a_cycle_deletes_a_dead_key_nobody_reads_and_reports_its_bytes)
{
    db *d = db_create();
    hook_start(d, 0);
    const char key[] = "\0nobody\xffreads";
    size_t len = sizeof(key) - 1;
    set_with_ttl(d, key, len, "v", LONG_AGO);
    expire_stats s = expire_cycle(d, GENEROUS_US);
    cr_expect_eq(s.sampled, 1);
    cr_expect_eq(s.expired, 1);
    cr_expect_eq(db_size(d), 0);
    cr_expect_eq(db_expires_size(d), 0);
    cr_expect_eq(hook_calls, 1);
    cr_expect_eq(hook_last_len, len);
    cr_expect_arr_eq(hook_last, key, len);
    hook_end();
    db_destroy(d);
}

/* 10,000 dead keys among 10,000 without a TTL and 1,000 that die next
 * year: runs with time to spare delete the dead, all of them and nothing
 * else. */
Test(expire, repeated_cycles_delete_exactly_the_dead_keys)
{
    size_t before = mem_used();
    db *d = db_create();
    hook_start(d, 10000);
    fill(d, "dead", 0, 10000, LONG_AGO);
    fill(d, "plain", 0, 10000, DB_NO_EXPIRE);
    fill(d, "later", 0, 1000, next_year());
    cr_assert_eq(db_expires_size(d), 11000);

    expire_stats first = expire_cycle(d, GENEROUS_US);
    cr_expect_gt(first.expired, 0);
    cr_expect_not(first.out_of_time);
    cr_expect_leq(first.expired, first.sampled);

    expire_stats total = first;
    int runs = 1 + cycle_until(d, 1000, GENEROUS_US, 100000, &total);
    cr_expect_eq(total.expired, 10000, "%lld reported deleted in %d runs", total.expired, runs);
    cr_expect_geq(total.sampled, 10000);
    cr_expect_eq(hook_calls, 10000);
    hook_expect_each_dead_once();
    cr_expect_eq(count_absent(d, "dead", 0, 10000), 10000);
    cr_expect_eq(count_absent(d, "plain", 0, 10000), 0);
    cr_expect_eq(count_absent(d, "later", 0, 1000), 0);
    cr_expect_eq(db_size(d), 11000);

    int lost_ttls = 0;
    char key[32];
    for (int i = 0; i < 1000; i++) {
        dict_entry *e = raw_entry(d, key, key_of(key, sizeof(key), "later", i));
        lost_ttls += e == NULL || db_get_expire(d, e) == DB_NO_EXPIRE;
    }
    cr_expect_eq(lost_ttls, 0);

    expire_stats after = expire_cycle(d, GENEROUS_US);
    cr_expect_eq(after.expired, 0, "a run after the last dead key deleted %lld", after.expired);
    hook_end();
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}

/* The table of TTLs starts growing at its 1025th key; the cycle walks it
 * while the move to the bigger table is under way. */
Test(expire, cycles_delete_every_dead_key_while_the_ttl_table_grows)
{
    db *d = db_create();
    hook_start(d, 1025);
    fill(d, "dead", 0, 1025, LONG_AGO);
    cr_assert(dict_is_rehashing(d->expires));
    expire_stats total = {0, 0, false};
    cycle_until(d, 0, GENEROUS_US, 10000, &total);
    cr_expect_eq(total.expired, 1025);
    cr_expect_eq(hook_calls, 1025);
    hook_expect_each_dead_once();
    cr_expect_eq(db_size(d), 0);
    hook_end();
    db_destroy(d);
}

/* 200,000 dead keys and a budget of one microsecond: a run stops after a
 * batch or two and says so; it takes thousands of runs to get them all. */
Test(expire, a_cycle_with_a_tiny_budget_stops_early_and_later_cycles_finish)
{
    int count = 200000;
    size_t before = mem_used();
    db *d = db_create();
    hook_start(d, count);
    fill(d, "dead", 0, count, LONG_AGO);

    expire_stats first = expire_cycle(d, 1);
    cr_expect(first.out_of_time, "a 1 us run with 200000 dead keys did not run out of time");
    cr_expect_gt(first.expired, 0);
    cr_expect_lt(first.expired, count / 10, "one 1 us run deleted %lld keys", first.expired);
    cr_expect_eq(db_size(d), (size_t)(count - first.expired));

    expire_stats total = first;
    int runs = 1 + cycle_until(d, 0, 1, 1000000, &total);
    cr_expect_gt(runs, 100, "all gone in %d runs", runs);
    cr_expect_eq(total.expired, count);
    cr_expect_eq(hook_calls, count);
    hook_expect_each_dead_once();
    cr_expect_eq(db_size(d), 0);
    hook_end();

    /* The cycle never shrinks the table it walks; the cron's
     * db_maybe_shrink gives the buckets back. */
    for (int round = 0; round < 2; round++) {    /* a shrink already running may stop short */
        db_maybe_shrink(d);
        while (db_is_rehashing(d))
            db_rehash_steps(d, 1000);
    }
    cr_expect_leq(d->expires->tables[0].size, 4, "%zu buckets for no TTLs", d->expires->tables[0].size);
    cr_expect_leq(d->keys->tables[0].size, 4, "%zu buckets for no keys", d->keys->tables[0].size);
    db_destroy(d);
    cr_expect_eq(mem_used(), before, "%zu bytes leaked", mem_used() - before);
}

/* After a cycle deleted some dead keys, a lookup of the rest still finds
 * them dead, and the two kinds of expiry report each key once between
 * them. */
Test(expire, lazy_and_active_expiry_together_report_each_key_once)
{
    db *d = db_create();
    hook_start(d, 5000);
    fill(d, "dead", 0, 5000, LONG_AGO);
    fill(d, "plain", 0, 5000, DB_NO_EXPIRE);
    for (int i = 0; i < 20; i++)
        expire_cycle(d, 1);
    cr_assert_gt(db_expires_size(d), 0, "the cycles left nothing for the lookups");
    char key[32];
    for (int i = 0; i < 5000; i++)
        cr_expect_null(db_get(d, key, key_of(key, sizeof(key), "dead", i)));
    cr_expect_eq(hook_calls, 5000);
    hook_expect_each_dead_once();
    cr_expect_eq(db_size(d), 5000);
    cr_expect_eq(db_expires_size(d), 0);
    hook_end();
    db_destroy(d);
}
