/* access: when a value was last used, and how often (Part II, memory
 * limit).
 *
 * Eviction (server/evict.c) needs to know which keys matter least. Every
 * value's header (db_value in data/db.h) has 24 bits for it, `access`,
 * filled in one of two ways, as in Redis:
 *
 *   LRU: the time of the last access, in seconds, modulo 2^24 (194 days);
 *        idle time = now - then (across one wrap-around).
 *   LFU: 16 bits of the time in minutes of the last decrement, and an
 *        8-bit counter that grows logarithmically: each access increments
 *        it with probability 1 / ((counter - 5) * lfu_log_factor + 1), so
 *        255 means about a million accesses at the default factor 10; and
 *        it loses one point per lfu_decay_time minutes without access.
 *
 * The clock is a cached value that the server's cron sets ten times a
 * second (access_set_clock), so an access costs no system call. These
 * functions take and return the 24 bits; db.c stores them.
 *
 *     v->access = access_new();               // a new value: now, or LFU's 5
 *     v->access = access_used(v->access);     // every lookup by a command
 *     unsigned long long s = access_idle_score(v->access);  // higher: evict first
 */
#ifndef ACCESS_H
#define ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#define ACCESS_LFU_INIT 5       /* a new key's counter: not evicted at once */

void access_set_clock(long long now_ms);
void access_use_lfu(bool lfu, long long log_factor, long long decay_minutes);
bool access_is_lfu(void);

uint32_t access_new(void);
uint32_t access_used(uint32_t access);

unsigned long long access_idle_ms(uint32_t access);    /* LRU: OBJECT IDLETIME (in ms) */
int access_frequency(uint32_t access);                 /* LFU: the decayed counter, OBJECT FREQ */

/* What eviction sorts keys by, under the current mode: the idle time
 * (LRU), or 255 minus the decayed counter (LFU). Higher goes first. */
unsigned long long access_idle_score(uint32_t access);

#endif
