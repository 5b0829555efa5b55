/* aof: the append-only file (stage 5).
 *
 * The path of one write, for a client that sent SET k v:
 *
 *   command runs -> aof_feed() encodes it into `pending` -> the reply is
 *   held -> before the loop sleeps, aof_flush() write()s `pending` (and
 *   aof_sync_until() fsyncs, with appendfsync always) -> only then are
 *   the held replies written to their sockets.
 *
 * Because every client served in one turn of the loop shares that one
 * write and one fsync, `always` costs one fsync per turn, not per command
 * ("group commit"); with stage 6's threads, one fsync can also cover the
 * turns of several threads. With `everysec` the fsync is done by a thread
 * of its own, so a slow disk never stalls the loop.
 *
 * A rewrite (BGREWRITEAOF) forks. The child walks its copy of the
 * keyspace and writes one command per key to a temporary file; meanwhile
 * the parent keeps logging to the old file and also keeps a copy of every
 * new record in `rewrite_buf`. When the child is done, the parent appends
 * that copy to the new file, fsyncs it, renames it over the old one and
 * fsyncs the directory, so the rename itself survives a power cut. */
#include "persist/aof.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"
#include "base/num.h"
#include "io/resp.h"

#define AOF_EVERYSEC_MS 1000
#define AOF_RETRY_MS 5000               /* after a failed first rewrite */
#define AOF_REWRITE_ITEMS 64            /* list elements per RPUSH, like Redis */
#define AOF_REWRITE_FLUSH (1024 * 1024) /* the child writes in chunks this big */

static struct aof_state {
    db **dbs;
    int db_count;
    int pending_db;             /* the database the file's records act on now */
    int rewrite_db;             /* the same, for rewrite_buf */
    bool enabled;               /* records are written to fd */
    bool enable_after_rewrite;  /* CONFIG SET appendonly yes: on once the file exists */
    enum aof_fsync fsync;
    char *filename;
    int fd;
    buf pending;                /* records not written yet */
    long long size;             /* bytes in the file */
    bool write_failed;          /* the last write failed: writes are refused */
    int write_errno;

    /* Rewrite. */
    pid_t child;
    char temp[64];              /* the child's file */
    buf rewrite_buf;            /* records fed while the child runs */
    long long rewrite_started_ms;
    long long retry_at_ms;      /* when to try the first rewrite again */
    long long last_rewrite_ms;  /* how long the last one took, -1 before any */
    bool last_rewrite_ok;

    /* The everysec fsync thread. */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int sync_fd;                /* a request: fsync this fd, -1 when none */
    bool thread_stop;
    bool unsynced;              /* written since the last fsync (request) */
    long long last_sync_ms;

    /* appendfsync always, group commit (stage 6): bytes ever written (under
     * the server lock; atomic, as syncing threads read it without it), and
     * how many of them are known durable (under `lock`). */
    _Atomic long long written_total;
    long long synced_total;
    bool group_sync;            /* a thread runs aof_sync_until()'s fdatasync */
} aof = {
    .fd = -1, .child = -1, .sync_fd = -1, .last_rewrite_ms = -1, .last_rewrite_ok = true,
    .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER,
};

static long long aof_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------- Policies ---------------- */

/* On, as CONFIG GET and INFO see it: also while the first rewrite after
 * CONFIG SET appendonly yes is still writing the file. */
size_t aof_buffered_bytes(void)
{
    return aof.pending.cap + aof.rewrite_buf.cap;
}

bool aof_is_enabled(void)
{
    return aof.enabled || aof.enable_after_rewrite;
}

enum aof_fsync aof_fsync_policy(void)
{
    return aof.fsync;
}

/* ---------------- The everysec thread ----------------
 *
 * fsync() can take hundreds of milliseconds on a busy disk. The loop only
 * posts a request (which fd to sync) and goes on; this thread does the
 * waiting. */

static void *aof_sync_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&aof.lock);
    for (;;) {
        while (aof.sync_fd == -1 && !aof.thread_stop)
            pthread_cond_wait(&aof.cond, &aof.lock);
        if (aof.sync_fd == -1)
            break;
        int fd = aof.sync_fd;
        pthread_mutex_unlock(&aof.lock);
        fdatasync(fd);
        pthread_mutex_lock(&aof.lock);
        aof.sync_fd = -1;
        pthread_cond_broadcast(&aof.cond);
    }
    pthread_mutex_unlock(&aof.lock);
    return NULL;
}

