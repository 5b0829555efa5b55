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
 * The echo modes are a second, tiny server built from stage 1's pieces:
 * listening sockets from net, the epoll loop from loop, buffers from buf.
 * Every socket is non-blocking and the loop serves every client at once;
 * a client that sends faster than it reads is paused, never buffered
 * without bound.
 *
 * The exec mode (-e) is a remote shell, the most dangerous thing a server
 * can offer, so it is fenced in on every side; each fence has its reason
 * next to the code that builds it:
 *
 *   - off unless -e true is given, and only over TCP on a loopback address;
 *   - no shell: the line is split into words here and the program started
 *     with exec, so `echo $HOME; ls` prints those characters;
 *   - only the programs of an allowlist (--exec-allow), found in fixed
 *     directories, with an environment holding only PATH;
 *   - a time limit (--exec-time-limit) after which the command's whole
 *     process group is killed, and an output cap (--exec-max-output);
 *   - at most SEED_EXEC_MAX_RUNNING commands at once, one per client;
 *   - a warning in the log when the server runs as root.
 *
 * A command never blocks the loop: it runs in a child process whose
 * output comes back through a pipe the loop watches like any socket, and
 * its exit is noticed through SIGCHLD (a signal handler writes a byte to
 * a pipe the loop also watches: the "self-pipe trick").
 *
 * The seed bound every interface ('') and had no option to choose one;
 * here every mode listens on 127.0.0.1 only, like the Redis server's
 * default, and there is no option to change that. */
#include "seed.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "net.h"
#include "num.h"

#define SEED_BIND_ADDR "127.0.0.1"  /* the only address: see the end of the opening comment */
#define SEED_DEFAULT_PORT 8001      /* the seed's default for -p */
#define SEED_BACKLOG 511            /* as the Redis server's */
#define SEED_READ_CHUNK (16 * 1024) /* bytes read per event: one client cannot hog a turn */
#define SEED_OUT_HIGH (256 * 1024)  /* echo not yet written back: stop reading that client */
#define SEED_UDP_MAX 65536          /* bigger than any datagram */
#define SEED_UDP_BATCH 64           /* datagrams per event, for the same fairness */
#define SEED_MAX_ACCEPTS 100        /* connections accepted per event */
#define SEED_RESERVED_FDS 64        /* descriptors kept spare for pipes, logs, /dev/null */
#define SEED_MAX_REDIS_ARGS 64      /* -i: options handed on to the Redis server */

#define SEED_LINE_MAX 4096                  /* one exec command line, in bytes */
#define SEED_IN_HIGH (SEED_LINE_MAX * 4)    /* command lines waiting: stop reading that client */
#define SEED_EXEC_ALLOW "date,echo,uname,whoami,ls"
#define SEED_EXEC_TIME_LIMIT_MS 5000
#define SEED_EXEC_TIME_LIMIT_MAX (24LL * 3600 * 1000)
#define SEED_EXEC_MAX_OUTPUT (64 * 1024)
#define SEED_EXEC_MAX_OUTPUT_MAX (64LL * 1024 * 1024)
#define SEED_EXEC_MAX_RUNNING 16
#define SEED_EXEC_PATH "/usr/local/bin:/usr/bin:/bin"

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

bool seed_is_command_line(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (seed_is_help(argv[i]))
            return true;
    }
    return argc > 1 && (seed_is_short_option(argv[1]) || strncmp(argv[1], "--exec-", 7) == 0);
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
 * up in SEED_EXEC_PATH only, so "date" can't mean ./date or /tmp/date. */
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
             * (how server.c reads them): kept for -i, refused otherwise. */
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

/* ---------------- Pure helpers: words, allowlist, addresses ---------------- */

int seed_split_line(char *line, char **argv, int max, char *err)
{
    int argc = 0;
    char *in = line, *out = line;   /* a word is rebuilt in place, quotes removed */
    for (;;) {
        while (*in == ' ' || *in == '\t')
            in++;
        if (*in == '\0')
            return argc;
        if (argc == max) {
            snprintf(err, SEED_ERR_LEN, "too many words: at most %d", max);
            return -1;
        }
        argv[argc++] = out;
        while (*in != '\0' && *in != ' ' && *in != '\t') {
            if (*in == '\'' || *in == '"') {
                char quote = *in++;
                char *end = strchr(in, quote);
                if (end == NULL) {
                    snprintf(err, SEED_ERR_LEN, "unclosed %s quote", quote == '"' ? "double" : "single");
                    return -1;
                }
                memmove(out, in, (size_t)(end - in));
                out += end - in;
                in = end + 1;
            } else {
                *out++ = *in++;
            }
        }
        /* `out` never passes `in`, so this NUL lands on a byte already read. */
        if (*in != '\0')
            in++;
        *out++ = '\0';
    }
}

