/* reactor: event loops on threads of their own, and their inboxes (stage 6).
 *
 * Each reactor's inbox is a small array of jobs behind a mutex. Posting
 * appends a job and writes to the reactor's eventfd; its loop watches that
 * eventfd like any socket, so a sleeping epoll_wait() wakes up, and the
 * handler takes the whole array out under the mutex and runs the jobs
 * without it (a job may post again, even to its own reactor).
 *
 * The threads block every signal, so SIGINT and SIGTERM always reach the
 * main thread, whose handler stops the main loop; the main thread then
 * stops the others with reactor_stop(). */
#include "io/reactor.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/mem.h"

typedef struct reactor_job {
    reactor_job_fn *fn;
    void *data;
} reactor_job;

typedef struct reactor {
    loop *loop;
    bool own_loop;              /* created here (not reactor 0's) */
    pthread_t thread;
    bool running;               /* its thread was started */
    int wake_fd;                /* eventfd: "there are jobs", or "stop" */
    pthread_mutex_t inbox_lock;
    reactor_job *inbox;         /* jobs posted and not yet run */
    size_t inbox_len, inbox_cap;
} reactor;

static reactor reactors[REACTOR_MAX];
static int reactor_total;
static atomic_uint reactor_turn;            /* round robin of reactor_pick() */
static _Thread_local loop *reactor_self;    /* this thread's loop */

int reactor_count(void)
{
    return reactor_total;
}

loop *reactor_loop(int index)
{
    return reactors[index].loop;
}

int reactor_index_of(const loop *l)
{
    for (int i = 0; i < reactor_total; i++) {
        if (reactors[i].loop == l)
            return i;
    }
    return -1;
}

loop *reactor_current(void)
{
    return reactor_self;
}

int reactor_pick(void)
{
    return (int)(atomic_fetch_add_explicit(&reactor_turn, 1, memory_order_relaxed) % (unsigned)reactor_total);
}

static void reactor_wake(reactor *r)
{
    uint64_t one = 1;
    ssize_t ignored = write(r->wake_fd, &one, sizeof(one));   /* fails only if the counter is full: awake anyway */
    (void)ignored;
}

void reactor_post(int index, reactor_job_fn *fn, void *data)
{
    reactor *r = &reactors[index];
    pthread_mutex_lock(&r->inbox_lock);
    if (r->inbox_len == r->inbox_cap) {
        r->inbox_cap = r->inbox_cap ? r->inbox_cap * 2 : 16;
        r->inbox = mem_realloc(r->inbox, sizeof(*r->inbox) * r->inbox_cap);
    }
    r->inbox[r->inbox_len++] = (reactor_job){fn, data};
    pthread_mutex_unlock(&r->inbox_lock);
    reactor_wake(r);
}

/* The eventfd is readable: run what was posted. */
static void reactor_on_wake(loop *l, int fd, void *data, int ready)
{
    (void)l, (void)ready;
    reactor *r = data;
    uint64_t count;
    ssize_t ignored = read(fd, &count, sizeof(count));     /* resets the eventfd to 0 */
    (void)ignored;

    pthread_mutex_lock(&r->inbox_lock);
    reactor_job *jobs = r->inbox;
    size_t n = r->inbox_len;
    r->inbox = NULL;
    r->inbox_len = r->inbox_cap = 0;
    pthread_mutex_unlock(&r->inbox_lock);

    for (size_t i = 0; i < n; i++)
        jobs[i].fn(jobs[i].data);
    mem_free(jobs);
}

static int reactor_setup(reactor *r, loop *l, bool own_loop, char *err)
{
    r->loop = l;
    r->own_loop = own_loop;
    r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (r->wake_fd == -1 || loop_watch(l, r->wake_fd, LOOP_READABLE, reactor_on_wake, r) == -1) {
        snprintf(err, REACTOR_ERR_LEN, "Could not set up a reactor's wake-up: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int reactor_init(loop *main_loop, int count, char *err)
{
    if (count < 1 || count > REACTOR_MAX) {
        snprintf(err, REACTOR_ERR_LEN, "A reactor count must be from 1 to %d", REACTOR_MAX);
        return -1;
    }
    reactor_self = main_loop;
    for (int i = 0; i < count; i++) {
        reactors[i].wake_fd = -1;
        pthread_mutex_init(&reactors[i].inbox_lock, NULL);
        reactor_total = i + 1;      /* so reactor_free() undoes what was done */
        loop *l = i == 0 ? main_loop : loop_create();
        if (l == NULL) {
            snprintf(err, REACTOR_ERR_LEN, "Could not create an event loop: %s", strerror(errno));
            return -1;
        }
        if (reactor_setup(&reactors[i], l, i > 0, err) == -1)
            return -1;
    }
    return 0;
}

static void *reactor_thread(void *arg)
{
    reactor *r = arg;
    reactor_self = r->loop;
    loop_run(r->loop);
    return NULL;
}

int reactor_run_threads(char *err)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);     /* the new threads inherit the mask */
    int result = 0;
    for (int i = 1; i < reactor_total && result == 0; i++) {
        int failed = pthread_create(&reactors[i].thread, NULL, reactor_thread, &reactors[i]);
        if (failed) {
            snprintf(err, REACTOR_ERR_LEN, "Could not start a reactor thread: %s", strerror(failed));
            result = -1;
        } else {
            reactors[i].running = true;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return result;
}

void reactor_stop(void)
{
    for (int i = 1; i < reactor_total; i++) {
        reactor *r = &reactors[i];
        if (!r->running)
            continue;
        loop_stop(r->loop);
        reactor_wake(r);
        pthread_join(r->thread, NULL);
        r->running = false;
    }
}

void reactor_free(void)
{
    for (int i = 0; i < reactor_total; i++) {
        reactor *r = &reactors[i];
        if (r->wake_fd != -1) {
            if (r->loop != NULL)
                loop_unwatch(r->loop, r->wake_fd);
            close(r->wake_fd);
        }
        if (r->own_loop)
            loop_destroy(r->loop);
        pthread_mutex_destroy(&r->inbox_lock);
        mem_free(r->inbox);     /* jobs never run: what they point to is freed by their owners */
        memset(r, 0, sizeof(*r));
    }
    reactor_total = 0;
    reactor_self = NULL;
}