static void aof_sync_request(void)
{
    pthread_mutex_lock(&aof.lock);
    bool idle = aof.sync_fd == -1;
    if (idle) {
        aof.sync_fd = aof.fd;
        pthread_cond_signal(&aof.cond);
    }
    pthread_mutex_unlock(&aof.lock);
    if (idle) {
        aof.unsynced = false;
        aof.last_sync_ms = aof_now_ms();
    }
}

/* Let a running fsync finish, with `lock` held. */
static void aof_sync_wait_locked(void)
{
    while (aof.sync_fd != -1 || aof.group_sync)
        pthread_cond_wait(&aof.cond, &aof.lock);
}

static void aof_sync_wait(void)
{
    pthread_mutex_lock(&aof.lock);
    aof_sync_wait_locked();
    pthread_mutex_unlock(&aof.lock);
}

/* Close the file's fd for another (or -1), once no fsync runs on it. The
 * callers made every record written so far durable first (an fsync, or a
 * new file that holds them all), so the group commit below learns that. */
static void aof_replace_fd(int fd)
{
    pthread_mutex_lock(&aof.lock);
    aof_sync_wait_locked();
    if (aof.fd != -1)
        close(aof.fd);
    aof.fd = fd;
    aof.synced_total = atomic_load(&aof.written_total);
    pthread_mutex_unlock(&aof.lock);
}

/* ---------------- appendfsync always: group commit ----------------
 *
 * With several threads (stage 6), each one writes the records of its
 * clients before it sends their replies. If each also ran its fdatasync
 * under the server lock, the threads would take turns at the disk, one
 * fsync each, while no command ran anywhere. Instead a thread writes under
 * the lock, notes how far the file must be durable (aof_sync_target()),
 * and syncs without the lock: whoever finds an fsync running waits for it,
 * and often finds its records covered by it, since that fsync began after
 * they were written. One fsync serves several threads' clients. */

long long aof_sync_target(void)
{
    return aof.enabled && aof.fsync == AOF_FSYNC_ALWAYS ? atomic_load(&aof.written_total) : 0;
}

void aof_sync_until(long long target)
{
    if (target <= 0)
        return;
    pthread_mutex_lock(&aof.lock);
    while (aof.synced_total < target && aof.fd != -1) {
        if (aof.sync_fd != -1 || aof.group_sync) {
            pthread_cond_wait(&aof.cond, &aof.lock);
            continue;
        }
        int fd = aof.fd;
        long long covered = atomic_load(&aof.written_total);    /* written before the fsync starts */
        aof.group_sync = true;
        pthread_mutex_unlock(&aof.lock);
        int failed = fdatasync(fd);
        pthread_mutex_lock(&aof.lock);
        aof.group_sync = false;
        pthread_cond_broadcast(&aof.cond);
        if (failed == -1) {
            log_write(LOG_WARNING, "Can't persist the AOF with fdatasync: %s. Exiting...", strerror(errno));
            _exit(1);
        }
        if (covered > aof.synced_total)
            aof.synced_total = covered;
    }
    pthread_mutex_unlock(&aof.lock);
}

static void aof_sync_thread_stop(void)
{
    if (!aof.thread_started)
        return;
    pthread_mutex_lock(&aof.lock);
    aof.thread_stop = true;
    pthread_cond_signal(&aof.cond);
    pthread_mutex_unlock(&aof.lock);
    pthread_join(aof.thread, NULL);
    aof.thread_started = false;
}

/* ---------------- Writing records ---------------- */

static void aof_encode(buf *out, int argc, const char **argv, const size_t *argvlen)
{
    resp_add_array(out, argc);
    for (int i = 0; i < argc; i++)
        resp_add_bulk(out, argv[i], argvlen[i]);
}

static void aof_encode_select(buf *out, int db_id)
{
    char id[NUM_LL_MAX];
    const char *argv[] = {"SELECT", id};
    size_t argvlen[] = {6, num_format_ll(id, db_id)};
    aof_encode(out, 2, argv, argvlen);
}

/* A record for database db_id, preceded by SELECT when the stream of
 * records was acting on another one (stage 6), as Redis writes it. */
static void aof_encode_in(buf *out, int *selected, int db_id, int argc, const char **argv, const size_t *argvlen)
{
    if (*selected != db_id) {
        aof_encode_select(out, db_id);
        *selected = db_id;
    }
    aof_encode(out, argc, argv, argvlen);
}

