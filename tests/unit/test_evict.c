/* Unit tests of evict: maxmemory, the policies and the eviction pool
 * (Part II, memory limit).
 *
 * The memory eviction reads is mem_used(), which counts only what went
 * through base/mem.h: in a test process that is the keyspace built here,
 * so a limit of "what is used now, less 40 KB" makes eviction free about
 * 40 KB, deterministically. Times are set by hand with access_set_clock(),
 * so that "old" keys really are older than "new" ones. Each test builds
 * its own two databases. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "data/access.h"
#include "data/db.h"
#include "server/command.h"
#include "server/evict.h"
#include "server/reply.h"

#define T0 1700000000000LL     /* some Unix time in ms */
#define VALUE_BYTES 1000

static db *dbs[2];
static int logged_dels;

static void log_record(int db_id, int argc, const char **argv, const size_t *argvlen)
{
    (void)db_id;
    if (argc == 2 && argvlen[0] == 3 && memcmp(argv[0], "DEL", 3) == 0)
        logged_dels++;
}

static void setup(void)
{
    for (int i = 0; i < 2; i++) {
        dbs[i] = db_create();
        dbs[i]->id = i;
    }
    evict_init(dbs, 2);
    access_set_clock(T0);
    logged_dels = 0;
    command_set_propagate(log_record);
}

static void teardown(void)
{
    command_set_propagate(NULL);
    evict_free_pool();
    for (int i = 0; i < 2; i++)
        db_destroy(dbs[i]);
}

static void configure(long long maxmemory, enum evict_policy policy, long long samples)
{
    evict_settings s = {maxmemory, policy, samples, 10, 1};
    evict_configure(&s);
}

static void put(db *d, const char *prefix, int i, long long expire_at)
{
    char key[64], value[VALUE_BYTES];
    int len = snprintf(key, sizeof(key), "%s:%d", prefix, i);
    memset(value, 'v', sizeof(value));
    dict_entry *e = db_set(d, key, (size_t)len, db_string_new(value, sizeof(value)));
    if (expire_at != DB_NO_EXPIRE)
        db_set_expire(d, e, expire_at);
}

static int count(db *d, const char *prefix, int n)
{
    int found = 0;
    for (int i = 0; i < n; i++) {
        char key[64];
        int len = snprintf(key, sizeof(key), "%s:%d", prefix, i);
        found += dict_find(d->keys, key, (size_t)len) != NULL;
    }
    return found;
}

TestSuite(evict, .init = setup, .fini = teardown);

Test(evict, no_limit_evicts_nothing)
{
    for (int i = 0; i < 50; i++)
        put(dbs[0], "k", i, DB_NO_EXPIRE);
    configure(0, EVICT_ALLKEYS_LRU, 5);
    cr_expect_null(evict_refusal());
    cr_expect_eq(db_size(dbs[0]), 50);
}

Test(evict, noeviction_refuses_and_keeps_every_key)
{
    for (int i = 0; i < 50; i++)
        put(dbs[0], "k", i, DB_NO_EXPIRE);
    configure((long long)mem_used() - 10000, EVICT_NOEVICTION, 5);
    const char *why = evict_refusal();
    cr_assert_not_null(why, "over the limit under noeviction: the OOM error");
    cr_expect_str_eq(why, REPLY_ERR_OOM);
    cr_expect_eq(db_size(dbs[0]), 50, "noeviction deleted keys");
}

Test(evict, allkeys_lru_takes_the_idle_keys_and_stops_once_under)
{
    for (int i = 0; i < 100; i++)
        put(dbs[0], "old", i, DB_NO_EXPIRE);
    access_set_clock(T0 + 10000);
    for (int i = 0; i < 100; i++)
        put(dbs[1], "new", i, DB_NO_EXPIRE);
    long long limit = (long long)mem_used() - 40000;
    configure(limit, EVICT_ALLKEYS_LRU, 64);
    cr_expect_null(evict_refusal(), "eviction could not get under the limit");
    cr_expect_leq((long long)mem_used(), limit);
    cr_expect_eq(count(dbs[1], "new", 100), 100, "a key used 10 s after the others was evicted first");
    int old = count(dbs[0], "old", 100);
    cr_expect(old < 100 && old > 50, "%d of 100 old keys left: about 40 should go, no more", old);
    cr_expect_eq(evict_count(), 100 - old);
    cr_expect_eq(logged_dels, 100 - old, "each eviction is logged as a DEL");
}

