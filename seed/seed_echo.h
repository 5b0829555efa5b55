/* seed_echo: the seed's echo modes, TCP and UDP (stage 6).
 *
 * Stage 6 brings back the first workshop server's echo: every byte a TCP
 * client sends comes back to it (-p 8888), each UDP datagram goes back to
 * its sender (-l udp). seed_server.c hands this mode its clients and its
 * UDP listeners. */
#ifndef SEED_ECHO_H
#define SEED_ECHO_H

#include "io/loop.h"
#include "seed_client.h"

/* TCP clients' mode: what comes in goes back out. */
extern const seed_mode seed_echo_mode;

/* The loop's handler for a UDP listener (data: its seed_listener). */
void seed_echo_on_datagram(loop *l, int fd, void *data, int ready);

#endif
