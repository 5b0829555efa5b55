/* config: the table of parameters, and everything that reads it (stage 1).
 *
 * Options are redis-server's: `--port 7000 --bind 127.0.0.1 ::1`. Each
 * "--name" starts an option and the words up to the next "--name" are its
 * values, which is how redis-server reads its command line too (it turns
 * it into config-file lines). A config file (stage 6) is the same
 * directives, one per line, read before the options so that they win.
 *
 * Values are checked by type, with Redis's own reasons for refusing them
 * ("argument must be 'yes' or 'no'"), whoever asks: the command line, the
 * file and CONFIG SET frame the same reason in their own way. */
#include "server/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/num.h"
#include "io/reactor.h"
#include "io/resp.h"
#include "persist/aof.h"
#include "server/admission.h"
#include "server/client.h"
#include "server/evict.h"
#include "server/notify.h"
#include "server/pubsub.h"

struct config config;

typedef enum config_type { CONFIG_BOOL, CONFIG_INT, CONFIG_ENUM, CONFIG_STRING, CONFIG_LIST } config_type;

#define CONFIG_MUTABLE 1        /* CONFIG SET may change it while the server runs */
#define CONFIG_PROTECTED 2      /* CONFIG SET refuses it, as Redis does by default */
#define CONFIG_MEMORY 4         /* an integer in bytes: takes Redis's units (64mb) */

typedef struct config_word {
    const char *word;
    int value;
} config_word;

/* A parsed value, before it is stored: CONFIG SET checks every pair
 * before it changes any field. */
typedef struct config_value {
    bool yes;
    long long number;
    config_string string;
    config_list list;
} config_value;

/* A check beyond the value's type: NULL, or why the value is refused. */
typedef const char *config_check_fn(const config_value *v);

/* Keeps a parsed copy of a text value (and may rewrite the text as
 * Redis prints it), after every store: at start and by CONFIG SET. */
typedef void config_derive_fn(void);

/* What CONFIG SET does after it changed the field: NULL, or why it could
 * not (the field is then put back by the caller). */
typedef const char *config_apply_fn(void);
/* Once a whole CONFIG SET is in, as Redis runs its apply functions: what
 * must see every new value at once (a lower maxmemory evicts under the
 * policy the same CONFIG SET chose). */
typedef void config_settle_fn(void);

struct config_param {
    const char *name;
    config_type type;
    void *field;                /* bool, long long, int, config_string or config_list */
    const char *default_value;  /* written as in a config file */
    long long min, max;         /* CONFIG_INT: the range */
    const config_word *words;   /* CONFIG_ENUM: ends with {NULL}, in Redis's order */
    int flags;                  /* CONFIG_MUTABLE ... */
    enum config_group group;    /* the step of main() that offers it */
    int stage;                  /* the stage that brings it */
    config_check_fn *check;     /* NULL if the type says it all */
    config_apply_fn *apply;     /* CONFIG SET's hook, NULL if the field is all */
    config_derive_fn *derive;   /* NULL if nothing is parsed from it */
    config_settle_fn *settle;   /* NULL if nothing waits for the other pairs */
    const char *help;           /* --help: "--name VALUE   what it does" */
};

/* ---------------- Checks beyond the type ---------------- */

/* Before stage 5 appendonly is a fact, "no", that clients read
 * (redis-benchmark asks for it), not a switch. */
static const char *config_check_appendonly(const config_value *v)
{
    if (v->yes && !config_offered(CONFIG_GROUP_AOF))
        return "this stage has no append-only file (stage 5 brings it)";
    return NULL;
}

static const char *config_check_save(const config_value *v)
{
    return v->string.len > 0 ? "this server takes no snapshots: only '' is accepted" : NULL;
}

static const char *config_check_appendfilename(const config_value *v)
{
    return aof_filename_refusal(v->string.text, v->string.len);
}

/* ---------------- What CONFIG SET changes at run time ---------------- */

/* Before stage 5 there is no file to turn on or off. */
static const char *config_apply_appendonly(void)
{
    static char err[AOF_ERR_LEN];
    if (!config_offered(CONFIG_GROUP_AOF))
        return NULL;
    return aof_set_enabled(config.appendonly, err) ? NULL : err;
}

static const char *config_apply_appendfsync(void)
{
    aof_set_fsync((enum aof_fsync)config.appendfsync);
    return NULL;
}

/* Never more clients than the process may open files for. */
static const char *config_apply_maxclients(void)
{
    config.maxclients = (long long)admission_fit_max_clients((size_t)config.maxclients);
    return NULL;
}