Test(evict, a_key_read_recently_is_spared_by_lru)
{
    for (int i = 0; i < 100; i++)
        put(dbs[0], "k", i, DB_NO_EXPIRE);
    access_set_clock(T0 + 5000);
    for (int i = 0; i < 100; i += 2) {
        char key[16];
        int len = snprintf(key, sizeof(key), "k:%d", i);
        db_find(dbs[0], key, (size_t)len);      /* a use: a fresh LRU time */
    }
    configure((long long)mem_used() - 30000, EVICT_ALLKEYS_LRU, 64);
    cr_expect_null(evict_refusal());
    for (int i = 0; i < 100; i += 2) {
        char key[16];
        int len = snprintf(key, sizeof(key), "k:%d", i);
        cr_expect_not_null(dict_find(dbs[0]->keys, key, (size_t)len), "%s was read last and evicted", key);
    }
}

Test(evict, volatile_ttl_goes_by_deadline_and_spares_keys_without_one)
{
    for (int i = 0; i < 60; i++) {
        put(dbs[0], "soon", i, T0 + 1000 + i);
        put(dbs[0], "late", i, T0 + 1000000 + i);
        put(dbs[0], "forever", i, DB_NO_EXPIRE);
    }
    configure((long long)mem_used() - 30000, EVICT_VOLATILE_TTL, 64);
    cr_expect_null(evict_refusal());
    cr_expect_eq(count(dbs[0], "forever", 60), 60, "volatile-ttl evicted a key without a TTL");
    cr_expect_eq(count(dbs[0], "late", 60), 60, "a far deadline went before a near one");
    cr_expect_lt(count(dbs[0], "soon", 60), 60);
}

Test(evict, volatile_lru_without_volatile_keys_refuses)
{
    for (int i = 0; i < 50; i++)
        put(dbs[0], "k", i, DB_NO_EXPIRE);
    configure((long long)mem_used() - 10000, EVICT_VOLATILE_LRU, 5);
    cr_expect_str_eq(evict_refusal(), REPLY_ERR_OOM);
    cr_expect_eq(db_size(dbs[0]), 50);
}

Test(evict, allkeys_random_and_lfu_get_under_the_limit_from_every_database)
{
    enum evict_policy policies[] = {EVICT_ALLKEYS_RANDOM, EVICT_ALLKEYS_LFU, EVICT_VOLATILE_RANDOM,
                                    EVICT_VOLATILE_LFU};
    for (size_t p = 0; p < sizeof(policies) / sizeof(policies[0]); p++) {
        for (int i = 0; i < 100; i++) {
            put(dbs[0], "a", i, T0 + 100000);
            put(dbs[1], "b", i, T0 + 100000);
        }
        long long limit = (long long)mem_used() - 50000;
        configure(limit, policies[p], 5);
        cr_expect_null(evict_refusal(), "policy %zu could not get under the limit", p);
        cr_expect_leq((long long)mem_used(), limit);
        db_flush(dbs[0]);
        db_flush(dbs[1]);
        configure(0, EVICT_NOEVICTION, 5);
    }
}

static int touched;

static void count_touch(db *d, const char *key, size_t len)
{
    (void)d, (void)key, (void)len;
    touched++;
}

Test(evict, an_eviction_is_a_change_watch_sees)
{
    put(dbs[0], "only", 0, DB_NO_EXPIRE);
    db_set_touch_hooks(count_touch, NULL);
    touched = 0;
    configure(1, EVICT_ALLKEYS_LRU, 5);
    cr_expect_str_eq(evict_refusal(), REPLY_ERR_OOM, "nothing left to evict and still over: OOM");
    cr_expect_eq(db_size(dbs[0]), 0);
    cr_expect_eq(touched, 1, "the touch hook heard of %d evictions, not 1", touched);
    db_set_touch_hooks(NULL, NULL);
}
