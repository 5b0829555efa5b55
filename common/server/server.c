/* server: the steps a stage turns on, start-up, the housekeeping timer
 * and shutdown (stage 1).
 *
 * server_start() reads the options (config.c), creates the loop and the
 * keyspaces and listens; server_run() serves until SIGINT or SIGTERM,
 * then stops cleanly. What a stage adds to stage 1 it asks for by name,
 * before server_start(): server_enable_active_expiry() (stage 3),
 * server_enable_aof() (stage 5), and stage 6's databases, security,
 * client limits, logging, threads and config file. */
#include "server/server.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "data/access.h"
#include "data/dict.h"
#include "data/expire.h"
#include "io/net.h"
#include "io/reactor.h"
#include "io/resp.h"
#include "persist/aof.h"
#include "server/admission.h"
#include "server/client.h"
#include "server/command.h"
#include "server/evict.h"
#include "server/lock.h"
#include "server/blocking.h"
#include "server/multi.h"
#include "server/notify.h"
#include "server/outbox.h"
#include "server/pubsub.h"
#include "server/replay.h"
#include "server/serve.h"
#include "server/watch.h"

#define SERVER_BACKLOG 511          /* Redis's tcp-backlog */
#define SERVER_CRON_MS 100          /* hz 10 */
#define SERVER_REHASH_BUDGET_MS 1   /* per cron tick, like Redis's activerehashing */
#define SERVER_EXPIRE_BUDGET_US 25000   /* a quarter of each tick, like Redis's slow cycle */
#define SERVER_EXPIRE_FAST_US 1000      /* Redis's fast cycle: 1 ms ... */
#define SERVER_EXPIRE_FAST_MS 2         /* ... at most every 2 ms */

struct server server;

/* ---------------- The steps a stage turns on ---------------- */

void server_enable_active_expiry(void)
{
    server.active_expiry = true;
}

static bool server_aof_on_by_default;

void server_enable_aof(bool on_by_default)
{
    server_aof_on_by_default = on_by_default;
    config_offer(CONFIG_GROUP_AOF);
}

void server_enable_databases(void)
{
    config_offer(CONFIG_GROUP_DATABASES);
}

void server_enable_security(void)
{
    config_offer(CONFIG_GROUP_SECURITY);
}

void server_enable_client_limits(void)
{
    config_offer(CONFIG_GROUP_LIMITS);
}

void server_enable_logging(void)
{
    config_offer(CONFIG_GROUP_LOGGING);
}

void server_enable_threads(void)
{
    config_offer(CONFIG_GROUP_THREADS);
}

/* The defaults a stage's steps change: the final server logs to the
 * append-only file unless told not to, and serves from one thread per
 * core (at most REACTOR_MAX). */
static void server_stage_defaults(void)
{
    if (server_aof_on_by_default)
        config_set_value("appendonly", "yes");
    if (config_offered(CONFIG_GROUP_THREADS)) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        char cores[32];
        snprintf(cores, sizeof(cores), "%ld", n < 1 ? 1 : n > REACTOR_MAX ? REACTOR_MAX : n);
        config_set_value("threads", cores);
    }
}

void server_enable_config_file(void)
{
    config_offer(CONFIG_GROUP_FILE);
}

void server_enable_memory_limit(void)
{
    config_offer(CONFIG_GROUP_MEMORY);
    server.memory_limit = true;
}

/* ---------------- Start-up ---------------- */

static void server_on_signal(int sig)
{
    server.shutdown_signal = sig;
    loop_stop(server.loop);     /* installed only once the loop exists */
}

static void server_setup_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = server_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A client that hangs up while we write would otherwise kill us. */
    signal(SIGPIPE, SIG_IGN);
}

/* The hash secret: unpredictable, so keys cannot be chosen to collide. */
static void server_seed_hash(void)
{
    uint8_t seed[16];
    if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
        long long t = (long long)time(NULL) ^ (long long)getpid();
        memcpy(seed, &t, sizeof(t));
        memcpy(seed + 8, &t, sizeof(t));
    }
    dict_seed(seed);
}

