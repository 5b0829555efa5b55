/* seed_echo: the seed's echo modes, TCP and UDP, on the event loop (stage 6).
 *
 * Stage 6 brings back the first workshop server's echo: every byte a TCP
 * client sends comes back to it (-p 8888), each UDP datagram goes back to
 * its sender (-l udp), and with -x true what arrives is also written to
 * the log as a hexdump -C. With no keyspace and no commands, it is stage
 * 1's ideas in their smallest form. The reading and writing of a TCP
 * client are seed_client.c's, shared with the exec mode; what is left
 * here is what makes it an echo. */
#include "seed_echo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/log.h"
#include "seed_state.h"

#define SEED_UDP_BATCH 64           /* datagrams per event: one sender cannot hog a turn */

/* ---------------- TCP echo ---------------- */

/* What came in is what goes out: it waits in the client's reply buffer
 * until the socket takes it, and the client is not read past
 * SEED_OUT_HIGH of it (seed_client.c). */
static int seed_echo_input(seed_client *c, const char *bytes, size_t len)
{
    buf_append(&c->out, bytes, len);
    return seed_client_flush(c);
}

const seed_mode seed_echo_mode = {.on_input = seed_echo_input, .on_free = NULL};

/* ---------------- UDP echo ----------------
 *
 * One socket, no connections: each datagram is read with its sender's
 * address and sent straight back. If the kernel has no room to send, the
 * reply is dropped: UDP promises no delivery, and queueing replies would
 * let a flood of datagrams grow our memory. */

/* "ip:port" of a datagram's sender, for the log ("?:0" if not IP). */
static void seed_format_sender(const struct sockaddr_storage *from, char *peer, size_t size)
{
    char ip[NET_IP_LEN] = "?";
    int port = 0;
    if (from->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)from;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        port = ntohs(in6->sin6_port);
    } else if (from->ss_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)from;
        inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
        port = ntohs(in4->sin_port);
    }
    snprintf(peer, size, "%s:%d", ip, port);
}

void seed_echo_on_datagram(loop *l, int fd, void *data, int ready)
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
            char peer[NET_IP_LEN + 8];
            seed_format_sender(&from, peer, sizeof(peer));
            seed_log_hexdump(peer, ln->port, seed.udp_buf, (size_t)n);
        }
        if (sendto(fd, seed.udp_buf, (size_t)n, 0, (struct sockaddr *)&from, from_len) == -1)
            log_write(LOG_VERBOSE, "Dropped a reply on port %d/udp: %s", ln->port, strerror(errno));
    }
}