/* No password any more: everyone waiting to AUTH is let in, as in Redis.
 * (A new password does not log out those already in.) */
static const char *config_apply_requirepass(void)
{
    for (client *c = client_all(); c != NULL && config.requirepass.len == 0; c = c->next)
        c->auth_required = false;
    return NULL;
}

/* ---------------- Values parsed from text (Part II) ---------------- */

static bool config_parse_memory(const char *s, size_t len, long long *out);

static const char *const config_output_class_names[] = {"normal", "slave", "pubsub"};

static int config_output_class(const char *word, size_t len)
{
    if (len == 7 && strncasecmp(word, "replica", 7) == 0)
        return CONFIG_OUTPUT_REPLICA;
    for (int i = 0; i < 3; i++) {
        if (strlen(config_output_class_names[i]) == len && strncasecmp(word, config_output_class_names[i], len) == 0)
            return i;
    }
    return -1;
}

/* "class hard soft seconds" groups; with `into`, they are stored there. */
static const char *config_parse_output_limits(const char *text, config_output_limit *into)
{
    const char *words[64];
    size_t lens[64];
    int n = 0;
    for (const char *p = text; *p != '\0' && n < 64;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        words[n] = p;
        while (*p != '\0' && *p != ' ')
            p++;
        lens[n] = (size_t)(p - words[n]);
        n++;
    }
    if (n % 4 != 0 || n == 0)
        return "Wrong number of arguments in buffer limit configuration.";
    for (int i = 0; i < n; i += 4) {
        int cls = config_output_class(words[i], lens[i]);
        if (cls < 0)
            return "Invalid client class specified in buffer limit configuration.";
        config_output_limit l;
        if (!config_parse_memory(words[i + 1], lens[i + 1], &l.hard) || l.hard < 0 ||
            !config_parse_memory(words[i + 2], lens[i + 2], &l.soft) || l.soft < 0 ||
            !num_parse_ll(words[i + 3], lens[i + 3], &l.soft_seconds) || l.soft_seconds < 0)
            return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        if (into != NULL)
            into[cls] = l;
    }
    return NULL;
}

static const char *config_check_output_limits(const config_value *v)
{
    return config_parse_output_limits(v->string.text, NULL);
}

/* A SET names some classes; the others keep their limits. The text is
 * then rewritten whole, as CONFIG GET shows it. */
static void config_derive_output_limits(void)
{
    config_parse_output_limits(config.client_output_buffer_limit.text, config.output_limits);
    const config_output_limit *n = &config.output_limits[CONFIG_OUTPUT_NORMAL];
    const config_output_limit *p = &config.output_limits[CONFIG_OUTPUT_PUBSUB];
    pubsub_set_output_limits((pubsub_limit){n->hard, n->soft, n->soft_seconds},
                             (pubsub_limit){p->hard, p->soft, p->soft_seconds});
    char text[256];
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        const config_output_limit *l = &config.output_limits[i];
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s %lld %lld %lld", i > 0 ? " " : "",
                                config_output_class_names[i], l->hard, l->soft, l->soft_seconds);
    }
    mem_free(config.client_output_buffer_limit.text);
    config.client_output_buffer_limit.text = mem_strndup(text, len);
    config.client_output_buffer_limit.len = len;
}

static const char *config_check_notify(const config_value *v)
{
    return notify_flags_parse(v->string.text, v->string.len) < 0 ? "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." : NULL;
}

static void config_derive_notify(void)
{
    config.notify_flags = notify_flags_parse(config.notify_keyspace_events.text, config.notify_keyspace_events.len);
    notify_set_flags(config.notify_flags);
    char text[32];
    size_t len = notify_flags_format(config.notify_flags, text, sizeof(text));
    mem_free(config.notify_keyspace_events.text);
    config.notify_keyspace_events.text = mem_strndup(text, len);
    config.notify_keyspace_events.len = len;
}

/* ---------------- The table ---------------- */

static const config_word config_fsync_words[] = {
    {"everysec", AOF_FSYNC_EVERYSEC}, {"always", AOF_FSYNC_ALWAYS}, {"no", AOF_FSYNC_NO}, {NULL, 0},
};

static const config_word config_loglevel_words[] = {
    {"debug", LOG_DEBUG}, {"verbose", LOG_VERBOSE}, {"notice", LOG_NOTICE}, {"warning", LOG_WARNING}, {NULL, 0},
};

#define CONFIG_LONG_MAX 9223372036854775807LL

