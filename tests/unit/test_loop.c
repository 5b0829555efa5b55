/* Unit tests of loop: the epoll event loop and its millisecond timers
 * (stage 1). Timers are driven with loop_run_once() and small waits; the
 * file events use pipes, never sockets.
 *
 * Tests that depend on the clock leave 25 ms between due times, so a busy
 * machine does not merge two of them into one turn. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "io/loop.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1)
        ;
}

/* Turns the loop until *count reaches target or `limit_ms` have passed. */
static void run_until(loop *l, const int *count, int target, int max_wait_ms, long long limit_ms)
{
    long long end = loop_now_ms() + limit_ms;
    while (*count < target && loop_now_ms() < end)
        loop_run_once(l, max_wait_ms);
}

static void run_for(loop *l, long long ms)
{
    long long end = loop_now_ms() + ms;
    while (loop_now_ms() < end)
        loop_run_once(l, 5);
}

/* What the timer handlers below record. */
typedef struct firings {
    int count;
    int order[16];              /* the tag of each firing */
    long long at[16];           /* loop_now_ms() at each firing */
    long long period;           /* for repeating timers: the period to return */
    int repeat_until;           /* ... until count reaches this */
} firings;

typedef struct tagged {
    firings *log;
    int tag;
} tagged;

static void record(firings *f, int tag)
{
    if (f->count < 16) {
        f->order[f->count] = tag;
        f->at[f->count] = loop_now_ms();
    }
    f->count++;
}

static long long once(loop *l, long long id, void *data)
{
    (void)l, (void)id;
    tagged *t = data;
    record(t->log, t->tag);
    return LOOP_TIMER_DONE;
}

static long long repeating(loop *l, long long id, void *data)
{
    (void)l, (void)id;
    firings *f = data;
    record(f, 0);
    return f->count < f->repeat_until ? f->period : LOOP_TIMER_DONE;
}

static long long count_only(loop *l, long long id, void *data)
{
    (void)l, (void)id;
    ++*(int *)data;
    return 0;                   /* again on the next turn */
}

/* ---------------- The clock ---------------- */

Test(loop, now_ms_is_monotonic_and_counts_milliseconds)
{
    long long t0 = loop_now_ms();
    cr_expect_geq(loop_now_ms(), t0);
    sleep_ms(20);
    long long elapsed = loop_now_ms() - t0;
    cr_expect_geq(elapsed, 19);
    cr_expect_lt(elapsed, 2000);
}

/* ---------------- Timers ---------------- */

Test(loop, timers_fire_in_order_of_their_due_time, .timeout = 10)
{
    loop *l = loop_create();
    cr_assert_not_null(l);
    firings log = {0};
    tagged third = {&log, 3}, first = {&log, 1}, second = {&log, 2};
    long long start = loop_now_ms();
    /* Added out of order: the list is not sorted by due time. */
    loop_add_timer(l, 75, once, &third);
    loop_add_timer(l, 25, once, &first);
    loop_add_timer(l, 50, once, &second);
    run_until(l, &log.count, 3, 100, 3000);
    cr_assert_eq(log.count, 3);
    cr_expect_eq(log.order[0], 1);
    cr_expect_eq(log.order[1], 2);
    cr_expect_eq(log.order[2], 3);
    for (int i = 0; i < 3; i++)
        cr_expect_geq(log.at[i] - start, 25 * log.order[i],
                      "timer %d fired %lld ms after the start", log.order[i], log.at[i] - start);
    loop_destroy(l);
}

Test(loop, a_timer_does_not_fire_before_it_is_due, .timeout = 10)
{
    loop *l = loop_create();
    firings log = {0};
    tagged t = {&log, 1};
    long long start = loop_now_ms();
    loop_add_timer(l, 60, once, &t);
    for (int i = 0; i < 5; i++)
        loop_run_once(l, 0);
    if (loop_now_ms() - start < 60)
        cr_expect_eq(log.count, 0, "fired after %lld ms", log.at[0] - start);
    run_until(l, &log.count, 1, 10, 3000);
    cr_assert_eq(log.count, 1);
    cr_expect_geq(log.at[0] - start, 60);
    loop_destroy(l);
}

