/* access: LRU time or LFU counter in each value's header (Part II, memory
 * limit). See access.h. */
#include "data/access.h"

#include <stdlib.h>

#define ACCESS_CLOCK_MAX ((1u << 24) - 1)   /* 24 bits of seconds */
#define ACCESS_MINUTES_MAX 65535u           /* 16 bits of minutes */

/* The clock in the two units the header keeps, worked out once per cron
 * tick rather than on every lookup. */
static uint32_t access_now_seconds, access_now_minutes;
static bool access_lfu;
static long long access_log_factor = 10;
static long long access_decay_minutes = 1;

void access_set_clock(long long now_ms)
{
    access_now_seconds = (uint32_t)((now_ms / 1000) & ACCESS_CLOCK_MAX);
    access_now_minutes = (uint32_t)((now_ms / 60000) & ACCESS_MINUTES_MAX);
}

void access_use_lfu(bool lfu, long long log_factor, long long decay_minutes)
{
    access_lfu = lfu;
    access_log_factor = log_factor;
    access_decay_minutes = decay_minutes;
}

bool access_is_lfu(void)
{
    return access_lfu;
}

static uint32_t access_seconds(void)
{
    return access_now_seconds;
}

static uint32_t access_minutes(void)
{
    return access_now_minutes;
}

static uint32_t access_lfu_pack(uint32_t minutes, uint32_t counter)
{
    return (minutes << 8) | counter;
}

uint32_t access_new(void)
{
    return access_lfu ? access_lfu_pack(access_minutes(), ACCESS_LFU_INIT) : access_seconds();
}

/* Minutes since the counter last decayed, across one wrap of 16 bits. */
static uint32_t access_minutes_since(uint32_t then)
{
    uint32_t now = access_minutes();
    return now >= then ? now - then : ACCESS_MINUTES_MAX - then + now;
}

int access_frequency(uint32_t access)
{
    uint32_t counter = access & 255;
    if (access_decay_minutes <= 0)
        return (int)counter;
    uint32_t periods = access_minutes_since(access >> 8) / (uint32_t)access_decay_minutes;
    return periods > counter ? 0 : (int)(counter - periods);
}

/* The logarithmic increment: the higher the counter, the less likely one
 * more access moves it. rand() is enough: this only needs to be fair on
 * average, and runs under the server lock. */
static uint32_t access_lfu_increment(uint32_t counter)
{
    if (counter == 255)
        return 255;
    double base = counter > ACCESS_LFU_INIT ? counter - ACCESS_LFU_INIT : 0;
    double p = 1.0 / (base * (double)access_log_factor + 1);
    return (double)rand() / RAND_MAX < p ? counter + 1 : counter;
}

uint32_t access_used(uint32_t access)
{
    if (!access_lfu)
        return access_seconds();
    uint32_t counter = access_lfu_increment((uint32_t)access_frequency(access));
    return access_lfu_pack(access_minutes(), counter);
}

unsigned long long access_idle_ms(uint32_t access)
{
    uint32_t now = access_seconds();
    uint32_t seconds = now >= access ? now - access : ACCESS_CLOCK_MAX - access + now;
    return (unsigned long long)seconds * 1000;
}

unsigned long long access_idle_score(uint32_t access)
{
    if (access_lfu)
        return 255 - (unsigned long long)access_frequency(access);
    return access_idle_ms(access);
}