/* In Redis's order, which its error message lists (Part II, memory limit). */
static const config_word config_policy_words[] = {
    {"volatile-lru", EVICT_VOLATILE_LRU}, {"volatile-lfu", EVICT_VOLATILE_LFU},
    {"volatile-random", EVICT_VOLATILE_RANDOM}, {"volatile-ttl", EVICT_VOLATILE_TTL},
    {"allkeys-lru", EVICT_ALLKEYS_LRU}, {"allkeys-lfu", EVICT_ALLKEYS_LFU},
    {"allkeys-random", EVICT_ALLKEYS_RANDOM}, {"noeviction", EVICT_NOEVICTION}, {NULL, 0},
};

/* Any of the memory parameters: eviction reads its own copy. */
static const char *config_apply_memory(void)
{
    evict_settings settings = {config.maxmemory, config.maxmemory_policy, config.maxmemory_samples,
                               config.lfu_log_factor, config.lfu_decay_time};
    evict_configure(&settings);
    return NULL;
}

/* One row per parameter. Adding a parameter is adding a row here and its
 * field to struct config (config.h); everything else reads the row. */
static const config_param config_table[] = {
    {.name = "port", .type = CONFIG_INT, .field = &config.port, .default_value = "6379",
     .min = 1, .max = 65535, .group = CONFIG_GROUP_BASE, .stage = 1,
     .help = "--port N                TCP port to listen on (default 6379)"},
    {.name = "bind", .type = CONFIG_LIST, .field = &config.bind, .default_value = "127.0.0.1 -::1",
     .group = CONFIG_GROUP_BASE, .stage = 1,
     .help = "--bind ADDR ...         addresses to listen on (default 127.0.0.1 -::1;\n"
             "                          a leading '-' skips an address this host lacks)"},
    {.name = "proto-max-bulk-len", .type = CONFIG_INT, .field = &config.proto_max_bulk_len,
     .default_value = "512mb", .min = 1024 * 1024, .max = CONFIG_LONG_MAX, .flags = CONFIG_MEMORY,
     .group = CONFIG_GROUP_BASE, .stage = 1,
     .help = "--proto-max-bulk-len N  the longest string a request may carry (default 512mb)"},
    {.name = "client-query-buffer-limit", .type = CONFIG_INT, .field = &config.client_query_buffer_limit,
     .default_value = "1gb", .min = 1024 * 1024, .max = CONFIG_LONG_MAX, .flags = CONFIG_MEMORY,
     .group = CONFIG_GROUP_BASE, .stage = 1,
     .help = "--client-query-buffer-limit N  bytes a client may send ahead (default 1gb)"},
    {.name = "save", .type = CONFIG_STRING, .field = &config.save, .default_value = "",
     .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_BASE, .stage = 1, .check = config_check_save,
     .help = "--save ''               snapshots: this server takes none, so only '' is accepted"},
    {.name = "appendonly", .type = CONFIG_BOOL, .field = &config.appendonly, .default_value = "no",
     .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_BASE, .stage = 1,
     .check = config_check_appendonly, .apply = config_apply_appendonly,
     .help = "--appendonly yes|no     log every write to the append-only file (from stage 5; stage 6: yes)"},
    {.name = "dir", .type = CONFIG_STRING, .field = &config.dir, .default_value = "",
     .flags = CONFIG_PROTECTED, .group = CONFIG_GROUP_AOF, .stage = 5,
     .help = "--dir DIR               working directory, where the append-only file is"},
    {.name = "appendfsync", .type = CONFIG_ENUM, .field = &config.appendfsync, .default_value = "everysec",
     .words = config_fsync_words, .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_AOF, .stage = 5,
     .apply = config_apply_appendfsync,
     .help = "--appendfsync always|everysec|no  when to fsync the file (default everysec)"},
    {.name = "appendfilename", .type = CONFIG_STRING, .field = &config.appendfilename,
     .default_value = "appendonly.aof", .group = CONFIG_GROUP_AOF, .stage = 5,
     .check = config_check_appendfilename,
     .help = "--appendfilename NAME   the file's name in --dir (default appendonly.aof)"},
    {.name = "databases", .type = CONFIG_INT, .field = &config.databases, .default_value = "16",
     .min = 1, .max = 1000000, .group = CONFIG_GROUP_DATABASES, .stage = 6,
     .help = "--databases N           number of databases SELECT can pick (default 16)"},
    {.name = "requirepass", .type = CONFIG_STRING, .field = &config.requirepass, .default_value = "",
     .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_SECURITY, .stage = 6, .apply = config_apply_requirepass,
     .help = "--requirepass PASS      clients must AUTH with PASS before any other command"},
    {.name = "protected-mode", .type = CONFIG_BOOL, .field = &config.protected_mode, .default_value = "yes",
     .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_SECURITY, .stage = 6,
     .help = "--protected-mode yes|no without a password, refuse clients that are not local (default yes)"},
    {.name = "maxclients", .type = CONFIG_INT, .field = &config.maxclients, .default_value = "10000",
     .min = 1, .max = 4294967295LL, .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_LIMITS, .stage = 6,
     .apply = config_apply_maxclients,
     .help = "--maxclients N          clients served at once (default 10000)"},
    {.name = "timeout", .type = CONFIG_INT, .field = &config.timeout, .default_value = "0",
     .min = 0, .max = 2147483647LL, .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_LIMITS, .stage = 6,
     .help = "--timeout SECONDS       close clients idle that long (default 0: never)"},
    {.name = "loglevel", .type = CONFIG_ENUM, .field = &config.loglevel, .default_value = "notice",
     .words = config_loglevel_words, .group = CONFIG_GROUP_LOGGING, .stage = 6,
     .help = "--loglevel debug|verbose|notice|warning  (default notice)"},
    {.name = "logfile", .type = CONFIG_STRING, .field = &config.logfile, .default_value = "",
     .group = CONFIG_GROUP_LOGGING, .stage = 6,
     .help = "--logfile PATH          log there instead of stderr (\"\" for stderr)"},
    {.name = "threads", .type = CONFIG_INT, .field = &config.threads, .default_value = "1",
     .min = 1, .max = REACTOR_MAX, .group = CONFIG_GROUP_THREADS, .stage = 6,
     .help = "--threads N             threads serving clients (default: one per core)"},
    {.name = "set-max-intset-entries", .type = CONFIG_INT, .field = &config.set_max_intset_entries,
     .default_value = "512", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,     /* Part II: sets */
     .help = "--set-max-intset-entries N  a set of at most N integers stays a sorted array (default 512)"},
    {.name = "hash-max-listpack-entries", .type = CONFIG_INT, .field = &config.hash_max_listpack_entries,
     .default_value = "512", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,     /* Part II: hashes */
     .help = "--hash-max-listpack-entries N  a hash of at most N fields stays packed (default 512)"},
    {.name = "hash-max-listpack-value", .type = CONFIG_INT, .field = &config.hash_max_listpack_value,
     .default_value = "64", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE | CONFIG_MEMORY,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,     /* Part II: hashes */
     .help = "--hash-max-listpack-value N  ... and no field or value longer than N bytes (default 64)"},
    /* Their Redis 6 names, which Redis 7 still takes: rows of their own on
     * the same fields, as the sorted sets' below. */
    {.name = "hash-max-ziplist-entries", .type = CONFIG_INT, .field = &config.hash_max_listpack_entries,
     .default_value = "512", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,
     .help = "--hash-max-ziplist-entries N  the same (its Redis 6 name)"},
    {.name = "hash-max-ziplist-value", .type = CONFIG_INT, .field = &config.hash_max_listpack_value,
     .default_value = "64", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE | CONFIG_MEMORY,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,
     .help = "--hash-max-ziplist-value N  the same (its Redis 6 name)"},
    /* Part II, sorted sets. Redis 7 still takes the ziplist names of
     * Redis 6 as aliases, and CONFIG GET * lists both names: an alias is a
     * row of its own on the same field. */
    {.name = "zset-max-listpack-entries", .type = CONFIG_INT, .field = &config.zset_max_listpack_entries,
     .default_value = "128", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,
     .help = "--zset-max-listpack-entries N  a sorted set of at most N members stays packed (default 128)"},
    {.name = "zset-max-ziplist-entries", .type = CONFIG_INT, .field = &config.zset_max_listpack_entries,
     .default_value = "128", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,
     .help = "--zset-max-ziplist-entries N  the same (its Redis 6 name)"},
    {.name = "zset-max-listpack-value", .type = CONFIG_INT, .field = &config.zset_max_listpack_value,
     .default_value = "64", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE | CONFIG_MEMORY,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,
     .help = "--zset-max-listpack-value N  ... and no member longer than N bytes (default 64)"},
    {.name = "zset-max-ziplist-value", .type = CONFIG_INT, .field = &config.zset_max_listpack_value,
     .default_value = "64", .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE | CONFIG_MEMORY,
     .group = CONFIG_GROUP_DATABASES, .stage = 6,
     .help = "--zset-max-ziplist-value N  the same (its Redis 6 name)"},
    {.name = "client-output-buffer-limit", .type = CONFIG_STRING, .field = &config.client_output_buffer_limit,
     .default_value = "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60", .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_LIMITS, .stage = 6, .check = config_check_output_limits,
     .derive = config_derive_output_limits,      /* Part II: pub/sub */
     .help = "--client-output-buffer-limit 'CLASS HARD SOFT SECONDS ...'  close clients that read too slowly\n"
             "                          (default: normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60)"},
    {.name = "notify-keyspace-events", .type = CONFIG_STRING, .field = &config.notify_keyspace_events,
     .default_value = "", .flags = CONFIG_MUTABLE, .group = CONFIG_GROUP_LIMITS, .stage = 6,
     .check = config_check_notify, .derive = config_derive_notify,     /* Part II: keyspace notifications */
     .help = "--notify-keyspace-events FLAGS  publish changes to keys (K E g $ l s h z x e t m n A; default \"\")"},
    {.name = "maxmemory", .type = CONFIG_INT, .field = &config.maxmemory, .default_value = "0",
     .min = 0, .max = CONFIG_LONG_MAX, .flags = CONFIG_MUTABLE | CONFIG_MEMORY,
     .group = CONFIG_GROUP_MEMORY, .stage = 6, .apply = config_apply_memory,     /* Part II: memory limit */
     .settle = evict_on_new_limit,
     .help = "--maxmemory BYTES       evict or refuse past this much memory (0: no limit)"},
    {.name = "maxmemory-policy", .type = CONFIG_ENUM, .field = &config.maxmemory_policy,
     .default_value = "noeviction", .words = config_policy_words, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_MEMORY, .stage = 6, .apply = config_apply_memory,
     .help = "--maxmemory-policy P    which keys go past maxmemory: allkeys-lru, volatile-lfu, ...\n"
             "                          or noeviction (refuse writes; the default)"},
    {.name = "maxmemory-samples", .type = CONFIG_INT, .field = &config.maxmemory_samples,
     .default_value = "5", .min = 1, .max = 2147483647LL, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_MEMORY, .stage = 6, .apply = config_apply_memory,
     .help = "--maxmemory-samples N   keys sampled per eviction: more is closer to exact (default 5)"},
    {.name = "lfu-log-factor", .type = CONFIG_INT, .field = &config.lfu_log_factor,
     .default_value = "10", .min = 0, .max = 2147483647LL, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_MEMORY, .stage = 6, .apply = config_apply_memory,
     .help = "--lfu-log-factor N      how slowly LFU counters grow (default 10)"},
    {.name = "lfu-decay-time", .type = CONFIG_INT, .field = &config.lfu_decay_time,
     .default_value = "1", .min = 0, .max = 2147483647LL, .flags = CONFIG_MUTABLE,
     .group = CONFIG_GROUP_MEMORY, .stage = 6, .apply = config_apply_memory,
     .help = "--lfu-decay-time MIN    minutes for an idle key's LFU counter to lose a point (default 1)"},
    {.name = NULL},
};

