/* server: options, start-up, the housekeeping timer and shutdown (stage 1).
 *
 * Options are redis-server's: `--port 7000 --bind 127.0.0.1 ::1`. Each
 * "--name" starts an option and the words up to the next "--name" are its
 * values, which is how redis-server reads its command line too (it turns
 * it into config-file lines). Stage 6 reads a config file through the
 * same table. */
#include "server.h"

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

#include "client.h"
#include "command.h"
#include "expire.h"
#include "log.h"
#include "mem.h"
#include "net.h"
#include "num.h"
#include "reactor.h"
#include "resp.h"

#define SERVER_DEFAULT_PORT 6379
#define SERVER_BACKLOG 511          /* Redis's tcp-backlog */
#define SERVER_CRON_MS 100          /* hz 10 */
#define SERVER_REHASH_BUDGET_MS 1   /* per cron tick, like Redis's activerehashing */
#define SERVER_EXPIRE_BUDGET_US 25000   /* a quarter of each tick, like Redis's slow cycle */
#define SERVER_EXPIRE_FAST_US 1000      /* Redis's fast cycle: 1 ms ... */
#define SERVER_EXPIRE_FAST_MS 2         /* ... at most every 2 ms */
#define SERVER_MAX_CLIENTS 10000    /* Redis's default maxclients */
#define SERVER_RESERVED_FDS 32      /* Redis's CONFIG_MIN_RESERVED_FDS */
#define SERVER_DATABASES 16         /* Redis's default "databases" */

struct server server;

/* ---------------- The server lock (stage 6) ---------------- */

/* One mutex over everything the threads share: the keyspace, the
 * append-only file's buffer, the list of clients, the statistics. A
 * thread holds it while it runs the commands of one read, or the cron;
 * reading sockets, writing replies and waiting in epoll_wait() happen
 * without it, in parallel. So commands run one at a time, as in Redis:
 * an MSET is never seen half done, and INCR never loses a count. With
 * --threads 1 nobody ever waits for it. Workshop chapter 6 says what it
 * costs and how a sharded keyspace would go further. */
static pthread_mutex_t server_mutex = PTHREAD_MUTEX_INITIALIZER;

void server_lock(void)
{
    pthread_mutex_lock(&server_mutex);
}

void server_unlock(void)
{
    pthread_mutex_unlock(&server_mutex);
}

/* ---------------- Options ---------------- */

typedef int server_option_fn(server_config *config, int argc, char **argv, char *err);

typedef struct server_option {
    const char *name;
    int min_args, max_args;     /* how many values it takes */
    server_option_fn *apply;
    const char *help;
    int since;                  /* the stage that brings it */
} server_option;

static int server_stage = 1;

/* A stage's main() calls this before server_start() with its own number,
 * so that stage 2 refuses --appendonly instead of silently ignoring it.
 * server_config_init() reads it too, for the defaults that change: stage
 * 6, the real server, logs to the append-only file unless told not to. */
void server_offer_options(int stage)
{
    server_stage = stage;
}

static int server_option_port(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    long long port;
    if (!num_parse_ll(argv[0], strlen(argv[0]), &port) || port < 1 || port > 65535) {
        snprintf(err, SERVER_ERR_LEN, "invalid value '%s' for --port: expected a port number from 1 to 65535", argv[0]);
        return -1;
    }
    config->port = (int)port;
    return 0;
}

static void server_config_clear_bind(server_config *config)
{
    for (int i = 0; i < config->bind_count; i++)
        mem_free(config->bind[i]);
    config->bind_count = 0;
}

static int server_option_bind(server_config *config, int argc, char **argv, char *err)
{
    (void)err;
    server_config_clear_bind(config);
    for (int i = 0; i < argc; i++)
        config->bind[config->bind_count++] = mem_strdup(argv[i]);
    return 0;
}