/* Every command that changed the dataset arrives here (command.c). */
void aof_feed(int db_id, int argc, const char **argv, const size_t *argvlen)
{
    if (aof.enabled)
        aof_encode_in(&aof.pending, &aof.pending_db, db_id, argc, argv, argvlen);
    if (aof.child != -1)
        aof_encode_in(&aof.rewrite_buf, &aof.rewrite_db, db_id, argc, argv, argvlen);
}

/* A key that expired is logged as deleted, so that a replay does not
 * resurrect it for commands that follow it in the file. */
void aof_feed_expired(int db_id, const char *key, size_t len)
{
    const char *argv[] = {"DEL", key};
    size_t argvlen[] = {3, len};
    aof_feed(db_id, 2, argv, argvlen);
}

bool aof_holds_replies(void)
{
    return aof.enabled;
}

/* While the file cannot be written, a write acknowledged now could be
 * lost, so writes are refused, with Redis's error. */
const char *aof_write_refusal(void)
{
    static char text[128];
    if (!aof.enabled || !aof.write_failed)
        return NULL;
    snprintf(text, sizeof(text), "MISCONF Errors writing to the AOF file: %s", strerror(aof.write_errno));
    return text;
}

/* Write all of bytes; returns how many made it (len unless an error). */
static size_t aof_write_some(int fd, const char *bytes, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, bytes + done, len - done);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == 0)
            errno = ENOSPC;     /* no progress and no error code: a full disk */
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    return done;
}

static bool aof_write_all(int fd, const char *bytes, size_t len)
{
    return aof_write_some(fd, bytes, len) == len;
}

/* Called before the loop sleeps, so before any held reply goes out. A
 * failed write under `always` would break the promise made to clients,
 * so, like Redis, the server stops rather than acknowledge writes it
 * could not keep. Otherwise the records stay pending and are retried. */
void aof_flush(void)
{
    if (!aof.enabled || buf_length(&aof.pending) == 0)
        return;
    size_t len = buf_length(&aof.pending);
    size_t done = aof_write_some(aof.fd, buf_data(&aof.pending), len);
    /* What was written stays written (a retry must not write it twice,
     * or the file would hold half a record followed by whole ones). */
    buf_consume(&aof.pending, done);
    aof.size += (long long)done;
    atomic_fetch_add(&aof.written_total, (long long)done);
    if (done < len) {
        aof.write_errno = errno;
        log_write(LOG_WARNING, "Error writing to the AOF file: %s", strerror(errno));
        if (aof.fsync == AOF_FSYNC_ALWAYS) {
            log_write(LOG_WARNING, "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
            _exit(1);
        }
        aof.write_failed = true;
        return;
    }
    if (aof.write_failed)
        log_write(LOG_WARNING, "AOF write error looks solved, Redis can write again.");
    aof.write_failed = false;
    buf_clear(&aof.pending);
    buf_shrink(&aof.pending, AOF_REWRITE_FLUSH);
    /* `always` syncs in aof_sync_until(), after the server lock. */
    if (aof.fsync == AOF_FSYNC_EVERYSEC) {
        aof.unsynced = true;
        if (aof_now_ms() - aof.last_sync_ms >= AOF_EVERYSEC_MS)
            aof_sync_request();
    }
}

/* fsync the directory, so that a new name (a created file, a rename) is
 * on disk too, not only the file's bytes. */
static void aof_sync_directory(void)
{
    int dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir != -1) {
        fsync(dir);
        close(dir);
    }
}

static int aof_open(const char *filename, char *err)
{
    int fd = open(filename, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1)
        snprintf(err, AOF_ERR_LEN, "Can't open the append-only file %s: %s", filename, strerror(errno));
    return fd;
}

/* ---------------- Loading ---------------- */

/* What the file's commands go through at start (aof_start's caller),
 * and the database they act on: SELECT, which Redis 7's own files start
 * with, is followed here, whichever stage reads the file. */
typedef struct aof_loader {
    aof_replay_fn *replay;
    void *data;
    db *current;
} aof_loader;

static bool aof_replay_command(void *data, int argc, const char **argv, const size_t *argvlen, char *err)
{
    aof_loader *loader = data;
    if (argvlen[0] == 6 && strncasecmp(argv[0], "select", 6) == 0) {
        long long id;
        if (argc == 2 && num_parse_ll(argv[1], argvlen[1], &id) && id >= 0 && id < aof.db_count) {
            loader->current = aof.dbs[id];
            return true;
        }
        snprintf(err, AOF_ERR_LEN, "the file selects database '%.*s', which this server does not have "
                 "(it has %d: see --databases)", (int)(argvlen[argc - 1] > 20 ? 20 : argvlen[argc - 1]),
                 argv[argc - 1], aof.db_count);
        return false;
    }
    return loader->replay(loader->data, loader->current, argc, argv, argvlen, err);
}

