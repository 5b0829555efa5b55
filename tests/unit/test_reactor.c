/* Unit tests of reactor: event loops on threads of their own, and the
 * inboxes that hand them work (stage 6). No sockets: the jobs record where
 * they ran, and the main loop is turned by hand with loop_run_once(). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "io/loop.h"
#include "io/reactor.h"

#define JOBS 1000

typedef struct record {
    loop *ran_on;               /* reactor_current() inside the job */
    pthread_t thread;
    atomic_int done;
} record;

static void note(void *data)
{
    record *r = data;
    r->ran_on = reactor_current();
    r->thread = pthread_self();
    atomic_store(&r->done, 1);
}

static bool wait_done(record *records, int n, long long limit_ms)
{
    long long end = loop_now_ms() + limit_ms;
    for (int i = 0; i < n; i++) {
        while (!atomic_load(&records[i].done)) {
            if (loop_now_ms() > end)
                return false;
            struct timespec pause = {0, 1000000L};
            nanosleep(&pause, NULL);
        }
    }
    return true;
}

static loop *start(int count)
{
    char err[REACTOR_ERR_LEN];
    loop *main_loop = loop_create();
    cr_assert_not_null(main_loop);
    cr_assert_eq(reactor_init(main_loop, count, err), 0, "%s", err);
    cr_assert_eq(reactor_run_threads(err), 0, "%s", err);
    return main_loop;
}

static void finish(loop *main_loop)
{
    reactor_stop();
    reactor_free();
    loop_destroy(main_loop);
}

Test(reactor, a_job_runs_on_the_thread_of_the_reactor_it_was_posted_to)
{
    loop *main_loop = start(3);
    cr_expect_eq(reactor_count(), 3);
    cr_expect_eq(reactor_loop(0), main_loop, "reactor 0 is the caller's loop");
    cr_expect_eq(reactor_current(), main_loop);
    record records[2] = {0};
    reactor_post(1, note, &records[0]);
    reactor_post(2, note, &records[1]);
    cr_assert(wait_done(records, 2, 5000), "the jobs did not run within 5 s");
    cr_expect_eq(records[0].ran_on, reactor_loop(1));
    cr_expect_eq(records[1].ran_on, reactor_loop(2));
    cr_expect(!pthread_equal(records[0].thread, pthread_self()));
    cr_expect(!pthread_equal(records[0].thread, records[1].thread), "two reactors, two threads");
    finish(main_loop);
}

Test(reactor, jobs_posted_to_the_main_reactor_run_when_its_loop_turns)
{
    loop *main_loop = start(2);
    record r = {0};
    reactor_post(0, note, &r);
    cr_expect_eq(atomic_load(&r.done), 0, "a job waits for its loop, it does not run in reactor_post");
    for (int i = 0; i < 100 && !atomic_load(&r.done); i++)
        loop_run_once(main_loop, 10);
    cr_expect_eq(atomic_load(&r.done), 1);
    cr_expect_eq(r.ran_on, main_loop);
    cr_expect(pthread_equal(r.thread, pthread_self()));
    finish(main_loop);
}

/* Many jobs from several posting threads at once: none lost, each once. */
static record many[JOBS];

static void *post_share(void *arg)
{
    int from = *(int *)arg;
    for (int i = from; i < JOBS; i += 4)
        reactor_post(1 + i % 3, note, &many[i]);
    return NULL;
}

Test(reactor, every_job_posted_from_many_threads_runs)
{
    loop *main_loop = start(4);
    memset(many, 0, sizeof(many));
    pthread_t posters[4];
    int from[4] = {0, 1, 2, 3};
    for (int t = 0; t < 4; t++)
        pthread_create(&posters[t], NULL, post_share, &from[t]);
    for (int t = 0; t < 4; t++)
        pthread_join(posters[t], NULL);
    cr_assert(wait_done(many, JOBS, 10000), "not every job ran within 10 s");
    for (int i = 0; i < JOBS; i++)
        cr_expect_eq(many[i].ran_on, reactor_loop(1 + i % 3), "job %d ran on the wrong reactor", i);
    finish(main_loop);
}

Test(reactor, pick_deals_reactors_out_in_turn)
{
    loop *main_loop = start(3);
    int seen[3] = {0};
    for (int i = 0; i < 30; i++)
        seen[reactor_pick()]++;
    cr_expect(seen[0] == 10 && seen[1] == 10 && seen[2] == 10, "30 picks gave %d, %d, %d", seen[0], seen[1],
              seen[2]);
    finish(main_loop);
}

Test(reactor, one_reactor_starts_no_thread)
{
    loop *main_loop = start(1);
    cr_expect_eq(reactor_count(), 1);
    for (int i = 0; i < 5; i++)
        cr_expect_eq(reactor_pick(), 0);
    finish(main_loop);
}

Test(reactor, a_count_out_of_range_is_refused)
{
    char err[REACTOR_ERR_LEN];
    loop *main_loop = loop_create();
    cr_expect_eq(reactor_init(main_loop, 0, err), -1);
    cr_expect_eq(reactor_init(main_loop, REACTOR_MAX + 1, err), -1);
    cr_expect(strstr(err, "from 1 to") != NULL, "%s", err);
    reactor_free();
    loop_destroy(main_loop);
}

Test(reactor, stop_ends_threads_whose_loops_sleep_with_no_timer)
{
    loop *main_loop = start(3);
    long long before = loop_now_ms();
    reactor_stop();     /* their loops wait forever: only the wake-up can end them */
    cr_expect_lt(loop_now_ms() - before, 2000, "reactor_stop() took %lld ms", loop_now_ms() - before);
    reactor_free();
    loop_destroy(main_loop);
}