static int server_option_yes_no(const char *name, const char *value, bool *out, char *err)
{
    if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "no") == 0) {
        *out = strcasecmp(value, "yes") == 0;
        return 0;
    }
    snprintf(err, SERVER_ERR_LEN, "invalid value '%s' for --%s: expected yes or no", value, name);
    return -1;
}

static int server_option_appendonly(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    return server_option_yes_no("appendonly", argv[0], &config->aof.enabled, err);
}

static int server_option_appendfsync(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    if (aof_fsync_parse(argv[0], strlen(argv[0]), &config->aof.fsync))
        return 0;
    snprintf(err, SERVER_ERR_LEN, "invalid value '%s' for --appendfsync: expected always, everysec or no", argv[0]);
    return -1;
}

static int server_option_appendfilename(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    if (argv[0][0] == '\0' || strchr(argv[0], '/') != NULL) {
        snprintf(err, SERVER_ERR_LEN, "appendfilename can't be a path, just a filename");
        return -1;
    }
    mem_free(config->aof_filename);
    config->aof_filename = mem_strdup(argv[0]);
    config->aof.filename = config->aof_filename;
    return 0;
}

static int server_option_dir(server_config *config, int argc, char **argv, char *err)
{
    (void)argc, (void)err;
    mem_free(config->dir);
    config->dir = mem_strdup(argv[0]);
    return 0;
}

static int server_option_databases(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    long long n;
    if (!num_parse_ll(argv[0], strlen(argv[0]), &n) || n < 1 || n > 1000000) {
        snprintf(err, SERVER_ERR_LEN, "invalid value '%s' for --databases: expected a number from 1", argv[0]);
        return -1;
    }
    config->databases = (int)n;
    return 0;
}

static int server_option_requirepass(server_config *config, int argc, char **argv, char *err)
{
    (void)argc, (void)err;
    mem_free(config->requirepass);
    config->requirepass = argv[0][0] != '\0' ? mem_strdup(argv[0]) : NULL;   /* "" means none */
    config->requirepass_len = strlen(argv[0]);
    return 0;
}

