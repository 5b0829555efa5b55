/* expire: the active expiry cycle (stage 3).
 *
 * The cycle walks the table of keys with a TTL (db->expires) with a
 * resumable cursor, a few buckets at a time, so each run starts where the
 * last one stopped and every key is eventually looked at. After each batch
 * it asks: were more than a quarter of the keys sampled dead? If so there
 * is probably a lot more garbage, and it goes on; if not, the rest can wait
 * for the next run. A time budget, checked after every batch, caps how
 * long any one run keeps other clients waiting. */
#include "data/expire.h"

#include <time.h>

#define EXPIRE_KEYS_PER_BATCH 20        /* Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP */
#define EXPIRE_BUCKETS_PER_BATCH 400    /* bounds a batch in a sparse table */
#define EXPIRE_REHASH_STEPS 100         /* see expire_cycle() */
#define EXPIRE_GOOD_ENOUGH_PERCENT 25   /* stop when fewer were dead */

typedef struct expire_batch {
    db *d;
    long long now;
    long long sampled, expired;
} expire_batch;

static long long expire_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Called for each entry of db->expires in the buckets scanned. */
static void expire_visit(void *data, dict_entry *x)
{
    expire_batch *b = data;
    b->sampled++;
    if (b->now <= x->integer)
        return;
    db_delete_expired(b->d, x->key, x->keylen);
    b->expired++;
}

/* Scan buckets until about EXPIRE_KEYS_PER_BATCH keys have been looked at. */
static void expire_run_batch(expire_batch *b)
{
    db *d = b->d;
    for (int buckets = 0; buckets < EXPIRE_BUCKETS_PER_BATCH; buckets++) {
        if (b->sampled >= EXPIRE_KEYS_PER_BATCH || db_expires_size(d) == 0)
            break;
        d->expire_cursor = dict_scan(d->expires, d->expire_cursor, expire_visit, b);
        if (d->expire_cursor == 0)
            break;          /* a whole pass is done: let the next run start another */
    }
}

expire_stats expire_cycle(db *d, long long budget_us)
{
    expire_stats stats = {0, 0, false};
    long long start = expire_now_us();
    for (;;) {
        /* While the table of TTLs is being resized, one scan step must
         * cover a bucket of the small table and all the buckets of the big
         * one it maps to: after a mass expiry shrinks the table a
         * thousandfold, that is a thousand buckets per step. Helping the
         * resize finish first keeps every step small. */
        dict_rehash_steps(d->expires, EXPIRE_REHASH_STEPS);
        expire_batch b = {d, db_now_ms(), 0, 0};
        expire_run_batch(&b);
        stats.sampled += b.sampled;
        stats.expired += b.expired;
        if (b.sampled == 0 || b.expired * 100 <= b.sampled * EXPIRE_GOOD_ENOUGH_PERCENT)
            break;
        if (expire_now_us() - start > budget_us) {
            stats.out_of_time = true;
            break;
        }
    }
    return stats;
}
