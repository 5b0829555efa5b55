/* seed_state: what the seed's modules share (stage 6).
 *
 * Stage 6 runs the seed's echo and exec modes as a tiny server of their
 * own. Like the Redis server's `server` global, one struct holds the state
 * its modules share: seed_server.c fills it in, the others read it. What
 * only one module needs (the listeners, the signal pipe, the running
 * commands) stays `static` in that module. */
#ifndef SEED_STATE_H
#define SEED_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "io/loop.h"
#include "seed_options.h"

#define SEED_BIND_ADDR "127.0.0.1"  /* the only address: see the end of seed.c's opening comment */
#define SEED_READ_CHUNK (16 * 1024) /* bytes read per event: one client cannot hog a turn */
#define SEED_UDP_MAX 65536          /* bigger than any datagram */

/* A listening socket; the loop hands it to its handler as `data`. */
typedef struct seed_listener {
    int fd;
    int port;
} seed_listener;

typedef struct seed_state {
    seed_options opts;
    const char *name;               /* the binary's name, for the log */
    loop *loop;
    struct seed_client *clients;    /* every TCP client (seed_client.h) */
    size_t client_count;
    size_t max_clients;
    unsigned char *udp_buf;         /* one datagram */
    bool stopping;                  /* freeing everything: clients are not "gone" */
} seed_state;

extern seed_state seed;             /* defined in seed_state.c */

#endif
