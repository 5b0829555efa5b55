/* config: every configuration parameter, one row of one table (stage 1).
 *
 * A parameter is described once, in config.c's table: its name, its type
 * (yes/no, an integer with a range and maybe Redis's units such as 64mb,
 * one word of a list, a string, a list of words), the field of `config`
 * it sets, its default, the stage that brings it, whether CONFIG SET may
 * change it while the server runs, and what to do when it does. The
 * command line (`--port 7000`), the config file (`port 7000`), CONFIG
 * GET and SET, --help and INFO all read that table, so adding a parameter
 * is adding a row.
 *
 * The rows come in groups, and a stage knows only the groups its main()
 * turned on (config_offer(), called by server_enable_aof() and the other
 * steps): stage 2 has never heard of requirepass, so it answers CONFIG SET
 * requirepass as Redis answers any unknown parameter. The values live in
 * one global struct, `config`, that the rest of the server reads:
 *
 *     config_init();                       // every field to its default
 *     config_offer(CONFIG_GROUP_AOF);      // stage 5's parameters
 *     config_from_args(argc, argv, "stage5", err);
 *     ... config.port, config.appendonly ... */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

#define CONFIG_MAX_BIND 16
#define CONFIG_ERR_LEN 512

/* Which step of a stage's main() offers a parameter. */
enum config_group {
    CONFIG_GROUP_BASE,          /* every stage: the network and the protocol's limits */
    CONFIG_GROUP_AOF,           /* server_enable_aof() (stage 5) */
    CONFIG_GROUP_DATABASES,     /* server_enable_databases() (stage 6) */
    CONFIG_GROUP_SECURITY,      /* server_enable_security() (stage 6) */
    CONFIG_GROUP_LIMITS,        /* server_enable_client_limits() (stage 6) */
    CONFIG_GROUP_LOGGING,       /* server_enable_logging() (stage 6) */
    CONFIG_GROUP_THREADS,       /* server_enable_threads() (stage 6) */
    CONFIG_GROUP_MEMORY,        /* server_enable_memory_limit(): maxmemory and its policy (Part II) */
    CONFIG_GROUP_FILE,          /* server_enable_config_file(): no rows, a config file (stage 6); last */
};

typedef struct config_string {
    char *text;                 /* NUL-terminated; may also hold NULs (CONFIG SET requirepass) */
    size_t len;
} config_string;

typedef struct config_list {
    char *items[CONFIG_MAX_BIND];
    int count;
} config_list;

/* client-output-buffer-limit, per class of client (Part II, pub/sub). */
enum config_output_class { CONFIG_OUTPUT_NORMAL, CONFIG_OUTPUT_REPLICA, CONFIG_OUTPUT_PUBSUB };
typedef struct config_output_limit {
    long long hard, soft;       /* bytes; 0: none */
    long long soft_seconds;     /* how long over soft is tolerated */
} config_output_limit;

/* The values. Integers are long long whatever their range, so one parser
 * serves them all. */
struct config {
    long long port;             /* TCP port */
    config_list bind;           /* addresses; a leading '-' means "skip if unavailable" */
    config_string save;         /* snapshots: none, so always "" */
    long long proto_max_bulk_len;           /* the longest bulk string a request may hold */
    long long client_query_buffer_limit;    /* bytes a client may send ahead of its replies */
    config_string dir;          /* the working directory, where the AOF lives (stage 5) */
    bool appendonly;            /* log every write (stage 5) */
    int appendfsync;            /* enum aof_fsync (stage 5) */
    config_string appendfilename;   /* the AOF's name in dir (stage 5) */
    long long databases;        /* how many SELECT can pick (stage 6) */
    config_string requirepass;  /* empty: no password (stage 6) */
    bool protected_mode;        /* no password: local clients only (stage 6) */
    long long maxclients;       /* clients served at once (stage 6) */
    long long timeout;          /* seconds before an idle client is closed; 0 never (stage 6) */
    long long threads;          /* reactors serving clients (stage 6) */
    int loglevel;               /* enum log_level (stage 6) */
    config_string logfile;      /* "" for stderr (stage 6) */
    long long maxmemory;        /* bytes; 0: no limit (Part II: memory limit) */
    int maxmemory_policy;       /* enum evict_policy (Part II) */
    long long maxmemory_samples;    /* keys sampled per eviction (Part II) */
    long long lfu_log_factor;   /* (Part II) */
    long long lfu_decay_time;   /* minutes (Part II) */
    long long set_max_intset_entries;   /* integers a set keeps as an intset (Part II: sets) */
    long long hash_max_listpack_entries;    /* fields a hash keeps packed (Part II: hashes) */
    long long hash_max_listpack_value;      /* ... and the longest field or value (Part II: hashes) */
    long long zset_max_listpack_entries;    /* members a sorted set keeps packed (Part II: sorted sets) */
    long long zset_max_listpack_value;      /* ... and the longest member (Part II: sorted sets) */
    config_string client_output_buffer_limit;   /* as CONFIG GET shows it (Part II: pub/sub) */
    config_output_limit output_limits[3];       /* ... parsed, by enum config_output_class */
    config_string notify_keyspace_events;       /* flag letters, as CONFIG GET shows them (Part II) */
    int notify_flags;                           /* ... parsed: NOTIFY_* bits (server/notify.h) */
    char *config_file;          /* the file read at start, NULL if none: INFO shows it */
};

extern struct config config;

typedef struct config_param config_param;

enum config_args_result { CONFIG_ARGS_OK, CONFIG_ARGS_EXIT, CONFIG_ARGS_ERROR };

void config_init(void);                 /* every parameter at its default */
void config_free(void);
void config_offer(enum config_group group);     /* make a group's parameters known */
void config_withdraw_all(void);         /* back to CONFIG_GROUP_BASE only (unit tests) */
bool config_offered(enum config_group group);
/* Store a value as a config file would write it, with no check of the
 * stage's groups: a default a stage's step changes before the options are
 * read (threads: one per core), or a value made exact after them (dir as
 * a full path). */
void config_set_value(const char *name, const char *value);

/* The command line: a config file first if CONFIG_GROUP_FILE is offered,
 * then --name value ... options; --help prints the offered ones. */
enum config_args_result config_from_args(int argc, char **argv, const char *program, char *err);

/* One parameter, by name (case-insensitive), if this stage offers it. */
const config_param *config_find(const char *name, size_t len);
const char *config_name(const config_param *p);
bool config_is_mutable(const config_param *p);
bool config_is_protected(const config_param *p);
void config_format(const config_param *p, buf *out);    /* its value, as CONFIG GET shows it */
/* CONFIG SET: config_check() every pair first, then config_apply() them,
 * so a bad pair changes nothing. Both return NULL or Redis's reason. */
const char *config_check(const config_param *p, const char *value, size_t len);
const char *config_apply(const config_param *p, const char *value, size_t len);
/* ... and once all are applied, what waits for all of them. */
void config_settle(const config_param *const *params, int count);
/* Every offered parameter, in the table's order. */
void config_each(void (*fn)(const config_param *p, void *data), void *data);
size_t config_count(void);

#endif