Test(loop, run_once_sleeps_until_the_nearest_timer_but_no_longer_than_max_wait, .timeout = 10)
{
    loop *l = loop_create();
    long long start = loop_now_ms();
    loop_run_once(l, 30);               /* no timers, no fds: waits 30 ms */
    long long waited = loop_now_ms() - start;
    cr_expect_geq(waited, 29);
    cr_expect_lt(waited, 1000);

    firings log = {0};
    tagged t = {&log, 1};
    loop_add_timer(l, 25, once, &t);
    start = loop_now_ms();
    loop_run_once(l, 5000);             /* the timer cuts the wait short */
    waited = loop_now_ms() - start;
    cr_expect_eq(log.count, 1);
    cr_expect_geq(waited, 24);
    cr_expect_lt(waited, 1000);

    loop_add_timer(l, 5000, once, &t);
    start = loop_now_ms();
    loop_run_once(l, 20);               /* max_wait cuts the timer's wait short */
    waited = loop_now_ms() - start;
    cr_expect_eq(log.count, 1);
    cr_expect_lt(waited, 1000);
    loop_destroy(l);
}

Test(loop, a_timer_returning_a_period_repeats_until_it_returns_done, .timeout = 10)
{
    loop *l = loop_create();
    firings log = {.period = 25, .repeat_until = 4};
    long long start = loop_now_ms();
    loop_add_timer(l, 0, repeating, &log);
    run_until(l, &log.count, 4, 10, 3000);
    cr_assert_eq(log.count, 4);
    cr_expect_geq(log.at[0], start);
    for (int i = 1; i < 4; i++)
        cr_expect_geq(log.at[i] - log.at[i - 1], 25, "firing %d came %lld ms after the one before",
                      i, log.at[i] - log.at[i - 1]);
    run_for(l, 80);                     /* three more periods: it is gone */
    cr_expect_eq(log.count, 4);
    loop_destroy(l);
}

Test(loop, a_timer_returning_done_runs_once)
{
    loop *l = loop_create();
    firings log = {0};
    tagged t = {&log, 1};
    loop_add_timer(l, 0, once, &t);
    for (int i = 0; i < 5; i++)
        loop_run_once(l, 0);
    cr_expect_eq(log.count, 1);
    loop_destroy(l);
}

Test(loop, a_timer_returning_zero_runs_once_per_turn)
{
    loop *l = loop_create();
    int count = 0;
    loop_add_timer(l, 0, count_only, &count);
    for (int i = 0; i < 5; i++)
        loop_run_once(l, 0);
    cr_expect_eq(count, 5);
    loop_destroy(l);
}

Test(loop, timer_ids_are_distinct)
{
    loop *l = loop_create();
    int count = 0;
    long long a = loop_add_timer(l, 1000, count_only, &count);
    long long b = loop_add_timer(l, 1000, count_only, &count);
    long long c = loop_add_timer(l, 1000, count_only, &count);
    cr_expect(a != b && b != c && a != c);
    loop_destroy(l);                    /* frees timers that never ran */
}

Test(loop, del_timer_cancels_only_that_timer, .timeout = 10)
{
    loop *l = loop_create();
    firings log = {0};
    tagged a = {&log, 1}, b = {&log, 2};
    long long id = loop_add_timer(l, 10, once, &a);
    loop_add_timer(l, 10, once, &b);
    loop_del_timer(l, id);
    loop_del_timer(l, 424242);          /* unknown ids are ignored */
    sleep_ms(15);
    for (int i = 0; i < 3; i++)
        loop_run_once(l, 0);
    cr_expect_eq(log.count, 1);
    cr_expect_eq(log.order[0], 2);
    loop_destroy(l);
}

/* Two timers due in the same turn, each deleting the other: whichever
 * runs first, the second must not run. */
typedef struct rivals {
    long long id[2];
    int ran[2];
} rivals;

static long long delete_rival(loop *l, long long id, void *data)
{
    rivals *r = data;
    int me = id == r->id[0] ? 0 : 1;
    r->ran[me]++;
    loop_del_timer(l, r->id[1 - me]);
    return LOOP_TIMER_DONE;
}

