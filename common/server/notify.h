/* notify: keyspace notifications (Part II, keyspace notifications).
 *
 * With `notify-keyspace-events` set, every change to a key is published
 * as a pub/sub message: on `__keyspace@<db>__:<key>` with the event's
 * name as message (K), and on `__keyevent@<db>__:<event>` with the key as
 * message (E). The flags say which classes of events are sent, with
 * Redis's letters and bits:
 *
 *     K keyspace  E keyevent  g generic  $ string  l list  s set  h hash
 *     z zset  x expired  e evicted  t stream  m key-miss  d module
 *     n new key  A = g$lshzxetd
 *
 * A command calls notify_keyspace_event() once per key it changed, after
 * the change, with the event Redis names (SET -> "set", LPUSH -> "lpush",
 * EXPIRE -> "expire", DEL -> "del" ...). Cheap when nobody listens: one
 * test of the flags. */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stddef.h>

#define NOTIFY_KEYSPACE (1 << 0)    /* K */
#define NOTIFY_KEYEVENT (1 << 1)    /* E */
#define NOTIFY_GENERIC (1 << 2)     /* g */
#define NOTIFY_STRING (1 << 3)      /* $ */
#define NOTIFY_LIST (1 << 4)        /* l */
#define NOTIFY_SET (1 << 5)         /* s */
#define NOTIFY_HASH (1 << 6)        /* h */
#define NOTIFY_ZSET (1 << 7)        /* z */
#define NOTIFY_EXPIRED (1 << 8)     /* x */
#define NOTIFY_EVICTED (1 << 9)     /* e */
#define NOTIFY_STREAM (1 << 10)     /* t */
#define NOTIFY_KEY_MISS (1 << 11)   /* m */
#define NOTIFY_LOADED (1 << 12)     /* modules only */
#define NOTIFY_MODULE (1 << 13)     /* d */
#define NOTIFY_NEW (1 << 14)        /* n */
/* A: every class but m and n, as Redis's "A". */
#define NOTIFY_ALL (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | \
                    NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

/* Under the server lock: publish `event` for the key, if the class
 * `type` (one NOTIFY_* class bit) is on. */
void notify_keyspace_event(int type, const char *event, const char *key, size_t keylen, int db_id);

/* What notify-keyspace-events says, parsed (config.c sets it). */
void notify_set_flags(int flags);

/* The flags from a string of letters ("KEA", "Kx"); -1 on an unknown
 * letter. And back, in Redis's canonical order, for CONFIG GET. */
int notify_flags_parse(const char *letters, size_t len);
size_t notify_flags_format(int flags, char *out, size_t size);

#endif
