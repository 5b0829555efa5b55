/* evict: maxmemory and its policies (Part II, memory limit).
 *
 * With `maxmemory` set, before every command the server checks the memory
 * it uses (mem_used(), which is malloc's own count of what it handed out,
 * less the append-only file's buffers, as Redis leaves them out too) and,
 * while it is over the limit, deletes keys chosen by `maxmemory-policy`:
 *
 *   allkeys-lru / volatile-lru    the least recently used
 *   allkeys-lfu / volatile-lfu    the least frequently used
 *   allkeys-random / volatile-random   any
 *   volatile-ttl                  the nearest to expiring
 *   noeviction                    none: commands that would use more
 *                                 memory are refused with -OOM
 *
 * (volatile-: only keys with a time to live.) Like Redis, it does not
 * keep the keys in an exact order of use, which would cost two pointers
 * per key and a list update on every read: it samples maxmemory-samples
 * keys per database and keeps the best candidates seen so far in a small
 * pool, sorted, from which the worst key is evicted. With 5 samples this
 * is close to a true LRU, and with 10 very close.
 *
 * An eviction is a deletion like any other: WATCH sees it, the AOF logs
 * it as a DEL, INFO counts it in evicted_keys. */
#ifndef EVICT_H
#define EVICT_H

#include <stdbool.h>

#include "data/db.h"

enum evict_policy {
    EVICT_VOLATILE_LRU,
    EVICT_VOLATILE_LFU,
    EVICT_VOLATILE_RANDOM,
    EVICT_VOLATILE_TTL,
    EVICT_ALLKEYS_LRU,
    EVICT_ALLKEYS_LFU,
    EVICT_ALLKEYS_RANDOM,
    EVICT_NOEVICTION,
};

/* The databases to evict from, once at start. */
void evict_init(db **dbs, int db_count);

/* The parameters, at start and after each CONFIG SET of one of them
 * (which also tells the dispatcher whether to call evict_refusal()):
 * maxmemory (0: no limit), maxmemory-policy (enum evict_policy),
 * maxmemory-samples, lfu-log-factor and lfu-decay-time. */
typedef struct evict_settings {
    long long maxmemory;
    int policy;
    long long samples;
    long long lfu_log_factor;
    long long lfu_decay_time;
} evict_settings;
void evict_configure(const evict_settings *settings);

/* Before a command: evict while over maxmemory. NULL when memory fits
 * (or there is no limit); the -OOM text when it still does not, which
 * the dispatcher sends to commands that could use more memory. */
const char *evict_refusal(void);

/* After CONFIG SET maxmemory: evict down to the new limit at once, as
 * Redis does, not at the next command (whose client may never come). */
void evict_on_new_limit(void);

long long evict_count(void);            /* INFO's evicted_keys */
void evict_reset_stats(void);
const char *evict_policy_name(void);
void evict_free_pool(void);

#endif