/* A file cut inside its last command lost only that command, which no
 * client can have been told succeeded: cut it off and start (Redis's
 * aof-load-truncated yes). Damage before the end is another matter. */
static bool aof_load_repair(const char *filename, const aof_read_result *r, char *err)
{
    log_write(LOG_WARNING, "!!! Warning: short read while loading the AOF file %s!!!", filename);
    log_write(LOG_WARNING, "!!! Truncating the AOF at offset %zu, dropping the %zu bytes of an incomplete last command !!!",
              r->valid_bytes, r->size - r->valid_bytes);
    if (!aof_file_truncate(filename, r->valid_bytes, err))
        return false;
    log_write(LOG_WARNING, "AOF loaded anyway because aof-load-truncated is enabled");
    return true;
}

static void aof_set_loading(bool loading)
{
    for (int i = 0; i < aof.db_count; i++)
        aof.dbs[i]->loading = loading;
}

static bool aof_load(const char *filename, aof_replay_fn *replay, void *data, char *err)
{
    aof_loader loader = {replay, data, aof.dbs[0]};
    long long start = aof_now_ms();
    /* Replay with the clock stopped: a key whose TTL has passed since it
     * was written may have been given a new one (EXPIRE, PERSIST) by a
     * later record. The deadlines are checked once the file is read. */
    aof_set_loading(true);
    aof_read_result r = aof_file_read(filename, aof_replay_command, &loader);
    aof_set_loading(false);
    /* The file may end in any database: new records go on from there, so
     * the first one for another database says SELECT. */
    aof.pending_db = loader.current->id;
    switch (r.status) {
    case AOF_READ_MISSING:
        return true;
    case AOF_READ_OK:
        break;
    case AOF_READ_TRUNCATED:
        if (!aof_load_repair(filename, &r, err))
            return false;
        break;
    case AOF_READ_BAD:
        snprintf(err, AOF_ERR_LEN,
                 "Bad file format reading the append only file %s at byte offset %zu (%.100s): "
                 "make a backup of it, then use aof-check --fix %s",
                 filename, r.valid_bytes, r.error, filename);
        return false;
    case AOF_READ_FAILED:
        snprintf(err, AOF_ERR_LEN, "%.200s (at byte offset %zu of %s)", r.error, r.valid_bytes, filename);
        return false;
    }
    aof.size = (long long)r.valid_bytes;
    db_reset_stats();           /* the replay is not the clients' traffic */
    log_write(LOG_NOTICE, "DB loaded from append only file: %.3f seconds (%lld commands)",
              (double)(aof_now_ms() - start) / 1000, r.commands);
    return true;
}

/* ---------------- Start and stop ---------------- */

/* A rewrite cut short by a crash leaves its temporary file behind. */
static void aof_remove_stale_temp_files(void)
{
    DIR *dir = opendir(".");
    if (dir == NULL)
        return;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        int pid;
        if (sscanf(e->d_name, "temp-rewriteaof-bg-%d-", &pid) != 1)
            continue;
        /* Another server using this directory may be rewriting right now. */
        if (kill(pid, 0) == -1 && errno == ESRCH && unlink(e->d_name) == 0)
            log_write(LOG_NOTICE, "Removed %s, left by a rewrite that did not finish", e->d_name);
    }
    closedir(dir);
}

/* The file lives in the working directory (--dir): its name may not
 * lead elsewhere. Redis's rule and text. */
const char *aof_filename_refusal(const char *name, size_t len)
{
    if (len == 0 || memchr(name, '/', len) != NULL)
        return "appendfilename can't be a path, just a filename";
    return NULL;
}

static bool aof_filename_ok(const char *filename, char *err)
{
    const char *refusal = aof_filename_refusal(filename, strlen(filename));
    if (refusal != NULL)
        snprintf(err, AOF_ERR_LEN, "%s", refusal);
    return refusal == NULL;
}

