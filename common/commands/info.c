/* INFO: the server describes itself in "field:value" lines (stage 3).
 *
 * Stage 3 is where memory starts to come back on its own (the active
 * expiry cycle), so this is where a learner first needs to see it:
 * `INFO memory` shows used_memory, the bytes the server has allocated, and
 * `INFO keyspace` how many keys have a TTL. Stage 6 adds the sections real
 * clients read. The format is Redis's: sections headed "# Name", lines
 * ending in CRLF, a blank line between sections, all in one bulk string. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "commands/commands.h"
#include "persist/aof.h"
#include "base/buf.h"
#include "server/blocking.h"
#include "server/client.h"
#include "base/mem.h"
#include "server/pubsub.h"
#include "server/reply.h"
#include "server/admission.h"
#include "server/config.h"
#include "server/evict.h"
#include "server/server.h"

#define INFO_VERSION "7.0.15"       /* the Redis whose behaviour we match */

static void info_line(buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void info_line(buf *out, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(line))
        n = sizeof(line) - 1;
    buf_append(out, line, (size_t)n);
    buf_append(out, "\r\n", 2);
}

static void info_server(buf *out)
{
    struct utsname os;
    uname(&os);
    long long uptime = (loop_now_ms() - server.started_ms) / 1000;
    info_line(out, "# Server");
    info_line(out, "redis_version:%s", INFO_VERSION);
    info_line(out, "redis_git_sha1:00000000");
    info_line(out, "redis_mode:standalone");
    info_line(out, "workshop_stage:%s", server.name);
    info_line(out, "os:%s %s %s", os.sysname, os.release, os.machine);
    info_line(out, "arch_bits:%d", (int)(sizeof(void *) * 8));
    info_line(out, "multiplexing_api:epoll");
    info_line(out, "process_id:%d", (int)getpid());
    info_line(out, "tcp_port:%lld", config.port);
    info_line(out, "uptime_in_seconds:%lld", uptime);
    info_line(out, "uptime_in_days:%lld", uptime / 86400);
    info_line(out, "hz:10");
    info_line(out, "config_file:%s", config.config_file != NULL ? config.config_file : "");
}

static void info_clients(buf *out)
{
    info_line(out, "# Clients");
    info_line(out, "connected_clients:%zu", client_count());
    info_line(out, "maxclients:%lld", config.maxclients);
    info_line(out, "blocked_clients:%zu", blocking_count());    /* Part II: blocking commands */
}

/* 1.23M, as Redis prints used_memory_human. */
static void info_human(char *text, size_t size, size_t bytes)
{
    static const char units[] = "BKMGT";
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        unit++;
    }
    if (unit == 0)
        snprintf(text, size, "%zuB", bytes);
    else
        snprintf(text, size, "%.2f%c", value, units[unit]);
}

static void info_memory(buf *out)
{
    char human[32];
    info_human(human, sizeof(human), mem_used());
    info_line(out, "# Memory");
    info_line(out, "used_memory:%zu", mem_used());
    info_line(out, "used_memory_human:%s", human);
    info_human(human, sizeof(human), (size_t)config.maxmemory);
    info_line(out, "maxmemory:%lld", config.maxmemory);      /* Part II: memory limit */
    info_line(out, "maxmemory_human:%s", human);
    info_line(out, "maxmemory_policy:%s", evict_policy_name());
    info_line(out, "mem_allocator:libc");
}

static void info_stats(buf *out)
{
    db_stats keys = db_get_stats();
    info_line(out, "# Stats");
    info_line(out, "total_connections_received:%lld", admission_connections());
    info_line(out, "total_commands_processed:%lld", command_calls());
    info_line(out, "rejected_connections:%lld", admission_rejections());
    info_line(out, "expired_keys:%lld", keys.expired);
    info_line(out, "evicted_keys:%lld", evict_count());     /* Part II: memory limit */
    info_line(out, "keyspace_hits:%lld", keys.hits);
    info_line(out, "keyspace_misses:%lld", keys.misses);
    info_line(out, "pubsub_channels:%zu", pubsub_total(PUBSUB_CHANNEL));    /* Part II: pub/sub */
    info_line(out, "pubsub_patterns:%zu", pubsub_total(PUBSUB_PATTERN));
    info_line(out, "pubsubshard_channels:%zu", pubsub_total(PUBSUB_SHARD));
}

/* CPU time of the whole process (all its threads) and of its children
 * (the AOF rewrite), in seconds, as Redis prints it. */
static double info_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void info_cpu(buf *out)
{
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    info_line(out, "# CPU");
    info_line(out, "used_cpu_sys:%.6f", info_seconds(self.ru_stime));
    info_line(out, "used_cpu_user:%.6f", info_seconds(self.ru_utime));
    info_line(out, "used_cpu_sys_children:%.6f", info_seconds(children.ru_stime));
    info_line(out, "used_cpu_user_children:%.6f", info_seconds(children.ru_utime));
}

static void info_persistence(buf *out)
{
    info_line(out, "# Persistence");
    info_line(out, "loading:0");        /* the file is replayed before clients are let in */
    aof_info(out);
}

static void info_keyspace(buf *out)
{
    info_line(out, "# Keyspace");
    for (int i = 0; i < server.db_count; i++) {
        db *d = server.dbs[i];
        if (db_size(d) > 0)
            info_line(out, "db%d:keys=%zu,expires=%zu,avg_ttl=0", i, db_size(d), db_expires_size(d));
    }
}

typedef struct info_section {
    const char *name;
    void (*write)(buf *out);
} info_section;

static const info_section info_sections[] = {
    {"server", info_server},
    {"clients", info_clients},
    {"memory", info_memory},
    {"persistence", info_persistence},
    {"stats", info_stats},
    {"cpu", info_cpu},
    {"keyspace", info_keyspace},
    {NULL, NULL},
};

/* Was `name` asked for? No argument, "all", "default" and "everything"
 * ask for every section. */
static bool info_wanted(client *c, const char *name)
{
    if (c->argc == 1)
        return true;
    for (int i = 1; i < c->argc; i++) {
        if (command_arg_is(c, i, name) || command_arg_is(c, i, "all") ||
            command_arg_is(c, i, "default") || command_arg_is(c, i, "everything"))
            return true;
    }
    return false;
}

/* INFO [section ...] */
static void cmd_info(client *c)
{
    buf out = BUF_INIT;
    for (const info_section *s = info_sections; s->name != NULL; s++) {
        if (!info_wanted(c, s->name))
            continue;
        if (buf_length(&out) > 0)
            buf_append(&out, "\r\n", 2);
        s->write(&out);
    }
    reply_verbatim(c, buf_data(&out), buf_length(&out));
    buf_free(&out);
}

const command info_commands[] = {
    {"info", cmd_info, -1, 0, 0, 0, 0, "server",
     "Returns information and statistics about the server.", NULL},
    {NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL},
};
