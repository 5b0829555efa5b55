/* loop: an epoll event loop with timers (stage 1).
 *
 * One thread serves many clients by never blocking: it asks the kernel
 * which sockets are ready (epoll_wait), calls the handler registered for
 * each, and runs the timers that are due. A handler must do a bounded
 * amount of work and return; a slow handler delays every other client.
 *
 *     loop *l = loop_create();
 *     loop_watch(l, fd, LOOP_READABLE, on_ready, client);
 *     loop_add_timer(l, 100, on_tick, NULL);      // in 100 ms
 *     loop_run(l);                                 // until loop_stop(l)
 */
#ifndef LOOP_H
#define LOOP_H

#define LOOP_READABLE 1
#define LOOP_WRITABLE 2
#define LOOP_TIMER_DONE -1      /* a timer handler returns this to end */

typedef struct loop loop;

/* Called with the readiness found (LOOP_READABLE and/or LOOP_WRITABLE). */
typedef void loop_fd_fn(loop *l, int fd, void *data, int ready);
/* Returns the milliseconds until it runs again, or LOOP_TIMER_DONE. */
typedef long long loop_timer_fn(loop *l, long long id, void *data);

/* Runs once per turn, before the loop waits for events (stage 5: write
 * the append-only file, then the replies that waited for it). */
typedef void loop_hook_fn(loop *l, void *data);

loop *loop_create(void);
void loop_destroy(loop *l);

int loop_watch(loop *l, int fd, int mask, loop_fd_fn *fn, void *data);
int loop_set_mask(loop *l, int fd, int mask);
void loop_unwatch(loop *l, int fd);

long long loop_add_timer(loop *l, long long ms, loop_timer_fn *fn, void *data);
void loop_del_timer(loop *l, long long id);

void loop_set_before_sleep(loop *l, loop_hook_fn *fn, void *data);

void loop_run(loop *l);
void loop_run_once(loop *l, int max_wait_ms);  /* one turn, for tests */
/* Safe from a signal handler or another thread; the loop stops when it
 * next wakes up (a timer or an event). */
void loop_stop(loop *l);
long long loop_now_ms(void);            /* monotonic clock */

#endif
