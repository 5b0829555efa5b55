/* aof: the append-only file, durability for the keyspace (stage 5).
 *
 * Every command that changed the dataset is appended to one file, in
 * RESP, exactly as a client would send it (with relative expiry times
 * turned into absolute ones). After a restart, replaying the file rebuilds
 * the dataset. Three choices decide what a crash can cost:
 *
 *   appendfsync always    the file is fsync'ed before any client hears
 *                         "OK": nothing acknowledged is ever lost;
 *   appendfsync everysec  a background thread fsyncs once a second: a
 *                         power cut loses at most about a second;
 *   appendfsync no        the kernel writes when it likes (~30 s).
 *
 * In every mode the records are write()n before the replies go out, so a
 * crash of the server process alone loses nothing acknowledged. (If that
 * write fails under everysec or no, the replies still go out, as in
 * Redis, and later writes are refused with MISCONF until it succeeds.)
 *
 * The file only grows, so BGREWRITEAOF writes the current dataset to a new
 * file from a forked child (a snapshot for free, thanks to copy-on-write)
 * and swaps it in with rename(2), which is atomic: a crash at any moment
 * leaves either the old file or the new one, both complete.
 *
 *     aof_start(dbs, db_count, &config, replay, data, err);   // replay, then log
 *     ... aof_feed(db_id, argc, argv, argvlen) from each write command ...
 *     aof_flush();                            // before replies go out
 *     aof_sync_until(aof_sync_target());      // with `always`
 */
#ifndef AOF_H
#define AOF_H

#include <stdbool.h>
#include <stddef.h>

#include "persist/aof_file.h"
#include "base/buf.h"
#include "data/db.h"

enum aof_fsync { AOF_FSYNC_NO, AOF_FSYNC_EVERYSEC, AOF_FSYNC_ALWAYS };

typedef struct aof_config {
    bool enabled;           /* appendonly yes|no */
    enum aof_fsync fsync;   /* appendfsync */
    const char *filename;   /* appendfilename, in the working directory (--dir) */
} aof_config;

/* At start, each command of the file is handed to `replay` (the server's
 * dispatcher: replay.c) with the database the file has selected. */
typedef bool aof_replay_fn(void *data, db *d, int argc, const char **argv, const size_t *argvlen, char *err);

/* Replays the file first (with appendonly), then is ready for aof_feed().
 * After a failed start too, aof_stop() frees what it started. */
bool aof_start(db **dbs, int db_count, const aof_config *config, aof_replay_fn *replay, void *data, char *err);
void aof_stop(void);        /* at shutdown: everything written and fsync'ed */

void aof_feed(int db_id, int argc, const char **argv, const size_t *argvlen);
/* A key that expired, logged as DEL: what aof_start() sets as each
 * database's on_expired (a server may call it from its own hook). */
void aof_feed_expired(int db_id, const char *key, size_t len);
bool aof_holds_replies(void);       /* replies wait for aof_flush() */
const char *aof_write_refusal(void);    /* the MISCONF error while writes fail, else NULL */
void aof_flush(void);               /* write what is buffered */
/* appendfsync always: after aof_flush(), under the server lock, how far
 * the file must be durable before replies go out (0: no need); then,
 * without the lock, aof_sync_until() fsyncs, or finds it done. */
long long aof_sync_target(void);
void aof_sync_until(long long target);
void aof_cron(void);                /* once every 100 ms: everysec, rewrite finished? */

bool aof_rewrite_start(char *err);                  /* BGREWRITEAOF */
bool aof_set_enabled(bool enabled, char *err);      /* CONFIG SET appendonly */
void aof_set_fsync(enum aof_fsync fsync);           /* CONFIG SET appendfsync */

bool aof_is_enabled(void);
size_t aof_buffered_bytes(void);    /* its buffers: not counted against maxmemory (Part II) */
enum aof_fsync aof_fsync_policy(void);
const char *aof_filename_refusal(const char *name, size_t len);    /* NULL if it may be used */
void aof_info(buf *out);            /* INFO persistence's aof_ lines */

#endif
