/* notify: keyspace notifications (Part II, keyspace notifications). See
 * notify.h. */
#include "server/notify.h"

#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "server/pubsub.h"

/* Redis's letters, in the order CONFIG GET prints them: the classes,
 * then K E m. "A" stands for the classes g..d when they are all on, so
 * it comes first and they are then skipped, and so is n: Redis 7.0
 * prints it only without "A" ("KEAn" reads back as "AKE", n still on). */
static const struct {
    char letter;
    int flag;
} notify_letters[] = {
    {'g', NOTIFY_GENERIC}, {'$', NOTIFY_STRING}, {'l', NOTIFY_LIST}, {'s', NOTIFY_SET},
    {'h', NOTIFY_HASH}, {'z', NOTIFY_ZSET}, {'x', NOTIFY_EXPIRED}, {'e', NOTIFY_EVICTED},
    {'t', NOTIFY_STREAM}, {'d', NOTIFY_MODULE}, {'n', NOTIFY_NEW},
    {'K', NOTIFY_KEYSPACE}, {'E', NOTIFY_KEYEVENT}, {'m', NOTIFY_KEY_MISS},
};
#define NOTIFY_LETTERS (sizeof(notify_letters) / sizeof(notify_letters[0]))

static int notify_flags;    /* a copy of notify-keyspace-events, set by config.c */

void notify_set_flags(int flags)
{
    notify_flags = flags;
}

int notify_flags_parse(const char *letters, size_t len)
{
    int flags = 0;
    for (size_t i = 0; i < len; i++) {
        if (letters[i] == 'A') {
            flags |= NOTIFY_ALL;
            continue;
        }
        size_t j = 0;
        while (j < NOTIFY_LETTERS && notify_letters[j].letter != letters[i])
            j++;
        if (j == NOTIFY_LETTERS)
            return -1;
        flags |= notify_letters[j].flag;
    }
    return flags;
}

size_t notify_flags_format(int flags, char *out, size_t size)
{
    size_t n = 0;
    int rest = flags;
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        if (n + 1 < size)
            out[n++] = 'A';
        rest &= ~(NOTIFY_ALL | NOTIFY_NEW);
    }
    for (size_t j = 0; j < NOTIFY_LETTERS; j++) {
        if ((rest & notify_letters[j].flag) && n + 1 < size)
            out[n++] = notify_letters[j].letter;
    }
    out[n] = '\0';
    return n;
}

/* "__keyspace@<db>__:" + a key or an event name. */
static void notify_publish(const char *prefix, int db_id, const char *name, size_t len, const char *message,
                           size_t mlen)
{
    char head[64];
    int hlen = snprintf(head, sizeof(head), "__%s@%d__:", prefix, db_id);
    char small[256];
    char *channel = (size_t)hlen + len <= sizeof(small) ? small : mem_alloc((size_t)hlen + len);
    memcpy(channel, head, (size_t)hlen);
    memcpy(channel + hlen, name, len);
    pubsub_publish(PUBSUB_CHANNEL, channel, (size_t)hlen + len, message, mlen);
    if (channel != small)
        mem_free(channel);
}

void notify_keyspace_event(int type, const char *event, const char *key, size_t keylen, int db_id)
{
    int flags = notify_flags;
    if (!(flags & type))
        return;
    size_t elen = strlen(event);
    if (flags & NOTIFY_KEYSPACE)
        notify_publish("keyspace", db_id, key, keylen, event, elen);
    if (flags & NOTIFY_KEYEVENT)
        notify_publish("keyevent", db_id, event, elen, key, keylen);
}
