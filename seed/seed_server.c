/* seed_server: the process behind the seed's echo and exec modes (stage 6).
 *
 * Stage 6 runs the seed's modes as a second, tiny server built from stage
 * 1's pieces: listening sockets from net, the epoll loop from loop. This
 * file is its life: start-up (one listener per port of the range, the
 * open-files budget), accepting clients, signals, and a shutdown that
 * frees everything. What a client's bytes become is the business of its
 * mode: seed_echo.c's, or seed_exec.c's with -e.
 *
 * Signals come in through the "self-pipe trick": a SIGINT or SIGTERM
 * stops the loop, and SIGCHLD tells the exec mode that a command has
 * exited, both without doing anything unsafe inside a signal handler. */
#include "seed_server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "io/loop.h"
#include "io/net.h"
#include "seed_client.h"
#include "seed_echo.h"
#include "seed_exec.h"
#include "seed_state.h"

#define SEED_BACKLOG 511            /* as the Redis server's */
#define SEED_RESERVED_FDS 64        /* descriptors kept spare for pipes, logs, /dev/null */
#define SEED_MAX_ACCEPTS 100        /* connections accepted per event */

static seed_listener *seed_listeners;
static int seed_listener_count;
static int seed_signal_pipe[2] = {-1, -1};     /* written by the signal handler, read by the loop */

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
    ssize_t ignored = write(seed_signal_pipe[1], "", 1);   /* full pipe: a wake-up is pending anyway */
    (void)ignored;
    errno = saved;
}

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
    if (pipe2(seed_signal_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
        snprintf(err, SEED_ERR_LEN, "pipe: %s", strerror(errno));
        seed_signal_pipe[0] = seed_signal_pipe[1] = -1;
        return -1;
    }
    loop_watch(seed.loop, seed_signal_pipe[0], LOOP_READABLE, seed_on_signal_pipe, NULL);
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

/* ---------------- Accepting TCP clients ---------------- */

/* The loop's handler for a TCP listener (data: its seed_listener): each
 * new client is served by the mode the command line asked for. */
static void seed_on_accept(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    seed_listener *ln = data;
    const seed_mode *mode = seed.opts.exec ? &seed_exec_mode : &seed_echo_mode;
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
        seed_client *c = seed_client_new(cfd, ln->port, ip, port, mode);
        log_write(LOG_VERBOSE, "Accepted %s on port %d", c->peer, ln->port);
    }
}

/* ---------------- Start-up, run, shutdown ---------------- */

static void seed_free_all(void)
{
    seed.stopping = true;
    while (seed.clients != NULL)
        seed_client_free(seed.clients);
    seed_kill_jobs();
    for (int i = 0; i < seed_listener_count; i++)
        close(seed_listeners[i].fd);
    mem_free(seed_listeners);
    seed_listeners = NULL;
    seed_listener_count = 0;
    mem_free(seed.udp_buf);
    seed.udp_buf = NULL;
    loop_destroy(seed.loop);
    seed.loop = NULL;
    for (int i = 0; i < 2; i++) {
        if (seed_signal_pipe[i] != -1)
            close(seed_signal_pipe[i]);
        seed_signal_pipe[i] = -1;
    }
}

/* Every port of the range, skipping (and logging) those that are taken. */
static int seed_listen(char *err)
{
    const seed_options *o = &seed.opts;
    int count = o->last_port - o->first_port + 1;
    seed_listeners = mem_calloc((size_t)count, sizeof(seed_listener));
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
        seed_listener *ln = &seed_listeners[seed_listener_count++];
        ln->fd = fd;
        ln->port = port;
        loop_watch(seed.loop, fd, LOOP_READABLE, o->udp ? seed_echo_on_datagram : seed_on_accept, ln);
    }
    if (seed_listener_count == 0) {
        snprintf(err, SEED_ERR_LEN, "No port to listen on: every port of %d-%d was skipped", o->first_port,
                 o->last_port);
        return -1;
    }
    log_write(LOG_NOTICE, "Listening on %s, %s port%s %d-%d: %d of %d", SEED_BIND_ADDR, o->udp ? "udp" : "tcp",
              count > 1 ? "s" : "", o->first_port, o->last_port, seed_listener_count, count);
    return 0;
}

/* Like the Redis server: stay clear of the open-files limit, keeping some
 * descriptors for the listeners and the exec mode's pipes. */
static size_t seed_max_clients(void)
{
    struct rlimit limit;
    size_t reserved = (size_t)seed_listener_count + SEED_RESERVED_FDS;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return 10000;
    if (limit.rlim_cur <= reserved + 1)
        return 1;
    size_t max = (size_t)limit.rlim_cur - reserved;
    return max < 10000 ? max : 10000;
}

static const char *seed_mode_name(void)
{
    if (seed.opts.exec)
        return seed.opts.hexdump ? "exec and hexdump" : "exec";
    if (seed.opts.hexdump)
        return seed.opts.udp ? "udp echo and hexdump" : "tcp echo and hexdump";
    return seed.opts.udp ? "udp echo" : "tcp echo";
}

int seed_run(const seed_options *opts, const char *name)
{
    char err[SEED_ERR_LEN];
    seed.opts = *opts;
    seed.name = name;
    log_write(LOG_NOTICE, "Workshop %s is starting in the seed's %s mode, pid=%d", seed.name, seed_mode_name(),
              (int)getpid());
    seed.loop = loop_create();
    if (seed.loop == NULL) {
        log_write(LOG_WARNING, "Could not create the event loop: %s", strerror(errno));
        return 1;
    }
    if ((seed.opts.exec && seed_exec_start(err) == -1) || seed_setup_signals(err) == -1 || seed_listen(err) == -1) {
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