static unsigned config_groups = 1u << CONFIG_GROUP_BASE;

void config_offer(enum config_group group)
{
    config_groups |= 1u << group;
}

void config_withdraw_all(void)
{
    config_groups = 1u << CONFIG_GROUP_BASE;
}

bool config_offered(enum config_group group)
{
    return (config_groups & (1u << group)) != 0;
}

const char *config_name(const config_param *p)
{
    return p->name;
}

bool config_is_mutable(const config_param *p)
{
    return (p->flags & CONFIG_MUTABLE) != 0;
}

bool config_is_protected(const config_param *p)
{
    return (p->flags & CONFIG_PROTECTED) != 0;
}

const config_param *config_find(const char *name, size_t len)
{
    for (const config_param *p = config_table; p->name != NULL; p++) {
        if (strlen(p->name) == len && strncasecmp(p->name, name, len) == 0 && config_offered(p->group))
            return p;
    }
    return NULL;
}

void config_each(void (*fn)(const config_param *p, void *data), void *data)
{
    for (const config_param *p = config_table; p->name != NULL; p++) {
        if (config_offered(p->group))
            fn(p, data);
    }
}

size_t config_count(void)
{
    size_t n = 0;
    for (const config_param *p = config_table; p->name != NULL; p++)
        n += config_offered(p->group);
    return n;
}