bool seed_is_allowed(const char *name, const char *allowlist)
{
    size_t name_len = strlen(name);
    const char *p = allowlist;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == name_len && name_len > 0 && memcmp(p, name, len) == 0)
            return true;
        if (p[len] == '\0')
            return false;
        p += len + 1;
    }
}

bool seed_is_loopback(const char *addr)
{
    struct in_addr in4;
    struct in6_addr in6;
    if (inet_pton(AF_INET, addr, &in4) == 1)
        return (ntohl(in4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &in6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&in6))
            return true;
        return IN6_IS_ADDR_V4MAPPED(&in6) && in6.s6_addr[12] == 127;
    }
    return false;   /* a name (localhost) could resolve to anything: refused */
}

/* ---------------- hexdump -C ----------------
 *
 * The layout of `hexdump -C`, byte for byte, so that a dump in the log
 * can be compared with the tool's (or diffed against it):
 *
 *     00000000  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 21 0a        |Hello, World!.|
 *     0000000e
 *
 * The offset in 8 hex digits, two spaces, 16 bytes in two groups of 8
 * (a short last line is padded so '|' stays in column 60), the bytes
 * again as ASCII with '.' for anything unprintable; a run of identical
 * lines shows as one "*"; the last line is the total length. */

size_t seed_hexdump_line(char *out, size_t offset, const unsigned char *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n > 16)
        n = 16;
    size_t len = (size_t)snprintf(out, SEED_HEXDUMP_LINE_LEN, "%08zx  ", offset & 0xffffffffu);
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            out[len++] = ' ';
        if (i < n) {
            out[len++] = digits[bytes[i] >> 4];
            out[len++] = digits[bytes[i] & 15];
        } else {
            out[len++] = ' ';
            out[len++] = ' ';
        }
        out[len++] = ' ';
    }
    out[len++] = ' ';
    out[len++] = '|';
    for (size_t i = 0; i < n; i++)
        out[len++] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '.';
    out[len++] = '|';
    out[len] = '\0';
    return len;
}

void seed_hexdump(const unsigned char *bytes, size_t len, seed_line_fn *emit, void *data)
{
    char line[SEED_HEXDUMP_LINE_LEN];
    bool folded = false;     /* a "*" stands for the lines since the last printed one */
    for (size_t off = 0; off < len; off += 16) {
        size_t n = len - off < 16 ? len - off : 16;
        if (off > 0 && n == 16 && memcmp(bytes + off, bytes + off - 16, 16) == 0) {
            if (!folded)
                emit("*", data);
            folded = true;
            continue;
        }
        folded = false;
        seed_hexdump_line(line, off, bytes + off, n);
        emit(line, data);
    }
    if (len > 0) {
        snprintf(line, sizeof(line), "%08zx", len);
        emit(line, data);
    }
}

static void seed_log_line(const char *line, void *data)
{
    (void)data;
    log_write(LOG_NOTICE, "%s", line);
}

static void seed_log_hexdump(const char *from, int port, const void *bytes, size_t len)
{
    log_write(LOG_NOTICE, "Received %zu bytes from %s on port %d:", len, from, port);
    seed_hexdump(bytes, len, seed_log_line, NULL);
}

/* ---------------- The server's state ---------------- */

typedef struct seed_client seed_client;

typedef struct seed_listener {
    int fd;
    int port;
} seed_listener;

/* One command of the exec mode, from start until its process is reaped. */
typedef struct seed_job {
    pid_t pid;                  /* also its process group's id */
    int out_fd;                 /* the read end of its stdout+stderr pipe; -1 once closed */
    long long timer_id;         /* its time limit; -1 once fired or cancelled */
    long long started_ms;
    size_t output;              /* bytes passed on to the client */
    char last_byte;             /* the last of them, to end an unfinished line */
    bool exited;                /* reaped: the pid is no longer ours */
    int status;                 /* waitpid's status, once exited */
    bool timed_out;             /* killed by the time limit */
    bool cut;                   /* killed at the output cap */
    char name[64];              /* its program, for messages */
    seed_client *client;        /* NULL once its client has gone */
    struct seed_job *prev, *next;
} seed_job;

struct seed_client {
    int fd;
    int port;                   /* the local port it connected to */
    char peer[NET_IP_LEN + 8];  /* "ip:port", for the log */
    int mask;                   /* the events the loop watches for; 0: not watched */
    buf in;                     /* -e: bytes of command lines not yet run */
    buf out;                    /* bytes waiting for the socket */
    bool eof;                   /* no more reading: it closed its side, or we hang up */
    seed_job *job;              /* -e: its running command, or NULL */
    seed_client *prev, *next;
};

