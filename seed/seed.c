/* seed: the first workshop server's command line, kept working (stage 6).
 *
 * Before this C workshop there was a small Python server, and its short
 * options live on in people's shell histories:
 *
 *     stage6 -p 8888              echo every byte back on port 8888
 *     stage6 -p 8888-9000         ... on each port of the range
 *     stage6 -l udp -p 8889       echo each datagram back to its sender
 *     stage6 -p 8890 -x true      echo, and hexdump -C what arrives to the log
 *     stage6 -p 8891 -e true      run the command line a client sends
 *     stage6 -p 8001 -i I         the Redis server on port 8001
 *
 * This file is the command line only: which argv is the seed's, reading
 * its options, --help, and the dispatch. -i and --help hand the Redis
 * server a command line of its own; every other mode is run by the
 * seed's own tiny server. Its modules, each including only those below
 * it (`make layers` checks that no two of them need each other):
 *
 *     seed.c          the command line: options, --help, -i, dispatch
 *     seed_server.c   the process: event loop, listeners, signals, shutdown
 *     seed_echo.c     TCP clients' bytes and UDP datagrams, echoed back
 *     seed_exec.c     -e: a client's command line run, fenced in
 *     seed_client.c   a TCP connection, as both modes serve it
 *     seed_state.c    the state they share (seed_state.h)
 *     seed_fences.c, seed_options.h, hexdump.c: pure pieces, unit-tested
 *
 * The seed bound every interface ('') and had no option to choose one;
 * here every mode listens on 127.0.0.1 only, like the Redis server's
 * default, and there is no option to change that. */
#include "seed.h"

#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "base/num.h"
#include "seed_server.h"

#define SEED_DEFAULT_PORT 8001      /* the seed's default for -p */
#define SEED_MAX_REDIS_ARGS 64      /* -i: options handed on to the Redis server */

#define SEED_EXEC_ALLOW "date,echo,uname,whoami,ls"
#define SEED_EXEC_TIME_LIMIT_MS 5000
#define SEED_EXEC_TIME_LIMIT_MAX (24LL * 3600 * 1000)
#define SEED_EXEC_MAX_OUTPUT (64 * 1024)
#define SEED_EXEC_MAX_OUTPUT_MAX (64LL * 1024 * 1024)

/* ---------------- Options ----------------
 *
 * The seed's options each take a value (`-x true`, `-i I`), as its Python
 * option parser required. The exec fences are new long options. With -i,
 * redis-server style options may come along (`-p 8001 -i I --appendonly
 * no`) and are handed to the Redis server. */

static bool seed_is_short_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0' && strchr("plxei", arg[1]) != NULL && arg[2] == '\0';
}

static bool seed_is_long_option(const char *arg)
{
    return arg[0] == '-' && arg[1] == '-' && arg[2] != '\0';
}

static bool seed_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* --help or -h anywhere: the seed's options come first in the help. */
static bool seed_asks_for_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (seed_is_help(argv[i]))
            return true;
    }
    return false;
}

bool seed_is_command_line(int argc, char **argv)
{
    return seed_asks_for_help(argc, argv) ||
           (argc > 1 && (seed_is_short_option(argv[1]) || strncmp(argv[1], "--exec-", 7) == 0));
}

/* -x and -e: true or false in the usual spellings. The Python seed took
 * any word as "on", -x false included; here a false word means off. */
static int seed_parse_bool(const char *option, const char *value, bool *out, char *err)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(value, yes[i]) == 0 || strcasecmp(value, no[i]) == 0) {
            *out = strcasecmp(value, yes[i]) == 0;
            return 0;
        }
    }
    snprintf(err, SEED_ERR_LEN, "invalid value '%s' for %s: expected true or false", value, option);
    return -1;
}

static bool seed_parse_port(const char *text, size_t len, int *port)
{
    if (len == 0 || len > 5)
        return false;
    int value = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + (text[i] - '0');
    }
    if (value < 1 || value > 65535)
        return false;
    *port = value;
    return true;
}

int seed_parse_ports(const char *text, int *first, int *last, char *err)
{
    const char *dash = strchr(text, '-');
    size_t first_len = dash ? (size_t)(dash - text) : strlen(text);
    if (!seed_parse_port(text, first_len, first) ||
        !seed_parse_port(dash ? dash + 1 : text, dash ? strlen(dash + 1) : first_len, last)) {
        snprintf(err, SEED_ERR_LEN,
                 "invalid value '%s' for -p: expected a port (8888) or a range (8888-9000) of ports 1 to 65535",
                 text);
        return -1;
    }
    if (*first > *last) {
        snprintf(err, SEED_ERR_LEN, "invalid range '%s' for -p: the first port is above the last", text);
        return -1;
    }
    /* Each port is a descriptor, and the process may only open so many
     * (1024 by default): a bigger range would leave none for clients. */
    if (*last - *first + 1 > SEED_MAX_PORTS) {
        snprintf(err, SEED_ERR_LEN, "range '%s' for -p holds %d ports: at most %d", text,
                 *last - *first + 1, SEED_MAX_PORTS);
        return -1;
    }
    return 0;
}