Test(loop, a_timer_deleted_by_a_handler_of_the_same_turn_does_not_run)
{
    loop *l = loop_create();
    rivals r = {{0, 0}, {0, 0}};
    r.id[0] = loop_add_timer(l, 0, delete_rival, &r);
    r.id[1] = loop_add_timer(l, 0, delete_rival, &r);
    for (int i = 0; i < 3; i++)
        loop_run_once(l, 0);
    cr_expect_eq(r.ran[0] + r.ran[1], 1, "ran %d and %d times", r.ran[0], r.ran[1]);
    loop_destroy(l);
}

static long long delete_self_and_ask_again(loop *l, long long id, void *data)
{
    ++*(int *)data;
    loop_del_timer(l, id);
    return 0;                   /* deleted wins over the period */
}

Test(loop, a_handler_may_delete_its_own_timer)
{
    loop *l = loop_create();
    int count = 0;
    loop_add_timer(l, 0, delete_self_and_ask_again, &count);
    for (int i = 0; i < 4; i++)
        loop_run_once(l, 0);
    cr_expect_eq(count, 1);
    loop_destroy(l);
}

typedef struct spawner {
    firings log;
    tagged child;
} spawner;

static long long spawn(loop *l, long long id, void *data)
{
    (void)id;
    spawner *s = data;
    record(&s->log, 1);
    loop_add_timer(l, 0, once, &s->child);     /* due at once */
    return LOOP_TIMER_DONE;
}

Test(loop, a_timer_added_by_a_handler_runs_on_a_later_turn)
{
    loop *l = loop_create();
    spawner s = {0};
    s.child = (tagged){&s.log, 2};
    loop_add_timer(l, 0, spawn, &s);
    loop_run_once(l, 0);
    cr_assert_eq(s.log.count, 1, "the first turn runs only the parent");
    cr_expect_eq(s.log.order[0], 1);
    loop_run_once(l, 0);
    cr_assert_eq(s.log.count, 2, "the next turn runs the child");
    cr_expect_eq(s.log.order[1], 2);
    loop_destroy(l);
}

static long long stop_loop(loop *l, long long id, void *data)
{
    (void)id;
    ++*(int *)data;
    loop_stop(l);
    return LOOP_TIMER_DONE;
}

Test(loop, loop_stop_from_a_handler_ends_loop_run, .timeout = 10)
{
    loop *l = loop_create();
    int stops = 0;
    loop_add_timer(l, 10, stop_loop, &stops);
    loop_run(l);
    cr_expect_eq(stops, 1);
    loop_destroy(l);
}

/* A signal handler may call loop_stop() before the server reaches
 * loop_run(): the request must not be lost. */
Test(loop, a_stop_requested_before_loop_run_is_kept, .timeout = 10)
{
    loop *l = loop_create();
    int ticks = 0;
    loop_add_timer(l, 0, count_only, &ticks);
    loop_stop(l);
    loop_run(l);
    cr_expect_eq(ticks, 0, "loop_run turned %d times after a stop", ticks);
    loop_destroy(l);
}

/* ---------------- File events, on pipes ---------------- */

typedef struct fd_calls {
    int count;
    int fd;
    int ready;
    void *data;
} fd_calls;

static void on_ready(loop *l, int fd, void *data, int ready)
{
    (void)l;
    fd_calls *c = data;
    c->count++;
    c->fd = fd;
    c->ready = ready;
    c->data = data;
    char drain[64];
    if (ready & LOOP_READABLE)
        while (read(fd, drain, sizeof(drain)) > 0)
            ;
}

