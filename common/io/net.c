/* net: TCP listening sockets, IPv4 and IPv6 (stage 1); UDP (stage 6). */
#include "io/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int net_fail(char *err, const char *what)
{
    snprintf(err, NET_ERR_LEN, "%s: %s", what, strerror(errno));
    return -1;
}

int net_set_nonblocking(int fd, char *err)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
        return net_fail(err, "fcntl(O_NONBLOCK)");
    return 0;
}

/* The addresses to bind for `addr` and `port`, for sockets of `socktype`
 * (SOCK_STREAM or SOCK_DGRAM). `addr` must be numeric ("127.0.0.1",
 * "::"): a name would need a DNS lookup, which can block. NULL with err
 * filled if it is not an address; else freeaddrinfo() the list after. */
static struct addrinfo *net_resolve(const char *addr, int port, int socktype, char *err)
{
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {0}, *found;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
    int rc = getaddrinfo(addr, service, &hints, &found);
    if (rc != 0) {
        snprintf(err, NET_ERR_LEN, "bad address '%s': %s", addr, gai_strerror(rc));
        return NULL;
    }
    return found;
}

/* Bind the first address `addr` resolves to. "::" style addresses get
 * IPV6_V6ONLY so that "0.0.0.0" and "::" can both be bound, as in Redis. */
int net_listen_tcp(const char *addr, int port, int backlog, char *err)
{
    struct addrinfo *found = net_resolve(addr, port, SOCK_STREAM, err);
    if (found == NULL)
        return -1;
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        net_fail(err, "socket");
        goto fail;
    }
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (found->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    if (bind(fd, found->ai_addr, found->ai_addrlen) == -1) {
        char what[128];
        snprintf(what, sizeof(what), "bind %s:%d", addr, port);
        net_fail(err, what);
        goto fail;
    }
    if (listen(fd, backlog) == -1) {
        net_fail(err, "listen");
        goto fail;
    }
    if (net_set_nonblocking(fd, err) == -1)
        goto fail;
    freeaddrinfo(found);
    return fd;
fail:
    if (fd != -1)
        close(fd);
    freeaddrinfo(found);
    return -1;
}

/* An address as text and a port, IPv4 or IPv6. */
static void net_format_addr(const struct sockaddr_storage *sa, char *ip, size_t ip_len, int *port)
{
    if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t)ip_len);
        *port = ntohs(in6->sin6_port);
    } else {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in4->sin_addr, ip, (socklen_t)ip_len);
        *port = ntohs(in4->sin_port);
    }
}

/* Accept one connection, made non-blocking and with Nagle's algorithm off:
 * replies are small and a client is waiting for each one. */
int net_accept(int listen_fd, char *ip, size_t ip_len, int *port, char *err)
{
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    int fd = accept4(listen_fd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd == -1)
        return net_fail(err, "accept");
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    net_format_addr(&sa, ip, ip_len, port);
    return fd;
}

/* The address a connection arrived at (CLIENT LIST's laddr, stage 6). */
int net_local_addr(int fd, char *ip, size_t ip_len, int *port)
{
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    if (getsockname(fd, (struct sockaddr *)&sa, &salen) == -1)
        return -1;
    net_format_addr(&sa, ip, ip_len, port);
    return 0;
}

/* A bound, non-blocking UDP socket (stage 6: the seed's `-l udp` echo).
 * UDP has no listen() and no accept(): every datagram arrives on this one
 * socket with its sender's address. No SO_REUSEADDR here: for UDP it would
 * let a second process bind the same port and take some of its datagrams,
 * and UDP has no TIME_WAIT for it to help with. */
int net_listen_udp(const char *addr, int port, char *err)
{
    struct addrinfo *found = net_resolve(addr, port, SOCK_DGRAM, err);
    if (found == NULL)
        return -1;
    int fd = socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        net_fail(err, "socket");
        goto fail;
    }
    if (found->ai_family == AF_INET6) {
        int yes = 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    }
    if (bind(fd, found->ai_addr, found->ai_addrlen) == -1) {
        char what[128];
        snprintf(what, sizeof(what), "bind %s:%d/udp", addr, port);
        net_fail(err, what);
        goto fail;
    }
    freeaddrinfo(found);
    return fd;
fail:
    if (fd != -1) {
        int saved = errno;      /* the caller tells EADDRINUSE from the rest */
        close(fd);
        errno = saved;
    }
    freeaddrinfo(found);
    return -1;
}