static int server_listen(char *err)
{
    int port = (int)config.port;
    for (int i = 0; i < config.bind.count; i++) {
        const char *addr = config.bind.items[i];
        bool optional = addr[0] == '-';
        if (optional)
            addr++;
        char net_err[NET_ERR_LEN];
        int fd = net_listen_tcp(addr, port, SERVER_BACKLOG, net_err);
        if (fd == -1 && optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
            log_write(LOG_NOTICE, "Skipping %s: %s", addr, net_err);
            continue;
        }
        if (fd == -1 && errno == EADDRINUSE) {
            snprintf(err, SERVER_ERR_LEN,
                     "Port %d on %s is already in use (a system redis-server?); "
                     "pick another with --port N (make run PORT=N)", port, addr);
            return -1;
        }
        if (fd == -1) {
            snprintf(err, SERVER_ERR_LEN, "Could not listen on %s:%d: %s", addr, port, net_err);
            return -1;
        }
        server.listen_fds[server.listen_count++] = fd;
        /* New clients start in database 0. */
        loop_watch(server.loop, fd, LOOP_READABLE, serve_accept, server.dbs[0]);
    }
    if (server.listen_count == 0) {
        snprintf(err, SERVER_ERR_LEN, "No address to listen on");
        return -1;
    }
    return 0;
}

/* What goes with a client besides its socket and buffers (Part II): its
 * transaction, the keys it waits on, its subscriptions, its place on a
 * wake list. */
static void server_forget_client(client *c)
{
    multi_forget(c);
    blocking_forget(c);
    pubsub_forget(c);
    outbox_forget(c);
}

/* Part II, pub/sub: a RESP2 client with a subscription is in the
 * subscribed mode, where a reply could not be told from a message: only
 * the commands marked for it run. */
static bool server_allowed_here(const client *c, const command *cmd)
{
    return c->resp != 2 || (cmd->flags & COMMAND_SUBSCRIBED_OK) || !pubsub_subscribed(c);
}

/* A key that expired is logged as DEL (stage 5) and, when asked for, is
 * a keyspace event (Part II). */
static void server_on_expired(int db_id, const char *key, size_t len)
{
    aof_feed_expired(db_id, key, len);
    notify_keyspace_event(NOTIFY_EXPIRED, "expired", key, len, db_id);
}

/* Part II, keyspace notifications: a key a database gains is a "new"
 * event, a read that finds no key a "keymiss"; neither is in "A", so both
 * are usually off, and then each costs a call and one test. */
static void server_on_new_key(db *d, const char *key, size_t len)
{
    notify_keyspace_event(NOTIFY_NEW, "new", key, len, d->id);
}

static void server_on_key_miss(db *d, const char *key, size_t len)
{
    notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", key, len, d->id);
}

/* Run the expiry cycle over every database within one budget, starting
 * each time after the database where the last run stopped, so that one
 * busy database cannot starve the others. True if time ran out. */
static bool server_expire_all(long long budget_us)
{
    static int next_db;
    long long start = loop_now_ms();
    for (int n = 0; n < server.db_count; n++) {
        int i = (next_db + n) % server.db_count;
        long long spent_us = (loop_now_ms() - start) * 1000;
        if (spent_us >= budget_us || expire_cycle(server.dbs[i], budget_us - spent_us).out_of_time) {
            next_db = i;
            return true;
        }
    }
    return false;
}

/* While the slow cycle runs out of time, there is a backlog of dead keys:
 * short extra cycles between events clear it sooner, each too short for a
 * client to notice. */
static long long server_expire_fast(loop *l, long long id, void *data)
{
    (void)l, (void)id, (void)data;
    lock_acquire();
    bool backlog = server_expire_all(SERVER_EXPIRE_FAST_US);
    if (!backlog)
        server.expire_fast_id = -1;
    lock_release();
    return backlog ? SERVER_EXPIRE_FAST_MS : LOOP_TIMER_DONE;
}

static void server_expire_slow(void)
{
    bool out_of_time = server_expire_all(SERVER_EXPIRE_BUDGET_US);
    if (out_of_time && server.expire_fast_id == -1)
        server.expire_fast_id = loop_add_timer(server.loop, SERVER_EXPIRE_FAST_MS, server_expire_fast, NULL);
}

/* Housekeeping, ten times a second: delete expired keys nobody asks for
 * (stage 3), and finish growing the keyspace's tables when the server is
 * idle (lookups alone would take forever then); stage 5 adds the
 * append-only file's once-a-second fsync and the end of a rewrite. */
static long long server_cron(loop *l, long long id, void *data)
{
    (void)l, (void)id, (void)data;
    lock_acquire();
    access_set_clock(db_now_ms());      /* what LRU and LFU read (Part II) */
    if (server.active_expiry)
        server_expire_slow();
    if (server.aof_started)
        aof_cron();
    if (config.timeout > 0)
        client_close_idle(config.timeout * 1000);
    long long start = loop_now_ms();
    for (int i = 0; i < server.db_count; i++) {
        db *d = server.dbs[i];
        db_maybe_shrink(d);
        while (db_is_rehashing(d) && loop_now_ms() - start < SERVER_REHASH_BUDGET_MS)
            db_rehash_steps(d, 100);
    }
    lock_release();
    return SERVER_CRON_MS;
}

