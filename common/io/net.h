/* net: listening and accepting TCP connections (stage 1); UDP sockets
 * for the seed's echo mode (stage 6).
 *
 * Everything here is non-blocking: a listening socket that would block on
 * accept() would freeze every client of the event loop. Functions return
 * -1 and write the reason into `err` (NET_ERR_LEN bytes); the caller
 * decides whether that is fatal.
 *
 *     char err[NET_ERR_LEN];
 *     int fd = net_listen_tcp("127.0.0.1", 6379, 511, err);
 *     int client = net_accept(fd, ip, sizeof(ip), &port, err);
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>

#define NET_ERR_LEN 256
#define NET_IP_LEN 46       /* INET6_ADDRSTRLEN */

int net_listen_tcp(const char *addr, int port, int backlog, char *err);
int net_listen_udp(const char *addr, int port, char *err);     /* stage 6 */
int net_accept(int listen_fd, char *ip, size_t ip_len, int *port, char *err);
int net_set_nonblocking(int fd, char *err);
int net_local_addr(int fd, char *ip, size_t ip_len, int *port);

#endif