/* An allowlist entry is a program's name, never a path: a name is looked
 * up in SEED_EXEC_PATH (seed_exec.c) only, so "date" can't mean ./date or
 * /tmp/date. */
static int seed_check_allowlist(const char *list, char *err)
{
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        bool ok = len > 0 && !(len == 1 && p[0] == '.') && !(len == 2 && p[0] == '.' && p[1] == '.');
        for (size_t i = 0; ok && i < len; i++) {
            char ch = p[i];
            ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '_' || ch == '-' || ch == '+';
        }
        if (!ok) {
            snprintf(err, SEED_ERR_LEN,
                     "invalid value '%s' for --exec-allow: expected program names separated by commas "
                     "(letters, digits, . _ - +; no paths)", list);
            return -1;
        }
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

static int seed_parse_limit(const char *option, const char *value, long long max, long long *out, char *err)
{
    long long n;
    if (!num_parse_ll(value, strlen(value), &n) || n < 1 || n > max) {
        snprintf(err, SEED_ERR_LEN, "invalid value '%s' for %s: expected a number from 1 to %lld", value, option,
                 max);
        return -1;
    }
    *out = n;
    return 0;
}

static int seed_parse_exec_option(const char *option, const char *value, seed_options *o, char *err)
{
    o->exec_options_given = true;
    if (strcmp(option, "--exec-allow") == 0) {
        o->exec_allow = value;
        return seed_check_allowlist(value, err);
    }
    if (strcmp(option, "--exec-time-limit") == 0)
        return seed_parse_limit(option, value, SEED_EXEC_TIME_LIMIT_MAX, &o->exec_time_limit_ms, err);
    if (strcmp(option, "--exec-max-output") == 0)
        return seed_parse_limit(option, value, SEED_EXEC_MAX_OUTPUT_MAX, &o->exec_max_output, err);
    snprintf(err, SEED_ERR_LEN, "unknown option '%s' (try --help)", option);
    return -1;
}

static int seed_parse_short(char letter, const char *value, seed_options *o, char *err)
{
    switch (letter) {
    case 'p':
        return seed_parse_ports(value, &o->first_port, &o->last_port, err);
    case 'l':
        if (strcasecmp(value, "tcp") == 0 || strcasecmp(value, "udp") == 0) {
            o->udp = strcasecmp(value, "udp") == 0;
            return 0;
        }
        snprintf(err, SEED_ERR_LEN, "invalid value '%s' for -l: expected tcp or udp", value);
        return -1;
    case 'x':
        return seed_parse_bool("-x", value, &o->hexdump, err);
    case 'e':
        return seed_parse_bool("-e", value, &o->exec, err);
    default:    /* 'i': the seed documents "-i I"; any word but a false one */
        if (seed_parse_bool("-i", value, &o->redis, err) == -1)
            o->redis = true;
        return 0;
    }
}

/* The combinations that make no sense are refused here rather than one
 * of the options being quietly ignored. */
static int seed_check_combination(const seed_options *o, char *err)
{
    if (o->redis_argc > 0 && !o->redis) {
        snprintf(err, SEED_ERR_LEN,
                 "unknown option '%s' for the seed's modes: redis-server options go with -i I (try --help)",
                 o->redis_argv[0]);
        return -1;
    }
    if (o->redis && (o->udp || o->hexdump || o->exec)) {
        snprintf(err, SEED_ERR_LEN, "-i runs the Redis server: it does not combine with -l udp, -x or -e");
        return -1;
    }
    if (o->redis && o->first_port != o->last_port) {
        snprintf(err, SEED_ERR_LEN, "-i runs the Redis server on one port, not a range");
        return -1;
    }
    /* A UDP sender's address is whatever the datagram says it is, so over
     * UDP "only local clients" could not even be checked. */
    if (o->exec && o->udp) {
        snprintf(err, SEED_ERR_LEN, "-e runs commands for TCP clients only: drop -l udp");
        return -1;
    }
    if (o->exec_options_given && !o->exec) {
        snprintf(err, SEED_ERR_LEN, "--exec-allow, --exec-time-limit and --exec-max-output need -e true");
        return -1;
    }
    return 0;
}

int seed_parse_options(int argc, char **argv, seed_options *o, char *err)
{
    char **redis_argv = o->redis_argv;
    memset(o, 0, sizeof(*o));
    o->redis_argv = redis_argv;
    o->first_port = o->last_port = SEED_DEFAULT_PORT;
    o->exec_allow = SEED_EXEC_ALLOW;
    o->exec_time_limit_ms = SEED_EXEC_TIME_LIMIT_MS;
    o->exec_max_output = SEED_EXEC_MAX_OUTPUT;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool exec_option = strncmp(arg, "--exec-", 7) == 0;
        if (seed_is_short_option(arg) || exec_option) {
            if (i + 1 >= argc) {
                snprintf(err, SEED_ERR_LEN, "option '%s' needs a value (try --help)", arg);
                return -1;
            }
            const char *value = argv[++i];
            int rc = exec_option ? seed_parse_exec_option(arg, value, o, err)
                                 : seed_parse_short(arg[1], value, o, err);
            if (rc == -1)
                return -1;
        } else if (seed_is_long_option(arg)) {
            /* A redis-server option and its values, up to the next option
             * (as config_from_args() reads them): kept for -i, refused otherwise. */
            o->redis_argv[o->redis_argc++] = argv[i];
            while (i + 1 < argc && !seed_is_long_option(argv[i + 1]) && !seed_is_short_option(argv[i + 1]))
                o->redis_argv[o->redis_argc++] = argv[++i];
        } else {
            snprintf(err, SEED_ERR_LEN, "unexpected argument '%s' (try --help)", arg);
            return -1;
        }
    }
    return seed_check_combination(o, err);
}