bool aof_start(db **dbs, int db_count, const aof_config *config, aof_replay_fn *replay, void *data, char *err)
{
    if (!aof_filename_ok(config->filename, err))
        return false;
    aof_remove_stale_temp_files();
    aof.dbs = dbs;
    aof.db_count = db_count;
    aof.pending_db = 0;     /* a new file, like a replay, starts in database 0 */
    aof.rewrite_db = 0;     /* a rewrite's file starts and ends in 0 (aof_rewrite_write) */
    aof.fsync = config->fsync;
    aof.filename = mem_strdup(config->filename);
    aof.thread_stop = false;    /* a module stopped before may start again */
    /* The thread blocks every signal (it inherits the mask), so SIGTERM
     * reaches the main thread, whose handler stops the loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int failed = pthread_create(&aof.thread, NULL, aof_sync_thread, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (failed != 0) {
        snprintf(err, AOF_ERR_LEN, "Can't start the fsync thread: %s", strerror(failed));
        return false;
    }
    aof.thread_started = true;
    if (config->enabled) {
        if (!aof_load(aof.filename, replay, data, err))
            return false;
        aof.fd = aof_open(aof.filename, err);
        if (aof.fd == -1)
            return false;
        aof_sync_directory();   /* the file may be new */
        aof.enabled = true;
    }
    /* From here on, every change is logged: the caller passes the
     * commands' records to aof_feed(); expired keys come here directly. */
    for (int i = 0; i < db_count; i++)
        dbs[i]->on_expired = aof_feed_expired;
    aof.last_sync_ms = aof_now_ms();
    return true;
}

static void aof_rewrite_abort(void);

void aof_stop(void)
{
    if (aof.enable_after_rewrite)
        log_write(LOG_WARNING, "Stopping before the first AOF rewrite finished: the AOF was never written");
    if (aof.child != -1)
        aof_rewrite_abort();
    if (aof.enabled) {
        aof_flush();
        aof_sync_wait();
        log_write(LOG_NOTICE, "Calling fsync() on the AOF file.");
        fdatasync(aof.fd);
    }
    aof_sync_thread_stop();
    aof_replace_fd(-1);
    aof.enabled = false;
    buf_free(&aof.pending);
    buf_free(&aof.rewrite_buf);
    mem_free(aof.filename);
    aof.filename = NULL;
}

/* ---------------- Rewriting: the child ---------------- */

typedef struct aof_writer {
    int fd;
    buf out;
    bool ok;
} aof_writer;

static void aof_writer_flush(aof_writer *w)
{
    if (w->ok && !aof_write_all(w->fd, buf_data(&w->out), buf_length(&w->out)))
        w->ok = false;
    buf_clear(&w->out);
}

static void aof_writer_command(aof_writer *w, int argc, const char **argv, const size_t *argvlen)
{
    aof_encode(&w->out, argc, argv, argvlen);
    if (buf_length(&w->out) >= AOF_REWRITE_FLUSH)
        aof_writer_flush(w);
}

/* A list as RPUSH commands of up to 64 elements each. */
static void aof_rewrite_list(aof_writer *w, const dict_entry *e, list *l)
{
    const char *argv[2 + AOF_REWRITE_ITEMS] = {"RPUSH", e->key};
    size_t argvlen[2 + AOF_REWRITE_ITEMS] = {5, e->keylen};
    int argc = 2;
    list_iter it;
    list_entry item;
    list_iter_start(&it, l, 0, true);
    while (list_iter_next(&it, &item)) {
        argv[argc] = item.bytes;
        argvlen[argc] = item.len;
        if (++argc == 2 + AOF_REWRITE_ITEMS) {
            aof_writer_command(w, argc, argv, argvlen);
            argc = 2;
        }
    }
    if (argc > 2)
        aof_writer_command(w, argc, argv, argvlen);
}

/* Part II, hashes: HSET with up to AOF_REWRITE_ITEMS pairs each. */
static void aof_rewrite_hash(aof_writer *w, const dict_entry *e, hash_map *h)
{
    const char *argv[2 + 2 * AOF_REWRITE_ITEMS] = {"HSET", e->key};
    size_t argvlen[2 + 2 * AOF_REWRITE_ITEMS] = {4, e->keylen};
    int argc = 2;
    hash_iter it;
    hash_pair p;
    hash_iter_start(&it, h);
    while (hash_iter_next(&it, &p)) {
        argv[argc] = p.field.bytes;
        argvlen[argc++] = p.field.len;
        argv[argc] = p.value.bytes;
        argvlen[argc++] = p.value.len;
        if (argc == 2 + 2 * AOF_REWRITE_ITEMS) {
            aof_writer_command(w, argc, argv, argvlen);
            argc = 2;
        }
    }
    hash_iter_end(&it);
    if (argc > 2)
        aof_writer_command(w, argc, argv, argvlen);
}