static struct {
    seed_options opts;
    const char *name;               /* the binary's name, for the log */
    loop *loop;
    seed_listener *listeners;
    int listener_count;
    seed_client *clients;
    size_t client_count;
    size_t max_clients;
    seed_job *jobs;                 /* running or not yet reaped */
    int running;                    /* length of that list */
    int signal_pipe[2];             /* written by the signal handler, read by the loop */
    unsigned char *udp_buf;         /* one datagram */
    bool stopping;                  /* freeing everything: clients are not "gone" */
} seed;

static volatile sig_atomic_t seed_stop_signal;  /* SIGINT or SIGTERM, once received */
static volatile sig_atomic_t seed_child_exited;

/* ---------------- Signals: the self-pipe ----------------
 *
 * A signal handler may do almost nothing safely, so it notes what came
 * and writes one byte to a pipe; the loop sees the pipe readable and does
 * the real work in ordinary code. That also closes the gap between the
 * loop's "should I stop?" check and epoll_wait(): a signal landing there
 * leaves the pipe readable, so epoll_wait returns at once. */

static void seed_on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGCHLD)
        seed_child_exited = 1;
    else
        seed_stop_signal = sig;
    ssize_t ignored = write(seed.signal_pipe[1], "", 1);   /* full pipe: a wake-up is pending anyway */
    (void)ignored;
    errno = saved;
}

static void seed_reap_jobs(void);

static void seed_on_signal_pipe(loop *l, int fd, void *data, int ready)
{
    (void)data, (void)ready;
    char drain[64];
    while (read(fd, drain, sizeof(drain)) > 0) {
    }
    if (seed_child_exited) {
        seed_child_exited = 0;
        seed_reap_jobs();
    }
    if (seed_stop_signal)
        loop_stop(l);
}

static int seed_setup_signals(char *err)
{
    if (pipe2(seed.signal_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
        snprintf(err, SEED_ERR_LEN, "pipe: %s", strerror(errno));
        seed.signal_pipe[0] = seed.signal_pipe[1] = -1;
        return -1;
    }
    loop_watch(seed.loop, seed.signal_pipe[0], LOOP_READABLE, seed_on_signal_pipe, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = seed_on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);   /* a client that hangs up while we write would kill us */
    return 0;
}

static void seed_restore_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
}

/* ---------------- Clients ---------------- */

static void seed_job_abandon(seed_job *j);
static int seed_exec_continue(seed_client *c);

static void seed_client_watch(seed_client *c, int mask);

static void seed_client_free(seed_client *c)
{
    if (c->job != NULL)
        seed_job_abandon(c->job);
    seed_client_watch(c, 0);
    close(c->fd);
    buf_free(&c->in);
    buf_free(&c->out);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        seed.clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    seed.client_count--;
    log_write(LOG_VERBOSE, "Client closed connection %s", c->peer);
    mem_free(c);
}

/* Done: nothing more to read, run or write. */
static bool seed_client_done(const seed_client *c)
{
    return c->eof && c->job == NULL && buf_length(&c->in) == 0 && buf_length(&c->out) == 0;
}

/* Read until told to stop (eof), while the echo is not too far behind
 * and while few command lines wait: a client that sends but never reads
 * is held back by TCP instead of filling our memory. Reading on while a
 * command runs is what lets a client that aborts (a reset) be noticed at
 * once, and its command killed. A plain close can't be told from a
 * client that closed only its sending side and waits for the output, so
 * that one shows at the next write, or at the time limit. */
static int seed_client_wanted_mask(const seed_client *c)
{
    int mask = 0;
    if (!c->eof && buf_length(&c->out) < SEED_OUT_HIGH && buf_length(&c->in) < SEED_IN_HIGH)
        mask |= LOOP_READABLE;
    if (buf_length(&c->out) > 0)
        mask |= LOOP_WRITABLE;
    return mask;
}

static void seed_client_on_event(loop *l, int fd, void *data, int ready);

/* Watch for exactly `mask`. With nothing to wait for the fd leaves epoll
 * altogether: registered with no events it would still report a hang-up,
 * level-triggered, on every turn. */
static void seed_client_watch(seed_client *c, int mask)
{
    if (mask == c->mask)
        return;
    if (mask == 0)
        loop_unwatch(seed.loop, c->fd);
    else if (c->mask == 0)
        loop_watch(seed.loop, c->fd, mask, seed_client_on_event, c);
    else
        loop_set_mask(seed.loop, c->fd, mask);
    c->mask = mask;
}

/* Write what the socket takes now, the rest when it is writable again.
 * Returns -1 if the client was freed (done, or the connection broke). */
static int seed_client_flush(seed_client *c)
{
    while (buf_length(&c->out) > 0) {
        ssize_t n = write(c->fd, buf_data(&c->out), buf_length(&c->out));
        if (n > 0) {
            buf_consume(&c->out, (size_t)n);
        } else if (n == -1 && errno == EINTR) {
            continue;
        } else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            log_write(LOG_VERBOSE, "Error writing to client %s: %s", c->peer, strerror(errno));
            seed_client_free(c);
            return -1;
        }
    }
    if (seed_client_done(c)) {
        seed_client_free(c);
        return -1;
    }
    buf_shrink(&c->out, 0);     /* an idle client holds no buffer */
    buf_shrink(&c->in, 0);
    seed_client_watch(c, seed_client_wanted_mask(c));
    return 0;
}

