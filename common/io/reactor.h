/* reactor: several threads, each running an event loop of its own (stage 6).
 *
 * Stage 1's loop serves many clients from one thread. A reactor is that
 * loop on a thread of its own; with N reactors, N cores read, parse and
 * write at once. Reactor 0 is the thread that called main() (its loop is
 * the server's main loop, with the listening sockets and the cron); the
 * others are started here.
 *
 * A loop may only be touched by its own thread, so work meant for another
 * reactor is posted to its inbox: a job (a function and its argument)
 * that the reactor's thread runs soon, woken through an eventfd. That is
 * how a new connection, accepted on reactor 0, is handed to the reactor
 * that will serve it for the rest of its life.
 *
 *     reactor_init(main_loop, 4, err);        // 4 loops: main's and 3 new ones
 *     loop_add_timer(reactor_loop(2), ...);    // set up each loop before...
 *     reactor_run_threads(err);                // ...the threads start
 *     reactor_post(reactor_pick(), job, arg);  // job(arg) runs on that thread
 *     loop_run(main_loop);
 *     reactor_stop();                          // stop and join the others
 *     reactor_free();
 *
 * This module knows nothing of clients or keys, only of loops and threads. */
#ifndef REACTOR_H
#define REACTOR_H

#include <stdbool.h>

#include "io/loop.h"

#define REACTOR_MAX 256
#define REACTOR_ERR_LEN 256

typedef void reactor_job_fn(void *data);

/* Reactor 0 is main_loop, served by the calling thread; count - 1 more
 * loops are created for threads that reactor_run_threads() starts. */
int reactor_init(loop *main_loop, int count, char *err);
int reactor_run_threads(char *err);
void reactor_stop(void);        /* ask every thread to stop, wait for each */
void reactor_free(void);        /* after reactor_stop: the extra loops go too */

int reactor_count(void);
loop *reactor_loop(int index);
int reactor_index_of(const loop *l);    /* -1 if it is no reactor's */
loop *reactor_current(void);    /* the calling thread's loop, NULL if it has none */
int reactor_pick(void);         /* the next reactor in turn, for a new connection */

/* Run fn(data) on the reactor's own thread, after the jobs posted before. */
void reactor_post(int index, reactor_job_fn *fn, void *data);

#endif