/* Part II, sets: SADD with up to AOF_REWRITE_ITEMS members each. An
 * intset's member is its number written out in the set_member itself, so
 * each of a command's members keeps a set_member of its own. */
static void aof_rewrite_set(aof_writer *w, const dict_entry *e, set_value *s)
{
    const char *argv[2 + AOF_REWRITE_ITEMS] = {"SADD", e->key};
    size_t argvlen[2 + AOF_REWRITE_ITEMS] = {4, e->keylen};
    set_member members[AOF_REWRITE_ITEMS];
    int argc = 2;
    set_iter it;
    set_iter_start(&it, s);
    while (set_iter_next(&it, &members[argc - 2])) {
        argv[argc] = members[argc - 2].bytes;
        argvlen[argc] = members[argc - 2].len;
        if (++argc == 2 + AOF_REWRITE_ITEMS) {
            aof_writer_command(w, argc, argv, argvlen);
            argc = 2;
        }
    }
    set_iter_end(&it);
    if (argc > 2)
        aof_writer_command(w, argc, argv, argvlen);
}

/* Part II, sorted sets: ZADD with up to AOF_REWRITE_ITEMS score-member
 * pairs each, scores written as Redis writes them ("%.17g", "inf"). Each
 * member keeps a zset_member of its own (a packed integer member is
 * written out in it). */
static void aof_rewrite_zset(aof_writer *w, const dict_entry *e, zset_value *z)
{
    const char *argv[2 + 2 * AOF_REWRITE_ITEMS] = {"ZADD", e->key};
    size_t argvlen[2 + 2 * AOF_REWRITE_ITEMS] = {4, e->keylen};
    zset_member members[AOF_REWRITE_ITEMS];
    char scores[AOF_REWRITE_ITEMS][ZSET_SCORE_TEXT_MAX];
    int n = 0;
    zset_iter it;
    zset_iter_start(&it, z, 0, zset_length(z), false);
    while (zset_iter_next(&it, &members[n])) {
        argv[2 + 2 * n] = scores[n];
        argvlen[2 + 2 * n] = zset_format_score(scores[n], members[n].score);
        argv[3 + 2 * n] = members[n].bytes;
        argvlen[3 + 2 * n] = members[n].len;
        if (++n == AOF_REWRITE_ITEMS) {
            aof_writer_command(w, 2 + 2 * n, argv, argvlen);
            n = 0;
        }
    }
    zset_iter_end(&it);
    if (n > 0)
        aof_writer_command(w, 2 + 2 * n, argv, argvlen);
}

/* One key: SET or RPUSH, then PEXPIREAT with its absolute time. */
static void aof_rewrite_key(aof_writer *w, db *d, const dict_entry *e, long long now)
{
    long long when = db_get_expire(d, e);
    if (when != DB_NO_EXPIRE && when < now)
        return;     /* already dead: no need to write it */
    db_value *v = e->value;
    switch ((enum db_type)v->type) {
    case DB_TYPE_STRING: {
        const char *argv[] = {"SET", e->key, db_string_of(v)->str};
        size_t argvlen[] = {3, e->keylen, db_string_of(v)->len};
        aof_writer_command(w, 3, argv, argvlen);
        break;
    }
    case DB_TYPE_LIST:
        aof_rewrite_list(w, e, db_list_of(v));
        break;
    case DB_TYPE_HASH:
        aof_rewrite_hash(w, e, db_hash_of(v));
        break;
    case DB_TYPE_SET:
        aof_rewrite_set(w, e, db_setval_of(v));
        break;
    case DB_TYPE_ZSET:
        aof_rewrite_zset(w, e, db_zset_of(v));
        break;
    }
    if (when != DB_NO_EXPIRE) {
        char ms[NUM_LL_MAX];
        const char *argv[] = {"PEXPIREAT", e->key, ms};
        size_t argvlen[] = {9, e->keylen, num_format_ll(ms, when)};
        aof_writer_command(w, 3, argv, argvlen);
    }
}

static void aof_rewrite_select(aof_writer *w, int id)
{
    aof_encode_select(&w->out, id);
}

static void aof_rewrite_db(aof_writer *w, db *d, long long now)
{
    dict_iter it;
    dict_iter_start(&it, d->keys);
    for (dict_entry *e; w->ok && (e = dict_iter_next(&it)) != NULL;)
        aof_rewrite_key(w, d, e, now);
    dict_iter_end(&it);
}