static void open_pipe(int fds[2])
{
    cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

Test(loop, calls_the_read_handler_of_a_readable_fd_with_its_data, .timeout = 10)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    fd_calls calls = {0};
    cr_assert_eq(loop_watch(l, p[0], LOOP_READABLE, on_ready, &calls), 0);
    loop_run_once(l, 10);
    cr_expect_eq(calls.count, 0, "nothing to read yet");

    cr_assert_eq(write(p[1], "x", 1), 1);
    loop_run_once(l, 1000);
    cr_expect_eq(calls.count, 1);
    cr_expect_eq(calls.fd, p[0]);
    cr_expect_eq(calls.ready, LOOP_READABLE);
    cr_expect_eq(calls.data, &calls);

    loop_run_once(l, 10);
    cr_expect_eq(calls.count, 1, "drained: not reported again");

    loop_unwatch(l, p[0]);
    cr_assert_eq(write(p[1], "y", 1), 1);
    loop_run_once(l, 10);
    cr_expect_eq(calls.count, 1, "unwatched: not reported");
    loop_unwatch(l, p[0]);              /* twice is harmless */
    loop_destroy(l);
    close(p[0]);
    close(p[1]);
}

Test(loop, set_mask_switches_between_read_and_write_interest, .timeout = 10)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    fd_calls calls = {0};
    cr_assert_eq(loop_watch(l, p[1], LOOP_READABLE, on_ready, &calls), 0);
    loop_run_once(l, 10);
    cr_expect_eq(calls.count, 0, "a write end is never readable");
    cr_expect_eq(loop_set_mask(l, p[1], LOOP_WRITABLE), 0);
    loop_run_once(l, 1000);
    cr_expect_eq(calls.count, 1);
    cr_expect_eq(calls.ready, LOOP_WRITABLE);
    cr_expect_eq(loop_set_mask(l, p[1], LOOP_READABLE), 0);
    loop_run_once(l, 10);
    cr_expect_eq(calls.count, 1, "no longer interested in writing");
    cr_expect_eq(loop_set_mask(l, p[0], LOOP_WRITABLE), 0, "an unwatched fd is left alone");
    loop_destroy(l);
    close(p[0]);
    close(p[1]);
}

Test(loop, watches_fds_beyond_its_initial_table, .timeout = 10)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    int high = fcntl(p[0], F_DUPFD_CLOEXEC, 300);
    cr_assert_geq(high, 300);
    fd_calls calls = {0};
    cr_assert_eq(loop_watch(l, high, LOOP_READABLE, on_ready, &calls), 0);
    cr_assert_eq(write(p[1], "x", 1), 1);
    loop_run_once(l, 1000);
    cr_expect_eq(calls.count, 1);
    cr_expect_eq(calls.fd, high);
    loop_destroy(l);
    close(high);
    close(p[0]);
    close(p[1]);
}

Test(loop, watching_an_fd_twice_fails)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    fd_calls calls = {0};
    cr_expect_eq(loop_watch(l, p[0], LOOP_READABLE, on_ready, &calls), 0);
    cr_expect_eq(loop_watch(l, p[0], LOOP_READABLE, on_ready, &calls), -1);
    loop_destroy(l);
    close(p[0]);
    close(p[1]);
}

/* Two readable pipes; whichever handler runs first unwatches the other,
 * whose event from the same epoll_wait must then be dropped. */
typedef struct pair {
    loop *l;
    int fd[2];
    int calls[2];
} pair;

static void unwatch_other(loop *l, int fd, void *data, int ready)
{
    (void)ready;
    pair *p = data;
    int me = fd == p->fd[0] ? 0 : 1;
    p->calls[me]++;
    loop_unwatch(l, p->fd[1 - me]);
}

Test(loop, an_fd_unwatched_by_an_earlier_handler_of_the_turn_is_skipped, .timeout = 10)
{
    loop *l = loop_create();
    int a[2], b[2];
    open_pipe(a);
    open_pipe(b);
    pair p = {l, {a[0], b[0]}, {0, 0}};
    cr_assert_eq(loop_watch(l, a[0], LOOP_READABLE, unwatch_other, &p), 0);
    cr_assert_eq(loop_watch(l, b[0], LOOP_READABLE, unwatch_other, &p), 0);
    cr_assert_eq(write(a[1], "x", 1), 1);
    cr_assert_eq(write(b[1], "x", 1), 1);
    loop_run_once(l, 1000);
    cr_expect_eq(p.calls[0] + p.calls[1], 1, "calls: %d and %d", p.calls[0], p.calls[1]);
    loop_destroy(l);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

Test(loop, fd_handlers_and_timers_share_a_turn, .timeout = 10)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    fd_calls calls = {0};
    firings log = {0};
    tagged t = {&log, 1};
    cr_assert_eq(loop_watch(l, p[0], LOOP_READABLE, on_ready, &calls), 0);
    cr_assert_eq(write(p[1], "x", 1), 1);
    loop_add_timer(l, 0, once, &t);
    loop_run_once(l, 0);
    cr_expect_eq(calls.count, 1);
    cr_expect_eq(log.count, 1);
    loop_destroy(l);
    close(p[0]);
    close(p[1]);
}