/* ---------------- --help ---------------- */

static void seed_print_help(const char *name)
{
    printf("Usage: %s -p PORT[-LAST] [-l tcp|udp] [-x true] [-e true [--exec-... ]]\n"
           "       %s -p PORT -i I [redis-server options]\n"
           "       %s [redis-server options]\n\n"
           "The first workshop server's modes (listening on 127.0.0.1 only):\n"
           "  -p PORT|FIRST-LAST  echo every byte back on a port, or on each port of a\n"
           "                      range (ports in use are logged and skipped; default %d)\n"
           "  -l tcp|udp          the transport (default tcp); udp echoes each datagram\n"
           "  -x true             also write a hexdump -C of every chunk received to the log\n"
           "  -e true             run the command line a client sends and return its output:\n"
           "                      no shell, allowlisted programs only, loopback only\n"
           "  --exec-allow CMD,...        programs -e may run (default %s)\n"
           "  --exec-time-limit MS        kill a command after MS ms (default %d)\n"
           "  --exec-max-output BYTES     kill a command at BYTES of output (default %d)\n"
           "  -i I                the Redis server on port PORT (same as --port PORT)\n\n"
           "Examples: %s -p 8888-9000    %s -l udp -p 8889    %s -p 8001 -i I\n\n",
           name, name, name, SEED_DEFAULT_PORT, SEED_EXEC_ALLOW, SEED_EXEC_TIME_LIMIT_MS, SEED_EXEC_MAX_OUTPUT,
           name, name, name);
}

/* ---------------- Dispatch ----------------
 *
 * The Redis server reads its command line once, from main's argv: for -i
 * and --help the seed writes it a new one, in static storage that outlives
 * seed_main. */

static char *seed_redis_argv[SEED_MAX_REDIS_ARGS + 4];  /* argv[0] --port N, options, NULL */

/* --help: the seed's part here, then the Redis server prints its own. */
static enum seed_result seed_help(const char *name, int *argc, char ***argv)
{
    static char help[] = "--help";
    seed_print_help(name);
    fflush(stdout);
    seed_redis_argv[1] = help;
    seed_redis_argv[2] = NULL;
    *argc = 2;
    *argv = seed_redis_argv;
    return SEED_RUN_REDIS;
}

/* -p N -i I [options]: the Redis server, as "argv[0] --port N [options]". */
static enum seed_result seed_redis(const seed_options *o, int *argc, char ***argv)
{
    static char port_option[] = "--port", port_text[8];
    snprintf(port_text, sizeof(port_text), "%d", o->first_port);
    seed_redis_argv[1] = port_option;
    seed_redis_argv[2] = port_text;
    seed_redis_argv[3 + o->redis_argc] = NULL;
    *argc = 3 + o->redis_argc;
    *argv = seed_redis_argv;
    return SEED_RUN_REDIS;
}

enum seed_result seed_main(int *argc, char ***argv, int *exit_status)
{
    static char name[64];
    char **args = *argv;
    char *copy = mem_strdup(args[0]);
    snprintf(name, sizeof(name), "%s", basename(copy));
    mem_free(copy);
    seed_redis_argv[0] = args[0];
    if (seed_asks_for_help(*argc, args))
        return seed_help(name, argc, argv);

    seed_options opts;
    char err[SEED_ERR_LEN];
    if (*argc > SEED_MAX_REDIS_ARGS) {
        fprintf(stderr, "%s: too many arguments (at most %d)\n", name, SEED_MAX_REDIS_ARGS);
        *exit_status = 1;
        return SEED_EXIT;
    }
    opts.redis_argv = seed_redis_argv + 3;     /* room for argv[0] --port N before them */
    if (seed_parse_options(*argc, args, &opts, err) == -1) {
        fprintf(stderr, "%s: %s\n", name, err);
        *exit_status = 1;
        return SEED_EXIT;
    }
    if (opts.redis)
        return seed_redis(&opts, argc, argv);
    *exit_status = seed_run(&opts, name);
    return SEED_EXIT;
}
