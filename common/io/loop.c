/* loop: epoll-based event loop with millisecond timers (stage 1).
 *
 * File events are indexed by fd in a plain array (fds are small integers,
 * and the kernel hands out the lowest free one), so finding a handler is
 * one array access.
 *
 * Timers sit in an unsorted linked list and finding the next one is a
 * linear scan. That is the choice Redis's ae.c makes too: a server has a
 * handful of timers (the active expiry cycle of stage 3 is one), and a
 * heap would only pay off with thousands.
 *
 * Epoll is used level-triggered: a socket that still has bytes after a
 * handler returns is reported again, so a handler may read a bounded
 * amount and let other clients have their turn. */
#include "io/loop.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"

#define LOOP_MAX_EVENTS 1024

typedef struct loop_fd {
    int mask;               /* 0 when the fd is not watched */
    loop_fd_fn *fn;
    void *data;
} loop_fd;

typedef struct loop_timer {
    long long id;
    long long when_ms;      /* monotonic time it is due */
    loop_timer_fn *fn;
    void *data;
    bool deleted;           /* removed while the list was being walked */
    struct loop_timer *next;
} loop_timer;

struct loop {
    int epfd;
    loop_fd *fds;           /* indexed by fd */
    int nfds;               /* room in fds */
    loop_timer *timers;
    long long next_timer_id;
    atomic_int stop;        /* set by a signal handler or another thread */
    loop_hook_fn *before_sleep;
    void *before_sleep_data;
    struct epoll_event events[LOOP_MAX_EVENTS];
};

long long loop_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

loop *loop_create(void)
{
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd == -1)
        return NULL;
    loop *l = mem_calloc(1, sizeof(*l));
    l->epfd = epfd;
    return l;
}

void loop_destroy(loop *l)
{
    if (l == NULL)
        return;
    while (l->timers != NULL) {
        loop_timer *next = l->timers->next;
        mem_free(l->timers);
        l->timers = next;
    }
    close(l->epfd);
    mem_free(l->fds);
    mem_free(l);
}

/* ---------------- File events ---------------- */

static unsigned loop_epoll_bits(int mask)
{
    unsigned bits = 0;
    if (mask & LOOP_READABLE)
        bits |= EPOLLIN;
    if (mask & LOOP_WRITABLE)
        bits |= EPOLLOUT;
    return bits;
}

static void loop_grow(loop *l, int fd)
{
    if (fd < l->nfds)
        return;
    int n = l->nfds ? l->nfds : 64;
    while (n <= fd)
        n *= 2;
    l->fds = mem_realloc(l->fds, sizeof(*l->fds) * (size_t)n);
    for (int i = l->nfds; i < n; i++)
        l->fds[i] = (loop_fd){0, NULL, NULL};
    l->nfds = n;
}

int loop_watch(loop *l, int fd, int mask, loop_fd_fn *fn, void *data)
{
    loop_grow(l, fd);
    struct epoll_event ev = {.events = loop_epoll_bits(mask), .data.fd = fd};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
        return -1;
    l->fds[fd] = (loop_fd){mask, fn, data};
    return 0;
}

int loop_set_mask(loop *l, int fd, int mask)
{
    if (fd >= l->nfds || l->fds[fd].mask == 0 || l->fds[fd].mask == mask)
        return 0;
    struct epoll_event ev = {.events = loop_epoll_bits(mask), .data.fd = fd};
    if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) == -1)
        return -1;
    l->fds[fd].mask = mask;
    return 0;
}

void loop_unwatch(loop *l, int fd)
{
    if (fd >= l->nfds || l->fds[fd].mask == 0)
        return;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    l->fds[fd] = (loop_fd){0, NULL, NULL};
}

/* ---------------- Timers ---------------- */

long long loop_add_timer(loop *l, long long ms, loop_timer_fn *fn, void *data)
{
    loop_timer *t = mem_alloc(sizeof(*t));
    t->id = ++l->next_timer_id;
    t->when_ms = loop_now_ms() + ms;
    t->fn = fn;
    t->data = data;
    t->deleted = false;
    t->next = l->timers;
    l->timers = t;
    return t->id;
}

void loop_del_timer(loop *l, long long id)
{
    for (loop_timer *t = l->timers; t != NULL; t = t->next) {
        if (t->id == id)
            t->deleted = true;      /* freed by the next walk, which may be running now */
    }
}

/* How long epoll may sleep: until the nearest timer, or forever. */
static int loop_wait_ms(loop *l, int max_wait_ms)
{
    long long nearest = -1;
    for (loop_timer *t = l->timers; t != NULL; t = t->next) {
        if (!t->deleted && (nearest == -1 || t->when_ms < nearest))
            nearest = t->when_ms;
    }
    if (nearest == -1)
        return max_wait_ms;
    long long wait = nearest - loop_now_ms();
    if (wait < 0)
        wait = 0;
    if (max_wait_ms >= 0 && wait > max_wait_ms)
        wait = max_wait_ms;
    return (int)wait;
}

static void loop_run_timers(loop *l)
{
    long long now = loop_now_ms();
    /* Timers added by a handler run on the next turn, never in this walk:
     * the walk only considers ids that existed when it began. */
    long long last_id = l->next_timer_id;
    for (loop_timer *t = l->timers; t != NULL; t = t->next) {
        if (t->deleted || t->id > last_id || t->when_ms > now)
            continue;
        long long again = t->fn(l, t->id, t->data);
        if (again == LOOP_TIMER_DONE)
            t->deleted = true;
        else
            t->when_ms = loop_now_ms() + again;
    }
    loop_timer **link = &l->timers;
    while (*link != NULL) {
        loop_timer *t = *link;
        if (t->deleted) {
            *link = t->next;
            mem_free(t);
        } else {
            link = &t->next;
        }
    }
}

/* ---------------- The loop ---------------- */

void loop_set_before_sleep(loop *l, loop_hook_fn *fn, void *data)
{
    l->before_sleep = fn;
    l->before_sleep_data = data;
}

void loop_run_once(loop *l, int max_wait_ms)
{
    if (l->before_sleep != NULL)
        l->before_sleep(l, l->before_sleep_data);
    int n = epoll_wait(l->epfd, l->events, LOOP_MAX_EVENTS, loop_wait_ms(l, max_wait_ms));
    for (int i = 0; i < n; i++) {
        int fd = l->events[i].data.fd;
        unsigned bits = l->events[i].events;
        /* An earlier handler of this turn may have closed fd. */
        if (fd >= l->nfds || l->fds[fd].mask == 0)
            continue;
        int ready = 0;
        if (bits & (EPOLLIN | EPOLLERR | EPOLLHUP))
            ready |= LOOP_READABLE;
        if (bits & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            ready |= LOOP_WRITABLE;
        ready &= l->fds[fd].mask;
        if (ready)
            l->fds[fd].fn(l, fd, l->fds[fd].data, ready);
    }
    loop_run_timers(l);
}

/* A stop requested by a signal between the check and epoll_wait() is
 * seen at the next wake-up: servers keep a periodic timer for that. */
void loop_run(loop *l)
{
    while (!atomic_load_explicit(&l->stop, memory_order_relaxed))
        loop_run_once(l, -1);
}

void loop_stop(loop *l)
{
    atomic_store_explicit(&l->stop, 1, memory_order_relaxed);
}
