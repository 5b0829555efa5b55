/* lock: the one lock over everything the threads share (stage 6).
 *
 * The keyspace, the append-only file's buffer, the list of clients and
 * the statistics are shared by every thread that serves clients. A thread
 * holds this lock while it runs the commands of one read, or the cron;
 * reading sockets, writing replies and waiting in epoll_wait() happen
 * without it, in parallel. So commands run one at a time, as in Redis:
 * an MSET is never seen half done, and INCR never loses a count. With
 * --threads 1 (and in stages 1 to 5) nobody ever waits for it. Workshop
 * chapter 6 says what it costs and how a sharded keyspace would go
 * further.
 *
 *     lock_acquire();
 *     command_execute(c);
 *     lock_release(); */
#ifndef LOCK_H
#define LOCK_H

void lock_acquire(void);
void lock_release(void);

#endif