/* In the child: every database, as it was at the fork, to `path`. The
 * file starts and ends in database 0, which is where the records the
 * parent kept meanwhile (rewrite_buf) start. */
static bool aof_rewrite_write(const char *path)
{
    aof_writer w = {open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), BUF_INIT, true};
    if (w.fd == -1)
        return false;
    long long now = db_now_ms();
    bool selected_other = false;
    for (int i = 0; i < aof.db_count; i++) {
        if (db_size(aof.dbs[i]) == 0)
            continue;
        if (i != 0) {
            aof_rewrite_select(&w, i);
            selected_other = true;
        }
        aof_rewrite_db(&w, aof.dbs[i], now);
    }
    if (selected_other)
        aof_rewrite_select(&w, 0);
    aof_writer_flush(&w);
    bool ok = w.ok && fsync(w.fd) == 0;
    close(w.fd);
    buf_free(&w.out);
    return ok;
}

/* ---------------- Rewriting: the parent ---------------- */

/* Close every descriptor but stdin, stdout and stderr (the log). */
static void aof_close_inherited(void)
{
    if (close_range(3, ~0U, 0) == 0)
        return;
    for (int fd = 3; fd < 65536; fd++)     /* kernels before 5.9 */
        close(fd);
}

bool aof_rewrite_start(char *err)
{
    if (aof.child != -1) {
        snprintf(err, AOF_ERR_LEN, "ERR Background append only file rewriting already in progress");
        return false;
    }
    static unsigned rewrites;
    snprintf(aof.temp, sizeof(aof.temp), "temp-rewriteaof-bg-%d-%u.aof", (int)getpid(), ++rewrites);
    pid_t pid = fork();
    if (pid == -1) {
        snprintf(err, AOF_ERR_LEN, "ERR Can't rewrite append only file in background: fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        /* The child: its memory is a frozen copy of the parent's. It needs
         * none of the parent's descriptors; holding on to the listening
         * socket would keep a restarted server off its port until the
         * child is done. Only this thread lives on in the child, so it
         * must not touch a lock the fsync thread might have held at the
         * fork (aof.lock); plain system calls and malloc (which glibc
         * makes safe across fork) are all it uses. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        aof_close_inherited();
        _exit(aof_rewrite_write(aof.temp) ? 0 : 1);
    }
    aof.child = pid;
    aof.rewrite_started_ms = aof_now_ms();
    aof.rewrite_db = 0;
    buf_clear(&aof.rewrite_buf);
    log_write(LOG_NOTICE, "Background append only file rewriting started by pid %d", (int)pid);
    return true;
}

static void aof_rewrite_abort(void)
{
    kill(aof.child, SIGKILL);
    waitpid(aof.child, NULL, 0);
    unlink(aof.temp);
    aof.child = -1;
    aof.enable_after_rewrite = false;
    buf_clear(&aof.rewrite_buf);
}

/* The child succeeded: add what was logged meanwhile, then swap files. */
static bool aof_rewrite_install(void)
{
    aof_flush();    /* the old file gets every record up to now, as promised */
    int fd = open(aof.temp, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd == -1 || !aof_write_all(fd, buf_data(&aof.rewrite_buf), buf_length(&aof.rewrite_buf)) ||
        fdatasync(fd) == -1 || rename(aof.temp, aof.filename) == -1) {
        log_write(LOG_WARNING, "Error installing the rewritten AOF: %s", strerror(errno));
        if (fd != -1)
            close(fd);
        unlink(aof.temp);
        return false;
    }
    aof_sync_directory();
    off_t size = lseek(fd, 0, SEEK_END);
    if (aof.enabled || aof.enable_after_rewrite) {
        aof_replace_fd(fd);     /* the new file holds every record written so far, synced */
        aof.size = size;
        aof.enabled = true;
        aof.unsynced = false;
        /* Whatever a failed write left pending belongs to the old file:
         * every such record is in the new one already (in the child's
         * snapshot, or in rewrite_buf if it came after the fork). */
        buf_clear(&aof.pending);
        aof.write_failed = false;
        /* Whichever database the new file ends in, the next record says
         * which one it is for (Redis resets aof_selected_db likewise). */
        aof.pending_db = -1;
    } else {
        close(fd);  /* BGREWRITEAOF with appendonly no: the file, but no logging */
    }
    return true;
}

static void aof_rewrite_done(int status)
{
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok) {
        ok = aof_rewrite_install();
    } else {
        log_write(LOG_WARNING, "Background AOF rewrite failed (child exit status %d)", status);
        unlink(aof.temp);
    }
    if (ok) {
        log_write(LOG_NOTICE, "Background AOF rewrite finished successfully");
        if (aof.enable_after_rewrite)
            log_write(LOG_NOTICE, "AOF rewrite done: the append only file is now on");
    }
    aof.last_rewrite_ok = ok;
    aof.last_rewrite_ms = aof_now_ms() - aof.rewrite_started_ms;
    aof.child = -1;
    buf_free(&aof.rewrite_buf);
    if (ok) {
        aof.enable_after_rewrite = false;
    } else if (aof.enable_after_rewrite) {
        /* CONFIG SET appendonly yes said OK: keep trying, as Redis does. */
        aof.retry_at_ms = aof_now_ms() + AOF_RETRY_MS;
        log_write(LOG_WARNING, "The AOF stays off until a rewrite succeeds: trying again in %d ms", AOF_RETRY_MS);
    }
}