/* ---------------- The before-sleep hook (stage 5) ---------------- */

/* What a before-sleep hook saw. A pipe lets it prove that it runs
 * before the wait: it writes a byte the same turn's epoll_wait() then
 * finds, so the turn ends at once instead of after max_wait. */
typedef struct hook_calls {
    int count;
    loop *l;                    /* the loop it was given */
    void *data;                 /* the data it was given */
    int write_fd;               /* >= 0: write a byte here on each call */
    int fd_calls_at_hook;       /* fd handler calls made before the last hook call */
    const fd_calls *fds;        /* the fd handler's record, or NULL */
    int tag;                    /* which of two hooks: 1 or 2 */
    int *last_tag;              /* where to write tag on each call, or NULL */
} hook_calls;

static void hook(loop *l, void *data)
{
    hook_calls *h = data;
    h->count++;
    h->l = l;
    h->data = data;
    if (h->fds != NULL)
        h->fd_calls_at_hook = h->fds->count;
    if (h->last_tag != NULL)
        *h->last_tag = h->tag;
    if (h->write_fd >= 0)
        cr_assert_eq(write(h->write_fd, "h", 1), 1);
}

Test(loop, no_before_sleep_hook_is_set_at_first)
{
    loop *l = loop_create();
    for (int i = 0; i < 3; i++)
        loop_run_once(l, 0);            /* nothing to call, nothing to crash on */
    loop_destroy(l);
}

Test(loop, the_before_sleep_hook_runs_once_per_turn_with_its_loop_and_data)
{
    loop *l = loop_create();
    hook_calls h = {.write_fd = -1};
    loop_set_before_sleep(l, hook, &h);
    cr_expect_eq(h.count, 0, "setting the hook does not call it");
    for (int i = 1; i <= 5; i++) {
        loop_run_once(l, 0);
        cr_expect_eq(h.count, i, "after %d turns the hook ran %d times", i, h.count);
    }
    cr_expect_eq(h.l, l);
    cr_expect_eq(h.data, &h);
    loop_destroy(l);
}

Test(loop, the_before_sleep_hook_runs_once_per_turn_whatever_the_turn_handles, .timeout = 10)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    fd_calls calls = {0};
    int ticks = 0;
    hook_calls h = {.write_fd = -1};
    cr_assert_eq(loop_watch(l, p[0], LOOP_READABLE, on_ready, &calls), 0);
    loop_add_timer(l, 0, count_only, &ticks);
    loop_set_before_sleep(l, hook, &h);
    cr_assert_eq(write(p[1], "x", 1), 1);
    loop_run_once(l, 0);                /* an fd event and a timer */
    cr_expect_eq(calls.count, 1);
    cr_expect_eq(ticks, 1);
    cr_expect_eq(h.count, 1, "one turn with two events ran the hook %d times", h.count);
    loop_run_once(l, 0);                /* only the timer */
    cr_expect_eq(h.count, 2);
    loop_destroy(l);
    close(p[0]);
    close(p[1]);
}

Test(loop, the_before_sleep_hook_runs_before_the_wait, .timeout = 10)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    fd_calls calls = {0};
    hook_calls h = {.write_fd = p[1], .fds = &calls, .fd_calls_at_hook = -1};
    cr_assert_eq(loop_watch(l, p[0], LOOP_READABLE, on_ready, &calls), 0);
    loop_set_before_sleep(l, hook, &h);
    long long start = loop_now_ms();
    loop_run_once(l, 5000);
    long long waited = loop_now_ms() - start;
    cr_expect_eq(h.count, 1);
    cr_expect_eq(h.fd_calls_at_hook, 0, "the fd handler ran before the hook");
    cr_expect_eq(calls.count, 1, "the byte the hook wrote was not seen in the same turn");
    cr_expect_lt(waited, 2500, "the turn waited %lld ms: the hook ran after the wait", waited);
    loop_destroy(l);
    close(p[0]);
    close(p[1]);
}