/* ---------------- Values: parsing and formatting ---------------- */

static void config_value_free(config_value *v)
{
    mem_free(v->string.text);
    for (int i = 0; i < v->list.count; i++)
        mem_free(v->list.items[i]);
    memset(v, 0, sizeof(*v));
}

/* Redis's memory units: 1k = 1000, 1kb = 1024, and so on up to gb. */
static bool config_parse_memory(const char *s, size_t len, long long *out)
{
    static const struct { const char *unit; long long factor; } units[] = {
        {"kb", 1024LL}, {"mb", 1024LL * 1024}, {"gb", 1024LL * 1024 * 1024},
        {"k", 1000LL}, {"m", 1000LL * 1000}, {"g", 1000LL * 1000 * 1000}, {"b", 1},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        size_t ulen = strlen(units[i].unit);
        if (len > ulen && strncasecmp(s + len - ulen, units[i].unit, ulen) == 0) {
            long long n;
            if (!num_parse_ll(s, len - ulen, &n) || n < 0 || n > CONFIG_LONG_MAX / units[i].factor)
                return false;
            *out = n * units[i].factor;
            return true;
        }
    }
    return num_parse_ll(s, len, out);
}

static const char *config_parse_int(const config_param *p, const char *s, size_t len, long long *out)
{
    static _Thread_local char why[128];
    bool ok = (p->flags & CONFIG_MEMORY) ? config_parse_memory(s, len, out) : num_parse_ll(s, len, out);
    if (!ok)
        return (p->flags & CONFIG_MEMORY) ? "argument must be a memory value"
                                          : "argument couldn't be parsed into an integer";
    if (*out < p->min || *out > p->max) {
        snprintf(why, sizeof(why), "argument must be between %lld and %lld inclusive", p->min, p->max);
        return why;
    }
    return NULL;
}