void aof_cron(void)
{
    if (aof.child != -1) {
        int status;
        if (waitpid(aof.child, &status, WNOHANG) == aof.child)
            aof_rewrite_done(status);
    }
    if (aof.child == -1 && aof.enable_after_rewrite && aof_now_ms() >= aof.retry_at_ms) {
        char err[AOF_ERR_LEN];
        if (!aof_rewrite_start(err))
            aof.retry_at_ms = aof_now_ms() + AOF_RETRY_MS;
    }
    if (aof.enabled && aof.write_failed)
        aof_flush();
    if (aof.enabled && aof.fsync == AOF_FSYNC_EVERYSEC && aof.unsynced &&
        aof_now_ms() - aof.last_sync_ms >= AOF_EVERYSEC_MS)
        aof_sync_request();
}

/* ---------------- Switching at run time ---------------- */

/* Turning the file on needs the dataset in it first: a rewrite, after
 * which every write is logged. Turning it off syncs and closes. */
bool aof_set_enabled(bool enabled, char *err)
{
    if (enabled) {
        if (aof.enabled || aof.enable_after_rewrite)
            return true;
        if (aof.child != -1)
            aof_rewrite_abort();
        if (!aof_rewrite_start(err))
            return false;
        aof.enable_after_rewrite = true;
        return true;
    }
    if (aof.child != -1 && aof.enable_after_rewrite)
        aof_rewrite_abort();
    if (aof.enabled) {
        aof_flush();
        fdatasync(aof.fd);
        aof_replace_fd(-1);     /* waits for a running fsync before it closes */
        aof.enabled = false;
        buf_clear(&aof.pending);    /* for the old file, which is done with */
        aof.write_failed = false;
    }
    return true;
}

void aof_set_fsync(enum aof_fsync fsync)
{
    aof.fsync = fsync;
    if (aof.enabled && fsync == AOF_FSYNC_ALWAYS) {
        aof_flush();
        aof_sync_wait();
        fdatasync(aof.fd);
    }
}

/* ---------------- INFO ---------------- */

static void aof_info_line(buf *out, const char *name, long long value)
{
    char line[96];
    int n = snprintf(line, sizeof(line), "%s:%lld\r\n", name, value);
    buf_append(out, line, (size_t)n);
}

void aof_info(buf *out)
{
    aof_info_line(out, "aof_enabled", aof_is_enabled());
    aof_info_line(out, "aof_rewrite_in_progress", aof.child != -1);
    aof_info_line(out, "aof_rewrite_scheduled", aof.child == -1 && aof.enable_after_rewrite);
    aof_info_line(out, "aof_last_rewrite_time_sec", aof.last_rewrite_ms < 0 ? -1 : aof.last_rewrite_ms / 1000);
    aof_info_line(out, "aof_current_rewrite_time_sec",
                  aof.child == -1 ? -1 : (aof_now_ms() - aof.rewrite_started_ms) / 1000);
    const char *status = aof.last_rewrite_ok ? "ok" : "err";
    buf_append(out, "aof_last_bgrewrite_status:", 26);
    buf_append(out, status, strlen(status));
    buf_append(out, "\r\n", 2);
    status = aof.write_failed ? "err" : "ok";
    buf_append(out, "aof_last_write_status:", 22);
    buf_append(out, status, strlen(status));
    buf_append(out, "\r\n", 2);
    if (aof.enabled)
        aof_info_line(out, "aof_current_size", aof.size);
}
