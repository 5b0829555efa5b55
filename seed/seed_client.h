/* seed_client: one TCP connection of the seed's modes (stage 6).
 *
 * Stage 6's echo and exec modes serve their TCP clients alike: read
 * without blocking, write what the socket takes, hold back a client that
 * sends faster than it reads. This module is that shared part. What the
 * bytes become is the mode's business, which the client calls up into
 * through a seed_mode: seed_echo.c sends them back, seed_exec.c runs them.
 * So the modes are built on the client, and the client knows none of them. */
#ifndef SEED_CLIENT_H
#define SEED_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "io/net.h"

#define SEED_LINE_MAX 4096                  /* one exec command line, in bytes */
#define SEED_IN_HIGH (SEED_LINE_MAX * 4)    /* command lines waiting: stop reading that client */

typedef struct seed_client seed_client;
typedef struct seed_job seed_job;           /* a running command: see seed_exec.c */

/* What a mode does with its clients (seed_echo_mode, seed_exec_mode). */
typedef struct seed_mode {
    /* len bytes came in; len 0 when c->eof is set: no more will. Returns
     * -1 if the client was freed. */
    int (*on_input)(seed_client *c, const char *bytes, size_t len);
    /* The client is about to be freed: let go of what hangs on it. NULL
     * if nothing does. */
    void (*on_free)(seed_client *c);
} seed_mode;

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
    const seed_mode *mode;      /* what its bytes become */
    seed_job *job;              /* -e: its running command, or NULL */
    seed_client *prev, *next;
};

/* A new client at the front of seed.clients, watched for reading. */
seed_client *seed_client_new(int fd, int local_port, const char *ip, int port, const seed_mode *mode);

/* Write what the socket takes now, the rest when it is writable again.
 * Returns -1 if the client was freed (done, or the connection broke). */
int seed_client_flush(seed_client *c);

void seed_client_free(seed_client *c);

/* -x true: `len` bytes that came from `from` (an "ip:port") on `port`,
 * written to the log as hexdump -C. TCP clients' here, UDP datagrams' in
 * seed_echo.c. */
void seed_log_hexdump(const char *from, int port, const void *bytes, size_t len);

#endif