static const char *config_parse_enum(const config_param *p, const char *s, size_t len, long long *out)
{
    static _Thread_local char why[256];     /* maxmemory-policy's eight words fit */
    for (const config_word *w = p->words; w->word != NULL; w++) {
        if (strlen(w->word) == len && strncasecmp(w->word, s, len) == 0) {
            *out = w->value;
            return NULL;
        }
    }
    int n = snprintf(why, sizeof(why), "argument(s) must be one of the following: ");
    for (const config_word *w = p->words; w->word != NULL && n < (int)sizeof(why); w++)
        n += snprintf(why + n, sizeof(why) - (size_t)n, "%s%s", w == p->words ? "" : ", ", w->word);
    return why;
}

/* A list given as one word ("127.0.0.1 -::1", as CONFIG GET shows it) is
 * split at its spaces; given as several words, each is an item. */
static const char *config_parse_list(int argc, const char **argv, const size_t *lens, config_list *out)
{
    for (int i = 0; i < argc; i++) {
        size_t at = 0;
        while (at < lens[i]) {
            while (at < lens[i] && argv[i][at] == ' ')
                at++;
            size_t start = at;
            while (at < lens[i] && argv[i][at] != ' ')
                at++;
            if (at == start)
                break;
            if (out->count == CONFIG_MAX_BIND)
                return "Too many bind addresses specified.";
            out->items[out->count++] = mem_strndup(argv[i] + start, at - start);
        }
    }
    return out->count == 0 ? "wrong number of arguments" : NULL;
}

/* Parse argc words into *v; NULL or the reason they are refused. */
static const char *config_parse(const config_param *p, int argc, const char **argv, const size_t *lens,
                                config_value *v)
{
    memset(v, 0, sizeof(*v));
    if (argc == 0 || (p->type != CONFIG_LIST && argc != 1))
        return "wrong number of arguments";
    const char *why = NULL;
    switch (p->type) {
    case CONFIG_BOOL: {
        bool yes = lens[0] == 3 && strncasecmp(argv[0], "yes", 3) == 0;
        if (!yes && !(lens[0] == 2 && strncasecmp(argv[0], "no", 2) == 0))
            return "argument must be 'yes' or 'no'";
        v->yes = yes;
        break;
    }
    case CONFIG_INT:
        why = config_parse_int(p, argv[0], lens[0], &v->number);
        break;
    case CONFIG_ENUM:
        why = config_parse_enum(p, argv[0], lens[0], &v->number);
        break;
    case CONFIG_STRING:
        v->string.text = mem_strndup(argv[0], lens[0]);
        v->string.len = lens[0];
        break;
    case CONFIG_LIST:
        why = config_parse_list(argc, argv, lens, &v->list);
        break;
    }
    if (why == NULL && p->check != NULL)
        why = p->check(v);
    if (why != NULL)
        config_value_free(v);
    return why;
}

/* Move a parsed value into its field (which then owns its memory), and
 * the field's old value into *v, to be freed or put back. */
