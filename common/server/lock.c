/* lock: the server lock (stage 6). See lock.h for what it covers. */
#include "server/lock.h"

#include <pthread.h>

static pthread_mutex_t lock_mutex = PTHREAD_MUTEX_INITIALIZER;

void lock_acquire(void)
{
    pthread_mutex_lock(&lock_mutex);
}

void lock_release(void)
{
    pthread_mutex_unlock(&lock_mutex);
}
