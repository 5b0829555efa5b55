/* evict: maxmemory, the eviction pool and the policies (Part II, memory
 * limit). See evict.h. */
#include "server/evict.h"

#include <string.h>

#include "base/log.h"
#include "base/mem.h"
#include "data/access.h"
#include "data/db.h"
#include "data/dict.h"
#include "persist/aof.h"
#include "server/command.h"
#include "server/notify.h"
#include "server/outbox.h"
#include "server/reply.h"

#define EVICT_POOL_SIZE 16
#define EVICT_SAMPLES_MAX 64    /* per dict_sample() call; more samples take several */

/* A candidate: the key (a copy: the pool outlives the entry it was
 * sampled from), its database, and how evictable it is. The pool is
 * sorted by score, best candidate last. */
typedef struct evict_candidate {
    unsigned long long score;
    int db_id;
    size_t len;
    char *key;          /* NULL: an empty slot */
} evict_candidate;

static evict_candidate evict_pool[EVICT_POOL_SIZE];
static evict_settings evict_set = {0, EVICT_NOEVICTION, 5, 10, 1};
static db **evict_dbs;
static int evict_db_count;
static long long evict_total;
static int evict_next_db;       /* where the random policies look next */

long long evict_count(void)
{
    return evict_total;
}

void evict_reset_stats(void)
{
    evict_total = 0;
}

void evict_init(db **dbs, int db_count)
{
    evict_dbs = dbs;
    evict_db_count = db_count;
}

static bool evict_is_volatile(void)
{
    return evict_set.policy <= EVICT_VOLATILE_TTL;
}

static bool evict_is_lfu(void)
{
    return evict_set.policy == EVICT_VOLATILE_LFU || evict_set.policy == EVICT_ALLKEYS_LFU;
}

/* Values keep LRU times or LFU counters, as the policy needs. Without a
 * limit the dispatcher does not even ask (the common case costs nothing). */
void evict_configure(const evict_settings *settings)
{
    evict_set = *settings;
    access_use_lfu(evict_is_lfu(), evict_set.lfu_log_factor, evict_set.lfu_decay_time);
    command_set_memory_guard(evict_set.maxmemory > 0 ? evict_refusal : NULL);
}

/* ---------------- The pool ---------------- */

static void evict_pool_take(int i)
{
    mem_free(evict_pool[i].key);
    memmove(&evict_pool[1], &evict_pool[0], sizeof(evict_pool[0]) * (size_t)i);
    evict_pool[0].key = NULL;
}

void evict_free_pool(void)
{
    for (int i = 0; i < EVICT_POOL_SIZE; i++) {
        mem_free(evict_pool[i].key);
        evict_pool[i].key = NULL;
    }
}

static bool evict_pool_has(int db_id, const char *key, size_t len)
{
    for (int i = 0; i < EVICT_POOL_SIZE; i++) {
        const evict_candidate *p = &evict_pool[i];
        if (p->key != NULL && p->db_id == db_id && p->len == len && memcmp(p->key, key, len) == 0)
            return true;
    }
    return false;
}

/* Insert in score order, dropping the worst candidate when full: the slots
 * below `at` shift left, so the best stay at the end. */
static void evict_pool_insert(unsigned long long score, int db_id, const char *key, size_t len)
{
    int at = 0;
    while (at < EVICT_POOL_SIZE && (evict_pool[at].key == NULL || evict_pool[at].score < score))
        at++;
    if (at == 0)
        return;         /* full of better candidates */
    at--;
    mem_free(evict_pool[0].key);
    memmove(&evict_pool[0], &evict_pool[1], sizeof(evict_pool[0]) * (size_t)at);
    evict_pool[at] = (evict_candidate){score, db_id, len, mem_strndup(key, len)};
}

static unsigned long long evict_score(db *d, dict_entry *sampled)
{
    if (evict_set.policy == EVICT_VOLATILE_TTL)
        return ~0ULL - (unsigned long long)sampled->integer;   /* sooner: higher */
    db_value *v = sampled->value;
    if (evict_is_volatile()) {
        dict_entry *e = dict_find(d->keys, sampled->key, sampled->keylen);
        if (e == NULL)
            return 0;
        v = e->value;
    }
    return access_idle_score(v->access);
}

/* Sample one database into the pool. */
static void evict_sample(db *d)
{
    dict *from = evict_is_volatile() ? d->expires : d->keys;
    if (dict_size(from) == 0)
        return;
    dict_entry *some[EVICT_SAMPLES_MAX];
    long long wanted = evict_set.samples;
    while (wanted > 0) {
        size_t n = dict_sample(from, some, wanted < EVICT_SAMPLES_MAX ? (size_t)wanted : EVICT_SAMPLES_MAX);
        for (size_t i = 0; i < n; i++) {
            if (evict_pool_has(d->id, some[i]->key, some[i]->keylen))
                continue;
            evict_pool_insert(evict_score(d, some[i]), d->id, some[i]->key, some[i]->keylen);
        }
        wanted -= EVICT_SAMPLES_MAX;
    }
}

static size_t evict_candidate_keys(void)
{
    size_t n = 0;
    for (int i = 0; i < evict_db_count; i++)
        n += evict_is_volatile() ? db_expires_size(evict_dbs[i]) : db_size(evict_dbs[i]);
    return n;
}