static void config_swap(const config_param *p, config_value *v)
{
    switch (p->type) {
    case CONFIG_BOOL: {
        bool *field = p->field, old = *field;
        *field = v->yes;
        v->yes = old;
        break;
    }
    case CONFIG_INT: {
        long long *field = p->field, old = *field;
        *field = v->number;
        v->number = old;
        break;
    }
    case CONFIG_ENUM: {
        int *field = p->field, old = *field;
        *field = (int)v->number;
        v->number = old;
        break;
    }
    case CONFIG_STRING: {
        config_string *field = p->field, old = *field;
        *field = v->string;
        v->string = old;
        break;
    }
    case CONFIG_LIST: {
        config_list *field = p->field, old = *field;
        *field = v->list;
        v->list = old;
        break;
    }
    }
}

/* The words of one directive, from the command line, a file or a
 * default, into p's field: NULL, or why they are refused and nothing
 * changed. Each word comes with its length: a quoted word of a file may
 * hold a NUL. */
static const char *config_store(const config_param *p, int argc, const char **argv, const size_t *lens)
{
    config_value v;
    const char *why = config_parse(p, argc, argv, lens, &v);
    if (why != NULL)
        return why;
    config_swap(p, &v);
    config_value_free(&v);      /* the old value */
    if (p->derive != NULL)
        p->derive();
    return NULL;
}

void config_format(const config_param *p, buf *out)
{
    char text[NUM_LL_MAX];
    switch (p->type) {
    case CONFIG_BOOL: {
        const char *word = *(const bool *)p->field ? "yes" : "no";
        buf_append(out, word, strlen(word));
        break;
    }
    case CONFIG_INT:
        buf_append(out, text, num_format_ll(text, *(const long long *)p->field));
        break;
    case CONFIG_ENUM:
        for (const config_word *w = p->words; w->word != NULL; w++) {
            if (w->value == *(const int *)p->field) {
                buf_append(out, w->word, strlen(w->word));
                break;
            }
        }
        break;
    case CONFIG_STRING: {
        const config_string *s = p->field;
        if (s->len > 0)
            buf_append(out, s->text, s->len);
        break;
    }
    case CONFIG_LIST: {
        const config_list *l = p->field;
        for (int i = 0; i < l->count; i++) {
            if (i > 0)
                buf_append(out, " ", 1);
            buf_append(out, l->items[i], strlen(l->items[i]));
        }
        break;
    }
    }
}

const char *config_check(const config_param *p, const char *value, size_t len)
{
    config_value v;
    const char *why = config_parse(p, 1, &value, &len, &v);
    if (why == NULL)
        config_value_free(&v);
    return why;
}

const char *config_apply(const config_param *p, const char *value, size_t len)
{
    config_value v;
    const char *why = config_parse(p, 1, &value, &len, &v);
    if (why != NULL)
        return why;
    config_swap(p, &v);
    why = p->apply != NULL ? p->apply() : NULL;
    if (why != NULL)
        config_swap(p, &v);     /* put the old value back */
    else if (p->derive != NULL)
        p->derive();
    config_value_free(&v);
    return why;
}

void config_settle(const config_param *const *params, int count)
{
    for (int n = 0; n < count; n++)
        if (params[n]->settle != NULL)
            params[n]->settle();
}

/* ---------------- Defaults ---------------- */

static void config_free_field(const config_param *p)
{
    config_value v;
    memset(&v, 0, sizeof(v));
    config_swap(p, &v);
    config_value_free(&v);
}

void config_free(void)
{
    for (const config_param *p = config_table; p->name != NULL; p++)
        config_free_field(p);
    mem_free(config.config_file);
    config.config_file = NULL;
}

/* The defaults are written as a config file would write them, so they go
 * through the same parser: a default that does not parse is a bug the
 * unit tests catch. */
static void config_store_text(const config_param *p, const char *text)
{
    size_t len = strlen(text);
    const char *why = config_store(p, 1, &text, &len);
    if (why != NULL)
        log_write(LOG_WARNING, "Bad default '%s' for %s: %s", text, p->name, why);
}

void config_init(void)
{
    config_free();
    for (const config_param *p = config_table; p->name != NULL; p++)
        config_store_text(p, p->default_value);
}

void config_set_value(const char *name, const char *value)
{
    for (const config_param *p = config_table; p->name != NULL; p++) {
        if (strcmp(p->name, name) == 0)
            config_store_text(p, value);
    }
}

/* ---------------- The command line and the config file ---------------- */