/* Work a handler leaves for the hook (stage 5: records to write) is
 * done before the loop next sleeps, not one wait later. */
Test(loop, the_before_sleep_hook_runs_again_before_the_next_wait, .timeout = 10)
{
    loop *l = loop_create();
    int p[2];
    open_pipe(p);
    fd_calls calls = {0};
    hook_calls h = {.write_fd = -1, .fds = &calls, .fd_calls_at_hook = -1};
    cr_assert_eq(loop_watch(l, p[0], LOOP_READABLE, on_ready, &calls), 0);
    loop_set_before_sleep(l, hook, &h);
    cr_assert_eq(write(p[1], "x", 1), 1);
    loop_run_once(l, 1000);
    cr_expect_eq(calls.count, 1);
    cr_expect_eq(h.fd_calls_at_hook, 0, "the first turn's hook ran before the handler");
    loop_run_once(l, 10);
    cr_expect_eq(h.count, 2);
    cr_expect_eq(h.fd_calls_at_hook, 1, "the second turn's hook sees what the first turn's handler did");
    loop_destroy(l);
    close(p[0]);
    close(p[1]);
}

Test(loop, the_before_sleep_hook_can_be_replaced)
{
    loop *l = loop_create();
    int last = 0;
    hook_calls first = {.write_fd = -1, .tag = 1, .last_tag = &last};
    hook_calls second = {.write_fd = -1, .tag = 2, .last_tag = &last};
    loop_set_before_sleep(l, hook, &first);
    loop_run_once(l, 0);
    cr_expect_eq(first.count, 1);
    cr_expect_eq(last, 1);
    loop_set_before_sleep(l, hook, &second);
    loop_run_once(l, 0);
    loop_run_once(l, 0);
    cr_expect_eq(first.count, 1, "the replaced hook still ran");
    cr_expect_eq(second.count, 2);
    cr_expect_eq(second.data, &second, "the new hook got the old data");
    cr_expect_eq(last, 2);
    loop_destroy(l);
}

Test(loop, the_before_sleep_hook_can_be_removed_with_null)
{
    loop *l = loop_create();
    hook_calls h = {.write_fd = -1};
    loop_set_before_sleep(l, hook, &h);
    loop_run_once(l, 0);
    cr_expect_eq(h.count, 1);
    loop_set_before_sleep(l, NULL, NULL);
    for (int i = 0; i < 3; i++)
        loop_run_once(l, 0);
    cr_expect_eq(h.count, 1, "a removed hook ran %d more times", h.count - 1);
    loop_set_before_sleep(l, hook, &h);     /* and set again */
    loop_run_once(l, 0);
    cr_expect_eq(h.count, 2);
    loop_destroy(l);
}

/* A hook may change the hook: the change applies from the next turn. */
static void remove_myself(loop *l, void *data)
{
    ++*(int *)data;
    loop_set_before_sleep(l, NULL, NULL);
}

Test(loop, the_before_sleep_hook_may_remove_itself)
{
    loop *l = loop_create();
    int count = 0;
    loop_set_before_sleep(l, remove_myself, &count);
    for (int i = 0; i < 3; i++)
        loop_run_once(l, 0);
    cr_expect_eq(count, 1);
    loop_destroy(l);
}

static void stop_from_hook(loop *l, void *data)
{
    ++*(int *)data;
    loop_stop(l);
}

Test(loop, the_before_sleep_hook_runs_under_loop_run_and_may_stop_it, .timeout = 10)
{
    loop *l = loop_create();
    int count = 0;
    int ticks = 0;
    loop_add_timer(l, 0, count_only, &ticks);
    loop_set_before_sleep(l, stop_from_hook, &count);
    loop_run(l);
    cr_expect_eq(count, 1);
    cr_expect_eq(ticks, 1, "the turn the hook stopped still ran its timers");
    loop_destroy(l);
}