/* The best candidate that still exists, taken out of the pool. Keys may
 * have gone since they were sampled (deleted, expired), so each is
 * checked; if none is left, sample again. */
static bool evict_pick_from_pool(int *db_id, char **key, size_t *len)
{
    while (evict_candidate_keys() > 0) {
        for (int i = 0; i < evict_db_count; i++)
            evict_sample(evict_dbs[i]);
        for (int i = EVICT_POOL_SIZE - 1; i >= 0; i--) {
            evict_candidate *p = &evict_pool[i];
            if (p->key == NULL)
                continue;
            db *d = evict_dbs[p->db_id];
            dict *from = evict_is_volatile() ? d->expires : d->keys;
            bool alive = dict_find(from, p->key, p->len) != NULL;
            if (alive) {
                *db_id = p->db_id;
                *len = p->len;
                *key = mem_strndup(p->key, p->len);
            }
            evict_pool_take(i);
            if (alive)
                return true;
        }
    }
    return false;
}

/* The random policies: any key, from each database in turn. */
static bool evict_pick_random(int *db_id, char **key, size_t *len)
{
    for (int tries = 0; tries < evict_db_count; tries++) {
        db *d = evict_dbs[evict_next_db];
        evict_next_db = (evict_next_db + 1) % evict_db_count;
        dict_entry *e = dict_random_entry(evict_is_volatile() ? d->expires : d->keys);
        if (e != NULL) {
            *db_id = d->id;
            *len = e->keylen;
            *key = mem_strndup(e->key, e->keylen);
            return true;
        }
    }
    return false;
}

/* ---------------- Evicting ---------------- */

/* A key evicted is logged as DEL (stage 5) and, when asked for, is an
 * "evicted" keyspace event (Part II). `used_after` is the memory in use
 * right after the deletion, before the record and the event take some. */
static void evict_key(int db_id, const char *key, size_t len, size_t *used_after)
{
    db *d = evict_dbs[db_id];
    bool deleted = db_delete(d, key, len);     /* false: it had expired, and is gone as such */
    *used_after = mem_used();
    if (!deleted)
        return;
    evict_total++;
    notify_keyspace_event(NOTIFY_EVICTED, "evicted", key, len, db_id);
    const char *argv[] = {"DEL", key};
    size_t argvlen[] = {3, len};
    command_log(db_id, 2, argv, argvlen);
}

/* One key, chosen by the policy; false if there is none to evict. `freed`
 * is what choosing and deleting it gave back, net of the pool's own
 * bookkeeping, so that a pass ends under the limit. */
static bool evict_one(size_t *freed)
{
    size_t before = mem_used(), after;
    int db_id = 0;
    char *key = NULL;
    size_t len = 0;
    bool random = evict_set.policy == EVICT_ALLKEYS_RANDOM || evict_set.policy == EVICT_VOLATILE_RANDOM;
    if (!(random ? evict_pick_random(&db_id, &key, &len) : evict_pick_from_pool(&db_id, &key, &len)))
        return false;
    evict_key(db_id, key, len, &after);
    mem_free(key);
    *freed = before > after ? before - after : 0;
    return true;
}

/* What counts against the limit: not the AOF's buffers, which shrink by
 * themselves once written, and whose growth during a rewrite would
 * otherwise evict keys for nothing; nor the bytes in transit to another
 * thread's clients (Part II), which Redis, on one thread, never has: the
 * "evicted" events of one pass would make the next command evict again,
 * before their threads could send them. */
static size_t evict_used(void)
{
    size_t used = mem_used(), aside = aof_buffered_bytes() + outbox_pending_bytes();
    return used > aside ? used - aside : 0;
}

/* How much to free is measured once, and each key counts for what its
 * deletion gave back, as in Redis's performEvictions(). Measuring again
 * after each key would count the "evicted" messages waiting in the
 * subscribers' buffers, and chase them: with a few subscribers, every key
 * went. What those buffers still hold is seen by the next command. */
const char *evict_refusal(void)
{
    size_t used = evict_used();
    if (evict_set.maxmemory == 0 || used <= (size_t)evict_set.maxmemory)
        return NULL;
    if (evict_set.policy == EVICT_NOEVICTION)
        return REPLY_ERR_OOM;
    size_t to_free = used - (size_t)evict_set.maxmemory, freed = 0;
    while (freed < to_free) {
        size_t gave;
        if (!evict_one(&gave))
            return REPLY_ERR_OOM;
        freed += gave;
    }
    return NULL;
}

/* All at once, under the lock: a limit set far below the data stalls every
 * client until it is done (878 ms for 300,000 keys here). Redis evicts for
 * a bounded time and goes on from a timer; here the simpler loop stays. */
void evict_on_new_limit(void)
{
    if (evict_dbs == NULL || evict_set.maxmemory == 0)
        return;
    size_t used = evict_used();
    if (used > (size_t)evict_set.maxmemory)
        log_write(LOG_WARNING,
                  "WARNING: the new maxmemory value set via CONFIG SET (%lld) is smaller than the current memory "
                  "usage (%zu). This will result in key eviction and/or the inability to accept new write "
                  "commands depending on the maxmemory-policy.",
                  evict_set.maxmemory, used);
    (void)evict_refusal();
}

const char *evict_policy_name(void)
{
    static const char *const names[] = {
        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
        "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction",
    };
    return names[evict_set.policy];
}
