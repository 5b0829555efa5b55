/* seed_internal: what the seed's modules share, and nobody else (stage 6).
 *
 * Stage 6 brings back the first workshop server's command line (seed.h),
 * built from four modules of one idea each:
 *
 *     seed.c          the command line: options, --help, -i, dispatch
 *     seed_server.c   the process: event loop, listeners, signals, shutdown
 *     seed_echo.c     TCP clients and UDP datagrams, echoed back
 *     seed_exec.c     -e: a client's command line run, fenced in
 *
 * This header is private to them: the rest of the workshop sees seed.h.
 * Like the Redis server's `server` global, one struct holds the state the
 * modules share; what only one of them needs (the listeners, the signal
 * pipe, the running commands) stays `static` in that module. */
#ifndef SEED_INTERNAL_H
#define SEED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "io/loop.h"
#include "io/net.h"
#include "seed.h"

#define SEED_BIND_ADDR "127.0.0.1"  /* the only address: see the end of seed.c's opening comment */
#define SEED_READ_CHUNK (16 * 1024) /* bytes read per event: one client cannot hog a turn */
#define SEED_UDP_MAX 65536          /* bigger than any datagram */
#define SEED_LINE_MAX 4096                  /* one exec command line, in bytes */
#define SEED_IN_HIGH (SEED_LINE_MAX * 4)    /* command lines waiting: stop reading that client */

typedef struct seed_job seed_job;   /* a running command: see seed_exec.c */
typedef struct seed_client seed_client;

typedef struct seed_listener {
    int fd;
    int port;
} seed_listener;

/* One TCP connection, in every mode: echo sends back what comes in,
 * exec runs it line by line. */
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

typedef struct seed_server {
    seed_options opts;
    const char *name;               /* the binary's name, for the log */
    loop *loop;
    seed_client *clients;
    size_t client_count;
    size_t max_clients;
    unsigned char *udp_buf;         /* one datagram */
    bool stopping;                  /* freeing everything: clients are not "gone" */
} seed_server;

extern seed_server seed;            /* defined in seed_server.c */

/* seed_server.c: runs the mode *opts asks for until SIGINT or SIGTERM;
 * returns the exit status. `name` must outlive the call. */
int seed_run(const seed_options *opts, const char *name);

/* seed_echo.c: the loop's handlers for a listener (data: seed_listener). */
void seed_on_accept(loop *l, int fd, void *data, int ready);
void seed_on_datagram(loop *l, int fd, void *data, int ready);
/* Write what the socket takes now; -1 if the client was freed. */
int seed_client_flush(seed_client *c);
void seed_client_free(seed_client *c);

/* seed_exec.c */
int seed_exec_start(char *err);             /* the fences checked once, at start */
int seed_exec_continue(seed_client *c);     /* run its lines; -1 if the client was freed */
void seed_job_abandon(seed_job *j);         /* its client is gone */
void seed_reap_jobs(void);                  /* SIGCHLD came */
void seed_kill_jobs(void);                  /* at shutdown: kill and reap every command */

#endif
