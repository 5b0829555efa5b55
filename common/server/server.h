/* server: the server's state, its start, its housekeeping and its stop
 * (stage 1).
 *
 * There is one server per process, so its state is one global struct, as
 * in Redis: every module above this one can reach the loop and the
 * keyspaces without threading a pointer through every call. Its
 * parameters live in `config` (config.h).
 *
 * A stage's main() is a short story of named steps. Each server_enable_
 * call turns on one concept of a later stage, and the parameters that
 * come with it, before the options are read:
 *
 *     server_enable_active_expiry();                       // stage 3
 *     if (!server_start("stage3", argc, argv, &status))    // options, loop, sockets
 *         return status;
 *     command_register(connection_commands);               // what it serves
 *     return server_run();                                 // until SIGTERM
 */
#ifndef SERVER_H
#define SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "data/db.h"
#include "io/loop.h"
#include "server/config.h"

#define SERVER_ERR_LEN 512

struct server {
    const char *name;                   /* the binary's stage name, for messages and INFO */
    loop *loop;                         /* the main thread's loop: listeners, cron */
    int listen_fds[CONFIG_MAX_BIND];
    int listen_count;
    db **dbs;                           /* the keyspaces (stage 2 on); SELECT picks one (stage 6) */
    int db_count;                       /* --databases, 16 by default as in Redis */
    long long cron_id;                  /* the 10 Hz housekeeping timer */
    bool active_expiry;                 /* the cron deletes expired keys (stage 3) */
    bool aof_started;                   /* the append-only file is in use (stage 5) */
    bool memory_limit;                  /* maxmemory and eviction (Part II) */
    long long expire_fast_id;           /* the extra expiry timer while there is a backlog */
    volatile int shutdown_signal;       /* set by SIGINT/SIGTERM */
    long long started_ms;               /* for INFO's uptime */
};

extern struct server server;

/* The steps a stage turns on, called before server_start(). */
void server_enable_active_expiry(void);     /* stage 3: the cron deletes expired keys */
void server_enable_aof(bool on_by_default); /* stage 5: --dir --appendfsync --appendfilename, and --appendonly yes */
void server_enable_databases(void);         /* stage 6: --databases (SELECT comes as a command) */
void server_enable_security(void);          /* stage 6: --requirepass --protected-mode */
void server_enable_client_limits(void);     /* stage 6: --maxclients --timeout */
void server_enable_logging(void);           /* stage 6: --loglevel --logfile */
void server_enable_threads(void);           /* stage 6: --threads, one per core by default */
void server_enable_config_file(void);       /* stage 6: a config file as the first argument */
void server_enable_memory_limit(void);      /* Part II: --maxmemory and --maxmemory-policy, eviction */

/* Options, then start-up. On false the process should exit with
 * *exit_status: 0 after --help, 1 after a bad option or a failed start
 * (the reason is already printed or logged). */
bool server_start(const char *name, int argc, char **argv, int *exit_status);
/* After the commands are registered: replay the append-only file (with
 * appendonly yes), then log every write to it (stage 5). */
bool server_replay_aof(int *exit_status);
int server_run(void);
void server_free(void);                    /* after a failed start, or at shutdown */

#endif