/* The other reactors' timer: each closes its own idle clients. */
static long long server_reactor_cron(loop *l, long long id, void *data)
{
    (void)l, (void)id, (void)data;
    lock_acquire();
    if (config.timeout > 0)
        client_close_idle(config.timeout * 1000);
    lock_release();
    return SERVER_CRON_MS;
}

/* Once per turn of each reactor's loop, after all its clients that were
 * ready have run their commands: their records go to the file first, then
 * their replies. One write (and, with `always`, one fsync) covers them
 * all, and whatever other threads had buffered too. */
static void server_before_sleep(loop *l, void *data)
{
    (void)l, (void)data;
    lock_acquire();
    aof_flush();
    long long durable = aof_sync_target();
    lock_release();
    aof_sync_until(durable);
    client_write_pending();
}

static aof_config server_aof_config(void)
{
    aof_config c = {config.appendonly, (enum aof_fsync)config.appendfsync, config.appendfilename.text};
    return c;
}

/* Replay the file through the dispatcher, then log every change: the
 * commands' records go to aof_feed(), and a write is refused while the
 * file cannot be written (MISCONF). */
bool server_replay_aof(int *exit_status)
{
    char err[AOF_ERR_LEN];
    aof_config aof = server_aof_config();
    replay r;
    replay_init(&r);
    bool ok = aof_start(server.dbs, server.db_count, &aof, replay_command, &r, err);
    replay_free(&r);
    if (!ok) {
        log_write(LOG_WARNING, "%s", err);
        aof_stop();                 /* the fsync thread may be running already */
        server_free();
        *exit_status = 1;
        return false;
    }
    command_reset_stats();          /* the replay is not the clients' traffic */
    for (int i = 0; i < server.db_count; i++)
        server.dbs[i]->on_expired = server_on_expired;
    command_set_propagate(aof_feed);
    command_set_write_guard(aof_write_refusal);
    server.aof_started = true;
    for (int i = 0; i < reactor_count(); i++)
        loop_set_before_sleep(reactor_loop(i), server_before_sleep, NULL);
    return true;
}

/* glibc keeps small freed blocks in "fast bins" without merging them, and
 * merges them all at once the next time a large block is freed or asked
 * for. After a million keys expire, that one merge took a third of a
 * second during which no client was served (measured: see workshop.md
 * chapter 3). Without fast bins, freed blocks are merged as they come. */
static void server_tune_malloc(void)
{
    mallopt(M_MXFAST, 0);
}

/* Logging first, so that everything after is logged where asked. */
static int server_init_log(char *err)
{
    log_set_level((enum log_level)config.loglevel);
    if (log_set_file(config.logfile.text) == -1) {
        snprintf(err, SERVER_ERR_LEN, "Can't open the log file %s: %s", config.logfile.text, strerror(errno));
        return -1;
    }
    return 0;
}

/* The working directory, where the AOF lives: CONFIG GET dir shows it
 * as a full path, as Redis does. */
static int server_init_dir(char *err)
{
    if (config.dir.len > 0 && chdir(config.dir.text) == -1) {
        snprintf(err, SERVER_ERR_LEN, "Can't chdir to '%s': %s", config.dir.text, strerror(errno));
        return -1;
    }
    char path[4096];
    if (getcwd(path, sizeof(path)) != NULL)
        config_set_value("dir", path);
    return 0;
}