/* Echo mode appends what it read to the reply buffer (what came in is
 * what goes out), exec mode to the line buffer. The read itself goes to
 * one shared chunk, so only bytes still waiting take memory: an idle
 * client has no buffer at all. Returns -1 if the client was freed. */
static int seed_client_read(seed_client *c)
{
    static char chunk[SEED_READ_CHUNK];     /* one thread: one buffer will do */
    ssize_t n = read(c->fd, chunk, sizeof(chunk));
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n == -1) {
        log_write(LOG_VERBOSE, "Error reading from client %s: %s", c->peer, strerror(errno));
        seed_client_free(c);
        return -1;
    }
    if (n == 0) {
        c->eof = true;  /* it sent everything: finish its echo or commands, then close */
    } else {
        if (seed.opts.hexdump)
            seed_log_hexdump(c->peer, c->port, chunk, (size_t)n);
        buf_append(seed.opts.exec ? &c->in : &c->out, chunk, (size_t)n);
    }
    return seed.opts.exec ? seed_exec_continue(c) : seed_client_flush(c);
}

static void seed_client_on_event(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)fd;
    seed_client *c = data;
    if ((ready & LOOP_READABLE) && seed_client_read(c) == -1)
        return;
    if (ready & LOOP_WRITABLE)
        seed_client_flush(c);
}

static void seed_on_accept(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    seed_listener *ln = data;
    for (int i = 0; i < SEED_MAX_ACCEPTS; i++) {
        char ip[NET_IP_LEN], err[NET_ERR_LEN];
        int port;
        int cfd = net_accept(fd, ip, sizeof(ip), &port, err);
        if (cfd == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_write(LOG_WARNING, "Accepting client connection: %s", err);
            return;
        }
        /* Past the open-files limit accept() would fail and leave the
         * listener readable forever: refuse before getting there. */
        if (seed.client_count >= seed.max_clients) {
            log_write(LOG_WARNING, "Refused %s:%d: max number of clients reached", ip, port);
            close(cfd);
            continue;
        }
        seed_client *c = mem_calloc(1, sizeof(*c));
        c->fd = cfd;
        c->port = ln->port;
        snprintf(c->peer, sizeof(c->peer), "%s:%d", ip, port);
        c->in = (buf)BUF_INIT;
        c->out = (buf)BUF_INIT;
        c->next = seed.clients;
        if (seed.clients != NULL)
            seed.clients->prev = c;
        seed.clients = c;
        seed.client_count++;
        seed_client_watch(c, LOOP_READABLE);
        log_write(LOG_VERBOSE, "Accepted %s on port %d", c->peer, ln->port);
    }
}

/* ---------------- UDP echo ----------------
 *
 * One socket, no connections: each datagram is read with its sender's
 * address and sent straight back. If the kernel has no room to send, the
 * reply is dropped: UDP promises no delivery, and queueing replies would
 * let a flood of datagrams grow our memory. */

static void seed_on_datagram(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    seed_listener *ln = data;
    for (int i = 0; i < SEED_UDP_BATCH; i++) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof(from);
        ssize_t n = recvfrom(fd, seed.udp_buf, SEED_UDP_MAX, 0, (struct sockaddr *)&from, &from_len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                log_write(LOG_VERBOSE, "Error receiving on port %d/udp: %s", ln->port, strerror(errno));
            return;
        }
        if (seed.opts.hexdump) {
            char ip[NET_IP_LEN] = "?", peer[NET_IP_LEN + 8];
            int port = 0;
            if (from.ss_family == AF_INET6) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&from;
                inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
                port = ntohs(in6->sin6_port);
            } else if (from.ss_family == AF_INET) {
                struct sockaddr_in *in4 = (struct sockaddr_in *)&from;
                inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
                port = ntohs(in4->sin_port);
            }
            snprintf(peer, sizeof(peer), "%s:%d", ip, port);
            seed_log_hexdump(peer, ln->port, seed.udp_buf, (size_t)n);
        }
        if (sendto(fd, seed.udp_buf, (size_t)n, 0, (struct sockaddr *)&from, from_len) == -1)
            log_write(LOG_VERBOSE, "Dropped a reply on port %d/udp: %s", ln->port, strerror(errno));
    }
}