static int server_option_number(const char *name, const char *value, long long min, long long max,
                                long long *out, char *err)
{
    long long n;
    if (!num_parse_ll(value, strlen(value), &n) || n < min || n > max) {
        snprintf(err, SERVER_ERR_LEN, "invalid value '%s' for --%s: expected a number from %lld to %lld", value,
                 name, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

static int server_option_maxclients(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    return server_option_number("maxclients", argv[0], 1, 4294967295LL, &config->maxclients, err);
}

static int server_option_timeout(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    return server_option_number("timeout", argv[0], 0, 2147483647LL, &config->timeout, err);
}

static int server_option_protected_mode(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    return server_option_yes_no("protected-mode", argv[0], &config->protected_mode, err);
}

static int server_option_threads(server_config *config, int argc, char **argv, char *err)
{
    (void)argc;
    long long n;
    if (server_option_number("threads", argv[0], 1, REACTOR_MAX, &n, err) == -1)
        return -1;
    config->threads = (int)n;
    return 0;
}

static int server_option_loglevel(server_config *config, int argc, char **argv, char *err)
{
    (void)argc, (void)config;
    static const char *const names[] = {"debug", "verbose", "notice", "warning"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(argv[0], names[i]) == 0) {
            log_set_level((enum log_level)i);
            return 0;
        }
    }
    snprintf(err, SERVER_ERR_LEN, "invalid value '%s' for --loglevel: expected debug, verbose, notice or warning",
             argv[0]);
    return -1;
}

static int server_option_logfile(server_config *config, int argc, char **argv, char *err)
{
    (void)argc, (void)config;
    if (log_set_file(argv[0]) == 0)
        return 0;
    snprintf(err, SERVER_ERR_LEN, "Can't open the log file %s: %s", argv[0], strerror(errno));
    return -1;
}

static const server_option server_options[] = {
    {"port", 1, 1, server_option_port, "--port N           TCP port to listen on (default 6379)", 1},
    {"bind", 1, SERVER_MAX_BIND, server_option_bind,
     "--bind ADDR ...    addresses to listen on (default 127.0.0.1 -::1;\n"
     "                   a leading '-' skips an address this host lacks)", 1},
    {"dir", 1, 1, server_option_dir, "--dir DIR          working directory, where the append-only file is", 5},
    {"appendonly", 1, 1, server_option_appendonly, "--appendonly yes|no     log every write to the append-only file (default no; yes in stage 6)", 5},
    {"appendfsync", 1, 1, server_option_appendfsync,
     "--appendfsync always|everysec|no   when to fsync the file (default everysec)", 5},
    {"appendfilename", 1, 1, server_option_appendfilename,
     "--appendfilename NAME   the file's name in --dir (default appendonly.aof)", 5},
    {"databases", 1, 1, server_option_databases, "--databases N      number of databases SELECT can pick (default 16)", 6},
    {"requirepass", 1, 1, server_option_requirepass,
     "--requirepass PASS clients must AUTH with PASS before any other command", 6},
    {"maxclients", 1, 1, server_option_maxclients, "--maxclients N     clients served at once (default 10000)", 6},
    {"timeout", 1, 1, server_option_timeout, "--timeout SECONDS  close clients idle that long (default 0: never)", 6},
    {"protected-mode", 1, 1, server_option_protected_mode,
     "--protected-mode yes|no  without a password, refuse clients that are not local (default yes)", 6},
    {"threads", 1, 1, server_option_threads,
     "--threads N        threads serving clients (default: one per core)", 6},
    {"loglevel", 1, 1, server_option_loglevel, "--loglevel debug|verbose|notice|warning", 6},
    {"logfile", 1, 1, server_option_logfile, "--logfile PATH     log there instead of stderr (\"\" for stderr)", 6},
    {NULL, 0, 0, NULL, NULL, 0},
};

/* The final server's default: one thread per core, at most REACTOR_MAX. */
static int server_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > REACTOR_MAX ? REACTOR_MAX : (int)n;
}

void server_config_init(server_config *config, const char *name)
{
    memset(config, 0, sizeof(*config));
    config->name = name;
    config->port = SERVER_DEFAULT_PORT;
    config->bind[config->bind_count++] = mem_strdup("127.0.0.1");
    config->bind[config->bind_count++] = mem_strdup("-::1");
    config->aof.enabled = server_stage >= 6;
    config->databases = SERVER_DATABASES;
    config->threads = server_stage >= 6 ? server_cores() : 1;
    config->maxclients = SERVER_MAX_CLIENTS;
    config->protected_mode = true;
    config->aof.fsync = AOF_FSYNC_EVERYSEC;
    config->aof_filename = mem_strdup("appendonly.aof");
    config->aof.filename = config->aof_filename;
}

void server_config_free(server_config *config)
{
    server_config_clear_bind(config);
    mem_free(config->dir);
    mem_free(config->aof_filename);
    mem_free(config->requirepass);
    mem_free(config->config_file);
    config->dir = config->aof_filename = config->requirepass = config->config_file = NULL;
}

static void server_print_help(const server_config *config)
{
    printf("Usage: %s [options]\n\n"
           "A Redis-compatible server built in the workshop (%s).\n\n"
           "Options, as redis-server takes them:\n",
           config->name, config->name);
    for (const server_option *opt = server_options; opt->name != NULL; opt++) {
        if (opt->since <= server_stage)
            printf("  %s\n", opt->help);
    }
    printf("  --help             show this help\n\n"
           "Example: %s --port 7000 --bind 127.0.0.1\n", config->name);
}

static const server_option *server_find_option(const char *name)
{
    for (const server_option *opt = server_options; opt->name != NULL; opt++) {
        if (strcasecmp(opt->name, name) == 0 && opt->since <= server_stage)
            return opt;
    }
    return NULL;
}

static bool server_is_option(const char *arg)
{
    return arg[0] == '-' && arg[1] == '-' && arg[2] != '\0';
}

/* Apply one "name value ..." directive of a config file. */
static int server_config_directive(server_config *config, int argc, char **argv, char *err)
{
    const server_option *opt = server_find_option(argv[0]);
    if (opt == NULL || argc - 1 < opt->min_args || argc - 1 > opt->max_args) {
        snprintf(err, SERVER_ERR_LEN, "Bad directive or wrong number of arguments");
        return -1;
    }
    return opt->apply(config, argc - 1, argv + 1, err);
}

/* A line split into words as redis-server splits it (quotes, escapes):
 * by the inline-command parser, which does exactly that. */
static int server_config_line(server_config *config, const char *line, size_t len, char *err)
{
    buf text = BUF_INIT;
    buf_append(&text, line, len);
    buf_append(&text, "\r\n", 2);
    resp_parser p;
    resp_parser_init(&p);
    int result = 0;
    if (resp_parse(&p, buf_data(&text), buf_length(&text)) != RESP_DONE) {
        snprintf(err, SERVER_ERR_LEN, "Unbalanced quotes in configuration line");
        result = -1;
    } else if (p.argc > 0) {
        char **argv = mem_alloc(sizeof(char *) * (size_t)p.argc);
        for (int i = 0; i < p.argc; i++)
            argv[i] = mem_strndup(p.argv[i], p.argvlen[i]);
        result = server_config_directive(config, p.argc, argv, err);
        for (int i = 0; i < p.argc; i++)
            mem_free(argv[i]);
        mem_free(argv);
    }
    resp_parser_free(&p);
    buf_free(&text);
    return result;
}

/* The config file: one directive per line, '#' starts a comment line. On
 * a bad line the error reads as redis-server's does. */
static int server_config_from_file(server_config *config, const char *path, char *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, SERVER_ERR_LEN, "Fatal error, can't open config file '%s': %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;          /* grown by getline: a line may be any length */
    size_t room = 0;
    int number = 0, result = 0;
    while (result == 0 && getline(&line, &room, f) != -1) {
        number++;
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        const char *start = line + strspn(line, " \t");
        if (*start == '\0' || *start == '#')
            continue;
        char why[SERVER_ERR_LEN];
        if (server_config_line(config, start, strlen(start), why) == -1) {
            snprintf(err, SERVER_ERR_LEN,
                     "\n*** FATAL CONFIG FILE ERROR (workshop %s) ***\nReading the configuration file, at line %d\n"
                     ">>> '%.200s'\n%.200s", config->name, number, start, why);
            result = -1;
        }
    }
    free(line);                 /* from getline, hence not mem_free */
    fclose(f);
    if (result == 0) {
        mem_free(config->config_file);
        config->config_file = mem_strdup(path);
    }
    return result;
}

enum server_args_result server_config_from_args(server_config *config, int argc, char **argv,
                                                char *err)
{
    /* Stage 6 reads redis-server's command line: a config file first, if
     * any, then options that override it. */
    if (server_stage >= 6 && argc > 1 && argv[1][0] != '-') {
        if (server_config_from_file(config, argv[1], err) == -1)
            return SERVER_ARGS_ERROR;
        argc--;
        argv++;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            server_print_help(config);
            return SERVER_ARGS_EXIT;
        }
        if (!server_is_option(argv[i])) {
            snprintf(err, SERVER_ERR_LEN, "unexpected argument '%s' (try --help)", argv[i]);
            return SERVER_ARGS_ERROR;
        }
        const server_option *opt = server_find_option(argv[i] + 2);
        if (opt == NULL) {
            snprintf(err, SERVER_ERR_LEN, "unknown option '%s' (try --help)", argv[i]);
            return SERVER_ARGS_ERROR;
        }
        int values = 0;
        while (i + 1 + values < argc && !server_is_option(argv[i + 1 + values]))
            values++;
        if (values < opt->min_args || values > opt->max_args) {
            snprintf(err, SERVER_ERR_LEN, "wrong number of values for '%s' (try --help)", argv[i]);
            return SERVER_ARGS_ERROR;
        }
        if (opt->apply(config, values, argv + i + 1, err) == -1)
            return SERVER_ARGS_ERROR;
        i += values;
    }
    return SERVER_ARGS_OK;
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

static int server_listen(const server_config *config, char *err)
{
    for (int i = 0; i < config->bind_count; i++) {
        const char *addr = config->bind[i];
        bool optional = addr[0] == '-';
        if (optional)
            addr++;
        char net_err[NET_ERR_LEN];
        int fd = net_listen_tcp(addr, config->port, SERVER_BACKLOG, net_err);
        if (fd == -1 && optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
            log_write(LOG_NOTICE, "Skipping %s: %s", addr, net_err);
            continue;
        }
        if (fd == -1 && errno == EADDRINUSE) {
            snprintf(err, SERVER_ERR_LEN,
                     "Port %d on %s is already in use (a system redis-server?); "
                     "pick another with --port N (make run PORT=N)", config->port, addr);
            return -1;
        }
        if (fd == -1) {
            snprintf(err, SERVER_ERR_LEN, "Could not listen on %s:%d: %s", addr, config->port, net_err);
            return -1;
        }
        server.listen_fds[server.listen_count++] = fd;
        loop_watch(server.loop, fd, LOOP_READABLE, client_accept, NULL);
    }
    if (server.listen_count == 0) {
        snprintf(err, SERVER_ERR_LEN, "No address to listen on");
        return -1;
    }
    return 0;
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
    server_lock();
    bool backlog = server_expire_all(SERVER_EXPIRE_FAST_US);
    if (!backlog)
        server.expire_fast_id = -1;
    server_unlock();
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
    server_lock();
    if (server.active_expiry)
        server_expire_slow();
    if (server.aof_started)
        aof_cron();
    if (server.config.timeout > 0)
        client_close_idle(server.config.timeout * 1000);
    long long start = loop_now_ms();
    for (int i = 0; i < server.db_count; i++) {
        db *d = server.dbs[i];
        db_maybe_shrink(d);
        while (db_is_rehashing(d) && loop_now_ms() - start < SERVER_REHASH_BUDGET_MS)
            db_rehash_steps(d, 100);
    }
    server_unlock();
    return SERVER_CRON_MS;
}

/* The other reactors' timer: each closes its own idle clients. */
static long long server_reactor_cron(loop *l, long long id, void *data)
{
    (void)l, (void)id, (void)data;
    server_lock();
    if (server.config.timeout > 0)
        client_close_idle(server.config.timeout * 1000);
    server_unlock();
    return SERVER_CRON_MS;
}

void server_enable_active_expiry(void)
{
    server.active_expiry = true;
}

/* Once per turn of each reactor's loop, after all its clients that were
 * ready have run their commands: their records go to the file first, then
 * their replies. One write (and, with `always`, one fsync) covers them
 * all, and whatever other threads had buffered too. */
static void server_before_sleep(loop *l, void *data)
{
    (void)l, (void)data;
    server_lock();
    aof_flush();
    long long durable = aof_sync_target();
    server_unlock();
    aof_sync_until(durable);
    client_write_pending();
}

bool server_enable_aof(int *exit_status)
{
    char err[AOF_ERR_LEN];
    if (!aof_start(server.dbs, server.db_count, &server.config.aof, err)) {
        log_write(LOG_WARNING, "%s", err);
        aof_stop();
        server_free();
        *exit_status = 1;
        return false;
    }
    server.aof_started = true;
    for (int i = 0; i < reactor_count(); i++)
        loop_set_before_sleep(reactor_loop(i), server_before_sleep, NULL);
    return true;
}

/* Like Redis, keep 32 descriptors spare for listeners and files, and
 * never serve more clients than the process may open: past that, accept()
 * would fail with EMFILE and leave the listener readable forever. */
size_t server_fit_max_clients(size_t wanted)
{
    struct rlimit limit;
    size_t max = wanted;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        limit.rlim_cur < max + SERVER_RESERVED_FDS) {
        /* Ask for more first, as Redis does: up to the hard limit. */
        rlim_t need = (rlim_t)(max + SERVER_RESERVED_FDS);
        struct rlimit raised = {need, limit.rlim_max};
        if (limit.rlim_max != RLIM_INFINITY && need > limit.rlim_max)
            raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
        if (limit.rlim_cur < max + SERVER_RESERVED_FDS)
            max = limit.rlim_cur > SERVER_RESERVED_FDS ? limit.rlim_cur - SERVER_RESERVED_FDS : 1;
    }
    if (max < wanted)
        log_write(LOG_WARNING, "The open files limit (%llu) allows only %zu of the %zu clients of maxclients",
                  (unsigned long long)limit.rlim_cur, max, wanted);
    return max;
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

int server_init(const server_config *config, char *err)
{
    memset(&server, 0, sizeof(server));
    server_tune_malloc();
    server.config = *config;
    server_seed_hash();
    log_write(LOG_NOTICE, "Workshop %s is starting, pid=%d", config->name, (int)getpid());
    server.loop = loop_create();
    if (server.loop == NULL) {
        snprintf(err, SERVER_ERR_LEN, "Could not create the event loop: %s", strerror(errno));
        return -1;
    }
    if (config->dir != NULL && chdir(config->dir) == -1) {
        snprintf(err, SERVER_ERR_LEN, "Can't chdir to '%s': %s", config->dir, strerror(errno));
        return -1;
    }
    server_setup_signals();     /* after the loop exists: the handler stops it */
    server.max_clients = server_fit_max_clients((size_t)config->maxclients);
    server.db_count = config->databases;
    server.dbs = mem_alloc(sizeof(db *) * (size_t)server.db_count);
    for (int i = 0; i < server.db_count; i++) {
        server.dbs[i] = db_create();
        server.dbs[i]->id = i;
    }
    char reactor_err[REACTOR_ERR_LEN];
    if (reactor_init(server.loop, config->threads, reactor_err) == -1) {
        snprintf(err, SERVER_ERR_LEN, "%s", reactor_err);
        return -1;
    }
    for (int i = 1; i < reactor_count(); i++)
        loop_add_timer(reactor_loop(i), SERVER_CRON_MS, server_reactor_cron, NULL);
    if (server_listen(config, err) == -1)
        return -1;
    server.cron_id = loop_add_timer(server.loop, SERVER_CRON_MS, server_cron, NULL);
    server.started_ms = loop_now_ms();
    server.expire_fast_id = -1;
    log_write(LOG_NOTICE, "Server initialized");
    return 0;
}

/* Options, then start-up. On false the process should exit with
 * *exit_status: 0 after --help, 1 after a bad option or a failed start
 * (the reason is already printed or logged). */
bool server_start(const char *name, int argc, char **argv, int *exit_status)
{
    server_config config;
    char err[SERVER_ERR_LEN];
    server_config_init(&config, name);
    enum server_args_result args = server_config_from_args(&config, argc, argv, err);
    if (args != SERVER_ARGS_OK) {
        if (args == SERVER_ARGS_ERROR)
            fprintf(stderr, "%s: %s\n", name, err);
        server_config_free(&config);
        *exit_status = args == SERVER_ARGS_ERROR ? 1 : 0;
        return false;
    }
    if (server_init(&config, err) == -1) {
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
    log_write(LOG_NOTICE, "%s is now ready to exit, bye bye...", server.config.name);
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
    server_config_free(&server.config);
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
    log_write(LOG_NOTICE, "Ready to accept connections tcp on port %d", server.config.port);
    loop_run(server.loop);
    server_shutdown();
    return 0;
}