static void config_print_help(const char *program)
{
    printf("Usage: %s %s[options]\n\n"
           "A Redis-compatible server built in the workshop (%s).\n\n"
           "Options, as redis-server takes them:\n",
           program, config_offered(CONFIG_GROUP_FILE) ? "[/path/to/redis.conf] " : "", program);
    for (const config_param *p = config_table; p->name != NULL; p++) {
        if (config_offered(p->group))
            printf("  %s  [stage %d]\n", p->help, p->stage);
    }
    printf("  --help                  show this help\n\n"
           "Example: %s --port 7000 --bind 127.0.0.1\n", program);
}

/* A line split into words as redis-server splits it (quotes, escapes):
 * by the inline-command splitter, which does exactly that. */
static int config_file_line(const char *line, char *why)
{
    resp_parser parser;
    resp_parser_init(&parser);
    int result = 0;
    if (!resp_split_words(&parser, line, strlen(line))) {
        snprintf(why, CONFIG_ERR_LEN, "Unbalanced quotes in configuration line");
        result = -1;
    } else if (parser.argc > 0) {
        const config_param *p = config_find(parser.argv[0], parser.argvlen[0]);
        const char *reason = p == NULL ? "Bad directive or wrong number of arguments"
                                       : config_store(p, parser.argc - 1, parser.argv + 1, parser.argvlen + 1);
        if (reason != NULL) {
            snprintf(why, CONFIG_ERR_LEN, "%s", reason);
            result = -1;
        }
    }
    resp_parser_free(&parser);
    return result;
}

/* One directive per line, '#' starts a comment line. On a bad line the
 * error reads as redis-server's does. */
static int config_from_file(const char *path, const char *program, char *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, CONFIG_ERR_LEN, "Fatal error, can't open config file '%s': %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;          /* grown by getline: a line may be any length */
    size_t room = 0;
    int number = 0, result = 0;
    while (result == 0 && getline(&line, &room, f) != -1) {
        number++;
        line[strcspn(line, "\r\n")] = '\0';
        const char *start = line + strspn(line, " \t");
        if (*start == '\0' || *start == '#')
            continue;
        char why[CONFIG_ERR_LEN];
        if (config_file_line(start, why) == -1) {
            snprintf(err, CONFIG_ERR_LEN,
                     "\n*** FATAL CONFIG FILE ERROR (workshop %s) ***\nReading the configuration file, at line %d\n"
                     ">>> '%.200s'\n%.200s", program, number, start, why);
            result = -1;
        }
    }
    free(line);                 /* from getline, hence not mem_free */
    fclose(f);
    if (result == 0) {
        /* INFO shows it as a full path, as Redis does. */
        char *full = realpath(path, NULL);
        mem_free(config.config_file);
        config.config_file = mem_strdup(full != NULL ? full : path);
        free(full);             /* from realpath, hence not mem_free */
    }
    return result;
}

static bool config_is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] == '-' && arg[2] != '\0';
}

enum config_args_result config_from_args(int argc, char **argv, const char *program, char *err)
{
    /* Stage 6 reads redis-server's command line: a config file first, if
     * any, then options that override it. */
    if (config_offered(CONFIG_GROUP_FILE) && argc > 1 && argv[1][0] != '-') {
        if (config_from_file(argv[1], program, err) == -1)
            return CONFIG_ARGS_ERROR;
        argc--;
        argv++;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            config_print_help(program);
            return CONFIG_ARGS_EXIT;
        }
        if (!config_is_option(argv[i])) {
            snprintf(err, CONFIG_ERR_LEN, "unexpected argument '%s' (try --help)", argv[i]);
            return CONFIG_ARGS_ERROR;
        }
        const config_param *p = config_find(argv[i] + 2, strlen(argv[i] + 2));
        if (p == NULL) {
            snprintf(err, CONFIG_ERR_LEN, "unknown option '%s' (try --help)", argv[i]);
            return CONFIG_ARGS_ERROR;
        }
        int values = 0;
        while (i + 1 + values < argc && !config_is_option(argv[i + 1 + values]))
            values++;
        size_t *lens = mem_alloc(sizeof(size_t) * (size_t)(values > 0 ? values : 1));
        for (int v = 0; v < values; v++)
            lens[v] = strlen(argv[i + 1 + v]);
        const char *why = config_store(p, values, (const char **)argv + i + 1, lens);
        mem_free(lens);
        if (why != NULL) {
            if (values == 1)
                snprintf(err, CONFIG_ERR_LEN, "invalid value '%s' for %s: %s", argv[i + 1], argv[i], why);
            else
                snprintf(err, CONFIG_ERR_LEN, "wrong number of values for '%s': %s (try --help)", argv[i], why);
            return CONFIG_ARGS_ERROR;
        }
        i += values;
    }
    return CONFIG_ARGS_OK;
}