/* ---------------- Exec: running a client's command ----------------
 *
 * A line ("echo hi\n") becomes words, the first word must be on the
 * allowlist, and the program is started with posix_spawn(): fork and exec
 * in one call, done by the C library with the usual care (vfork-style, so
 * even a big server process is not copied), with:
 *   - its own process group, so the time limit kills it and anything it
 *     started in one kill(-pgid);
 *   - stdin /dev/null, stdout and stderr into one pipe, and no other
 *     descriptor of ours (closefrom 3): no client sockets, no listeners;
 *   - default signal handling and an empty signal mask;
 *   - an environment of PATH alone: nothing of the server's environment
 *     leaks out, and no variable (LD_PRELOAD ...) changes what runs.
 * The program's path is found here, in fixed directories, not through the
 * server's own PATH, which might hold "." or a writable directory. */

static void seed_reply(seed_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error line for the client ("ERR ...\n"), also logged. */
static void seed_reply(seed_client *c, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    buf_append(&c->out, "ERR ", 4);
    buf_append(&c->out, text, strlen(text));
    buf_append(&c->out, "\n", 1);
    log_write(LOG_NOTICE, "Exec for %s: %s", c->peer, text);
}

/* A client's words in the log: control characters could forge log lines. */
static void seed_printable(char *out, size_t size, const char *in, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 4 < size; i++)
        out[n++] = (unsigned char)in[i] >= 0x20 && (unsigned char)in[i] < 0x7f ? in[i] : '?';
    if (n + 4 >= size && len > n) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

static bool seed_find_program(const char *name, char *path, size_t size)
{
    static const char *const dirs[] = {"/usr/local/bin", "/usr/bin", "/bin"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        struct stat st;
        snprintf(path, size, "%s/%s", dirs[i], name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
            return true;
    }
    return false;
}

static int seed_spawn(const char *path, char **argv, pid_t *pid, int *out_fd, char *err)
{
    static char path_env[] = "PATH=" SEED_EXEC_PATH;
    static char *env[] = {path_env, NULL};
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == -1) {
        snprintf(err, SEED_ERR_LEN, "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    /* dup2 before the open: should fds[1] be 0 (stdin was closed), it is
     * copied to 1 and 2 before /dev/null takes its place. */
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t defaults, none;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);  /* ignored here: `yes | head` needs it back */
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGCHLD);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    int rc = posix_spawn(pid, path, &actions, &attr, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(fds[1]);      /* the child's copy is all that holds the pipe open now */
    if (rc != 0) {
        close(fds[0]);
        snprintf(err, SEED_ERR_LEN, "%s", strerror(rc));
        return -1;
    }
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    *out_fd = fds[0];
    return 0;
}

static void seed_job_close_output(seed_job *j)
{
    if (j->out_fd == -1)
        return;
    loop_unwatch(seed.loop, j->out_fd);
    close(j->out_fd);
    j->out_fd = -1;
}

/* Kill the job's whole process group. Only while its leader is not yet
 * reaped: until then the pid, and so the group id, cannot be given to
 * another process, so the signal cannot hit a stranger. */
static void seed_job_kill(seed_job *j)
{
    if (!j->exited)
        kill(-j->pid, SIGKILL);
}

static void seed_job_free(seed_job *j)
{
    seed_job_close_output(j);
    if (j->timer_id != -1)
        loop_del_timer(seed.loop, j->timer_id);
    if (j->prev != NULL)
        j->prev->next = j->next;
    else
        seed.jobs = j->next;
    if (j->next != NULL)
        j->next->prev = j->prev;
    seed.running--;
    mem_free(j);
}

/* Its client is gone: nobody will read the output, so stop the command.
 * The job stays listed until its process is reaped. */
static void seed_job_abandon(seed_job *j)
{
    if (!j->exited && seed.stopping)
        log_write(LOG_NOTICE, "Command '%s' (pid %d) killed: the server is stopping", j->name, (int)j->pid);
    else if (!j->exited)
        log_write(LOG_NOTICE, "Command '%s' (pid %d) killed: its client %s has gone", j->name, (int)j->pid,
                  j->client->peer);
    j->client->job = NULL;
    j->client = NULL;
    seed_job_kill(j);
    seed_job_close_output(j);
    if (j->exited)
        seed_job_free(j);
}

/* When the output has ended and the process is reaped, the job is over:
 * tell the client if it was killed, then go on with its next line. */
static void seed_job_maybe_finish(seed_job *j)
{
    if (j->out_fd != -1 || !j->exited)
        return;
    seed_client *c = j->client;
    long long ms = loop_now_ms() - j->started_ms;
    if (WIFEXITED(j->status))
        log_write(LOG_VERBOSE, "Command '%s' (pid %d) exited with status %d after %lld ms", j->name,
                  (int)j->pid, WEXITSTATUS(j->status), ms);
    if (c != NULL && (j->timed_out || j->cut) && j->output > 0 && j->last_byte != '\n')
        buf_append(&c->out, "\n", 1);
    if (c != NULL && j->timed_out)
        seed_reply(c, "'%s' was killed: it ran past the time limit of %lld ms (--exec-time-limit)", j->name,
                   seed.opts.exec_time_limit_ms);
    else if (c != NULL && j->cut)
        seed_reply(c, "'%s' was killed: its output reached the cap of %lld bytes (--exec-max-output)",
                   j->name, seed.opts.exec_max_output);
    if (c != NULL)
        c->job = NULL;
    seed_job_free(j);
    if (c != NULL)
        seed_exec_continue(c);
}

static void seed_job_on_output(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    seed_job *j = data;
    char chunk[SEED_READ_CHUNK];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {   /* every writer has closed it: the command is ending */
        seed_job_close_output(j);
        seed_job_maybe_finish(j);
        return;
    }
    seed_client *c = j->client;     /* set: an abandoned job's pipe is closed */
    size_t room = (size_t)seed.opts.exec_max_output - j->output;
    size_t take = (size_t)n < room ? (size_t)n : room;
    buf_append(&c->out, chunk, take);
    j->output += take;
    if (take > 0)
        j->last_byte = chunk[take - 1];
    if (take < (size_t)n) {
        j->cut = true;
        log_write(LOG_NOTICE, "Command '%s' (pid %d) of %s cut at %zu bytes of output", j->name, (int)j->pid,
                  c->peer, j->output);
        seed_job_kill(j);
        seed_job_close_output(j);
        if (j->exited) {
            seed_job_maybe_finish(j);   /* may free the job and the client: nothing after it */
            return;
        }
    }
    seed_client_flush(c);   /* last: it may free the client (and abandon the job) */
}

static long long seed_job_on_time_limit(loop *l, long long id, void *data)
{
    (void)l, (void)id;
    seed_job *j = data;
    j->timer_id = -1;
    j->timed_out = true;
    log_write(LOG_NOTICE, "Command '%s' (pid %d) killed: it ran past the time limit of %lld ms", j->name,
              (int)j->pid, seed.opts.exec_time_limit_ms);
    seed_job_kill(j);
    /* Stop reading too: a process that escaped the group could hold the
     * pipe open forever. What it wrote after the limit is not sent. */
    seed_job_close_output(j);
    seed_job_maybe_finish(j);
    return LOOP_TIMER_DONE;
}

/* SIGCHLD came: collect every job whose process has exited. waitid with
 * WNOWAIT first looks without reaping, so the rest of the group can be
 * killed while the group id is still surely this job's: a command may not
 * leave processes behind. */
static void seed_reap_jobs(void)
{
    seed_job *next;
    for (seed_job *j = seed.jobs; j != NULL; j = next) {
        next = j->next;     /* a finishing job may start a new one: it goes in front */
        if (j->exited)
            continue;
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        if (waitid(P_PID, (id_t)j->pid, &info, WEXITED | WNOHANG | WNOWAIT) == -1 || info.si_pid != j->pid)
            continue;
        kill(-j->pid, SIGKILL);
        if (waitpid(j->pid, &j->status, 0) != j->pid)   /* a zombie: no wait */
            continue;
        j->exited = true;
        seed_job_maybe_finish(j);   /* an abandoned job's pipe is closed: it is freed */
    }
}

/* One command line of a client: run it, or say why not. */
static void seed_exec_line(seed_client *c, char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (memchr(line, '\0', len) != NULL) {
        seed_reply(c, "the command line holds a NUL byte");
        return;
    }
    char shown[256], err[SEED_ERR_LEN];
    seed_printable(shown, sizeof(shown), line, len);
    char *argv[SEED_MAX_ARGS + 1];
    int argc = seed_split_line(line, argv, SEED_MAX_ARGS, err);
    if (argc == -1) {
        seed_reply(c, "%s in: %s", err, shown);
        return;
    }
    if (argc == 0)
        return;     /* a blank line: nothing to run */
    argv[argc] = NULL;
    char name[64];
    seed_printable(name, sizeof(name), argv[0], strlen(argv[0]));
    if (!seed_is_allowed(argv[0], seed.opts.exec_allow)) {
        seed_reply(c, "'%s' is not allowed: this server runs only %s (--exec-allow)", name,
                   seed.opts.exec_allow);
        return;
    }
    if (seed.running >= SEED_EXEC_MAX_RUNNING) {
        seed_reply(c, "busy: %d commands are running already, try again", seed.running);
        return;
    }
    char path[PATH_MAX];
    if (!seed_find_program(argv[0], path, sizeof(path))) {
        seed_reply(c, "'%s' was not found in %s", name, SEED_EXEC_PATH);
        return;
    }
    pid_t pid;
    int out_fd;
    if (seed_spawn(path, argv, &pid, &out_fd, err) == -1) {
        seed_reply(c, "could not run '%s': %s", name, err);
        return;
    }
    seed_job *j = mem_calloc(1, sizeof(*j));
    j->pid = pid;
    j->out_fd = out_fd;
    j->started_ms = loop_now_ms();
    snprintf(j->name, sizeof(j->name), "%s", name);
    j->client = c;
    j->next = seed.jobs;
    if (seed.jobs != NULL)
        seed.jobs->prev = j;
    seed.jobs = j;
    seed.running++;
    c->job = j;
    loop_watch(seed.loop, out_fd, LOOP_READABLE, seed_job_on_output, j);
    j->timer_id = loop_add_timer(seed.loop, seed.opts.exec_time_limit_ms, seed_job_on_time_limit, j);
    log_write(LOG_NOTICE, "%s runs: %s (pid %d)", c->peer, shown, (int)pid);
}

/* Run the client's complete lines, one command at a time, until one is
 * running or none is left; then write. Returns -1 if the client was freed. */
static int seed_exec_continue(seed_client *c)
{
    while (c->job == NULL && buf_length(&c->in) > 0) {
        char *data = buf_data(&c->in);
        size_t len = buf_length(&c->in);
        char *newline = memchr(data, '\n', len);
        size_t line_len = newline ? (size_t)(newline - data) : len;
        if (line_len > SEED_LINE_MAX) {
            seed_reply(c, "command line longer than %d bytes: closing the connection", SEED_LINE_MAX);
            buf_clear(&c->in);
            c->eof = true;
            break;
        }
        if (newline == NULL && !c->eof)
            break;      /* the rest of the line is still on its way */
        char line[SEED_LINE_MAX + 1];
        memcpy(line, data, line_len);
        line[line_len] = '\0';
        buf_consume(&c->in, newline ? line_len + 1 : line_len);
        seed_exec_line(c, line, line_len);
    }
    return seed_client_flush(c);
}

/* ---------------- Start-up, run, shutdown ---------------- */

static void seed_free_all(void)
{
    seed.stopping = true;
    while (seed.clients != NULL)
        seed_client_free(seed.clients);
    /* Every command left is killed and reaped: after SIGKILL, waitpid
     * returns as soon as the kernel has torn the process down. */
    while (seed.jobs != NULL) {
        seed_job *j = seed.jobs;
        if (!j->exited) {
            seed_job_kill(j);
            waitpid(j->pid, &j->status, 0);
        }
        seed_job_free(j);
    }
    for (int i = 0; i < seed.listener_count; i++)
        close(seed.listeners[i].fd);
    mem_free(seed.listeners);
    seed.listeners = NULL;
    seed.listener_count = 0;
    mem_free(seed.udp_buf);
    seed.udp_buf = NULL;
    loop_destroy(seed.loop);
    seed.loop = NULL;
    for (int i = 0; i < 2; i++) {
        if (seed.signal_pipe[i] != -1)
            close(seed.signal_pipe[i]);
        seed.signal_pipe[i] = -1;
    }
}

/* Every port of the range, skipping (and logging) those that are taken. */
static int seed_listen(char *err)
{
    const seed_options *o = &seed.opts;
    int count = o->last_port - o->first_port + 1;
    seed.listeners = mem_calloc((size_t)count, sizeof(seed_listener));
    for (int port = o->first_port; port <= o->last_port; port++) {
        char net_err[NET_ERR_LEN];
        int fd = o->udp ? net_listen_udp(SEED_BIND_ADDR, port, net_err)
                        : net_listen_tcp(SEED_BIND_ADDR, port, SEED_BACKLOG, net_err);
        if (fd == -1) {
            if (errno == EADDRINUSE)
                log_write(LOG_WARNING, "Port %d is already in use: skipped", port);
            else
                log_write(LOG_WARNING, "Port %d skipped: %s", port, net_err);
            continue;
        }
        seed_listener *ln = &seed.listeners[seed.listener_count++];
        ln->fd = fd;
        ln->port = port;
        loop_watch(seed.loop, fd, LOOP_READABLE, o->udp ? seed_on_datagram : seed_on_accept, ln);
    }
    if (seed.listener_count == 0) {
        snprintf(err, SEED_ERR_LEN, "No port to listen on: every port of %d-%d was skipped", o->first_port,
                 o->last_port);
        return -1;
    }
    log_write(LOG_NOTICE, "Listening on %s, %s port%s %d-%d: %d of %d", SEED_BIND_ADDR, o->udp ? "udp" : "tcp",
              count > 1 ? "s" : "", o->first_port, o->last_port, seed.listener_count, count);
    return 0;
}

/* Like the Redis server: stay clear of the open-files limit, keeping some
 * descriptors for the listeners and the exec mode's pipes. */
static size_t seed_max_clients(void)
{
    struct rlimit limit;
    size_t reserved = (size_t)seed.listener_count + SEED_RESERVED_FDS;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return 10000;
    if (limit.rlim_cur <= reserved + 1)
        return 1;
    size_t max = (size_t)limit.rlim_cur - reserved;
    return max < 10000 ? max : 10000;
}

/* The exec mode's fences that are checked once, at start. */
static int seed_check_exec(char *err)
{
    /* Today the address is always 127.0.0.1; the check stands here so
     * that an address option added later cannot expose the exec mode. */
    if (!seed_is_loopback(SEED_BIND_ADDR)) {
        snprintf(err, SEED_ERR_LEN,
                 "Refusing to start -e on %s: not a loopback address, and -e lets anyone who can connect "
                 "run commands", SEED_BIND_ADDR);
        return -1;
    }
    if (geteuid() == 0)
        log_write(LOG_WARNING,
                  "WARNING: running as root: the commands clients run with -e run as root too. "
                  "Start the server as an unprivileged user.");
    log_write(LOG_NOTICE,
              "Exec mode: local clients may run %s (no shell; time limit %lld ms; output cap %lld bytes)",
              seed.opts.exec_allow, seed.opts.exec_time_limit_ms, seed.opts.exec_max_output);
    return 0;
}

static const char *seed_mode_name(void)
{
    if (seed.opts.exec)
        return seed.opts.hexdump ? "exec and hexdump" : "exec";
    if (seed.opts.hexdump)
        return seed.opts.udp ? "udp echo and hexdump" : "tcp echo and hexdump";
    return seed.opts.udp ? "udp echo" : "tcp echo";
}

static int seed_run(void)
{
    char err[SEED_ERR_LEN];
    seed.signal_pipe[0] = seed.signal_pipe[1] = -1;
    log_write(LOG_NOTICE, "Workshop %s is starting in the seed's %s mode, pid=%d", seed.name, seed_mode_name(),
              (int)getpid());
    seed.loop = loop_create();
    if (seed.loop == NULL) {
        log_write(LOG_WARNING, "Could not create the event loop: %s", strerror(errno));
        return 1;
    }
    if ((seed.opts.exec && seed_check_exec(err) == -1) || seed_setup_signals(err) == -1 || seed_listen(err) == -1) {
        log_write(LOG_WARNING, "%s", err);
        seed_free_all();
        seed_restore_signals();
        return 1;
    }
    seed.max_clients = seed_max_clients();
    if (seed.opts.udp)
        seed.udp_buf = mem_alloc(SEED_UDP_MAX);
    log_write(LOG_NOTICE, "Ready to accept connections %s", seed.opts.udp ? "udp" : "tcp");
    loop_run(seed.loop);
    log_write(LOG_WARNING, "Received %s scheduling shutdown...", seed_stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    seed_restore_signals();     /* a second signal now simply ends the process */
    seed_free_all();
    log_write(LOG_NOTICE, "%s is now ready to exit, bye bye...", seed.name);
    return 0;
}

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

enum seed_result seed_main(int *argc, char ***argv, int *exit_status)
{
    static char *redis_argv[SEED_MAX_REDIS_ARGS + 4];
    static char help[] = "--help", port_option[] = "--port";
    static char port_text[8], name[64];
    char **args = *argv;
    char *copy = mem_strdup(args[0]);
    snprintf(name, sizeof(name), "%s", basename(copy));
    mem_free(copy);
    seed.name = name;
    redis_argv[0] = args[0];

    /* --help: the seed's part here, then the Redis server prints its own. */
    for (int i = 1; i < *argc; i++) {
        if (seed_is_help(args[i])) {
            seed_print_help(name);
            fflush(stdout);
            redis_argv[1] = help;
            redis_argv[2] = NULL;
            *argc = 2;
            *argv = redis_argv;
            return SEED_RUN_REDIS;
        }
    }

    char err[SEED_ERR_LEN];
    if (*argc > SEED_MAX_REDIS_ARGS) {
        fprintf(stderr, "%s: too many arguments (at most %d)\n", seed.name, SEED_MAX_REDIS_ARGS);
        *exit_status = 1;
        return SEED_EXIT;
    }
    seed.opts.redis_argv = redis_argv + 3;     /* room for argv[0] --port N before them */
    if (seed_parse_options(*argc, args, &seed.opts, err) == -1) {
        fprintf(stderr, "%s: %s\n", seed.name, err);
        *exit_status = 1;
        return SEED_EXIT;
    }
    if (seed.opts.redis) {
        snprintf(port_text, sizeof(port_text), "%d", seed.opts.first_port);
        redis_argv[1] = port_option;
        redis_argv[2] = port_text;
        redis_argv[3 + seed.opts.redis_argc] = NULL;
        *argc = 3 + seed.opts.redis_argc;
        *argv = redis_argv;
        return SEED_RUN_REDIS;
    }
    *exit_status = seed_run();
    return SEED_EXIT;
}