static int server_init(char *err)
{
    server_tune_malloc();
    server_seed_hash();
    if (server_init_log(err) == -1)
        return -1;
    log_write(LOG_NOTICE, "Workshop %s is starting, pid=%d", server.name, (int)getpid());
    server.loop = loop_create();
    if (server.loop == NULL) {
        snprintf(err, SERVER_ERR_LEN, "Could not create the event loop: %s", strerror(errno));
        return -1;
    }
    if (server_init_dir(err) == -1)
        return -1;
    server_setup_signals();     /* after the loop exists: the handler stops it */
    config.maxclients = (long long)admission_fit_max_clients((size_t)config.maxclients);
    server.db_count = (int)config.databases;
    server.dbs = mem_alloc(sizeof(db *) * (size_t)server.db_count);
    for (int i = 0; i < server.db_count; i++) {
        server.dbs[i] = db_create();
        server.dbs[i]->id = i;
    }
    /* Every change to a key is a change for WATCH (Part II); while nobody
     * watches anything, the hook costs one comparison. */
    db_set_touch_hooks(watch_touch, watch_touch_all);
    client_set_forget_hook(server_forget_client);
    /* Part II: a value put at a key may serve clients blocked on it, and
     * a client woken by another thread's command goes on with its own. */
    db_set_added_hook(blocking_key_added);
    outbox_set_wake_hook(serve_on_wake);
    command_set_after_hook(blocking_serve_ready);
    command_set_context_check(server_allowed_here);
    db_set_notify_hooks(server_on_new_key, server_on_key_miss);
    access_set_clock(db_now_ms());      /* keys loaded from the AOF were used now */
    resp_set_max_bulk(config.proto_max_bulk_len);
    char reactor_err[REACTOR_ERR_LEN];
    if (reactor_init(server.loop, (int)config.threads, reactor_err) == -1) {
        snprintf(err, SERVER_ERR_LEN, "%s", reactor_err);
        return -1;
    }
    for (int i = 1; i < reactor_count(); i++)
        loop_add_timer(reactor_loop(i), SERVER_CRON_MS, server_reactor_cron, NULL);
    if (server_listen(err) == -1)
        return -1;
    server.cron_id = loop_add_timer(server.loop, SERVER_CRON_MS, server_cron, NULL);
    server.started_ms = loop_now_ms();
    server.expire_fast_id = -1;
    log_write(LOG_NOTICE, "Server initialized");
    return 0;
}

bool server_start(const char *name, int argc, char **argv, int *exit_status)
{
    char err[CONFIG_ERR_LEN > SERVER_ERR_LEN ? CONFIG_ERR_LEN : SERVER_ERR_LEN];
    server.name = name;
    config_init();
    server_stage_defaults();
    enum config_args_result args = config_from_args(argc, argv, name, err);
    if (args != CONFIG_ARGS_OK) {
        if (args == CONFIG_ARGS_ERROR)
            fprintf(stderr, "%s: %s\n", name, err);
        config_free();
        *exit_status = args == CONFIG_ARGS_ERROR ? 1 : 0;
        return false;
    }
    if (server_init(err) == -1) {
        log_write(LOG_WARNING, "%s", err);
        *exit_status = 1;
        return false;
    }
    return true;
}

/* ---------------- Running and stopping ---------------- */

static void server_shutdown(void)
{
    const char *name = server.shutdown_signal == SIGINT ? "SIGINT" : "SIGTERM";
    log_write(LOG_WARNING, "Received %s scheduling shutdown...", name);
    log_write(LOG_NOTICE, "User requested shutdown...");
    /* From here the loop is going away: a second signal simply ends the
     * process, as a second Ctrl-C does with Redis. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    reactor_stop();                 /* from here this is the only thread */
    if (server.aof_started)
        aof_flush();                /* what clients were told is done */
    server_free();
    log_write(LOG_NOTICE, "%s is now ready to exit, bye bye...", server.name);
}

/* Everything the server holds, freed, so valgrind sees no leak. */
void server_free(void)
{
    reactor_stop();
    client_free_all();
    if (server.aof_started)
        aof_stop();
    server.aof_started = false;
    for (int i = 0; i < server.listen_count; i++)
        close(server.listen_fds[i]);
    server.listen_count = 0;
    for (int i = 0; i < server.db_count; i++)
        db_destroy(server.dbs[i]);
    mem_free(server.dbs);
    server.dbs = NULL;
    server.db_count = 0;
    reactor_free();
    loop_destroy(server.loop);
    server.loop = NULL;
    command_unregister_all();
    command_set_propagate(NULL);
    command_set_write_guard(NULL);
    command_set_memory_guard(NULL);
    command_set_after_hook(NULL);
    command_set_context_check(NULL);
    evict_free_pool();
    db_set_touch_hooks(NULL, NULL);
    db_set_notify_hooks(NULL, NULL);
    client_set_forget_hook(NULL);
    config_free();
}

int server_run(void)
{
    char err[REACTOR_ERR_LEN];
    if (reactor_run_threads(err) == -1) {
        log_write(LOG_WARNING, "%s", err);
        server_free();
        return 1;
    }
    if (reactor_count() > 1)
        log_write(LOG_NOTICE, "Serving clients from %d threads", reactor_count());
    if (server.memory_limit) {
        /* After the replay: loading a file never evicts, as in Redis. */
        evict_settings settings = {config.maxmemory, config.maxmemory_policy, config.maxmemory_samples,
                                   config.lfu_log_factor, config.lfu_decay_time};
        evict_init(server.dbs, server.db_count);
        evict_configure(&settings);     /* and asks before each command, with a limit */
    }
    log_write(LOG_NOTICE, "Ready to accept connections tcp on port %lld", config.port);
    loop_run(server.loop);
    server_shutdown();
    return 0;
}
