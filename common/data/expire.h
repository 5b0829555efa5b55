/* expire: the active expiry cycle (stage 3).
 *
 * Lookups delete expired keys they meet (db.c), but a key nobody reads
 * again would stay in memory forever. So ten times a second the server
 * calls expire_cycle(), which samples keys that have a TTL, deletes the
 * dead ones and keeps going while many of them were dead, until its time
 * budget runs out, exactly the bargain Redis's activeExpireCycle makes:
 * memory comes back, and no client ever waits long behind the cycle.
 *
 *     expire_cycle(server.db, 25000);     // at most ~25 ms of work
 */
#ifndef EXPIRE_H
#define EXPIRE_H

#include <stdbool.h>

#include "data/db.h"

typedef struct expire_stats {
    long long sampled;      /* keys with a TTL looked at */
    long long expired;      /* of those, deleted */
    bool out_of_time;       /* stopped by the budget with work left */
} expire_stats;

expire_stats expire_cycle(db *d, long long budget_us);

#endif
